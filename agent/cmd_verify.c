// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm verify
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "genl.h"
#include "modload.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: %s verify\n"
	"\n"
	"Check the ovskvm_autoport module as modinfo and lsmod would let a person do,\n"
	"and print a checklist:\n"
	"  installed     a module file exists for the running kernel\n"
	"  loaded        the module is loaded and live\n"
	"  srcversion    the loaded module is the installed file (a stale DKMS build\n"
	"                still loaded after an upgrade fails here)\n"
	"  vermagic      the file was built for the running kernel\n"
	"  references    reference count and holders\n"
	"  openvswitch   the openvswitch module is loaded\n"
	"  family        the generic netlink family answers at the version this\n"
	"                tool speaks (skipped when the module is not loaded: asking\n"
	"                for the family would load it)\n"
	"\n"
	"Options:\n"
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0 when no check failed (warnings allowed), 1 otherwise.\n";

static void check_family(struct checklist *cl)
{
	struct genl g;
	int ret = genl_open(&g);

	if (ret == -ENOENT) {
		checklist_add(cl, CHECK_FAIL, "family",
			      "generic netlink family %s not registered: the module is not loaded (run 'ovskvm load')",
			      OVSKVM_GENL_NAME);
		return;
	}
	if (ret) {
		checklist_add(cl, CHECK_FAIL, "family", "cannot resolve %s: %s",
			      OVSKVM_GENL_NAME, strerror(-ret));
		return;
	}
	if (g.version != OVSKVM_GENL_VERSION)
		checklist_add(cl, CHECK_FAIL, "family",
			      "%s speaks version %u, this tool version %d: install a matching module and agent",
			      OVSKVM_GENL_NAME, g.version, OVSKVM_GENL_VERSION);
	else if (!g.mcgrp)
		checklist_add(cl, CHECK_FAIL, "family", "%s version %u has no '%s' multicast group",
			      OVSKVM_GENL_NAME, g.version, OVSKVM_GENL_MCGRP_EVENTS);
	else
		checklist_add(cl, CHECK_OK, "family", "%s id %u, version %u, events group %u",
			      OVSKVM_GENL_NAME, g.family, g.version, g.mcgrp);
	genl_close(&g);
}

/* What module_verify() found for the check NAME. */
static const struct check *find_check(const struct checklist *cl, const char *name)
{
	unsigned int i;

	for (i = 0; i < cl->n; i++)
		if (!strcmp(cl->items[i].name, name))
			return &cl->items[i];
	return NULL;
}

int cmd_verify(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct checklist cl = { .n = 0 };
	const struct check *loaded;
	struct kmod_ctx *ctx;
	struct utsname u;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_usage(usage, 0);
			return 0;
		}
		print_usage(usage, 1);
		return 1;
	}
	if (optind < argc) {
		print_usage(usage, 1);
		return 1;
	}
	uname(&u);
	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		fprintf(stderr, "Error: cannot initialise libkmod: %s.\n", strerror(errno));
		return 1;
	}
	module_verify(ctx, SYSFS_MODULE, u.release, &cl);
	kmod_unref(ctx);
	loaded = find_check(&cl, "loaded");
	/* resolving the family loads the module (its genl alias): not here */
	if (loaded && loaded->status != CHECK_OK)
		checklist_add(&cl, CHECK_SKIP, "family", "not loaded");
	else
		check_family(&cl);
	ret = checklist_print(&cl, stdout);
	return ret;
}
