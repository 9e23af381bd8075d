/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types for kmod/match.c to build in userspace,
 * so the matcher the module runs is unit-tested as is.
 */
#ifndef _OVSKVM_KCOMPAT_H
#define _OVSKVM_KCOMPAT_H

#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#define ETH_ALEN	6
#define IFNAMSIZ	16

/* The kernel's glob_match(): *, ? and [...] classes, no escapes. */
static inline bool glob_match(const char *pat, const char *str)
{
	return fnmatch(pat, str, FNM_NOESCAPE) == 0;
}

#endif /* _OVSKVM_KCOMPAT_H */
