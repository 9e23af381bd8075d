/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OVSDB JSON-RPC connection (RFC 7047) over a unix socket.
 *
 * The fd is non-blocking and every call that waits takes a timeout, so the
 * agent never hangs on a stuck ovsdb-server.  Functions return 0 or -errno
 * and, on error, a malloc'd message in *err (when err is not NULL) naming the
 * socket and what went wrong; the caller frees it.
 *
 * The server may send requests of its own at any time: "echo" is answered
 * wherever input is read; other notifications ("update", "locked", ...) go
 * to the callback set with ovsdb_set_notify(), or are dropped.
 */
#ifndef OVSKVM_OVSDB_H
#define OVSKVM_OVSDB_H

#include <stdbool.h>
#include <jansson.h>

#define OVSDB_DEFAULT_SOCKET	"unix:/var/run/openvswitch/db.sock"

/* Largest message accepted: bounds memory if the peer misbehaves. */
#define OVSDB_MAX_MSG		(64u << 20)

struct ovsdb;

/* @method and @params are borrowed for the duration of the call. */
typedef void (*ovsdb_notify_fn)(struct ovsdb *db, const char *method,
				json_t *params, void *arg);

/*
 * Connect to @path: "unix:PATH", a plain PATH, or NULL for the default.
 * Returns NULL with errno set and *err on failure; other transports (tcp:,
 * ssl:) are refused with EAFNOSUPPORT.
 */
struct ovsdb *ovsdb_connect(const char *path, int timeout_ms, char **err);
void ovsdb_close(struct ovsdb *db);

int ovsdb_fd(const struct ovsdb *db);
bool ovsdb_is_connected(const struct ovsdb *db);
const char *ovsdb_path(const struct ovsdb *db);

void ovsdb_set_notify(struct ovsdb *db, ovsdb_notify_fn fn, void *arg);

#define OVSDB_MAX_WAIT_FDS	4

/*
 * What else a call serves while it waits for ovsdb-server: whenever one of
 * @fds (at most OVSDB_MAX_WAIT_FDS) is readable, @fn(@arg) runs; it returns
 * 0 to go on waiting or -errno to give the call up, which then fails with
 * that error and leaves the connection open (the late reply is dropped, as
 * after a timeout).  @fn must not call into @db.  n = 0 removes the hook.
 */
typedef int (*ovsdb_wait_fn)(void *arg);
void ovsdb_set_wait_hook(struct ovsdb *db, const int *fds, unsigned int n,
			 ovsdb_wait_fn fn, void *arg);

/*
 * Read whatever is available without waiting, answer echo requests, pass
 * notifications on, drop replies nobody waits for.  Returns 0, -ENOTCONN
 * when the server closed the connection, -EPIPE/-ECONNRESET on a broken
 * one, -EPROTO on garbage; after an error the connection is closed
 * (ovsdb_is_connected() is false) and the caller reconnects.
 */
int ovsdb_handle_input(struct ovsdb *db);

/* Why the connection was lost, or NULL; valid until the next call on @db. */
const char *ovsdb_last_error(const struct ovsdb *db);

/*
 * Send a request and wait up to @timeout_ms for its reply, answering echo
 * meanwhile.  @params is stolen.  On success *result holds the reply's
 * "result" (the caller owns it).  A JSON-RPC level error gives -EPROTO with
 * the server's words; a timeout gives -ETIMEDOUT and leaves the connection
 * open (the late reply is dropped when it comes; a "transact" may still have
 * committed, so the caller must re-read the state), as does a call that the
 * wait hook gave up.
 */
int ovsdb_call(struct ovsdb *db, const char *method, json_t *params,
	       json_t **result, char **err, int timeout_ms);

/*
 * ovsdb_call() of "transact".  @ops is stolen: either complete transact
 * params as the ovsdb_txn_*() builders return them (["Open_vSwitch", op...])
 * or a bare array of operations, to which the database name is prepended.
 * Per-operation failures are in *result: check with ovsdb_parse_txn_result().
 */
int ovsdb_transact(struct ovsdb *db, json_t *ops, json_t **result, char **err,
		   int timeout_ms);

#endif /* OVSKVM_OVSDB_H */
