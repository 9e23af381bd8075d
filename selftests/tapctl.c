// SPDX-License-Identifier: GPL-2.0
/*
 * tapctl: create tap devices exactly as QEMU does (open /dev/net/tun, then
 * TUNSETIFF with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), hold them, and move
 * frames between them.
 *
 *   tapctl hold [--tun] NAME...   create the devices, print "NAME IFINDEX"
 *                                 lines, keep them until killed
 *   tapctl cycle N NAME           create and close NAME N times
 *   tapctl xfer [--eth SMAC,DMAC] SRC DST [TMO_MS [TX_VID [RX_VID]]]
 *                                 create SRC and DST, wait until both are
 *                                 up, write a frame into SRC (802.1Q-tagged
 *                                 with TX_VID unless 0) and wait for it on
 *                                 DST, tagged with RX_VID (0: untagged);
 *                                 exit 3 when none arrives in time.  The
 *                                 frame goes from 02:00:00:00:00:01 to the
 *                                 broadcast address, or from SMAC to DMAC.
 *                                 A tap given as NAME@PID is not created:
 *                                 the descriptor of NAME that process PID
 *                                 holds (a QEMU guest's) is taken with
 *                                 pidfd_getfd(), so the frame is written
 *                                 and read as the guest would.  A guest
 *                                 stopped with -S reads at most one frame
 *                                 from its tap, then stops polling it; the
 *                                 frame is sent again every 100 ms, so a
 *                                 later copy reaches tapctl.
 *   tapctl setmac NAME MAC        attach to the existing tap NAME (as its
 *                                 owner may, without a capability) and set
 *                                 its address through the tap's fd
 */
#include <dirent.h>
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
#include <sys/syscall.h>
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

/*
 * A frame: a vnet header of the tap's size (all zero: no offloads), then
 * Ethernet.  A tap created here has the 10-byte struct virtio_net_hdr; a
 * guest's may have been set to another size (TUNSETVNETHDRSZ), or none.
 */
#define XFER_ETHERTYPE	0x88b5		/* local experimental */
#define VLAN_ETHERTYPE	0x8100
#define XFER_PAYLOAD	64
#define XFER_MAX_HDR	64

struct xfer_end {
	const char *name;
	int fd;
	size_t hdr_len;			/* vnet header bytes before the frame */
};

struct xfer_frame {
	unsigned char buf[XFER_MAX_HDR + ETH_HLEN + 4 + XFER_PAYLOAD];
};

/* Builds the frame for @e; returns its length including the vnet header. */
static size_t xfer_build(struct xfer_frame *f, const struct xfer_end *e,
			 const unsigned char *smac, const unsigned char *dmac,
			 int vid, const char *payload)
{
	unsigned char *p = f->buf + e->hdr_len;
	uint16_t v;

	memset(f, 0, sizeof(*f));
	memcpy(p, dmac, ETH_ALEN);
	memcpy(p + ETH_ALEN, smac, ETH_ALEN);
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
	snprintf((char *)p, XFER_PAYLOAD, "%s", payload);
	return (p - f->buf) + XFER_PAYLOAD;
}

/*
 * Is @f, @len bytes long as read from @e, our frame?  Sets *@vid to its
 * tag, 0 if none.
 */
static bool xfer_match(const struct xfer_frame *f, ssize_t len, const struct xfer_end *e,
		       const char *payload, int *vid)
{
	const unsigned char *p = f->buf + e->hdr_len + 2 * ETH_ALEN;
	const unsigned char *end = f->buf + len;
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

/* The number of the descriptor of tap @name in process @pid, or -1. */
static int held_fd(pid_t pid, const char *name)
{
	char dir[64], path[320], line[128], want[IFNAMSIZ + 8];
	struct dirent *d;
	int found = -1;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	snprintf(want, sizeof(want), "iff:\t%s\n", name);
	dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while (found < 0 && (d = readdir(dp))) {
		FILE *f;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strcmp(line, want)) {
				found = atoi(d->d_name);
				break;
			}
		fclose(f);
	}
	closedir(dp);
	if (found < 0)
		fprintf(stderr, "process %d holds no descriptor of tap %s\n", (int)pid, name);
	return found;
}

/*
 * Opens one end of a transfer: NAME is created, NAME@PID is the
 * descriptor of NAME that PID holds, duplicated into this process.
 */
static int xfer_open(struct xfer_end *e, char *arg)
{
	char *at = strchr(arg, '@');
	struct ifreq ifr;
	int pidfd, num;
	pid_t pid;

	e->name = arg;
	e->hdr_len = sizeof(struct virtio_net_hdr);
	if (!at) {
		e->fd = tap_open(arg, TAP_FLAGS);
		return e->fd < 0 ? -1 : 0;
	}
	*at = '\0';
	pid = atoi(at + 1);
	num = held_fd(pid, arg);
	if (num < 0)
		return -1;
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("pidfd_open");
		return -1;
	}
	e->fd = syscall(SYS_pidfd_getfd, pidfd, num, 0);
	close(pidfd);
	if (e->fd < 0) {
		fprintf(stderr, "pidfd_getfd of %s (descriptor %d of process %d): %s\n",
			arg, num, (int)pid, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(e->fd, TUNGETIFF, &ifr) < 0) {
		perror("TUNGETIFF");
		return -1;
	}
	if (!(ifr.ifr_flags & IFF_VNET_HDR)) {
		e->hdr_len = 0;
	} else {
		int sz;

		if (ioctl(e->fd, TUNGETVNETHDRSZ, &sz) < 0) {
			perror("TUNGETVNETHDRSZ");
			return -1;
		}
		if (sz < 0 || sz > XFER_MAX_HDR) {
			fprintf(stderr, "%s: vnet header of %d bytes\n", arg, sz);
			return -1;
		}
		e->hdr_len = sz;
	}
	return 0;
}

static int do_xfer(int argc, char **argv)
{
	static const unsigned char bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char local[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	const unsigned char *smac = local, *dmac = bcast;
	struct ether_addr sa, da;
	struct xfer_frame out, in;
	struct xfer_end src, dst;
	char payload[XFER_PAYLOAD];
	int tmo, tx_vid, rx_vid, vid;
	long deadline;
	size_t out_len;
	ssize_t len;

	if (argc >= 2 && !strcmp(argv[0], "--eth")) {
		char *comma = strchr(argv[1], ',');

		if (!comma)
			return 2;
		*comma = '\0';
		if (!ether_aton_r(argv[1], &sa) || !ether_aton_r(comma + 1, &da))
			return 2;
		smac = sa.ether_addr_octet;
		dmac = da.ether_addr_octet;
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return 2;
	tmo = argc > 2 ? atoi(argv[2]) : 5000;
	tx_vid = argc > 3 ? atoi(argv[3]) : 0;
	rx_vid = argc > 4 ? atoi(argv[4]) : 0;
	if (xfer_open(&src, argv[0]) || xfer_open(&dst, argv[1]))
		return 1;

	deadline = now_ms() + tmo;
	while ((if_flags(src.name) & IFF_UP) == 0 || (if_flags(dst.name) & IFF_UP) == 0) {
		if (now_ms() > deadline) {
			fprintf(stderr, "%s or %s not up after %d ms\n", src.name, dst.name, tmo);
			return 1;
		}
		usleep(10000);
	}

	snprintf(payload, sizeof(payload), "ovskvm-xfer %d", getpid());
	out_len = xfer_build(&out, &src, smac, dmac, tx_vid, payload);

	/* Resend until seen: a bridge port may still be settling. */
	while (now_ms() < deadline) {
		struct pollfd pfd = { .fd = dst.fd, .events = POLLIN };

		if (write(src.fd, out.buf, out_len) != (ssize_t)out_len) {
			perror("write");
			return 1;
		}
		while (poll(&pfd, 1, 100) > 0) {
			len = read(dst.fd, in.buf, sizeof(in.buf));
			if (len <= 0 || !xfer_match(&in, len, &dst, payload, &vid))
				continue;
			if (vid != rx_vid) {
				fprintf(stderr, "the frame from %s (VLAN %d) arrived on %s with VLAN %d, not %d\n",
					src.name, tx_vid, dst.name, vid, rx_vid);
				return 1;
			}
			printf("frame from %s (VLAN %d) arrived on %s (VLAN %d)\n",
			       src.name, tx_vid, dst.name, vid);
			return 0;
		}
	}
	fprintf(stderr, "no frame from %s (VLAN %d) on %s within %d ms\n", src.name, tx_vid,
		dst.name, tmo);
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
		"       xfer [--eth SMAC,DMAC] SRC[@PID] DST[@PID] [TMO_MS [TX_VID [RX_VID]]] |\n"
		"       setmac NAME MAC\n");
	return 2;
}
