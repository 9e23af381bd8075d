#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Linux bridge targets: the module enslaves a matching tap by itself (MTU of
# the bridge, the rule's VLANs, then up), takes only QEMU's own taps under
# the default policy, waits for a missing bridge, carries frames between
# taps, notices a detach, leaves a tap down when the rule says so, leaves a
# tap as it was when attaching fails, and matches again after a rename or
# when a deleted bridge comes back.

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
	local pid qpid
	command -v qemu-system-x86_64 > /dev/null || { skip "no qemu-system-x86_64"; return $KSFT_SKIP; }
	# The defaults: bridge=br0 match=tap*,vnet* creator=qemu-system-*
	load_module --defaults || return 1
	on_exit "unload_module"
	make_bridge $BR || return 1
	ip link set $BR mtu 1400
	# Taps that another process creates (a port manager's) are not ours.
	pid=$(hold_taps vnet9) || return 1
	on_exit "kill $pid"
	ip tuntap add dev tap8 mode tap || return 1
	on_exit "ip link del tap8"
	qpid=$(start_qemu vm0 tap0 52:54:00:aa:bb:00) || fail "QEMU did not create tap0" || return 1
	on_exit "kill -9 $qpid"
	busywait 5000 port_is tap0 state attached || fail "tap0 not attached" || return 1
	port_is vnet9 state ignored && port_is tap8 state ignored ||
		fail "a tap made by tapctl or ip was taken by the default policy" || return 1
	[ -z "$(master_of vnet9)$(master_of tap8)" ] || fail "a tap not made by QEMU was enslaved" || return 1
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
	link_up vnet7 && { fail "a pending tap is up"; return 1; }
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
	"$NLCTL" monitor 1 "$(slow_ms 5000)" > "$out" &
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
	link_up tapn0 && { fail "brought up although bring_up=0"; return 1; }
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

test_vlan_filtering()
{
	local pid rc
	load_module bridge= || return 1
	on_exit "unload_module"
	ip link add brv type bridge vlan_filtering 1 || return 1
	on_exit "ip link del brv"
	ip link set brv up
	"$NLCTL" set-policy 'id=1,action=attach,names=vacc*,bridge=brv,vlan=20,up' 		'id=2,action=attach,names=vtrk*,bridge=brv,trunks=20+30,up' || return 1
	pid=$(hold_taps vacch0 vtrkh0) || return 1
	on_exit "kill $pid"
	busywait 5000 port_is vacch0 state attached && busywait 5000 port_is vtrkh0 state attached ||
		fail "not attached" || return 1
	bridge vlan show dev vacch0; bridge vlan show dev vtrkh0
	bridge vlan show dev vacch0 | grep -q '20 PVID Egress Untagged' ||
		fail "vacch0 has no pvid 20 untagged" || return 1
	bridge vlan show dev vtrkh0 | grep -Eq '[[:space:]]20$' && bridge vlan show dev vtrkh0 | grep -Eq '[[:space:]]30$' ||
		fail "vtrkh0 is not a tagged member of 20 and 30" || return 1
	{ bridge vlan show dev vacch0; bridge vlan show dev vtrkh0; } | grep -Eq '[[:space:]]1( |$)' &&
		{ fail "the default VLAN 1 is still on a port"; return 1; }

	# Frames: a trunk's VLAN 20 reaches the access guest untagged, its
	# VLAN 30 never does; the access guest's frames leave tagged 20.
	"$TAPCTL" xfer vtrk1 vacc1 10000 20 0 || fail "VLAN 20 from the trunk did not reach the access port" || return 1
	"$TAPCTL" xfer vtrk2 vacc2 3000 30 0; rc=$?
	[ $rc = 3 ] || fail "VLAN 30 reached the access port of VLAN 20 (exit $rc)" || return 1
	"$TAPCTL" xfer vacc3 vtrk3 10000 0 20 || fail "the access port's frame did not leave tagged 20"
}

test_vlan_without_filtering()
{
	local pid
	load_module bridge= || return 1
	on_exit "unload_module"
	make_bridge brnv || return 1
	"$NLCTL" set-policy 'id=1,action=attach,names=vnf*,bridge=brnv,vlan=20,up' || return 1
	pid=$(hold_taps vnf0) || return 1
	on_exit "kill $pid"
	busywait 5000 port_is vnf0 state failed || fail "a VLAN rule on a non-filtering bridge did not fail" || return 1
	"$NLCTL" port vnf0
	port_get vnf0 reason | grep -q vlan_filtering || fail "no reason naming vlan_filtering" || return 1
	[ -z "$(master_of vnf0)" ] || fail "enslaved although its VLAN cannot be applied"
}

test_failed_attach_restores_mtu()
{
	local pid
	load_module bridge= || return 1
	on_exit "unload_module"
	"$NLCTL" set-policy 'id=1,action=attach,names=tmtu*,bridge=brm' || return 1
	pid=$(hold_taps tmtu0) || return 1
	on_exit "kill $pid"
	port_is tmtu0 state pending || return 1
	# A macvlan holds the tap's rx handler: the bridge will refuse it.
	ip link add link tmtu0 name tmtumv type macvlan || return 1
	on_exit "ip link del tmtumv"
	ip link add brm mtu 1400 type bridge || return 1
	on_exit "ip link del brm"
	busywait 5000 port_is tmtu0 state failed || fail "the refused attach did not fail the port" || return 1
	"$NLCTL" port tmtu0
	[ "$(cat /sys/class/net/tmtu0/mtu)" = 1500 ] ||
		fail "MTU $(cat /sys/class/net/tmtu0/mtu) after a failed attach, not its own 1500" || return 1
	port_get tmtu0 reason | grep -q refused || fail "no reason given"
}

test_non_bridge_master()
{
	local pid
	modprobe vrf 2> /dev/null || { skip "no vrf module"; return $KSFT_SKIP; }
	load_module bridge= || return 1
	on_exit "unload_module"
	ip link add vrfx type vrf table 100 || return 1
	on_exit "ip link del vrfx"
	"$NLCTL" set-policy 'id=1,action=attach,names=tvrf*,bridge=brmissing' || return 1
	pid=$(hold_taps tvrf0) || return 1
	on_exit "kill $pid"
	port_is tvrf0 state pending || return 1
	ip link set dev tvrf0 master vrfx || return 1
	busywait 5000 port_is tvrf0 state failed || fail "a tap enslaved to a VRF stays $(port_get tvrf0 state)" || return 1
	"$NLCTL" port tvrf0
	port_get tvrf0 reason | grep -q 'no_bridge' || fail "no reason given"
}

test_rename_rematches()
{
	load_module bridge= || return 1
	on_exit "unload_module"
	make_bridge brr || return 1
	"$NLCTL" set-policy 'id=1,action=attach,names=tnew*,bridge=brr' || return 1
	ip tuntap add dev told0 mode tap || return 1
	on_exit "ip link del tnew0; ip link del told0"
	port_is told0 state ignored || return 1
	ip link set dev told0 name tnew0 || return 1
	busywait 5000 port_is tnew0 state attached || fail "not matched again under its new name" || return 1
	[ "$(master_of tnew0)" = brr ] || fail "not on brr"
}

test_bridge_recreated()
{
	local pid
	load_module bridge= || return 1
	on_exit "unload_module"
	"$NLCTL" set-policy 'id=1,action=attach,names=tbr*,bridge=brre,up' || return 1
	ip link add brre type bridge && ip link set brre up || return 1
	pid=$(hold_taps tbr0 tbr1) || return 1
	on_exit "kill $pid; ip link del brre"
	busywait 5000 port_is tbr0 state attached && busywait 5000 port_is tbr1 state attached || return 1
	# An operator's detach, some time before the bridge goes, is kept.
	ip link set dev tbr1 nomaster || return 1
	busywait 5000 port_is tbr1 state detached || return 1
	sleep 0.5
	ip link del brre || return 1
	busywait 5000 port_is tbr0 state pending || fail "$(port_get tbr0 state) after its bridge was deleted, not pending" || return 1
	ip link add brre type bridge && ip link set brre up || return 1
	busywait 5000 port_is tbr0 state attached || fail "not attached to the re-created bridge" || return 1
	[ "$(master_of tbr0)" = brre ] || fail "not on brre" || return 1
	sleep 0.5
	port_is tbr1 state detached && [ -z "$(master_of tbr1)" ] ||
		fail "tbr1, detached by the operator before, was attached again with the new bridge"
}

ktap_plan 13
run_test "default policy: QEMU's tap joins br0 with its MTU and comes up; others' are left" test_default_policy_attach
run_test "a tap waits, down, for a missing bridge and joins when it appears" test_bridge_appears_later
run_test "frames written into one tap come out of another" test_frames_flow
run_test "a detach is announced and not undone" test_detach_event
run_test "bring_up=0 attaches but leaves the tap down" test_no_bring_up
run_test "a target that is no bridge fails the port with an error" test_bridge_is_not_a_bridge
run_test "VLAN filtering: pvid untagged, tagged trunks, no other VLAN reaches the guest" test_vlan_filtering
run_test "a VLAN rule on a bridge without VLAN filtering fails with a reason" test_vlan_without_filtering
run_test "a refused attach leaves the tap's MTU as it was" test_failed_attach_restores_mtu
run_test "a tap under another master (VRF) fails instead of waiting" test_non_bridge_master
run_test "a renamed tap is matched again under its new name" test_rename_rematches
run_test "a deleted and re-created bridge gets its ports back" test_bridge_recreated
ktap_finished
