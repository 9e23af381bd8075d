// SPDX-License-Identifier: GPL-2.0
/*
 * UTF-8 validation, checked against jansson (what the OVSDB builders use),
 * and the escaping of what is not UTF-8 in messages.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "utf8.h"

static bool jansson_takes(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);

	json_decref(j);
	return j != NULL;
}

static void check(const unsigned char *b, size_t len)
{
	bool mine = utf8_valid((const char *)b, len, NULL);

	if (mine != jansson_takes((const char *)b, len))
		fail_msg("%02x %02x %02x %02x (%zu bytes): utf8_valid says %d, jansson not",
			 b[0], len > 1 ? b[1] : 0, len > 2 ? b[2] : 0,
			 len > 3 ? b[3] : 0, len, mine);
}

/*
 * Every 1- and 2-byte string, and 3- and 4-byte ones with continuation bytes
 * around each boundary.
 */
static void test_same_as_jansson(void **state)
{
	static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
					       0x9f, 0xa0, 0xbf, 0xc0, 0xff };
	unsigned char b[4];
	unsigned int i, j, k, l;

	for (i = 0; i < 256; i++) {
		b[0] = i;
		check(b, 1);
		for (j = 0; j < 256; j++) {
			b[1] = j;
			check(b, 2);
			for (k = 0; k < sizeof(tails); k++) {
				b[2] = tails[k];
				check(b, 3);
				for (l = 0; i >= 0xe0 && l < sizeof(tails); l++) {
					b[3] = tails[l];
					check(b, 4);
				}
			}
		}
	}
}

static void test_valid(void **state)
{
	size_t bad = 99;

	assert_true(utf8_valid("", 0, &bad));
	assert_true(utf8_valid("café ☕ \xf0\x9f\x90\xa7", 15, &bad));
	assert_int_equal(bad, 99);
	assert_false(utf8_valid("caf\xe9", 4, &bad));
	assert_int_equal(bad, 3);
	/* a sequence cut short by the length is not valid */
	assert_false(utf8_valid("ab\xc3\xa9", 3, &bad));
	assert_int_equal(bad, 2);
	assert_false(utf8_valid("\xed\xa0\x80", 3, NULL));	/* surrogate */
	assert_false(utf8_valid("\xe0\x80\xaf", 3, NULL));	/* overlong */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4, NULL));	/* > U+10FFFF */
}

static void test_escape(void **state)
{
	char out[16];

	assert_string_equal(utf8_escape("vnet0", out, sizeof(out)), "vnet0");
	assert_string_equal(utf8_escape("caf\xe9", out, sizeof(out)), "caf\\xe9");
	assert_string_equal(utf8_escape("café", out, sizeof(out)), "café");
	assert_string_equal(utf8_escape("a\tb\\c\x7f", out, sizeof(out)), "a\\x09b\\x5cc\\x7f");
	/* exactly 15 fit; more is cut with "...", never inside a sequence */
	assert_string_equal(utf8_escape("0123456789abcde", out, sizeof(out)), "0123456789abcde");
	assert_string_equal(utf8_escape("0123456789abcdef", out, sizeof(out)), "0123456789ab...");
	assert_string_equal(utf8_escape("0123456789\xe9\xe9", out, sizeof(out)), "0123456789...");
	assert_string_equal(utf8_escape("0123456789☕☕", out, sizeof(out)), "0123456789...");
	assert_string_equal(utf8_escape("012345678☕☕", out, sizeof(out)), "012345678☕☕");
	assert_string_equal(utf8_escape("01234567☕☕☕", out, sizeof(out)), "01234567☕...");
	assert_string_equal(utf8_escape("\xff\xff\xff\xff", out, 4), "...");
	assert_string_equal(utf8_escape("\xff\xff\xff\xff", out, 3), "");
	assert_string_equal(utf8_escape("\xff", out, 5), "\\xff");
	assert_string_equal(utf8_escape("\xff\xff", out, 5), "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_jansson),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
