/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Telling systemd how the agent is doing, through sd_notify(3): READY=1 once
 * the policy is in force and the first resync has run, RELOADING=1 and
 * READY=1 around a SIGHUP, STATUS= with a one-line summary, STOPPING=1 at
 * exit.  Outside systemd (no NOTIFY_SOCKET) nothing is sent.
 */
#ifndef OVSKVM_NOTIFY_H
#define OVSKVM_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

struct agent;

#define NOTIFY_STATUS_MAX	1024

/* Forget what was sent: the agent starts. */
void notify_init(void);

/*
 * After each turn of the loop's step(): READY=1 the first time (step() has
 * then run the first resync and the first attach batch), then STATUS= each
 * time the summary changes.
 */
void notify_update(const struct agent *a);

/* Around reload(): RELOADING=1, then READY=1 with the outcome. */
void notify_reloading(const struct agent *a);
void notify_reloaded(const struct agent *a);

/* The agent exits with RET (0, or what start() or the loop failed with). */
void notify_stopping(int ret);

/*
 * The summary STATUS= carries, into BUF: the policy in force, OVSDB's state,
 * a failed last reload or resync.  Pure: the unit tests call it.
 */
void notify_summary(const struct agent *a, bool reload_failed, char *buf, size_t len);

#endif
