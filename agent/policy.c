// SPDX-License-Identifier: GPL-2.0
/*
 * The config's rules as an OVSKVM_CMD_SET_POLICY request, attribute for
 * attribute as include/uapi/linux/ovskvm_autoport.h lays them out.  Pure.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "policy.h"

struct encoder {
	struct nlmsghdr *nlh;
	size_t size;
	struct policy_map *map;
	bool failed;
};

static void map_add(struct encoder *e, const void *attr, int rule, int key)
{
	struct policy_map *m = e->map;
	const struct nlattr *a = attr;

	if (!m || !attr)
		return;
	if (m->n == m->cap) {
		unsigned int cap = m->cap ? m->cap * 2 : 64;
		struct policy_span *s = realloc(m->spans, cap * sizeof(*s));

		if (!s) {
			e->failed = true;
			return;
		}
		m->spans = s;
		m->cap = cap;
	}
	m->spans[m->n++] = (struct policy_span) {
		.off = (const char *)a - (const char *)e->nlh,
		.len = a->nla_len,
		.rule = rule,
		.key = key,
	};
}

/* The attribute mnl is about to add starts at the current message tail. */
static void *tail(struct encoder *e)
{
	return mnl_nlmsg_get_payload_tail(e->nlh);
}

static void put(struct encoder *e, int rule, int key, uint16_t type,
		size_t len, const void *data)
{
	void *a = tail(e);

	if (e->failed || !mnl_attr_put_check(e->nlh, e->size, type, len, data)) {
		e->failed = true;
		return;
	}
	map_add(e, a, rule, key);
}

static void put_u8(struct encoder *e, int r, int k, uint16_t t, uint8_t v)
{
	put(e, r, k, t, sizeof(v), &v);
}

static void put_u16(struct encoder *e, int r, int k, uint16_t t, uint16_t v)
{
	put(e, r, k, t, sizeof(v), &v);
}

static void put_u32(struct encoder *e, int r, int k, uint16_t t, uint32_t v)
{
	put(e, r, k, t, sizeof(v), &v);
}

static void put_str(struct encoder *e, int r, int k, uint16_t t, const char *s)
{
	put(e, r, k, t, strlen(s) + 1, s);
}

static struct nlattr *nest_start(struct encoder *e, uint16_t type)
{
	struct nlattr *n;

	if (e->failed)
		return NULL;
	n = mnl_attr_nest_start_check(e->nlh, e->size, type);
	if (!n)
		e->failed = true;
	return n;
}

/* Close NEST and record its final extent for RULE/KEY. */
static void nest_end(struct encoder *e, struct nlattr *nest, int rule, int key)
{
	if (e->failed)
		return;
	mnl_attr_nest_end(e->nlh, nest);
	map_add(e, nest, rule, key);
}

static void encode_rule(struct encoder *e, const struct config_rule *r, int i)
{
	const int *kl = r->key_line;
	struct nlattr *rule, *nest;
	unsigned int j;

	rule = nest_start(e, 0);
	put_u32(e, i, -1, OVSKVM_RULE_A_ID, r->id);
	put_u8(e, i, RK_ACTION, OVSKVM_RULE_A_ACTION, r->action);
	if (r->n_names) {
		nest = nest_start(e, OVSKVM_RULE_A_NAMES);
		for (j = 0; j < r->n_names; j++)
			put_str(e, i, RK_NAME, 0, r->names[j]);
		nest_end(e, nest, i, RK_NAME);
	}
	if (kl[RK_MAC]) {
		put(e, i, RK_MAC, OVSKVM_RULE_A_MAC, 6, r->mac);
		put(e, i, RK_MAC, OVSKVM_RULE_A_MAC_MASK, 6, r->mac_mask);
	}
	if (kl[RK_USER]) {
		put_u32(e, i, RK_USER, OVSKVM_RULE_A_UID_MIN, r->uid_min);
		put_u32(e, i, RK_USER, OVSKVM_RULE_A_UID_MAX, r->uid_max);
	}
	if (kl[RK_COMM])
		put_str(e, i, RK_COMM, OVSKVM_RULE_A_COMM, r->comm);
	if (r->action == OVSKVM_ACTION_ATTACH) {
		put_str(e, i, RK_BRIDGE, OVSKVM_RULE_A_BRIDGE, r->bridge);
		if (kl[RK_VLAN])
			put_u16(e, i, RK_VLAN, OVSKVM_RULE_A_VLAN_TAG, r->vlan_tag);
		if (kl[RK_TRUNKS] && r->n_trunks) {
			nest = nest_start(e, OVSKVM_RULE_A_VLAN_TRUNKS);
			for (j = 0; j < r->n_trunks; j++)
				put_u16(e, i, RK_TRUNKS, 0, r->trunks[j]);
			nest_end(e, nest, i, RK_TRUNKS);
		}
		put_u32(e, i, r->key_line[RK_PREEXISTING] ? RK_PREEXISTING : RK_BRING_UP,
			OVSKVM_RULE_A_FLAGS, (r->bring_up ? OVSKVM_RULE_F_UP : 0) |
			(r->preexisting ? OVSKVM_RULE_F_PREEXISTING : 0));
	}
	nest_end(e, rule, i, -1);
}

size_t policy_msg_size(const struct config *cfg)
{
	/* generous per rule: every attribute at its largest */
	size_t rule = MNL_ALIGN(sizeof(struct nlattr)) * (12 + OVSKVM_MAX_NAMES +
							  OVSKVM_MAX_TRUNKS) +
		      OVSKVM_MAX_NAMES * OVSKVM_GLOB_LEN + OVSKVM_GLOB_LEN +
		      IFNAMSIZ + OVSKVM_MAX_TRUNKS * 4 + 64;

	return MNL_NLMSG_HDRLEN + 64 + cfg->n_rules * rule;
}

struct nlmsghdr *policy_build(void *buf, size_t size, uint16_t family,
			      uint32_t seq, const struct config *cfg,
			      struct policy_map *map)
{
	struct encoder e = { .size = size, .map = map };
	struct genlmsghdr *genl;
	struct nlattr *rules;
	unsigned int i;

	if (size < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*genl))) {
		errno = ENOSPC;
		return NULL;
	}
	e.nlh = mnl_nlmsg_put_header(buf);
	e.nlh->nlmsg_type = family;
	e.nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	e.nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(e.nlh, sizeof(*genl));
	genl->cmd = OVSKVM_CMD_SET_POLICY;
	genl->version = OVSKVM_GENL_VERSION;

	if (!cfg->n_rules) {
		put_u32(&e, -1, -1, OVSKVM_A_POLICY_FLAGS, OVSKVM_POLICY_F_DEFAULT);
	} else {
		put_u32(&e, -1, -1, OVSKVM_A_POLICY_FLAGS, 0);
		rules = nest_start(&e, OVSKVM_A_RULES);
		for (i = 0; i < cfg->n_rules; i++)
			encode_rule(&e, &cfg->rules[i], i);
		nest_end(&e, rules, -1, -1);
	}
	if (e.failed) {
		errno = map && !map->spans ? ENOMEM : ENOSPC;
		return NULL;
	}
	return e.nlh;
}

int policy_locate(const struct policy_map *map, const struct config *cfg,
		  uint32_t off, char *out, size_t len)
{
	const struct policy_span *best = NULL;
	const struct config_rule *r;
	unsigned int i;
	int line;

	/* the innermost span holding OFF: the shortest one */
	for (i = 0; i < map->n; i++) {
		const struct policy_span *s = &map->spans[i];

		if (off < s->off || off >= s->off + s->len || s->rule < 0)
			continue;
		if (!best || s->len < best->len)
			best = s;
	}
	if (!best || (unsigned int)best->rule >= cfg->n_rules) {
		snprintf(out, len, "%s", cfg->path);
		return -ENOENT;
	}
	r = &cfg->rules[best->rule];
	if (best->key < 0) {
		snprintf(out, len, "%s:%d: rule %u", cfg->path, r->line, r->id);
		return 0;
	}
	line = r->key_line[best->key];
	if (!line && best->key == RK_BRIDGE && r->bridge_from_agent)
		line = cfg->bridge_line;
	if (!line)
		line = r->line;
	snprintf(out, len, "%s:%d: rule %u, %s=", cfg->path, line, r->id,
		 rule_key_name(best->key));
	return 0;
}

void policy_map_free(struct policy_map *map)
{
	free(map->spans);
	map->spans = NULL;
	map->n = map->cap = 0;
}
