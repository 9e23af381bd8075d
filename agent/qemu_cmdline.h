/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_QEMU_CMDLINE_H
#define OVSKVM_QEMU_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QEMU_NAME_LEN	256
#define QEMU_UUID_LEN	37
#define QEMU_MAC_LEN	18

/*
 * What a QEMU command line says about one of its tap devices: what the
 * process claims about itself, as anyone may write any -name or -uuid.
 */
struct qemu_info {
	char name[QEMU_NAME_LEN];	/* -name guest=NAME, or "" (any bytes) */
	char uuid[QEMU_UUID_LEN];	/* -uuid, lower case, or "" */
	char mac[QEMU_MAC_LEN];		/* the tap's guest MAC, lower case, or "" */
	bool bad_uuid;			/* a -uuid QEMU would refuse: uuid is "" */
};

/*
 * Parse a NUL-separated command line as read from /proc/PID/cmdline.  Returns
 * 0 when argv[0] is a QEMU system emulator (whatever it found for IFNAME),
 * -ENOENT otherwise.  Understands -name, -uuid, -netdev tap (key=value or
 * JSON), -device with netdev=/mac=, -nic tap and the older -net nic/-net tap
 * pairs joined by their hub (vlan=) id.  A -uuid that is not 8-4-4-4-12 hex
 * digits, which QEMU refuses, is dropped (bad_uuid).
 */
int qemu_cmdline_parse(const char *buf, size_t len, const char *ifname,
		       struct qemu_info *info);

/*
 * The same for the tap that QEMU was handed as descriptor FD (as libvirt
 * does: -netdev tap,fd=FD or fds=FD:...), which names no interface: the MAC
 * is that of the NIC on that netdev.
 */
int qemu_cmdline_parse_fd(const char *buf, size_t len, int fd,
			  struct qemu_info *info);

/*
 * A QEMU system emulator by the name it runs as: qemu-system-ARCH, qemu-kvm
 * or kvm, with or without a directory.  Not qemu-bridge-helper (which creates
 * the taps of "-netdev bridge"), qemu-img or the user-mode qemu-ARCH.
 */
bool qemu_is_system_emulator(const char *argv0);

/* What the module recorded about the process that created a tap. */
struct qemu_creator {
	uint32_t pid;
	uint32_t uid;			/* real uid */
	const char *comm;
	unsigned long long start_ticks;	/* its start, as in /proc/PID/stat */
};

/* Files of /proc/PID as read (NUL-terminated; cmdline has its length). */
struct qemu_proc {
	const char *stat;
	const char *status;
	const char *comm;
	const char *cmdline;
	size_t cmdline_len;
};

/*
 * Is the process these files describe the tap's creator, and a QEMU system
 * emulator?  It must have the creator's start time (field 22 of stat: a
 * reused pid has another), comm and real uid (status "Uid:"), and argv[0]
 * must name a system emulator.  Then its command line is parsed for IFNAME
 * into INFO and 0 returned.  Otherwise WHY (LEN bytes) says why not, for the
 * log, and the return value is -ESRCH (another process, or unreadable),
 * -EPERM (it runs as another uid than the one that created the tap) or
 * -ENOENT (not a QEMU system emulator).  INFO is cleared in every case.
 */
int qemu_identify(const struct qemu_creator *c, const struct qemu_proc *pr,
		  const char *ifname, struct qemu_info *info, char *why,
		  size_t len);

/* Field 22 of /proc/PID/stat (start time in clock ticks): 0 or -EINVAL. */
int qemu_stat_start_ticks(const char *stat, unsigned long long *ticks);

/* The real uid from the "Uid:" line of /proc/PID/status: 0 or -EINVAL. */
int qemu_status_ruid(const char *status, unsigned long *uid);

/*
 * Find KEY in a QEMU option string "a=b,c=d" (",," is a literal comma).  A
 * first element without '=' is the value of IMPLIED (may be NULL).  Copies
 * the value to OUT and returns 0, or returns -ENOENT (-ENOSPC if too long).
 */
int qemu_opt_get(const char *opts, const char *key, const char *implied,
		 char *out, size_t outlen);

#endif
