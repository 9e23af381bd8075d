#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The agent watches its own OVSDB rows and the bridges (monitor_cond) with a
# real ovsdb-server and ovs-vswitchd: a bridge deleted and created again
# (ifupdown does that), in two commands or in one transaction, gets its taps
# back; a bridge created late takes its waiting taps at once, without the
# 2 s retry; an operator's del-port is respected unless ReattachDeleted=yes;
# and an Interface that ovs-vswitchd cannot add shows its error in `ovskvm
# status` and the log.
#
# Pass or fail never hangs on a tight timer (the VM may run under TCG): the
# bounds are generous, the figures measured are printed.

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

WORK=$(mktemp -d /tmp/ovskvm-monitor.XXXXXX)
CONF=$WORK/ovskvm.conf
LOG=$WORK/agent.log
: > "$LOG"
on_exit "rm -rf $WORK"

# write_conf [REATTACH]: ReattachDeleted= only when given.
write_conf()
{
	{
		echo "[Agent]"
		echo "Bridge=br0"
		echo "Timeout=5s"
		echo "ReconnectMax=1s"
		echo "LogLevel=debug"
		[ -n "${1:-}" ] && echo "ReattachDeleted=$1"
		cat <<CONF

[Rule]
Name=late*
Bridge=brlate

[Rule]
Name=mon* dp* er*
VLAN=10
ExternalID=iface=%i
ExternalID=site=lab
CONF
	} > "$CONF"
	chmod 0644 "$CONF"
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
	"$OVSKVM" agent -c "$CONF" --no-load >> "$LOG" 2>&1 &
	echo $! > "$WORK/agent.pid"
	busywait 60000 eval "tail -n +$((lines + 1)) '$LOG' | grep -q 'resync:'" ||
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

# agent_reload: SIGHUP, and wait until the new policy is in force.
agent_reload()
{
	local n
	n=$(grep -c 'rules\? in force' "$LOG")
	kill -HUP "$(agent_pid)" || return 1
	busywait 20000 eval "[ \$(grep -c 'rules\\? in force' '$LOG') -gt $n ]" ||
		{ tail -n 10 "$LOG"; fail "the agent did not reload $CONF"; }
}

ovs_port_exists()
{
	ovs-vsctl --timeout=5 list-ports "${2:-br0}" 2>/dev/null | grep -qx "$1"
}

ovs_get()
{
	ovs-vsctl --timeout=5 get "$1" "$2" "$3" 2>/dev/null | tr -d '"'
}

# port_complete NAME: on br0 as the rule says, VLAN and external_ids.
port_complete()
{
	ovs_port_exists "$1" &&
	[ "$(ovs_get Port "$1" tag)" = 10 ] &&
	[ "$(ovs_get Interface "$1" external_ids:iface)" = "$1" ] &&
	[ "$(ovs_get Interface "$1" external_ids:site)" = lab ] &&
	[ "$(ovs_get Port "$1" external_ids:ovskvm-owner)" = ovskvm ] &&
	[ "$(ovs_get Port "$1" external_ids:ovskvm-ifindex)" = "$(cat "/sys/class/net/$1/ifindex")" ]
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

# in_datapath TAP: ovs-vswitchd has put TAP in the datapath.
in_datapath()
{
	[ "$(master_of "$1")" = ovs-system ]
}

ms()
{
	date +%s%3N
}

# log_after LINE PATTERN: a log line matching PATTERN after line LINE.
log_after()
{
	tail -n +"$(($1 + 1))" "$LOG" | grep -q -- "$2"
}

# (a) ifupdown's way of (re)configuring an OVS bridge: del-br, add-br.
test_delbr_addbr()
{
	local pid t0 t1
	pid=$(hold mon0) || return 1
	on_exit "kill $pid"
	busywait 20000 port_complete mon0 || fail "mon0 not attached to br0 with VLAN 10 and external_ids" || return 1
	t0=$(ms)
	ovs-vsctl --timeout=10 del-br br0 || return 1
	ovs-vsctl --timeout=10 add-br br0 || return 1
	t1=$(ms)
	# the kernel's view first: a readlink is cheap, an ovs-vsctl is not
	busywait 20000 in_datapath mon0 ||
		{ tail -n 15 "$LOG"; fail "mon0 not back in the datapath 20 s after del-br/add-br"; return 1; }
	echo "del-br + add-br took $((t1 - t0)) ms; mon0 back in the datapath $(( $(ms) - t1 )) ms after add-br returned (bound 20000 ms)"
	busywait 20000 ovs_port_exists mon0 ||
		{ tail -n 15 "$LOG"; fail "mon0 not back on br0 20 s after del-br/add-br"; return 1; }
	busywait 20000 port_complete mon0 ||
		{ tail -n 15 "$LOG"; fail "mon0 back on br0 without its VLAN 10 and external_ids"; return 1; }
	busywait 20000 eval "'$OVSKVM' status | grep -q '^mon0 .* attached '" ||
		{ "$OVSKVM" status; fail "the module does not report mon0 attached again"; }
}

# (a2) the same in one transaction: the Bridge row is deleted and one of the
# same name created in a single commit; the Port went with the old row.
test_delbr_addbr_one_txn()
{
	local pid t0 line
	pid=$(hold mon1) || return 1
	on_exit "kill $pid"
	busywait 20000 port_complete mon1 || fail "mon1 not attached to br0 with VLAN 10 and external_ids" || return 1
	line=$(wc -l < "$LOG")
	t0=$(ms)
	ovs-vsctl --timeout=10 --if-exists del-br br0 -- add-br br0 || return 1
	busywait 20000 port_complete mon1 ||
		{ tail -n 15 "$LOG"; fail "mon1 not back on br0 with its VLAN 10 and external_ids 20 s after del-br -- add-br"; return 1; }
	echo "mon1 back on br0 $(( $(ms) - t0 )) ms after del-br -- add-br started (bound 20000 ms)"
	log_after "$line" "mon1 (ifindex [0-9]*): .*removed by someone else" &&
		{ fail "del-br -- add-br taken for an operator's del-port"; return 1; }
	busywait 20000 eval "'$OVSKVM' status | grep -q '^mon1 .* attached '" ||
		{ "$OVSKVM" status; fail "the module does not report mon1 attached again"; }
}

# (b) a rule's bridge that does not exist yet: the tap waits and attaches as
# soon as the bridge is created, because the Bridge row appeared (not on the
# 2 s retry nor on the kernel seeing the bridge's device).
test_bridge_appears()
{
	local pid t0 t1 t2 line
	on_exit "ovs-vsctl --timeout=5 --if-exists del-br brlate"
	pid=$(hold late0) || return 1
	on_exit "kill $pid"
	busywait 20000 grep -q "late0: cannot attach: .*brlate" "$LOG" ||
		{ tail -n 5 "$LOG"; fail "no error for the missing bridge"; return 1; }
	"$OVSKVM" status | grep '^late0 ' | grep -q pending || fail "late0 is not pending" || return 1
	line=$(wc -l < "$LOG")
	t0=$(ms)
	ovs-vsctl --timeout=10 add-br brlate || return 1
	t1=$(ms)
	busywait 20000 in_datapath late0 || fail "late0 not in the datapath once brlate exists" || return 1
	t2=$(ms)
	busywait 20000 ovs_port_exists late0 brlate || fail "late0 not on brlate in OVSDB" || return 1
	echo "add-br took $((t1 - t0)) ms; late0 in the datapath $((t2 - t0)) ms after add-br started, $((t2 - t1)) ms after it returned (bound 20000 ms)"
	busywait 5000 log_after "$line" "late0 (ifindex [0-9]*): added to OVS bridge brlate" || return 1
	# what made the agent act: the Bridge row, before late0 was added
	tail -n +"$((line + 1))" "$LOG" | grep -E "bridge brlate appeared|late0" | sed 's/^/  log: /'
	tail -n +"$((line + 1))" "$LOG" | grep -E "bridge brlate appeared|late0 .*added to OVS bridge" |
		head -n 1 | grep -q "bridge brlate appeared" ||
		fail "the attach of late0 did not follow the Bridge row's appearance"
}

# (c) an operator's del-port is respected, and logged; with
# ReattachDeleted=yes the port is added again.
test_delport()
{
	local pid pid2 line t0
	pid=$(hold dp0) || return 1
	on_exit "kill $pid"
	busywait 20000 port_complete dp0 || fail "dp0 not attached" || return 1
	line=$(wc -l < "$LOG")
	ovs-vsctl --timeout=10 del-port br0 dp0 || return 1
	busywait 10000 log_after "$line" "dp0 (ifindex [0-9]*): .*removed by someone else.*left alone" ||
		{ tail -n 10 "$LOG"; fail "the operator's del-port of dp0 is not logged"; return 1; }
	sleep 3
	ovs_port_exists dp0 && { fail "dp0 re-added although ReattachDeleted is off"; return 1; }
	[ "$(tail -n +"$((line + 1))" "$LOG" | grep -c "dp0 (ifindex [0-9]*): .*removed by someone else")" = 1 ] ||
		fail "logged more than once" || return 1

	write_conf yes
	agent_reload || return 1
	pid2=$(hold dp1) || return 1
	on_exit "kill $pid2"
	busywait 20000 port_complete dp1 || fail "dp1 not attached" || return 1
	line=$(wc -l < "$LOG")
	ovs-vsctl --timeout=10 del-port br0 dp1 || return 1
	t0=$(ms)
	busywait 20000 port_complete dp1 ||
		{ tail -n 10 "$LOG"; fail "dp1 not re-added with ReattachDeleted=yes"; return 1; }
	echo "dp1 re-added on br0 $(( $(ms) - t0 )) ms after del-port returned (bound 20000 ms)"
	log_after "$line" "dp1 (ifindex [0-9]*): .*removed by someone else.*re-adding" || fail "no log line for the re-add" || return 1
	ovs_port_exists dp0 && { fail "dp0, deleted before the setting, came back"; return 1; }
	write_conf
	agent_reload
}

# (d) ovs-vswitchd cannot add the port: its Interface error shows in
# `ovskvm status` and the log, and goes when the error does.
test_iface_error()
{
	local pid line
	$OVS_CTL --no-ovsdb-server stop > "$WORK/ovs.log" 2>&1 || { cat "$WORK/ovs.log"; return 1; }
	on_exit "$OVS_CTL --no-ovsdb-server start --system-id=random --no-mlockall"
	pid=$(hold er0) || return 1
	on_exit "kill $pid"
	busywait 20000 eval "ovs-vsctl --timeout=5 --bare --columns=name find Port name=er0 | grep -qx er0" ||
		fail "no OVSDB port for er0" || return 1
	ovs-vsctl --timeout=5 --no-wait set Interface er0 type=bogus || return 1
	line=$(wc -l < "$LOG")
	$OVS_CTL --no-ovsdb-server start --system-id=random --no-mlockall > "$WORK/ovs.log" 2>&1 ||
		{ cat "$WORK/ovs.log"; return 1; }
	echo "OVSDB: error=$(ovs_get Interface er0 error) ofport=$(ovs_get Interface er0 ofport)"
	busywait 20000 eval "'$OVSKVM' status | grep '^er0 ' | grep -q 'pending.*agent: .*er0'" ||
		{ "$OVSKVM" status; tail -n 10 "$LOG"; fail "ovskvm status does not show the Interface error of er0"; return 1; }
	"$OVSKVM" status | grep '^er0 '
	log_after "$line" "er0: Open vSwitch cannot add it:" || fail "the error is not logged" || return 1
	ovs-vsctl --timeout=10 set Interface er0 type='""' || return 1
	busywait 20000 eval "'$OVSKVM' status | grep -q '^er0 .* attached '" ||
		{ "$OVSKVM" status; fail "er0 not attached once its type is fixed"; return 1; }
	busywait 10000 log_after "$line" "er0: the Open vSwitch error is gone" || fail "the end of the error is not logged" || return 1
	"$OVSKVM" status | grep '^er0 ' | grep -q 'agent:' && fail "the error is still shown"
	return 0
}

write_conf
unload_module
modprobe "$MODULE" || skip_all "modprobe $MODULE failed"
on_exit "unload_module"
ovs_start || skip_all "cannot start Open vSwitch"
on_exit "ovs_stop"
agent_start || skip_all "the agent does not start: $(tail -n 5 "$LOG")"
on_exit "agent_stop"

ktap_plan 5
run_test "del-br + add-br puts an attached tap back on the bridge" test_delbr_addbr
run_test "del-br -- add-br in one transaction does too" test_delbr_addbr_one_txn
run_test "a bridge created late takes its waiting tap at once" test_bridge_appears
run_test "an operator's del-port is respected unless ReattachDeleted=yes" test_delport
run_test "an Interface error shows in ovskvm status and the log" test_iface_error
echo "# agent log:"
sed 's/^/#   /' "$LOG" | tail -n 80
ktap_finished
