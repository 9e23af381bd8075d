// SPDX-License-Identifier: GPL-2.0
/*
 * OVSDB transaction builders; the replies are parsed in ovsdb_reply.c.  Pure
 * functions, no I/O, so the unit tests and the fuzzer reach every line.  See
 * ovsdb_txn.h for the ownership rules these transactions enforce.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb_txn.h"
#include "utf8.h"

/* ---- encoding helpers ---------------------------------------------------- */

bool ovsdb_uuid_valid(const char *s)
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

/*
 * ovskvm-owner, -ifindex, -boot, -iface-sum and any the agent adds later;
 * and the status keys, which ovskvm-iface-sum leaves out when it is checked
 * (a rule setting one would make every row look taken over).
 */
static bool key_reserved(const char *key)
{
	return !strncmp(key, "ovskvm-", strlen("ovskvm-")) || ovsdb_ext_is_status(key);
}

struct ext_pair {
	const char *key, *value;
};

static int pair_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ext_pair *)a)->key,
		      ((const struct ext_pair *)b)->key);
}

#define FNV64_OFFSET	0xcbf29ce484222325ULL
#define FNV64_PRIME	0x100000001b3ULL

/* FNV-1a of @s and its terminating NUL. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= FNV64_PRIME;
	} while (*s++);
	return h;
}

uint64_t ovsdb_ext_sum(const char *const *keys, const char *const *values,
		       size_t n)
{
	struct ext_pair stack[16], *pairs = stack;
	uint64_t h = FNV64_OFFSET;
	size_t i;

	if (n > sizeof(stack) / sizeof(stack[0])) {
		pairs = calloc(n, sizeof(*pairs));
		if (!pairs)	/* no sum to compare with: never ours */
			return 0;
	}
	for (i = 0; i < n; i++) {
		pairs[i].key = keys[i];
		pairs[i].value = values[i];
	}
	qsort(pairs, n, sizeof(*pairs), pair_cmp);
	for (i = 0; i < n; i++)
		h = fnv1a(fnv1a(h, pairs[i].key), pairs[i].value);
	if (pairs != stack)
		free(pairs);
	return h;
}

bool ovsdb_ext_is_status(const char *key)
{
	return !strcmp(key, "ovn-installed") || !strcmp(key, "ovn-installed-ts");
}

/*
 * The user's external_ids as ["map", [[k, v], ...]] pairs, appended to
 * @pairs; ovsdb_port_spec_check() has vetted them.
 */
static int append_user_pairs(json_t *pairs, const struct ovsdb_port_spec *p)
{
	size_t i;

	for (i = 0; i < p->n_ext; i++)
		if (json_array_append_new(pairs, json_pack("[ss]", p->ext_keys[i],
							   p->ext_values[i])))
			return -ENOMEM;
	return 0;
}

static json_t *make_map(json_t *pairs)
{
	return json_pack("[so]", "map", pairs);
}

static json_t *port_external_ids(const struct ovsdb_port_spec *p,
				 const char *owner)
{
	char ifindex[16], sum[17];
	json_t *pairs;

	snprintf(ifindex, sizeof(ifindex), "%d", p->ifindex);
	/* what iface_external_ids() writes, to tell whether it was changed */
	snprintf(sum, sizeof(sum), "%016" PRIx64,
		 ovsdb_ext_sum(p->ext_keys, p->ext_values, p->n_ext));
	pairs = json_pack("[[ss][ss]]", OVSDB_EXT_OWNER, owner,
			  OVSDB_EXT_IFINDEX, ifindex);
	if (pairs && p->boot && *p->boot &&
	    json_array_append_new(pairs, json_pack("[ss]", OVSDB_EXT_BOOT, p->boot))) {
		json_decref(pairs);
		return NULL;
	}
	if (pairs && json_array_append_new(pairs, json_pack("[ss]", OVSDB_EXT_IFACE_SUM,
							    sum))) {
		json_decref(pairs);
		return NULL;
	}
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

/* Port.other_config of our rows: ovs-ctl --delete-transient-ports drops them. */
static json_t *port_other_config(void)
{
	return json_pack("[s[[ss]]]", "map", OVSDB_TRANSIENT, "true");
}

/*
 * {ovskvm-owner: owner, ovskvm-ifindex: N, ovskvm-boot: B} for an
 * "includes" condition; the ifindex and boot pairs only when known.
 */
static json_t *owner_map(const char *owner, int ifindex, const char *boot)
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
	if (pairs && boot &&
	    json_array_append_new(pairs, json_pack("[ss]", OVSDB_EXT_BOOT, boot))) {
		json_decref(pairs);
		return NULL;
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
 * The transaction's "comment": @verb and the names of @n items (the name of
 * item i at @names + i * @stride, a struct member), at most a few of them.
 */
#define COMMENT_NAMES	8

static json_t *op_comment(const char *verb, const char *const *names,
			  size_t n, size_t stride)
{
	char text[512];
	size_t i, len;

	len = snprintf(text, sizeof(text), "ovskvm: %s", verb);
	for (i = 0; i < n && i < COMMENT_NAMES && len < sizeof(text); i++) {
		const char *name = *(const char *const *)((const char *)names + i * stride);

		len += snprintf(text + len, sizeof(text) - len, " %s", name);
	}
	if (n > COMMENT_NAMES && len < sizeof(text))
		snprintf(text + len, sizeof(text) - len, " and %zu more",
			 n - COMMENT_NAMES);
	return json_pack("{ss ss}", "op", "comment", "comment", text);
}

/* ["set", [["uuid", u], ...]] of @n uuids. */
static json_t *uuid_set(const char (*uuids)[OVSDB_UUID_LEN + 1], size_t n)
{
	json_t *vals = json_array();
	size_t i;

	for (i = 0; vals && i < n; i++) {
		if (json_array_append_new(vals, uuid_ref(uuids[i]))) {
			json_decref(vals);
			return NULL;
		}
	}
	return vals ? json_pack("[so]", "set", vals) : NULL;
}

/*
 * Fails the transaction unless Port @uuid still has this name, our owner
 * marker, (when known) this ifindex and boot and, when @ifaces is given,
 * exactly these Interfaces.  "until != rows []" with timeout 0 means "at
 * least one row matches right now".
 */
static json_t *op_wait_owned(const char *uuid, const char *name,
			     const char *owner, int ifindex, const char *boot,
			     const char (*ifaces)[OVSDB_UUID_LEN + 1],
			     size_t n_ifaces)
{
	json_t *op = json_pack("{ss ss s[[sso][sss][sso]] s[s] ss s[] si}",
			       "op", "wait", "table", "Port",
			       "where", "_uuid", "==", uuid_ref(uuid),
			       "name", "==", name,
			       "external_ids", "includes",
			       owner_map(owner, ifindex, boot),
			       "columns", "name", "until", "!=", "rows",
			       "timeout", 0);

	if (op && n_ifaces &&
	    json_array_append_new(json_object_get(op, "where"),
				  json_pack("[sso]", "interfaces", "==",
					    uuid_set(ifaces, n_ifaces)))) {
		json_decref(op);
		return NULL;
	}
	return op;
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

/*
 * Fails the transaction unless Interface @uuid, named @name, still has
 * exactly the external_ids @ext (copied): anything another program wrote to
 * it after we read it is theirs and must not be overwritten.
 */
static json_t *op_wait_iface_ext(const char *uuid, const char *name,
				 const json_t *ext)
{
	return json_pack("{ss ss s[[sso][sss]] s[s] ss s[{so}] si}",
			 "op", "wait", "table", "Interface",
			 "where", "_uuid", "==", uuid_ref(uuid),
			 "name", "==", name,
			 "columns", "external_ids", "until", "==",
			 "rows", "external_ids", json_deep_copy(ext),
			 "timeout", 0);
}

/* Guarded removal of one owned Port row: wait, unlink from its bridge, delete. */
static void add_guarded_delete(json_t *params, const struct ovsdb_detach_spec *p,
			       const char *owner, bool *ok)
{
	char iface[1][OVSDB_UUID_LEN + 1];

	/* with its Interface's guard, the Port still has that one Interface */
	if (p->iface_ext)
		memcpy(iface[0], p->iface_uuid, sizeof(iface[0]));
	add_op(params, op_wait_owned(p->port_uuid, p->name, owner, p->ifindex,
				     p->boot, iface, p->iface_ext ? 1 : 0), ok);
	if (p->iface_ext)
		add_op(params, op_wait_iface_ext(p->iface_uuid, p->name,
						 p->iface_ext), ok);
	add_op(params, op_unlink_port(p->port_uuid), ok);
	add_op(params, op_delete_uuid("Port", p->port_uuid), ok);
}

/* ---- attach -------------------------------------------------------------- */

bool ovsdb_string_valid(const char *s)
{
	return s && utf8_valid(s, strlen(s), NULL);
}

static int __attribute__((format(printf, 3, 4)))
spec_bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

#define ESC_LEN	80

bool ovsdb_string_map_valid(const json_t *m)
{
	const json_t *pair;
	size_t i;

	if (!json_is_array(m) || json_array_size(m) != 2 ||
	    !json_is_string(json_array_get(m, 0)) ||
	    strcmp(json_string_value(json_array_get(m, 0)), "map") ||
	    !json_is_array(json_array_get(m, 1)))
		return false;
	json_array_foreach(json_array_get(m, 1), i, pair)
		if (!json_is_array(pair) || json_array_size(pair) != 2 ||
		    !json_is_string(json_array_get(pair, 0)) ||
		    !json_is_string(json_array_get(pair, 1)))
			return false;
	return true;
}

int ovsdb_port_spec_check(const struct ovsdb_port_spec *p, char *why,
			  size_t len)
{
	char e[ESC_LEN];
	size_t i, j;

	if (!p->name || !*p->name)
		return spec_bad(why, len, "no port name");
	if (!ovsdb_string_valid(p->name))
		return spec_bad(why, len, "the name %s is not UTF-8, which OVSDB cannot store",
				utf8_escape(p->name, e, sizeof(e)));
	if (!p->bridge || !*p->bridge)
		return spec_bad(why, len, "no bridge");
	if (!ovsdb_string_valid(p->bridge))
		return spec_bad(why, len, "the bridge name %s is not UTF-8, which OVSDB cannot store",
				utf8_escape(p->bridge, e, sizeof(e)));
	if (p->ifindex <= 0)
		return spec_bad(why, len, "invalid ifindex %d", p->ifindex);
	if (p->vlan_tag < 0 || p->vlan_tag > 4095)
		return spec_bad(why, len, "invalid VLAN %d", p->vlan_tag);
	if (p->n_trunks && !p->trunks)
		return spec_bad(why, len, "no trunk list");
	for (i = 0; i < p->n_trunks; i++)
		if (p->trunks[i] > 4095)
			return spec_bad(why, len, "invalid trunk VLAN %u", p->trunks[i]);
	if (p->boot && !ovsdb_string_valid(p->boot))
		return spec_bad(why, len, "invalid boot id");
	if (p->replace_uuid && !ovsdb_uuid_valid(p->replace_uuid))
		return spec_bad(why, len, "invalid row uuid to replace");
	if (p->replace_uuid && (!p->n_replace_ifaces || !p->replace_ifaces))
		return spec_bad(why, len, "no Interface of the row to replace");
	/* the guard vouches for one Interface's external_ids, as we create them */
	if (p->replace_uuid && p->n_replace_ifaces != 1)
		return spec_bad(why, len, "the row to replace has %zu Interfaces, not one",
				p->n_replace_ifaces);
	if (p->replace_uuid && !ovsdb_string_map_valid(p->replace_iface_ext))
		return spec_bad(why, len, "no external_ids of the Interface of the row to replace");
	for (i = 0; p->replace_uuid && i < p->n_replace_ifaces; i++)
		if (!ovsdb_uuid_valid(p->replace_ifaces[i]))
			return spec_bad(why, len, "invalid Interface uuid of the row to replace");
	if (p->replace_boot && !ovsdb_string_valid(p->replace_boot))
		return spec_bad(why, len, "invalid boot id of the row to replace");
	if (p->n_ext && (!p->ext_keys || !p->ext_values))
		return spec_bad(why, len, "no external_ids");
	for (i = 0; i < p->n_ext; i++) {
		const char *k = p->ext_keys[i], *v = p->ext_values[i];

		/*
		 * Our own keys and duplicates are refused rather than dropped:
		 * a user "ovskvm-owner" would hand the port's ownership to
		 * someone else, and OVSDB rejects a map with a duplicate key.
		 */
		if (!k || !*k || key_reserved(k) || !ovsdb_string_valid(k))
			return spec_bad(why, len, "external_ids key %s is not allowed",
					k ? utf8_escape(k, e, sizeof(e)) : "(none)");
		for (j = 0; j < i; j++)
			if (!strcmp(p->ext_keys[j], k))
				return spec_bad(why, len, "external_ids key %s given twice", k);
		if (!v)
			return spec_bad(why, len, "external_ids %s has no value", k);
		if (!ovsdb_string_valid(v))
			return spec_bad(why, len, "external_ids %s: the value %s is not UTF-8, which OVSDB cannot store",
					k, utf8_escape(v, e, sizeof(e)));
	}
	return 0;
}

static bool attach_input_valid(const struct ovsdb_port_spec *ports, size_t n,
			       const char *owner)
{
	size_t i, j;

	if (!ports || !n || !owner || !*owner)
		return false;
	for (i = 0; i < n; i++) {
		if (ovsdb_port_spec_check(&ports[i], NULL, 0))
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
	row = json_pack("{ss so so so}", "name", p->name,
			"interfaces", named_ref(iname),
			"external_ids", port_external_ids(p, owner),
			"other_config", port_other_config());
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
		/* a replaced row may be in it already: a set insert is a union */
		if (json_array_append_new(set, ports[i].replace_uuid ?
					  uuid_ref(ports[i].replace_uuid) :
					  named_ref(uname))) {
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

/*
 * Rewrite the stale row of @p in place for this tap: everything a VM's
 * port carries is set anew (a VLAN or vlan_mode an operator gave the old VM
 * is not the new one's), and the row leaves any bridge but its own.
 */
static void add_replace(json_t *params, const struct ovsdb_port_spec *p,
			const char *owner, bool *ok)
{
	json_t *row;
	size_t i;

	add_op(params, op_wait_owned(p->replace_uuid, p->name, owner,
				     p->replace_ifindex, p->replace_boot,
				     p->replace_ifaces, p->n_replace_ifaces), ok);
	add_op(params, op_wait_iface_ext(p->replace_ifaces[0], p->name,
					 p->replace_iface_ext), ok);
	/*
	 * Nothing of the previous VM's stays: what a fresh insert leaves at
	 * its default is set back to it (rate limits, QoS, an MTU request).
	 */
	for (i = 0; i < p->n_replace_ifaces; i++)
		add_op(params, json_pack("{ss ss so s{so si si s[s[]] s[s[]]}}",
					 "op", "update", "table", "Interface",
					 "where", where_eq("_uuid", uuid_ref(p->replace_ifaces[i])),
					 "row", "external_ids", iface_external_ids(p),
					 "ingress_policing_rate", 0,
					 "ingress_policing_burst", 0,
					 "mtu_request", "set", "other_config", "map"), ok);
	/* tag, vlan_mode and qos are sets of 0..1: ["set", []] empties them */
	row = json_pack("{so so s[s[]] s[s[]] s[s[]] so}",
			"external_ids", port_external_ids(p, owner),
			"other_config", port_other_config(),
			"tag", "set", "vlan_mode", "set", "qos", "set",
			"trunks", trunk_set(p));
	if (row && p->vlan_tag &&
	    json_object_set_new(row, "tag", json_integer(p->vlan_tag))) {
		json_decref(row);
		row = NULL;
	}
	add_op(params, row ? json_pack("{ss ss so so}", "op", "update",
				       "table", "Port",
				       "where", where_eq("_uuid", uuid_ref(p->replace_uuid)),
				       "row", row) : NULL, ok);
	add_op(params, json_pack("{ss ss s[[sso][sss]] s[[ss[so]]]}",
				 "op", "mutate", "table", "Bridge",
				 "where", "ports", "includes", uuid_ref(p->replace_uuid),
				 "name", "!=", p->bridge,
				 "mutations", "ports", "delete", "set",
				 json_pack("[o]", uuid_ref(p->replace_uuid))), ok);
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

		if (p->replace_uuid) {
			add_replace(params, p, owner, &ok);
			continue;
		}
		add_op(params, op_wait_port_absent(p->name), &ok);
		add_op(params, op_insert_iface(p, i), &ok);
		add_op(params, op_insert_port(p, i, owner), &ok);
	}

	for (i = 0; i < n; i++)
		if (first_of_bridge(ports, i))
			add_op(params, op_link_ports(ports, n, ports[i].bridge),
			       &ok);
	add_op(params, op_comment("attach", &ports[0].name, n, sizeof(*ports)),
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

		if (!p->name || !*p->name || !ovsdb_uuid_valid(p->port_uuid))
			return false;
		if (p->boot && !ovsdb_string_valid(p->boot))
			return false;
		if (p->n_ifaces && !p->iface_uuids)
			return false;
		if (p->iface_ext && (!ovsdb_uuid_valid(p->iface_uuid) ||
				     !ovsdb_string_map_valid(p->iface_ext)))
			return false;
		for (j = 0; j < p->n_ifaces; j++)
			if (!ovsdb_uuid_valid(p->iface_uuids[j]))
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

		add_guarded_delete(params, p, owner, &ok);
		/*
		 * Interfaces would be garbage-collected with the Port anyway;
		 * deleting them explicitly makes the intent visible in the
		 * server's log and fails loudly if the row is shared.
		 */
		for (j = 0; j < p->n_ifaces; j++)
			add_op(params, op_delete_uuid("Interface",
						      p->iface_uuids[j]), &ok);
	}
	add_op(params, op_comment("remove", &ports[0].name, n, sizeof(*ports)),
	       &ok);
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
			 owner_map(owner, 0, NULL),
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
		add_op(params, json_pack("{ss ss so s[ssss]}",
					 "op", "select", "table", "Port",
					 "where", where_eq("name",
							   json_string(names[i])),
					 "columns", "_uuid", "name",
					 "external_ids", "interfaces"), &ok);
		add_op(params, json_pack("{ss ss so s[sss]}",
					 "op", "select", "table", "Interface",
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
