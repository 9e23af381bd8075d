// SPDX-License-Identifier: GPL-2.0
/*
 * tapctl: create tap devices exactly as QEMU does (open /dev/net/tun, then
 * TUNSETIFF with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), hold them, and move
 * frames between them.
 *
 *   tapctl hold [--tun] NAME...   create the devices, print "NAME IFINDEX"
 *                                 lines, keep them until killed
 *   tapctl cycle N NAME           create and close NAME N times
 *   tapctl xfer SRC DST [TMO_MS [TX_VID [RX_VID]]]
 *                                 create SRC and DST, wait until both are
 *                                 up, write a frame into SRC (802.1Q-tagged
 *                                 with TX_VID unless 0) and wait for it on
 *                                 DST, tagged with RX_VID (0: untagged);
 *                                 exit 3 when none arrives in time
 *   tapctl setmac NAME MAC        attach to the existing tap NAME (as its
 *                                 owner may, without a capability) and set
 *                                 its address through the tap's fd
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/ether.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
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

/* A vnet header (all zero: no offloads), then a broadcast frame. */
#define XFER_ETHERTYPE	0x88b5		/* local experimental */
#define VLAN_ETHERTYPE	0x8100

struct xfer_frame {
	struct virtio_net_hdr vnet;
	unsigned char data[ETH_HLEN + 4 + 64];
} __attribute__((packed));

/* Builds the frame; returns its length including the vnet header. */
static size_t xfer_build(struct xfer_frame *f, int vid, const char *payload)
{
	unsigned char *p = f->data;
	uint16_t v;

	memset(f, 0, sizeof(*f));
	memset(p, 0xff, ETH_ALEN);
	memcpy(p + ETH_ALEN, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	p += 2 * ETH_ALEN;
	if (vid) {
		v = htons(VLAN_ETHERTYPE);
		memcpy(p, &v, 2);
		v = htons(vid);
		memcpy(p + 2, &v, 2);
		p += 4;
	}
	v = htons(XFER_ETHERTYPE);
	memcpy(p, &v, 2);
	p += 2;
	snprintf((char *)p, 64, "%s", payload);
	return sizeof(f->vnet) + (p - f->data) + 64;
}

/* Is @f, @len bytes long, our frame?  Sets *@vid to its tag, 0 if none. */
static bool xfer_match(const struct xfer_frame *f, ssize_t len, const char *payload, int *vid)
{
	const unsigned char *p = f->data + 2 * ETH_ALEN;
	const unsigned char *end = (const unsigned char *)f + len;
	uint16_t type;

	*vid = 0;
	if (p + 2 > end)
		return false;
	memcpy(&type, p, 2);
	if (ntohs(type) == VLAN_ETHERTYPE) {
		uint16_t tci;

		if (p + 6 > end)
			return false;
		memcpy(&tci, p + 2, 2);
		*vid = ntohs(tci) & 0xfff;
		p += 4;
		memcpy(&type, p, 2);
	}
	p += 2;
	return ntohs(type) == XFER_ETHERTYPE && p + strlen(payload) <= end &&
	       !memcmp(p, payload, strlen(payload));
}

static int do_xfer(int argc, char **argv)
{
	int tmo = argc > 2 ? atoi(argv[2]) : 5000;
	int tx_vid = argc > 3 ? atoi(argv[3]) : 0;
	int rx_vid = argc > 4 ? atoi(argv[4]) : 0;
	struct xfer_frame out, in;
	char payload[64];
	int src, dst, vid;
	long deadline;
	size_t out_len;
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

	snprintf(payload, sizeof(payload), "ovskvm-xfer %d", getpid());
	out_len = xfer_build(&out, tx_vid, payload);

	/* Resend until seen: a bridge port may still be settling. */
	while (now_ms() < deadline) {
		struct pollfd pfd = { .fd = dst, .events = POLLIN };

		if (write(src, &out, out_len) != (ssize_t)out_len) {
			perror("write");
			return 1;
		}
		while (poll(&pfd, 1, 100) > 0) {
			len = read(dst, &in, sizeof(in));
			if (len <= 0 || !xfer_match(&in, len, payload, &vid))
				continue;
			if (vid != rx_vid) {
				fprintf(stderr, "the frame from %s (VLAN %d) arrived on %s with VLAN %d, not %d\n",
					argv[0], tx_vid, argv[1], vid, rx_vid);
				return 1;
			}
			printf("frame from %s (VLAN %d) arrived on %s (VLAN %d)\n",
			       argv[0], tx_vid, argv[1], vid);
			return 0;
		}
	}
	fprintf(stderr, "no frame from %s (VLAN %d) on %s within %d ms\n", argv[0], tx_vid,
		argv[1], tmo);
	return 3;
}

static int do_setmac(int argc, char **argv)
{
	struct ether_addr *mac;
	struct ifreq ifr;
	int fd;

	if (argc != 2 || !(mac = ether_aton(argv[1])))
		return 2;
	fd = tap_open(argv[0], TAP_FLAGS);
	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[0]);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, ETH_ALEN);
	if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) {
		perror("SIOCSIFHWADDR on the tap's fd");
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "hold"))
		return do_hold(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "cycle"))
		return do_cycle(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "xfer"))
		return do_xfer(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "setmac"))
		return do_setmac(argc - 2, argv + 2);
	fprintf(stderr, "usage: tapctl hold [--tun] NAME... | cycle N NAME |\n"
		"       xfer SRC DST [TMO_MS [TX_VID [RX_VID]]] | setmac NAME MAC\n");
	return 2;
}
