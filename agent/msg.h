/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_MSG_H
#define OVSKVM_MSG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <linux/ovskvm_autoport.h>

#include "config.h"

#define OVSKVM_COMM_LEN		16

/* A port message: GET_PORT replies and the PORT_* events. */
struct ovskvm_port {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	char old_ifname[IFNAMSIZ];	/* PORT_RENAMED */
	uint8_t mac[6];
	bool has_mac;
	uint8_t state;			/* enum ovskvm_port_state */
	uint32_t flags;			/* enum ovskvm_port_flags */
	/* Set with OVSKVM_PORT_F_CREATOR_KNOWN: labels, not proof. */
	uint32_t creator_pid;
	uint32_t creator_uid;
	char creator_comm[OVSKVM_COMM_LEN];
	uint64_t creator_start_ns;	/* CLOCK_BOOTTIME of its start */
	uint64_t register_ns, attach_ns, up_ns, latency_ns;
	bool has_rule;
	uint32_t rule_id;
	char bridge[IFNAMSIZ];
	uint8_t bridge_kind;		/* enum ovskvm_bridge_kind */
	uint16_t vlan_tag;
	uint16_t trunks[OVSKVM_MAX_TRUNKS];
	unsigned int n_trunks;
	uint32_t rule_flags;
	int32_t error;
	char reason[128];		/* why pending, failed or ignored */
	uint32_t mtu;
	char master[IFNAMSIZ];
};

struct ovskvm_status {
	char version[64];
	uint8_t policy_source;
	uint32_t policy_gen;
	uint32_t rule_count;
	uint32_t port_count;
	uint64_t event_seq;
	uint64_t stats[OVSKVM_STAT_MAX + 1];
};

struct ovskvm_event {
	uint8_t cmd;			/* enum ovskvm_cmd */
	bool known;			/* a command this agent understands */
	bool has_seq;
	uint64_t seq;
	struct ovskvm_port port;	/* PORT_* */
	uint8_t policy_source;		/* POLICY_CHANGED */
	uint32_t policy_gen;
	uint32_t rule_count;
};

/*
 * Decoders of generic netlink messages of the family.  Unknown attributes
 * are skipped (a newer module may send more); a known one of the wrong size
 * fails with -EPROTO.  All return 0 or -errno.
 */
int msg_parse_port(const struct nlmsghdr *nlh, struct ovskvm_port *port);
int msg_parse_status(const struct nlmsghdr *nlh, struct ovskvm_status *st);
/*
 * An event: its command and sequence number are set whenever the message
 * has a generic netlink header, even when the rest fails to parse (the
 * caller must still count it).  A command this agent does not know (a newer
 * module's) parses as ev->known = false, not as an error.
 */
int msg_parse_event(const struct nlmsghdr *nlh, struct ovskvm_event *ev);

/*
 * One GET_POLICY dump message back into a config_rule (key_line[] is 1 for
 * each key present).  *INDEX gets OVSKVM_A_RULE_INDEX.
 */
int msg_parse_rule(const struct nlmsghdr *nlh, struct config_rule *rule,
		   uint32_t *index, uint8_t *source, uint32_t *gen);

const char *port_state_name(uint8_t state);
const char *bridge_kind_name(uint8_t kind);
const char *event_name(uint8_t cmd);
const char *stat_name(unsigned int stat);

#endif
