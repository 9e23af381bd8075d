// SPDX-License-Identifier: GPL-2.0
/*
 * What a QEMU command line tells about a VM: its name, UUID and, for a given
 * tap device, the MAC address the guest sees; and whether the process is the
 * tap's creator at all.  Pure: the caller reads /proc/PID.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "qemu_cmdline.h"

#define MAX_ARGS	4096
#define OPT_LEN		256

int qemu_opt_get(const char *opts, const char *key, const char *implied,
		 char *out, size_t outlen)
{
	const char *p = opts;
	bool first = true;

	while (*p) {
		size_t kl = 0, vl = 0;
		const char *eq = NULL;
		const char *q;
		bool match;

		/* find '=' before the next unescaped comma */
		for (q = p; *q; q++) {
			if (*q == ',' && q[1] == ',') {
				q++;
				continue;
			}
			if (*q == ',')
				break;
			if (*q == '=' && !eq)
				eq = q;
		}
		if (eq) {
			kl = eq - p;
			match = kl == strlen(key) && !strncmp(p, key, kl);
			p = eq + 1;
		} else {
			match = first && implied && !strcmp(key, implied);
		}
		first = false;
		/* copy the value, unescaping ",," */
		for (; *p; p++) {
			if (*p == ',' && p[1] == ',') {
				p++;
			} else if (*p == ',') {
				p++;
				break;
			}
			if (match) {
				if (vl + 1 >= outlen)
					return -ENOSPC;
				out[vl++] = *p;
			}
		}
		if (match) {
			out[vl] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

/* An option's value: key=value text, or a JSON object (QEMU 6.0 and later). */
static int opt_get(const char *opts, const char *key, const char *implied,
		   char *out, size_t outlen)
{
	json_t *root, *v;
	const char *s;
	int ret = -ENOENT;

	if (opts[0] != '{')
		return qemu_opt_get(opts, key, implied, out, outlen);
	root = json_loads(opts, 0, NULL);
	if (!root)
		return -EINVAL;
	v = json_object_get(root, key);
	if (!v && implied)
		v = json_object_get(root, implied);
	s = json_string_value(v);
	if (s) {
		if (strlen(s) >= outlen) {
			ret = -ENOSPC;
		} else {
			strcpy(out, s);
			ret = 0;
		}
	}
	json_decref(root);
	return ret;
}

static bool opt_is(const char *opts, const char *key, const char *implied,
		   const char *want)
{
	char v[OPT_LEN];

	return !opt_get(opts, key, implied, v, sizeof(v)) && !strcmp(v, want);
}

bool qemu_is_system_emulator(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return (!strncmp(base, "qemu-system-", 12) && base[12]) ||
	       !strcmp(base, "qemu-kvm") || !strcmp(base, "kvm");
}

/* "-name" and "--name" are the same option to QEMU. */
static const char *opt_name(const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	if (arg[1] == '-')
		arg++;
	return arg + 1;
}

/*
 * The options read here take a value, which is skipped with them even when it
 * starts with '-'.  Any other word is looked at on its own: an option unknown
 * here whose value looks like one of these options is misread, which costs
 * only the labels (a process may claim anything about itself anyway).
 */
static bool is_known(const char *o)
{
	static const char *const known[] = {
		"name", "uuid", "netdev", "nic", "net", "device",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(o, known[i]))
			return true;
	return false;
}

static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The guest MAC as libvirt writes it: lower case, two digits a byte, colons.
 * QEMU also takes upper case, '-' between bytes and one-digit bytes, so
 * 00:11:22:EE:EE:EE and 0-11-22-ee-ee-ee name the same address.  What QEMU
 * would not take is kept as written, in lower case, if it fits.
 */
static void set_mac(struct qemu_info *info, const char *v)
{
	unsigned char b[6];
	const char *s = v;
	size_t i;

	for (i = 0; i < sizeof(b); i++) {
		int hi = hex_digit(*s), lo;

		if (hi < 0)
			break;
		lo = hex_digit(*++s);
		if (lo >= 0) {
			hi = hi * 16 + lo;
			s++;
		}
		b[i] = hi;
		if (i + 1 == sizeof(b))
			continue;
		if (*s != ':' && *s != '-')
			break;
		s++;
	}
	if (i == sizeof(b) && !*s) {
		snprintf(info->mac, sizeof(info->mac),
			 "%02x:%02x:%02x:%02x:%02x:%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5]);
		return;
	}
	if (strlen(v) >= sizeof(info->mac))
		return;		/* cut short it would look like another MAC */
	copy(info->mac, sizeof(info->mac), v);
	for (i = 0; info->mac[i]; i++)
		if (info->mac[i] >= 'A' && info->mac[i] <= 'Z')
			info->mac[i] += 'a' - 'A';
}

/* As QEMU's qemu_uuid_parse() takes it, in lower case; else none. */
static void set_uuid(struct qemu_info *info, const char *v)
{
	size_t i;

	info->uuid[0] = '\0';
	info->bad_uuid = true;
	if (strlen(v) != QEMU_UUID_LEN - 1)
		return;
	for (i = 0; i < QEMU_UUID_LEN - 1; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? v[i] != '-' : hex_digit(v[i]) < 0)
			return;
	}
	for (i = 0; i < QEMU_UUID_LEN - 1; i++)
		info->uuid[i] = v[i] >= 'A' && v[i] <= 'F' ? v[i] + 'a' - 'A' : v[i];
	info->uuid[i] = '\0';
	info->bad_uuid = false;
}

/* Does the -netdev tap option string OPTS pass descriptor FD (fd= or fds=)? */
static bool netdev_has_fd(const char *opts, int fd)
{
	char v[OPT_LEN], *p, *end;

	if (opt_get(opts, "fd", NULL, v, sizeof(v)) &&
	    opt_get(opts, "fds", NULL, v, sizeof(v)))
		return false;
	for (p = v; *p; p = *end ? end + 1 : end) {
		long n = strtol(p, &end, 10);

		if (end == p || (*end && *end != ':'))
			return false;
		if (n == fd)
			return true;
	}
	return false;
}

/* IFNAME's tap, or with TAP_FD >= 0 the tap QEMU got as that descriptor. */
static int parse(const char *buf, size_t len, const char *ifname, int tap_fd,
		 struct qemu_info *info)
{
	const char *argv[MAX_ARGS];
	size_t argc = 0, i, off = 0;
	char netdev_id[OPT_LEN] = "", hub[OPT_LEN] = "", v[OPT_LEN];
	int anon_taps = 0;
	char anon_id[OPT_LEN] = "";
	bool found_tap = false;

	memset(info, 0, sizeof(*info));
	/* Split; a final element without its NUL is dropped (truncated read). */
	while (off < len && argc < MAX_ARGS) {
		const char *s = buf + off;
		size_t n = strnlen(s, len - off);

		if (off + n == len)
			break;
		argv[argc++] = s;
		off += n + 1;
	}
	if (!argc || !qemu_is_system_emulator(argv[0]))
		return -ENOENT;

	/* First pass: name, uuid, and which netdev (or hub) owns the tap. */
	for (i = 1; i + 1 < argc; i++) {
		const char *o = opt_name(argv[i]);
		const char *val = argv[i + 1];

		if (!o)
			continue;
		if (!strcmp(o, "name")) {
			if (!opt_get(val, "guest", "guest", v, sizeof(v)))
				copy(info->name, sizeof(info->name), v);
		} else if (!strcmp(o, "uuid")) {
			set_uuid(info, val);
		} else if (!strcmp(o, "netdev") &&
			   opt_is(val, "type", "type", "tap")) {
			char id[OPT_LEN];

			if (opt_get(val, "id", NULL, id, sizeof(id)))
				continue;
			if (tap_fd >= 0) {
				if (!found_tap && netdev_has_fd(val, tap_fd)) {
					strcpy(netdev_id, id);
					found_tap = true;
				}
			} else if (!opt_get(val, "ifname", NULL, v, sizeof(v))) {
				if (!found_tap && !strcmp(v, ifname)) {
					strcpy(netdev_id, id);
					found_tap = true;
				}
			} else if (opt_get(val, "fd", NULL, v, sizeof(v)) &&
				   opt_get(val, "fds", NULL, v, sizeof(v))) {
				/* the kernel picks the name: tapN */
				anon_taps++;
				strcpy(anon_id, id);
			}
		} else if (!strcmp(o, "nic") && tap_fd < 0 &&
			   opt_is(val, "type", "type", "tap") &&
			   !opt_get(val, "ifname", NULL, v, sizeof(v)) &&
			   !strcmp(v, ifname) && !info->mac[0]) {
			if (!opt_get(val, "mac", NULL, v, sizeof(v)))
				set_mac(info, v);
			found_tap = true;
		} else if (!strcmp(o, "net") && tap_fd < 0 &&
			   opt_is(val, "type", "type", "tap") &&
			   !opt_get(val, "ifname", NULL, v, sizeof(v)) &&
			   !strcmp(v, ifname) && !found_tap) {
			if (opt_get(val, "vlan", NULL, hub, sizeof(hub)))
				strcpy(hub, "0");
			found_tap = true;
		}
		if (is_known(o))
			i++;
	}
	if (!found_tap && tap_fd < 0 && anon_taps == 1 && !strncmp(ifname, "tap", 3))
		strcpy(netdev_id, anon_id);

	/* Second pass: the NIC whose netdev, or hub, is the tap's. */
	for (i = 1; i + 1 < argc && !info->mac[0]; i++) {
		const char *o = opt_name(argv[i]);
		const char *val = argv[i + 1];

		if (!o)
			continue;
		if (!strcmp(o, "device") && netdev_id[0] &&
		    opt_is(val, "netdev", NULL, netdev_id)) {
			if (!opt_get(val, "mac", NULL, v, sizeof(v)))
				set_mac(info, v);
		} else if (!strcmp(o, "net") && hub[0] &&
			   opt_is(val, "type", "type", "nic")) {
			char h[OPT_LEN];

			if (opt_get(val, "vlan", NULL, h, sizeof(h)))
				strcpy(h, "0");
			if (!strcmp(h, hub) &&
			    !opt_get(val, "macaddr", NULL, v, sizeof(v)))
				set_mac(info, v);
		}
		if (is_known(o))
			i++;
	}
	return 0;
}

int qemu_cmdline_parse(const char *buf, size_t len, const char *ifname,
		       struct qemu_info *info)
{
	return parse(buf, len, ifname, -1, info);
}

int qemu_cmdline_parse_fd(const char *buf, size_t len, int fd,
			  struct qemu_info *info)
{
	return parse(buf, len, "", fd < 0 ? INT32_MAX : fd, info);
}

/* Field 22 of /proc/PID/stat, counted after comm's closing paren. */
int qemu_stat_start_ticks(const char *stat, unsigned long long *ticks)
{
	const char *p = strrchr(stat, ')');
	char *end;
	int field;

	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || p[1] < '0' || p[1] > '9')
		return -EINVAL;
	*ticks = strtoull(p + 1, &end, 10);
	return *end == ' ' || *end == '\n' || !*end ? 0 : -EINVAL;
}

/* The real uid, first of the four on the "Uid:" line of /proc/PID/status. */
int qemu_status_ruid(const char *status, unsigned long *uid)
{
	const char *p = status;
	char *end;

	while (p && strncmp(p, "Uid:", 4)) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return -EINVAL;
	p += 4;
	p += strspn(p, " \t");
	if (*p < '0' || *p > '9')
		return -EINVAL;
	*uid = strtoul(p, &end, 10);
	return *end == '\t' || *end == ' ' || *end == '\n' ? 0 : -EINVAL;
}

int qemu_identify(const struct qemu_creator *c, const struct qemu_proc *pr,
		  const char *ifname, struct qemu_info *info, char *why,
		  size_t len)
{
	unsigned long long ticks;
	unsigned long uid;
	size_t n;

	memset(info, 0, sizeof(*info));
	if (!pr->stat || qemu_stat_start_ticks(pr->stat, &ticks) ||
	    !pr->status || qemu_status_ruid(pr->status, &uid) || !pr->comm) {
		snprintf(why, len, "/proc/%u cannot be read", c->pid);
		return -ESRCH;
	}
	if (ticks != c->start_ticks) {
		snprintf(why, len, "pid %u is no longer the creator (it started at another time)",
			 c->pid);
		return -ESRCH;
	}
	n = strcspn(pr->comm, "\n");
	if (strlen(c->comm) != n || strncmp(pr->comm, c->comm, n)) {
		snprintf(why, len, "the creator (pid %u) no longer calls itself %s", c->pid,
			 c->comm);
		return -ESRCH;
	}
	if (uid != c->uid) {
		snprintf(why, len, "the creator (pid %u, %s) now runs as uid %lu, not as uid %u that created the tap",
			 c->pid, c->comm, uid, c->uid);
		return -EPERM;
	}
	if (!pr->cmdline || !pr->cmdline_len ||
	    !memchr(pr->cmdline, '\0', pr->cmdline_len) ||
	    qemu_cmdline_parse(pr->cmdline, pr->cmdline_len, ifname, info)) {
		snprintf(why, len, "the creator (pid %u, %s) is not a QEMU system emulator",
			 c->pid, c->comm);
		return -ENOENT;
	}
	return 0;
}
