// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds a tap's descriptor, and what its QEMU command line says about
 * it (fdholder.h).  Reads a /proc tree given as a path, so that a test can
 * hand it a fake one.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>

#include "fdholder.h"

#define TUN_PATH	"/dev/net/tun"

bool fdholder_creator_hands_off(const char *comm)
{
	/* comm is cut at 15 characters: "prio-rpc-libvirtd" reads so */
	static const char *const comms[] = {
		"rpc-libvirtd", "rpc-virtqemud", "prio-rpc-libvir", "prio-rpc-virtqe",
		"libvirtd", "virtqemud",
	};
	size_t i;

	for (i = 0; i < sizeof(comms) / sizeof(comms[0]); i++)
		if (!strcmp(comm, comms[i]))
			return true;
	return false;
}

ssize_t proc_read_at(int dfd, const char *name, char *buf, size_t len)
{
	ssize_t n = 0, total = 0;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1 &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	if (n < 0)
		total = -errno;
	close(fd);
	if (total >= 0)
		buf[total] = '\0';
	return total;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Is descriptor FD (a name in DFD's fd/) a tun descriptor bound to IFNAME? */
static bool fd_is_tap(int dfd, int fdd, const char *fd, const char *ifname)
{
	char link[sizeof(TUN_PATH) + 1], path[NAME_MAX + 8], info[1024], want[IFNAMSIZ + 8];
	ssize_t n = readlinkat(fdd, fd, link, sizeof(link) - 1);
	const char *p;

	if (n != sizeof(TUN_PATH) - 1)
		return false;
	link[n] = '\0';
	if (strcmp(link, TUN_PATH))
		return false;
	snprintf(path, sizeof(path), "fdinfo/%s", fd);
	if (proc_read_at(dfd, path, info, sizeof(info)) < 0)
		return false;
	snprintf(want, sizeof(want), "iff:\t%s\n", ifname);
	for (p = info; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, want, strlen(want)))
			return true;
	return false;
}

/*
 * Process DFD (pid PID): if it holds IFNAME's tap and is a QEMU system
 * emulator, fill H and INFO and return 0; -ENOENT if not, -ESRCH if it
 * changed or went while it was read.
 */
static int look_at(int dfd, uint32_t pid, const char *ifname, struct fdholder *h,
		   struct qemu_info *info)
{
	static char cmdline[65536];
	char stat[1024], status[4096];
	unsigned long long t0, t1;
	unsigned long uid;
	struct dirent *de;
	ssize_t n;
	int fdd, fd = -1;
	DIR *d;

	if (proc_read_at(dfd, "stat", stat, sizeof(stat)) < 0 ||
	    qemu_stat_start_ticks(stat, &t0))
		return -ESRCH;
	fdd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0)
		return -ENOENT;		/* not ours to read, or gone */
	d = fdopendir(fdd);
	if (!d) {
		close(fdd);
		return -ENOENT;
	}
	while ((de = readdir(d)))
		if (all_digits(de->d_name) && fd_is_tap(dfd, fdd, de->d_name, ifname)) {
			fd = atoi(de->d_name);
			break;
		}
	closedir(d);
	if (fd < 0)
		return -ENOENT;
	n = proc_read_at(dfd, "cmdline", cmdline, sizeof(cmdline));
	if (n <= 0 || proc_read_at(dfd, "status", status, sizeof(status)) < 0 ||
	    qemu_status_ruid(status, &uid))
		return -ESRCH;
	if (qemu_cmdline_parse_fd(cmdline, n, fd, info))
		return -ENOENT;		/* a holder, but no QEMU: libvirtd itself */
	/* the same process throughout: its start time has not changed */
	if (proc_read_at(dfd, "stat", stat, sizeof(stat)) < 0 ||
	    qemu_stat_start_ticks(stat, &t1) || t1 != t0)
		return -ESRCH;
	h->pid = pid;
	h->fd = fd;
	h->uid = uid;
	h->start_ticks = t0;
	return 0;
}

int fdholder_identify(const char *proc, const char *ifname, struct fdholder *h,
		      struct qemu_info *info, char *why, size_t len)
{
	struct qemu_info cand;
	struct fdholder hc;
	unsigned int found = 0;
	struct dirent *de;
	int pfd;
	DIR *d;

	memset(h, 0, sizeof(*h));
	memset(info, 0, sizeof(*info));
	pfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = pfd < 0 ? NULL : fdopendir(pfd);
	if (!d) {
		snprintf(why, len, "%s cannot be read: %s", proc, strerror(errno));
		if (pfd >= 0)
			close(pfd);
		return -ENOENT;
	}
	while ((de = readdir(d))) {
		int dfd;

		if (!all_digits(de->d_name))
			continue;
		dfd = openat(pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		if (!look_at(dfd, strtoul(de->d_name, NULL, 10), ifname, &hc, &cand)) {
			if (!found++) {
				*h = hc;
				*info = cand;
			}
		}
		close(dfd);
	}
	closedir(d);
	if (found == 1)
		return 0;
	memset(h, 0, sizeof(*h));
	memset(info, 0, sizeof(*info));
	if (found)
		snprintf(why, len, "%u QEMU processes hold the tap: which one it serves is a guess",
			 found);
	else
		snprintf(why, len, "no QEMU system emulator holds the tap");
	return found ? -EEXIST : -ENOENT;
}
