// SPDX-License-Identifier: GPL-2.0
/*
 * attach.c against a fake ovsdb-server: one bad port (a name or a value that
 * is not UTF-8, an Interface name taken by another Port, a missing bridge)
 * never keeps the others of its batch pending; a row left by another tap
 * or boot of the same name is rewritten in place for the live tap, never
 * accepted as its own, never deleted under it, never written over when
 * someone changed it meanwhile; and the creator's identity is checked
 * against a real process before its command line is read.
 *
 * ovsdb_transact() is wrapped (tests/test_attach.wrap) by the fake
 * ovsdb-server of tests/fake_ovsdb.h.
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
#include "daemon.h"
#include "monitor.h"
#include "ovsdb_txn.h"
#include "reasons.h"

#include "tests/fake_ovsdb.h"

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
	monitor_free(a);
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

/* ---- leftover rows: the identity of a tap is (owner, ifindex, boot) ----- */

#define OTHER_BOOT	"0e3a1d52-5d7c-4c1e-9f0f-6c1d2b3a4f50"

/* This boot's id, as the agent must record it. */
static const char *this_boot(void)
{
	static char buf[64];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static const char *port_ext(const char *port, const char *key)
{
	struct fake_port *p = fake_port(port);

	if (!p)
		fail_msg("no Port %s in OVSDB", port);
	return map_get(p->ext, key);
}

/* A pending tap of VM VM, on VLAN TAG. */
static struct pend *vm_tap(struct agent *a, uint32_t ifindex, const char *name,
			   int tag, const char *vm)
{
	struct pend *p = pending(a, ifindex, name, "br0");

	p->port.vlan_tag = tag;
	from_qemu(p, vm, UUID2);
	return p;
}

/* The row now describes tap IFINDEX of this boot, of VM VM on VLAN TAG. */
static void assert_row_is(const char *name, int ifindex, int tag, const char *vm)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", ifindex);
	assert_string_equal(port_ext(name, OVSDB_EXT_OWNER), "ovskvm");
	assert_string_equal(port_ext(name, OVSDB_EXT_IFINDEX), buf);
	assert_string_equal(port_ext(name, OVSDB_EXT_BOOT), this_boot());
	assert_string_equal(port_ext(name, "vm-name"), vm);
	assert_string_equal(iface_ext(name, "vm-name"), vm);
	assert_string_equal(iface_ext(name, "vm-id"), UUID2);
	assert_int_equal(fake_port(name)->tag, tag);
	assert_string_equal(fake_port(name)->bridge, "br0");
}

/*
 * After a reboot the ifindexes start over: a row an earlier boot left for
 * ifindex 15 is not the row of this boot's tap 15, whatever the ifindex
 * says.  It was accepted as current; it is rewritten in place.
 */
static void test_other_boot_same_ifindex(void **state)
{
	struct agent *a = agent_new();
	char uuid[OVSDB_UUID_LEN + 1];

	strcpy(uuid, fake_add_ours("vnet5", 15, OTHER_BOOT, 10, "old-vm")->uuid);
	vm_tap(a, 15, "vnet5", 20, "new-vm");
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_string_equal(fake_port("vnet5")->uuid, uuid);
	assert_row_is("vnet5", 15, 20, "new-vm");
	assert_int_equal(fake.n_txn, 1);
	/* done: nothing more to send */
	vm_tap(a, 15, "vnet5", 20, "new-vm");
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_int_equal(fake.n_txn, 1);
	agent_free(a);
}

/*
 * The reported case, within one boot: tap 14 went while the agent was not
 * looking, a new tap 15 of that name came, and ovs-vswitchd put it on the
 * old row with the old VM's VLAN.  The row is rewritten in place, in one
 * transaction: never deleted under the new tap (it would leave the datapath
 * until a new row is inserted).
 */
static void test_stale_ifindex_in_place(void **state)
{
	struct agent *a = agent_new();
	char uuid[OVSDB_UUID_LEN + 1];
	struct fake_port *p;

	p = fake_add_ours("vnet6", 14, this_boot(), 10, "old-vm");
	strcpy(uuid, p->uuid);
	p->n_trunks = 2;
	vm_tap(a, 15, "vnet6", 20, "new-vm");
	add_gone(a, 14, "vnet6");
	detach_gone(a);			/* as step() does: the gone first */
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_non_null(fake_port("vnet6"));
	assert_string_equal(fake_port("vnet6")->uuid, uuid);
	assert_row_is("vnet6", 15, 20, "new-vm");
	assert_int_equal(fake_port("vnet6")->n_trunks, 0);
	assert_string_equal(fake_port("vnet6")->vlan_mode, "");
	assert_int_equal(fake.n_txn, 1);
	agent_free(a);
}

/* A row without a boot id (written before it was recorded) gets one. */
static void test_row_without_boot(void **state)
{
	struct agent *a = agent_new();

	fake_add_ours("vnet3", 13, NULL, 10, "old-vm");
	vm_tap(a, 13, "vnet3", 10, "new-vm");
	attach_pending(a);
	assert_non_null(port_ext("vnet3", OVSDB_EXT_BOOT));
	assert_row_is("vnet3", 13, 10, "new-vm");
	agent_free(a);
}

/* Between our select and our rewrite, someone else rewrites the row. */
static void someone_else(void)
{
	struct fake_port *p = fake_port("vnet7");

	fake.after_select = NULL;
	map_set(p->ext, OVSDB_EXT_BOOT, OTHER_BOOT "x");
	map_set(p->ext, "vm-name", "theirs");
	p->tag = 30;
}

static void test_changed_row_not_clobbered(void **state)
{
	struct agent *a = agent_new();

	fake_add_ours("vnet7", 14, this_boot(), 10, "old-vm");
	vm_tap(a, 17, "vnet7", 20, "new-vm");
	fake.after_select = someone_else;
	attach_logged(a);
	assert_string_equal(port_ext("vnet7", "vm-name"), "theirs");
	assert_string_equal(port_ext("vnet7", OVSDB_EXT_BOOT), OTHER_BOOT "x");
	assert_int_equal(fake_port("vnet7")->tag, 30);
	assert_string_equal(iface_ext("vnet7", "vm-name"), "old-vm");
	assert_true(is_pending(a, "vnet7"));	/* looked at again */
	agent_free(a);
}

/* A row that is not ours is never taken over, stale or not. */
static void test_foreign_row_left(void **state)
{
	struct agent *a = agent_new();
	struct fake_port *p = fake_add("vnet8", "vnet8");

	p->tag = 10;
	map_set(p->ext, "vm-name", "theirs");
	vm_tap(a, 18, "vnet8", 20, "new-vm");
	attach_pending(a);
	/* kept, not retried, with whose it is for `ovskvm status` */
	assert_int_equal(a->n_pending, 1);
	assert_true(a->pending[0].unfit);
	assert_non_null(strstr(a->pending[0].reason, "managed by someone else"));
	attach_pending(a);
	assert_int_equal(fake.n_txn, 0);
	assert_null(port_ext("vnet8", OVSDB_EXT_OWNER));
	assert_int_equal(fake_port("vnet8")->tag, 10);
	agent_free(a);
}

/* ---- rows of ours that someone else wrote to ----------------------------- */

/* What libvirt's ovs-vsctl --may-exist add-port ... -- set Interface writes. */
static void libvirt_sets(const char *name)
{
	struct fake_port *p = fake_port(name);

	assert_non_null(p);
	map_set(p->iface_ext, "iface-id", "ovn-lsp-1");
	map_set(p->iface_ext, "attached-mac", "52:54:00:00:00:01");
	map_set(p->iface_ext, "vm-id", UUID1);
	map_set(p->iface_ext, "iface-status", "active");
}

/* libvirt's keys are all there, untouched. */
static void assert_libvirt_keys(const char *name)
{
	static const char *const kv[][2] = {
		{ "iface-id", "ovn-lsp-1" }, { "attached-mac", "52:54:00:00:00:01" },
		{ "vm-id", UUID1 }, { "iface-status", "active" },
	};
	const char *have;
	size_t i;

	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		have = iface_ext(name, kv[i][0]);
		if (!have || strcmp(have, kv[i][1]))
			fail_msg("Interface %s: libvirt's %s=%s was overwritten (now %s)",
				 name, kv[i][0], kv[i][1], have ?: "absent");
	}
}

/* The sum the Port records is that of what its Interface holds. */
static void assert_sum_recorded(const char *name)
{
	struct fake_port *p = fake_port(name);
	const char *keys[16], *values[16];
	const json_t *pair;
	char want[17];
	size_t i, n = json_array_size(json_array_get(p->iface_ext, 1));

	assert_true(n <= 16);
	json_array_foreach(json_array_get(p->iface_ext, 1), i, pair) {
		keys[i] = json_string_value(json_array_get(pair, 0));
		values[i] = json_string_value(json_array_get(pair, 1));
	}
	snprintf(want, sizeof(want), "%016llx",
		 (unsigned long long)ovsdb_ext_sum(keys, values, n));
	if (!port_ext(name, OVSDB_EXT_IFACE_SUM))
		fail_msg("Port %s records no %s", name, OVSDB_EXT_IFACE_SUM);
	assert_string_equal(port_ext(name, OVSDB_EXT_IFACE_SUM), want);
}

/* The tap is left pending, not retried, and `ovskvm status` says why. */
static void assert_left_alone(struct agent *a, uint32_t ifindex, const char *name)
{
	struct pend *p = find(a, name);

	assert_non_null(p);
	assert_true(p->unfit);
	assert_contains(status_reason(ifindex, name),
			"its Interface was changed by another program: left alone");
}

/* As resync() does: the module's pending taps, afresh. */
static void resync_pending(struct agent *a, uint32_t ifindex, const char *name)
{
	a->n_pending = 0;
	vm_tap(a, ifindex, name, 20, "new-vm");
}

/*
 * The reported case: a row of ours from a previous boot, which libvirt
 * kept (--may-exist) and wrote its keys to; OVN bound the VM by iface-id.
 * A tap of that name matching a rule must not wipe them: the row is
 * libvirt's now, left alone, said once.
 */
static void test_stale_row_libvirt_keys(void **state)
{
	struct agent *a = agent_new();
	const char *log;

	fake_add_ours("vnet0", 14, OTHER_BOOT, 10, "old-vm");
	libvirt_sets("vnet0");
	vm_tap(a, 15, "vnet0", 20, "new-vm");
	log = attach_logged(a);
	assert_libvirt_keys("vnet0");
	assert_contains(log, "vnet0: the OVSDB port vnet0, left by this agent for ifindex 14, belongs to another program now: its Interface was changed by another program: left alone");
	assert_string_equal(iface_ext("vnet0", "vm-name"), "old-vm");
	assert_string_equal(port_ext("vnet0", OVSDB_EXT_IFINDEX), "14");
	assert_int_equal(fake_port("vnet0")->tag, 10);
	assert_int_equal(fake.n_txn, 0);
	assert_left_alone(a, 15, "vnet0");
	/* not tried again, and at the next resync not said again */
	attach_pending(a);
	resync_pending(a, 15, "vnet0");
	log = attach_logged(a);
	assert_false(strstr(log, "belongs to another program"));
	assert_left_alone(a, 15, "vnet0");
	assert_int_equal(fake.n_txn, 0);
	assert_libvirt_keys("vnet0");

	/* the same with a row that records its sum: one the agent wrote */
	vm_tap(a, 30, "vnet30", 10, "old-vm");
	attach_pending(a);
	assert_sum_recorded("vnet30");
	libvirt_sets("vnet30");
	drop_pending(a, 30);		/* gone while the agent was not looking */
	vm_tap(a, 31, "vnet30", 20, "new-vm");
	assert_contains(attach_logged(a), "vnet30: the OVSDB port vnet30, left by this agent for ifindex 30, belongs to another program now");
	assert_libvirt_keys("vnet30");
	assert_string_equal(port_ext("vnet30", OVSDB_EXT_IFINDEX), "30");
	assert_left_alone(a, 31, "vnet30");
	agent_free(a);
}

/* detach_gone(), with what it logged in a static buffer. */
static const char *detach_logged(struct agent *a)
{
	static char log[4096];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	assert_non_null(f);
	dup2(fileno(f), 2);
	detach_gone(a);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	fclose(f);
	fputs(log, stderr);
	return log;
}

/*
 * Nor is such a row deleted when its tap goes: resync hands the row of a
 * tap left alone to detach_gone() (the tap is unfit, so no pending tap
 * takes the row), which deleted it under libvirt's VM.
 */
static void test_gone_row_libvirt_keys(void **state)
{
	struct agent *a = agent_new();

	vm_tap(a, 50, "vnet50", 10, "old-vm");
	attach_pending(a);
	libvirt_sets("vnet50");
	add_gone(a, 50, "vnet50");
	assert_contains(detach_logged(a),
			"vnet50: tap gone (ifindex 50), but its OVSDB port belongs to another program now: its Interface was changed by another program: left alone");
	assert_non_null(fake_port("vnet50"));
	assert_libvirt_keys("vnet50");
	assert_int_equal(a->n_gone, 0);
	/* said once */
	add_gone(a, 50, "vnet50");
	assert_false(strstr(detach_logged(a), "belongs to another program"));
	assert_non_null(fake_port("vnet50"));
	agent_free(a);
}

/* Between our select and our rewrite, libvirt writes to the Interface. */
static void libvirt_meanwhile(void)
{
	fake.after_select = NULL;
	libvirt_sets("vnet1");
}

static void test_iface_changed_not_clobbered(void **state)
{
	struct agent *a = agent_new();
	const char *log;

	vm_tap(a, 40, "vnet1", 10, "old-vm");
	attach_pending(a);
	drop_pending(a, 40);
	vm_tap(a, 41, "vnet1", 20, "new-vm");
	fake.after_select = libvirt_meanwhile;
	log = attach_logged(a);
	assert_libvirt_keys("vnet1");
	assert_contains(log, "the external_ids of interface vnet1 (row ");
	assert_string_equal(port_ext("vnet1", OVSDB_EXT_IFINDEX), "40");
	assert_int_equal(fake_port("vnet1")->tag, 10);
	assert_true(is_pending(a, "vnet1"));	/* looked at again */
	/* and then it is libvirt's: left alone */
	attach_pending(a);
	assert_libvirt_keys("vnet1");
	assert_left_alone(a, 41, "vnet1");
	agent_free(a);
}

/*
 * The normal rewrite of a stale row still works, and records the sum of
 * what it wrote to the Interface, so that the next rewrite of the same row
 * knows it is still ours.
 */
static void test_stale_rewrite_records_sum(void **state)
{
	struct agent *a = agent_new();
	char uuid[OVSDB_UUID_LEN + 1];

	strcpy(uuid, fake_add_ours("vnet2", 14, OTHER_BOOT, 10, "old-vm")->uuid);
	assert_null(port_ext("vnet2", OVSDB_EXT_IFACE_SUM));
	vm_tap(a, 15, "vnet2", 20, "new-vm");
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_string_equal(fake_port("vnet2")->uuid, uuid);
	assert_row_is("vnet2", 15, 20, "new-vm");
	assert_sum_recorded("vnet2");
	/* the next tap of that name: rewritten again, on the recorded sum */
	vm_tap(a, 16, "vnet2", 30, "newer-vm");
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_string_equal(fake_port("vnet2")->uuid, uuid);
	assert_row_is("vnet2", 16, 30, "newer-vm");
	assert_sum_recorded("vnet2");
	assert_int_equal(fake.n_txn, 2);
	agent_free(a);
}

/* The module's report of an attached tap, as on_event() hands it over. */
static void attached(struct agent *a, uint32_t ifindex, const char *name, int tag)
{
	struct ovskvm_port p = {
		.ifindex = ifindex, .state = OVSKVM_PORT_ATTACHED, .has_rule = true,
		.rule_id = 1, .bridge_kind = OVSKVM_BRIDGE_OVS, .vlan_tag = tag,
	};

	snprintf(p.ifname, sizeof(p.ifname), "%s", name);
	strcpy(p.bridge, "br0");
	strcpy(p.master, "ovs-system");
	port_attached(a, &p);
}

/*
 * PORT_ATTACHED only says the tap is in the datapath: ovs-vswitchd may have
 * put it on a leftover of another boot.  The row is checked, and rewritten.
 */
static void test_attached_confirmed(void **state)
{
	struct agent *a = agent_new();
	char uuid[OVSDB_UUID_LEN + 1];

	strcpy(uuid, fake_add_ours("vnet9", 19, OTHER_BOOT, 10, "old-vm")->uuid);
	attached(a, 19, "vnet9", 20);
	assert_true(is_pending(a, "vnet9"));	/* until its row is confirmed */
	from_qemu(find(a, "vnet9"), "new-vm", UUID2);
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_string_equal(fake_port("vnet9")->uuid, uuid);
	assert_row_is("vnet9", 19, 20, "new-vm");

	/* our own row for it: confirmed by one read, nothing written */
	fake.n_txn = fake.n_select = 0;
	attached(a, 19, "vnet9", 20);
	attach_pending(a);
	assert_int_equal(a->n_pending, 0);
	assert_int_equal(fake.n_select, 1);
	assert_int_equal(fake.n_txn, 0);
	agent_free(a);
}

/*
 * The stale row's tap now wants a bridge that does not exist: the row
 * cannot be rewritten, so it goes (guarded), or ovs-vswitchd would keep the
 * tap on it with the old VM's VLAN.
 */
static void test_stale_row_missing_bridge(void **state)
{
	struct agent *a = agent_new();

	fake_add_ours("vnet4", 14, this_boot(), 10, "old-vm");
	pending(a, 24, "vnet4", "brmissing");
	attach_pending(a);
	assert_null(fake_port("vnet4"));
	assert_true(is_pending(a, "vnet4"));
	agent_free(a);
}

/*
 * Every transaction that writes names the agent in a comment, for
 * ovsdb-server's log; our Ports are transient, for ovs-ctl start
 * --delete-transient-ports.
 */
static void test_comment_transient(void **state)
{
	struct agent *a = agent_new();

	pending(a, 60, "vnet60", "br0");
	pending(a, 61, "vnet61", "br0");
	attach_pending(a);
	assert_string_equal(fake.comment, "ovskvm: attach vnet60 vnet61");
	assert_string_equal(map_get(fake_port("vnet60")->other, "transient"), "true");
	add_gone(a, 60, "vnet60");
	detach_gone(a);
	assert_null(fake_port("vnet60"));
	assert_string_equal(fake.comment, "ovskvm: remove vnet60");
	fake_add_ours("vnet62", 14, this_boot(), 10, "old-vm");
	vm_tap(a, 62, "vnet62", 20, "new-vm");
	attach_pending(a);
	assert_string_equal(fake.comment, "ovskvm: attach vnet62");
	assert_string_equal(map_get(fake_port("vnet62")->other, "transient"), "true");
	assert_int_equal(fake.uncommented, 0);
	assert_int_equal(fake.n_txn, 3);
	agent_free(a);
}

/* ---- with the OVSDB monitor's cache ------------------------------------- */

/* The agent's OVSDB monitor, caught up with the fake server's rows now. */
static void monitor_sees(struct agent *a)
{
	json_t *ports = json_object(), *ifaces = json_object(), *updates;
	char *err = NULL;
	int i;

	if (!a->mon)
		a->mon = calloc(1, sizeof(*a->mon));
	assert_non_null(a->mon);
	mon_clear(&a->mon->m);
	a->mon->m.owner = AGENT_OWNER;
	a->mon->active = true;
	for (i = 0; i < fake.n_ports; i++) {
		const struct fake_port *p = &fake.ports[i];

		json_t *port = json_pack("{ss s[ss] sO}", "name", p->name,
					 "interfaces", "uuid", p->iface_uuid,
					 "external_ids", p->ext);
		json_t *iface = json_pack("{ss}", "name", p->iface);

		/* a column at its default (an empty map) is left out */
		if (json_array_size(json_array_get(p->iface_ext, 1)))
			json_object_set(iface, "external_ids", p->iface_ext);
		json_object_set_new(ports, p->uuid, json_pack("{so}", "initial", port));
		json_object_set_new(ifaces, p->iface_uuid,
				    json_pack("{so}", "initial", iface));
	}
	updates = json_pack("{soso}", "Port", ports, "Interface", ifaces);
	assert_int_equal(mon_apply(&a->mon->m, updates, &err), 0);
	assert_int_equal(a->mon->m.bad_rows, 0);
	json_decref(updates);
	mon_clear_news(&a->mon->m);
}

/*
 * Taps of ours go and the monitor has their rows: deleted in one round
 * trip, guarded, without reading them first.
 */
static void test_gone_from_monitor(void **state)
{
	struct agent *a = agent_new();

	vm_tap(a, 70, "vnet70", 10, "vm");
	vm_tap(a, 71, "vnet71", 20, "vm");
	attach_pending(a);
	monitor_sees(a);
	fake.n_select = fake.n_txn = 0;
	add_gone(a, 70, "vnet70");
	add_gone(a, 71, "vnet71");
	assert_contains(detach_logged(a), "vnet71: tap gone (ifindex 71), OVSDB port removed");
	assert_null(fake_port("vnet70"));
	assert_null(fake_port("vnet71"));
	assert_int_equal(fake.n_select, 0);
	assert_int_equal(fake.n_txn, 1);
	assert_string_equal(fake.comment, "ovskvm: remove vnet70 vnet71");
	assert_int_equal(a->n_gone, 0);
	agent_free(a);
}

/* While the delete waits for its reply, the monitor hears of it. */
static struct agent *waiting_agent;

static int update_meanwhile(void)
{
	struct monitor *mon = waiting_agent->mon;
	json_t *u = json_object(), *ports = json_object();
	char *err = NULL;
	size_t i;

	fake.waiting = NULL;
	for (i = 0; i < mon->m.n_ports; i++)
		json_object_set_new(ports, mon->m.ports[i].uuid,
				    json_pack("{sn}", "delete"));
	json_object_set_new(u, "Port", ports);
	assert_int_equal(mon_apply(&mon->m, u, &err), 0);
	json_decref(u);
	return 0;
}

static bool own_delete_said(const struct agent *a, const char *uuid)
{
	size_t i;

	for (i = 0; i < a->mon->n_own; i++)
		if (!strcmp(a->mon->own[i].uuid, uuid))
			return true;
	return false;
}

/*
 * The monitor's cache changes under the call (its updates are applied as
 * they come): what the agent says it deleted is what it deleted.
 */
static void test_gone_monitor_changes_meanwhile(void **state)
{
	struct agent *a = agent_new();
	char u0[OVSDB_UUID_LEN + 1], u1[OVSDB_UUID_LEN + 1];

	vm_tap(a, 78, "vnet78", 10, "vm");
	vm_tap(a, 79, "vnet79", 10, "vm");
	attach_pending(a);
	monitor_sees(a);
	snprintf(u0, sizeof(u0), "%s", fake_port("vnet78")->uuid);
	snprintf(u1, sizeof(u1), "%s", fake_port("vnet79")->uuid);
	add_gone(a, 78, "vnet78");
	add_gone(a, 79, "vnet79");
	waiting_agent = a;
	fake.waiting = update_meanwhile;
	fake.n_select = 0;
	assert_contains(detach_logged(a), "vnet78: tap gone (ifindex 78), OVSDB port removed");
	assert_int_equal(fake.n_select, 0);
	assert_null(fake_port("vnet78"));
	assert_null(fake_port("vnet79"));
	assert_true(own_delete_said(a, u0));
	assert_true(own_delete_said(a, u1));
	agent_free(a);
}

/*
 * libvirt wrote to the Interface after the monitor last heard of it: the
 * guard fails, nothing is deleted, the rows are read and the row is left
 * to libvirt, said once, as without the monitor.
 */
static void test_gone_monitor_behind(void **state)
{
	struct agent *a = agent_new();

	vm_tap(a, 72, "vnet72", 10, "vm");
	vm_tap(a, 73, "vnet73", 10, "vm");
	attach_pending(a);
	monitor_sees(a);
	libvirt_sets("vnet72");
	fake.n_select = fake.n_txn = 0;
	add_gone(a, 72, "vnet72");
	add_gone(a, 73, "vnet73");
	assert_contains(detach_logged(a),
			"vnet72: tap gone (ifindex 72), but its OVSDB port belongs to another program now");
	assert_libvirt_keys("vnet72");
	assert_null(fake_port("vnet73"));
	/* the delete refused (the fake counts it with the reads), the read, vnet73's */
	assert_int_equal(fake.n_select + fake.n_txn, 3);
	assert_int_equal(fake.n_txn, 1);
	assert_false(a->resync);
	assert_int_equal(a->n_gone, 0);
	agent_free(a);
}

/*
 * The monitor vouches for the first taps but not the last: all are read,
 * and nothing of what the monitor said is left in the delete.  Here the
 * first row was deleted by someone else meanwhile.
 */
static void test_gone_monitor_partly(void **state)
{
	struct agent *a = agent_new();

	vm_tap(a, 80, "vnet80", 10, "vm");
	vm_tap(a, 81, "vnet81", 10, "vm");
	attach_pending(a);
	monitor_sees(a);
	vm_tap(a, 82, "vnet82", 10, "vm");
	attach_pending(a);
	fake_remove("vnet80");
	add_gone(a, 80, "vnet80");
	add_gone(a, 81, "vnet81");
	add_gone(a, 82, "vnet82");
	fake.n_select = fake.n_txn = 0;
	detach_gone(a);
	assert_null(fake_port("vnet81"));
	assert_null(fake_port("vnet82"));
	assert_int_equal(fake.n_select, 1);
	assert_int_equal(fake.n_txn, 1);
	assert_false(a->resync);
	agent_free(a);
}

/*
 * What the monitor cannot vouch for is read first: an Interface it saw
 * changed by libvirt, a row it has not seen, a new tap of that name.
 */
static void test_gone_monitor_unsure(void **state)
{
	struct agent *a = agent_new();

	vm_tap(a, 74, "vnet74", 10, "vm");
	attach_pending(a);
	libvirt_sets("vnet74");
	monitor_sees(a);
	fake.n_select = fake.n_txn = 0;
	add_gone(a, 74, "vnet74");
	assert_contains(detach_logged(a), "vnet74: tap gone (ifindex 74), but its OVSDB port belongs to another program now");
	assert_int_equal(fake.n_txn, 0);
	assert_int_equal(fake.n_select, 1);
	assert_libvirt_keys("vnet74");

	vm_tap(a, 75, "vnet75", 10, "vm");	/* attached after the monitor looked */
	attach_pending(a);
	fake.n_select = fake.n_txn = 0;
	add_gone(a, 75, "vnet75");
	detach_gone(a);
	assert_null(fake_port("vnet75"));
	assert_int_equal(fake.n_select, 1);

	vm_tap(a, 76, "vnet76", 10, "old-vm");
	attach_pending(a);
	monitor_sees(a);
	drop_pending(a, 76);
	vm_tap(a, 77, "vnet76", 20, "new-vm");	/* unfit taps wait in pending too */
	fake.n_select = fake.n_txn = 0;
	add_gone(a, 76, "vnet76");
	detach_gone(a);
	assert_int_equal(fake.n_txn, 0);	/* the row goes to the new tap */
	assert_int_equal(fake.n_select, 1);
	assert_non_null(fake_port("vnet76"));
	agent_free(a);
}

/* A device is asked for by its index: lo is index 1 in every namespace. */
static void test_netdev_is(void **state)
{
	assert_true(netdev_is("lo", 1));
	assert_false(netdev_is("lo", 0));
	assert_false(netdev_is("lo", -1));
	assert_false(netdev_is("ovskvm-none0", 1));
	assert_false(netdev_is("lo", 0x7ffffff0));
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
		cmocka_unit_test(test_other_boot_same_ifindex),
		cmocka_unit_test(test_stale_ifindex_in_place),
		cmocka_unit_test(test_row_without_boot),
		cmocka_unit_test(test_changed_row_not_clobbered),
		cmocka_unit_test(test_foreign_row_left),
		cmocka_unit_test(test_stale_row_libvirt_keys),
		cmocka_unit_test(test_iface_changed_not_clobbered),
		cmocka_unit_test(test_stale_rewrite_records_sum),
		cmocka_unit_test(test_gone_row_libvirt_keys),
		cmocka_unit_test(test_attached_confirmed),
		cmocka_unit_test(test_stale_row_missing_bridge),
		cmocka_unit_test(test_comment_transient),
		cmocka_unit_test(test_gone_from_monitor),
		cmocka_unit_test(test_gone_monitor_behind),
		cmocka_unit_test(test_gone_monitor_changes_meanwhile),
		cmocka_unit_test(test_gone_monitor_partly),
		cmocka_unit_test(test_gone_monitor_unsure),
		cmocka_unit_test(test_netdev_is),
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
