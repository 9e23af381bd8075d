// SPDX-License-Identifier: GPL-2.0
/*
 * UTF-8 validation and escaping for messages.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* Length of the valid sequence at S (of at most LEFT bytes), 0 if none. */
static size_t seq_len(const unsigned char *s, size_t left)
{
	uint32_t cp, min;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = seq_len(p + i, len - i);
		if (!n) {
			if (bad)
				*bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

/* The next piece of S as shown, in TMP: returns its width, *USED its bytes in S. */
static size_t piece(const unsigned char *s, size_t left, char tmp[5], size_t *used)
{
	size_t n = seq_len(s, left);

	if (n == 1 && (*s < 0x20 || *s == 0x7f || *s == '\\'))
		n = 0;
	if (!n) {
		snprintf(tmp, 5, "\\x%02x", *s);
		*used = 1;
		return 4;
	}
	memcpy(tmp, s, n);
	*used = n;
	return n;
}

char *utf8_escape(const char *s, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), total = 0, o = 0, w, used, room;
	char tmp[5];

	if (!len)
		return out;
	for (w = 0; w < left; w += used)
		total += piece(p + w, left - w, tmp, &used);
	/* what does not fit is cut, and "..." says so */
	room = total < len ? len - 1 : len > 3 ? len - 4 : 0;
	while (left) {
		w = piece(p, left, tmp, &used);
		if (o + w > room)
			break;
		memcpy(out + o, tmp, w);
		o += w;
		p += used;
		left -= used;
	}
	if (left && len > 3) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
