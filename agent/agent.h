/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running agent's state, shared by daemon.c (event loop, signals, start
 * and reload) and attach.c (OVSDB: connection, attach, detach, reconcile).
 */
#ifndef OVSKVM_AGENT_H
#define OVSKVM_AGENT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "genl.h"
#include "ovsdb.h"
#include "qemu_cmdline.h"

#define COALESCE_MS	5	/* wait this long for more events of a burst */
#define RETRY_MS	2000	/* pending ports whose attach failed */
#define BACKOFF_MIN_MS	250
#define BACKOFF_STABLE_MS	10000	/* a connection this old was a success */

#define REASON_LEN	256

/* libvirt's taps: wait this long for the QEMU it hands them to (fdholder.h) */
#define HOLDER_WAIT_MS	10000
#define HOLDER_POLL_MS	100

struct pend {
	struct ovskvm_port port;
	struct qemu_info qemu;
	bool is_qemu;		/* qemu holds what its creator's command line says */
	bool qemu_suspect;	/* not trusted for a reason worth a warning */
	char not_qemu[160];	/* else why not, for the log */
	uint32_t holder_pid;	/* qemu is from this QEMU holding the tap, 0 none */
	uint64_t holder_until;	/* waiting for a QEMU to hold it until then, 0 not */
	bool extids_logged;	/* values left out of it were logged */
	bool unfit;		/* OVSDB cannot take it as it is: no retries */
	char reason[REASON_LEN];	/* why it is not attached yet, "" none */
};

#define BOOT_ID_LEN	36	/* /proc/sys/kernel/random/boot_id, a uuid */
#define TAKEN_LOGGED	64

struct gone {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	char boot[BOOT_ID_LEN + 1];	/* the boot its row records, "" none */
};

struct agent {
	const struct agent_options *opt;
	struct config cfg;
	bool policy_ours;	/* cfg's rules are the ones in force */
	uint32_t policy_gen;
	struct genl req;	/* requests */
	struct genl ev;		/* events */
	bool have_seq;
	uint64_t seq;
	struct ovsdb *db;
	unsigned int backoff_ms;
	uint64_t reconnect_at;
	uint64_t connected_at;
	bool db_down_logged;
	bool resync;
	uint64_t resync_at;	/* not before: after a failed one */
	struct pend *pending;
	unsigned int n_pending, cap_pending;
	struct gone *gone;
	unsigned int n_gone, cap_gone;
	uint64_t batch_at;	/* 0: nothing new to send */
	uint64_t retry_at;	/* 0: no retry scheduled */
	char boot_id[BOOT_ID_LEN + 1];	/* this boot's, read once; "" not yet */
	/*
	 * Taps whose stale row of ours another program took over (it wrote
	 * to its Interface), logged: once per ifindex, the latest few.
	 */
	uint32_t taken_logged[TAKEN_LOGGED];
	unsigned int n_taken_logged;
	const char *reasons_path;	/* NULL: REASONS_PATH */
	bool reasons_dirty;	/* a pending port's reason changed */
	bool reasons_failed;	/* writing them failed, and it was logged */
	struct monitor *mon;	/* the OVSDB monitor: monitor.h */
	int sfd;
	bool stop;
	/* What came while an OVSDB call waited, acted on once it returns. */
	bool reload_wanted;	/* SIGHUP */
	bool events_overran;	/* the event socket overflowed meanwhile */
	struct deferred *deferred;	/* event datagrams, oldest first */
	struct deferred **deferred_tail;
	size_t deferred_bytes;
};

/* An event datagram saved during an OVSDB call (daemon.c). */
struct deferred {
	struct deferred *next;
	size_t len;
	unsigned char data[];
};

/* At most this many bytes of events are kept during one call. */
#define DEFERRED_MAX	(4u << 20)

/*
 * attach.c: the taps to attach and the ports to remove, batched.  Why a
 * pending tap is not attached yet goes to the log and, for `ovskvm status`,
 * to the reasons file (reasons.h).
 */
bool wants_ovs(const struct ovskvm_port *p);
void add_pending(struct agent *a, const struct ovskvm_port *port);
void drop_pending(struct agent *a, uint32_t ifindex);
void add_gone(struct agent *a, uint32_t ifindex, const char *name);
/*
 * PORT_ATTACHED: a tap of an OVS rule is in the datapath, but on which row?
 * ovs-vswitchd puts a tap on any Port of its name, a leftover of an earlier
 * tap or boot included; the tap stays pending until its row is confirmed to
 * be ours for this ifindex and boot, and is rewritten if it is not.
 */
void port_attached(struct agent *a, const struct ovskvm_port *p);

/* attach.c: the OVSDB connection and what goes over it */
void db_connect(struct agent *a);
void db_lost(struct agent *a, const char *why);
void detach_gone(struct agent *a);
void attach_pending(struct agent *a);
void resync(struct agent *a);

/* Is there a network device NAME with IFINDEX now?  Never looks NAME up. */
bool netdev_is(const char *name, int ifindex);

#endif
