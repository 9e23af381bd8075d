#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the whole product in about a minute, inside the test VM (it
# starts Open vSwitch, loads modules and kills processes, so it refuses to run
# anywhere else).  Open vSwitch with br0, the policy in /etc/ovskvm.conf, the
# agent (which loads and verifies the module), three QEMU guests started with
# script=no, what OVS and the module then show, a guest killed with -9 and its
# port gone, a guest started while OVSDB is down, and the module's events.
# Exits 1 as soon as a step does not do what it says.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
OVSKVM=ovskvm
export PATH=$top/agent:$PATH
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
TIMEOUT=${DEMO_TIMEOUT:-30}

if [ ! -x "$top/agent/ovskvm" ]; then
	echo "demo: agent/ovskvm is not built; use 'make demo'" >&2
	exit 2
fi
if [ "${OVSKVM_VM:-}" != 1 ]; then
	echo "demo: this runs inside the test VM; use 'make demo'" >&2
	exit 2
fi

work=$(mktemp -d /tmp/ovskvm-demo.XXXXXX)
start_s=$(date +%s)
step=0
pids=()

heading()
{
	step=$((step + 1))
	printf '\n== %d. %s\n' "$step" "$*"
}

# say TEXT: the story between the commands.
say()
{
	echo "   $*"
}

# show CMD...: print the command as typed, then its indented output.
show()
{
	printf '\n   $ %s\n' "$*"
	"$@" 2>&1 | sed 's/^/     /'
	return "${PIPESTATUS[0]}"
}

die()
{
	echo
	echo "demo: FAILED at step $step: $*" >&2
	if [ -s "$work/agent.log" ]; then
		echo "demo: the agent's last lines:" >&2
		tail -n 15 "$work/agent.log" | sed 's/^/     /' >&2
	fi
	exit 1
}

cleanup()
{
	local p
	for p in "${pids[@]}"; do
		kill -9 "$p" 2> /dev/null
	done
	[ -n "${agent_pid:-}" ] && kill -TERM "$agent_pid" 2> /dev/null
	[ -n "${monitor_pid:-}" ] && kill "$monitor_pid" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# wait_for SECONDS CMD...: poll CMD until it succeeds; the time it took is
# left in $elapsed.
wait_for()
{
	local limit_ms=$(($1 * 1000)) t0 now
	shift
	t0=$(date +%s%3N)
	while ! "$@" 2> /dev/null; do
		now=$(date +%s%3N)
		[ $((now - t0)) -ge "$limit_ms" ] && return 1
		sleep 0.05
	done
	now=$(date +%s%3N)
	elapsed=$(printf '%d.%02d' $(((now - t0) / 1000)) $((((now - t0) % 1000) / 10)))
}

on_br0()
{
	ovs-vsctl --timeout=2 list-ports br0 | grep -qx "$1"
}

not_on_br0()
{
	! ovs-vsctl --timeout=2 list-ports br0 | grep -qx "$1"
}

attached()
{
	"$OVSKVM" status 2> /dev/null | grep -E "^ *$1 " | grep -q attached
}

log_has()
{
	grep -q -- "$1" "$work/agent.log"
}

# guest NAME QEMU-ARGS...: start a QEMU guest stopped before its first
# instruction (-S), as a VM start creates its tap, and remember its pid.
guest()
{
	local name=$1
	shift
	qemu-system-x86_64 -S -display none -machine pc -accel tcg -m 32 -nodefaults \
		"$@" > "$work/qemu-$name.log" 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
}

echo "ovskvm_autoport demo: Linux $(uname -r), Open vSwitch $(ovs-vsctl --version | sed -n '1s/.* //p'), QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')"
echo "Everything runs in a throwaway VM; nothing on this machine changes."

heading "Open vSwitch with one bridge, br0"
say "ovsdb-server and ovs-vswitchd start; the bridge has no ports yet."
$OVS_CTL start --system-id=random --no-mlockall > "$work/ovs.log" 2>&1 ||
	{ cat "$work/ovs.log"; die "Open vSwitch did not start"; }
ovs-vsctl --timeout=10 add-br br0 || die "cannot create br0"
show ovs-vsctl show

heading "The policy: /etc/ovskvm.conf"
say "Rules are matched in order against every new tap, first match wins."
install -m 0644 -o root -g root "$here/ovskvm.conf" /etc/ovskvm.conf
show cat /etc/ovskvm.conf
show "$OVSKVM" check-config /etc/ovskvm.conf || die "the demo's configuration is invalid"

heading "The agent loads the module, pushes the policy, connects to OVSDB"
"$OVSKVM" agent -c /etc/ovskvm.conf > "$work/agent.log" 2>&1 &
agent_pid=$!
wait_for "$TIMEOUT" log_has "resync:" || die "the agent did not come up within ${TIMEOUT}s"
kill -0 "$agent_pid" 2> /dev/null || die "the agent exited"
say "'ovskvm agent' runs in the background (systemd runs it as ovskvm.service); its log:"
sed 's/^/     /' "$work/agent.log"
show "$OVSKVM" verify || die "ovskvm verify failed"
"$OVSKVM" monitor > "$work/events.log" 2>&1 &
monitor_pid=$!
say "'ovskvm monitor' now records the module's events, shown at the end."

heading "Three guests start, with script=no: no ovs-ifup, no ovs-ifdown"
say "The classic recipe's own NIC options, tap9:"
printf '     qemu-system-x86_64 ... -net nic,macaddr=00:11:22:EE:EE:EE \\\n'
printf '         -net tap,ifname=tap9,script=no,downscript=no\n'
guest classic -net nic,macaddr=00:11:22:EE:EE:EE -net tap,ifname=tap9,script=no,downscript=no
wait_for "$TIMEOUT" on_br0 tap9 || die "tap9 did not appear on br0 within ${TIMEOUT}s"
say "-> tap9 is a port of br0 ${elapsed}s later (QEMU start included)."

echo
say "A libvirt-style guest, web1, vnet0:"
printf '     qemu-system-x86_64 ... -name guest=web1 -uuid 6f1b7e0c-2f6d-4d55-9a59-0c1f7d2e5a01 \\\n'
printf '         -netdev tap,id=n0,ifname=vnet0,script=no,downscript=no \\\n'
printf '         -device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:01\n'
guest web1 -name guest=web1 -uuid 6f1b7e0c-2f6d-4d55-9a59-0c1f7d2e5a01 \
	-netdev tap,id=n0,ifname=vnet0,script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:01
wait_for "$TIMEOUT" on_br0 vnet0 || die "vnet0 did not appear on br0 within ${TIMEOUT}s"
say "-> vnet0 is a port of br0 ${elapsed}s later."

echo
say "A database guest, db1, whose tap db1-eth0 matches the VLAN 20 rule:"
printf '     qemu-system-x86_64 ... -name guest=db1 \\\n'
printf '         -netdev tap,id=n0,ifname=db1-eth0,script=no,downscript=no \\\n'
printf '         -device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:02\n'
guest db1 -name guest=db1 \
	-netdev tap,id=n0,ifname=db1-eth0,script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:02
wait_for "$TIMEOUT" on_br0 db1-eth0 || die "db1-eth0 did not appear on br0 within ${TIMEOUT}s"
say "-> db1-eth0 is a port of br0 ${elapsed}s later."
for t in tap9 vnet0 db1-eth0; do
	wait_for "$TIMEOUT" attached "$t" || die "the module does not report $t attached"
done

heading "What Open vSwitch shows"
say "Three ports, db1-eth0 on VLAN 20, each with the VM's metadata from QEMU's"
say "command line (tap9's guest has no -name or -uuid, so it gets none of those)."
show ovs-vsctl show
show ovs-vsctl --columns=name,tag,external_ids list Port tap9 vnet0 db1-eth0
say "The agent logged why tap9 has no iface-id, vm-id or vm-name:"
grep 'tap9: ExternalID' "$work/agent.log" | sed 's/^/     /'
[ "$(ovs-vsctl get Port db1-eth0 tag)" = 20 ] || die "db1-eth0 is not on VLAN 20"
[ "$(ovs-vsctl get Port vnet0 external_ids:iface-id 2> /dev/null | tr -d '"')" = \
  "6f1b7e0c-2f6d-4d55-9a59-0c1f7d2e5a01-52:54:00:aa:bb:01" ] || die "vnet0 has no iface-id"

heading "What the module shows"
say "Who created each tap, the rule it matched, and how long attaching took."
show "$OVSKVM" status || die "ovskvm status failed"
show ip -br link show type tun

heading "kill -9 the classic guest: its downscript would never have run"
kill -9 "$pid_classic"
wait_for "$TIMEOUT" not_on_br0 tap9 || die "tap9 is still a port of br0 ${TIMEOUT}s after its QEMU died"
say "-> tap9's port left OVSDB ${elapsed}s after the kill; the agent logged:"
grep 'tap9' "$work/agent.log" | tail -n 2 | sed 's/^/     /'
show ovs-vsctl list-ports br0

heading "OVSDB is down: a guest still starts at once, its port follows"
say "With ovs-ifup, QEMU would hang in ovs-vsctl here."
$OVS_CTL stop > "$work/ovs.log" 2>&1 || die "cannot stop Open vSwitch"
guest web2 -name guest=web2 -uuid 0b7d4c2e-8a51-4f0e-b3a7-5d9e6c1f2a02 \
	-netdev tap,id=n0,ifname=vnet1,script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:03
wait_for "$TIMEOUT" test -e /sys/class/net/vnet1 || die "QEMU did not create vnet1"
say "-> web2's QEMU created vnet1 ${elapsed}s after its start; the module holds it:"
"$OVSKVM" status | grep -E '^ *vnet1 ' | sed 's/^/     /'
$OVS_CTL start --system-id=random --no-mlockall > "$work/ovs.log" 2>&1 ||
	{ cat "$work/ovs.log"; die "Open vSwitch did not start again"; }
wait_for "$TIMEOUT" on_br0 vnet1 || die "vnet1 did not reach br0 within ${TIMEOUT}s of OVSDB's return"
say "-> Open vSwitch is back; the agent reconnected and vnet1 joined br0 ${elapsed}s later."
show ovs-vsctl list-ports br0

heading "The module's events, as 'ovskvm monitor' printed them"
sleep 0.5
kill "$monitor_pid" 2> /dev/null
wait "$monitor_pid" 2> /dev/null
monitor_pid=
sed 's/^/     /' "$work/events.log"
grep -q ' del tap9 ' "$work/events.log" || die "no del event for tap9"

printf '\ndemo: all %d steps done in %ds.\n' "$step" $(($(date +%s) - start_s))
