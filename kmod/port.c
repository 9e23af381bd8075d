// SPDX-License-Identifier: GPL-2.0
/*
 * Tap tracking: a netdevice notifier that classifies devices as they
 * register, records who created them, matches them against the policy and
 * follows them until a bridge (or the OVS datapath) takes them.  The notifier
 * only records and queues; enslaving and bringing up run from a work item,
 * as net/openvswitch/dp_notify.c does.
 */

#include <linux/cred.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_bridge.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/rtnetlink.h>

#include "ovskvm.h"

enum {
	OVSKVM_WORK_ATTACH	= BIT(0),	/* enslave to its Linux bridge */
	OVSKVM_WORK_UP		= BIT(1),	/* bring it up */
	OVSKVM_WORK_MTU		= BIT(2),	/* take its OVS bridge's MTU */
	OVSKVM_WORK_SETTLE	= BIT(3),	/* a detach is the operator's */
};

/* Work items handled per RTNL hold, so that a burst does not starve others. */
#define OVSKVM_WORK_BATCH 64

static struct kmem_cache *ovskvm_port_cache;
static DEFINE_XARRAY(ovskvm_ports);		/* ifindex -> port, RTNL */
static LIST_HEAD(ovskvm_work_list);		/* ports with work, RTNL */
u32 ovskvm_ports_gen;				/* bumped on add and remove */
unsigned int ovskvm_nr_ports;

/* register_netdevice_notifier() replays existing devices from this task. */
static struct task_struct *ovskvm_replay_task;
static bool ovskvm_stopping;

static void ovskvm_work_fn(struct work_struct *work);
static DECLARE_WORK(ovskvm_work, ovskvm_work_fn);

static bool ovskvm_is_tap(const struct net_device *dev)
{
	return dev->rtnl_link_ops && !strcmp(dev->rtnl_link_ops->kind, "tun") &&
	       dev->type == ARPHRD_ETHER;
}

static bool ovskvm_is_ovs_internal(const struct net_device *dev)
{
	return dev->rtnl_link_ops && !strcmp(dev->rtnl_link_ops->kind, "openvswitch");
}

static u8 ovskvm_bridge_kind(const struct net_device *br)
{
	if (!br)
		return OVSKVM_BRIDGE_NONE;
	if (netif_is_bridge_master(br))
		return OVSKVM_BRIDGE_LINUX;
	if (ovskvm_is_ovs_internal(br))
		return OVSKVM_BRIDGE_OVS;
	return OVSKVM_BRIDGE_OTHER;
}

/* A master that counts as attached: a Linux bridge or the OVS datapath. */
static bool ovskvm_is_bridge_upper(const struct net_device *upper)
{
	return netif_is_bridge_master(upper) || netif_is_ovs_master(upper);
}

struct ovskvm_port *ovskvm_port_get(int ifindex)
{
	ASSERT_RTNL();
	return xa_load(&ovskvm_ports, ifindex);
}

/* The port with the lowest ifindex >= *ifindex; for dumps. */
struct ovskvm_port *ovskvm_port_next(unsigned long *ifindex)
{
	ASSERT_RTNL();
	return xa_find(&ovskvm_ports, ifindex, ULONG_MAX, XA_PRESENT);
}

static void ovskvm_port_queue(struct ovskvm_port *port, unsigned int work)
{
	if (ovskvm_stopping)
		return;
	port->work |= work;
	if (list_empty(&port->work_node))
		list_add_tail(&port->work_node, &ovskvm_work_list);
	schedule_work(&ovskvm_work);
}

static void ovskvm_port_fail(struct ovskvm_port *port, int err, const char *reason)
{
	port->state = OVSKVM_PORT_FAILED;
	port->error = err;
	port->reason = reason;
	ovskvm_stat_inc(OVSKVM_STAT_FAILED);
}

static void ovskvm_port_attached(struct ovskvm_port *port, struct net_device *dev)
{
	port->state = OVSKVM_PORT_ATTACHED;
	port->flags |= OVSKVM_PORT_F_WAS_ATTACHED;
	port->attach_ns = ktime_get_ns();
	port->error = 0;
	port->reason = NULL;
	ovskvm_stat_inc(OVSKVM_STAT_ATTACHED);
	if ((port->rule_flags & OVSKVM_RULE_F_UP) && !(dev->flags & IFF_UP))
		ovskvm_port_queue(port, OVSKVM_WORK_UP);
}

/*
 * Decides what to do with a port that matched an attach rule: it is attached
 * already, its Linux bridge exists (queue the attach), or it waits: for its
 * bridge to appear, or for the agent to add it to OVS.  A tap that some other
 * master (bond, team, VRF) holds is not taken away from it.
 */
static void ovskvm_port_try_attach(struct ovskvm_port *port, struct net_device *dev)
{
	struct net_device *master = netdev_master_upper_dev_get(dev);
	struct net_device *br;

	if (master && ovskvm_is_bridge_upper(master)) {
		ovskvm_port_attached(port, dev);
		return;
	}
	if (master) {
		ovskvm_port_fail(port, -EBUSY,
				 "enslaved to a device that is no bridge (bond, team, VRF)");
		return;
	}
	br = __dev_get_by_name(&init_net, port->bridge);
	port->bridge_kind = ovskvm_bridge_kind(br);
	port->state = OVSKVM_PORT_PENDING;
	port->target_mtu = 0;
	switch (port->bridge_kind) {
	case OVSKVM_BRIDGE_NONE:
		port->reason = "waiting for the bridge to appear";
		break;
	case OVSKVM_BRIDGE_LINUX:
		port->reason = "being attached to the bridge";
		ovskvm_port_queue(port, OVSKVM_WORK_ATTACH);
		break;
	case OVSKVM_BRIDGE_OVS:
		/*
		 * The agent adds it through OVSDB; the tap takes the bridge's
		 * MTU first, read now: once ovs-vswitchd adds a smaller port,
		 * it lowers the bridge's own MTU to match.
		 */
		port->reason = "waiting for the agent to add it to Open vSwitch";
		port->target_mtu = br->mtu;
		if (dev->mtu != br->mtu)
			ovskvm_port_queue(port, OVSKVM_WORK_MTU);
		break;
	case OVSKVM_BRIDGE_OTHER:
		ovskvm_port_fail(port, -EOPNOTSUPP, "the target device is not a bridge");
		break;
	}
}

/* Matches @port against the policy in force and acts on the result. */
static void ovskvm_port_evaluate(struct ovskvm_port *port, struct net_device *dev)
{
	const struct ovskvm_policy *policy = rtnl_dereference(ovskvm_policy);
	const struct ovskvm_rule *rule = NULL;
	struct ovskvm_tap_info tap = {
		.name = port->name,
		.mac = port->mac,
		.uid = port->creator_uid,
		.comm = port->creator_comm,
		.creator_known = port->flags & OVSKVM_PORT_F_CREATOR_KNOWN,
		.preexisting = port->flags & OVSKVM_PORT_F_PREEXISTING,
	};
	int i;

	i = ovskvm_match(policy->rules, policy->n_rules, &tap);
	if (i >= 0)
		rule = &policy->rules[i];

	port->matched = rule != NULL;
	port->error = 0;
	port->reason = NULL;
	port->bridge_kind = OVSKVM_BRIDGE_NONE;
	port->target_mtu = 0;
	port->rule_id = rule ? rule->id : 0;
	port->action = rule ? rule->action : OVSKVM_ACTION_IGNORE;
	port->rule_flags = rule ? rule->flags : 0;
	port->vlan_tag = rule ? rule->vlan_tag : 0;
	port->n_trunks = rule ? rule->n_trunks : 0;
	if (rule)
		memcpy(port->trunks, rule->trunks, rule->n_trunks * sizeof(u16));
	strscpy(port->bridge, rule ? rule->bridge : "", sizeof(port->bridge));

	if (port->action != OVSKVM_ACTION_ATTACH) {
		port->state = OVSKVM_PORT_IGNORED;
		if (rule)
			port->reason = "an ignore rule matched";
		else if (tap.preexisting)
			port->reason = "existed before the module loaded: only attach rules with the preexisting flag apply";
		else
			port->reason = "no rule matched";
		return;
	}
	ovskvm_port_try_attach(port, dev);
}

static void ovskvm_port_register(struct net_device *dev)
{
	struct ovskvm_port *port;
	int err;

	port = kmem_cache_zalloc(ovskvm_port_cache, GFP_KERNEL);
	if (!port)
		return;
	port->ifindex = dev->ifindex;
	strscpy(port->name, dev->name, sizeof(port->name));
	ether_addr_copy(port->mac, dev->dev_addr);
	port->register_ns = ktime_get_ns();
	INIT_LIST_HEAD(&port->work_node);

	/*
	 * TUNSETIFF registers the device in the creator's context, so current
	 * is QEMU (or libvirtd); a replayed device has no known creator.  The
	 * uid is the creating thread's real uid; the start time is the thread
	 * group leader's, as /proc/PID/stat shows it.
	 */
	if (current == READ_ONCE(ovskvm_replay_task)) {
		port->flags |= OVSKVM_PORT_F_PREEXISTING;
	} else {
		port->flags |= OVSKVM_PORT_F_CREATOR_KNOWN;
		port->creator_pid = task_tgid_nr(current);
		port->creator_uid = from_kuid_munged(&init_user_ns, current_uid());
		port->creator_start_ns = current->group_leader->start_boottime;
		get_task_comm(port->creator_comm, current);
	}

	err = xa_insert(&ovskvm_ports, port->ifindex, port, GFP_KERNEL);
	if (err) {
		pr_warn_ratelimited("%s: cannot track tap: %d\n", dev->name, err);
		kmem_cache_free(ovskvm_port_cache, port);
		return;
	}
	ovskvm_nr_ports++;
	ovskvm_ports_gen++;
	ovskvm_stat_inc(OVSKVM_STAT_SEEN);

	ovskvm_port_evaluate(port, dev);
	ovskvm_stat_inc(port->action == OVSKVM_ACTION_ATTACH ?
			OVSKVM_STAT_MATCHED : OVSKVM_STAT_IGNORED);
	ovskvm_event_port(OVSKVM_CMD_PORT_NEW, port, NULL);
	if (port->state == OVSKVM_PORT_ATTACHED)
		ovskvm_event_port(OVSKVM_CMD_PORT_ATTACHED, port, NULL);
}

static void ovskvm_port_unregister(struct ovskvm_port *port)
{
	xa_erase(&ovskvm_ports, port->ifindex);
	list_del(&port->work_node);
	ovskvm_nr_ports--;
	ovskvm_ports_gen++;
	ovskvm_stat_inc(OVSKVM_STAT_REMOVED);
	if (!ovskvm_stopping)
		ovskvm_event_port(OVSKVM_CMD_PORT_DEL, port, NULL);
	kmem_cache_free(ovskvm_port_cache, port);
}

/*
 * Matches a port again, after a policy change, a rename, an address change,
 * its bridge's deletion or a request; tells userspace when the outcome
 * changed.
 */
static void ovskvm_port_reevaluate(struct ovskvm_port *port, struct net_device *dev)
{
	/*
	 * Rule ids are the user's and stay the same across pushes: a new
	 * bridge or VLAN under the same id must reach the agent too.
	 */
	u8 state = port->state, kind = port->bridge_kind, action = port->action;
	u32 rule_id = port->rule_id, rule_flags = port->rule_flags;
	u16 tag = port->vlan_tag, n_trunks = port->n_trunks;
	u16 trunks[OVSKVM_MAX_TRUNKS];
	char bridge[IFNAMSIZ];
	bool matched = port->matched;

	memcpy(trunks, port->trunks, n_trunks * sizeof(u16));
	strscpy(bridge, port->bridge, sizeof(bridge));
	ovskvm_port_evaluate(port, dev);
	if (port->state != state || port->rule_id != rule_id || port->matched != matched ||
	    port->bridge_kind != kind || port->action != action ||
	    port->rule_flags != rule_flags || port->vlan_tag != tag ||
	    port->n_trunks != n_trunks || strcmp(port->bridge, bridge) ||
	    memcmp(port->trunks, trunks, n_trunks * sizeof(u16)))
		ovskvm_event_port(OVSKVM_CMD_PORT_CHANGED, port, NULL);
}

/* Not attached, and not deliberately detached: the policy decides again. */
static bool ovskvm_port_rematchable(const struct ovskvm_port *port)
{
	return port->state == OVSKVM_PORT_PENDING || port->state == OVSKVM_PORT_IGNORED ||
	       port->state == OVSKVM_PORT_FAILED;
}

/* Only root renames a device: a new name is matched again. */
static void ovskvm_port_rename(struct ovskvm_port *port, struct net_device *dev)
{
	char old[IFNAMSIZ];

	if (!strcmp(port->name, dev->name))
		return;
	strscpy(old, port->name, sizeof(old));
	strscpy(port->name, dev->name, sizeof(port->name));
	ovskvm_event_port(OVSKVM_CMD_PORT_RENAMED, port, old);
	if (ovskvm_port_rematchable(port))
		ovskvm_port_reevaluate(port, dev);
}

/*
 * Whoever holds the tap's fd may set its address, without any capability:
 * it re-matches a port only while that is still waiting for its first
 * attach, so that it can neither undo a detach nor pick a rule later on.
 */
static void ovskvm_port_changeaddr(struct ovskvm_port *port, struct net_device *dev)
{
	ether_addr_copy(port->mac, dev->dev_addr);
	if (port->state == OVSKVM_PORT_PENDING && !(port->flags & OVSKVM_PORT_F_WAS_ATTACHED))
		ovskvm_port_reevaluate(port, dev);
}

static void ovskvm_port_changeupper(struct ovskvm_port *port, struct net_device *dev,
				    struct netdev_notifier_changeupper_info *info)
{
	if (!ovskvm_is_bridge_upper(info->upper_dev)) {
		/* Someone else's master: give up instead of waiting silently. */
		if (info->linking && info->master && port->state == OVSKVM_PORT_PENDING) {
			ovskvm_port_fail(port, -EBUSY,
					 "enslaved to a device that is no bridge (bond, team, VRF)");
			ovskvm_event_port(OVSKVM_CMD_PORT_CHANGED, port, NULL);
		}
		return;
	}
	/* The work item reports its own attach once the VLANs are set. */
	if (port->state == OVSKVM_PORT_IGNORED || port->attaching)
		return;

	if (info->linking) {
		ovskvm_port_attached(port, dev);
		ovskvm_event_port(OVSKVM_CMD_PORT_ATTACHED, port, NULL);
	} else if (port->state == OVSKVM_PORT_ATTACHED && dev->reg_state == NETREG_REGISTERED) {
		/* Taken away while alive; left alone until re-evaluated. */
		port->state = OVSKVM_PORT_DETACHED;
		port->detached_from = info->upper_dev->ifindex;
		/*
		 * Deleting a bridge unlinks its ports and unregisters it in
		 * one RTNL section; the work item, which needs RTNL, runs
		 * only after it.  Until then the detach may be the bridge's
		 * deletion; afterwards it is the operator's, and stays.
		 */
		port->detach_settling = true;
		ovskvm_port_queue(port, OVSKVM_WORK_SETTLE);
		ovskvm_event_port(OVSKVM_CMD_PORT_DETACHED, port, NULL);
	}
}

/*
 * A bridge (or the OVS datapath) goes away: deleting a bridge first takes
 * its ports off it, in the same RTNL section, which looked like detaches.
 * Those ports, and only those, wait again, to join a bridge of that name
 * when one is created; a port an operator detached earlier stays detached.
 */
static void ovskvm_bridge_gone(struct net_device *br)
{
	struct ovskvm_port *port;
	struct net_device *dev;
	unsigned long index;

	if (!ovskvm_is_bridge_upper(br))
		return;
	xa_for_each(&ovskvm_ports, index, port) {
		if (port->state != OVSKVM_PORT_DETACHED || !port->detach_settling ||
		    port->detached_from != br->ifindex)
			continue;
		port->detach_settling = false;
		dev = __dev_get_by_index(&init_net, port->ifindex);
		if (dev)
			ovskvm_port_reevaluate(port, dev);
	}
}

/* A device named @br->name now exists: ports waiting for it can go on. */
static void ovskvm_bridge_appeared(struct net_device *br)
{
	u8 kind = ovskvm_bridge_kind(br);
	struct ovskvm_port *port;
	struct net_device *dev;
	unsigned long index;

	if (kind != OVSKVM_BRIDGE_LINUX && kind != OVSKVM_BRIDGE_OVS)
		return;
	xa_for_each(&ovskvm_ports, index, port) {
		if (port->state != OVSKVM_PORT_PENDING || strcmp(port->bridge, br->name))
			continue;
		dev = __dev_get_by_index(&init_net, port->ifindex);
		if (!dev)
			continue;
		ovskvm_port_try_attach(port, dev);
		/* The agent retries an OVS port at once. */
		if (kind == OVSKVM_BRIDGE_OVS || port->state != OVSKVM_PORT_PENDING)
			ovskvm_event_port(OVSKVM_CMD_PORT_CHANGED, port, NULL);
	}
}

static int ovskvm_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct ovskvm_port *port;

	if (!net_eq(dev_net(dev), &init_net))
		return NOTIFY_DONE;

	if (event == NETDEV_REGISTER) {
		if (ovskvm_is_tap(dev))
			ovskvm_port_register(dev);
		else
			ovskvm_bridge_appeared(dev);
		return NOTIFY_DONE;
	}

	port = xa_load(&ovskvm_ports, dev->ifindex);
	if (!port) {
		if (event == NETDEV_CHANGENAME)
			ovskvm_bridge_appeared(dev);
		else if (event == NETDEV_UNREGISTER && !ovskvm_stopping)
			ovskvm_bridge_gone(dev);
		return NOTIFY_DONE;
	}

	switch (event) {
	case NETDEV_UNREGISTER:
		ovskvm_port_unregister(port);
		break;
	case NETDEV_CHANGENAME:
		ovskvm_port_rename(port, dev);
		break;
	case NETDEV_CHANGEUPPER:
		ovskvm_port_changeupper(port, dev, ptr);
		break;
	case NETDEV_UP:
		port->up_ns = ktime_get_ns();
		break;
	case NETDEV_CHANGEADDR:
		ovskvm_port_changeaddr(port, dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ovskvm_netdev_notifier = {
	.notifier_call = ovskvm_netdev_event,
};

/* One IFLA_AF_SPEC request to the bridge, as `bridge vlan add|del` sends. */
static int ovskvm_br_vlan_request(struct net_device *br, struct net_device *dev, bool add,
				  const struct bridge_vlan_info *vlans, unsigned int n)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	struct nlattr *spec;
	unsigned int i;
	int err;

	skb = nlmsg_new(NLMSG_ALIGN(sizeof(*ifi)) +
			nla_total_size(n * nla_total_size(sizeof(*vlans))), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	nlh = nlmsg_put(skb, 0, 0, add ? RTM_SETLINK : RTM_DELLINK, sizeof(*ifi), 0);
	if (!nlh)
		goto err_msgsize;
	ifi = nlmsg_data(nlh);
	memset(ifi, 0, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = dev->ifindex;
	spec = nla_nest_start(skb, IFLA_AF_SPEC);
	if (!spec)
		goto err_msgsize;
	for (i = 0; i < n; i++)
		if (nla_put(skb, IFLA_BRIDGE_VLAN_INFO, sizeof(vlans[i]), &vlans[i]))
			goto err_msgsize;
	nla_nest_end(skb, spec);
	nlmsg_end(skb, nlh);

	if (add)
		err = br->netdev_ops->ndo_bridge_setlink(dev, nlh, 0, NULL);
	else
		err = br->netdev_ops->ndo_bridge_dellink(dev, nlh, 0);
	kfree_skb(skb);
	return err;

err_msgsize:
	kfree_skb(skb);
	return -EMSGSIZE;
}

/*
 * The bridge module's VLAN helpers, through symbol_get(): a link-time
 * reference would make bridge.ko our dependency, and `modprobe -r` of this
 * module would then unload it too, deleting every bridge on the host.  The
 * bridge exists, so bridge.ko is there.
 */
static bool ovskvm_br_vlan_enabled(const struct net_device *br)
{
	bool (*enabled)(const struct net_device *dev) = symbol_get(br_vlan_enabled);
	bool ret;

	if (!enabled)
		return false;
	ret = enabled(br);
	symbol_put(br_vlan_enabled);
	return ret;
}

static int ovskvm_br_port_pvid(const struct net_device *dev, u16 *pvid)
{
	int (*get_pvid)(const struct net_device *dev, u16 *pvid) = symbol_get(br_vlan_get_pvid);
	int err;

	if (!get_pvid)
		return -EOPNOTSUPP;
	err = get_pvid(dev, pvid);
	symbol_put(br_vlan_get_pvid);
	return err;
}

/*
 * The rule's VLAN on a port of a VLAN-filtering Linux bridge: a tag is the
 * port's only VLAN, its pvid, untagged; trunks are tagged members only.
 * Either way the bridge's default pvid, given to every new port, goes.
 */
static int ovskvm_br_vlan_apply(struct ovskvm_port *port, struct net_device *br,
				struct net_device *dev)
{
	struct bridge_vlan_info vlans[OVSKVM_MAX_TRUNKS];
	struct bridge_vlan_info def = {};
	unsigned int i;
	int err;

	err = ovskvm_br_port_pvid(dev, &def.vid);
	if (err)
		return err;
	if (port->vlan_tag) {
		vlans[0].vid = port->vlan_tag;
		vlans[0].flags = BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED;
		err = ovskvm_br_vlan_request(br, dev, true, vlans, 1);
		if (!err && def.vid && def.vid != port->vlan_tag)
			err = ovskvm_br_vlan_request(br, dev, false, &def, 1);
		return err;
	}
	if (def.vid) {
		err = ovskvm_br_vlan_request(br, dev, false, &def, 1);
		if (err)
			return err;
	}
	for (i = 0; i < port->n_trunks; i++) {
		vlans[i].vid = port->trunks[i];
		vlans[i].flags = 0;
	}
	return ovskvm_br_vlan_request(br, dev, true, vlans, port->n_trunks);
}

static bool ovskvm_trunks_fit_bridge(const struct ovskvm_port *port)
{
	unsigned int i;

	for (i = 0; i < port->n_trunks; i++)
		if (!port->trunks[i] || port->trunks[i] >= VLAN_VID_MASK)
			return false;
	return true;
}

/*
 * Enslaves a pending port to its Linux bridge, as `ip link set TAP master BR`
 * does, with the bridge's MTU and the rule's VLANs; on any failure the tap
 * is left as it was (no master, its own MTU) and the port fails.
 */
static void ovskvm_work_attach(struct ovskvm_port *port, struct net_device *dev)
{
	bool vlan = port->vlan_tag || port->n_trunks;
	unsigned int old_mtu = dev->mtu;
	const char *reason;
	struct net_device *br;
	int err;

	if (port->state != OVSKVM_PORT_PENDING || netdev_master_upper_dev_get(dev))
		return;
	br = __dev_get_by_name(&init_net, port->bridge);
	port->bridge_kind = ovskvm_bridge_kind(br);
	if (port->bridge_kind != OVSKVM_BRIDGE_LINUX)
		return;		/* gone again: wait for it */

	if (vlan && !ovskvm_br_vlan_enabled(br)) {
		err = -EOPNOTSUPP;
		reason = "the rule has a VLAN but the bridge does not filter VLANs (vlan_filtering 0)";
		goto err_fail;
	}
	if (vlan && !ovskvm_trunks_fit_bridge(port)) {
		err = -ERANGE;
		reason = "a Linux bridge cannot carry trunk VLAN 0 or 4095";
		goto err_fail;
	}
	if (dev->mtu != br->mtu) {
		err = dev_set_mtu(dev, br->mtu);
		if (err) {
			reason = "cannot take the bridge's MTU";
			goto err_fail;
		}
	}

	port->attaching = true;
	err = br->netdev_ops->ndo_add_slave(br, dev, NULL);
	if (err) {
		reason = "the bridge refused the tap";
		goto err_restore_mtu;
	}
	if (vlan) {
		err = ovskvm_br_vlan_apply(port, br, dev);
		if (err) {
			reason = "cannot program the rule's VLANs on the bridge port";
			goto err_del_slave;
		}
	}
	port->attaching = false;
	ovskvm_port_attached(port, dev);
	ovskvm_event_port(OVSKVM_CMD_PORT_ATTACHED, port, NULL);
	return;

err_del_slave:
	br->netdev_ops->ndo_del_slave(br, dev);
err_restore_mtu:
	port->attaching = false;
	if (dev->mtu != old_mtu)
		dev_set_mtu(dev, old_mtu);
err_fail:
	pr_warn_ratelimited("%s: cannot attach to %s: %s: %d\n", dev->name, br->name, reason, err);
	ovskvm_port_fail(port, err, reason);
	ovskvm_event_port(OVSKVM_CMD_PORT_CHANGED, port, NULL);
}

/* A port waiting for the agent takes its OVS bridge's MTU. */
static void ovskvm_work_mtu(struct ovskvm_port *port, struct net_device *dev)
{
	int err;

	if (!port->target_mtu || dev->mtu == port->target_mtu ||
	    (port->state != OVSKVM_PORT_PENDING && port->state != OVSKVM_PORT_ATTACHED))
		return;
	err = dev_set_mtu(dev, port->target_mtu);
	if (!err)
		return;
	pr_warn_ratelimited("%s: cannot take the MTU %u of %s: %d\n", dev->name,
			    port->target_mtu, port->bridge, err);
	if (port->state == OVSKVM_PORT_PENDING) {
		ovskvm_port_fail(port, err, "cannot take the bridge's MTU");
		ovskvm_event_port(OVSKVM_CMD_PORT_CHANGED, port, NULL);
	}
}

static void ovskvm_work_up(struct ovskvm_port *port, struct net_device *dev)
{
	int err;

	if (port->state != OVSKVM_PORT_ATTACHED || (dev->flags & IFF_UP))
		return;
	err = dev_change_flags(dev, dev->flags | IFF_UP, NULL);
	if (err) {
		pr_warn_ratelimited("%s: cannot bring up: %d\n", dev->name, err);
		port->error = err;
		port->reason = "attached, but cannot be brought up";
		return;
	}
	port->flags |= OVSKVM_PORT_F_UP;
}

static void ovskvm_work_fn(struct work_struct *work)
{
	struct ovskvm_port *port;
	struct net_device *dev;
	unsigned int todo, n = 0;

	rtnl_lock();
	while ((port = list_first_entry_or_null(&ovskvm_work_list,
						struct ovskvm_port, work_node))) {
		if (++n > OVSKVM_WORK_BATCH) {
			schedule_work(&ovskvm_work);
			break;
		}
		list_del_init(&port->work_node);
		todo = port->work;
		port->work = 0;
		/* Ports leave the table at NETDEV_UNREGISTER: the device exists. */
		dev = __dev_get_by_index(&init_net, port->ifindex);
		if (WARN_ON_ONCE(!dev))
			continue;
		if (todo & OVSKVM_WORK_SETTLE)
			port->detach_settling = false;
		if (todo & OVSKVM_WORK_MTU)
			ovskvm_work_mtu(port, dev);
		if (todo & OVSKVM_WORK_ATTACH)
			ovskvm_work_attach(port, dev);
		if (todo & OVSKVM_WORK_UP)
			ovskvm_work_up(port, dev);
	}
	rtnl_unlock();
}

void ovskvm_ports_policy_changed(void)
{
	struct ovskvm_port *port;
	struct net_device *dev;
	unsigned long index;

	ASSERT_RTNL();
	xa_for_each(&ovskvm_ports, index, port) {
		if (port->state != OVSKVM_PORT_PENDING)
			continue;
		dev = __dev_get_by_index(&init_net, port->ifindex);
		if (dev)
			ovskvm_port_reevaluate(port, dev);
	}
}

/*
 * An administrator's request to match one port again: the only way a
 * deliberately detached port is attached again.
 */
int ovskvm_port_reevaluate_one(int ifindex)
{
	struct ovskvm_port *port;
	struct net_device *dev;

	ASSERT_RTNL();
	port = xa_load(&ovskvm_ports, ifindex);
	dev = __dev_get_by_index(&init_net, ifindex);
	if (!port || !dev)
		return -ENODEV;
	if (port->state != OVSKVM_PORT_ATTACHED)
		ovskvm_port_reevaluate(port, dev);
	return 0;
}

/* Matches every pending, failed or ignored port again. */
void ovskvm_ports_reevaluate_all(void)
{
	struct ovskvm_port *port;
	struct net_device *dev;
	unsigned long index;

	ASSERT_RTNL();
	xa_for_each(&ovskvm_ports, index, port) {
		if (!ovskvm_port_rematchable(port))
			continue;
		dev = __dev_get_by_index(&init_net, port->ifindex);
		if (dev)
			ovskvm_port_reevaluate(port, dev);
	}
}

int ovskvm_ports_init(void)
{
	int err;

	ovskvm_port_cache = KMEM_CACHE(ovskvm_port, 0);
	if (!ovskvm_port_cache)
		return -ENOMEM;
	WRITE_ONCE(ovskvm_replay_task, current);
	err = register_netdevice_notifier(&ovskvm_netdev_notifier);
	WRITE_ONCE(ovskvm_replay_task, NULL);
	if (err)
		kmem_cache_destroy(ovskvm_port_cache);
	return err;
}

void ovskvm_ports_exit(void)
{
	rtnl_lock();
	ovskvm_stopping = true;
	rtnl_unlock();
	/* Replays NETDEV_UNREGISTER for every device: frees every port. */
	unregister_netdevice_notifier(&ovskvm_netdev_notifier);
	cancel_work_sync(&ovskvm_work);
	WARN_ON(!xa_empty(&ovskvm_ports));
	xa_destroy(&ovskvm_ports);
	/* Warns, and fails the selftests, if a port was leaked. */
	kmem_cache_destroy(ovskvm_port_cache);
}
