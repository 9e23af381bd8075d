// SPDX-License-Identifier: GPL-2.0
/*
 * OVSDB JSON-RPC connection: unix socket, framing, echo, synchronous calls.
 *
 * ovsdb-server writes JSON objects back to back with no delimiter, so input
 * is split by a scanner that tracks bracket depth outside strings; each
 * complete text is then parsed by jansson.  The scanner keeps its state
 * between reads, so a large reply arriving in many pieces is scanned once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ovsdb.h"
#include "ovsdb_txn.h"

/* How long an unsolicited echo reply may take to write. */
#define ECHO_REPLY_TIMEOUT_MS	1000
#define READ_CHUNK		65536

struct ovsdb {
	int fd;
	char *path;			/* socket path, for messages */
	unsigned long long next_id;

	char *buf;			/* received, not yet consumed */
	size_t off, len, cap;		/* consumed up to off, data up to len */
	size_t scan;			/* framing scanner position */
	unsigned int depth;
	bool in_str, esc;

	json_t *want_id;		/* id of the reply ovsdb_call waits for */
	json_t *reply;			/* that reply, once it came */

	ovsdb_notify_fn notify;
	void *notify_arg;
	char *last_err;

	int wait_fds[OVSDB_MAX_WAIT_FDS];
	unsigned int n_wait_fds;
	ovsdb_wait_fn wait_fn;
	void *wait_arg;
};

/* ---- time ---------------------------------------------------------------- */

static int remaining_ms(uint64_t deadline)
{
	uint64_t now = now_ms();

	return deadline > now ? (int)(deadline - now) : 0;
}

/* ---- connection state ---------------------------------------------------- */

static void reset_input(struct ovsdb *db)
{
	db->off = db->len = db->scan = 0;
	db->depth = 0;
	db->in_str = db->esc = false;
}

/*
 * Close the socket after an error; the struct stays valid so the caller can
 * read the reason and reconnect.  Returns @ret for tail calls.
 */
static int disconnect(struct ovsdb *db, int ret, char **err)
{
	if (db->fd >= 0)
		close(db->fd);
	db->fd = -1;
	reset_input(db);
	free(db->last_err);
	db->last_err = err && *err ? strdup(*err) : NULL;
	return ret;
}

static const char *hint(int e)
{
	switch (e) {
	case ENOENT:
	case ECONNREFUSED:
		return " (is ovsdb-server running?)";
	case EACCES:
	case EPERM:
		return " (the agent must run as root)";
	case ETIMEDOUT:
	case EAGAIN:
		return " (ovsdb-server is not accepting connections)";
	default:
		return "";
	}
}

/* "unix:PATH" or PATH; NULL (errno set) for any other transport. */
static const char *socket_path(const char *target)
{
	const char *colon, *slash;

	if (!target)
		target = OVSDB_DEFAULT_SOCKET;
	if (!strncmp(target, "unix:", 5))
		return target + 5;
	colon = strchr(target, ':');
	slash = strchr(target, '/');
	if (colon && (!slash || colon < slash)) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	return target;
}

static int wait_connected(int fd, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int ret, soerr = 0;

	ret = poll(&pfd, 1, remaining_ms(deadline));
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	return -soerr;
}

/*
 * A unix socket connects at once or fails with EAGAIN when the listen
 * backlog is full; keep trying until the deadline in that case.
 */
static int connect_unix(int fd, const struct sockaddr_un *sun,
			uint64_t deadline)
{
	struct timespec pause = { 0, 10 * 1000000 };

	for (;;) {
		if (!connect(fd, (const struct sockaddr *)sun, sizeof(*sun)))
			return 0;
		if (errno == EINPROGRESS)
			return wait_connected(fd, deadline);
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (!remaining_ms(deadline))
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

static int open_socket(struct ovsdb *db, int timeout_ms, char **err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int ret;

	if (strlen(db->path) >= sizeof(sun.sun_path))
		return ovsdb_set_err(err, -ENAMETOOLONG,
			       "cannot connect to %s: socket path too long",
			       db->path);
	strcpy(sun.sun_path, db->path);
	db->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (db->fd < 0)
		return ovsdb_set_err(err, -errno, "cannot connect to %s: socket: %s",
			       db->path, strerror(errno));
	ret = connect_unix(db->fd, &sun, now_ms() + timeout_ms);
	if (ret) {
		close(db->fd);
		db->fd = -1;
		return ovsdb_set_err(err, ret, "cannot connect to %s: %s%s", db->path,
			       strerror(-ret), hint(-ret));
	}
	return 0;
}

struct ovsdb *ovsdb_connect(const char *target, int timeout_ms, char **err)
{
	const char *path = socket_path(target);
	struct ovsdb *db;
	int ret;

	if (!path) {
		ovsdb_set_err(err, -EAFNOSUPPORT,
			"cannot connect to %s: only unix sockets are supported (unix:PATH)",
			target);
		errno = EAFNOSUPPORT;
		return NULL;
	}
	db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		free(db);
		ovsdb_set_err(err, -ENOMEM, "cannot connect to %s: out of memory",
			path);
		errno = ENOMEM;
		return NULL;
	}
	db->fd = -1;
	db->next_id = 1;
	ret = open_socket(db, timeout_ms, err);
	if (ret) {
		ovsdb_close(db);
		errno = -ret;
		return NULL;
	}
	return db;
}

void ovsdb_close(struct ovsdb *db)
{
	if (!db)
		return;
	if (db->fd >= 0)
		close(db->fd);
	json_decref(db->reply);
	free(db->buf);
	free(db->path);
	free(db->last_err);
	free(db);
}

int ovsdb_fd(const struct ovsdb *db)
{
	return db->fd;
}

bool ovsdb_is_connected(const struct ovsdb *db)
{
	return db && db->fd >= 0;
}

const char *ovsdb_path(const struct ovsdb *db)
{
	return db->path;
}

const char *ovsdb_last_error(const struct ovsdb *db)
{
	return db->last_err;
}

void ovsdb_set_notify(struct ovsdb *db, ovsdb_notify_fn fn, void *arg)
{
	db->notify = fn;
	db->notify_arg = arg;
}

void ovsdb_set_wait_hook(struct ovsdb *db, const int *fds, unsigned int n,
			 ovsdb_wait_fn fn, void *arg)
{
	if (!fn || !fds)
		n = 0;
	if (n > OVSDB_MAX_WAIT_FDS)
		n = OVSDB_MAX_WAIT_FDS;
	if (n)
		memcpy(db->wait_fds, fds, n * sizeof(*fds));
	db->n_wait_fds = fn ? n : 0;
	db->wait_fn = fn;
	db->wait_arg = arg;
}

/*
 * Wait until the socket is ready for @events, the deadline passes (0) or the
 * wait hook gives up (its -errno), serving the hook's descriptors meanwhile.
 * Returns 1 when the socket is ready.
 */
static int wait_socket(struct ovsdb *db, short events, uint64_t deadline)
{
	struct pollfd pfd[1 + OVSDB_MAX_WAIT_FDS];
	unsigned int i, n = 1 + db->n_wait_fds;
	int ret;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = db->fd, .events = events };
		for (i = 1; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = db->wait_fds[i - 1], .events = POLLIN };
		ret = poll(pfd, n, remaining_ms(deadline));
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0) {
			if (!remaining_ms(deadline))
				return 0;
			continue;
		}
		for (i = 1; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			ret = db->wait_fn(db->wait_arg);
			if (ret)
				return ret < 0 ? ret : -ECANCELED;
		}
		if (pfd[0].revents)
			return 1;
	}
}

/* ---- output -------------------------------------------------------------- */

static int write_all(struct ovsdb *db, const char *p, size_t n,
		     uint64_t deadline)
{
	ssize_t w;
	int ret;

	while (n) {
		w = send(db->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return -errno;
		ret = wait_socket(db, POLLOUT, deadline);
		if (ret < 0)
			return ret;
		if (!ret)
			return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Send @msg (borrowed).  A partial write leaves the stream unusable, so any
 * failure closes the connection.
 */
static int send_msg(struct ovsdb *db, json_t *msg, uint64_t deadline,
		    char **err)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	int ret;

	if (!text)
		return ovsdb_set_err(err, -ENOMEM, "%s: cannot encode request",
			       db->path);
	ret = write_all(db, text, strlen(text), deadline);
	free(text);
	if (ret) {
		ovsdb_set_err(err, ret, "%s: cannot send to ovsdb-server: %s",
			db->path, strerror(-ret));
		return disconnect(db, ret, err);
	}
	return 0;
}

/* ---- input --------------------------------------------------------------- */

static int grow_buf(struct ovsdb *db)
{
	size_t cap;
	char *p;

	if (db->off) {
		memmove(db->buf, db->buf + db->off, db->len - db->off);
		db->len -= db->off;
		db->scan -= db->off;
		db->off = 0;
	}
	if (db->cap - db->len >= READ_CHUNK / 4)
		return 0;
	if (db->len > OVSDB_MAX_MSG)
		return -EMSGSIZE;
	cap = db->cap ? db->cap * 2 : READ_CHUNK;
	p = realloc(db->buf, cap);
	if (!p)
		return -ENOMEM;
	db->buf = p;
	db->cap = cap;
	return 0;
}

/* Reads what is available: > 0 bytes read, 0 nothing now, -errno. */
static int read_some(struct ovsdb *db)
{
	ssize_t n;
	int ret;

	ret = grow_buf(db);
	if (ret)
		return ret;
	do
		n = recv(db->fd, db->buf + db->len, db->cap - db->len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		db->len += n;
		return 1;
	}
	if (!n)
		return -ENOTCONN;
	return errno == EAGAIN ? 0 : -errno;
}

/*
 * Advance the scanner; 1 with *n the length of a complete JSON text at
 * buf + off, 0 if more input is needed, -EPROTO on input that cannot be
 * JSON-RPC (anything but an object or array at top level).
 */
static int next_frame(struct ovsdb *db, size_t *n)
{
	for (; db->scan < db->len; db->scan++) {
		char c = db->buf[db->scan];

		if (db->in_str) {
			if (db->esc)
				db->esc = false;
			else if (c == '\\')
				db->esc = true;
			else if (c == '"')
				db->in_str = false;
			continue;
		}
		if (!db->depth && strchr(" \t\r\n", c)) {
			db->off = db->scan + 1;	/* between messages */
			continue;
		}
		if (!db->depth && c != '{' && c != '[')
			return -EPROTO;
		if (c == '"') {
			db->in_str = true;
		} else if (c == '{' || c == '[') {
			db->depth++;
		} else if (c == '}' || c == ']') {
			if (--db->depth == 0) {
				db->scan++;
				*n = db->scan - db->off;
				return 1;
			}
		}
	}
	return 0;
}

static int answer_echo(struct ovsdb *db, json_t *msg, char **err)
{
	json_t *reply;
	int ret;

	reply = json_pack("{sO sO sn}", "id", json_object_get(msg, "id"),
			  "result", json_object_get(msg, "params"), "error");
	if (!reply)
		return ovsdb_set_err(err, -ENOMEM, "%s: out of memory", db->path);
	ret = send_msg(db, reply, now_ms() + ECHO_REPLY_TIMEOUT_MS, err);
	json_decref(reply);
	return ret;
}

static int dispatch(struct ovsdb *db, json_t *msg, char **err)
{
	const char *method = json_string_value(json_object_get(msg, "method"));
	json_t *id = json_object_get(msg, "id");

	if (!json_is_object(msg))
		return ovsdb_set_err(err, -EPROTO,
			       "%s: protocol error: message is not an object",
			       db->path);
	if (method && !strcmp(method, "echo") && id && !json_is_null(id))
		return answer_echo(db, msg, err);
	if (method) {
		if (db->notify)
			db->notify(db, method, json_object_get(msg, "params"),
				   db->notify_arg);
		return 0;
	}
	if (!id)
		return ovsdb_set_err(err, -EPROTO,
			       "%s: protocol error: message with neither method nor id",
			       db->path);
	/* A reply nobody waits for is late: its call timed out.  Drop it. */
	if (db->want_id && !db->reply && json_equal(id, db->want_id))
		db->reply = json_incref(msg);
	return 0;
}

/* Parse and dispatch every complete message in the buffer. */
static int process_buffer(struct ovsdb *db, char **err)
{
	json_error_t jerr;
	json_t *msg;
	size_t n;
	int ret;

	while ((ret = next_frame(db, &n)) > 0) {
		msg = json_loadb(db->buf + db->off, n, 0, &jerr);
		db->off += n;
		if (!msg)
			return ovsdb_set_err(err, -EPROTO,
				       "%s: protocol error: invalid JSON: %s",
				       db->path, jerr.text);
		ret = dispatch(db, msg, err);
		json_decref(msg);
		if (ret)
			return ret;
	}
	if (ret < 0)
		return ovsdb_set_err(err, ret,
			       "%s: protocol error: unexpected byte in stream",
			       db->path);
	return 0;
}

static int input_error(struct ovsdb *db, int ret, char **err)
{
	if (ret == -ENOTCONN)
		ovsdb_set_err(err, ret, "%s: ovsdb-server closed the connection",
			db->path);
	else if (ret == -EMSGSIZE)
		ovsdb_set_err(err, ret, "%s: message larger than %u bytes",
			db->path, OVSDB_MAX_MSG);
	else if (!err || !*err)
		ovsdb_set_err(err, ret, "%s: connection lost: %s", db->path,
			strerror(-ret));
	return disconnect(db, ret, err);
}

/* Read until the socket is empty, dispatching as we go. */
static int drain(struct ovsdb *db, char **err)
{
	int ret;

	int perr;

	do {
		ret = read_some(db);
		if (ret < 0)
			return input_error(db, ret, err);
		perr = process_buffer(db, err);
		if (db->fd < 0)		/* an echo reply could not be sent */
			return perr ?: -EPIPE;
		if (perr)
			return input_error(db, perr, err);
	} while (ret > 0);
	return 0;
}

int ovsdb_handle_input(struct ovsdb *db)
{
	char *err = NULL;
	int ret;

	if (!ovsdb_is_connected(db))
		return -ENOTCONN;
	ret = drain(db, &err);
	free(err);
	return ret;
}

/* ---- calls --------------------------------------------------------------- */

static int reply_error(struct ovsdb *db, const char *method, json_t *e,
		       char **err)
{
	const char *what = json_string_value(e);
	const char *details = NULL;

	if (json_is_object(e)) {
		what = json_string_value(json_object_get(e, "error"));
		details = json_string_value(json_object_get(e, "details"));
	}
	return ovsdb_set_err(err, -EPROTO, "%s: %s failed: %s%s%s", db->path, method,
		       what ?: "unknown error", details ? ": " : "",
		       details ?: "");
}

static int wait_reply(struct ovsdb *db, uint64_t deadline, char **err)
{
	int ret;

	while (!db->reply) {
		ret = wait_socket(db, POLLIN, deadline);
		if (ret == -ECANCELED)
			return ovsdb_set_err(err, ret, "%s: call given up", db->path);
		if (ret < 0)
			return ovsdb_set_err(err, ret, "%s: call given up: %s",
					     db->path, strerror(-ret));
		if (!ret)
			return ovsdb_set_err(err, -ETIMEDOUT,
				       "%s: no reply from ovsdb-server within the timeout",
				       db->path);
		ret = drain(db, err);
		/* A reply followed by a close is still a reply. */
		if (ret && !db->reply)
			return ret;
	}
	return 0;
}

static int take_reply(struct ovsdb *db, const char *method, json_t **result,
		      char **err)
{
	json_t *e = json_object_get(db->reply, "error");
	json_t *res = json_object_get(db->reply, "result");
	int ret = 0;

	if (e && !json_is_null(e))
		ret = reply_error(db, method, e, err);
	else if (!res)
		ret = ovsdb_set_err(err, -EPROTO, "%s: protocol error: reply without result",
			      db->path);
	else
		*result = json_incref(res);
	json_decref(db->reply);
	db->reply = NULL;
	return ret;
}

int ovsdb_call(struct ovsdb *db, const char *method, json_t *params,
	       json_t **result, char **err, int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	json_t *req, *id;
	int ret;

	*result = NULL;
	if (!ovsdb_is_connected(db)) {
		json_decref(params);
		return ovsdb_set_err(err, -ENOTCONN, "%s: not connected",
			       db ? db->path : "ovsdb");
	}
	/* What came since the last call may already give this one up. */
	if (db->wait_fn && (ret = db->wait_fn(db->wait_arg))) {
		json_decref(params);
		return ovsdb_set_err(err, ret < 0 ? ret : -ECANCELED,
				     "%s: call given up", db->path);
	}
	id = json_integer(db->next_id++);
	req = json_pack("{ss so sO}", "method", method, "params", params,
			"id", id);
	if (!req) {
		json_decref(id);
		return ovsdb_set_err(err, -ENOMEM, "%s: out of memory", db->path);
	}
	ret = send_msg(db, req, deadline, err);
	json_decref(req);
	if (!ret) {
		db->want_id = id;
		ret = wait_reply(db, deadline, err);
		db->want_id = NULL;
	}
	if (!ret)
		ret = take_reply(db, method, result, err);
	json_decref(id);
	return ret;
}

int ovsdb_transact(struct ovsdb *db, json_t *ops, json_t **result, char **err,
		   int timeout_ms)
{
	if (!json_is_array(ops)) {
		json_decref(ops);
		*result = NULL;
		return ovsdb_set_err(err, -EINVAL, "transact: operations are not an array");
	}
	if (!json_is_string(json_array_get(ops, 0)) &&
	    json_array_insert_new(ops, 0, json_string("Open_vSwitch"))) {
		json_decref(ops);
		*result = NULL;
		return ovsdb_set_err(err, -ENOMEM, "out of memory");
	}
	return ovsdb_call(db, "transact", ops, result, err, timeout_ms);
}
