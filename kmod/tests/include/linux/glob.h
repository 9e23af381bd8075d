/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's glob_match(), as declared to its callers.  The definition is
 * the kernel's own lib/glob.c, which the Makefile extracts from the kernel
 * source tarball and links into the tests.
 */
#ifndef _OVSKVM_SHIM_LINUX_GLOB_H
#define _OVSKVM_SHIM_LINUX_GLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/compiler.h>

bool __pure glob_match(char const *pat, char const *str);

#endif /* _OVSKVM_SHIM_LINUX_GLOB_H */
