// SPDX-License-Identifier: GPL-2.0
/*
 * The agent: keeps Open vSwitch in step with the taps the module reports.
 *
 * One poll loop over the module's event socket, the OVSDB connection, a
 * signalfd and deadlines.  Events that arrive together are gathered into one
 * batch: ports that went away are detached first (only rows we own whose
 * recorded ifindex is that tap's), then every pending port is attached in a
 * single transaction.  Nothing here waits without a bound: OVSDB calls carry
 * the configured timeout, and while OVSDB is unreachable ports simply stay
 * pending in the kernel (down, on no bridge) until it returns.
 */

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "format.h"
#include "genl.h"
#include "log.h"
#include "modload.h"
#include "ovsdb.h"
#include "ovsdb_txn.h"
#include "qemu_cmdline.h"

#define COALESCE_MS	5	/* wait this long for more events of a burst */
#define RETRY_MS	2000	/* pending ports whose attach failed */
#define BACKOFF_MIN_MS	250

struct pend {
	struct ovskvm_port port;
	struct qemu_info qemu;
	bool is_qemu;
	bool warned;		/* its failure was logged at error level */
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
	int sfd;
	bool stop;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

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
	struct ovskvm_status st;
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	ret = genl_set_policy(&a->req, cfg, f);
	fclose(f);
	log_lines(LOG_ERR, text);
	free(text);
	if (ret)
		return ret;
	if (genl_get_status(&a->req, &st) == 0)
		a->policy_gen = st.policy_gen;
	return 0;
}

/* Pending ports */

static struct pend *find_pending(struct agent *a, uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < a->n_pending; i++)
		if (a->pending[i].port.ifindex == ifindex)
			return &a->pending[i];
	return NULL;
}

static void drop_pending(struct agent *a, uint32_t ifindex)
{
	struct pend *p = find_pending(a, ifindex);

	if (!p)
		return;
	*p = a->pending[--a->n_pending];
}

/* What the creating QEMU's command line says about this tap. */
static void read_qemu(struct pend *p)
{
	char path[64], buf[65536], comm[32];
	ssize_t n;
	int fd;

	p->is_qemu = false;
	if (!p->port.creator_pid)
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
static bool wants_ovs(const struct ovskvm_port *p)
{
	return p->state == OVSKVM_PORT_PENDING && p->has_rule && p->bridge[0] &&
	       (p->bridge_kind == OVSKVM_BRIDGE_OVS ||
		p->bridge_kind == OVSKVM_BRIDGE_NONE);
}

static void add_pending(struct agent *a, const struct ovskvm_port *port)
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

static void add_gone(struct agent *a, uint32_t ifindex, const char *name)
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

static void db_lost(struct agent *a, const char *why)
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

static void db_connect(struct agent *a)
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
static void detach_gone(struct agent *a)
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

static void attach_pending(struct agent *a)
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
static void resync(struct agent *a)
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

/* Events */

static void on_event(const struct ovskvm_event *ev, void *data)
{
	struct agent *a = data;
	const struct ovskvm_port *p = &ev->port;
	char lat[32];

	if (ev->has_seq) {
		if (a->have_seq && ev->seq > a->seq + 1) {
			pr_warn("lost %llu module events: resyncing",
				(unsigned long long)(ev->seq - a->seq - 1));
			a->resync = true;
		}
		if (!a->have_seq || ev->seq > a->seq)
			a->seq = ev->seq;
		a->have_seq = true;
	}
	switch (ev->cmd) {
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
		drop_pending(a, p->ifindex);
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

static void handle_signals(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(a);
			break;
		case SIGTERM:
		case SIGINT:
			pr_info("exiting on %s", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			a->stop = true;
			break;
		}
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
		if (ret)
			return ret;
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
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static void step(struct agent *a)
{
	uint64_t now = now_ms();

	if (!a->db && now >= a->reconnect_at)
		db_connect(a);
	if (a->resync && now >= a->resync_at)
		resync(a);
	now = now_ms();
	if (a->retry_at && now >= a->retry_at) {
		a->retry_at = 0;
		if (a->n_pending || a->n_gone)
			a->batch_at = now;
	}
	if (a->db && a->batch_at && now >= a->batch_at) {
		a->batch_at = 0;
		detach_gone(a);
		if (a->db)
			attach_pending(a);
	}
}

int agent_run(const struct agent_options *opt)
{
	struct agent a = { .opt = opt, .sfd = -1 };
	struct pollfd pfd[3];
	int ret;

	config_init(&a.cfg);
	ret = start(&a);
	if (ret)
		goto out;
	pr_info("agent running (pid %d)", getpid());
	while (!a.stop) {
		int n = 2;

		step(&a);
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
	if (a.db)
		ovsdb_close(a.db);
	if (a.sfd >= 0)
		close(a.sfd);
	genl_close(&a.ev);
	genl_close(&a.req);
	config_free(&a.cfg);
	free(a.pending);
	free(a.gone);
	return ret ? 1 : 0;
}
