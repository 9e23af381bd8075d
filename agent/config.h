/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_CONFIG_H
#define OVSKVM_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/ovskvm_autoport.h>

#define CONFIG_DEFAULT_PATH	"/etc/ovskvm.conf"
#define CONFIG_DEFAULT_OVSDB	"unix:/var/run/openvswitch/db.sock"
#define CONFIG_MAX_SIZE		(1 << 20)
#define CONFIG_MAX_EXTIDS	16
#define CONFIG_EXTID_KEY_LEN	64
#define CONFIG_EXTID_VALUE_LEN	256
#define CONFIG_MAX_ERRORS	20

/* The keys of a [Rule] section; key_line[] records where each was set. */
enum rule_key {
	RK_ACTION,
	RK_NAME,
	RK_MAC,
	RK_USER,
	RK_COMM,
	RK_BRIDGE,
	RK_VLAN,
	RK_TRUNKS,
	RK_BRING_UP,
	RK_EXTERNAL_ID,
	RK_PREEXISTING,
	__RK_MAX
};

struct config_extid {
	char key[CONFIG_EXTID_KEY_LEN];
	char value[CONFIG_EXTID_VALUE_LEN];	/* may hold %-placeholders */
	int line;
};

struct config_rule {
	int line;			/* of its [Rule] header */
	int key_line[__RK_MAX];		/* last line setting each key, 0: unset */
	uint32_t id;			/* position + 1, what the kernel reports */
	uint8_t action;			/* enum ovskvm_action */
	char names[OVSKVM_MAX_NAMES][OVSKVM_GLOB_LEN];
	unsigned int n_names;
	uint8_t mac[6];
	uint8_t mac_mask[6];
	uint32_t uid_min, uid_max;
	char comm[OVSKVM_GLOB_LEN];
	char bridge[IFNAMSIZ];
	bool bridge_from_agent;		/* Bridge= of [Agent] */
	uint16_t vlan_tag;
	uint16_t trunks[OVSKVM_MAX_TRUNKS];
	unsigned int n_trunks;
	bool bring_up;
	bool preexisting;		/* also taps older than the module */
	struct config_extid extids[CONFIG_MAX_EXTIDS];
	unsigned int n_extids;
};

struct config {
	char path[256];
	/* [Agent] */
	char bridge[IFNAMSIZ];
	int bridge_line;
	char ovsdb[256];		/* "unix:PATH" */
	unsigned int timeout_ms;	/* one OVSDB request */
	unsigned int reconnect_max_ms;	/* longest reconnect backoff */
	bool reattach_deleted;		/* re-add our ports someone deleted */
	int log_level;			/* syslog level */
	/* [Rule] sections, in order */
	struct config_rule *rules;
	unsigned int n_rules;
};

/* Values of the runtime a placeholder in an ExternalID= value refers to. */
struct config_expand_ctx {
	const char *vm_name;		/* %n */
	const char *vm_uuid;		/* %u */
	const char *guest_mac;		/* %m */
	const char *ifname;		/* %i */
};

void config_init(struct config *cfg);
void config_free(struct config *cfg);

/*
 * Parse BUF (LEN bytes, the contents of PATH).  Every problem is written to
 * ERR as "PATH:LINE: what is wrong"; returns 0, or -EINVAL when there was at
 * least one error (CFG then holds a partial result: free it, do not use it).
 */
int config_parse(struct config *cfg, const char *path, const char *buf,
		 size_t len, FILE *err);

/*
 * Read and parse PATH.  The file must be owned by OWNER (root for the real
 * thing) and not writable by group or others.  Returns 0 or -errno.
 */
int config_load(struct config *cfg, const char *path, uid_t owner, FILE *err);

/*
 * Fill the placeholders of TMPL: %n VM name, %u VM UUID, %m guest MAC,
 * %i interface name, %% a percent sign.  Returns 0, -ENOENT when a value
 * it needs is unknown (its letter is stored in *MISSING), -ENOSPC.
 */
int config_expand(const char *tmpl, const struct config_expand_ctx *ctx,
		  char *out, size_t len, char *missing);

const char *rule_key_name(enum rule_key key);
const char *action_name(uint8_t action);

#endif
