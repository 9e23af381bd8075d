// SPDX-License-Identifier: GPL-2.0
/*
 * Reconnecting to OVSDB (attach.c: db_connect, db_lost): the pause doubles
 * up to ReconnectMax while the server is unreachable, and also while it
 * accepts connections only to close them at once; it starts from the
 * shortest again only after a connection that lasted.
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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"

struct srv {
	char dir[64];
	char path[128];
	int lfd;
};

static int srv_setup(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct srv *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	strcpy(s->dir, "/tmp/ovskvm-reconnect-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/db.sock", s->dir);
	strcpy(sun.sun_path, s->path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_return_code(bind(s->lfd, (struct sockaddr *)&sun, sizeof(sun)), errno);
	assert_return_code(listen(s->lfd, 16), errno);
	*state = s;
	return 0;
}

static int srv_teardown(void **state)
{
	struct srv *s = *state;

	close(s->lfd);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

static void agent_init(struct agent *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	config_init(&a->cfg);
	snprintf(a->cfg.ovsdb, sizeof(a->cfg.ovsdb), "unix:%s", path);
	a->cfg.reconnect_max_ms = 4000;
	a->backoff_ms = BACKOFF_MIN_MS;
	a->sfd = -1;
}

/*
 * The pause db_connect() or db_lost() scheduled, from T0, taken before the
 * call: at least WANT, and short of the next doubling however slow the
 * machine (valgrind) was meanwhile.
 */
static void assert_pause(const struct agent *a, uint64_t t0, unsigned int want)
{
	uint64_t pause = a->reconnect_at - t0;

	if (pause < want || pause >= 2ULL * want)
		fail_msg("the pause is %llu ms, expected %u ms",
			 (unsigned long long)pause, want);
}

/* A server that accepts and closes at once: the pauses grow as if it were down. */
static void test_closed_at_once(void **state)
{
	static const unsigned int want[] = { 250, 500, 1000, 2000, 4000, 4000 };
	struct srv *s = *state;
	struct agent a;
	unsigned int i;
	uint64_t t0;
	int fd;

	agent_init(&a, s->path);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		db_connect(&a);
		assert_non_null(a.db);
		fd = accept(s->lfd, NULL, NULL);
		assert_true(fd >= 0);
		close(fd);
		t0 = now_ms();
		db_lost(&a, "ovsdb-server closed the connection");
		assert_null(a.db);
		assert_pause(&a, t0, want[i]);
	}
	config_free(&a.cfg);
}

/* Unreachable: the same doubling, from the first failure on. */
static void test_unreachable(void **state)
{
	static const unsigned int want[] = { 250, 500, 1000, 2000, 4000, 4000 };
	struct srv *s = *state;
	struct agent a;
	unsigned int i;
	uint64_t t0;

	agent_init(&a, s->path);
	strcat(a.cfg.ovsdb, ".missing");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t0 = now_ms();
		db_connect(&a);
		assert_null(a.db);
		assert_pause(&a, t0, want[i]);
	}
	config_free(&a.cfg);
}

/* A connection that lasted: the next pause is the shortest again. */
static void test_lasting_connection_resets(void **state)
{
	struct srv *s = *state;
	struct agent a;
	uint64_t t0;
	int fd;

	agent_init(&a, s->path);
	a.backoff_ms = 4000;		/* after a long outage */
	db_connect(&a);
	assert_non_null(a.db);
	fd = accept(s->lfd, NULL, NULL);
	assert_true(fd >= 0);
	a.connected_at -= BACKOFF_STABLE_MS;	/* as if it had been up that long */
	close(fd);
	t0 = now_ms();
	db_lost(&a, "ovsdb-server closed the connection");
	assert_pause(&a, t0, BACKOFF_MIN_MS);
	config_free(&a.cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_closed_at_once, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, srv_setup, srv_teardown),
		cmocka_unit_test_setup_teardown(test_lasting_connection_resets, srv_setup, srv_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
