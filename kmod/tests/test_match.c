// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the module's rule matcher (kmod/match.c, built for
 * userspace): each criterion alone, their conjunction and first-match order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "../match.h"

static const u8 mac_a[ETH_ALEN] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 };
static const u8 mac_b[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static struct ovskvm_tap_info tap(const char *name, const u8 *mac, u32 uid, const char *comm)
{
	struct ovskvm_tap_info t = {
		.name = name, .mac = mac, .uid = uid, .comm = comm, .creator_known = true,
	};

	return t;
}

/* A tap that existed before the module loaded: no creator known. */
static struct ovskvm_tap_info preexisting(const char *name)
{
	struct ovskvm_tap_info t = {
		.name = name, .mac = mac_a, .comm = "", .preexisting = true,
	};

	return t;
}

static void test_empty_rule_matches_all(void **state)
{
	struct ovskvm_rule r = { .action = OVSKVM_ACTION_ATTACH };
	struct ovskvm_tap_info t = tap("anything", mac_a, 1234, "x");

	(void)state;
	assert_true(ovskvm_rule_matches(&r, &t));
}

static void test_name_globs(void **state)
{
	struct ovskvm_rule r = { .n_names = 2 };
	struct ovskvm_tap_info t;

	(void)state;
	strscpy(r.names[0], "tap*", sizeof(r.names[0]));
	strscpy(r.names[1], "vnet[0-4]", sizeof(r.names[1]));
	t = tap("tap17", mac_a, 0, "");
	assert_true(ovskvm_rule_matches(&r, &t));
	t = tap("vnet3", mac_a, 0, "");
	assert_true(ovskvm_rule_matches(&r, &t));
	t = tap("vnet5", mac_a, 0, "");
	assert_false(ovskvm_rule_matches(&r, &t));
	t = tap("mytap0", mac_a, 0, "");
	assert_false(ovskvm_rule_matches(&r, &t));
}

static void test_mac_mask(void **state)
{
	struct ovskvm_rule r = {
		.has_mac = true,
		.mac = { 0x52, 0x54, 0x00, 0, 0, 0 },
		.mac_mask = { 0xff, 0xff, 0xff, 0, 0, 0 },
	};
	struct ovskvm_tap_info t;

	(void)state;
	t = tap("t", mac_a, 0, "");
	assert_true(ovskvm_rule_matches(&r, &t));
	t = tap("t", mac_b, 0, "");
	assert_false(ovskvm_rule_matches(&r, &t));
	memset(r.mac_mask, 0xff, ETH_ALEN);
	t = tap("t", mac_a, 0, "");
	assert_false(ovskvm_rule_matches(&r, &t));
}

static void test_uid_range(void **state)
{
	struct ovskvm_rule r = { .has_uid = true, .uid_min = 1000, .uid_max = 1999 };
	struct ovskvm_tap_info t;

	(void)state;
	t = tap("t", mac_a, 1000, "");
	assert_true(ovskvm_rule_matches(&r, &t));
	t = tap("t", mac_a, 1999, "");
	assert_true(ovskvm_rule_matches(&r, &t));
	t = tap("t", mac_a, 999, "");
	assert_false(ovskvm_rule_matches(&r, &t));
	t = tap("t", mac_a, 2000, "");
	assert_false(ovskvm_rule_matches(&r, &t));
}

static void test_comm_glob(void **state)
{
	struct ovskvm_rule r = { .has_comm = true };
	struct ovskvm_tap_info t;

	(void)state;
	strscpy(r.comm, "qemu-system-*", sizeof(r.comm));
	t = tap("t", mac_a, 0, "qemu-system-x86");
	assert_true(ovskvm_rule_matches(&r, &t));
	t = tap("t", mac_a, 0, "libvirtd");
	assert_false(ovskvm_rule_matches(&r, &t));
	t = tap("t", mac_a, 0, "");
	assert_false(ovskvm_rule_matches(&r, &t));
}

/* uid 0 and comm "" of an unknown creator match nothing, not "root". */
static void test_unknown_creator(void **state)
{
	struct ovskvm_rule uid = { .has_uid = true, .uid_min = 0, .uid_max = 0 };
	struct ovskvm_rule comm = { .has_comm = true };
	struct ovskvm_rule names = { .n_names = 1, .action = OVSKVM_ACTION_IGNORE };
	struct ovskvm_tap_info t = preexisting("tpre0");

	(void)state;
	strscpy(comm.comm, "*", sizeof(comm.comm));
	strscpy(names.names[0], "tpre*", sizeof(names.names[0]));
	assert_false(ovskvm_rule_matches(&uid, &t));
	assert_false(ovskvm_rule_matches(&comm, &t));
	assert_true(ovskvm_rule_matches(&names, &t));
}

/* An attach rule takes a pre-existing tap only when it opts in. */
static void test_preexisting_opt_in(void **state)
{
	struct ovskvm_rule attach = { .action = OVSKVM_ACTION_ATTACH };
	struct ovskvm_rule ignore = { .action = OVSKVM_ACTION_IGNORE };
	struct ovskvm_tap_info t = preexisting("tap0");
	struct ovskvm_tap_info fresh = tap("tap0", mac_a, 0, "qemu-system-x86");

	(void)state;
	assert_false(ovskvm_rule_matches(&attach, &t));
	assert_true(ovskvm_rule_matches(&attach, &fresh));
	assert_true(ovskvm_rule_matches(&ignore, &t));
	attach.flags = OVSKVM_RULE_F_PREEXISTING;
	assert_true(ovskvm_rule_matches(&attach, &t));
}

static void test_all_criteria_needed(void **state)
{
	struct ovskvm_rule r = { .n_names = 1, .has_uid = true, .uid_min = 0, .uid_max = 0 };
	struct ovskvm_tap_info t;

	(void)state;
	strscpy(r.names[0], "vnet*", sizeof(r.names[0]));
	t = tap("vnet0", mac_a, 0, "qemu");
	assert_true(ovskvm_rule_matches(&r, &t));
	t = tap("vnet0", mac_a, 107, "qemu");
	assert_false(ovskvm_rule_matches(&r, &t));
	t = tap("tap0", mac_a, 0, "qemu");
	assert_false(ovskvm_rule_matches(&r, &t));
}

static void test_first_match_wins(void **state)
{
	struct ovskvm_rule rules[3] = {
		{ .id = 1, .n_names = 1, .action = OVSKVM_ACTION_IGNORE },
		{ .id = 2, .n_names = 1, .action = OVSKVM_ACTION_ATTACH },
		{ .id = 3, .action = OVSKVM_ACTION_ATTACH },
	};
	struct ovskvm_tap_info t;

	(void)state;
	strscpy(rules[0].names[0], "tapmgmt*", sizeof(rules[0].names[0]));
	strscpy(rules[1].names[0], "tap*", sizeof(rules[1].names[0]));
	t = tap("tapmgmt0", mac_a, 0, "");
	assert_int_equal(ovskvm_match(rules, 3, &t), 0);
	t = tap("tap1", mac_a, 0, "");
	assert_int_equal(ovskvm_match(rules, 3, &t), 1);
	t = tap("vnet1", mac_a, 0, "");
	assert_int_equal(ovskvm_match(rules, 3, &t), 2);
	assert_int_equal(ovskvm_match(rules, 2, &t), -1);
	assert_int_equal(ovskvm_match(rules, 0, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_rule_matches_all),
		cmocka_unit_test(test_name_globs),
		cmocka_unit_test(test_mac_mask),
		cmocka_unit_test(test_uid_range),
		cmocka_unit_test(test_comm_glob),
		cmocka_unit_test(test_unknown_creator),
		cmocka_unit_test(test_preexisting_opt_in),
		cmocka_unit_test(test_all_criteria_needed),
		cmocka_unit_test(test_first_match_wins),
	};

	return cmocka_run_group_tests_name("kmod match", tests, NULL, NULL);
}
