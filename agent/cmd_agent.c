// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm agent [-c FILE] [--no-load] [--no-ovsdb-monitor]
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "instance.h"
#include "log.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: %s agent [-c FILE] [--no-load] [--no-ovsdb-monitor]\n"
	"\n"
	"Run the agent in the foreground (systemd starts it from ovskvm.service):\n"
	"load and verify the module, push the policy of FILE, subscribe to the\n"
	"module's events, then keep Open vSwitch in step: every tap a rule sends to\n"
	"an OVS bridge is added through OVSDB (Interface and Port, VLAN tag or\n"
	"trunks, external_ids with an owner marker, the tap's ifindex and the\n"
	"rule's ExternalID= values) in one transaction per burst of taps, and its\n"
	"Port is deleted when the tap goes, only if this agent created it for that\n"
	"very tap.  At start and after any lost event or OVSDB reconnection the\n"
	"kernel's ports and the agent's OVSDB ports are compared afresh.\n"
	"\n"
	"While OVSDB is unreachable, taps stay pending (down, on no bridge) and are\n"
	"attached when it is back.  SIGHUP reloads FILE (a bad file is reported\n"
	"and the policy in force kept); SIGTERM and SIGINT stop the agent, leaving\n"
	"ports as they are.  Logs go to stderr, with syslog priorities when stderr\n"
	"is the journal.  Under systemd (NOTIFY_SOCKET set) it reports READY=1 once\n"
	"the policy is in force and the first resync has run, RELOADING=1 and\n"
	"READY=1 around a reload, and its state in STATUS=.\n"
	"\n"
	"One agent runs per host: it holds a lock on " INSTANCE_LOCK_PATH ",\n"
	"and a second one exits at once, naming the first one's pid.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   configuration (default " CONFIG_DEFAULT_PATH ")\n"
	"  -n, --no-load       do not load the module, expect it loaded (as\n"
	"                      ovskvm.service runs it: the module is loaded by\n"
	"                      ExecStartPre=, the agent holds no CAP_SYS_MODULE)\n"
	"      --no-ovsdb-monitor\n"
	"                      do not watch OVSDB (monitor_cond), as with a server\n"
	"                      that lacks it: a port or bridge deleted by another\n"
	"                      program is not noticed and its taps stay off Open\n"
	"                      vSwitch (ReattachDeleted= has no effect), Interface\n"
	"                      errors are not shown, taps wait for a new bridge's\n"
	"                      device (or a retry every 2 s) rather than its row,\n"
	"                      and a gone tap's port is read before it is deleted;\n"
	"                      for comparison (make bench) and troubleshooting\n"
	"  -h, --help          show this help\n";

enum { OPT_NO_OVSDB_MONITOR = 256 };	/* long only */

int cmd_agent(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-load", no_argument, NULL, 'n' },
		{ "no-ovsdb-monitor", no_argument, NULL, OPT_NO_OVSDB_MONITOR },
		{ NULL, 0, NULL, 0 }
	};
	struct agent_options opt = {
		.config_path = CONFIG_DEFAULT_PATH,
		.load_module = true,
	};
	pid_t holder;
	int c, lock, ret;

	while ((c = getopt_long(argc, argv, "+hc:n", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_usage(usage, 0);
			return 0;
		case 'c':
			opt.config_path = optarg;
			break;
		case 'n':
			opt.load_module = false;
			break;
		case OPT_NO_OVSDB_MONITOR:
			opt.no_ovsdb_monitor = true;
			break;
		default:
			print_usage(usage, 1);
			return 1;
		}
	}
	if (optind < argc) {
		print_usage(usage, 1);
		return 1;
	}
	lock = instance_lock(INSTANCE_LOCK_PATH, &holder);
	if (lock == -EWOULDBLOCK && holder) {
		pr_err("another ovskvm agent is running (pid %d, holding %s): only one runs per host; stop that one first ('systemctl stop ovskvm' if it is the service)",
		       (int)holder, INSTANCE_LOCK_PATH);
		return 1;
	}
	if (lock == -EWOULDBLOCK) {
		pr_err("another ovskvm agent is running (it holds %s): only one runs per host; stop that one first",
		       INSTANCE_LOCK_PATH);
		return 1;
	}
	if (lock < 0) {
		pr_err("cannot take the agent's lock %s: %s", INSTANCE_LOCK_PATH, strerror(-lock));
		return 1;
	}
	ret = agent_run(&opt);
	instance_unlock(lock);
	return ret;
}
