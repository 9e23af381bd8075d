/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule matcher: pure code with no locking and no allocation, built into
 * the module and, through kmod/tests/, into a userspace unit test.
 */
#ifndef _OVSKVM_MATCH_H
#define _OVSKVM_MATCH_H

#ifdef __KERNEL__
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/types.h>
#else
#include "tests/kcompat.h"
#endif
#include <linux/ovskvm_autoport.h>

struct ovskvm_rule {
	u32 id;
	u32 flags;			/* OVSKVM_RULE_F_* */
	u8 action;			/* OVSKVM_ACTION_* */
	u8 n_names;
	bool has_mac;
	bool has_uid;
	bool has_comm;
	u8 mac[ETH_ALEN];
	u8 mac_mask[ETH_ALEN];
	u32 uid_min;
	u32 uid_max;
	u16 vlan_tag;			/* 0: none */
	u16 n_trunks;
	char comm[OVSKVM_GLOB_LEN];
	char bridge[IFNAMSIZ];
	char names[OVSKVM_MAX_NAMES][OVSKVM_GLOB_LEN];
	u16 trunks[OVSKVM_MAX_TRUNKS];
};

/*
 * What a rule can be matched against: the tap as it registered.  uid and
 * comm mean something only with @creator_known; @preexisting taps existed
 * before the module loaded.
 */
struct ovskvm_tap_info {
	const char *name;
	const u8 *mac;
	u32 uid;
	const char *comm;
	bool creator_known;
	bool preexisting;
};

bool ovskvm_rule_matches(const struct ovskvm_rule *rule,
			 const struct ovskvm_tap_info *tap);
int ovskvm_match(const struct ovskvm_rule *rules, unsigned int n_rules,
		 const struct ovskvm_tap_info *tap);

#endif /* _OVSKVM_MATCH_H */
