#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The agent with a real ovsdb-server and ovs-vswitchd and real QEMU guests
# stopped before their first instruction: taps land on their OVS bridge with
# VLAN and external_ids from QEMU's command line, ports go when QEMU is
# killed, reused names keep the new tap's port, a restarted agent or
# ovsdb-server resyncs, a leftover row that ovs-vswitchd put a new VM's tap
# on while the agent was down is rewritten in place for the new VM, a missing bridge is reported and then used, a bad
# config on SIGHUP keeps the old policy, and frames cross OVS between taps.
# With valgrind installed, one run of the agent is checked for leaks.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ovs-vsctl ovsdb-server ovs-vswitchd ip
OVSKVM=${OVSKVM:-$TOP_DIR/agent/ovskvm}
TAPCTL=$SELFTESTS_DIR/tapctl
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
[ -x "$OVSKVM" ] || skip_all "agent/ovskvm is not built (make agent)"
[ -x "$TAPCTL" ] || skip_all "selftests/tapctl is not built"
[ -x "$OVS_CTL" ] || skip_all "no $OVS_CTL"
command -v qemu-system-x86_64 > /dev/null && HAVE_QEMU=1 || HAVE_QEMU=0

WORK=$(mktemp -d /tmp/ovskvm-agent.XXXXXX)
CONF=$WORK/ovskvm.conf
LOG=$WORK/agent.log
: > "$LOG"
on_exit "rm -rf $WORK"
# ovs-ctl stop leaves the datapath and br0's internal device for a restart:
# gone at the end, so that a later test can make a br0 of its own.
on_exit "ovs-dpctl del-dp system@ovs-system"

write_conf()
{
	cat > "$CONF"
	chmod 0644 "$CONF"
}

default_conf()
{
	write_conf <<CONF
[Agent]
Bridge=br0
Timeout=2s
ReconnectMax=1s
LogLevel=debug

[Rule]
Name=mb*
Bridge=brmissing

[Rule]
Name=vnet* tap* x*
VLAN=${1:-10}
ExternalID=iface-id=%u-%m
ExternalID=vm-name=%n
ExternalID=attached-mac=%m
CONF
}

ovs_start()
{
	$OVS_CTL start --system-id=random --no-mlockall > "$WORK/ovs.log" 2>&1 ||
		{ cat "$WORK/ovs.log"; return 1; }
	ovs-vsctl --timeout=10 --may-exist add-br br0
}

ovs_stop()
{
	$OVS_CTL stop > /dev/null 2>&1
}

agent_pid()
{
	cat "$WORK/agent.pid" 2>/dev/null
}

agent_start()
{
	local lines
	lines=$(wc -l < "$LOG" 2>/dev/null || echo 0)
	${AGENT_WRAPPER:-} "$OVSKVM" agent -c "$CONF" --no-load >> "$LOG" 2>&1 &
	echo $! > "$WORK/agent.pid"
	busywait "${AGENT_START_MS:-60000}" eval "tail -n +$((lines + 1)) '$LOG' | grep -q 'resync:'" ||
		{ fail "the agent did not start"; tail -n 20 "$LOG"; return 1; }
}

agent_stop()
{
	local pid
	pid=$(agent_pid) || return 0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	busywait 30000 eval "! kill -0 $pid 2>/dev/null"
	wait "$pid" 2>/dev/null
	rm -f "$WORK/agent.pid"
}

ovs_port_exists()
{
	ovs-vsctl --timeout=5 list-ports "${2:-br0}" | grep -qx "$1"
}

ovs_get()
{
	ovs-vsctl --timeout=5 get "$1" "$2" "$3" 2>/dev/null | tr -d '"'
}

ifindex_of()
{
	cat "/sys/class/net/$1/ifindex"
}

# our_ports_match_kernel: every Port we own has a live tap of that ifindex,
# and every tap of an OVS rule has its Port.
our_ports_match_kernel()
{
	local name idx
	for name in $(ovs-vsctl --timeout=5 --bare --columns=name find Port external_ids:ovskvm-owner=ovskvm); do
		idx=$(ovs_get Port "$name" external_ids:ovskvm-ifindex)
		[ -e "/sys/class/net/$name" ] && [ "$(ifindex_of "$name")" = "$idx" ] ||
			{ echo "stale OVSDB port $name (ifindex $idx)"; return 1; }
	done
	for name in "$@"; do
		ovs_port_exists "$name" || { echo "$name has no OVSDB port"; return 1; }
	done
}

start_guest()
{
	local name=$1 tap=$2 mac=$3 uuid=$4
	qemu-system-x86_64 -S -display none -machine pc -accel tcg -m 32 -nodefaults \
		-name "guest=$name" -uuid "$uuid" \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=n0,mac=$mac" > /dev/null 2>&1 &
	local pid=$!
	busywait 30000 test -e "/sys/class/net/$tap" || { kill -9 $pid; return 1; }
	echo $pid
}

hold()
{
	# nothing may keep the caller's $(...) open: redirect the sleep too
	"$TAPCTL" hold "$@" < <(exec sleep 100000 > /dev/null 2>&1) > /dev/null 2>&1 &
	local pid=$! n
	for n in "$@"; do
		busywait 5000 test -e "/sys/class/net/$n" || { kill $pid; return 1; }
	done
	echo $pid
}

UUID1=7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e01
UUID2=7c2b8f0e-2a4c-4bb1-9c55-0d6f7b0a1e02
MAC1=52:54:00:aa:bb:01
MAC5=52:54:00:aa:bb:05
MAC6=52:54:00:aa:bb:06
BOOT_ID=$(cat /proc/sys/kernel/random/boot_id)

test_qemu_attach()
{
	local pid
	[ $HAVE_QEMU = 1 ] || { skip "no qemu-system-x86_64"; return $KSFT_SKIP; }
	pid=$(start_guest vm1 vnet0 $MAC1 $UUID1) || fail "QEMU did not create vnet0" || return 1
	echo $pid > "$WORK/qemu1.pid"
	busywait 20000 ovs_port_exists vnet0 || fail "vnet0 not on br0" || return 1
	[ "$(ovs_get Port vnet0 tag)" = 10 ] || fail "tag is $(ovs_get Port vnet0 tag), not 10" || return 1
	[ "$(ovs_get Interface vnet0 external_ids:vm-name)" = vm1 ] || fail "vm-name" || return 1
	[ "$(ovs_get Interface vnet0 external_ids:attached-mac)" = $MAC1 ] || fail "attached-mac" || return 1
	[ "$(ovs_get Interface vnet0 external_ids:iface-id)" = "$UUID1-$MAC1" ] || fail "iface-id" || return 1
	[ "$(ovs_get Port vnet0 external_ids:ovskvm-owner)" = ovskvm ] || fail "owner marker" || return 1
	[ "$(ovs_get Port vnet0 external_ids:ovskvm-ifindex)" = "$(ifindex_of vnet0)" ] ||
		fail "ovskvm-ifindex" || return 1
	[ "$(ovs_get Port vnet0 external_ids:ovskvm-boot)" = "$BOOT_ID" ] ||
		fail "ovskvm-boot is '$(ovs_get Port vnet0 external_ids:ovskvm-boot)', not $BOOT_ID" || return 1
	[ "$(ovs_get Port vnet0 other_config:transient)" = true ] ||
		fail "the port is not transient (other_config:transient)" || return 1
	busywait 10000 eval "'$OVSKVM' status | grep -q '^vnet0 .* attached '" ||
		{ "$OVSKVM" status; fail "the module does not report vnet0 attached"; return 1; }
	"$OVSKVM" status
	busywait 5000 eval "ip -o link show vnet0 | grep -q '[<,]UP[,>]'" || fail "vnet0 is not up"
}

test_qemu_kill()
{
	local pid
	pid=$(cat "$WORK/qemu1.pid" 2>/dev/null)
	[ -n "$pid" ] || { skip "no guest from the previous test"; return $KSFT_SKIP; }
	kill -9 "$pid"
	busywait 20000 eval '! ovs_port_exists vnet0' || fail "vnet0 still in OVSDB after kill -9 of QEMU" || return 1
	grep -q 'vnet0: tap gone (ifindex .*), OVSDB port removed' "$LOG" || fail "no log line for the removal"
}

test_name_reuse()
{
	local pid idx
	# the same name created and destroyed 20 times in a row, then held
	timeout 60 "$TAPCTL" cycle 20 tap7 > /dev/null 2>&1 || fail "tapctl cycle" || return 1
	pid=$(hold tap7) || return 1
	on_exit "kill $pid"
	idx=$(ifindex_of tap7)
	busywait 20000 eval "[ \"\$(ovs_get Port tap7 external_ids:ovskvm-ifindex)\" = $idx ]" ||
		fail "tap7's port is not the held tap's (ifindex $idx)" || return 1
	sleep 2
	[ "$(ovs_get Port tap7 external_ids:ovskvm-ifindex)" = "$idx" ] ||
		fail "tap7's port was removed or replaced after the reuse" || return 1
	ovs_port_exists tap7 || fail "tap7 gone"
}

test_agent_restart()
{
	local pid1 pid2
	pid1=$(hold tap20 tap21) || return 1
	on_exit "kill $pid1 2>/dev/null"
	busywait 20000 eval 'ovs_port_exists tap20 && ovs_port_exists tap21' || fail "tap20/21 not attached" || return 1
	kill -9 "$(agent_pid)"
	wait "$(agent_pid)" 2>/dev/null
	rm -f "$WORK/agent.pid"
	kill "$pid1"			# their OVSDB ports are now stale
	busywait 5000 eval '! test -e /sys/class/net/tap20' || return 1
	pid2=$(hold tap22) || return 1
	on_exit "kill $pid2"
	sleep 1
	ovs_port_exists tap22 && { fail "tap22 attached with no agent running"; return 1; }
	agent_start || return 1
	busywait 20000 our_ports_match_kernel tap22 || { our_ports_match_kernel tap22; fail "OVSDB does not match the kernel after the restart"; return 1; }
}

# The reported case.  The agent stops without removing its ports (kill -9:
# only SIGTERM leaves them by design too), the VM's tap goes, a new VM's tap
# of the same name comes under a rule with another VLAN, and ovs-vswitchd
# puts it on the leftover row at once, with the old VM's VLAN and
# external_ids (at boot, other_config:transient and the boot id cover this;
# here the agent must mend it).  The restarted agent rewrites that row in
# place: the same row, never gone while the agent starts, the new VLAN and
# the new VM's identity, and never the new tap's ifindex with the old VLAN.
# Every state the row goes through is seen: ovsdb-client monitor reports
# each committed change (a poll would miss the short ones).
test_stale_row_restart()
{
	local pid1 pid2 idx1 idx2 uuid mon=$WORK/tap5.monitor mpid n bad
	[ $HAVE_QEMU = 1 ] || { skip "no qemu-system-x86_64"; return $KSFT_SKIP; }
	pid1=$(start_guest old5 tap5 $MAC5 $UUID1) || fail "QEMU did not create tap5" || return 1
	on_exit "kill -9 $pid1 2>/dev/null"
	busywait 20000 eval '[ "$(ovs_get Port tap5 tag)" = 10 ]' || fail "tap5 not on VLAN 10" || return 1
	idx1=$(ifindex_of tap5)
	uuid=$(ovs_get Port tap5 _uuid)
	[ "$(ovs_get Interface tap5 external_ids:iface-id)" = "$UUID1-$MAC5" ] || fail "iface-id of the first VM" || return 1

	kill -9 "$(agent_pid)"
	wait "$(agent_pid)" 2>/dev/null
	rm -f "$WORK/agent.pid"
	default_conf 20
	"$OVSKVM" apply "$CONF" > /dev/null || fail "ovskvm apply" || return 1
	kill -9 "$pid1"
	busywait 10000 eval '! test -e /sys/class/net/tap5' || fail "tap5 still there" || return 1
	pid2=$(start_guest new5 tap5 $MAC6 $UUID2) || fail "QEMU did not create the new tap5" || return 1
	on_exit "kill -9 $pid2 2>/dev/null"
	idx2=$(ifindex_of tap5)
	[ "$idx1" != "$idx2" ] || fail "the new tap5 has the old ifindex $idx1" || return 1
	# what the agent comes back to: the new tap in OVS on the old row
	busywait 10000 eval "ip -o link show tap5 | grep -q 'master ovs-system'" ||
		fail "ovs-vswitchd did not put the new tap5 on the leftover row" || return 1
	[ "$(ovs_get Port tap5 tag)" = 10 ] || fail "the leftover row is not on VLAN 10" || return 1
	echo "# tap5 (ifindex $idx2) on the leftover row of ifindex $idx1, VLAN 10, before the agent starts"

	# CSV lines: row uuid, initial|insert|delete|old|new, name, tag,
	# external_ids; a "new" line (all columns) follows the "old" one
	# (changed columns only) that names the row.
	ovsdb-client --format=csv --data=bare --no-headings monitor Open_vSwitch Port \
		name,tag,external_ids > "$mon" 2>&1 &
	mpid=$!
	busywait 10000 grep -q ",initial,tap5," "$mon" || { kill $mpid; fail "no monitor"; return 1; }
	agent_start || { kill $mpid; return 1; }
	busywait 20000 eval '[ "$(ovs_get Port tap5 external_ids:ovskvm-ifindex)" = "$idx2" ]'
	sleep 1
	kill $mpid
	wait $mpid 2>/dev/null
	sed 's/^/# /' "$mon" | grep "tap5\|^# ,new" | head -n 10
	bad=$(awk -F, -v u="$uuid" -v i="$idx2" '
		$2 == "old" { cur = $1; next }
		$2 == "new" && cur == u && $5 ~ ("ovskvm-ifindex=\"*" i "\"*( |\"|$)") && $4 != 20 {
			print "ifindex " i " on VLAN " $4 }
		$2 == "delete" && $1 == u { print "the row was deleted" }
		($2 == "insert" || $2 == "initial") && $3 == "tap5" && $1 != u {
			print "another row " $1 " for tap5" }' "$mon")
	[ -z "$bad" ] || { fail "while the agent started: $bad"; return 1; }
	n=$(awk -F, -v u="$uuid" '$2 == "old" { cur = $1; next } $2 == "new" && cur == u' "$mon" | wc -l)
	[ "$n" = 1 ] || fail "the row changed $n times, not once" || return 1

	[ "$(ovs_get Port tap5 tag)" = 20 ] || fail "tag is $(ovs_get Port tap5 tag), not 20" || return 1
	[ "$(ovs_get Port tap5 external_ids:ovskvm-boot)" = "$BOOT_ID" ] || fail "ovskvm-boot" || return 1
	[ "$(ovs_get Port tap5 other_config:transient)" = true ] || fail "not transient" || return 1
	[ "$(ovs_get Interface tap5 external_ids:iface-id)" = "$UUID2-$MAC6" ] ||
		fail "iface-id is $(ovs_get Interface tap5 external_ids:iface-id)" || return 1
	[ "$(ovs_get Interface tap5 external_ids:vm-name)" = new5 ] || fail "vm-name" || return 1
	[ "$(ovs_get Interface tap5 external_ids:attached-mac)" = $MAC6 ] || fail "attached-mac" || return 1
	ip -o link show tap5 | grep -q 'master ovs-system' || fail "tap5 left the OVS datapath" || return 1
	grep -q "tap5 (ifindex $idx2): added to OVS bridge br0 VLAN 20, on the port of that name left by ifindex $idx1 of this boot, rewritten in place" "$LOG" ||
		fail "no log line for the rewrite" || return 1
	kill -9 "$pid2"
	busywait 20000 eval '! ovs_port_exists tap5' || fail "tap5 not removed after its VM went" || return 1
	default_conf 10
	kill -HUP "$(agent_pid)"
}

test_ovsdb_restart()
{
	local pid args
	pid=$(cat /var/run/openvswitch/ovsdb-server.pid) || return 1
	args=$(tr '\0' ' ' < /proc/$pid/cmdline)
	kill "$pid"
	busywait 10000 eval "! kill -0 $pid 2>/dev/null" || return 1
	pid=$(hold tap30) || return 1
	on_exit "kill $pid"
	sleep 1
	"$OVSKVM" status | grep '^tap30 ' | grep -q pending || { "$OVSKVM" status; fail "tap30 is not pending with OVSDB down"; return 1; }
	$args || fail "restarting ovsdb-server: $args" || return 1
	busywait 30000 ovs_port_exists tap30 || fail "tap30 not attached after ovsdb-server came back" || return 1
	grep -q 'connected to OVSDB' "$LOG" || fail "no reconnection logged"
}

test_missing_bridge()
{
	local pid
	pid=$(hold mb0) || return 1
	on_exit "kill $pid"
	on_exit "ovs-vsctl --timeout=5 --if-exists del-br brmissing"
	busywait 10000 grep -q "mb0: cannot attach: .*brmissing.*ovs-vsctl add-br brmissing" "$LOG" ||
		{ tail -n 5 "$LOG"; fail "no clear error for the missing bridge"; return 1; }
	"$OVSKVM" status | grep '^mb0 ' | grep -q pending || fail "mb0 is not pending" || return 1
	ovs-vsctl --timeout=5 add-br brmissing || return 1
	busywait 20000 ovs_port_exists mb0 brmissing || fail "mb0 not attached once brmissing exists"
}

test_sighup()
{
	local gen pid
	gen=$("$OVSKVM" status --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p' | head -n 1)
	default_conf 5000
	kill -HUP "$(agent_pid)"
	busywait 10000 grep -q "ovskvm.conf:.*VLAN=5000: expected a VLAN id from 1 to 4094" "$LOG" ||
		fail "the bad line is not reported" || return 1
	grep -q "not reloaded, the policy in force is unchanged" "$LOG" || fail "no 'unchanged' message" || return 1
	[ "$("$OVSKVM" status --json | sed -n 's/.*"generation": \([0-9]*\).*/\1/p' | head -n 1)" = "$gen" ] ||
		fail "the policy generation changed" || return 1
	kill -0 "$(agent_pid)" || fail "the agent died" || return 1
	default_conf 20
	kill -HUP "$(agent_pid)"
	busywait 10000 eval "[ \"\$('$OVSKVM' status --json | sed -n 's/.*\"generation\": \([0-9]*\).*/\1/p' | head -n 1)\" != $gen ]" ||
		fail "the good config was not pushed" || return 1
	pid=$(hold tap40) || return 1
	on_exit "kill $pid"
	busywait 20000 eval '[ "$(ovs_get Port tap40 tag)" = 20 ]' || fail "tap40 not on VLAN 20 after the reload"
	default_conf 10
	kill -HUP "$(agent_pid)"
}

# PORT_CHANGED (a policy push, a bridge that appears) is an event like the
# others: the agent must not take it for a gap in the sequence.
test_no_false_resync()
{
	grep -q 'rules\? in force' "$LOG" || fail "no policy push logged" || return 1
	if grep 'lost [0-9]* module events' "$LOG"; then
		fail "module events taken for lost"
		return 1
	fi
	return 0
}

# Taps the previous policy ignored are matched against the agent's policy
# when it starts.
test_start_rematches()
{
	local pid
	agent_stop
	"$NLCTL" set-policy --default > /dev/null || return 1
	pid=$(hold xlate0) || return 1
	on_exit "kill $pid"
	"$NLCTL" port xlate0 | grep -q 'state=ignored' || fail "xlate0 not ignored by the default policy" || return 1
	agent_start || return 1
	busywait 20000 ovs_port_exists xlate0 || fail "xlate0, ignored before the agent started, not attached"
}

test_frames()
{
	busywait 5000 true
	"$TAPCTL" xfer xa0 xb0 20000 || fail "no frame from xa0 arrived at xb0 through OVS"
}

test_valgrind()
{
	local pid
	command -v valgrind > /dev/null || { skip "no valgrind"; return $KSFT_SKIP; }
	agent_stop
	AGENT_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$WORK/valgrind.log"
	AGENT_START_MS=300000 agent_start || return 1
	pid=$(hold tap50) || return 1
	busywait 120000 ovs_port_exists tap50 || fail "tap50 not attached under valgrind" || return 1
	kill "$pid"
	busywait 120000 eval '! ovs_port_exists tap50' || fail "tap50 not removed under valgrind" || return 1
	kill -HUP "$(agent_pid)"
	sleep 3
	pid=$(agent_pid)
	kill -TERM "$pid"
	busywait 120000 eval "! kill -0 $pid 2>/dev/null"
	wait "$pid"
	local rc=$?
	rm -f "$WORK/agent.pid"
	cat "$WORK/valgrind.log"
	[ $rc = 0 ] || fail "the agent exited with $rc under valgrind (99: valgrind errors)"
}

# What `ovs-ctl start --delete-transient-ports` does at boot (ovsdb-server
# started, ovs-vswitchd not yet): our Ports go, an operator's stay.
test_delete_transient()
{
	local pid
	[ -n "$(agent_pid)" ] || AGENT_WRAPPER= agent_start || return 1
	pid=$(hold tap60) || return 1
	on_exit "kill $pid 2>/dev/null"
	busywait 20000 ovs_port_exists tap60 || fail "tap60 not attached" || return 1
	ovs-vsctl --timeout=5 add-port br0 op0 -- set Interface op0 type=internal || return 1
	on_exit "ovs-vsctl --timeout=5 --if-exists del-port op0"
	agent_stop
	$OVS_CTL delete-transient-ports > /dev/null 2>&1 || fail "ovs-ctl delete-transient-ports" || return 1
	ovs_port_exists tap60 && { fail "tap60's port is still there"; return 1; }
	[ -z "$(ovs-vsctl --timeout=5 --bare --columns=name find Port external_ids:ovskvm-owner=ovskvm)" ] ||
		fail "ports of ours left" || return 1
	ovs_port_exists op0 || fail "the operator's op0 was removed"
}

default_conf 10
unload_module
modprobe "$MODULE" || skip_all "modprobe $MODULE failed"
on_exit "unload_module"
ovs_start || skip_all "cannot start Open vSwitch"
on_exit "ovs_stop"
agent_start || skip_all "the agent does not start: $(tail -n 5 "$LOG")"
on_exit "agent_stop"

ktap_plan 13
run_test "a QEMU tap lands on br0 with its VLAN and external_ids" test_qemu_attach
run_test "kill -9 of QEMU removes its OVSDB port" test_qemu_kill
run_test "a tap name reused at once keeps the new tap's port" test_name_reuse
run_test "a restarted agent makes OVSDB match the kernel" test_agent_restart
run_test "a leftover row a new VM's tap was put on is rewritten in place" test_stale_row_restart
run_test "taps wait for ovsdb-server and attach when it is back" test_ovsdb_restart
run_test "a missing bridge is reported, the port attaches once it exists" test_missing_bridge
run_test "a bad config on SIGHUP keeps the policy in force" test_sighup
run_test "policy pushes and new bridges are not taken for lost events" test_no_false_resync
run_test "taps ignored before the agent started are matched by its policy" test_start_rematches
run_test "frames cross OVS from one tap to another" test_frames
run_test "no leak or error under valgrind" test_valgrind
run_test "ovs-ctl delete-transient-ports removes the agent's ports only" test_delete_transient
echo "# agent log:"
sed 's/^/#   /' "$LOG" | tail -n 80
ktap_finished
