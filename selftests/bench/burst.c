// SPDX-License-Identifier: GPL-2.0
/*
 * burst: create many tap devices exactly as QEMU does (open /dev/net/tun,
 * TUNSETIFF with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), record when, hold them,
 * and remove them one by one or all at once.
 *
 *   burst [OPTIONS] PREFIX N    create PREFIX0 .. PREFIX<N-1>
 *     -o FILE     write the records here (default: stdout)
 *     -s SCRIPT   after each TUNSETIFF run "SCRIPT NAME" as QEMU runs its
 *                 script=: forked and exec'd, the tap still held here
 *     -w          one after another: before the next tap, wait for the
 *                 script to exit (QEMU waits for it), or without -s until
 *                 the tap is up (the agent and module are done with it),
 *                 woken by rtnetlink, not by polling
 *     -t MS       give up on a wait after MS milliseconds (default 120000)
 *   Without -w the taps are created back to back and the scripts all run at
 *   once, as when N guests start together.
 *   Then the taps are held.  SIGUSR1 removes them one after another, each
 *   D milliseconds after the previous one (-d D, default 100), running
 *   "DOWNSCRIPT NAME" first and waiting for it when -S DOWNSCRIPT is given,
 *   as QEMU does on a clean exit; the program exits when all are gone.
 *   kill -9 removes them all at once, as when the guests are killed.
 *
 *   burst now                   print CLOCK_MONOTONIC in ns
 *   burst wait-master NAME MS   wait until NAME has a master (a bridge, the
 *                               OVS datapath), woken by rtnetlink; exit 1
 *                               after MS milliseconds
 *
 * Records, one a line, times in CLOCK_MONOTONIC ns (ktime_get_ns() in the
 * kernel):
 *   tap NAME IFINDEX T_CALL T_RET      TUNSETIFF called, returned
 *   up NAME T                          -w without -s: seen up
 *   script NAME STATUS T_START T_END   the script's run (exit status)
 *   created N T                        all taps exist
 *   scripts N FAILED T                 all scripts ended (N run, FAILED != 0)
 *   close NAME T_START T_CLOSED        removal: downscript started, fd closed
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tap.h"

struct tap {
	char name[IFNAMSIZ];
	int fd;
	pid_t script;
	unsigned long long t_script;
};

static FILE *out;
static volatile sig_atomic_t release;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Creates @name, stamping the monotonic time around TUNSETIFF. */
static int tap_open_timed(const char *name, unsigned long long *t_call,
			  unsigned long long *t_ret)
{
	int fd = tun_dev_open();

	if (fd < 0)
		return -1;
	*t_call = now_ns();
	if (tap_setiff(fd, name, TAP_FLAGS)) {
		close(fd);
		return -1;
	}
	*t_ret = now_ns();
	return fd;
}

static int if_query(int s, const char *name, unsigned long req)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, req, &ifr) < 0)
		return -1;
	return req == SIOCGIFFLAGS ? ifr.ifr_flags : ifr.ifr_ifindex;
}

/* Fork and exec "SCRIPT NAME" as QEMU's launch_script() does. */
static pid_t run_script(const char *script, const char *name)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(script, script, name, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", script, strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		perror("fork");
	return pid;
}

static int is_up(int s, const char *name)
{
	int flags = if_query(s, name, SIOCGIFFLAGS);

	return flags >= 0 && (flags & IFF_UP);
}

static int has_master(int s, const char *name)
{
	char path[64 + IFNAMSIZ];

	(void)s;
	snprintf(path, sizeof(path), "/sys/class/net/%s/master", name);
	return access(path, F_OK) == 0;
}

/*
 * Wait until DONE(S, NAME), woken by rtnetlink link notifications on NL
 * (bound before the first look, so that no change is missed) rather than by
 * polling, so that the wait takes no CPU from the work it waits for.
 */
static int wait_link(int s, int nl, const char *name,
		     int (*done)(int s, const char *name), long timeout_ms)
{
	unsigned long long deadline = now_ns() + timeout_ms * 1000000ULL;
	struct pollfd pfd = { .fd = nl, .events = POLLIN };
	char buf[8192];

	while (!done(s, name)) {
		if (now_ns() > deadline)
			return -1;
		/* the timeout only covers a lost notification (ENOBUFS) */
		if (poll(&pfd, 1, 100) > 0)
			while (recv(nl, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
	}
	return 0;
}

static struct tap *find_script(struct tap *taps, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (taps[i].script == pid)
			return &taps[i];
	return NULL;
}

/* Reap one script (blocking or not); 1 when one was reaped. */
static int reap(struct tap *taps, int n, int block, int *failed)
{
	struct tap *t;
	int status;
	pid_t pid;

	pid = waitpid(-1, &status, block ? 0 : WNOHANG);
	if (pid <= 0)
		return 0;
	t = find_script(taps, n, pid);
	if (!t)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		(*failed)++;
	fprintf(out, "script %s %d %llu %llu\n", t->name,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		t->t_script, now_ns());
	fflush(out);
	t->script = 0;
	return 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	release = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: burst [-o FILE] [-s SCRIPT] [-w] [-t MS] [-S DOWNSCRIPT] [-d MS] PREFIX N | burst now | burst wait-master NAME MS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *script = NULL, *downscript = NULL;
	long timeout_ms = 120000, delay_ms = 100;
	int c, i, n, wait_each = 0, s, nl, failed = 0, running = 0;
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct rlimit rl;
	struct tap *taps;

	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%llu\n", now_ns());
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "wait-master")) {
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (s < 0 || nl < 0 || bind(nl, (struct sockaddr *)&snl, sizeof(snl))) {
			perror("socket");
			return 2;
		}
		return wait_link(s, nl, argv[2], has_master, atol(argv[3])) ? 1 : 0;
	}
	out = stdout;
	while ((c = getopt(argc, argv, "o:s:wt:S:d:")) != -1) {
		switch (c) {
		case 'o':
			out = fopen(optarg, "w");
			if (!out) {
				perror(optarg);
				return 1;
			}
			break;
		case 's': script = optarg; break;
		case 'w': wait_each = 1; break;
		case 't': timeout_ms = atol(optarg); break;
		case 'S': downscript = optarg; break;
		case 'd': delay_ms = atol(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();
	n = atoi(argv[optind + 1]);
	if (n <= 0 || strlen(argv[optind]) + 6 > IFNAMSIZ)
		usage();

	/* One descriptor per tap, as N QEMU processes would hold. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max = n + 64 > (int)rl.rlim_max ? (rlim_t)n + 64 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			perror("setrlimit");
	}
	sigaction(SIGUSR1, &sa, NULL);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	taps = calloc(n, sizeof(*taps));
	if (s < 0 || nl < 0 || !taps || bind(nl, (struct sockaddr *)&snl, sizeof(snl))) {
		perror("socket");
		return 1;
	}

	for (i = 0; i < n; i++) {
		struct tap *t = &taps[i];
		unsigned long long t_call, t_ret;

		snprintf(t->name, sizeof(t->name), "%s%d", argv[optind], i);
		t->fd = tap_open_timed(t->name, &t_call, &t_ret);
		if (t->fd < 0)
			return 1;
		fprintf(out, "tap %s %d %llu %llu\n", t->name, if_query(s, t->name, SIOCGIFINDEX),
			t_call, t_ret);
		if (script) {
			t->t_script = now_ns();
			t->script = run_script(script, t->name);
			if (t->script < 0)
				return 1;
			running++;
			if (wait_each) {
				while (t->script)
					reap(taps, n, 1, &failed);
				running--;
			}
		} else if (wait_each) {
			if (wait_link(s, nl, t->name, is_up, timeout_ms)) {
				fprintf(stderr, "%s not up after %ld ms\n", t->name, timeout_ms);
				return 1;
			}
			fprintf(out, "up %s %llu\n", t->name, now_ns());
		}
		fflush(out);
	}
	fprintf(out, "created %d %llu\n", n, now_ns());
	fflush(out);

	while (running > 0 && !release)
		running -= reap(taps, n, 1, &failed);
	if (script) {
		fprintf(out, "scripts %d %d %llu\n", n, failed, now_ns());
		fflush(out);
	}

	while (!release)
		sleep_ms(20);

	for (i = 0; i < n; i++) {
		struct tap *t = &taps[i];
		unsigned long long t_start = now_ns();

		if (downscript) {
			t->t_script = t_start;
			t->script = run_script(downscript, t->name);
			while (t->script > 0)
				reap(taps, n, 1, &failed);
		}
		close(t->fd);
		fprintf(out, "close %s %llu %llu\n", t->name, t_start, now_ns());
		fflush(out);
		if (i + 1 < n)
			sleep_ms(delay_ms);
	}
	return 0;
}
