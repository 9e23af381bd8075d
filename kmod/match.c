// SPDX-License-Identifier: GPL-2.0
/*
 * First-match rule evaluation.  A rule matches when every criterion it
 * carries matches; a rule without criteria matches every tap.
 */

#ifdef __KERNEL__
#include <linux/glob.h>
#include <linux/string.h>
#else
#include <string.h>
#endif
#include "match.h"

/*
 * Some kernels' glob_match() (6.1's among them) let a "[!...]" class match
 * the terminating NUL and read on past it: names and comms are matched from
 * a zero-padded copy as long as any glob, so those reads stay inside it.
 */
struct ovskvm_padded {
	char s[IFNAMSIZ + OVSKVM_GLOB_LEN];
};

static void ovskvm_pad(struct ovskvm_padded *p, const char *s)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->s, s, strnlen(s, IFNAMSIZ - 1));
}

static bool ovskvm_names_match(const struct ovskvm_rule *rule, const char *name)
{
	struct ovskvm_padded padded;
	unsigned int i;

	if (!rule->n_names)
		return true;
	ovskvm_pad(&padded, name);
	for (i = 0; i < rule->n_names; i++)
		if (glob_match(rule->names[i], padded.s))
			return true;
	return false;
}

static bool ovskvm_comm_matches(const struct ovskvm_rule *rule, const char *comm)
{
	struct ovskvm_padded padded;

	ovskvm_pad(&padded, comm);
	return glob_match(rule->comm, padded.s);
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
	/* The module never acts on a tap it did not see appear, unasked. */
	if (tap->preexisting && rule->action == OVSKVM_ACTION_ATTACH &&
	    !(rule->flags & OVSKVM_RULE_F_PREEXISTING))
		return false;
	/* An unknown creator has no uid or comm to match, not uid 0 and "". */
	if ((rule->has_uid || rule->has_comm) && !tap->creator_known)
		return false;
	if (!ovskvm_names_match(rule, tap->name))
		return false;
	if (!ovskvm_mac_matches(rule, tap->mac))
		return false;
	if (rule->has_uid && (tap->uid < rule->uid_min || tap->uid > rule->uid_max))
		return false;
	if (rule->has_comm && !ovskvm_comm_matches(rule, tap->comm))
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
