// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink API of ovskvm_autoport: every command, every kind of
 * malformed request (with its errno and extack message), permissions and
 * event sequence numbers.  Needs root and the module loaded.  KTAP output.
 */
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "nlutil.h"

static int n_tests, n_fail;
static struct nl nl;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		return 1;						\
	}								\
} while (0)

static void run(const char *desc, int (*fn)(void))
{
	int rc = fn();

	n_tests++;
	if (rc)
		n_fail++;
	printf("%sok %d %s\n", rc ? "not " : "", n_tests, desc);
	fflush(stdout);
}

static struct nlmsghdr *req(int cmd, int flags)
{
	return nl_msg(&nl, nl.family, cmd, flags);
}

static unsigned int status_gen;
static unsigned long long status_seq;

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_attrs t;

	(void)data;
	nl_parse(nlh, &t);
	if (!t.a[OVSKVM_A_VERSION] || !t.a[OVSKVM_A_POLICY_GEN] || !t.a[OVSKVM_A_EVENT_SEQ] ||
	    !t.a[OVSKVM_A_STATS] || !t.a[OVSKVM_A_RULE_COUNT] || !t.a[OVSKVM_A_PORT_COUNT])
		return MNL_CB_ERROR;
	status_gen = mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]);
	status_seq = mnl_attr_get_u64(t.a[OVSKVM_A_EVENT_SEQ]);
	return MNL_CB_OK;
}

static int get_status(void)
{
	return nl_talk(&nl, req(OVSKVM_CMD_GET_STATUS, 0), status_cb, NULL);
}

static int test_family(void)
{
	CHECK(nl.family > 0, "family not resolved");
	CHECK(nl.version == OVSKVM_GENL_VERSION, "version %d", nl.version);
	CHECK(nl.mcgrp > 0, "no \"%s\" multicast group", OVSKVM_GENL_MCGRP_EVENTS);
	return 0;
}

static int test_status(void)
{
	int err = get_status();

	CHECK(!err, "GET_STATUS: %s", strerror(-err));
	CHECK(status_gen > 0, "policy generation is 0");
	return 0;
}

/* A rule nest with an id, an action and what @extra adds. */
static void put_rule(struct nlmsghdr *nlh, unsigned int id, int action, const char *bridge)
{
	struct nlattr *r = mnl_attr_nest_start(nlh, 0);

	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_ID, id);
	mnl_attr_put_u8(nlh, OVSKVM_RULE_A_ACTION, action);
	if (bridge)
		mnl_attr_put_strz(nlh, OVSKVM_RULE_A_BRIDGE, bridge);
	mnl_attr_nest_end(nlh, r);
}

static int rules_seen;
static unsigned int rule_ids[8];
static unsigned int reply_gen;
static unsigned long long reply_seq;

static int set_policy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_attrs t;

	(void)data;
	nl_parse(nlh, &t);
	if (nl_cmd(nlh) != OVSKVM_CMD_SET_POLICY || !t.a[OVSKVM_A_POLICY_GEN] ||
	    !t.a[OVSKVM_A_EVENT_SEQ])
		return MNL_CB_ERROR;
	reply_gen = mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]);
	reply_seq = mnl_attr_get_u64(t.a[OVSKVM_A_EVENT_SEQ]);
	return MNL_CB_OK;
}

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	struct nl_attrs t;

	(void)data;
	nl_parse(nlh, &t);
	if (!t.a[OVSKVM_A_EVENT_SEQ])
		return MNL_CB_ERROR;	/* every dump message carries it */
	if (!t.a[OVSKVM_A_RULE] || !t.a[OVSKVM_A_RULE_INDEX] ||
	    mnl_attr_get_u32(t.a[OVSKVM_A_RULE_INDEX]) != (unsigned int)rules_seen)
		return MNL_CB_ERROR;
	mnl_attr_for_each_nested(a, t.a[OVSKVM_A_RULE])
		if (mnl_attr_get_type(a) == OVSKVM_RULE_A_ID && rules_seen < 8)
			rule_ids[rules_seen] = mnl_attr_get_u32(a);
	rules_seen++;
	return MNL_CB_OK;
}

static int test_set_and_dump_policy(void)
{
	struct nlmsghdr *nlh = req(OVSKVM_CMD_SET_POLICY, 0);
	struct nlattr *rules, *r, *n;
	int err;

	rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);
	r = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_ID, 30);
	mnl_attr_put_u8(nlh, OVSKVM_RULE_A_ACTION, OVSKVM_ACTION_IGNORE);
	n = mnl_attr_nest_start(nlh, OVSKVM_RULE_A_NAMES);
	mnl_attr_put_strz(nlh, 0, "mgmt*");
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, r);
	r = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_ID, 10);
	mnl_attr_put_u8(nlh, OVSKVM_RULE_A_ACTION, OVSKVM_ACTION_ATTACH);
	mnl_attr_put_strz(nlh, OVSKVM_RULE_A_BRIDGE, "br-test");
	mnl_attr_put_u16(nlh, OVSKVM_RULE_A_VLAN_TAG, 100);
	mnl_attr_put_strz(nlh, OVSKVM_RULE_A_COMM, "qemu*");
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_UID_MIN, 0);
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_UID_MAX, 1000);
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_FLAGS, OVSKVM_RULE_F_UP);
	mnl_attr_nest_end(nlh, r);
	put_rule(nlh, 20, OVSKVM_ACTION_ATTACH, "br-other");
	mnl_attr_nest_end(nlh, rules);
	reply_gen = 0;
	err = nl_talk(&nl, nlh, set_policy_cb, NULL);
	CHECK(!err, "SET_POLICY: %s: %s", strerror(-err), nl.extack);
	CHECK(!get_status(), "GET_STATUS");
	CHECK(reply_gen && reply_gen == status_gen, "SET_POLICY replied gen %u, in force %u",
	      reply_gen, status_gen);
	CHECK(reply_seq == status_seq, "SET_POLICY replied seq %llu, last event %llu",
	      reply_seq, status_seq);

	rules_seen = 0;
	err = nl_talk(&nl, req(OVSKVM_CMD_GET_POLICY, NLM_F_DUMP), policy_cb, NULL);
	CHECK(!err, "GET_POLICY dump: %s", strerror(-err));
	CHECK(rules_seen == 3, "%d rules dumped", rules_seen);
	CHECK(rule_ids[0] == 30 && rule_ids[1] == 10 && rule_ids[2] == 20,
	      "order %u %u %u", rule_ids[0], rule_ids[1], rule_ids[2]);
	return 0;
}

/*
 * Malformed requests: each builds a SET_POLICY (unless noted) and expects an
 * errno and a substring of the extack message; the policy in force must not
 * change.
 */
struct bad_case {
	const char *desc;
	int cmd;
	int expect_err;
	const char *expect_msg;
	void (*build)(struct nlmsghdr *nlh);
};

static void b_unknown_attr(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, OVSKVM_A_MAX + 5, 1);
}

static void b_policy_flags(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, OVSKVM_A_POLICY_FLAGS, 0x80);
}

static void b_default_and_rules(struct nlmsghdr *nlh)
{
	struct nlattr *rules;

	mnl_attr_put_u32(nlh, OVSKVM_A_POLICY_FLAGS, OVSKVM_POLICY_F_DEFAULT);
	rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);
	put_rule(nlh, 1, OVSKVM_ACTION_IGNORE, NULL);
	mnl_attr_nest_end(nlh, rules);
}

static void b_too_many_rules(struct nlmsghdr *nlh)
{
	struct nlattr *rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);
	int i;

	for (i = 0; i <= OVSKVM_MAX_RULES; i++)
		put_rule(nlh, i + 1, OVSKVM_ACTION_IGNORE, NULL);
	mnl_attr_nest_end(nlh, rules);
}

/* A one-rule policy whose rule @fill completes after the id and action. */
static void one_rule(struct nlmsghdr *nlh, int action, void (*fill)(struct nlmsghdr *))
{
	struct nlattr *rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);
	struct nlattr *r = mnl_attr_nest_start(nlh, 0);

	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_ID, 7);
	if (action >= 0)
		mnl_attr_put_u8(nlh, OVSKVM_RULE_A_ACTION, action);
	if (fill)
		fill(nlh);
	mnl_attr_nest_end(nlh, r);
	mnl_attr_nest_end(nlh, rules);
}

static void f_bridge(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, OVSKVM_RULE_A_BRIDGE, "br0");
}

static void b_no_action(struct nlmsghdr *nlh) { one_rule(nlh, -1, f_bridge); }
static void b_bad_action(struct nlmsghdr *nlh) { one_rule(nlh, 9, f_bridge); }
static void b_attach_no_bridge(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, NULL); }
static void b_ignore_bridge(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_bridge); }

static void f_vlan_4095(struct nlmsghdr *nlh)
{
	f_bridge(nlh);
	mnl_attr_put_u16(nlh, OVSKVM_RULE_A_VLAN_TAG, 4095);
}

static void b_vlan_range(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_vlan_4095); }

static void put_trunks(struct nlmsghdr *nlh, const int *vids, int n)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, OVSKVM_RULE_A_VLAN_TRUNKS);
	int i;

	for (i = 0; i < n; i++)
		mnl_attr_put_u16(nlh, 0, vids[i]);
	mnl_attr_nest_end(nlh, t);
}

static void f_tag_and_trunks(struct nlmsghdr *nlh)
{
	static const int vids[] = { 10, 20 };

	f_bridge(nlh);
	mnl_attr_put_u16(nlh, OVSKVM_RULE_A_VLAN_TAG, 5);
	put_trunks(nlh, vids, 2);
}

static void b_tag_and_trunks(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_tag_and_trunks); }

static void f_trunk_range(struct nlmsghdr *nlh)
{
	static const int vids[] = { 10, 5000 };

	f_bridge(nlh);
	put_trunks(nlh, vids, 2);
}

static void b_trunk_range(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_trunk_range); }

static void f_too_many_trunks(struct nlmsghdr *nlh)
{
	int vids[OVSKVM_MAX_TRUNKS + 1], i;

	for (i = 0; i <= OVSKVM_MAX_TRUNKS; i++)
		vids[i] = i + 1;
	f_bridge(nlh);
	put_trunks(nlh, vids, OVSKVM_MAX_TRUNKS + 1);
}

static void b_too_many_trunks(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_too_many_trunks); }

static void f_short_mac(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, OVSKVM_RULE_A_MAC, 5, "\x52\x54\x00\x00\x01");
}

static void b_short_mac(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_short_mac); }

static void f_mask_only(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, OVSKVM_RULE_A_MAC_MASK, 6, "\xff\xff\xff\x00\x00\x00");
}

static void b_mask_only(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_mask_only); }

static void f_uid_backwards(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_UID_MIN, 100);
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_UID_MAX, 10);
}

static void b_uid_backwards(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_uid_backwards); }

static void f_empty_glob(struct nlmsghdr *nlh)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, OVSKVM_RULE_A_NAMES);

	mnl_attr_put_strz(nlh, 0, "");
	mnl_attr_nest_end(nlh, n);
}

static void b_empty_glob(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_empty_glob); }

static void f_too_many_globs(struct nlmsghdr *nlh)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, OVSKVM_RULE_A_NAMES);
	int i;

	for (i = 0; i <= OVSKVM_MAX_NAMES; i++)
		mnl_attr_put_strz(nlh, 0, "tap*");
	mnl_attr_nest_end(nlh, n);
}

static void b_too_many_globs(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_too_many_globs); }

static void f_long_glob(struct nlmsghdr *nlh)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, OVSKVM_RULE_A_NAMES);
	char glob[OVSKVM_GLOB_LEN + 1];

	memset(glob, 'x', OVSKVM_GLOB_LEN);
	glob[OVSKVM_GLOB_LEN] = 0;
	mnl_attr_put_strz(nlh, 0, glob);
	mnl_attr_nest_end(nlh, n);
}

static void b_long_glob(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_long_glob); }

static void f_bad_flags(struct nlmsghdr *nlh)
{
	f_bridge(nlh);
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_FLAGS, 0x100);
}

static void b_bad_flags(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_bad_flags); }

static void f_slash_bridge(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, OVSKVM_RULE_A_BRIDGE, "br/0");
}

static void b_slash_bridge(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_slash_bridge); }

static void f_long_bridge(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, OVSKVM_RULE_A_BRIDGE, "bridge-name-of-20");
}

static void b_long_bridge(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_long_bridge); }

static void b_duplicate_id(struct nlmsghdr *nlh)
{
	struct nlattr *rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);

	put_rule(nlh, 4, OVSKVM_ACTION_IGNORE, NULL);
	put_rule(nlh, 4, OVSKVM_ACTION_ATTACH, "br0");
	mnl_attr_nest_end(nlh, rules);
}

static void b_not_nested(struct nlmsghdr *nlh)
{
	struct nlattr *rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);

	mnl_attr_put_u32(nlh, 0, 7);	/* a rule that is no nest */
	mnl_attr_nest_end(nlh, rules);
}

/*
 * Four bytes after a list's last entry, inside its nest: too short for an
 * attribute, so a walk over the list stops before them.  The request must be
 * refused, not installed without what the sender meant them to be.
 */
static void put_trailing_bytes(struct nlmsghdr *nlh)
{
	memset(mnl_nlmsg_get_payload_tail(nlh), 0, 4);
	nlh->nlmsg_len += 4;
}

static void f_names_trailing(struct nlmsghdr *nlh)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, OVSKVM_RULE_A_NAMES);

	mnl_attr_put_strz(nlh, 0, "tap*");
	put_trailing_bytes(nlh);
	mnl_attr_nest_end(nlh, n);
}

static void b_names_trailing(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_IGNORE, f_names_trailing); }

static void f_trunks_trailing(struct nlmsghdr *nlh)
{
	struct nlattr *t;

	f_bridge(nlh);
	t = mnl_attr_nest_start(nlh, OVSKVM_RULE_A_VLAN_TRUNKS);
	mnl_attr_put_u16(nlh, 0, 10);
	put_trailing_bytes(nlh);
	mnl_attr_nest_end(nlh, t);
}

static void b_trunks_trailing(struct nlmsghdr *nlh) { one_rule(nlh, OVSKVM_ACTION_ATTACH, f_trunks_trailing); }

static void b_rules_trailing(struct nlmsghdr *nlh)
{
	struct nlattr *rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);

	put_rule(nlh, 4, OVSKVM_ACTION_IGNORE, NULL);
	put_trailing_bytes(nlh);
	mnl_attr_nest_end(nlh, rules);
}

static void b_no_port_key(struct nlmsghdr *nlh) { (void)nlh; }

static void b_unknown_port(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, OVSKVM_A_IFNAME, "lo");
}

static void b_reevaluate_unknown(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 1);	/* lo: not a tap */
}

/* Read as an int, 0x80000000 is negative: it must not mean "every port". */
static void b_ifindex_sign(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 0x80000000u);
}

static void b_status_with_attr(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 1);
}

static void b_rules_in_get_port(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 1);
	mnl_attr_put_u32(nlh, OVSKVM_A_POLICY_FLAGS, 0);
}

static const struct bad_case bad_cases[] = {
	{ "unknown top-level attribute", OVSKVM_CMD_SET_POLICY, -EINVAL, "Unknown attribute", b_unknown_attr },
	{ "unknown policy flag", OVSKVM_CMD_SET_POLICY, -EINVAL, "reserved bit", b_policy_flags },
	{ "default flag with rules", OVSKVM_CMD_SET_POLICY, -EINVAL, "default-policy flag", b_default_and_rules },
	{ "more than OVSKVM_MAX_RULES rules", OVSKVM_CMD_SET_POLICY, -E2BIG, "too many rules", b_too_many_rules },
	{ "rule without an action", OVSKVM_CMD_SET_POLICY, -EINVAL, "id and an action", b_no_action },
	{ "action out of range", OVSKVM_CMD_SET_POLICY, -ERANGE, "out of range", b_bad_action },
	{ "attach rule without a bridge", OVSKVM_CMD_SET_POLICY, -EINVAL, "without a bridge", b_attach_no_bridge },
	{ "ignore rule with a bridge", OVSKVM_CMD_SET_POLICY, -EINVAL, "ignore rule", b_ignore_bridge },
	{ "VLAN tag 4095", OVSKVM_CMD_SET_POLICY, -ERANGE, "out of range", b_vlan_range },
	{ "VLAN tag and trunks", OVSKVM_CMD_SET_POLICY, -EINVAL, "exclusive", b_tag_and_trunks },
	{ "trunk VLAN 5000", OVSKVM_CMD_SET_POLICY, -ERANGE, "out of range", b_trunk_range },
	{ "too many trunk VLANs", OVSKVM_CMD_SET_POLICY, -E2BIG, "too many trunk", b_too_many_trunks },
	{ "5-byte MAC", OVSKVM_CMD_SET_POLICY, -ERANGE, "size out of range", b_short_mac },
	{ "MAC mask without MAC", OVSKVM_CMD_SET_POLICY, -EINVAL, "without a MAC", b_mask_only },
	{ "uid range backwards", OVSKVM_CMD_SET_POLICY, -EINVAL, "ends before it starts", b_uid_backwards },
	{ "empty name glob", OVSKVM_CMD_SET_POLICY, -EINVAL, "empty name glob", b_empty_glob },
	{ "too many name globs", OVSKVM_CMD_SET_POLICY, -E2BIG, "too many name globs", b_too_many_globs },
	{ "name glob too long", OVSKVM_CMD_SET_POLICY, -ERANGE, "too long", b_long_glob },
	{ "unknown rule flag", OVSKVM_CMD_SET_POLICY, -EINVAL, "reserved bit", b_bad_flags },
	{ "bridge name with a slash", OVSKVM_CMD_SET_POLICY, -EINVAL, "valid interface name", b_slash_bridge },
	{ "bridge name too long", OVSKVM_CMD_SET_POLICY, -EINVAL, "policy validation", b_long_bridge },
	{ "duplicate rule id", OVSKVM_CMD_SET_POLICY, -EEXIST, "duplicate rule id", b_duplicate_id },
	{ "rule that is not a nest", OVSKVM_CMD_SET_POLICY, -EINVAL, "leftover", b_not_nested },
	{ "bytes after the last name glob", OVSKVM_CMD_SET_POLICY, -EINVAL, "left over", b_names_trailing },
	{ "bytes after the last trunk VLAN", OVSKVM_CMD_SET_POLICY, -EINVAL, "left over", b_trunks_trailing },
	{ "bytes after the last rule", OVSKVM_CMD_SET_POLICY, -EINVAL, "left over", b_rules_trailing },
	{ "GET_PORT without index or name", OVSKVM_CMD_GET_PORT, -EINVAL, "ifindex or an interface name", b_no_port_key },
	{ "GET_PORT of a device that is no tap", OVSKVM_CMD_GET_PORT, -ENODEV, "no tracked tap", b_unknown_port },
	{ "REEVALUATE of a device that is no tap", OVSKVM_CMD_REEVALUATE, -ENODEV, "no tracked tap", b_reevaluate_unknown },
	{ "REEVALUATE of ifindex 0x80000000", OVSKVM_CMD_REEVALUATE, -ERANGE, "out of range", b_ifindex_sign },
	{ "GET_STATUS with an attribute", OVSKVM_CMD_GET_STATUS, -EINVAL, "attribute", b_status_with_attr },
	{ "GET_PORT with a SET_POLICY attribute", OVSKVM_CMD_GET_PORT, -EINVAL, "attribute", b_rules_in_get_port },
};

static int test_bad_requests(void)
{
	unsigned int gen, i, failed = 0;
	int err;

	CHECK(!get_status(), "GET_STATUS");
	gen = status_gen;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct nlmsghdr *nlh = req(c->cmd, 0);

		c->build(nlh);
		err = nl_talk(&nl, nlh, NULL, NULL);
		printf("# %-40s -> %s: %s\n", c->desc, strerror(-err),
		       nl.extack[0] ? nl.extack : "(no message)");
		if (err != c->expect_err || !nl.extack[0] || !strstr(nl.extack, c->expect_msg)) {
			printf("#   expected %s with a message containing \"%s\"\n",
			       strerror(-c->expect_err), c->expect_msg);
			failed++;
		}
	}
	CHECK(!get_status(), "GET_STATUS");
	CHECK(status_gen == gen, "policy changed by rejected requests (gen %u -> %u)", gen, status_gen);
	CHECK(!failed, "%u malformed requests not rejected as expected", failed);
	return 0;
}

/* The extack offset of a bad second rule falls inside that rule's nest. */
static int test_bad_attr_offset(void)
{
	struct nlmsghdr *nlh = req(OVSKVM_CMD_SET_POLICY, 0);
	struct nlattr *rules, *r2;
	unsigned int start, end;
	int err;

	rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);
	put_rule(nlh, 1, OVSKVM_ACTION_IGNORE, NULL);
	r2 = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u32(nlh, OVSKVM_RULE_A_ID, 2);
	mnl_attr_put_u8(nlh, OVSKVM_RULE_A_ACTION, OVSKVM_ACTION_ATTACH);
	mnl_attr_put_strz(nlh, OVSKVM_RULE_A_BRIDGE, "br0");
	mnl_attr_put_u16(nlh, OVSKVM_RULE_A_VLAN_TAG, 0);
	mnl_attr_nest_end(nlh, r2);
	mnl_attr_nest_end(nlh, rules);
	start = (char *)r2 - (char *)nlh;
	end = start + r2->nla_len;
	err = nl_talk(&nl, nlh, NULL, NULL);
	CHECK(err == -ERANGE, "got %s", strerror(-err));
	CHECK(nl.bad_attr_offset >= (int)start && nl.bad_attr_offset < (int)end,
	      "offset %d not in rule 2 [%u, %u)", nl.bad_attr_offset, start, end);
	return 0;
}

static int test_unprivileged(void)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		struct nl n2;
		int grp, err;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		if (nl_open(&n2))
			_exit(11);
		err = nl_talk(&n2, nl_msg(&n2, n2.family, OVSKVM_CMD_GET_STATUS, 0), NULL, NULL);
		if (err)
			_exit(12);	/* reading is allowed */
		err = nl_talk(&n2, nl_msg(&n2, n2.family, OVSKVM_CMD_SET_POLICY, 0), NULL, NULL);
		if (err != -EPERM)
			_exit(13);
		err = nl_talk(&n2, nl_msg(&n2, n2.family, OVSKVM_CMD_REEVALUATE, 0), NULL, NULL);
		if (err != -EPERM)
			_exit(14);
		/* Ports name other users' processes; the policy is the host's. */
		err = nl_talk(&n2, nl_msg(&n2, n2.family, OVSKVM_CMD_GET_PORT, NLM_F_DUMP), NULL, NULL);
		if (err != -EPERM)
			_exit(16);
		err = nl_talk(&n2, nl_msg(&n2, n2.family, OVSKVM_CMD_GET_POLICY, NLM_F_DUMP), NULL, NULL);
		if (err != -EPERM)
			_exit(17);
		grp = n2.mcgrp;
		if (!mnl_socket_setsockopt(n2.sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
			_exit(15);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "unprivileged child failed check %d (12: status refused, 13/14: write allowed, 15: event group joined, 16/17: ports or policy read)",
	      WEXITSTATUS(status));
	return 0;
}

/* Reads one event within 2 s; returns its command or -1. */
static int next_event(struct nl *ev, unsigned long long *seq, char *name, size_t len)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(ev->sock), .events = POLLIN };
	const struct nlmsghdr *m;
	struct nl_attrs t;
	int n;

	if (poll(&pfd, 1, 2000) <= 0)
		return -1;
	n = recv(pfd.fd, ev->buf, sizeof(struct nlmsghdr) + 4096, 0);
	m = (void *)ev->buf;
	if (n <= 0 || !mnl_nlmsg_ok(m, n))
		return -1;
	nl_parse(m, &t);
	if (!t.a[OVSKVM_A_EVENT_SEQ])
		return -1;
	*seq = mnl_attr_get_u64(t.a[OVSKVM_A_EVENT_SEQ]);
	if (name)
		snprintf(name, len, "%s", t.a[OVSKVM_A_IFNAME] ? mnl_attr_get_str(t.a[OVSKVM_A_IFNAME]) : "");
	return nl_cmd(m);
}

static int test_events(void)
{
	unsigned long long seq, last;
	struct ifreq ifr;
	char name[IFNAMSIZ];
	struct nl ev;
	int grp, cmd, fd;

	CHECK(!nl_open(&ev), "second socket");
	grp = ev.mcgrp;
	CHECK(!mnl_socket_setsockopt(ev.sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)), "join");
	CHECK(!get_status(), "GET_STATUS");
	last = status_seq;

	/* Policy: ignore everything, so the tap below is only tracked. */
	CHECK(!nl_talk(&nl, req(OVSKVM_CMD_SET_POLICY, 0), NULL, NULL), "empty policy");
	cmd = next_event(&ev, &seq, NULL, 0);
	CHECK(cmd == OVSKVM_CMD_POLICY_CHANGED, "got event %d, not POLICY_CHANGED", cmd);
	CHECK(seq == last + 1, "seq %llu after %llu", seq, last);
	last = seq;

	fd = open("/dev/net/tun", O_RDWR);
	CHECK(fd >= 0, "open /dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, "gtest%d");
	CHECK(!ioctl(fd, TUNSETIFF, &ifr), "TUNSETIFF");
	cmd = next_event(&ev, &seq, name, sizeof(name));
	CHECK(cmd == OVSKVM_CMD_PORT_NEW, "got event %d, not PORT_NEW", cmd);
	CHECK(seq == last + 1, "seq %llu after %llu", seq, last);
	CHECK(!strcmp(name, ifr.ifr_name), "event for %s, not %s", name, ifr.ifr_name);
	last = seq;
	close(fd);
	cmd = next_event(&ev, &seq, name, sizeof(name));
	CHECK(cmd == OVSKVM_CMD_PORT_DEL, "got event %d, not PORT_DEL", cmd);
	CHECK(seq == last + 1, "seq %llu after %llu", seq, last);
	nl_close(&ev);
	return 0;
}

static int test_default_restored(void)
{
	struct nlmsghdr *nlh = req(OVSKVM_CMD_SET_POLICY, 0);
	int err;

	mnl_attr_put_u32(nlh, OVSKVM_A_POLICY_FLAGS, OVSKVM_POLICY_F_DEFAULT);
	err = nl_talk(&nl, nlh, NULL, NULL);
	CHECK(!err, "SET_POLICY default: %s", strerror(-err));
	rules_seen = 0;
	CHECK(!nl_talk(&nl, req(OVSKVM_CMD_GET_POLICY, NLM_F_DUMP), policy_cb, NULL), "dump");
	CHECK(rules_seen == 1 && rule_ids[0] == 0, "default policy has %d rules", rules_seen);
	return 0;
}

int main(void)
{
	int err;

	printf("TAP version 13\n");
	if (getuid()) {
		printf("1..0 # SKIP needs root\n");
		return 4;
	}
	err = nl_open(&nl);
	if (err) {
		printf("1..0 # SKIP family %s not available: %s\n", OVSKVM_GENL_NAME, strerror(-err));
		return 4;
	}
	printf("1..8\n");
	run("the family resolves with its version and event group", test_family);
	run("GET_STATUS answers", test_status);
	run("SET_POLICY installs rules, GET_POLICY dumps them in order", test_set_and_dump_policy);
	run("malformed requests are rejected with errno and extack, policy kept", test_bad_requests);
	run("the extack offset points into the offending rule", test_bad_attr_offset);
	run("an unprivileged caller gets the status only: no write, listen, ports or policy", test_unprivileged);
	run("events carry consecutive sequence numbers", test_events);
	run("the default flag restores the module-parameter policy", test_default_restored);
	nl_close(&nl);
	printf("# totals: pass:%d fail:%d skip:0\n", n_tests - n_fail, n_fail);
	return n_fail ? 1 : 0;
}
