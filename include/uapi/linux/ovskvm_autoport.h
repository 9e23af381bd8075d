/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ovskvm_autoport: automatic attachment of KVM guest tap devices to Linux and
 * Open vSwitch bridges.
 *
 * The module tracks every tap device (tun driver in tap mode) that registers
 * in the initial network namespace, matches it against an ordered rule list
 * and either attaches it to a Linux bridge itself or leaves it pending for the
 * userspace agent, which adds it to Open vSwitch through OVSDB.  It speaks the
 * generic netlink family OVSKVM_GENL_NAME, version OVSKVM_GENL_VERSION, and
 * multicasts events on the group OVSKVM_GENL_MCGRP_EVENTS.
 *
 * Permissions: only OVSKVM_CMD_GET_STATUS is open to every user.  Every
 * other command, and joining the event group, requires CAP_NET_ADMIN: ports
 * carry other users' process data (creator pid, uid, comm), and the policy is
 * the host's.  Resolving the family does not load the module (it has no
 * family alias): userspace loads it explicitly, as root.
 *
 * Trust: the module acts only on taps created while it is loaded.  Taps that
 * existed before it loaded are tracked and shown, but only an attach rule
 * with OVSKVM_RULE_F_PREEXISTING can enslave or bring them up.  Whoever holds
 * a tap's file descriptor may change its MAC address (no capability needed),
 * so an address change re-matches a port only while it is pending and has
 * never been attached.  The creator's identity (pid, uid, comm, start time)
 * is a label among processes that already hold CAP_NET_ADMIN over the tap's
 * creation, never a security boundary: comm is whatever the process named
 * itself.
 *
 * Attaching: a tap takes its bridge's MTU before it is attached, to a Linux
 * bridge (the module enslaves it) or to an OVS bridge (before the agent is
 * told), as libvirt does; a failed attach restores the MTU it had.  On a
 * Linux bridge that filters VLANs, the rule's VLAN is programmed on the port
 * as `bridge vlan add` would: a tag becomes the port's pvid, untagged, and
 * trunks become tagged members; the bridge's default pvid is removed.  A
 * Linux bridge that does not filter VLANs cannot apply a rule's VLAN: such a
 * port fails, with its reason, instead of seeing every VLAN.
 *
 * OVSKVM_A_PAD pads 64-bit attributes where the architecture needs it.
 * The same contract, machine-readable: include/netlink/specs/ovskvm_autoport.yaml
 * (YNL, checked against this header by selftests/ynl_check).
 *
 * Every message the module sends, events and the replies to GET_PORT and
 * GET_POLICY alike, carries OVSKVM_A_EVENT_SEQ, the sequence number of the
 * last event sent when the message was built, so that a listener can line a
 * dump up against the event stream.
 *
 * Commands and their attribute trees:
 *
 * OVSKVM_CMD_GET_STATUS: do; no attributes.  Reply:
 *    OVSKVM_A_VERSION: NLA_NUL_STRING, module version
 *    OVSKVM_A_POLICY_SOURCE: NLA_U8, enum ovskvm_policy_source
 *    OVSKVM_A_POLICY_GEN: NLA_U32, bumped on every policy change
 *    OVSKVM_A_RULE_COUNT: NLA_U32
 *    OVSKVM_A_PORT_COUNT: NLA_U32, ports tracked now
 *    OVSKVM_A_EVENT_SEQ: NLA_U64, sequence number of the last event sent
 *    OVSKVM_A_STATS: NLA_NESTED
 *        OVSKVM_STAT_SEEN ... OVSKVM_STAT_EVENTS: NLA_U64 each, see below;
 *        OVSKVM_STAT_UNSPEC is padding where a u64 needs it: skip it
 *
 * OVSKVM_CMD_SET_POLICY: do, CAP_NET_ADMIN.  Replaces the whole rule list
 * atomically; a rejected request leaves the previous policy in force.  The
 * reply carries OVSKVM_A_POLICY_GEN, the generation installed, and
 * OVSKVM_A_EVENT_SEQ, the POLICY_CHANGED event's sequence number.
 *    OVSKVM_A_POLICY_FLAGS: NLA_U32, optional, enum ovskvm_policy_flags;
 *                           OVSKVM_POLICY_F_DEFAULT restores the policy built
 *                           from the module parameters (no rules allowed then)
 *    OVSKVM_A_RULES: NLA_NESTED, at most OVSKVM_MAX_RULES entries, in order
 *        (type 0; the type is ignored): NLA_NESTED, one rule
 *            OVSKVM_RULE_A_ID: NLA_U32, chosen by userspace, required
 *            OVSKVM_RULE_A_ACTION: NLA_U8, enum ovskvm_action, required
 *            OVSKVM_RULE_A_NAMES: NLA_NESTED, optional, at most
 *                                 OVSKVM_MAX_NAMES entries
 *                (type 0, ignored): NLA_NUL_STRING, glob, < OVSKVM_GLOB_LEN bytes,
 *                            in the kernel's glob_match() dialect: * ? [...]
 *                            with ! negation and ranges, \ escapes; no ^
 *            OVSKVM_RULE_A_MAC: NLA_BINARY, 6 bytes, optional
 *            OVSKVM_RULE_A_MAC_MASK: NLA_BINARY, 6 bytes, optional (default
 *                                    ff:ff:ff:ff:ff:ff), needs _MAC
 *            OVSKVM_RULE_A_UID_MIN: NLA_U32, optional, creator's real uid
 *            OVSKVM_RULE_A_UID_MAX: NLA_U32, optional (default _UID_MIN)
 *            OVSKVM_RULE_A_COMM: NLA_NUL_STRING, < OVSKVM_GLOB_LEN bytes,
 *                                glob on the creator's comm
 *            OVSKVM_RULE_A_BRIDGE: NLA_NUL_STRING, < IFNAMSIZ, required for
 *                                  OVSKVM_ACTION_ATTACH, refused otherwise
 *            OVSKVM_RULE_A_VLAN_TAG: NLA_U16, 1..4094, optional
 *            OVSKVM_RULE_A_VLAN_TRUNKS: NLA_NESTED, optional, at most
 *                                       OVSKVM_MAX_TRUNKS entries, not with _TAG
 *                (type 0, ignored): NLA_U16, 0..4095
 *            OVSKVM_RULE_A_FLAGS: NLA_U32, enum ovskvm_rule_flags
 *        _VLAN_TAG, _VLAN_TRUNKS and _FLAGS belong to attach rules: an
 *        ignore rule carrying one is refused (EINVAL), as is a list
 *        (_RULES, _NAMES, _VLAN_TRUNKS) with bytes after its last entry.
 *    A rule matches when every match attribute it carries matches; a rule
 *    with no match attribute matches every tap.  The first matching rule wins.
 *    A uid or comm criterion never matches a tap whose creator is unknown
 *    (one that existed before the module loaded), and an attach rule matches
 *    such a tap only with OVSKVM_RULE_F_PREEXISTING.
 *
 * OVSKVM_CMD_GET_POLICY: dump, CAP_NET_ADMIN; no attributes.  One message
 * per rule:
 *    OVSKVM_A_EVENT_SEQ, OVSKVM_A_POLICY_SOURCE, OVSKVM_A_POLICY_GEN,
 *    OVSKVM_A_RULE_INDEX: NLA_U32, position in the list
 *    OVSKVM_A_RULE: NLA_NESTED, the rule's attributes as above
 *    A policy change during the dump sets NLM_F_DUMP_INTR.
 *
 * OVSKVM_CMD_GET_PORT: do with OVSKVM_A_IFINDEX or OVSKVM_A_IFNAME; dump
 * (ordered by ifindex) of every port, which ignores those two; CAP_NET_ADMIN.  Each reply is a port
 * message:
 *    OVSKVM_A_EVENT_SEQ: NLA_U64, see above
 *    OVSKVM_A_IFINDEX: NLA_U32
 *    OVSKVM_A_IFNAME: NLA_NUL_STRING
 *    OVSKVM_A_MAC: NLA_BINARY, 6 bytes, the tap's current address
 *    OVSKVM_A_STATE: NLA_U8, enum ovskvm_port_state
 *    OVSKVM_A_PORT_FLAGS: NLA_U32, enum ovskvm_port_flags
 *    The creator attributes are present only with OVSKVM_PORT_F_CREATOR_KNOWN,
 *    i.e. when the module saw the tap register (TUNSETIFF runs in the
 *    creating task: QEMU when it opens the tap itself, the management
 *    daemon when that one creates it and passes the fd on):
 *    OVSKVM_A_CREATOR_PID: NLA_U32, thread group id of the creating task
 *    OVSKVM_A_CREATOR_UID: NLA_U32, real uid of the creating thread, in the
 *                          initial user namespace
 *    OVSKVM_A_CREATOR_COMM: NLA_NUL_STRING, the creating thread's comm
 *    OVSKVM_A_CREATOR_START_NS: NLA_U64, start time of the creator's thread
 *                          group leader, CLOCK_BOOTTIME in ns; divided by
 *                          10^9 / USER_HZ it equals field 22 (starttime) of
 *                          /proc/PID/stat, which rules out a reused pid
 *    OVSKVM_A_REGISTER_NS: NLA_U64, CLOCK_MONOTONIC when it registered
 *    OVSKVM_A_ATTACH_NS: NLA_U64, CLOCK_MONOTONIC when a bridge took it
 *    OVSKVM_A_UP_NS: NLA_U64, CLOCK_MONOTONIC when it was brought up
 *    OVSKVM_A_ATTACH_LATENCY_NS: NLA_U64, _ATTACH_NS - _REGISTER_NS
 *    OVSKVM_A_RULE_ID: NLA_U32, absent when no rule matched
 *    OVSKVM_A_BRIDGE: NLA_NUL_STRING, target bridge
 *    OVSKVM_A_BRIDGE_KIND: NLA_U8, enum ovskvm_bridge_kind
 *    OVSKVM_A_VLAN_TAG, OVSKVM_A_VLAN_TRUNKS: as in the rule
 *    OVSKVM_A_RULE_FLAGS: NLA_U32, the matched rule's flags
 *    OVSKVM_A_ERROR: NLA_S32, last error as a negative errno, 0 for none
 *    OVSKVM_A_REASON: NLA_NUL_STRING, optional: why the port is pending,
 *                     failed or ignored, in words
 *    OVSKVM_A_MASTER: NLA_NUL_STRING, the device's master, when it has one
 *    OVSKVM_A_MTU: NLA_U32, the tap's MTU
 *
 * OVSKVM_CMD_REEVALUATE: do, CAP_NET_ADMIN.  Matches ports again against the
 * policy in force and acts on the result; attached ports are left alone.
 *    OVSKVM_A_IFINDEX: NLA_U32, 1..INT_MAX, optional: only this port, which
 *                      may be a detached one (an administrator's request)
 *    Without it every pending, failed or ignored port is matched; detached
 *    ports stay detached.
 *
 * Events, multicast on OVSKVM_GENL_MCGRP_EVENTS.  Every event carries
 * OVSKVM_A_EVENT_SEQ (NLA_U64), one more than the previous event's; a gap, or
 * ENOBUFS on the socket, means events were lost and a listener should dump.
 * Listeners must ignore commands they do not know: newer modules may add
 * events.
 *    OVSKVM_CMD_PORT_NEW, _PORT_ATTACHED, _PORT_DETACHED, _PORT_DEL: a port
 *        message as above
 *    OVSKVM_CMD_PORT_RENAMED: a port message plus OVSKVM_A_OLD_IFNAME
 *    OVSKVM_CMD_PORT_CHANGED: a port message, sent when a port's state or
 *        matched rule changed other than by attach or detach: the policy,
 *        its name or its address changed, attaching failed, its Linux bridge
 *        was deleted (back to pending) or the OVS bridge it waits for appeared
 *        (the agent retries then)
 *    OVSKVM_CMD_POLICY_CHANGED: OVSKVM_A_POLICY_SOURCE, OVSKVM_A_POLICY_GEN,
 *        OVSKVM_A_RULE_COUNT
 */

#ifndef _UAPI_LINUX_OVSKVM_AUTOPORT_H
#define _UAPI_LINUX_OVSKVM_AUTOPORT_H

#define OVSKVM_GENL_NAME		"ovskvm_autoport"
#define OVSKVM_GENL_VERSION		1
#define OVSKVM_GENL_MCGRP_EVENTS	"events"

#define OVSKVM_MAX_RULES		256
#define OVSKVM_MAX_NAMES		8
#define OVSKVM_GLOB_LEN			64
#define OVSKVM_MAX_TRUNKS		64
#define OVSKVM_VLAN_MAX			4095

enum ovskvm_cmd {
	OVSKVM_CMD_UNSPEC,
	OVSKVM_CMD_GET_STATUS,
	OVSKVM_CMD_SET_POLICY,
	OVSKVM_CMD_GET_POLICY,
	OVSKVM_CMD_GET_PORT,
	OVSKVM_CMD_REEVALUATE,
	OVSKVM_CMD_PORT_NEW,
	OVSKVM_CMD_PORT_ATTACHED,
	OVSKVM_CMD_PORT_DETACHED,
	OVSKVM_CMD_PORT_DEL,
	OVSKVM_CMD_PORT_RENAMED,
	OVSKVM_CMD_POLICY_CHANGED,
	OVSKVM_CMD_PORT_CHANGED,
	__OVSKVM_CMD_LAST
};
#define OVSKVM_CMD_MAX (__OVSKVM_CMD_LAST - 1)

enum ovskvm_attr {
	OVSKVM_A_UNSPEC,
	OVSKVM_A_VERSION,
	OVSKVM_A_POLICY_SOURCE,
	OVSKVM_A_POLICY_GEN,
	OVSKVM_A_POLICY_FLAGS,
	OVSKVM_A_RULE_COUNT,
	OVSKVM_A_PORT_COUNT,
	OVSKVM_A_EVENT_SEQ,
	OVSKVM_A_STATS,
	OVSKVM_A_RULES,
	OVSKVM_A_RULE,
	OVSKVM_A_RULE_INDEX,
	OVSKVM_A_IFINDEX,
	OVSKVM_A_IFNAME,
	OVSKVM_A_OLD_IFNAME,
	OVSKVM_A_MAC,
	OVSKVM_A_STATE,
	OVSKVM_A_PORT_FLAGS,
	OVSKVM_A_CREATOR_PID,
	OVSKVM_A_CREATOR_UID,
	OVSKVM_A_CREATOR_COMM,
	OVSKVM_A_REGISTER_NS,
	OVSKVM_A_ATTACH_NS,
	OVSKVM_A_UP_NS,
	OVSKVM_A_ATTACH_LATENCY_NS,
	OVSKVM_A_RULE_ID,
	OVSKVM_A_BRIDGE,
	OVSKVM_A_BRIDGE_KIND,
	OVSKVM_A_VLAN_TAG,
	OVSKVM_A_VLAN_TRUNKS,
	OVSKVM_A_RULE_FLAGS,
	OVSKVM_A_ERROR,
	OVSKVM_A_MASTER,
	OVSKVM_A_PAD,
	OVSKVM_A_CREATOR_START_NS,
	OVSKVM_A_REASON,
	OVSKVM_A_MTU,
	__OVSKVM_A_LAST
};
#define OVSKVM_A_MAX (__OVSKVM_A_LAST - 1)

enum ovskvm_rule_attr {
	OVSKVM_RULE_A_UNSPEC,
	OVSKVM_RULE_A_ID,
	OVSKVM_RULE_A_ACTION,
	OVSKVM_RULE_A_NAMES,
	OVSKVM_RULE_A_MAC,
	OVSKVM_RULE_A_MAC_MASK,
	OVSKVM_RULE_A_UID_MIN,
	OVSKVM_RULE_A_UID_MAX,
	OVSKVM_RULE_A_COMM,
	OVSKVM_RULE_A_BRIDGE,
	OVSKVM_RULE_A_VLAN_TAG,
	OVSKVM_RULE_A_VLAN_TRUNKS,
	OVSKVM_RULE_A_FLAGS,
	__OVSKVM_RULE_A_LAST
};
#define OVSKVM_RULE_A_MAX (__OVSKVM_RULE_A_LAST - 1)

enum ovskvm_stat {
	OVSKVM_STAT_UNSPEC,
	OVSKVM_STAT_SEEN,	/* taps tracked since load */
	OVSKVM_STAT_MATCHED,	/* of those, matched an attach rule when seen */
	OVSKVM_STAT_IGNORED,	/* matched an ignore rule, or none, when seen */
	OVSKVM_STAT_ATTACHED,	/* attaches to a Linux bridge or OVS */
	OVSKVM_STAT_FAILED,	/* attach failures */
	OVSKVM_STAT_REMOVED,	/* tracked taps unregistered */
	OVSKVM_STAT_EVENTS,	/* events multicast */
	__OVSKVM_STAT_LAST
};
#define OVSKVM_STAT_MAX (__OVSKVM_STAT_LAST - 1)

enum ovskvm_policy_source {
	OVSKVM_POLICY_SOURCE_PARAMS,	/* built from the module parameters */
	OVSKVM_POLICY_SOURCE_USER,	/* pushed with OVSKVM_CMD_SET_POLICY */
};

enum ovskvm_policy_flags {
	OVSKVM_POLICY_F_DEFAULT = 1U << 0,
	OVSKVM_POLICY_F_ALL = OVSKVM_POLICY_F_DEFAULT
};

enum ovskvm_action {
	OVSKVM_ACTION_UNSPEC,
	OVSKVM_ACTION_ATTACH,
	OVSKVM_ACTION_IGNORE,
	__OVSKVM_ACTION_LAST
};
#define OVSKVM_ACTION_MAX (__OVSKVM_ACTION_LAST - 1)

enum ovskvm_rule_flags {
	/* Bring the tap up once a bridge has taken it. */
	OVSKVM_RULE_F_UP = 1U << 0,
	/* Also act on taps that existed before the module loaded. */
	OVSKVM_RULE_F_PREEXISTING = 1U << 1,
	OVSKVM_RULE_F_ALL = OVSKVM_RULE_F_UP | OVSKVM_RULE_F_PREEXISTING
};

enum ovskvm_port_state {
	OVSKVM_PORT_PENDING,	/* waiting for its bridge (or for OVS) */
	OVSKVM_PORT_ATTACHED,	/* a bridge, or the OVS datapath, took it */
	OVSKVM_PORT_IGNORED,	/* an ignore rule, or no rule, matched */
	OVSKVM_PORT_FAILED,	/* attaching failed, see OVSKVM_A_ERROR */
	OVSKVM_PORT_DETACHED,	/* taken away after attach, until REEVALUATE */
	__OVSKVM_PORT_STATE_LAST
};
#define OVSKVM_PORT_STATE_MAX (__OVSKVM_PORT_STATE_LAST - 1)

enum ovskvm_port_flags {
	/* The tap existed before the module loaded; creator unknown. */
	OVSKVM_PORT_F_PREEXISTING = 1U << 0,
	/* The module brought the tap up. */
	OVSKVM_PORT_F_UP = 1U << 1,
	/* The module saw the tap register: the creator attributes are set. */
	OVSKVM_PORT_F_CREATOR_KNOWN = 1U << 2,
	/* A bridge or the OVS datapath has taken the tap at least once. */
	OVSKVM_PORT_F_WAS_ATTACHED = 1U << 3,
};

enum ovskvm_bridge_kind {
	OVSKVM_BRIDGE_NONE,	/* no device of that name (yet) */
	OVSKVM_BRIDGE_LINUX,	/* a Linux bridge: the module attaches */
	OVSKVM_BRIDGE_OVS,	/* an OVS bridge: the agent attaches */
	OVSKVM_BRIDGE_OTHER,	/* some other device: cannot attach */
};

#endif /* _UAPI_LINUX_OVSKVM_AUTOPORT_H */
