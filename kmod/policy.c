// SPDX-License-Identifier: GPL-2.0
/*
 * The policy in force: an ordered rule list, replaced whole under RTNL and
 * read under RCU, so a reader sees either the old list or the new one.
 */

#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "ovskvm.h"

struct ovskvm_policy __rcu *ovskvm_policy;
static u32 ovskvm_policy_gen;

/* The rule built from the module parameters, kept to restore it on request. */
static struct ovskvm_rule ovskvm_default_rule;
static bool ovskvm_has_default_rule;

const struct nla_policy ovskvm_rule_nl_policy[OVSKVM_RULE_A_MAX + 1] = {
	[OVSKVM_RULE_A_ID]		= { .type = NLA_U32 },
	[OVSKVM_RULE_A_ACTION]		= NLA_POLICY_RANGE(NLA_U8, OVSKVM_ACTION_ATTACH,
							   OVSKVM_ACTION_MAX),
	[OVSKVM_RULE_A_NAMES]		= { .type = NLA_NESTED },
	[OVSKVM_RULE_A_MAC]		= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[OVSKVM_RULE_A_MAC_MASK]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[OVSKVM_RULE_A_UID_MIN]		= { .type = NLA_U32 },
	[OVSKVM_RULE_A_UID_MAX]		= { .type = NLA_U32 },
	[OVSKVM_RULE_A_COMM]		= { .type = NLA_NUL_STRING, .len = OVSKVM_GLOB_LEN - 1 },
	[OVSKVM_RULE_A_BRIDGE]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[OVSKVM_RULE_A_VLAN_TAG]	= NLA_POLICY_RANGE(NLA_U16, 1, 4094),
	[OVSKVM_RULE_A_VLAN_TRUNKS]	= { .type = NLA_NESTED },
	[OVSKVM_RULE_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, OVSKVM_RULE_F_ALL),
};

static struct ovskvm_policy *ovskvm_policy_alloc(unsigned int n_rules, u8 source)
{
	struct ovskvm_policy *policy;

	policy = kvzalloc(struct_size(policy, rules, n_rules), GFP_KERNEL);
	if (!policy)
		return NULL;
	policy->n_rules = n_rules;
	policy->source = source;
	return policy;
}

struct ovskvm_policy *ovskvm_policy_default(void)
{
	struct ovskvm_policy *policy;

	policy = ovskvm_policy_alloc(ovskvm_has_default_rule, OVSKVM_POLICY_SOURCE_PARAMS);
	if (!policy)
		return ERR_PTR(-ENOMEM);
	if (ovskvm_has_default_rule)
		policy->rules[0] = ovskvm_default_rule;
	return policy;
}

/* Installs @policy and frees the previous one after a grace period. */
void ovskvm_policy_replace(struct ovskvm_policy *policy)
{
	struct ovskvm_policy *old;

	ASSERT_RTNL();
	policy->gen = ++ovskvm_policy_gen;
	old = rcu_replace_pointer(ovskvm_policy, policy, lockdep_rtnl_is_held());
	if (old)
		kvfree_rcu(old, rcu);
}

/* Parses the "match" module parameter: comma-separated name globs. */
static int ovskvm_parse_match_param(struct ovskvm_rule *rule, const char *match)
{
	const char *p = match, *end;
	size_t len;

	while (*p) {
		end = strchrnul(p, ',');
		len = end - p;
		if (len) {
			if (rule->n_names == OVSKVM_MAX_NAMES) {
				pr_err("match=: more than %d globs\n", OVSKVM_MAX_NAMES);
				return -E2BIG;
			}
			if (len >= OVSKVM_GLOB_LEN) {
				pr_err("match=: glob '%.*s' longer than %d bytes\n",
				       (int)len, p, OVSKVM_GLOB_LEN - 1);
				return -EINVAL;
			}
			memcpy(rule->names[rule->n_names++], p, len);
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

int ovskvm_policy_init(void)
{
	struct ovskvm_rule *rule = &ovskvm_default_rule;
	struct ovskvm_policy *policy;
	const char *bridge = ovskvm_param_bridge ?: "";
	int err;

	/* An empty bridge= means no default rule: every tap is ignored. */
	if (*bridge) {
		if (!dev_valid_name(bridge)) {
			pr_err("bridge=%s is not a valid interface name\n", bridge);
			return -EINVAL;
		}
		memset(rule, 0, sizeof(*rule));
		rule->action = OVSKVM_ACTION_ATTACH;
		strscpy(rule->bridge, bridge, sizeof(rule->bridge));
		if (ovskvm_param_bring_up)
			rule->flags |= OVSKVM_RULE_F_UP;
		err = ovskvm_parse_match_param(rule, ovskvm_param_match ?: "");
		if (err)
			return err;
		if (ovskvm_param_creator && *ovskvm_param_creator) {
			if (strlen(ovskvm_param_creator) >= OVSKVM_GLOB_LEN) {
				pr_err("creator=: glob longer than %d bytes\n", OVSKVM_GLOB_LEN - 1);
				return -EINVAL;
			}
			strscpy(rule->comm, ovskvm_param_creator, sizeof(rule->comm));
			rule->has_comm = true;
		}
		ovskvm_has_default_rule = true;
	}

	policy = ovskvm_policy_default();
	if (IS_ERR(policy))
		return PTR_ERR(policy);
	rtnl_lock();
	ovskvm_policy_replace(policy);
	rtnl_unlock();
	return 0;
}

void ovskvm_policy_exit(void)
{
	struct ovskvm_policy *policy;

	/*
	 * The family is gone and the notifier too: nobody reads the policy
	 * any more.  Policies replaced earlier are freed by kvfree_rcu(),
	 * which runs no code of this module.
	 */
	policy = rcu_replace_pointer(ovskvm_policy, NULL, true);
	kvfree(policy);
}

static int ovskvm_parse_names(struct ovskvm_rule *rule, const struct nlattr *nest,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	size_t len;
	int rem;

	nla_for_each_nested(attr, nest, rem) {
		if (rule->n_names == OVSKVM_MAX_NAMES) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "too many name globs in a rule");
			return -E2BIG;
		}
		len = strnlen(nla_data(attr), nla_len(attr));
		if (len == nla_len(attr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "name glob is not NUL-terminated");
			return -EINVAL;
		}
		if (!len) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "empty name glob");
			return -EINVAL;
		}
		if (len >= OVSKVM_GLOB_LEN) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "name glob too long");
			return -ERANGE;
		}
		memcpy(rule->names[rule->n_names++], nla_data(attr), len);
	}
	if (rem > 0) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "bytes left over after the last name glob");
		return -EINVAL;
	}
	return 0;
}

static int ovskvm_parse_trunks(struct ovskvm_rule *rule, const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	u16 vid;
	int rem;

	nla_for_each_nested(attr, nest, rem) {
		if (rule->n_trunks == OVSKVM_MAX_TRUNKS) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "too many trunk VLANs in a rule");
			return -E2BIG;
		}
		if (nla_len(attr) != sizeof(u16)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "trunk VLAN is not a u16");
			return -EINVAL;
		}
		vid = nla_get_u16(attr);
		if (vid > OVSKVM_VLAN_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "trunk VLAN out of range 0..4095");
			return -ERANGE;
		}
		rule->trunks[rule->n_trunks++] = vid;
	}
	if (rem > 0) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "bytes left over after the last trunk VLAN");
		return -EINVAL;
	}
	if (!rule->n_trunks) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "empty trunk VLAN list");
		return -EINVAL;
	}
	return 0;
}

static int ovskvm_rule_from_nla(struct ovskvm_rule *rule, const struct nlattr *nla,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[OVSKVM_RULE_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, OVSKVM_RULE_A_MAX, nla, ovskvm_rule_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, OVSKVM_RULE_A_ID) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, OVSKVM_RULE_A_ACTION)) {
		NL_SET_ERR_MSG_MOD(extack, "rule needs an id and an action");
		return -EINVAL;
	}
	rule->id = nla_get_u32(tb[OVSKVM_RULE_A_ID]);
	rule->action = nla_get_u8(tb[OVSKVM_RULE_A_ACTION]);

	if (tb[OVSKVM_RULE_A_NAMES]) {
		err = ovskvm_parse_names(rule, tb[OVSKVM_RULE_A_NAMES], extack);
		if (err)
			return err;
	}
	if (tb[OVSKVM_RULE_A_MAC]) {
		rule->has_mac = true;
		memcpy(rule->mac, nla_data(tb[OVSKVM_RULE_A_MAC]), ETH_ALEN);
		eth_broadcast_addr(rule->mac_mask);
		if (tb[OVSKVM_RULE_A_MAC_MASK])
			memcpy(rule->mac_mask, nla_data(tb[OVSKVM_RULE_A_MAC_MASK]), ETH_ALEN);
	} else if (tb[OVSKVM_RULE_A_MAC_MASK]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[OVSKVM_RULE_A_MAC_MASK],
				    "MAC mask without a MAC address");
		return -EINVAL;
	}
	if (tb[OVSKVM_RULE_A_UID_MIN]) {
		rule->has_uid = true;
		rule->uid_min = nla_get_u32(tb[OVSKVM_RULE_A_UID_MIN]);
		rule->uid_max = rule->uid_min;
		if (tb[OVSKVM_RULE_A_UID_MAX])
			rule->uid_max = nla_get_u32(tb[OVSKVM_RULE_A_UID_MAX]);
		if (rule->uid_max < rule->uid_min) {
			NL_SET_ERR_MSG_ATTR(extack, tb[OVSKVM_RULE_A_UID_MAX],
					    "uid range ends before it starts");
			return -EINVAL;
		}
	} else if (tb[OVSKVM_RULE_A_UID_MAX]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[OVSKVM_RULE_A_UID_MAX],
				    "uid range without a start");
		return -EINVAL;
	}
	if (tb[OVSKVM_RULE_A_COMM]) {
		nla_strscpy(rule->comm, tb[OVSKVM_RULE_A_COMM], sizeof(rule->comm));
		if (!rule->comm[0]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[OVSKVM_RULE_A_COMM], "empty comm glob");
			return -EINVAL;
		}
		rule->has_comm = true;
	}

	if (rule->action == OVSKVM_ACTION_ATTACH) {
		if (!tb[OVSKVM_RULE_A_BRIDGE]) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "attach rule without a bridge");
			return -EINVAL;
		}
		if (nla_strscpy(rule->bridge, tb[OVSKVM_RULE_A_BRIDGE], sizeof(rule->bridge)) < 0) {
			NL_SET_ERR_MSG_ATTR(extack, tb[OVSKVM_RULE_A_BRIDGE],
					    "bridge name longer than 15 bytes");
			return -ERANGE;
		}
		if (!dev_valid_name(rule->bridge)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[OVSKVM_RULE_A_BRIDGE],
					    "bridge is not a valid interface name");
			return -EINVAL;
		}
	} else {
		int attr;

		for (attr = OVSKVM_RULE_A_BRIDGE; attr <= OVSKVM_RULE_A_FLAGS; attr++) {
			if (tb[attr]) {
				NL_SET_ERR_MSG_ATTR(extack, tb[attr],
						    "ignore rule with a bridge, VLAN or flags");
				return -EINVAL;
			}
		}
	}
	if (tb[OVSKVM_RULE_A_VLAN_TAG] && tb[OVSKVM_RULE_A_VLAN_TRUNKS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[OVSKVM_RULE_A_VLAN_TRUNKS],
				    "VLAN tag and trunks are exclusive");
		return -EINVAL;
	}
	if (tb[OVSKVM_RULE_A_VLAN_TAG])
		rule->vlan_tag = nla_get_u16(tb[OVSKVM_RULE_A_VLAN_TAG]);
	if (tb[OVSKVM_RULE_A_VLAN_TRUNKS]) {
		err = ovskvm_parse_trunks(rule, tb[OVSKVM_RULE_A_VLAN_TRUNKS], extack);
		if (err)
			return err;
	}
	if (tb[OVSKVM_RULE_A_FLAGS])
		rule->flags = nla_get_u32(tb[OVSKVM_RULE_A_FLAGS]);
	return 0;
}

/*
 * Builds a policy from an OVSKVM_A_RULES nest (absent: no rules).  The
 * extack points at the offending attribute, from which userspace can tell
 * the rule.
 */
struct ovskvm_policy *ovskvm_policy_from_nla(const struct nlattr *rules,
					     struct netlink_ext_ack *extack)
{
	struct ovskvm_policy *policy;
	const struct nlattr *attr;
	unsigned int n = 0, i, j;
	int rem, err;

	if (rules) {
		nla_for_each_nested(attr, rules, rem) {
			if (++n > OVSKVM_MAX_RULES) {
				NL_SET_ERR_MSG_ATTR(extack, attr, "too many rules");
				return ERR_PTR(-E2BIG);
			}
		}
		if (rem > 0) {
			NL_SET_ERR_MSG_ATTR(extack, rules, "bytes left over after the last rule");
			return ERR_PTR(-EINVAL);
		}
	}
	policy = ovskvm_policy_alloc(n, OVSKVM_POLICY_SOURCE_USER);
	if (!policy)
		return ERR_PTR(-ENOMEM);

	i = 0;
	if (rules) {
		nla_for_each_nested(attr, rules, rem) {
			err = ovskvm_rule_from_nla(&policy->rules[i], attr, extack);
			if (err)
				goto err_free;
			for (j = 0; j < i; j++) {
				if (policy->rules[j].id == policy->rules[i].id) {
					NL_SET_ERR_MSG_ATTR(extack, attr, "duplicate rule id");
					err = -EEXIST;
					goto err_free;
				}
			}
			i++;
		}
	}
	return policy;

err_free:
	kvfree(policy);
	return ERR_PTR(err);
}

int ovskvm_vlan_to_nla(struct sk_buff *skb, int tag_attr, int trunks_attr,
		       u16 tag, const u16 *trunks, unsigned int n_trunks)
{
	struct nlattr *nest;
	unsigned int i;

	if (tag && nla_put_u16(skb, tag_attr, tag))
		return -EMSGSIZE;
	if (!n_trunks)
		return 0;
	nest = nla_nest_start(skb, trunks_attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n_trunks; i++)
		if (nla_put_u16(skb, 0, trunks[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int ovskvm_rule_to_nla(struct sk_buff *skb, int attrtype,
		       const struct ovskvm_rule *rule)
{
	struct nlattr *nest, *names;
	unsigned int i;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, OVSKVM_RULE_A_ID, rule->id) ||
	    nla_put_u8(skb, OVSKVM_RULE_A_ACTION, rule->action))
		goto nla_put_failure;
	if (rule->n_names) {
		names = nla_nest_start(skb, OVSKVM_RULE_A_NAMES);
		if (!names)
			goto nla_put_failure;
		for (i = 0; i < rule->n_names; i++)
			if (nla_put_string(skb, 0, rule->names[i]))
				goto nla_put_failure;
		nla_nest_end(skb, names);
	}
	if (rule->has_mac &&
	    (nla_put(skb, OVSKVM_RULE_A_MAC, ETH_ALEN, rule->mac) ||
	     nla_put(skb, OVSKVM_RULE_A_MAC_MASK, ETH_ALEN, rule->mac_mask)))
		goto nla_put_failure;
	if (rule->has_uid &&
	    (nla_put_u32(skb, OVSKVM_RULE_A_UID_MIN, rule->uid_min) ||
	     nla_put_u32(skb, OVSKVM_RULE_A_UID_MAX, rule->uid_max)))
		goto nla_put_failure;
	if (rule->has_comm && nla_put_string(skb, OVSKVM_RULE_A_COMM, rule->comm))
		goto nla_put_failure;
	if (rule->action == OVSKVM_ACTION_ATTACH &&
	    (nla_put_string(skb, OVSKVM_RULE_A_BRIDGE, rule->bridge) ||
	     nla_put_u32(skb, OVSKVM_RULE_A_FLAGS, rule->flags)))
		goto nla_put_failure;
	if (ovskvm_vlan_to_nla(skb, OVSKVM_RULE_A_VLAN_TAG, OVSKVM_RULE_A_VLAN_TRUNKS,
			       rule->vlan_tag, rule->trunks, rule->n_trunks))
		goto nla_put_failure;
	nla_nest_end(skb, nest);
	return 0;

nla_put_failure:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}
