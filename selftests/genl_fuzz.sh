#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family under random and mutated requests (genl_fuzz,
# a C program): as root for FUZZ_SECONDS (default 20, times the test VM's
# OVSKVM_VM_SLOWDOWN on a debug kernel, where it matters most) while its second
# thread creates and deletes the taps fz0..fz7 and pushes policies that
# attach them to fzbr0 (VLAN filtering) and fzbr1; then as an unprivileged
# user, who must be refused every privileged command and change nothing;
# then the module must still attach a tap, and unload and load cleanly.
# FUZZ_SEED (default 1) picks the requests; the fuzzer prints it, and the
# counts of its replies by errno; genl_fuzz scales its receive timeouts by
# OVSKVM_VM_SLOWDOWN too.  The test VM fails the run on any kernel warning
# the fuzzing caused.

source "$(dirname "$0")/lib.sh"

require_root
require_module
# Its random policies match any tap, also a running VM's: never on a host.
[ "${OVSKVM_VM:-}" = 1 ] ||
	skip_all "pushes random policies that would take this host's taps: run it in the test VM (selftests/vm/run)"
require_cmd ip setpriv

FUZZ=$SELFTESTS_DIR/genl_fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-$((20 * ${OVSKVM_VM_SLOWDOWN:-1}))}
FUZZ_SEED=${FUZZ_SEED:-1}

[ -x "$FUZZ" ] || skip_all "genl_fuzz is not built (make -C selftests)"
[ -c /dev/net/tun ] || modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"

make_bridges()
{
	ip link add fzbr0 type bridge vlan_filtering 1 || return 1
	ip link set fzbr0 up || return 1
	ip link add fzbr1 type bridge || return 1
	ip link set fzbr1 up
}

# One load for the file, with no default rule: the policies are the fuzzer's.
load_module bridge= || skip_all "cannot load $MODULE"
on_exit "unload_module"
on_exit "ip link del fzbr1"
on_exit "ip link del fzbr0"
make_bridges || skip_all "cannot create the bridges fzbr0 and fzbr1"

# fuzz [as_nobody] ARGS...: run genl_fuzz, its KTAP output shown as
# diagnostics; its skip (exit 4) skips the case.
fuzz()
{
	local out rc run=()
	[ "$1" = as_nobody ] && { run=(as_nobody); shift; }
	out=$(mktemp)
	"${run[@]}" "$FUZZ" "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" = "$KSFT_SKIP" ]; then
		skip "$(sed -n 's/^1\.\.0 # SKIP //p' "$out")"
	fi
	rm -f "$out"
	return "$rc"
}

# Taps of the fuzzer's churn thread still there, or still tracked.
leftover_taps()
{
	ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -E '^fzr?[0-9]+$'
	"$NLCTL" ports | grep -oE 'ifname=fzr?[0-9]+ '
}

# What an unprivileged user must not change: the policy, the ports and the
# status with its counters.
module_state()
{
	"$NLCTL" status && "$NLCTL" policy && "$NLCTL" ports
}

test_fuzz_root()
{
	local left rc
	fuzz --seconds "$FUZZ_SECONDS" --seed "$FUZZ_SEED"
	rc=$?
	[ "$rc" = "$KSFT_SKIP" ] && return "$rc"
	left=$(leftover_taps)
	[ -z "$left" ] || fail "taps of the fuzzer left: $left" || return 1
	return "$rc"
}

test_fuzz_unprivileged()
{
	local before after rc
	# A policy of several rules in force, as an agent would leave it.
	"$NLCTL" set-policy 'id=5,action=attach,names=fz*,bridge=fzbr0,vlan=7,up' \
		'id=6,action=ignore,comm=x*' 'id=9,action=attach,bridge=fzbr1,trunks=1+2' ||
		return 1
	before=$(module_state) || return 1
	fuzz as_nobody --unprivileged --seconds "$((FUZZ_SECONDS / 2))" --seed "$((FUZZ_SEED + 1))"
	rc=$?
	[ "$rc" = "$KSFT_SKIP" ] && return "$rc"
	after=$(module_state) || return 1
	[ "$before" = "$after" ] || fail "an unprivileged user changed the module's state:
$before
---
$after" || return 1
	return "$rc"
}

test_still_works()
{
	local pid
	"$NLCTL" status || return 1
	"$NLCTL" set-policy 'id=1,action=attach,names=fzok*,bridge=fzbr1,up' || return 1
	pid=$(hold_taps fzok0) || return 1
	on_exit "kill $pid"
	busywait 5000 port_is fzok0 state attached || fail "fzok0 not attached after fuzzing" || return 1
	[ "$(master_of fzok0)" = fzbr1 ] || fail "fzok0 is not on fzbr1" || return 1
	link_up fzok0 || fail "fzok0 not brought up" || return 1
	kill "$pid"
	busywait 5000 eval '! tracked fzok0' || fail "fzok0 still tracked after it went" || return 1
	"$NLCTL" set-policy --default || return 1
	# No reference or state left behind: it unloads, and loads again.
	unload_module || fail "the module does not unload after fuzzing" || return 1
	load_module bridge= || fail "the module does not load again" || return 1
	"$NLCTL" status
}

ktap_plan 3
run_test "fuzzing as root for ${FUZZ_SECONDS}s, taps and policies churned: every answer as required" test_fuzz_root
run_test "fuzzing unprivileged: privileged commands refused with EPERM, nothing changed" test_fuzz_unprivileged
run_test "after fuzzing the module attaches a tap, unloads and loads" test_still_works
ktap_finished
