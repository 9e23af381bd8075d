// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ovskvm_autoport": status, policy, ports and
 * events.  Requests that read ports take RTNL, as the notifier that changes
 * them holds it; events are sent under RTNL too, so their sequence numbers
 * follow the order in which things happened.
 */

#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "ovskvm.h"
#include "version.h"

static struct genl_family ovskvm_genl_family;
u64 ovskvm_seq;				/* last event sent, written under RTNL */
atomic64_t ovskvm_stats[__OVSKVM_STAT_LAST];

enum {
	OVSKVM_MCGRP_EVENTS,
};

static const struct genl_multicast_group ovskvm_mcgrps[] = {
	[OVSKVM_MCGRP_EVENTS] = {
		.name = OVSKVM_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * One policy per operation, also for those that take no attribute
 * (ovskvm_no_attrs_nl_policy below).  An ifindex is a positive int: a u32
 * above INT_MAX is refused here, never read as a negative.
 */
static struct netlink_range_validation ovskvm_ifindex_range = {
	.min = 1,
	.max = INT_MAX,
};

static const struct nla_policy ovskvm_set_policy_nl_policy[OVSKVM_A_RULES + 1] = {
	[OVSKVM_A_POLICY_FLAGS]	= NLA_POLICY_MASK(NLA_U32, OVSKVM_POLICY_F_ALL),
	[OVSKVM_A_RULES]	= NLA_POLICY_NESTED_ARRAY(ovskvm_rule_nl_policy),
};

static const struct nla_policy ovskvm_port_nl_policy[OVSKVM_A_IFNAME + 1] = {
	[OVSKVM_A_IFINDEX]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ovskvm_ifindex_range),
	[OVSKVM_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static const struct nla_policy ovskvm_reevaluate_nl_policy[OVSKVM_A_IFINDEX + 1] = {
	[OVSKVM_A_IFINDEX]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ovskvm_ifindex_range),
};

/* The sequence number of the last event, for a reader without RTNL. */
static int ovskvm_put_seq(struct sk_buff *skb)
{
	return nla_put_u64_64bit(skb, OVSKVM_A_EVENT_SEQ, READ_ONCE(ovskvm_seq), OVSKVM_A_PAD);
}

static int ovskvm_creator_fill(struct sk_buff *skb, const struct ovskvm_port *port)
{
	if (!(port->flags & OVSKVM_PORT_F_CREATOR_KNOWN))
		return 0;
	if (nla_put_u32(skb, OVSKVM_A_CREATOR_PID, port->creator_pid) ||
	    nla_put_u32(skb, OVSKVM_A_CREATOR_UID, port->creator_uid) ||
	    nla_put_string(skb, OVSKVM_A_CREATOR_COMM, port->creator_comm) ||
	    nla_put_u64_64bit(skb, OVSKVM_A_CREATOR_START_NS, port->creator_start_ns,
			      OVSKVM_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int ovskvm_port_fill(struct sk_buff *skb, const struct ovskvm_port *port)
{
	struct net_device *dev = __dev_get_by_index(&init_net, port->ifindex);
	struct net_device *master = dev ? netdev_master_upper_dev_get(dev) : NULL;

	if (nla_put_u32(skb, OVSKVM_A_IFINDEX, port->ifindex) ||
	    nla_put_string(skb, OVSKVM_A_IFNAME, port->name) ||
	    nla_put(skb, OVSKVM_A_MAC, ETH_ALEN, port->mac) ||
	    nla_put_u8(skb, OVSKVM_A_STATE, port->state) ||
	    nla_put_u32(skb, OVSKVM_A_PORT_FLAGS, port->flags) ||
	    ovskvm_creator_fill(skb, port) ||
	    nla_put_u64_64bit(skb, OVSKVM_A_REGISTER_NS, port->register_ns, OVSKVM_A_PAD) ||
	    nla_put_s32(skb, OVSKVM_A_ERROR, port->error))
		return -EMSGSIZE;
	if (port->reason && nla_put_string(skb, OVSKVM_A_REASON, port->reason))
		return -EMSGSIZE;
	if (dev && nla_put_u32(skb, OVSKVM_A_MTU, dev->mtu))
		return -EMSGSIZE;
	if (port->attach_ns &&
	    nla_put_u64_64bit(skb, OVSKVM_A_ATTACH_NS, port->attach_ns, OVSKVM_A_PAD))
		return -EMSGSIZE;
	if (port->attach_ns && !(port->flags & OVSKVM_PORT_F_PREEXISTING) &&
	    nla_put_u64_64bit(skb, OVSKVM_A_ATTACH_LATENCY_NS,
			      port->attach_ns - port->register_ns, OVSKVM_A_PAD))
		return -EMSGSIZE;
	if (port->up_ns && nla_put_u64_64bit(skb, OVSKVM_A_UP_NS, port->up_ns, OVSKVM_A_PAD))
		return -EMSGSIZE;
	if (master && nla_put_string(skb, OVSKVM_A_MASTER, master->name))
		return -EMSGSIZE;
	if (!port->matched)
		return 0;
	if (nla_put_u32(skb, OVSKVM_A_RULE_ID, port->rule_id) ||
	    nla_put_u32(skb, OVSKVM_A_RULE_FLAGS, port->rule_flags))
		return -EMSGSIZE;
	if (port->action != OVSKVM_ACTION_ATTACH)
		return 0;
	if (nla_put_string(skb, OVSKVM_A_BRIDGE, port->bridge) ||
	    nla_put_u8(skb, OVSKVM_A_BRIDGE_KIND, port->bridge_kind))
		return -EMSGSIZE;
	return ovskvm_vlan_to_nla(skb, OVSKVM_A_VLAN_TAG, OVSKVM_A_VLAN_TRUNKS,
				  port->vlan_tag, port->trunks, port->n_trunks);
}

static struct sk_buff *ovskvm_event_new(u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &ovskvm_genl_family, 0, cmd);
	if (!*hdr || ovskvm_put_seq(skb)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void ovskvm_event_send(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&ovskvm_genl_family, skb, 0, OVSKVM_MCGRP_EVENTS, GFP_KERNEL);
}

/*
 * Every event takes a sequence number, listened to or not, so that a
 * listener that joins late can still tell a gap from a quiet period.
 */
static bool ovskvm_event_begin(void)
{
	ASSERT_RTNL();
	WRITE_ONCE(ovskvm_seq, ovskvm_seq + 1);
	ovskvm_stat_inc(OVSKVM_STAT_EVENTS);
	return genl_has_listeners(&ovskvm_genl_family, &init_net, OVSKVM_MCGRP_EVENTS);
}

void ovskvm_event_port(u8 cmd, const struct ovskvm_port *port, const char *old_name)
{
	struct sk_buff *skb;
	void *hdr;

	if (!ovskvm_event_begin())
		return;
	skb = ovskvm_event_new(cmd, &hdr);
	if (!skb)
		goto err;
	if (ovskvm_port_fill(skb, port) ||
	    (old_name && nla_put_string(skb, OVSKVM_A_OLD_IFNAME, old_name))) {
		nlmsg_free(skb);
		goto err;
	}
	ovskvm_event_send(skb, hdr);
	return;
err:
	/* Listeners see the gap in the sequence and resync. */
	pr_warn_ratelimited("event %u for %s lost: no memory\n", cmd, port->name);
}

void ovskvm_event_policy(const struct ovskvm_policy *policy)
{
	struct sk_buff *skb;
	void *hdr;

	if (!ovskvm_event_begin())
		return;
	skb = ovskvm_event_new(OVSKVM_CMD_POLICY_CHANGED, &hdr);
	if (!skb)
		return;
	if (nla_put_u8(skb, OVSKVM_A_POLICY_SOURCE, policy->source) ||
	    nla_put_u32(skb, OVSKVM_A_POLICY_GEN, policy->gen) ||
	    nla_put_u32(skb, OVSKVM_A_RULE_COUNT, policy->n_rules)) {
		nlmsg_free(skb);
		return;
	}
	ovskvm_event_send(skb, hdr);
}

static int ovskvm_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	const struct ovskvm_policy *policy;
	struct sk_buff *msg;
	struct nlattr *stats;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ovskvm_genl_family, 0, OVSKVM_CMD_GET_STATUS);
	if (!hdr)
		goto nla_put_failure;

	rtnl_lock();
	policy = rtnl_dereference(ovskvm_policy);
	if (nla_put_string(msg, OVSKVM_A_VERSION, OVSKVM_VERSION) ||
	    nla_put_u8(msg, OVSKVM_A_POLICY_SOURCE, policy->source) ||
	    nla_put_u32(msg, OVSKVM_A_POLICY_GEN, policy->gen) ||
	    nla_put_u32(msg, OVSKVM_A_RULE_COUNT, policy->n_rules) ||
	    nla_put_u32(msg, OVSKVM_A_PORT_COUNT, ovskvm_nr_ports) ||
	    nla_put_u64_64bit(msg, OVSKVM_A_EVENT_SEQ, ovskvm_seq, OVSKVM_A_PAD)) {
		rtnl_unlock();
		goto nla_put_failure;
	}
	rtnl_unlock();

	stats = nla_nest_start(msg, OVSKVM_A_STATS);
	if (!stats)
		goto nla_put_failure;
	for (i = OVSKVM_STAT_SEEN; i <= OVSKVM_STAT_MAX; i++)
		if (nla_put_u64_64bit(msg, i, atomic64_read(&ovskvm_stats[i]), OVSKVM_STAT_UNSPEC))
			goto nla_put_failure;
	nla_nest_end(msg, stats);

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ovskvm_nl_set_policy(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct ovskvm_policy *policy;
	struct sk_buff *reply;
	u32 flags = 0, gen;
	void *hdr;
	u64 seq;

	if (attrs[OVSKVM_A_POLICY_FLAGS])
		flags = nla_get_u32(attrs[OVSKVM_A_POLICY_FLAGS]);
	if (flags & OVSKVM_POLICY_F_DEFAULT) {
		if (attrs[OVSKVM_A_RULES]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[OVSKVM_A_RULES],
					    "rules given with the default-policy flag");
			return -EINVAL;
		}
		policy = ovskvm_policy_default();
	} else {
		policy = ovskvm_policy_from_nla(attrs[OVSKVM_A_RULES], info->extack);
	}
	if (IS_ERR(policy))
		return PTR_ERR(policy);

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply) {
		kvfree(policy);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(reply, info, &ovskvm_genl_family, 0, OVSKVM_CMD_SET_POLICY);
	if (!hdr)
		goto err_msgsize;

	rtnl_lock();
	ovskvm_policy_replace(policy);
	ovskvm_event_policy(policy);
	gen = policy->gen;
	seq = ovskvm_seq;
	ovskvm_ports_policy_changed();
	rtnl_unlock();

	/*
	 * Installed: from here on the request succeeded, whatever becomes of
	 * the reply (a full receive buffer is the caller's loss only).
	 */
	if (WARN_ON_ONCE(nla_put_u32(reply, OVSKVM_A_POLICY_GEN, gen) ||
			 nla_put_u64_64bit(reply, OVSKVM_A_EVENT_SEQ, seq, OVSKVM_A_PAD))) {
		nlmsg_free(reply);
		return 0;
	}
	genlmsg_end(reply, hdr);
	genlmsg_reply(reply, info);
	return 0;

err_msgsize:
	nlmsg_free(reply);
	kvfree(policy);
	return -EMSGSIZE;
}

/* The policy dump: one message per rule, cursor in cb->args[0]. */
static int ovskvm_nl_dump_policy(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct ovskvm_policy *policy;
	unsigned int i;
	void *hdr;

	/* Under RTNL, as SET_POLICY: each message's seq goes with its policy. */
	rtnl_lock();
	policy = rtnl_dereference(ovskvm_policy);
	cb->seq = policy->gen;
	for (i = cb->args[0]; i < policy->n_rules; i++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &ovskvm_genl_family, NLM_F_MULTI, OVSKVM_CMD_GET_POLICY);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (ovskvm_put_seq(skb) ||
		    nla_put_u8(skb, OVSKVM_A_POLICY_SOURCE, policy->source) ||
		    nla_put_u32(skb, OVSKVM_A_POLICY_GEN, policy->gen) ||
		    nla_put_u32(skb, OVSKVM_A_RULE_INDEX, i) ||
		    ovskvm_rule_to_nla(skb, OVSKVM_A_RULE, &policy->rules[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rtnl_unlock();
	cb->args[0] = i;
	return skb->len;
}

static int ovskvm_port_msg(struct sk_buff *skb, const struct ovskvm_port *port,
			   u32 portid, u32 seq, int flags, struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ovskvm_genl_family, flags, OVSKVM_CMD_GET_PORT);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (ovskvm_put_seq(skb) || ovskvm_port_fill(skb, port)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int ovskvm_nl_get_port(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	const struct ovskvm_port *port;
	struct net_device *dev;
	struct sk_buff *msg;
	int ifindex, err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	if (attrs[OVSKVM_A_IFINDEX]) {
		ifindex = nla_get_u32(attrs[OVSKVM_A_IFINDEX]);
	} else if (attrs[OVSKVM_A_IFNAME]) {
		dev = __dev_get_by_name(&init_net, nla_data(attrs[OVSKVM_A_IFNAME]));
		ifindex = dev ? dev->ifindex : 0;
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "need an ifindex or an interface name");
		err = -EINVAL;
		goto err_unlock;
	}
	port = ifindex ? ovskvm_port_get(ifindex) : NULL;
	if (!port) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[OVSKVM_A_IFINDEX] ?: attrs[OVSKVM_A_IFNAME],
				    "no tracked tap by that index or name");
		err = -ENODEV;
		goto err_unlock;
	}
	err = ovskvm_port_msg(msg, port, info->snd_portid, info->snd_seq, 0, NULL);
	rtnl_unlock();
	if (err)
		goto err_free;
	return genlmsg_reply(msg, info);

err_unlock:
	rtnl_unlock();
err_free:
	nlmsg_free(msg);
	return err;
}

/* The port dump, by ifindex; the next ifindex to send is in cb->args[0]. */
static int ovskvm_nl_dump_ports(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long ifindex = cb->args[0];
	const struct ovskvm_port *port;

	rtnl_lock();
	cb->seq = ovskvm_ports_gen;
	while ((port = ovskvm_port_next(&ifindex))) {
		if (ovskvm_port_msg(skb, port, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI, cb))
			break;
		ifindex++;
	}
	rtnl_unlock();
	cb->args[0] = ifindex;
	return skb->len;
}

static int ovskvm_nl_reevaluate(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[OVSKVM_A_IFINDEX];
	int err = 0;

	rtnl_lock();
	if (attr)
		err = ovskvm_port_reevaluate_one(nla_get_u32(attr));
	else
		ovskvm_ports_reevaluate_all();
	rtnl_unlock();
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no tracked tap with that index");
	return err;
}

/*
 * GET_STATUS and GET_POLICY take no attributes: a policy that rejects each
 * one.  Without a policy of its own an op gets the family's maxattr and the
 * core's one-entry reject-all policy, which 7.2 reads past (a policy dump
 * is a KASAN report, a parse the BUG_ON in lib/nlattr.c).
 */
static const struct nla_policy ovskvm_no_attrs_nl_policy[OVSKVM_A_MAX + 1] = {
	[1 ... OVSKVM_A_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "this command takes no attributes",
	},
};

/*
 * Only GET_STATUS is open to every user: ports carry other users' process
 * data and the policy is the host's.  resv_start_op is left at 0, so every
 * command gets strict header and attribute validation.
 */
static const struct genl_ops ovskvm_genl_ops[] = {
	{
		.cmd = OVSKVM_CMD_GET_STATUS,
		.doit = ovskvm_nl_get_status,
		.policy = ovskvm_no_attrs_nl_policy,
		.maxattr = OVSKVM_A_MAX,
	},
	{
		.cmd = OVSKVM_CMD_SET_POLICY,
		.doit = ovskvm_nl_set_policy,
		.policy = ovskvm_set_policy_nl_policy,
		.maxattr = ARRAY_SIZE(ovskvm_set_policy_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = OVSKVM_CMD_GET_POLICY,
		.dumpit = ovskvm_nl_dump_policy,
		.policy = ovskvm_no_attrs_nl_policy,
		.maxattr = OVSKVM_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = OVSKVM_CMD_GET_PORT,
		.doit = ovskvm_nl_get_port,
		.dumpit = ovskvm_nl_dump_ports,
		.policy = ovskvm_port_nl_policy,
		.maxattr = ARRAY_SIZE(ovskvm_port_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = OVSKVM_CMD_REEVALUATE,
		.doit = ovskvm_nl_reevaluate,
		.policy = ovskvm_reevaluate_nl_policy,
		.maxattr = ARRAY_SIZE(ovskvm_reevaluate_nl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family ovskvm_genl_family __ro_after_init = {
	.name		= OVSKVM_GENL_NAME,
	.version	= OVSKVM_GENL_VERSION,
	.maxattr	= OVSKVM_A_MAX,
	.module		= THIS_MODULE,
	.ops		= ovskvm_genl_ops,
	.n_ops		= ARRAY_SIZE(ovskvm_genl_ops),
	.mcgrps		= ovskvm_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ovskvm_mcgrps),
	.parallel_ops	= true,
};

int __init ovskvm_genl_init(void)
{
	return genl_register_family(&ovskvm_genl_family);
}

void ovskvm_genl_exit(void)
{
	genl_unregister_family(&ovskvm_genl_family);
}
