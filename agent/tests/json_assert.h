/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmocka assertions shared by the OVSDB tests.  Include after <cmocka.h>.
 */
#ifndef _OVSKVM_TESTS_JSON_ASSERT_H
#define _OVSKVM_TESTS_JSON_ASSERT_H

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

/* Compares as JSON values, so key order does not matter. */
static inline void assert_json(json_t *got, const char *want_text)
{
	json_t *want = json_loads(want_text, 0, NULL);

	assert_non_null(want);
	if (!got || !json_equal(got, want)) {
		char *g = got ? json_dumps(got, JSON_SORT_KEYS) : NULL;

		print_error("got:  %s\nwant: %s\n", g ?: "NULL", want_text);
		free(g);
		json_decref(want);
		fail();
	}
	json_decref(want);
}

static inline void assert_contains(const char *s, const char *sub)
{
	if (!s || !strstr(s, sub))
		fail_msg("\"%s\" does not contain \"%s\"", s ?: "(null)", sub);
}

#endif /* _OVSKVM_TESTS_JSON_ASSERT_H */
