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
		cmocka_unit_test(test_opt_get),
	};

	return cmocka_run_group_tests_name("qemu_cmdline", tests, NULL, NULL);
}
