// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm check-config [FILE] and ovskvm apply [FILE]
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "genl.h"
#include "subcommands.h"

static const char check_usage[] =
	"Usage: %s check-config [-q] [FILE]\n"
	"\n"
	"Parse and validate FILE (default " CONFIG_DEFAULT_PATH ") without\n"
	"touching the module.  Every problem is reported as FILE:LINE: what is\n"
	"wrong.  The file must be owned by root and not writable by group or others,\n"
	"as the agent requires.  See ovskvm.conf(5).\n"
	"\n"
	"Options:\n"
	"  -q, --quiet   print nothing when the file is valid\n"
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0 valid, 1 invalid or unreadable.\n";

static const char apply_usage[] =
	"Usage: %s apply [FILE]\n"
	"\n"
	"Parse FILE (default " CONFIG_DEFAULT_PATH "), push its rules to the module\n"
	"as one atomic policy, then match the ports that are not attached again.  A\n"
	"file without [Rule] sections restores the module parameters' default\n"
	"policy.  If the file or the module rejects the policy, the policy in force\n"
	"stays as it was; the module's reason is shown at the line it refers to.\n"
	"\n"
	"With the agent running, prefer 'systemctl reload ovskvm' (SIGHUP): the agent\n"
	"also needs the new ExternalID= values.\n"
	"\n"
	"Options:\n"
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0 applied, 1 otherwise.\n";

static void summary(const struct config *cfg)
{
	unsigned int i, attach = 0;

	for (i = 0; i < cfg->n_rules; i++)
		attach += cfg->rules[i].action == OVSKVM_ACTION_ATTACH;
	if (!cfg->n_rules)
		printf("%s: valid, no [Rule] sections: the module's default policy applies\n",
		       cfg->path);
	else
		printf("%s: valid, %u rule%s (%u attach, %u ignore)\n", cfg->path,
		       cfg->n_rules, cfg->n_rules == 1 ? "" : "s", attach,
		       cfg->n_rules - attach);
}

static int parse_args(int argc, char *argv[], const char *usage, bool *quiet,
		      const char **path)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, quiet ? "+hq" : "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_usage(usage, 0);
			return 0;
		}
		if (c == 'q' && quiet) {
			*quiet = true;
			continue;
		}
		print_usage(usage, 1);
		return 1;
	}
	if (argc - optind > 1) {
		print_usage(usage, 1);
		return 1;
	}
	*path = optind < argc ? argv[optind] : CONFIG_DEFAULT_PATH;
	return -1;
}

int cmd_check_config(int argc, char *argv[])
{
	struct config cfg;
	const char *path;
	bool quiet = false;
	int ret;

	ret = parse_args(argc, argv, check_usage, &quiet, &path);
	if (ret >= 0)
		return ret;
	config_init(&cfg);
	ret = config_load(&cfg, path, 0, stderr);
	if (!ret && !quiet)
		summary(&cfg);
	config_free(&cfg);
	return ret ? 1 : 0;
}

int cmd_apply(int argc, char *argv[])
{
	struct ovskvm_status st;
	struct config cfg;
	struct genl g = { 0 };
	const char *path;
	int ret;

	ret = parse_args(argc, argv, apply_usage, NULL, &path);
	if (ret >= 0)
		return ret;
	config_init(&cfg);
	ret = config_load(&cfg, path, 0, stderr);
	if (ret) {
		fprintf(stderr, "%s: not applied, the policy in force is unchanged\n", path);
		goto cleanup;
	}
	ret = genl_open(&g);
	if (ret) {
		genl_perror(&g, ret, "cannot reach the module");
		goto cleanup;
	}
	ret = genl_set_policy(&g, &cfg, stderr, NULL);
	if (ret) {
		fprintf(stderr, "%s: not applied, the policy in force is unchanged\n", path);
		goto cleanup;
	}
	ret = genl_reevaluate(&g, 0);
	if (ret)
		genl_perror(&g, ret, "matching the ports again");
	if (genl_get_status(&g, &st) == 0)
		printf("%s: applied, %u rule%s in force (generation %u)%s\n", path,
		       st.rule_count, st.rule_count == 1 ? "" : "s", st.policy_gen,
		       st.policy_source == OVSKVM_POLICY_SOURCE_PARAMS ?
		       ", the module parameters' default policy" : "");
cleanup:
	genl_close(&g);
	config_free(&cfg);
	return ret ? 1 : 0;
}
