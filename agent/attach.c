// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of OVSDB: the connection with its backoff, attaching the
 * pending taps in one transaction per batch, detaching the ports of taps
 * that are gone (only rows we own whose recorded ifindex and boot are that
 * tap's), and the resync that compares the module's ports with our OVSDB
 * rows afresh.
 *
 * A row of ours recorded for another tap of the same name (another ifindex,
 * or another boot: conf.db outlives reboots) is rewritten in place for the
 * live tap, never deleted under it: ovs-vswitchd may have put the new tap on
 * it already, with the old VM's VLAN.  Taps the module reports attached to
 * OVS are confirmed against their row the same way (port_attached()).
 * Not so when another program wrote to that row's Interface since we did (its
 * external_ids no longer match the checksum the Port records, ovsdb_txn.h):
 * libvirt's `ovs-vsctl --may-exist add-port` keeps the row and adds the
 * keys OVN binds the VM by.  Such a row is that program's now: neither
 * rewritten nor deleted, whichever tap comes or goes (row_taken()).
 *
 * One bad tap never holds up the others: every port is checked before it
 * goes into a transaction (a name or value OVSDB cannot store is left out,
 * with its reason), and when a batch fails all the same (an Interface of
 * that name in another Port, a missing bridge) each port is tried on its own,
 * so that only the bad one waits, its reason in the log and in `ovskvm
 * status` (reasons.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "fdholder.h"
#include "log.h"
#include "monitor.h"
#include "ovsdb_txn.h"
#include "reasons.h"
#include "utf8.h"

/* Pending ports */

#define ESC_LEN	80

/* NAME as it can be shown: bytes that are not UTF-8 as \xNN. */
#define esc(name, buf)	utf8_escape(name, buf, sizeof(buf))

#define BOOT_ID_PATH	"/proc/sys/kernel/random/boot_id"

/*
 * This boot's id, which our rows record next to the ifindex; NULL if it
 * cannot be read (then rows are told apart by ifindex alone, as rows
 * written before the boot id was recorded are).
 */
static const char *boot_id(struct agent *a)
{
	static bool warned;
	char buf[64] = "";
	FILE *f;

	if (a->boot_id[0])
		return a->boot_id;
	f = fopen(BOOT_ID_PATH, "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (!ovsdb_uuid_valid(buf)) {
		if (!warned)
			pr_warn("cannot read the boot id from %s: OVSDB ports of an earlier boot are told apart by ifindex only",
				BOOT_ID_PATH);
		warned = true;
		return NULL;
	}
	memcpy(a->boot_id, buf, BOOT_ID_LEN + 1);
	return a->boot_id;
}

static bool owner_ours(const char *owner)
{
	return owner && !strcmp(owner, AGENT_OWNER);
}

/*
 * Is there a network device NAME with IFINDEX now?  Asked by index
 * (SIOCGIFNAME): a lookup by name of a device that is gone makes the kernel
 * run modprobe for it, twice, before it answers (dev_load()), a second or
 * more each under emulation; the taps this is asked about are mostly gone.
 */
bool netdev_is(const char *name, int ifindex)
{
	char buf[IF_NAMESIZE];

	return ifindex > 0 && if_indextoname(ifindex, buf) && !strcmp(buf, name);
}

/*
 * Is a row of ours recorded as (IFINDEX, BOOT) the one of tap TAP_IFINDEX
 * of this boot?  A row without a boot id (written before it was recorded)
 * is taken at its ifindex only by resync, which must not delete it under a
 * live tap; an attach rewrites it with the boot id.
 */
static bool row_is_tap(struct agent *a, int ifindex, const char *boot,
		       uint32_t tap_ifindex, bool legacy_ok)
{
	const char *ours = boot_id(a);

	if (ifindex <= 0 || (uint32_t)ifindex != tap_ifindex)
		return false;
	if (!ours)
		return true;
	if (!boot)
		return legacy_ok;
	return !strcmp(boot, ours);
}

static struct pend *find_pending(struct agent *a, uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < a->n_pending; i++)
		if (a->pending[i].port.ifindex == ifindex)
			return &a->pending[i];
	return NULL;
}

void drop_pending(struct agent *a, uint32_t ifindex)
{
	struct pend *p = find_pending(a, ifindex);

	if (!p)
		return;
	if (p->reason[0])
		a->reasons_dirty = true;
	*p = a->pending[--a->n_pending];
}

/*
 * Record why P is not attached yet, for `ovskvm status`.  Returns true when
 * that is news, which the caller logs at its level (else at debug level).
 */
static bool set_reason(struct agent *a, struct pend *p, const char *reason)
{
	char buf[sizeof(p->reason)];

	snprintf(buf, sizeof(buf), "%s", reason);
	if (!strcmp(buf, p->reason))
		return false;
	strcpy(p->reason, buf);
	a->reasons_dirty = true;
	return true;
}

/* The reasons file: rewritten when a reason changed, removed when none is left. */
static void save_reasons(struct agent *a)
{
	const char *path = a->reasons_path ?: REASONS_PATH;
	struct port_reason *r;
	unsigned int i, n = 0;
	int ret;

	if (!a->reasons_dirty)
		return;
	r = calloc(a->n_pending + monitor_n_reasons(a) ?: 1, sizeof(*r));
	if (!r)
		return;
	for (i = 0; i < a->n_pending; i++) {
		const struct pend *p = &a->pending[i];

		if (!p->reason[0])
			continue;
		r[n].ifindex = p->port.ifindex;
		r[n].name = p->port.ifname;
		r[n].reason = p->reason;
		n++;
	}
	n += monitor_reasons(a, r + n, monitor_n_reasons(a));	/* Interface errors */
	ret = reasons_save(path, r, n);
	free(r);
	if (ret && !a->reasons_failed)
		pr_warn("cannot write %s: %s; 'ovskvm status' will not show why taps wait",
			path, strerror(-ret));
	a->reasons_failed = ret != 0;
	a->reasons_dirty = false;
}

/*
 * What the creating QEMU's command line says about this tap, if the process
 * is still its creator: all files are read through one /proc/PID directory
 * descriptor, which stays bound to that process even if the pid is reused
 * meanwhile, and qemu_identify() checks start time, comm and uid first.
 */
static void read_creator(struct pend *p)
{
	static char cmdline[65536];
	char stat[1024], status[4096], comm[32], dir[32];
	long hz = sysconf(_SC_CLK_TCK);
	struct qemu_creator c = {
		.pid = p->port.creator_pid,
		.uid = p->port.creator_uid,
		.comm = p->port.creator_comm,
	};
	struct qemu_proc pr = {
		.stat = stat, .status = status, .comm = comm, .cmdline = cmdline,
	};
	ssize_t n;
	int dfd, ret;

	p->is_qemu = p->qemu_suspect = false;
	memset(&p->qemu, 0, sizeof(p->qemu));
	if (!(p->port.flags & OVSKVM_PORT_F_CREATOR_KNOWN) || !c.pid || hz <= 0) {
		snprintf(p->not_qemu, sizeof(p->not_qemu),
			 "its creator is unknown (the tap is older than the module)");
		return;
	}
	c.start_ticks = p->port.creator_start_ns / (1000000000ULL / hz);
	snprintf(dir, sizeof(dir), "/proc/%u", c.pid);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		goto unreadable;
	}
	/* stat last: the process was still there after the other reads */
	n = proc_read_at(dfd, "cmdline", cmdline, sizeof(cmdline));
	ret = n < 0 ? n : proc_read_at(dfd, "comm", comm, sizeof(comm));
	if (ret >= 0)
		ret = proc_read_at(dfd, "status", status, sizeof(status));
	if (ret >= 0)
		ret = proc_read_at(dfd, "stat", stat, sizeof(stat));
	close(dfd);
	if (ret < 0)
		goto unreadable;
	pr.cmdline_len = n;
	ret = qemu_identify(&c, &pr, p->port.ifname, &p->qemu, p->not_qemu,
			    sizeof(p->not_qemu));
	p->is_qemu = !ret;
	p->qemu_suspect = ret == -EPERM;
	return;
unreadable:
	if (ret == -ENOENT || ret == -ESRCH)
		snprintf(p->not_qemu, sizeof(p->not_qemu),
			 "its creator (pid %u, %s) has exited", c.pid, c.comm);
	else
		snprintf(p->not_qemu, sizeof(p->not_qemu),
			 "its creator's /proc/%u cannot be read: %s", c.pid, strerror(-ret));
}

/*
 * The VM identity of P's tap: from its creator's command line when QEMU
 * created it, else, when libvirt's daemon did, from the QEMU that holds it
 * now (libvirt hands QEMU its taps as descriptors: fdholder.h).  Only then:
 * looking for the holder reads every process's descriptors.
 */
static void read_qemu(struct pend *p)
{
	struct fdholder h;
	char why[128], e[ESC_LEN];
	size_t n;

	read_creator(p);
	p->holder_pid = 0;
	if (p->is_qemu || p->qemu_suspect ||
	    !(p->port.flags & OVSKVM_PORT_F_CREATOR_KNOWN) ||
	    !fdholder_creator_hands_off(p->port.creator_comm))
		return;
	if (fdholder_identify("/proc", p->port.ifname, &h, &p->qemu, why, sizeof(why))) {
		n = strlen(p->not_qemu);
		snprintf(p->not_qemu + n, sizeof(p->not_qemu) - n, ", and %s", why);
		return;
	}
	p->is_qemu = true;
	p->holder_pid = h.pid;
	pr_debug("%s: VM identity from QEMU pid %u (uid %u), which holds the tap as descriptor %d; %s (pid %u) created it",
		 esc(p->port.ifname, e), h.pid, h.uid, h.fd, p->port.creator_comm, p->port.creator_pid);
}

/*
 * Is P a tap of libvirt's still waiting for the QEMU that libvirt starts
 * with it?  Until then it is not attached: the port gets the VM's labels at
 * once, and a tap that libvirt puts on an OVS bridge itself (interface type
 * bridge, virtualport openvswitch) has libvirt's Port row by then, which the
 * agent leaves alone.  A tap no QEMU takes in time goes without labels.
 */
static bool awaiting_holder(struct agent *a, struct pend *p)
{
	uint64_t now = now_ms();
	char why[REASON_LEN], e[ESC_LEN];

	if (!p->holder_until)
		return false;
	esc(p->port.ifname, e);
	read_qemu(p);
	if (p->is_qemu) {
		p->holder_until = 0;
		return false;
	}
	if (now < p->holder_until) {
		snprintf(why, sizeof(why), "waiting for the QEMU that %s (pid %u) hands the tap to",
			 p->port.creator_comm, p->port.creator_pid);
		if (set_reason(a, p, why))
			pr_debug("%s: %s", e, why);
		if (!a->batch_at || a->batch_at > now + HOLDER_POLL_MS)
			a->batch_at = now + HOLDER_POLL_MS;
		return true;
	}
	pr_warn("%s: no QEMU took the tap from its creator %s (pid %u) within %u s: attached without the VM's labels",
		e, p->port.creator_comm, p->port.creator_pid, HOLDER_WAIT_MS / 1000);
	p->holder_until = 0;
	return false;
}

/* Ports the agent attaches: pending on a bridge that is not a Linux one. */
bool wants_ovs(const struct ovskvm_port *p)
{
	return p->state == OVSKVM_PORT_PENDING && p->has_rule && p->bridge[0] &&
	       (p->bridge_kind == OVSKVM_BRIDGE_OVS ||
		p->bridge_kind == OVSKVM_BRIDGE_NONE);
}

void add_pending(struct agent *a, const struct ovskvm_port *port)
{
	struct pend *p = find_pending(a, port->ifindex);

	if (!p) {
		if (a->n_pending == a->cap_pending) {
			unsigned int cap = a->cap_pending ? a->cap_pending * 2 : 16;
			struct pend *n = realloc(a->pending, cap * sizeof(*n));

			if (!n) {
				pr_err("out of memory: %s stays pending until the next resync",
				       port->ifname);
				return;
			}
			a->pending = n;
			a->cap_pending = cap;
		}
		p = &a->pending[a->n_pending++];
		memset(p, 0, sizeof(*p));
		p->port = *port;
		read_qemu(p);
		if (!p->is_qemu && (port->flags & OVSKVM_PORT_F_CREATOR_KNOWN) &&
		    fdholder_creator_hands_off(port->creator_comm))
			p->holder_until = now_ms() + HOLDER_WAIT_MS;
	} else {
		p->port = *port;
		p->unfit = false;	/* its bridge may have changed: look again */
	}
	if (!a->batch_at)
		a->batch_at = now_ms() + COALESCE_MS;
}

/*
 * A tap of an OVS rule that the module reports in the OVS datapath.  One
 * that someone else put on a Linux bridge first (libvirt's NAT network
 * virbr0, say) is theirs: not added to OVSDB, which could not take it.
 */
static bool in_ovs(const struct ovskvm_port *p)
{
	return p->state == OVSKVM_PORT_ATTACHED && p->has_rule && p->bridge[0] &&
	       (p->bridge_kind == OVSKVM_BRIDGE_OVS ||
		p->bridge_kind == OVSKVM_BRIDGE_NONE) &&
	       (!p->master[0] || !strcmp(p->master, "ovs-system"));
}

void port_attached(struct agent *a, const struct ovskvm_port *p)
{
	if (in_ovs(p))
		add_pending(a, p);	/* attach_batch() confirms its row */
	else
		drop_pending(a, p->ifindex);
}

/* BOOT: the boot the row records, "" if none (or NULL: this boot's). */
static void add_gone_boot(struct agent *a, uint32_t ifindex, const char *name,
			  const char *boot)
{
	unsigned int i;

	/* OVSDB holds no Port of a name it cannot store: nothing to remove */
	if (!ovsdb_string_valid(name))
		return;
	if (!boot)
		boot = boot_id(a) ?: "";
	for (i = 0; i < a->n_gone; i++)
		if (a->gone[i].ifindex == ifindex && !strcmp(a->gone[i].name, name) &&
		    !strcmp(a->gone[i].boot, boot))
			return;
	if (a->n_gone == a->cap_gone) {
		unsigned int cap = a->cap_gone ? a->cap_gone * 2 : 16;
		struct gone *n = realloc(a->gone, cap * sizeof(*n));

		if (!n) {
			pr_err("out of memory: the OVSDB port %s is left until the next resync", name);
			return;
		}
		a->gone = n;
		a->cap_gone = cap;
	}
	a->gone[a->n_gone].ifindex = ifindex;
	snprintf(a->gone[a->n_gone].name, IFNAMSIZ, "%s", name);
	snprintf(a->gone[a->n_gone].boot, sizeof(a->gone[a->n_gone].boot), "%s", boot);
	a->n_gone++;
	if (!a->batch_at)
		a->batch_at = now_ms() + COALESCE_MS;
}

void add_gone(struct agent *a, uint32_t ifindex, const char *name)
{
	add_gone_boot(a, ifindex, name, NULL);
}

/* OVSDB connection */

/*
 * The next pause before reconnecting: it doubles up to ReconnectMax, and
 * starts again from the shortest only after a connection that lasted, so a
 * server that accepts and closes at once is not hammered.
 */
static void schedule_reconnect(struct agent *a)
{
	a->reconnect_at = now_ms() + a->backoff_ms;
	a->backoff_ms *= 2;
	if (a->backoff_ms > a->cfg.reconnect_max_ms)
		a->backoff_ms = a->cfg.reconnect_max_ms;
}

void db_lost(struct agent *a, const char *why)
{
	bool lasted;

	if (!a->db)
		return;
	lasted = now_ms() - a->connected_at >= BACKOFF_STABLE_MS;
	pr_warn("lost the OVSDB connection to %s: %s; ports stay pending until it is back",
		a->cfg.ovsdb, why ?: "closed");
	ovsdb_close(a->db);
	a->db = NULL;
	if (lasted)
		a->backoff_ms = BACKOFF_MIN_MS;
	schedule_reconnect(a);
	a->db_down_logged = true;
}

void db_connect(struct agent *a)
{
	char *err = NULL;

	a->db = ovsdb_connect(a->cfg.ovsdb, a->cfg.timeout_ms, &err);
	if (a->db) {
		pr_info("connected to OVSDB at %s", a->cfg.ovsdb);
		a->db_down_logged = false;
		a->connected_at = now_ms();
		a->resync = true;
		free(err);
		return;
	}
	if (!a->db_down_logged) {
		pr_warn("cannot reach OVSDB at %s: %s; ports stay pending, retrying up to every %u ms (is openvswitch-switch running?)",
			a->cfg.ovsdb, err ?: strerror(errno), a->cfg.reconnect_max_ms);
		a->db_down_logged = true;
	} else {
		pr_debug("OVSDB at %s still unreachable: %s", a->cfg.ovsdb, err ?: "");
	}
	free(err);
	schedule_reconnect(a);
}

/* Run PARAMS (stolen) as one transaction; 0 or -errno, message in *err. */
static int transact(struct agent *a, json_t *params, json_t **result, char **err)
{
	json_t *res = NULL;
	int ret;

	*err = NULL;
	if (!params) {
		*err = strdup("cannot build the transaction");
		return -ENOMEM;
	}
	json_incref(params);
	ret = ovsdb_transact(a->db, params, &res, err, a->cfg.timeout_ms);
	if (!ret) {
		ret = ovsdb_parse_txn_result(res, params, err);
		if (result && !ret)
			*result = json_incref(res);
	}
	json_decref(res);
	json_decref(params);
	if (ret && !ovsdb_is_connected(a->db))
		db_lost(a, *err);
	return ret;
}

/* Select the Port rows named NAMES; 0 or -errno. */
static int select_ports(struct agent *a, const char *const *names, size_t n,
			struct ovsdb_port_row **rows)
{
	json_t *result = NULL;
	char *err = NULL;
	int ret;

	ret = transact(a, ovsdb_txn_select_ports(names, n), &result, &err);
	if (!ret)
		ret = ovsdb_parse_port_rows(result, n, rows, &err);
	if (ret)
		pr_warn("reading Port rows from OVSDB failed: %s", err ?: strerror(-ret));
	free(err);
	json_decref(result);
	return ret;
}

/* A pending tap called NAME that can go into a transaction, if any. */
static struct pend *pending_named(struct agent *a, const char *name)
{
	unsigned int i;

	for (i = 0; i < a->n_pending; i++)
		if (!a->pending[i].unfit && !strcmp(a->pending[i].port.ifname, name))
			return &a->pending[i];
	return NULL;
}

/* Was the takeover of the row of tap IFINDEX logged already?  Notes it if not. */
static bool taken_logged(struct agent *a, uint32_t ifindex)
{
	unsigned int i, n = a->n_taken_logged;

	for (i = 0; i < n && i < TAKEN_LOGGED; i++)
		if (a->taken_logged[i] == ifindex)
			return true;
	a->taken_logged[n % TAKEN_LOGGED] = ifindex;
	/* past the first round every slot is in use: stay in the second */
	a->n_taken_logged = n + 1 < 2 * TAKEN_LOGGED ? n + 1 : TAKEN_LOGGED;
	return false;
}

/*
 * Delete the rows of SPECS in one guarded transaction.  0 or -errno;
 * -ESTALE: a row changed since it was read, nothing deleted (said only when
 * SAY_STALE, then a resync follows).
 */
static int send_detach(struct agent *a, const struct ovsdb_detach_spec *specs,
		       unsigned int n, bool say_stale)
{
	char *err = NULL;
	unsigned int i;
	int ret;

	ret = transact(a, ovsdb_txn_detach(specs, n, AGENT_OWNER), NULL, &err);
	/* the monitor is told: its update is no one else's del-port */
	if (!ret || ret == -ETIMEDOUT)
		for (i = 0; i < n; i++)
			monitor_own_delete(a, specs[i].port_uuid);
	if (ret == -ESTALE) {
		if (say_stale) {
			pr_info("a port changed while it was being removed, nothing deleted: %s; resyncing",
				err ?: "");
			a->resync = true;
		}
	} else if (ret) {
		pr_err("removing %u OVSDB port%s failed: %s", n, n == 1 ? "" : "s",
		       err ?: strerror(-ret));
	} else {
		for (i = 0; i < n; i++)
			pr_info("%s: tap gone (ifindex %d), OVSDB port removed",
				specs[i].name, specs[i].ifindex);
	}
	free(err);
	return ret;
}

/* A gone tap's row as the monitor had it: detach_gone() frees iface_ext. */
struct cached_row {
	mon_uuid port, iface;
	json_t *iface_ext;		/* an OVSDB map, to guard the delete */
};

/*
 * The rows of the gone taps from the OVSDB monitor's cache, when it can
 * tell for every one: a row of ours recorded for that very tap, its one
 * Interface as the agent wrote it, and no new tap of that name waiting
 * for it.  Fills SPECS, pointing into ROWS, and returns how many; 0: ask
 * the server (select_ports()), which also says why a row is left alone.
 * The specs hold copies: the cache changes under the call that deletes the
 * rows, as the monitor's updates come in.
 */
static unsigned int gone_from_monitor(struct agent *a,
				      struct ovsdb_detach_spec *specs,
				      struct cached_row *rows)
{
	const struct monitor *mon = a->mon;
	unsigned int i;

	/* installing and queued are never set here (install() drains them) */
	if (!mon || !mon->active || mon->installing || mon->n_queued)
		return 0;
	for (i = 0; i < a->n_gone; i++) {
		const struct gone *g = &a->gone[i];
		const struct mon_port *p = mon_port_by_name(&mon->m, g->name);
		const struct mon_iface *f;
		json_t *port_ext;
		bool ours;

		if (!p || p->ifindex != (int)g->ifindex ||
		    (p->boot && strcmp(p->boot, g->boot)) || p->n_ifaces != 1 ||
		    pending_named(a, g->name))
			break;
		f = mon_iface_by_uuid(&mon->m, p->ifaces[0]);
		if (!f || !f->name || strcmp(f->name, p->name))
			break;
		rows[i].iface_ext = mon_ext_map(f->ext);
		port_ext = mon_ext_map(p->ext);
		ours = rows[i].iface_ext && port_ext &&
		       ovsdb_iface_as_written(rows[i].iface_ext, port_ext);
		json_decref(port_ext);
		if (!ours)
			break;
		memcpy(rows[i].port, p->uuid, sizeof(rows[i].port));
		memcpy(rows[i].iface, f->uuid, sizeof(rows[i].iface));
		specs[i].name = g->name;
		specs[i].port_uuid = rows[i].port;
		specs[i].ifindex = p->ifindex;
		/* equal (checked above); g->boot outlives the call */
		specs[i].boot = p->boot ? g->boot : NULL;
		specs[i].iface_uuid = rows[i].iface;
		specs[i].iface_ext = rows[i].iface_ext;
	}
	return i == a->n_gone ? i : 0;
}

/*
 * Detach: delete our Port rows of taps that are gone.  A row whose name a
 * new tap has taken meanwhile is left to attach_pending(), which rewrites it
 * in place for that tap in its own transaction.
 *
 * Every round trip counts here: until the row is gone, each reconfiguration
 * of ovs-vswitchd tries to open the tap that is no more, and on Linux that
 * lookup runs modprobe twice (dev_load()), in its main loop.  So the rows
 * the monitor knows are deleted straight away, guarded as always; only when
 * it cannot tell, or a guard fails, are they read first.
 */
void detach_gone(struct agent *a)
{
	struct ovsdb_detach_spec *specs;
	struct ovsdb_port_row *rows = NULL;
	const char **names;
	unsigned int i, n = 0, count = a->n_gone;
	struct cached_row *cached;
	int ret;

	if (!count)
		return;
	names = calloc(count, sizeof(*names));
	specs = calloc(count, sizeof(*specs));
	cached = calloc(count, sizeof(*cached));
	if (!names || !specs || !cached)
		goto out;
	n = gone_from_monitor(a, specs, cached);
	if (n) {
		ret = send_detach(a, specs, n, false);
		if (ret != -ESTALE)
			goto done;
		pr_debug("a port changed since the monitor saw it: reading the rows");
	}
	/* what the monitor filled in, up to the tap it could not vouch for */
	memset(specs, 0, count * sizeof(*specs));
	n = 0;
	for (i = 0; i < count; i++)
		names[i] = a->gone[i].name;
	if (select_ports(a, names, count, &rows))
		goto out_keep;
	for (i = 0; i < count; i++) {
		const struct ovsdb_port_row *r = &rows[i];

		if (!r->present)
			continue;
		if (!owner_ours(r->owner)) {
			pr_debug("%s: the OVSDB port is not ours, left alone", names[i]);
			continue;
		}
		if (r->ifindex != (int)a->gone[i].ifindex ||
		    (r->boot && strcmp(r->boot, a->gone[i].boot))) {
			pr_info("%s: the OVSDB port belongs to a newer tap of that name (ifindex %d, not %u), left alone",
				names[i], r->ifindex, a->gone[i].ifindex);
			continue;
		}
		if (!r->iface_as_written) {	/* see row_taken() */
			log_msg(taken_logged(a, r->ifindex) ? LOG_DEBUG : LOG_NOTICE,
				"%s: tap gone (ifindex %d), but its OVSDB port belongs to another program now: its Interface was changed by another program: left alone",
				names[i], r->ifindex);
			continue;
		}
		if (pending_named(a, names[i])) {
			pr_debug("%s: the OVSDB port of the tap that is gone goes to the new tap of that name",
				 names[i]);
			continue;
		}
		specs[n].name = names[i];
		specs[n].port_uuid = r->uuid;
		specs[n].ifindex = r->ifindex;
		specs[n].boot = r->boot;
		n++;
	}
	ret = n ? send_detach(a, specs, n, true) : 0;
done:
	if (ret && ret != -ESTALE && a->db)
		goto out_keep;
	a->n_gone = 0;
	goto out;
out_keep:
	a->retry_at = now_ms() + RETRY_MS;
out:
	if (rows)
		ovsdb_port_rows_free(rows, count);
	for (i = 0; cached && i < count; i++)
		json_decref(cached[i].iface_ext);
	free(cached);
	free(names);
	free(specs);
}

struct extids {
	const char *keys[CONFIG_MAX_EXTIDS];
	const char *values[CONFIG_MAX_EXTIDS];
	char buf[CONFIG_MAX_EXTIDS][CONFIG_EXTID_VALUE_LEN];
	size_t n;
};

static const struct config_rule *rule_of(struct agent *a, const struct ovskvm_port *p)
{
	if (!a->policy_ours || !p->has_rule || !p->rule_id || p->rule_id > a->cfg.n_rules)
		return NULL;
	return &a->cfg.rules[p->rule_id - 1];
}

/*
 * The rule's ExternalID= values for P.  A value that cannot be had (its
 * placeholder has no value) or sent (not UTF-8) is left out and said why,
 * once per tap: the port is attached without it.
 */
static void expand_extids(struct agent *a, struct pend *p, struct extids *x)
{
	const struct config_rule *r = rule_of(a, &p->port);
	struct config_expand_ctx ctx = {
		.vm_name = p->is_qemu ? p->qemu.name : NULL,
		.vm_uuid = p->is_qemu ? p->qemu.uuid : NULL,
		.guest_mac = p->is_qemu ? p->qemu.mac : NULL,
		.ifname = p->port.ifname,
	};
	static const char *const what[] = {
		['n'] = "VM name (-name)", ['u'] = "VM UUID (-uuid)",
		['m'] = "guest MAC (-device ...,mac=)", ['i'] = "interface name",
	};
	char e[ESC_LEN], v[ESC_LEN];
	bool quiet = p->extids_logged;
	unsigned int i;
	char missing = 0;

	x->n = 0;
	if (!r)
		return;
	p->extids_logged = true;
	esc(p->port.ifname, e);
	for (i = 0; i < r->n_extids; i++) {
		const struct config_extid *ex = &r->extids[i];
		int ret = config_expand(ex->value, &ctx, x->buf[x->n],
					sizeof(x->buf[x->n]), &missing);

		if (ret == -ENOENT) {
			const char *w = what[(unsigned char)missing & 0x7f] ?: "value";

			if (quiet)
				continue;
			if (p->is_qemu)
				pr_warn("%s: ExternalID %s (%s:%d) left out: the command line of QEMU (pid %u, %s) has no %s%s",
					e, ex->key, a->cfg.path, ex->line,
					p->holder_pid ?: p->port.creator_pid,
					p->holder_pid ? "holding the tap" : p->port.creator_comm, w,
					missing == 'u' && p->qemu.bad_uuid ?
					": its -uuid is not a UUID" : "");
			else
				/* expected for taps not made by QEMU: say so quietly */
				log_msg(p->qemu_suspect ? LOG_WARNING : LOG_DEBUG,
					"%s: ExternalID %s (%s:%d) left out: no %s, as %s",
					e, ex->key, a->cfg.path, ex->line, w, p->not_qemu);
			continue;
		}
		if (ret) {
			if (!quiet)
				pr_warn("%s: ExternalID %s (%s:%d) left out: the value is too long",
					e, ex->key, a->cfg.path, ex->line);
			continue;
		}
		/* the VM name, say, is whatever bytes the creator gave */
		if (!ovsdb_string_valid(x->buf[x->n])) {
			if (!quiet)
				pr_warn("%s: ExternalID %s (%s:%d) left out: its value %s is not UTF-8, which OVSDB cannot store",
					e, ex->key, a->cfg.path, ex->line, esc(x->buf[x->n], v));
			continue;
		}
		x->keys[x->n] = ex->key;
		x->values[x->n] = x->buf[x->n];
		x->n++;
	}
}

/* Why attaching P failed: its reason, logged when it is news. */
static void attach_failed(struct agent *a, struct pend *p, int ret, const char *err)
{
	const char *why = err ?: strerror(-ret);
	int lvl = set_reason(a, p, why) ? LOG_ERR : LOG_DEBUG;
	char e[ESC_LEN];

	esc(p->port.ifname, e);
	if (ret == -ENOENT)
		log_msg(lvl, "%s: cannot attach: %s; the port follows once it exists, it stays pending meanwhile",
			e, why);
	else if (ret == -EEXIST)	/* someone raced us: looked at again at once */
		pr_debug("%s: %s", e, why);
	else if (ret == -ESTALE)	/* its row changed under us: read again */
		log_msg(lvl == LOG_ERR ? LOG_NOTICE : LOG_DEBUG,
			"%s: %s; looking at it again", e, why);
	else
		log_msg(lvl, "%s: attaching to %s failed: %s; retrying", e,
			p->port.bridge, why);
}

/*
 * Can P go into a transaction at all?  Its name and bridge must be strings
 * OVSDB can store; a tap that fails this waits until it is renamed.
 */
static bool port_fit(struct agent *a, struct pend *p)
{
	char why[REASON_LEN], e[ESC_LEN], b[ESC_LEN];
	int lvl;

	if (ovsdb_string_valid(p->port.ifname) && ovsdb_string_valid(p->port.bridge))
		return !p->unfit;
	esc(p->port.ifname, e);
	if (!ovsdb_string_valid(p->port.ifname))
		snprintf(why, sizeof(why), "the tap's name %s is not UTF-8, which OVSDB cannot store: rename the tap",
			 e);
	else
		snprintf(why, sizeof(why), "the bridge name %s is not UTF-8, which OVSDB cannot store",
			 esc(p->port.bridge, b));
	lvl = set_reason(a, p, why) ? LOG_ERR : LOG_DEBUG;
	log_msg(lvl, "%s: cannot attach: %s; it stays pending", e, why);
	p->unfit = true;
	return false;
}

/*
 * The stale row S would have been rewritten for cannot be (its new bridge
 * is missing): remove it, guarded, so that ovs-vswitchd does not keep the
 * tap on it with the old VM's VLAN meanwhile.
 */
static void drop_stale(struct agent *a, const struct ovsdb_port_spec *s)
{
	struct ovsdb_detach_spec d = {
		.name = s->name, .port_uuid = s->replace_uuid,
		.ifindex = s->replace_ifindex, .boot = s->replace_boot,
	};
	char *err = NULL;
	int ret;

	ret = transact(a, ovsdb_txn_detach(&d, 1, AGENT_OWNER), NULL, &err);
	if (!ret || ret == -ETIMEDOUT)
		monitor_own_delete(a, s->replace_uuid);
	if (ret)
		pr_warn("%s: removing the stale OVSDB port of that name failed: %s",
			s->name, err ?: strerror(-ret));
	else
		pr_info("%s: stale OVSDB port of that name (ifindex %d) removed until the tap can be attached",
			s->name, s->replace_ifindex);
	free(err);
}

/*
 * R, a stale row of ours of P's name, had its Interface written to by
 * another program since we wrote it (libvirt's `ovs-vsctl --may-exist
 * add-port ... -- set Interface ... external-ids:iface-id=...` keeps our
 * row and adds its keys, which OVN binds): it is theirs now.  Left alone
 * like a row of someone else's, kept pending but unfit, said once per tap.
 */
static void row_taken(struct agent *a, struct pend *p,
		      const struct ovsdb_port_row *r)
{
	char why[REASON_LEN], keys[128] = "", e[ESC_LEN];
	const json_t *pair;
	size_t i, len = 0;

	json_array_foreach(json_array_get(r->iface_ext, 1), i, pair)
		if (len < sizeof(keys))
			len += snprintf(keys + len, sizeof(keys) - len, "%s%s",
					len ? " " : "",
					json_string_value(json_array_get(pair, 0)));
	snprintf(why, sizeof(why), "managed by someone else: the OVSDB port of that name was left by this agent (ifindex %d), but its Interface was changed by another program: left alone",
		 r->ifindex);
	set_reason(a, p, why);
	p->unfit = true;
	esc(p->port.ifname, e);
	if (taken_logged(a, p->port.ifindex))
		pr_debug("%s: %s", e, why);
	else
		pr_notice("%s: the OVSDB port %s, left by this agent for ifindex %d, belongs to another program now: its Interface was changed by another program: left alone (Interface external_ids: %s)",
			  e, e, r->ifindex,
			  !r->iface_ext ? "unknown, the port has not one Interface of that name" :
			  keys[0] ? keys : "none");
}

/*
 * Attach the pending ports whose index is in IDX (COUNT of them, all
 * port_fit()) in one transaction.  Returns 0 or -errno, with the reason in
 * *ERR; attached ports leave the pending list.  A port whose spec is
 * refused is left out with its reason, the rest still go.
 */
static int attach_batch(struct agent *a, unsigned int *idx, unsigned int count,
			char **err)
{
	struct ovsdb_port_spec *specs = calloc(count, sizeof(*specs));
	struct extids *x = calloc(count, sizeof(*x));
	const char **names = calloc(count, sizeof(*names));
	struct ovsdb_port_row *rows = NULL;
	uint32_t *done = calloc(count, sizeof(*done));
	unsigned int i, n = 0, n_done = 0;
	char why[REASON_LEN], e[ESC_LEN];
	int ret = -ENOMEM;

	*err = NULL;
	if (!specs || !x || !names || !done)
		goto out;
	for (i = 0; i < count; i++)
		names[i] = a->pending[idx[i]].port.ifname;
	ret = select_ports(a, names, count, &rows);
	if (ret) {
		*err = strdup("reading its Port row from OVSDB failed");
		goto out;
	}
	for (i = 0; i < count; i++) {
		struct pend *p = &a->pending[idx[i]];
		const struct ovsdb_port_row *r = &rows[i];
		struct ovsdb_port_spec *s = &specs[n];

		if (r->present && owner_ours(r->owner) &&
		    row_is_tap(a, r->ifindex, r->boot, p->port.ifindex, false)) {
			pr_debug("%s: already in OVSDB", names[i]);
			done[n_done++] = p->port.ifindex;
			continue;
		}
		if (r->present && !owner_ours(r->owner)) {
			/*
			 * Someone else's (libvirt's openvswitch virtualport):
			 * kept as pending but unfit, so that it is not tried
			 * again and `ovskvm status` shows whose it is.
			 */
			snprintf(why, sizeof(why), "managed by someone else: OVSDB has a port of that name not created by this agent (owner %s), left as it is",
				 r->owner ?: "none");
			if (set_reason(a, p, why))
				pr_notice("%s: %s", esc(names[i], e), why);
			p->unfit = true;
			continue;
		}
		if (r->present && !r->iface_as_written) {	/* ours, taken over */
			row_taken(a, p, r);
			continue;
		}
		expand_extids(a, p, &x[n]);
		s->name = names[i];
		s->ifindex = p->port.ifindex;
		s->bridge = p->port.bridge;
		s->vlan_tag = p->port.vlan_tag;
		s->trunks = p->port.trunks;
		s->n_trunks = p->port.n_trunks;
		s->ext_keys = x[n].keys;
		s->ext_values = x[n].values;
		s->n_ext = x[n].n;
		s->boot = boot_id(a);
		if (r->present) {	/* ours, for an earlier tap or boot */
			s->replace_uuid = r->uuid;
			s->replace_ifindex = r->ifindex;
			s->replace_boot = r->boot;
			s->replace_ifaces = (const char (*)[OVSDB_UUID_LEN + 1])r->iface_uuids;
			s->n_replace_ifaces = r->n_ifaces;
			s->replace_iface_ext = r->iface_ext;
		}
		if (ovsdb_port_spec_check(s, why, sizeof(why))) {
			log_msg(set_reason(a, p, why) ? LOG_ERR : LOG_DEBUG,
				"%s: cannot attach: %s", esc(names[i], e), why);
			memset(s, 0, sizeof(*s));
			continue;
		}
		n++;
	}
	ret = 0;
	if (n) {
		ret = transact(a, ovsdb_txn_attach(specs, n, AGENT_OWNER), NULL, err);
		for (i = 0; !ret && i < n; i++) {
			char vlan[32] = "", old[96] = "";

			if (specs[i].vlan_tag)
				snprintf(vlan, sizeof(vlan), " VLAN %d", specs[i].vlan_tag);
			else if (specs[i].n_trunks)
				snprintf(vlan, sizeof(vlan), " trunks (%zu)", specs[i].n_trunks);
			if (specs[i].replace_uuid)
				snprintf(old, sizeof(old), ", on the port of that name left by ifindex %d of %s, rewritten in place",
					 specs[i].replace_ifindex,
					 !specs[i].replace_boot ? "an unrecorded boot" :
					 specs[i].boot && !strcmp(specs[i].replace_boot, specs[i].boot) ?
					 "this boot" : "an earlier boot");
			pr_info("%s (ifindex %d): added to OVS bridge %s%s%s",
				specs[i].name, specs[i].ifindex, specs[i].bridge, vlan, old);
			done[n_done++] = specs[i].ifindex;
		}
		if (ret == -ENOENT && n == 1 && specs[0].replace_uuid)
			drop_stale(a, &specs[0]);
	}
out:
	for (i = 0; i < n_done; i++)
		drop_pending(a, done[i]);
	if (rows)
		ovsdb_port_rows_free(rows, count);
	free(specs);
	free(x);
	free(names);
	free(done);
	return ret;
}

/*
 * Attach every pending port: all in one transaction, and when that fails
 * for something the server said (not a timeout or a lost connection), each
 * on its own, so that one bad port does not hold up the others.
 */
void attach_pending(struct agent *a)
{
	unsigned int *idx, i, n = 0, count = a->n_pending;
	uint32_t *ifindexes;
	bool raced = false;
	char *err = NULL;
	int ret;

	if (!count)
		goto out_save;
	idx = calloc(count, sizeof(*idx));
	ifindexes = calloc(count, sizeof(*ifindexes));
	if (!idx || !ifindexes)
		goto out;
	for (i = 0; i < count; i++) {
		if (!port_fit(a, &a->pending[i]) || awaiting_holder(a, &a->pending[i]))
			continue;
		idx[n] = i;
		ifindexes[n++] = a->pending[i].port.ifindex;
	}
	if (!n)
		goto out;
	ret = attach_batch(a, idx, n, &err);
	if (ret == -ECANCELED || a->stop) {	/* the agent is stopping */
		pr_debug("attaching %u ports: %s", n, err ?: strerror(-ret));
		goto out;
	}
	if (ret && n > 1 && a->db && ret != -ETIMEDOUT) {
		pr_debug("attaching %u ports in one transaction failed (%s): trying each on its own",
			 n, err ?: strerror(-ret));
		for (i = 0; i < n && a->db; i++) {
			struct pend *p = find_pending(a, ifindexes[i]);

			if (!p)
				continue;
			idx[0] = p - a->pending;
			free(err);
			ret = attach_batch(a, idx, 1, &err);
			if (ret == -ECANCELED || a->stop)
				break;
			p = find_pending(a, ifindexes[i]);
			if (ret && p)
				attach_failed(a, p, ret, err);
			raced |= ret == -EEXIST;
		}
	} else if (ret) {
		for (i = 0; i < n; i++) {
			struct pend *p = find_pending(a, ifindexes[i]);

			if (p)
				attach_failed(a, p, ret, err);
		}
		raced = ret == -EEXIST;
	}
	if (raced)
		a->batch_at = now_ms();	/* someone raced us: look again now */
out:
	for (i = 0; i < a->n_pending; i++)
		if (!a->pending[i].unfit)
			break;
	if (i < a->n_pending && !a->retry_at)
		a->retry_at = now_ms() + RETRY_MS;
	free(err);
	free(idx);
	free(ifindexes);
out_save:
	save_reasons(a);
}

/* Resync: the kernel's ports and our OVSDB rows, compared afresh. */
void resync(struct agent *a)
{
	struct ovskvm_status st;
	struct ovskvm_port *ports = NULL;
	struct ovsdb_owned_port *owned = NULL;
	size_t n_owned = 0, i;
	unsigned int n_ports = 0, j;
	json_t *result = NULL;
	char *err = NULL;
	int ret;

	if (genl_get_status(&a->req, &st) == 0) {
		a->seq = st.event_seq;
		a->have_seq = true;
	}
	a->resync = false;
	ret = genl_dump_ports(&a->req, &ports, &n_ports);
	if (ret) {
		pr_err("dumping the module's ports failed: %s; trying again", strerror(-ret));
		a->resync = true;
		a->resync_at = now_ms() + RETRY_MS;
		return;
	}
	a->n_pending = 0;
	a->reasons_dirty = true;	/* rebuilt from scratch */
	for (j = 0; j < n_ports; j++)
		if (wants_ovs(&ports[j]))
			add_pending(a, &ports[j]);

	if (a->db) {
		ret = transact(a, ovsdb_txn_select_owned(AGENT_OWNER), &result, &err);
		if (!ret)
			ret = ovsdb_parse_owned_ports(result, &owned, &n_owned, &err);
		if (ret) {
			pr_warn("reading our OVSDB ports failed: %s", err ?: strerror(-ret));
			if (a->db) {
				a->resync = true;
				a->resync_at = now_ms() + RETRY_MS;
			}
		}
		/*
		 * A tap in the OVS datapath without a row of ours for it may
		 * sit on a leftover (ovs-vswitchd takes any row of its name):
		 * confirmed like a PORT_ATTACHED.  Skipped if OVSDB could not
		 * be read: the resync that follows does it.
		 */
		for (j = 0; !ret && j < n_ports; j++) {
			bool current = false;

			if (!in_ovs(&ports[j]))
				continue;
			for (i = 0; i < n_owned && !current; i++)
				current = !strcmp(owned[i].name, ports[j].ifname) &&
					  row_is_tap(a, owned[i].ifindex, owned[i].boot,
						     ports[j].ifindex, false);
			if (!current)
				add_pending(a, &ports[j]);
		}
		for (i = 0; i < n_owned; i++) {
			bool alive = false;

			if (owned[i].ifindex <= 0)
				continue;
			for (j = 0; j < n_ports && !alive; j++)
				alive = !strcmp(ports[j].ifname, owned[i].name) &&
					row_is_tap(a, owned[i].ifindex, owned[i].boot,
						   ports[j].ifindex, true);
			if (!alive && netdev_is(owned[i].name, owned[i].ifindex))
				alive = row_is_tap(a, owned[i].ifindex, owned[i].boot,
						   owned[i].ifindex, true);
			/* a live tap of that name takes the row over in place */
			if (!alive && !pending_named(a, owned[i].name))
				add_gone_boot(a, owned[i].ifindex, owned[i].name,
					      owned[i].boot ?: "");
		}
		ovsdb_owned_ports_free(owned, n_owned);
	}
	pr_info("resync: %u tracked tap%s, %u to attach, %u stale OVSDB port%s to remove",
		n_ports, n_ports == 1 ? "" : "s", a->n_pending, a->n_gone,
		a->n_gone == 1 ? "" : "s");
	a->batch_at = now_ms();
	free(err);
	json_decref(result);
	free(ports);
}
