// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm agent [-c FILE] [--no-load]
 */

#include <getopt.h>
#include <stdio.h>

#include "config.h"
#include "daemon.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: %s agent [-c FILE] [--no-load]\n"
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
	"is the journal.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   configuration (default " CONFIG_DEFAULT_PATH ")\n"
	"  -n, --no-load       do not load the module, expect it loaded\n"
	"  -h, --help          show this help\n";

int cmd_agent(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-load", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct agent_options opt = {
		.config_path = CONFIG_DEFAULT_PATH,
		.load_module = true,
	};
	int c;

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
		default:
			print_usage(usage, 1);
			return 1;
		}
	}
	if (optind < argc) {
		print_usage(usage, 1);
		return 1;
	}
	return agent_run(&opt);
}
