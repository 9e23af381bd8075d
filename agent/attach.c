// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of OVSDB: the connection with its backoff, attaching the
 * pending taps in one transaction per batch, detaching the ports of taps
 * that are gone (only rows we own whose recorded ifindex is that tap's), and
 * the resync that compares the module's ports with our OVSDB rows afresh.
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
#include "log.h"
#include "ovsdb_txn.h"
#include "reasons.h"
#include "utf8.h"

/* Pending ports */

#define ESC_LEN	80

/* NAME as it can be shown: bytes that are not UTF-8 as \xNN. */
#define esc(name, buf)	utf8_escape(name, buf, sizeof(buf))

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
	r = calloc(a->n_pending ?: 1, sizeof(*r));
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
	ret = reasons_save(path, r, n);
	free(r);
	if (ret && !a->reasons_failed)
		pr_warn("cannot write %s: %s; 'ovskvm status' will not show why taps wait",
			path, strerror(-ret));
	a->reasons_failed = ret != 0;
	a->reasons_dirty = false;
}

static ssize_t read_at(int dfd, const char *name, char *buf, size_t len)
{
	ssize_t n = 0, total = 0;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1 &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	if (n < 0)
		total = -errno;
	close(fd);
	if (total >= 0)
		buf[total] = '\0';
	return total;
}

/*
 * What the creating QEMU's command line says about this tap, if the process
 * is still its creator: all files are read through one /proc/PID directory
 * descriptor, which stays bound to that process even if the pid is reused
 * meanwhile, and qemu_identify() checks start time, comm and uid first.
 */
static void read_qemu(struct pend *p)
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
	n = read_at(dfd, "cmdline", cmdline, sizeof(cmdline));
	ret = n < 0 ? n : read_at(dfd, "comm", comm, sizeof(comm));
	if (ret >= 0)
		ret = read_at(dfd, "status", status, sizeof(status));
	if (ret >= 0)
		ret = read_at(dfd, "stat", stat, sizeof(stat));
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
	} else {
		p->port = *port;
		p->unfit = false;	/* its bridge may have changed: look again */
	}
	if (!a->batch_at)
		a->batch_at = now_ms() + COALESCE_MS;
}

void add_gone(struct agent *a, uint32_t ifindex, const char *name)
{
	unsigned int i;

	/* OVSDB holds no Port of a name it cannot store: nothing to remove */
	if (!ovsdb_string_valid(name))
		return;
	for (i = 0; i < a->n_gone; i++)
		if (a->gone[i].ifindex == ifindex && !strcmp(a->gone[i].name, name))
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
	a->n_gone++;
	if (!a->batch_at)
		a->batch_at = now_ms() + COALESCE_MS;
}

/* OVSDB connection */

void db_lost(struct agent *a, const char *why)
{
	if (!a->db)
		return;
	pr_warn("lost the OVSDB connection to %s: %s; ports stay pending until it is back",
		a->cfg.ovsdb, why ?: "closed");
	ovsdb_close(a->db);
	a->db = NULL;
	a->backoff_ms = BACKOFF_MIN_MS;
	a->reconnect_at = now_ms() + a->backoff_ms;
	a->db_down_logged = true;
}

void db_connect(struct agent *a)
{
	char *err = NULL;

	a->db = ovsdb_connect(a->cfg.ovsdb, a->cfg.timeout_ms, &err);
	if (a->db) {
		pr_info("connected to OVSDB at %s", a->cfg.ovsdb);
		a->db_down_logged = false;
		a->backoff_ms = BACKOFF_MIN_MS;
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
	a->reconnect_at = now_ms() + a->backoff_ms;
	a->backoff_ms *= 2;
	if (a->backoff_ms > a->cfg.reconnect_max_ms)
		a->backoff_ms = a->cfg.reconnect_max_ms;
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

/* Detach: delete our Port rows of taps that are gone. */
void detach_gone(struct agent *a)
{
	struct ovsdb_detach_spec *specs;
	struct ovsdb_port_row *rows = NULL;
	const char **names;
	unsigned int i, n = 0, count = a->n_gone;
	char *err = NULL;
	int ret;

	if (!count)
		return;
	names = calloc(count, sizeof(*names));
	specs = calloc(count, sizeof(*specs));
	if (!names || !specs)
		goto out;
	for (i = 0; i < count; i++)
		names[i] = a->gone[i].name;
	if (select_ports(a, names, count, &rows))
		goto out_keep;
	for (i = 0; i < count; i++) {
		const struct ovsdb_port_row *r = &rows[i];

		if (!r->present)
			continue;
		if (!r->owner || strcmp(r->owner, AGENT_OWNER)) {
			pr_debug("%s: the OVSDB port is not ours, left alone", names[i]);
			continue;
		}
		if (r->ifindex != (int)a->gone[i].ifindex) {
			pr_info("%s: the OVSDB port belongs to a newer tap of that name (ifindex %d, not %u), left alone",
				names[i], r->ifindex, a->gone[i].ifindex);
			continue;
		}
		specs[n].name = names[i];
		specs[n].port_uuid = r->uuid;
		specs[n].ifindex = r->ifindex;
		n++;
	}
	if (n) {
		ret = transact(a, ovsdb_txn_detach(specs, n, AGENT_OWNER), NULL, &err);
		if (ret == -ESTALE)
			pr_info("a port changed while it was being removed, nothing deleted: %s; resyncing",
				err ?: "");
		else if (ret)
			pr_err("removing %u OVSDB port%s failed: %s", n, n == 1 ? "" : "s",
			       err ?: strerror(-ret));
		else
			for (i = 0; i < n; i++)
				pr_info("%s: tap gone (ifindex %d), OVSDB port removed",
					specs[i].name, specs[i].ifindex);
		if (ret == -ESTALE)
			a->resync = true;
		if (ret && ret != -ESTALE && a->db)
			goto out_keep;
	}
	a->n_gone = 0;
	goto out;
out_keep:
	a->retry_at = now_ms() + RETRY_MS;
out:
	free(err);
	if (rows)
		ovsdb_port_rows_free(rows, count);
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
					p->port.creator_pid, p->port.creator_comm, w,
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

		if (r->present && r->owner && !strcmp(r->owner, AGENT_OWNER) &&
		    r->ifindex == (int)p->port.ifindex) {
			pr_debug("%s: already in OVSDB", names[i]);
			done[n_done++] = p->port.ifindex;
			continue;
		}
		if (r->present && (!r->owner || strcmp(r->owner, AGENT_OWNER))) {
			pr_notice("%s: OVSDB already has a port of that name, not created by this agent (owner %s): left as it is",
				  names[i], r->owner ?: "none");
			done[n_done++] = p->port.ifindex;
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
		if (r->present) {	/* ours, for an earlier tap of that name */
			s->replace_uuid = r->uuid;
			s->replace_ifindex = r->ifindex;
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
			char vlan[32] = "";

			if (specs[i].vlan_tag)
				snprintf(vlan, sizeof(vlan), " VLAN %d", specs[i].vlan_tag);
			else if (specs[i].n_trunks)
				snprintf(vlan, sizeof(vlan), " trunks (%zu)", specs[i].n_trunks);
			pr_info("%s (ifindex %d): added to OVS bridge %s%s%s",
				specs[i].name, specs[i].ifindex, specs[i].bridge, vlan,
				specs[i].replace_uuid ? ", replacing the stale port of that name" : "");
			done[n_done++] = specs[i].ifindex;
		}
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
		if (!port_fit(a, &a->pending[i]))
			continue;
		idx[n] = i;
		ifindexes[n++] = a->pending[i].port.ifindex;
	}
	if (!n)
		goto out;
	ret = attach_batch(a, idx, n, &err);
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
		for (i = 0; i < n_owned; i++) {
			bool alive = false;

			for (j = 0; j < n_ports && !alive; j++)
				alive = ports[j].ifindex == (uint32_t)owned[i].ifindex &&
					!strcmp(ports[j].ifname, owned[i].name);
			if (!alive && owned[i].ifindex > 0)
				alive = if_nametoindex(owned[i].name) == (unsigned int)owned[i].ifindex;
			if (!alive && owned[i].ifindex > 0)
				add_gone(a, owned[i].ifindex, owned[i].name);
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
