// SPDX-License-Identifier: GPL-2.0
/*
 * First-match rule evaluation.  A rule matches when every criterion it
 * carries matches; a rule without criteria matches every tap.
 */

#ifdef __KERNEL__
#include <linux/glob.h>
#endif
#include "match.h"

static bool ovskvm_names_match(const struct ovskvm_rule *rule, const char *name)
{
	unsigned int i;

	if (!rule->n_names)
		return true;
	for (i = 0; i < rule->n_names; i++)
		if (glob_match(rule->names[i], name))
			return true;
	return false;
}

static bool ovskvm_mac_matches(const struct ovskvm_rule *rule, const u8 *mac)
{
	unsigned int i;

	if (!rule->has_mac)
		return true;
	for (i = 0; i < ETH_ALEN; i++)
		if ((mac[i] ^ rule->mac[i]) & rule->mac_mask[i])
			return false;
	return true;
}

bool ovskvm_rule_matches(const struct ovskvm_rule *rule,
			 const struct ovskvm_tap_info *tap)
{
	if (!ovskvm_names_match(rule, tap->name))
		return false;
	if (!ovskvm_mac_matches(rule, tap->mac))
		return false;
	if (rule->has_uid && (tap->uid < rule->uid_min || tap->uid > rule->uid_max))
		return false;
	if (rule->has_comm && !glob_match(rule->comm, tap->comm))
		return false;
	return true;
}

/* Returns the index of the first matching rule, or -1 when none matches. */
int ovskvm_match(const struct ovskvm_rule *rules, unsigned int n_rules,
		 const struct ovskvm_tap_info *tap)
{
	unsigned int i;

	for (i = 0; i < n_rules; i++)
		if (ovskvm_rule_matches(&rules[i], tap))
			return i;
	return -1;
}
