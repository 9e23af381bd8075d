// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers of ovsdb-server's replies to the transactions of ovsdb_txn.c.
 * Pure functions like the builders; everything they accept comes from a
 * socket, so they check every type and are fuzzed (tests/fuzz_ovsdb_reply.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb_txn.h"

/* Sets *err (when err is not NULL) to a formatted message; returns ret. */
int ovsdb_set_err(char **err, int ret, const char *fmt, ...)
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
	if (!ovsdb_uuid_valid(s))
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

int ovsdb_parse_ifindex(const char *s)
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
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: no result for the %s select",
			       what);
	e = json_object_get(r, "error");
	if (e && !json_is_null(e)) {
		details = json_string_value(json_object_get(r, "details"));
		return ovsdb_set_err(err, -EINVAL, "OVSDB refused to select %s: %s%s%s",
			       what, json_string_value(e) ?: "unknown error",
			       details ? ": " : "", details ?: "");
	}
	*rows = json_object_get(r, "rows");
	if (!json_is_array(*rows))
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: the %s select has no rows",
			       what);
	return 0;
}

static int result_check(const json_t *result, size_t n, char **err)
{
	if (!json_is_array(result))
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: result is not an array");
	if (json_array_size(result) < n)
		return ovsdb_set_err(err, -EPROTO,
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

static int parse_ifaces(const json_t *set,
			char (**uuids)[OVSDB_UUID_LEN + 1], size_t *n_uuids)
{
	const json_t *members, *single;
	int i, n;

	if (!set)		/* not selected */
		return 0;
	n = set_members(set, &members, &single);
	if (n < 0)
		return -EPROTO;
	if (!n)
		return 0;
	*uuids = calloc(n, sizeof(**uuids));
	if (!*uuids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!get_uuid(set_member(members, single, i), (*uuids)[i]))
			return -EPROTO;
	*n_uuids = n;
	return 0;
}

/* A copy of external_ids:ovskvm-boot into *boot (NULL if absent); 0 or -ENOMEM. */
static int parse_boot(const json_t *ext, char **boot)
{
	const char *b = map_get(ext, OVSDB_EXT_BOOT);

	*boot = NULL;
	if (!b)
		return 0;
	*boot = strdup(b);
	return *boot ? 0 : -ENOMEM;
}

static int parse_owned_row(const json_t *row, const json_t *bridges,
			   struct ovsdb_owned_port *p, char **err)
{
	const char *name = json_string_value(json_object_get(row, "name"));
	const char *bridge;
	int ret;

	if (!name || !get_uuid(json_object_get(row, "_uuid"), p->uuid))
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: Port row without name or _uuid");
	p->name = strdup(name);
	if (!p->name)
		return ovsdb_set_err(err, -ENOMEM, "out of memory");
	p->ifindex = ovsdb_parse_ifindex(map_get(json_object_get(row, "external_ids"),
					   OVSDB_EXT_IFINDEX));
	if (parse_boot(json_object_get(row, "external_ids"), &p->boot))
		return ovsdb_set_err(err, -ENOMEM, "out of memory");
	bridge = bridge_of(bridges, p->uuid);
	if (bridge) {
		p->bridge = strdup(bridge);
		if (!p->bridge)
			return ovsdb_set_err(err, -ENOMEM, "out of memory");
	}
	ret = parse_ifaces(json_object_get(row, "interfaces"), &p->iface_uuids,
			   &p->n_ifaces);
	if (ret)
		return ovsdb_set_err(err, ret,
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
		return ovsdb_set_err(err, -ENOMEM, "out of memory");
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
		free(ports[i].boot);
		free(ports[i].bridge);
		free(ports[i].iface_uuids);
	}
	free(ports);
}

/* ---- ports by name ------------------------------------------------------- */

/*
 * ovsdb_ext_sum() of the pairs of EXT, an Interface's external_ids map, that
 * the agent could have written: status keys (ovsdb_ext_is_status(), OVN's)
 * do not count.  -ENOMEM when out of memory, else 0.
 */
static int iface_ext_sum(const json_t *ext, uint64_t *sum)
{
	const char **keys, **values;
	const json_t *pair;
	size_t i, j = 0, n;

	n = json_array_size(json_array_get(ext, 1));
	keys = calloc(n ?: 1, sizeof(*keys));
	values = calloc(n ?: 1, sizeof(*values));
	if (!keys || !values) {
		free(keys);
		free(values);
		return -ENOMEM;
	}
	json_array_foreach(json_array_get(ext, 1), i, pair) {
		keys[j] = json_string_value(json_array_get(pair, 0));
		values[j] = json_string_value(json_array_get(pair, 1));
		if (!ovsdb_ext_is_status(keys[j]))
			j++;
	}
	*sum = ovsdb_ext_sum(keys, values, j);
	free(keys);
	free(values);
	return 0;
}

/*
 * With a sum recorded in the Port, exactly; without (rows written before
 * it was), each of the Interface's pairs must be one of the Port's, where
 * the agent wrote the same pairs.  Status keys do not count either way.
 */
bool ovsdb_iface_as_written(const json_t *iface_ext, const json_t *port_ext)
{
	const char *recorded = map_get(port_ext, OVSDB_EXT_IFACE_SUM);
	const json_t *pair;
	uint64_t sum;
	char hex[17];
	size_t i;

	if (!ovsdb_string_map_valid(iface_ext) || !ovsdb_string_map_valid(port_ext))
		return false;
	if (recorded) {
		if (iface_ext_sum(iface_ext, &sum))
			return false;
		snprintf(hex, sizeof(hex), "%016" PRIx64, sum);
		return !strcmp(hex, recorded);
	}
	json_array_foreach(json_array_get(iface_ext, 1), i, pair) {
		const char *k = json_string_value(json_array_get(pair, 0));
		const char *have = map_get(port_ext, k);

		if (ovsdb_ext_is_status(k))
			continue;
		if (!have || strcmp(have, json_string_value(json_array_get(pair, 1))))
			return false;
	}
	return true;
}

/*
 * The Interface rows named like the Port (@ifaces, 0 or 1 of them): when it
 * is the Port's only Interface, its external_ids and what they say.
 */
static int parse_port_iface(const json_t *ifaces, const json_t *port_ext,
			    struct ovsdb_port_row *r, char **err)
{
	const json_t *row = json_array_get(ifaces, 0), *ext;
	char uuid[OVSDB_UUID_LEN + 1];

	if (!row || r->n_ifaces != 1)
		return 0;
	if (!get_uuid(json_object_get(row, "_uuid"), uuid))
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: Interface row without _uuid");
	if (strcmp(uuid, r->iface_uuids[0]))	/* another Port's */
		return 0;
	ext = json_object_get(row, "external_ids");
	if (!ovsdb_string_map_valid(ext))
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: bad external_ids of Interface %s",
			       uuid);
	r->iface_ext = json_deep_copy(ext);
	if (!r->iface_ext || iface_ext_sum(ext, &r->iface_sum))
		return ovsdb_set_err(err, -ENOMEM, "out of memory");
	r->iface_sum_recorded = map_get(port_ext, OVSDB_EXT_IFACE_SUM) != NULL;
	r->iface_as_written = ovsdb_iface_as_written(ext, port_ext);
	return 0;
}

static int parse_port_row(const json_t *rows, const json_t *ifaces,
			  struct ovsdb_port_row *r, char **err)
{
	const json_t *row = json_array_get(rows, 0), *ext;
	const char *owner;
	int ret;

	if (!row)
		return 0;
	if (!get_uuid(json_object_get(row, "_uuid"), r->uuid))
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: Port row without _uuid");
	r->present = 1;
	ext = json_object_get(row, "external_ids");
	owner = map_get(ext, OVSDB_EXT_OWNER);
	if (owner) {
		r->owner = strdup(owner);
		if (!r->owner)
			return ovsdb_set_err(err, -ENOMEM, "out of memory");
	}
	r->ifindex = ovsdb_parse_ifindex(map_get(ext, OVSDB_EXT_IFINDEX));
	if (parse_boot(ext, &r->boot))
		return ovsdb_set_err(err, -ENOMEM, "out of memory");
	ret = parse_ifaces(json_object_get(row, "interfaces"), &r->iface_uuids,
			   &r->n_ifaces);
	if (ret)
		return ovsdb_set_err(err, ret,
			       ret == -ENOMEM ? "out of memory" :
			       "malformed OVSDB reply: bad interfaces of Port %s",
			       json_string_value(json_object_get(row, "name")) ?: "?");
	return parse_port_iface(ifaces, ext, r, err);
}

int ovsdb_parse_port_rows(json_t *result, size_t n,
			  struct ovsdb_port_row **out, char **err)
{
	struct ovsdb_port_row *arr;
	const json_t *rows, *ifaces;
	size_t i;
	int ret;

	*out = NULL;
	if (n > SIZE_MAX / 2)
		return ovsdb_set_err(err, -EINVAL, "too many ports");
	ret = result_check(result, 2 * n, err);
	if (ret)
		return ret;
	arr = calloc(n ?: 1, sizeof(*arr));
	if (!arr)
		return ovsdb_set_err(err, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		ret = result_rows(result, 2 * i, "Port rows by name", &rows, err);
		if (!ret)
			ret = result_rows(result, 2 * i + 1, "Interface rows by name",
					  &ifaces, err);
		if (!ret)
			ret = parse_port_row(rows, ifaces, &arr[i], err);
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

	for (i = 0; rows && i < n; i++) {
		free(rows[i].owner);
		free(rows[i].boot);
		free(rows[i].iface_uuids);
		json_decref(rows[i].iface_ext);
	}
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
		return ovsdb_set_err(err, -ENOENT,
			       "bridge %s does not exist in OVSDB (create it with: ovs-vsctl add-br %s)",
			       name, name);
	if (!strcmp(table, "Port") && name && !strcmp(until, "=="))
		return ovsdb_set_err(err, -EEXIST,
			       "port %s already exists in OVSDB", name);
	if (!strcmp(table, "Port") && name && !strcmp(until, "!="))
		return ovsdb_set_err(err, -ESTALE,
			       "port %s (row %s) is gone or no longer ours (owner, ifindex, boot or interfaces changed); nothing was changed",
			       name,
			       json_string_value(json_array_get(uuid, 1)) ?: "?");
	if (!strcmp(table, "Interface") && name)
		return ovsdb_set_err(err, -ESTALE,
			       "the external_ids of interface %s (row %s) were changed by another program meanwhile; nothing was changed",
			       name,
			       json_string_value(json_array_get(uuid, 1)) ?: "?");
	return 1;
}

/*
 * A commit that fails on the Interface name index: a tap named like an
 * Interface that belongs to a Port of another name (a bond member, a port
 * renamed by hand).  The server's words name neither cause nor remedy.
 */
static int explain_iface_clash(const char *error, const char *details,
			       char **err)
{
	static const char head[] =
		"multiple rows in \"Interface\" table to have identical values (";
	static const char tail[] = ") for index on column \"name\"";
	const char *name, *end;

	if (strcmp(error, "constraint violation") || !details)
		return 1;
	name = strstr(details, head);
	if (!name)
		return 1;
	name += sizeof(head) - 1;
	end = strstr(name, tail);
	if (!end || end == name)
		return 1;
	return ovsdb_set_err(err, -EINVAL,
		       "interface %.*s already exists in OVSDB, in a port of another name (a bond member?): ovs-vsctl find Interface name=%.*s shows it; remove it there or give the tap another name",
		       (int)(end - name), name, (int)(end - name), name);
}

static int explain_error(const json_t *params, size_t i, const json_t *r,
			 char **err)
{
	const char *error = json_string_value(json_object_get(r, "error"));
	const char *details = json_string_value(json_object_get(r, "details"));
	const json_t *op = json_array_get(params, i + 1);
	int ret;

	if (!error)
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: error is not a string");
	if (op && op_str(op, "op") && !strcmp(op_str(op, "op"), "wait")) {
		ret = explain_wait(op, error, err);
		if (ret <= 0)
			return ret;
	}
	if (!op) {	/* one past the ops: the commit itself failed */
		ret = explain_iface_clash(error, details, err);
		if (ret <= 0)
			return ret;
		return ovsdb_set_err(err, errno_of(error),
			       "OVSDB rejected the transaction: %s%s%s", error,
			       details ? ": " : "", details ?: "");
	}
	return ovsdb_set_err(err, errno_of(error),
		       "OVSDB rejected operation %zu (%s on %s): %s%s%s",
		       i + 1, op_str(op, "op") ?: "?", op_str(op, "table") ?: "?",
		       error, details ? ": " : "", details ?: "");
}

int ovsdb_parse_txn_result(json_t *result, const json_t *params, char **err)
{
	size_t i, n_ops = ovsdb_txn_n_ops(params);
	const json_t *r, *e;

	if (!json_is_array(result))
		return ovsdb_set_err(err, -EPROTO,
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
			return ovsdb_set_err(err, -EPROTO,
				       "malformed OVSDB reply: result %zu is not an object",
				       i);
		e = json_object_get(r, "error");
		if (e && !json_is_null(e))
			return explain_error(params, i, r, err);
	}
	if (json_array_size(result) < n_ops)
		return ovsdb_set_err(err, -EPROTO,
			       "malformed OVSDB reply: %zu results for %zu operations",
			       json_array_size(result), n_ops);
	return 0;
}
