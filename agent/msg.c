// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding the module's messages: status, ports, events, rules.  Pure.
 */

#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "msg.h"

static const enum mnl_attr_data_type attr_types[OVSKVM_A_MAX + 1] = {
	[OVSKVM_A_VERSION] = MNL_TYPE_NUL_STRING,
	[OVSKVM_A_POLICY_SOURCE] = MNL_TYPE_U8,
	[OVSKVM_A_POLICY_GEN] = MNL_TYPE_U32,
	[OVSKVM_A_POLICY_FLAGS] = MNL_TYPE_U32,
	[OVSKVM_A_RULE_COUNT] = MNL_TYPE_U32,
	[OVSKVM_A_PORT_COUNT] = MNL_TYPE_U32,
	[OVSKVM_A_EVENT_SEQ] = MNL_TYPE_U64,
	[OVSKVM_A_STATS] = MNL_TYPE_NESTED,
	[OVSKVM_A_RULES] = MNL_TYPE_NESTED,
	[OVSKVM_A_RULE] = MNL_TYPE_NESTED,
	[OVSKVM_A_RULE_INDEX] = MNL_TYPE_U32,
	[OVSKVM_A_IFINDEX] = MNL_TYPE_U32,
	[OVSKVM_A_IFNAME] = MNL_TYPE_NUL_STRING,
	[OVSKVM_A_OLD_IFNAME] = MNL_TYPE_NUL_STRING,
	[OVSKVM_A_MAC] = MNL_TYPE_BINARY,
	[OVSKVM_A_STATE] = MNL_TYPE_U8,
	[OVSKVM_A_PORT_FLAGS] = MNL_TYPE_U32,
	[OVSKVM_A_CREATOR_PID] = MNL_TYPE_U32,
	[OVSKVM_A_CREATOR_UID] = MNL_TYPE_U32,
	[OVSKVM_A_CREATOR_COMM] = MNL_TYPE_NUL_STRING,
	[OVSKVM_A_REGISTER_NS] = MNL_TYPE_U64,
	[OVSKVM_A_ATTACH_NS] = MNL_TYPE_U64,
	[OVSKVM_A_UP_NS] = MNL_TYPE_U64,
	[OVSKVM_A_ATTACH_LATENCY_NS] = MNL_TYPE_U64,
	[OVSKVM_A_RULE_ID] = MNL_TYPE_U32,
	[OVSKVM_A_BRIDGE] = MNL_TYPE_NUL_STRING,
	[OVSKVM_A_BRIDGE_KIND] = MNL_TYPE_U8,
	[OVSKVM_A_VLAN_TAG] = MNL_TYPE_U16,
	[OVSKVM_A_VLAN_TRUNKS] = MNL_TYPE_NESTED,
	[OVSKVM_A_RULE_FLAGS] = MNL_TYPE_U32,
	[OVSKVM_A_ERROR] = MNL_TYPE_U32,
	[OVSKVM_A_MASTER] = MNL_TYPE_NUL_STRING,
	[OVSKVM_A_CREATOR_START_NS] = MNL_TYPE_U64,
	[OVSKVM_A_REASON] = MNL_TYPE_NUL_STRING,
	[OVSKVM_A_MTU] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type rule_types[OVSKVM_RULE_A_MAX + 1] = {
	[OVSKVM_RULE_A_ID] = MNL_TYPE_U32,
	[OVSKVM_RULE_A_ACTION] = MNL_TYPE_U8,
	[OVSKVM_RULE_A_NAMES] = MNL_TYPE_NESTED,
	[OVSKVM_RULE_A_MAC] = MNL_TYPE_BINARY,
	[OVSKVM_RULE_A_MAC_MASK] = MNL_TYPE_BINARY,
	[OVSKVM_RULE_A_UID_MIN] = MNL_TYPE_U32,
	[OVSKVM_RULE_A_UID_MAX] = MNL_TYPE_U32,
	[OVSKVM_RULE_A_COMM] = MNL_TYPE_NUL_STRING,
	[OVSKVM_RULE_A_BRIDGE] = MNL_TYPE_NUL_STRING,
	[OVSKVM_RULE_A_VLAN_TAG] = MNL_TYPE_U16,
	[OVSKVM_RULE_A_VLAN_TRUNKS] = MNL_TYPE_NESTED,
	[OVSKVM_RULE_A_FLAGS] = MNL_TYPE_U32,
};

struct table {
	const struct nlattr **tb;
	const enum mnl_attr_data_type *types;
	int max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct table *t = data;
	int type = mnl_attr_get_type(attr);

	if (type <= 0 || type > t->max || !t->types[type])
		return MNL_CB_OK;	/* unknown: newer module */
	if (mnl_attr_validate(attr, t->types[type]) < 0)
		return MNL_CB_ERROR;
	if (t->types[type] == MNL_TYPE_BINARY &&
	    mnl_attr_get_payload_len(attr) != 6)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_top(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	struct table t = { tb, attr_types, OVSKVM_A_MAX };

	memset(tb, 0, sizeof(*tb) * (OVSKVM_A_MAX + 1));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr))
		return -EPROTO;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t) < 0)
		return -EPROTO;
	return 0;
}

static void str(char *dst, size_t len, const struct nlattr *a)
{
	if (a)
		snprintf(dst, len, "%s", mnl_attr_get_str(a));
}

static uint64_t u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static uint32_t u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static int trunks(const struct nlattr *nest, uint16_t *out, unsigned int *n)
{
	const struct nlattr *a;

	*n = 0;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return -EPROTO;
		if (*n == OVSKVM_MAX_TRUNKS)
			return -EPROTO;
		out[(*n)++] = mnl_attr_get_u16(a);
	}
	return 0;
}

static int fill_port(const struct nlattr **tb, struct ovskvm_port *p)
{
	memset(p, 0, sizeof(*p));
	if (!tb[OVSKVM_A_IFINDEX])
		return -EPROTO;
	p->ifindex = u32(tb[OVSKVM_A_IFINDEX]);
	str(p->ifname, sizeof(p->ifname), tb[OVSKVM_A_IFNAME]);
	str(p->old_ifname, sizeof(p->old_ifname), tb[OVSKVM_A_OLD_IFNAME]);
	if (tb[OVSKVM_A_MAC]) {
		memcpy(p->mac, mnl_attr_get_payload(tb[OVSKVM_A_MAC]), 6);
		p->has_mac = true;
	}
	p->state = tb[OVSKVM_A_STATE] ? mnl_attr_get_u8(tb[OVSKVM_A_STATE]) : 0;
	p->flags = u32(tb[OVSKVM_A_PORT_FLAGS]);
	p->creator_pid = u32(tb[OVSKVM_A_CREATOR_PID]);
	p->creator_uid = u32(tb[OVSKVM_A_CREATOR_UID]);
	str(p->creator_comm, sizeof(p->creator_comm), tb[OVSKVM_A_CREATOR_COMM]);
	p->creator_start_ns = u64(tb[OVSKVM_A_CREATOR_START_NS]);
	p->register_ns = u64(tb[OVSKVM_A_REGISTER_NS]);
	p->attach_ns = u64(tb[OVSKVM_A_ATTACH_NS]);
	p->up_ns = u64(tb[OVSKVM_A_UP_NS]);
	p->latency_ns = u64(tb[OVSKVM_A_ATTACH_LATENCY_NS]);
	p->has_rule = tb[OVSKVM_A_RULE_ID];
	p->rule_id = u32(tb[OVSKVM_A_RULE_ID]);
	str(p->bridge, sizeof(p->bridge), tb[OVSKVM_A_BRIDGE]);
	if (tb[OVSKVM_A_BRIDGE_KIND])
		p->bridge_kind = mnl_attr_get_u8(tb[OVSKVM_A_BRIDGE_KIND]);
	if (tb[OVSKVM_A_VLAN_TAG])
		p->vlan_tag = mnl_attr_get_u16(tb[OVSKVM_A_VLAN_TAG]);
	if (tb[OVSKVM_A_VLAN_TRUNKS] &&
	    trunks(tb[OVSKVM_A_VLAN_TRUNKS], p->trunks, &p->n_trunks))
		return -EPROTO;
	p->rule_flags = u32(tb[OVSKVM_A_RULE_FLAGS]);
	p->error = (int32_t)u32(tb[OVSKVM_A_ERROR]);
	str(p->master, sizeof(p->master), tb[OVSKVM_A_MASTER]);
	str(p->reason, sizeof(p->reason), tb[OVSKVM_A_REASON]);
	p->mtu = u32(tb[OVSKVM_A_MTU]);
	return 0;
}

int msg_parse_port(const struct nlmsghdr *nlh, struct ovskvm_port *port)
{
	const struct nlattr *tb[OVSKVM_A_MAX + 1];
	int ret = parse_top(nlh, tb);

	return ret ? ret : fill_port(tb, port);
}

int msg_parse_status(const struct nlmsghdr *nlh, struct ovskvm_status *st)
{
	const struct nlattr *tb[OVSKVM_A_MAX + 1];
	const struct nlattr *a;
	int ret = parse_top(nlh, tb);

	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	str(st->version, sizeof(st->version), tb[OVSKVM_A_VERSION]);
	if (tb[OVSKVM_A_POLICY_SOURCE])
		st->policy_source = mnl_attr_get_u8(tb[OVSKVM_A_POLICY_SOURCE]);
	st->policy_gen = u32(tb[OVSKVM_A_POLICY_GEN]);
	st->rule_count = u32(tb[OVSKVM_A_RULE_COUNT]);
	st->port_count = u32(tb[OVSKVM_A_PORT_COUNT]);
	st->event_seq = u64(tb[OVSKVM_A_EVENT_SEQ]);
	if (tb[OVSKVM_A_STATS]) {
		mnl_attr_for_each_nested(a, tb[OVSKVM_A_STATS]) {
			int type = mnl_attr_get_type(a);

			if (type <= 0 || type > OVSKVM_STAT_MAX)
				continue;
			if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
				return -EPROTO;
			st->stats[type] = mnl_attr_get_u64(a);
		}
	}
	return 0;
}

int msg_parse_event(const struct nlmsghdr *nlh, struct ovskvm_event *ev)
{
	const struct nlattr *tb[OVSKVM_A_MAX + 1];
	const struct genlmsghdr *genl;
	const struct nlattr *seq;
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr))
		return -EPROTO;
	genl = mnl_nlmsg_get_payload(nlh);
	ev->cmd = genl->cmd;
	/* The sequence number first: a message we cannot read still counts. */
	mnl_attr_for_each(seq, nlh, sizeof(*genl)) {
		if (mnl_attr_get_type(seq) == OVSKVM_A_EVENT_SEQ &&
		    mnl_attr_validate(seq, MNL_TYPE_U64) == 0) {
			ev->has_seq = true;
			ev->seq = mnl_attr_get_u64(seq);
			break;
		}
	}
	ret = parse_top(nlh, tb);
	if (ret)
		return ret;
	ev->known = true;
	switch (ev->cmd) {
	case OVSKVM_CMD_PORT_NEW:
	case OVSKVM_CMD_PORT_ATTACHED:
	case OVSKVM_CMD_PORT_DETACHED:
	case OVSKVM_CMD_PORT_DEL:
	case OVSKVM_CMD_PORT_RENAMED:
	case OVSKVM_CMD_PORT_CHANGED:
		return fill_port(tb, &ev->port);
	case OVSKVM_CMD_POLICY_CHANGED:
		if (tb[OVSKVM_A_POLICY_SOURCE])
			ev->policy_source = mnl_attr_get_u8(tb[OVSKVM_A_POLICY_SOURCE]);
		ev->policy_gen = u32(tb[OVSKVM_A_POLICY_GEN]);
		ev->rule_count = u32(tb[OVSKVM_A_RULE_COUNT]);
		return 0;
	}
	ev->known = false;
	return 0;
}

int msg_parse_rule(const struct nlmsghdr *nlh, struct config_rule *r,
		   uint32_t *index, uint8_t *source, uint32_t *gen)
{
	const struct nlattr *tb[OVSKVM_A_MAX + 1];
	const struct nlattr *rb[OVSKVM_RULE_A_MAX + 1] = { NULL };
	struct table t = { rb, rule_types, OVSKVM_RULE_A_MAX };
	const struct nlattr *a;
	int ret = parse_top(nlh, tb);

	if (ret)
		return ret;
	if (!tb[OVSKVM_A_RULE])
		return -EPROTO;
	if (mnl_attr_parse_nested(tb[OVSKVM_A_RULE], attr_cb, &t) < 0)
		return -EPROTO;
	*index = u32(tb[OVSKVM_A_RULE_INDEX]);
	*source = tb[OVSKVM_A_POLICY_SOURCE] ?
		  mnl_attr_get_u8(tb[OVSKVM_A_POLICY_SOURCE]) : 0;
	*gen = u32(tb[OVSKVM_A_POLICY_GEN]);

	memset(r, 0, sizeof(*r));
	r->id = u32(rb[OVSKVM_RULE_A_ID]);
	r->action = rb[OVSKVM_RULE_A_ACTION] ?
		    mnl_attr_get_u8(rb[OVSKVM_RULE_A_ACTION]) : 0;
	r->key_line[RK_ACTION] = 1;
	if (rb[OVSKVM_RULE_A_NAMES]) {
		mnl_attr_for_each_nested(a, rb[OVSKVM_RULE_A_NAMES]) {
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
			    r->n_names == OVSKVM_MAX_NAMES)
				return -EPROTO;
			str(r->names[r->n_names++], OVSKVM_GLOB_LEN, a);
		}
		r->key_line[RK_NAME] = 1;
	}
	if (rb[OVSKVM_RULE_A_MAC]) {
		memcpy(r->mac, mnl_attr_get_payload(rb[OVSKVM_RULE_A_MAC]), 6);
		memset(r->mac_mask, 0xff, 6);
		if (rb[OVSKVM_RULE_A_MAC_MASK])
			memcpy(r->mac_mask,
			       mnl_attr_get_payload(rb[OVSKVM_RULE_A_MAC_MASK]), 6);
		r->key_line[RK_MAC] = 1;
	}
	if (rb[OVSKVM_RULE_A_UID_MIN]) {
		r->uid_min = u32(rb[OVSKVM_RULE_A_UID_MIN]);
		r->uid_max = rb[OVSKVM_RULE_A_UID_MAX] ?
			     u32(rb[OVSKVM_RULE_A_UID_MAX]) : r->uid_min;
		r->key_line[RK_USER] = 1;
	}
	if (rb[OVSKVM_RULE_A_COMM]) {
		str(r->comm, sizeof(r->comm), rb[OVSKVM_RULE_A_COMM]);
		r->key_line[RK_COMM] = 1;
	}
	if (rb[OVSKVM_RULE_A_BRIDGE]) {
		str(r->bridge, sizeof(r->bridge), rb[OVSKVM_RULE_A_BRIDGE]);
		r->key_line[RK_BRIDGE] = 1;
	}
	if (rb[OVSKVM_RULE_A_VLAN_TAG]) {
		r->vlan_tag = mnl_attr_get_u16(rb[OVSKVM_RULE_A_VLAN_TAG]);
		r->key_line[RK_VLAN] = 1;
	}
	if (rb[OVSKVM_RULE_A_VLAN_TRUNKS]) {
		if (trunks(rb[OVSKVM_RULE_A_VLAN_TRUNKS], r->trunks, &r->n_trunks))
			return -EPROTO;
		r->key_line[RK_TRUNKS] = 1;
	}
	r->bring_up = u32(rb[OVSKVM_RULE_A_FLAGS]) & OVSKVM_RULE_F_UP;
	r->key_line[RK_BRING_UP] = rb[OVSKVM_RULE_A_FLAGS] != NULL;
	r->preexisting = u32(rb[OVSKVM_RULE_A_FLAGS]) & OVSKVM_RULE_F_PREEXISTING;
	r->key_line[RK_PREEXISTING] = r->preexisting;
	return 0;
}

const char *port_state_name(uint8_t state)
{
	static const char *const names[] = {
		[OVSKVM_PORT_PENDING] = "pending",
		[OVSKVM_PORT_ATTACHED] = "attached",
		[OVSKVM_PORT_IGNORED] = "ignored",
		[OVSKVM_PORT_FAILED] = "failed",
		[OVSKVM_PORT_DETACHED] = "detached",
	};

	return state <= OVSKVM_PORT_STATE_MAX ? names[state] : "unknown";
}

const char *bridge_kind_name(uint8_t kind)
{
	static const char *const names[] = {
		[OVSKVM_BRIDGE_NONE] = "none",
		[OVSKVM_BRIDGE_LINUX] = "linux",
		[OVSKVM_BRIDGE_OVS] = "ovs",
		[OVSKVM_BRIDGE_OTHER] = "other",
	};

	return kind <= OVSKVM_BRIDGE_OTHER ? names[kind] : "unknown";
}

const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case OVSKVM_CMD_PORT_NEW:
		return "new";
	case OVSKVM_CMD_PORT_ATTACHED:
		return "attached";
	case OVSKVM_CMD_PORT_DETACHED:
		return "detached";
	case OVSKVM_CMD_PORT_DEL:
		return "del";
	case OVSKVM_CMD_PORT_RENAMED:
		return "renamed";
	case OVSKVM_CMD_PORT_CHANGED:
		return "changed";
	case OVSKVM_CMD_POLICY_CHANGED:
		return "policy";
	}
	return "unknown";
}

const char *stat_name(unsigned int stat)
{
	static const char *const names[] = {
		[OVSKVM_STAT_SEEN] = "seen",
		[OVSKVM_STAT_MATCHED] = "matched",
		[OVSKVM_STAT_IGNORED] = "ignored",
		[OVSKVM_STAT_ATTACHED] = "attached",
		[OVSKVM_STAT_FAILED] = "failed",
		[OVSKVM_STAT_REMOVED] = "removed",
		[OVSKVM_STAT_EVENTS] = "events",
	};

	return stat && stat <= OVSKVM_STAT_MAX ? names[stat] : "?";
}
