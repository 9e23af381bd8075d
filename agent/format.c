// SPDX-License-Identifier: GPL-2.0
/*
 * Rules and ports as text for people and as JSON for scripts.
 */

#include <stdio.h>
#include <string.h>

#include "format.h"

char *format_mac(const uint8_t m[6], char *out)
{
	sprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		m[4], m[5]);
	return out;
}

char *format_ns(uint64_t ns, char *out, size_t len)
{
	if (!ns)
		snprintf(out, len, "-");
	else if (ns < 1000000)
		snprintf(out, len, "%llu us", (unsigned long long)(ns / 1000));
	else if (ns < 10000000000ULL)
		snprintf(out, len, "%.1f ms", ns / 1e6);
	else
		snprintf(out, len, "%.1f s", ns / 1e9);
	return out;
}

/* Trunks as ranges: 10,20-22. */
static size_t format_trunks(const uint16_t *t, unsigned int n, char *out, size_t len)
{
	size_t o = 0;
	unsigned int i, j;

	out[0] = '\0';
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && t[j] == t[j - 1] + 1; j++)
			;
		if (j - 1 > i)
			o += snprintf(out + o, o < len ? len - o : 0, "%s%u-%u",
				      i ? "," : "", t[i], t[j - 1]);
		else
			o += snprintf(out + o, o < len ? len - o : 0, "%s%u",
				      i ? "," : "", t[i]);
	}
	return o;
}

char *format_vlan(uint16_t tag, const uint16_t *trunks, unsigned int n,
		  char *out, size_t len)
{
	if (tag)
		snprintf(out, len, "%u", tag);
	else if (n) {
		size_t o = snprintf(out, len, "trunks ");

		if (o < len)
			format_trunks(trunks, n, out + o, len - o);
	} else
		snprintf(out, len, "-");
	return out;
}

char *format_rule(const struct config_rule *r, char *out, size_t len)
{
	char mac[18], mask[18], vlan[300];
	size_t o;
	unsigned int i;

#define ADD(...) (o += snprintf(out + o, o < len ? len - o : 0, __VA_ARGS__))
	o = 0;
	out[0] = '\0';
	ADD("%s", action_name(r->action));
	for (i = 0; i < r->n_names; i++)
		ADD("%s%s", i ? "," : " name ", r->names[i]);
	if (r->key_line[RK_MAC])
		ADD(" mac %s/%s", format_mac(r->mac, mac), format_mac(r->mac_mask, mask));
	if (r->key_line[RK_USER]) {
		if (r->uid_min == r->uid_max)
			ADD(" uid %u", r->uid_min);
		else
			ADD(" uid %u-%u", r->uid_min, r->uid_max);
	}
	if (r->key_line[RK_COMM])
		ADD(" comm %s", r->comm);
	if (!r->n_names && !r->key_line[RK_MAC] && !r->key_line[RK_USER] &&
	    !r->key_line[RK_COMM])
		ADD(" any tap");
	if (r->action == OVSKVM_ACTION_ATTACH) {
		ADD(" -> %s", r->bridge);
		if (r->vlan_tag || r->n_trunks)
			ADD(" vlan %s", format_vlan(r->vlan_tag, r->trunks, r->n_trunks,
						    vlan, sizeof(vlan)));
		if (r->bring_up)
			ADD(", bring up");
		if (r->preexisting)
			ADD(", also taps older than the module");
	}
	for (i = 0; i < r->n_extids; i++)
		ADD("%s%s=%s", i ? "," : ", external_ids ", r->extids[i].key,
		    r->extids[i].value);
#undef ADD
	return out;
}

static json_t *json_trunks(const uint16_t *t, unsigned int n)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(t[i]));
	return a;
}

json_t *json_rule(const struct config_rule *r)
{
	json_t *o = json_object(), *names;
	char mac[18];
	unsigned int i;

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "action", json_string(action_name(r->action)));
	if (r->n_names) {
		names = json_array();
		for (i = 0; i < r->n_names; i++)
			json_array_append_new(names, json_string(r->names[i]));
		json_object_set_new(o, "names", names);
	}
	if (r->key_line[RK_MAC]) {
		json_object_set_new(o, "mac", json_string(format_mac(r->mac, mac)));
		json_object_set_new(o, "mac_mask", json_string(format_mac(r->mac_mask, mac)));
	}
	if (r->key_line[RK_USER]) {
		json_object_set_new(o, "uid_min", json_integer(r->uid_min));
		json_object_set_new(o, "uid_max", json_integer(r->uid_max));
	}
	if (r->key_line[RK_COMM])
		json_object_set_new(o, "comm", json_string(r->comm));
	if (r->action == OVSKVM_ACTION_ATTACH) {
		json_object_set_new(o, "bridge", json_string(r->bridge));
		if (r->vlan_tag)
			json_object_set_new(o, "vlan_tag", json_integer(r->vlan_tag));
		if (r->n_trunks)
			json_object_set_new(o, "vlan_trunks", json_trunks(r->trunks, r->n_trunks));
		json_object_set_new(o, "bring_up", json_boolean(r->bring_up));
		json_object_set_new(o, "preexisting", json_boolean(r->preexisting));
	}
	return o;
}

json_t *json_port(const struct ovskvm_port *p)
{
	json_t *o = json_object(), *c = json_object();
	char mac[18];

	json_object_set_new(o, "ifname", json_string(p->ifname));
	json_object_set_new(o, "ifindex", json_integer(p->ifindex));
	if (p->has_mac)
		json_object_set_new(o, "mac", json_string(format_mac(p->mac, mac)));
	json_object_set_new(o, "state", json_string(port_state_name(p->state)));
	json_object_set_new(c, "known", json_boolean(p->flags & OVSKVM_PORT_F_CREATOR_KNOWN));
	if (p->flags & OVSKVM_PORT_F_CREATOR_KNOWN) {
		json_object_set_new(c, "pid", json_integer(p->creator_pid));
		json_object_set_new(c, "uid", json_integer(p->creator_uid));
		json_object_set_new(c, "comm", json_string(p->creator_comm));
		json_object_set_new(c, "start_ns", json_integer(p->creator_start_ns));
	}
	json_object_set_new(c, "preexisting", json_boolean(p->flags & OVSKVM_PORT_F_PREEXISTING));
	json_object_set_new(o, "creator", c);
	json_object_set_new(o, "rule", p->has_rule ? json_integer(p->rule_id) : json_null());
	json_object_set_new(o, "bridge", p->bridge[0] ? json_string(p->bridge) : json_null());
	json_object_set_new(o, "bridge_kind", json_string(bridge_kind_name(p->bridge_kind)));
	json_object_set_new(o, "vlan_tag", p->vlan_tag ? json_integer(p->vlan_tag) : json_null());
	json_object_set_new(o, "vlan_trunks", json_trunks(p->trunks, p->n_trunks));
	json_object_set_new(o, "up", json_boolean(p->flags & OVSKVM_PORT_F_UP));
	json_object_set_new(o, "register_ns", json_integer(p->register_ns));
	json_object_set_new(o, "attach_ns", json_integer(p->attach_ns));
	json_object_set_new(o, "attach_latency_ns", json_integer(p->latency_ns));
	json_object_set_new(o, "error", json_integer(p->error));
	json_object_set_new(o, "reason", p->reason[0] ? json_string(p->reason) : json_null());
	json_object_set_new(o, "mtu", json_integer(p->mtu));
	json_object_set_new(o, "master", p->master[0] ? json_string(p->master) : json_null());
	return o;
}
