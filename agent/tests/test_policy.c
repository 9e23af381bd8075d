// SPDX-License-Identifier: GPL-2.0
/*
 * Policy to netlink encoding, the map from a rejected attribute back to the
 * config line, and decoding of the module's status, port, event and rule
 * messages.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "config.h"
#include "msg.h"
#include "policy.h"

static const char conf[] =
	"[Agent]\n"			/* 1 */
	"Bridge=br0\n"			/* 2 */
	"[Rule]\n"			/* 3 */
	"Name=vnet* tap*\n"		/* 4 */
	"MAC=52:54:00:00:00:00/24\n"	/* 5 */
	"User=100-200\n"		/* 6 */
	"Comm=qemu*\n"			/* 7 */
	"VLAN=10\n"			/* 8 */
	"[Rule]\n"			/* 9 */
	"Action=ignore\n"		/* 10 */
	"Name=x*\n"			/* 11 */
	"[Rule]\n"			/* 12 */
	"Bridge=br1\n"			/* 13 */
	"Trunks=5-7\n"			/* 14 */
	"BringUp=no\n";			/* 15 */

static void load(struct config *cfg, const char *text)
{
	config_init(cfg);
	assert_int_equal(config_parse(cfg, "p.conf", text, strlen(text), stderr), 0);
}

/* The n-th attribute of type TYPE inside NEST, or NULL. */
static const struct nlattr *find(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *top(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *rule_at(const struct nlattr *rules, int idx)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, rules)
		if (idx-- == 0)
			return a;
	return NULL;
}

static void test_encode(void **state)
{
	struct config cfg;
	struct policy_map map = { 0 };
	size_t size;
	char *buf;
	struct nlmsghdr *nlh;
	const struct genlmsghdr *genl;
	const struct nlattr *rules, *r, *a;
	int n;

	load(&cfg, conf);
	size = policy_msg_size(&cfg);
	buf = malloc(size);
	nlh = policy_build(buf, size, 0x42, 7, &cfg, &map);
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, 0x42);
	assert_int_equal(nlh->nlmsg_seq, 7);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, OVSKVM_CMD_SET_POLICY);
	assert_int_equal(genl->version, OVSKVM_GENL_VERSION);
	assert_int_equal(mnl_attr_get_u32(top(nlh, OVSKVM_A_POLICY_FLAGS)), 0);

	rules = top(nlh, OVSKVM_A_RULES);
	assert_non_null(rules);
	n = 0;
	mnl_attr_for_each_nested(a, rules)
		n++;
	assert_int_equal(n, 3);

	r = rule_at(rules, 0);
	assert_int_equal(mnl_attr_get_u32(find(r, OVSKVM_RULE_A_ID)), 1);
	assert_int_equal(mnl_attr_get_u8(find(r, OVSKVM_RULE_A_ACTION)), OVSKVM_ACTION_ATTACH);
	a = find(r, OVSKVM_RULE_A_NAMES);
	assert_string_equal(mnl_attr_get_str(mnl_attr_get_payload(a)), "vnet*");
	assert_int_equal(mnl_attr_get_payload_len(find(r, OVSKVM_RULE_A_MAC)), 6);
	assert_memory_equal(mnl_attr_get_payload(find(r, OVSKVM_RULE_A_MAC_MASK)),
			    "\xff\xff\xff\0\0\0", 6);
	assert_int_equal(mnl_attr_get_u32(find(r, OVSKVM_RULE_A_UID_MIN)), 100);
	assert_int_equal(mnl_attr_get_u32(find(r, OVSKVM_RULE_A_UID_MAX)), 200);
	assert_string_equal(mnl_attr_get_str(find(r, OVSKVM_RULE_A_COMM)), "qemu*");
	assert_string_equal(mnl_attr_get_str(find(r, OVSKVM_RULE_A_BRIDGE)), "br0");
	assert_int_equal(mnl_attr_get_u16(find(r, OVSKVM_RULE_A_VLAN_TAG)), 10);
	assert_null(find(r, OVSKVM_RULE_A_VLAN_TRUNKS));
	assert_int_equal(mnl_attr_get_u32(find(r, OVSKVM_RULE_A_FLAGS)), OVSKVM_RULE_F_UP);

	/* an ignore rule carries no bridge, VLAN or flags: the module refuses them */
	r = rule_at(rules, 1);
	assert_int_equal(mnl_attr_get_u8(find(r, OVSKVM_RULE_A_ACTION)), OVSKVM_ACTION_IGNORE);
	assert_null(find(r, OVSKVM_RULE_A_BRIDGE));
	assert_null(find(r, OVSKVM_RULE_A_FLAGS));
	assert_null(find(r, OVSKVM_RULE_A_MAC));
	assert_null(find(r, OVSKVM_RULE_A_UID_MIN));

	r = rule_at(rules, 2);
	a = find(r, OVSKVM_RULE_A_VLAN_TRUNKS);
	n = 0;
	{
		const struct nlattr *t;

		mnl_attr_for_each_nested(t, a)
			assert_int_equal(mnl_attr_get_u16(t), 5 + n++);
	}
	assert_int_equal(n, 3);
	assert_int_equal(mnl_attr_get_u32(find(r, OVSKVM_RULE_A_FLAGS)), 0);
	assert_null(find(r, OVSKVM_RULE_A_NAMES));

	policy_map_free(&map);
	free(buf);
	config_free(&cfg);
}

static void test_default_policy(void **state)
{
	struct config cfg;
	char buf[256];
	struct nlmsghdr *nlh;

	load(&cfg, "[Agent]\nBridge=br0\n");
	nlh = policy_build(buf, sizeof(buf), 0x42, 1, &cfg, NULL);
	assert_non_null(nlh);
	assert_int_equal(mnl_attr_get_u32(top(nlh, OVSKVM_A_POLICY_FLAGS)),
			 OVSKVM_POLICY_F_DEFAULT);
	assert_null(top(nlh, OVSKVM_A_RULES));
	config_free(&cfg);
}

static void test_too_small(void **state)
{
	struct config cfg;
	char buf[128];

	load(&cfg, conf);
	errno = 0;
	assert_null(policy_build(buf, sizeof(buf), 0x42, 1, &cfg, NULL));
	assert_int_equal(errno, ENOSPC);
	assert_null(policy_build(buf, 8, 0x42, 1, &cfg, NULL));
	config_free(&cfg);
}

/* What the kernel would report for attribute A: its offset in the request. */
static uint32_t off_of(const struct nlmsghdr *nlh, const void *a)
{
	return (const char *)a - (const char *)nlh;
}

static void test_locate(void **state)
{
	struct config cfg;
	struct policy_map map = { 0 };
	char buf[8192], where[256];
	struct nlmsghdr *nlh;
	const struct nlattr *rules, *r, *a;

	load(&cfg, conf);
	nlh = policy_build(buf, sizeof(buf), 0x42, 1, &cfg, &map);
	rules = top(nlh, OVSKVM_A_RULES);

	r = rule_at(rules, 0);
	assert_int_equal(policy_locate(&map, &cfg, off_of(nlh, find(r, OVSKVM_RULE_A_VLAN_TAG)),
				       where, sizeof(where)), 0);
	assert_string_equal(where, "p.conf:8: rule 1, VLAN=");
	a = find(r, OVSKVM_RULE_A_NAMES);
	/* the second glob inside the names nest */
	a = mnl_attr_next(mnl_attr_get_payload(a));
	policy_locate(&map, &cfg, off_of(nlh, a), where, sizeof(where));
	assert_string_equal(where, "p.conf:4: rule 1, Name=");
	/* the bridge came from [Agent] */
	policy_locate(&map, &cfg, off_of(nlh, find(r, OVSKVM_RULE_A_BRIDGE)), where, sizeof(where));
	assert_string_equal(where, "p.conf:2: rule 1, Bridge=");
	/* the rule nest itself */
	policy_locate(&map, &cfg, off_of(nlh, r), where, sizeof(where));
	assert_string_equal(where, "p.conf:3: rule 1");
	/* the id has no line of its own: the rule's header */
	policy_locate(&map, &cfg, off_of(nlh, find(r, OVSKVM_RULE_A_ID)), where, sizeof(where));
	assert_string_equal(where, "p.conf:3: rule 1");

	r = rule_at(rules, 2);
	a = find(r, OVSKVM_RULE_A_VLAN_TRUNKS);
	policy_locate(&map, &cfg, off_of(nlh, mnl_attr_get_payload(a)), where, sizeof(where));
	assert_string_equal(where, "p.conf:14: rule 3, Trunks=");
	policy_locate(&map, &cfg, off_of(nlh, find(r, OVSKVM_RULE_A_FLAGS)), where, sizeof(where));
	assert_string_equal(where, "p.conf:15: rule 3, BringUp=");
	policy_locate(&map, &cfg, off_of(nlh, find(r, OVSKVM_RULE_A_BRIDGE)), where, sizeof(where));
	assert_string_equal(where, "p.conf:13: rule 3, Bridge=");

	/* outside any rule */
	assert_int_equal(policy_locate(&map, &cfg, 0, where, sizeof(where)), -ENOENT);
	assert_string_equal(where, "p.conf");
	assert_int_equal(policy_locate(&map, &cfg, 99999, where, sizeof(where)), -ENOENT);

	policy_map_free(&map);
	config_free(&cfg);
}

static struct nlmsghdr *genl_msg(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 0x42;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = OVSKVM_GENL_VERSION;
	return nlh;
}

static void put_port(struct nlmsghdr *nlh)
{
	struct nlattr *n;

	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 17);
	mnl_attr_put_strz(nlh, OVSKVM_A_IFNAME, "vnet0");
	mnl_attr_put(nlh, OVSKVM_A_MAC, 6, "\x52\x54\x00\xaa\xbb\x01");
	mnl_attr_put_u8(nlh, OVSKVM_A_STATE, OVSKVM_PORT_PENDING);
	mnl_attr_put_u32(nlh, OVSKVM_A_PORT_FLAGS, OVSKVM_PORT_F_UP);
	mnl_attr_put_u32(nlh, OVSKVM_A_CREATOR_PID, 1234);
	mnl_attr_put_u32(nlh, OVSKVM_A_CREATOR_UID, 64055);
	mnl_attr_put_strz(nlh, OVSKVM_A_CREATOR_COMM, "qemu-system-x86");
	mnl_attr_put_u64(nlh, OVSKVM_A_REGISTER_NS, 1000);
	mnl_attr_put_u64(nlh, OVSKVM_A_ATTACH_LATENCY_NS, 250000);
	mnl_attr_put_u32(nlh, OVSKVM_A_RULE_ID, 2);
	mnl_attr_put_strz(nlh, OVSKVM_A_BRIDGE, "br0");
	mnl_attr_put_u8(nlh, OVSKVM_A_BRIDGE_KIND, OVSKVM_BRIDGE_OVS);
	n = mnl_attr_nest_start(nlh, OVSKVM_A_VLAN_TRUNKS);
	mnl_attr_put_u16(nlh, 0, 10);
	mnl_attr_put_u16(nlh, 0, 20);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u32(nlh, OVSKVM_A_RULE_FLAGS, OVSKVM_RULE_F_UP);
	mnl_attr_put_u32(nlh, OVSKVM_A_ERROR, (uint32_t)-ENODEV);
	mnl_attr_put_u32(nlh, 999, 1);	/* from a newer module: skipped */
}

static void test_decode_port_event(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh = genl_msg(buf, OVSKVM_CMD_PORT_RENAMED);
	struct ovskvm_event ev;
	struct ovskvm_port *p = &ev.port;

	mnl_attr_put_u64(nlh, OVSKVM_A_EVENT_SEQ, 41);
	put_port(nlh);
	mnl_attr_put_strz(nlh, OVSKVM_A_OLD_IFNAME, "tap0");
	assert_int_equal(msg_parse_event(nlh, &ev), 0);
	assert_int_equal(ev.cmd, OVSKVM_CMD_PORT_RENAMED);
	assert_true(ev.has_seq);
	assert_int_equal(ev.seq, 41);
	assert_int_equal(p->ifindex, 17);
	assert_string_equal(p->ifname, "vnet0");
	assert_string_equal(p->old_ifname, "tap0");
	assert_true(p->has_mac);
	assert_memory_equal(p->mac, "\x52\x54\x00\xaa\xbb\x01", 6);
	assert_int_equal(p->creator_pid, 1234);
	assert_int_equal(p->creator_uid, 64055);
	assert_string_equal(p->creator_comm, "qemu-system-x86");
	assert_int_equal(p->latency_ns, 250000);
	assert_true(p->has_rule);
	assert_int_equal(p->rule_id, 2);
	assert_string_equal(p->bridge, "br0");
	assert_int_equal(p->bridge_kind, OVSKVM_BRIDGE_OVS);
	assert_int_equal(p->n_trunks, 2);
	assert_int_equal(p->trunks[1], 20);
	assert_int_equal(p->error, -ENODEV);
	assert_string_equal(port_state_name(p->state), "pending");
	assert_string_equal(event_name(ev.cmd), "renamed");
}

static void test_decode_errors(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct ovskvm_event ev;
	struct ovskvm_port port;

	/* a port message needs its ifindex */
	nlh = genl_msg(buf, OVSKVM_CMD_PORT_NEW);
	mnl_attr_put_strz(nlh, OVSKVM_A_IFNAME, "vnet0");
	assert_int_equal(msg_parse_port(nlh, &port), -EPROTO);

	/* a known attribute of the wrong size */
	nlh = genl_msg(buf, OVSKVM_CMD_PORT_NEW);
	mnl_attr_put_u16(nlh, OVSKVM_A_IFINDEX, 3);
	assert_int_equal(msg_parse_port(nlh, &port), -EPROTO);
	nlh = genl_msg(buf, OVSKVM_CMD_PORT_NEW);
	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 3);
	mnl_attr_put(nlh, OVSKVM_A_MAC, 4, "abcd");
	assert_int_equal(msg_parse_port(nlh, &port), -EPROTO);

	/* a string without its NUL */
	nlh = genl_msg(buf, OVSKVM_CMD_PORT_NEW);
	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 3);
	mnl_attr_put(nlh, OVSKVM_A_IFNAME, 5, "vnet0");
	assert_int_equal(msg_parse_port(nlh, &port), -EPROTO);

	/* a command this agent does not know (a newer module's): counted */
	nlh = genl_msg(buf, OVSKVM_CMD_MAX + 1);
	mnl_attr_put_u64(nlh, OVSKVM_A_EVENT_SEQ, 77);
	assert_int_equal(msg_parse_event(nlh, &ev), 0);
	assert_false(ev.known);
	assert_true(ev.has_seq);
	assert_int_equal(ev.seq, 77);

	/* a malformed port event still yields its sequence number */
	nlh = genl_msg(buf, OVSKVM_CMD_PORT_NEW);
	mnl_attr_put_u64(nlh, OVSKVM_A_EVENT_SEQ, 78);
	mnl_attr_put_u16(nlh, OVSKVM_A_IFINDEX, 3);
	assert_int_equal(msg_parse_event(nlh, &ev), -EPROTO);
	assert_true(ev.has_seq);
	assert_int_equal(ev.seq, 78);

	/* truncated: no genl header */
	nlh = mnl_nlmsg_put_header(buf);
	assert_int_equal(msg_parse_event(nlh, &ev), -EPROTO);
}

/* PORT_CHANGED is a port event like the others, not a parse error. */
static void test_decode_changed_event(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh = genl_msg(buf, OVSKVM_CMD_PORT_CHANGED);
	struct ovskvm_event ev;

	mnl_attr_put_u64(nlh, OVSKVM_A_EVENT_SEQ, 5);
	put_port(nlh);
	assert_int_equal(msg_parse_event(nlh, &ev), 0);
	assert_true(ev.known);
	assert_int_equal(ev.cmd, OVSKVM_CMD_PORT_CHANGED);
	assert_int_equal(ev.seq, 5);
	assert_int_equal(ev.port.ifindex, 17);
	assert_string_equal(event_name(ev.cmd), "changed");
}

static void test_decode_policy_event(void **state)
{
	char buf[256];
	struct nlmsghdr *nlh = genl_msg(buf, OVSKVM_CMD_POLICY_CHANGED);
	struct ovskvm_event ev;

	mnl_attr_put_u64(nlh, OVSKVM_A_EVENT_SEQ, 3);
	mnl_attr_put_u8(nlh, OVSKVM_A_POLICY_SOURCE, OVSKVM_POLICY_SOURCE_USER);
	mnl_attr_put_u32(nlh, OVSKVM_A_POLICY_GEN, 9);
	mnl_attr_put_u32(nlh, OVSKVM_A_RULE_COUNT, 4);
	assert_int_equal(msg_parse_event(nlh, &ev), 0);
	assert_int_equal(ev.policy_source, OVSKVM_POLICY_SOURCE_USER);
	assert_int_equal(ev.policy_gen, 9);
	assert_int_equal(ev.rule_count, 4);
}

static void test_decode_status(void **state)
{
	char buf[512];
	struct nlmsghdr *nlh = genl_msg(buf, OVSKVM_CMD_GET_STATUS);
	struct ovskvm_status st;
	struct nlattr *n;

	mnl_attr_put_strz(nlh, OVSKVM_A_VERSION, "1.0");
	mnl_attr_put_u8(nlh, OVSKVM_A_POLICY_SOURCE, OVSKVM_POLICY_SOURCE_PARAMS);
	mnl_attr_put_u32(nlh, OVSKVM_A_POLICY_GEN, 1);
	mnl_attr_put_u32(nlh, OVSKVM_A_RULE_COUNT, 1);
	mnl_attr_put_u32(nlh, OVSKVM_A_PORT_COUNT, 3);
	mnl_attr_put_u64(nlh, OVSKVM_A_EVENT_SEQ, 77);
	n = mnl_attr_nest_start(nlh, OVSKVM_A_STATS);
	mnl_attr_put_u64(nlh, OVSKVM_STAT_SEEN, 5);
	mnl_attr_put_u64(nlh, OVSKVM_STAT_EVENTS, 77);
	mnl_attr_put_u64(nlh, 100, 1);
	mnl_attr_nest_end(nlh, n);
	assert_int_equal(msg_parse_status(nlh, &st), 0);
	assert_string_equal(st.version, "1.0");
	assert_int_equal(st.port_count, 3);
	assert_int_equal(st.event_seq, 77);
	assert_int_equal(st.stats[OVSKVM_STAT_SEEN], 5);
	assert_int_equal(st.stats[OVSKVM_STAT_EVENTS], 77);
	assert_string_equal(stat_name(OVSKVM_STAT_SEEN), "seen");
}

/* Encode a config, re-wrap each rule as a GET_POLICY dump message, decode. */
static void test_rule_roundtrip(void **state)
{
	struct config cfg;
	char buf[8192], out[1024];
	struct nlmsghdr *nlh, *dump;
	const struct nlattr *rules, *r;
	struct config_rule rule;
	uint32_t index, gen;
	uint8_t source;
	int i = 0;

	load(&cfg, conf);
	nlh = policy_build(buf, sizeof(buf), 0x42, 1, &cfg, NULL);
	rules = top(nlh, OVSKVM_A_RULES);
	mnl_attr_for_each_nested(r, rules) {
		const struct config_rule *want = &cfg.rules[i];

		dump = genl_msg(out, OVSKVM_CMD_GET_POLICY);
		mnl_attr_put_u8(dump, OVSKVM_A_POLICY_SOURCE, OVSKVM_POLICY_SOURCE_USER);
		mnl_attr_put_u32(dump, OVSKVM_A_POLICY_GEN, 5);
		mnl_attr_put_u32(dump, OVSKVM_A_RULE_INDEX, i);
		mnl_attr_put(dump, OVSKVM_A_RULE, mnl_attr_get_payload_len(r),
			     mnl_attr_get_payload(r));
		assert_int_equal(msg_parse_rule(dump, &rule, &index, &source, &gen), 0);
		assert_int_equal(index, i);
		assert_int_equal(gen, 5);
		assert_int_equal(rule.id, want->id);
		assert_int_equal(rule.action, want->action);
		assert_int_equal(rule.n_names, want->n_names);
		assert_memory_equal(rule.names, want->names, sizeof(rule.names));
		assert_string_equal(rule.bridge, want->bridge);
		assert_int_equal(rule.vlan_tag, want->vlan_tag);
		assert_int_equal(rule.n_trunks, want->n_trunks);
		if (want->action == OVSKVM_ACTION_ATTACH)
			assert_int_equal(rule.bring_up, want->bring_up);
		assert_int_equal(rule.uid_min, want->uid_min);
		assert_int_equal(rule.uid_max, want->uid_max);
		i++;
	}
	assert_int_equal(i, 3);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_default_policy),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_decode_port_event),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_decode_changed_event),
		cmocka_unit_test(test_decode_policy_event),
		cmocka_unit_test(test_decode_status),
		cmocka_unit_test(test_rule_roundtrip),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
