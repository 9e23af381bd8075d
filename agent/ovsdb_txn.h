/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OVSDB transactions of the agent: builders and reply parsers, no I/O.
 *
 * Every builder returns the complete "params" of a JSON-RPC "transact"
 * request, ["Open_vSwitch", op, op, ...], encoded as RFC 7047 says: sets as
 * ["set", [...]], maps as ["map", [[k, v], ...]], row references as
 * ["uuid", "..."] or ["named-uuid", "name"].  Builders return NULL on invalid
 * input or when out of memory.  Parsers return 0 or -errno and, on error, a
 * malloc'd message in *err (when err is not NULL) that names the object.
 *
 * Ownership.  A Port row the agent creates carries four external_ids:
 *   ovskvm-owner      = the owner string (normally "ovskvm")
 *   ovskvm-ifindex    = the decimal ifindex of the tap it was created for
 *   ovskvm-boot       = the kernel's boot id (/proc/sys/kernel/random/boot_id)
 *   ovskvm-iface-sum  = ovsdb_ext_sum() of what the agent wrote to its
 *                       Interface's external_ids, 16 hex digits
 * An ifindex means something only within one boot, and conf.db outlives
 * reboots: (owner, ifindex, boot) names one tap for good.  The Port also
 * carries other_config:transient=true, so that `ovs-ctl start
 * --delete-transient-ports`, where an administrator enables it, drops it
 * whenever ovsdb-server starts (at boot, and at any restart of Open
 * vSwitch), before ovs-vswitchd could put a new tap of that name on it.  The agent only
 * ever modifies or deletes rows that carry its owner marker, and only while
 * the recorded ifindex and boot are still the ones it read.
 *
 * Others write to our rows too: `ovs-vsctl --may-exist add-port br0 vnet0
 * -- set Interface vnet0 external-ids:iface-id=...` (libvirt) keeps our row
 * and adds its keys to the Interface, which OVN then binds.  The checksum
 * tells a row whose Interface still holds exactly what the agent wrote from
 * one somebody else wrote to since: the latter is theirs now, and left alone.
 * Rows written before the checksum was recorded have none; their Interface
 * counts as ours only while each of its pairs is also one of the Port's
 * (the agent writes the same pairs to both), so any key or value added by
 * someone else hands the row over, and a key only removed does not.
 *
 * "Already present is success" (what the daemon does before attaching):
 *   1. ovsdb_txn_select_ports() + ovsdb_parse_port_rows() for the batch.
 *   2. For each tap:
 *      - no Port of that name: attach it (ovsdb_txn_attach()).
 *      - a Port of that name owned by us with the tap's ifindex and this
 *        boot's id: already attached, success, nothing to send.
 *      - a Port owned by us with another ifindex or boot: a leftover of an
 *        earlier tap of the same name (a missed removal, a previous boot),
 *        which ovs-vswitchd may already have put the new tap on, with the
 *        old VM's VLAN.  Attach with replace_uuid and the row's old values
 *        set: the Port and its Interfaces are rewritten in place, in one
 *        transaction (VLAN, vlan_mode, external_ids, bridge), guarded on
 *        the old owner values (see below).  The row is never deleted, so
 *        the tap does not leave the datapath in between.  Unless its
 *        Interface was written to by someone else since (see above): then
 *        it is treated like a Port owned by someone else.
 *      - a Port owned by someone else (ovs-ifup, libvirt, an operator):
 *        success; it is attached and it is not ours to touch.
 *   Each insert is guarded by a "wait" that no Port of that name exists, so
 *   a Port created by someone else between step 1 and 2 fails the whole
 *   transaction with "port X already exists" (-EEXIST) instead of a duplicate
 *   or a bare index violation; the daemon then simply starts over at step 1.
 *   Each rewrite is guarded by a "wait" that the row still carries the
 *   owner, ifindex and boot read in step 1 and the same Interface, and one
 *   that this Interface's external_ids are still exactly those read in step
 *   1: a row someone changed meanwhile fails it with -ESTALE, nothing is
 *   written.
 *   We chose select-then-insert over a transaction that tolerates existing
 *   rows because OVSDB has no "insert if absent": any failing op aborts the
 *   whole transaction, so the decision must be made before sending.
 *
 * Every transaction that changes something ends with a "comment" operation
 * ("ovskvm: attach vnet3", "ovskvm: remove vnet1"), which ovsdb-server
 * stores with the change in the database file's log, where `ovsdb-tool
 * show-log -m` shows it.
 */
#ifndef OVSKVM_OVSDB_TXN_H
#define OVSKVM_OVSDB_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define OVSDB_DB_NAME		"Open_vSwitch"
#define OVSDB_EXT_OWNER		"ovskvm-owner"
#define OVSDB_EXT_IFINDEX	"ovskvm-ifindex"
#define OVSDB_EXT_BOOT		"ovskvm-boot"
#define OVSDB_EXT_IFACE_SUM	"ovskvm-iface-sum"
#define OVSDB_TRANSIENT		"transient"	/* Port.other_config key */
#define OVSDB_UUID_LEN		36

struct ovsdb_port_spec {
	const char *name;		/* tap name: Port and Interface name */
	int ifindex;			/* > 0 */
	const char *bridge;		/* Bridge.name */
	int vlan_tag;			/* 1..4095 sets Port.tag; 0: none */
	const uint16_t *trunks;		/* Port.trunks, each 0..4095 */
	size_t n_trunks;
	const char *const *ext_keys;	/* user external_ids, Port and Interface */
	const char *const *ext_values;
	size_t n_ext;
	const char *boot;		/* boot id to record; NULL: none */
	/*
	 * Optional: a stale Port row of the same name that we own, recorded
	 * for another ifindex or boot, with the values read from it.  It is
	 * rewritten in place for this tap in the same transaction, guarded
	 * on those values.  NULL: the name must be free.
	 */
	const char *replace_uuid;
	int replace_ifindex;		/* <= 0: the row had none */
	const char *replace_boot;	/* NULL: the row had none */
	const char (*replace_ifaces)[OVSDB_UUID_LEN + 1];	/* its Interface */
	size_t n_replace_ifaces;	/* exactly 1 with replace_uuid */
	/* that Interface's external_ids as read, a ["map", ...]; borrowed */
	const json_t *replace_iface_ext;
};

/*
 * The checksum recorded as ovskvm-iface-sum: 64-bit FNV-1a over the @n
 * pairs sorted by key (bytewise), each hashed as key, NUL, value, NUL.
 * Keys must be distinct, as in any OVSDB map.
 */
uint64_t ovsdb_ext_sum(const char *const *keys, const char *const *values,
		       size_t n);

/*
 * Whether an Interface external_ids key is one that a controller writes about
 * the port's state rather than its identity (ovn-controller's ovn-installed
 * and ovn-installed-ts once it has bound the port).  Such keys stay out of
 * the comparison with ovskvm-iface-sum: a port that OVN bound is still the
 * agent's, to remove when its tap goes and to rewrite for the next VM.
 */
bool ovsdb_ext_is_status(const char *key);

/*
 * One transaction attaching @n ports: per distinct bridge a "wait" that the
 * Bridge row exists (a missing bridge fails everything, no Port is left for
 * the garbage collector), per new port a guard, an Interface and a Port
 * insert, per replaced port a guard on the Port, one on its Interface's
 * external_ids, the updates of its Interface and its Port and its removal
 * from any other bridge, per bridge one "mutate"
 * inserting all its ports into Bridge.ports, and a "comment" naming them.
 * One invalid port makes it NULL: check each with ovsdb_port_spec_check()
 * first and leave the bad ones out, so that they do not hold up the rest.
 */
json_t *ovsdb_txn_attach(const struct ovsdb_port_spec *ports, size_t n,
			 const char *owner);

/*
 * Can @p go into ovsdb_txn_attach()?  Returns 0, or -EINVAL with what is
 * wrong in @why (@len bytes, may be 0), naming the field and showing bytes
 * that are not UTF-8 as \xNN: OVSDB stores UTF-8 strings only, and a tap
 * name, a VM name or an ExternalID value may be anything.  Two ports of one
 * name in a batch are ovsdb_txn_attach()'s to refuse.
 */
int ovsdb_port_spec_check(const struct ovsdb_port_spec *p, char *why,
			  size_t len);

/* True when @s can be an OVSDB string: valid UTF-8. */
bool ovsdb_string_valid(const char *s);

/* True for a ["map", [[k, v], ...]] of strings, as ovsdb-server sends one. */
bool ovsdb_string_map_valid(const json_t *m);

struct ovsdb_detach_spec {
	const char *name;		/* Port.name, checked too */
	const char *port_uuid;		/* the row to delete */
	int ifindex;			/* recorded ifindex; <= 0: unknown */
	const char *boot;		/* recorded boot id; NULL: none */
	const char *const *iface_uuids;	/* optional, else garbage-collected */
	size_t n_ifaces;
	/*
	 * Optional: the Port's one Interface (named like it) must still have
	 * exactly these external_ids (a map), as in the attach's rewrite.
	 */
	const char *iface_uuid;
	const json_t *iface_ext;
};

/*
 * One transaction deleting @n Port rows (and their Interfaces) and removing
 * them from whichever Bridge holds them.  Each delete is preceded by a "wait"
 * that the row still has this uuid and name and external_ids that include
 * {ovskvm-owner: owner, ovskvm-ifindex: ifindex, ovskvm-boot: boot} (the
 * latter two when given), so the check and the delete
 * are one atomic step on the server.  If any guard fails, nothing is deleted
 * and ovsdb_parse_txn_result() returns -ESTALE naming the port.  With
 * ifindex <= 0 the ifindex is not checked (rows without one can only come
 * from manual edits); the uuid still pins the exact row, and uuids are never
 * reused, so a reused tap name can never match.  With iface_ext, the Port
 * must still have that one Interface, and a "wait" on the Interface's
 * external_ids guards the delete as well.
 */
json_t *ovsdb_txn_detach(const struct ovsdb_detach_spec *ports, size_t n,
			 const char *owner);

/*
 * Select all Port rows carrying our owner marker, plus Bridge name and ports
 * so each Port can be mapped to its bridge.  Parse with
 * ovsdb_parse_owned_ports().
 */
json_t *ovsdb_txn_select_owned(const char *owner);

struct ovsdb_owned_port {
	char *name;
	char uuid[OVSDB_UUID_LEN + 1];
	char *bridge;			/* NULL: in no bridge (about to be GC'd) */
	int ifindex;			/* 0: missing or invalid */
	char *boot;			/* NULL: none recorded */
	char (*iface_uuids)[OVSDB_UUID_LEN + 1];
	size_t n_ifaces;
};

int ovsdb_parse_owned_ports(json_t *result, struct ovsdb_owned_port **out,
			    size_t *n, char **err);
void ovsdb_owned_ports_free(struct ovsdb_owned_port *ports, size_t n);

/*
 * Two "select"s per name: the Port row of that name, if any, then the
 * Interface row of that name (_uuid, name, external_ids), if any.
 */
json_t *ovsdb_txn_select_ports(const char *const *names, size_t n);

struct ovsdb_port_row {
	int present;
	char uuid[OVSDB_UUID_LEN + 1];
	char *owner;			/* NULL: no owner marker */
	int ifindex;			/* 0: missing or invalid */
	char *boot;			/* NULL: none recorded */
	char (*iface_uuids)[OVSDB_UUID_LEN + 1];	/* Port.interfaces */
	size_t n_ifaces;
	/*
	 * The Port's one Interface, named like it: its external_ids as read
	 * (NULL when the Port has not exactly one Interface or it is named
	 * otherwise), their ovsdb_ext_sum(), and whether they are still what
	 * the agent wrote (see "Others write to our rows" above).
	 */
	json_t *iface_ext;
	uint64_t iface_sum;
	bool iface_sum_recorded;	/* the Port has ovskvm-iface-sum */
	bool iface_as_written;
};

/*
 * Is an Interface with the external_ids @iface_ext still as the agent wrote
 * it, for its Port with @port_ext (both maps)?  See "Others write to our
 * rows" above.
 */
bool ovsdb_iface_as_written(const json_t *iface_ext, const json_t *port_ext);

/* @out gets @n entries, in the order of the names given to the builder. */
int ovsdb_parse_port_rows(json_t *result, size_t n,
			  struct ovsdb_port_row **out, char **err);
void ovsdb_port_rows_free(struct ovsdb_port_row *rows, size_t n);

/*
 * Check a "transact" result against the params it answers (borrowed; needed
 * to name the bridge or port an error is about).  Returns 0 when every
 * operation succeeded, else:
 *   -ENOENT  a bridge does not exist
 *   -EEXIST  a port to insert already exists
 *   -ESTALE  a port to delete or replace is no longer ours / has another
 *            ifindex or boot / other Interfaces, or the external_ids of
 *            its Interface changed (nothing was changed)
 *   -EINVAL  the server rejected the transaction (constraint or referential
 *            integrity violation, syntax error, ...), message with details
 *   -EPROTO  the result is malformed
 * and other -errno for the remaining RFC 7047 errors.
 */
int ovsdb_parse_txn_result(json_t *result, const json_t *params, char **err);

/*
 * Replaces *err (when err is not NULL) with a formatted message and returns
 * ret: the error convention of this library and of ovsdb.c.
 */
int ovsdb_set_err(char **err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A positive decimal ifindex as the agent writes it (ovskvm-ifindex), else 0. */
int ovsdb_parse_ifindex(const char *s);

/* True for a canonical 36-character uuid string. */
bool ovsdb_uuid_valid(const char *s);

/* Number of operations in transact params (excluding the database name). */
size_t ovsdb_txn_n_ops(const json_t *params);

#endif /* OVSKVM_OVSDB_TXN_H */
