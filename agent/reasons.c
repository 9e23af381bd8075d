// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's reasons file, written by attach.c and read by `ovskvm status`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reasons.h"
#include "utf8.h"

#define REASONS_MAX_SIZE	(1 << 20)

/* REASON on one line, bytes that are not UTF-8 as '?'. */
static void put_reason(FILE *f, const char *s)
{
	size_t bad, i, n = strlen(s);

	while (n) {
		if (utf8_valid(s, n, &bad))
			bad = n;
		for (i = 0; i < bad; i++)
			fputc((unsigned char)s[i] < 0x20 ? ' ' : s[i], f);
		if (bad == n)
			break;
		fputc('?', f);
		s += bad + 1;
		n -= bad + 1;
	}
	fputc('\n', f);
}

char *reasons_format(const struct port_reason *r, size_t n, pid_t pid)
{
	char *text = NULL;
	size_t len, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "# Taps the ovskvm agent (pid %d) has not attached yet, and why.\n"
		"# Read by 'ovskvm status'.  IFINDEX<TAB>NAME<TAB>REASON\n", (int)pid);
	for (i = 0; i < n; i++) {
		if (!r[i].name[0] || strpbrk(r[i].name, "\t\n"))
			continue;
		fprintf(f, "%u\t%s\t", r[i].ifindex, r[i].name);
		put_reason(f, r[i].reason);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= w;
	}
	return 0;
}

int reasons_save(const char *path, const struct port_reason *r, size_t n)
{
	char tmp[4096], dir[4096], *slash, *text;
	int fd, ret;

	if (!n)
		return unlink(path) && errno != ENOENT ? -errno : 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
	}
	text = reasons_format(r, n, getpid());
	if (!text)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, text, strlen(text));
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	free(text);
	return ret;
}

char *reasons_load(const char *path)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size <= REASONS_MAX_SIZE)
		text = malloc(st.st_size + 1);
	while (text && len < (size_t)st.st_size &&
	       (n = read(fd, text + len, st.st_size - len)) > 0)
		len += n;
	close(fd);
	if (text && n < 0) {
		free(text);
		return NULL;
	}
	if (text)
		text[len] = '\0';
	return text;
}

bool reasons_writer_alive(const char *text)
{
	static const char head[] = "# Taps the ovskvm agent (pid ";
	char path[64], comm[32];
	unsigned long pid;
	FILE *f;
	bool ok;

	if (!text || strncmp(text, head, sizeof(head) - 1))
		return false;
	pid = strtoul(text + sizeof(head) - 1, NULL, 10);
	if (!pid || pid > INT32_MAX)
		return false;
	snprintf(path, sizeof(path), "/proc/%lu/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(comm, sizeof(comm), f) && !strcmp(comm, "ovskvm\n");
	fclose(f);
	return ok;
}

const char *reasons_find(const char *text, uint32_t ifindex, const char *name,
			 char *out, size_t len)
{
	const char *line, *end, *tab, *reason;
	size_t nl = strlen(name);
	char *e;

	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (*line == '#' || *line < '0' || *line > '9')
			continue;
		if (strtoul(line, &e, 10) != ifindex || *e != '\t')
			continue;
		tab = strchr(e + 1, '\t');
		if (!tab || (end && tab > end) || (size_t)(tab - e - 1) != nl ||
		    memcmp(e + 1, name, nl))
			continue;
		reason = tab + 1;
		if (!len)
			return NULL;
		snprintf(out, len, "%.*s", end ? (int)(end - reason) : (int)strlen(reason),
			 reason);
		return out;
	}
	return NULL;
}
