/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds a tap: the VM identity of a tap that QEMU did not create itself.
 *
 * libvirt creates a guest's taps in its daemon (the thread "rpc-libvirtd" of
 * libvirtd, "rpc-virtqemud" of virtqemud), then starts QEMU with them as
 * inherited descriptors: -netdev {"type":"tap","fd":"29",...}.  The module
 * records the daemon as the creator, whose command line says nothing about
 * the guest, and QEMU's command line names no interface.  What is true for
 * such a tap is the process that holds its descriptor: /proc/PID/fdinfo/FD
 * of a tun descriptor says "iff:\tNAME", and that process's command line
 * says which -netdev has fd=FD, hence the NIC's MAC, with -name and -uuid.
 *
 * Why not libvirt's own state (/run/libvirt/qemu/NAME.xml): it is written
 * after QEMU starts, its layout is libvirt's private business and differs
 * between the monolithic and the modular daemons, and it would tie the agent
 * to libvirt; the descriptor is what the kernel says, for any manager that
 * hands taps to QEMU.
 *
 * Trust: as for a creating QEMU, the identity is a label that any process
 * may claim for itself, never a security boundary.  What the kernel vouches
 * for is checked: the holder holds the tap now, runs a QEMU system emulator
 * (argv[0]), its real uid is recorded, its start time is the same before and
 * after its files are read (all read through one /proc/PID descriptor), and
 * exactly one QEMU process holds the tap.  Anything else gives no identity,
 * which costs the labels of that one port only.
 */
#ifndef OVSKVM_FDHOLDER_H
#define OVSKVM_FDHOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "qemu_cmdline.h"

struct fdholder {
	uint32_t pid;
	int fd;				/* the tap's descriptor in it */
	uint32_t uid;			/* its real uid */
	unsigned long long start_ticks;	/* its start, as in /proc/PID/stat */
};

/*
 * Find the QEMU system emulator that holds the tap IFNAME under PROC
 * ("/proc"; another root for tests) and parse its command line for that
 * descriptor into INFO.  Returns 0, -ENOENT when no QEMU holds the tap (yet),
 * or -EEXIST when more than one does; WHY (LEN bytes) says why not.
 */
int fdholder_identify(const char *proc, const char *ifname, struct fdholder *h,
		      struct qemu_info *info, char *why, size_t len);

/*
 * Does a creator called COMM make taps for a QEMU that it starts next, with
 * the tap as a descriptor?  libvirt's daemons do ("rpc-libvirtd",
 * "rpc-virtqemud", and the daemons' main threads): the agent waits for that
 * QEMU before it attaches the tap, so that the port gets the VM's labels and
 * a tap that libvirt puts on an OVS bridge itself is libvirt's by then.
 */
bool fdholder_creator_hands_off(const char *comm);

/*
 * Read the file NAME under the directory descriptor DFD (a /proc/PID) into
 * BUF, NUL-terminated, at most LEN - 1 bytes: their number, or -errno.
 */
ssize_t proc_read_at(int dfd, const char *name, char *buf, size_t len);

#endif
