/* SPDX-License-Identifier: GPL-2.0 */
/* EXPORT_SYMBOL*() are defined empty on the command line (see Makefile). */
#ifndef _OVSKVM_SHIM_LINUX_EXPORT_H
#define _OVSKVM_SHIM_LINUX_EXPORT_H
#endif /* _OVSKVM_SHIM_LINUX_EXPORT_H */
