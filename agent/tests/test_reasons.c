// SPDX-License-Identifier: GPL-2.0
/*
 * The reasons file between the agent and `ovskvm status`: written
 * atomically, matched on ifindex and name, one line per tap whatever the
 * reason holds.
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "reasons.h"

static void test_format_find(void **state)
{
	const struct port_reason r[] = {
		{ 10, "vnet1", "bridge br7 does not exist in OVSDB" },
		{ 11, "vnet10", "two\nlines\tand a tab" },
		{ 12, "tap\xe9", "the tap's name tap\\xe9 is not UTF-8" },
		{ 13, "bad\tname", "never written: a name cannot hold a tab" },
		{ 14, "x", "caf\xe9 au lait" },
	};
	char out[64], *text = reasons_format(r, 5, 42);

	assert_non_null(text);
	assert_non_null(strstr(text, "# Taps the ovskvm agent (pid 42) has not attached yet"));
	assert_string_equal(reasons_find(text, 10, "vnet1", out, sizeof(out)),
			    "bridge br7 does not exist in OVSDB");
	assert_string_equal(reasons_find(text, 11, "vnet10", out, sizeof(out)),
			    "two lines and a tab");
	assert_string_equal(reasons_find(text, 12, "tap\xe9", out, sizeof(out)),
			    "the tap's name tap\\xe9 is not UTF-8");
	assert_string_equal(reasons_find(text, 14, "x", out, sizeof(out)), "caf? au lait");
	/* both must match: a reused name, a prefix, another ifindex */
	assert_null(reasons_find(text, 11, "vnet1", out, sizeof(out)));
	assert_null(reasons_find(text, 10, "vnet10", out, sizeof(out)));
	assert_null(reasons_find(text, 1, "vnet1", out, sizeof(out)));
	assert_null(reasons_find(text, 13, "bad\tname", out, sizeof(out)));
	assert_null(reasons_find(NULL, 10, "vnet1", out, sizeof(out)));
	/* cut to fit */
	assert_string_equal(reasons_find(text, 10, "vnet1", out, 7), "bridge");
	free(text);
	/* a last line without its newline, junk lines */
	assert_string_equal(reasons_find("junk\n\n7\tt7\n5\tt5\tlast", 5, "t5", out, sizeof(out)),
			    "last");
	assert_null(reasons_find("junk\n\n7\tt7\n5\tt5\tlast", 7, "t7", out, sizeof(out)));
}

static void test_save_load(void **state)
{
	const struct port_reason r[] = { { 3, "vnet3", "why" } };
	char dir[] = "/tmp/ovskvm-reasons-XXXXXX", path[160], sub[128], out[16], *text;
	struct stat st;
	mode_t mask;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/pending", sub);
	assert_null(reasons_load(path));
	/* nothing to say: no file, and no error */
	assert_int_equal(reasons_save(path, r, 0), 0);
	/* the directory is made as need be */
	assert_int_equal(reasons_save(path, r, 1), 0);
	assert_int_equal(stat(path, &st), 0);
	mask = umask(0);
	umask(mask);
	assert_int_equal(st.st_mode & 0777, 0644 & ~mask);	/* the unit's UMask= */
	text = reasons_load(path);
	assert_string_equal(reasons_find(text, 3, "vnet3", out, sizeof(out)), "why");
	free(text);
	assert_int_equal(reasons_save(path, r, 0), 0);
	assert_int_equal(access(path, F_OK), -1);
	/* a directory where the file should be is not read */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(reasons_load(path));
	assert_int_not_equal(reasons_save(path, r, 1), 0);
	rmdir(path);
	rmdir(sub);
	rmdir(dir);
}

/* Reasons of an agent that has stopped are not shown as current. */
static void test_writer_alive(void **state)
{
	const struct port_reason r[] = { { 3, "vnet3", "why" } };
	char comm[32], *text;

	assert_false(reasons_writer_alive(NULL));
	assert_false(reasons_writer_alive("3\tvnet3\twhy\n"));
	/* this process, under another name and then as "ovskvm" */
	text = reasons_format(r, 1, getpid());
	assert_false(reasons_writer_alive(text));
	assert_int_equal(prctl(PR_GET_NAME, comm), 0);
	assert_int_equal(prctl(PR_SET_NAME, "ovskvm"), 0);
	assert_true(reasons_writer_alive(text));
	assert_int_equal(prctl(PR_SET_NAME, comm), 0);
	free(text);
	/* no such process */
	text = reasons_format(r, 1, INT32_MAX);
	assert_false(reasons_writer_alive(text));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_find),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_writer_alive),
	};

	return cmocka_run_group_tests_name("reasons", tests, NULL, NULL);
}
