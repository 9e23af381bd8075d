// SPDX-License-Identifier: GPL-2.0
/*
 * daemon.c's event handling against the fake ovsdb-server of
 * tests/fake_ovsdb.h: the order in which the module's events, OVSDB replies
 * and signals arrive never attaches a gone tap or loses a live one.
 *
 * daemon.c is included, so its static functions (on_event, step, the wait
 * hook and the replay of what it saved) are called directly; the libagent.a
 * copy of it is then never linked.  ovsdb_transact() is the fake's; the
 * module's event socket is wrapped (genl_recv_events, genl_parse_events)
 * so that a saved "datagram" is simply a struct ovskvm_event.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.c"
#include "ovsdb_txn.h"
#include "tests/fake_ovsdb.h"

/* ---- the module's event socket ------------------------------------------ */

#define MAX_QUEUED	8

static struct {
	struct ovskvm_event q[MAX_QUEUED];	/* not yet read */
	int n;
	bool overrun;			/* the next read says ENOBUFS */
} sock;

int __wrap_genl_recv_events(struct genl *g);
void __wrap_genl_parse_events(const void *buf, size_t len, genl_event_cb cb,
			      void *data);

int __wrap_genl_recv_events(struct genl *g)
{
	if (sock.overrun) {
		sock.overrun = false;
		return -ENOBUFS;
	}
	if (!sock.n)
		return 0;
	memcpy(g->buf, &sock.q[0], sizeof(sock.q[0]));
	memmove(&sock.q[0], &sock.q[1], --sock.n * sizeof(sock.q[0]));
	return sizeof(sock.q[0]);
}

void __wrap_genl_parse_events(const void *buf, size_t len, genl_event_cb cb,
			      void *data)
{
	struct ovskvm_event ev;

	assert_int_equal(len, sizeof(ev));
	memcpy(&ev, buf, sizeof(ev));
	cb(&ev, data);
}

static struct ovskvm_event port_event(uint8_t cmd, uint64_t seq, uint32_t ifindex,
				      const char *name)
{
	struct ovskvm_event ev = {
		.cmd = cmd, .known = true, .has_seq = true, .seq = seq,
		.port = {
			.ifindex = ifindex, .state = OVSKVM_PORT_PENDING,
			.has_rule = true, .rule_id = 1,
			.bridge_kind = OVSKVM_BRIDGE_OVS, .bridge = "br0",
		},
	};

	snprintf(ev.port.ifname, sizeof(ev.port.ifname), "%s", name);
	return ev;
}

/* The module sends EV: it waits on the socket until read. */
static void module_sends(struct ovskvm_event ev)
{
	assert_true(sock.n < MAX_QUEUED);
	sock.q[sock.n++] = ev;
}

/* ---- what happens while an OVSDB call waits ------------------------------ */

static struct agent *agent;
static int sig_pipe[2];
static bool sigterm_in_call;	/* a SIGTERM comes during the next write */
static bool event_in_call;	/* the module sends ev_in_call meanwhile */
static struct ovskvm_event ev_in_call;
static unsigned int n_pending_in_call;

/*
 * The fake's "a write waits for its reply": what arrives now makes ovsdb.c's
 * wait call the agent's hook, as its descriptors are readable.
 */
static int waiting(void)
{
	bool readable = false;

	if (event_in_call) {
		module_sends(ev_in_call);
		event_in_call = false;
		readable = true;
	}
	if (sigterm_in_call) {
		struct signalfd_siginfo si = { .ssi_signo = SIGTERM };

		assert_int_equal(write(sig_pipe[1], &si, sizeof(si)), sizeof(si));
		sigterm_in_call = false;
		readable = true;
	}
	n_pending_in_call = agent->n_pending;
	if (!readable)
		return 0;
	return serve_during_call(agent);
}

/* ---- the agent under test ------------------------------------------------ */

static const char conf[] = "[Agent]\nBridge=br0\n[Rule]\nName=*\n";
static char tmpdir[64], reasons_path[128];

static int setup(void **state)
{
	FILE *null = fopen("/dev/null", "w");
	struct agent *a = calloc(1, sizeof(*a));

	strcpy(tmpdir, "/tmp/ovskvm-daemon-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(reasons_path, sizeof(reasons_path), "%s/run/pending", tmpdir);
	assert_return_code(pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC), errno);

	assert_non_null(a);
	config_init(&a->cfg);
	assert_int_equal(config_parse(&a->cfg, "t.conf", conf, strlen(conf), null), 0);
	fclose(null);
	a->policy_ours = true;
	a->cfg.timeout_ms = 100;
	a->db = (struct ovsdb *)&fake;	/* only ever handed to the wrappers */
	a->reasons_path = reasons_path;
	a->sfd = sig_pipe[0];
	a->ev.buf = malloc(GENL_BUF_SIZE);
	a->deferred_tail = &a->deferred;
	a->have_seq = true;
	a->seq = 100;
	fake_reset();
	fake.waiting = waiting;
	memset(&sock, 0, sizeof(sock));
	agent = a;
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	struct agent *a = *state;
	char dir[128];

	free_deferred(a);
	free(a->ev.buf);
	config_free(&a->cfg);
	free(a->pending);
	free(a->gone);
	free(a);
	fake_reset();
	unlink(reasons_path);
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	rmdir(dir);
	rmdir(tmpdir);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	return 0;
}

/*
 * What genl_read_events() does in the main loop (its own calls of the two
 * halves are inside genl.o, where the wrappers do not reach).
 */
static int read_events(struct agent *a)
{
	int n;

	while ((n = __wrap_genl_recv_events(&a->ev)) > 0)
		__wrap_genl_parse_events(a->ev.buf, n, on_event, a);
	return n;
}

/* Events as the main loop reads them, then one turn of its work. */
static void loop_once(struct agent *a)
{
	assert_int_equal(read_events(a), 0);
	a->batch_at = a->batch_at ? 1 : 0;	/* due now */
	step(a);
	replay_deferred(a);
	handle_signals(a);
}

static bool in_ovs(const char *name)
{
	return fake_port(name) != NULL;
}

/* ---- tests ---------------------------------------------------------------- */

/* PORT_CHANGED (a port now meant for OVS) is acted on like PORT_NEW. */
static void test_port_changed(void **state)
{
	struct agent *a = *state;

	module_sends(port_event(OVSKVM_CMD_PORT_CHANGED, 101, 7, "vnet7"));
	loop_once(a);
	assert_true(in_ovs("vnet7"));
	assert_int_equal(a->seq, 101);
	assert_false(a->resync);
}

/*
 * After a resync read the module's state up to its snapshot's sequence, the
 * events still queued from before it are old news: a PORT_NEW among them
 * would bring back a tap that is gone.
 */
static void test_replay_below_snapshot(void **state)
{
	struct agent *a = *state;

	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 95, 5, "vnet5"));
	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 100, 6, "vnet6"));
	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 101, 8, "vnet8"));
	loop_once(a);
	assert_false(in_ovs("vnet5"));
	assert_false(in_ovs("vnet6"));
	assert_true(in_ovs("vnet8"));
	assert_false(a->resync);
}

/* A gap in the sequence is lost events: resync. */
static void test_gap_resyncs(void **state)
{
	struct agent *a = *state;

	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 103, 9, "vnet9"));
	assert_int_equal(read_events(a), 0);
	assert_true(a->resync);
	assert_int_equal(a->seq, 103);
}

/* A newer module's command is ignored, one of ours that does not parse is not. */
static void test_unknown_command(void **state)
{
	struct agent *a = *state;
	struct ovskvm_event ev = port_event(OVSKVM_CMD_MAX + 7, 101, 3, "vnet3");

	ev.known = false;
	module_sends(ev);
	loop_once(a);
	assert_false(a->resync);
	assert_false(in_ovs("vnet3"));
	assert_int_equal(a->seq, 101);

	ev = port_event(OVSKVM_CMD_PORT_NEW, 102, 3, "vnet3");
	ev.known = false;
	module_sends(ev);
	assert_int_equal(read_events(a), 0);
	assert_true(a->resync);
}

/*
 * The tap goes while the transaction attaching it waits for its reply: the
 * PORT_DEL is read off the socket during the call but acted on only after
 * it (the batch the call is about stays as it was), and then the row the
 * call created is removed.
 */
static void test_del_during_attach(void **state)
{
	struct agent *a = *state;

	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 101, 4, "vnet4"));
	ev_in_call = port_event(OVSKVM_CMD_PORT_DEL, 102, 4, "vnet4");
	event_in_call = true;
	loop_once(a);
	assert_int_equal(n_pending_in_call, 1);
	assert_int_equal(sock.n, 0);		/* read during the call ... */
	assert_int_equal(a->n_pending, 0);	/* ... and acted on after it */
	assert_int_equal(a->n_gone, 1);
	assert_true(in_ovs("vnet4"));		/* the attach committed */
	assert_null(a->deferred);
	assert_int_equal(a->deferred_bytes, 0);

	loop_once(a);				/* the next batch removes it */
	assert_false(in_ovs("vnet4"));
	assert_int_equal(a->n_gone, 0);
	assert_false(a->resync);
}

/* The event socket overflows during a call: a resync once it is over. */
static void test_overrun_during_call(void **state)
{
	struct agent *a = *state;

	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 101, 4, "vnet4"));
	sock.overrun = false;
	ev_in_call = port_event(OVSKVM_CMD_PORT_NEW, 102, 5, "vnet5");
	event_in_call = true;
	fake.waiting = waiting;
	/* the read during the call reports ENOBUFS first */
	a->batch_at = 0;
	assert_int_equal(read_events(a), 0);
	sock.overrun = true;
	a->batch_at = 1;
	step(a);
	assert_false(a->resync);		/* not in the middle of the batch */
	assert_true(a->events_overran);
	replay_deferred(a);
	assert_true(a->resync);
	assert_false(a->events_overran);
	assert_true(in_ovs("vnet4"));
}

/*
 * SIGTERM while a call waits: the call is given up and nothing more is sent,
 * not even the one-port transactions that follow a failed batch.
 */
static void test_sigterm_during_call(void **state)
{
	struct agent *a = *state;
	int txn;

	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 101, 4, "vnet4"));
	module_sends(port_event(OVSKVM_CMD_PORT_NEW, 102, 5, "vnet5"));
	sigterm_in_call = true;
	loop_once(a);
	assert_true(a->stop);
	assert_false(in_ovs("vnet4"));		/* given up before it committed */
	assert_false(in_ovs("vnet5"));
	assert_int_equal(fake.n_txn, 0);
	txn = fake.n_txn;
	a->batch_at = 1;
	step(a);				/* a stopping agent sends nothing */
	assert_int_equal(fake.n_txn, txn);
}

/* SIGHUP while a call waits: the reload waits for the call. */
static void test_sighup_waits(void **state)
{
	struct agent *a = *state;
	struct signalfd_siginfo si = { .ssi_signo = SIGHUP };

	assert_int_equal(write(sig_pipe[1], &si, sizeof(si)), sizeof(si));
	assert_int_equal(serve_during_call(a), 0);	/* the call goes on */
	assert_true(a->reload_wanted);
	assert_false(a->stop);
}

/*
 * Events beyond DEFERRED_MAX during one call are read and dropped (the
 * socket would stay readable and the wait spin otherwise), and a resync
 * follows the call.
 */
static void test_deferred_bound(void **state)
{
	struct agent *a = *state;
	int i;

	a->deferred_bytes = DEFERRED_MAX - sizeof(struct ovskvm_event);
	for (i = 0; i < 3; i++)
		module_sends(port_event(OVSKVM_CMD_PORT_NEW, 101 + i, 10 + i, "vnet"));
	assert_int_equal(serve_during_call(a), 0);
	assert_int_equal(sock.n, 0);		/* all read: nothing left to poll */
	assert_non_null(a->deferred);		/* the first one fitted */
	assert_null(a->deferred->next);
	assert_true(a->events_overran);
	a->deferred_bytes = sizeof(struct ovskvm_event);
	replay_deferred(a);
	assert_true(a->resync);
	assert_int_equal(a->deferred_bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_port_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_below_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_resyncs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_during_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrun_during_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_during_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sighup_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred_bound, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
