// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm load [PARAM=VALUE...]
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modload.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: %s load [PARAM=VALUE...]\n"
	"\n"
	"Load the ovskvm_autoport kernel module as modprobe does: its dependencies\n"
	"first, options from /etc/modprobe.d, blacklists honoured.  A module that is\n"
	"already loaded is success (its parameters are then left as they are); the\n"
	"output says which of the two happened.\n"
	"\n"
	"Parameters of the module (see 'modinfo ovskvm_autoport'):\n"
	"  bridge=NAME     bridge of the default policy (default br0)\n"
	"  match=GLOBS     comma-separated tap name globs (default tap*,vnet*)\n"
	"  creator=GLOB    comm of the process that creates the tap (default\n"
	"                  qemu-system-*: QEMU's own taps, never libvirt's; empty: any)\n"
	"  bring_up=Y|N    bring taps up once attached (default Y)\n"
	"The default policy applies until a policy is pushed ('ovskvm apply').\n"
	"\n"
	"Options:\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 loaded, 1 not installed, blacklisted or refused by the kernel.\n";

int cmd_load(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct kmod_ctx *ctx = NULL;
	char *params = NULL;
	size_t len = 1;
	int c, i, ret = 1;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_usage(usage, 0);
			return 0;
		}
		print_usage(usage, 1);
		return 1;
	}
	for (i = optind; i < argc; i++) {
		if (!strchr(argv[i], '=')) {
			fprintf(stderr, "Error: '%s' is not a module parameter: write NAME=VALUE.\n",
				argv[i]);
			return 1;
		}
		len += strlen(argv[i]) + 1;
	}
	params = calloc(1, len);
	if (!params)
		goto cleanup;
	for (i = optind; i < argc; i++) {
		if (*params)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		fprintf(stderr, "Error: cannot initialise libkmod: %s.\n", strerror(errno));
		goto cleanup;
	}
	kmod_load_resources(ctx);
	switch (module_load(ctx, *params ? params : NULL, stderr)) {
	case 0:
		printf("%s loaded\n", MODULE_NAME);
		ret = 0;
		break;
	case MODULE_WAS_LOADED:
		printf("%s is already loaded\n", MODULE_NAME);
		ret = 0;
		break;
	}
cleanup:
	if (ctx)
		kmod_unref(ctx);
	free(params);
	return ret;
}
