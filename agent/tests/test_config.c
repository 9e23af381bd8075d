// SPDX-License-Identifier: GPL-2.0
/*
 * The config parser: a good file, every error path and its message.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char *errtext;

/* Parse TEXT as "t.conf"; the diagnostics land in errtext. */
static int parse(struct config *cfg, const char *text)
{
	size_t len;
	FILE *f;
	int ret;

	free(errtext);
	errtext = NULL;
	f = open_memstream(&errtext, &len);
	assert_non_null(f);
	config_init(cfg);
	ret = config_parse(cfg, "t.conf", text, strlen(text), f);
	fclose(f);
	return ret;
}

static void expect_error(const char *text, const char *msg)
{
	struct config cfg;

	assert_int_equal(parse(&cfg, text), -EINVAL);
	if (!strstr(errtext, msg))
		fail_msg("expected \"%s\" in \"%s\"", msg, errtext);
	config_free(&cfg);
}

static void test_good_file(void **state)
{
	static const char text[] =
		"# comment\n"
		"; another\n"
		"[Agent]\n"
		"Bridge = br0\n"
		"OVSDB=/run/openvswitch/db.sock\n"
		"Timeout=500ms\n"
		"ReconnectMax=1min\n"
		"LogLevel=debug\n"
		"\n"
		"[Rule]\n"
		"Name=vnet* tap*\n"
		"Name=vm-[ab]?\n"
		"MAC=52:54:00:00:00:00/24\n"
		"User=0-999\n"
		"Comm=qemu-system-*\n"
		"VLAN=100\n"
		"BringUp=no\n"
		"ExternalID=iface-id=%u-%m\n"
		"ExternalID=vm-name=%n\n"
		"[Rule]\n"
		"Action=ignore\n"
		"Name=test*\n"
		"User=root\n"
		"[Rule]\n"
		"Bridge=br-trunk\n"
		"Trunks=10, 20-22 30\n"
		"MAC=02:00:00:00:00:00/02:00:00:00:00:00\n";
	struct config cfg;
	struct config_rule *r;

	assert_int_equal(parse(&cfg, text), 0);
	assert_string_equal(errtext, "");
	assert_string_equal(cfg.bridge, "br0");
	assert_string_equal(cfg.ovsdb, "unix:/run/openvswitch/db.sock");
	assert_int_equal(cfg.timeout_ms, 500);
	assert_int_equal(cfg.reconnect_max_ms, 60000);
	assert_int_equal(cfg.log_level, 7);
	assert_int_equal(cfg.n_rules, 3);

	r = &cfg.rules[0];
	assert_int_equal(r->id, 1);
	assert_int_equal(r->line, 10);
	assert_int_equal(r->action, OVSKVM_ACTION_ATTACH);
	assert_int_equal(r->n_names, 3);
	assert_string_equal(r->names[0], "vnet*");
	assert_string_equal(r->names[2], "vm-[ab]?");
	assert_int_equal(r->key_line[RK_NAME], 12);
	assert_memory_equal(r->mac, "\x52\x54\x00\x00\x00\x00", 6);
	assert_memory_equal(r->mac_mask, "\xff\xff\xff\x00\x00\x00", 6);
	assert_int_equal(r->uid_min, 0);
	assert_int_equal(r->uid_max, 999);
	assert_string_equal(r->comm, "qemu-system-*");
	assert_string_equal(r->bridge, "br0");
	assert_true(r->bridge_from_agent);
	assert_int_equal(r->key_line[RK_BRIDGE], 0);
	assert_int_equal(r->vlan_tag, 100);
	assert_false(r->bring_up);
	assert_int_equal(r->n_extids, 2);
	assert_string_equal(r->extids[0].key, "iface-id");
	assert_string_equal(r->extids[0].value, "%u-%m");
	assert_int_equal(r->extids[1].line, 19);

	r = &cfg.rules[1];
	assert_int_equal(r->action, OVSKVM_ACTION_IGNORE);
	assert_int_equal(r->uid_min, 0);
	assert_int_equal(r->uid_max, 0);
	assert_string_equal(r->bridge, "");

	r = &cfg.rules[2];
	assert_string_equal(r->bridge, "br-trunk");
	assert_false(r->bridge_from_agent);
	assert_true(r->bring_up);
	assert_int_equal(r->n_trunks, 5);
	assert_int_equal(r->trunks[0], 10);
	assert_int_equal(r->trunks[3], 22);
	assert_int_equal(r->trunks[4], 30);
	assert_memory_equal(r->mac_mask, "\x02\x00\x00\x00\x00\x00", 6);
	config_free(&cfg);
}

static void test_defaults(void **state)
{
	struct config cfg;

	assert_int_equal(parse(&cfg, ""), 0);
	assert_string_equal(cfg.ovsdb, CONFIG_DEFAULT_OVSDB);
	assert_int_equal(cfg.timeout_ms, 5000);
	assert_int_equal(cfg.n_rules, 0);
	assert_int_equal(parse(&cfg, "[Rule]\nBridge=br1"), 0);
	assert_int_equal(cfg.rules[0].action, OVSKVM_ACTION_ATTACH);
	assert_true(cfg.rules[0].bring_up);
	assert_memory_equal(cfg.rules[0].mac_mask, "\0\0\0\0\0\0", 6);
	config_free(&cfg);
}

static void test_empty_resets(void **state)
{
	struct config cfg;

	assert_int_equal(parse(&cfg, "[Rule]\nBridge=b\nName=a b\nName=\nName=c\n"
				     "ExternalID=a=1\nExternalID=\nExternalID=a=2\n"), 0);
	assert_int_equal(cfg.rules[0].n_names, 1);
	assert_string_equal(cfg.rules[0].names[0], "c");
	assert_int_equal(cfg.rules[0].n_extids, 1);
	assert_string_equal(cfg.rules[0].extids[0].value, "2");
	config_free(&cfg);
}

/* Trunks= is a list key as ovskvm.conf(5) says: it adds up, once per VLAN. */
static void test_trunks_list(void **state)
{
	struct config_rule *r;
	struct config cfg;

	assert_int_equal(parse(&cfg, "[Rule]\nBridge=b\nTrunks=10,20-21\n"
				     "Trunks=21 30\nTrunks=10\n"), 0);
	r = &cfg.rules[0];
	assert_int_equal(r->n_trunks, 4);
	assert_int_equal(r->trunks[0], 10);
	assert_int_equal(r->trunks[2], 21);
	assert_int_equal(r->trunks[3], 30);
	assert_int_equal(r->key_line[RK_TRUNKS], 5);
	config_free(&cfg);

	/* An empty assignment empties it, and then sets nothing ... */
	assert_int_equal(parse(&cfg, "[Rule]\nBridge=b\nTrunks=10\nTrunks=\nTrunks=7\n"), 0);
	assert_int_equal(cfg.rules[0].n_trunks, 1);
	assert_int_equal(cfg.rules[0].trunks[0], 7);
	config_free(&cfg);
	/* ... so it leaves an access port an access port. */
	assert_int_equal(parse(&cfg, "[Rule]\nBridge=b\nTrunks=10\nTrunks=\nVLAN=5\n"), 0);
	assert_int_equal(cfg.rules[0].n_trunks, 0);
	assert_int_equal(cfg.rules[0].vlan_tag, 5);
	assert_int_equal(cfg.rules[0].key_line[RK_TRUNKS], 0);
	config_free(&cfg);
	/* An empty list is a list too (an assignment ExternalID= that empties). */
	assert_int_equal(parse(&cfg, "[Rule]\nAction=ignore\nExternalID=\nTrunks=\n"), 0);
	config_free(&cfg);
}

static void test_structure_errors(void **state)
{
	expect_error("Bridge=br0\n", "t.conf:1: Bridge= outside of a section: put it under [Agent] or [Rule]");
	expect_error("[Agent\n", "t.conf:1: section header without ']': [Agent");
	expect_error("\n[Foo]\nX=1\n", "t.conf:2: unknown section [Foo] (sections are [Agent] and [Rule])");
	expect_error("[agent]\n", "unknown section [agent] (did you mean [Agent]?)");
	expect_error("[RULE]\n", "(did you mean [Rule]?)");
	expect_error("[Agent]\nBridge\n", "t.conf:2: expected Key=Value or [Section], got 'Bridge'");
	expect_error("[Agent]\nBrdge=x\n", "t.conf:2: unknown key 'Brdge' in [Agent]");
	expect_error("[Agent]\nbridge=x\n", "unknown key 'bridge' in [Agent] (did you mean 'Bridge'?)");
	expect_error("[Rule]\nBridge=b\nVlan=3\n", "t.conf:3: unknown key 'Vlan' in [Rule] (did you mean 'VLAN'?)");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[Agent]\nLogLevel=in\0fo\n";
	struct config cfg;
	size_t len;
	FILE *f;

	free(errtext);
	f = open_memstream(&errtext, &len);
	config_init(&cfg);
	assert_int_equal(config_parse(&cfg, "t.conf", text, sizeof(text) - 1, f), -EINVAL);
	fclose(f);
	assert_non_null(strstr(errtext, "t.conf:2: contains a NUL byte: is this a text file?"));
	config_free(&cfg);
}

/*
 * Everything in the file may end up in OVSDB, which holds UTF-8 only: a
 * Latin-1 byte is refused where it is, not when the agent first uses it.
 */
static void test_not_utf8(void **state)
{
	struct config cfg;

	expect_error("[Rule]\nBridge=br0\nExternalID=vm-name=caf\xe9\n",
		     "t.conf:3: byte 0xe9 at column 23 is not UTF-8: the file must be UTF-8");
	expect_error("[Rule]\nName=t\xc3\n", "t.conf:2: byte 0xc3 at column 7 is not UTF-8");
	/* overlong '/', a UTF-16 surrogate, beyond U+10FFFF */
	expect_error("[Rule]\nName=t\xc0\xaf\n", "t.conf:2: byte 0xc0 at column 7");
	expect_error("[Rule]\nName=t\xed\xa0\x80\n", "t.conf:2: byte 0xed at column 7");
	expect_error("[Rule]\nName=t\xf4\x90\x80\x80\n", "t.conf:2: byte 0xf4 at column 7");
	expect_error("# caf\xe9\n[Agent]\n", "t.conf:1: byte 0xe9 at column 6");
	/* UTF-8 itself is fine, in values and comments alike */
	assert_int_equal(parse(&cfg, "# café ☕\n[Rule]\nBridge=br0\n"
			       "ExternalID=vm-name=café-\xf0\x9f\x90\xa7\n"), 0);
	assert_string_equal(errtext, "");
	assert_string_equal(cfg.rules[0].extids[0].value, "café-\xf0\x9f\x90\xa7");
	config_free(&cfg);
}

static void test_agent_errors(void **state)
{
	expect_error("[Agent]\nBridge=a/b\n", "t.conf:2: Bridge=a/b: not a valid interface name");
	expect_error("[Agent]\nBridge=0123456789abcdef\n", "not a valid interface name (1 to 15 characters");
	expect_error("[Agent]\nOVSDB=tcp:1.2.3.4:6640\n", "OVSDB=tcp:1.2.3.4:6640: only local sockets are supported");
	expect_error("[Agent]\nOVSDB=unix:rel\n", "OVSDB=unix:rel: needs an absolute socket path");
	expect_error("[Agent]\nTimeout=fast\n", "Timeout=fast: expected a duration such as 5s or 500ms");
	expect_error("[Agent]\nTimeout=5h\n", "Timeout=5h: expected a duration");
	expect_error("[Agent]\nTimeout=11min\n", "Timeout=11min: out of range, use 100ms to 600s");
	expect_error("[Agent]\nTimeout=99ms\n", "out of range");
	expect_error("[Agent]\nReconnectMax=-1\n", "ReconnectMax=-1: expected a duration");
	expect_error("[Agent]\nLogLevel=loud\n", "LogLevel=loud: expected err, warning, notice, info or debug");
	expect_error("[Agent]\nLogLevel=crit\n", "LogLevel=crit: expected");
	expect_error("[Agent]\nReattachDeleted=maybe\n", "t.conf:2: ReattachDeleted=maybe: expected yes or no");
}

/* ReattachDeleted=: an operator's del-port is respected unless it says yes. */
static void test_reattach_deleted(void **state)
{
	struct config cfg;

	assert_int_equal(parse(&cfg, ""), 0);
	assert_false(cfg.reattach_deleted);
	assert_int_equal(parse(&cfg, "[Agent]\nReattachDeleted=yes\n"), 0);
	assert_true(cfg.reattach_deleted);
	assert_int_equal(parse(&cfg, "[Agent]\nReattachDeleted=yes\nReattachDeleted=off\n"), 0);
	assert_false(cfg.reattach_deleted);
	config_free(&cfg);
}

static void test_rule_errors(void **state)
{
	char big[200];

	expect_error("[Rule]\nAction=drop\n", "t.conf:2: Action=drop: expected attach or ignore");
	memset(big, 'a', 64);
	strcpy(big + 64, "\n");
	{
		char text[300];

		snprintf(text, sizeof(text), "[Rule]\nBridge=b\nName=%s", big);
		expect_error(text, "t.conf:3: Name=aaaa");
		expect_error(text, "a glob is at most 63 characters");
	}
	expect_error("[Rule]\nBridge=b\nName=vm[ab\n", "Name=vm[ab: not a valid glob");
	expect_error("[Rule]\nBridge=b\nName=a b c d e f g h i\n", "Name=: at most 8 globs per rule; split the rule in two");
	expect_error("[Rule]\nBridge=b\nMAC=52:54:00\n", "MAC=52:54:00: expected xx:xx:xx:xx:xx:xx, optionally /MASK or /BITS");
	expect_error("[Rule]\nBridge=b\nMAC=52:54:00:0g:00:00\n", "expected xx:xx");
	expect_error("[Rule]\nBridge=b\nMAC=52:54:00:00:00:00/49\n", "the mask must be xx:xx:xx:xx:xx:xx or a bit count 0-48");
	expect_error("[Rule]\nBridge=b\nMAC=52:54:00:00:00:01/24\n", "the address has bits outside the mask, so it can never match");
	expect_error("[Rule]\nBridge=b\nUser=nosuchuser-ovskvm\n", "User=: unknown user 'nosuchuser-ovskvm' (give a numeric uid");
	expect_error("[Rule]\nBridge=b\nUser=12x\n", "User=: '12x' is not a valid user id");
	expect_error("[Rule]\nBridge=b\nUser=20-10\n", "User=20-10: the range is empty");
	expect_error("[Rule]\nBridge=b\nUser=\n", "User=: expected a user name, a uid or a range FIRST-LAST");
	expect_error("[Rule]\nBridge=b\nComm=\n", "Comm=: expected one glob of at most 63 characters");
	expect_error("[Rule]\nBridge=b b\n", "Bridge=b b: not a valid interface name");
	expect_error("[Rule]\nBridge=b\nVLAN=0\n", "VLAN=0: expected a VLAN id from 1 to 4094");
	expect_error("[Rule]\nBridge=b\nVLAN=4095\n", "VLAN=4095: expected");
	expect_error("[Rule]\nBridge=b\nTrunks=1,x\n", "Trunks=1,x: expected VLAN ids 0-4095 and ranges, such as 10,20-29");
	expect_error("[Rule]\nBridge=b\nTrunks=4096\n", "Trunks=4096: expected");
	expect_error("[Rule]\nBridge=b\nTrunks=9-3\n", "Trunks=9-3: range 9-3 is empty");
	expect_error("[Rule]\nBridge=b\nTrunks=0-64\n", "Trunks=0-64: at most 64 VLANs per rule");
	expect_error("[Rule]\nBridge=b\nTrunks=0-40\nTrunks=41-70\n", "t.conf:4: Trunks=41-70: at most 64 VLANs per rule");
	expect_error("[Rule]\nBridge=b\nBringUp=maybe\n", "BringUp=maybe: expected yes or no");
	expect_error("[Rule]\nBridge=b\nExternalID=novalue\n", "ExternalID=novalue: expected KEY=VALUE");
	expect_error("[Rule]\nBridge=b\nExternalID==x\n", "the key may hold letters, digits and - _ . : only");
	expect_error("[Rule]\nBridge=b\nExternalID=a b=x\n", "the key may hold");
	expect_error("[Rule]\nBridge=b\nExternalID=ovskvm-owner=me\n", "keys starting with ovskvm- are the agent's own");
	expect_error("[Rule]\nBridge=b\nExternalID=ovskvm-iface-sum=0\n", "keys starting with ovskvm- are the agent's own");
	expect_error("[Rule]\nBridge=b\nExternalID=ovn-installed=true\n", "status key that ovn-controller writes");
	expect_error("[Rule]\nBridge=b\nExternalID=ovn-installed-ts=1\n", "status key that ovn-controller writes");
	expect_error("[Rule]\nBridge=b\nExternalID=a=1\nExternalID=a=2\n", "t.conf:4: ExternalID=a=2: key 'a' already set on line 3");
	expect_error("[Rule]\nBridge=b\nExternalID=a=%x\n", "unknown placeholder '%x' (known: %n VM name, %u VM UUID, %m guest MAC, %i interface, %% a percent sign)");
	expect_error("[Rule]\nBridge=b\nExternalID=a=50%\n", "unknown placeholder '%'");
}

/*
 * Name= and Comm= in the dialect of the kernel's glob_match(): what the shell
 * or fnmatch(3) reads otherwise is refused with what to write instead.
 */
static void test_rule_globs(void **state)
{
	static const char text[] =
		"[Rule]\n"
		"Bridge=b\n"
		"Name=tap[!0-9]* vm\\* []a-]x [\\\\]y [!^]? vnet[0-9][a-f-]\n"
		"Comm=qemu-[a-z]*\n";
	struct config cfg;

	assert_int_equal(parse(&cfg, text), 0);
	assert_string_equal(errtext, "");
	assert_int_equal(cfg.rules[0].n_names, 6);
	assert_string_equal(cfg.rules[0].names[1], "vm\\*");
	assert_string_equal(cfg.rules[0].names[3], "[\\\\]y");
	assert_string_equal(cfg.rules[0].comm, "qemu-[a-z]*");
	config_free(&cfg);

	expect_error("[Rule]\nBridge=b\nName=tap[^0-9]*\n",
		     "t.conf:3: Name=tap[^0-9]*: [^...] does not negate in the kernel's glob, where '^' is one more member; write [!...]");
	expect_error("[Rule]\nBridge=b\nComm=qemu[^a]\n", "t.conf:3: Comm=qemu[^a]: [^...] does not negate");
	expect_error("[Rule]\nBridge=b\nName=vnet[[:digit:]]\n",
		     "t.conf:3: Name=vnet[[:digit:]]: the kernel's glob has no POSIX classes such as [:digit:]; write a range such as [0-9]");
	expect_error("[Rule]\nBridge=b\nName=vnet[![:digit:]]\n", "Name=vnet[![:digit:]]: the kernel's glob has no POSIX classes");
	expect_error("[Rule]\nBridge=b\nName=vnet[:digit:]\n", "Name=vnet[:digit:]: the kernel's glob has no POSIX classes");
	expect_error("[Rule]\nBridge=b\nComm=[[=q=]]emu\n", "Comm=[[=q=]]emu: the kernel's glob has no POSIX classes");
	expect_error("[Rule]\nBridge=b\nName=tap[[.-.]]\n", "Name=tap[[.-.]]: the kernel's glob has no POSIX classes");
	expect_error("[Rule]\nBridge=b\nName=tap\\\n",
		     "t.conf:3: Name=tap\\: a trailing '\\' escapes nothing and the kernel's glob drops it; write '\\\\' to match a backslash");
	expect_error("[Rule]\nBridge=b\nComm=*\\\n", "Comm=*\\: a trailing '\\' escapes nothing");
	expect_error("[Rule]\nBridge=b\nName=vm[\\]]\n",
		     "t.conf:3: Name=vm[\\]]: '\\' inside [...] is not an escape in the kernel's glob; write '\\\\' for a backslash; put ']' first and '-' last to include them");
	expect_error("[Rule]\nBridge=b\nName=vm[a\\-z]\n", "Name=vm[a\\-z]: '\\' inside [...] is not an escape");
	expect_error("[Rule]\nBridge=b\nName=vnet[9-0]\n", "t.conf:3: Name=vnet[9-0]: the range 9-0 is empty; write 0-9");
	expect_error("[Rule]\nBridge=b\nName=tap[0\n",
		     "t.conf:3: Name=tap[0: not a valid glob: '[' without a closing ']' (write '\\[' to match a '[')");
	expect_error("[Rule]\nBridge=b\nName=tap[]\n", "Name=tap[]: not a valid glob: '[' without a closing ']'");
	expect_error("[Rule]\nBridge=b\nComm=qemu kvm\n",
		     "t.conf:3: Comm=qemu kvm: not a valid glob: spaces and control characters cannot be matched");
	/* Only the first problem of a list is reported, with its own glob. */
	expect_error("[Rule]\nBridge=b\nName=vnet* tap[^0]\n", "t.conf:3: Name=tap[^0]: [^...]");
}

static void test_rule_limits(void **state)
{
	char *text = malloc(20 * (OVSKVM_MAX_RULES + 2));
	size_t o = 0;
	int i;

	o += sprintf(text, "[Agent]\nBridge=br0\n");
	for (i = 0; i < OVSKVM_MAX_RULES + 1; i++)
		o += sprintf(text + o, "[Rule]\n");
	expect_error(text, "t.conf:259: too many [Rule] sections, the module takes at most 256");
	free(text);

	text = malloc(CONFIG_MAX_EXTIDS * 20 + 100);
	o = sprintf(text, "[Rule]\nBridge=b\n");
	for (i = 0; i <= CONFIG_MAX_EXTIDS; i++)
		o += sprintf(text + o, "ExternalID=k%d=v\n", i);
	expect_error(text, "ExternalID=: at most 16 per rule");
	free(text);
}

static void test_rule_checks(void **state)
{
	expect_error("[Rule]\nName=x\n", "t.conf:1: rule 1 attaches but names no bridge: set Bridge= here or in [Agent]");
	expect_error("[Rule]\nBridge=b\nVLAN=5\nTrunks=1,2\n", "t.conf:4: rule 1 has both VLAN= (line 3) and Trunks=");
	expect_error("[Rule]\nAction=ignore\nBridge=b\n", "t.conf:3: Bridge= has no effect with Action=ignore (rule 1)");
	expect_error("[Rule]\nAction=ignore\nVLAN=2\n", "VLAN= has no effect with Action=ignore");
	expect_error("[Rule]\nAction=ignore\nExternalID=a=b\n", "ExternalID= has no effect");
}

static void test_many_errors(void **state)
{
	char text[2000];
	size_t o = 0;
	int i;

	o = sprintf(text, "[Agent]\n");
	for (i = 0; i < 30; i++)
		o += sprintf(text + o, "Nope=%d\n", i);
	expect_error(text, "t.conf: too many errors, giving up");
}

static void test_expand(void **state)
{
	struct config_expand_ctx ctx = {
		.vm_name = "vm1", .vm_uuid = "u-1", .guest_mac = "52:54:00:aa:bb:01",
		.ifname = "vnet0",
	};
	char out[64], missing = 0;

	assert_int_equal(config_expand("%n/%u/%m/%i/100%%", &ctx, out, sizeof(out), &missing), 0);
	assert_string_equal(out, "vm1/u-1/52:54:00:aa:bb:01/vnet0/100%");
	ctx.vm_uuid = NULL;
	assert_int_equal(config_expand("x-%u", &ctx, out, sizeof(out), &missing), -ENOENT);
	assert_int_equal(missing, 'u');
	ctx.vm_name = "";
	assert_int_equal(config_expand("%n", &ctx, out, sizeof(out), &missing), -ENOENT);
	assert_int_equal(missing, 'n');
	assert_int_equal(config_expand("%i%i%i", &ctx, out, 10, NULL), -ENOSPC);
	assert_int_equal(config_expand("%q", &ctx, out, 10, NULL), -EINVAL);
}

static char tmpdir[] = "/tmp/ovskvm-test-XXXXXX";

static char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static int load(const char *path, uid_t owner)
{
	struct config cfg;
	size_t len;
	FILE *f;
	int ret;

	free(errtext);
	f = open_memstream(&errtext, &len);
	config_init(&cfg);
	ret = config_load(&cfg, path, owner, f);
	fclose(f);
	config_free(&cfg);
	return ret;
}

static void test_load(void **state)
{
	char *path, expect[256];

	assert_non_null(mkdtemp(tmpdir));
	path = write_file("ok.conf", "[Agent]\nBridge=br0\n", 0644);
	assert_int_equal(load(path, getuid()), 0);

	path = write_file("gw.conf", "", 0664);
	assert_int_equal(load(path, getuid()), -EPERM);
	snprintf(expect, sizeof(expect), "%s: writable by its group, refusing it (chmod go-w %s)", path, path);
	assert_non_null(strstr(errtext, expect));

	path = write_file("ow.conf", "", 0646);
	assert_int_equal(load(path, getuid()), -EPERM);
	assert_non_null(strstr(errtext, "writable by others"));

	path = write_file("owner.conf", "", 0644);
	assert_int_equal(load(path, getuid() + 1), -EPERM);
	snprintf(expect, sizeof(expect), "%s: owned by uid %u, refusing", path, getuid());
	assert_non_null(strstr(errtext, expect));

	path = write_file("bad.conf", "[Agent]\nX=1\n", 0600);
	assert_int_equal(load(path, getuid()), -EINVAL);
	snprintf(expect, sizeof(expect), "%s:2: unknown key 'X' in [Agent]", path);
	assert_non_null(strstr(errtext, expect));

	assert_int_equal(load(tmpdir, getuid()), -EINVAL);
	assert_non_null(strstr(errtext, "not a regular file"));

	snprintf(expect, sizeof(expect), "%s/missing.conf", tmpdir);
	assert_int_equal(load(expect, getuid()), -ENOENT);
	assert_non_null(strstr(errtext, "missing.conf: cannot open: No such file or directory"));

	unlink(write_file("ok.conf", "", 0600));
	unlink(write_file("gw.conf", "", 0600));
	unlink(write_file("ow.conf", "", 0600));
	unlink(write_file("owner.conf", "", 0600));
	unlink(write_file("bad.conf", "", 0600));
	rmdir(tmpdir);
}

static void test_example_file(void **state)
{
	const char *dir = getenv("TEST_DATA_DIR");
	char path[512];
	struct config cfg;
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/../../ovskvm.conf.example", dir ? dir : "tests/data");
	f = fopen(path, "r");
	if (!f)
		skip();
	buf = malloc(CONFIG_MAX_SIZE);
	n = fread(buf, 1, CONFIG_MAX_SIZE, f);
	fclose(f);
	buf[n] = '\0';
	assert_int_equal(parse(&cfg, buf), 0);
	assert_true(cfg.n_rules >= 1);
	config_free(&cfg);
	free(buf);
}

static int teardown(void **state)
{
	free(errtext);
	errtext = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_resets),
		cmocka_unit_test(test_trunks_list),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_agent_errors),
		cmocka_unit_test(test_reattach_deleted),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_rule_globs),
		cmocka_unit_test(test_rule_limits),
		cmocka_unit_test(test_rule_checks),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_example_file),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, teardown);
}
