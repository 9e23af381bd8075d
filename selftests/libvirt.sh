#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The agent with a real libvirt daemon and real guests (domain type qemu,
# TCG, started paused), each defined from selftests/libvirt/*.xml:
#  - interface type ethernet (libvirt creates the tap in its daemon and
#    hands QEMU the descriptor): the agent attaches it to br0 with the
#    guest's name, UUID and MAC, read from the QEMU that holds the tap;
#  - interface type bridge with virtualport openvswitch and VLAN 42: libvirt
#    adds the port itself and the agent leaves it alone, even with a rule
#    that matches libvirt's taps by name;
#  - interface type network (the default NAT network, virbr0): untouched;
#  - virsh destroy leaves no row behind, virsh start attaches again, and a
#    guest started before the agent is attached when the agent starts.
# libvirtd runs without systemd: started directly, its state in this run's
# /run and /var (the test VM's tmpfs overlay).

source "$(dirname "$0")/lib.sh"

require_root
require_cmd libvirtd virsh virtlogd
require_module
require_cmd ovs-vsctl ovsdb-server ovs-vswitchd qemu-system-x86_64
OVSKVM=${OVSKVM:-$TOP_DIR/agent/ovskvm}
[ -x "$OVSKVM" ] || skip_all "agent/ovskvm is not built (make agent)"
[ -x "$NLCTL" ] || skip_all "selftests/nlctl is not built"
pgrep -x 'libvirtd|virtqemud' > /dev/null &&
	skip_all "a libvirt daemon already runs here: the test starts its own"
XML=$SELFTESTS_DIR/libvirt
VIRSH="virsh -q -c qemu:///system"
# libvirt's own names: the ones it gives taps ("vnet" names in <target dev>
# are reserved to it and replaced), and the thread that creates them.
LIBVIRT_COMM=rpc-libvirtd

WORK=$(mktemp -d /tmp/ovskvm-libvirt.XXXXXX)
CONF=$WORK/ovskvm.conf
LOG=$WORK/agent.log
: > "$LOG"
on_exit "rm -rf $WORK"

UUID_ETH=5a0c3e1e-7d4b-4c8a-9e1f-0b6c2d3e4f05
MAC_ETH=52:54:00:4c:00:05
UUID_OVS=5a0c3e1e-7d4b-4c8a-9e1f-0b6c2d3e4f06
MAC_OVS=52:54:00:4c:00:06

# A rule for the taps libvirt's daemon creates, matched by its own names for
# them: it matches the OVS and the NAT guests' taps too, which the agent
# must leave to libvirt.
cat > "$CONF" <<CONF
[Agent]
Bridge=br0
LogLevel=debug

[Rule]
Comm=$LIBVIRT_COMM
Name=vnet*
VLAN=10
ExternalID=vm-name=%n
ExternalID=vm-uuid=%u
ExternalID=attached-mac=%m
ExternalID=iface-id=%u-%m
CONF
chmod 0644 "$CONF"

libvirt_start()
{
	mkdir -p /run/libvirt /var/lib/libvirt/qemu /var/lib/libvirt/dnsmasq \
		/var/log/libvirt/qemu /var/cache/libvirt/qemu
	virtlogd -d || return 1
	libvirtd -d || return 1
	on_exit "libvirt_stop"
	busywait 60000 eval "$VIRSH version > /dev/null 2>&1"
}

libvirt_stop()
{
	local d f
	for d in ovskvm-eth ovskvm-ovs ovskvm-nat; do
		$VIRSH destroy $d
		$VIRSH undefine $d
	done
	$VIRSH net-destroy default
	for f in /run/libvirt/libvirtd.pid /run/libvirtd.pid /run/virtlogd.pid; do
		[ -f $f ] && kill "$(cat $f)"
	done
	busywait 10000 eval '! pgrep -x libvirtd > /dev/null'
}

# tap_of DOMAIN: the name libvirt gave the guest's tap.
tap_of()
{
	$VIRSH domiflist "$1" | awk 'NF >= 5 { print $1; exit }'
}

ovs_get()
{
	ovs-vsctl --timeout=5 get "$1" "$2" "$3" 2>/dev/null | tr -d '"'
}

ovs_port_exists()
{
	ovs-vsctl --timeout=5 list-ports br0 | grep -qx "$1"
}

ovs_ports()
{
	ovs-vsctl --timeout=5 list-ports br0 | sort | tr '\n' ' '
}

# eth_identity TAP: the ethernet guest's labels on its port.
eth_identity()
{
	local t=$1 v
	for kv in vm-name=ovskvm-eth vm-uuid=$UUID_ETH attached-mac=$MAC_ETH \
		  iface-id=$UUID_ETH-$MAC_ETH; do
		v=$(ovs_get Interface "$t" "external_ids:${kv%%=*}")
		[ "$v" = "${kv#*=}" ] || { echo "$t: external_ids:${kv%%=*} is '$v', not '${kv#*=}'"; return 1; }
	done
	[ "$(ovs_get Port "$t" tag)" = 10 ] || { echo "$t: tag $(ovs_get Port "$t" tag), not 10"; return 1; }
	[ "$(ovs_get Port "$t" external_ids:ovskvm-owner)" = ovskvm ] || { echo "$t: not ours"; return 1; }
}

test_ethernet()
{
	local t
	$VIRSH start --paused ovskvm-eth > /dev/null || return 1
	t=$(tap_of ovskvm-eth)
	[ -n "$t" ] || { echo "no tap for ovskvm-eth"; return 1; }
	echo "ovskvm-eth's tap $t, created by $(port_get "$t" comm) (pid $(port_get "$t" pid))"
	[ "$(port_get "$t" comm)" = $LIBVIRT_COMM ] ||
		{ "$NLCTL" port "$t"; echo "the tap's creator is not $LIBVIRT_COMM"; return 1; }
	busywait 30000 ovs_port_exists "$t" || { tail -n 30 "$LOG"; echo "$t not on br0"; return 1; }
	busywait 10000 eth_identity "$t" > /dev/null || { eth_identity "$t"; grep "$t" "$LOG"; return 1; }
	echo "$t: $(ovs-vsctl --timeout=5 get Interface "$t" external_ids)"
}

test_ovs_bridge()
{
	local t
	$VIRSH start --paused ovskvm-ovs > /dev/null || return 1
	t=$(tap_of ovskvm-ovs)
	[ -n "$t" ] || { echo "no tap for ovskvm-ovs"; return 1; }
	echo "ovskvm-ovs's tap $t, created by $(port_get "$t" comm)"
	busywait 30000 ovs_port_exists "$t" || { echo "$t not on br0"; return 1; }
	# the agent has looked at it once QEMU holds the tap and OVS took it
	busywait 20000 eval "'$OVSKVM' status | grep -q '^$t .* attached '" ||
		{ "$OVSKVM" status; echo "$t not attached"; return 1; }
	sleep 1
	[ "$(ovs_get Port "$t" tag)" = 42 ] ||
		{ echo "$t: tag '$(ovs_get Port "$t" tag)', not libvirt's 42"; return 1; }
	[ -z "$(ovs_get Port "$t" external_ids:ovskvm-owner)" ] ||
		{ echo "$t: the agent made the port, not libvirt"; return 1; }
	[ "$(ovs_get Interface "$t" external_ids:vm-id)" = $UUID_OVS ] &&
		[ "$(ovs_get Interface "$t" external_ids:attached-mac)" = $MAC_OVS ] ||
		{ echo "$t: libvirt's external_ids lost: $(ovs-vsctl get Interface "$t" external_ids)"; return 1; }
	[ "$(grep -c "$t.*\(error\|failed\)" "$LOG")" = 0 ] ||
		{ grep "$t" "$LOG"; echo "errors in the agent's log"; return 1; }
	[ "$(grep -c "$t: managed by someone else" "$LOG")" -le 1 ] ||
		{ grep "$t" "$LOG"; echo "the same notice more than once"; return 1; }
	"$OVSKVM" status | grep "^$t .*attached .*managed by someone else" ||
		{ "$OVSKVM" status; echo "status does not say whose port $t is"; return 1; }
}

test_network()
{
	local t
	$VIRSH net-start default > /dev/null || { echo "virsh net-start default failed"; return 1; }
	$VIRSH start --paused ovskvm-nat > /dev/null || return 1
	t=$(tap_of ovskvm-nat)
	[ -n "$t" ] || { echo "no tap for ovskvm-nat"; return 1; }
	sleep 2
	[ "$(master_of "$t")" = virbr0 ] || { echo "$t: master '$(master_of "$t")', not virbr0"; return 1; }
	! ovs-vsctl --timeout=5 list Port "$t" > /dev/null 2>&1 ||
		{ echo "$t has an OVSDB Port"; return 1; }
	[ "$(grep -c "$t.*\(error\|failed\)" "$LOG")" = 0 ] ||
		{ grep "$t" "$LOG"; echo "errors in the agent's log"; return 1; }
}

test_destroy()
{
	local d left
	for d in ovskvm-eth ovskvm-ovs ovskvm-nat; do
		$VIRSH destroy $d > /dev/null || return 1
	done
	busywait 20000 eval '[ -z "$(ovs-vsctl --timeout=5 list-ports br0)" ]' ||
		{ echo "ports left on br0: $(ovs_ports)"; return 1; }
	left=$(ovs-vsctl --timeout=5 --bare --columns=name find Port external_ids:ovskvm-owner=ovskvm)
	[ -z "$left" ] || { echo "stale rows: $left"; return 1; }
}

test_restart()
{
	local t
	$VIRSH start --paused ovskvm-eth > /dev/null || return 1
	on_exit "$VIRSH destroy ovskvm-eth"
	t=$(tap_of ovskvm-eth)
	busywait 30000 ovs_port_exists "$t" || { echo "$t not on br0 again"; return 1; }
	busywait 10000 eth_identity "$t" > /dev/null || { eth_identity "$t"; return 1; }
	$VIRSH destroy ovskvm-eth > /dev/null
	busywait 20000 eval "! ovs_port_exists $t" || { echo "$t left on br0"; return 1; }
}

test_before_agent()
{
	local t
	agent_stop
	$VIRSH start --paused ovskvm-eth > /dev/null || return 1
	t=$(tap_of ovskvm-eth)
	sleep 1
	! ovs_port_exists "$t" || { echo "$t on br0 with no agent running"; return 1; }
	agent_start || return 1
	busywait 30000 ovs_port_exists "$t" || { echo "$t not attached when the agent started"; return 1; }
	busywait 10000 eth_identity "$t" > /dev/null || { eth_identity "$t"; return 1; }
}

ktap_plan 6
start_ovs || exit 1
ovs-vsctl --timeout=10 --may-exist add-br br0 || exit 1
load_module || exit 1
on_exit "unload_module"
t0=$(date +%s)
libvirt_start || { echo "# libvirtd did not start"; exit 1; }
for x in ethernet ovs-bridge network; do
	$VIRSH define "$XML/$x.xml" > /dev/null || exit 1
done
echo "# libvirtd up in $(( $(date +%s) - t0 )) s"
agent_start || exit 1
on_exit "agent_stop"
run_test "libvirt ethernet interface: the fd-passed tap lands on br0 with the guest's identity" test_ethernet
run_test "libvirt openvswitch interface: libvirt's port, VLAN 42 and external_ids left alone" test_ovs_bridge
run_test "libvirt NAT network interface: left on virbr0" test_network
run_test "virsh destroy: every port goes, no stale row" test_destroy
run_test "virsh start again: attached again with the same identity" test_restart
run_test "a guest started before the agent is attached when it starts" test_before_agent
echo "# agent log:"; sed 's/^/#   /' "$LOG" | grep -v ' debug' | tail -n 40
ktap_finished
