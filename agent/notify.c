// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of systemd's Type=notify protocol, through libsystemd's
 * sd_notify(): the unit orders libvirt after the agent, so READY=1 is what
 * guests wait for at boot.
 *
 * READY=1 is sent once the policy is in force (start() pushed it before the
 * loop) and the first resync has run: the module's taps compared with our
 * OVSDB ports and, when OVSDB answered, the pending ones attached.  It does
 * not wait for OVSDB: with OVSDB down or silent, READY=1 still comes, each
 * step bounded by Timeout=, and STATUS= says the taps wait pending, since a
 * VM start must never hang on OVS.
 *
 * Around a SIGHUP: RELOADING=1 (with MONOTONIC_USEC=, which Type=notify-reload
 * of systemd 253 and later requires), then READY=1 with the outcome in
 * STATUS=.  reload() pushes a policy exactly when it succeeds and each push
 * gets a new generation from the module, so an unchanged generation means
 * the reload failed.
 *
 * The state lives here, one agent per process; the messages come from
 * notify_summary(), which the unit tests call directly.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "agent.h"
#include "log.h"
#include "notify.h"

static struct {
	bool ready;		/* READY=1 sent */
	bool reload_failed;	/* the last SIGHUP left the policy as it was */
	uint32_t gen_before_reload;
	bool warned;		/* a failed sd_notify() was logged */
	char status[NOTIFY_STATUS_MAX];	/* the last STATUS= sent */
} st;

void notify_init(void)
{
	memset(&st, 0, sizeof(st));
}

static void send_state(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void send_state(const char *fmt, ...)
{
	char msg[NOTIFY_STATUS_MAX + 128];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ret = sd_notify(0, msg);
	if (ret < 0 && !st.warned) {
		pr_warn("cannot notify systemd at NOTIFY_SOCKET=%s: %s",
			getenv("NOTIFY_SOCKET") ?: "", strerror(-ret));
		st.warned = true;
	} else if (ret > 0) {
		/* one line for the log: "READY=1 STATUS=..." */
		char *nl;

		while ((nl = strchr(msg, '\n')))
			*nl = ' ';
		pr_debug("systemd: %s", msg);
	}
}

__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += n;
}

void notify_summary(const struct agent *a, bool reload_failed, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (reload_failed)
		append(buf, len, &off, "reload failed (see the journal), the previous policy stays: ");
	if (!a->policy_ours)
		append(buf, len, &off, "another program replaced the policy of %s: 'systemctl reload ovskvm' pushes it again",
		       a->cfg.path);
	else if (a->cfg.n_rules)
		append(buf, len, &off, "%u rule%s of %s in force (generation %u)", a->cfg.n_rules,
		       a->cfg.n_rules == 1 ? "" : "s", a->cfg.path, a->policy_gen);
	else
		append(buf, len, &off, "no rules in %s: the module's default policy (generation %u)",
		       a->cfg.path, a->policy_gen);
	if (a->db)
		append(buf, len, &off, "; OVSDB connected");
	else
		append(buf, len, &off, "; OVSDB %s unreachable, taps wait pending", a->cfg.ovsdb);
}

/*
 * The summary after a step: a resync still wanted then failed and waits
 * for its retry (step() runs every wanted resync that is due).
 */
static void current(const struct agent *a, char *buf, size_t len)
{
	size_t off;

	notify_summary(a, st.reload_failed, buf, len);
	off = strlen(buf);
	if (a->resync)
		append(buf, len, &off, "; resync failed, retrying (see the journal)");
}

void notify_update(const struct agent *a)
{
	char status[NOTIFY_STATUS_MAX];

	/*
	 * start() wants a resync with no retry time; only a failed resync
	 * sets one.  Until one of the two changes, none has run.
	 */
	if (!st.ready && a->resync && !a->resync_at)
		return;
	current(a, status, sizeof(status));
	if (!st.ready)
		send_state("READY=1\nSTATUS=%s", status);
	else if (strcmp(status, st.status))
		send_state("STATUS=%s", status);
	else
		return;
	st.ready = true;
	snprintf(st.status, sizeof(st.status), "%s", status);
}

void notify_reloading(const struct agent *a)
{
	struct timespec ts;

	st.gen_before_reload = a->policy_gen;
	if (!st.ready)		/* systemd still waits for the start's READY=1 */
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	send_state("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
		   (unsigned long long)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000,
		   a->opt->config_path);
}

void notify_reloaded(const struct agent *a)
{
	char status[NOTIFY_STATUS_MAX];

	st.reload_failed = a->policy_gen == st.gen_before_reload;
	if (!st.ready)
		return;
	notify_summary(a, st.reload_failed, status, sizeof(status));
	send_state("READY=1\nSTATUS=%s", status);
	snprintf(st.status, sizeof(st.status), "%s", status);
}

void notify_stopping(int ret)
{
	if (!ret)
		send_state("STOPPING=1\nSTATUS=stopping");
	else if (!st.ready && ret < 0)
		send_state("STATUS=failed to start: %s (see the journal)\nERRNO=%d",
			   strerror(-ret), -ret);
	else if (!st.ready)
		send_state("STATUS=failed to start (see the journal)");
	else
		send_state("STOPPING=1\nSTATUS=stopping after an error (see the journal)");
}
