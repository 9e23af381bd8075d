// SPDX-License-Identifier: GPL-2.0
/*
 * The cache of our OVSDB rows kept by the conditional monitor: what the
 * monitor_cond reply and the update2 notifications say, decoded and checked,
 * and what changed for the agent to act on (monitor.c).  Pure: no I/O, so the
 * unit tests and the fuzzer reach every line.  See monitor.h.
 *
 * Decoding follows ovsdb-server(7) 4.1.14: "initial" and "insert" rows leave
 * out columns at their default value; a "modify" row holds only the changed
 * columns, as the new value for a column of at most one value (name, error,
 * ofport) and as a difference for sets (symmetric) and maps (pairs added or
 * removed, or a key's new value).  "delete" rows are null.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

/* ---- decoding ------------------------------------------------------------ */

static bool tag_is(const json_t *v, const char *tag)
{
	return json_is_array(v) && json_array_size(v) == 2 &&
	       json_is_string(json_array_get(v, 0)) &&
	       !strcmp(json_string_value(json_array_get(v, 0)), tag);
}

static bool get_uuid(const json_t *v, mon_uuid out)
{
	const char *s;

	if (!tag_is(v, "uuid"))
		return false;
	s = json_string_value(json_array_get(v, 1));
	if (!ovsdb_uuid_valid(s))
		return false;
	memcpy(out, s, OVSDB_UUID_LEN + 1);
	return true;
}

/*
 * The members of a set: ["set", [...]] or a lone atom.  Returns the array
 * of members (a new reference) or NULL when malformed.
 */
static json_t *set_members(const json_t *v)
{
	json_t *a;

	if (tag_is(v, "set"))
		return json_is_array(json_array_get(v, 1)) ?
		       json_incref(json_array_get(v, 1)) : NULL;
	if (!v || (json_is_array(v) && !tag_is(v, "uuid")))
		return NULL;
	a = json_array();
	if (a && json_array_append(a, (json_t *)v)) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* A string column of at most one value: NULL when empty, "" bad. */
static bool get_opt_string(const json_t *v, const char **out)
{
	json_t *s = set_members(v);
	bool ok = s && json_array_size(s) <= 1;

	*out = NULL;
	if (ok && json_array_size(s)) {
		*out = json_string_value(json_array_get(s, 0));
		ok = *out != NULL;
	}
	json_decref(s);
	return ok;
}

static bool get_opt_integer(const json_t *v, int64_t *out)
{
	json_t *s = set_members(v);
	bool ok = s && json_array_size(s) <= 1;

	*out = 0;
	if (ok && json_array_size(s)) {
		ok = json_is_integer(json_array_get(s, 0));
		*out = json_integer_value(json_array_get(s, 0));
	}
	json_decref(s);
	return ok;
}

static bool name_ok(const char *s)
{
	return s && *s && strlen(s) < MON_MAX_NAME;
}

/* ---- the cache ----------------------------------------------------------- */

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return true;
	if (n >= MON_MAX_ROWS)
		return false;
	c = *cap ? *cap * 2 : 8;
	p = realloc(*arr, c * size);
	if (!p)
		return false;
	*arr = p;
	*cap = c;
	return true;
}

static struct mon_port *find_port(const struct ovs_monitor *m, const char *uuid)
{
	size_t i;

	for (i = 0; i < m->n_ports; i++)
		if (!strcmp(m->ports[i].uuid, uuid))
			return &m->ports[i];
	return NULL;
}

static struct mon_iface *find_iface(const struct ovs_monitor *m, const char *uuid)
{
	size_t i;

	for (i = 0; i < m->n_ifaces; i++)
		if (!strcmp(m->ifaces[i].uuid, uuid))
			return &m->ifaces[i];
	return NULL;
}

static struct mon_bridge *find_bridge(const struct ovs_monitor *m, const char *uuid)
{
	size_t i;

	for (i = 0; i < m->n_bridges; i++)
		if (!strcmp(m->bridges[i].uuid, uuid))
			return &m->bridges[i];
	return NULL;
}

const struct mon_bridge *mon_bridge_by_name(const struct ovs_monitor *m,
					    const char *name)
{
	size_t i;

	for (i = 0; i < m->n_bridges; i++)
		if (!strcmp(m->bridges[i].name, name))
			return &m->bridges[i];
	return NULL;
}

const struct mon_port *mon_port_by_name(const struct ovs_monitor *m,
					const char *name)
{
	size_t i;

	for (i = 0; i < m->n_ports; i++)
		if (!strcmp(m->ports[i].name, name))
			return &m->ports[i];
	return NULL;
}

const struct mon_iface *mon_iface_by_uuid(const struct ovs_monitor *m,
					  const char *uuid)
{
	return find_iface(m, uuid);
}

json_t *mon_ext_map(const json_t *ext)
{
	json_t *pairs = json_array(), *v;
	const char *k;

	if (!pairs)
		return NULL;
	if (ext) {
		json_object_foreach((json_t *)ext, k, v) {
			if (json_array_append_new(pairs, json_pack("[sO]", k, v))) {
				json_decref(pairs);
				return NULL;
			}
		}
	}
	return json_pack("[so]", "map", pairs);
}

const struct mon_port *mon_port_of_iface(const struct ovs_monitor *m,
					 const char *iface_uuid)
{
	size_t i, j;

	for (i = 0; i < m->n_ports; i++)
		for (j = 0; j < m->ports[i].n_ifaces; j++)
			if (!strcmp(m->ports[i].ifaces[j], iface_uuid))
				return &m->ports[i];
	return NULL;
}

static void port_free(struct mon_port *p)
{
	free(p->name);
	free(p->ifindex_str);
	free(p->boot);
	free(p->ifaces);
	json_decref(p->ext);
}

static void iface_free(struct mon_iface *f)
{
	free(f->name);
	free(f->error);
	free(f->shown);
	free(f->reason);
	json_decref(f->ext);
}

static void drop_port(struct ovs_monitor *m, struct mon_port *p)
{
	port_free(p);
	*p = m->ports[--m->n_ports];
	m->ifaces_changed = true;
}

static void drop_iface(struct ovs_monitor *m, struct mon_iface *f)
{
	if (f->error || f->shown)
		m->errors_changed = true;
	iface_free(f);
	*f = m->ifaces[--m->n_ifaces];
}

static void drop_bridge(struct ovs_monitor *m, struct mon_bridge *b)
{
	size_t i;

	for (i = 0; i < m->n_ports; i++) {
		if (!strcmp(m->ports[i].bridge, b->uuid))
			m->ports[i].bridge[0] = '\0';
		if (!strcmp(m->ports[i].joined, b->uuid))
			m->ports[i].joined[0] = '\0';
	}
	free(b->name);
	*b = m->bridges[--m->n_bridges];
}

void mon_clear_news(struct ovs_monitor *m)
{
	size_t i;

	for (i = 0; i < m->n_lost; i++) {
		free(m->lost[i].name);
		free(m->lost[i].bridge);
		free(m->lost[i].boot);
	}
	for (i = 0; i < m->n_appeared; i++)
		free(m->appeared[i]);
	m->n_lost = m->n_appeared = 0;
	m->ifaces_changed = m->errors_changed = false;
	m->bad_rows = 0;
}

void mon_clear(struct ovs_monitor *m)
{
	size_t i;

	mon_clear_news(m);
	for (i = 0; i < m->n_ports; i++)
		port_free(&m->ports[i]);
	for (i = 0; i < m->n_ifaces; i++)
		iface_free(&m->ifaces[i]);
	for (i = 0; i < m->n_bridges; i++)
		free(m->bridges[i].name);
	free(m->ports);
	free(m->ifaces);
	free(m->bridges);
	free(m->lost);
	free(m->appeared);
	m->ports = NULL;
	m->ifaces = NULL;
	m->bridges = NULL;
	m->lost = NULL;
	m->appeared = NULL;
	m->n_ports = m->n_ifaces = m->n_bridges = 0;
	m->cap_ports = m->cap_ifaces = m->cap_bridges = m->cap_lost = m->cap_appeared = 0;
}

static void note_appeared(struct ovs_monitor *m, const char *name)
{
	char *s;

	if (!grow((void **)&m->appeared, &m->cap_appeared, m->n_appeared,
		  sizeof(*m->appeared)))
		return;
	s = strdup(name);
	if (s)
		m->appeared[m->n_appeared++] = s;
}

/* ---- Port ---------------------------------------------------------------- */

/* Replace *S by a copy of V (NULL allowed); false when out of memory. */
static bool set_str(char **s, const char *v)
{
	char *n = NULL;

	if (v && !(n = strdup(v)))
		return false;
	free(*s);
	*s = n;
	return true;
}

/* interfaces: the new set, or with DIFF the symmetric difference applied. */
static bool port_ifaces(struct mon_port *p, const json_t *v, bool diff)
{
	json_t *s = set_members(v), *e;
	mon_uuid *n, u;
	size_t i, j, cnt = diff ? p->n_ifaces : 0;

	if (!s)
		return false;
	n = calloc(cnt + json_array_size(s) + 1, sizeof(*n));
	if (!n) {
		json_decref(s);
		return false;
	}
	if (diff)
		memcpy(n, p->ifaces, cnt * sizeof(*n));
	json_array_foreach(s, i, e) {
		if (!get_uuid(e, u)) {
			free(n);
			json_decref(s);
			return false;
		}
		for (j = 0; j < cnt && strcmp(n[j], u); j++)
			;
		if (j < cnt)
			memcpy(n[j], n[--cnt], sizeof(*n));
		else
			memcpy(n[cnt++], u, sizeof(u));
	}
	json_decref(s);
	free(p->ifaces);
	p->ifaces = n;
	p->n_ifaces = cnt;
	return true;
}

/*
 * external_ids into *EXT (key -> value, an object): the map V, or with DIFF
 * the pairs changed, where a pair equal to the current one was removed and
 * any other pair of a key is its new value.
 */
static bool ext_apply(json_t **ext, const json_t *v, bool diff)
{
	const json_t *pair;
	size_t i;

	if (!tag_is(v, "map") || !json_is_array(json_array_get(v, 1)))
		return false;
	if (!diff || !*ext) {
		json_decref(*ext);
		*ext = json_object();
		if (!*ext)
			return false;
	}
	json_array_foreach(json_array_get(v, 1), i, pair) {
		const char *k = json_string_value(json_array_get(pair, 0));
		const char *val = json_string_value(json_array_get(pair, 1));
		const char *cur;

		if (!json_is_array(pair) || json_array_size(pair) != 2 || !k || !val)
			return false;
		cur = json_string_value(json_object_get(*ext, k));
		if (diff && cur && !strcmp(cur, val)) {
			json_object_del(*ext, k);
			continue;
		}
		if (json_object_set_new(*ext, k, json_string(val)))
			return false;
	}
	return true;
}

static const char *ext_get(const json_t *ext, const char *key)
{
	return json_string_value(json_object_get(ext, key));
}

/* external_ids: all of them, and what our keys (owner, ifindex, boot) say. */
static bool port_external_ids(struct ovs_monitor *m, struct mon_port *p,
			      const json_t *v, bool diff, bool *ours)
{
	const char *owner;

	if (!ext_apply(&p->ext, v, diff))
		return false;
	owner = ext_get(p->ext, OVSDB_EXT_OWNER);
	if (!diff)
		*ours = owner && !strcmp(owner, m->owner);
	if (!set_str(&p->ifindex_str, ext_get(p->ext, OVSDB_EXT_IFINDEX)) ||
	    !set_str(&p->boot, ext_get(p->ext, OVSDB_EXT_BOOT)))
		return false;
	p->ifindex = ovsdb_parse_ifindex(p->ifindex_str);
	return true;
}

/* 1: the row is ours, 0: it is not (no owner marker of ours), -1: malformed. */
static int port_row(struct ovs_monitor *m, struct mon_port *p, const json_t *row,
		    bool diff)
{
	const json_t *v;
	bool ours = diff;

	if (!json_is_object(row))
		return -1;
	v = json_object_get(row, "name");
	if (v && (!name_ok(json_string_value(v)) ||
		  !set_str(&p->name, json_string_value(v))))
		return -1;
	if (!p->name)
		return -1;
	v = json_object_get(row, "external_ids");
	if (v && !port_external_ids(m, p, v, diff, &ours))
		return -1;
	v = json_object_get(row, "interfaces");
	if (v && !port_ifaces(p, v, diff))
		return -1;
	if (v)
		m->ifaces_changed = true;
	return ours;
}

/* Our Port row went: note it for the agent, with its bridge. */
static void note_lost(struct ovs_monitor *m, struct mon_port *p)
{
	const struct mon_bridge *b = p->bridge[0] ? find_bridge(m, p->bridge) : NULL;
	struct mon_lost *l;

	if (!grow((void **)&m->lost, &m->cap_lost, m->n_lost, sizeof(*m->lost)))
		return;
	l = &m->lost[m->n_lost];
	memset(l, 0, sizeof(*l));
	memcpy(l->uuid, p->uuid, sizeof(l->uuid));
	l->name = strdup(p->name);
	l->ifindex = p->ifindex;
	l->boot = p->boot ? strdup(p->boot) : NULL;
	if (b) {
		memcpy(l->bridge_uuid, b->uuid, sizeof(l->bridge_uuid));
		l->bridge = strdup(b->name);
	}
	if (!l->name || (b && !l->bridge) || (p->boot && !l->boot)) {
		free(l->name);
		free(l->bridge);
		free(l->boot);
		return;
	}
	m->n_lost++;
}

static void port_update(struct ovs_monitor *m, const char *uuid, const char *kind,
			const json_t *row)
{
	struct mon_port *p = find_port(m, uuid), np;
	int ret;

	if (!strcmp(kind, "delete")) {
		if (p) {
			note_lost(m, p);
			drop_port(m, p);
		}
		return;
	}
	if (!strcmp(kind, "modify")) {
		if (!p)		/* a row we dropped as malformed: stays dropped */
			return;
		if (port_row(m, p, row, true) < 0) {
			m->bad_rows++;
			drop_port(m, p);
		}
		return;
	}
	/* initial, insert: the whole row */
	memset(&np, 0, sizeof(np));
	memcpy(np.uuid, uuid, sizeof(np.uuid));
	ret = port_row(m, &np, row, false);
	if (ret <= 0) {
		if (ret < 0)
			m->bad_rows++;
		port_free(&np);
		if (p)
			drop_port(m, p);
		return;
	}
	if (p) {
		memcpy(np.bridge, p->bridge, sizeof(np.bridge));
		port_free(p);
		*p = np;
	} else if (grow((void **)&m->ports, &m->cap_ports, m->n_ports, sizeof(*m->ports))) {
		m->ports[m->n_ports++] = np;
	} else {
		port_free(&np);
	}
	m->ifaces_changed = true;
}

/* ---- Interface ----------------------------------------------------------- */

static bool iface_row(struct mon_iface *f, const json_t *row, bool diff)
{
	const json_t *v;
	const char *s;
	int64_t ofport;

	if (!json_is_object(row))
		return false;
	v = json_object_get(row, "name");
	if (v && (!name_ok(json_string_value(v)) ||
		  !set_str(&f->name, json_string_value(v))))
		return false;
	v = json_object_get(row, "error");
	if (v && (!get_opt_string(v, &s) || !set_str(&f->error, s && *s ? s : NULL)))
		return false;
	v = json_object_get(row, "ofport");
	if (v) {
		if (!get_opt_integer(v, &ofport))
			return false;
		f->ofport = ofport;
	}
	v = json_object_get(row, "external_ids");
	if (v && !ext_apply(&f->ext, v, diff))
		return false;
	return true;
}

static bool error_news(const struct mon_iface *f)
{
	if (!f->error != !f->shown)
		return true;
	return f->error && strcmp(f->error, f->shown);
}

static void iface_update(struct ovs_monitor *m, const char *uuid, const char *kind,
			 const json_t *row)
{
	struct mon_iface *f = find_iface(m, uuid), nf;

	if (!strcmp(kind, "delete")) {
		if (f)
			drop_iface(m, f);
		return;
	}
	if (!strcmp(kind, "modify")) {
		if (!f)
			return;
		if (!iface_row(f, row, true)) {
			m->bad_rows++;
			drop_iface(m, f);
			return;
		}
		m->errors_changed |= error_news(f);
		return;
	}
	/* only the Interfaces of our Ports are kept */
	if (!mon_port_of_iface(m, uuid))
		return;
	memset(&nf, 0, sizeof(nf));
	memcpy(nf.uuid, uuid, sizeof(nf.uuid));
	if (!iface_row(&nf, row, false)) {
		m->bad_rows++;
		iface_free(&nf);
		if (f)
			drop_iface(m, f);
		return;
	}
	if (f) {
		nf.shown = f->shown;
		f->shown = NULL;
		iface_free(f);
		*f = nf;
	} else if (grow((void **)&m->ifaces, &m->cap_ifaces, m->n_ifaces,
			sizeof(*m->ifaces))) {
		f = &m->ifaces[m->n_ifaces++];
		*f = nf;
	} else {
		iface_free(&nf);
		return;
	}
	m->errors_changed |= error_news(f);
}

/* Interfaces no Port of ours holds any more are forgotten. */
static void prune_ifaces(struct ovs_monitor *m)
{
	size_t i = 0;

	while (i < m->n_ifaces) {
		if (mon_port_of_iface(m, m->ifaces[i].uuid))
			i++;
		else
			drop_iface(m, &m->ifaces[i]);
	}
}

/* ---- Bridge -------------------------------------------------------------- */

/* ports: which of our Ports it holds, all of them or (DIFF) those toggled. */
static bool bridge_ports(struct ovs_monitor *m, struct mon_bridge *b,
			 const json_t *v, bool diff)
{
	json_t *s = set_members(v), *e;
	struct mon_port *p;
	mon_uuid u;
	size_t i;

	if (!s)
		return false;
	json_array_foreach(s, i, e) {
		if (!get_uuid(e, u)) {
			json_decref(s);
			return false;
		}
	}
	/*
	 * A port is in one bridge at most, so a port in the difference left
	 * this bridge if it was in it, else joined it.  Resolved once every
	 * Bridge of the update is read (bridge_moves()): a port moving from
	 * one bridge to another is in the differences of both, in any order.
	 */
	json_array_foreach(s, i, e) {
		get_uuid(e, u);
		p = find_port(m, u);
		if (!p)
			continue;
		if (diff && !strcmp(p->bridge, b->uuid))
			p->left = true;
		else
			memcpy(p->joined, b->uuid, sizeof(p->joined));
	}
	json_decref(s);
	return true;
}

static void bridge_moves(struct ovs_monitor *m)
{
	size_t i;

	for (i = 0; i < m->n_ports; i++) {
		struct mon_port *p = &m->ports[i];

		if (p->joined[0])
			memcpy(p->bridge, p->joined, sizeof(p->bridge));
		else if (p->left)
			p->bridge[0] = '\0';
		p->joined[0] = '\0';
		p->left = false;
	}
}

static void bridge_update(struct ovs_monitor *m, const char *uuid, const char *kind,
			  const json_t *row)
{
	struct mon_bridge *b = find_bridge(m, uuid);
	const json_t *name, *ports;
	bool diff = !strcmp(kind, "modify");

	if (!strcmp(kind, "delete")) {
		if (b)
			drop_bridge(m, b);
		return;
	}
	if (diff && !b)
		return;
	name = json_object_get(row, "name");
	ports = json_object_get(row, "ports");
	if (!json_is_object(row) || (name && !name_ok(json_string_value(name))) ||
	    (!diff && !name))
		goto bad;
	if (!b) {
		if (!grow((void **)&m->bridges, &m->cap_bridges, m->n_bridges,
			  sizeof(*m->bridges)))
			return;
		b = &m->bridges[m->n_bridges++];
		memset(b, 0, sizeof(*b));
		memcpy(b->uuid, uuid, sizeof(b->uuid));
	}
	if (name && (!b->name || strcmp(b->name, json_string_value(name)))) {
		if (!set_str(&b->name, json_string_value(name)))
			goto bad;
		if (strcmp(kind, "initial"))
			note_appeared(m, b->name);
	}
	if (!b->name)
		goto bad;
	if (ports && !bridge_ports(m, b, ports, diff))
		goto bad;
	return;
bad:
	m->bad_rows++;
	if (b)
		drop_bridge(m, b);
}

/* ---- updates ------------------------------------------------------------- */

typedef void (*row_fn)(struct ovs_monitor *m, const char *uuid, const char *kind,
		       const json_t *row);

static void apply_table(struct ovs_monitor *m, const json_t *table, row_fn fn)
{
	static const char *const kinds[] = { "initial", "insert", "modify", "delete" };
	const char *uuid, *kind;
	const json_t *ru, *row;
	size_t k;

	if (!table)
		return;
	if (!json_is_object(table)) {
		m->bad_rows++;
		return;
	}
	json_object_foreach((json_t *)table, uuid, ru) {
		kind = NULL;
		row = NULL;
		for (k = 0; json_is_object(ru) && k < 4; k++) {
			if (!json_object_get(ru, kinds[k]))
				continue;
			if (kind)	/* two kinds at once */
				kind = "";
			else
				kind = kinds[k];
			row = json_object_get(ru, kinds[k]);
		}
		if (!ovsdb_uuid_valid(uuid) || !kind || !*kind ||
		    json_object_size(ru) != 1) {
			m->bad_rows++;
			continue;
		}
		fn(m, uuid, kind, row);
	}
}

int mon_apply(struct ovs_monitor *m, const json_t *updates, char **err)
{
	size_t i, first_lost = m->n_lost;
	const char *name;
	const json_t *v;

	if (!json_is_object(updates))
		return ovsdb_set_err(err, -EPROTO,
				     "malformed OVSDB update: not an object");
	/* Ports first (a delete needs its bridge), Bridges last. */
	apply_table(m, json_object_get(updates, "Port"), port_update);
	apply_table(m, json_object_get(updates, "Interface"), iface_update);
	apply_table(m, json_object_get(updates, "Bridge"), bridge_update);
	bridge_moves(m);
	json_object_foreach((json_t *)updates, name, v)
		if (strcmp(name, "Port") && strcmp(name, "Interface") &&
		    strcmp(name, "Bridge"))
			m->bad_rows++;
	prune_ifaces(m);
	/*
	 * Its Bridge row deleted in the same transaction as the Port: del-br,
	 * even when a bridge of that name is created in it too (del-br br0 --
	 * add-br br0): the row is what went, not the name.
	 */
	for (i = first_lost; i < m->n_lost; i++)
		m->lost[i].bridge_gone = m->lost[i].bridge_uuid[0] &&
					 !find_bridge(m, m->lost[i].bridge_uuid);
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

static int uuid_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The Interface condition: one clause per uuid, sorted, so that the same
 * set gives the same condition whatever the order of the cache.
 */
json_t *mon_iface_where(const struct ovs_monitor *m)
{
	json_t *where = json_array();
	mon_uuid *u = NULL;
	size_t i, j, n = 0;

	for (i = 0; m && i < m->n_ports; i++)
		n += m->ports[i].n_ifaces;
	if (n && !(u = calloc(n, sizeof(*u)))) {
		json_decref(where);
		return NULL;
	}
	for (i = 0, n = 0; m && i < m->n_ports; i++)
		for (j = 0; j < m->ports[i].n_ifaces; j++)
			memcpy(u[n++], m->ports[i].ifaces[j], sizeof(*u));
	if (n)
		qsort(u, n, sizeof(*u), uuid_cmp);
	for (i = 0; where && i < n; i++) {
		if (i && !strcmp(u[i], u[i - 1]))
			continue;
		if (json_array_append_new(where, json_pack("[ss[ss]]", "_uuid", "==",
							   "uuid", u[i]))) {
			json_decref(where);
			where = NULL;
		}
	}
	free(u);
	if (where && !json_array_size(where) &&
	    json_array_append_new(where, json_false())) {
		json_decref(where);
		return NULL;
	}
	return where;
}

json_t *mon_request(const char *id, const char *owner)
{
	if (!id || !owner || !*owner)
		return NULL;
	return json_pack("[ss{s[{s[[ss[s[[ss]]]]] s[sss]}]"
			 " s[{s[b] s[ssss]}] s[{s[ss]}]}]",
			 OVSDB_DB_NAME, id,
			 "Port", "where", "external_ids", "includes", "map",
			 OVSDB_EXT_OWNER, owner,
			 "columns", "name", "interfaces", "external_ids",
			 "Interface", "where", 0, "columns", "name", "error", "ofport",
			 "external_ids",
			 "Bridge", "columns", "name", "ports");
}

json_t *mon_iface_change(const char *id, json_t *where)
{
	if (!where || !id)
		return NULL;
	return json_pack("[ss{s[{sO}]}]", id, id, "Interface", "where", where);
}
