// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of the OVSDB monitor (monitor.h): installs it after each
 * (re)connect, records what the notifications say (ovsdb_monitor.c keeps the
 * cache) and acts on it from the main loop.
 *
 * A tap whose Port went is handed back to the kernel's policy: a REEVALUATE
 * of that one port makes the module match it again (a detached port too) and
 * report it pending, and the agent attaches it as any new tap, with the VLAN
 * and external_ids its rule gives.  The module must have seen the tap leave
 * the datapath first (ovs-vswitchd removes it after the commit that the
 * notification reports): until then it is looked at again every
 * MON_RECHECK_MS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "monitor.h"

#define MON_RECHECK_MS		100	/* the kernel has not seen the removal yet */
#define MON_DETACH_WAIT_MS	10000	/* ... and gives up after this long */

/* What the agent cannot do while OVSDB is not watched. */
#define WITHOUT_MONITOR \
	"a port or bridge deleted by another program is not noticed and its taps stay off Open vSwitch, Interface errors are not shown, and taps wait for a new bridge's device rather than its row"

static struct monitor *monitor_get(struct agent *a)
{
	if (!a->mon) {
		a->mon = calloc(1, sizeof(*a->mon));
		if (a->mon)
			a->mon->tap_alive = netdev_is;
	}
	return a->mon;
}

static void drop_queued(struct monitor *mon)
{
	size_t i;

	for (i = 0; i < mon->n_queued; i++)
		json_decref(mon->queued[i]);
	free(mon->queued);
	mon->queued = NULL;
	mon->n_queued = mon->cap_queued = 0;
	mon->overflow = false;
}

/* Updates read before the monitor_cond reply was taken: kept for after it. */
static void queue_update(struct monitor *mon, json_t *params)
{
	json_t **q;

	if (mon->overflow)
		return;
	if (mon->n_queued == mon->cap_queued) {
		size_t cap = mon->cap_queued ? mon->cap_queued * 2 : 16;

		if (cap > MON_MAX_QUEUED ||
		    !(q = realloc(mon->queued, cap * sizeof(*q)))) {
			mon->overflow = true;	/* install() starts over */
			return;
		}
		mon->queued = q;
		mon->cap_queued = cap;
	}
	mon->queued[mon->n_queued++] = json_incref(params);
}

static void apply_update(struct monitor *mon, json_t *params)
{
	char *err = NULL;

	if (mon_apply(&mon->m, json_array_get(params, 1), &err)) {
		pr_warn("OVSDB monitor: %s; ignored", err ?: "malformed update");
		free(err);
	}
	mon->work = true;
}

void monitor_notify(struct ovsdb *db, const char *method, json_t *params,
		    void *arg)
{
	struct agent *a = arg;
	struct monitor *mon = a->mon;
	bool ours;

	(void)db;
	if (!mon || !mon->id)
		return;
	/* both carry the monitor's id first: others are leftovers, not ours */
	ours = json_is_array(params) && json_equal(json_array_get(params, 0), mon->id);
	if (!strcmp(method, "monitor_canceled")) {
		if (ours && mon->active) {
			mon->active = false;	/* monitor_step() installs it again */
			mon->work = true;
		}
		return;
	}
	if (strcmp(method, "update2") || !ours || json_array_size(params) != 2)
		return;
	if (mon->installing)
		queue_update(mon, params);
	else if (mon->active)
		apply_update(mon, params);
}

/*
 * Cancel the monitor given up on this connection, which the server may have
 * installed all the same; an error reply means it did not.  False when it
 * has to be tried again (install_at) or the connection was lost.
 */
static bool cancel_stale(struct agent *a, struct monitor *mon)
{
	json_t *result = NULL;
	char *err = NULL;
	int ret;

	ret = ovsdb_call(a->db, "monitor_cancel", json_pack("[O]", mon->stale), &result,
			 &err, a->cfg.timeout_ms);
	json_decref(result);
	if (!ret || ret == -EPROTO) {
		pr_debug("OVSDB monitor %s cancelled%s%s", json_string_value(mon->stale),
			 ret ? ": " : "", ret ? err ?: "not installed" : "");
		json_decref(mon->stale);
		mon->stale = NULL;
	} else if (!ovsdb_is_connected(a->db)) {
		db_lost(a, err);
	} else {
		pr_debug("cancelling OVSDB monitor %s: %s; trying again",
			 json_string_value(mon->stale), err ?: strerror(-ret));
		mon->install_at = now_ms() + RETRY_MS;
	}
	free(err);
	return !mon->stale;
}

/* The monitor with the current id may be on the server: cancel it first. */
static void abandon(struct monitor *mon)
{
	json_decref(mon->stale);
	mon->stale = json_incref(mon->id);
}

/* Install the monitor on the current connection; false when it failed. */
static bool install(struct agent *a, struct monitor *mon)
{
	json_t *result = NULL;
	char id[32], *err = NULL;
	size_t i;
	int ret;

	mon->active = false;
	mon->install_at = 0;
	if (mon->stale && !cancel_stale(a, mon))
		return false;
	mon_clear(&mon->m);
	mon->m.owner = AGENT_OWNER;
	json_decref(mon->iface_where);
	mon->iface_where = json_pack("[b]", 0);	/* as mon_request() asks */
	snprintf(id, sizeof(id), "ovskvm-%u", ++mon->n_installs);
	json_decref(mon->id);
	mon->id = json_string(id);
	drop_queued(mon);
	ovsdb_set_notify(a->db, monitor_notify, a);
	mon->installing = true;
	ret = ovsdb_call(a->db, "monitor_cond", mon_request(id, AGENT_OWNER),
			 &result, &err, a->cfg.timeout_ms);
	mon->installing = false;
	if (ret) {
		json_decref(result);
		drop_queued(mon);
		if (!ovsdb_is_connected(a->db)) {
			db_lost(a, err);
		} else if (ret != -EPROTO) {
			/* a timeout, a stop: tried again later under a new id */
			log_msg(ret == -ECANCELED ? LOG_DEBUG : LOG_WARNING,
				"cannot watch OVSDB (monitor_cond): %s; trying again",
				err ?: strerror(-ret));
			abandon(mon);
			mon->install_at = now_ms() + RETRY_MS;
		} else if (!mon->unsupported) {
			/* the server said no: an ovsdb-server older than 2.6 */
			pr_warn("cannot watch OVSDB (monitor_cond): %s; " WITHOUT_MONITOR,
				err ?: strerror(-ret));
			mon->unsupported = true;
		}
		free(err);
		return false;
	}
	ret = mon_apply(&mon->m, result, &err);
	json_decref(result);
	if (ret || mon->overflow) {
		/* the cache cannot be trusted: start over under a new id */
		log_msg(mon->malformed_logged && !mon->overflow ? LOG_DEBUG : LOG_WARNING,
			"OVSDB monitor: %s; installing it again in %d ms",
			ret ? err ?: "malformed monitor_cond reply" :
			"too many updates before the monitor_cond reply was read",
			ret ? RETRY_MS : 0);
		mon->malformed_logged |= ret != 0;
		mon_clear(&mon->m);
		drop_queued(mon);
		abandon(mon);
		mon->install_at = now_ms() + (ret ? RETRY_MS : 0);
		free(err);
		return false;
	}
	/* what came with the reply is newer than its rows */
	for (i = 0; i < mon->n_queued; i++)
		apply_update(mon, mon->queued[i]);
	drop_queued(mon);
	if (mon->unsupported)
		pr_info("watching OVSDB again");
	mon->unsupported = false;
	mon->malformed_logged = false;
	mon->active = true;
	mon->work = true;
	/* bridges may have come back meanwhile: look at the waiting taps */
	for (i = 0; i < mon->n_wait; i++)
		mon->wait[i].next = 0;
	pr_debug("watching OVSDB: %zu port%s of ours, %zu bridge%s", mon->m.n_ports,
		 mon->m.n_ports == 1 ? "" : "s", mon->m.n_bridges,
		 mon->m.n_bridges == 1 ? "" : "s");
	return true;
}

void monitor_start(struct agent *a)
{
	struct monitor *mon;

	if (!a->db)
		return;
	mon = monitor_get(a);
	if (!mon) {
		pr_err("out of memory: OVSDB is not watched");
		return;
	}
	/* a new connection: what the last one held is gone with it */
	json_decref(mon->stale);
	mon->stale = NULL;
	if (a->opt && a->opt->no_ovsdb_monitor) {
		/* as with a server that refuses monitor_cond, said once */
		if (!mon->unsupported)
			pr_info("not watching OVSDB (--no-ovsdb-monitor): " WITHOUT_MONITOR "%s",
				a->cfg.reattach_deleted ? "; ReattachDeleted=yes has no effect" : "");
		mon->unsupported = true;
		return;
	}
	install(a, mon);
}

/* ---- taps whose Port went ------------------------------------------------ */

static void wait_add(struct monitor *mon, const struct mon_lost *l, const char *bridge)
{
	struct mon_wait *w;
	size_t i;

	for (i = 0; i < mon->n_wait; i++)
		if (mon->wait[i].ifindex == (uint32_t)l->ifindex)
			break;
	if (i == mon->n_wait) {
		if (mon->n_wait == mon->cap_wait) {
			size_t cap = mon->cap_wait ? mon->cap_wait * 2 : 8;
			struct mon_wait *n = realloc(mon->wait, cap * sizeof(*n));

			if (!n) {
				pr_err("%s: out of memory: not attached again", l->name);
				return;
			}
			mon->wait = n;
			mon->cap_wait = cap;
		}
		mon->n_wait++;
	}
	w = &mon->wait[i];
	memset(w, 0, sizeof(*w));
	w->ifindex = l->ifindex;
	snprintf(w->name, sizeof(w->name), "%s", l->name);
	snprintf(w->bridge, sizeof(w->bridge), "%s", bridge ?: "");
	w->since = now_ms();
	w->next = 0;
}

/* Was Port row UUID deleted by the agent itself?  Each is said once. */
static bool own_delete(struct monitor *mon, const char *uuid)
{
	size_t i;

	for (i = 0; i < mon->n_own; i++)
		if (!strcmp(mon->own[i].uuid, uuid)) {
			mon->own[i] = mon->own[--mon->n_own];
			return true;
		}
	return false;
}

void monitor_own_delete(struct agent *a, const char *port_uuid)
{
	struct monitor *mon = a->mon;
	uint64_t now = now_ms();
	size_t i = 0;

	if (!mon || !ovsdb_uuid_valid(port_uuid))
		return;
	/* a delete whose update never came (the monitor was down) is forgotten */
	while (i < mon->n_own) {
		if (now - mon->own[i].at > MON_OWN_MS)
			mon->own[i] = mon->own[--mon->n_own];
		else
			i++;
	}
	if (mon->n_own == MON_MAX_OWN)
		mon->own[0] = mon->own[--mon->n_own];
	memcpy(mon->own[mon->n_own].uuid, port_uuid, sizeof(mon_uuid));
	mon->own[mon->n_own++].at = now;
}

/*
 * Our Port row went.  The agent deleted it (it said so, or the row is of an
 * earlier boot, or its tap is gone): nothing to do.  Its Bridge row gone
 * with it: back when a bridge of that name is.  Else someone deleted the
 * port: respected, unless ReattachDeleted=yes.
 */
static void port_lost(struct agent *a, struct monitor *mon, const struct mon_lost *l)
{
	size_t i;

	if (own_delete(mon, l->uuid)) {
		pr_debug("%s: OVSDB port removed by the agent", l->name);
		return;
	}
	for (i = 0; i < mon->m.n_ports; i++)
		if (!strcmp(mon->m.ports[i].name, l->name)) {
			pr_debug("%s: OVSDB port replaced by another of ours", l->name);
			return;
		}
	/* a live tap of that name with the same ifindex of an earlier boot */
	if (l->boot && a->boot_id[0] && strcmp(l->boot, a->boot_id)) {
		pr_debug("%s: OVSDB port of an earlier boot (%s) removed", l->name, l->boot);
		return;
	}
	if (!mon->tap_alive(l->name, l->ifindex)) {
		pr_debug("%s: OVSDB port removed, its tap (ifindex %d) is gone", l->name,
			 l->ifindex);
		return;
	}
	if (l->bridge_gone) {
		pr_notice("%s (ifindex %d): bridge %s was deleted from OVSDB with the port: attached again once %s is back",
			  l->name, l->ifindex, l->bridge, l->bridge);
		wait_add(mon, l, l->bridge);
	} else if (a->cfg.reattach_deleted) {
		pr_notice("%s (ifindex %d): its OVSDB port was removed by someone else: re-adding it (ReattachDeleted=yes)",
			  l->name, l->ifindex);
		wait_add(mon, l, NULL);
	} else {
		pr_notice("%s (ifindex %d): its OVSDB port was removed by someone else: left alone; ReattachDeleted=yes in [Agent] of %s re-adds such ports",
			  l->name, l->ifindex, a->cfg.path);
	}
}

/* Hand tap W back to the kernel's policy; false to look again later. */
static bool give_back(struct agent *a, struct mon_wait *w, uint64_t now)
{
	struct ovskvm_port p;
	int ret;

	ret = genl_get_port(&a->req, w->ifindex, &p);
	if (ret || strcmp(p.ifname, w->name)) {
		pr_debug("%s (ifindex %u): gone, not attached again", w->name, w->ifindex);
		return true;
	}
	if (p.state == OVSKVM_PORT_ATTACHED) {
		if (now - w->since < MON_DETACH_WAIT_MS) {
			w->next = now + MON_RECHECK_MS;
			return false;
		}
		pr_info("%s (ifindex %u): still attached %d s after its OVSDB port went: left as it is",
			w->name, w->ifindex, MON_DETACH_WAIT_MS / 1000);
		return true;
	}
	if (p.state == OVSKVM_PORT_PENDING && wants_ovs(&p)) {
		add_pending(a, &p);
		return true;
	}
	ret = genl_reevaluate(&a->req, w->ifindex);
	if (ret)
		pr_warn("%s (ifindex %u): matching it again failed: %s", w->name,
			w->ifindex, strerror(-ret));
	else
		pr_debug("%s (ifindex %u): matched again", w->name, w->ifindex);
	return true;
}

static void run_waits(struct agent *a, struct monitor *mon)
{
	uint64_t now = now_ms();
	size_t i = 0;

	while (i < mon->n_wait) {
		struct mon_wait *w = &mon->wait[i];

		if (w->next > now) {
			i++;
			continue;
		}
		if (w->bridge[0] && !mon_bridge_by_name(&mon->m, w->bridge)) {
			w->next = UINT64_MAX;	/* until the bridge appears */
			i++;
			continue;
		}
		if (give_back(a, w, now))
			*w = mon->wait[--mon->n_wait];
		else
			i++;
	}
}

/* ---- what the notifications recorded ------------------------------------- */

static void bridge_appeared(struct agent *a, struct monitor *mon, const char *name)
{
	unsigned int i, n = 0;

	for (i = 0; i < a->n_pending; i++)
		if (!strcmp(a->pending[i].port.bridge, name))
			n++;
	for (i = 0; i < mon->n_wait; i++)
		if (!strcmp(mon->wait[i].bridge, name)) {
			mon->wait[i].next = 0;
			n++;
		}
	if (!n) {
		pr_debug("bridge %s appeared in OVSDB", name);
		return;
	}
	pr_info("bridge %s appeared in OVSDB: attaching the %u tap%s waiting for it",
		name, n, n == 1 ? "" : "s");
	a->batch_at = now_ms();
}

static void report_errors(struct agent *a, struct monitor *mon)
{
	size_t i;

	for (i = 0; i < mon->m.n_ifaces; i++) {
		struct mon_iface *f = &mon->m.ifaces[i];
		const struct mon_port *p = mon_port_of_iface(&mon->m, f->uuid);
		const char *name = p ? p->name : f->name ?: "?";
		char ofport[32] = "";
		char *reason = NULL;

		if (!f->error == !f->shown && (!f->error || !strcmp(f->error, f->shown)))
			continue;
		if (f->ofport)
			snprintf(ofport, sizeof(ofport), " (ofport %" PRId64 ")", f->ofport);
		if (f->error && (!p || !mon->tap_alive(p->name, p->ifindex))) {
			/* the tap went away first: ovs-vswitchd only noticed */
			pr_debug("%s: Open vSwitch: %s%s; the tap is gone", name, f->error, ofport);
		} else if (f->error) {
			pr_err("%s: Open vSwitch cannot add it: %s%s", name, f->error, ofport);
			if (asprintf(&reason, "Open vSwitch cannot add it: %s", f->error) < 0)
				reason = NULL;
		} else {
			log_msg(p && mon->tap_alive(p->name, p->ifindex) ? LOG_INFO : LOG_DEBUG,
				"%s: the Open vSwitch error is gone%s", name, ofport);
		}
		free(f->shown);
		f->shown = f->error ? strdup(f->error) : NULL;
		free(f->reason);
		f->reason = reason;
	}
	/*
	 * attach.c writes the reasons file at its next batch.  A batch now
	 * would attach the pending taps before their retry is due; with a
	 * retry due it waits for that (RETRY_MS at most), else one now does
	 * nothing else.
	 */
	a->reasons_dirty = true;
	if (!a->batch_at && !a->retry_at)
		a->batch_at = now_ms();
}

/* The Interface condition, changed when the set of our Interfaces did. */
static void follow_ifaces(struct agent *a, struct monitor *mon)
{
	json_t *where = mon_iface_where(&mon->m), *params, *result = NULL;
	char *err = NULL;
	int ret;

	if (!where || json_equal(where, mon->iface_where) ||
	    !(params = mon_iface_change(json_string_value(mon->id), where))) {
		json_decref(where);
		return;
	}
	json_decref(mon->iface_where);
	mon->iface_where = where;
	ret = ovsdb_call(a->db, "monitor_cond_change", params, &result, &err,
			 a->cfg.timeout_ms);
	json_decref(result);
	if (ret) {
		json_decref(mon->iface_where);	/* sent again next time */
		mon->iface_where = NULL;
	}
	if (ret && !ovsdb_is_connected(a->db))
		db_lost(a, err);
	else if (ret)		/* given up (SIGTERM) is no news */
		log_msg(ret == -ECANCELED ? LOG_DEBUG : LOG_WARNING,
			"OVSDB monitor: following our Interfaces failed: %s; their errors may not show",
			err ?: strerror(-ret));
	free(err);
}

void monitor_step(struct agent *a)
{
	struct monitor *mon = a->mon;
	size_t i;

	if (!mon || !a->db || a->stop)
		return;
	if (!mon->active && !mon->unsupported && now_ms() >= mon->install_at &&
	    !install(a, mon))
		return;
	if (!mon->active)
		return;
	/* an Interface condition change brings news of its own: loop */
	for (i = 0; mon->work && i < 4 && a->db; i++) {
		struct ovs_monitor *m = &mon->m;
		size_t j;

		mon->work = false;
		if (m->bad_rows)
			pr_warn("OVSDB monitor: %u malformed row%s ignored", m->bad_rows,
				m->bad_rows == 1 ? "" : "s");
		for (j = 0; j < m->n_lost; j++)
			port_lost(a, mon, &m->lost[j]);
		for (j = 0; j < m->n_appeared; j++)
			bridge_appeared(a, mon, m->appeared[j]);
		if (m->errors_changed)
			report_errors(a, mon);
		if (m->ifaces_changed) {
			mon_clear_news(m);
			follow_ifaces(a, mon);
		} else {
			mon_clear_news(m);
		}
	}
	if (mon->active && a->db)
		run_waits(a, mon);
}

uint64_t monitor_deadline(const struct agent *a)
{
	const struct monitor *mon = a->mon;
	uint64_t next = UINT64_MAX;
	size_t i;

	if (!mon || !a->db)
		return UINT64_MAX;
	if (mon->work)
		return 0;
	if (!mon->active)
		return mon->unsupported ? UINT64_MAX : mon->install_at;
	for (i = 0; i < mon->n_wait; i++)
		if (mon->wait[i].next < next)
			next = mon->wait[i].next;
	return next;
}

size_t monitor_n_reasons(const struct agent *a)
{
	size_t i, n = 0;

	for (i = 0; a->mon && i < a->mon->m.n_ifaces; i++)
		n += a->mon->m.ifaces[i].reason != NULL;
	return n;
}

size_t monitor_reasons(const struct agent *a, struct port_reason *r, size_t max)
{
	size_t i, n = 0;

	for (i = 0; a->mon && i < a->mon->m.n_ifaces && n < max; i++) {
		const struct mon_iface *f = &a->mon->m.ifaces[i];
		const struct mon_port *p = mon_port_of_iface(&a->mon->m, f->uuid);

		if (!f->reason || !p || p->ifindex <= 0 || strlen(p->name) >= IFNAMSIZ)
			continue;
		r[n].ifindex = p->ifindex;
		r[n].name = p->name;
		r[n].reason = f->reason;
		n++;
	}
	return n;
}

void monitor_free(struct agent *a)
{
	if (!a->mon)
		return;
	mon_clear(&a->mon->m);
	drop_queued(a->mon);
	json_decref(a->mon->id);
	json_decref(a->mon->stale);
	json_decref(a->mon->iface_where);
	free(a->mon->wait);
	free(a->mon);
	a->mon = NULL;
}
