// SPDX-License-Identifier: GPL-2.0
/*
 * The agent: keeps Open vSwitch in step with the taps the module reports.
 *
 * One poll loop over the module's event socket, the OVSDB connection, a
 * signalfd and deadlines.  Events that arrive together are gathered into one
 * batch that attach.c sends: ports that went away are detached first, then
 * every pending port is attached in a single transaction.  Nothing here
 * waits without a bound: OVSDB calls carry the configured timeout, and while
 * OVSDB is unreachable ports simply stay pending in the kernel (down, on no
 * bridge) until it returns.  Here: start, the loop, events, signals, reload.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent.h"
#include "format.h"
#include "log.h"
#include "modload.h"
#include "monitor.h"
#include "notify.h"

/* Diagnostics written to a FILE, logged line by line at LEVEL. */
static void log_lines(int level, char *text)
{
	char *line, *save;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_msg(level, "%s", line);
}

static int load_config(struct config *cfg, const char *path)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	config_init(cfg);
	ret = config_load(cfg, path, 0, f);
	fclose(f);
	log_lines(LOG_ERR, text);
	free(text);
	return ret;
}

static int push_policy(struct agent *a, const struct config *cfg)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	ret = genl_set_policy(&a->req, cfg, f, &a->policy_gen);
	fclose(f);
	log_lines(LOG_ERR, text);
	free(text);
	return ret;
}

/* Events */

static void on_event(const struct ovskvm_event *ev, void *data)
{
	struct agent *a = data;
	const struct ovskvm_port *p = &ev->port;
	char lat[32];

	if (ev->has_seq) {
		/*
		 * At or below the last resync's snapshot: already in the dump
		 * it read (a PORT_NEW replayed now could bring back a tap that
		 * is gone).  Dropped.
		 */
		if (a->have_seq && ev->seq <= a->seq)
			return;
		if (a->have_seq && ev->seq > a->seq + 1) {
			pr_warn("lost %llu module events: resyncing",
				(unsigned long long)(ev->seq - a->seq - 1));
			a->resync = true;
		}
		a->seq = ev->seq;
		a->have_seq = true;
	}
	if (!ev->known) {
		if (ev->cmd <= OVSKVM_CMD_MAX) {
			pr_warn("unreadable module event %u: resyncing", ev->cmd);
			a->resync = true;
		}
		return;		/* a newer module's event: not ours to act on */
	}
	switch (ev->cmd) {
	case OVSKVM_CMD_PORT_CHANGED:
		pr_info("%s (ifindex %u): %s%s%s%s%s%s", p->ifname, p->ifindex,
			port_state_name(p->state), p->bridge[0] ? " for " : "", p->bridge,
			p->reason[0] ? " (" : "", p->reason, p->reason[0] ? ")" : "");
		if (wants_ovs(p))
			add_pending(a, p);
		else
			drop_pending(a, p->ifindex);
		break;
	case OVSKVM_CMD_PORT_NEW:
		pr_info("%s (ifindex %u): new tap from pid %u (%s, uid %u): %s%s%s%s",
			p->ifname, p->ifindex, p->creator_pid, p->creator_comm,
			p->creator_uid, port_state_name(p->state),
			p->bridge[0] ? " for " : "", p->bridge,
			p->has_rule ? "" : " (no rule matched)");
		if (wants_ovs(p))
			add_pending(a, p);
		break;
	case OVSKVM_CMD_PORT_ATTACHED:
		pr_info("%s (ifindex %u): attached to %s%s%s%s in %s", p->ifname, p->ifindex,
			p->bridge[0] ? p->bridge : p->master,
			p->master[0] && strcmp(p->master, p->bridge) ? " (master " : "",
			p->master[0] && strcmp(p->master, p->bridge) ? p->master : "",
			p->master[0] && strcmp(p->master, p->bridge) ? ")" : "",
			format_ns(p->latency_ns, lat, sizeof(lat)));
		port_attached(a, p);
		break;
	case OVSKVM_CMD_PORT_DETACHED:
		pr_info("%s (ifindex %u): taken off its bridge", p->ifname, p->ifindex);
		break;
	case OVSKVM_CMD_PORT_DEL:
		pr_info("%s (ifindex %u): tap removed", p->ifname, p->ifindex);
		drop_pending(a, p->ifindex);
		add_gone(a, p->ifindex, p->ifname);
		break;
	case OVSKVM_CMD_PORT_RENAMED:
		pr_info("%s (ifindex %u): renamed from %s", p->ifname, p->ifindex,
			p->old_ifname);
		add_gone(a, p->ifindex, p->old_ifname);
		drop_pending(a, p->ifindex);
		if (wants_ovs(p))
			add_pending(a, p);
		break;
	case OVSKVM_CMD_POLICY_CHANGED:
		if (ev->policy_gen != a->policy_gen) {
			pr_warn("the module's policy was changed by someone else (generation %u, %u rules): ExternalID= of %s may not apply; 'systemctl reload ovskvm' pushes it again",
				ev->policy_gen, ev->rule_count, a->cfg.path);
			a->policy_ours = false;
		}
		break;
	}
}

static void reload(struct agent *a)
{
	struct config cfg;
	bool socket_changed;

	pr_info("reloading %s", a->opt->config_path);
	if (load_config(&cfg, a->opt->config_path)) {
		pr_err("%s: not reloaded, the policy in force is unchanged", a->opt->config_path);
		config_free(&cfg);
		return;
	}
	if (push_policy(a, &cfg)) {
		pr_err("%s: rejected by the module, the policy in force is unchanged",
		       a->opt->config_path);
		config_free(&cfg);
		return;
	}
	socket_changed = strcmp(cfg.ovsdb, a->cfg.ovsdb) != 0;
	config_free(&a->cfg);
	a->cfg = cfg;
	a->policy_ours = true;
	log_max_level = a->cfg.log_level;
	pr_info("%s: %u rule%s in force (generation %u)", a->cfg.path, a->cfg.n_rules,
		a->cfg.n_rules == 1 ? "" : "s", a->policy_gen);
	if (genl_reevaluate(&a->req, 0))
		pr_warn("matching the ports against the new policy failed");
	if (socket_changed && a->db) {
		ovsdb_close(a->db);
		a->db = NULL;
		a->reconnect_at = 0;
	}
	a->resync = true;
}

/* Read the signals; a reload is only asked for, so that it can wait. */
static void read_signals(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			a->reload_wanted = true;
			break;
		case SIGTERM:
		case SIGINT:
			if (!a->stop)
				pr_info("exiting on %s",
					si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			a->stop = true;
			break;
		}
	}
}

static void handle_signals(struct agent *a)
{
	read_signals(a);
	if (a->reload_wanted && !a->stop) {
		a->reload_wanted = false;
		notify_reloading(a);	/* systemd: RELOADING=1 */
		reload(a);
		notify_reloaded(a);	/* systemd: READY=1, the outcome */
	}
}

/*
 * While an OVSDB call waits, signals and the module's events are served
 * rather than left queued: SIGTERM gives the call up so that the agent stops
 * at once, SIGHUP waits for the call, and events are read off the socket (so
 * it cannot overflow) and saved, to be acted on in order once the call is
 * over: acting now would change the batch the call is about.
 */
static int serve_during_call(void *arg)
{
	struct agent *a = arg;
	struct deferred *d;
	int n;

	read_signals(a);
	if (a->stop)
		return -ECANCELED;
	for (;;) {
		n = genl_recv_events(&a->ev);
		if (n == -ENOBUFS) {
			a->events_overran = true;
			continue;
		}
		if (n <= 0)
			break;
		/* Beyond the bound, drop what comes: the resync after finds it. */
		if (a->deferred_bytes + n > DEFERRED_MAX) {
			a->events_overran = true;
			continue;
		}
		d = malloc(sizeof(*d) + n);
		if (!d) {
			a->events_overran = true;	/* a resync finds them */
			break;
		}
		d->next = NULL;
		d->len = n;
		memcpy(d->data, a->ev.buf, n);
		*a->deferred_tail = d;
		a->deferred_tail = &d->next;
		a->deferred_bytes += n;
	}
	return 0;
}

static void free_deferred(struct agent *a)
{
	struct deferred *d;

	while ((d = a->deferred)) {
		a->deferred = d->next;
		free(d);
	}
	a->deferred_tail = &a->deferred;
	a->deferred_bytes = 0;
}

/* Act on what serve_during_call() saved, in the order it came. */
static void replay_deferred(struct agent *a)
{
	struct deferred *d;

	while ((d = a->deferred)) {
		a->deferred = d->next;
		if (!a->deferred)
			a->deferred_tail = &a->deferred;
		a->deferred_bytes -= d->len;
		genl_parse_events(d->data, d->len, on_event, a);
		free(d);
	}
	if (a->events_overran) {
		a->events_overran = false;
		pr_warn("the module's events overran the socket buffer: resyncing");
		a->resync = true;
	}
}

static void report_verify(void)
{
	struct checklist cl = { .n = 0 };
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct utsname u;
	unsigned int i;

	if (!ctx)
		return;
	uname(&u);
	module_verify(ctx, SYSFS_MODULE, u.release, &cl);
	kmod_unref(ctx);
	for (i = 0; i < cl.n; i++) {
		const struct check *c = &cl.items[i];

		if (c->status == CHECK_FAIL)
			pr_err("module check %s: %s", c->name, c->detail);
		else if (c->status == CHECK_WARN)
			pr_warn("module check %s: %s", c->name, c->detail);
		else
			pr_debug("module check %s: %s", c->name, c->detail);
	}
}

static int start(struct agent *a)
{
	sigset_t mask;
	int ret;

	if (a->opt->load_module) {
		struct kmod_ctx *ctx = kmod_new(NULL, NULL);

		if (!ctx) {
			pr_err("cannot initialise libkmod: %s", strerror(errno));
			return -ENOMEM;
		}
		ret = module_load(ctx, NULL, stderr);
		kmod_unref(ctx);
		if (ret < 0)
			return ret;
		if (!ret)
			pr_info("loaded %s", MODULE_NAME);
		report_verify();
	}

	ret = load_config(&a->cfg, a->opt->config_path);
	if (ret == -ENOENT) {
		pr_notice("%s does not exist: the module's default policy applies (see ovskvm.conf(5))",
			  a->opt->config_path);
		config_free(&a->cfg);
		config_init(&a->cfg);
		snprintf(a->cfg.path, sizeof(a->cfg.path), "%s", a->opt->config_path);
	} else if (ret) {
		pr_err("%s: fix the errors above, the agent does not start with a broken policy",
		       a->opt->config_path);
		return ret;
	}
	log_max_level = a->cfg.log_level;

	ret = genl_open(&a->req);
	if (!ret)
		ret = genl_open(&a->ev);
	if (ret) {
		genl_perror(&a->req, ret, "cannot reach the module");
		return ret;
	}
	if (a->req.version != OVSKVM_GENL_VERSION) {
		pr_err("the module speaks %s version %u, this agent version %d: install matching versions",
		       OVSKVM_GENL_NAME, a->req.version, OVSKVM_GENL_VERSION);
		return -EPROTO;
	}
	ret = genl_subscribe(&a->ev);
	if (ret) {
		genl_perror(&a->ev, ret, "subscribing to the module's events");
		return ret;
	}
	ret = push_policy(a, &a->cfg);
	if (ret) {
		pr_err("%s: the module rejected the policy", a->cfg.path);
		return ret;
	}
	a->policy_ours = true;
	pr_info("%s: %u rule%s in force (generation %u)", a->cfg.path, a->cfg.n_rules,
		a->cfg.n_rules == 1 ? "" : "s", a->policy_gen);
	/*
	 * A push re-matches only pending ports: taps that the previous policy
	 * ignored (or failed) are matched against this one too.  Attached and
	 * detached ports stay as they are.
	 */
	if (genl_reevaluate(&a->req, 0))
		pr_warn("matching the ports against the policy failed");

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	a->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a->sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		return -errno;
	}
	signal(SIGPIPE, SIG_IGN);
	a->backoff_ms = BACKOFF_MIN_MS;
	a->resync = true;
	return 0;
}

static int next_timeout(struct agent *a)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	if (!a->db)
		next = a->reconnect_at;
	if (a->batch_at && a->db && a->batch_at < next)
		next = a->batch_at;
	if (a->retry_at && a->db && a->retry_at < next)
		next = a->retry_at;
	if (a->resync && a->resync_at < next)
		next = a->resync_at;
	if (monitor_deadline(a) < next)
		next = monitor_deadline(a);
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static void step(struct agent *a)
{
	uint64_t now = now_ms();

	if (!a->db && now >= a->reconnect_at) {
		db_connect(a);
		if (a->db) {
			int fds[] = { a->sfd, mnl_socket_get_fd(a->ev.nl) };

			ovsdb_set_wait_hook(a->db, fds, 2, serve_during_call, a);
			monitor_start(a);	/* watch our rows: monitor.h */
		}
	}
	if (a->resync && now >= a->resync_at)
		resync(a);
	monitor_step(a);		/* act on what OVSDB reported */
	now = now_ms();
	if (a->retry_at && now >= a->retry_at) {
		a->retry_at = 0;
		if (a->n_pending || a->n_gone)
			a->batch_at = now;
	}
	if (a->db && a->batch_at && now >= a->batch_at && !a->stop) {
		a->batch_at = 0;
		detach_gone(a);
		if (a->db && !a->stop)
			attach_pending(a);
	}
}

int agent_run(const struct agent_options *opt)
{
	struct agent a = { .opt = opt, .sfd = -1 };
	struct pollfd pfd[3];
	int ret;

	a.deferred_tail = &a.deferred;
	config_init(&a.cfg);
	notify_init();
	ret = start(&a);
	if (ret)
		goto out;
	pr_info("agent running (pid %d)", getpid());
	while (!a.stop) {
		int n = 2;

		step(&a);
		replay_deferred(&a);
		handle_signals(&a);
		if (a.stop)
			break;
		notify_update(&a);	/* systemd: READY=1 after the first resync */
		pfd[0] = (struct pollfd){ .fd = a.sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = mnl_socket_get_fd(a.ev.nl), .events = POLLIN };
		if (a.db)
			pfd[n++] = (struct pollfd){ .fd = ovsdb_fd(a.db), .events = POLLIN };
		if (poll(pfd, n, next_timeout(&a)) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll: %s", strerror(errno));
			ret = -errno;
			break;
		}
		if (pfd[0].revents)
			handle_signals(&a);
		if (pfd[1].revents) {
			ret = genl_read_events(&a.ev, on_event, &a);
			if (ret == -ENOBUFS) {
				pr_warn("the module's events overran the socket buffer: resyncing");
				a.resync = true;
			} else if (ret) {
				pr_err("reading the module's events: %s", strerror(-ret));
				break;
			}
			ret = 0;
		}
		if (n == 3 && pfd[2].revents && a.db) {
			if (ovsdb_handle_input(a.db) || !ovsdb_is_connected(a.db))
				db_lost(&a, ovsdb_last_error(a.db));
		}
	}
out:
	notify_stopping(ret);	/* systemd: STOPPING=1, or why the start failed */
	if (a.db)
		ovsdb_close(a.db);
	if (a.sfd >= 0)
		close(a.sfd);
	free_deferred(&a);
	monitor_free(&a);
	genl_close(&a.ev);
	genl_close(&a.req);
	config_free(&a.cfg);
	free(a.pending);
	free(a.gone);
	return ret ? 1 : 0;
}
