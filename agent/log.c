// SPDX-License-Identifier: GPL-2.0
/*
 * Logging to stderr with syslog levels, journald friendly.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"

int log_max_level = LOG_INFO;
static bool log_to_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg",
	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",
	[LOG_ERR] = "err",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	log_to_journal = false;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return;
	if (fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
		log_to_journal = true;
}

int log_level_from_string(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (!strcasecmp(s, level_names[i]))
			return i;
	if (!strcasecmp(s, "error"))
		return LOG_ERR;
	if (!strcasecmp(s, "warn"))
		return LOG_WARNING;
	return -1;
}

const char *log_level_to_string(int level)
{
	if (level < 0 || level > LOG_DEBUG)
		return "?";
	return level_names[level];
}

void log_msg(int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (level > log_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_to_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else if (level <= LOG_WARNING)
		fprintf(stderr, "%s: %s\n", level <= LOG_ERR ? "Error" : "Warning", line);
	else
		fprintf(stderr, "%s\n", line);
}
