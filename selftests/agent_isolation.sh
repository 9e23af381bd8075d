#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One bad tap never holds up the others, with a real ovsdb-server,
# ovs-vswitchd and QEMU: a guest whose -name is not UTF-8, a tap whose name
# is not UTF-8 and a tap named like an Interface of another Port each arrive
# in one batch with good taps (the agent is stopped with SIGSTOP while they
# are created, so that their events come together).  The good taps are
# attached, the bad value is left out or the bad tap alone waits, and
# `ovskvm status` says why.  Also: a config with a Latin-1 byte is refused,
# and the command line of a QEMU that changed its uid after creating its tap
# (-runas) is not trusted.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ovs-vsctl ovsdb-server ovs-vswitchd ip
OVSKVM=${OVSKVM:-$TOP_DIR/agent/ovskvm}
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
[ -x "$OVSKVM" ] || skip_all "agent/ovskvm is not built (make agent)"
[ -x "$TAPCTL" ] || skip_all "selftests/tapctl is not built"
[ -x "$OVS_CTL" ] || skip_all "no $OVS_CTL"
command -v qemu-system-x86_64 > /dev/null && HAVE_QEMU=1 || HAVE_QEMU=0
export LC_ALL=C

WORK=$(mktemp -d /tmp/ovskvm-isolation.XXXXXX)
CONF=$WORK/ovskvm.conf
LOG=$WORK/agent.log
: > "$LOG"
on_exit "rm -rf $WORK"

cat > "$CONF" <<CONF
[Agent]
Bridge=br0
Timeout=2s
ReconnectMax=1s
LogLevel=debug

[Rule]
Name=vnet* tx* clash*
ExternalID=iface-id=%u
ExternalID=vm-name=%n
CONF
chmod 0644 "$CONF"

UUID1=7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e61
UUID2=7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e62
UUID3=7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e63

agent_start()
{
	"$OVSKVM" agent -c "$CONF" --no-load >> "$LOG" 2>&1 &
	echo $! > "$WORK/agent.pid"
	busywait 60000 grep -q 'resync:' "$LOG" ||
		{ fail "the agent did not start"; tail -n 20 "$LOG"; return 1; }
}

agent_stop()
{
	local pid
	pid=$(cat "$WORK/agent.pid" 2>/dev/null) || return 0
	kill -CONT "$pid" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	busywait 30000 eval "! kill -0 $pid 2>/dev/null"
	wait "$pid" 2>/dev/null
}

# hold_agent / release_agent: the taps created in between reach the agent
# as one burst of events, hence one batch.
hold_agent()
{
	kill -STOP "$(cat "$WORK/agent.pid")"
}

release_agent()
{
	kill -CONT "$(cat "$WORK/agent.pid")"
}

ovs_port_exists()
{
	ovs-vsctl --timeout=5 list-ports br0 | grep -qxF "$1"
}

ovs_get()
{
	ovs-vsctl --timeout=5 get "$1" "$2" "$3" 2>/dev/null | tr -d '"'
}

# status_line NAME: the tap's line in `ovskvm status`.
status_line()
{
	"$OVSKVM" status | grep -aF "$1 " | grep -a "^$1 "
}

test_bad_vm_name()
{
	local bad good taps
	[ $HAVE_QEMU = 1 ] || { skip "no qemu-system-x86_64"; return $KSFT_SKIP; }
	hold_agent
	bad=$(start_qemu $'caf\xe9' vnet60 52:54:00:00:00:60 $UUID1) ||
		{ release_agent; fail "QEMU did not create vnet60"; return 1; }
	on_exit "kill -9 $bad"
	good=$(start_qemu vm61 vnet61 52:54:00:00:00:61 $UUID2) ||
		{ release_agent; fail "QEMU did not create vnet61"; return 1; }
	on_exit "kill -9 $good"
	taps=$(hold_taps tx62) || { release_agent; return 1; }
	on_exit "kill $taps"
	release_agent
	busywait 20000 eval 'ovs_port_exists vnet60 && ovs_port_exists vnet61 && ovs_port_exists tx62' ||
		{ "$OVSKVM" status; fail "not all of vnet60, vnet61, tx62 attached"; return 1; }
	[ "$(ovs_get Interface vnet60 external_ids:iface-id)" = $UUID1 ] ||
		{ fail "vnet60 lost its iface-id too"; return 1; }
	[ -z "$(ovs_get Interface vnet60 external_ids:vm-name)" ] ||
		{ fail "vnet60 has a vm-name"; return 1; }
	[ "$(ovs_get Interface vnet61 external_ids:vm-name)" = vm61 ] ||
		{ fail "vnet61 has no vm-name"; return 1; }
	grep -q 'vnet60: ExternalID vm-name (.*) left out: its value caf\\xe9 is not UTF-8' "$LOG" ||
		fail "no reason logged for the left-out vm-name"
}

test_bad_tap_name()
{
	local taps line
	hold_agent
	taps=$(hold_taps $'tx\xe9' tx71) || { release_agent; return 1; }
	on_exit "kill $taps"
	release_agent
	busywait 20000 ovs_port_exists tx71 || { fail "tx71 not attached"; return 1; }
	busywait 10000 eval "status_line $'tx\xe9' | grep -q 'pending.*(agent: the tap.s name tx.xe9 is not UTF-8'" ||
		{ "$OVSKVM" status; fail "ovskvm status does not say why tx\\xe9 waits"; return 1; }
	line=$(status_line $'tx\xe9')
	echo "$line"
	grep -q 'tx\\xe9: cannot attach: the tap.s name tx\\xe9 is not UTF-8' "$LOG" ||
		{ fail "no reason logged for tx\\xe9"; return 1; }
	# its removal must not hold up tx71's either
	kill "$taps"
	busywait 20000 eval '! ovs_port_exists tx71' ||
		fail "tx71's port stays in OVSDB after its tap went"
}

test_iface_clash()
{
	local taps
	# Port other0 holds an Interface named clash0 (a bond member, say)
	ovs-vsctl --timeout=5 -- --id=@i create Interface name=clash0 type=patch options:peer=none \
		-- --id=@p create Port name=other0 interfaces=@i -- add Bridge br0 ports @p > /dev/null ||
		{ fail "cannot create Port other0"; return 1; }
	on_exit "ovs-vsctl --timeout=5 --if-exists del-port br0 other0"
	hold_agent
	taps=$(hold_taps clash0 tx81) || { release_agent; return 1; }
	on_exit "kill $taps"
	release_agent
	busywait 20000 ovs_port_exists tx81 || { fail "tx81 not attached"; return 1; }
	busywait 10000 eval "status_line clash0 | grep -q 'pending.*(agent: interface clash0 already exists in OVSDB'" ||
		{ "$OVSKVM" status; fail "ovskvm status does not say why clash0 waits"; return 1; }
	status_line clash0
	ovs-vsctl --timeout=5 del-port br0 other0 || return 1
	busywait 20000 ovs_port_exists clash0 || { fail "clash0 not attached once other0 is gone"; return 1; }
	busywait 10000 eval "! status_line clash0 | grep -q 'agent:'" ||
		{ status_line clash0; fail "ovskvm status still shows a reason for clash0"; return 1; }
	kill "$taps"
	busywait 20000 eval '! ovs_port_exists tx81 && ! ovs_port_exists clash0' ||
		fail "the ports of tx81 and clash0 stay in OVSDB after their taps went"
}

test_config_latin1()
{
	local out
	printf '[Rule]\nBridge=br0\nExternalID=vm-name=caf\xe9\n' > "$WORK/latin1.conf"
	chmod 0644 "$WORK/latin1.conf"
	out=$("$OVSKVM" check-config "$WORK/latin1.conf" 2>&1) &&
		{ fail "check-config accepted a Latin-1 byte"; return 1; }
	echo "$out"
	echo "$out" | grep -q 'latin1.conf:3: byte 0xe9 at column 23 is not UTF-8' ||
		fail "check-config does not say where the byte is"
}

# QEMU -runas opens its taps as root, then runs as nobody: what its command
# line says is no longer the tap creator's word.
test_runas()
{
	local pid
	[ $HAVE_QEMU = 1 ] || { skip "no qemu-system-x86_64"; return $KSFT_SKIP; }
	hold_agent
	qemu-system-x86_64 -S -display none -machine pc -accel tcg -m 32 -nodefaults \
		-name guest=vm90 -uuid $UUID3 -runas nobody \
		-netdev tap,id=n0,ifname=vnet90,script=no,downscript=no \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:90 > /dev/null 2>&1 &
	pid=$!
	on_exit "kill -9 $pid"
	busywait 30000 eval "grep -q '^Uid:[[:space:]]*65534' /proc/$pid/status" ||
		{ release_agent; fail "QEMU did not switch to nobody"; return 1; }
	release_agent
	busywait 20000 ovs_port_exists vnet90 || { fail "vnet90 not attached"; return 1; }
	[ -z "$(ovs_get Interface vnet90 external_ids:vm-name)" ] ||
		{ fail "vnet90 has the vm-name of a command line not trusted"; return 1; }
	grep -q "vnet90: ExternalID vm-name (.*) left out: no VM name (-name), as the creator (pid $pid, .*) now runs as uid 65534, not as uid 0 that created the tap" "$LOG" ||
		fail "no reason logged for the untrusted command line"
}

unload_module
modprobe "$MODULE" || skip_all "modprobe $MODULE failed"
on_exit "unload_module"
$OVS_CTL start --system-id=random --no-mlockall > "$WORK/ovs.log" 2>&1 ||
	skip_all "cannot start Open vSwitch: $(tail -n 3 "$WORK/ovs.log")"
on_exit "$OVS_CTL stop"
ovs-vsctl --timeout=10 --may-exist add-br br0 || skip_all "cannot create br0"
agent_start || skip_all "the agent does not start: $(tail -n 5 "$LOG")"
on_exit "agent_stop"

ktap_plan 5
run_test "a guest whose -name is not UTF-8 holds up no one, only its vm-name is left out" test_bad_vm_name
run_test "a tap whose name is not UTF-8 waits alone, with its reason in ovskvm status" test_bad_tap_name
run_test "a tap named like another Port's Interface waits alone, then follows" test_iface_clash
run_test "check-config refuses a byte that is not UTF-8, at its line and column" test_config_latin1
run_test "the command line of a QEMU that changed its uid is not used" test_runas
echo "# agent log:"
sed 's/^/#   /' "$LOG" | tail -n 60
ktap_finished
