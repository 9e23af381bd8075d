#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifetimes: unload and reload with 100 taps present, unload while taps are
# being created and attached, and 1000 create/delete cycles with the
# module's counters and its slab back to the baseline.  A leaked port makes
# kmem_cache_destroy() warn at unload, which fails the VM run.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip

N_TAPS=${STRESS_TAPS:-100}
N_CYCLES=${STRESS_CYCLES:-1000}

slab_active()
{
	awk '$1 == "ovskvm_port" { print $2 }' /proc/slabinfo
}

test_reload_with_taps()
{
	local i
	ip link add br0 type bridge && ip link set br0 up || return 1
	on_exit "ip link del br0"
	load_module || return 1
	on_exit "unload_module"
	for i in $(seq 0 $((N_TAPS - 1))); do
		echo "tuntap add dev tap$i mode tap"
	done | ip -batch - || return 1
	on_exit "for i in \$(seq 0 $((N_TAPS - 1))); do echo link del tap\$i; done | ip -batch -"
	busywait 30000 eval '[ "$(bridge link | grep -c "master br0")" = '"$N_TAPS"' ]' ||
		fail "$(bridge link | grep -c 'master br0') of $N_TAPS taps on br0" || return 1
	for i in 1 2 3; do
		modprobe -r "$MODULE" || fail "unload $i with $N_TAPS taps" || return 1
		load_module || fail "reload $i" || return 1
		[ "$(status_get ports)" = "$N_TAPS" ] || fail "reload $i tracks $(status_get ports) ports" || return 1
		[ "$(bridge link | grep -c "master br0")" = "$N_TAPS" ] ||
			fail "reload $i: $(bridge link | grep -c 'master br0') of $N_TAPS taps still on br0" || return 1
	done
	# Taps that were there first are shown, and left as they are.
	port_is tap7 flags 1 && port_is tap7 state ignored && port_is tap7 master br0 ||
		fail "tap7 is not a pre-existing port left on br0"
}

test_unload_under_load()
{
	local i pid
	ip link add br0 type bridge && ip link set br0 up || return 1
	on_exit "ip link del br0"
	pid=$(churn_taps 10 tap%d)
	on_exit "stop_churn $pid"
	for i in $(seq 20); do
		modprobe "$MODULE" || fail "load $i" || return 1
		sleep 0.$((RANDOM % 3))
		modprobe -r "$MODULE" || fail "unload $i" || return 1
	done
	return 0
}

test_cycles()
{
	local seen removed slab0 slab1
	ip link add br0 type bridge && ip link set br0 up || return 1
	on_exit "ip link del br0"
	load_module || return 1
	on_exit "unload_module"
	"$TAPCTL" cycle 10 tap0 || return 1
	seen=$(status_get seen) removed=$(status_get removed) slab0=$(slab_active)
	"$TAPCTL" cycle "$N_CYCLES" tap0 || fail "cycle" || return 1
	busywait 10000 eval '[ "$(status_get ports)" = 0 ]' || fail "ports left: $(status_get ports)" || return 1
	"$NLCTL" status
	slab1=$(slab_active)
	echo "ovskvm_port slab active objects: before $slab0, after $slab1"
	[ $(($(status_get seen) - seen)) = "$N_CYCLES" ] || fail "seen grew by $(($(status_get seen) - seen))" || return 1
	[ $(($(status_get removed) - removed)) = "$N_CYCLES" ] || fail "removed grew by $(($(status_get removed) - removed))" || return 1
	[ "${slab1:-0}" -le "$((${slab0:-0} + 16))" ] || fail "slab grew from $slab0 to $slab1"
}

ktap_plan 3
run_test "unload and reload three times with $N_TAPS attached taps" test_reload_with_taps
run_test "20 loads and unloads while taps are created and attached" test_unload_under_load
run_test "$N_CYCLES create/delete cycles leave counters and slab at the baseline" test_cycles
ktap_finished
