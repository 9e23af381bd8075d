/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Creating a tap as QEMU does: open /dev/net/tun, then TUNSETIFF with
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR (IFF_TUN | IFF_NO_PI for a tun device).
 * Shared by the selftest and benchmark programs.
 */
#ifndef _SELFTESTS_TAP_H
#define _SELFTESTS_TAP_H

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
#define TUN_FLAGS (IFF_TUN | IFF_NO_PI)

static inline int tun_dev_open(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		perror("open /dev/net/tun");
	return fd;
}

/* TUNSETIFF on @fd; the device registers, in this task, during the call. */
static inline int tap_setiff(int fd, const char *name, short flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "TUNSETIFF %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Returns the file descriptor that holds the new device, or -1. */
static inline int tap_open(const char *name, short flags)
{
	int fd = tun_dev_open();

	if (fd >= 0 && tap_setiff(fd, name, flags)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

#endif /* _SELFTESTS_TAP_H */
