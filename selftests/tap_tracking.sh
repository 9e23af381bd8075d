#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which devices the module tracks, and what it records of their creator:
# taps from `ip tuntap`, from a TUNSETIFF helper and from real QEMU are
# tracked; tun-mode devices, veth and macvtap are not; taps that existed
# before the module are picked up at load; renames are followed.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip

setup()
{
	# An empty bridge= leaves every tap ignored: tracking only.
	load_module bridge= || return 1
	on_exit "unload_module"
}

test_ip_tuntap()
{
	setup || return 1
	ip tuntap add dev ttap0 mode tap || return 1
	on_exit "ip link del ttap0"
	tracked ttap0 || fail "ttap0 not tracked" || return 1
	"$NLCTL" port ttap0
	port_is ttap0 comm ip || fail "creator comm is not ip"
	port_is ttap0 state ignored || fail "not ignored under an empty policy"
	[ "$(port_get ttap0 ifindex)" = "$(cat /sys/class/net/ttap0/ifindex)" ] || fail "ifindex"
	[ "$(port_get ttap0 mac)" = "$(cat /sys/class/net/ttap0/address | sed 's/0\([0-9a-f]\)/\1/g')" ] ||
		fail "MAC $(port_get ttap0 mac) is not $(cat /sys/class/net/ttap0/address)"
}

test_tunsetiff()
{
	local pid
	setup || return 1
	pid=$(hold_taps qtap0) || return 1
	on_exit "kill $pid"
	"$NLCTL" port qtap0
	port_is qtap0 pid "$pid" || fail "creator pid $(port_get qtap0 pid), not $pid" || return 1
	port_is qtap0 comm tapctl || fail "creator comm is not tapctl" || return 1
	port_is qtap0 uid 0 || fail "creator uid is not 0" || return 1
	port_is qtap0 flags 4 || fail "not flagged creator-known" || return 1
	# The creator's start time is the one /proc shows, in 1/USER_HZ s.
	local start=$(awk '{ print $22 }' "/proc/$pid/stat")
	[ $(($(port_get qtap0 start_ns) / (1000000000 / $(getconf CLK_TCK)))) = "$start" ] ||
		fail "start_ns $(port_get qtap0 start_ns) is not /proc/$pid/stat's $start ticks"
}

test_qemu()
{
	local pid
	command -v qemu-system-x86_64 > /dev/null || { skip "no qemu-system-x86_64"; return $KSFT_SKIP; }
	setup || return 1
	pid=$(start_qemu vm1 vnet0 52:54:00:aa:bb:01) || fail "QEMU did not create vnet0" || return 1
	on_exit "kill -9 $pid"
	"$NLCTL" port vnet0
	port_is vnet0 pid "$pid" || fail "creator pid $(port_get vnet0 pid), not QEMU's $pid" || return 1
	port_is vnet0 comm qemu-system-x86 || fail "creator comm $(port_get vnet0 comm)" || return 1
	kill -9 "$pid"
	busywait 10000 eval '! tracked vnet0' || fail "vnet0 still tracked after QEMU was killed"
}

test_not_taps()
{
	local pid
	setup || return 1
	pid=$(hold_taps --tun ttun0) || return 1
	on_exit "kill $pid"
	ip link add tveth0 type veth peer name tveth1 || return 1
	on_exit "ip link del tveth0"
	ip link add tdummy0 type dummy || return 1
	on_exit "ip link del tdummy0"
	modprobe macvtap && ip link add link tdummy0 name tmvtap0 type macvtap ||
		echo "macvtap unavailable: not checked"
	local d rc=0
	for d in ttun0 tveth0 tveth1 tdummy0 tmvtap0 lo; do
		if tracked $d; then
			fail "$d is tracked"; rc=1
		fi
	done
	[ "$(status_get ports)" = 0 ] || { fail "port count $(status_get ports)"; rc=1; }
	return $rc
}

test_preexisting()
{
	unload_module || return 1
	ip tuntap add dev tpre0 mode tap || return 1
	on_exit "ip link del tpre0"
	load_module bridge= || return 1
	on_exit "unload_module"
	tracked tpre0 || fail "tpre0, created before the module, not tracked" || return 1
	"$NLCTL" port tpre0
	port_is tpre0 flags 1 || fail "not flagged pre-existing only (creator unknown)" || return 1
	[ -z "$(port_get tpre0 pid)" ] && [ -z "$(port_get tpre0 uid)" ] &&
		[ -z "$(port_get tpre0 comm)" ] || fail "a pre-existing tap has creator attributes"
}

test_rename()
{
	local out
	setup || return 1
	ip tuntap add dev tren0 mode tap || return 1
	on_exit "ip link del tren1; ip link del tren0"
	out=$(mktemp)
	"$NLCTL" monitor 1 "$(slow_ms 5000)" > "$out" &
	busywait 5000 grep -q listening "$out" || return 1
	ip link set dev tren0 name tren1 || return 1
	wait $! || fail "no event" || return 1
	cat "$out"
	grep -q 'event=renamed .*ifname=tren1 .*old=tren0' "$out" || fail "no renamed event" || return 1
	tracked tren1 || fail "not tracked under its new name"
}

ktap_plan 6
run_test "a tap made by ip tuntap is tracked, creator ip" test_ip_tuntap
run_test "a tap made by TUNSETIFF is tracked with the creator's pid, comm, uid" test_tunsetiff
run_test "a tap made by QEMU is tracked with QEMU's pid and comm" test_qemu
run_test "tun devices, veth, dummy, macvtap and lo are not tracked" test_not_taps
run_test "a tap that existed before the module is picked up at load" test_preexisting
run_test "a rename is followed and announced" test_rename
ktap_finished
