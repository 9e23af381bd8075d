// SPDX-License-Identifier: GPL-2.0
/*
 * ovsdbmon: timestamp OVSDB commits of Interface rows.  Connects to the
 * OVSDB server's unix socket, monitors the Interface table's name column
 * (RFC 7047 "monitor") and prints one line per row inserted or deleted, with
 * the CLOCK_MONOTONIC time at which the update notification was read:
 *
 *   ready T            the initial contents have arrived
 *   ins NAME T         an Interface row NAME was committed
 *   del NAME T         an Interface row NAME was deleted
 *
 * ovsdb-server sends the update to its monitors when the transaction has
 * committed, so T is the commit as any OVSDB client (ovs-vswitchd included)
 * can first see it, plus the wake-up of this process.  Echo requests are
 * answered.
 *
 *   ovsdbmon [SOCKET]     (default /var/run/openvswitch/db.sock)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int send_json(int fd, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len, off = 0;
	ssize_t r;

	json_decref(msg);
	if (!text)
		return -1;
	len = strlen(text);
	while (off < len) {
		r = write(fd, text + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(text);
			return -1;
		}
		off += r;
	}
	free(text);
	return 0;
}

/* TABLE_UPDATES: {"Interface": {UUID: {"old": {...}, "new": {...}}}} */
static void print_updates(json_t *updates, unsigned long long t)
{
	json_t *rows = json_object_get(updates, "Interface"), *row, *new, *old;
	const char *uuid, *name;

	json_object_foreach(rows, uuid, row) {
		new = json_object_get(row, "new");
		old = json_object_get(row, "old");
		if (new && !old && (name = json_string_value(json_object_get(new, "name"))))
			printf("ins %s %llu\n", name, t);
		else if (old && !new && (name = json_string_value(json_object_get(old, "name"))))
			printf("del %s %llu\n", name, t);
	}
}

static int handle(int fd, json_t *msg, unsigned long long t)
{
	const char *method = json_string_value(json_object_get(msg, "method"));
	json_t *params = json_object_get(msg, "params");

	if (method && !strcmp(method, "echo"))
		return send_json(fd, json_pack("{sOsOsn}", "id", json_object_get(msg, "id"),
					       "result", params, "error"));
	if (method && !strcmp(method, "update")) {
		print_updates(json_array_get(params, 1), t);
	} else if (!method && json_object_get(msg, "result")) {
		json_t *err = json_object_get(msg, "error");

		if (err && !json_is_null(err)) {
			fprintf(stderr, "monitor refused: %s\n", json_dumps(err, JSON_COMPACT));
			return -1;
		}
		printf("ready %llu\n", t);
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/var/run/openvswitch/db.sock";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap);
	json_error_t err;
	json_t *msg;
	ssize_t r;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		perror(path);
		return 1;
	}
	if (send_json(fd, json_pack("{sss[sn{s{s[s]}}]si}", "method", "monitor", "params",
				    "Open_vSwitch", "Interface", "columns", "name", "id", 1)))
		return 1;

	for (;;) {
		unsigned long long t;
		size_t used;

		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				return 1;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "ovsdbmon: connection closed\n");
			return r < 0;
		}
		t = now_ns();
		len += r;
		/* Messages follow each other with no separator. */
		while (len) {
			used = 0;
			while (used < len && strchr(" \t\r\n", buf[used]))
				used++;
			if (used == len) {
				len = 0;
				break;
			}
			msg = json_loadb(buf + used, len - used, JSON_DISABLE_EOF_CHECK, &err);
			if (!msg) {
				if (err.position >= (int)(len - used) ||
				    strstr(err.text, "end of"))
					break;		/* incomplete: read more */
				fprintf(stderr, "ovsdbmon: bad JSON: %s\n", err.text);
				return 1;
			}
			used += err.position;
			if (handle(fd, msg, t))
				return 1;
			json_decref(msg);
			memmove(buf, buf + used, len - used);
			len -= used;
		}
	}
}
