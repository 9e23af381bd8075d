// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm: the command-line tool and agent of ovskvm_autoport.
 */

#include <stdio.h>
#include <string.h>

#include <linux/ovskvm_autoport.h>

#include "../kmod/version.h"
#include "log.h"
#include "subcommands.h"

const char *prog;

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "status", cmd_status, "Shows the module, the policy in force and the tracked ports" },
	{ "load", cmd_load, "Loads the kernel module (modprobe semantics)" },
	{ "verify", cmd_verify, "Checks the installed and loaded module, with an exit code" },
	{ "check-config", cmd_check_config, "Parses and validates a configuration file" },
	{ "apply", cmd_apply, "Pushes a configuration file's rules to the module" },
	{ "monitor", cmd_monitor, "Streams the module's events" },
	{ "agent", cmd_agent, "Runs the agent that attaches taps to Open vSwitch" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

void print_usage(const char *usage, int to_stderr)
{
	fprintf(to_stderr ? stderr : stdout, usage, prog);
}

static void show_usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog);
	fprintf(f, "Attach KVM guest tap devices to Open vSwitch and Linux bridges by policy.\n\n");
	fprintf(f, "Available subcommands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-13s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(f, "\nWithout a subcommand, '%s' runs 'status'.\n", prog);
	fprintf(f, "'%s <cmd> --help' describes each; ovskvm(8) and ovskvm.conf(5) have the details.\n",
		prog);
}

int main(int argc, char *argv[])
{
	unsigned int i;

	prog = argv[0] ? argv[0] : "ovskvm";
	if (strrchr(prog, '/'))
		prog = strrchr(prog, '/') + 1;
	log_init();

	if (argc == 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version") ||
			  !strcmp(argv[1], "version"))) {
		printf("ovskvm %s (generic netlink family %s version %d)\n",
		       OVSKVM_VERSION, OVSKVM_GENL_NAME, OVSKVM_GENL_VERSION);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		show_usage(stdout);
		return 0;
	}
	if (argc == 1) {
		static char *status_argv[] = { "status", NULL };

		return cmd_status(1, status_argv);
	}
	for (i = 0; i < N_SUBCOMMANDS; i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "Invalid subcommand: '%s'\n", argv[1]);
	show_usage(stderr);
	return 1;
}
