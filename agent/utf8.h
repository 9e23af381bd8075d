/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UTF-8, as OVSDB (and jansson) take it: every string the agent sends must
 * be valid UTF-8, while tap names, QEMU's command line and the bytes of a
 * file are arbitrary.  Pure functions.
 */
#ifndef OVSKVM_UTF8_H
#define OVSKVM_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when the LEN bytes at S are valid UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF).  Otherwise *BAD (when BAD is not
 * NULL) gets the offset of the first byte that is not.
 */
bool utf8_valid(const char *s, size_t len, size_t *bad);

/*
 * S for a message: valid UTF-8 as it is, every other byte, control
 * characters and '\' as \xNN, cut with "..." to fit LEN.  Returns OUT.
 */
char *utf8_escape(const char *s, char *out, size_t len);

#endif
