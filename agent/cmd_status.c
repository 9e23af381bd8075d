// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm status [--json]
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "genl.h"
#include "reasons.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: %s status [--json]\n"
	"\n"
	"Show the module (version, family version), the policy in force (pushed by\n"
	"'ovskvm apply' or the agent, or the module parameters' default), the\n"
	"module's counters and one line per tracked tap:\n"
	"  NAME IFINDEX CREATOR(pid comm uid) RULE BRIDGE(kind) VLAN STATE LATENCY\n"
	"STATE is pending (waiting for its bridge or for the agent), attached,\n"
	"ignored, failed (with the reason) or detached.  LATENCY is the time from\n"
	"the tap's registration to a bridge taking it.  A pending tap the agent\n"
	"could not attach shows the agent's reason, from " REASONS_PATH ".\n"
	"\n"
	"Options:\n"
	"  -j, --json    one JSON object for scripts (module, policy, stats, ports)\n"
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0, or 1 when the module cannot be reached.\n";

static const char *source_name(uint8_t s)
{
	return s == OVSKVM_POLICY_SOURCE_USER ? "user" : "params";
}

/*
 * Why the agent has not attached P, if it said so; else NULL.  An attached
 * tap has one when its OVSDB port is someone else's (libvirt's).
 */
static const char *agent_reason(const char *reasons, const struct ovskvm_port *p,
				char *out, size_t len)
{
	if (p->state != OVSKVM_PORT_PENDING && p->state != OVSKVM_PORT_ATTACHED)
		return NULL;
	return reasons_find(reasons, p->ifindex, p->ifname, out, len);
}

static void print_text(const struct genl *g, const struct ovskvm_status *st,
		       const struct config_rule *rules, unsigned int n_rules,
		       const struct ovskvm_port *ports, unsigned int n_ports,
		       const char *reasons)
{
	char buf[1024], creator[64], bridge[32], vlan[300], lat[32];
	unsigned int i;

	printf("module: %s %s (family version %u)\n", OVSKVM_GENL_NAME, st->version,
	       g->version);
	printf("policy: %s, generation %u, %u rule%s\n",
	       st->policy_source == OVSKVM_POLICY_SOURCE_USER ?
	       "pushed from userspace" : "module parameters (default)",
	       st->policy_gen, st->rule_count, st->rule_count == 1 ? "" : "s");
	for (i = 0; i < n_rules; i++)
		printf("  rule %u: %s\n", rules[i].id, format_rule(&rules[i], buf, sizeof(buf)));
	printf("counters:");
	for (i = 1; i <= OVSKVM_STAT_MAX; i++)
		printf("%s %s %llu", i > 1 ? "," : "", stat_name(i),
		       (unsigned long long)st->stats[i]);
	printf("\nports: %u\n", n_ports);
	if (!n_ports)
		return;
	printf("%-15s %7s  %-28s %4s  %-20s %-10s %-9s %s\n", "NAME", "IFINDEX",
	       "CREATOR", "RULE", "BRIDGE", "VLAN", "STATE", "LATENCY");
	for (i = 0; i < n_ports; i++) {
		const struct ovskvm_port *p = &ports[i];
		char rule[16];

		if (!(p->flags & OVSKVM_PORT_F_CREATOR_KNOWN))
			snprintf(creator, sizeof(creator), "(before the module)");
		else
			snprintf(creator, sizeof(creator), "%u %s uid %u", p->creator_pid,
				 p->creator_comm, p->creator_uid);
		snprintf(rule, sizeof(rule), p->has_rule ? "%u" : "-", p->rule_id);
		snprintf(bridge, sizeof(bridge), p->bridge[0] ? "%s (%s)" : "-",
			 p->bridge, bridge_kind_name(p->bridge_kind));
		printf("%-15s %7u  %-28s %4s  %-20s %-10s %-9s %s", p->ifname, p->ifindex,
		       creator, rule, bridge,
		       format_vlan(p->vlan_tag, p->trunks, p->n_trunks, vlan, sizeof(vlan)),
		       port_state_name(p->state), format_ns(p->latency_ns, lat, sizeof(lat)));
		if (agent_reason(reasons, p, buf, sizeof(buf)))
			printf("  (agent: %s)", buf);
		else if (p->error && p->reason[0])
			printf("  (%s: %s)", p->reason, strerror(-p->error));
		else if (p->error)
			printf("  (%s)", strerror(-p->error));
		else if (p->reason[0] && p->state != OVSKVM_PORT_ATTACHED)
			printf("  (%s)", p->reason);
		putchar('\n');
	}
}

static void print_json(const struct genl *g, const struct ovskvm_status *st,
		       const struct config_rule *rules, unsigned int n_rules,
		       const struct ovskvm_port *ports, unsigned int n_ports,
		       const char *reasons)
{
	json_t *root = json_object(), *o, *a;
	unsigned int i;
	char why[512];

	o = json_object();
	json_object_set_new(o, "name", json_string(OVSKVM_GENL_NAME));
	json_object_set_new(o, "version", json_string(st->version));
	json_object_set_new(o, "family_version", json_integer(g->version));
	json_object_set_new(o, "event_seq", json_integer(st->event_seq));
	json_object_set_new(root, "module", o);

	o = json_object();
	json_object_set_new(o, "source", json_string(source_name(st->policy_source)));
	json_object_set_new(o, "generation", json_integer(st->policy_gen));
	a = json_array();
	for (i = 0; i < n_rules; i++)
		json_array_append_new(a, json_rule(&rules[i]));
	json_object_set_new(o, "rules", a);
	json_object_set_new(root, "policy", o);

	o = json_object();
	for (i = 1; i <= OVSKVM_STAT_MAX; i++)
		json_object_set_new(o, stat_name(i), json_integer(st->stats[i]));
	json_object_set_new(root, "stats", o);

	a = json_array();
	for (i = 0; i < n_ports; i++) {
		o = json_port(&ports[i]);
		if (agent_reason(reasons, &ports[i], why, sizeof(why)))
			json_object_set_new(o, "agent_reason", json_string(why));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "ports", a);

	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

int cmd_status(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct ovskvm_status st;
	struct ovskvm_port *ports = NULL;
	struct config_rule *rules = NULL;
	unsigned int n_ports = 0, n_rules = 0;
	struct genl g = { 0 };
	char *reasons = NULL;
	bool json = false;
	uint32_t gen;
	uint8_t src;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+hj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_usage(usage, 0);
			return 0;
		case 'j':
			json = true;
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
	ret = genl_open(&g);
	if (ret) {
		genl_perror(&g, ret, "cannot reach the module");
		goto cleanup;
	}
	ret = genl_get_status(&g, &st);
	if (ret) {
		genl_perror(&g, ret, "reading the module's status");
		goto cleanup;
	}
	ret = genl_dump_policy(&g, &rules, &n_rules, &src, &gen);
	if (ret) {
		genl_perror(&g, ret, "dumping the policy");
		goto cleanup;
	}
	ret = genl_dump_ports(&g, &ports, &n_ports);
	if (ret) {
		genl_perror(&g, ret, "dumping the ports");
		goto cleanup;
	}
	reasons = reasons_load(REASONS_PATH);
	if (!reasons_writer_alive(reasons)) {	/* no agent works on them now */
		free(reasons);
		reasons = NULL;
	}
	if (json)
		print_json(&g, &st, rules, n_rules, ports, n_ports, reasons);
	else
		print_text(&g, &st, rules, n_rules, ports, n_ports, reasons);
cleanup:
	free(reasons);
	free(ports);
	free(rules);
	genl_close(&g);
	return ret ? 1 : 0;
}
