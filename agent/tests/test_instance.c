// SPDX-License-Identifier: GPL-2.0
/*
 * The one-agent-per-host lock, on real files in a temporary directory: a
 * second taker is refused and told the holder's pid, the lock goes with
 * the process that held it (closed, or killed with SIGKILL), a stale file
 * is no obstacle.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "instance.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ovskvm-test-instance.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/run/agent.lock", dir);
	return 0;
}

static int teardown(void **state)
{
	char sub[128];

	(void)state;
	unlink(path);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
	rmdir(dir);
	return 0;
}

static void assert_file_holds(pid_t pid)
{
	char buf[32], want[32];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "%d\n", (int)pid);
	assert_string_equal(buf, want);
}

/* The directory is made, the pid written; a second take is refused. */
static void test_second_refused(void **state)
{
	pid_t holder = -1;
	int fd, fd2;

	(void)state;
	fd = instance_lock(path, &holder);
	assert_true(fd >= 0);
	assert_int_equal(holder, 0);
	assert_file_holds(getpid());
	fd2 = instance_lock(path, &holder);
	assert_int_equal(fd2, -EWOULDBLOCK);
	assert_int_equal(holder, getpid());
	instance_unlock(fd);
	fd2 = instance_lock(path, &holder);	/* released: free again */
	assert_true(fd2 >= 0);
	instance_unlock(fd2);
}

/*
 * Another process holds it: refused with that pid; killed with SIGKILL,
 * its lock goes with it and the file it leaves is no obstacle.
 */
static void test_holder_killed(void **state)
{
	int ready[2], fd;
	pid_t child, holder = 0;
	char c;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (!child) {
		close(ready[0]);
		if (instance_lock(path, &holder) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);

	assert_int_equal(instance_lock(path, &holder), -EWOULDBLOCK);
	assert_int_equal(holder, child);

	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_file_holds(child);		/* the file stays ... */
	fd = instance_lock(path, &holder);	/* ... the lock does not */
	assert_true(fd >= 0);
	assert_file_holds(getpid());
	instance_unlock(fd);
}

/* A holder that has not written its pid yet: refused all the same. */
static void test_holder_without_pid(void **state)
{
	pid_t holder = -1;
	int fd;

	(void)state;
	fd = instance_lock(path, &holder);
	assert_true(fd >= 0);
	instance_unlock(fd);
	fd = open(path, O_RDWR | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(instance_lock(path, &holder), -EWOULDBLOCK);
	assert_int_equal(holder, 0);
	close(fd);
}

/* A symlink planted at the lock's path is not followed. */
static void test_symlink_refused(void **state)
{
	char sub[128], target[160];
	pid_t holder;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/run", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(instance_lock(path, &holder), -ELOOP);
	assert_int_equal(access(target, F_OK), -1);
}

/* A directory that cannot be made: the error, not a crash. */
static void test_no_directory(void **state)
{
	char file[128], bad[160];
	pid_t holder;
	int fd;

	(void)state;
	snprintf(file, sizeof(file), "%s/file", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(bad, sizeof(bad), "%s/sub/agent.lock", file);
	assert_int_equal(instance_lock(bad, &holder), -ENOTDIR);
	unlink(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_second_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_without_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_directory, setup, teardown),
	};

	return cmocka_run_group_tests_name("instance", tests, NULL, NULL);
}
