// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the OVSDB stream: the framing that splits the bytes
 * ovsdb-server (or an impostor on the socket) writes into JSON texts, the
 * dispatch of echo requests, notifications and replies, and the wait for a
 * call's reply.  Whatever arrives, the client must answer, reject or wait,
 * never crash, leak, hang or read out of bounds.
 *
 * The client is the real one (ovsdb.c) on a unix socket; the harness is its
 * server.  Input: byte 0 picks how the rest is cut into writes (1 to 64
 * bytes each, or all at once), byte 1 bit 0 whether the client reads it as
 * unsolicited input (ovsdb_handle_input() after each write) or as the reply
 * to a "transact" call (id 1) that waits no longer than the bytes already
 * sent.  Seeds are in tests/data/fuzz_ovsdb_stream/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ovsdb.h"
#include "ovsdb_txn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/ovskvm-fuzz-stream-XXXXXX";
static char path[64];
static int lfd = -1;

static void cleanup(void)
{
	if (lfd >= 0)
		close(lfd);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/db.sock", dir);
	strcpy(sun.sun_path, path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(lfd, 4))
		abort();
	atexit(cleanup);
	return 0;
}

/* Throw away what the client wrote (echo replies, the request). */
static void drain(int sfd)
{
	char buf[65536];

	while (recv(sfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void notified(struct ovsdb *db, const char *method, json_t *params, void *arg)
{
	(*(unsigned int *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int chunk, n_notify = 0;
	bool call;
	struct ovsdb *db;
	json_t *result = NULL;
	char *err = NULL;
	size_t off, n;
	int sfd;

	if (size < 2)
		return 0;
	chunk = data[0] % 65;
	call = data[1] & 1;
	data += 2;
	size -= 2;

	db = ovsdb_connect(path, 1000, &err);
	if (!db)
		abort();
	free(err);
	err = NULL;
	ovsdb_set_notify(db, notified, &n_notify);
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		abort();

	if (call) {
		/* the whole reply is there before the call: timeout 0 waits no more */
		if (size && send(sfd, data, size, MSG_NOSIGNAL) != (ssize_t)size)
			abort();
		if (!ovsdb_call(db, "transact", json_pack("[s]", "Open_vSwitch"), &result,
				&err, 0)) {
			json_t *params = json_pack("[s]", "Open_vSwitch");

			free(err);
			err = NULL;
			ovsdb_parse_txn_result(result, params, &err);
			json_decref(params);
		}
	} else {
		for (off = 0; off < size && ovsdb_is_connected(db); off += n) {
			n = chunk ? chunk : size;
			if (n > size - off)
				n = size - off;
			if (send(sfd, data + off, n, MSG_NOSIGNAL) != (ssize_t)n)
				abort();
			ovsdb_handle_input(db);
			drain(sfd);
		}
		/* then the server goes away */
		close(sfd);
		sfd = -1;
		if (ovsdb_is_connected(db) && ovsdb_handle_input(db) != -ENOTCONN)
			abort();
	}
	if (sfd >= 0) {
		drain(sfd);
		close(sfd);
	}
	json_decref(result);
	free(err);
	ovsdb_close(db);
	return 0;
}
