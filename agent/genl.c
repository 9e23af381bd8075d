// SPDX-License-Identifier: GPL-2.0
/*
 * The module's generic netlink family through libmnl: family resolution,
 * requests with extended acks, dumps, and the events group.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"
#include "policy.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK		11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK		10
#endif

struct request {
	struct genl *g;
	genl_msg_cb cb;
	void *data;
	int err;
};

struct nlmsghdr *genl_msg(struct genl *g, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(g->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = g->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = OVSKVM_GENL_VERSION;
	return nlh;
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct genl *g = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(g->errmsg, sizeof(g->errmsg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			g->erroff = mnl_attr_get_u32(attr);
			g->has_erroff = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static void parse_extack(struct genl *g, const struct nlmsghdr *nlh,
			 size_t offset)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len < offset)
		return;
	mnl_attr_parse(nlh, offset, extack_cb, g);
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request *r = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		r->err = -EPROTO;
		return MNL_CB_ERROR;
	}
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	parse_extack(r->g, nlh, off);
	if (e->error) {
		r->err = e->error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request *r = data;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err = *(const int *)mnl_nlmsg_get_payload(nlh);

		parse_extack(r->g, nlh, sizeof(int));
		if (err < 0) {
			r->err = err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request *r = data;
	int ret;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		r->err = -EINTR;	/* changed during the dump: caller retries */
		return MNL_CB_ERROR;
	}
	if (!r->cb)
		return MNL_CB_OK;
	ret = r->cb(nlh, r->data);
	if (ret < 0) {
		r->err = ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int run_request(struct genl *g, struct nlmsghdr *nlh, genl_msg_cb cb,
		       void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct request r = { .g = g, .cb = cb, .data = data };
	uint32_t seq;
	ssize_t n;
	int ret;

	g->errmsg[0] = '\0';
	g->has_erroff = false;
	seq = nlh->nlmsg_seq = ++g->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(g->nl, g->buf, GENL_BUF_SIZE);
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		ret = mnl_cb_run2(g->buf, n, seq, g->portid, data_cb, &r, ctl,
				  NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return r.err ? r.err : -errno;
	return 0;
}

int genl_request(struct genl *g, struct nlmsghdr *nlh, genl_msg_cb cb, void *data)
{
	return run_request(g, nlh, cb, data);
}

struct family_info {
	uint16_t id;
	uint32_t version;
	uint32_t mcgrp;
};

static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr *a, *name = NULL, *id = NULL;
	struct family_info *f = data;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = a;
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = a;
	}
	if (name && id && !strcmp(mnl_attr_get_str(name), OVSKVM_GENL_MCGRP_EVENTS))
		f->mcgrp = mnl_attr_get_u32(id);
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_info *f = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			f->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			f->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, mcgrp_cb, f);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data) < 0)
		return -EPROTO;
	return 0;
}

int genl_open(struct genl *g)
{
	struct family_info f = { 0 };
	struct timeval tv = { .tv_sec = 10 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int one = 1, bufsize = 4 << 20, ret;

	memset(g, 0, sizeof(*g));
	g->buf = malloc(GENL_BUF_SIZE);
	if (!g->buf)
		return -ENOMEM;
	g->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!g->nl) {
		ret = -errno;
		goto err;
	}
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	g->portid = mnl_socket_get_portid(g->nl);
	/* best effort: old kernels lack them, messages are then terse */
	mnl_socket_setsockopt(g->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	/* a kernel reply never takes this long; never hang on one */
	setsockopt(mnl_socket_get_fd(g->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* a large policy is one large message */
	if (setsockopt(mnl_socket_get_fd(g->nl), SOL_SOCKET, SO_SNDBUFFORCE,
		       &bufsize, sizeof(bufsize)))
		setsockopt(mnl_socket_get_fd(g->nl), SOL_SOCKET, SO_SNDBUF,
			   &bufsize, sizeof(bufsize));

	nlh = mnl_nlmsg_put_header(g->buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, OVSKVM_GENL_NAME);
	ret = run_request(g, nlh, family_cb, &f);
	if (ret)
		goto err;
	if (!f.id) {
		ret = -EPROTO;
		goto err;
	}
	g->family = f.id;
	g->version = f.version;
	g->mcgrp = f.mcgrp;
	return 0;
err:
	genl_close(g);
	return ret;
}

void genl_close(struct genl *g)
{
	if (g->nl)
		mnl_socket_close(g->nl);
	g->nl = NULL;
	free(g->buf);
	g->buf = NULL;
}

void genl_perror(const struct genl *g, int err, const char *what)
{
	if (err == -ENOENT && g && !g->family) {
		fprintf(stderr, "Error: the %s module is not loaded (run 'ovskvm load').\n",
			OVSKVM_GENL_NAME);
		return;
	}
	if (g && g->errmsg[0]) {
		fprintf(stderr, "Error: %s.\n", g->errmsg);
		return;
	}
	if (err == -EPERM || err == -EACCES)
		fprintf(stderr, "Error: %s: %s (this needs CAP_NET_ADMIN: run it as root).\n",
			what, strerror(-err));
	else
		fprintf(stderr, "Error: %s: %s.\n", what, strerror(-err));
}

int genl_subscribe(struct genl *g)
{
	int grp = g->mcgrp, bufsize = 8 << 20, fd = mnl_socket_get_fd(g->nl);

	if (!grp)
		return -ENOENT;
	if (mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof(bufsize)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
		return -errno;
	return 0;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	return msg_parse_status(nlh, data);
}

int genl_get_status(struct genl *g, struct ovskvm_status *st)
{
	return run_request(g, genl_msg(g, OVSKVM_CMD_GET_STATUS, 0), status_cb, st);
}

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	return msg_parse_port(nlh, data);
}

int genl_get_port(struct genl *g, uint32_t ifindex, struct ovskvm_port *port)
{
	struct nlmsghdr *nlh = genl_msg(g, OVSKVM_CMD_GET_PORT, 0);

	mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, ifindex);
	return run_request(g, nlh, port_cb, port);
}

struct port_list {
	struct ovskvm_port *ports;
	unsigned int n, cap;
};

static int port_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct port_list *l = data;
	int ret;

	if (l->n == l->cap) {
		unsigned int cap = l->cap ? l->cap * 2 : 32;
		struct ovskvm_port *p = realloc(l->ports, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->ports = p;
		l->cap = cap;
	}
	ret = msg_parse_port(nlh, &l->ports[l->n]);
	if (ret == 0)
		l->n++;
	return 0;		/* skip what does not decode */
}

int genl_dump_ports(struct genl *g, struct ovskvm_port **ports, unsigned int *n)
{
	struct port_list l = { 0 };
	int ret, tries = 0;

	do {
		l.n = 0;
		ret = run_request(g, genl_msg(g, OVSKVM_CMD_GET_PORT, NLM_F_DUMP),
				  port_list_cb, &l);
	} while (ret == -EINTR && ++tries < 5);
	if (ret) {
		free(l.ports);
		return ret;
	}
	*ports = l.ports;
	*n = l.n;
	return 0;
}

struct rule_list {
	struct config_rule *rules;
	unsigned int n, cap;
	uint8_t source;
	uint32_t gen;
};

static int rule_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_list *l = data;
	uint32_t index;

	if (l->n == l->cap) {
		unsigned int cap = l->cap ? l->cap * 2 : 8;
		struct config_rule *r = realloc(l->rules, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		l->rules = r;
		l->cap = cap;
	}
	if (msg_parse_rule(nlh, &l->rules[l->n], &index, &l->source, &l->gen) == 0)
		l->n++;
	return 0;
}

int genl_dump_policy(struct genl *g, struct config_rule **rules, unsigned int *n,
		     uint8_t *source, uint32_t *gen)
{
	struct rule_list l = { 0 };
	int ret, tries = 0;

	do {
		l.n = 0;
		ret = run_request(g, genl_msg(g, OVSKVM_CMD_GET_POLICY, NLM_F_DUMP),
				  rule_list_cb, &l);
	} while (ret == -EINTR && ++tries < 5);
	if (ret) {
		free(l.rules);
		return ret;
	}
	*rules = l.rules;
	*n = l.n;
	*source = l.source;
	*gen = l.gen;
	return 0;
}

static int set_policy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ovskvm_status st;
	int ret = msg_parse_status(nlh, &st);

	if (ret)
		return ret;
	*(uint32_t *)data = st.policy_gen;
	return 0;
}

int genl_set_policy(struct genl *g, const struct config *cfg, FILE *err, uint32_t *gen)
{
	uint32_t installed = 0;
	struct policy_map map = { 0 };
	size_t size = policy_msg_size(cfg);
	struct nlmsghdr *nlh;
	char where[512];
	void *buf;
	int ret;

	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	nlh = policy_build(buf, size, g->family, 0, cfg, &map);
	if (!nlh) {
		ret = -errno;
		fprintf(err, "%s: cannot encode the policy: %s\n", cfg->path,
			strerror(errno));
		goto out;
	}
	ret = run_request(g, nlh, set_policy_cb, &installed);
	if (!ret && gen)
		*gen = installed;
	if (ret) {
		if (g->has_erroff)
			policy_locate(&map, cfg, g->erroff, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "%s", cfg->path);
		if (g->errmsg[0])
			fprintf(err, "%s: rejected by the module: %s\n", where, g->errmsg);
		else
			fprintf(err, "%s: rejected by the module: %s\n", where,
				ret == -EPERM ? "operation not permitted (needs CAP_NET_ADMIN)" :
				strerror(-ret));
	}
out:
	policy_map_free(&map);
	free(buf);
	return ret;
}

int genl_reevaluate(struct genl *g, uint32_t ifindex)
{
	struct nlmsghdr *nlh = genl_msg(g, OVSKVM_CMD_REEVALUATE, 0);

	if (ifindex)
		mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, ifindex);
	return run_request(g, nlh, NULL, NULL);
}

struct event_ctx {
	genl_event_cb cb;
	void *data;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct event_ctx *c = data;
	struct ovskvm_event ev;

	/* A malformed event is still passed on, known = false, for its seq. */
	if (msg_parse_event(nlh, &ev))
		ev.known = false;
	c->cb(&ev, c->data);
	return MNL_CB_OK;
}

int genl_recv_events(struct genl *g)
{
	ssize_t n;

	do
		n = mnl_socket_recvfrom(g->nl, g->buf, GENL_BUF_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	return n;
}

void genl_parse_events(const void *buf, size_t len, genl_event_cb cb, void *data)
{
	struct event_ctx c = { cb, data };

	/* multicast: seq 0, portid 0 */
	mnl_cb_run(buf, len, 0, 0, event_cb, &c);
}

int genl_read_events(struct genl *g, genl_event_cb cb, void *data)
{
	int n;

	while ((n = genl_recv_events(g)) > 0)
		genl_parse_events(g->buf, n, cb, data);
	return n;
}
