/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module metadata lib/glob.c declares, dropped: it is linked into a
 * userspace test program, not loaded.
 */
#ifndef _OVSKVM_SHIM_LINUX_MODULE_H
#define _OVSKVM_SHIM_LINUX_MODULE_H

#include <linux/compiler.h>
#include <linux/export.h>

#define MODULE_AUTHOR(...)
#define MODULE_DESCRIPTION(...)
#define MODULE_LICENSE(...)

#endif /* _OVSKVM_SHIM_LINUX_MODULE_H */
