// SPDX-License-Identifier: GPL-2.0
/*
 * ovskvm monitor [--json]
 */

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "genl.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: %s monitor [--json]\n"
	"\n"
	"Subscribe to the module's events and print one line per event until\n"
	"interrupted: new, attached, detached, del and renamed for ports (with\n"
	"their state, creator, rule, bridge and VLAN), policy for policy changes.\n"
	"Every event has a sequence number; a gap, or the kernel dropping events\n"
	"because this reader was slow, is reported as 'lost events'.\n"
	"Needs CAP_NET_ADMIN.\n"
	"\n"
	"Options:\n"
	"  -j, --json    one JSON object per line\n"
	"  -h, --help    show this help\n";

struct monitor {
	bool json;
	bool have_seq;
	uint64_t seq;
};

static void lost(struct monitor *m, const char *why)
{
	if (m->json)
		printf("{\"event\": \"lost\", \"reason\": \"%s\"}\n", why);
	else
		printf("lost events (%s): run 'ovskvm status' for the current state\n", why);
}

static void on_event(const struct ovskvm_event *ev, void *data)
{
	struct monitor *m = data;
	const struct ovskvm_port *p = &ev->port;
	char vlan[300], lat[32], mac[18];

	if (ev->has_seq) {
		if (m->have_seq && ev->seq > m->seq + 1)
			lost(m, "sequence gap");
		m->seq = ev->seq;
		m->have_seq = true;
	}
	if (!ev->known)
		return;		/* a newer module's event, or unreadable: counted */
	if (m->json) {
		json_t *o = ev->cmd == OVSKVM_CMD_POLICY_CHANGED ? json_object() : json_port(p);

		json_object_set_new(o, "event", json_string(event_name(ev->cmd)));
		json_object_set_new(o, "seq", json_integer(ev->seq));
		if (ev->cmd == OVSKVM_CMD_POLICY_CHANGED) {
			json_object_set_new(o, "source", json_string(
				ev->policy_source == OVSKVM_POLICY_SOURCE_USER ? "user" : "params"));
			json_object_set_new(o, "generation", json_integer(ev->policy_gen));
			json_object_set_new(o, "rules", json_integer(ev->rule_count));
		}
		if (ev->cmd == OVSKVM_CMD_PORT_RENAMED)
			json_object_set_new(o, "old_ifname", json_string(p->old_ifname));
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else if (ev->cmd == OVSKVM_CMD_POLICY_CHANGED) {
		printf("%llu policy %s generation %u, %u rules\n",
		       (unsigned long long)ev->seq,
		       ev->policy_source == OVSKVM_POLICY_SOURCE_USER ? "user" : "params",
		       ev->policy_gen, ev->rule_count);
	} else {
		printf("%llu %s %s", (unsigned long long)ev->seq, event_name(ev->cmd), p->ifname);
		if (ev->cmd == OVSKVM_CMD_PORT_RENAMED)
			printf(" (was %s)", p->old_ifname);
		printf(" ifindex %u", p->ifindex);
		if (p->has_mac)
			printf(" mac %s", format_mac(p->mac, mac));
		if (p->flags & OVSKVM_PORT_F_CREATOR_KNOWN)
			printf(" creator %u %s uid %u", p->creator_pid, p->creator_comm,
			       p->creator_uid);
		else
			printf(" creator unknown");
		printf(" state %s", port_state_name(p->state));
		if (p->has_rule)
			printf(" rule %u", p->rule_id);
		if (p->bridge[0])
			printf(" bridge %s (%s)", p->bridge, bridge_kind_name(p->bridge_kind));
		if (p->vlan_tag || p->n_trunks)
			printf(" vlan %s", format_vlan(p->vlan_tag, p->trunks, p->n_trunks,
						       vlan, sizeof(vlan)));
		if (p->latency_ns)
			printf(" latency %s", format_ns(p->latency_ns, lat, sizeof(lat)));
		if (p->error)
			printf(" error %s", strerror(-p->error));
		if (p->reason[0])
			printf(" (%s)", p->reason);
		putchar('\n');
	}
	fflush(stdout);
}

int cmd_monitor(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct monitor m = { 0 };
	struct genl g = { 0 };
	struct pollfd pfd;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+hj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_usage(usage, 0);
			return 0;
		case 'j':
			m.json = true;
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
	ret = genl_subscribe(&g);
	if (ret) {
		genl_perror(&g, ret, "subscribing to the events");
		goto cleanup;
	}
	signal(SIGPIPE, SIG_DFL);
	pfd.fd = mnl_socket_get_fd(g.nl);
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		ret = genl_read_events(&g, on_event, &m);
		if (ret == -ENOBUFS) {
			lost(&m, "receive buffer overrun");
			m.have_seq = false;
			continue;
		}
		if (ret) {
			genl_perror(&g, ret, "reading events");
			break;
		}
	}
cleanup:
	genl_close(&g);
	return ret ? 1 : 0;
}
