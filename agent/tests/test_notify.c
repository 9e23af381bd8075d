// SPDX-License-Identifier: GPL-2.0
/*
 * What the agent tells systemd, and when: sd_notify() is wrapped
 * (tests/test_notify.wrap) and records each message; the tests drive
 * notify.c through the agent states daemon.c passes it.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "agent.h"
#include "notify.h"

#define MAX_SENT	8

static char sent[MAX_SENT][NOTIFY_STATUS_MAX + 128];
static unsigned int n_sent;
static int notify_ret = 1;	/* what sd_notify() returns: 1 sent, 0 no socket */

int __wrap_sd_notify(int unset_environment, const char *state);
int __wrap_sd_notify(int unset_environment, const char *state)
{
	assert_int_equal(unset_environment, 0);
	assert_true(n_sent < MAX_SENT);
	snprintf(sent[n_sent++], sizeof(sent[0]), "%s", state);
	return notify_ret;
}

static struct agent_options opt = { .config_path = "/etc/ovskvm.conf" };
static struct agent a;
static int fake_db;

/* An agent as start() leaves it: 3 rules pushed, OVSDB not tried yet. */
static int setup(void **state)
{
	(void)state;
	memset(&a, 0, sizeof(a));
	a.opt = &opt;
	config_init(&a.cfg);
	snprintf(a.cfg.path, sizeof(a.cfg.path), "%s", opt.config_path);
	a.cfg.n_rules = 3;
	a.policy_gen = 7;
	a.policy_ours = true;
	a.resync = true;
	a.sfd = -1;
	n_sent = 0;
	notify_ret = 1;
	notify_init();
	return 0;
}

/* step() as it goes when all is well: OVSDB connected, the resync done. */
static void step_ok(void)
{
	a.db = (struct ovsdb *)&fake_db;
	a.resync = false;
}

static void assert_sent(unsigned int n)
{
	if (n_sent != n) {
		unsigned int i;

		for (i = 0; i < n_sent; i++)
			print_message("sent[%u]: %s\n", i, sent[i]);
	}
	assert_int_equal(n_sent, n);
}

static void test_no_ready_before_first_resync(void **state)
{
	(void)state;
	notify_update(&a);		/* the loop's first turn, step() not run */
	a.db = (struct ovsdb *)&fake_db;
	notify_update(&a);
	assert_sent(0);
}

static void test_ready_after_first_resync(void **state)
{
	(void)state;
	step_ok();
	notify_update(&a);
	assert_sent(1);
	assert_string_equal(sent[0],
		"READY=1\nSTATUS=3 rules of /etc/ovskvm.conf in force (generation 7); OVSDB connected");
	notify_update(&a);		/* nothing changed: nothing sent */
	notify_update(&a);
	assert_sent(1);
}

/* OVSDB down never delays READY=1: the taps wait pending in the kernel. */
static void test_ready_with_ovsdb_down(void **state)
{
	(void)state;
	a.resync = false;
	a.cfg.n_rules = 1;
	notify_update(&a);
	assert_sent(1);
	assert_string_equal(sent[0],
		"READY=1\nSTATUS=1 rule of /etc/ovskvm.conf in force (generation 7); OVSDB unix:/var/run/openvswitch/db.sock unreachable, taps wait pending");
	a.db = (struct ovsdb *)&fake_db;	/* it comes back */
	notify_update(&a);
	assert_sent(2);
	assert_string_equal(sent[1],
		"STATUS=1 rule of /etc/ovskvm.conf in force (generation 7); OVSDB connected");
	a.db = NULL;			/* and goes again */
	notify_update(&a);
	assert_sent(3);
	assert_string_equal(sent[2],
		"STATUS=1 rule of /etc/ovskvm.conf in force (generation 7); OVSDB unix:/var/run/openvswitch/db.sock unreachable, taps wait pending");
}

/* A first resync that failed has run: READY=1, saying it is retried. */
static void test_ready_after_failed_first_resync(void **state)
{
	(void)state;
	a.db = (struct ovsdb *)&fake_db;
	a.resync = true;
	a.resync_at = 123456;		/* resync() set its retry */
	notify_update(&a);
	assert_sent(1);
	assert_string_equal(sent[0],
		"READY=1\nSTATUS=3 rules of /etc/ovskvm.conf in force (generation 7); OVSDB connected; resync failed, retrying (see the journal)");
	a.resync = false;		/* the retry worked */
	notify_update(&a);
	assert_sent(2);
	assert_string_equal(sent[1],
		"STATUS=3 rules of /etc/ovskvm.conf in force (generation 7); OVSDB connected");
}

static void test_default_policy(void **state)
{
	(void)state;
	a.cfg.n_rules = 0;
	step_ok();
	notify_update(&a);
	assert_sent(1);
	assert_string_equal(sent[0],
		"READY=1\nSTATUS=no rules in /etc/ovskvm.conf: the module's default policy (generation 7); OVSDB connected");
}

static void test_policy_replaced(void **state)
{
	(void)state;
	step_ok();
	notify_update(&a);
	a.policy_ours = false;		/* POLICY_CHANGED from someone else */
	notify_update(&a);
	assert_sent(2);
	assert_string_equal(sent[1],
		"STATUS=another program replaced the policy of /etc/ovskvm.conf: 'systemctl reload ovskvm' pushes it again; OVSDB connected");
}

static unsigned long long monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* RELOADING=1 with the time, then READY=1 and the new policy. */
static void test_reload(void **state)
{
	unsigned long long before, after, usec;
	char status[64];

	(void)state;
	step_ok();
	notify_update(&a);
	before = monotonic_usec();
	notify_reloading(&a);
	after = monotonic_usec();
	assert_sent(2);
	assert_int_equal(sscanf(sent[1], "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=%63[^\n]",
				&usec, status), 2);
	assert_true(usec >= before && usec <= after);
	assert_string_equal(status, "reloading /etc/ovskvm.conf");

	a.policy_gen = 8;		/* reload() pushed the new file */
	a.cfg.n_rules = 2;
	a.resync = true;		/* and asked for a resync */
	notify_reloaded(&a);
	assert_sent(3);
	assert_string_equal(sent[2],
		"READY=1\nSTATUS=2 rules of /etc/ovskvm.conf in force (generation 8); OVSDB connected");
	a.resync = false;		/* the next step() ran it */
	notify_update(&a);
	assert_sent(3);
}

/* A failed reload says so until a reload succeeds. */
static void test_reload_failed(void **state)
{
	(void)state;
	step_ok();
	notify_update(&a);
	notify_reloading(&a);
	notify_reloaded(&a);		/* the generation did not move */
	assert_sent(3);
	assert_string_equal(sent[2],
		"READY=1\nSTATUS=reload failed (see the journal), the previous policy stays: 3 rules of /etc/ovskvm.conf in force (generation 7); OVSDB connected");
	notify_update(&a);
	assert_sent(3);
	a.db = NULL;
	notify_update(&a);
	assert_sent(4);
	assert_string_equal(sent[3],
		"STATUS=reload failed (see the journal), the previous policy stays: 3 rules of /etc/ovskvm.conf in force (generation 7); OVSDB unix:/var/run/openvswitch/db.sock unreachable, taps wait pending");
	a.db = (struct ovsdb *)&fake_db;
	notify_reloading(&a);
	a.policy_gen = 9;
	notify_reloaded(&a);
	assert_sent(6);
	assert_string_equal(sent[5],
		"READY=1\nSTATUS=3 rules of /etc/ovskvm.conf in force (generation 9); OVSDB connected");
}

/* Before READY=1, systemd is still starting the unit: no RELOADING=1. */
static void test_reload_before_ready(void **state)
{
	(void)state;
	notify_reloading(&a);
	a.policy_gen = 8;
	notify_reloaded(&a);
	assert_sent(0);
	step_ok();
	notify_update(&a);
	assert_sent(1);
	assert_string_equal(sent[0],
		"READY=1\nSTATUS=3 rules of /etc/ovskvm.conf in force (generation 8); OVSDB connected");
}

static void test_stopping(void **state)
{
	(void)state;
	step_ok();
	notify_update(&a);
	notify_stopping(0);
	assert_sent(2);
	assert_string_equal(sent[1], "STOPPING=1\nSTATUS=stopping");
	notify_stopping(-EIO);		/* the loop failed after READY=1 */
	assert_sent(3);
	assert_string_equal(sent[2], "STOPPING=1\nSTATUS=stopping after an error (see the journal)");
}

static void test_start_failed(void **state)
{
	(void)state;
	notify_stopping(-EPROTO);
	notify_stopping(1);
	assert_sent(2);
	assert_string_equal(sent[0], "STATUS=failed to start: Protocol error (see the journal)\nERRNO=71");
	assert_string_equal(sent[1], "STATUS=failed to start (see the journal)");
}

/* Outside systemd sd_notify() sends nothing; a failure is not fatal. */
static void test_no_socket_or_failure(void **state)
{
	(void)state;
	notify_ret = 0;
	step_ok();
	notify_update(&a);
	notify_ret = -ECONNREFUSED;
	a.db = NULL;
	notify_update(&a);
	a.db = (struct ovsdb *)&fake_db;
	notify_update(&a);
	notify_stopping(0);
	assert_sent(4);
}

/* Long paths are cut, never overrun. */
static void test_long_paths(void **state)
{
	char buf[NOTIFY_STATUS_MAX];

	(void)state;
	memset(a.cfg.path, 'p', sizeof(a.cfg.path) - 1);
	a.cfg.path[sizeof(a.cfg.path) - 1] = '\0';
	memset(a.cfg.ovsdb, 'o', sizeof(a.cfg.ovsdb) - 1);
	a.cfg.ovsdb[sizeof(a.cfg.ovsdb) - 1] = '\0';
	a.policy_ours = false;
	notify_summary(&a, true, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	notify_summary(&a, true, buf, 40);
	assert_int_equal(strlen(buf), 39);
	a.resync = false;
	notify_update(&a);
	assert_sent(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_ready_before_first_resync, setup),
		cmocka_unit_test_setup(test_ready_after_first_resync, setup),
		cmocka_unit_test_setup(test_ready_with_ovsdb_down, setup),
		cmocka_unit_test_setup(test_ready_after_failed_first_resync, setup),
		cmocka_unit_test_setup(test_default_policy, setup),
		cmocka_unit_test_setup(test_policy_replaced, setup),
		cmocka_unit_test_setup(test_reload, setup),
		cmocka_unit_test_setup(test_reload_failed, setup),
		cmocka_unit_test_setup(test_reload_before_ready, setup),
		cmocka_unit_test_setup(test_stopping, setup),
		cmocka_unit_test_setup(test_start_failed, setup),
		cmocka_unit_test_setup(test_no_socket_or_failure, setup),
		cmocka_unit_test_setup(test_long_paths, setup),
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
