/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the agent has not attached a pending tap yet, for `ovskvm status`.
 *
 * The module knows a tap is pending for the agent, not why the agent cannot
 * attach it (a name OVSDB cannot store, an Interface of that name in another
 * Port, a missing bridge): the agent writes its reasons to a small file that
 * status reads and shows next to the module's record of the tap.
 *
 * Format, one line per tap, after comment lines starting with '#':
 *   IFINDEX <TAB> NAME <TAB> REASON
 * NAME is the tap's name byte for byte (tap names hold no white space);
 * REASON is UTF-8 text on one line.  A tap is matched on both ifindex and
 * name, and only while the module still reports it pending (or attached,
 * for a tap on an OVSDB port that is someone else's) and the agent that
 * wrote the file still runs.  The file is replaced atomically, and
 * removed when no tap has a reason.
 */
#ifndef OVSKVM_REASONS_H
#define OVSKVM_REASONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define REASONS_PATH	"/run/ovskvm/pending"

struct port_reason {
	uint32_t ifindex;
	const char *name;
	const char *reason;
};

/* The file's text for N taps (malloc'd), or NULL when out of memory. */
char *reasons_format(const struct port_reason *r, size_t n, pid_t pid);

/*
 * Replace PATH with the reasons of N taps (its directory is created if
 * need be), or remove it when N is 0.  Returns 0 or -errno.
 */
int reasons_save(const char *path, const struct port_reason *r, size_t n);

/* PATH's text (malloc'd), or NULL when there is none or it cannot be read. */
char *reasons_load(const char *path);

/*
 * Is the agent that wrote TEXT still running?  Its pid, from the first
 * line, must be a live process called "ovskvm"; else the reasons are those
 * of an agent that has stopped, with nobody working on those taps.
 */
bool reasons_writer_alive(const char *text);

/*
 * The reason TEXT (may be NULL) gives for tap IFINDEX called NAME, copied to
 * OUT (LEN bytes); NULL when it gives none.
 */
const char *reasons_find(const char *text, uint32_t ifindex, const char *name,
			 char *out, size_t len);

#endif
