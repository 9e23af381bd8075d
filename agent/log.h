/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_LOG_H
#define OVSKVM_LOG_H

#include <stdbool.h>
#include <syslog.h>

/*
 * Levels are syslog's.  When stderr is connected to the journal (systemd sets
 * JOURNAL_STREAM to its device:inode) every line carries a "<N>" prefix that
 * journald turns into the priority; otherwise lines are plain.
 */
extern int log_max_level;

void log_init(void);
int log_level_from_string(const char *s);
const char *log_level_to_string(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
