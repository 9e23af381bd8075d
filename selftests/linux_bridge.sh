#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux bridge targets: the module enslaves a matching tap by itself (MTU of
# the bridge, then up), waits for a missing bridge, carries frames between
# taps, notices a detach, and leaves a tap down when the rule says so.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip

BR=br0

make_bridge()
{
	ip link add "$1" type bridge || return 1
	on_exit "ip link del $1"
	ip link set "$1" up
}

test_default_policy_attach()
{
	local pid
	load_module || return 1	# the defaults: bridge=br0 match=tap*,vnet*
	on_exit "unload_module"
	make_bridge $BR || return 1
	ip link set $BR mtu 1400
	pid=$(hold_taps tap0) || return 1
	on_exit "kill $pid"
	busywait 5000 port_is tap0 state attached || fail "tap0 not attached" || return 1
	busywait 5000 link_up tap0 || fail "tap0 not brought up" || return 1
	"$NLCTL" port tap0
	[ "$(master_of tap0)" = $BR ] || fail "master is '$(master_of tap0)'" || return 1
	[ "$(cat /sys/class/net/tap0/mtu)" = 1400 ] || fail "MTU $(cat /sys/class/net/tap0/mtu), not the bridge's 1400" || return 1
	[ -n "$(port_get tap0 latency_ns)" ] || fail "no attach latency recorded" || return 1
	port_is tap0 kind linux || fail "bridge kind is not linux"
}

test_bridge_appears_later()
{
	local pid
	load_module || return 1
	on_exit "unload_module"
	pid=$(hold_taps vnet7) || return 1
	on_exit "kill $pid"
	port_is vnet7 state pending && port_is vnet7 kind none || fail "not pending without br0" || return 1
	link_up vnet7 && fail "a pending tap is up" && return 1
	make_bridge $BR || return 1
	busywait 5000 port_is vnet7 state attached || fail "not attached once br0 appeared" || return 1
	busywait 5000 link_up vnet7 || fail "not up"
}

test_frames_flow()
{
	load_module || return 1
	on_exit "unload_module"
	make_bridge $BR || return 1
	"$TAPCTL" xfer tapa tapb 10000 || fail "no frame crossed the bridge"
}

test_detach_event()
{
	local pid out
	load_module || return 1
	on_exit "unload_module"
	make_bridge $BR || return 1
	pid=$(hold_taps tapd0) || return 1
	on_exit "kill $pid"
	busywait 5000 port_is tapd0 state attached || return 1
	out=$(mktemp)
	"$NLCTL" monitor 1 5000 > "$out" &
	busywait 5000 grep -q listening "$out" || return 1
	ip link set dev tapd0 nomaster || return 1
	wait $! || fail "no event" || return 1
	cat "$out"
	grep -q 'event=detached .*ifname=tapd0 .*state=detached' "$out" || fail "no detached event" || return 1
	sleep 0.3
	[ -z "$(master_of tapd0)" ] || fail "re-attached behind the operator's back"
}

test_no_bring_up()
{
	local pid
	load_module bring_up=0 || return 1
	on_exit "unload_module"
	make_bridge $BR || return 1
	pid=$(hold_taps tapn0) || return 1
	on_exit "kill $pid"
	busywait 5000 port_is tapn0 state attached || fail "not attached" || return 1
	sleep 0.3
	link_up tapn0 && fail "brought up although bring_up=0" && return 1
	return 0
}

test_bridge_is_not_a_bridge()
{
	local pid
	load_module bridge=notabr0 || return 1
	on_exit "unload_module"
	ip link add notabr0 type dummy || return 1
	on_exit "ip link del notabr0"
	pid=$(hold_taps tapf0) || return 1
	on_exit "kill $pid"
	"$NLCTL" port tapf0
	port_is tapf0 state failed && port_is tapf0 kind other || fail "not failed for a dummy target" || return 1
	[ "$(port_get tapf0 error)" -lt 0 ] || fail "no error recorded"
}

ktap_plan 6
run_test "default policy: tap0 joins br0 with its MTU and comes up" test_default_policy_attach
run_test "a tap waits, down, for a missing bridge and joins when it appears" test_bridge_appears_later
run_test "frames written into one tap come out of another" test_frames_flow
run_test "a detach is announced and not undone" test_detach_event
run_test "bring_up=0 attaches but leaves the tap down" test_no_bring_up
run_test "a target that is no bridge fails the port with an error" test_bridge_is_not_a_bridge
ktap_finished
