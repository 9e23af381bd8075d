/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of ovskvm_autoport.
 *
 * Locking: every port and the port table change under RTNL, from the
 * netdevice notifier or the work item; netlink readers take RTNL too.  The
 * policy pointer is RCU-protected and replaced under RTNL, so the notifier
 * reads it with rtnl_dereference() and dumps with rcu_dereference().
 */
#ifndef _OVSKVM_H
#define _OVSKVM_H

#include <linux/atomic.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <net/netlink.h>
#include <linux/ovskvm_autoport.h>

#include "match.h"

struct sk_buff;
struct nlattr;
struct netlink_ext_ack;

struct ovskvm_policy {
	struct rcu_head rcu;
	u32 gen;			/* set when installed */
	u8 source;			/* OVSKVM_POLICY_SOURCE_* */
	unsigned int n_rules;
	struct ovskvm_rule rules[];
};

struct ovskvm_port {
	int ifindex;
	char name[IFNAMSIZ];
	u8 mac[ETH_ALEN];
	u8 state;			/* OVSKVM_PORT_* */
	u8 bridge_kind;			/* OVSKVM_BRIDGE_* */
	u8 action;			/* of the matched rule */
	bool matched;
	bool attaching;			/* the work item is enslaving it */
	u32 flags;			/* OVSKVM_PORT_F_* */
	int error;			/* last error, negative errno */
	const char *reason;		/* why pending, failed or ignored */
	int detached_from;		/* ifindex of the bridge it left */
	bool detach_settling;		/* detached in this RTNL section */
	unsigned int target_mtu;	/* its bridge's MTU, 0: none */

	/* Valid with OVSKVM_PORT_F_CREATOR_KNOWN. */
	pid_t creator_pid;
	u32 creator_uid;
	char creator_comm[TASK_COMM_LEN];
	u64 creator_start_ns;		/* CLOCK_BOOTTIME */
	u64 register_ns;		/* CLOCK_MONOTONIC */
	u64 attach_ns;
	u64 up_ns;

	/* A copy of what the matched rule says. */
	u32 rule_id;
	u32 rule_flags;
	char bridge[IFNAMSIZ];
	u16 vlan_tag;
	u16 n_trunks;
	u16 trunks[OVSKVM_MAX_TRUNKS];

	/* Deferred work: OVSKVM_WORK_* bits, queued on the work list. */
	unsigned int work;
	struct list_head work_node;
};

/* main.c: module parameters of the default policy */
extern char *ovskvm_param_bridge;
extern char *ovskvm_param_match;
extern char *ovskvm_param_creator;
extern bool ovskvm_param_bring_up;

/* policy.c */
extern struct ovskvm_policy __rcu *ovskvm_policy;
extern const struct nla_policy ovskvm_rule_nl_policy[OVSKVM_RULE_A_MAX + 1];
int ovskvm_policy_init(void);
void ovskvm_policy_exit(void);
struct ovskvm_policy *ovskvm_policy_default(void);
struct ovskvm_policy *ovskvm_policy_from_nla(const struct nlattr *rules,
					     struct netlink_ext_ack *extack);
void ovskvm_policy_replace(struct ovskvm_policy *policy);
int ovskvm_rule_to_nla(struct sk_buff *skb, int attrtype,
		       const struct ovskvm_rule *rule);
int ovskvm_vlan_to_nla(struct sk_buff *skb, int tag_attr, int trunks_attr,
		       u16 tag, const u16 *trunks, unsigned int n_trunks);

/* port.c */
extern u32 ovskvm_ports_gen;
extern unsigned int ovskvm_nr_ports;
int ovskvm_ports_init(void);
void ovskvm_ports_exit(void);
struct ovskvm_port *ovskvm_port_get(int ifindex);
struct ovskvm_port *ovskvm_port_next(unsigned long *ifindex);
void ovskvm_ports_policy_changed(void);
int ovskvm_port_reevaluate_one(int ifindex);
void ovskvm_ports_reevaluate_all(void);

/* netlink.c */
extern u64 ovskvm_seq;
int ovskvm_genl_init(void);
void ovskvm_genl_exit(void);
void ovskvm_event_port(u8 cmd, const struct ovskvm_port *port,
		       const char *old_name);
void ovskvm_event_policy(const struct ovskvm_policy *policy);

/* Counters reported by OVSKVM_CMD_GET_STATUS, indexed by OVSKVM_STAT_*. */
extern atomic64_t ovskvm_stats[__OVSKVM_STAT_LAST];

static inline void ovskvm_stat_inc(enum ovskvm_stat stat)
{
	atomic64_inc(&ovskvm_stats[stat]);
}

#endif /* _OVSKVM_H */
