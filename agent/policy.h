/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_POLICY_H
#define OVSKVM_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "config.h"

/*
 * Where each attribute of a SET_POLICY request came from, so the offset the
 * kernel reports with a rejection maps back to a rule and a line of the file.
 */
struct policy_span {
	uint32_t off;		/* from the start of the nlmsghdr */
	uint32_t len;
	int rule;		/* index into cfg->rules, -1: the request */
	int key;		/* enum rule_key, -1: the whole rule */
};

struct policy_map {
	struct policy_span *spans;
	unsigned int n, cap;
};

/* Bytes enough for the SET_POLICY message of CFG. */
size_t policy_msg_size(const struct config *cfg);

/*
 * Encode CFG as an OVSKVM_CMD_SET_POLICY request into BUF of SIZE bytes.  A
 * config without rules restores the module parameters' policy
 * (OVSKVM_POLICY_F_DEFAULT).  MAP may be NULL.  Returns the message, or NULL
 * with errno set (ENOSPC, ENOMEM).
 */
struct nlmsghdr *policy_build(void *buf, size_t size, uint16_t family,
			      uint32_t seq, const struct config *cfg,
			      struct policy_map *map);

/*
 * Describe the config line behind offset OFF of the request, e.g.
 * "/etc/ovskvm.conf:12: rule 2, VLAN=".  Returns 0, or -ENOENT when OFF is
 * not inside any rule (then OUT names the file only).
 */
int policy_locate(const struct policy_map *map, const struct config *cfg,
		  uint32_t off, char *out, size_t len);

void policy_map_free(struct policy_map *map);

#endif
