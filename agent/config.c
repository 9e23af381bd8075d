// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/ovskvm.conf: an [Agent] section and ordered [Rule] sections of
 * Key=Value lines, in the manner of systemd .network files.  Pure: no I/O but
 * reading the file in config_load(), and user names through getpwnam_r().
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "ovsdb_txn.h"
#include "utf8.h"

struct parser {
	struct config *cfg;
	const char *path;
	FILE *err;
	int line;
	int errors;
	enum { SEC_NONE, SEC_AGENT, SEC_RULE, SEC_UNKNOWN } section;
	struct config_rule *rule;	/* current [Rule] */
	unsigned int rules_cap;
};

struct key {
	const char *name;
	int (*parse)(struct parser *p, const char *value);
	int rk;				/* enum rule_key, or -1 */
};

static const char *const rule_key_names[__RK_MAX] = {
	[RK_ACTION] = "Action",
	[RK_NAME] = "Name",
	[RK_MAC] = "MAC",
	[RK_USER] = "User",
	[RK_COMM] = "Comm",
	[RK_BRIDGE] = "Bridge",
	[RK_VLAN] = "VLAN",
	[RK_TRUNKS] = "Trunks",
	[RK_BRING_UP] = "BringUp",
	[RK_EXTERNAL_ID] = "ExternalID",
	[RK_PREEXISTING] = "Preexisting",
};

const char *rule_key_name(enum rule_key key)
{
	return key < __RK_MAX ? rule_key_names[key] : "?";
}

const char *action_name(uint8_t action)
{
	switch (action) {
	case OVSKVM_ACTION_ATTACH:
		return "attach";
	case OVSKVM_ACTION_IGNORE:
		return "ignore";
	}
	return "?";
}

static void __attribute__((format(printf, 3, 4)))
error_at(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	p->errors++;
	if (p->errors > CONFIG_MAX_ERRORS)
		return;
	if (p->errors == CONFIG_MAX_ERRORS) {
		fprintf(p->err, "%s: too many errors, giving up\n", p->path);
		return;
	}
	fprintf(p->err, "%s:%d: ", p->path, line);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
}

#define error(p, ...) error_at(p, (p)->line, __VA_ARGS__)

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->ovsdb, CONFIG_DEFAULT_OVSDB);
	cfg->timeout_ms = 5000;
	cfg->reconnect_max_ms = 30000;
	cfg->log_level = LOG_INFO;
}

void config_free(struct config *cfg)
{
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->n_rules = 0;
}

/* Value parsers: each prints its own diagnostic and returns -EINVAL. */

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	return true;
}

static int parse_bool(struct parser *p, const char *key, const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	error(p, "%s=%s: expected yes or no", key, v);
	return -EINVAL;
}

/* An unsigned decimal number in [min, max]; no sign, no trailing junk. */
static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* "5", "5s", "500ms", "1min": milliseconds in [min_ms, max_ms]. */
static int parse_duration(struct parser *p, const char *key, const char *v,
			  unsigned int min_ms, unsigned int max_ms,
			  unsigned int *out)
{
	unsigned long long n, mult = 1000;
	char *end;

	if (!isdigit((unsigned char)*v))
		goto bad;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		goto bad;
	if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "s") || !*end)
		mult = 1000;
	else if (!strcmp(end, "min"))
		mult = 60000;
	else
		goto bad;
	if (n > max_ms || n * mult < min_ms || n * mult > max_ms) {
		error(p, "%s=%s: out of range, use %ums to %us", key, v, min_ms,
		      max_ms / 1000);
		return -EINVAL;
	}
	*out = n * mult;
	return 0;
bad:
	error(p, "%s=%s: expected a duration such as 5s or 500ms", key, v);
	return -EINVAL;
}

/*
 * Name= and Comm= are matched in the kernel by glob_match() (lib/glob.c):
 * '*', '?', [...] with '!' negation and ranges, '\' escaping the character
 * after it.  Refuse what people write meaning something else there, having
 * the shell or fnmatch(3) in mind, and what is malformed or matches nothing.
 */
static int check_glob(struct parser *p, const char *key, const char *g)
{
	const char *s, *class, *end, *q;
	bool posix;

	for (s = g; *s; s++) {
		if (!isgraph((unsigned char)*s)) {
			error(p, "%s=%s: not a valid glob: spaces and control characters cannot be matched",
			      key, g);
			return -EINVAL;
		}
	}
	for (s = g; *s; s++) {
		if (*s == '\\') {
			if (!s[1]) {
				error(p, "%s=%s: a trailing '\\' escapes nothing and the kernel's glob drops it; write '\\\\' to match a backslash",
				      key, g);
				return -EINVAL;
			}
			s++;
			continue;
		}
		if (*s != '[')
			continue;
		/* As glob_match() reads a class: a ']' first is a member. */
		class = s + 1 + (s[1] == '!');
		end = *class ? strchr(class + 1, ']') : NULL;
		if (!end) {
			error(p, "%s=%s: not a valid glob: '[' without a closing ']' (write '\\[' to match a '[')",
			      key, g);
			return -EINVAL;
		}
		if (s[1] == '^') {
			error(p, "%s=%s: [^...] does not negate in the kernel's glob, where '^' is one more member; write [!...]",
			      key, g);
			return -EINVAL;
		}
		/* [[:digit:]], [[=a=]], [[.a.]], and [:digit:] meaning the same */
		posix = *class == ':' && end - class > 1 && end[-1] == ':';
		for (q = class; q < end && !posix; q++)
			posix = q[0] == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.');
		if (posix) {
			error(p, "%s=%s: the kernel's glob has no POSIX classes such as [:digit:]; write a range such as [0-9]",
			      key, g);
			return -EINVAL;
		}
		for (q = class; q < end; q++) {
			if (q[0] != '\\')
				continue;
			if (q + 1 < end && q[1] == '\\') {
				q++;
			} else {
				error(p, "%s=%s: '\\' inside [...] is not an escape in the kernel's glob; write '\\\\' for a backslash; put ']' first and '-' last to include them",
				      key, g);
				return -EINVAL;
			}
		}
		for (q = class; q < end; q++) {
			if (q[1] != '-' || q + 2 >= end)
				continue;
			if ((unsigned char)q[0] > (unsigned char)q[2]) {
				error(p, "%s=%s: the range %c-%c is empty; write %c-%c",
				      key, g, q[0], q[2], q[2], q[0]);
				return -EINVAL;
			}
			q += 2;
		}
		s = end;
	}
	return 0;
}

/* [Agent] */

static int agent_bridge(struct parser *p, const char *v)
{
	if (!valid_ifname(v)) {
		error(p, "Bridge=%s: not a valid interface name (1 to %d characters, no '/', ':' or spaces)",
		      v, IFNAMSIZ - 1);
		return -EINVAL;
	}
	strcpy(p->cfg->bridge, v);
	p->cfg->bridge_line = p->line;
	return 0;
}

static int agent_ovsdb(struct parser *p, const char *v)
{
	const char *path = v;

	if (!strncmp(v, "unix:", 5))
		path = v + 5;
	else if (strchr(v, ':') || v[0] != '/') {
		error(p, "OVSDB=%s: only local sockets are supported, write unix:/PATH or /PATH", v);
		return -EINVAL;
	}
	if (path[0] != '/' ||
	    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		error(p, "OVSDB=%s: needs an absolute socket path of at most 107 characters", v);
		return -EINVAL;
	}
	snprintf(p->cfg->ovsdb, sizeof(p->cfg->ovsdb), "unix:%s", path);
	return 0;
}

static int agent_timeout(struct parser *p, const char *v)
{
	return parse_duration(p, "Timeout", v, 100, 600000, &p->cfg->timeout_ms);
}

static int agent_reconnect(struct parser *p, const char *v)
{
	return parse_duration(p, "ReconnectMax", v, 100, 3600000,
			      &p->cfg->reconnect_max_ms);
}

static int agent_reattach_deleted(struct parser *p, const char *v)
{
	return parse_bool(p, "ReattachDeleted", v, &p->cfg->reattach_deleted);
}

static int agent_log_level(struct parser *p, const char *v)
{
	int l = log_level_from_string(v);

	if (l < LOG_ERR) {
		error(p, "LogLevel=%s: expected err, warning, notice, info or debug", v);
		return -EINVAL;
	}
	p->cfg->log_level = l;
	return 0;
}

/* [Rule] */

static int rule_action(struct parser *p, const char *v)
{
	if (!strcmp(v, "attach")) {
		p->rule->action = OVSKVM_ACTION_ATTACH;
	} else if (!strcmp(v, "ignore")) {
		p->rule->action = OVSKVM_ACTION_IGNORE;
	} else {
		error(p, "Action=%s: expected attach or ignore", v);
		return -EINVAL;
	}
	return 0;
}

static int rule_name(struct parser *p, const char *v)
{
	struct config_rule *r = p->rule;
	char buf[1024], *tok, *save;

	if (!*v) {		/* an empty assignment resets the list */
		r->n_names = 0;
		return 0;
	}
	if (strlen(v) >= sizeof(buf)) {
		error(p, "Name=: value too long");
		return -EINVAL;
	}
	strcpy(buf, v);
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (strlen(tok) >= OVSKVM_GLOB_LEN) {
			error(p, "Name=%s: a glob is at most %d characters", tok,
			      OVSKVM_GLOB_LEN - 1);
			return -EINVAL;
		}
		if (check_glob(p, "Name", tok))
			return -EINVAL;
		if (r->n_names == OVSKVM_MAX_NAMES) {
			error(p, "Name=: at most %d globs per rule; split the rule in two",
			      OVSKVM_MAX_NAMES);
			return -EINVAL;
		}
		strcpy(r->names[r->n_names++], tok);
	}
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int n = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &n) != 6 || n != 17)
		return -EINVAL;
	for (n = 0; n < 6; n++) {
		if (!isxdigit((unsigned char)s[n * 3]) ||
		    !isxdigit((unsigned char)s[n * 3 + 1]))
			return -EINVAL;
		mac[n] = b[n];
	}
	return 0;
}

static int rule_mac(struct parser *p, const char *v)
{
	struct config_rule *r = p->rule;
	char addr[32];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	unsigned long bits;
	int i;

	if (n < sizeof(addr)) {
		memcpy(addr, v, n);
		addr[n] = '\0';
	}
	if (n >= sizeof(addr) || parse_mac(addr, r->mac)) {
		error(p, "MAC=%s: expected xx:xx:xx:xx:xx:xx, optionally /MASK or /BITS", v);
		return -EINVAL;
	}
	memset(r->mac_mask, 0xff, 6);
	if (slash) {
		if (!parse_uint(slash + 1, 0, 48, &bits)) {
			for (i = 0; i < 6; i++) {
				int b = (int)bits - i * 8;

				r->mac_mask[i] = b >= 8 ? 0xff : b <= 0 ? 0 :
						 (uint8_t)(0xff00 >> b);
			}
		} else if (parse_mac(slash + 1, r->mac_mask)) {
			error(p, "MAC=%s: the mask must be xx:xx:xx:xx:xx:xx or a bit count 0-48",
			      v);
			return -EINVAL;
		}
	}
	for (i = 0; i < 6; i++) {
		if (r->mac[i] & ~r->mac_mask[i]) {
			error(p, "MAC=%s: the address has bits outside the mask, so it can never match",
			      v);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_uid(struct parser *p, const char *s, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	unsigned long v;
	char buf[4096];

	if (isdigit((unsigned char)*s)) {
		if (parse_uint(s, 0, UINT32_MAX - 1, &v)) {
			error(p, "User=: '%s' is not a valid user id", s);
			return -EINVAL;
		}
		*uid = v;
		return 0;
	}
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) || !res) {
		error(p, "User=: unknown user '%s' (give a numeric uid if it is created later)",
		      s);
		return -EINVAL;
	}
	*uid = res->pw_uid;
	return 0;
}

static int rule_user(struct parser *p, const char *v)
{
	struct config_rule *r = p->rule;
	char lo[256];
	const char *dash = strchr(v, '-');

	/* "a-b" is a range of ids; user names may contain '-' themselves. */
	if (dash && isdigit((unsigned char)*v) && isdigit((unsigned char)dash[1])) {
		size_t n = dash - v;

		if (n >= sizeof(lo))
			goto bad;
		memcpy(lo, v, n);
		lo[n] = '\0';
		if (parse_uid(p, lo, &r->uid_min) ||
		    parse_uid(p, dash + 1, &r->uid_max))
			return -EINVAL;
		if (r->uid_min > r->uid_max) {
			error(p, "User=%s: the range is empty (first id above the last)", v);
			return -EINVAL;
		}
		return 0;
	}
	if (!*v)
		goto bad;
	if (parse_uid(p, v, &r->uid_min))
		return -EINVAL;
	r->uid_max = r->uid_min;
	return 0;
bad:
	error(p, "User=%s: expected a user name, a uid or a range FIRST-LAST", v);
	return -EINVAL;
}

static int rule_comm(struct parser *p, const char *v)
{
	if (!*v || strlen(v) >= OVSKVM_GLOB_LEN) {
		error(p, "Comm=%s: expected one glob of at most %d characters", v,
		      OVSKVM_GLOB_LEN - 1);
		return -EINVAL;
	}
	if (check_glob(p, "Comm", v))
		return -EINVAL;
	strcpy(p->rule->comm, v);
	return 0;
}

static int rule_bridge(struct parser *p, const char *v)
{
	if (!valid_ifname(v)) {
		error(p, "Bridge=%s: not a valid interface name (1 to %d characters, no '/', ':' or spaces)",
		      v, IFNAMSIZ - 1);
		return -EINVAL;
	}
	strcpy(p->rule->bridge, v);
	return 0;
}

static int rule_vlan(struct parser *p, const char *v)
{
	unsigned long tag;

	if (parse_uint(v, 1, 4094, &tag)) {
		error(p, "VLAN=%s: expected a VLAN id from 1 to 4094", v);
		return -EINVAL;
	}
	p->rule->vlan_tag = tag;
	return 0;
}

static bool has_trunk(const struct config_rule *r, unsigned long vid)
{
	unsigned int i;

	for (i = 0; i < r->n_trunks; i++)
		if (r->trunks[i] == vid)
			return true;
	return false;
}

/*
 * A list key: each assignment adds to the VLANs of the earlier ones (a VLAN
 * given twice counts once, OVS's trunks column being a set) and an empty
 * assignment empties the list.  A bad assignment adds nothing.
 */
static int rule_trunks(struct parser *p, const char *v)
{
	struct config_rule *r = p->rule;
	uint16_t trunks[OVSKVM_MAX_TRUNKS];
	unsigned int n = r->n_trunks;
	char buf[1024], *tok, *save;
	unsigned long lo, hi, i;

	if (!*v) {
		r->n_trunks = 0;
		return 0;
	}
	if (strlen(v) >= sizeof(buf))
		goto bad;
	memcpy(trunks, r->trunks, sizeof(trunks));
	strcpy(buf, v);
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		char *dash = strchr(tok, '-');

		if (dash)
			*dash = '\0';
		if (parse_uint(tok, 0, OVSKVM_VLAN_MAX, &lo))
			goto bad;
		hi = lo;
		if (dash && parse_uint(dash + 1, 0, OVSKVM_VLAN_MAX, &hi))
			goto bad;
		if (hi < lo) {
			error(p, "Trunks=%s: range %lu-%lu is empty", v, lo, hi);
			goto undo;
		}
		for (i = lo; i <= hi; i++) {
			if (has_trunk(r, i))
				continue;
			if (r->n_trunks == OVSKVM_MAX_TRUNKS) {
				error(p, "Trunks=%s: at most %d VLANs per rule", v,
				      OVSKVM_MAX_TRUNKS);
				goto undo;
			}
			r->trunks[r->n_trunks++] = i;
		}
	}
	return 0;
bad:
	error(p, "Trunks=%s: expected VLAN ids 0-%d and ranges, such as 10,20-29",
	      v, OVSKVM_VLAN_MAX);
undo:
	memcpy(r->trunks, trunks, sizeof(trunks));
	r->n_trunks = n;
	return -EINVAL;
}

static int rule_bring_up(struct parser *p, const char *v)
{
	return parse_bool(p, "BringUp", v, &p->rule->bring_up);
}

static int rule_preexisting(struct parser *p, const char *v)
{
	return parse_bool(p, "Preexisting", v, &p->rule->preexisting);
}

static bool valid_extid_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && !strchr("-_.:", *k))
			return false;
	return true;
}

static int rule_external_id(struct parser *p, const char *v)
{
	struct config_rule *r = p->rule;
	struct config_extid *e;
	const char *eq = strchr(v, '='), *s;
	size_t kl;
	unsigned int i;

	if (!*v) {
		r->n_extids = 0;
		return 0;
	}
	if (!eq) {
		error(p, "ExternalID=%s: expected KEY=VALUE", v);
		return -EINVAL;
	}
	kl = eq - v;
	if (kl >= CONFIG_EXTID_KEY_LEN || strlen(eq + 1) >= CONFIG_EXTID_VALUE_LEN) {
		error(p, "ExternalID=%s: key at most %d, value at most %d characters",
		      v, CONFIG_EXTID_KEY_LEN - 1, CONFIG_EXTID_VALUE_LEN - 1);
		return -EINVAL;
	}
	if (r->n_extids == CONFIG_MAX_EXTIDS) {
		error(p, "ExternalID=: at most %d per rule", CONFIG_MAX_EXTIDS);
		return -EINVAL;
	}
	e = &r->extids[r->n_extids];
	memcpy(e->key, v, kl);
	e->key[kl] = '\0';
	if (!valid_extid_key(e->key)) {
		error(p, "ExternalID=%s: the key may hold letters, digits and - _ . : only",
		      v);
		return -EINVAL;
	}
	if (!strncmp(e->key, "ovskvm-", 7)) {
		error(p, "ExternalID=%s: keys starting with ovskvm- are the agent's own", v);
		return -EINVAL;
	}
	if (ovsdb_ext_is_status(e->key)) {
		error(p, "ExternalID=%s: %s is a status key that ovn-controller writes, not one for a rule",
		      v, e->key);
		return -EINVAL;
	}
	for (i = 0; i < r->n_extids; i++) {
		if (!strcmp(r->extids[i].key, e->key)) {
			error(p, "ExternalID=%s: key '%s' already set on line %d",
			      v, e->key, r->extids[i].line);
			return -EINVAL;
		}
	}
	for (s = eq + 1; *s; s++) {
		if (*s != '%')
			continue;
		s++;
		if (!*s || !strchr("numi%", *s)) {
			error(p, "ExternalID=%s: unknown placeholder '%%%.1s' (known: %%n VM name, %%u VM UUID, %%m guest MAC, %%i interface, %%%% a percent sign)",
			      v, *s ? s : "");
			return -EINVAL;
		}
	}
	strcpy(e->value, eq + 1);
	e->line = p->line;
	r->n_extids++;
	return 0;
}

static const struct key agent_keys[] = {
	{ "Bridge", agent_bridge, -1 },
	{ "OVSDB", agent_ovsdb, -1 },
	{ "Timeout", agent_timeout, -1 },
	{ "ReconnectMax", agent_reconnect, -1 },
	{ "ReattachDeleted", agent_reattach_deleted, -1 },
	{ "LogLevel", agent_log_level, -1 },
	{ NULL, NULL, -1 }
};

static const struct key rule_keys[] = {
	{ "Action", rule_action, RK_ACTION },
	{ "Name", rule_name, RK_NAME },
	{ "MAC", rule_mac, RK_MAC },
	{ "User", rule_user, RK_USER },
	{ "Comm", rule_comm, RK_COMM },
	{ "Bridge", rule_bridge, RK_BRIDGE },
	{ "VLAN", rule_vlan, RK_VLAN },
	{ "Trunks", rule_trunks, RK_TRUNKS },
	{ "BringUp", rule_bring_up, RK_BRING_UP },
	{ "Preexisting", rule_preexisting, RK_PREEXISTING },
	{ "ExternalID", rule_external_id, RK_EXTERNAL_ID },
	{ NULL, NULL, -1 }
};

static void check_rule(struct parser *p, struct config_rule *r)
{
	const int *kl = r->key_line;

	if (r->action == OVSKVM_ACTION_IGNORE) {
		static const enum rule_key attach_only[] = {
			RK_BRIDGE, RK_VLAN, RK_TRUNKS, RK_EXTERNAL_ID, RK_PREEXISTING,
		};
		unsigned int i;

		for (i = 0; i < sizeof(attach_only) / sizeof(attach_only[0]); i++)
			if (kl[attach_only[i]])
				error_at(p, kl[attach_only[i]],
					 "%s= has no effect with Action=ignore (rule %u)",
					 rule_key_name(attach_only[i]), r->id);
		return;
	}
	if (kl[RK_VLAN] && kl[RK_TRUNKS])
		error_at(p, kl[RK_TRUNKS],
			 "rule %u has both VLAN= (line %d) and Trunks=: an access port has one tag, a trunk several",
			 r->id, kl[RK_VLAN]);
	if (!r->bridge[0]) {
		if (p->cfg->bridge[0]) {
			strcpy(r->bridge, p->cfg->bridge);
			r->bridge_from_agent = true;
		} else {
			error_at(p, r->line,
				 "rule %u attaches but names no bridge: set Bridge= here or in [Agent]",
				 r->id);
		}
	}
}

static void new_rule(struct parser *p)
{
	struct config *cfg = p->cfg;
	struct config_rule *r;

	if (cfg->n_rules == OVSKVM_MAX_RULES) {
		error(p, "too many [Rule] sections, the module takes at most %d",
		      OVSKVM_MAX_RULES);
		p->section = SEC_UNKNOWN;
		return;
	}
	if (cfg->n_rules == p->rules_cap) {
		unsigned int cap = p->rules_cap ? p->rules_cap * 2 : 8;
		struct config_rule *n = realloc(cfg->rules, cap * sizeof(*n));

		if (!n) {
			error(p, "out of memory");
			p->section = SEC_UNKNOWN;
			return;
		}
		cfg->rules = n;
		p->rules_cap = cap;
	}
	r = &cfg->rules[cfg->n_rules++];
	memset(r, 0, sizeof(*r));
	r->line = p->line;
	r->id = cfg->n_rules;
	r->action = OVSKVM_ACTION_ATTACH;
	r->bring_up = true;
	p->rule = r;
	p->section = SEC_RULE;
}

static void section(struct parser *p, char *s, size_t n)
{
	if (n < 2 || s[n - 1] != ']') {
		error(p, "section header without ']': %s", s);
		p->section = SEC_UNKNOWN;
		return;
	}
	s[n - 1] = '\0';
	s++;
	if (!strcmp(s, "Agent")) {
		p->section = SEC_AGENT;
	} else if (!strcmp(s, "Rule")) {
		new_rule(p);
	} else {
		error(p, "unknown section [%s]%s", s,
		      !strcasecmp(s, "agent") ? " (did you mean [Agent]?)" :
		      !strcasecmp(s, "rule") ? " (did you mean [Rule]?)" :
		      " (sections are [Agent] and [Rule])");
		p->section = SEC_UNKNOWN;
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void assignment(struct parser *p, char *s)
{
	const struct key *keys, *k;
	const char *sec;
	char *eq = strchr(s, '='), *key, *value;

	if (!eq) {
		error(p, "expected Key=Value or [Section], got '%s'", s);
		return;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	switch (p->section) {
	case SEC_NONE:
		error(p, "%s= outside of a section: put it under [Agent] or [Rule]", key);
		return;
	case SEC_UNKNOWN:
		return;		/* the section header was reported */
	case SEC_AGENT:
		keys = agent_keys;
		sec = "Agent";
		break;
	default:
		keys = rule_keys;
		sec = "Rule";
		break;
	}
	for (k = keys; k->name; k++) {
		if (strcmp(k->name, key))
			continue;
		/* An empty assignment of a list key sets nothing. */
		if (k->parse(p, value) == 0 && k->rk >= 0)
			p->rule->key_line[k->rk] = *value ? p->line : 0;
		return;
	}
	for (k = keys; k->name; k++) {
		if (!strcasecmp(k->name, key)) {
			error(p, "unknown key '%s' in [%s] (did you mean '%s'?)",
			      key, sec, k->name);
			return;
		}
	}
	error(p, "unknown key '%s' in [%s]", key, sec);
}

int config_parse(struct config *cfg, const char *path, const char *buf,
		 size_t len, FILE *err)
{
	struct parser p = {
		.cfg = cfg, .path = path, .err = err, .section = SEC_NONE,
	};
	size_t off = 0, bad_at;
	unsigned int i;
	char *line;

	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	line = malloc(len + 1);
	if (!line) {
		fprintf(err, "%s: out of memory\n", path);
		return -ENOMEM;
	}
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		char *s;

		p.line++;
		memcpy(line, buf + off, n);
		line[n] = '\0';
		off += n + 1;
		if (strlen(line) != n) {
			error(&p, "contains a NUL byte: is this a text file?");
			continue;
		}
		/* Everything here may end up in OVSDB, which holds only UTF-8. */
		if (!utf8_valid(line, n, &bad_at)) {
			error(&p, "byte 0x%02x at column %zu is not UTF-8: the file must be UTF-8 (iconv -f latin1 -t utf-8 converts a Latin-1 one)",
			      (unsigned char)line[bad_at], bad_at + 1);
			continue;
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[')
			section(&p, s, strlen(s));
		else
			assignment(&p, s);
	}
	free(line);
	for (i = 0; i < cfg->n_rules; i++)
		check_rule(&p, &cfg->rules[i]);
	return p.errors ? -EINVAL : 0;
}

int config_load(struct config *cfg, const char *path, uid_t owner, FILE *err)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		fprintf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		fprintf(err, "%s: cannot stat: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(err, "%s: not a regular file\n", path);
		ret = -EINVAL;
		goto out;
	}
	if (st.st_uid != owner) {
		fprintf(err, "%s: owned by uid %u, refusing a policy file not owned by %s (chown %u %s)\n",
			path, (unsigned int)st.st_uid, owner ? "its user" : "root",
			(unsigned int)owner, path);
		ret = -EPERM;
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		fprintf(err, "%s: writable by %s, refusing it (chmod go-w %s)\n", path,
			st.st_mode & S_IWOTH ? "others" : "its group", path);
		ret = -EPERM;
		goto out;
	}
	if (st.st_size > CONFIG_MAX_SIZE) {
		fprintf(err, "%s: larger than %d bytes\n", path, CONFIG_MAX_SIZE);
		ret = -EFBIG;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while ((n = read(fd, buf + len, st.st_size + 1 - len)) > 0) {
		len += n;
		if (len > (size_t)st.st_size)
			break;
	}
	if (n < 0) {
		ret = -errno;
		fprintf(err, "%s: read error: %s\n", path, strerror(errno));
		goto out;
	}
	if (len > (size_t)st.st_size) {
		fprintf(err, "%s: changed while it was read, try again\n", path);
		ret = -EAGAIN;
		goto out;
	}
	ret = config_parse(cfg, path, buf, len, err);
out:
	free(buf);
	close(fd);
	return ret;
}

int config_expand(const char *tmpl, const struct config_expand_ctx *ctx,
		  char *out, size_t len, char *missing)
{
	size_t o = 0;
	const char *s;

	for (s = tmpl; *s; s++) {
		const char *v;
		char c[2] = { *s, '\0' };

		if (*s != '%') {
			v = c;
		} else {
			s++;
			switch (*s) {
			case 'n':
				v = ctx->vm_name;
				break;
			case 'u':
				v = ctx->vm_uuid;
				break;
			case 'm':
				v = ctx->guest_mac;
				break;
			case 'i':
				v = ctx->ifname;
				break;
			case '%':
				v = "%";
				break;
			default:
				return -EINVAL;
			}
			if (!v || !*v) {
				if (missing)
					*missing = *s;
				return -ENOENT;
			}
		}
		if (o + strlen(v) >= len)
			return -ENOSPC;
		strcpy(out + o, v);
		o += strlen(v);
	}
	out[o] = '\0';
	return 0;
}
