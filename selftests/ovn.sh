#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# OVN binds the agent's ports.  The OVN Northbound and Southbound databases,
# ovn-northd and ovn-controller run here, with the local Open vSwitch as the
# chassis and br-int as its integration bridge.  The agent's rule puts the
# guests' taps on br-int with iface-id=%u-%m (the UUID and the MAC of the
# guest, from QEMU's command line), and the logical switch ls0 has a logical
# port of each of those names, with the guest's MAC and an IP address.  Two
# QEMU guests start, stopped before their first instruction:
#  - their ports land on br-int with the iface-id of their logical port;
#  - ovn-controller claims both: the Port_Binding names this chassis and
#    `ovn-nbctl lsp-get-up` says up;
#  - a frame written into one guest's tap (as the guest would send it, from
#    its MAC to the other guest's) comes out of the other guest's tap,
#    through ls0's logical pipeline, both ways;
#  - a restarted agent leaves the bound ports as they are;
#  - a guest killed with kill -9 loses its port, and its logical port goes
#    down;
#  - a new guest whose tap takes the killed guest's tap name is bound to its
#    own logical port, not to the old guest's.
# Skips when OVN (ovn-central, ovn-host) is not installed.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ovs-vsctl ovsdb-server ovsdb-tool ovs-vswitchd ip qemu-system-x86_64
command -v ovn-northd > /dev/null ||
	skip_all "OVN is not installed: no ovn-northd (Debian: ovn-central)"
command -v ovn-controller > /dev/null ||
	skip_all "OVN is not installed: no ovn-controller (Debian: ovn-host)"
require_cmd ovn-nbctl ovn-sbctl
OVN_SHARE=/usr/share/ovn
[ -r $OVN_SHARE/ovn-nb.ovsschema ] && [ -r $OVN_SHARE/ovn-sb.ovsschema ] ||
	skip_all "OVN's schemas are not in $OVN_SHARE"
OVSKVM=${OVSKVM:-$TOP_DIR/agent/ovskvm}
[ -x "$OVSKVM" ] || skip_all "agent/ovskvm is not built (make agent)"
[ -x "$TAPCTL" ] || skip_all "selftests/tapctl is not built"

WORK=$(mktemp -d /tmp/ovskvm-ovn.XXXXXX)
CONF=$WORK/ovskvm.conf
LOG=$WORK/agent.log
: > "$LOG"
on_exit "rm -rf $WORK"

CHASSIS=ovskvm-hv1
UUID1=3f0a9c1e-5b7d-4e2a-8c61-0d9e2b4a7001
UUID2=3f0a9c1e-5b7d-4e2a-8c61-0d9e2b4a7002
UUID3=3f0a9c1e-5b7d-4e2a-8c61-0d9e2b4a7003
MAC1=52:54:00:0a:00:01
MAC2=52:54:00:0a:00:02
MAC3=52:54:00:0a:00:03
# the logical ports, named as the rule's iface-id=%u-%m names the guests
LSP1=$UUID1-$MAC1
LSP2=$UUID2-$MAC2
LSP3=$UUID3-$MAC3

cat > "$CONF" <<CONF
[Agent]
Bridge=br-int
ReconnectMax=1s
LogLevel=debug

[Rule]
Name=ovn*
Comm=qemu-*
ExternalID=iface-id=%u-%m
ExternalID=attached-mac=%m
ExternalID=vm-name=%n
CONF
chmod 0644 "$CONF"

nbctl()
{
	ovn-nbctl --db="unix:$WORK/nb.sock" --timeout=10 "$@"
}

sbctl()
{
	ovn-sbctl --db="unix:$WORK/sb.sock" --timeout=10 "$@"
}

# q STRING: STRING as an OVSDB string value on a ctl command line (names
# with ':' or that start with a digit need the quotes).
q()
{
	printf '"%s"' "$1"
}

# ovn_start: the Northbound and Southbound databases and ovn-northd, with
# their sockets, pid files and logs in $WORK.
ovn_start()
{
	local db
	on_exit "ovn_stop"
	for db in nb sb; do
		ovsdb-tool create "$WORK/$db.db" "$OVN_SHARE/ovn-$db.ovsschema" || return 1
		ovsdb-server "$WORK/$db.db" --remote="punix:$WORK/$db.sock" \
			--pidfile="$WORK/$db.pid" --unixctl="$WORK/$db.ctl" --detach \
			--log-file="$WORK/$db.log" -vconsole:off || return 1
	done
	nbctl init || return 1
	ovn-northd --ovnnb-db="unix:$WORK/nb.sock" --ovnsb-db="unix:$WORK/sb.sock" \
		--pidfile="$WORK/northd.pid" --unixctl="$WORK/northd.ctl" --detach \
		--log-file="$WORK/northd.log" -vconsole:off
}

# chassis_start: this Open vSwitch becomes chassis $CHASSIS of the
# Southbound database; ovn-controller makes br-int.
chassis_start()
{
	ovs-vsctl --timeout=10 set Open_vSwitch . \
		external_ids:system-id="$(q $CHASSIS)" \
		external_ids:ovn-remote="$(q "unix:$WORK/sb.sock")" \
		external_ids:ovn-encap-type=geneve \
		external_ids:ovn-encap-ip="$(q 127.0.0.1)" || return 1
	# its control socket is in OVN's run directory
	mkdir -p /var/run/ovn
	ovn-controller "unix:$OVS_RUNDIR/db.sock" --pidfile="$WORK/controller.pid" --detach \
		--log-file="$WORK/controller.log" -vconsole:off || return 1
	busywait 60000 eval "sbctl --bare --columns=name list Chassis | grep -qx $CHASSIS" ||
		{ echo "# chassis $CHASSIS is not in the Southbound database"; return 1; }
	busywait 60000 ovs-vsctl --timeout=5 br-exists br-int ||
		{ echo "# ovn-controller did not create br-int"; return 1; }
}

# chassis_clean: no br-int and no OVN settings left in conf.db, which a
# later test's ovs-ctl may start with (after ovn-controller and the agent
# stopped, before Open vSwitch does).
chassis_clean()
{
	ovs-vsctl --timeout=5 --if-exists del-br br-int -- \
		remove Open_vSwitch . external_ids system-id ovn-remote ovn-encap-type ovn-encap-ip
}

ovn_stop()
{
	local d pid
	for d in controller northd nb sb; do
		pid=$(cat "$WORK/$d.pid" 2>/dev/null) || continue
		kill "$pid" 2>/dev/null
		busywait 10000 eval "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	done
	return 0
}

# guest NAME TAP MAC UUID: start a QEMU guest (start_qemu), its pid kept in
# $WORK/NAME.pid for later tests and for the cleanup.
guest()
{
	local pid
	pid=$(start_qemu "$1" "$2" "$3" "$4") || { echo "QEMU did not create $2"; return 1; }
	echo "$pid" > "$WORK/$1.pid"
}

guest_pid()
{
	cat "$WORK/$1.pid" 2>/dev/null
}

kill_guests()
{
	local f
	for f in "$WORK"/web*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	busywait 10000 eval '! ls /sys/class/net | grep -q "^ovn"'
}

ovs_get()
{
	ovs-vsctl --timeout=5 get "$1" "$2" "$3" 2>/dev/null | tr -d '"'
}

ovs_port_exists()
{
	ovs-vsctl --timeout=5 list-ports br-int | grep -qx "$1"
}

# pb_chassis LSP: the name of the chassis the Port_Binding of LSP names.
pb_chassis()
{
	local uuid
	uuid=$(sbctl --bare --columns=chassis find Port_Binding logical_port="$(q "$1")")
	[ -n "$uuid" ] && sbctl --bare --columns=name list Chassis "$uuid"
}

# bound LSP: claimed by this chassis and up.
bound()
{
	[ "$(pb_chassis "$1")" = $CHASSIS ] && [ "$(nbctl lsp-get-up "$1")" = up ]
}

# unbound LSP: claimed by no chassis and down.
unbound()
{
	[ -z "$(pb_chassis "$1")" ] && [ "$(nbctl lsp-get-up "$1")" = down ]
}

# binding LSP: what OVN says of LSP, for the diagnostics.
binding()
{
	echo "$1: chassis '$(pb_chassis "$1")', $(nbctl lsp-get-up "$1")"
}

# carries TAP LSP: TAP's port is the agent's and names LSP as iface-id.
carries()
{
	local t=$1 lsp=$2
	ovs_port_exists "$t" || { echo "$t is not a port of br-int"; return 1; }
	[ "$(ovs_get Interface "$t" external_ids:iface-id)" = "$lsp" ] ||
		{ echo "$t: Interface external_ids:iface-id is '$(ovs_get Interface "$t" external_ids:iface-id)', not '$lsp'"; return 1; }
	[ "$(ovs_get Port "$t" external_ids:iface-id)" = "$lsp" ] ||
		{ echo "$t: Port external_ids:iface-id is '$(ovs_get Port "$t" external_ids:iface-id)', not '$lsp'"; return 1; }
	[ "$(ovs_get Port "$t" external_ids:ovskvm-owner)" = ovskvm ] ||
		{ echo "$t: the port is not the agent's"; return 1; }
	[ "$(ovs_get Port "$t" external_ids:ovskvm-ifindex)" = "$(cat "/sys/class/net/$t/ifindex")" ] ||
		{ echo "$t: the port is not for the tap of ifindex $(cat "/sys/class/net/$t/ifindex")"; return 1; }
}

show_iface()
{
	echo "$1: Interface external_ids $(ovs-vsctl --timeout=5 get Interface "$1" external_ids 2>&1)"
}

test_ports()
{
	local t0
	t0=$(date +%s%3N)
	guest web1 ovn1 $MAC1 $UUID1 || return 1
	guest web2 ovn2 $MAC2 $UUID2 || return 1
	echo "guests started: web1 (pid $(guest_pid web1)) on ovn1, web2 (pid $(guest_pid web2)) on ovn2"
	busywait 30000 eval "carries ovn1 '$LSP1' > /dev/null && carries ovn2 '$LSP2' > /dev/null" ||
		{ carries ovn1 "$LSP1"; carries ovn2 "$LSP2"; grep 'ovn[12]' "$LOG" | tail -n 10; return 1; }
	echo "both ports on br-int $(( $(date +%s%3N) - t0 )) ms after the first QEMU started"
	show_iface ovn1
	show_iface ovn2
}

test_binding()
{
	local t0
	t0=$(date +%s%3N)
	busywait 60000 eval "bound '$LSP1' && bound '$LSP2'" || {
		binding "$LSP1"; binding "$LSP2"
		show_iface ovn1; show_iface ovn2
		grep -E 'binding|WARN|ERR' "$WORK/controller.log" | tail -n 20
		return 1
	}
	echo "both bound and up $(( $(date +%s%3N) - t0 )) ms after their ports were on br-int"
	binding "$LSP1"
	binding "$LSP2"
	sbctl show | sed 's/^/  /'
	# what ovn-controller added to the agent's Interfaces
	show_iface ovn1
	show_iface ovn2
}

test_frames()
{
	local p1 p2
	p1=$(guest_pid web1) && p2=$(guest_pid web2) || { skip "no guests"; return $KSFT_SKIP; }
	"$TAPCTL" xfer --eth $MAC1,$MAC2 "ovn1@$p1" "ovn2@$p2" 20000 ||
		fail "no frame from web1's tap to $MAC2 came out of web2's tap" || return 1
	"$TAPCTL" xfer --eth $MAC2,$MAC1 "ovn2@$p2" "ovn1@$p1" 20000 ||
		fail "no frame from web2's tap to $MAC1 came out of web1's tap" || return 1
	# OVN's own check that a frame from LSP1 to MAC2 leaves by LSP2
	nbctl --wait=hv sync
	ovn-trace --db="unix:$WORK/sb.sock" --minimal ls0 \
		"inport == \"$LSP1\" && eth.src == $MAC1 && eth.dst == $MAC2 && eth.type == 0x88b5" 2>&1 |
		sed 's/^/  /'
}

test_agent_restart()
{
	local before after
	before=$(ovs-vsctl --timeout=5 --bare --columns=_uuid,external_ids list Port ovn1 ovn2)
	agent_stop
	agent_start || return 1
	sleep 2
	after=$(ovs-vsctl --timeout=5 --bare --columns=_uuid,external_ids list Port ovn1 ovn2)
	[ "$before" = "$after" ] || { echo "before: $before"; echo "after: $after"; fail "the restarted agent changed the ports"; return 1; }
	bound "$LSP1" && bound "$LSP2" || { binding "$LSP1"; binding "$LSP2"; fail "not bound after the restart"; return 1; }
	grep -E 'ovn[12]' "$LOG" | tail -n 4
	if grep -E 'ovn[12].*(someone else|another program)' "$LOG"; then
		fail "the agent takes its bound ports for another program's"
		return 1
	fi
	return 0
}

test_kill()
{
	local pid
	pid=$(guest_pid web1) || { skip "no guest web1"; return $KSFT_SKIP; }
	kill -9 "$pid"
	rm -f "$WORK/web1.pid"
	busywait 20000 eval '! test -e /sys/class/net/ovn1' || fail "ovn1 outlived its QEMU" || return 1
	busywait 20000 eval '! ovs_port_exists ovn1' || {
		echo "agent log:"; grep 'ovn1' "$LOG" | tail -n 8
		show_iface ovn1
		fail "web1 is gone, ovn1's port is still on br-int"
	}
	local rc=$?
	busywait 30000 unbound "$LSP1" || { binding "$LSP1"; fail "web1's logical port is still bound"; return 1; }
	binding "$LSP1"
	bound "$LSP2" || { binding "$LSP2"; fail "web2's logical port lost its binding"; return 1; }
	return $rc
}

# libvirt and a fleet's own tooling reuse tap names (vnet0, ...) at once.
test_name_reuse()
{
	local p2 p3
	p2=$(guest_pid web2) || { skip "no guest web2"; return $KSFT_SKIP; }
	[ -e /sys/class/net/ovn1 ] && { skip "ovn1 is still there"; return $KSFT_SKIP; }
	guest web3 ovn1 $MAC3 $UUID3 || return 1
	p3=$(guest_pid web3)
	busywait 30000 eval "carries ovn1 '$LSP3' > /dev/null" || {
		carries ovn1 "$LSP3"
		echo "agent log:"; grep 'ovn1' "$LOG" | tail -n 8
		show_iface ovn1
		binding "$LSP1"; binding "$LSP3"
		bound "$LSP1" && echo "web1's logical port is bound to web3's tap"
		fail "web3's tap ovn1 does not carry web3's iface-id"
		return 1
	}
	show_iface ovn1
	busywait 60000 bound "$LSP3" || { binding "$LSP3"; fail "web3's logical port is not bound"; return 1; }
	unbound "$LSP1" || { binding "$LSP1"; fail "web1's logical port is bound again, to web3's tap"; return 1; }
	binding "$LSP1"
	binding "$LSP3"
	"$TAPCTL" xfer --eth $MAC3,$MAC2 "ovn1@$p3" "ovn2@$p2" 20000 ||
		fail "no frame from web3's tap to $MAC2 came out of web2's tap"
}

t_setup=$(date +%s)
ktap_plan 6
unload_module
load_module || { echo "# modprobe $MODULE failed"; exit 1; }
on_exit "unload_module"
start_ovs || { echo "# Open vSwitch did not start"; exit 1; }
on_exit "chassis_clean"
ovn_start || { echo "# the OVN databases or ovn-northd did not start"; tail -n 5 "$WORK"/*.log; exit 1; }
chassis_start || { tail -n 20 "$WORK/controller.log"; exit 1; }
nbctl ls-add ls0 &&
	nbctl lsp-add ls0 "$LSP1" -- lsp-set-addresses "$LSP1" "$MAC1 10.0.0.1" &&
	nbctl lsp-add ls0 "$LSP2" -- lsp-set-addresses "$LSP2" "$MAC2 10.0.0.2" &&
	nbctl lsp-add ls0 "$LSP3" -- lsp-set-addresses "$LSP3" "$MAC3 10.0.0.3" ||
	{ echo "# ovn-nbctl could not create ls0"; exit 1; }
agent_start || exit 1
on_exit "agent_stop"
on_exit "kill_guests"
echo "# OVN up and the agent started in $(( $(date +%s) - t_setup )) s: chassis $CHASSIS, ls0 with $LSP1, $LSP2, $LSP3"
run_test "the guests' ports land on br-int with their logical ports' iface-id" test_ports
run_test "ovn-controller binds both: Port_Binding chassis set, lsp-get-up up" test_binding
run_test "a frame from one guest's tap comes out of the other's through ls0" test_frames
run_test "a restarted agent leaves the bound ports as they are" test_agent_restart
run_test "kill -9 of a guest: its port leaves br-int, its logical port goes down" test_kill
run_test "a new guest on the killed guest's tap name is bound to its own logical port" test_name_reuse
echo "# agent log:"; sed 's/^/#   /' "$LOG" | grep -v ' debug' | tail -n 40
echo "# ovn-controller warnings:"; grep -E '\|(WARN|ERR|EMER)\|' "$WORK/controller.log" | tail -n 10 | sed 's/^/#   /'
ktap_finished
