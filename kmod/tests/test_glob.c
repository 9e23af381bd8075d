// SPDX-License-Identifier: GPL-2.0
/*
 * The glob dialect of Name= and Comm=, as the module's matcher applies it:
 * the kernel's lib/glob.c (see Makefile), which differs from fnmatch(3) and
 * the shell.  These pin the differences the agent's config check refuses
 * (agent/config.c) and the semantics rules rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "../match.h"

/* Whether a rule with the one name glob GLOB takes the tap NAME. */
static bool name_matches(const char *glob, const char *name)
{
	struct ovskvm_rule r = { .n_names = 1 };
	struct ovskvm_tap_info t = { .name = name };

	assert_true(strscpy(r.names[0], glob, sizeof(r.names[0])) >= 0);
	return ovskvm_rule_matches(&r, &t);
}

/* No regex-style [^...]: the '^' is one more member of the class. */
static void test_caret_does_not_negate(void **state)
{
	(void)state;
	assert_true(name_matches("tap[^0-9]*", "tap0"));
	assert_true(name_matches("tap[^0-9]*", "tap^x"));
	assert_false(name_matches("tap[^0-9]*", "tapx"));
}

static void test_bang_negates(void **state)
{
	(void)state;
	assert_true(name_matches("vnet[!0-9]*", "vnetx1"));
	assert_true(name_matches("vnet[!0-9]*", "vnet!"));
	assert_false(name_matches("vnet[!0-9]*", "vnet0"));
	/* A ']' right after "[!" is a member, not the end of the class. */
	assert_true(name_matches("[!]]", "x"));
	assert_false(name_matches("[!]]", "]"));
}

static void test_backslash_escapes(void **state)
{
	(void)state;
	assert_true(name_matches("tap\\*", "tap*"));
	assert_false(name_matches("tap\\*", "tapx"));
	assert_false(name_matches("tap\\*", "tap\\x"));
	assert_true(name_matches("vm\\?", "vm?"));
	assert_false(name_matches("vm\\?", "vmx"));
	assert_true(name_matches("br\\[0\\]", "br[0]"));
	assert_false(name_matches("br\\[0\\]", "br0"));
	assert_true(name_matches("a\\\\b", "a\\b"));
	assert_true(name_matches("\\t", "t"));
}

/*
 * A negated class takes one character, never the end of the name.  Only
 * what every supported kernel gets right is pinned: Debian's 6.1 lib/glob.c
 * lets a negated class take the terminating NUL and goes on reading after
 * it, so there "vnet[!0-9]" takes "vnet" when the bytes after the NUL are
 * zeros; 6.12's returns false, as fnmatch(3) does.  The zeroed buffer keeps
 * those reads inside it (for ASan) whichever kernel's glob.c is linked.
 */
static void test_negated_class_at_the_end(void **state)
{
	char name[IFNAMSIZ + OVSKVM_GLOB_LEN] = "vnet";

	(void)state;
	assert_false(name_matches("vnet[!0-9]x", name));
	assert_false(name_matches("vnet?[!0-9]", name));
	assert_true(name_matches("vne[!0-9]", name));
}

/* Unlike the shell's, a backslash inside [...] is a member, not an escape. */
static void test_backslash_in_class_is_literal(void **state)
{
	(void)state;
	assert_true(name_matches("[\\]]", "\\]"));
	assert_false(name_matches("[\\]]", "]"));
}

/* A trailing lone backslash is dropped, not matched. */
static void test_trailing_backslash(void **state)
{
	(void)state;
	assert_true(name_matches("tap\\", "tap"));
	assert_false(name_matches("tap\\", "tap\\"));
	assert_true(name_matches("*\\", "anything"));
}

static void test_unterminated_bracket_is_literal(void **state)
{
	(void)state;
	assert_true(name_matches("tap[0", "tap[0"));
	assert_false(name_matches("tap[0", "tap0"));
	assert_true(name_matches("vm[a-", "vm[a-"));
	assert_true(name_matches("x[!", "x[!"));
	assert_true(name_matches("tap[]", "tap[]"));
}

/* "[[:digit:]]" is the class of '[', ':', 'd', 'i', 'g', 't', then ']'. */
static void test_no_posix_classes(void **state)
{
	(void)state;
	assert_false(name_matches("vnet[[:digit:]]", "vnet5"));
	assert_true(name_matches("vnet[[:digit:]]", "vnetd]"));
	assert_true(name_matches("vnet[[:digit:]]", "vnet:]"));
	assert_false(name_matches("vnet[[=a=]]", "vneta"));
}

static void test_ranges(void **state)
{
	(void)state;
	assert_true(name_matches("vnet[0-4]", "vnet4"));
	assert_false(name_matches("vnet[0-4]", "vnet5"));
	/* A reversed range is empty. */
	assert_false(name_matches("vnet[9-0]", "vnet5"));
	assert_false(name_matches("vnet[9-0]", "vnet9"));
	/* '-' first or last is a member. */
	assert_true(name_matches("vm[a-]", "vm-"));
	assert_true(name_matches("vm[-a]", "vm-"));
	assert_true(name_matches("vm[a-c-e]", "vm-"));
	assert_false(name_matches("vm[a-c-e]", "vmd"));
}

/* '*' and '?' take any character: nothing special about '/' or a leading '.'. */
static void test_star_matches_any_characters(void **state)
{
	(void)state;
	assert_true(name_matches("*", ""));
	assert_true(name_matches("*", "a/b"));
	assert_true(name_matches("*", ".x"));
	assert_true(name_matches("q*/*", "qemu/kvm"));
	assert_true(name_matches("*a*b*c", "xxaybzbc"));
	assert_true(name_matches("a*", "a"));
	assert_false(name_matches("*aaaaa", "aaaa"));
	assert_true(name_matches("?", "/"));
	assert_false(name_matches("?", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caret_does_not_negate),
		cmocka_unit_test(test_bang_negates),
		cmocka_unit_test(test_negated_class_at_the_end),
		cmocka_unit_test(test_backslash_escapes),
		cmocka_unit_test(test_backslash_in_class_is_literal),
		cmocka_unit_test(test_trailing_backslash),
		cmocka_unit_test(test_unterminated_bracket_is_literal),
		cmocka_unit_test(test_no_posix_classes),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_star_matches_any_characters),
	};

	return cmocka_run_group_tests_name("kmod glob", tests, NULL, NULL);
}
