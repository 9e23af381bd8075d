/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types for kmod/match.c to build in userspace,
 * so the matcher the module runs is unit-tested as is.  glob_match() is the
 * kernel's own lib/glob.c, which the Makefile extracts from the kernel source
 * and links in: the tests see the glob dialect the module sees.
 */
#ifndef _OVSKVM_KCOMPAT_H
#define _OVSKVM_KCOMPAT_H

#include <linux/glob.h>		/* our include/linux/glob.h */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#define ETH_ALEN	6
#define IFNAMSIZ	16

/* The kernel's strscpy(): copy, NUL-terminate, -E2BIG when SRC did not fit. */
static inline ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++) {
		dst[i] = src[i];
		if (!src[i])
			return i;
	}
	if (size)
		dst[size - 1] = '\0';
	return -E2BIG;
}

#endif /* _OVSKVM_KCOMPAT_H */
