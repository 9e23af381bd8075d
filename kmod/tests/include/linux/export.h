/* SPDX-License-Identifier: GPL-2.0 */
/* A userspace build has no symbol table to export to. */
#ifndef _OVSKVM_SHIM_LINUX_EXPORT_H
#define _OVSKVM_SHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

#endif /* _OVSKVM_SHIM_LINUX_EXPORT_H */
