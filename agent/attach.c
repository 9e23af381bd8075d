// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's side of OVSDB: the connection with its backoff, attaching the
 * pending taps in one transaction per batch, detaching the ports of taps
 * that are gone (only rows we own whose recorded ifindex is that tap's), and
 * the resync that compares the module's ports with our OVSDB rows afresh.
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

/* Pending ports */

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
	*p = a->pending[--a->n_pending];
}

/*
 * Is /proc/PID still the process that created the tap?  Its start time
 * (field 22 of /proc/PID/stat, in clock ticks since boot) must be the one
 * the module recorded, so that a reused pid is not read as the creator.
 */
static bool creator_alive(const struct ovskvm_port *port)
{
	unsigned long long ticks, hz = sysconf(_SC_CLK_TCK);
	char path[64], buf[1024], *p;
	int field, fd;
	ssize_t n;

	if (!(port->flags & OVSKVM_PORT_F_CREATOR_KNOWN) || !port->creator_pid || !hz)
		return false;
	snprintf(path, sizeof(path), "/proc/%u/stat", port->creator_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* comm, field 2, may hold anything: count from its closing paren */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
		return false;
	return ticks == port->creator_start_ns / (1000000000ULL / hz);
}

/* What the creating QEMU's command line says about this tap. */
static void read_qemu(struct pend *p)
{
	char path[64], buf[65536], comm[32];
	ssize_t n;
	int fd;

	p->is_qemu = false;
	if (!creator_alive(&p->port))
		return;
	/* the pid may be reused: its comm must still be the creator's */
	snprintf(path, sizeof(path), "/proc/%u/comm", p->port.creator_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	if (strcmp(comm, p->port.creator_comm))
		return;
	snprintf(path, sizeof(path), "/proc/%u/cmdline", p->port.creator_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return;
	p->is_qemu = qemu_cmdline_parse(buf, n, p->port.ifname, &p->qemu) == 0;
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
	}
	if (!a->batch_at)
		a->batch_at = now_ms() + COALESCE_MS;
}

void add_gone(struct agent *a, uint32_t ifindex, const char *name)
{
	unsigned int i;

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
	unsigned int i;
	char missing = 0;

	x->n = 0;
	if (!r)
		return;
	for (i = 0; i < r->n_extids; i++) {
		const struct config_extid *e = &r->extids[i];
		int ret = config_expand(e->value, &ctx, x->buf[x->n],
					sizeof(x->buf[x->n]), &missing);

		if (ret == -ENOENT) {
			const char *w = what[(unsigned char)missing & 0x7f] ?: "value";

			/* expected for taps not made by QEMU: say so quietly */
			if (p->warned)
				continue;
			if (p->is_qemu)
				pr_warn("%s: ExternalID %s (%s:%d) left out: the command line of QEMU (pid %u, %s) has no %s",
					p->port.ifname, e->key, a->cfg.path, e->line,
					p->port.creator_pid, p->port.creator_comm, w);
			else
				pr_debug("%s: ExternalID %s (%s:%d) left out: no %s, the creator (pid %u, %s) is not QEMU",
					 p->port.ifname, e->key, a->cfg.path, e->line, w,
					 p->port.creator_pid, p->port.creator_comm);
			continue;
		}
		if (ret) {
			pr_warn("%s: ExternalID %s (%s:%d) left out: the value is too long",
				p->port.ifname, e->key, a->cfg.path, e->line);
			continue;
		}
		x->keys[x->n] = e->key;
		x->values[x->n] = x->buf[x->n];
		x->n++;
	}
}

/*
 * Attach the pending ports whose index is in IDX (COUNT of them) in one
 * transaction.  Returns 0 or -errno; attached ports leave the pending list.
 */
static int attach_batch(struct agent *a, unsigned int *idx, unsigned int count)
{
	struct ovsdb_port_spec *specs = calloc(count, sizeof(*specs));
	struct extids *x = calloc(count, sizeof(*x));
	const char **names = calloc(count, sizeof(*names));
	struct ovsdb_port_row *rows = NULL;
	uint32_t *done = calloc(count, sizeof(*done));
	unsigned int i, n = 0, n_done = 0;
	char *err = NULL;
	int ret = -ENOMEM;

	if (!specs || !x || !names || !done)
		goto out;
	for (i = 0; i < count; i++)
		names[i] = a->pending[idx[i]].port.ifname;
	ret = select_ports(a, names, count, &rows);
	if (ret)
		goto out;
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
		n++;
	}
	ret = 0;
	if (n) {
		ret = transact(a, ovsdb_txn_attach(specs, n, AGENT_OWNER), NULL, &err);
		if (!ret) {
			for (i = 0; i < n; i++) {
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
		} else if (count == 1 || ret != -ENOENT) {
			for (i = 0; i < count; i++) {
				struct pend *p = &a->pending[idx[i]];
				int lvl = p->warned ? LOG_DEBUG : LOG_ERR;

				if (ret == -ENOENT)
					log_msg(lvl, "%s: cannot attach: %s; create it (ovs-vsctl add-br %s) and the port follows, it stays pending meanwhile",
						p->port.ifname, err ?: "bridge missing", p->port.bridge);
				else if (ret != -EEXIST)
					log_msg(lvl, "%s: attaching to %s failed: %s; retrying",
						p->port.ifname, p->port.bridge, err ?: strerror(-ret));
				p->warned = true;
			}
		}
	}
out:
	for (i = 0; i < n_done; i++)
		drop_pending(a, done[i]);
	free(err);
	if (rows)
		ovsdb_port_rows_free(rows, count);
	free(specs);
	free(x);
	free(names);
	free(done);
	return ret;
}

void attach_pending(struct agent *a)
{
	unsigned int *idx, i, count = a->n_pending;
	uint32_t *ifindexes;
	int ret;

	if (!count)
		return;
	idx = calloc(count, sizeof(*idx));
	ifindexes = calloc(count, sizeof(*ifindexes));
	if (!idx || !ifindexes)
		goto out;
	for (i = 0; i < count; i++) {
		idx[i] = i;
		ifindexes[i] = a->pending[i].port.ifindex;
	}
	ret = attach_batch(a, idx, count);
	if (ret == -ENOENT && count > 1) {
		/* one missing bridge fails the batch: let the others through */
		for (i = 0; i < count && a->db; i++) {
			struct pend *p = find_pending(a, ifindexes[i]);

			if (p) {
				idx[0] = p - a->pending;
				attach_batch(a, idx, 1);
			}
		}
	}
	if (ret == -EEXIST)
		a->batch_at = now_ms();	/* someone raced us: look again now */
out:
	if (a->n_pending && !a->retry_at)
		a->retry_at = now_ms() + RETRY_MS;
	free(idx);
	free(ifindexes);
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
