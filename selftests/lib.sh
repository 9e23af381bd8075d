# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the ovskvm_autoport selftests: KTAP output, skip with
# exit 4, cleanup on exit, busywait.  A test script sources this file, calls
# ktap_plan N, runs its cases with run_test and ends with ktap_finished.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$SELFTESTS_DIR/.." && pwd)
MODULE=ovskvm_autoport

_ktap_n=0
_ktap_pass=0
_ktap_fail=0
_ktap_skip=0
_cleanups=()

ktap_plan()
{
	echo "TAP version 13"
	echo "1..$1"
}

# skip_all REASON: nothing in this file can run here.
skip_all()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

ktap_pass()
{
	_ktap_n=$((_ktap_n + 1)); _ktap_pass=$((_ktap_pass + 1))
	echo "ok $_ktap_n $*"
}

ktap_fail()
{
	_ktap_n=$((_ktap_n + 1)); _ktap_fail=$((_ktap_fail + 1))
	echo "not ok $_ktap_n $*"
}

ktap_skip()
{
	local desc=$1; shift
	_ktap_n=$((_ktap_n + 1)); _ktap_skip=$((_ktap_skip + 1))
	echo "ok $_ktap_n $desc # SKIP $*"
}

# run_test DESC FUNC [ARGS...]: run one case in a subshell.  FUNC returns 0
# (pass), $KSFT_SKIP after calling skip REASON, or anything else (fail).  Its
# output is shown as diagnostics; cleanups it registers with on_exit run when
# it returns.
run_test()
{
	local desc=$1; shift
	local out rc reason
	out=$(mktemp)
	(
		_cleanups=()
		trap _run_cleanups EXIT
		"$@"
	) 2>&1 | tee "$out" | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	reason=$(sed -n 's/^SKIP: //p' "$out" | tail -n 1)
	rm -f "$out"
	case $rc in
	0) ktap_pass "$desc" ;;
	4) ktap_skip "$desc" "${reason:-skipped}" ;;
	*) ktap_fail "$desc" ;;
	esac
	return 0
}

# skip REASON: in a test case, say why it skips, then return $KSFT_SKIP.
skip()
{
	echo "SKIP: $*"
}

ktap_finished()
{
	echo "# totals: pass:$_ktap_pass fail:$_ktap_fail skip:$_ktap_skip"
	if [ $_ktap_fail -gt 0 ]; then
		exit $KSFT_FAIL
	elif [ $_ktap_pass -eq 0 ] && [ $_ktap_skip -gt 0 ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# on_exit CMD: run CMD (a string) when the script exits, last added first.
on_exit()
{
	_cleanups=("$1" "${_cleanups[@]}")
}

_run_cleanups()
{
	local c
	for c in "${_cleanups[@]}"; do
		eval "$c" > /dev/null 2>&1
	done
}
trap _run_cleanups EXIT

# as_nobody CMD...: run CMD as uid/gid 65534 with no capabilities.
as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

# slow_ms MS: MS times OVSKVM_VM_SLOWDOWN, which the test VM sets for a
# debug kernel: every bound on a wait goes through it.
slow_ms() { echo $(($1 * ${OVSKVM_VM_SLOWDOWN:-1})); }

# busywait TIMEOUT_MS CMD...: run CMD until it succeeds or TIMEOUT_MS pass
# (slow_ms).
busywait()
{
	local timeout_ms; timeout_ms=$(slow_ms "$1"); shift
	local start now
	start=$(date +%s%3N)
	while true; do
		"$@" && return 0
		now=$(date +%s%3N)
		[ $((now - start)) -ge "$timeout_ms" ] && return 1
		sleep 0.05
	done
}

# fail MSG: print a diagnostic and return failure from a test function.
fail()
{
	echo "FAIL: $*" >&2
	return 1
}

require_root()
{
	[ "$(id -u)" = 0 ] || skip_all "needs root"
}

require_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" > /dev/null || skip_all "needs $c"
	done
}

# require_module: the module must be installed for the running kernel.
require_module()
{
	modinfo "$MODULE" > /dev/null 2>&1 ||
		skip_all "$MODULE is not installed for $(uname -r)"
}

module_loaded()
{
	[ -d /sys/module/$MODULE ]
}

unload_module()
{
	module_loaded || return 0
	modprobe -r "$MODULE"
}

# --- ovskvm_autoport helpers -------------------------------------------------

NLCTL=$SELFTESTS_DIR/nlctl
TAPCTL=$SELFTESTS_DIR/tapctl

# load_module [--defaults | PARAM=VALUE...]: a fresh load with these
# parameters.  The tests create taps with ip and tapctl, not QEMU, so the
# default policy's creator=qemu-system-* is cleared unless the caller names
# creator= itself; --defaults loads with no parameter at all.
load_module()
{
	unload_module || return 1
	if [ "${1:-}" = --defaults ]; then
		modprobe "$MODULE"
	elif printf '%s\n' "$@" | grep -q '^creator=' ||
		! modinfo -F parm "$MODULE" | grep -q '^creator:'; then
		modprobe "$MODULE" "$@"
	else
		modprobe "$MODULE" creator= "$@"
	fi
}

# port_get NAME KEY: the module's record of tap NAME, field KEY.
port_get()
{
	"$NLCTL" port "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# status_get KEY: a field of the module's status.
status_get()
{
	"$NLCTL" status | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# port_is NAME KEY VALUE: for busywait.
port_is()
{
	[ "$(port_get "$1" "$2")" = "$3" ]
}

tracked()
{
	"$NLCTL" port "$1" > /dev/null 2>&1
}

# hold_taps NAME...: create taps as QEMU does, held by a background tapctl
# whose pid is printed; kill it to remove them.
hold_taps()
{
	local n
	"$TAPCTL" hold "$@" > /dev/null 2>&1 &
	local pid=$!
	for n in "$@"; do
		[ "$n" = --tun ] && continue
		busywait 5000 test -e "/sys/class/net/$n" || { kill $pid; return 1; }
	done
	echo $pid
}

# churn_taps N NAME: create and delete taps named NAME (%d allowed), N per
# round, in the background until stop_churn; prints the loop's pid.
churn_taps()
{
	(
		while true; do
			"$TAPCTL" cycle "$1" "$2" > /dev/null 2>&1 || true
		done
	) > /dev/null 2>&1 &
	echo $!
}

# stop_churn PID: stop what churn_taps PID started and wait until it is gone.
# Killing the loop alone is not enough: its tapctl would finish its cycle and
# create taps after the caller believes the churn over.  Frozen first, the
# loop starts no other; its tapctl, killed, closes its taps with its files.
stop_churn()
{
	local pid=$1
	kill -STOP "$pid" 2> /dev/null
	pkill -KILL -P "$pid"
	kill -KILL "$pid" 2> /dev/null
	busywait 10000 eval "! kill -0 $pid 2> /dev/null && ! pgrep -P $pid > /dev/null"
}

# agent_start, agent_stop: the agent in the background with the script's
# $CONF, logging to $LOG, its pid in $WORK/agent.pid ($OVSKVM: agent/ovskvm);
# agent_start returns once it has resynced, agent_stop once it has exited.
agent_start()
{
	local lines
	lines=$(wc -l < "$LOG")
	"$OVSKVM" agent -c "$CONF" --no-load >> "$LOG" 2>&1 &
	echo $! > "$WORK/agent.pid"
	busywait 60000 eval "tail -n +$((lines + 1)) '$LOG' | grep -q 'resync:'" ||
		{ tail -n 20 "$LOG"; echo "the agent did not start"; return 1; }
}

agent_stop()
{
	local pid
	pid=$(cat "$WORK/agent.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	busywait 30000 eval "! kill -0 $pid 2>/dev/null"
	rm -f "$WORK/agent.pid"
}

# start_qemu NAME TAP MAC [UUID]: a QEMU guest stopped before its first
# instruction (-S) with one virtio NIC on a tap it creates, as a VM start
# does; prints QEMU's pid once the tap exists.
start_qemu()
{
	local name=$1 tap=$2 mac=$3 uuid=${4:-$(cat /proc/sys/kernel/random/uuid)}
	qemu-system-x86_64 -S -display none -machine pc -accel tcg -m 32 -nodefaults \
		-name "guest=$name" -uuid "$uuid" \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=n0,mac=$mac" > /dev/null 2>&1 &
	local pid=$!
	busywait 30000 test -e "/sys/class/net/$tap" || { kill $pid; return 1; }
	echo $pid
}

link_up()
{
	ip -o link show dev "$1" 2>/dev/null | grep -q '<[^>]*\bUP\b'
}

master_of()
{
	basename "$(readlink "/sys/class/net/$1/master" 2>/dev/null)" 2>/dev/null
}

# start_ovs: a fresh OVSDB and ovs-vswitchd (the Debian binaries), stopped
# on exit.  Skips the calling test when Open vSwitch is not installed.
OVS_RUNDIR=/var/run/openvswitch
start_ovs()
{
	command -v ovs-vswitchd > /dev/null || { skip "Open vSwitch not installed"; return $KSFT_SKIP; }
	modprobe openvswitch || return 1
	mkdir -p $OVS_RUNDIR /var/log/openvswitch /etc/openvswitch
	rm -f /etc/openvswitch/conf.db
	ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema || return 1
	ovsdb-server /etc/openvswitch/conf.db --remote=punix:$OVS_RUNDIR/db.sock \
		--pidfile=$OVS_RUNDIR/ovsdb-server.pid --detach \
		--log-file=/var/log/openvswitch/ovsdb-server.log -vconsole:off || return 1
	on_exit "stop_ovs"
	ovs-vsctl --no-wait init || return 1
	ovs-vswitchd unix:$OVS_RUNDIR/db.sock --pidfile=$OVS_RUNDIR/ovs-vswitchd.pid \
		--detach --log-file=/var/log/openvswitch/ovs-vswitchd.log -vconsole:off || return 1
	ovs-vsctl --timeout=30 show > /dev/null
}

stop_ovs()
{
	local d
	for d in ovs-vswitchd ovsdb-server; do
		[ -f $OVS_RUNDIR/$d.pid ] && kill "$(cat $OVS_RUNDIR/$d.pid)" 2>/dev/null
	done
	busywait 5000 eval '! pgrep -x ovs-vswitchd > /dev/null && ! pgrep -x ovsdb-server > /dev/null'
	# ovs-vswitchd leaves its datapath and the bridges' internal devices
	# behind on exit, for a restart: a later test's br0 would clash.
	ovs-dpctl del-dp system@ovs-system 2>/dev/null
	ip link del ovs-system 2>/dev/null
	rm -f $OVS_RUNDIR/*.pid
	return 0
}
