/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_QEMU_CMDLINE_H
#define OVSKVM_QEMU_CMDLINE_H

#include <stddef.h>

#define QEMU_NAME_LEN	256
#define QEMU_UUID_LEN	37
#define QEMU_MAC_LEN	18

/* What a QEMU command line says about one of its tap devices. */
struct qemu_info {
	char name[QEMU_NAME_LEN];	/* -name guest=NAME, or "" */
	char uuid[QEMU_UUID_LEN];	/* -uuid, or "" */
	char mac[QEMU_MAC_LEN];		/* the tap's guest MAC, lower case, or "" */
};

/*
 * Parse a NUL-separated command line as read from /proc/PID/cmdline.  Returns
 * 0 when argv[0] is a QEMU system emulator (whatever it found for IFNAME),
 * -ENOENT otherwise.  Understands -name, -uuid, -netdev tap (key=value or
 * JSON), -device with netdev=/mac=, -nic tap and the older -net nic/-net tap
 * pairs joined by their hub (vlan=) id.
 */
int qemu_cmdline_parse(const char *buf, size_t len, const char *ifname,
		       struct qemu_info *info);

/*
 * Find KEY in a QEMU option string "a=b,c=d" (",," is a literal comma).  A
 * first element without '=' is the value of IMPLIED (may be NULL).  Copies
 * the value to OUT and returns 0, or returns -ENOENT (-ENOSPC if too long).
 */
int qemu_opt_get(const char *opts, const char *key, const char *implied,
		 char *out, size_t outlen);

#endif
