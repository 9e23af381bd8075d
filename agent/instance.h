/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One agent per host.  Two would push their policies over each other and
 * add and delete the same OVSDB ports, so the agent holds an flock(2) on a
 * lock file for its whole life.  The kernel drops the lock when the process
 * ends, however it ends: a file left behind never blocks a start.
 */
#ifndef OVSKVM_INSTANCE_H
#define OVSKVM_INSTANCE_H

#include <sys/types.h>

/* systemd's RuntimeDirectory=ovskvm in ovskvm.service */
#define INSTANCE_LOCK_PATH	"/run/ovskvm/agent.lock"

/*
 * Take the lock at PATH, creating the file and its directory (0755) when
 * missing, and write our pid into it.  Returns the file descriptor that
 * holds the lock; -EWOULDBLOCK when another process holds it, with *HOLDER
 * its pid (0 when it has not written it yet); or another -errno.
 */
int instance_lock(const char *path, pid_t *holder);

/* Let go of the lock instance_lock() returned (exiting does it too). */
void instance_unlock(int fd);

#endif
