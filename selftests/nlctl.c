// SPDX-License-Identifier: GPL-2.0
/*
 * nlctl: a minimal client of the ovskvm_autoport generic netlink family for
 * the shell selftests.  Output is one line per object of key=value pairs.
 *
 *   nlctl status
 *   nlctl set-policy [--default] [RULE...]
 *       RULE: id=N,action=attach|ignore[,names=G+G][,mac=M[,mask=M]]
 *             [,uid=A[-B]][,comm=G][,bridge=B][,vlan=N][,trunks=N+N][,up]
 *   nlctl policy
 *   nlctl ports | port NAME | reevaluate [IFINDEX]
 *   nlctl monitor COUNT TIMEOUT_MS    (prints "listening" first)
 */
#include <net/ethernet.h>
#include <netinet/ether.h>
#include <poll.h>

#include "nlutil.h"

static struct nl nl;

static const char *state_name(int s)
{
	static const char *const names[] = { "pending", "attached", "ignored", "failed", "detached" };

	return s >= 0 && s <= OVSKVM_PORT_STATE_MAX ? names[s] : "unknown";
}

static const char *kind_name(int k)
{
	static const char *const names[] = { "none", "linux", "ovs", "other" };

	return k >= 0 && k <= 3 ? names[k] : "unknown";
}

static const char *event_name(int cmd)
{
	switch (cmd) {
	case OVSKVM_CMD_PORT_NEW: return "new";
	case OVSKVM_CMD_PORT_ATTACHED: return "attached";
	case OVSKVM_CMD_PORT_DETACHED: return "detached";
	case OVSKVM_CMD_PORT_DEL: return "del";
	case OVSKVM_CMD_PORT_RENAMED: return "renamed";
	case OVSKVM_CMD_PORT_CHANGED: return "changed";
	case OVSKVM_CMD_POLICY_CHANGED: return "policy";
	default: return "unknown";
	}
}

static void print_u16_list(const char *key, const struct nlattr *nest)
{
	const struct nlattr *a;
	const char *sep = "";

	printf(" %s=", key);
	mnl_attr_for_each_nested(a, nest) {
		printf("%s%u", sep, mnl_attr_get_u16(a));
		sep = "+";
	}
}

static const char *u64str(unsigned long long v)
{
	static char buf[4][24];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%llu", v);
	return buf[i];
}

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_attrs t;
	const struct nlattr *const *a = t.a;

	(void)data;
	nl_parse(nlh, &t);
	if (nl_cmd(nlh) != OVSKVM_CMD_GET_PORT)
		printf("event=%s ", event_name(nl_cmd(nlh)));
	/* Every message the module sends carries it, events and dumps alike. */
	printf("seq=%s ", a[OVSKVM_A_EVENT_SEQ] ?
	       u64str(mnl_attr_get_u64(a[OVSKVM_A_EVENT_SEQ])) : "none");
	if (nl_cmd(nlh) == OVSKVM_CMD_POLICY_CHANGED) {
		printf("source=%u gen=%u rules=%u\n", mnl_attr_get_u8(a[OVSKVM_A_POLICY_SOURCE]),
		       mnl_attr_get_u32(a[OVSKVM_A_POLICY_GEN]),
		       mnl_attr_get_u32(a[OVSKVM_A_RULE_COUNT]));
		return MNL_CB_OK;
	}
	printf("ifname=%s ifindex=%u state=%s flags=%u error=%d",
	       mnl_attr_get_str(a[OVSKVM_A_IFNAME]), mnl_attr_get_u32(a[OVSKVM_A_IFINDEX]),
	       state_name(mnl_attr_get_u8(a[OVSKVM_A_STATE])),
	       mnl_attr_get_u32(a[OVSKVM_A_PORT_FLAGS]), (int)mnl_attr_get_u32(a[OVSKVM_A_ERROR]));
	if (a[OVSKVM_A_CREATOR_PID])
		printf(" pid=%u uid=%u comm=%s start_ns=%s", mnl_attr_get_u32(a[OVSKVM_A_CREATOR_PID]),
		       mnl_attr_get_u32(a[OVSKVM_A_CREATOR_UID]),
		       mnl_attr_get_str(a[OVSKVM_A_CREATOR_COMM]),
		       a[OVSKVM_A_CREATOR_START_NS] ?
		       u64str(mnl_attr_get_u64(a[OVSKVM_A_CREATOR_START_NS])) : "none");
	if (a[OVSKVM_A_MTU])
		printf(" mtu=%u", mnl_attr_get_u32(a[OVSKVM_A_MTU]));
	printf(" mac=%s", ether_ntoa(mnl_attr_get_payload(a[OVSKVM_A_MAC])));
	printf(" register_ns=%llu", (unsigned long long)mnl_attr_get_u64(a[OVSKVM_A_REGISTER_NS]));
	if (a[OVSKVM_A_RULE_ID])
		printf(" rule=%u rule_flags=%u", mnl_attr_get_u32(a[OVSKVM_A_RULE_ID]),
		       mnl_attr_get_u32(a[OVSKVM_A_RULE_FLAGS]));
	if (a[OVSKVM_A_BRIDGE])
		printf(" bridge=%s kind=%s", mnl_attr_get_str(a[OVSKVM_A_BRIDGE]),
		       kind_name(mnl_attr_get_u8(a[OVSKVM_A_BRIDGE_KIND])));
	if (a[OVSKVM_A_VLAN_TAG])
		printf(" vlan=%u", mnl_attr_get_u16(a[OVSKVM_A_VLAN_TAG]));
	if (a[OVSKVM_A_VLAN_TRUNKS])
		print_u16_list("trunks", a[OVSKVM_A_VLAN_TRUNKS]);
	if (a[OVSKVM_A_MASTER])
		printf(" master=%s", mnl_attr_get_str(a[OVSKVM_A_MASTER]));
	if (a[OVSKVM_A_ATTACH_NS])
		printf(" attach_ns=%llu", (unsigned long long)mnl_attr_get_u64(a[OVSKVM_A_ATTACH_NS]));
	if (a[OVSKVM_A_ATTACH_LATENCY_NS])
		printf(" latency_ns=%llu",
		       (unsigned long long)mnl_attr_get_u64(a[OVSKVM_A_ATTACH_LATENCY_NS]));
	if (a[OVSKVM_A_UP_NS])
		printf(" up_ns=%llu", (unsigned long long)mnl_attr_get_u64(a[OVSKVM_A_UP_NS]));
	if (a[OVSKVM_A_OLD_IFNAME])
		printf(" old=%s", mnl_attr_get_str(a[OVSKVM_A_OLD_IFNAME]));
	if (a[OVSKVM_A_REASON]) {
		/* Last, with '_' for blanks: one word for the shell tests. */
		const char *r;

		printf(" reason=");
		for (r = mnl_attr_get_str(a[OVSKVM_A_REASON]); *r; r++)
			putchar(*r == ' ' ? '_' : *r);
	}
	printf("\n");
	return MNL_CB_OK;
}

/* The reply to SET_POLICY: the generation installed. */
static int set_policy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_attrs t;

	(void)data;
	nl_parse(nlh, &t);
	if (!t.a[OVSKVM_A_POLICY_GEN] || !t.a[OVSKVM_A_EVENT_SEQ])
		return MNL_CB_ERROR;
	printf("gen=%u seq=%s\n", mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]),
	       u64str(mnl_attr_get_u64(t.a[OVSKVM_A_EVENT_SEQ])));
	return MNL_CB_OK;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	static const char *const stat[] = {
		[OVSKVM_STAT_SEEN] = "seen", [OVSKVM_STAT_MATCHED] = "matched",
		[OVSKVM_STAT_IGNORED] = "ignored", [OVSKVM_STAT_ATTACHED] = "attached",
		[OVSKVM_STAT_FAILED] = "failed", [OVSKVM_STAT_REMOVED] = "removed",
		[OVSKVM_STAT_EVENTS] = "events",
	};
	const struct nlattr *s;
	struct nl_attrs t;

	(void)data;
	nl_parse(nlh, &t);
	printf("version=%s source=%u gen=%u rules=%u ports=%u seq=%llu",
	       mnl_attr_get_str(t.a[OVSKVM_A_VERSION]), mnl_attr_get_u8(t.a[OVSKVM_A_POLICY_SOURCE]),
	       mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]), mnl_attr_get_u32(t.a[OVSKVM_A_RULE_COUNT]),
	       mnl_attr_get_u32(t.a[OVSKVM_A_PORT_COUNT]),
	       (unsigned long long)mnl_attr_get_u64(t.a[OVSKVM_A_EVENT_SEQ]));
	mnl_attr_for_each_nested(s, t.a[OVSKVM_A_STATS])
		if (mnl_attr_get_type(s) <= OVSKVM_STAT_MAX)
			printf(" %s=%llu", stat[mnl_attr_get_type(s)],
			       (unsigned long long)mnl_attr_get_u64(s));
	printf("\n");
	return MNL_CB_OK;
}

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *n;
	struct nl_attrs t;

	(void)data;
	nl_parse(nlh, &t);
	printf("index=%u source=%u gen=%u", mnl_attr_get_u32(t.a[OVSKVM_A_RULE_INDEX]),
	       mnl_attr_get_u8(t.a[OVSKVM_A_POLICY_SOURCE]), mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]));
	mnl_attr_for_each_nested(a, t.a[OVSKVM_A_RULE]) {
		switch (mnl_attr_get_type(a)) {
		case OVSKVM_RULE_A_ID: printf(" id=%u", mnl_attr_get_u32(a)); break;
		case OVSKVM_RULE_A_ACTION:
			printf(" action=%s", mnl_attr_get_u8(a) == OVSKVM_ACTION_ATTACH ? "attach" : "ignore");
			break;
		case OVSKVM_RULE_A_NAMES: {
			const char *sep = "";

			printf(" names=");
			mnl_attr_for_each_nested(n, a) {
				printf("%s%s", sep, mnl_attr_get_str(n));
				sep = "+";
			}
			break;
		}
		case OVSKVM_RULE_A_MAC:
			printf(" mac=%s", ether_ntoa(mnl_attr_get_payload(a)));
			break;
		case OVSKVM_RULE_A_MAC_MASK:
			printf(" mask=%s", ether_ntoa(mnl_attr_get_payload(a)));
			break;
		case OVSKVM_RULE_A_UID_MIN: printf(" uid_min=%u", mnl_attr_get_u32(a)); break;
		case OVSKVM_RULE_A_UID_MAX: printf(" uid_max=%u", mnl_attr_get_u32(a)); break;
		case OVSKVM_RULE_A_COMM: printf(" comm=%s", mnl_attr_get_str(a)); break;
		case OVSKVM_RULE_A_BRIDGE: printf(" bridge=%s", mnl_attr_get_str(a)); break;
		case OVSKVM_RULE_A_VLAN_TAG: printf(" vlan=%u", mnl_attr_get_u16(a)); break;
		case OVSKVM_RULE_A_VLAN_TRUNKS: print_u16_list("trunks", a); break;
		case OVSKVM_RULE_A_FLAGS: printf(" flags=%u", mnl_attr_get_u32(a)); break;
		}
	}
	printf("\n");
	return MNL_CB_OK;
}

static void put_list(struct nlmsghdr *nlh, int type, char *list, bool u16)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	char *save, *item;

	for (item = strtok_r(list, "+", &save); item; item = strtok_r(NULL, "+", &save)) {
		if (u16)
			mnl_attr_put_u16(nlh, 0, atoi(item));
		else
			mnl_attr_put_strz(nlh, 0, item);
	}
	mnl_attr_nest_end(nlh, nest);
}

static int put_rule(struct nlmsghdr *nlh, char *spec)
{
	struct nlattr *rule = mnl_attr_nest_start(nlh, 0);
	char *save, *kv, *val;
	unsigned int flags = 0;
	bool have_flags = false;

	for (kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		val = strchr(kv, '=');
		if (val)
			*val++ = 0;
		if (!strcmp(kv, "id")) {
			mnl_attr_put_u32(nlh, OVSKVM_RULE_A_ID, strtoul(val, NULL, 0));
		} else if (!strcmp(kv, "action")) {
			mnl_attr_put_u8(nlh, OVSKVM_RULE_A_ACTION,
					!strcmp(val, "attach") ? OVSKVM_ACTION_ATTACH :
					!strcmp(val, "ignore") ? OVSKVM_ACTION_IGNORE : atoi(val));
		} else if (!strcmp(kv, "names")) {
			put_list(nlh, OVSKVM_RULE_A_NAMES, val, false);
		} else if (!strcmp(kv, "mac") || !strcmp(kv, "mask")) {
			struct ether_addr *e = ether_aton(val);

			if (!e)
				return -EINVAL;
			mnl_attr_put(nlh, kv[1] == 'a' && kv[2] == 'c' ? OVSKVM_RULE_A_MAC :
				     OVSKVM_RULE_A_MAC_MASK, ETH_ALEN, e);
		} else if (!strcmp(kv, "uid")) {
			char *dash = strchr(val, '-');

			mnl_attr_put_u32(nlh, OVSKVM_RULE_A_UID_MIN, strtoul(val, NULL, 0));
			if (dash)
				mnl_attr_put_u32(nlh, OVSKVM_RULE_A_UID_MAX, strtoul(dash + 1, NULL, 0));
		} else if (!strcmp(kv, "comm")) {
			mnl_attr_put_strz(nlh, OVSKVM_RULE_A_COMM, val);
		} else if (!strcmp(kv, "bridge")) {
			mnl_attr_put_strz(nlh, OVSKVM_RULE_A_BRIDGE, val);
		} else if (!strcmp(kv, "vlan")) {
			mnl_attr_put_u16(nlh, OVSKVM_RULE_A_VLAN_TAG, atoi(val));
		} else if (!strcmp(kv, "trunks")) {
			put_list(nlh, OVSKVM_RULE_A_VLAN_TRUNKS, val, true);
		} else if (!strcmp(kv, "up")) {
			flags |= OVSKVM_RULE_F_UP;
			have_flags = true;
		} else if (!strcmp(kv, "preexisting")) {
			flags |= OVSKVM_RULE_F_PREEXISTING;
			have_flags = true;
		} else if (!strcmp(kv, "flags")) {
			flags = strtoul(val, NULL, 0);
			have_flags = true;
		} else {
			fprintf(stderr, "nlctl: unknown rule key %s\n", kv);
			return -EINVAL;
		}
	}
	if (have_flags)
		mnl_attr_put_u32(nlh, OVSKVM_RULE_A_FLAGS, flags);
	mnl_attr_nest_end(nlh, rule);
	return 0;
}

static int report(int err)
{
	if (err) {
		fprintf(stderr, "Error: %s (%s).\n", nl.extack[0] ? nl.extack : "no message",
			strerror(-err));
		return 1;
	}
	return 0;
}

static int monitor(int count, int timeout_ms)
{
	int grp = nl.mcgrp, seen = 0;
	struct timespec start, now;

	if (mnl_socket_setsockopt(nl.sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		perror("nlctl: NETLINK_ADD_MEMBERSHIP");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (seen < count) {
		struct pollfd pfd = { .fd = mnl_socket_get_fd(nl.sock), .events = POLLIN };
		const struct nlmsghdr *m;
		long left;
		int len;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 +
				     (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			fprintf(stderr, "nlctl: %d of %d events before the timeout\n", seen, count);
			return 1;
		}
		len = mnl_socket_recvfrom(nl.sock, nl.buf, sizeof(nl.buf));
		if (len < 0) {
			perror("nlctl: recv");
			return 1;
		}
		for (m = (void *)nl.buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			port_cb(m, NULL);
			seen++;
		}
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	const char *cmd = argc > 1 ? argv[1] : "status";
	int err, i;

	err = nl_open(&nl);
	if (err) {
		fprintf(stderr, "nlctl: family %s: %s\n", OVSKVM_GENL_NAME, strerror(-err));
		return 2;
	}
	if (!strcmp(cmd, "status")) {
		nlh = nl_msg(&nl, nl.family, OVSKVM_CMD_GET_STATUS, 0);
		return report(nl_talk(&nl, nlh, status_cb, NULL));
	}
	if (!strcmp(cmd, "set-policy")) {
		struct nlattr *rules = NULL;

		nlh = nl_msg(&nl, nl.family, OVSKVM_CMD_SET_POLICY, 0);
		for (i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--default")) {
				mnl_attr_put_u32(nlh, OVSKVM_A_POLICY_FLAGS, OVSKVM_POLICY_F_DEFAULT);
				continue;
			}
			if (!rules)
				rules = mnl_attr_nest_start(nlh, OVSKVM_A_RULES);
			if (put_rule(nlh, argv[i]))
				return 2;
		}
		if (rules)
			mnl_attr_nest_end(nlh, rules);
		return report(nl_talk(&nl, nlh, set_policy_cb, NULL));
	}
	if (!strcmp(cmd, "policy")) {
		nlh = nl_msg(&nl, nl.family, OVSKVM_CMD_GET_POLICY, NLM_F_DUMP);
		return report(nl_talk(&nl, nlh, policy_cb, NULL));
	}
	if (!strcmp(cmd, "ports")) {
		nlh = nl_msg(&nl, nl.family, OVSKVM_CMD_GET_PORT, NLM_F_DUMP);
		return report(nl_talk(&nl, nlh, port_cb, NULL));
	}
	if (!strcmp(cmd, "port") && argc == 3) {
		nlh = nl_msg(&nl, nl.family, OVSKVM_CMD_GET_PORT, 0);
		mnl_attr_put_strz(nlh, OVSKVM_A_IFNAME, argv[2]);
		return report(nl_talk(&nl, nlh, port_cb, NULL));
	}
	if (!strcmp(cmd, "reevaluate")) {
		nlh = nl_msg(&nl, nl.family, OVSKVM_CMD_REEVALUATE, 0);
		if (argc == 3)
			mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, strtoul(argv[2], NULL, 0));
		return report(nl_talk(&nl, nlh, NULL, NULL));
	}
	if (!strcmp(cmd, "monitor") && argc == 4)
		return monitor(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: nlctl status|set-policy|policy|ports|port NAME|reevaluate [IFINDEX]|monitor N MS\n");
	return 2;
}
