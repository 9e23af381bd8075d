// SPDX-License-Identifier: GPL-2.0
/*
 * The one-agent-per-host lock; see instance.h.  The file stays when the
 * agent ends (removing it would let a third process lock a new file while a
 * second still waits on the old one); only the flock counts, and the pid
 * written in the file is only there for the message of a refused start.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "instance.h"

static int make_parent(const char *path)
{
	char dir[4096];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static pid_t read_holder(int fd)
{
	char buf[32];
	ssize_t n;
	long pid;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 ? (pid_t)pid : 0;
}

int instance_lock(const char *path, pid_t *holder)
{
	char pid[32];
	int fd, ret, len, tries;

	*holder = 0;
	ret = make_parent(path);
	if (ret)
		return ret;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		/* the holder writes its pid right after it locks: give it a moment */
		for (tries = 0; ret == -EWOULDBLOCK && tries < 10; tries++) {
			*holder = read_holder(fd);
			if (*holder)
				break;
			nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
		}
		close(fd);
		return ret;
	}
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	errno = 0;
	if (ftruncate(fd, 0) || pwrite(fd, pid, len, 0) != len) {
		ret = errno ? -errno : -EIO;
		close(fd);
		return ret;
	}
	return fd;
}

void instance_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
