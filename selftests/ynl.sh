#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own generic netlink CLI, ynl (tools/net/ynl), drives the module
# from include/netlink/specs/ovskvm_autoport.yaml alone: status, the port
# dump, a policy push and its dump, events, and the admin-perm flags.  Values
# are checked against sysfs, modinfo and nlctl, and every attribute the
# module sends must be listed in the spec's reply (or event) for that
# operation.  The ynl tree comes from a Debian linux-source tarball, extracted
# on the host by selftests/ynl_tree (selftests/ynl_check runs it).

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip python3 setpriv

# In the test VM, only a tree the host extracted already: xz under TCG is slow.
YNL_TREE=$("$SELFTESTS_DIR/ynl_tree" ${OVSKVM_VM:+--no-extract} 2>&1) ||
	skip_all "no kernel ynl: $(echo "$YNL_TREE" | tail -n 1)"
YNL_TREE=$(echo "$YNL_TREE" | tail -n 1)
for YNL_CLI in "$YNL_TREE/tools/net/ynl/pyynl/cli.py" "$YNL_TREE/tools/net/ynl/cli.py"; do
	[ -f "$YNL_CLI" ] && break
done
python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml is not installed"
YNL_SPEC=$TOP_DIR/include/netlink/specs/ovskvm_autoport.yaml
YNL_SCHEMA=(--no-schema)
python3 -c 'import jsonschema' 2>/dev/null &&
	YNL_SCHEMA=(--schema "$YNL_TREE/Documentation/netlink/genetlink-legacy.yaml")
export YNL_SPEC
echo "# ynl: $YNL_CLI"

# ynl ARGS...: the CLI on our spec, validated against the kernel's schema
# when python3-jsonschema is there, output as JSON.
ynl()
{
	python3 "$YNL_CLI" --spec "$YNL_SPEC" "${YNL_SCHEMA[@]}" --output-json "$@"
}

# expect JSON STATEMENT...: run each Python statement with r, the decoded
# JSON; env(NAME) reads the environment, only_listed(MSG, OP, MODE) checks
# that MSG holds only attributes the spec lists for OP's MODE reply (an event
# op: its own list, or that of the op it notifies like).
PYEXPECT='
import json, os, sys, yaml
r = json.loads(sys.argv[1])
spec = yaml.safe_load(open(os.environ["YNL_SPEC"]))
ops = {o["name"]: o for o in spec["operations"]["list"]}
def env(name):
    return os.environ[name]
def only_listed(msg, op, mode):
    what, o = f"{op} {mode}", ops[op]
    if "notify" in o:
        o, mode = ops[o["notify"]], "do"
    listed = o["event"]["attributes"] if mode == "event" else o[mode]["reply"]["attributes"]
    extra = sorted(set(msg) - set(listed))
    assert not extra, f"{what}: {extra} sent, not listed in the spec"
for stmt in sys.argv[2:]:
    try:
        exec(stmt)
    except (AssertionError, KeyError, IndexError, TypeError, StopIteration) as e:
        print(f"FAIL: {stmt}: {type(e).__name__} {e}")
        sys.exit(1)
'
expect()
{
	local json=$1
	shift
	python3 -c "$PYEXPECT" "$json" "$@"
}

setup()
{
	load_module bridge= || return 1
	on_exit "unload_module"
}

test_get_status()
{
	local pid out
	setup || return 1
	pid=$(hold_taps tynl0) || return 1
	on_exit "kill $pid"
	out=$(ynl --do get-status) || return 1
	echo "$out"
	"$NLCTL" status
	VERSION=$(modinfo -F version "$MODULE") GEN=$(status_get gen) PORTS=$(status_get ports) \
	SEQ=$(status_get seq) SEEN=$(status_get seen) EVENTS=$(status_get events) \
	expect "$out" \
		'assert r["version"] == env("VERSION")' \
		'assert r["policy-source"] == "params" and r["rule-count"] == 0' \
		'assert r["policy-gen"] == int(env("GEN"))' \
		'assert r["port-count"] == int(env("PORTS")) >= 1' \
		'assert r["event-seq"] == int(env("SEQ"))' \
		'assert sorted(r["stats"]) == sorted(["seen", "matched", "ignored", "attached", "failed", "removed", "events"])' \
		'assert r["stats"]["seen"] == int(env("SEEN")) >= 1' \
		'assert r["stats"]["events"] == int(env("EVENTS"))' \
		'only_listed(r, "get-status", "do")'
}

test_dump_ports()
{
	local pid out one
	setup || return 1
	pid=$(hold_taps tynl0 tynl1) || return 1
	on_exit "kill $pid"
	out=$(ynl --dump get-port) || return 1
	echo "$out"
	one=$(ynl --do get-port --json '{"ifname": "tynl1"}') || return 1
	echo "$one"
	PID=$pid IFINDEX0=$(cat /sys/class/net/tynl0/ifindex) IFINDEX1=$(cat /sys/class/net/tynl1/ifindex) \
	MAC0=$(cat /sys/class/net/tynl0/address) MTU0=$(cat /sys/class/net/tynl0/mtu) \
	expect "$out" \
		'p = next(p for p in r if p["ifname"] == "tynl0")' \
		'assert p["ifindex"] == int(env("IFINDEX0"))' \
		'assert p["mac"] == env("MAC0") and p["mtu"] == int(env("MTU0"))' \
		'assert p["state"] == "ignored" and "rule-id" not in p and p["error"] == 0' \
		'assert sorted(p["port-flags"]) == ["creator-known"]' \
		'assert p["creator-comm"] == "tapctl" and p["creator-pid"] == int(env("PID"))' \
		'assert p["creator-uid"] == 0 and p["creator-start-ns"] > 0' \
		'assert [q["ifindex"] for q in r] == sorted(q["ifindex"] for q in r)' \
		'assert int(env("IFINDEX1")) in [q["ifindex"] for q in r]' \
		'assert len({q["event-seq"] for q in r}) == 1' \
		'[only_listed(q, "get-port", "dump") for q in r]' || return 1
	IFINDEX1=$(cat /sys/class/net/tynl1/ifindex) expect "$one" \
		'assert r["ifname"] == "tynl1" and r["ifindex"] == int(env("IFINDEX1"))' \
		'only_listed(r, "get-port", "do")'
}

# The one rule, as sent and as the dump must give it back.
RULE='{"id": 7, "action": "attach", "names": {"name": ["tynl*", "vnet*"]},
	"bridge": "ynlbr0", "vlan-trunks": {"vid": [10, 20]}, "flags": ["up"]}'

test_set_policy()
{
	local out dump kv
	setup || return 1
	out=$(ynl --do set-policy --json "{\"rules\": {\"rule\": [$RULE]}}") || return 1
	echo "$out"
	"$NLCTL" policy
	for kv in index=0 source=1 id=7 action=attach 'names=tynl*+vnet*' bridge=ynlbr0 \
		trunks=10+20 flags=1; do
		"$NLCTL" policy | tr ' ' '\n' | grep -qxF "$kv" ||
			fail "nlctl does not see $kv in the rule ynl pushed" || return 1
	done
	[ "$("$NLCTL" policy | wc -l)" = 1 ] || fail "nlctl sees more than one rule" || return 1
	GEN=$(status_get gen) SEQ=$(status_get seq) expect "$out" \
		'assert r == {"policy-gen": int(env("GEN")), "event-seq": int(env("SEQ"))}' || return 1
	dump=$(ynl --dump get-policy) || return 1
	echo "$dump"
	GEN=$(status_get gen) SEQ=$(status_get seq) RULE=$RULE expect "$dump" \
		'assert len(r) == 1' \
		'm = r[0]' \
		'assert m["rule-index"] == 0 and m["policy-source"] == "user"' \
		'assert m["policy-gen"] == int(env("GEN")) and m["event-seq"] == int(env("SEQ"))' \
		'assert m["rule"] == json.loads(env("RULE"))' \
		'only_listed(m, "get-policy", "dump")'
}

test_rule_attaches()
{
	local pid out
	setup || return 1
	ip link add ynlbr0 type bridge vlan_filtering 1 || return 1
	on_exit "ip link del ynlbr0"
	ip link set ynlbr0 up
	ynl --do set-policy --json "{\"rules\": {\"rule\": [$RULE]}}" || return 1
	pid=$(hold_taps tynl2) || return 1
	on_exit "kill $pid"
	busywait 10000 port_is tynl2 state attached || fail "tynl2 not attached: $("$NLCTL" port tynl2)" ||
		return 1
	out=$(ynl --do get-port --json "{\"ifindex\": $(cat /sys/class/net/tynl2/ifindex)}") || return 1
	echo "$out"
	expect "$out" \
		'assert r["state"] == "attached" and r["rule-id"] == 7' \
		'assert r["bridge"] == "ynlbr0" and r["bridge-kind"] == "linux"' \
		'assert r["master"] == "ynlbr0" and r["vlan-trunks"] == {"vid": [10, 20]}' \
		'assert r["rule-flags"] == ["up"]' \
		'assert sorted(r["port-flags"]) == ["creator-known", "up", "was-attached"]' \
		'assert r["attach-ns"] >= r["register-ns"] and r["up-ns"] >= r["attach-ns"]' \
		'assert r["attach-latency-ns"] == r["attach-ns"] - r["register-ns"]' \
		'only_listed(r, "get-port", "do")'
}

test_events()
{
	local out pid ypid
	setup || return 1
	# tynl3 waits for a bridge that never comes, so that the next policy
	# matches it again.
	"$NLCTL" set-policy 'id=2,action=attach,names=tynl*,bridge=ynlnone' || return 1
	out=$(mktemp)
	on_exit "rm -f $out"
	# Events that arrive while ynl sleeps are queued on its socket and
	# printed after the sleep; it sleeps once it has joined the group.
	python3 "$YNL_CLI" --spec "$YNL_SPEC" --no-schema --output-json \
		--subscribe events --sleep 20 > "$out" &
	ypid=$!
	on_exit "kill $ypid"
	busywait 60000 grep -q nanosleep /proc/$ypid/wchan || fail "ynl did not subscribe" || return 1
	pid=$(hold_taps tynl3) || return 1
	"$NLCTL" set-policy 'id=3,action=ignore,names=tynl*' || return 1
	kill "$pid"
	busywait 5000 eval '! tracked tynl3' || fail "tynl3 not removed" || return 1
	wait $ypid || fail "ynl failed" || return 1
	cat "$out"
	expect "$(cat "$out")" \
		'assert [e["name"] for e in r] == ["port-new", "policy-changed", "port-changed", "port-del"]' \
		'new, pc, ch, gone = [e["msg"] for e in r]' \
		'assert new["ifname"] == "tynl3" and new["state"] == "pending" and new["rule-id"] == 2' \
		'assert new["bridge"] == "ynlnone" and new["bridge-kind"] == "none"' \
		'assert pc["policy-source"] == "user" and pc["rule-count"] == 1' \
		'assert ch["ifname"] == "tynl3" and ch["rule-id"] == 3 and ch["state"] == "ignored"' \
		'assert gone["ifindex"] == new["ifindex"]' \
		'seqs = [e["msg"]["event-seq"] for e in r]' \
		'assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs' \
		'[only_listed(e["msg"], e["name"], "event") for e in r]'
}

# admin-perm in the spec is what the kernel enforces: every operation
# without it works for an unprivileged user, every one with it is refused.
test_admin_perm()
{
	local op mode perm out
	setup || return 1
	python3 -c '
import os, yaml
for o in yaml.safe_load(open(os.environ["YNL_SPEC"]))["operations"]["list"]:
    for mode in ("do", "dump"):
        if mode in o:
            print(o["name"], mode, "admin" if "admin-perm" in o.get("flags", []) else "open")
' > /tmp/ynl-ops.$$ || return 1
	on_exit "rm -f /tmp/ynl-ops.$$"
	while read -r op mode perm; do
		out=$(as_nobody python3 "$YNL_CLI" --spec "$YNL_SPEC" --no-schema \
			--output-json "--$mode" "$op" 2>&1)
		echo "$op $mode ($perm): $(echo "$out" | head -n 1)"
		if [ "$perm" = open ]; then
			[[ "$out" != *"Operation not permitted"* ]] && [[ "$out" != *Traceback* ]] ||
				fail "$op $mode refused to an unprivileged user" || return 1
		else
			[[ "$out" = *"Operation not permitted"* ]] ||
				fail "$op $mode open to an unprivileged user" || return 1
		fi
	done < /tmp/ynl-ops.$$
}

ktap_plan 6
run_test "ynl --do get-status agrees with modinfo and nlctl" test_get_status
run_test "ynl --dump get-port lists held taps with their creator" test_dump_ports
run_test "ynl --do set-policy pushes one rule; --dump get-policy returns it" test_set_policy
run_test "a rule pushed with ynl attaches a tap; ynl decodes the port" test_rule_attaches
run_test "ynl --subscribe events decodes port and policy events" test_events
run_test "the spec's admin-perm flags are what the module enforces" test_admin_perm
ktap_finished
