#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Open vSwitch targets, with the real ovsdb-server and ovs-vswitchd: a tap
# whose bridge is an OVS bridge stays pending and down until OVS links it to
# the datapath (ovs-vsctl stands in for the agent here); then it is attached,
# timed and brought up.  OVS removing it is a detach; the tap going away is
# announced.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip

test_pending_then_attached()
{
	local pid
	start_ovs || return
	ovs-vsctl add-br brovs0 || return 1
	load_module bridge=brovs0 || return 1
	on_exit "unload_module"
	pid=$(hold_taps tapo0) || return 1
	on_exit "kill $pid"
	"$NLCTL" port tapo0
	port_is tapo0 state pending && port_is tapo0 kind ovs || fail "not pending for an OVS bridge" || return 1
	sleep 0.3
	link_up tapo0 && { fail "a pending tap is up"; return 1; }
	ovs-vsctl add-port brovs0 tapo0 || return 1
	busywait 10000 port_is tapo0 state attached || fail "not attached after add-port" || return 1
	busywait 5000 link_up tapo0 || fail "not brought up" || return 1
	"$NLCTL" port tapo0
	port_is tapo0 master ovs-system || fail "master is not ovs-system" || return 1
	[ "$(port_get tapo0 latency_ns)" -gt 0 ] || fail "no attach latency"
}

test_bridge_created_later()
{
	local pid out
	start_ovs || return
	load_module bridge=brovs1 || return 1
	on_exit "unload_module"
	pid=$(hold_taps tapo1) || return 1
	on_exit "kill $pid"
	port_is tapo1 kind none || return 1
	out=$(mktemp)
	"$NLCTL" monitor 1 "$(slow_ms 10000)" > "$out" &
	busywait 5000 grep -q listening "$out" || return 1
	ovs-vsctl add-br brovs1 || return 1
	wait $! || fail "no event when the OVS bridge appeared" || return 1
	cat "$out"
	grep -q 'event=changed .*ifname=tapo1 .*state=pending .*kind=ovs' "$out" ||
		fail "no changed event for the waiting port"
}

test_del_port_and_removal()
{
	local pid out
	start_ovs || return
	ovs-vsctl add-br brovs2 || return 1
	load_module bridge=brovs2 || return 1
	on_exit "unload_module"
	pid=$(hold_taps tapo2) || return 1
	ovs-vsctl add-port brovs2 tapo2 || return 1
	busywait 10000 port_is tapo2 state attached || return 1
	out=$(mktemp)
	"$NLCTL" monitor 2 "$(slow_ms 10000)" > "$out" &
	busywait 5000 grep -q listening "$out" || return 1
	ovs-vsctl del-port brovs2 tapo2 || return 1
	busywait 10000 port_is tapo2 state detached || fail "not detached after del-port" || return 1
	kill "$pid"
	wait $! || fail "events missing" || return 1
	cat "$out"
	grep -q 'event=detached .*ifname=tapo2' "$out" && grep -q 'event=del .*ifname=tapo2' "$out" ||
		fail "no detached and del events"
}

test_mtu_follows_bridge()
{
	local pid
	start_ovs || return
	ovs-vsctl add-br brovs3 -- set interface brovs3 mtu_request=9000 || return 1
	busywait 10000 eval '[ "$(cat /sys/class/net/brovs3/mtu)" = 9000 ]' ||
		fail "brovs3 did not take MTU 9000" || return 1
	load_module bridge=brovs3 || return 1
	on_exit "unload_module"
	pid=$(hold_taps tapo3) || return 1
	on_exit "kill $pid"
	busywait 5000 eval '[ "$(cat /sys/class/net/tapo3/mtu)" = 9000 ]' ||
		fail "a tap waiting for brovs3 has MTU $(cat /sys/class/net/tapo3/mtu), not 9000" || return 1
	ovs-vsctl add-port brovs3 tapo3 || return 1
	busywait 10000 port_is tapo3 state attached || fail "not attached" || return 1
	"$NLCTL" port tapo3
	[ "$(cat /sys/class/net/tapo3/mtu)" = 9000 ] && [ "$(cat /sys/class/net/brovs3/mtu)" = 9000 ] ||
		fail "MTU tap $(cat /sys/class/net/tapo3/mtu), bridge $(cat /sys/class/net/brovs3/mtu) once attached"
}

ktap_plan 4
run_test "an OVS-bound tap is pending and down until OVS takes it, then up" test_pending_then_attached
run_test "a port waiting for an OVS bridge is announced when the bridge appears" test_bridge_created_later
run_test "del-port is a detach; the tap's removal is announced" test_del_port_and_removal
run_test "a tap takes its OVS bridge's MTU (9000) before OVS adds it" test_mtu_follows_bridge
ktap_finished
