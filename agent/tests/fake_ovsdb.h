/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake ovsdb-server for the agent's unit tests, behind a wrapped
 * ovsdb_transact() (name it in the test's .wrap file): it answers the
 * operations the builders of ovsdb_txn.h emit as ovsdb-server 3.1 does (the
 * error objects are those of the recorded replies in tests/data/), keeps
 * Port and Interface rows with their bridge and external_ids, answers the
 * selects of Ports and of Interfaces by name, evaluates the guards' where
 * clauses (an Interface's by its external_ids, compared as maps), applies a transaction whole or not at all, collects Ports in no
 * bridge and enforces the Interface name index at commit.
 *
 * Included by one test program each (its functions are static); the test
 * includes cmocka.h, jansson and ovsdb_txn.h first.
 */
#ifndef OVSKVM_TESTS_FAKE_OVSDB_H
#define OVSKVM_TESTS_FAKE_OVSDB_H

#define MAX_ROWS	32

/* A Port row with its one Interface, as the builders create them. */
struct fake_port {
	char name[64];
	char uuid[OVSDB_UUID_LEN + 1];
	char iface[64];			/* its Interface's name */
	char iface_uuid[OVSDB_UUID_LEN + 1];
	char bridge[32];		/* "": in no bridge, collected at commit */
	int tag;			/* 0: none */
	int n_trunks;
	char vlan_mode[16];
	json_t *ext;			/* Port.external_ids, a map */
	json_t *other;			/* Port.other_config, a map */
	json_t *iface_ext;		/* Interface.external_ids, a map */
};

static struct {
	const char *bridges[4];
	struct fake_port ports[MAX_ROWS];
	int n_ports;
	int n_txn;			/* transactions that write */
	int n_select;			/* transactions that only read */
	int uncommented;		/* writes without a "comment" */
	char comment[256];		/* the last one */
	int timeout;			/* answer nothing: -ETIMEDOUT */
	unsigned int next_uuid;
	void (*after_select)(void);	/* someone else, between two calls */
	/*
	 * A write transaction is waiting for its reply: what the caller's
	 * wait hook serves meanwhile.  Non-zero gives the call up (nothing
	 * is committed).
	 */
	int (*waiting)(void);
} fake;

static const char *map_get(const json_t *map, const char *key)
{
	const json_t *pair;
	size_t i;

	json_array_foreach(json_array_get(map, 1), i, pair)
		if (!strcmp(json_string_value(json_array_get(pair, 0)), key))
			return json_string_value(json_array_get(pair, 1));
	return NULL;
}

static void port_free(struct fake_port *p)
{
	json_decref(p->ext);
	json_decref(p->other);
	json_decref(p->iface_ext);
}

static void fake_reset(void)
{
	int i;

	for (i = 0; i < fake.n_ports; i++)
		port_free(&fake.ports[i]);
	memset(&fake, 0, sizeof(fake));
	fake.bridges[0] = "br0";
}

static struct fake_port *fake_port(const char *name)
{
	int i;

	for (i = 0; name && i < fake.n_ports; i++)
		if (!strcmp(fake.ports[i].name, name))
			return &fake.ports[i];
	return NULL;
}

static struct fake_port *fake_by_uuid(const char *uuid)
{
	int i;

	for (i = 0; uuid && i < fake.n_ports; i++)
		if (!strcmp(fake.ports[i].uuid, uuid))
			return &fake.ports[i];
	return NULL;
}

static void new_uuid(char *out)
{
	snprintf(out, OVSDB_UUID_LEN + 1, "00000000-0000-4000-8000-%012x", ++fake.next_uuid);
}

static struct fake_port *fake_add(const char *port, const char *iface)
{
	struct fake_port *p = &fake.ports[fake.n_ports++];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", port);
	snprintf(p->iface, sizeof(p->iface), "%s", iface);
	snprintf(p->bridge, sizeof(p->bridge), "br0");
	new_uuid(p->uuid);
	new_uuid(p->iface_uuid);
	p->ext = json_pack("[s[]]", "map");
	p->other = json_pack("[s[]]", "map");
	p->iface_ext = json_pack("[s[]]", "map");
	return p;
}

/* A Port of someone else holding an Interface of another name: a bond. */
static __attribute__((unused)) void fake_add_foreign(const char *port, const char *iface)
{
	fake_add(port, iface);
}

/*
 * A Port of ours as an agent left it for tap IFINDEX of boot BOOT (NULL:
 * none recorded), on VLAN TAG, its VM called VM.
 */
static __attribute__((unused)) struct fake_port *fake_add_ours(const char *name, int ifindex,
				       const char *boot, int tag, const char *vm)
{
	struct fake_port *p = fake_add(name, name);
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", ifindex);
	json_decref(p->ext);
	p->ext = json_pack("[s[[ss][ss]]]", "map", OVSDB_EXT_OWNER, "ovskvm",
			   OVSDB_EXT_IFINDEX, buf);
	if (boot)
		json_array_append_new(json_array_get(p->ext, 1),
				      json_pack("[ss]", OVSDB_EXT_BOOT, boot));
	json_array_append_new(json_array_get(p->ext, 1), json_pack("[ss]", "vm-name", vm));
	json_decref(p->iface_ext);
	p->iface_ext = json_pack("[s[[ss]]]", "map", "vm-name", vm);
	p->tag = tag;
	snprintf(p->vlan_mode, sizeof(p->vlan_mode), "access");
	return p;
}

/* Set KEY of the map MAP to VALUE. */
static __attribute__((unused)) void map_set(json_t *map, const char *key, const char *value)
{
	json_t *pair;
	size_t i;

	json_array_foreach(json_array_get(map, 1), i, pair)
		if (!strcmp(json_string_value(json_array_get(pair, 0)), key)) {
			json_array_set_new(pair, 1, json_string(value));
			return;
		}
	json_array_append_new(json_array_get(map, 1), json_pack("[ss]", key, value));
}

static __attribute__((unused)) void fake_remove(const char *name)
{
	struct fake_port *p = fake_port(name);

	assert_non_null(p);
	port_free(p);
	*p = fake.ports[--fake.n_ports];
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The value an op's where clause compares COLUMN with. */
static const json_t *where_val(const json_t *op, const char *column)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(op, "where"), i, c)
		if (!strcmp(json_string_value(json_array_get(c, 0)), column))
			return json_array_get(c, 2);
	return NULL;
}

static const char *where(const json_t *op, const char *column)
{
	return json_string_value(where_val(op, column));
}

/* The uuid of ["uuid", U], or of the only member of ["set", [["uuid", U]]]. */
static const char *ref_uuid(const json_t *v)
{
	if (!strcmp(json_string_value(json_array_get(v, 0)), "set"))
		v = json_array_get(json_array_get(v, 1), 0);
	return json_string_value(json_array_get(v, 1));
}

/* Does row P satisfy every condition of OP's where clause? */
static bool row_matches(const struct fake_port *p, const json_t *op)
{
	const json_t *c, *pair;
	size_t i, j;

	json_array_foreach(json_object_get(op, "where"), i, c) {
		const char *col = json_string_value(json_array_get(c, 0));
		const char *fn = json_string_value(json_array_get(c, 1));
		const json_t *v = json_array_get(c, 2);

		if (!strcmp(col, "_uuid") && strcmp(p->uuid, ref_uuid(v)))
			return false;
		if (!strcmp(col, "name") && strcmp(p->name, json_string_value(v)))
			return false;
		if (!strcmp(col, "interfaces") && strcmp(p->iface_uuid, ref_uuid(v)))
			return false;
		if (!strcmp(col, "external_ids")) {
			assert_string_equal(fn, "includes");
			json_array_foreach(json_array_get(v, 1), j, pair) {
				const char *have = map_get(p->ext,
							   json_string_value(json_array_get(pair, 0)));

				if (!have || strcmp(have, json_string_value(json_array_get(pair, 1))))
					return false;
			}
		}
	}
	return true;
}

static json_t *select_port(const char *name)
{
	struct fake_port *p = fake_port(name);
	json_t *rows = json_array();

	if (p)
		json_array_append_new(rows, json_pack("{s[ss] ss so s[ss]}",
						      "_uuid", "uuid", p->uuid, "name", p->name,
						      "external_ids", json_deep_copy(p->ext),
						      "interfaces", "uuid", p->iface_uuid));
	return json_pack("{so}", "rows", rows);
}

static json_t *select_iface(const char *name)
{
	json_t *rows = json_array();
	int i;

	for (i = 0; name && i < fake.n_ports; i++) {
		struct fake_port *p = &fake.ports[i];

		if (!strcmp(p->iface, name))
			json_array_append_new(rows, json_pack("{s[ss] ss so}",
							      "_uuid", "uuid", p->iface_uuid,
							      "name", p->iface,
							      "external_ids",
							      json_deep_copy(p->iface_ext)));
	}
	return json_pack("{so}", "rows", rows);
}

/* Two maps with the same pairs, in any order, as OVSDB compares them. */
static bool map_equal(const json_t *a, const json_t *b)
{
	const json_t *pair;
	size_t i;

	if (json_array_size(json_array_get(a, 1)) != json_array_size(json_array_get(b, 1)))
		return false;
	json_array_foreach(json_array_get(a, 1), i, pair) {
		const char *v = map_get(b, json_string_value(json_array_get(pair, 0)));

		if (!v || strcmp(v, json_string_value(json_array_get(pair, 1))))
			return false;
	}
	return true;
}

/* An Interface guard: the row of this uuid and name has these external_ids. */
static bool iface_wait_ok(const json_t *op)
{
	const json_t *want = json_object_get(json_array_get(json_object_get(op, "rows"), 0),
					     "external_ids");
	int i;

	assert_string_equal(str(op, "until"), "==");
	for (i = 0; i < fake.n_ports; i++) {
		const struct fake_port *p = &fake.ports[i];

		if (!strcmp(p->iface_uuid, ref_uuid(where_val(op, "_uuid"))) &&
		    !strcmp(p->iface, where(op, "name")))
			return map_equal(p->iface_ext, want);
	}
	return false;
}

static bool bridge_exists(const char *name)
{
	int i;

	for (i = 0; i < 4 && fake.bridges[i]; i++)
		if (!strcmp(fake.bridges[i], name))
			return true;
	return false;
}

static json_t *timed_out(void)
{
	return json_pack("{ss ss}", "error", "timed out",
			 "details", "\"where\" clause test failed");
}

int __wrap_ovsdb_transact(struct ovsdb *db, json_t *ops, json_t **result,
			  char **err, int timeout_ms);
bool __wrap_ovsdb_is_connected(const struct ovsdb *db);
void __wrap_ovsdb_close(struct ovsdb *db);

bool __wrap_ovsdb_is_connected(const struct ovsdb *db)
{
	return db != NULL;
}

void __wrap_ovsdb_close(struct ovsdb *db)
{
}

/* An insert's named row, by its "uuid-name", within one transaction. */
struct named {
	char name[32];
	char uuid[OVSDB_UUID_LEN + 1];
	char iface[64];
	json_t *ext;
};

static void apply_update(const json_t *op)
{
	const json_t *row = json_object_get(op, "row"), *v;
	const char *table = str(op, "table");
	const char *uuid = ref_uuid(where_val(op, "_uuid"));
	int i;

	for (i = 0; i < fake.n_ports; i++) {
		struct fake_port *p = &fake.ports[i];

		if (!strcmp(table, "Interface") && !strcmp(p->iface_uuid, uuid)) {
			json_decref(p->iface_ext);
			p->iface_ext = json_deep_copy(json_object_get(row, "external_ids"));
		}
		if (strcmp(table, "Port") || strcmp(p->uuid, uuid))
			continue;
		if ((v = json_object_get(row, "external_ids"))) {
			json_decref(p->ext);
			p->ext = json_deep_copy(v);
		}
		if ((v = json_object_get(row, "other_config"))) {
			json_decref(p->other);
			p->other = json_deep_copy(v);
		}
		if ((v = json_object_get(row, "tag")))
			p->tag = json_is_integer(v) ? (int)json_integer_value(v) : 0;
		if ((v = json_object_get(row, "trunks")))
			p->n_trunks = json_is_integer(v) ? 1 :
				      (int)json_array_size(json_array_get(v, 1));
		if ((v = json_object_get(row, "vlan_mode")))
			snprintf(p->vlan_mode, sizeof(p->vlan_mode), "%s",
				 json_is_string(v) ? json_string_value(v) : "");
	}
}

static void apply_mutate(const json_t *op, struct named *named, int n_named)
{
	const json_t *m = json_array_get(json_object_get(op, "mutations"), 0), *ref;
	const char *how = json_string_value(json_array_get(m, 1));
	const json_t *set = json_array_get(m, 2);
	const char *bridge = where(op, "name");
	size_t i;
	int j;

	if (!strcmp(how, "delete")) {	/* from the bridges that hold it */
		struct fake_port *p = fake_by_uuid(ref_uuid(where_val(op, "ports")));

		if (p && (!bridge || strcmp(p->bridge, bridge)))
			p->bridge[0] = '\0';
		return;
	}
	json_array_foreach(json_array_get(set, 1), i, ref) {
		const char *kind = json_string_value(json_array_get(ref, 0));
		const char *u = json_string_value(json_array_get(ref, 1));
		struct fake_port *p;

		for (j = 0; !strcmp(kind, "named-uuid") && j < n_named; j++)
			if (!strcmp(named[j].name, u))
				u = named[j].uuid;
		p = fake_by_uuid(u);
		assert_non_null(p);
		snprintf(p->bridge, sizeof(p->bridge), "%s", bridge);
	}
}

static void ports_copy(struct fake_port *dst, const struct fake_port *src, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		dst[i] = src[i];
		dst[i].ext = json_deep_copy(src[i].ext);
		dst[i].other = json_deep_copy(src[i].other);
		dst[i].iface_ext = json_deep_copy(src[i].iface_ext);
	}
}

/*
 * Commit: Ports in no bridge are collected with their Interface, then the
 * Interface name index, as recorded in attach_iface_clash.json.
 */
static json_t *fake_commit(void)
{
	char details[512];
	int i, j;

	for (i = fake.n_ports - 1; i >= 0; i--)
		if (!fake.ports[i].bridge[0]) {
			port_free(&fake.ports[i]);
			fake.ports[i] = fake.ports[--fake.n_ports];
		}
	for (i = 0; i < fake.n_ports; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(fake.ports[i].iface, fake.ports[j].iface)) {
				snprintf(details, sizeof(details),
					 "Transaction causes multiple rows in \"Interface\" table to have identical values (%s) for index on column \"name\".  First row, with UUID 1839589e-720f-4d7b-b084-64b724fe1c9b, existed in the database before this transaction and was not modified by the transaction.",
					 fake.ports[i].iface);
				return json_pack("{ss ss}", "error", "constraint violation",
						 "details", details);
			}
	return NULL;
}

int __wrap_ovsdb_transact(struct ovsdb *db, json_t *ops, json_t **result,
			  char **err, int timeout_ms)
{
	struct fake_port saved[MAX_ROWS];
	struct named named[MAX_ROWS];
	int n_saved = fake.n_ports, n_named = 0, i;
	json_t *res = json_array(), *op, *e;
	bool failed = false, writes = false, comment = false;
	size_t k;

	if (fake.waiting) {
		json_array_foreach(ops, k, op)
			if (k && strcmp(str(op, "op"), "select"))
				writes = true;
		if (writes && (i = fake.waiting())) {
			json_decref(ops);
			json_decref(res);
			*result = NULL;
			*err = strdup("call given up");
			return i;
		}
		writes = false;
	}
	ports_copy(saved, fake.ports, n_saved);
	json_array_foreach(ops, k, op) {
		const char *kind = str(op, "op"), *table = str(op, "table");
		json_t *r;

		if (!k)			/* the database name */
			continue;
		if (failed) {		/* not run */
			json_array_append_new(res, json_null());
			continue;
		}
		r = json_object();
		if (!strcmp(kind, "select")) {
			json_decref(r);
			r = !strcmp(table, "Interface") ? select_iface(where(op, "name")) :
			    select_port(where(op, "name"));
		} else if (!strcmp(kind, "comment")) {
			comment = true;
			snprintf(fake.comment, sizeof(fake.comment), "%s", str(op, "comment"));
		} else if (!strcmp(kind, "wait") && !strcmp(table, "Bridge")) {
			if (!bridge_exists(where(op, "name")))
				failed = true;
		} else if (!strcmp(kind, "wait") && !strcmp(table, "Interface")) {
			failed = !iface_wait_ok(op);
		} else if (!strcmp(kind, "wait")) {
			bool any = false;

			for (i = 0; i < fake.n_ports; i++)
				any |= row_matches(&fake.ports[i], op);
			/* until == rows []: none may match; != rows []: one must */
			failed = !strcmp(str(op, "until"), "==") ? any : !any;
		} else if (!strcmp(kind, "delete")) {
			struct fake_port *p = fake_by_uuid(ref_uuid(where_val(op, "_uuid")));

			writes = true;
			if (p && !strcmp(table, "Port")) {
				port_free(p);
				*p = fake.ports[--fake.n_ports];
			}
			json_object_set_new(r, "count", json_integer(1));
		} else if (!strcmp(kind, "update")) {
			writes = true;
			apply_update(op);
			json_object_set_new(r, "count", json_integer(1));
		} else if (!strcmp(kind, "mutate")) {
			writes = true;
			apply_mutate(op, named, n_named);
			json_object_set_new(r, "count", json_integer(1));
		} else if (!strcmp(kind, "insert")) {
			const json_t *row = json_object_get(op, "row");
			struct named *nm = &named[n_named++];

			writes = true;
			snprintf(nm->name, sizeof(nm->name), "%s", str(op, "uuid-name"));
			if (!strcmp(table, "Interface")) {
				new_uuid(nm->uuid);
				snprintf(nm->iface, sizeof(nm->iface), "%s", str(row, "name"));
				nm->ext = json_object_get(row, "external_ids");
			} else {
				const char *iname = json_string_value(json_array_get(
					json_object_get(row, "interfaces"), 1));
				struct fake_port *p = fake_add(str(row, "name"), "");

				p->bridge[0] = '\0';
				strcpy(nm->uuid, p->uuid);
				for (i = 0; i < n_named - 1; i++)
					if (!strcmp(named[i].name, iname)) {
						snprintf(p->iface, sizeof(p->iface), "%s", named[i].iface);
						strcpy(p->iface_uuid, named[i].uuid);
						json_decref(p->iface_ext);
						p->iface_ext = json_deep_copy(named[i].ext);
					}
				json_decref(p->ext);
				p->ext = json_deep_copy(json_object_get(row, "external_ids"));
				if (json_object_get(row, "other_config")) {
					json_decref(p->other);
					p->other = json_deep_copy(json_object_get(row, "other_config"));
				}
				if (json_is_integer(json_object_get(row, "tag")))
					p->tag = json_integer_value(json_object_get(row, "tag"));
			}
			json_object_set_new(r, "uuid", json_pack("[ss]", "uuid", nm->uuid));
		} else {
			fail_msg("the fake does not know the operation %s", kind);
		}
		if (failed) {
			json_decref(r);
			r = timed_out();
		}
		json_array_append_new(res, r);
	}
	if (writes) {
		fake.n_txn++;
		fake.uncommented += !comment;
	} else {
		fake.n_select++;
	}
	if (!failed && writes && (e = fake_commit())) {
		json_array_append_new(res, e);
		failed = true;
	}
	if (failed || (writes && fake.timeout)) {	/* roll back */
		for (i = 0; i < fake.n_ports; i++)
			port_free(&fake.ports[i]);
		memcpy(fake.ports, saved, sizeof(saved[0]) * n_saved);
		fake.n_ports = n_saved;
	} else {
		for (i = 0; i < n_saved; i++)
			port_free(&saved[i]);
	}
	json_decref(ops);
	if (writes && fake.timeout) {
		json_decref(res);
		*result = NULL;
		*err = strdup("no reply from ovsdb-server within the timeout");
		return -ETIMEDOUT;
	}
	if (!writes && fake.after_select)
		fake.after_select();
	*result = res;
	return 0;
}

#endif /* OVSKVM_TESTS_FAKE_OVSDB_H */
