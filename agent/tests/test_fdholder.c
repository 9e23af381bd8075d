// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the QEMU that holds a tap's descriptor, in a fake /proc tree:
 * libvirt's command line (-netdev {"type":"tap","fd":"29"}) for the MAC, the
 * daemon that created the tap and still holds it, a holder that is no QEMU,
 * two QEMUs holding the same tap, multiqueue fds=, and a missing tree.
 */

#include <errno.h>
#include <fcntl.h>
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

#include "fdholder.h"

#define UUID	"5a0c3e1e-7d4b-4c8a-9e1f-0b6c2d3e4f05"

static char root[64];

static void put(const char *rel, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* A process PID with ARGV (NUL-separated in CMDLINE, LEN bytes), uid UID. */
static void proc(unsigned int pid, const char *comm, const char *cmdline, size_t len,
		 unsigned int uid)
{
	char d[256], buf[512];

	snprintf(d, sizeof(d), "%s/%u", root, pid);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(buf, sizeof(buf), "%s/%u/fd", root, pid);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof(buf), "%s/%u/fdinfo", root, pid);
	assert_int_equal(mkdir(buf, 0755), 0);
	snprintf(buf, sizeof(buf),
		 "%u (%s) S 1 %u %u 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 4242 1000 10\n",
		 pid, comm, pid, pid);
	snprintf(d, sizeof(d), "%u/stat", pid);
	put(d, buf, strlen(buf));
	snprintf(buf, sizeof(buf), "Name:\t%s\nUid:\t%u\t%u\t%u\t%u\n", comm, uid, uid, uid, uid);
	snprintf(d, sizeof(d), "%u/status", pid);
	put(d, buf, strlen(buf));
	snprintf(d, sizeof(d), "%u/cmdline", pid);
	put(d, cmdline, len);
}

/* Descriptor FD of PID: a link to TARGET, bound to tap IFF ("" none). */
static void fd(unsigned int pid, int n, const char *target, const char *iff)
{
	char path[256], info[256];

	snprintf(path, sizeof(path), "%s/%u/fd/%d", root, pid, n);
	assert_int_equal(symlink(target, path), 0);
	snprintf(info, sizeof(info), "pos:\t0\nflags:\t0104002\nmnt_id:\t24\nino:\t107\n%s%s%s",
		 iff[0] ? "iff:\t" : "", iff, iff[0] ? "\n" : "");
	snprintf(path, sizeof(path), "%u/fdinfo/%d", pid, n);
	put(path, info, strlen(info));
}

static const char qemu_cmd[] =
	"/usr/bin/qemu-system-x86_64\0-name\0guest=ovskvm-eth,debug-threads=on\0-S\0"
	"-uuid\0" UUID "\0"
	"-netdev\0{\"type\":\"tap\",\"fd\":\"31\",\"id\":\"hostnet1\"}\0"
	"-device\0{\"driver\":\"virtio-net-pci\",\"netdev\":\"hostnet1\",\"id\":\"net1\",\"mac\":\"52:54:00:4c:00:09\"}\0"
	"-netdev\0{\"type\":\"tap\",\"fd\":\"29\",\"id\":\"hostnet0\"}\0"
	"-device\0{\"driver\":\"virtio-net-pci\",\"netdev\":\"hostnet0\",\"id\":\"net0\",\"mac\":\"52:54:00:4c:00:05\",\"bus\":\"pci.0\"}\0";
static const char libvirtd_cmd[] = "/usr/sbin/libvirtd\0-d\0";

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_fdholder.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_libvirt_guest(void **state)
{
	struct qemu_info info;
	struct fdholder h;
	char why[128];

	(void)state;
	/* libvirtd created vnet0 and vnet1 and still holds vnet0 */
	proc(231, "libvirtd", libvirtd_cmd, sizeof(libvirtd_cmd) - 1, 0);
	fd(231, 3, "/dev/null", "");
	fd(231, 27, "/dev/net/tun", "vnet0");
	proc(384, "qemu-system-x86", qemu_cmd, sizeof(qemu_cmd) - 1, 64055);
	fd(384, 0, "/dev/null", "");
	fd(384, 12, "/dev/net/tun", "vnet10");
	fd(384, 29, "/dev/net/tun", "vnet0");
	fd(384, 31, "/dev/net/tun", "vnet1");
	fd(384, 33, "/dev/kvm", "vnet0");	/* only a tun descriptor counts */

	assert_int_equal(fdholder_identify(root, "vnet0", &h, &info, why, sizeof(why)), 0);
	assert_int_equal(h.pid, 384);
	assert_int_equal(h.fd, 29);
	assert_int_equal(h.uid, 64055);
	assert_int_equal(h.start_ticks, 4242);
	assert_string_equal(info.name, "ovskvm-eth");
	assert_string_equal(info.uuid, UUID);
	assert_string_equal(info.mac, "52:54:00:4c:00:05");

	assert_int_equal(fdholder_identify(root, "vnet1", &h, &info, why, sizeof(why)), 0);
	assert_int_equal(h.fd, 31);
	assert_string_equal(info.mac, "52:54:00:4c:00:09");

	/* "vnet1" is no prefix of "vnet10": held, but on no -netdev */
	assert_int_equal(fdholder_identify(root, "vnet10", &h, &info, why, sizeof(why)), 0);
	assert_int_equal(h.fd, 12);
	assert_string_equal(info.name, "ovskvm-eth");
	assert_string_equal(info.mac, "");

	/* held by nobody, or by libvirtd only (QEMU not started yet) */
	assert_int_equal(fdholder_identify(root, "vnet2", &h, &info, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "no QEMU system emulator holds the tap");
	assert_int_equal(h.pid, 0);
	assert_string_equal(info.name, "");
}

static void test_libvirtd_only(void **state)
{
	struct qemu_info info;
	struct fdholder h;
	char why[128];

	(void)state;
	proc(231, "rpc-libvirtd", libvirtd_cmd, sizeof(libvirtd_cmd) - 1, 0);
	fd(231, 27, "/dev/net/tun", "vnet0");
	assert_int_equal(fdholder_identify(root, "vnet0", &h, &info, why, sizeof(why)), -ENOENT);
}

static void test_two_qemus(void **state)
{
	struct qemu_info info;
	struct fdholder h;
	char why[128];

	(void)state;
	proc(384, "qemu-system-x86", qemu_cmd, sizeof(qemu_cmd) - 1, 64055);
	fd(384, 29, "/dev/net/tun", "vnet0");
	proc(385, "qemu-system-x86", qemu_cmd, sizeof(qemu_cmd) - 1, 64055);
	fd(385, 29, "/dev/net/tun", "vnet0");
	assert_int_equal(fdholder_identify(root, "vnet0", &h, &info, why, sizeof(why)), -EEXIST);
	assert_string_equal(info.name, "");
	assert_string_equal(info.mac, "");
	assert_int_equal(h.pid, 0);
}

static void test_multiqueue(void **state)
{
	static const char mq[] =
		"qemu-system-x86_64\0-name\0mq\0"
		"-netdev\0tap,id=n0,fds=40:41:42,vhost=on\0"
		"-device\0virtio-net-pci,netdev=n0,mq=on,mac=52:54:00:00:00:42\0";
	struct qemu_info info;
	struct fdholder h;
	char why[128];

	(void)state;
	proc(500, "qemu-system-x86", mq, sizeof(mq) - 1, 0);
	fd(500, 41, "/dev/net/tun", "vnet7");
	assert_int_equal(fdholder_identify(root, "vnet7", &h, &info, why, sizeof(why)), 0);
	assert_int_equal(h.fd, 41);
	assert_string_equal(info.name, "mq");
	assert_string_equal(info.mac, "52:54:00:00:00:42");
}

static void test_no_proc(void **state)
{
	struct qemu_info info;
	struct fdholder h;
	char why[128], path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/none", root);
	assert_int_equal(fdholder_identify(path, "vnet0", &h, &info, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "cannot be read"));
}

static void test_hands_off(void **state)
{
	(void)state;
	assert_true(fdholder_creator_hands_off("rpc-libvirtd"));
	assert_true(fdholder_creator_hands_off("rpc-virtqemud"));
	assert_true(fdholder_creator_hands_off("prio-rpc-libvir"));
	assert_false(fdholder_creator_hands_off("qemu-system-x86"));
	assert_false(fdholder_creator_hands_off("tapctl"));
	assert_false(fdholder_creator_hands_off("rpc-libvirtd2"));
}

static void test_parse_fd(void **state)
{
	struct qemu_info info;

	(void)state;
	assert_int_equal(qemu_cmdline_parse_fd(qemu_cmd, sizeof(qemu_cmd) - 1, 29, &info), 0);
	assert_string_equal(info.mac, "52:54:00:4c:00:05");
	assert_int_equal(qemu_cmdline_parse_fd(qemu_cmd, sizeof(qemu_cmd) - 1, 2, &info), 0);
	assert_string_equal(info.mac, "");
	assert_string_equal(info.name, "ovskvm-eth");
	assert_int_equal(qemu_cmdline_parse_fd(qemu_cmd, sizeof(qemu_cmd) - 1, -1, &info), 0);
	assert_string_equal(info.mac, "");
	assert_int_equal(qemu_cmdline_parse_fd(libvirtd_cmd, sizeof(libvirtd_cmd) - 1, 29, &info),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_libvirt_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_libvirtd_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_qemus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiqueue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_proc, setup, teardown),
		cmocka_unit_test(test_hands_off),
		cmocka_unit_test(test_parse_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
