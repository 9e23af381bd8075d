// SPDX-License-Identifier: GPL-2.0
/*
 * tapctl: create tap devices exactly as QEMU does (open /dev/net/tun, then
 * TUNSETIFF with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), hold them, and move
 * frames between them.
 *
 *   tapctl hold [--tun] NAME...   create the devices, print "NAME IFINDEX"
 *                                 lines, keep them until killed
 *   tapctl cycle N NAME           create and close NAME N times
 *   tapctl xfer SRC DST [TMO_MS]  create SRC and DST, wait until both are
 *                                 up, write a frame into SRC and wait for it
 *                                 on DST
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

/* SIOCGIFFLAGS or SIOCGIFINDEX on NAME; -1 on error. */
static int if_query(const char *name, unsigned long req)
{
	struct ifreq ifr;
	int s, ret;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, req, &ifr) < 0)
		ret = -1;
	else
		ret = req == SIOCGIFFLAGS ? ifr.ifr_flags : ifr.ifr_ifindex;
	close(s);
	return ret;
}

static int if_flags(const char *name)
{
	int flags = if_query(name, SIOCGIFFLAGS);

	return flags < 0 ? 0 : flags;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int do_hold(int argc, char **argv)
{
	int tun = 0, i, fds[256], n = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--tun")) {
			tun = 1;
			continue;
		}
		if (n == 256)
			return 1;
		fds[n] = tap_open(argv[i], tun ? TUN_FLAGS : TAP_FLAGS);
		if (fds[n] < 0)
			return 1;
		printf("%s %d\n", argv[i], if_query(argv[i], SIOCGIFINDEX));
		n++;
	}
	fflush(stdout);
	for (;;)
		pause();
}

static int do_cycle(int argc, char **argv)
{
	int i, n, fd;

	if (argc != 2)
		return 2;
	n = atoi(argv[0]);
	for (i = 0; i < n; i++) {
		fd = tap_open(argv[1], TAP_FLAGS);
		if (fd < 0)
			return 1;
		close(fd);
	}
	return 0;
}

/* A vnet header (all zero: no offloads) followed by a broadcast frame. */
struct frame {
	struct virtio_net_hdr vnet;
	struct ether_header eth;
	char payload[64];
} __attribute__((packed));

static int do_xfer(int argc, char **argv)
{
	struct frame out, in;
	int src, dst, tmo = argc > 2 ? atoi(argv[2]) : 5000;
	long deadline;
	ssize_t len;

	if (argc < 2)
		return 2;
	src = tap_open(argv[0], TAP_FLAGS);
	dst = tap_open(argv[1], TAP_FLAGS);
	if (src < 0 || dst < 0)
		return 1;

	deadline = now_ms() + tmo;
	while ((if_flags(argv[0]) & IFF_UP) == 0 || (if_flags(argv[1]) & IFF_UP) == 0) {
		if (now_ms() > deadline) {
			fprintf(stderr, "%s or %s not up after %d ms\n", argv[0], argv[1], tmo);
			return 1;
		}
		usleep(10000);
	}

	memset(&out, 0, sizeof(out));
	memset(out.eth.ether_dhost, 0xff, ETH_ALEN);
	memcpy(out.eth.ether_shost, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	out.eth.ether_type = htons(0x88b5);	/* local experimental */
	snprintf(out.payload, sizeof(out.payload), "ovskvm-xfer %d", getpid());

	/* Resend until seen: a bridge port may still be settling. */
	while (now_ms() < deadline) {
		struct pollfd pfd = { .fd = dst, .events = POLLIN };

		if (write(src, &out, sizeof(out)) != sizeof(out)) {
			perror("write");
			return 1;
		}
		while (poll(&pfd, 1, 100) > 0) {
			len = read(dst, &in, sizeof(in));
			if (len == sizeof(in) && !memcmp(in.payload, out.payload, sizeof(out.payload))) {
				printf("frame from %s arrived on %s\n", argv[0], argv[1]);
				return 0;
			}
		}
	}
	fprintf(stderr, "no frame from %s on %s within %d ms\n", argv[0], argv[1], tmo);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "hold"))
		return do_hold(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "cycle"))
		return do_cycle(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "xfer"))
		return do_xfer(argc - 2, argv + 2);
	fprintf(stderr, "usage: tapctl hold [--tun] NAME... | cycle N NAME | xfer SRC DST [TMO_MS]\n");
	return 2;
}
