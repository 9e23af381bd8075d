// SPDX-License-Identifier: GPL-2.0
/*
 * Reading VM name, UUID and a tap's guest MAC from QEMU command lines.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "qemu_cmdline.h"

/* Join ARGS into a /proc/PID/cmdline buffer. */
static size_t cmdline(char *buf, size_t size, const char *const *args)
{
	size_t o = 0;

	for (; *args; args++) {
		size_t n = strlen(*args) + 1;

		assert_true(o + n <= size);
		memcpy(buf + o, *args, n);
		o += n;
	}
	return o;
}

static int parse(const char *ifname, struct qemu_info *info, const char *const *args)
{
	char buf[4096];
	size_t len = cmdline(buf, sizeof(buf), args);

	return qemu_cmdline_parse(buf, len, ifname, info);
}

static void test_netdev_device(void **state)
{
	static const char *const args[] = {
		"/usr/bin/qemu-system-x86_64", "-S", "-display", "none",
		"-machine", "pc", "-m", "32", "-nodefaults",
		"-name", "guest=vm1,debug-threads=on",
		"-uuid", "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01",
		"-netdev", "tap,id=n0,ifname=vnet0,script=no,downscript=no",
		"-device", "virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:01",
		"-netdev", "tap,id=n1,ifname=vnet1,script=no,downscript=no",
		"-device", "e1000,mac=52:54:00:aa:bb:02,netdev=n1,id=nic1",
		NULL
	};
	struct qemu_info info;

	assert_int_equal(parse("vnet0", &info, args), 0);
	assert_string_equal(info.name, "vm1");
	assert_string_equal(info.uuid, "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01");
	assert_string_equal(info.mac, "52:54:00:aa:bb:01");
	assert_int_equal(parse("vnet1", &info, args), 0);
	assert_string_equal(info.mac, "52:54:00:aa:bb:02");
	assert_int_equal(parse("vnet2", &info, args), 0);
	assert_string_equal(info.mac, "");
	assert_string_equal(info.name, "vm1");
}

static void test_old_net(void **state)
{
	static const char *const args[] = {
		"qemu-system-x86_64", "-name", "seed vm,,x", "-enable-kvm",
		"-net", "nic,macaddr=52:54:00:00:00:09",
		"-net", "tap,ifname=tap9,script=no,downscript=no",
		"-net", "nic,vlan=1,macaddr=52:54:00:00:00:0a,model=e1000",
		"-net", "tap,vlan=1,ifname=tap10",
		NULL
	};
	struct qemu_info info;

	assert_int_equal(parse("tap9", &info, args), 0);
	assert_string_equal(info.name, "seed vm,x");
	assert_string_equal(info.uuid, "");
	assert_string_equal(info.mac, "52:54:00:00:00:09");
	assert_int_equal(parse("tap10", &info, args), 0);
	assert_string_equal(info.mac, "52:54:00:00:00:0a");
}

static void test_nic_and_json(void **state)
{
	static const char *const args[] = {
		"/usr/libexec/qemu-kvm", "--name", "vm3",
		"-nic", "tap,ifname=t0,mac=52:54:00:00:00:30,model=virtio",
		"-netdev", "{\"type\":\"tap\",\"ifname\":\"t1\",\"id\":\"hostnet1\"}",
		"-device", "{\"driver\":\"virtio-net-pci\",\"netdev\":\"hostnet1\",\"mac\":\"52:54:00:00:00:31\"}",
		"-netdev", "{broken",
		NULL
	};
	struct qemu_info info;

	assert_int_equal(parse("t0", &info, args), 0);
	assert_string_equal(info.name, "vm3");
	assert_string_equal(info.mac, "52:54:00:00:00:30");
	assert_int_equal(parse("t1", &info, args), 0);
	assert_string_equal(info.mac, "52:54:00:00:00:31");
}

static void test_kernel_named_tap(void **state)
{
	static const char *const args[] = {
		"qemu-system-aarch64", "-netdev", "tap,id=x",
		"-device", "virtio-net,netdev=x,mac=02:00:00:00:00:01", NULL
	};
	struct qemu_info info;

	assert_int_equal(parse("tap3", &info, args), 0);
	assert_string_equal(info.mac, "02:00:00:00:00:01");
	assert_int_equal(parse("vnet3", &info, args), 0);
	assert_string_equal(info.mac, "");
}

static void test_mac_case(void **state)
{
	static const char *const args[] = {
		"qemu-system-x86_64", "-name", "vm4",
		"-net", "nic,macaddr=00:11:22:EE:EE:EE",
		"-net", "tap,ifname=tap40",
		"-netdev", "tap,id=n1,ifname=tap41",
		"-device", "virtio-net-pci,netdev=n1,mac=52-54-00-Aa-b-1",
		"-nic", "tap,ifname=tap42,mac=52:54:00:AB:CD",
		"-nic", "tap,ifname=tap43,mac=52:54:00:0A:0B:0C:0D",
		NULL
	};
	struct qemu_info info;

	/* libvirt's form: lower case, two digits a byte, colons */
	assert_int_equal(parse("tap40", &info, args), 0);
	assert_string_equal(info.mac, "00:11:22:ee:ee:ee");
	assert_int_equal(parse("tap41", &info, args), 0);
	assert_string_equal(info.mac, "52:54:00:aa:0b:01");
	/* not a MAC QEMU takes: kept as written, in lower case, if it fits */
	assert_int_equal(parse("tap42", &info, args), 0);
	assert_string_equal(info.mac, "52:54:00:ab:cd");
	assert_int_equal(parse("tap43", &info, args), 0);
	assert_string_equal(info.mac, "");
}

static void test_not_qemu(void **state)
{
	static const char *const ip[] = { "ip", "tuntap", "add", "tap0", "mode", "tap", NULL };
	static const char *const empty[] = { NULL };
	struct qemu_info info;
	char buf[] = "qemu-system-x86_64\0-name\0vm";

	assert_int_equal(parse("tap0", &info, ip), -ENOENT);
	assert_int_equal(parse("tap0", &info, empty), -ENOENT);
	/* a truncated last argument is dropped, not read past */
	assert_int_equal(qemu_cmdline_parse(buf, sizeof(buf) - 1, "tap0", &info), 0);
	assert_string_equal(info.name, "");
}

/*
 * Only system emulators run guests.  qemu-bridge-helper creates the tap of
 * "-netdev bridge" itself; it, qemu-img, qemu-nbd and the user-mode
 * emulators (qemu-x86_64) are not QEMU guests.
 */
static void test_system_emulators_only(void **state)
{
	static const char *const helper[] = {
		"/usr/lib/qemu/qemu-bridge-helper", "--use-vnet", "--br=br0", "--fd=9",
		"-name", "guest=vm1", NULL
	};
	static const char *const user[] = { "qemu-x86_64", "-name", "guest=vm1", NULL };
	static const char *const img[] = { "qemu-img", "-name", "guest=vm1", NULL };
	static const char *const bare[] = { "qemu-system-", "-name", "vm1", NULL };
	static const char *const kvm[] = { "/usr/bin/kvm", "-name", "vm1", NULL };
	struct qemu_info info;

	assert_int_equal(parse("tap0", &info, helper), -ENOENT);
	assert_int_equal(parse("tap0", &info, user), -ENOENT);
	assert_int_equal(parse("tap0", &info, img), -ENOENT);
	assert_int_equal(parse("tap0", &info, bare), -ENOENT);
	assert_int_equal(parse("tap0", &info, kvm), 0);
	assert_string_equal(info.name, "vm1");
}

/* -uuid is what QEMU itself takes, in lower case as libvirt writes it. */
static void test_uuid_syntax(void **state)
{
	static const char *const upper[] = {
		"qemu-system-x86_64", "-uuid", "7C2B8F0E-2A4C-4BB1-9C55-0D6F7B0A1E01", NULL
	};
	static const char *const bad[][4] = {
		{ "qemu-system-x86_64", "-uuid", "7c2b8f0e2a4c4bb19c550d6f7b0a1e01", NULL },
		{ "qemu-system-x86_64", "-uuid", "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e0", NULL },
		{ "qemu-system-x86_64", "-uuid", "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01x", NULL },
		{ "qemu-system-x86_64", "-uuid", "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1g01", NULL },
		{ "qemu-system-x86_64", "-uuid", "x\",\"vm\":\"other-vm-uuid", NULL },
	};
	struct qemu_info info;
	size_t i;

	assert_int_equal(parse("tap0", &info, upper), 0);
	assert_string_equal(info.uuid, "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse("tap0", &info, bad[i]), 0);
		assert_string_equal(info.uuid, "");
	}
}

/* /proc/PID of a QEMU started by uid 0 at tick 4242, as the kernel writes it */
#define STAT "4321 (qemu-system-x86) S 1 4321 4321 0 -1 4194560 1302 0 0 0 " \
	"3 1 0 0 20 0 5 0 4242 1234567 1500 18446744073709551615 1 1 0 0 0 0 0 " \
	"4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
#define STATUS "Name:\tqemu-system-x86\nUmask:\t0022\nState:\tS (sleeping)\n" \
	"Tgid:\t4321\nNgid:\t0\nPid:\t4321\nPPid:\t1\nTracerPid:\t0\n" \
	"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\n"

static void test_identify(void **state)
{
	static const char cmdline[] = "qemu-system-x86_64\0-name\0guest=vm1\0-uuid\0"
		"7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01\0-netdev\0tap,id=n0,ifname=vnet0\0"
		"-device\0virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:01";
	static const char helper[] = "/usr/lib/qemu/qemu-bridge-helper\0--use-vnet\0--br=br0\0--fd=9";
	struct qemu_creator c = { .pid = 4321, .uid = 0, .comm = "qemu-system-x86",
				  .start_ticks = 4242 };
	struct qemu_proc pr = { .stat = STAT, .status = STATUS, .comm = "qemu-system-x86\n",
				.cmdline = cmdline, .cmdline_len = sizeof(cmdline) };
	struct qemu_proc p2;
	struct qemu_creator c2;
	struct qemu_info info;
	char why[160];

	assert_int_equal(qemu_identify(&c, &pr, "vnet0", &info, why, sizeof(why)), 0);
	assert_string_equal(info.name, "vm1");
	assert_string_equal(info.uuid, "7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01");
	assert_string_equal(info.mac, "52:54:00:aa:bb:01");

	/* the pid was reused: another start time */
	c2 = c; c2.start_ticks = 4241;
	assert_int_equal(qemu_identify(&c2, &pr, "vnet0", &info, why, sizeof(why)), -ESRCH);
	assert_string_equal(why, "pid 4321 is no longer the creator (it started at another time)");
	assert_string_equal(info.name, "");
	c2 = c; c2.comm = "bash";
	assert_int_equal(qemu_identify(&c2, &pr, "vnet0", &info, why, sizeof(why)), -ESRCH);

	/* QEMU -runas: it created the tap as root and now runs as nobody */
	c2 = c; c2.uid = 65534;
	assert_int_equal(qemu_identify(&c2, &pr, "vnet0", &info, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "the creator (pid 4321, qemu-system-x86) now runs as uid 0, not as uid 65534 that created the tap");
	assert_string_equal(info.name, "");

	/* the helper of -netdev bridge created the tap: no VM of its own */
	p2 = pr; p2.cmdline = helper; p2.cmdline_len = sizeof(helper);
	assert_int_equal(qemu_identify(&c, &p2, "tap0", &info, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "the creator (pid 4321, qemu-system-x86) is not a QEMU system emulator");

	/* unreadable or malformed /proc files: never trusted */
	p2 = pr; p2.stat = "4321 (qemu-system-x86) S 1";
	assert_int_equal(qemu_identify(&c, &p2, "vnet0", &info, why, sizeof(why)), -ESRCH);
	p2 = pr; p2.status = "Name:\tqemu\nGid:\t0\t0\t0\t0\n";
	assert_int_equal(qemu_identify(&c, &p2, "vnet0", &info, why, sizeof(why)), -ESRCH);
	p2 = pr; p2.status = NULL;
	assert_int_equal(qemu_identify(&c, &p2, "vnet0", &info, why, sizeof(why)), -ESRCH);
	p2 = pr; p2.cmdline_len = 0;
	assert_int_equal(qemu_identify(&c, &p2, "vnet0", &info, why, sizeof(why)), -ENOENT);
	/* a comm with ") " in it cannot shift the fields */
	p2 = pr;
	p2.stat = "4321 (a) b) S 1 4321 4321 0 -1 4194560 1302 0 0 0 3 1 0 0 20 0 5 0 4242 1\n";
	c2 = c; c2.comm = "a) b";
	p2.comm = "a) b\n";
	assert_int_equal(qemu_identify(&c2, &p2, "vnet0", &info, why, sizeof(why)), 0);
}

static void test_opt_get(void **state)
{
	char v[8];

	assert_int_equal(qemu_opt_get("tap,id=a,,b,x=1", "id", "type", v, sizeof(v)), 0);
	assert_string_equal(v, "a,b");
	assert_int_equal(qemu_opt_get("tap,id=a", "type", "type", v, sizeof(v)), 0);
	assert_string_equal(v, "tap");
	assert_int_equal(qemu_opt_get("tap,id=a", "x", "type", v, sizeof(v)), -ENOENT);
	assert_int_equal(qemu_opt_get("id=0123456789", "id", NULL, v, sizeof(v)), -ENOSPC);
	assert_int_equal(qemu_opt_get("", "id", NULL, v, sizeof(v)), -ENOENT);
	assert_int_equal(qemu_opt_get("a=,b=2", "a", NULL, v, sizeof(v)), 0);
	assert_string_equal(v, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netdev_device),
		cmocka_unit_test(test_old_net),
		cmocka_unit_test(test_nic_and_json),
		cmocka_unit_test(test_kernel_named_tap),
		cmocka_unit_test(test_mac_case),
		cmocka_unit_test(test_not_qemu),
		cmocka_unit_test(test_system_emulators_only),
		cmocka_unit_test(test_uuid_syntax),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_opt_get),
	};

	return cmocka_run_group_tests_name("qemu_cmdline", tests, NULL, NULL);
}
