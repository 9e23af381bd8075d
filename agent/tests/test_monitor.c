// SPDX-License-Identifier: GPL-2.0
/*
 * The OVSDB monitor (monitor.c, ovsdb_monitor.c) against a fake server and a
 * fake module: the monitor_cond reply and update2 notifications as
 * ovsdb-server 3.1 sends them (ovsdb-server(7) 4.1.12-14) go in; what the
 * agent does comes out: which taps it hands back to the module's policy
 * (REEVALUATE), what it logs, what `ovskvm status` shows.
 *
 * Cases: del-br then add-br (also in one transaction), an operator's
 * del-port (respected, logged once, or re-added with ReattachDeleted=yes),
 * the agent's own delete (its tap gone, a row of an earlier boot, or said by
 * the agent), a bridge that appears while taps wait for it, Interface error
 * and ofport changes (no early retry of pending taps), the diff encoding of
 * modify, malformed updates and replies (a bad row costs that row, never a
 * crash), updates read with the monitor_cond reply, a given-up monitor
 * cancelled before the next, a cancelled monitor, a server without
 * monitor_cond and the agent told not to watch (--no-ovsdb-monitor).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "monitor.h"
#include "reasons.h"

/* Ports, Interfaces, Bridges: uuids by letter. */
#define P1 "a0000000-0000-4000-8000-000000000001"
#define P2 "a0000000-0000-4000-8000-000000000002"
#define I1 "b0000000-0000-4000-8000-000000000001"
#define I2 "b0000000-0000-4000-8000-000000000002"
#define B0 "c0000000-0000-4000-8000-000000000000"
#define B1 "c0000000-0000-4000-8000-000000000001"
#define B2 "c0000000-0000-4000-8000-000000000002"
#define OTHER "d0000000-0000-4000-8000-000000000009"

#define MAX_KPORTS	8

static struct {
	/* the module */
	struct ovskvm_port kports[MAX_KPORTS];
	int n_kports;
	uint32_t reevaluated[16];
	int n_reevaluated;
	/* the server */
	const char *initial;		/* the monitor_cond reply */
	int monitor_err;		/* monitor_cond fails with this */
	/* update2 for the new id read with the monitor_cond reply */
	const char *during[4];
	int during_repeat;		/* during[0] this many times more */
	int n_monitor, n_change, n_cancel;
	json_t *last_where;		/* of the last monitor_cond_change */
	char last_id[32];
	char cancelled[4][32];		/* ids of the monitor_cancel calls */
	char calls[256];		/* the methods called, in order */
	ovsdb_notify_fn notify_fn;
	void *notify_arg;
} fake;

static void fake_reset(void)
{
	json_decref(fake.last_where);
	memset(&fake, 0, sizeof(fake));
}

static struct ovskvm_port *kport(uint32_t ifindex, const char *name, uint8_t state,
				 const char *bridge)
{
	struct ovskvm_port *p = &fake.kports[fake.n_kports++];

	memset(p, 0, sizeof(*p));
	p->ifindex = ifindex;
	snprintf(p->ifname, sizeof(p->ifname), "%s", name);
	snprintf(p->bridge, sizeof(p->bridge), "%s", bridge);
	p->state = state;
	p->has_rule = true;
	p->rule_id = 1;
	p->bridge_kind = OVSKVM_BRIDGE_OVS;
	return p;
}

static struct ovskvm_port *kfind(uint32_t ifindex)
{
	int i;

	for (i = 0; i < fake.n_kports; i++)
		if (fake.kports[i].ifindex == ifindex)
			return &fake.kports[i];
	return NULL;
}

static bool reevaluated(uint32_t ifindex)
{
	int i;

	for (i = 0; i < fake.n_reevaluated; i++)
		if (fake.reevaluated[i] == ifindex)
			return true;
	return false;
}

int __wrap_ovsdb_call(struct ovsdb *db, const char *method, json_t *params,
		      json_t **result, char **err, int timeout_ms);
void __wrap_ovsdb_set_notify(struct ovsdb *db, ovsdb_notify_fn fn, void *arg);
bool __wrap_ovsdb_is_connected(const struct ovsdb *db);
void __wrap_ovsdb_close(struct ovsdb *db);
int __wrap_genl_get_port(struct genl *g, uint32_t ifindex, struct ovskvm_port *port);
int __wrap_genl_reevaluate(struct genl *g, uint32_t ifindex);

int __wrap_ovsdb_call(struct ovsdb *db, const char *method, json_t *params,
		      json_t **result, char **err, int timeout_ms)
{
	json_error_t jerr;
	int i;

	*result = NULL;
	snprintf(fake.calls + strlen(fake.calls), sizeof(fake.calls) - strlen(fake.calls),
		 "%s%s", fake.calls[0] ? " " : "", method);
	if (!strcmp(method, "monitor_cancel")) {
		assert_true(fake.n_cancel < 4);
		snprintf(fake.cancelled[fake.n_cancel++], sizeof(fake.cancelled[0]), "%s",
			 json_string_value(json_array_get(params, 0)));
		json_decref(params);
		*result = json_object();
		return 0;
	}
	if (!strcmp(method, "monitor_cond")) {
		fake.n_monitor++;
		snprintf(fake.last_id, sizeof(fake.last_id), "%s",
			 json_string_value(json_array_get(params, 1)));
		/* what the agent asks for */
		assert_string_equal(json_string_value(json_array_get(params, 0)), "Open_vSwitch");
		assert_non_null(json_object_get(json_array_get(params, 2), "Port"));
		json_decref(params);
		/* read with the reply, dispatched before the call returns */
		for (i = -fake.during_repeat; i < 4 && fake.during[i > 0 ? i : 0]; i++) {
			json_t *u = json_loads(fake.during[i > 0 ? i : 0], 0, &jerr);
			json_t *p = json_pack("[so]", fake.last_id, u);

			assert_non_null(p);
			fake.notify_fn(db, "update2", p, fake.notify_arg);
			json_decref(p);
		}
		if (fake.monitor_err) {
			*err = strdup("monitor_cond failed: unknown method");
			return fake.monitor_err;
		}
		*result = json_loads(fake.initial ?: "{}", JSON_DECODE_ANY, &jerr);
		assert_non_null(*result);
		return 0;
	}
	assert_string_equal(method, "monitor_cond_change");
	fake.n_change++;
	json_decref(fake.last_where);
	fake.last_where = json_incref(json_object_get(json_array_get(
		json_object_get(json_array_get(params, 2), "Interface"), 0), "where"));
	json_decref(params);
	*result = json_object();
	return 0;
}

void __wrap_ovsdb_set_notify(struct ovsdb *db, ovsdb_notify_fn fn, void *arg)
{
	fake.notify_fn = fn;
	fake.notify_arg = arg;
}

bool __wrap_ovsdb_is_connected(const struct ovsdb *db)
{
	return db != NULL;
}

void __wrap_ovsdb_close(struct ovsdb *db)
{
}

int __wrap_genl_get_port(struct genl *g, uint32_t ifindex, struct ovskvm_port *port)
{
	struct ovskvm_port *p = kfind(ifindex);

	if (!p)
		return -ENODEV;
	*port = *p;
	return 0;
}

int __wrap_genl_reevaluate(struct genl *g, uint32_t ifindex)
{
	struct ovskvm_port *p = kfind(ifindex);

	fake.reevaluated[fake.n_reevaluated++] = ifindex;
	if (p)
		p->state = OVSKVM_PORT_PENDING;
	return p ? 0 : -ENODEV;
}

/* A tap is alive while the fake module has it. */
static bool fake_alive(const char *name, int ifindex)
{
	struct ovskvm_port *p = kfind(ifindex);

	return p && !strcmp(p->ifname, name);
}

/* ---- the agent under test ----------------------------------------------- */

static char tmpdir[64], reasons_path[128];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/ovskvm-monitor-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(reasons_path, sizeof(reasons_path), "%s/pending", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	unlink(reasons_path);
	rmdir(tmpdir);
	return 0;
}

/* Two ports of ours: vnet1 (ifindex 11) on br0, vnet2 (12) on br1. */
static const char initial[] =
	"{\"Port\": {"
	"  \"" P1 "\": {\"initial\": {\"name\": \"vnet1\", \"interfaces\": [\"uuid\", \"" I1 "\"],"
	"     \"external_ids\": [\"map\", [[\"ovskvm-ifindex\", \"11\"], [\"ovskvm-owner\", \"ovskvm\"], [\"vm-name\", \"a\"]]]}},"
	"  \"" P2 "\": {\"initial\": {\"name\": \"vnet2\", \"interfaces\": [\"uuid\", \"" I2 "\"],"
	"     \"external_ids\": [\"map\", [[\"ovskvm-ifindex\", \"12\"], [\"ovskvm-owner\", \"ovskvm\"]]]}}},"
	" \"Bridge\": {"
	"  \"" B0 "\": {\"initial\": {\"name\": \"br0\", \"ports\": [\"set\", [[\"uuid\", \"" P1 "\"], [\"uuid\", \"" OTHER "\"]]]}},"
	"  \"" B1 "\": {\"initial\": {\"name\": \"br1\", \"ports\": [\"uuid\", \"" P2 "\"]}}}}";

static struct agent *agent_new(const char *init)
{
	struct agent *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	config_init(&a->cfg);
	snprintf(a->cfg.path, sizeof(a->cfg.path), "/etc/ovskvm.conf");
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;	/* only ever handed to the wrappers */
	a->reasons_path = reasons_path;
	unlink(reasons_path);
	fake_reset();
	fake.initial = init;
	kport(11, "vnet1", OVSKVM_PORT_ATTACHED, "br0");
	kport(12, "vnet2", OVSKVM_PORT_ATTACHED, "br1");
	monitor_start(a);
	assert_non_null(a->mon);
	a->mon->tap_alive = fake_alive;
	return a;
}

static void agent_free(struct agent *a)
{
	monitor_free(a);
	config_free(&a->cfg);
	free(a->pending);
	free(a->gone);
	free(a);
	fake_reset();
}

/* An update2 notification carrying the table-updates2 TEXT. */
static void notify(struct agent *a, const char *text)
{
	json_error_t jerr;
	json_t *u = json_loads(text, JSON_DECODE_ANY, &jerr), *params;

	if (!u)
		fail_msg("bad test JSON at %d: %s", jerr.position, jerr.text);
	params = json_pack("[so]", fake.last_id, u);
	monitor_notify(NULL, "update2", params, a);
	json_decref(params);
}

/* What F(A) logged, in a static buffer. */
static const char *logged(struct agent *a, void (*f)(struct agent *))
{
	static char log[16384];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(tmp);
	dup2(fileno(tmp), 2);
	f(a);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(log, 1, sizeof(log) - 1, tmp);
	log[n] = '\0';
	fclose(tmp);
	fputs(log, stderr);
	return log;
}

static const char *step(struct agent *a)
{
	return logged(a, monitor_step);
}

static void assert_contains(const char *s, const char *sub)
{
	if (!s || !strstr(s, sub))
		fail_msg("\"%s\" does not contain \"%s\"", s ?: "(null)", sub);
}

static void assert_lacks(const char *s, const char *sub)
{
	if (s && strstr(s, sub))
		fail_msg("\"%s\" contains \"%s\"", s, sub);
}

static char *status_reason(uint32_t ifindex, const char *name)
{
	static char out[REASON_LEN];
	char *text = reasons_load(reasons_path);
	const char *r = reasons_find(text, ifindex, name, out, sizeof(out));

	free(text);
	return r ? out : NULL;
}

static const struct mon_port *port_named(struct agent *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->mon->m.n_ports; i++)
		if (!strcmp(a->mon->m.ports[i].name, name))
			return &a->mon->m.ports[i];
	return NULL;
}

/* ---- cases --------------------------------------------------------------- */

/* The initial rows; the Interface condition follows our Ports. */
static void test_initial(void **state)
{
	struct agent *a = agent_new(initial);
	const struct mon_port *p;
	char *where;

	assert_true(a->mon->active);
	assert_int_equal(fake.n_monitor, 1);
	assert_int_equal(a->mon->m.n_ports, 2);
	assert_int_equal(a->mon->m.n_bridges, 2);
	p = port_named(a, "vnet1");
	assert_non_null(p);
	assert_int_equal(p->ifindex, 11);
	assert_string_equal(p->bridge, B0);
	assert_string_equal(port_named(a, "vnet2")->bridge, B1);
	assert_int_equal(monitor_deadline(a), 0);
	assert_lacks(step(a), "malformed");
	assert_int_equal(fake.n_change, 1);
	where = json_dumps(fake.last_where, JSON_COMPACT | JSON_SORT_KEYS);
	assert_contains(where, "[\"_uuid\",\"==\",[\"uuid\",\"" I1 "\"]]");
	assert_contains(where, "[\"_uuid\",\"==\",[\"uuid\",\"" I2 "\"]]");
	free(where);
	/* nothing new: no work, no call */
	assert_int_equal(monitor_deadline(a), UINT64_MAX);
	step(a);
	assert_int_equal(fake.n_change, 1);
	assert_int_equal(fake.n_reevaluated, 0);
	agent_free(a);
}

/* The Interfaces come after the condition change; others' are not kept. */
static void notify_ifaces(struct agent *a)
{
	notify(a, "{\"Interface\": {"
	       "\"" I1 "\": {\"insert\": {\"name\": \"vnet1\", \"ofport\": 3}},"
	       "\"" I2 "\": {\"insert\": {\"name\": \"vnet2\", \"ofport\": 4}},"
	       "\"" OTHER "\": {\"insert\": {\"name\": \"eth0\", \"ofport\": 1}}}}");
}

/* ifupdown: del-br br0, then add-br br0. */
static void test_delbr_addbr(void **state)
{
	struct agent *a = agent_new(initial);
	const char *log;

	step(a);
	notify_ifaces(a);
	assert_int_equal(a->mon->m.n_ifaces, 2);
	step(a);
	/* ovs-vsctl del-br: the Bridge, its Ports and Interfaces in one commit */
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}},"
	       " \"Interface\": {\"" I1 "\": {\"delete\": null}},"
	       " \"Bridge\": {\"" B0 "\": {\"delete\": null}}}");
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	log = step(a);
	assert_contains(log, "vnet1 (ifindex 11): bridge br0 was deleted from OVSDB with the port: attached again once br0 is back");
	assert_lacks(log, "removed by someone else");
	assert_int_equal(fake.n_reevaluated, 0);	/* no bridge yet */
	assert_int_equal(monitor_deadline(a), UINT64_MAX);	/* no polling */
	/* add-br br0 */
	notify(a, "{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"br0\"}}}}");
	assert_int_equal(monitor_deadline(a), 0);
	log = step(a);
	assert_contains(log, "bridge br0 appeared in OVSDB: attaching the 1 tap waiting for it");
	assert_true(reevaluated(11));
	assert_false(reevaluated(12));
	assert_int_equal(a->mon->n_wait, 0);
	agent_free(a);
}

/* The bridge is back before the module saw the tap leave the datapath. */
static void test_delbr_kernel_late(void **state)
{
	struct agent *a = agent_new(initial);

	step(a);
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}},"
	       " \"Bridge\": {\"" B0 "\": {\"delete\": null}}}");
	notify(a, "{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"br0\"}}}}");
	step(a);
	/* still attached in the kernel: looked at again soon, not given up */
	assert_int_equal(fake.n_reevaluated, 0);
	assert_int_equal(a->mon->n_wait, 1);
	assert_true(monitor_deadline(a) <= now_ms() + 100);
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	a->mon->wait[0].next = 0;
	step(a);
	assert_true(reevaluated(11));
	assert_int_equal(a->mon->n_wait, 0);
	agent_free(a);
}

/* The two notifications of del-br and add-br read before the agent looks. */
static void test_delbr_addbr_one_read(void **state)
{
	struct agent *a = agent_new(initial);

	step(a);
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}},"
	       " \"Bridge\": {\"" B0 "\": {\"delete\": null}}}");
	notify(a, "{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"br0\"}}}}");
	assert_lacks(step(a), "removed by someone else");
	assert_true(reevaluated(11));
	agent_free(a);
}

/* del-port br0 vnet1: the Bridge stays, loses the Port. */
static const char del_port[] =
	"{\"Port\": {\"" P1 "\": {\"delete\": null}},"
	" \"Bridge\": {\"" B0 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P1 "\"]}}}}";

static void test_delport_respected(void **state)
{
	struct agent *a = agent_new(initial);
	const char *log;

	step(a);
	notify(a, del_port);
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	log = step(a);
	assert_contains(log, "vnet1 (ifindex 11): its OVSDB port was removed by someone else: left alone; ReattachDeleted=yes in [Agent] of /etc/ovskvm.conf re-adds such ports");
	assert_int_equal(fake.n_reevaluated, 0);
	assert_int_equal(a->mon->n_wait, 0);
	/* said once; the bridge coming and going changes nothing */
	notify(a, "{\"Bridge\": {\"" B0 "\": {\"modify\": {\"name\": \"br0\"}}}}");
	log = step(a);
	assert_lacks(log, "vnet1");
	assert_int_equal(fake.n_reevaluated, 0);
	agent_free(a);
}

static void test_delport_reattach(void **state)
{
	struct agent *a = agent_new(initial);

	a->cfg.reattach_deleted = true;
	step(a);
	notify(a, del_port);
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	assert_contains(step(a), "vnet1 (ifindex 11): its OVSDB port was removed by someone else: re-adding it (ReattachDeleted=yes)");
	assert_true(reevaluated(11));
	agent_free(a);
}

/* The agent deleted the row itself: its tap is gone.  Nothing happens. */
static void test_own_delete(void **state)
{
	struct agent *a = agent_new(initial);
	const char *log;

	a->cfg.reattach_deleted = true;
	step(a);
	fake.n_kports = 1;	/* vnet2 (12) is gone */
	notify(a, "{\"Port\": {\"" P2 "\": {\"delete\": null}},"
	       " \"Interface\": {\"" I2 "\": {\"delete\": null}},"
	       " \"Bridge\": {\"" B1 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P2 "\"]}}}}");
	log = step(a);
	assert_lacks(log, "someone else");
	assert_lacks(log, "Notice");
	assert_int_equal(fake.n_reevaluated, 0);
	assert_int_equal(a->mon->n_wait, 0);
	/* a row of ours replaced by another of the same name in one commit */
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}, \"" OTHER "\": {\"insert\": {\"name\": \"vnet1\","
	       " \"external_ids\": [\"map\", [[\"ovskvm-ifindex\", \"11\"], [\"ovskvm-owner\", \"ovskvm\"]]]}}},"
	       " \"Bridge\": {\"" B0 "\": {\"modify\": {\"ports\": [\"set\", [[\"uuid\", \"" P1 "\"], [\"uuid\", \"" OTHER "\"]]]}}}}");
	assert_lacks(step(a), "someone else");
	assert_int_equal(fake.n_reevaluated, 0);
	assert_string_equal(port_named(a, "vnet1")->bridge, B0);
	/* a new tap of that name, another ifindex: the old row's delete is ours too */
	kport(13, "vnet1", OVSKVM_PORT_PENDING, "br0");
	fake.kports[0].ifindex = 99;
	notify(a, "{\"Port\": {\"" OTHER "\": {\"delete\": null}}}");
	assert_null(port_named(a, "vnet1"));
	assert_lacks(step(a), "someone else");
	assert_int_equal(fake.n_reevaluated, 0);
	agent_free(a);
}

/* A bridge created while a tap waits for it: attached at once. */
static void test_bridge_appears(void **state)
{
	struct agent *a = agent_new(initial);
	struct ovskvm_port p;
	const char *log;

	step(a);
	p = *kport(20, "late0", OVSKVM_PORT_PENDING, "brlate");
	add_pending(a, &p);
	a->batch_at = 0;
	notify(a, "{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"brother\"}}}}");
	log = step(a);
	assert_lacks(log, "attaching");
	assert_int_equal(a->batch_at, 0);
	notify(a, "{\"Bridge\": {\"" B2 "\": {\"modify\": {\"name\": \"brlate\"}}}}");
	log = step(a);
	assert_contains(log, "bridge brlate appeared in OVSDB: attaching the 1 tap waiting for it");
	assert_true(a->batch_at > 0 && a->batch_at <= now_ms());
	agent_free(a);
}

/* Interface error and ofport: logged once per change, shown by status. */
static void test_iface_error(void **state)
{
	struct agent *a = agent_new(initial);
	const char *log;

	step(a);
	notify_ifaces(a);
	step(a);
	notify(a, "{\"Interface\": {\"" I1 "\": {\"modify\": {\"ofport\": -1,"
	       " \"error\": \"could not open network device vnet1 (No such device)\"}}}}");
	log = step(a);
	assert_contains(log, "vnet1: Open vSwitch cannot add it: could not open network device vnet1 (No such device) (ofport -1)");
	assert_true(a->reasons_dirty && a->batch_at);
	attach_pending(a);		/* writes the reasons file */
	assert_string_equal(status_reason(11, "vnet1"),
			    "Open vSwitch cannot add it: could not open network device vnet1 (No such device)");
	assert_null(status_reason(12, "vnet2"));
	/* another column changes: not said again */
	notify(a, "{\"Interface\": {\"" I1 "\": {\"modify\": {\"name\": \"vnet1\"}}}}");
	assert_lacks(step(a), "cannot add");
	/* another error */
	notify(a, "{\"Interface\": {\"" I1 "\": {\"modify\": {\"error\": \"busy\"}}}}");
	assert_contains(step(a), "vnet1: Open vSwitch cannot add it: busy");
	/* gone: an optional column's diff is its new value, here empty */
	notify(a, "{\"Interface\": {\"" I1 "\": {\"modify\": {\"ofport\": 7, \"error\": [\"set\", []]}}}}");
	assert_contains(step(a), "vnet1: the Open vSwitch error is gone (ofport 7)");
	attach_pending(a);
	assert_null(status_reason(11, "vnet1"));
	assert_int_equal(access(reasons_path, F_OK), -1);
	agent_free(a);
}

/* A tap that goes away: ovs-vswitchd says so before the agent removes it. */
static void test_iface_error_tap_gone(void **state)
{
	struct agent *a = agent_new(initial);
	const char *log;

	step(a);
	notify_ifaces(a);
	step(a);
	fake.n_kports = 1;	/* vnet2 (12) is gone */
	notify(a, "{\"Interface\": {\"" I2 "\": {\"modify\": {\"ofport\": -1,"
	       " \"error\": \"could not open network device vnet2 (No such device)\"}}}}");
	log = step(a);
	assert_lacks(log, "Error");
	assert_lacks(log, "cannot add");
	assert_int_equal(monitor_n_reasons(a), 0);
	agent_free(a);
}

/* An error already there when the agent connects. */
static void test_iface_error_initial(void **state)
{
	struct agent *a = agent_new(initial);

	step(a);
	notify(a, "{\"Interface\": {\"" I2 "\": {\"insert\": {\"name\": \"vnet2\","
	       " \"ofport\": -1, \"error\": \"bad\"}}}}");
	assert_contains(step(a), "vnet2: Open vSwitch cannot add it: bad (ofport -1)");
	/* the Port goes: its Interface and the reason with it */
	fake.n_kports = 1;
	notify(a, "{\"Port\": {\"" P2 "\": {\"delete\": null}}}");
	step(a);
	assert_int_equal(monitor_n_reasons(a), 0);
	agent_free(a);
}

/* modify carries differences: maps, sets, renames. */
static void test_diffs(void **state)
{
	struct agent *a = agent_new(initial);
	const struct mon_port *p;

	step(a);
	/* ifindex changed (the new value), a user key removed (the old pair) */
	notify(a, "{\"Port\": {\"" P1 "\": {\"modify\": {\"external_ids\": [\"map\","
	       " [[\"ovskvm-ifindex\", \"15\"], [\"vm-name\", \"a\"]]]}}}}");
	p = port_named(a, "vnet1");
	assert_int_equal(p->ifindex, 15);
	/* the same pair again: removed */
	notify(a, "{\"Port\": {\"" P1 "\": {\"modify\": {\"external_ids\": [\"map\","
	       " [[\"ovskvm-ifindex\", \"15\"]]]}}}}");
	assert_int_equal(port_named(a, "vnet1")->ifindex, 0);
	/* interfaces: I1 out, I2 in (a symmetric difference) */
	notify(a, "{\"Port\": {\"" P1 "\": {\"modify\": {\"interfaces\": [\"set\","
	       " [[\"uuid\", \"" I1 "\"], [\"uuid\", \"" OTHER "\"]]]}}}}");
	p = port_named(a, "vnet1");
	assert_int_equal(p->n_ifaces, 1);
	assert_string_equal(p->ifaces[0], OTHER);
	/* moved from br0 to br1 */
	notify(a, "{\"Bridge\": {\"" B0 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P1 "\"]}},"
	       " \"" B1 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P1 "\"]}}}}");
	assert_string_equal(port_named(a, "vnet1")->bridge, B1);
	/* and back, the Bridges in the other order */
	notify(a, "{\"Bridge\": {\"" B0 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P1 "\"]}},"
	       " \"" B1 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P1 "\"]}}}}");
	assert_string_equal(port_named(a, "vnet1")->bridge, B0);
	notify(a, "{\"Bridge\": {\"" B0 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P1 "\"]}}}}");
	assert_string_equal(port_named(a, "vnet1")->bridge, "");
	notify(a, "{\"Bridge\": {\"" B1 "\": {\"modify\": {\"ports\": [\"uuid\", \"" P1 "\"]}}}}");
	assert_string_equal(port_named(a, "vnet1")->bridge, B1);
	/* a row that stops matching the condition is a delete */
	notify(a, "{\"Port\": {\"" P2 "\": {\"delete\": null}}}");
	assert_null(port_named(a, "vnet2"));
	agent_free(a);
}

/* EXT, a key -> value object, holds exactly the pairs of the JSON object WANT. */
static void assert_ext(const json_t *ext, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);

	assert_non_null(w);
	if (!json_equal((json_t *)ext, w)) {
		char *got = ext ? json_dumps(ext, JSON_SORT_KEYS) : NULL;

		fail_msg("external_ids %s, not %s", got ?: "(none)", want);
	}
	json_decref(w);
}

/* Every external_ids pair is kept, of Ports and Interfaces, through diffs. */
static void test_ext_kept(void **state)
{
	struct agent *a = agent_new(initial);
	const struct mon_iface *f;
	json_t *map;

	step(a);
	assert_ext(port_named(a, "vnet1")->ext,
		   "{\"ovskvm-ifindex\": \"11\", \"ovskvm-owner\": \"ovskvm\", \"vm-name\": \"a\"}");
	notify(a, "{\"Interface\": {\"" I1 "\": {\"initial\": {\"name\": \"vnet1\","
	       " \"external_ids\": [\"map\", [[\"iface-id\", \"x\"], [\"vm-id\", \"y\"]]]}}}}");
	assert_ext(mon_iface_by_uuid(&a->mon->m, I1)->ext, "{\"iface-id\": \"x\", \"vm-id\": \"y\"}");
	/* iface-id changed, vm-id removed, attached-mac added */
	notify(a, "{\"Interface\": {\"" I1 "\": {\"modify\": {\"external_ids\": [\"map\","
	       " [[\"iface-id\", \"z\"], [\"vm-id\", \"y\"], [\"attached-mac\", \"m\"]]]}}}}");
	f = mon_iface_by_uuid(&a->mon->m, I1);
	assert_ext(f->ext, "{\"iface-id\": \"z\", \"attached-mac\": \"m\"}");
	/* as an OVSDB map, for a guard */
	map = mon_ext_map(f->ext);
	assert_true(ovsdb_string_map_valid(map));
	assert_int_equal(json_array_size(json_array_get(map, 1)), 2);
	json_decref(map);
	/* a Port's user key added, another one's value changed */
	notify(a, "{\"Port\": {\"" P1 "\": {\"modify\": {\"external_ids\": [\"map\","
	       " [[\"vm-uuid\", \"u\"], [\"vm-name\", \"b\"]]]}}}}");
	assert_ext(port_named(a, "vnet1")->ext,
		   "{\"ovskvm-ifindex\": \"11\", \"ovskvm-owner\": \"ovskvm\", \"vm-name\": \"b\","
		   " \"vm-uuid\": \"u\"}");
	assert_int_equal(port_named(a, "vnet1")->ifindex, 11);
	/* a Port key removed (the old pair) */
	notify(a, "{\"Port\": {\"" P1 "\": {\"modify\": {\"external_ids\": [\"map\","
	       " [[\"vm-uuid\", \"u\"]]]}}}}");
	assert_ext(port_named(a, "vnet1")->ext,
		   "{\"ovskvm-ifindex\": \"11\", \"ovskvm-owner\": \"ovskvm\", \"vm-name\": \"b\"}");
	/* an Interface without external_ids (left out: empty), then one added */
	notify(a, "{\"Interface\": {\"" I2 "\": {\"initial\": {\"name\": \"vnet2\"}}}}");
	assert_null(mon_iface_by_uuid(&a->mon->m, I2)->ext);
	notify(a, "{\"Interface\": {\"" I2 "\": {\"modify\": {\"external_ids\": [\"map\","
	       " [[\"iface-id\", \"q\"]]]}}}}");
	assert_ext(mon_iface_by_uuid(&a->mon->m, I2)->ext, "{\"iface-id\": \"q\"}");
	assert_non_null(mon_port_by_name(&a->mon->m, "vnet2"));
	assert_null(mon_port_by_name(&a->mon->m, "vnet3"));
	map = mon_ext_map(NULL);
	assert_int_equal(json_array_size(json_array_get(map, 1)), 0);
	json_decref(map);
	agent_free(a);
}

/* A bad update costs its row, never the agent. */
static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"[]", "null", "{\"Port\": []}", "{\"Port\": {\"x\": {\"insert\": {}}}}",
		"{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": 5}}}}",
		"{\"Port\": {\"" P2 "\": {\"insert\": {}, \"delete\": null}}}",
		"{\"Port\": {\"" P2 "\": {\"rename\": {}}}}",
		"{\"Port\": {\"" P2 "\": 7}}",
		"{\"Port\": {\"" P2 "\": {\"modify\": {\"external_ids\": [\"map\", [[1, 2]]]}}}}",
		"{\"Port\": {\"" P2 "\": {\"modify\": {\"interfaces\": [\"set\", [[\"uuid\", \"nope\"]]]}}}}",
		"{\"Port\": {\"" P2 "\": {\"modify\": {\"interfaces\": [\"set\", 3]}}}}",
		"{\"Interface\": {\"" I1 "\": {\"modify\": {\"ofport\": \"x\"}}}}",
		"{\"Interface\": {\"" I1 "\": {\"modify\": {\"error\": [\"set\", [\"a\", \"b\"]]}}}}",
		"{\"Bridge\": {\"" B1 "\": {\"modify\": {\"ports\": [\"set\", [\"x\"]]}}}}",
		"{\"Bridge\": {\"" B2 "\": {\"insert\": {\"ports\": [\"set\", []]}}}}",
		"{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"\"}}}}",
		"{\"Hardware_vtep\": {}}",
	};
	struct agent *a = agent_new(initial);
	json_t *params;
	size_t i;

	step(a);
	notify_ifaces(a);
	step(a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		notify(a, bad[i]);
	/* params that are not [id, updates] */
	params = json_pack("[s]", fake.last_id);
	monitor_notify(NULL, "update2", params, a);
	json_decref(params);
	monitor_notify(NULL, "update2", NULL, a);
	assert_contains(step(a), "malformed row");
	/* what was hit is dropped; vnet1 and br0 are intact */
	assert_null(port_named(a, "vnet2"));
	assert_non_null(port_named(a, "vnet1"));
	assert_non_null(mon_bridge_by_name(&a->mon->m, "br0"));
	assert_null(mon_bridge_by_name(&a->mon->m, "br1"));
	assert_int_equal(fake.n_reevaluated, 0);
	/* and the monitor still works */
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	notify(a, del_port);
	assert_contains(step(a), "vnet1 (ifindex 11): its OVSDB port was removed by someone else");
	agent_free(a);
}

/* A cancelled monitor is installed again, under a new id. */
static void test_canceled(void **state)
{
	struct agent *a = agent_new(initial);
	json_t *params;
	char old[32];

	step(a);
	strcpy(old, fake.last_id);
	params = json_pack("[s]", old);
	monitor_notify(NULL, "monitor_canceled", params, a);
	json_decref(params);
	assert_int_equal(monitor_deadline(a), 0);
	step(a);
	assert_int_equal(fake.n_monitor, 2);
	assert_string_not_equal(fake.last_id, old);
	assert_int_equal(fake.n_cancel, 0);	/* the server dropped it already */
	/* a late update of the old monitor is not ours to apply */
	strcpy(fake.last_id, old);
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}}}");
	assert_non_null(port_named(a, "vnet1"));
	agent_free(a);
}

/* A server that refuses monitor_cond: said once, then no more tries. */
static void test_unsupported(void **state)
{
	struct agent *a = calloc(1, sizeof(*a));
	const char *log;

	config_init(&a->cfg);
	a->db = (struct ovsdb *)&fake;
	fake_reset();
	fake.monitor_err = -EPROTO;
	log = logged(a, monitor_start);
	assert_contains(log, "cannot watch OVSDB (monitor_cond)");
	assert_false(a->mon->active);
	assert_int_equal(monitor_deadline(a), UINT64_MAX);
	assert_lacks(logged(a, monitor_start), "cannot watch");
	fake.monitor_err = 0;
	assert_contains(logged(a, monitor_start), "watching OVSDB again");
	assert_true(a->mon->active);
	agent_free(a);
}

/* --no-ovsdb-monitor: no monitor_cond is sent; polling, as when refused. */
static void test_monitor_off(void **state)
{
	struct agent_options opt = { .no_ovsdb_monitor = true };
	struct agent *a = calloc(1, sizeof(*a));

	config_init(&a->cfg);
	a->opt = &opt;
	a->db = (struct ovsdb *)&fake;
	fake_reset();
	fake.initial = initial;
	assert_contains(logged(a, monitor_start), "not watching OVSDB (--no-ovsdb-monitor)");
	assert_false(a->mon->active);
	assert_true(a->mon->unsupported);
	assert_int_equal(monitor_deadline(a), UINT64_MAX);
	assert_lacks(logged(a, monitor_start), "watching");	/* said once */
	step(a);
	assert_int_equal(fake.n_monitor, 0);
	assert_string_equal(fake.calls, "");
	assert_null(fake.notify_fn);		/* updates are not listened to */
	agent_free(a);
}

/*
 * A session recorded from ovsdb-server 3.1.0 (tests/data/monitor_session.json):
 * the real encoding of everything above, replayed message by message.
 */
static void test_recorded(void **state)
{
	const char *dir = getenv("TEST_DATA_DIR") ?: "tests/data";
	json_t *doc, *msgs, *e, *reply;
	char path[4096], *text;
	bool error_seen = false;
	json_error_t jerr;
	struct agent *a;
	const char *log;
	char *where;
	size_t i;

	snprintf(path, sizeof(path), "%s/monitor_session.json", dir);
	doc = json_load_file(path, 0, &jerr);
	if (!doc)
		fail_msg("cannot load %s: %s (set TEST_DATA_DIR)", path, jerr.text);
	msgs = json_object_get(doc, "messages");
	reply = json_object_get(json_object_get(json_array_get(msgs, 0), "message"), "result");
	text = json_dumps(reply, 0);
	a = agent_new(text);
	fake.n_kports = 0;
	kport(11, "vnet1", OVSKVM_PORT_ATTACHED, "br0");
	kport(12, "vnet2", OVSKVM_PORT_ATTACHED, "br0");
	strcpy(fake.last_id, "ovskvm-1");	/* the recording's id */
	step(a);
	json_array_foreach(msgs, i, e) {
		const char *after = json_string_value(json_object_get(e, "after"));
		json_t *params = json_object_get(json_object_get(e, "message"), "params");

		if (!i)
			continue;
		if (!strcmp(after, "IFID"))	/* a new tap vnet1 took the row */
			kfind(11)->ifindex = 15;
		if (!strcmp(after, "DELBR"))
			kfind(15)->state = OVSKVM_PORT_DETACHED;
		if (!strcmp(after, "DELPORT"))
			kfind(12)->state = OVSKVM_PORT_DETACHED;
		monitor_notify(NULL, "update2", params, a);
		log = step(a);
		if (!strcmp(after, "ADDPORT2")) {
			assert_int_equal(a->mon->m.n_ports, 2);
			/* the Interface condition: the uuids the Ports name */
			assert_int_equal(json_array_size(fake.last_where), 2);
			where = json_dumps(fake.last_where, JSON_COMPACT);
			assert_contains(where, port_named(a, "vnet1")->ifaces[0]);
			assert_contains(where, port_named(a, "vnet2")->ifaces[0]);
			free(where);
		} else if (!strcmp(after, "TXN") && !error_seen) {
			assert_contains(log, "vnet1: Open vSwitch cannot add it: could not open network device vnet1 (No such device) (ofport -1)");
			assert_int_equal(monitor_n_reasons(a), 1);
			error_seen = true;
		} else if (!strcmp(after, "TXN")) {
			assert_contains(log, "vnet1: the Open vSwitch error is gone (ofport 5)");
			assert_int_equal(monitor_n_reasons(a), 0);
		} else if (!strcmp(after, "IFID")) {
			assert_int_equal(port_named(a, "vnet1")->ifindex, 15);
		} else if (!strcmp(after, "DELPORT")) {
			assert_contains(log, "vnet2 (ifindex 12): its OVSDB port was removed by someone else: left alone");
		} else if (!strcmp(after, "DELBR")) {
			assert_contains(log, "vnet1 (ifindex 15): bridge br0 was deleted from OVSDB with the port");
			assert_int_equal(fake.n_reevaluated, 0);
		} else if (!strcmp(after, "ADDBR")) {
			assert_contains(log, "bridge br0 appeared in OVSDB: attaching the 1 tap waiting for it");
			assert_true(reevaluated(15));
			assert_false(reevaluated(12));
		}
	}
	assert_true(error_seen);
	assert_int_equal(fake.n_reevaluated, 1);
	assert_int_equal(a->mon->m.n_bridges, 2);
	free(text);
	json_decref(doc);
	agent_free(a);
}

/* ---- what review found --------------------------------------------------- */

#define P3 "a0000000-0000-4000-8000-000000000003"
#define I3 "b0000000-0000-4000-8000-000000000003"

/* A monitor that is not up yet: the fake answers later. */
static struct agent *agent_new_down(const char *init)
{
	struct agent *a;

	fake_reset();
	fake.monitor_err = -ETIMEDOUT;
	a = calloc(1, sizeof(*a));
	assert_non_null(a);
	config_init(&a->cfg);
	snprintf(a->cfg.path, sizeof(a->cfg.path), "/etc/ovskvm.conf");
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;
	a->reasons_path = reasons_path;
	unlink(reasons_path);
	kport(11, "vnet1", OVSKVM_PORT_ATTACHED, "br0");
	kport(12, "vnet2", OVSKVM_PORT_ATTACHED, "br1");
	fake.initial = init;
	logged(a, monitor_start);
	assert_non_null(a->mon);
	a->mon->tap_alive = fake_alive;
	assert_false(a->mon->active);
	fake.monitor_err = 0;
	return a;
}

/*
 * Updates read with the monitor_cond reply (add-br br5 right after it, a
 * Port of ours deleted): applied after the reply's rows, in order.
 */
static void test_updates_during_install(void **state)
{
	struct agent *a;

	fake_reset();
	a = calloc(1, sizeof(*a));
	assert_non_null(a);
	config_init(&a->cfg);
	snprintf(a->cfg.path, sizeof(a->cfg.path), "/etc/ovskvm.conf");
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;
	a->reasons_path = reasons_path;
	kport(11, "vnet1", OVSKVM_PORT_ATTACHED, "br0");
	kport(12, "vnet2", OVSKVM_PORT_DETACHED, "br1");
	fake.initial = initial;
	fake.during[0] = "{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"br5\"}}}}";
	fake.during[1] = "{\"Port\": {\"" P2 "\": {\"delete\": null}},"
			 " \"Bridge\": {\"" B1 "\": {\"delete\": null}}}";
	monitor_start(a);
	a->mon->tap_alive = fake_alive;
	assert_true(a->mon->active);
	assert_non_null(mon_bridge_by_name(&a->mon->m, "br5"));
	assert_null(port_named(a, "vnet2"));
	assert_null(mon_bridge_by_name(&a->mon->m, "br1"));
	assert_int_equal(monitor_deadline(a), 0);
	assert_contains(step(a), "vnet2 (ifindex 12): bridge br1 was deleted from OVSDB with the port");
	assert_int_equal(a->mon->n_wait, 1);
	agent_free(a);
}

/* A failed monitor_cond drops what was read for it. */
static void test_updates_during_failed_install(void **state)
{
	struct agent *a;

	fake_reset();
	a = calloc(1, sizeof(*a));
	assert_non_null(a);
	config_init(&a->cfg);
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;
	fake.initial = initial;
	fake.monitor_err = -ETIMEDOUT;
	fake.during[0] = "{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"br5\"}}}}";
	logged(a, monitor_start);
	assert_false(a->mon->active);
	assert_null(mon_bridge_by_name(&a->mon->m, "br5"));
	fake.monitor_err = 0;
	fake.during[0] = NULL;
	a->mon->install_at = 0;
	step(a);
	assert_true(a->mon->active);
	assert_null(mon_bridge_by_name(&a->mon->m, "br5"));
	assert_int_equal(a->mon->m.n_ports, 2);
	agent_free(a);
}

/* A timed-out monitor_cond may be installed all the same: cancelled first. */
static void test_abandoned_id_cancelled(void **state)
{
	struct agent *a = agent_new_down(initial);
	char first[32];

	strcpy(first, fake.last_id);
	a->mon->install_at = 0;
	step(a);
	assert_true(a->mon->active);
	assert_int_equal(fake.n_cancel, 1);
	assert_string_equal(fake.cancelled[0], first);
	assert_string_equal(fake.calls, "monitor_cond monitor_cancel monitor_cond monitor_cond_change");
	assert_string_not_equal(fake.last_id, first);
	/* the server cancels the leaked one: the live monitor stays */
	{
		json_t *params = json_pack("[s]", first);

		monitor_notify(NULL, "monitor_canceled", params, a);
		json_decref(params);
	}
	assert_true(a->mon->active);
	assert_int_equal(monitor_deadline(a), UINT64_MAX);
	/* its own cancel is acted on */
	{
		json_t *params = json_pack("[s]", fake.last_id);

		monitor_notify(NULL, "monitor_canceled", params, a);
		json_decref(params);
	}
	assert_false(a->mon->active);
	step(a);
	assert_true(a->mon->active);
	assert_int_equal(fake.n_cancel, 1);	/* nothing left to cancel */
	agent_free(a);
}

/* ovs-vsctl --if-exists del-br br0 -- add-br br0: one transaction. */
static void test_delbr_addbr_one_txn(void **state)
{
	struct agent *a = agent_new(initial);
	const char *log;

	step(a);
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}},"
	       " \"Interface\": {\"" I1 "\": {\"delete\": null}},"
	       " \"Bridge\": {\"" B0 "\": {\"delete\": null},"
	       "   \"" B2 "\": {\"insert\": {\"name\": \"br0\", \"ports\": [\"uuid\", \"" OTHER "\"]}}}}");
	log = step(a);
	assert_contains(log, "vnet1 (ifindex 11): bridge br0 was deleted from OVSDB with the port");
	assert_lacks(log, "removed by someone else");
	assert_true(reevaluated(11));
	agent_free(a);
}

/* The row of an earlier boot goes (the agent's resync): not the live tap's. */
static void test_earlier_boot_row(void **state)
{
	static const char init[] =
		"{\"Port\": {"
		"  \"" P1 "\": {\"initial\": {\"name\": \"vnet1\", \"interfaces\": [\"uuid\", \"" I1 "\"],"
		"     \"external_ids\": [\"map\", [[\"ovskvm-boot\", \"e0000000-0000-4000-8000-000000000001\"],"
		"       [\"ovskvm-ifindex\", \"11\"], [\"ovskvm-owner\", \"ovskvm\"]]]}}},"
		" \"Bridge\": {"
		"  \"" B0 "\": {\"initial\": {\"name\": \"br0\", \"ports\": [\"uuid\", \"" P1 "\"]}}}}";
	struct agent *a = agent_new(init);
	const char *log;

	a->cfg.reattach_deleted = true;
	strcpy(a->boot_id, "e0000000-0000-4000-8000-000000000002");
	step(a);
	notify(a, del_port);
	log = step(a);
	assert_lacks(log, "someone else");
	assert_int_equal(a->mon->n_wait, 0);
	assert_int_equal(monitor_deadline(a), UINT64_MAX);
	agent_free(a);
}

/* An Interface error change does not bring the retry of pending taps forward. */
static void test_iface_error_keeps_retry(void **state)
{
	struct agent *a = agent_new(initial);
	struct ovskvm_port p;
	uint64_t retry;

	step(a);
	notify_ifaces(a);
	step(a);
	p = *kport(20, "late0", OVSKVM_PORT_PENDING, "brlate");
	add_pending(a, &p);
	a->batch_at = 0;
	retry = a->retry_at = now_ms() + 2000;	/* its attach failed */
	notify(a, "{\"Interface\": {\"" I1 "\": {\"modify\": {\"ofport\": -1, \"error\": \"bad\"}}}}");
	assert_contains(step(a), "vnet1: Open vSwitch cannot add it: bad");
	assert_true(a->reasons_dirty);
	assert_int_equal(a->batch_at, 0);
	assert_int_equal(a->retry_at, retry);
	agent_free(a);
}

/* The same Interfaces in another order: no monitor_cond_change. */
static void test_iface_condition_order(void **state)
{
	struct agent *a = agent_new(initial);

	step(a);
	assert_int_equal(fake.n_change, 1);
	/* vnet1's row rewritten in one commit: the cache's order changes */
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}, \"" P3 "\": {\"insert\": {\"name\": \"vnet1\","
	       " \"interfaces\": [\"uuid\", \"" I1 "\"],"
	       " \"external_ids\": [\"map\", [[\"ovskvm-ifindex\", \"11\"], [\"ovskvm-owner\", \"ovskvm\"]]]}}},"
	       " \"Bridge\": {\"" B0 "\": {\"modify\": {\"ports\": [\"set\", [[\"uuid\", \"" P1 "\"], [\"uuid\", \"" P3 "\"]]]}}}}");
	step(a);
	assert_int_equal(fake.n_change, 1);
	/* a real change is still sent */
	notify(a, "{\"Port\": {\"" P2 "\": {\"modify\": {\"interfaces\": [\"set\","
	       " [[\"uuid\", \"" I2 "\"], [\"uuid\", \"" I3 "\"]]]}}}}");
	step(a);
	assert_int_equal(fake.n_change, 2);
	assert_int_equal(json_array_size(fake.last_where), 2);
	agent_free(a);
}

/* Bridge names longer than a netdev name are OVSDB's business: kept whole. */
static void test_long_bridge_name(void **state)
{
	static const char init[] =
		"{\"Port\": {"
		"  \"" P1 "\": {\"initial\": {\"name\": \"vnet1\", \"interfaces\": [\"uuid\", \"" I1 "\"],"
		"     \"external_ids\": [\"map\", [[\"ovskvm-ifindex\", \"11\"], [\"ovskvm-owner\", \"ovskvm\"]]]}}},"
		" \"Bridge\": {"
		"  \"" B0 "\": {\"initial\": {\"name\": \"br-a-rather-long-name\", \"ports\": [\"uuid\", \"" P1 "\"]}}}}";
	struct agent *a = agent_new(init);
	const char *log;

	step(a);
	kfind(11)->state = OVSKVM_PORT_DETACHED;
	notify(a, "{\"Port\": {\"" P1 "\": {\"delete\": null}},"
	       " \"Bridge\": {\"" B0 "\": {\"delete\": null}}}");
	assert_contains(step(a), "bridge br-a-rather-long-name was deleted from OVSDB with the port");
	notify(a, "{\"Bridge\": {\"" B2 "\": {\"insert\": {\"name\": \"br-a-rather-long-name\"}}}}");
	log = step(a);
	assert_contains(log, "bridge br-a-rather-long-name appeared in OVSDB: attaching the 1 tap waiting for it");
	assert_true(reevaluated(11));
	agent_free(a);
}

/* A reply that is no <table-updates2>: said as such, tried again. */
static void test_malformed_reply(void **state)
{
	struct agent *a;
	const char *log;

	fake_reset();
	a = calloc(1, sizeof(*a));
	assert_non_null(a);
	config_init(&a->cfg);
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;
	fake.initial = "[]";
	log = logged(a, monitor_start);
	assert_contains(log, "malformed");
	assert_lacks(log, "is not noticed");
	assert_false(a->mon->unsupported);
	assert_false(a->mon->active);
	assert_true(monitor_deadline(a) > now_ms() && monitor_deadline(a) < UINT64_MAX);
	fake.initial = initial;
	a->mon->install_at = 0;
	step(a);
	assert_true(a->mon->active);
	/* it may have been installed: cancelled first */
	assert_int_equal(fake.n_cancel, 1);
	agent_free(a);
}

/* The agent says which rows it deleted: not taken for an operator's. */
static void test_own_delete_said(void **state)
{
	struct agent *a = agent_new(initial);
	const char *log;

	a->cfg.reattach_deleted = true;
	step(a);
	monitor_own_delete(a, P1);
	notify(a, del_port);
	log = step(a);
	assert_lacks(log, "someone else");
	assert_int_equal(a->mon->n_wait, 0);
	assert_int_equal(a->mon->n_own, 0);
	agent_free(a);
}

/* Too many updates before the reply: no cache with holes, installed anew. */
static void test_updates_during_install_overflow(void **state)
{
	struct agent *a;

	fake_reset();
	a = calloc(1, sizeof(*a));
	assert_non_null(a);
	config_init(&a->cfg);
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;
	fake.initial = initial;
	fake.during[0] = "{\"Bridge\": {\"" B2 "\": {\"modify\": {\"name\": \"br5\"}}}}";
	fake.during_repeat = MON_MAX_QUEUED;
	assert_contains(logged(a, monitor_start), "too many updates");
	assert_false(a->mon->active);
	assert_int_equal(a->mon->n_queued, 0);
	assert_int_equal(monitor_deadline(a), a->mon->install_at);
	fake.during_repeat = 0;
	fake.during[0] = NULL;
	a->mon->install_at = 0;
	step(a);
	assert_true(a->mon->active);
	assert_int_equal(fake.n_cancel, 1);
	assert_int_equal(a->mon->m.n_ports, 2);
	agent_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial),
		cmocka_unit_test(test_delbr_addbr),
		cmocka_unit_test(test_delbr_kernel_late),
		cmocka_unit_test(test_delbr_addbr_one_read),
		cmocka_unit_test(test_delport_respected),
		cmocka_unit_test(test_delport_reattach),
		cmocka_unit_test(test_own_delete),
		cmocka_unit_test(test_bridge_appears),
		cmocka_unit_test(test_iface_error),
		cmocka_unit_test(test_iface_error_initial),
		cmocka_unit_test(test_iface_error_tap_gone),
		cmocka_unit_test(test_diffs),
		cmocka_unit_test(test_ext_kept),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_canceled),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_monitor_off),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_updates_during_install),
		cmocka_unit_test(test_updates_during_failed_install),
		cmocka_unit_test(test_abandoned_id_cancelled),
		cmocka_unit_test(test_delbr_addbr_one_txn),
		cmocka_unit_test(test_earlier_boot_row),
		cmocka_unit_test(test_iface_error_keeps_retry),
		cmocka_unit_test(test_iface_condition_order),
		cmocka_unit_test(test_long_bridge_name),
		cmocka_unit_test(test_malformed_reply),
		cmocka_unit_test(test_own_delete_said),
		cmocka_unit_test(test_updates_during_install_overflow),
	};

	return cmocka_run_group_tests_name("monitor", tests, setup, teardown);
}
