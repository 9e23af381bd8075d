/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing shared by the selftest programs: resolve the
 * ovskvm_autoport family and its event group, send a request and collect
 * replies, errno and extack message.  Built on libmnl.
 */
#ifndef _SELFTESTS_NLUTIL_H
#define _SELFTESTS_NLUTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/ovskvm_autoport.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	int family;
	int version;
	int mcgrp;
	char buf[1 << 16];
	/* Of the last request: */
	char extack[256];
	int bad_attr_offset;	/* -1 when none */
};

/* Called for every reply message; return MNL_CB_OK to go on. */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data);

static inline int nl_ctrl_grp_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;
	const struct nlattr *a, *grp;

	mnl_attr_for_each_nested(grp, attr) {
		const char *name = NULL;
		int id = -1;

		mnl_attr_for_each_nested(a, grp) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(a);
		}
		if (name && !strcmp(name, OVSKVM_GENL_MCGRP_EVENTS))
			nl->mcgrp = id;
	}
	return MNL_CB_OK;
}

static inline int nl_ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			nl->family = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_VERSION:
			nl->version = mnl_attr_get_u32(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			nl_ctrl_grp_cb(attr, nl);
			break;
		}
	}
	return MNL_CB_OK;
}

static inline struct nlmsghdr *nl_msg(struct nl *nl, int type, int cmd, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : OVSKVM_GENL_VERSION;
	return nlh;
}

/* The extack of an error message: text and offending attribute offset. */
static inline void nl_parse_extack(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned int off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&err->msg);
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
			snprintf(nl->extack, sizeof(nl->extack), "%s", mnl_attr_get_str(attr));
		else if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS)
			nl->bad_attr_offset = mnl_attr_get_u32(attr);
	}
}

/* Sends @nlh and runs @cb on each reply; returns 0 or -errno. */
static inline int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_cb cb, void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	nl->extack[0] = 0;
	nl->bad_attr_offset = -1;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *m;
		int len;

		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (len < 0)
			return -errno;
		for (m = (void *)nl->buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq)
				continue;	/* an event or a stale reply */
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				nl_parse_extack(nl, m);
				return e->error;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				nl_parse_extack(nl, m);
				return 0;
			}
			if (cb) {
				ret = cb(m, data);
				if (ret < 0)
					return ret;
			}
		}
	}
}

static inline int nl_open(struct nl *nl)
{
	struct nlmsghdr *nlh;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->mcgrp = -1;
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	nl->portid = mnl_socket_get_portid(nl->sock);

	nlh = nl_msg(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, OVSKVM_GENL_NAME);
	err = nl_talk(nl, nlh, nl_ctrl_cb, nl);
	return err;
}

static inline void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* Attribute table of a message of the family, indexed by OVSKVM_A_*. */
struct nl_attrs {
	const struct nlattr *a[OVSKVM_A_MAX + 1];
};

static inline int nl_attrs_cb(const struct nlattr *attr, void *data)
{
	struct nl_attrs *t = data;
	int type = mnl_attr_get_type(attr);

	if (type <= OVSKVM_A_MAX)	/* newer kernels may send more */
		t->a[type] = attr;
	return MNL_CB_OK;
}

static inline void nl_parse(const struct nlmsghdr *nlh, struct nl_attrs *t)
{
	memset(t, 0, sizeof(*t));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_attrs_cb, t);
}

static inline int nl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	return g->cmd;
}

#endif /* _SELFTESTS_NLUTIL_H */
