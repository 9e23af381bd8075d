// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: random and mutated requests to the ovskvm_autoport generic
 * netlink family for a bounded time, then a check that the module still
 * answers correctly.  KTAP output; the replies counted by errno come as
 * diagnostics.  Needs the module loaded.
 *
 *   genl_fuzz [--seconds N] [--count N] [--seed S] [--unprivileged]
 *
 * The requests: every command number, 0 to OVSKVM_CMD_MAX + 3, with random
 * netlink flags; attribute trees built from the family's policies (the
 * UAPI enums), with lengths 0, short, exact and oversize, strings without
 * their NUL, types beyond the maximum and flipped NLA_F_NESTED bits;
 * valid rules with one attribute made at random; truncated and
 * inconsistent headers; mutated copies of valid SET_POLICY requests
 * (flipped bits, attribute lengths and types changed, cut or extended);
 * several requests in one datagram; nlctrl policy dumps of the family; and
 * GET_POLICY and GET_PORT dumps read part-way, then abandoned or finished
 * across a policy change.  As root, a second thread meanwhile creates,
 * renames, re-addresses and deletes the taps fz0..fz7 and pushes valid
 * policies that attach them to the bridges fzbr0 and fzbr1 (the calling
 * script creates those; fzbr2 stays absent).
 *
 * Each request is followed by an acknowledged NLMSG_NOOP on the same
 * socket.  The kernel handles a socket's requests in order, so the NOOP's
 * ack comes after every reply to the request: replies are drained by
 * sequence number, and a request the kernel drops in silence costs no
 * timeout.  Every socket has a receive timeout, so a missing answer fails
 * the run instead of hanging it.
 *
 * The run fails when an answer does not come; when a request carrying
 * something the kernel must refuse (an attribute the command does not take,
 * a type beyond the maximum, a wrong length, a value out of range, an
 * oversize or unterminated string, an unknown command, reserved header
 * bits) is accepted; when a valid request is refused; when a reply is
 * malformed or answers another command; when a dump changes generation or
 * goes back without NLM_F_DUMP_INTR, or a policy change in the middle of a
 * dump is not flagged; unprivileged, when a privileged command is not
 * refused with EPERM or the policy changes; and when afterwards GET_STATUS
 * is not sane, a counter went back, or a valid SET_POLICY is not dumped
 * back exactly.  The seed is printed: the same seed sends the same
 * requests (the churn thread's timing aside).
 *
 * Exit status: 0 pass, 1 fail, 4 (KSFT_SKIP) when the family is not
 * registered.
 */
#include <getopt.h>
#include <limits.h>
#include <net/if_arp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "nlutil.h"
#include "tap.h"

#define KSFT_SKIP	4
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MSG_SIZE	60000		/* largest request: nests stay below 64 KiB */
#define BATCH_LIMIT	(MSG_SIZE / 2)
#define RBUF_SIZE	(256 << 10)
#define DUMP_RBUF	8192		/* part-read dumps: chunks of at most this */
#define MAX_BATCH	3
#define DEPTH_MAX	4
#define N_TAPS		8		/* fz0..fz7 */
#define MAX_REPORTED	25		/* failures shown in full */
#define MAX_HEXDUMPS	5

static unsigned int opt_seconds = 10;
static unsigned long opt_count;
static unsigned long long opt_seed = 1;
static bool opt_unpriv;
static unsigned int timeout_ms = 10000;

static int family;
static int stopping;			/* tells the churn thread to stop */
static struct nl ctl;			/* the main thread's plain requests */

/* --- random numbers ------------------------------------------------------- */

struct rng {
	uint64_t s;
};

/* splitmix64: the same sequence for a seed on every machine. */
static uint64_t rng_u64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_u32(struct rng *r)
{
	return rng_u64(r) >> 32;
}

static unsigned int rnd(struct rng *r, unsigned int n)
{
	return n ? rng_u64(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return rnd(r, 100) < percent;
}

/* --- counting and reporting ----------------------------------------------- */

/* Rows of the count table: the command numbers, then these. */
enum {
	ROW_CTRL = OVSKVM_CMD_MAX + 4,	/* nlctrl requests about the family */
	ROW_OTHER,			/* command numbers a mutation made up */
	ROW_RAW,			/* never reach a command: header, type, flags */
	N_ROWS
};

/* Columns: what came back. */
enum {
	SLOT_OK,			/* an ack, a reply or a dump's DONE */
	SLOT_ERRNO_MAX = 199,
	SLOT_SILENT,			/* nothing */
	SLOT_SENDERR,			/* sendmsg() refused it */
	SLOT_CUT,			/* a dump left part-way on purpose */
	N_SLOTS
};

static unsigned long counts[N_ROWS][N_SLOTS];
static unsigned long send_errs[N_SLOTS];	/* by errno */
static unsigned long n_msgs;

static struct {
	unsigned long dumps, dumps_intr, dumps_cut, dumps_changed, ebusy, truncated;
	unsigned long stray, extra, reopened, overruns, pushes;
} st;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long n_failures, n_hexdumps;

/* Failures by kind (their format), for the summary. */
static struct {
	const char *fmt;
	unsigned long n;
} kinds[32];

static void count_kind(const char *fmt)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!kinds[i].fmt || kinds[i].fmt == fmt) {
			kinds[i].fmt = fmt;
			kinds[i].n++;
			return;
		}
	}
}

static void print_kinds(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds) && kinds[i].fmt; i++)
		printf("# %lu failures: \"%s\"\n", kinds[i].n, kinds[i].fmt);
}

static void failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void failure(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	count_kind(fmt);
	if (++n_failures <= MAX_REPORTED) {
		printf("# FAIL: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	} else if (n_failures == MAX_REPORTED + 1) {
		printf("# (further failures counted, not shown)\n");
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void hexdump(const void *p, unsigned int len)
{
	const unsigned char *b = p;
	unsigned int i;

	if (len > 128)
		len = 128;
	for (i = 0; i < len; i++)
		printf("%s%02x%s", i % 16 ? "" : "#   ", b[i], i % 16 == 15 || i == len - 1 ? "\n" : " ");
}

static const char *row_name(int row, char *buf, size_t len)
{
	static const char *const names[] = {
		"UNSPEC", "GET_STATUS", "SET_POLICY", "GET_POLICY", "GET_PORT",
		"REEVALUATE", "PORT_NEW", "PORT_ATTACHED", "PORT_DETACHED",
		"PORT_DEL", "PORT_RENAMED", "POLICY_CHANGED", "PORT_CHANGED",
	};

	if (row == ROW_CTRL)
		return "nlctrl";
	if (row == ROW_OTHER)
		return "other cmd";
	if (row == ROW_RAW)
		return "bad header";
	if (row >= 0 && (size_t)row < ARRAY_SIZE(names))
		return names[row];
	snprintf(buf, len, "cmd %d", row);
	return buf;
}

static const char *slot_name(int slot)
{
	const char *name;

	if (slot == SLOT_OK)
		return "ok";
	if (slot == SLOT_SILENT)
		return "no reply";
	if (slot == SLOT_SENDERR)
		return "send refused";
	if (slot == SLOT_CUT)
		return "left part-way";
	name = strerrorname_np(slot);
	return name ? name : "errno?";
}

/* " 12 ok, 3 EINVAL, ...", the largest count first. */
static void print_slots(const unsigned long *c)
{
	bool done[N_SLOTS] = { false };
	const char *sep = "";

	for (;;) {
		int best = -1, s;

		for (s = 0; s < N_SLOTS; s++)
			if (!done[s] && c[s] && (best < 0 || c[s] > c[best]))
				best = s;
		if (best < 0)
			break;
		done[best] = true;
		printf("%s %lu %s", sep, c[best], slot_name(best));
		sep = ",";
	}
	printf("\n");
}

static void print_counts(void)
{
	unsigned long total[N_SLOTS] = { 0 }, sent;
	char buf[16];
	int row, s;

	for (row = 0; row < N_ROWS; row++)
		for (s = 0; s < N_SLOTS; s++)
			total[s] += counts[row][s];
	printf("# sent %lu messages:", n_msgs);
	print_slots(total);
	for (row = 0; row < N_ROWS; row++) {
		for (sent = 0, s = 0; s < N_SLOTS; s++)
			sent += counts[row][s];
		if (!sent)
			continue;
		printf("#   %-14s %7lu:", row_name(row, buf, sizeof(buf)), sent);
		print_slots(counts[row]);
	}
	printf("# dumps: %lu read to the end (%lu flagged NLM_F_DUMP_INTR), %lu abandoned part-way, %lu across a policy change of ours, %lu refused EBUSY, %lu datagrams read truncated\n",
	       st.dumps, st.dumps_intr, st.dumps_cut, st.dumps_changed, st.ebusy, st.truncated);
	if (total[SLOT_SENDERR]) {
		printf("# sendmsg() refused:");
		print_slots(send_errs);
	}
	printf("# other: %lu stray replies, %lu answers after the end, %lu policies pushed mid-dump, %lu sockets reopened, %lu overruns\n",
	       st.stray, st.extra, st.pushes, st.reopened, st.overruns);
}

/* --- sockets ---------------------------------------------------------------- */

struct fsock {
	struct mnl_socket *sock;
	int fd;
};

static void set_timeout(int fd)
{
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int fsock_open(struct fsock *s)
{
	int one = 1, err;

	s->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!s->sock)
		return -errno;
	/* Errors carry their extack, and not the request back. */
	mnl_socket_setsockopt(s->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(s->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(s->sock);
		s->sock = NULL;
		return err;
	}
	s->fd = mnl_socket_get_fd(s->sock);
	set_timeout(s->fd);
	return 0;
}

static void fsock_close(struct fsock *s)
{
	if (s->sock)
		mnl_socket_close(s->sock);
	s->sock = NULL;
}

/* --- requests and what came back ------------------------------------------ */

struct req {
	/* Sent: */
	const struct nlmsghdr *nlh;	/* in the send buffer; NULL: the sentinel */
	uint32_t seq;
	unsigned long no;		/* message number, for diagnostics */
	int row;
	int cmd;			/* genl command the family sees, else -1 */
	bool dump;
	bool dispatched;		/* reaches the family, whose errors are acked */
	bool must_fail;			/* carries something the kernel must refuse */
	bool must_succeed;		/* a valid request */
	bool want_eperm;		/* unprivileged, to a privileged command */
	bool wait;			/* its answer must come: the sentinel, dumps */
	/* Received: */
	bool terminal;			/* NLMSG_ERROR or NLMSG_DONE seen */
	bool dump_open;			/* dump messages seen, not yet the DONE */
	bool intr;
	bool lost;			/* no answer in time */
	bool cut;			/* left part-way on purpose */
	bool truncated;			/* some replies read truncated, lost */
	int err;
	int send_err;
	unsigned int n_data;
	unsigned int last_data_dgram, last_intr_dgram;
	bool have_key;
	long long key;			/* last rule index or ifindex dumped */
	uint32_t gen;			/* last policy generation dumped */
	char problem[200];		/* the first thing wrong in its replies */
	const char *problem_fmt;
};

static const char problem_fmt[] = "%s";

static uint32_t next_seq = 1;
static char sbuf[MSG_SIZE * 2];		/* requests; twice for the batch helper */
static char rbuf[RBUF_SIZE];

static void problem(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct req *r, const char *fmt, ...)
{
	va_list ap;

	if (r->problem[0])
		return;
	r->problem_fmt = fmt;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
	va_end(ap);
}

static void req_init(struct req *r, const struct nlmsghdr *nlh)
{
	memset(r, 0, sizeof(*r));
	r->nlh = nlh;
	r->seq = nlh->nlmsg_seq;
	r->no = ++n_msgs;
	r->row = ROW_RAW;
	r->cmd = -1;
}

static struct req *find_req(struct req *reqs, int n, uint32_t seq)
{
	int i;

	for (i = 0; i < n; i++)
		if (reqs[i].seq == seq)
			return &reqs[i];
	return NULL;
}

static bool cmd_is_admin(int cmd)
{
	return cmd >= OVSKVM_CMD_SET_POLICY && cmd <= OVSKVM_CMD_REEVALUATE;
}

/* Does the family have an operation for @cmd, as a dump or as a do? */
static bool op_exists(int cmd, bool dump)
{
	switch (cmd) {
	case OVSKVM_CMD_GET_STATUS:
	case OVSKVM_CMD_SET_POLICY:
	case OVSKVM_CMD_REEVALUATE:
		return !dump;
	case OVSKVM_CMD_GET_POLICY:
		return dump;
	case OVSKVM_CMD_GET_PORT:
		return true;
	}
	return false;
}

/* The top-level attributes each command takes. */
static bool cmd_takes(int cmd, unsigned int type)
{
	switch (cmd) {
	case OVSKVM_CMD_SET_POLICY:
		return type == OVSKVM_A_POLICY_FLAGS || type == OVSKVM_A_RULES;
	case OVSKVM_CMD_GET_PORT:
		return type == OVSKVM_A_IFINDEX || type == OVSKVM_A_IFNAME;
	case OVSKVM_CMD_REEVALUATE:
		return type == OVSKVM_A_IFINDEX;
	}
	return false;
}

/*
 * What generic netlink makes of a request to the family from its header
 * alone (net/netlink/genetlink.c): a short header, reserved bits or flags
 * other than REQUEST, ACK, ECHO and a whole DUMP (resv_start_op is 0), or a
 * command without an operation of that kind are refused.
 */
static void classify_genl(struct req *r, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	uint16_t flags = nlh->nlmsg_flags;
	bool clean;

	r->dispatched = true;
	r->dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		r->must_fail = true;
		return;
	}
	r->cmd = g->cmd;
	r->row = g->cmd <= OVSKVM_CMD_MAX + 3 ? g->cmd : ROW_OTHER;
	if (r->dump)
		flags &= ~NLM_F_DUMP;
	clean = !g->reserved && !(flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO));
	if (!clean || !op_exists(g->cmd, r->dump))
		r->must_fail = true;
	if (opt_unpriv && cmd_is_admin(g->cmd)) {
		r->must_fail = true;
		r->must_succeed = false;
		/*
		 * 6.1 checks the permission before it looks for a do or a
		 * dump; later kernels refuse a missing one first.
		 */
		r->want_eperm = clean && op_exists(g->cmd, r->dump);
	}
}

/*
 * Walks the @len bytes sent as netlink_rcv_skb() does: which requests
 * reach the family, and which never get past the netlink core.
 */
static void classify(const void *buf, unsigned int len, struct req *reqs, int n)
{
	unsigned int off = 0;

	while (len - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)((const char *)buf + off);
		unsigned int msglen;
		struct req *r;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off)
			break;
		r = find_req(reqs, n, nlh->nlmsg_seq);
		if (r && r->nlh == nlh && (nlh->nlmsg_flags & NLM_F_REQUEST) &&
		    nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			if (nlh->nlmsg_type == GENL_ID_CTRL)
				r->row = ROW_CTRL;
			else if (nlh->nlmsg_type == family)
				classify_genl(r, nlh);
		}
		msglen = NLMSG_ALIGN(nlh->nlmsg_len);
		if (msglen > len - off)
			msglen = len - off;
		off += msglen;
	}
}

/* --- checking replies ------------------------------------------------------- */

static bool len_is(const struct nlattr *a, unsigned int len)
{
	return a && mnl_attr_get_payload_len(a) == len;
}

static bool str_ok(const struct nlattr *a, unsigned int max)
{
	unsigned int len = a ? mnl_attr_get_payload_len(a) : 0;
	const char *s = a ? mnl_attr_get_payload(a) : NULL;

	return len && !s[len - 1] && strlen(s) <= max;
}

/* Every attribute inside [@p, @p + @len) well-formed, none past the end. */
static bool attrs_ok(const void *p, unsigned int len)
{
	while (len >= sizeof(struct nlattr)) {
		const struct nlattr *a = p;
		unsigned int step = MNL_ALIGN(a->nla_len);

		if (a->nla_len < sizeof(struct nlattr) || a->nla_len > len)
			return false;
		if (step > len)
			step = len;
		p = (const char *)p + step;
		len -= step;
	}
	return !len;
}

static bool nest_ok(const struct nlattr *a)
{
	return a && attrs_ok(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
}

static const char *status_problem(const struct nl_attrs *t)
{
	const struct nlattr *const *a = t->a;
	bool seen[OVSKVM_STAT_MAX + 1] = { false };
	const struct nlattr *s;
	int i;

	if (!str_ok(a[OVSKVM_A_VERSION], 63) || !*mnl_attr_get_str(a[OVSKVM_A_VERSION]))
		return "no version string";
	if (!len_is(a[OVSKVM_A_POLICY_SOURCE], 1) ||
	    mnl_attr_get_u8(a[OVSKVM_A_POLICY_SOURCE]) > OVSKVM_POLICY_SOURCE_USER)
		return "no or an unknown policy source";
	if (!len_is(a[OVSKVM_A_POLICY_GEN], 4) || !mnl_attr_get_u32(a[OVSKVM_A_POLICY_GEN]))
		return "no policy generation, or 0";
	if (!len_is(a[OVSKVM_A_RULE_COUNT], 4) ||
	    mnl_attr_get_u32(a[OVSKVM_A_RULE_COUNT]) > OVSKVM_MAX_RULES)
		return "no rule count, or above OVSKVM_MAX_RULES";
	if (!len_is(a[OVSKVM_A_PORT_COUNT], 4))
		return "no port count";
	if (!len_is(a[OVSKVM_A_EVENT_SEQ], 8))
		return "no event sequence number";
	if (!nest_ok(a[OVSKVM_A_STATS]))
		return "no counters, or a malformed nest";
	mnl_attr_for_each_nested(s, a[OVSKVM_A_STATS]) {
		int type = mnl_attr_get_type(s);

		if (type == OVSKVM_STAT_UNSPEC || type > OVSKVM_STAT_MAX)
			continue;	/* padding; newer counters */
		if (!len_is(s, 8) || seen[type])
			return "a counter that is no u64, or twice";
		seen[type] = true;
	}
	for (i = OVSKVM_STAT_SEEN; i <= OVSKVM_STAT_MAX; i++)
		if (!seen[i])
			return "a counter missing";
	return NULL;
}

static const char *rule_problem(const struct nlattr *rule)
{
	const struct nlattr *a, *tb[OVSKVM_RULE_A_MAX + 1] = { NULL };

	if (!nest_ok(rule))
		return "a malformed rule nest";
	mnl_attr_for_each_nested(a, rule)
		if (mnl_attr_get_type(a) <= OVSKVM_RULE_A_MAX)
			tb[mnl_attr_get_type(a)] = a;
	if (!len_is(tb[OVSKVM_RULE_A_ID], 4))
		return "a rule without an id";
	if (!len_is(tb[OVSKVM_RULE_A_ACTION], 1) ||
	    mnl_attr_get_u8(tb[OVSKVM_RULE_A_ACTION]) < OVSKVM_ACTION_ATTACH ||
	    mnl_attr_get_u8(tb[OVSKVM_RULE_A_ACTION]) > OVSKVM_ACTION_MAX)
		return "a rule without a valid action";
	if (mnl_attr_get_u8(tb[OVSKVM_RULE_A_ACTION]) != OVSKVM_ACTION_ATTACH)
		return NULL;
	if (!str_ok(tb[OVSKVM_RULE_A_BRIDGE], IFNAMSIZ - 1))
		return "an attach rule without a bridge";
	if (!len_is(tb[OVSKVM_RULE_A_FLAGS], 4) ||
	    (mnl_attr_get_u32(tb[OVSKVM_RULE_A_FLAGS]) & ~OVSKVM_RULE_F_ALL))
		return "an attach rule without valid flags";
	return NULL;
}

/* A GET_POLICY dump message: well-formed, in order, one generation. */
static void check_policy_msg(struct req *r, const struct nlmsghdr *m, const struct nl_attrs *t)
{
	const struct nlattr *const *a = t->a;
	const char *p;
	uint32_t idx, gen;

	if (!len_is(a[OVSKVM_A_EVENT_SEQ], 8) || !len_is(a[OVSKVM_A_POLICY_SOURCE], 1) ||
	    !len_is(a[OVSKVM_A_POLICY_GEN], 4) || !len_is(a[OVSKVM_A_RULE_INDEX], 4) ||
	    !a[OVSKVM_A_RULE]) {
		problem(r, "a GET_POLICY message without its sequence number, source, generation, index or rule");
		return;
	}
	p = rule_problem(a[OVSKVM_A_RULE]);
	if (p) {
		problem(r, "GET_POLICY dumped %s", p);
		return;
	}
	idx = mnl_attr_get_u32(a[OVSKVM_A_RULE_INDEX]);
	gen = mnl_attr_get_u32(a[OVSKVM_A_POLICY_GEN]);
	if (r->truncated)
		;	/* messages lost to a short read: no order to check */
	else if (!r->have_key && idx)
		problem(r, "the GET_POLICY dump starts at rule %u", idx);
	else if (r->have_key && idx != r->key + 1)
		problem(r, "the GET_POLICY dump goes from rule %lld to %u", r->key, idx);
	else if (r->have_key && gen != r->gen && !(m->nlmsg_flags & NLM_F_DUMP_INTR))
		problem(r, "the GET_POLICY dump changes from generation %u to %u without NLM_F_DUMP_INTR",
			r->gen, gen);
	r->have_key = true;
	r->key = idx;
	r->gen = gen;
}

static void check_port_msg(struct req *r, const struct nlmsghdr *m, const struct nl_attrs *t)
{
	const struct nlattr *const *a = t->a;
	uint32_t ifindex;

	if (!len_is(a[OVSKVM_A_EVENT_SEQ], 8) || !len_is(a[OVSKVM_A_IFINDEX], 4) ||
	    !str_ok(a[OVSKVM_A_IFNAME], IFNAMSIZ - 1) || !len_is(a[OVSKVM_A_MAC], ETH_ALEN) ||
	    !len_is(a[OVSKVM_A_STATE], 1) || !len_is(a[OVSKVM_A_PORT_FLAGS], 4) ||
	    !len_is(a[OVSKVM_A_REGISTER_NS], 8) || !len_is(a[OVSKVM_A_ERROR], 4)) {
		problem(r, "a port message without one of its attributes, or with a wrong length");
		return;
	}
	if (mnl_attr_get_u8(a[OVSKVM_A_STATE]) > OVSKVM_PORT_STATE_MAX) {
		problem(r, "a port in state %u", mnl_attr_get_u8(a[OVSKVM_A_STATE]));
		return;
	}
	ifindex = mnl_attr_get_u32(a[OVSKVM_A_IFINDEX]);
	if (!(m->nlmsg_flags & NLM_F_MULTI))
		return;
	if (r->have_key && ifindex <= r->key && !r->truncated)
		problem(r, "the GET_PORT dump goes from ifindex %lld to %u", r->key, ifindex);
	r->have_key = true;
	r->key = ifindex;
}

/* A reply (not an error or DONE) to request @r. */
static void check_data(struct req *r, const struct nlmsghdr *m)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(m);
	const char *p = NULL;
	struct nl_attrs t;

	if (r->row == ROW_CTRL)
		return;
	if (!r->dispatched || r->cmd < 0) {
		problem(r, "a reply of type %u to a request the family never got", m->nlmsg_type);
		return;
	}
	if (m->nlmsg_type != family) {
		problem(r, "a reply of type %u, not the family's", m->nlmsg_type);
		return;
	}
	if (mnl_nlmsg_get_payload_len(m) < GENL_HDRLEN ||
	    !attrs_ok((const char *)g + GENL_HDRLEN, mnl_nlmsg_get_payload_len(m) - GENL_HDRLEN)) {
		problem(r, "a reply with malformed attributes");
		return;
	}
	if (g->cmd != r->cmd) {
		problem(r, "a reply to command %d says command %u", r->cmd, g->cmd);
		return;
	}
	nl_parse(m, &t);
	switch (r->cmd) {
	case OVSKVM_CMD_GET_STATUS:
		p = status_problem(&t);
		if (p)
			problem(r, "GET_STATUS replied with %s", p);
		break;
	case OVSKVM_CMD_SET_POLICY:
		if (!len_is(t.a[OVSKVM_A_POLICY_GEN], 4) || !len_is(t.a[OVSKVM_A_EVENT_SEQ], 8))
			problem(r, "the SET_POLICY reply lacks the generation or sequence number");
		break;
	case OVSKVM_CMD_GET_POLICY:
		check_policy_msg(r, m, &t);
		break;
	case OVSKVM_CMD_GET_PORT:
		check_port_msg(r, m, &t);
		break;
	default:
		problem(r, "command %d, which takes no request, answered", r->cmd);
	}
}

/* Hands message @m of datagram number @dgram to the request it answers. */
static void on_msg(struct req *reqs, int n, const struct nlmsghdr *m, unsigned int dgram)
{
	struct req *r = find_req(reqs, n, m->nlmsg_seq);
	int err = 0;

	if (!r) {
		st.stray++;
		return;
	}
	if (m->nlmsg_flags & NLM_F_DUMP_INTR) {
		r->intr = true;
		r->last_intr_dgram = dgram;
	}
	if (m->nlmsg_type == NLMSG_ERROR || m->nlmsg_type == NLMSG_DONE) {
		if (mnl_nlmsg_get_payload_len(m) >= sizeof(int))
			memcpy(&err, mnl_nlmsg_get_payload(m), sizeof(err));
		if (r->terminal) {
			st.extra++;
			return;
		}
		r->terminal = true;
		r->dump_open = false;
		r->err = err;
		if (err > 0)
			problem(r, "an error message with a positive errno %d", err);
		return;
	}
	if (m->nlmsg_type < NLMSG_MIN_TYPE)
		return;
	if (r->terminal) {
		problem(r, "a reply after the request's ack or DONE");
		return;
	}
	r->n_data++;
	r->last_data_dgram = dgram;
	if (m->nlmsg_flags & NLM_F_MULTI)
		r->dump_open = true;
	check_data(r, m);
}

/*
 * Reads one datagram, at most @size bytes of it, and hands its messages
 * out.  Returns its length, or -errno.
 */
static int recv_dgram(int fd, size_t size, struct req *reqs, int n, unsigned int dgram)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = rbuf, .iov_len = size };
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
	};
	const struct nlmsghdr *m;
	int len, left;

	len = recvmsg(fd, &mh, 0);
	if (len < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC) {
		st.truncated++;
		for (left = 0; left < n; left++)
			reqs[left].truncated = true;
	}
	if (sa.nl_pid)
		return len;	/* not from the kernel */
	left = len;
	for (m = (void *)rbuf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left))
		on_msg(reqs, n, m, dgram);
	return len;
}

/* Has every request that must be answered been, and every dump ended? */
static bool all_done(const struct req *reqs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((reqs[i].wait && !reqs[i].terminal) || reqs[i].dump_open)
			return false;
	return true;
}

static void fail_req(const struct req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail_req(const struct req *r, const char *fmt, ...)
{
	char msg[300], buf[16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&out_lock);
	count_kind(fmt == problem_fmt ? r->problem_fmt : fmt);
	if (++n_failures <= MAX_REPORTED) {
		printf("# FAIL: message %lu (%s, flags %#x, %u bytes): %s\n", r->no,
		       row_name(r->row, buf, sizeof(buf)), r->nlh ? r->nlh->nlmsg_flags : 0,
		       r->nlh ? r->nlh->nlmsg_len : 0, msg);
		if (r->nlh && n_hexdumps++ < MAX_HEXDUMPS)
			hexdump(r->nlh, r->nlh->nlmsg_len);
	} else if (n_failures == MAX_REPORTED + 1) {
		printf("# (further failures counted, not shown)\n");
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void account(const struct req *r)
{
	int slot;

	if (r->send_err) {
		slot = SLOT_SENDERR;
		send_errs[r->send_err <= SLOT_ERRNO_MAX ? r->send_err : SLOT_ERRNO_MAX]++;
	}
	else if (r->cut)
		slot = SLOT_CUT;
	else if (r->terminal && r->err < 0)
		slot = -r->err <= SLOT_ERRNO_MAX ? -r->err : SLOT_ERRNO_MAX;
	else if (r->terminal || r->n_data)
		slot = SLOT_OK;
	else
		slot = SLOT_SILENT;
	counts[r->row][slot]++;
}

static void judge(const struct req *r)
{
	bool refused = r->terminal && r->err < 0;

	if (r->problem[0])
		fail_req(r, problem_fmt, r->problem);
	if (r->send_err || r->lost || r->cut || !r->dispatched)
		return;
	/* A request the family gets is answered with an error if refused. */
	if (r->must_fail && !refused)
		fail_req(r, "accepted, though it carries something the family must refuse");
	if (r->must_succeed && refused)
		fail_req(r, "a valid request refused: %s", strerror(-r->err));
	if (r->want_eperm && r->err != -EPERM)
		fail_req(r, "unprivileged, answered %s instead of EPERM",
			 refused ? strerrorname_np(-r->err) : "with success");
	if (r->dump && r->terminal && !r->err) {
		st.dumps++;
		if (r->intr)
			st.dumps_intr++;
	}
}

static struct fsock fz;

/*
 * Sends @len bytes at @buf, the requests @reqs[0..n), then the sentinel,
 * and reads until the sentinel's ack and the end of every dump.
 */
static void exchange(struct req *reqs, int n, const void *buf, unsigned int len)
{
	struct nlmsghdr noop = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	struct req *sentinel = &reqs[n];
	unsigned int dgram = 0;
	int i, ret;

	classify(buf, len, reqs, n);
	if (mnl_socket_sendto(fz.sock, buf, len) < 0) {
		for (i = 0; i < n; i++)
			reqs[i].send_err = errno;
		goto judge;
	}
	memset(sentinel, 0, sizeof(*sentinel));
	noop.nlmsg_seq = sentinel->seq = next_seq++;
	sentinel->wait = true;
	if (mnl_socket_sendto(fz.sock, &noop, noop.nlmsg_len) < 0) {
		failure("sending the NOOP after message %lu: %s", reqs[0].no, strerror(errno));
		for (i = 0; i < n; i++)
			reqs[i].lost = true;
		goto judge;
	}
	while (!all_done(reqs, n + 1)) {
		ret = recv_dgram(fz.fd, sizeof(rbuf), reqs, n + 1, ++dgram);
		if (ret >= 0)
			continue;
		for (i = 0; i < n; i++)
			reqs[i].lost = true;
		if (ret == -ENOBUFS)
			st.overruns++;	/* replies lost: start afresh */
		else
			fail_req(&reqs[0], "%s after %u datagrams",
				 ret == -EAGAIN ? "no answer in time" : strerror(-ret), dgram - 1);
		fsock_close(&fz);
		ret = fsock_open(&fz);
		if (ret)
			failure("reopening the socket: %s", strerror(-ret));
		st.reopened++;
		break;
	}
judge:
	for (i = 0; i < n; i++) {
		account(&reqs[i]);
		judge(&reqs[i]);
	}
}

/* --- building requests ------------------------------------------------------- */

struct gen {
	struct rng *r;
	struct nlmsghdr *nlh;
	size_t size;			/* of the buffer nlh is in */
	bool full;
	bool canonical;			/* list entries of type 0, as dumped */
};

/* What putting an attribute did. */
#define V_PUT		1		/* it is in the message */
#define V_TYPED		2		/* the policy validation refuses it */
#define V_MANUAL	4		/* the module's own parsing refuses it */

static struct nlmsghdr *msg_start(void *buf, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = next_seq++;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : OVSKVM_GENL_VERSION;
	return nlh;
}

static bool gput(struct gen *g, uint16_t type, size_t len, const void *data)
{
	if (g->full || !mnl_attr_put_check(g->nlh, g->size, type, len, data)) {
		g->full = true;
		return false;
	}
	return true;
}

static bool gput_u8(struct gen *g, uint16_t type, uint8_t v) { return gput(g, type, 1, &v); }
static bool gput_u16(struct gen *g, uint16_t type, uint16_t v) { return gput(g, type, 2, &v); }
static bool gput_u32(struct gen *g, uint16_t type, uint32_t v) { return gput(g, type, 4, &v); }

static bool gput_str(struct gen *g, uint16_t type, const char *s)
{
	return gput(g, type, strlen(s) + 1, s);
}

static struct nlattr *gnest(struct gen *g, uint16_t type)
{
	struct nlattr *n = NULL;

	if (!g->full)
		n = mnl_attr_nest_start_check(g->nlh, g->size, type);
	if (!n)
		g->full = true;
	return n;
}

static void gnest_end(struct gen *g, struct nlattr *n)
{
	mnl_attr_nest_end(g->nlh, n);
}

/*
 * The attributes of a container whose parser keeps the last of each type
 * (nla_parse()): an attribute only the module's own checks refuse counts
 * only if no later one of its type replaces it.
 */
struct scope {
	unsigned int max;
	bool typed;
	bool manual[64];
};

static void scope_add(struct scope *sc, unsigned int type, int v)
{
	if (!(v & V_PUT))
		return;
	if ((v & V_TYPED) || !type || type > sc->max)
		sc->typed = true;
	else if (type < ARRAY_SIZE(sc->manual))
		sc->manual[type] = v & V_MANUAL;
}

static int scope_verdict(const struct scope *sc)
{
	int v = sc->typed ? V_TYPED : 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sc->manual); i++)
		if (sc->manual[i])
			v |= V_MANUAL;
	return v;
}

/* The family's attributes, from the UAPI header and kmod/ policies. */
enum kind { K_U8, K_U16, K_U32, K_U64, K_STR, K_BIN, K_NEST, K_LIST };

#define A_NONEMPTY	0x1		/* "" is refused */
#define A_DEVNAME	0x2		/* must be a valid interface name */
#define A_MASK		0x4		/* .max is a mask of the valid bits */

struct aspec {
	unsigned char kind;
	unsigned char flags;
	unsigned short len;		/* K_STR: longest; K_BIN: exact length */
	unsigned long long min, max;	/* integers; K_LIST: number of entries */
	const struct aspec *sub;	/* K_NEST: attributes by type; K_LIST: entry */
	unsigned int sub_max;		/* K_NEST: highest type */
};

#define U8(lo, hi)	{ .kind = K_U8, .min = (lo), .max = (hi) }
#define U16(lo, hi)	{ .kind = K_U16, .min = (lo), .max = (hi) }
#define U32(lo, hi)	{ .kind = K_U32, .min = (lo), .max = (hi) }
#define U32_ANY		U32(0, UINT32_MAX)
#define U32_MASK(m)	{ .kind = K_U32, .flags = A_MASK, .max = (m) }
#define U64_ANY		{ .kind = K_U64, .max = UINT64_MAX }
#define STR(n, f)	{ .kind = K_STR, .flags = (f), .len = (n) }
#define BIN(n)		{ .kind = K_BIN, .len = (n) }
#define LIST(lo, hi, e)	{ .kind = K_LIST, .min = (lo), .max = (hi), .sub = (e) }
#define NEST(a, m)	{ .kind = K_NEST, .sub = (a), .sub_max = (m) }

static const struct aspec name_entry = STR(OVSKVM_GLOB_LEN - 1, A_NONEMPTY);
static const struct aspec vid_entry = U16(0, OVSKVM_VLAN_MAX);

static const struct aspec rule_attrs[OVSKVM_RULE_A_MAX + 1] = {
	[OVSKVM_RULE_A_ID]		= U32_ANY,
	[OVSKVM_RULE_A_ACTION]		= U8(OVSKVM_ACTION_ATTACH, OVSKVM_ACTION_MAX),
	[OVSKVM_RULE_A_NAMES]		= LIST(0, OVSKVM_MAX_NAMES, &name_entry),
	[OVSKVM_RULE_A_MAC]		= BIN(ETH_ALEN),
	[OVSKVM_RULE_A_MAC_MASK]	= BIN(ETH_ALEN),
	[OVSKVM_RULE_A_UID_MIN]		= U32_ANY,
	[OVSKVM_RULE_A_UID_MAX]		= U32_ANY,
	[OVSKVM_RULE_A_COMM]		= STR(OVSKVM_GLOB_LEN - 1, A_NONEMPTY),
	[OVSKVM_RULE_A_BRIDGE]		= STR(IFNAMSIZ - 1, A_NONEMPTY | A_DEVNAME),
	[OVSKVM_RULE_A_VLAN_TAG]	= U16(1, 4094),
	[OVSKVM_RULE_A_VLAN_TRUNKS]	= LIST(1, OVSKVM_MAX_TRUNKS, &vid_entry),
	[OVSKVM_RULE_A_FLAGS]		= U32_MASK(OVSKVM_RULE_F_ALL),
};

static const struct aspec rule_entry = NEST(rule_attrs, OVSKVM_RULE_A_MAX);

static const struct aspec stat_attrs[OVSKVM_STAT_MAX + 1] = {
	[OVSKVM_STAT_SEEN ... OVSKVM_STAT_MAX] = U64_ANY,
};

/* Request and reply attributes alike: a command refuses those it does not take. */
static const struct aspec top_attrs[OVSKVM_A_MAX + 1] = {
	[OVSKVM_A_VERSION]		= STR(63, 0),
	[OVSKVM_A_POLICY_SOURCE]	= U8(0, OVSKVM_POLICY_SOURCE_USER),
	[OVSKVM_A_POLICY_GEN]		= U32_ANY,
	[OVSKVM_A_POLICY_FLAGS]		= U32_MASK(OVSKVM_POLICY_F_ALL),
	[OVSKVM_A_RULE_COUNT]		= U32_ANY,
	[OVSKVM_A_PORT_COUNT]		= U32_ANY,
	[OVSKVM_A_EVENT_SEQ]		= U64_ANY,
	[OVSKVM_A_STATS]		= NEST(stat_attrs, OVSKVM_STAT_MAX),
	[OVSKVM_A_RULES]		= LIST(0, OVSKVM_MAX_RULES, &rule_entry),
	[OVSKVM_A_RULE]			= NEST(rule_attrs, OVSKVM_RULE_A_MAX),
	[OVSKVM_A_RULE_INDEX]		= U32_ANY,
	[OVSKVM_A_IFINDEX]		= U32(1, INT_MAX),
	[OVSKVM_A_IFNAME]		= STR(IFNAMSIZ - 1, 0),
	[OVSKVM_A_OLD_IFNAME]		= STR(IFNAMSIZ - 1, 0),
	[OVSKVM_A_MAC]			= BIN(ETH_ALEN),
	[OVSKVM_A_STATE]		= U8(0, OVSKVM_PORT_STATE_MAX),
	[OVSKVM_A_PORT_FLAGS]		= U32_ANY,
	[OVSKVM_A_CREATOR_PID]		= U32_ANY,
	[OVSKVM_A_CREATOR_UID]		= U32_ANY,
	[OVSKVM_A_CREATOR_COMM]		= STR(15, 0),
	[OVSKVM_A_REGISTER_NS]		= U64_ANY,
	[OVSKVM_A_ATTACH_NS]		= U64_ANY,
	[OVSKVM_A_UP_NS]		= U64_ANY,
	[OVSKVM_A_ATTACH_LATENCY_NS]	= U64_ANY,
	[OVSKVM_A_RULE_ID]		= U32_ANY,
	[OVSKVM_A_BRIDGE]		= STR(IFNAMSIZ - 1, A_NONEMPTY | A_DEVNAME),
	[OVSKVM_A_BRIDGE_KIND]		= U8(0, OVSKVM_BRIDGE_OTHER),
	[OVSKVM_A_VLAN_TAG]		= U16(1, 4094),
	[OVSKVM_A_VLAN_TRUNKS]		= LIST(1, OVSKVM_MAX_TRUNKS, &vid_entry),
	[OVSKVM_A_RULE_FLAGS]		= U32_MASK(OVSKVM_RULE_F_ALL),
	[OVSKVM_A_ERROR]		= U32_ANY,
	[OVSKVM_A_MASTER]		= STR(IFNAMSIZ - 1, 0),
	[OVSKVM_A_PAD]			= BIN(0),
	[OVSKVM_A_CREATOR_START_NS]	= U64_ANY,
	[OVSKVM_A_REASON]		= STR(200, 0),
	[OVSKVM_A_MTU]			= U32_ANY,
};

/* For types no table knows. */
static const struct aspec any_specs[] = {
	U8(0, UINT8_MAX), U16(0, UINT16_MAX), U32_ANY, U64_ANY, STR(63, 0), BIN(ETH_ALEN),
	NEST(rule_attrs, OVSKVM_RULE_A_MAX), LIST(0, OVSKVM_MAX_NAMES, &name_entry),
};

static const char *const glob_pool[] = {
	"fz*", "fz[0-3]", "fz[!0-3]*", "fzr?", "*", "fz\\*", "[a-z]z*", "?z?", "fz1",
	"tap*", "vnet*", "[", "[!]", "\\", "*[a-", "qemu-system-*", "**?*", "[]]",
};

static const char *const bridge_pool[] = { "fzbr0", "fzbr1", "fzbr2", "fzbr-with-15chr" };

static const char *const devname_pool[] = {
	"fzbr0", "fzbr1", "fzbr2", "fz0", "fz7", "fzr1", "lo", "br0", "a", "fzbr-with-15chr",
};

static const char *const bad_devname_pool[] = { ".", "..", "a/b", "a b", "fz:0", "fz\t0", "/" };

static void random_chars(struct rng *r, char *buf, unsigned int n, bool devname)
{
	static const char glob_chars[] = "abcfrz0123456789*?[]!-_\\";
	static const char dev_chars[] = "abcfrz0123456789-_";
	const char *set = devname ? dev_chars : glob_chars;
	size_t len = strlen(set);
	unsigned int i;

	for (i = 0; i < n; i++)
		buf[i] = set[rnd(r, len)];
	if (devname && n && buf[0] == '-')
		buf[0] = 'f';
}

static int bad(bool typed)
{
	return typed ? V_TYPED : V_MANUAL;
}

static const unsigned int int_size[] = { [K_U8] = 1, [K_U16] = 2, [K_U32] = 4, [K_U64] = 8 };

static int gen_int(struct gen *g, unsigned int type, const struct aspec *s, bool typed)
{
	static const unsigned int wrong_lens[] = { 0, 1, 2, 3, 4, 5, 6, 8, 12, 16 };
	unsigned int size = int_size[s->kind], len = size, pick = rnd(g->r, 100);
	unsigned long long full = size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
	unsigned long long v;
	unsigned char buf[16];
	int verdict = 0;

	if (s->flags & A_MASK) {
		if (pick < 75)
			v = rng_u64(g->r) & s->max;
		else
			v = (rng_u64(g->r) & full) | (1ULL << rnd(g->r, size * 8));
		if (v & ~s->max)
			verdict = bad(typed);
	} else {
		if (pick < 60) {
			switch (rnd(g->r, 5)) {
			case 0: v = s->min; break;
			case 1: v = s->max; break;
			case 2: v = s->min + (s->max > s->min); break;
			case 3: v = s->max - (s->max > s->min); break;
			default:
				v = s->max - s->min == UINT64_MAX ? rng_u64(g->r) :
				    s->min + rng_u64(g->r) % (s->max - s->min + 1);
			}
		} else if (pick < 80) {
			v = (chance(g->r, 50) ? s->min - 1 : s->max + 1) & full;
		} else if (pick < 90) {
			static const unsigned long long odd[] = {
				0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
				0x80000000, 0xffffffff, 0x8000000000000000ULL, ~0ULL,
			};

			v = odd[rnd(g->r, ARRAY_SIZE(odd))] & full;
		} else {
			v = rng_u64(g->r) & full;
		}
		if (v < s->min || v > s->max)
			verdict = bad(typed);
	}
	memset(buf, 0, sizeof(buf));
	switch (size) {
	case 1: { uint8_t x = v; memcpy(buf, &x, 1); break; }
	case 2: { uint16_t x = v; memcpy(buf, &x, 2); break; }
	case 4: { uint32_t x = v; memcpy(buf, &x, 4); break; }
	default: { uint64_t x = v; memcpy(buf, &x, 8); break; }
	}
	if (chance(g->r, 8)) {
		do
			len = wrong_lens[rnd(g->r, ARRAY_SIZE(wrong_lens))];
		while (len == size);
		verdict = bad(typed);
	}
	return gput(g, type, len, buf) ? V_PUT | verdict : 0;
}

/*
 * Strings: a good one, exactly the longest, one byte too long, far too
 * long, an empty payload, "", unterminated, a NUL with bytes after it, an
 * invalid interface name, random bytes.  A NUL-string policy refuses the
 * too long, empty and unterminated ones; the module refuses "" where it
 * wants a value and an invalid interface name for a bridge.
 */
static int gen_str(struct gen *g, unsigned int type, const struct aspec *s, bool typed)
{
	static char buf[4200];
	bool devname = s->flags & A_DEVNAME;
	unsigned int max = s->len, pick = rnd(g->r, 100), n, len, i;
	int verdict = 0;

	if (pick < 45) {
		const char *p = devname ? devname_pool[rnd(g->r, ARRAY_SIZE(devname_pool))] :
				glob_pool[rnd(g->r, ARRAY_SIZE(glob_pool))];

		if (chance(g->r, 50) && strlen(p) <= max) {
			strcpy(buf, p);
			len = strlen(p) + 1;
		} else {
			n = 1 + rnd(g->r, max ? max : 1);
			random_chars(g->r, buf, n, devname);
			buf[n] = 0;
			len = n + 1;
			if (devname && (!strcmp(buf, ".") || !strcmp(buf, "..")))
				buf[0] = 'f';
		}
	} else if (pick < 52) {
		random_chars(g->r, buf, max, devname);
		buf[max] = 0;
		len = max + 1;
	} else if (pick < 60) {
		random_chars(g->r, buf, max + 1, devname);
		buf[max + 1] = 0;
		len = max + 2;
		verdict = bad(typed);
	} else if (pick < 64) {
		n = max + 1 + rnd(g->r, 3000);
		random_chars(g->r, buf, n, devname);
		buf[n] = 0;
		len = n + 1;
		verdict = bad(typed);
	} else if (pick < 70) {
		len = 0;
		verdict = bad(typed);
	} else if (pick < 76) {
		buf[0] = 0;
		len = 1;
		if (s->flags & A_NONEMPTY)
			verdict = V_MANUAL;
	} else if (pick < 84) {
		len = 1 + rnd(g->r, max + 8);
		for (i = 0; i < len; i++)
			buf[i] = 1 + rnd(g->r, 255);
		verdict = bad(typed);
	} else if (pick < 90) {
		n = 1 + rnd(g->r, 4);
		random_chars(g->r, buf, n, devname);
		buf[n] = 0;
		len = n + 1 + 1 + rnd(g->r, max);
		for (i = n + 1; i < len; i++)
			buf[i] = rnd(g->r, 256);
	} else if (pick < 95) {
		strcpy(buf, bad_devname_pool[rnd(g->r, ARRAY_SIZE(bad_devname_pool))]);
		len = strlen(buf) + 1;
		if (devname)
			verdict = V_MANUAL;
	} else {
		len = 1 + rnd(g->r, max + 1);
		for (i = 0; i < len; i++)
			buf[i] = rnd(g->r, 256);
		buf[len++] = 0;
	}
	return gput(g, type, len, buf) ? V_PUT | verdict : 0;
}

static int gen_bin(struct gen *g, unsigned int type, const struct aspec *s, bool typed)
{
	static const unsigned int lens[] = { 0, 1, 5, 7, 8, 12, 16, 64 };
	unsigned char buf[64];
	unsigned int len = s->len, i;
	int verdict = 0;

	if (chance(g->r, 25)) {
		do
			len = lens[rnd(g->r, ARRAY_SIZE(lens))];
		while (len == s->len);
		verdict = bad(typed);
	}
	for (i = 0; i < len; i++)
		buf[i] = rnd(g->r, 256);
	return gput(g, type, len, buf) ? V_PUT | verdict : 0;
}

static int gen_attr(struct gen *g, unsigned int type, const struct aspec *s, bool typed, int depth);

/* A nest of the attributes @s->sub: the module parses it with nla_parse(). */
static int gen_nest(struct gen *g, unsigned int type, const struct aspec *s, int depth)
{
	struct scope sc = { .max = s->sub_max };
	unsigned int n = depth >= DEPTH_MAX ? 0 : rnd(g->r, 7), i;
	struct nlattr *nest = gnest(g, type);

	if (!nest)
		return 0;
	for (i = 0; i < n && !g->full; i++) {
		unsigned int pick = rnd(g->r, 100), t;
		const struct aspec *cs;

		if (pick < 84)
			t = 1 + rnd(g->r, s->sub_max);
		else if (pick < 92)
			t = 0;
		else
			t = s->sub_max + 1 + rnd(g->r, 8);
		cs = t && t <= s->sub_max ? &s->sub[t] : &any_specs[rnd(g->r, ARRAY_SIZE(any_specs))];
		scope_add(&sc, t, gen_attr(g, t, cs, true, depth + 1));
	}
	gnest_end(g, nest);
	return V_PUT | scope_verdict(&sc);
}

/* A valid rule, for valid policies and as the base of mutated ones. */
struct vrule {
	uint32_t id;
	uint8_t action;
	unsigned int n_names;
	char names[OVSKVM_MAX_NAMES][OVSKVM_GLOB_LEN];
	bool has_mac, has_mask, has_uid, has_uid_max, has_comm, has_flags;
	uint8_t mac[ETH_ALEN], mask[ETH_ALEN];
	uint32_t uid_min, uid_max;
	char comm[OVSKVM_GLOB_LEN];
	char bridge[IFNAMSIZ];
	uint32_t flags;
	uint16_t vlan_tag;
	unsigned int n_trunks;
	uint16_t trunks[OVSKVM_MAX_TRUNKS];
};

static void pick_glob(struct rng *r, char *buf)
{
	unsigned int n;

	if (chance(r, 70)) {
		strcpy(buf, glob_pool[rnd(r, ARRAY_SIZE(glob_pool))]);
		return;
	}
	n = 1 + rnd(r, OVSKVM_GLOB_LEN - 1);
	random_chars(r, buf, n, false);
	buf[n] = 0;
}

static void vrule_random(struct rng *r, struct vrule *v, uint32_t id, bool compact)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->id = id;
	v->action = chance(r, 65) ? OVSKVM_ACTION_ATTACH : OVSKVM_ACTION_IGNORE;
	v->n_names = compact ? rnd(r, 2) : chance(r, 10) ? OVSKVM_MAX_NAMES : rnd(r, 4);
	for (i = 0; i < v->n_names; i++)
		pick_glob(r, v->names[i]);
	if (!compact && chance(r, 25)) {
		v->has_mac = true;
		for (i = 0; i < ETH_ALEN; i++)
			v->mac[i] = rnd(r, 256);
		v->has_mask = chance(r, 50);
		for (i = 0; i < ETH_ALEN; i++)
			v->mask[i] = rnd(r, 256);
	}
	if (!compact && chance(r, 20)) {
		v->has_uid = true;
		v->uid_min = chance(r, 50) ? rnd(r, 2000) : rng_u32(r) / 2;
		v->has_uid_max = chance(r, 50);
		v->uid_max = v->uid_min + rnd(r, 100000);
	}
	if (!compact && chance(r, 20)) {
		v->has_comm = true;
		pick_glob(r, v->comm);
	}
	if (v->action != OVSKVM_ACTION_ATTACH)
		return;
	strcpy(v->bridge, bridge_pool[rnd(r, ARRAY_SIZE(bridge_pool))]);
	v->has_flags = chance(r, 70);
	v->flags = v->has_flags ? rnd(r, OVSKVM_RULE_F_ALL + 1) : 0;
	if (compact)
		return;
	if (chance(r, 30)) {
		v->vlan_tag = 1 + rnd(r, 4094);
	} else if (chance(r, 25)) {
		v->n_trunks = 1 + (chance(r, 10) ? OVSKVM_MAX_TRUNKS - 1 : rnd(r, 8));
		for (i = 0; i < v->n_trunks; i++)
			v->trunks[i] = rnd(r, OVSKVM_VLAN_MAX + 1);
	}
}

/* List entries: the module reads them in order and ignores their type. */
static uint16_t entry_type(struct rng *r)
{
	return chance(r, 80) ? 0 : rnd(r, NLA_TYPE_MASK + 1);
}

static uint16_t gen_entry_type(struct gen *g)
{
	return g->canonical ? 0 : entry_type(g->r);
}

static void put_vrule_attr(struct gen *g, const struct vrule *v, unsigned int t)
{
	struct nlattr *n;
	unsigned int i;

	switch (t) {
	case OVSKVM_RULE_A_ID:
		gput_u32(g, t, v->id);
		break;
	case OVSKVM_RULE_A_ACTION:
		gput_u8(g, t, v->action);
		break;
	case OVSKVM_RULE_A_NAMES:
		if (!v->n_names || !(n = gnest(g, t)))
			break;
		for (i = 0; i < v->n_names; i++)
			gput_str(g, gen_entry_type(g), v->names[i]);
		gnest_end(g, n);
		break;
	case OVSKVM_RULE_A_MAC:
		if (v->has_mac)
			gput(g, t, ETH_ALEN, v->mac);
		break;
	case OVSKVM_RULE_A_MAC_MASK:
		if (v->has_mac && v->has_mask)
			gput(g, t, ETH_ALEN, v->mask);
		break;
	case OVSKVM_RULE_A_UID_MIN:
		if (v->has_uid)
			gput_u32(g, t, v->uid_min);
		break;
	case OVSKVM_RULE_A_UID_MAX:
		if (v->has_uid && v->has_uid_max)
			gput_u32(g, t, v->uid_max);
		break;
	case OVSKVM_RULE_A_COMM:
		if (v->has_comm)
			gput_str(g, t, v->comm);
		break;
	case OVSKVM_RULE_A_BRIDGE:
		if (v->action == OVSKVM_ACTION_ATTACH)
			gput_str(g, t, v->bridge);
		break;
	case OVSKVM_RULE_A_FLAGS:
		if (v->action == OVSKVM_ACTION_ATTACH && v->has_flags)
			gput_u32(g, t, v->flags);
		break;
	case OVSKVM_RULE_A_VLAN_TAG:
		if (v->vlan_tag)
			gput_u16(g, t, v->vlan_tag);
		break;
	case OVSKVM_RULE_A_VLAN_TRUNKS:
		if (!v->n_trunks || !(n = gnest(g, t)))
			break;
		for (i = 0; i < v->n_trunks; i++)
			gput_u16(g, gen_entry_type(g), v->trunks[i]);
		gnest_end(g, n);
		break;
	}
}

/*
 * Rule @v as a nest of type @type, in the order the module dumps it, with
 * the attribute of type @fuzz (-1: none) made at random instead.
 */
static int put_vrule(struct gen *g, uint16_t type, const struct vrule *v, int fuzz, int depth)
{
	static const unsigned char order[] = {
		OVSKVM_RULE_A_ID, OVSKVM_RULE_A_ACTION, OVSKVM_RULE_A_NAMES, OVSKVM_RULE_A_MAC,
		OVSKVM_RULE_A_MAC_MASK, OVSKVM_RULE_A_UID_MIN, OVSKVM_RULE_A_UID_MAX,
		OVSKVM_RULE_A_COMM, OVSKVM_RULE_A_BRIDGE, OVSKVM_RULE_A_FLAGS,
		OVSKVM_RULE_A_VLAN_TAG, OVSKVM_RULE_A_VLAN_TRUNKS,
	};
	struct scope sc = { .max = OVSKVM_RULE_A_MAX };
	struct nlattr *rule = gnest(g, type);
	bool fuzzed = false;
	unsigned int i;

	if (!rule)
		return 0;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (order[i] == fuzz) {
			scope_add(&sc, fuzz, gen_attr(g, fuzz, &rule_attrs[fuzz], true, depth + 1));
			fuzzed = true;
		} else {
			put_vrule_attr(g, v, order[i]);
		}
	}
	if (fuzz >= 0 && !fuzzed)
		scope_add(&sc, fuzz, gen_attr(g, fuzz, &any_specs[rnd(g->r, ARRAY_SIZE(any_specs))],
					      true, depth + 1));
	gnest_end(g, rule);
	return V_PUT | scope_verdict(&sc);
}

/* A list: the module reads every entry (nla_for_each_nested()). */
static int gen_list(struct gen *g, unsigned int type, const struct aspec *s, int depth)
{
	unsigned int pick = rnd(g->r, 100), n, i, put = 0;
	struct nlattr *nest = gnest(g, type);
	int v = V_PUT;

	if (!nest)
		return 0;
	if (pick < 60)
		n = rnd(g->r, (s->max < 4 ? s->max : 4) + 1);
	else if (pick < 70)
		n = s->max;
	else if (pick < 80)
		n = s->max + 1;
	else if (pick < 90)
		n = 0;
	else
		n = rnd(g->r, 2 * s->max + 1);
	if (depth >= DEPTH_MAX && n > 2)
		n = 2;
	for (i = 0; i < n && !g->full; i++) {
		uint16_t t = entry_type(g->r);
		int ev;

		if (s->sub == &rule_entry && (n > 16 || chance(g->r, 50))) {
			struct vrule vr;

			/* Valid rules, one attribute made at random in small lists. */
			vrule_random(g->r, &vr, i + 1, n > 16);
			ev = put_vrule(g, t, &vr, n > 16 ? -1 : (int)rnd(g->r, OVSKVM_RULE_A_MAX + 3),
				       depth + 1);
		} else {
			ev = gen_attr(g, t, s->sub, false, depth + 1);
		}
		if (!(ev & V_PUT))
			break;
		put++;
		v |= ev & (V_TYPED | V_MANUAL);
	}
	if (put == n && (n < s->min || n > s->max))
		v |= V_MANUAL;
	gnest_end(g, nest);
	return v;
}

/*
 * One attribute of spec @s; @typed: a policy validates this position
 * (false for list entries, whose type the module ignores).
 */
static int gen_attr(struct gen *g, unsigned int type, const struct aspec *s, bool typed, int depth)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(g->nlh);
	int v;

	/* Now and then the wrong kind: a nest for a scalar, a u32 for a nest. */
	if (chance(g->r, 4)) {
		if (s->kind == K_NEST || s->kind == K_LIST) {
			if (!gput_u32(g, type, rng_u32(g->r)))
				return 0;
		} else {
			struct nlattr *n = gnest(g, type);
			unsigned int i, k = rnd(g->r, 3);

			if (!n)
				return 0;
			for (i = 0; i < k; i++)
				gput_u32(g, 1 + rnd(g->r, 8), rng_u32(g->r));
			gnest_end(g, n);
		}
		return V_PUT | (typed ? V_TYPED : 0);
	}
	switch (s->kind) {
	case K_STR:
		v = gen_str(g, type, s, typed);
		break;
	case K_BIN:
		v = gen_bin(g, type, s, typed);
		break;
	case K_NEST:
		v = gen_nest(g, type, s, depth);
		break;
	case K_LIST:
		v = gen_list(g, type, s, depth);
		break;
	default:
		v = gen_int(g, type, s, typed);
	}
	if (!(v & V_PUT))
		return v;
	/* Strict validation wants NLA_F_NESTED on nests, and only there. */
	if (chance(g->r, 3)) {
		a->nla_type ^= NLA_F_NESTED;
		if (typed)
			v |= V_TYPED;
	}
	if (chance(g->r, 2))
		a->nla_type ^= NLA_F_NET_BYTEORDER;
	return v;
}

/* Random top-level attributes for @cmd; true if the family must refuse them. */
static bool gen_request(struct gen *g, int cmd)
{
	static const unsigned int takes[][2] = {
		[OVSKVM_CMD_SET_POLICY] = { OVSKVM_A_POLICY_FLAGS, OVSKVM_A_RULES },
		[OVSKVM_CMD_GET_PORT] = { OVSKVM_A_IFINDEX, OVSKVM_A_IFNAME },
		[OVSKVM_CMD_REEVALUATE] = { OVSKVM_A_IFINDEX, OVSKVM_A_IFINDEX },
	};
	struct scope sc = { .max = OVSKVM_A_MAX };
	bool takes_some = cmd >= 0 && (unsigned int)cmd < ARRAY_SIZE(takes) && takes[cmd][0];
	unsigned int n, i;

	n = chance(g->r, 15) ? 0 : 1 + rnd(g->r, 3);
	if (chance(g->r, 5))
		n = 4 + rnd(g->r, 12);
	for (i = 0; i < n && !g->full; i++) {
		unsigned int pick = rnd(g->r, 100), type;
		const struct aspec *s;
		int v;

		if (pick < 60 && takes_some)
			type = takes[cmd][rnd(g->r, 2)];
		else if (pick < 88)
			type = 1 + rnd(g->r, OVSKVM_A_MAX);
		else if (pick < 93)
			type = 0;
		else
			type = OVSKVM_A_MAX + 1 + rnd(g->r, chance(g->r, 50) ? 8 : NLA_TYPE_MASK - OVSKVM_A_MAX);
		s = type && type <= OVSKVM_A_MAX ? &top_attrs[type] :
		    &any_specs[rnd(g->r, ARRAY_SIZE(any_specs))];
		v = gen_attr(g, type, s, true, 0);
		if ((v & V_PUT) && !cmd_takes(cmd, type))
			v |= V_TYPED;
		scope_add(&sc, type, v);
	}
	return scope_verdict(&sc) != 0;
}

/* A valid SET_POLICY body of @n_rules rules. */
static void put_valid_policy(struct gen *g, unsigned int n_rules)
{
	uint32_t base = rng_u32(g->r);
	struct nlattr *rules;
	struct vrule v;
	unsigned int i;

	if (chance(g->r, 10))
		gput_u32(g, OVSKVM_A_POLICY_FLAGS, 0);
	if (!n_rules && chance(g->r, 50))
		return;
	rules = gnest(g, OVSKVM_A_RULES);
	if (!rules)
		return;
	for (i = 0; i < n_rules; i++) {
		vrule_random(g->r, &v, base + i * 7, n_rules > 16);
		put_vrule(g, entry_type(g->r), &v, -1, 1);
	}
	gnest_end(g, rules);
}

static unsigned int policy_size(struct rng *r)
{
	unsigned int pick = rnd(r, 100);

	if (pick < 70)
		return rnd(r, 7);
	if (pick < 90)
		return 7 + rnd(r, 34);
	return 100 + rnd(r, OVSKVM_MAX_RULES - 99);
}

/* --- the generators ---------------------------------------------------------- */

static struct rng fuzz_rng;

static uint16_t random_flags(struct rng *r)
{
	uint16_t flags = chance(r, 92) ? NLM_F_REQUEST : 0;

	if (chance(r, 70))
		flags |= NLM_F_ACK;
	if (chance(r, 30))
		flags |= NLM_F_DUMP;
	if (chance(r, 8))
		flags |= NLM_F_ECHO;
	if (chance(r, 10))
		flags |= 1 << rnd(r, 16);
	if (chance(r, 2))
		flags = rng_u32(r);
	return flags;
}

static int random_cmd(struct rng *r)
{
	if (chance(r, 60))
		return OVSKVM_CMD_GET_STATUS + rnd(r, OVSKVM_CMD_REEVALUATE);
	return rnd(r, OVSKVM_CMD_MAX + 4);
}

/* Builds a random request at @buf, at most @size bytes; returns it. */
static struct nlmsghdr *build_random(struct rng *r, void *buf, size_t size, bool *must_fail)
{
	int cmd = random_cmd(r);
	uint16_t type = family;
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;
	struct gen g;

	if (chance(r, 3)) {
		static const uint16_t types[] = {
			NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN, 0, NLMSG_MIN_TYPE - 1,
			GENL_ID_CTRL,
		};

		type = types[rnd(r, ARRAY_SIZE(types))];
	}
	nlh = msg_start(buf, type, random_flags(r), cmd);
	gh = mnl_nlmsg_get_payload(nlh);
	if (chance(r, 10))
		gh->version = rnd(r, 256);
	if (chance(r, 5))
		gh->reserved = rng_u32(r);
	g = (struct gen){ .r = r, .nlh = nlh, .size = size };
	*must_fail = gen_request(&g, type == family ? cmd : -1);
	return nlh;
}

static void one_random(struct rng *r)
{
	struct req reqs[2];
	struct nlmsghdr *nlh;
	bool must_fail;

	nlh = build_random(r, sbuf, chance(r, 5) ? MSG_SIZE : 4096, &must_fail);
	req_init(&reqs[0], nlh);
	reqs[0].must_fail = must_fail;
	exchange(reqs, 1, nlh, nlh->nlmsg_len);
}

/* Offsets of every attribute header, nests included, after the genl header. */
static unsigned int attr_offsets(const char *msg, unsigned int start, unsigned int end,
				 unsigned int *offs, unsigned int n, unsigned int max)
{
	while (end - start >= sizeof(struct nlattr) && n < max) {
		const struct nlattr *a = (const void *)(msg + start);

		if (a->nla_len < sizeof(struct nlattr) || a->nla_len > end - start)
			break;
		offs[n++] = start;
		if (a->nla_type & NLA_F_NESTED)
			n = attr_offsets(msg, start + sizeof(*a), start + a->nla_len, offs, n, max);
		start += MNL_ALIGN(a->nla_len);
	}
	return n;
}

/* A valid SET_POLICY, then 1 to 4 mutations of its bytes. */
static void one_mutated(struct rng *r)
{
	unsigned int offs[512], n_offs, len, i, k, off;
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct req reqs[2];
	struct gen g;

	nlh = msg_start(sbuf, family, NLM_F_REQUEST | (chance(r, 80) ? NLM_F_ACK : 0),
			OVSKVM_CMD_SET_POLICY);
	g = (struct gen){ .r = r, .nlh = nlh, .size = MSG_SIZE };
	put_valid_policy(&g, 1 + rnd(r, 6));
	len = nlh->nlmsg_len;
	n_offs = attr_offsets(sbuf, NLMSG_HDRLEN + GENL_HDRLEN, len, offs, 0, ARRAY_SIZE(offs));
	for (k = 1 + rnd(r, 4); k; k--) {
		unsigned char *p = (unsigned char *)sbuf;

		switch (rnd(r, 9)) {
		case 0:	/* a bit */
			off = NLMSG_HDRLEN + rnd(r, len - NLMSG_HDRLEN);
			p[off] ^= 1 << rnd(r, 8);
			break;
		case 1:	/* a byte */
			off = NLMSG_HDRLEN + rnd(r, len - NLMSG_HDRLEN);
			p[off] = (const unsigned char[]){ 0, 1, 0x7f, 0x80, 0xff }[rnd(r, 5)];
			break;
		case 2:	/* an attribute's length */
			if (!n_offs || offs[i = rnd(r, n_offs)] + 4 > len)
				break;
			a = (void *)(sbuf + offs[i]);
			a->nla_len = (const uint16_t[]){ 0, 1, 3, 4, a->nla_len - 1, a->nla_len + 1,
				a->nla_len + 4, 2 * a->nla_len, 0xffff,
				(uint16_t)rng_u32(r) }[rnd(r, 10)];
			break;
		case 3:	/* an attribute's type or flags */
			if (!n_offs || offs[i = rnd(r, n_offs)] + 4 > len)
				break;
			a = (void *)(sbuf + offs[i]);
			a->nla_type = (const uint16_t[]){ a->nla_type ^ NLA_F_NESTED,
				a->nla_type ^ NLA_F_NET_BYTEORDER, a->nla_type + 1, a->nla_type - 1,
				(uint16_t)rng_u32(r) }[rnd(r, 5)];
			break;
		case 4:	/* cut, the header saying so */
			len = NLMSG_HDRLEN + rnd(r, len - NLMSG_HDRLEN);
			nlh->nlmsg_len = len;
			break;
		case 5:	/* bytes appended */
			for (i = 1 + rnd(r, 64); i && len < MSG_SIZE; i--)
				p[len++] = rnd(r, 256);
			nlh->nlmsg_len = len;
			break;
		case 6:	/* a header that disagrees with what is sent */
			nlh->nlmsg_len = chance(r, 50) ? len + 1 + rnd(r, 64) : len - 1 - rnd(r, 8);
			break;
		case 7:	/* an attribute twice */
			if (!n_offs || offs[i = rnd(r, n_offs)] + 4 > len)
				break;
			a = (void *)(sbuf + offs[i]);
			if (a->nla_len < 4 || offs[i] + a->nla_len > len ||
			    len + MNL_ALIGN(a->nla_len) > MSG_SIZE)
				break;
			memcpy(sbuf + len, a, a->nla_len);
			len += MNL_ALIGN(a->nla_len);
			nlh->nlmsg_len = len;
			break;
		default: { /* the genl header */
			struct genlmsghdr *gh = (void *)(sbuf + NLMSG_HDRLEN);

			if (len < NLMSG_HDRLEN + GENL_HDRLEN)
				break;
			if (chance(r, 40))
				gh->cmd = rnd(r, OVSKVM_CMD_MAX + 4);
			else if (chance(r, 50))
				gh->version = rnd(r, 256);
			else
				gh->reserved = rng_u32(r);
		}
		}
	}
	req_init(&reqs[0], nlh);
	exchange(reqs, 1, sbuf, len);
}

/* Headers cut short or inconsistent, control types, no NLM_F_REQUEST. */
static void one_bad_header(struct rng *r)
{
	struct nlmsghdr *nlh;
	struct req reqs[2];
	unsigned int len;

	nlh = msg_start(sbuf, family, NLM_F_REQUEST | NLM_F_ACK,
			OVSKVM_CMD_GET_STATUS + rnd(r, OVSKVM_CMD_REEVALUATE));
	if (chance(r, 50))
		mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 1);
	len = nlh->nlmsg_len;
	switch (rnd(r, 6)) {
	case 0:	/* fewer bytes than the header says */
		len = rnd(r, len);
		break;
	case 1:	/* a generic netlink header cut short */
		nlh->nlmsg_len = NLMSG_HDRLEN + rnd(r, GENL_HDRLEN);
		break;
	case 2:	/* a length below the netlink header's */
		nlh->nlmsg_len = rnd(r, NLMSG_HDRLEN);
		break;
	case 3:	/* the attributes left out of the length: they follow as junk */
		nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
		break;
	case 4:	/* a control message type */
		nlh->nlmsg_type = rnd(r, NLMSG_MIN_TYPE);
		nlh->nlmsg_flags |= rnd(r, 0x10000);
		break;
	default: /* not a request */
		nlh->nlmsg_flags = rnd(r, 0x10000) & ~NLM_F_REQUEST;
	}
	req_init(&reqs[0], nlh);
	exchange(reqs, 1, sbuf, len);
}

/* Valid requests: they must be answered as the UAPI header says. */
static void one_valid(struct rng *r)
{
	uint16_t flags = NLM_F_REQUEST | (chance(r, 70) ? NLM_F_ACK : 0) |
			 (chance(r, 10) ? NLM_F_ECHO : 0);
	struct nlmsghdr *nlh;
	struct req reqs[2];
	bool must_succeed = true;
	struct gen g;
	char name[IFNAMSIZ];

	switch (rnd(r, 8)) {
	case 0:
		nlh = msg_start(sbuf, family, flags, OVSKVM_CMD_GET_STATUS);
		break;
	case 1:
	case 2:
		nlh = msg_start(sbuf, family, flags, OVSKVM_CMD_SET_POLICY);
		g = (struct gen){ .r = r, .nlh = nlh, .size = MSG_SIZE };
		if (chance(r, 10))
			gput_u32(&g, OVSKVM_A_POLICY_FLAGS, OVSKVM_POLICY_F_DEFAULT);
		else
			put_valid_policy(&g, policy_size(r));
		break;
	case 3:	/* a port that may or may not be there */
		nlh = msg_start(sbuf, family, flags, OVSKVM_CMD_GET_PORT);
		snprintf(name, sizeof(name), chance(r, 50) ? "fz%u" : "fzr%u", rnd(r, N_TAPS));
		if (chance(r, 50))
			mnl_attr_put_strz(nlh, OVSKVM_A_IFNAME, name);
		else
			mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 1 + rnd(r, 64));
		must_succeed = false;
		break;
	case 4:
		nlh = msg_start(sbuf, family, flags | NLM_F_DUMP, OVSKVM_CMD_GET_PORT);
		break;
	case 5:
		nlh = msg_start(sbuf, family, flags | NLM_F_DUMP, OVSKVM_CMD_GET_POLICY);
		break;
	case 6:
		nlh = msg_start(sbuf, family, flags, OVSKVM_CMD_REEVALUATE);
		break;
	default:
		nlh = msg_start(sbuf, family, flags, OVSKVM_CMD_REEVALUATE);
		mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, 1 + rnd(r, 64));
		must_succeed = false;
	}
	req_init(&reqs[0], nlh);
	reqs[0].must_succeed = must_succeed;
	exchange(reqs, 1, sbuf, nlh->nlmsg_len);
}

/* Two or three requests in one datagram, valid and random. */
static void one_batch(struct rng *r)
{
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(sbuf, BATCH_LIMIT);
	struct req reqs[MAX_BATCH + 1];
	int n = 2 + rnd(r, MAX_BATCH - 1), i;

	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh;
		bool must_fail = false;

		if (chance(r, 40)) {
			nlh = msg_start(mnl_nlmsg_batch_current(b), family,
					NLM_F_REQUEST | (chance(r, 50) ? NLM_F_ACK : 0),
					OVSKVM_CMD_GET_STATUS);
		} else {
			nlh = build_random(r, mnl_nlmsg_batch_current(b), 4096, &must_fail);
		}
		req_init(&reqs[i], nlh);
		reqs[i].must_fail = must_fail;
		mnl_nlmsg_batch_next(b);
	}
	exchange(reqs, n, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b));
	mnl_nlmsg_batch_stop(b);
}

/* The family's policies as nlctrl dumps them, for one op or all. */
static void one_ctrl_policy(struct rng *r)
{
	struct nlmsghdr *nlh;
	struct req reqs[2];
	unsigned int op = 0;
	bool with_op = chance(r, 60);

	nlh = msg_start(sbuf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP | (chance(r, 50) ? NLM_F_ACK : 0),
			CTRL_CMD_GETPOLICY);
	if (chance(r, 50))
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, family);
	else
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, OVSKVM_GENL_NAME);
	if (with_op) {
		op = rnd(r, OVSKVM_CMD_MAX + 4);
		mnl_attr_put_u32(nlh, CTRL_ATTR_OP, op);
	}
	req_init(&reqs[0], nlh);
	reqs[0].must_succeed = !with_op ||
			       (op >= OVSKVM_CMD_GET_STATUS && op <= OVSKVM_CMD_REEVALUATE);
	exchange(reqs, 1, sbuf, nlh->nlmsg_len);
}

/* A GET_POLICY or GET_PORT dump, read to the end, maybe with random attributes. */
static void one_dump(struct rng *r)
{
	int cmd = chance(r, 50) ? OVSKVM_CMD_GET_POLICY : OVSKVM_CMD_GET_PORT;
	struct nlmsghdr *nlh;
	struct req reqs[2];
	bool must_fail = false;
	struct gen g;

	nlh = msg_start(sbuf, family, NLM_F_REQUEST | NLM_F_DUMP | (chance(r, 30) ? NLM_F_ACK : 0),
			cmd);
	if (chance(r, 30)) {
		g = (struct gen){ .r = r, .nlh = nlh, .size = 4096 };
		must_fail = gen_request(&g, cmd);
	}
	req_init(&reqs[0], nlh);
	reqs[0].must_fail = must_fail;
	reqs[0].must_succeed = !must_fail && nlh->nlmsg_len == NLMSG_HDRLEN + GENL_HDRLEN;
	exchange(reqs, 1, sbuf, nlh->nlmsg_len);
}

/* A valid policy of @n rules through the ctl socket; 0 or -errno. */
static int push_policy(struct rng *r, unsigned int n)
{
	struct nlmsghdr *nlh = nl_msg(&ctl, family, OVSKVM_CMD_SET_POLICY, 0);
	struct gen g = { .r = r, .nlh = nlh, .size = sizeof(ctl.buf) };
	int err;

	put_valid_policy(&g, n);
	err = nl_talk(&ctl, nlh, NULL, NULL);
	if (err)
		failure("a valid policy of %u rules refused: %s (%s)", n, strerror(-err), ctl.extack);
	return err;
}

/*
 * A dump on a socket of its own, read a few datagrams at a time: then the
 * socket is closed in the middle of it, or the policy changes and the rest
 * is read.  A dump chunk is built when the one before it is read, so a
 * change made after datagram p is seen from datagram p + 2 on: if the dump
 * still had messages in p + 1, one of those later ones (or the DONE) must
 * carry NLM_F_DUMP_INTR.
 */
static void one_dump_interrupted(struct rng *r)
{
	int cmd = chance(r, 60) ? OVSKVM_CMD_GET_POLICY : OVSKVM_CMD_GET_PORT;
	bool abandon = chance(r, 50), second = false;
	unsigned int reads = rnd(r, 4), dgram = 0, pushed_after = 0;
	struct nlmsghdr *nlh, *nlh2 = NULL;
	struct req reqs[2];
	struct fsock d;
	int i, ret, n = 1;

	if (!opt_unpriv && cmd == OVSKVM_CMD_GET_POLICY && chance(r, 70) &&
	    push_policy(r, 100 + rnd(r, OVSKVM_MAX_RULES - 99)))
		return;
	ret = fsock_open(&d);
	if (ret) {
		failure("a socket for a dump: %s", strerror(-ret));
		return;
	}
	nlh = msg_start(sbuf, family, NLM_F_REQUEST | NLM_F_DUMP | (chance(r, 30) ? NLM_F_ACK : 0),
			cmd);
	req_init(&reqs[0], nlh);
	reqs[0].wait = true;
	classify(sbuf, nlh->nlmsg_len, reqs, 1);
	if (mnl_socket_sendto(d.sock, nlh, nlh->nlmsg_len) < 0) {
		reqs[0].send_err = errno;
		goto out;
	}
	for (i = 0; i < (int)reads && !all_done(reqs, n); i++) {
		ret = recv_dgram(d.fd, abandon && chance(r, 30) ? 64 + rnd(r, 1024) : DUMP_RBUF,
				 reqs, n, ++dgram);
		if (ret < 0) {
			reqs[0].lost = true;
			fail_req(&reqs[0], "part-read dump: %s", strerror(-ret));
			goto out;
		}
		if (!opt_unpriv && cmd == OVSKVM_CMD_GET_POLICY && !pushed_after && chance(r, 60)) {
			if (push_policy(r, policy_size(r)))
				goto out;
			pushed_after = dgram;
			st.pushes++;
		}
		if (!second && chance(r, 15)) {
			/* Another dump on the same socket: EBUSY while one runs. */
			nlh2 = msg_start(sbuf + MSG_SIZE, family, NLM_F_REQUEST | NLM_F_DUMP, cmd);
			req_init(&reqs[1], nlh2);
			reqs[1].wait = true;
			classify(nlh2, nlh2->nlmsg_len, &reqs[1], 1);
			if (mnl_socket_sendto(d.sock, nlh2, nlh2->nlmsg_len) < 0)
				reqs[1].send_err = errno;
			second = true;
			n = 2;
		}
	}
	if (abandon && !all_done(reqs, n)) {
		st.dumps_cut++;
		goto out;
	}
	while (!all_done(reqs, n)) {
		ret = recv_dgram(d.fd, DUMP_RBUF, reqs, n, ++dgram);
		if (ret < 0) {
			reqs[0].lost = true;
			fail_req(&reqs[0], "dump: %s after %u datagrams", strerror(-ret), dgram - 1);
			goto out;
		}
	}
	if (second && reqs[1].terminal && reqs[1].err == -EBUSY)
		st.ebusy++;
	if (pushed_after)
		st.dumps_changed++;
	/* An acked second request shifts the datagrams: no count then. */
	if (pushed_after && !second && !reqs[0].truncated && reqs[0].terminal && !reqs[0].err &&
	    reqs[0].last_data_dgram >= pushed_after + 1 &&
	    reqs[0].last_intr_dgram < pushed_after + 2)
		fail_req(&reqs[0], "the policy changed after datagram %u of the dump, which went on to datagram %u, and nothing after was flagged NLM_F_DUMP_INTR",
			 pushed_after, dgram);
	if (!opt_unpriv)
		reqs[0].must_succeed = true;
out:
	fsock_close(&d);
	for (i = 0; i < n; i++) {
		if (abandon && !reqs[i].terminal && !reqs[i].lost && !reqs[i].send_err)
			reqs[i].cut = true;
		account(&reqs[i]);
		judge(&reqs[i]);
	}
}

/* --- the churn thread -------------------------------------------------------- */

static struct churn {
	pthread_t thread;
	bool started, running;
	struct rng rng;
	struct nl nl;
	int sock;			/* for the interface ioctls */
	int fd[N_TAPS];
	char name[N_TAPS][IFNAMSIZ];
	unsigned long taps_new, taps_del, persists, renames, macs, policies, defaults;
	unsigned long reevals, errors;
} churn;

/* The ifindex of device @name, 0 if there is none. */
static int ifindex_of(int sock, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return ioctl(sock, SIOCGIFINDEX, &ifr) < 0 ? 0 : ifr.ifr_ifindex;
}

/* Creates tap @i, or deletes it: closing its fd, or made persistent first. */
static void churn_tap(struct churn *c, int i)
{
	int fd;

	if (c->fd[i] < 0) {
		snprintf(c->name[i], IFNAMSIZ, "fz%d", i);
		c->fd[i] = tap_open(c->name[i], TAP_FLAGS);
		if (c->fd[i] < 0)
			c->errors++;
		else
			c->taps_new++;
		return;
	}
	fd = c->fd[i];
	c->fd[i] = -1;
	c->taps_del++;
	if (!chance(&c->rng, 25) || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		close(fd);
		return;
	}
	/* Persistent: closed, opened again by name, and let go. */
	close(fd);
	fd = tap_open(c->name[i], TAP_FLAGS);
	if (fd < 0 || ioctl(fd, TUNSETPERSIST, 0) < 0) {
		failure("churn: cannot let go of the persistent tap %s", c->name[i]);
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	c->persists++;
}

static void churn_mac(struct churn *c, int i)
{
	struct ifreq ifr;
	unsigned int k;

	if (c->fd[i] < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->name[i]);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	for (k = 0; k < ETH_ALEN; k++)
		ifr.ifr_hwaddr.sa_data[k] = rnd(&c->rng, 256);
	ifr.ifr_hwaddr.sa_data[0] = 0x02;	/* local, unicast */
	if (ioctl(c->fd[i], SIOCSIFHWADDR, &ifr) < 0)
		c->errors++;
	else
		c->macs++;
}

/* fz<i> <-> fzr<i>, taken down first as a rename needs. */
static void churn_rename(struct churn *c, int i)
{
	struct ifreq ifr;

	if (c->fd[i] < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->name[i]);
	if (ioctl(c->sock, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags &= ~IFF_UP;
		ioctl(c->sock, SIOCSIFFLAGS, &ifr);
	}
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), c->name[i][2] == 'r' ? "fz%d" : "fzr%d", i);
	if (ioctl(c->sock, SIOCSIFNAME, &ifr) < 0) {
		c->errors++;
		return;
	}
	snprintf(c->name[i], IFNAMSIZ, "%s", ifr.ifr_newname);
	c->renames++;
}

static void churn_policy(struct churn *c, bool deflt)
{
	struct nlmsghdr *nlh = nl_msg(&c->nl, family, OVSKVM_CMD_SET_POLICY, 0);
	struct gen g = { .r = &c->rng, .nlh = nlh, .size = sizeof(c->nl.buf) };
	unsigned int n = 0;
	int err;

	if (deflt)
		gput_u32(&g, OVSKVM_A_POLICY_FLAGS, OVSKVM_POLICY_F_DEFAULT);
	else
		put_valid_policy(&g, n = policy_size(&c->rng));
	err = nl_talk(&c->nl, nlh, NULL, NULL);
	if (err)
		failure("churn: a valid %s policy refused: %s (%s)", deflt ? "default" : "user",
			strerror(-err), c->nl.extack);
	else if (deflt)
		c->defaults++;
	else
		c->policies++;
}

static void churn_reevaluate(struct churn *c, int i)
{
	struct nlmsghdr *nlh = nl_msg(&c->nl, family, OVSKVM_CMD_REEVALUATE, 0);
	int ifindex = c->fd[i] >= 0 && chance(&c->rng, 50) ? ifindex_of(c->sock, c->name[i]) : 0;
	int err;

	if (ifindex)
		mnl_attr_put_u32(nlh, OVSKVM_A_IFINDEX, ifindex);
	err = nl_talk(&c->nl, nlh, NULL, NULL);
	if (err && !(ifindex && err == -ENODEV))
		failure("churn: REEVALUATE %d refused: %s (%s)", ifindex, strerror(-err), c->nl.extack);
	else
		c->reevals++;
}

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	int i;

	while (!__atomic_load_n(&stopping, __ATOMIC_RELAXED)) {
		unsigned int op = rnd(&c->rng, 100);

		i = rnd(&c->rng, N_TAPS);
		if (op < 40)
			churn_tap(c, i);
		else if (op < 50)
			churn_mac(c, i);
		else if (op < 55)
			churn_rename(c, i);
		else if (op < 85)
			churn_policy(c, false);
		else if (op < 90)
			churn_policy(c, true);
		else
			churn_reevaluate(c, i);
		usleep(rnd(&c->rng, 2000));
	}
	for (i = 0; i < N_TAPS; i++) {
		if (c->fd[i] >= 0) {
			close(c->fd[i]);
			c->fd[i] = -1;
			c->taps_del++;
		}
	}
	return NULL;
}

static int churn_start(void)
{
	int i, err;

	churn.rng.s = opt_seed ^ 0x5bd1e995c0ffeeULL;
	for (i = 0; i < N_TAPS; i++)
		churn.fd[i] = -1;
	churn.started = true;
	churn.sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	err = nl_open(&churn.nl);
	if (churn.sock < 0 || err) {
		failure("churn thread: %s", strerror(churn.sock < 0 ? errno : -err));
		return -1;
	}
	set_timeout(mnl_socket_get_fd(churn.nl.sock));
	if (pthread_create(&churn.thread, NULL, churn_main, &churn)) {
		failure("churn thread: cannot start it");
		return -1;
	}
	churn.running = true;
	return 0;
}

static void churn_stop(void)
{
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
	if (!churn.started)
		return;
	if (churn.running)
		pthread_join(churn.thread, NULL);
	churn.running = false;
	if (churn.sock >= 0)
		close(churn.sock);
	nl_close(&churn.nl);
}

/* --- the checks after fuzzing ------------------------------------------------ */

struct status {
	bool valid;
	uint8_t source;
	uint32_t gen, rules, ports;
	uint64_t seq;
	uint64_t stats[OVSKVM_STAT_MAX + 1];
};

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct status *s = data;
	const struct nlattr *a;
	struct nl_attrs t;
	const char *p;

	nl_parse(nlh, &t);
	p = status_problem(&t);
	if (p) {
		printf("# GET_STATUS replied with %s\n", p);
		return MNL_CB_OK;
	}
	s->valid = true;
	s->source = mnl_attr_get_u8(t.a[OVSKVM_A_POLICY_SOURCE]);
	s->gen = mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]);
	s->rules = mnl_attr_get_u32(t.a[OVSKVM_A_RULE_COUNT]);
	s->ports = mnl_attr_get_u32(t.a[OVSKVM_A_PORT_COUNT]);
	s->seq = mnl_attr_get_u64(t.a[OVSKVM_A_EVENT_SEQ]);
	mnl_attr_for_each_nested(a, t.a[OVSKVM_A_STATS])
		if (mnl_attr_get_type(a) && mnl_attr_get_type(a) <= OVSKVM_STAT_MAX)
			s->stats[mnl_attr_get_type(a)] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static bool status_read(struct status *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = nl_talk(&ctl, nl_msg(&ctl, family, OVSKVM_CMD_GET_STATUS, 0), status_cb, s);
	if (err)
		printf("# GET_STATUS: %s\n", strerror(-err));
	return !err && s->valid;
}

static void status_print(const char *when, const struct status *s)
{
	printf("# %s: source %u, generation %u, %u rules, %u ports, event %llu, seen %llu, events %llu\n",
	       when, s->source, s->gen, s->rules, s->ports, (unsigned long long)s->seq,
	       (unsigned long long)s->stats[OVSKVM_STAT_SEEN],
	       (unsigned long long)s->stats[OVSKVM_STAT_EVENTS]);
}

static int check_status(const struct status *start, struct status *end)
{
	int i;

	if (!status_read(end))
		return 1;
	status_print("after", end);
	if (end->gen < start->gen || end->seq < start->seq) {
		printf("# the generation or event sequence number went back\n");
		return 1;
	}
	for (i = OVSKVM_STAT_SEEN; i <= OVSKVM_STAT_MAX; i++) {
		if (end->stats[i] < start->stats[i]) {
			printf("# counter %d went back: %llu -> %llu\n", i,
			       (unsigned long long)start->stats[i], (unsigned long long)end->stats[i]);
			return 1;
		}
	}
	return 0;
}

/*
 * The known policy, in the form the module dumps: an attach rule always
 * with its flags, a MAC with its mask, a uid range with both ends.
 */
static void put_known_policy(struct gen *g)
{
	static const struct vrule known[] = {
		{
			.id = 101, .action = OVSKVM_ACTION_IGNORE, .n_names = 2,
			.names = { "fzx*", "fzy?" },
			.has_mac = true, .has_mask = true,
			.mac = { 0x02, 0x00, 0x00, 0xfa, 0x00, 0x01 },
			.mask = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 },
			.has_uid = true, .has_uid_max = true, .uid_min = 1000, .uid_max = 2000,
			.has_comm = true, .comm = "qemu-system-*",
		},
		{
			.id = 7, .action = OVSKVM_ACTION_ATTACH, .n_names = 1, .names = { "fz[0-3]" },
			.bridge = "fzbr2", .has_flags = true,
			.flags = OVSKVM_RULE_F_UP | OVSKVM_RULE_F_PREEXISTING, .vlan_tag = 42,
		},
		{
			.id = 4000000000u, .action = OVSKVM_ACTION_ATTACH, .bridge = "fzbr2",
			.has_flags = true, .n_trunks = 3, .trunks = { 0, 10, OVSKVM_VLAN_MAX },
		},
	};
	struct nlattr *rules = gnest(g, OVSKVM_A_RULES);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		struct nlattr *rule = gnest(g, 0);
		unsigned int t;

		for (t = OVSKVM_RULE_A_ID; t <= OVSKVM_RULE_A_BRIDGE; t++)
			put_vrule_attr(g, &known[i], t);
		put_vrule_attr(g, &known[i], OVSKVM_RULE_A_FLAGS);
		put_vrule_attr(g, &known[i], OVSKVM_RULE_A_VLAN_TAG);
		put_vrule_attr(g, &known[i], OVSKVM_RULE_A_VLAN_TRUNKS);
		gnest_end(g, rule);
	}
	gnest_end(g, rules);
}

/* Same attributes in the same order; NAMES and VLAN_TRUNKS entry by entry. */
static bool nests_equal(const struct nlattr *x, const struct nlattr *y, bool rule_level)
{
	const char *p = mnl_attr_get_payload(x), *q = mnl_attr_get_payload(y);
	unsigned int lp = mnl_attr_get_payload_len(x), lq = mnl_attr_get_payload_len(y);

	while (lp && lq) {
		const struct nlattr *a = (const void *)p, *b = (const void *)q;
		unsigned int sa, sb;
		int type;

		if (lp < sizeof(*a) || lq < sizeof(*b) || a->nla_len < sizeof(*a) ||
		    a->nla_len > lp || a->nla_len != b->nla_len || b->nla_len > lq)
			return false;
		type = mnl_attr_get_type(a);
		if (type != mnl_attr_get_type(b))
			return false;
		if (rule_level && (type == OVSKVM_RULE_A_NAMES || type == OVSKVM_RULE_A_VLAN_TRUNKS)) {
			if (!nests_equal(a, b, false))
				return false;
		} else if (memcmp(mnl_attr_get_payload(a), mnl_attr_get_payload(b),
				  mnl_attr_get_payload_len(a))) {
			return false;
		}
		sa = MNL_ALIGN(a->nla_len);
		sb = MNL_ALIGN(b->nla_len);
		if (sa > lp)
			sa = lp;
		if (sb > lq)
			sb = lq;
		p += sa;
		lp -= sa;
		q += sb;
		lq -= sb;
	}
	return !lp && !lq;
}

struct dumped {
	unsigned int n;
	bool bad;
	uint32_t gen[4];
	uint8_t source[4];
	uint32_t rule[4][256];		/* aligned as attributes are */
	unsigned int len[4];
};

static int dumped_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dumped *d = data;
	struct nl_attrs t;
	const struct nlattr *rule;

	nl_parse(nlh, &t);
	rule = t.a[OVSKVM_A_RULE];
	if (d->n >= 4 || !rule || !len_is(t.a[OVSKVM_A_RULE_INDEX], 4) ||
	    mnl_attr_get_u32(t.a[OVSKVM_A_RULE_INDEX]) != d->n ||
	    !len_is(t.a[OVSKVM_A_POLICY_GEN], 4) || !len_is(t.a[OVSKVM_A_POLICY_SOURCE], 1) ||
	    rule->nla_len > sizeof(d->rule[0]) || (nlh->nlmsg_flags & NLM_F_DUMP_INTR)) {
		d->bad = true;
		return MNL_CB_OK;
	}
	d->gen[d->n] = mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]);
	d->source[d->n] = mnl_attr_get_u8(t.a[OVSKVM_A_POLICY_SOURCE]);
	memcpy(d->rule[d->n], rule, rule->nla_len);
	d->len[d->n] = rule->nla_len;
	d->n++;
	return MNL_CB_OK;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_attrs t;

	nl_parse(nlh, &t);
	if (len_is(t.a[OVSKVM_A_POLICY_GEN], 4))
		*(uint32_t *)data = mnl_attr_get_u32(t.a[OVSKVM_A_POLICY_GEN]);
	return MNL_CB_OK;
}

/* SET_POLICY with the known policy, then GET_POLICY must dump exactly it. */
static int check_roundtrip(void)
{
	static uint32_t sent[2048];
	struct nlmsghdr *nlh = nl_msg(&ctl, family, OVSKVM_CMD_SET_POLICY, 0);
	struct gen g = { .r = &fuzz_rng, .nlh = nlh, .size = sizeof(sent), .canonical = true };
	const struct nlattr *rules, *rule;
	static struct dumped d;
	struct status s;
	uint32_t gen = 0;
	unsigned int i = 0;
	int err;

	put_known_policy(&g);
	memcpy(sent, nlh, nlh->nlmsg_len);
	err = nl_talk(&ctl, nlh, gen_cb, &gen);
	if (err) {
		printf("# SET_POLICY of the known policy: %s (%s)\n", strerror(-err), ctl.extack);
		return 1;
	}
	memset(&d, 0, sizeof(d));
	err = nl_talk(&ctl, nl_msg(&ctl, family, OVSKVM_CMD_GET_POLICY, NLM_F_DUMP), dumped_cb, &d);
	if (err || d.bad) {
		printf("# GET_POLICY dump: %s\n", err ? strerror(-err) : "a malformed, interrupted or unordered message");
		return 1;
	}
	rules = mnl_nlmsg_get_payload_offset((const struct nlmsghdr *)sent, GENL_HDRLEN);
	mnl_attr_for_each_nested(rule, rules) {
		if (i >= d.n)
			break;
		if (!nests_equal(rule, (const void *)d.rule[i], true)) {
			printf("# rule %u dumped differently from what was set\n", i);
			hexdump(rule, rule->nla_len);
			hexdump(d.rule[i], d.len[i]);
			return 1;
		}
		if (d.gen[i] != gen || d.source[i] != OVSKVM_POLICY_SOURCE_USER) {
			printf("# rule %u dumped with generation %u source %u, not %u and user\n",
			       i, d.gen[i], d.source[i], gen);
			return 1;
		}
		i++;
	}
	if (i != 3 || d.n != 3) {
		printf("# %u rules dumped, 3 set\n", d.n);
		return 1;
	}
	if (!status_read(&s) || s.gen != gen || s.rules != 3 || s.source != OVSKVM_POLICY_SOURCE_USER) {
		printf("# GET_STATUS after it: generation %u, %u rules, source %u\n", s.gen, s.rules, s.source);
		return 1;
	}
	printf("# the known policy: generation %u, dumped back exactly\n", gen);
	return 0;
}

/* Unprivileged: every privileged command still refused, the policy kept. */
static int check_refused(const struct status *start)
{
	static const struct { int cmd; uint16_t flags; } reqs[] = {
		{ OVSKVM_CMD_SET_POLICY, 0 },
		{ OVSKVM_CMD_GET_POLICY, NLM_F_DUMP },
		{ OVSKVM_CMD_GET_PORT, NLM_F_DUMP },
		{ OVSKVM_CMD_REEVALUATE, 0 },
	};
	struct status s;
	unsigned int i;
	int err, ret = 0;

	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		struct nlmsghdr *nlh = nl_msg(&ctl, family, reqs[i].cmd, reqs[i].flags);

		if (reqs[i].cmd == OVSKVM_CMD_SET_POLICY) {
			struct gen g = { .r = &fuzz_rng, .nlh = nlh, .size = sizeof(ctl.buf) };

			put_known_policy(&g);
		}
		err = nl_talk(&ctl, nlh, NULL, NULL);
		if (err != -EPERM) {
			printf("# command %d: %s, not EPERM\n", reqs[i].cmd, err ? strerror(-err) : "accepted");
			ret = 1;
		}
	}
	if (!status_read(&s))
		return 1;
	if (s.gen != start->gen || s.rules != start->rules || s.source != start->source) {
		printf("# the policy changed: generation %u -> %u, %u -> %u rules\n",
		       start->gen, s.gen, start->rules, s.rules);
		ret = 1;
	}
	return ret;
}

/* Root: no tap of the churn thread left, in the kernel or the module. */
static int port_name_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_attrs t;
	const char *name;

	nl_parse(nlh, &t);
	if (!str_ok(t.a[OVSKVM_A_IFNAME], IFNAMSIZ - 1))
		return MNL_CB_OK;
	name = mnl_attr_get_str(t.a[OVSKVM_A_IFNAME]);
	if (!strncmp(name, "fz", 2) && strncmp(name, "fzbr", 4)) {
		printf("# port %s still tracked\n", name);
		(*(int *)data)++;
	}
	return MNL_CB_OK;
}

static int check_no_taps(void)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int i, left = 0, err;
	char name[IFNAMSIZ];

	for (i = 0; sock >= 0 && i < 2 * N_TAPS; i++) {
		snprintf(name, sizeof(name), i < N_TAPS ? "fz%d" : "fzr%d", i % N_TAPS);
		if (ifindex_of(sock, name)) {
			printf("# %s still exists\n", name);
			left++;
		}
	}
	if (sock >= 0)
		close(sock);
	err = nl_talk(&ctl, nl_msg(&ctl, family, OVSKVM_CMD_GET_PORT, NLM_F_DUMP), port_name_cb, &left);
	if (err)
		printf("# GET_PORT dump: %s\n", strerror(-err));
	printf("# churn: %lu taps created, %lu deleted (%lu made persistent first), %lu renames, %lu MAC changes, %lu policies and %lu defaults pushed, %lu reevaluations, %lu ioctl errors\n",
	       churn.taps_new, churn.taps_del, churn.persists, churn.renames, churn.macs,
	       churn.policies, churn.defaults, churn.reevals, churn.errors);
	return err || left;
}

/* --- main ------------------------------------------------------------------------ */

static void watchdog(int sig)
{
	static const char msg[] = "# FAIL: watchdog: the fuzzer is stuck\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fuzz(void)
{
	long deadline = now_ms() + opt_seconds * 1000L;
	struct rng *r = &fuzz_rng;

	while (now_ms() < deadline && (!opt_count || n_msgs < opt_count)) {
		unsigned int pick = rnd(r, 100);

		if (pick < 34)
			one_random(r);
		else if (pick < 52)
			one_mutated(r);
		else if (pick < 59)
			one_bad_header(r);
		else if (pick < 71)
			one_valid(r);
		else if (pick < 78)
			one_batch(r);
		else if (pick < 82)
			one_ctrl_policy(r);
		else if (pick < 91)
			one_dump(r);
		else
			one_dump_interrupted(r);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: genl_fuzz [--seconds N] [--count N] [--seed S] [--unprivileged]\n"
		"  --seconds N     fuzz for N seconds (default 10)\n"
		"  --count N       stop after N messages (default: no limit)\n"
		"  --seed S        random seed (default 1)\n"
		"  --unprivileged  expect EPERM for every privileged command (implied when not root)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'S' },
		{ "unprivileged", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct status start, end;
	int c, err, n_tests, n_fail = 0, rc;
	const char *slow = getenv("OVSKVM_VM_SLOWDOWN");
	unsigned long fuzz_failures;

	while ((c = getopt_long(argc, argv, "s:n:S:uh", opts, NULL)) != -1) {
		switch (c) {
		case 's': opt_seconds = strtoul(optarg, NULL, 0); break;
		case 'n': opt_count = strtoul(optarg, NULL, 0); break;
		case 'S': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'u': opt_unpriv = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (geteuid())
		opt_unpriv = true;
	/* A debug kernel under TCG answers several times slower. */
	if (slow && atoi(slow) > 1)
		timeout_ms *= atoi(slow);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fuzz_rng.s = opt_seed;

	printf("TAP version 13\n");
	err = nl_open(&ctl);
	if (err == -ENOENT) {
		printf("1..0 # SKIP family %s not registered\n", OVSKVM_GENL_NAME);
		return KSFT_SKIP;
	}
	if (err) {
		printf("Bail out! resolving family %s: %s\n", OVSKVM_GENL_NAME, strerror(-err));
		return 1;
	}
	set_timeout(mnl_socket_get_fd(ctl.sock));
	family = ctl.family;
	n_tests = opt_unpriv ? 3 : 4;
	printf("1..%d\n", n_tests);
	printf("# seed %llu, %u s%s, %s; again: genl_fuzz --seed %llu --seconds %u%s\n",
	       opt_seed, opt_seconds, opt_count ? " (or the --count)" : "",
	       opt_unpriv ? "unprivileged" : "as root, with taps and policies churned",
	       opt_seed, opt_seconds, opt_unpriv ? " --unprivileged" : "");
	if (!status_read(&start)) {
		printf("Bail out! GET_STATUS does not answer before fuzzing\n");
		return 1;
	}
	status_print("before", &start);
	err = fsock_open(&fz);
	if (err) {
		printf("Bail out! no netlink socket: %s\n", strerror(-err));
		return 1;
	}
	signal(SIGALRM, watchdog);
	alarm(opt_seconds + 60 + 6 * timeout_ms / 1000);

	if (!opt_unpriv)
		churn_start();
	fuzz();
	churn_stop();
	fsock_close(&fz);
	print_counts();
	print_kinds();
	fuzz_failures = n_failures;

	rc = fuzz_failures ? 1 : 0;
	n_fail += rc;
	printf("%sok 1 fuzzing: %lu messages, every one answered as required\n", rc ? "not " : "", n_msgs);
	rc = check_status(&start, &end);
	n_fail += rc;
	printf("%sok 2 GET_STATUS still answers sanely, no counter went back\n", rc ? "not " : "");
	if (opt_unpriv) {
		rc = check_refused(&start);
		n_fail += rc;
		printf("%sok 3 privileged commands still refused with EPERM, the policy unchanged\n",
		       rc ? "not " : "");
	} else {
		rc = check_roundtrip();
		n_fail += rc;
		printf("%sok 3 a valid SET_POLICY is accepted and GET_POLICY dumps exactly it\n",
		       rc ? "not " : "");
		rc = check_no_taps();
		n_fail += rc;
		printf("%sok 4 no tap of the fuzzer's left, none tracked\n", rc ? "not " : "");
	}
	alarm(0);
	nl_close(&ctl);
	printf("# totals: pass:%d fail:%d skip:0\n", n_tests - n_fail, n_fail);
	return n_fail ? 1 : 0;
}
