/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_GENL_H
#define OVSKVM_GENL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libmnl/libmnl.h>

#include "config.h"
#include "msg.h"

#define GENL_BUF_SIZE	65536

/* A generic netlink socket talking to the module's family. */
struct genl {
	struct mnl_socket *nl;
	uint16_t family;		/* resolved id */
	uint32_t version;		/* the module's family version */
	uint32_t mcgrp;			/* "events" group id, 0: none */
	uint32_t portid;
	uint32_t seq;
	char errmsg[256];		/* extack message of the last error */
	bool has_erroff;
	uint32_t erroff;		/* extack offending attribute offset */
	char *buf;
};

/*
 * Open a socket and resolve the family, its version and the events group from
 * one CTRL_CMD_GETFAMILY.  Returns 0, -ENOENT when the family is not
 * registered (the module is not loaded), or -errno.
 */
int genl_open(struct genl *g);
void genl_close(struct genl *g);

/* Say why ERR happened on stderr: the extack as "Error: <msg>." if any. */
void genl_perror(const struct genl *g, int err, const char *what);

/* Join the events group and make the socket non-blocking. */
int genl_subscribe(struct genl *g);

typedef int (*genl_msg_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send NLH (its seq and portid are set here) and run CB on each reply until
 * the ack or the end of the dump.  Returns 0 or -errno, with g->errmsg and
 * g->erroff from the extended ack.
 */
int genl_request(struct genl *g, struct nlmsghdr *nlh, genl_msg_cb cb, void *data);

/* A request header for CMD with FLAGS in g->buf. */
struct nlmsghdr *genl_msg(struct genl *g, uint8_t cmd, uint16_t flags);

int genl_get_status(struct genl *g, struct ovskvm_status *st);
int genl_get_port(struct genl *g, uint32_t ifindex, struct ovskvm_port *port);

/* Dump all ports: *PORTS is malloc'd (free it), *N entries. */
int genl_dump_ports(struct genl *g, struct ovskvm_port **ports, unsigned int *n);

/* Dump the policy in force: *RULES malloc'd, *N rules; source and gen too. */
int genl_dump_policy(struct genl *g, struct config_rule **rules, unsigned int *n,
		     uint8_t *source, uint32_t *gen);

/*
 * Push CFG's rules.  On a rejection the kernel's reason is written to ERR as
 * "FILE:LINE: rule N, Key=: rejected by the module: <msg>" and -errno is
 * returned; the previous policy stays in force.
 */
/* Pushes CFG's rules; *GEN (may be NULL) gets the generation installed. */
int genl_set_policy(struct genl *g, const struct config *cfg, FILE *err, uint32_t *gen);

/* Match ports again; IFINDEX 0 means every port that is not attached. */
int genl_reevaluate(struct genl *g, uint32_t ifindex);

typedef void (*genl_event_cb)(const struct ovskvm_event *ev, void *data);

/*
 * Read every event queued on a subscribed socket without waiting.  Returns 0
 * once drained, -ENOBUFS when the kernel dropped events (resync by dump), or
 * another -errno.  Messages that do not decode are skipped.
 */
int genl_read_events(struct genl *g, genl_event_cb cb, void *data);

/*
 * The two halves of genl_read_events(), for a caller that must not act on
 * events now: receive one datagram without waiting (its length, 0 when none
 * is queued, or -errno as above; the data is at g->buf until the next call),
 * and later decode a saved copy, calling @cb for each event in it.
 */
int genl_recv_events(struct genl *g);
void genl_parse_events(const void *buf, size_t len, genl_event_cb cb, void *data);

#endif
