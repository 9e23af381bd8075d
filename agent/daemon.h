/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_DAEMON_H
#define OVSKVM_DAEMON_H

#include <stdbool.h>

#define AGENT_OWNER	"ovskvm"

struct agent_options {
	const char *config_path;
	bool load_module;
	bool no_ovsdb_monitor;	/* --no-ovsdb-monitor: work without it */
};

/* Run the agent until SIGTERM or SIGINT; returns the exit status. */
int agent_run(const struct agent_options *opt);

#endif
