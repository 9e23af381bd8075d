/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent watches OVSDB instead of polling it: one conditional monitor
 * (monitor_cond, with update2 notifications, ovsdb-server(7) 4.1.12-14) per
 * connection, sent right after each (re)connect, on
 *   Port       rows whose external_ids carry our owner marker:
 *              name, interfaces, external_ids
 *   Interface  the Interfaces of those Ports, by _uuid (the condition follows
 *              them with monitor_cond_change): name, error, ofport,
 *              external_ids
 *   Bridge     every row, but only name and ports
 * so that
 *   - a Port of ours deleted with its Bridge (ovs-vsctl del-br, as ifupdown
 *     does before add-br) is attached again as soon as a bridge of that name
 *     is back, with the tap's VLAN and external_ids;
 *   - a Port of ours deleted alone, its tap still alive (an operator's
 *     ovs-vsctl del-port), is left alone and logged once, or attached again
 *     with ReattachDeleted=yes;
 *   - a Port the agent deleted itself (its tap is gone, the row is of an
 *     earlier boot, or the agent said so: monitor_own_delete()) changes
 *     nothing;
 *   - a Bridge that appears makes the taps waiting for it go at once;
 *   - an Interface that ovs-vswitchd cannot add (error, ofport -1) shows its
 *     error in the log, once per change, and in `ovskvm status`;
 *   - the row of a tap that is gone is deleted in one round trip, without
 *     reading it first (detach_gone()): the cache says whether it is still
 *     ours, as the agent wrote it, and the transaction's guards check on
 *     the server that it has not changed since.
 *
 * Two layers.  struct ovs_monitor is the cache of our rows and the bridge
 * names with what changed (mon_apply(): pure, no I/O, fuzzed); a bad row
 * costs that row only.  The agent's side (monitor_*()) sends the requests
 * and acts on what changed from the main loop: the notification callback
 * only records, it never calls OVSDB.
 *
 * The updates of a monitor can be read in the same breath as the
 * monitor_cond reply, before the call returns: they are kept and applied
 * after the reply's rows, in order.  A monitor_cond given up (timeout,
 * SIGTERM, a reply that makes no sense) may be installed on the server all
 * the same: it is cancelled (monitor_cancel) before the next one goes out
 * on that connection.
 */
#ifndef OVSKVM_MONITOR_H
#define OVSKVM_MONITOR_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ovsdb_txn.h"
#include "reasons.h"

/* Bounds against a misbehaving server: rows kept per table, name length. */
#define MON_MAX_ROWS	65536
#define MON_MAX_NAME	256

typedef char mon_uuid[OVSDB_UUID_LEN + 1];

struct mon_port {
	mon_uuid uuid;
	char *name;
	char *ifindex_str;		/* ovskvm-ifindex as stored, NULL none */
	int ifindex;			/* 0: missing or invalid */
	char *boot;			/* ovskvm-boot as stored, NULL none */
	json_t *ext;			/* external_ids, key -> value; NULL none */
	mon_uuid *ifaces;
	size_t n_ifaces;
	mon_uuid bridge;		/* the Bridge holding it, "" unknown */
	/* while the Bridge table of one update is applied: */
	mon_uuid joined;		/* a Bridge that took it, "" none */
	bool left;			/* its Bridge let it go */
};

struct mon_iface {
	mon_uuid uuid;
	char *name;
	char *error;			/* NULL: none */
	int64_t ofport;			/* 0: not set (yet) */
	json_t *ext;			/* external_ids, key -> value; NULL none */
	char *shown;			/* the error last reported, NULL none */
	char *reason;			/* for the reasons file, NULL none */
};

struct mon_bridge {
	mon_uuid uuid;
	char *name;
};

/* A Port row of ours that was deleted (or stopped being ours). */
struct mon_lost {
	mon_uuid uuid;
	char *name;
	int ifindex;
	char *boot;			/* the boot it records, NULL none */
	char *bridge;			/* its bridge's name, NULL unknown */
	mon_uuid bridge_uuid;		/* its Bridge row, "" unknown */
	bool bridge_gone;		/* that row went with it (del-br) */
};

struct ovs_monitor {
	const char *owner;		/* our owner marker */
	struct mon_port *ports;
	size_t n_ports, cap_ports;
	struct mon_iface *ifaces;
	size_t n_ifaces, cap_ifaces;
	struct mon_bridge *bridges;
	size_t n_bridges, cap_bridges;

	/* What happened since the agent last looked (it clears these). */
	struct mon_lost *lost;
	size_t n_lost, cap_lost;
	char **appeared;		/* names of bridges created or renamed */
	size_t n_appeared, cap_appeared;
	bool ifaces_changed;		/* the set of our Interfaces: new condition */
	bool errors_changed;		/* an Interface error changed */
	unsigned int bad_rows;		/* rows dropped as malformed */
};

/*
 * Apply <table-updates2> (a monitor_cond reply or an update2 notification's
 * second parameter) to M.  Returns 0, or -EPROTO with *err set when
 * UPDATES is not an object at all; a malformed table or row is dropped and
 * counted in bad_rows, the rest still applies.
 */
int mon_apply(struct ovs_monitor *m, const json_t *updates, char **err);

/* Free everything M holds (it stays usable, empty). */
void mon_clear(struct ovs_monitor *m);
void mon_clear_news(struct ovs_monitor *m);

const struct mon_bridge *mon_bridge_by_name(const struct ovs_monitor *m,
					    const char *name);
const struct mon_port *mon_port_of_iface(const struct ovs_monitor *m,
					 const char *iface_uuid);
const struct mon_port *mon_port_by_name(const struct ovs_monitor *m,
					const char *name);
const struct mon_iface *mon_iface_by_uuid(const struct ovs_monitor *m,
					  const char *uuid);

/* EXT (a mon_port's or mon_iface's) as an OVSDB map; NULL: out of memory. */
json_t *mon_ext_map(const json_t *ext);

/* Params of the monitor_cond request with id ID, for owner marker OWNER. */
json_t *mon_request(const char *id, const char *owner);

/*
 * The Interface condition for the Interfaces of our Ports (sorted: the same
 * set always gives the same condition), and the params of the
 * monitor_cond_change that puts WHERE in force (WHERE is not stolen).
 */
json_t *mon_iface_where(const struct ovs_monitor *m);
json_t *mon_iface_change(const char *id, json_t *where);

/* ---- the agent's side ---------------------------------------------------- */

struct agent;
struct ovsdb;

/* A live tap whose Port row went, to hand back to the kernel's policy. */
struct mon_wait {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	/*
	 * OVSDB takes any bridge name; one that is no netdev name (16 bytes
	 * or more) is still waited for by its whole name.
	 */
	char bridge[MON_MAX_NAME];	/* "": not waiting for a bridge */
	uint64_t since;			/* when the row went */
	uint64_t next;			/* look again at; UINT64_MAX: at the bridge */
};

/* Updates kept while a monitor_cond is outstanding, at most: */
#define MON_MAX_QUEUED	1024
/* Port rows the agent deleted itself, remembered at most that long: */
#define MON_MAX_OWN	256
#define MON_OWN_MS	30000

struct mon_own {
	mon_uuid uuid;
	uint64_t at;
};

struct monitor {
	struct ovs_monitor m;
	json_t *id;			/* of the monitor installed last */
	json_t *stale;			/* given up on this connection: cancel it */
	json_t *iface_where;		/* the Interface condition in force */
	unsigned int n_installs;
	bool installing;		/* monitor_cond for id outstanding */
	json_t **queued;		/* update2 params for id meanwhile */
	size_t n_queued, cap_queued;
	bool overflow;			/* ... and some had to be dropped */
	bool active;			/* installed on the current connection */
	bool unsupported;		/* refused, or --no-ovsdb-monitor: none */
	bool malformed_logged;		/* a bad monitor_cond reply was said */
	bool work;			/* the callback recorded something */
	uint64_t install_at;		/* after a failed install: try again at */
	struct mon_own own[MON_MAX_OWN];	/* monitor_own_delete() */
	size_t n_own;
	struct mon_wait *wait;
	size_t n_wait, cap_wait;
	/* Is tap NAME with IFINDEX still there?  Tests replace it. */
	bool (*tap_alive)(const char *name, int ifindex);
};

/* After each successful (re)connect, before the resync: install it. */
void monitor_start(struct agent *a);

/* From the main loop: act on what the notifications recorded. */
void monitor_step(struct agent *a);

/*
 * The agent deleted Port row PORT_UUID itself (its transaction committed):
 * its delete is no one else's, whatever tap has that name now.
 */
void monitor_own_delete(struct agent *a, const char *port_uuid);

/* When monitor_step() has work next (now_ms() clock), UINT64_MAX: none. */
uint64_t monitor_deadline(const struct agent *a);

/*
 * The Interface errors of our taps for the reasons file: up to MAX entries
 * into R (valid until the next monitor call).  monitor_n_reasons() counts.
 */
size_t monitor_n_reasons(const struct agent *a);
size_t monitor_reasons(const struct agent *a, struct port_reason *r, size_t max);

void monitor_free(struct agent *a);

/* ovsdb_set_notify()'s callback, ARG the agent: records, never calls. */
void monitor_notify(struct ovsdb *db, const char *method, json_t *params,
		    void *arg);

#endif
