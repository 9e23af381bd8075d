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

#include "config.h"
#include "daemon.h"
#include "genl.h"
#include "ovsdb.h"
#include "qemu_cmdline.h"

#define COALESCE_MS	5	/* wait this long for more events of a burst */
#define RETRY_MS	2000	/* pending ports whose attach failed */
#define BACKOFF_MIN_MS	250

#define REASON_LEN	256

struct pend {
	struct ovskvm_port port;
	struct qemu_info qemu;
	bool is_qemu;		/* qemu holds what its creator's command line says */
	bool qemu_suspect;	/* not trusted for a reason worth a warning */
	char not_qemu[160];	/* else why not, for the log */
	bool extids_logged;	/* values left out of it were logged */
	bool unfit;		/* OVSDB cannot take it as it is: no retries */
	char reason[REASON_LEN];	/* why it is not attached yet, "" none */
};

struct gone {
	uint32_t ifindex;
	char name[IFNAMSIZ];
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
	bool db_down_logged;
	bool resync;
	uint64_t resync_at;	/* not before: after a failed one */
	struct pend *pending;
	unsigned int n_pending, cap_pending;
	struct gone *gone;
	unsigned int n_gone, cap_gone;
	uint64_t batch_at;	/* 0: nothing new to send */
	uint64_t retry_at;	/* 0: no retry scheduled */
	const char *reasons_path;	/* NULL: REASONS_PATH */
	bool reasons_dirty;	/* a pending port's reason changed */
	bool reasons_failed;	/* writing them failed, and it was logged */
	int sfd;
	bool stop;
};

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * attach.c: the taps to attach and the ports to remove, batched.  Why a
 * pending tap is not attached yet goes to the log and, for `ovskvm status`,
 * to the reasons file (reasons.h).
 */
bool wants_ovs(const struct ovskvm_port *p);
void add_pending(struct agent *a, const struct ovskvm_port *port);
void drop_pending(struct agent *a, uint32_t ifindex);
void add_gone(struct agent *a, uint32_t ifindex, const char *name);

/* attach.c: the OVSDB connection and what goes over it */
void db_connect(struct agent *a);
void db_lost(struct agent *a, const char *why);
void detach_gone(struct agent *a);
void attach_pending(struct agent *a);
void resync(struct agent *a);

#endif
