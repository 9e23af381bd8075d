// SPDX-License-Identifier: GPL-2.0
/*
 * OVSDB transaction builders and reply parsers.  Pure functions: no I/O, so
 * the unit tests and the fuzzer reach every line.  See ovsdb_txn.h for the
 * ownership rules these transactions enforce.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb_txn.h"

static int set_err(char **err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(char **err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return ret;
	free(*err);
	*err = NULL;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return ret;
}

/* ---- encoding helpers ---------------------------------------------------- */

static bool uuid_valid(const char *s)
{
	size_t i;

	if (!s || strlen(s) != OVSDB_UUID_LEN)
		return false;
	for (i = 0; i < OVSDB_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	}
	return true;
}

static json_t *uuid_ref(const char *uuid)
{
	return json_pack("[ss]", "uuid", uuid);
}

static json_t *named_ref(const char *name)
{
	return json_pack("[ss]", "named-uuid", name);
}

static json_t *where_eq(const char *column, json_t *value)
{
	return json_pack("[[sso]]", column, "==", value);
}

static bool key_reserved(const char *key)
{
	return !strcmp(key, OVSDB_EXT_OWNER) || !strcmp(key, OVSDB_EXT_IFINDEX);
}

/*
 * The user's external_ids as ["map", [[k, v], ...]] pairs, appended to
 * @pairs.  Our own keys and duplicates are refused rather than dropped: a
 * user "ovskvm-owner" would hand the port's ownership to someone else, and
 * OVSDB rejects a map with a duplicate key anyway.
 */
static int append_user_pairs(json_t *pairs, const struct ovsdb_port_spec *p)
{
	size_t i, j;

	if (p->n_ext && (!p->ext_keys || !p->ext_values))
		return -EINVAL;
	for (i = 0; i < p->n_ext; i++) {
		const char *k = p->ext_keys[i], *v = p->ext_values[i];

		if (!k || !v || !*k || key_reserved(k))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(p->ext_keys[j], k))
				return -EINVAL;
		if (json_array_append_new(pairs, json_pack("[ss]", k, v)))
			return -ENOMEM;
	}
	return 0;
}

static json_t *make_map(json_t *pairs)
{
	return json_pack("[so]", "map", pairs);
}

static json_t *port_external_ids(const struct ovsdb_port_spec *p,
				 const char *owner)
{
	char ifindex[16];
	json_t *pairs;

	snprintf(ifindex, sizeof(ifindex), "%d", p->ifindex);
	pairs = json_pack("[[ss][ss]]", OVSDB_EXT_OWNER, owner,
			  OVSDB_EXT_IFINDEX, ifindex);
	if (!pairs || append_user_pairs(pairs, p)) {
		json_decref(pairs);
		return NULL;
	}
	return make_map(pairs);
}

static json_t *iface_external_ids(const struct ovsdb_port_spec *p)
{
	json_t *pairs = json_array();

	if (!pairs || append_user_pairs(pairs, p)) {
		json_decref(pairs);
		return NULL;
	}
	return make_map(pairs);
}

/*
 * {ovskvm-owner: owner, ovskvm-ifindex: N} for an "includes" condition; the
 * ifindex pair only when it is known.
 */
static json_t *owner_map(const char *owner, int ifindex)
{
	char buf[16];
	json_t *pairs = json_pack("[[ss]]", OVSDB_EXT_OWNER, owner);

	if (pairs && ifindex > 0) {
		snprintf(buf, sizeof(buf), "%d", ifindex);
		if (json_array_append_new(pairs,
					  json_pack("[ss]", OVSDB_EXT_IFINDEX, buf))) {
			json_decref(pairs);
			return NULL;
		}
	}
	return pairs ? make_map(pairs) : NULL;
}

static json_t *new_params(void)
{
	return json_pack("[s]", OVSDB_DB_NAME);
}

/* Appends @op (stolen) and latches the first failure in *ok. */
static void add_op(json_t *params, json_t *op, bool *ok)
{
	if (!op || json_array_append_new(params, op))
		*ok = false;
}

/* ---- ops shared by attach and detach ------------------------------------ */

/*
 * Fails the transaction unless Port @uuid still has this name, our owner
 * marker and (when known) this ifindex.  "until != rows []" with timeout 0
 * means "at least one row matches right now".
 */
static json_t *op_wait_owned(const char *uuid, const char *name,
			     const char *owner, int ifindex)
{
	return json_pack("{ss ss s[[sso][sss][sso]] s[s] ss s[] si}",
			 "op", "wait", "table", "Port",
			 "where", "_uuid", "==", uuid_ref(uuid),
			 "name", "==", name,
			 "external_ids", "includes", owner_map(owner, ifindex),
			 "columns", "name", "until", "!=", "rows", "timeout", 0);
}

static json_t *op_unlink_port(const char *uuid)
{
	json_t *where, *set;

	where = json_pack("[[sso]]", "ports", "includes", uuid_ref(uuid));
	set = uuid_ref(uuid);
	return json_pack("{ss ss so s[[sso]]}", "op", "mutate", "table", "Bridge",
			 "where", where, "mutations", "ports", "delete", set);
}

static json_t *op_delete_uuid(const char *table, const char *uuid)
{
	return json_pack("{ss ss so}", "op", "delete", "table", table,
			 "where", where_eq("_uuid", uuid_ref(uuid)));
}

/* Guarded removal of one owned Port row: wait, unlink from its bridge, delete. */
static void add_guarded_delete(json_t *params, const char *uuid,
			       const char *name, const char *owner,
			       int ifindex, bool *ok)
{
	add_op(params, op_wait_owned(uuid, name, owner, ifindex), ok);
	add_op(params, op_unlink_port(uuid), ok);
	add_op(params, op_delete_uuid("Port", uuid), ok);
}

/* ---- attach -------------------------------------------------------------- */

static bool port_spec_valid(const struct ovsdb_port_spec *p)
{
	size_t i;

	if (!p->name || !*p->name || !p->bridge || !*p->bridge ||
	    p->ifindex <= 0 || p->vlan_tag < 0 || p->vlan_tag > 4095)
		return false;
	if (p->n_trunks && !p->trunks)
		return false;
	for (i = 0; i < p->n_trunks; i++)
		if (p->trunks[i] > 4095)
			return false;
	if (p->replace_uuid && !uuid_valid(p->replace_uuid))
		return false;
	return true;
}

static bool attach_input_valid(const struct ovsdb_port_spec *ports, size_t n,
			       const char *owner)
{
	size_t i, j;

	if (!ports || !n || !owner || !*owner)
		return false;
	for (i = 0; i < n; i++) {
		if (!port_spec_valid(&ports[i]))
			return false;
		/* Two inserts of one name would violate the Port name index. */
		for (j = 0; j < i; j++)
			if (!strcmp(ports[i].name, ports[j].name))
				return false;
	}
	return true;
}

static json_t *op_wait_bridge(const char *bridge)
{
	return json_pack("{ss ss so s[s] ss s[{ss}] si}",
			 "op", "wait", "table", "Bridge",
			 "where", where_eq("name", json_string(bridge)),
			 "columns", "name", "until", "==",
			 "rows", "name", bridge, "timeout", 0);
}

/* Fails the transaction if a Port called @name exists already. */
static json_t *op_wait_port_absent(const char *name)
{
	return json_pack("{ss ss so s[s] ss s[] si}",
			 "op", "wait", "table", "Port",
			 "where", where_eq("name", json_string(name)),
			 "columns", "name", "until", "==", "rows", "timeout", 0);
}

static json_t *op_insert_iface(const struct ovsdb_port_spec *p, size_t idx)
{
	char uname[32];

	snprintf(uname, sizeof(uname), "iface%zu", idx);
	return json_pack("{ss ss ss s{ss so}}", "op", "insert",
			 "table", "Interface", "uuid-name", uname,
			 "row", "name", p->name,
			 "external_ids", iface_external_ids(p));
}

static json_t *trunk_set(const struct ovsdb_port_spec *p)
{
	json_t *vals = json_array();
	size_t i;

	for (i = 0; vals && i < p->n_trunks; i++) {
		if (json_array_append_new(vals, json_integer(p->trunks[i]))) {
			json_decref(vals);
			return NULL;
		}
	}
	return vals ? json_pack("[so]", "set", vals) : NULL;
}

static json_t *op_insert_port(const struct ovsdb_port_spec *p, size_t idx,
			      const char *owner)
{
	char uname[32], iname[32];
	json_t *op, *row;

	snprintf(uname, sizeof(uname), "port%zu", idx);
	snprintf(iname, sizeof(iname), "iface%zu", idx);
	row = json_pack("{ss so so}", "name", p->name,
			"interfaces", named_ref(iname),
			"external_ids", port_external_ids(p, owner));
	if (!row)
		return NULL;
	/* tag is a set of 0..1 integers: the bare integer is that set. */
	if (p->vlan_tag && json_object_set_new(row, "tag",
					       json_integer(p->vlan_tag)))
		goto err;
	if (p->n_trunks && json_object_set_new(row, "trunks", trunk_set(p)))
		goto err;
	op = json_pack("{ss ss ss so}", "op", "insert", "table", "Port",
		       "uuid-name", uname, "row", row);
	return op;
err:
	json_decref(row);
	return NULL;
}

/* One mutate per bridge, however many ports: the ports column is rewritten once. */
static json_t *op_link_ports(const struct ovsdb_port_spec *ports, size_t n,
			     const char *bridge)
{
	char uname[32];
	json_t *set = json_array();
	size_t i;

	for (i = 0; set && i < n; i++) {
		if (strcmp(ports[i].bridge, bridge))
			continue;
		snprintf(uname, sizeof(uname), "port%zu", i);
		if (json_array_append_new(set, named_ref(uname))) {
			json_decref(set);
			set = NULL;
		}
	}
	if (!set)
		return NULL;
	return json_pack("{ss ss so s[[ss[so]]]}", "op", "mutate",
			 "table", "Bridge",
			 "where", where_eq("name", json_string(bridge)),
			 "mutations", "ports", "insert", "set", set);
}

static bool first_of_bridge(const struct ovsdb_port_spec *ports, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(ports[j].bridge, ports[i].bridge))
			return false;
	return true;
}

json_t *ovsdb_txn_attach(const struct ovsdb_port_spec *ports, size_t n,
			 const char *owner)
{
	json_t *params;
	bool ok = true;
	size_t i;

	if (!attach_input_valid(ports, n, owner))
		return NULL;
	params = new_params();
	if (!params)
		return NULL;

	for (i = 0; i < n; i++)
		if (first_of_bridge(ports, i))
			add_op(params, op_wait_bridge(ports[i].bridge), &ok);

	for (i = 0; i < n; i++) {
		const struct ovsdb_port_spec *p = &ports[i];

		if (p->replace_uuid)
			add_guarded_delete(params, p->replace_uuid, p->name,
					   owner, p->replace_ifindex, &ok);
		else
			add_op(params, op_wait_port_absent(p->name), &ok);
		add_op(params, op_insert_iface(p, i), &ok);
		add_op(params, op_insert_port(p, i, owner), &ok);
	}

	for (i = 0; i < n; i++)
		if (first_of_bridge(ports, i))
			add_op(params, op_link_ports(ports, n, ports[i].bridge),
			       &ok);

	if (!ok) {
		json_decref(params);
		return NULL;
	}
	return params;
}

/* ---- detach -------------------------------------------------------------- */

static bool detach_input_valid(const struct ovsdb_detach_spec *ports, size_t n,
			       const char *owner)
{
	size_t i, j;

	if (!ports || !n || !owner || !*owner)
		return false;
	for (i = 0; i < n; i++) {
		const struct ovsdb_detach_spec *p = &ports[i];

		if (!p->name || !*p->name || !uuid_valid(p->port_uuid))
			return false;
		if (p->n_ifaces && !p->iface_uuids)
			return false;
		for (j = 0; j < p->n_ifaces; j++)
			if (!uuid_valid(p->iface_uuids[j]))
				return false;
	}
	return true;
}

json_t *ovsdb_txn_detach(const struct ovsdb_detach_spec *ports, size_t n,
			 const char *owner)
{
	json_t *params;
	bool ok = true;
	size_t i, j;

	if (!detach_input_valid(ports, n, owner))
		return NULL;
	params = new_params();
	if (!params)
		return NULL;

	for (i = 0; i < n; i++) {
		const struct ovsdb_detach_spec *p = &ports[i];

		add_guarded_delete(params, p->port_uuid, p->name, owner,
				   p->ifindex, &ok);
		/*
		 * Interfaces would be garbage-collected with the Port anyway;
		 * deleting them explicitly makes the intent visible in the
		 * server's log and fails loudly if the row is shared.
		 */
		for (j = 0; j < p->n_ifaces; j++)
			add_op(params, op_delete_uuid("Interface",
						      p->iface_uuids[j]), &ok);
	}
	if (!ok) {
		json_decref(params);
		return NULL;
	}
	return params;
}

/* ---- selects ------------------------------------------------------------- */

json_t *ovsdb_txn_select_owned(const char *owner)
{
	if (!owner || !*owner)
		return NULL;
	return json_pack("[s {ss ss s[[sso]] s[ssss]} {ss ss s[] s[ss]}]",
			 OVSDB_DB_NAME,
			 "op", "select", "table", "Port",
			 "where", "external_ids", "includes",
			 owner_map(owner, 0),
			 "columns", "_uuid", "name", "interfaces",
			 "external_ids",
			 "op", "select", "table", "Bridge", "where",
			 "columns", "name", "ports");
}

json_t *ovsdb_txn_select_ports(const char *const *names, size_t n)
{
	json_t *params;
	bool ok = true;
	size_t i;

	if (!names || !n)
		return NULL;
	params = new_params();
	for (i = 0; params && i < n; i++) {
		if (!names[i] || !*names[i]) {
			ok = false;
			break;
		}
		add_op(params, json_pack("{ss ss so s[sss]}",
					 "op", "select", "table", "Port",
					 "where", where_eq("name",
							   json_string(names[i])),
					 "columns", "_uuid", "name",
					 "external_ids"), &ok);
	}
	if (!ok) {
		json_decref(params);
		return NULL;
	}
	return params;
}

/* ---- decoding helpers ---------------------------------------------------- */

/* ["uuid", "..."] into @out; false if it is anything else. */
static bool get_uuid(const json_t *v, char out[OVSDB_UUID_LEN + 1])
{
	const char *s;

	if (!json_is_array(v) || json_array_size(v) != 2 ||
	    !json_is_string(json_array_get(v, 0)) ||
	    strcmp(json_string_value(json_array_get(v, 0)), "uuid"))
		return false;
	s = json_string_value(json_array_get(v, 1));
	if (!uuid_valid(s))
		return false;
	memcpy(out, s, OVSDB_UUID_LEN + 1);
	return true;
}

static bool tagged(const json_t *v, const char *tag)
{
	return json_is_array(v) && json_array_size(v) == 2 &&
	       json_is_string(json_array_get(v, 0)) &&
	       !strcmp(json_string_value(json_array_get(v, 0)), tag) &&
	       json_is_array(json_array_get(v, 1));
}

/*
 * The members of a set value: ["set", [...]] or, for exactly one member,
 * the bare atom (RFC 7047 5.1).  Returns the member count, -1 if malformed;
 * *members is the array, or NULL with *single the lone atom.
 */
static int set_members(const json_t *v, const json_t **members,
		       const json_t **single)
{
	*members = NULL;
	*single = NULL;
	if (tagged(v, "set")) {
		*members = json_array_get(v, 1);
		return (int)json_array_size(*members);
	}
	if (json_is_array(v) && json_array_size(v) == 2 &&
	    json_is_string(json_array_get(v, 0)) &&
	    !strcmp(json_string_value(json_array_get(v, 0)), "set"))
		return -1;
	*single = v;
	return 1;
}

static const json_t *set_member(const json_t *members, const json_t *single,
				size_t i)
{
	return members ? json_array_get(members, i) : single;
}

/* The string value of @key in a ["map", [[k, v], ...]]; NULL if absent. */
static const char *map_get(const json_t *map, const char *key)
{
	const json_t *pairs, *pair;
	size_t i;

	if (!tagged(map, "map"))
		return NULL;
	pairs = json_array_get(map, 1);
	json_array_foreach(pairs, i, pair) {
		const char *k = json_string_value(json_array_get(pair, 0));

		if (k && !strcmp(k, key))
			return json_string_value(json_array_get(pair, 1));
	}
	return NULL;
}

/* A positive decimal ifindex as we write it, else 0. */
static int parse_ifindex(const char *s)
{
	char *end;
	long v;

	if (!s || *s < '1' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return 0;
	return (int)v;
}

/*
 * The "rows" of result element @i into *rows, or -errno with *err set: a
 * per-op error is reported in the server's words.
 */
static int result_rows(const json_t *result, size_t i, const char *what,
		       const json_t **rows, char **err)
{
	const json_t *r = json_array_get(result, i), *e;
	const char *details;

	if (!json_is_object(r))
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: no result for the %s select",
			       what);
	e = json_object_get(r, "error");
	if (e && !json_is_null(e)) {
		details = json_string_value(json_object_get(r, "details"));
		return set_err(err, -EINVAL, "OVSDB refused to select %s: %s%s%s",
			       what, json_string_value(e) ?: "unknown error",
			       details ? ": " : "", details ?: "");
	}
	*rows = json_object_get(r, "rows");
	if (!json_is_array(*rows))
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: the %s select has no rows",
			       what);
	return 0;
}

static int result_check(const json_t *result, size_t n, char **err)
{
	if (!json_is_array(result))
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: result is not an array");
	if (json_array_size(result) < n)
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: %zu results for %zu operations",
			       json_array_size(result), n);
	return 0;
}

/* ---- owned ports --------------------------------------------------------- */

static bool set_has_uuid(const json_t *set, const char *uuid)
{
	const json_t *members, *single;
	char u[OVSDB_UUID_LEN + 1];
	int i, n = set_members(set, &members, &single);

	for (i = 0; i < n; i++)
		if (get_uuid(set_member(members, single, i), u) &&
		    !strcmp(u, uuid))
			return true;
	return false;
}

static const char *bridge_of(const json_t *bridges, const char *uuid)
{
	const json_t *br;
	size_t i;

	json_array_foreach(bridges, i, br)
		if (set_has_uuid(json_object_get(br, "ports"), uuid))
			return json_string_value(json_object_get(br, "name"));
	return NULL;
}

static int parse_ifaces(const json_t *set, struct ovsdb_owned_port *p)
{
	const json_t *members, *single;
	int i, n = set_members(set, &members, &single);

	if (n < 0)
		return -EPROTO;
	if (!n)
		return 0;
	p->iface_uuids = calloc(n, sizeof(*p->iface_uuids));
	if (!p->iface_uuids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!get_uuid(set_member(members, single, i),
			      p->iface_uuids[i]))
			return -EPROTO;
	p->n_ifaces = n;
	return 0;
}

static int parse_owned_row(const json_t *row, const json_t *bridges,
			   struct ovsdb_owned_port *p, char **err)
{
	const char *name = json_string_value(json_object_get(row, "name"));
	const char *bridge;
	int ret;

	if (!name || !get_uuid(json_object_get(row, "_uuid"), p->uuid))
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: Port row without name or _uuid");
	p->name = strdup(name);
	if (!p->name)
		return set_err(err, -ENOMEM, "out of memory");
	p->ifindex = parse_ifindex(map_get(json_object_get(row, "external_ids"),
					   OVSDB_EXT_IFINDEX));
	bridge = bridge_of(bridges, p->uuid);
	if (bridge) {
		p->bridge = strdup(bridge);
		if (!p->bridge)
			return set_err(err, -ENOMEM, "out of memory");
	}
	ret = parse_ifaces(json_object_get(row, "interfaces"), p);
	if (ret)
		return set_err(err, ret,
			       ret == -ENOMEM ? "out of memory" :
			       "malformed OVSDB reply: bad interfaces of Port %s",
			       name);
	return 0;
}

int ovsdb_parse_owned_ports(json_t *result, struct ovsdb_owned_port **out,
			    size_t *n, char **err)
{
	const json_t *ports, *bridges, *row;
	struct ovsdb_owned_port *arr = NULL;
	size_t i;
	int ret;

	*out = NULL;
	*n = 0;
	ret = result_check(result, 2, err);
	if (ret)
		return ret;
	ret = result_rows(result, 0, "our Port rows", &ports, err);
	if (!ret)
		ret = result_rows(result, 1, "Bridge rows", &bridges, err);
	if (ret)
		return ret;
	if (!json_array_size(ports))
		return 0;

	arr = calloc(json_array_size(ports), sizeof(*arr));
	if (!arr)
		return set_err(err, -ENOMEM, "out of memory");
	json_array_foreach(ports, i, row) {
		ret = parse_owned_row(row, bridges, &arr[i], err);
		if (ret) {
			ovsdb_owned_ports_free(arr, i + 1);
			return ret;
		}
	}
	*out = arr;
	*n = json_array_size(ports);
	return 0;
}

void ovsdb_owned_ports_free(struct ovsdb_owned_port *ports, size_t n)
{
	size_t i;

	for (i = 0; ports && i < n; i++) {
		free(ports[i].name);
		free(ports[i].bridge);
		free(ports[i].iface_uuids);
	}
	free(ports);
}

/* ---- ports by name ------------------------------------------------------- */

static int parse_port_row(const json_t *rows, struct ovsdb_port_row *r,
			  char **err)
{
	const json_t *row = json_array_get(rows, 0), *ext;
	const char *owner;

	if (!row)
		return 0;
	if (!get_uuid(json_object_get(row, "_uuid"), r->uuid))
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: Port row without _uuid");
	r->present = 1;
	ext = json_object_get(row, "external_ids");
	owner = map_get(ext, OVSDB_EXT_OWNER);
	if (owner) {
		r->owner = strdup(owner);
		if (!r->owner)
			return set_err(err, -ENOMEM, "out of memory");
	}
	r->ifindex = parse_ifindex(map_get(ext, OVSDB_EXT_IFINDEX));
	return 0;
}

int ovsdb_parse_port_rows(json_t *result, size_t n,
			  struct ovsdb_port_row **out, char **err)
{
	struct ovsdb_port_row *arr;
	const json_t *rows;
	size_t i;
	int ret;

	*out = NULL;
	ret = result_check(result, n, err);
	if (ret)
		return ret;
	arr = calloc(n ?: 1, sizeof(*arr));
	if (!arr)
		return set_err(err, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		ret = result_rows(result, i, "Port rows by name", &rows, err);
		if (!ret)
			ret = parse_port_row(rows, &arr[i], err);
		if (ret) {
			ovsdb_port_rows_free(arr, n);
			return ret;
		}
	}
	*out = arr;
	return 0;
}

void ovsdb_port_rows_free(struct ovsdb_port_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		free(rows[i].owner);
	free(rows);
}

/* ---- transact results ---------------------------------------------------- */

size_t ovsdb_txn_n_ops(const json_t *params)
{
	size_t n = json_array_size(params);

	return n ? n - 1 : 0;
}

static const char *op_str(const json_t *op, const char *key)
{
	return json_string_value(json_object_get(op, key));
}

/* The value compared against @column in an op's where clause, if any. */
static const json_t *where_value(const json_t *op, const char *column)
{
	const json_t *cond;
	size_t i;

	json_array_foreach(json_object_get(op, "where"), i, cond) {
		const char *c = json_string_value(json_array_get(cond, 0));

		if (c && !strcmp(c, column))
			return json_array_get(cond, 2);
	}
	return NULL;
}

static int errno_of(const char *error)
{
	static const struct {
		const char *error;
		int err;
	} map[] = {
		{ "constraint violation",		EINVAL },
		{ "referential integrity violation",	EINVAL },
		{ "syntax error",			EINVAL },
		{ "domain error",			EINVAL },
		{ "range error",			EINVAL },
		{ "duplicate uuid-name",		EINVAL },
		{ "unknown database",			ENOENT },
		{ "resources exhausted",		ENOSPC },
		{ "I/O error",				EIO },
		{ "not owner",				EPERM },
		{ "not allowed",			EPERM },
		{ "permission error",			EPERM },
		{ "timed out",				ETIMEDOUT },
		{ "aborted",				ECANCELED },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(error, map[i].error))
			return -map[i].err;
	return -EINVAL;
}

/* A failed "wait" is one of our guards: say what it guarded. */
static int explain_wait(const json_t *op, const char *error, char **err)
{
	const char *table = op_str(op, "table"), *until = op_str(op, "until");
	const char *name = json_string_value(where_value(op, "name"));
	const json_t *uuid = where_value(op, "_uuid");

	if (strcmp(error, "timed out") || !table || !until)
		return 1;
	if (!strcmp(table, "Bridge") && name)
		return set_err(err, -ENOENT,
			       "bridge %s does not exist in OVSDB (create it with: ovs-vsctl add-br %s)",
			       name, name);
	if (!strcmp(table, "Port") && name && !strcmp(until, "=="))
		return set_err(err, -EEXIST,
			       "port %s already exists in OVSDB", name);
	if (!strcmp(table, "Port") && name && !strcmp(until, "!="))
		return set_err(err, -ESTALE,
			       "port %s (row %s) is gone or no longer ours (owner or ifindex changed); nothing was changed",
			       name,
			       json_string_value(json_array_get(uuid, 1)) ?: "?");
	return 1;
}

static int explain_error(const json_t *params, size_t i, const json_t *r,
			 char **err)
{
	const char *error = json_string_value(json_object_get(r, "error"));
	const char *details = json_string_value(json_object_get(r, "details"));
	const json_t *op = json_array_get(params, i + 1);
	int ret;

	if (!error)
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: error is not a string");
	if (op && op_str(op, "op") && !strcmp(op_str(op, "op"), "wait")) {
		ret = explain_wait(op, error, err);
		if (ret <= 0)
			return ret;
	}
	if (!op)	/* one past the ops: the commit itself failed */
		return set_err(err, errno_of(error),
			       "OVSDB rejected the transaction: %s%s%s", error,
			       details ? ": " : "", details ?: "");
	return set_err(err, errno_of(error),
		       "OVSDB rejected operation %zu (%s on %s): %s%s%s",
		       i + 1, op_str(op, "op") ?: "?", op_str(op, "table") ?: "?",
		       error, details ? ": " : "", details ?: "");
}

int ovsdb_parse_txn_result(json_t *result, const json_t *params, char **err)
{
	size_t i, n_ops = ovsdb_txn_n_ops(params);
	const json_t *r, *e;

	if (!json_is_array(result))
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: result is not an array");
	/*
	 * RFC 7047 4.1.3: an error object at index i < n_ops is the failing
	 * operation (later ones did not run and may be missing); one at index
	 * n_ops means the commit failed after every operation succeeded.
	 */
	json_array_foreach(result, i, r) {
		if (json_is_null(r))
			continue;
		if (!json_is_object(r))
			return set_err(err, -EPROTO,
				       "malformed OVSDB reply: result %zu is not an object",
				       i);
		e = json_object_get(r, "error");
		if (e && !json_is_null(e))
			return explain_error(params, i, r, err);
	}
	if (json_array_size(result) < n_ops)
		return set_err(err, -EPROTO,
			       "malformed OVSDB reply: %zu results for %zu operations",
			       json_array_size(result), n_ops);
	return 0;
}
