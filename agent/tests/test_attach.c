// SPDX-License-Identifier: GPL-2.0
/*
 * attach.c against a fake ovsdb-server: one bad port (a name or a value that
 * is not UTF-8, an Interface name taken by another Port, a missing bridge)
 * never keeps the others of its batch pending, and the creator's identity
 * is checked against a real process before its command line is read.
 *
 * ovsdb_transact() is wrapped (tests/test_attach.wrap): the fake answers the
 * operations the builders emit as ovsdb-server 3.1 does (the error objects
 * are those of the recorded replies in tests/data/), keeps Port and
 * Interface rows, and enforces the Interface name index at commit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "ovsdb_txn.h"
#include "reasons.h"

#define MAX_ROWS	32

struct fake_port {
	char name[64];
	char uuid[OVSDB_UUID_LEN + 1];
	char iface[64];			/* its Interface's name */
	char owner[32];			/* "" when not ours */
	int ifindex;
	json_t *iface_ext;		/* Interface.external_ids, a map */
};

static struct {
	const char *bridges[4];
	struct fake_port ports[MAX_ROWS];
	int n_ports;
	int n_txn;			/* transactions that insert */
	int timeout;			/* answer nothing: -ETIMEDOUT */
	unsigned int next_uuid;
} fake;

static void fake_reset(void)
{
	int i;

	for (i = 0; i < fake.n_ports; i++)
		json_decref(fake.ports[i].iface_ext);
	memset(&fake, 0, sizeof(fake));
	fake.bridges[0] = "br0";
}

static struct fake_port *fake_port(const char *name)
{
	int i;

	for (i = 0; i < fake.n_ports; i++)
		if (!strcmp(fake.ports[i].name, name))
			return &fake.ports[i];
	return NULL;
}

static bool fake_iface_taken(const char *name)
{
	int i;

	for (i = 0; i < fake.n_ports; i++)
		if (!strcmp(fake.ports[i].iface, name))
			return true;
	return false;
}

/* A Port of someone else holding an Interface of another name: a bond. */
static void fake_add_foreign(const char *port, const char *iface)
{
	struct fake_port *p = &fake.ports[fake.n_ports++];

	snprintf(p->name, sizeof(p->name), "%s", port);
	snprintf(p->iface, sizeof(p->iface), "%s", iface);
	snprintf(p->uuid, sizeof(p->uuid), "00000000-0000-4000-8000-%012x", ++fake.next_uuid);
}

static void fake_remove(const char *name)
{
	struct fake_port *p = fake_port(name);

	assert_non_null(p);
	json_decref(p->iface_ext);
	*p = fake.ports[--fake.n_ports];
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The value an op's where clause compares COLUMN with. */
static const char *where(const json_t *op, const char *column)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(op, "where"), i, c)
		if (!strcmp(json_string_value(json_array_get(c, 0)), column))
			return json_string_value(json_array_get(c, 2));
	return NULL;
}

static const char *map_get(const json_t *map, const char *key)
{
	const json_t *pair;
	size_t i;

	json_array_foreach(json_array_get(map, 1), i, pair)
		if (!strcmp(json_string_value(json_array_get(pair, 0)), key))
			return json_string_value(json_array_get(pair, 1));
	return NULL;
}

static json_t *select_port(const char *name)
{
	struct fake_port *p = fake_port(name);
	json_t *rows = json_array();
	char ifindex[16];

	if (p) {
		snprintf(ifindex, sizeof(ifindex), "%d", p->ifindex);
		json_array_append_new(rows, json_pack("{s[ss] ss s[s[]]}", "_uuid", "uuid", p->uuid,
						      "name", p->name, "external_ids", "map"));
		if (p->owner[0])
			json_array_set_new(rows, 0,
				json_pack("{s[ss] ss s[s[[ss][ss]]]}", "_uuid", "uuid", p->uuid,
					  "name", p->name, "external_ids", "map",
					  OVSDB_EXT_OWNER, p->owner, OVSDB_EXT_IFINDEX, ifindex));
	}
	return json_pack("{so}", "rows", rows);
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

int __wrap_ovsdb_transact(struct ovsdb *db, json_t *ops, json_t **result,
			  char **err, int timeout_ms)
{
	struct fake_port staged[MAX_ROWS];
	json_t *res = json_array(), *op;
	int n_staged = 0, deleted[MAX_ROWS], n_deleted = 0, i, j;
	bool failed = false, inserts = false;
	size_t k;

	memset(staged, 0, sizeof(staged));
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
			r = select_port(where(op, "name"));
		} else if (!strcmp(kind, "wait") && !strcmp(table, "Bridge")) {
			if (!bridge_exists(where(op, "name")))
				failed = true;
		} else if (!strcmp(kind, "wait") && !strcmp(str(op, "until"), "==")) {
			if (fake_port(where(op, "name")))
				failed = true;
		} else if (!strcmp(kind, "wait")) {	/* a guarded delete's */
			struct fake_port *p = fake_port(where(op, "name"));

			if (!p || !p->owner[0])
				failed = true;
		} else if (!strcmp(kind, "delete") && !strcmp(table, "Port")) {
			const json_t *c = json_array_get(json_object_get(op, "where"), 0);
			const char *uuid = json_string_value(json_array_get(json_array_get(c, 2), 1));

			for (i = 0; i < fake.n_ports; i++)
				if (!strcmp(fake.ports[i].uuid, uuid))
					deleted[n_deleted++] = i;
			json_object_set_new(r, "count", json_integer(1));
		} else if (!strcmp(kind, "insert")) {
			const json_t *row = json_object_get(op, "row");
			struct fake_port *s = &staged[n_staged];

			inserts = true;
			if (!strcmp(table, "Interface")) {
				snprintf(s->iface, sizeof(s->iface), "%s", str(row, "name"));
				s->iface_ext = json_incref(json_object_get(row, "external_ids"));
			} else {
				const json_t *ext = json_object_get(row, "external_ids");

				snprintf(s->name, sizeof(s->name), "%s", str(row, "name"));
				snprintf(s->owner, sizeof(s->owner), "%s",
					 map_get(ext, OVSDB_EXT_OWNER) ?: "");
				s->ifindex = atoi(map_get(ext, OVSDB_EXT_IFINDEX) ?: "0");
				snprintf(s->uuid, sizeof(s->uuid), "00000000-0000-4000-8000-%012x",
					 ++fake.next_uuid);
				n_staged++;
			}
			json_object_set_new(r, "uuid", json_pack("[ss]", "uuid", s->uuid));
		} else {
			json_object_set_new(r, "count", json_integer(1));
		}
		if (failed) {
			json_decref(r);
			r = timed_out();
		}
		json_array_append_new(res, r);
	}
	if (inserts)
		fake.n_txn++;
	if (inserts && fake.timeout) {
		json_decref(res);
		for (i = 0; i <= n_staged; i++)
			json_decref(staged[i].iface_ext);
		json_decref(ops);
		*result = NULL;
		*err = strdup("no reply from ovsdb-server within the timeout");
		return -ETIMEDOUT;
	}
	/* commit: the Interface name index, as recorded in attach_iface_clash.json */
	for (i = 0; i < n_staged && !failed; i++) {
		bool clash = fake_iface_taken(staged[i].iface);

		for (j = 0; j < i; j++)
			clash |= !strcmp(staged[j].iface, staged[i].iface);
		if (clash) {
			char details[512];

			snprintf(details, sizeof(details),
				 "Transaction causes multiple rows in \"Interface\" table to have identical values (%s) for index on column \"name\".  First row, with UUID 1839589e-720f-4d7b-b084-64b724fe1c9b, existed in the database before this transaction and was not modified by the transaction.",
				 staged[i].iface);
			json_array_append_new(res, json_pack("{ss ss}", "error", "constraint violation",
							     "details", details));
			failed = true;
		}
	}
	for (i = n_deleted - 1; i >= 0 && !failed; i--) {
		json_decref(fake.ports[deleted[i]].iface_ext);
		fake.ports[deleted[i]] = fake.ports[--fake.n_ports];
	}
	for (i = 0; i < n_staged; i++) {
		if (!failed && fake.n_ports < MAX_ROWS)
			fake.ports[fake.n_ports++] = staged[i];
		else
			json_decref(staged[i].iface_ext);
	}
	json_decref(staged[n_staged].iface_ext);	/* an Interface without its Port */
	json_decref(ops);
	*result = res;
	return 0;
}

/* ---- the agent under test ----------------------------------------------- */

static const char conf[] =
	"[Agent]\nBridge=br0\n"
	"[Rule]\nName=*\n"
	"ExternalID=vm-name=%n\n"
	"ExternalID=vm-id=%u\n"
	"ExternalID=iface=%i\n";

static char tmpdir[64], reasons_path[128];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/ovskvm-attach-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(reasons_path, sizeof(reasons_path), "%s/run/pending", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	char dir[128];

	unlink(reasons_path);
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	rmdir(dir);
	rmdir(tmpdir);
	return 0;
}

static struct agent *agent_new(void)
{
	struct agent *a = calloc(1, sizeof(*a));
	FILE *null = fopen("/dev/null", "w");

	assert_non_null(a);
	config_init(&a->cfg);
	assert_int_equal(config_parse(&a->cfg, "t.conf", conf, strlen(conf), null), 0);
	fclose(null);
	a->policy_ours = true;
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;	/* only ever handed to the wrappers */
	a->reasons_path = reasons_path;
	unlink(reasons_path);
	fake_reset();
	return a;
}

static void agent_free(struct agent *a)
{
	config_free(&a->cfg);
	free(a->pending);
	free(a->gone);
	free(a);
	fake_reset();
}

static struct pend *pending(struct agent *a, uint32_t ifindex, const char *name,
			    const char *bridge)
{
	struct ovskvm_port p = {
		.ifindex = ifindex, .state = OVSKVM_PORT_PENDING, .has_rule = true,
		.rule_id = 1, .bridge_kind = OVSKVM_BRIDGE_OVS,
	};
	unsigned int i;

	snprintf(p.ifname, sizeof(p.ifname), "%s", name);
	snprintf(p.bridge, sizeof(p.bridge), "%s", bridge);
	add_pending(a, &p);
	for (i = 0; i < a->n_pending; i++)
		if (a->pending[i].port.ifindex == ifindex)
			return &a->pending[i];
	fail_msg("%s is not pending", name);
	return NULL;
}

/* As if QEMU's command line said -name guest=NAME -uuid UUID. */
static void from_qemu(struct pend *p, const char *name, const char *uuid)
{
	p->is_qemu = true;
	snprintf(p->qemu.name, sizeof(p->qemu.name), "%s", name);
	snprintf(p->qemu.uuid, sizeof(p->qemu.uuid), "%s", uuid);
}

static struct pend *find(struct agent *a, const char *name)
{
	unsigned int i;

	for (i = 0; i < a->n_pending; i++)
		if (!strcmp(a->pending[i].port.ifname, name))
			return &a->pending[i];
	return NULL;
}

static bool is_pending(struct agent *a, const char *name)
{
	return find(a, name) != NULL;
}

/* What `ovskvm status` would show for tap IFINDEX called NAME. */
static char *status_reason(uint32_t ifindex, const char *name)
{
	static char out[REASON_LEN];
	char *text = reasons_load(reasons_path);
	const char *r = reasons_find(text, ifindex, name, out, sizeof(out));

	free(text);
	return r ? out : NULL;
}

/* attach_pending(), with what it logged in a static buffer. */
static const char *attach_logged(struct agent *a)
{
	static char log[16384];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(f);
	dup2(fileno(f), 2);
	attach_pending(a);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	fclose(f);
	fputs(log, stderr);
	return log;
}

static void assert_contains(const char *s, const char *sub)
{
	if (!s || !strstr(s, sub))
		fail_msg("\"%s\" does not contain \"%s\"", s ?: "(null)", sub);
}

static const char *iface_ext(const char *port, const char *key)
{
	struct fake_port *p = fake_port(port);

	if (!p)
		fail_msg("no Port %s in OVSDB", port);
	return map_get(p->iface_ext, key);
}

#define UUID1 "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01"
#define UUID2 "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e02"

/*
 * The reported case: a QEMU started with -name $'guest=caf\xe9' kept its own
 * tap and every other one of the batch pending.  Its VM name is left out
 * (as a missing one is); everything else goes through, in one transaction.
 */
static void test_bad_vm_name(void **state)
{
	struct agent *a = agent_new();

	from_qemu(pending(a, 10, "vnet0", "br0"), "caf\xe9", UUID1);
	from_qemu(pending(a, 11, "vnet1", "br0"), "café", UUID2);
	pending(a, 12, "tap2", "br0");
	assert_contains(attach_logged(a),
			"vnet0: ExternalID vm-name (t.conf:5) left out: its value caf\\xe9 is not UTF-8, which OVSDB cannot store");
	assert_int_equal(a->n_pending, 0);
	assert_int_equal(fake.n_txn, 1);
	assert_null(iface_ext("vnet0", "vm-name"));
	assert_string_equal(iface_ext("vnet0", "vm-id"), UUID1);
	assert_string_equal(iface_ext("vnet0", "iface"), "vnet0");
	assert_string_equal(iface_ext("vnet1", "vm-name"), "café");
	assert_null(iface_ext("tap2", "vm-name"));
	assert_non_null(fake_port("tap2"));
	agent_free(a);
}

/* A tap whose name OVSDB cannot store waits alone. */
static void test_bad_tap_name(void **state)
{
	struct agent *a = agent_new();

	pending(a, 20, "tap20", "br0");
	pending(a, 21, "tap\xe9", "br0");
	pending(a, 22, "tap22", "br0");
	assert_contains(attach_logged(a),
			"Error: tap\\xe9: cannot attach: the tap's name tap\\xe9 is not UTF-8, which OVSDB cannot store: rename the tap");
	assert_non_null(fake_port("tap20"));
	assert_non_null(fake_port("tap22"));
	assert_int_equal(fake.n_txn, 1);
	assert_int_equal(a->n_pending, 1);
	assert_true(is_pending(a, "tap\xe9"));
	assert_string_equal(status_reason(21, "tap\xe9"),
			    "the tap's name tap\\xe9 is not UTF-8, which OVSDB cannot store: rename the tap");
	/* nothing to retry until it is renamed, and said once */
	assert_int_equal(a->retry_at, 0);
	assert_false(strstr(attach_logged(a), "Error"));
	/* renamed: the module reports it again under its new name */
	drop_pending(a, 21);
	pending(a, 21, "tap21", "br0");
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_null(status_reason(21, "tap\xe9"));
	assert_int_equal(access(reasons_path, F_OK), -1);
	agent_free(a);
}

/* clash0 is an Interface of Port other0: the commit fails for the batch. */
static void test_iface_clash(void **state)
{
	struct agent *a = agent_new();

	fake_add_foreign("other0", "clash0");
	pending(a, 30, "vnet30", "br0");
	pending(a, 31, "clash0", "br0");
	pending(a, 32, "vnet32", "br0");
	assert_contains(attach_logged(a),
			"Error: clash0: attaching to br0 failed: interface clash0 already exists in OVSDB, in a port of another name");
	assert_non_null(fake_port("vnet30"));
	assert_non_null(fake_port("vnet32"));
	assert_null(fake_port("clash0"));
	/* the batch, then each port on its own */
	assert_int_equal(fake.n_txn, 1 + 3);
	assert_int_equal(a->n_pending, 1);
	assert_true(is_pending(a, "clash0"));
	assert_contains(status_reason(31, "clash0"), "interface clash0 already exists in OVSDB");
	assert_null(status_reason(31, "clash1"));
	assert_null(status_reason(30, "vnet30"));
	assert_true(a->retry_at > 0);
	/* retried: the same reason is not logged at error level again */
	assert_false(strstr(attach_logged(a), "Error"));
	/* the bond goes: clash0 follows, and its reason with it */
	fake_remove("other0");
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_null(status_reason(31, "clash0"));
	agent_free(a);
}

/*
 * A tap OVSDB cannot name cannot have a Port there either: when it goes, it
 * must not hold up the removal of the others (seen in the VM: every later
 * removal waited behind it).
 */
static void test_bad_tap_name_gone(void **state)
{
	struct agent *a = agent_new();

	pending(a, 23, "tap23", "br0");
	attach_pending(a);
	assert_non_null(fake_port("tap23"));
	add_gone(a, 24, "tap\xe9");
	add_gone(a, 23, "tap23");
	detach_gone(a);
	assert_null(fake_port("tap23"));
	assert_int_equal(a->n_gone, 0);
	agent_free(a);
}

/*
 * A timeout is not the port's fault: no transaction per port then (each
 * would wait as long), all stay pending with the reason.
 */
static void test_timeout(void **state)
{
	struct agent *a = agent_new();

	pending(a, 50, "vnet50", "br0");
	pending(a, 51, "vnet51", "br0");
	fake.timeout = 1;
	attach_pending(a);
	assert_int_equal(fake.n_txn, 1);
	assert_int_equal(a->n_pending, 2);
	assert_string_equal(status_reason(51, "vnet51"),
			    "no reply from ovsdb-server within the timeout");
	fake.timeout = 0;
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	agent_free(a);
}

/* Kept from before: a missing bridge holds up only its own ports. */
static void test_missing_bridge(void **state)
{
	struct agent *a = agent_new();

	pending(a, 40, "vnet40", "br0");
	pending(a, 41, "vnet41", "brmissing");
	assert_contains(attach_logged(a),
			"Error: vnet41: cannot attach: bridge brmissing does not exist in OVSDB (create it with: ovs-vsctl add-br brmissing)");
	assert_non_null(fake_port("vnet40"));
	assert_int_equal(a->n_pending, 1);
	assert_true(is_pending(a, "vnet41"));
	assert_contains(status_reason(41, "vnet41"), "bridge brmissing does not exist");
	agent_free(a);
}

/* ---- the creator's identity, with real processes ------------------------ */

static char self[4096];		/* this program, run again as a fake QEMU */

/*
 * Run this program as ARGV0 with a QEMU command line for tap vnet9, and
 * describe it in PORT as the module would have recorded its creator.
 */
static pid_t spawn(const char *argv0, struct ovskvm_port *port)
{
	char *const args[] = {
		(char *)argv0, "-name", "guest=vm9", "-uuid", UUID1,
		"-netdev", "tap,id=n0,ifname=vnet9",
		"-device", "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:09", NULL
	};
	struct timespec pause = { 0, 10 * 1000000 };
	unsigned long long ticks = 0;
	char path[64], buf[1024], *p;
	int i, field;
	FILE *f;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* never outlive a test that fails: die with it, hold no pipe */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		i = open("/dev/null", O_RDWR);
		dup2(i, 1);
		dup2(i, 2);
		execv(self, args);
		_exit(127);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	for (i = 0; i < 500; i++) {	/* until exec is done */
		f = fopen(path, "r");
		buf[0] = '\0';
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
		}
		if (!strcmp(buf, argv0))
			break;
		nanosleep(&pause, NULL);
	}
	assert_string_equal(buf, argv0);

	memset(port, 0, sizeof(*port));
	port->ifindex = 90;
	strcpy(port->ifname, "vnet9");
	port->state = OVSKVM_PORT_PENDING;
	port->flags = OVSKVM_PORT_F_CREATOR_KNOWN;
	port->creator_pid = pid;
	port->creator_uid = getuid();
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(port->creator_comm, sizeof(port->creator_comm), f));
	port->creator_comm[strcspn(port->creator_comm, "\n")] = '\0';
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	assert_non_null(p);
	ticks = strtoull(p + 1, NULL, 10);
	port->creator_start_ns = ticks * (1000000000ULL / sysconf(_SC_CLK_TCK));
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* add_pending() of PORT: what it made of the creator's command line. */
static struct pend identify(const struct ovskvm_port *port)
{
	struct agent *a = agent_new();
	struct pend p;

	add_pending(a, port);
	assert_int_equal(a->n_pending, 1);
	p = a->pending[0];
	agent_free(a);
	return p;
}

static void test_identity(void **state)
{
	struct ovskvm_port port, other;
	struct pend p;
	pid_t pid;

	pid = spawn("qemu-system-x86_64", &port);
	p = identify(&port);
	assert_true(p.is_qemu);
	assert_string_equal(p.qemu.name, "vm9");
	assert_string_equal(p.qemu.uuid, UUID1);
	assert_string_equal(p.qemu.mac, "52:54:00:00:00:09");

	/* it runs as another uid than the one that created the tap */
	other = port;
	other.creator_uid = port.creator_uid + 1;
	p = identify(&other);
	assert_false(p.is_qemu);
	assert_true(p.qemu_suspect);
	assert_contains(p.not_qemu, "now runs as uid");
	assert_string_equal(p.qemu.name, "");

	/* the pid is another process's: it started at another time */
	other = port;
	other.creator_start_ns += 1000000000ULL / sysconf(_SC_CLK_TCK);
	p = identify(&other);
	assert_false(p.is_qemu);
	assert_contains(p.not_qemu, "is no longer the creator");
	reap(pid);

	/* the creator has exited */
	p = identify(&port);
	assert_false(p.is_qemu);
	assert_contains(p.not_qemu, "has exited");

	/* qemu-bridge-helper creates the taps of -netdev bridge */
	pid = spawn("/usr/lib/qemu/qemu-bridge-helper", &port);
	p = identify(&port);
	assert_false(p.is_qemu);
	assert_contains(p.not_qemu, "is not a QEMU system emulator");
	reap(pid);

	/* a tap older than the module: no creator at all */
	port.flags = 0;
	p = identify(&port);
	assert_false(p.is_qemu);
	assert_contains(p.not_qemu, "its creator is unknown");
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_vm_name),
		cmocka_unit_test(test_bad_tap_name),
		cmocka_unit_test(test_bad_tap_name_gone),
		cmocka_unit_test(test_iface_clash),
		cmocka_unit_test(test_missing_bridge),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_identity),
	};

	/* run by spawn() as a QEMU or its helper: wait to be killed */
	base = base ? base + 1 : argv[0];
	if (!strncmp(base, "qemu-", 5)) {
		alarm(60);
		pause();
		return 0;
	}
	if (!realpath(argv[0], self))
		return 1;

	return cmocka_run_group_tests_name("attach", tests, setup, teardown);
}
