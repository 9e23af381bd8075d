// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the OVSDB connection: framing, echo, ids, timeouts and
 * errors, against a fake server on a unix socket in a temporary directory.
 * The fake server writes its bytes before (or, from a child process, while)
 * the client waits, exactly as ovsdb-server does: objects back to back with
 * no delimiter, echo requests in between.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ovsdb.h"
#include "ovsdb_txn.h"
#include "tests/json_assert.h"

struct fake {
	char dir[64];
	char path[128];
	int lfd;		/* listening */
	int sfd;		/* server side of the connection */
	struct ovsdb *db;
};

static int fake_setup(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct fake *f = calloc(1, sizeof(*f));
	char *err = NULL;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/ovsdb-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/db.sock", f->dir);
	strcpy(sun.sun_path, f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_return_code(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), errno);
	assert_return_code(listen(f->lfd, 4), errno);

	f->db = ovsdb_connect(f->path, 1000, &err);
	if (!f->db)
		fail_msg("connect: %s", err);
	f->sfd = accept(f->lfd, NULL, NULL);
	assert_true(f->sfd >= 0);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	ovsdb_close(f->db);
	if (f->sfd >= 0)
		close(f->sfd);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void srv_write(struct fake *f, const char *s)
{
	assert_int_equal(write(f->sfd, s, strlen(s)), (ssize_t)strlen(s));
}

/*
 * Everything the client sent, split into messages with jansson's own
 * position reporting (the other framing technique).
 */
static json_t *srv_read(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	json_t *msgs = json_array(), *m;
	static char buf[65536];
	size_t len = 0, off = 0;
	json_error_t jerr;
	ssize_t n;

	while (poll(&pfd, 1, 200) > 0) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n <= 0)
			break;
		len += n;
	}
	while (off < len) {
		m = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
		if (!m)
			break;
		json_array_append_new(msgs, m);
		off += jerr.position;
	}
	return msgs;
}

static char *data_file(const char *name)
{
	const char *dir = getenv("TEST_DATA_DIR") ?: "tests/data";
	char path[4096], *text;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (!fp)
		fail_msg("cannot open %s (set TEST_DATA_DIR)", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	text = calloc(1, n + 1);
	assert_int_equal(fread(text, 1, n, fp), (size_t)n);
	fclose(fp);
	text[strcspn(text, "\n")] = 0;	/* one message, no delimiter */
	return text;
}

/* ---- connect ------------------------------------------------------------- */

static void test_connect_errors(void **state)
{
	char *err = NULL, longp[200];

	(void)state;
	assert_null(ovsdb_connect("unix:/nonexistent/db.sock", 100, &err));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, "cannot connect to /nonexistent/db.sock: "
			    "No such file or directory (is ovsdb-server running?)");

	assert_null(ovsdb_connect("tcp:127.0.0.1:6640", 100, &err));
	assert_int_equal(errno, EAFNOSUPPORT);
	assert_contains(err, "only unix sockets are supported");

	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	assert_null(ovsdb_connect(longp, 100, &err));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_contains(err, "socket path too long");

	assert_null(ovsdb_connect("/dev/null", 100, &err));
	assert_int_equal(errno, ECONNREFUSED);
	free(err);
}

static void test_connect_path_forms(void **state)
{
	struct fake *f = *state;
	char target[160];
	struct ovsdb *db;

	assert_string_equal(ovsdb_path(f->db), f->path);
	assert_true(ovsdb_is_connected(f->db));
	assert_true(ovsdb_fd(f->db) >= 0);
	snprintf(target, sizeof(target), "unix:%s", f->path);
	db = ovsdb_connect(target, 100, NULL);
	assert_non_null(db);
	assert_string_equal(ovsdb_path(db), f->path);
	ovsdb_close(db);
}

/* ---- calls --------------------------------------------------------------- */

/* A real echo request from ovsdb-server, glued to the reply as it sends them. */
static void test_call_answers_echo(void **state)
{
	struct fake *f = *state;
	char *echo = data_file("server_echo.json");
	json_t *result, *sent;
	char *err = NULL;

	srv_write(f, echo);
	srv_write(f, "{\"id\":1,\"result\":[{\"count\":0}],\"error\":null}");
	free(echo);

	assert_int_equal(ovsdb_transact(f->db, json_array(), &result, &err, 1000), 0);
	assert_json(result, "[{\"count\":0}]");
	json_decref(result);

	sent = srv_read(f->sfd);
	assert_int_equal(json_array_size(sent), 2);
	assert_json(json_array_get(sent, 0),
		    "{\"method\":\"transact\",\"params\":[\"Open_vSwitch\"],\"id\":1}");
	assert_json(json_array_get(sent, 1),
		    "{\"id\":\"echo\",\"result\":[],\"error\":null}");
	json_decref(sent);
}

static void test_transact_keeps_db_name(void **state)
{
	struct fake *f = *state;
	json_t *result, *sent;

	srv_write(f, "{\"id\":1,\"result\":[],\"error\":null}");
	assert_int_equal(ovsdb_transact(f->db, json_pack("[s{ss}]", "Open_vSwitch",
							 "op", "comment"),
					&result, NULL, 1000), 0);
	json_decref(result);
	sent = srv_read(f->sfd);
	assert_json(json_object_get(json_array_get(sent, 0), "params"),
		    "[\"Open_vSwitch\",{\"op\":\"comment\"}]");
	json_decref(sent);
	assert_int_equal(ovsdb_transact(f->db, json_object(), &result, NULL, 10),
			 -EINVAL);
}

/*
 * A child writes echo and reply one byte at a time while the parent waits,
 * with braces, brackets and escaped quotes inside strings.
 */
static void test_fragmented_reply(void **state)
{
	static const char reply[] =
		"  {\"id\":\"e1\",\"method\":\"echo\",\"params\":[\"}]\"]}\n"
		"{\"error\":null,\"id\":1,\"result\":[\"}{\\\"]\",\"\\\\\",{\"a\":[[]]}]}";
	struct fake *f = *state;
	json_t *result;
	char *err = NULL;
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		json_t *want = json_pack("[s]", "}]"), *sent;
		size_t i;
		int ok;

		for (i = 0; i < sizeof(reply) - 1; i++) {
			if (write(f->sfd, &reply[i], 1) != 1)
				_exit(2);
			usleep(300);
		}
		sent = srv_read(f->sfd);	/* request and echo reply */
		ok = json_array_size(sent) == 2 &&
		     json_equal(json_object_get(json_array_get(sent, 1), "result"),
				want);
		json_decref(want);
		json_decref(sent);
		_exit(ok ? 0 : 3);
	}
	assert_int_equal(ovsdb_call(f->db, "list_dbs", json_array(), &result,
				    &err, 3000), 0);
	assert_json(result, "[\"}{\\\"]\",\"\\\\\",{\"a\":[[]]}]");
	json_decref(result);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_timeout_then_late_reply(void **state)
{
	struct fake *f = *state;
	json_t *result;
	char *err = NULL;

	assert_int_equal(ovsdb_call(f->db, "list_dbs", json_array(), &result,
				    &err, 50), -ETIMEDOUT);
	assert_null(result);
	assert_contains(err, "no reply from ovsdb-server within the timeout");
	assert_true(ovsdb_is_connected(f->db));

	/* the late reply to call 1 must not be taken for call 2 */
	srv_write(f, "{\"id\":1,\"result\":[\"late\"],\"error\":null}"
		     "{\"id\":2,\"result\":[\"fresh\"],\"error\":null}");
	assert_int_equal(ovsdb_call(f->db, "list_dbs", json_array(), &result,
				    &err, 1000), 0);
	assert_json(result, "[\"fresh\"]");
	json_decref(result);
	free(err);
}

/* The wait hook: what the agent serves (signals, events) while a call waits. */
static struct {
	int pipe[2];
	struct fake *f;
	int calls;
	const char *reply;	/* written by the server when the hook runs */
} hook;

static int on_wait(void *arg)
{
	char c;

	assert_ptr_equal(arg, &hook);
	if (read(hook.pipe[0], &c, 1) != 1)
		return 0;		/* asked before a call: nothing came */
	hook.calls++;
	if (hook.reply) {
		srv_write(hook.f, hook.reply);
		hook.reply = NULL;
	}
	return c == 'x' ? -ECANCELED : 0;
}

static void test_wait_hook(void **state)
{
	struct fake *f = *state;
	json_t *result, *sent;
	char *err = NULL;
	int fd, status;
	pid_t pid;

	assert_return_code(pipe2(hook.pipe, O_NONBLOCK), errno);
	hook.f = f;
	fd = hook.pipe[0];
	ovsdb_set_wait_hook(f->db, &fd, 1, on_wait, &hook);

	/* Served, then the call goes on and takes its reply. */
	hook.reply = "{\"id\":1,\"result\":[\"one\"],\"error\":null}";
	assert_int_equal(write(hook.pipe[1], "k", 1), 1);
	assert_int_equal(ovsdb_call(f->db, "list_dbs", json_array(), &result,
				    &err, 10000), 0);
	assert_int_equal(hook.calls, 1);
	assert_json(result, "[\"one\"]");
	json_decref(result);

	/*
	 * Given up by the hook long before the timeout, as what it serves
	 * arrives during the wait: the connection stays.
	 */
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		usleep(100000);
		_exit(write(hook.pipe[1], "x", 1) != 1);
	}
	assert_int_equal(ovsdb_call(f->db, "list_dbs", json_array(), &result,
				    &err, 60000), -ECANCELED);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(hook.calls, 2);
	assert_null(result);
	assert_contains(err, "call given up");
	assert_true(ovsdb_is_connected(f->db));
	free(err);
	err = NULL;

	/* A call asks the hook before it sends: given up, nothing is sent. */
	assert_int_equal(write(hook.pipe[1], "x", 1), 1);
	assert_int_equal(ovsdb_call(f->db, "list_dbs", json_array(), &result,
				    &err, 60000), -ECANCELED);
	assert_int_equal(hook.calls, 3);
	sent = srv_read(f->sfd);
	assert_int_equal(json_array_size(sent), 2);	/* calls 1 and 2 */
	json_decref(sent);
	free(err);
	err = NULL;

	/* Its late reply is not taken for the next call's. */
	srv_write(f, "{\"id\":2,\"result\":[\"late\"],\"error\":null}"
		     "{\"id\":3,\"result\":[\"fresh\"],\"error\":null}");
	assert_int_equal(ovsdb_call(f->db, "list_dbs", json_array(), &result,
				    &err, 10000), 0);
	assert_json(result, "[\"fresh\"]");
	json_decref(result);
	assert_int_equal(hook.calls, 3);

	ovsdb_set_wait_hook(f->db, NULL, 0, NULL, NULL);
	close(hook.pipe[0]);
	close(hook.pipe[1]);
	free(err);
}

static void test_rpc_error(void **state)
{
	struct fake *f = *state;
	json_t *result;
	char *err = NULL;

	srv_write(f, "{\"id\":1,\"error\":{\"error\":\"unknown database\","
		     "\"details\":\"transact request specifies unknown database Nope\"}}");
	assert_int_equal(ovsdb_transact(f->db, json_pack("[s]", "Nope"), &result,
					&err, 1000), -EPROTO);
	assert_contains(err, "db.sock: transact failed: unknown database: "
			"transact request specifies unknown database Nope");
	srv_write(f, "{\"id\":2,\"error\":\"bad\"}");
	assert_int_equal(ovsdb_call(f->db, "x", json_array(), &result, &err, 1000),
			 -EPROTO);
	assert_contains(err, "x failed: bad");
	srv_write(f, "{\"id\":3,\"error\":null}");
	assert_int_equal(ovsdb_call(f->db, "x", json_array(), &result, &err, 1000),
			 -EPROTO);
	assert_contains(err, "reply without result");
	assert_true(ovsdb_is_connected(f->db));
	free(err);
}

/* ---- input loop ---------------------------------------------------------- */

static int n_notify;

static void on_notify(struct ovsdb *db, const char *method, json_t *params,
		      void *arg)
{
	(void)db;
	assert_string_equal(method, "update");
	assert_json(params, "[\"mon\",{}]");
	assert_ptr_equal(arg, &n_notify);
	n_notify++;
}

static void test_handle_input(void **state)
{
	struct fake *f = *state;
	json_t *sent, *result;
	char *err = NULL;

	ovsdb_set_notify(f->db, on_notify, &n_notify);
	n_notify = 0;
	srv_write(f, "{\"id\":7,\"method\":\"echo\",\"params\":[1]}"
		     "{\"id\":null,\"method\":\"update\",\"params\":[\"mon\",{}]}"
		     "{\"id\":99,\"result\":[],\"error\":null}");
	assert_int_equal(ovsdb_handle_input(f->db), 0);
	assert_int_equal(n_notify, 1);
	sent = srv_read(f->sfd);
	assert_json(sent, "[{\"id\":7,\"result\":[1],\"error\":null}]");
	json_decref(sent);

	/* nothing there: returns at once */
	assert_int_equal(ovsdb_handle_input(f->db), 0);

	close(f->sfd);
	f->sfd = -1;
	assert_int_equal(ovsdb_handle_input(f->db), -ENOTCONN);
	assert_false(ovsdb_is_connected(f->db));
	assert_contains(ovsdb_last_error(f->db), "ovsdb-server closed the connection");
	assert_int_equal(ovsdb_handle_input(f->db), -ENOTCONN);
	assert_int_equal(ovsdb_call(f->db, "x", json_array(), &result, &err, 10),
			 -ENOTCONN);
	assert_contains(err, "not connected");
	free(err);
}

static void test_reply_then_close(void **state)
{
	struct fake *f = *state;
	json_t *result;

	/* the server answers and hangs up in the same breath */
	srv_write(f, "{\"id\":1,\"result\":[5],\"error\":null}");
	shutdown(f->sfd, SHUT_WR);
	assert_int_equal(ovsdb_call(f->db, "x", json_array(), &result, NULL, 1000), 0);
	assert_json(result, "[5]");
	json_decref(result);
}

static void expect_protocol_error(void **state, const char *bytes,
				  const char *msg)
{
	struct fake *f = *state;

	srv_write(f, bytes);
	assert_int_equal(ovsdb_handle_input(f->db), -EPROTO);
	assert_false(ovsdb_is_connected(f->db));
	assert_contains(ovsdb_last_error(f->db), msg);
}

static void test_garbage(void **state)
{
	expect_protocol_error(state, "hello", "unexpected byte in stream");
}

static void test_invalid_json(void **state)
{
	expect_protocol_error(state, "{\"id\":1,]", "invalid JSON");
}

static void test_not_an_object(void **state)
{
	expect_protocol_error(state, "[1,2]", "message is not an object");
}

static void test_no_method_no_id(void **state)
{
	expect_protocol_error(state, "{\"result\":1}", "neither method nor id");
}

/* ---- a real ovsdb-server, when the host has one -------------------------- */

#define SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

static int sh(const char *fmt, const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir, dir, dir, dir);
	return system(cmd);
}

static int transact_check(struct ovsdb *db, json_t *params, char **err)
{
	json_t *result = NULL;
	int ret;

	assert_non_null(params);
	ret = ovsdb_transact(db, json_incref(params), &result, err, 3000);
	if (!ret)
		ret = ovsdb_parse_txn_result(result, params, err);
	json_decref(result);
	json_decref(params);
	return ret;
}

static struct ovsdb_owned_port *owned_now(struct ovsdb *db, size_t *n)
{
	struct ovsdb_owned_port *ports;
	json_t *result;
	char *err = NULL;

	assert_int_equal(ovsdb_transact(db, ovsdb_txn_select_owned("ovskvm"),
					&result, &err, 3000), 0);
	assert_int_equal(ovsdb_parse_owned_ports(result, &ports, n, &err), 0);
	json_decref(result);
	return ports;
}

static void real_server_checks(struct ovsdb *db)
{
	static const uint16_t trunks[] = { 100, 200 };
	struct ovsdb_port_spec ps[] = {
		{ .name = "tapA", .ifindex = 31, .bridge = "br0", .vlan_tag = 5 },
		{ .name = "tapB", .ifindex = 32, .bridge = "br1",
		  .trunks = trunks, .n_trunks = 2 },
	};
	struct ovsdb_port_spec missing = { .name = "tapC", .ifindex = 33,
					   .bridge = "br9" };
	struct ovsdb_detach_spec d = { .name = "tapA" };
	struct ovsdb_owned_port *ports;
	char *err = NULL;
	size_t n;

	assert_int_equal(transact_check(db, ovsdb_txn_attach(ps, 2, "ovskvm"), &err), 0);
	assert_int_equal(transact_check(db, ovsdb_txn_attach(ps, 1, "ovskvm"), &err),
			 -EEXIST);
	assert_int_equal(transact_check(db, ovsdb_txn_attach(&missing, 1, "ovskvm"),
					&err), -ENOENT);
	assert_contains(err, "bridge br9 does not exist in OVSDB");

	ports = owned_now(db, &n);
	assert_int_equal(n, 2);
	d.port_uuid = strcmp(ports[0].name, "tapA") ? ports[1].uuid : ports[0].uuid;
	d.ifindex = 99;
	assert_int_equal(transact_check(db, ovsdb_txn_detach(&d, 1, "ovskvm"), &err),
			 -ESTALE);
	d.ifindex = 31;
	assert_int_equal(transact_check(db, ovsdb_txn_detach(&d, 1, "ovskvm"), &err), 0);
	ovsdb_owned_ports_free(ports, n);

	ports = owned_now(db, &n);
	assert_int_equal(n, 1);
	assert_string_equal(ports[0].name, "tapB");
	assert_string_equal(ports[0].bridge, "br1");
	assert_int_equal(ports[0].ifindex, 32);
	ovsdb_owned_ports_free(ports, n);
	free(err);
}

static const char *real_dir;

static void test_real_server(void **state)
{
	static char dir[] = "/tmp/ovsdb-real-XXXXXX", sock[64], *err = NULL;
	struct ovsdb *db;

	(void)state;
	if (access("/usr/sbin/ovsdb-server", X_OK) || access(SCHEMA, R_OK) ||
	    system("command -v ovsdb-tool >/dev/null && command -v ovs-vsctl >/dev/null")) {
		print_message("# SKIP ovsdb-server, ovsdb-tool, ovs-vsctl or the schema not installed\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sh("ovsdb-tool create %s/conf.db " SCHEMA " && "
			    "/usr/sbin/ovsdb-server %s/conf.db --remote=punix:%s/db.sock "
			    "--pidfile=%s/pid --unixctl=%s/ctl --detach --no-chdir "
			    "--log-file=%s/log 2>/dev/null", dir), 0);
	real_dir = dir;
	snprintf(sock, sizeof(sock), "%s/db.sock", dir);
	db = ovsdb_connect(sock, 2000, &err);
	if (db && !sh("ovs-vsctl --db=unix:%s/db.sock --no-wait init -- add-br br0 -- add-br br1",
		      dir))
		real_server_checks(db);
	else
		print_error("setup failed: %s\n", err ?: "ovs-vsctl");
	ovsdb_close(db);
	free(err);
	assert_non_null(db);
}

/* Runs even when an assertion failed half way: never leave a server behind. */
static int real_teardown(void **state)
{
	(void)state;
	if (real_dir)
		sh("kill $(cat %s/pid) 2>/dev/null; sleep 0.2; rm -rf %s", real_dir);
	real_dir = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_errors),
		cmocka_unit_test_setup_teardown(test_connect_path_forms, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_call_answers_echo, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_transact_keeps_db_name, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fragmented_reply, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_timeout_then_late_reply, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_wait_hook, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_rpc_error, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_handle_input, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_reply_then_close, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_garbage, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_json, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_not_an_object, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_no_method_no_id, fake_setup, fake_teardown),
		cmocka_unit_test_teardown(test_real_server, real_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
