#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The agent as ovskvm.service runs it, with sd_notify_listen.py in
# systemd's place at NOTIFY_SOCKET: READY=1 comes only once the policy is in
# force and the first resync has run (the taps that waited are on br0 when
# it arrives, the agent stopped there to look), and does not wait for
# OVSDB; RELOADING=1 (with MONOTONIC_USEC=) and READY=1 with the outcome in
# STATUS= around a SIGHUP, good file or bad; STOPPING=1 at SIGTERM.  One
# agent per host: a second one exits at once, naming the first one's pid,
# and pushes nothing; the lock goes with a killed agent.  The unit's
# capabilities: CAP_NET_ADMIN and CAP_DAC_OVERRIDE are enough, the second
# needed when ovsdb-server runs as its own user.  Then the unit itself under
# systemd 252 (in the test VM only, see below): ready before a libvirtd.service,
# sandboxed as it says, reloaded and stopped with systemctl.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ovs-vsctl ovsdb-server ovsdb-tool ip setpriv
OVSKVM=${OVSKVM:-$TOP_DIR/agent/ovskvm}
LISTEN=$SELFTESTS_DIR/sd_notify_listen.py
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
[ -x "$OVSKVM" ] || skip_all "agent/ovskvm is not built (make agent)"
[ -x "$TAPCTL" ] || skip_all "selftests/tapctl is not built"
[ -x "$NLCTL" ] || skip_all "selftests/nlctl is not built"
[ -x "$OVS_CTL" ] || skip_all "no $OVS_CTL"
[ -x /usr/bin/python3 ] || skip_all "needs /usr/bin/python3 for $LISTEN"

WORK=$(mktemp -d /tmp/ovskvm-systemd.XXXXXX)
chmod 0755 "$WORK"		# ovsdb-server as nobody keeps its files here
CONF=$WORK/ovskvm.conf
on_exit "rm -rf $WORK"

write_conf()
{
	cat > "$CONF"
	chmod 0644 "$CONF"
}

# conf [VLAN]: three rules when VLAN is given, else one
conf()
{
	write_conf <<CONF
[Agent]
Bridge=br0
Timeout=${TIMEOUT:-2s}
ReconnectMax=1s
LogLevel=debug
${OVSDB:+OVSDB=$OVSDB}

[Rule]
Name=sd*
${1:+VLAN=$1}
ExternalID=vm-name=%n
${1:+
[Rule]
Name=nothing0
Action=ignore

[Rule]
Name=nothing1
Action=ignore}
CONF
}

# Open vSwitch as agent_ovs.sh starts it, but on a database of its own: the
# Port rows earlier runs left would have ovs-vswitchd take the taps itself.
OVS_DB=/etc/openvswitch/conf.db
ovs_start()
{
	if [ ! -e "$WORK/conf.db.was" ]; then
		if [ -f $OVS_DB ]; then
			mv $OVS_DB "$WORK/conf.db.saved" && echo saved
		else
			echo none
		fi > "$WORK/conf.db.was"
	fi
	$OVS_CTL start --system-id=random --no-mlockall > "$WORK/ovs.log" 2>&1 ||
		{ cat "$WORK/ovs.log"; return 1; }
	ovs-vsctl --timeout=10 --may-exist add-br br0
}

ovs_stop()
{
	$OVS_CTL stop > /dev/null 2>&1
	case $(cat "$WORK/conf.db.was" 2> /dev/null) in
	saved) mv -f "$WORK/conf.db.saved" $OVS_DB ;;
	none) rm -f $OVS_DB ;;
	esac
	rm -f "$WORK/conf.db.was"
}

ovs_port_exists()
{
	ovs-vsctl --timeout=5 list-ports "${2:-br0}" | grep -qx "$1"
}

hold()
{
	"$TAPCTL" hold "$@" < <(exec sleep 100000 > /dev/null 2>&1) > /dev/null 2>&1 &
	local pid=$! n
	for n in "$@"; do
		busywait 5000 test -e "/sys/class/net/$n" || { kill $pid; return 1; }
	done
	echo $pid
}

gen()
{
	status_get gen
}

now_ms()
{
	date +%s%3N
}

# Listeners and agents outlive the test case that starts them (the next
# ones go on with them); every $WORK/*.pid is killed at exit.

# listen NAME: systemd's end of $WORK/NAME.sock, messages in $WORK/NAME.notify;
# at each READY=1 the agent stops while snap.sh records what is in force.
listen()
{
	local name=$1
	: > "$WORK/$name.notify"
	/usr/bin/python3 "$LISTEN" --freeze "$WORK/snap.sh $WORK/$name" \
		"$WORK/$name.sock" "$WORK/$name.notify" > "$WORK/$name.listen.log" 2>&1 &
	echo $! > "$WORK/$name.listen.pid"
	busywait 10000 test -S "$WORK/$name.sock" || { fail "the listener did not start"; return 1; }
}

# start NAME [WRAPPER...]: an agent notifying $WORK/NAME.sock, its log in
# $WORK/NAME.log, its pid in NAME.pid and, once it exits, its status in NAME.rc
start()
{
	local name=$1
	shift
	rm -f "$WORK/$name.pid" "$WORK/$name.rc"
	now_ms > "$WORK/$name.t0"
	(
		NOTIFY_SOCKET=$WORK/$name.sock "$@" "$OVSKVM" agent -c "$CONF" --no-load \
			>> "$WORK/$name.log" 2>&1 &
		echo $! > "$WORK/$name.pid"
		wait $!
		echo $? > "$WORK/$name.rc"
	) > /dev/null 2>&1 &
	busywait 5000 test -s "$WORK/$name.pid"
}

pid_of()
{
	cat "$WORK/$1.pid"
}

stop()
{
	local pid
	pid=$(cat "$WORK/$1.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	busywait 20000 test -s "$WORK/$1.rc"
}

# msg NAME N: the Nth message received, its lines joined by '|'
msg()
{
	sed -n "${2}p" "$WORK/$1.notify" | cut -d' ' -f4-
}

count()
{
	wc -l < "$WORK/$1.notify"
}

# field MSG KEY: the value of KEY= in a message
field()
{
	tr '|' '\n' <<< "$1" | sed -n "s/^$2=//p"
}

# wait_msg NAME N TIMEOUT_MS: until N messages have arrived
wait_msg()
{
	busywait "$3" eval "[ \$(count $1) -ge $2 ]"
}

show()
{
	echo "messages to $1.sock:"
	sed 's/^/  /' "$WORK/$1.notify"
	echo "agent log:"
	tail -n 15 "$WORK/$1.log" | sed 's/^/  /'
}

cat > "$WORK/snap.sh" <<SNAP
#!/bin/sh
# run by the listener while the agent is stopped at READY=1
out=\$1.ready\$NOTIFY_SEQ
ovs-vsctl --timeout=5 list-ports br0 > \$out.ports 2>&1
"$NLCTL" status > \$out.status 2>&1
cp \$1.log \$out.log
SNAP
chmod +x "$WORK/snap.sh"

test_ready()
{
	local pid n m status g t0 t1
	pid=$(hold sd0 sd1 sd2) || return 1
	echo $pid > "$WORK/taps.pid"
	for n in sd0 sd1 sd2; do
		port_is $n state pending || { fail "$n is not pending before the agent starts"; return 1; }
	done
	listen a || return 1
	start a
	wait_msg a 1 60000 || { show a; fail "no message within 60 s"; return 1; }
	m=$(msg a 1)
	[ "$(cut -d'|' -f1 <<< "$m")" = READY=1 ] || { show a; fail "the first message is not READY=1"; return 1; }
	[ "$(sed -n 1p "$WORK/a.notify" | cut -d' ' -f3)" = "$(pid_of a)" ] ||
		{ show a; fail "READY=1 did not come from the agent's own pid"; return 1; }
	# what was in force when the agent said READY=1 (it was stopped there)
	g=$(sed -n 's/.*rules\? in force (generation \([0-9]*\)).*/\1/p' "$WORK/a.ready1.log" | tail -n 1)
	[ -n "$g" ] || { show a; fail "READY=1 before the policy push was logged"; return 1; }
	grep -q "gen=$g " "$WORK/a.ready1.status" ||
		{ cat "$WORK/a.ready1.status"; fail "the module's policy was not the agent's (generation $g) at READY=1"; return 1; }
	grep -q 'resync:' "$WORK/a.ready1.log" || { show a; fail "READY=1 before the first resync"; return 1; }
	for n in sd0 sd1 sd2; do
		grep -qx $n "$WORK/a.ready1.ports" ||
			{ cat "$WORK/a.ready1.ports"; fail "$n was not on br0 yet at READY=1"; return 1; }
	done
	status=$(field "$m" STATUS)
	[ "$status" = "1 rule of $CONF in force (generation $g); OVSDB connected" ] ||
		{ fail "STATUS=$status"; return 1; }
	t0=$(cat "$WORK/a.t0")
	t1=$(sed -n 1p "$WORK/a.notify" | cut -d' ' -f2)
	echo "time to READY=1, 3 taps waiting, OVSDB up: $((t1 - t0)) ms"
}

test_reload()
{
	local n m g usec recv status
	n=$(count a)
	g=$(gen)
	conf 10
	kill -HUP "$(pid_of a)"
	wait_msg a $((n + 2)) 20000 || { show a; fail "no RELOADING=1 and READY=1 after SIGHUP"; return 1; }
	m=$(msg a $((n + 1)))
	[ "$(cut -d'|' -f1 <<< "$m")" = RELOADING=1 ] || { show a; fail "not RELOADING=1 first"; return 1; }
	usec=$(field "$m" MONOTONIC_USEC)
	recv=$(sed -n "$((n + 1))p" "$WORK/a.notify" | cut -d' ' -f1 | cut -d. -f1)
	[ -n "$usec" ] && [ $((recv - usec / 1000)) -ge 0 ] && [ $((recv - usec / 1000)) -lt 5000 ] ||
		{ show a; fail "MONOTONIC_USEC=$usec is not the time of sending (received at $recv ms)"; return 1; }
	m=$(msg a $((n + 2)))
	[ "$(cut -d'|' -f1 <<< "$m")" = READY=1 ] || { show a; fail "no READY=1 after RELOADING=1"; return 1; }
	status=$(field "$m" STATUS)
	[ "$status" = "3 rules of $CONF in force (generation $((g + 1))); OVSDB connected" ] ||
		{ show a; fail "STATUS=$status"; return 1; }
	grep -q "gen=$((g + 1)) " "$WORK/a.ready$((n + 2)).status" ||
		fail "the new policy was not in force at READY=1"
}

test_reload_bad()
{
	local n m g status
	n=$(count a)
	g=$(gen)
	conf 5000
	kill -HUP "$(pid_of a)"
	wait_msg a $((n + 2)) 20000 || { show a; fail "no RELOADING=1 and READY=1 after SIGHUP"; return 1; }
	[ "$(msg a $((n + 1)) | cut -d'|' -f1)" = RELOADING=1 ] || { show a; fail "not RELOADING=1 first"; return 1; }
	m=$(msg a $((n + 2)))
	[ "$(cut -d'|' -f1 <<< "$m")" = READY=1 ] || { show a; fail "no READY=1 after RELOADING=1"; return 1; }
	status=$(field "$m" STATUS)
	[ "$status" = "reload failed (see the journal), the previous policy stays: 3 rules of $CONF in force (generation $g); OVSDB connected" ] ||
		{ show a; fail "STATUS=$status"; return 1; }
	[ "$(gen)" = "$g" ] || { fail "the policy changed"; return 1; }
	kill -0 "$(pid_of a)" || fail "the agent died"
}

test_second_agent()
{
	local g rc t0 t1
	g=$(gen)
	conf 20
	listen second || return 1
	t0=$(now_ms)
	NOTIFY_SOCKET=$WORK/second.sock timeout 20 "$OVSKVM" agent -c "$CONF" --no-load \
		> "$WORK/second.log" 2>&1
	rc=$?
	t1=$(now_ms)
	cat "$WORK/second.log"
	[ $rc = 1 ] || { fail "the second agent exited with $rc, not 1"; return 1; }
	grep -q "another ovskvm agent is running (pid $(pid_of a), holding /run/ovskvm/agent.lock)" \
		"$WORK/second.log" || { fail "the message does not name the running agent's pid $(pid_of a)"; return 1; }
	[ "$(gen)" = "$g" ] || { fail "the second agent pushed its policy"; return 1; }
	[ "$(count second)" = 0 ] || { show second; fail "the second agent notified"; return 1; }
	kill -0 "$(pid_of a)" || { fail "the first agent died"; return 1; }
	echo "refused in $((t1 - t0)) ms"
}

test_stopping()
{
	local n rc
	n=$(count a)
	stop a || { fail "the agent did not exit"; return 1; }
	rc=$(cat "$WORK/a.rc")
	[ "$rc" = 0 ] || { fail "exit status $rc"; return 1; }
	wait_msg a $((n + 1)) 5000 || { show a; fail "no STOPPING=1"; return 1; }
	[ "$(msg a $((n + 1)))" = "STOPPING=1|STATUS=stopping" ] || { show a; fail "not STOPPING=1"; return 1; }
}

# READY=1 never waits for OVS; STATUS= follows OVSDB coming back.
test_ovsdb_down()
{
	local pid args t0 t1 status
	pid=$(cat /var/run/openvswitch/ovsdb-server.pid) || return 1
	args=$(tr '\0' ' ' < /proc/$pid/cmdline)
	kill "$pid"
	busywait 10000 eval "! kill -0 $pid 2>/dev/null" || return 1
	listen b || return 1
	start b
	wait_msg b 1 60000 || { show b; fail "no READY=1 with OVSDB down"; return 1; }
	status=$(field "$(msg b 1)" STATUS)
	[ "$(msg b 1 | cut -d'|' -f1)" = READY=1 ] &&
	[ "$status" = "3 rules of $CONF in force (generation $(gen)); OVSDB unix:/var/run/openvswitch/db.sock unreachable, taps wait pending" ] ||
		{ show b; fail "not READY=1 with OVSDB unreachable"; return 1; }
	t0=$(cat "$WORK/b.t0")
	t1=$(sed -n 1p "$WORK/b.notify" | cut -d' ' -f2)
	echo "time to READY=1, OVSDB down: $((t1 - t0)) ms"
	$args || { fail "restarting ovsdb-server: $args"; return 1; }
	wait_msg b 2 30000 || { show b; fail "no STATUS= once OVSDB is back"; return 1; }
	[ "$(msg b 2)" = "STATUS=3 rules of $CONF in force (generation $(gen)); OVSDB connected" ] ||
		{ show b; fail "not STATUS=...OVSDB connected"; return 1; }
}

# kill -9 leaves the lock file, not the lock
test_lock_dies()
{
	kill -9 "$(pid_of b)"
	busywait 10000 test -s "$WORK/b.rc" || { fail "the agent survived kill -9"; return 1; }
	[ -f /run/ovskvm/agent.lock ] || { fail "no lock file"; return 1; }
	listen c || return 1
	start c
	wait_msg c 1 60000 || { show c; fail "no READY=1 from an agent started after kill -9"; return 1; }
	[ "$(msg c 1 | cut -d'|' -f1)" = READY=1 ] || { show c; fail "not READY=1"; return 1; }
	grep -qx "$(pid_of c)" /run/ovskvm/agent.lock || fail "the lock file does not name the new agent"
}

# The unit's view of the system, as far as unshare goes: /proc with pid
# directories only (ProcSubset=pid), / read-only, the unit's capabilities.
# The agent still reads QEMU's command line for the guest's name.
# An OVSDB call waits on a hung ovsdb-server for up to Timeout=; SIGTERM
# meanwhile ends the agent at once, not at the timeout.
test_stop_hung_ovsdb()
{
	local db pid taps t0 t1 rc
	stop c
	TIMEOUT=60s conf
	listen h || return 1
	start h
	wait_msg h 1 60000 || { show h; fail "no READY=1"; return 1; }
	pid=$(pid_of h)
	db=$(cat /var/run/openvswitch/ovsdb-server.pid) || return 1
	kill -STOP "$db"
	taps=$(hold sdh0) || { kill -CONT "$db"; fail "cannot create sdh0"; return 1; }
	echo "$taps" > "$WORK/hung-taps.pid"
	# the agent's batch goes out 5 ms after the event, then waits for a reply
	busywait 10000 grep -q 'sdh0 (ifindex [0-9]*): new tap' "$WORK/h.log" ||
		{ kill -CONT "$db"; show h; fail "the agent did not see sdh0"; return 1; }
	sleep 1
	t0=$(now_ms)
	kill -TERM "$pid"
	# a sixth of the timeout: far more than a prompt exit takes under TCG
	busywait 10000 test -s "$WORK/h.rc"
	t1=$(now_ms)
	kill -CONT "$db"
	conf
	if ! [ -s "$WORK/h.rc" ]; then
		busywait 70000 test -s "$WORK/h.rc"
		echo "exited $(($(now_ms) - t0)) ms after SIGTERM"
		show h
		fail "still running 10 s after SIGTERM, its OVSDB call in flight (Timeout=60s)"
		return 1
	fi
	rc=$(cat "$WORK/h.rc")
	echo "exited $((t1 - t0)) ms after SIGTERM, the OVSDB call in flight (Timeout=60s)"
	[ "$rc" = 0 ] || { show h; fail "exit status $rc"; return 1; }
	grep -q 'no reply from ovsdb-server within the timeout' "$WORK/h.log" &&
		{ show h; fail "the agent waited for the timeout"; return 1; }
	grep -q 'exiting on SIGTERM' "$WORK/h.log" || { show h; fail "no 'exiting on SIGTERM'"; return 1; }
	kill "$taps" 2> /dev/null
	return 0
}

test_proc_subset()
{
	local pid qemu
	command -v qemu-system-x86_64 > /dev/null || { skip "no qemu-system-x86_64"; return $KSFT_SKIP; }
	stop c
	listen f || return 1
	start f unshare --mount --propagation private /bin/sh -c \
		'mount -t proc -o subset=pid proc /proc && mount -o bind,remount,ro / && exec "$@"' sh \
		setpriv --bounding-set=-all,+net_admin,+dac_override --inh-caps=-all --no-new-privs
	wait_msg f 1 60000 || { show f; fail "no READY=1"; return 1; }
	pid=$(pid_of f)
	awk '$5 == "/proc"' /proc/$pid/mountinfo | tail -n 1 | grep -q 'subset=pid' &&
		awk '$5 == "/"' /proc/$pid/mountinfo | tail -n 1 | grep -q ' ro[, ]' ||
		{ cat /proc/$pid/mountinfo; fail "not the agent's view of the system meant here"; return 1; }
	qemu=$(start_qemu vm7 sd7 52:54:00:aa:bb:07) || { fail "QEMU did not create sd7"; return 1; }
	echo $qemu > "$WORK/qemu7.pid"
	busywait 30000 ovs_port_exists sd7 || { show f; fail "sd7 not on br0"; return 1; }
	[ "$(ovs-vsctl --timeout=5 get Interface sd7 external_ids:vm-name | tr -d '"')" = vm7 ] ||
		{ show f; fail "no vm-name from QEMU's command line"; return 1; }
	kill "$qemu"
	stop f
}

# ovsdb-server as its own user: db.sock is srwxr-x--- and not root's.
ovsdb_as_nobody()
{
	local d=$WORK/ovsu
	mkdir -p "$d"
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	chown -R nobody "$d"
	ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --unixctl="$d/ctl" \
		--pidfile="$d/pid" --detach --user nobody:nogroup --no-chdir \
		--log-file="$d/log" -vconsole:off || return 1
	on_exit "kill \$(cat $d/pid)"
	busywait 10000 test -S "$d/db.sock" || return 1
	ls -l "$d/db.sock"
}

# CAPS: what the unit's CapabilityBoundingSet= leaves a root process
test_caps()
{
	local status
	stop c
	stop f
	ovsdb_as_nobody || { fail "cannot start ovsdb-server as nobody"; return 1; }
	OVSDB=unix:$WORK/ovsu/db.sock conf 10
	listen d || return 1
	start d setpriv --bounding-set=-all,+net_admin,+dac_override --inh-caps=-all --no-new-privs
	wait_msg d 1 60000 || { show d; fail "no READY=1 with CAP_NET_ADMIN CAP_DAC_OVERRIDE"; return 1; }
	status=$(field "$(msg d 1)" STATUS)
	[ "$status" = "3 rules of $CONF in force (generation $(gen)); OVSDB connected" ] ||
		{ show d; fail "STATUS=$status"; return 1; }
	grep -q 'CapBnd:.*0000000000001002$' /proc/"$(pid_of d)"/status ||
		{ grep Cap /proc/"$(pid_of d)"/status; fail "not the unit's capability set"; return 1; }
	stop d
	# without CAP_DAC_OVERRIDE, root cannot connect to nobody's socket
	listen e || return 1
	start e setpriv --bounding-set=-all,+net_admin --inh-caps=-all --no-new-privs
	wait_msg e 1 60000 || { show e; fail "no READY=1 with CAP_NET_ADMIN alone"; return 1; }
	status=$(field "$(msg e 1)" STATUS)
	stop e
	[[ $status = *"OVSDB unix:$WORK/ovsu/db.sock unreachable"* ]] &&
		grep -q 'Permission denied' "$WORK/e.log" ||
		{ show e; fail "connected to nobody's db.sock without CAP_DAC_OVERRIDE: is the test right?"; return 1; }
	echo "without CAP_DAC_OVERRIDE: $(grep -m1 'cannot reach OVSDB' "$WORK/e.log")"
}

# --- the unit under systemd ---------------------------------------------------
#
# ovskvm.service as `make install` puts it, run by systemd itself: in the
# test VM, whose init is not systemd, systemd 252 runs as PID 1 of a PID and
# mount namespace of its own and starts, from the Debian units installed,
# Open vSwitch, then ovskvm.service with its whole sandbox, then a stand-in
# for libvirtd.service whose guest (QEMU, or a held tap) creates sd9 at once.
# Only in the test VM (selftests/vm/run makes /ovskvm-job): on a host this
# second systemd would start a second Open vSwitch.  It gets /tmp and
# /var/tmp of its own, which its systemd-tmpfiles-setup empties, and no udev
# or sysctl: the selftests after this one share the VM's devices and kernel.

SD_DIR=/run/ovskvm-selftest	# not /tmp: the unit's PrivateTmp= hides it
SD_UNITS=/run/systemd/system
SD_CONF=/etc/ovskvm.conf
SD_MASKED="systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
	systemd-udev-trigger.service systemd-sysctl.service"

sd_pid()
{
	cat "$SD_DIR/systemd.pid"
}

# sd CMD...: CMD in systemd's namespaces (its /proc, pids and mounts)
sd()
{
	nsenter -t "$(sd_pid)" -m -p "$@"
}

sd_show()
{
	sd systemctl show -P "$2" "$1"
}

sd_conf()
{
	cat > "$SD_CONF" <<CONF
[Agent]
Bridge=br0
LogLevel=debug

[Rule]
Name=sd*
${1:+VLAN=$1}
ExternalID=vm-name=%n
CONF
	chmod 0644 "$SD_CONF"
}

sd_teardown()
{
	local pid
	pid=$(sd_pid 2>/dev/null)
	if [ -n "$pid" ]; then
		sd systemctl stop libvirtd.service ovskvm.service openvswitch-switch.service \
			ovs-vswitchd.service ovsdb-server.service > /dev/null 2>&1
		kill -9 "$pid"		# the namespace's init: all in it go too
		busywait 10000 eval "! kill -0 $pid 2>/dev/null"
	fi
	ip link del ovs-system 2> /dev/null
	unload_module
	make -s -C "$TOP_DIR/agent" uninstall > /dev/null 2>&1
	rm -f "$SD_CONF" "$SD_UNITS/ovskvm-selftest.target" "$SD_UNITS/libvirtd.service" \
		"$SD_UNITS/ovskvm-selftest-br0.service"
	for u in $SD_MASKED; do
		rm -f "$SD_UNITS/$u"
	done
	if [ -f "$SD_DIR/conf.db" ]; then
		cp -p "$SD_DIR/conf.db" /etc/openvswitch/conf.db
	else
		rm -f /etc/openvswitch/conf.db
	fi
	rm -rf "$SD_DIR" /run/ovskvm
}

# sd_setup: prints why when it cannot
sd_setup()
{
	local guest pid
	[ -d /ovskvm-job ] || { echo "only in the test VM (selftests/vm/run): it boots a second systemd"; return 1; }
	[ "$(cat /proc/1/comm)" != systemd ] || { echo "PID 1 is systemd"; return 1; }
	for c in /lib/systemd/systemd nsenter unshare; do
		command -v $c > /dev/null || { echo "needs $c"; return 1; }
	done
	mkdir -p "$SD_DIR" "$SD_UNITS"
	[ -f /etc/openvswitch/conf.db ] && cp -p /etc/openvswitch/conf.db "$SD_DIR/"
	rm -f /etc/openvswitch/conf.db
	on_exit sd_teardown
	make -s -C "$TOP_DIR/agent" install > "$SD_DIR/install.log" 2>&1 ||
		{ cat "$SD_DIR/install.log"; return 1; }
	sd_conf
	if command -v qemu-system-x86_64 > /dev/null; then
		guest="$(command -v qemu-system-x86_64) -S -display none -machine pc -accel tcg -m 32 -nodefaults -name guest=vm9 -netdev tap,id=n0,ifname=sd9,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:09"
	else
		cp "$TAPCTL" "$SD_DIR/"	# its /tmp is not ours
		guest="$SD_DIR/tapctl hold sd9"
	fi
	cat > "$SD_UNITS/libvirtd.service" <<UNIT
[Unit]
Description=stand-in for libvirtd: one guest started at boot

[Service]
ExecStartPre=/bin/sh -c 'systemctl show -p ActiveState -p StatusText ovskvm.service > $SD_DIR/libvirtd-saw'
ExecStart=$guest
UNIT
	cat > "$SD_UNITS/ovskvm-selftest-br0.service" <<UNIT
[Unit]
Description=stand-in for the host's Open vSwitch configuration: br0
Requires=openvswitch-switch.service
After=openvswitch-switch.service
Before=ovskvm.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=$(command -v ovs-vsctl) --timeout=30 --may-exist add-br br0
UNIT
	cat > "$SD_UNITS/ovskvm-selftest.target" <<UNIT
[Unit]
Description=ovskvm selftest: OVS with br0, the agent and a guest
Wants=ovskvm-selftest-br0.service ovskvm.service libvirtd.service
After=ovskvm-selftest-br0.service ovskvm.service libvirtd.service
UNIT
	for u in $SD_MASKED; do
		ln -sf /dev/null "$SD_UNITS/$u"
	done
	unload_module
	unshare --pid --fork --mount --propagation private --mount-proc /bin/sh -c \
		'mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /var/tmp &&
		exec env container=ovskvm-selftest /lib/systemd/systemd --unit=ovskvm-selftest.target' \
		> "$SD_DIR/systemd.log" 2>&1 &
	pid=$!
	busywait 10000 eval "pgrep -P $pid > '$SD_DIR/systemd.pid' && [ \"\$(cat /proc/\$(sd_pid)/comm)\" = systemd ]" ||
		{ cat "$SD_DIR/systemd.log"; echo "systemd did not start"; return 1; }
	busywait 180000 eval '[ "$(sd_show ovskvm-selftest.target ActiveState)" = active ]' ||
		{ sd systemctl --no-pager status ovskvm.service; echo "ovskvm-selftest.target not active after 180 s"; return 1; }
}

test_sd_ready()
{
	local status start active
	[ "$(sd_show ovskvm.service SubState)" = running ] ||
		{ sd systemctl --no-pager status ovskvm.service; fail "ovskvm.service is not running"; return 1; }
	sd systemctl --no-pager status ovskvm.service | sed -n '1,9p'
	status=$(sd_show ovskvm.service StatusText)
	[[ $status = "1 rule of $SD_CONF in force (generation "*"); OVSDB connected" ]] ||
		{ fail "StatusText=$status"; return 1; }
	module_loaded || { fail "ExecStartPre= did not load the module"; return 1; }
	sd journalctl --no-pager -u ovskvm.service | grep -q "$MODULE loaded" ||
		{ fail "no '$MODULE loaded' from ExecStartPre="; return 1; }
	start=$(sd_show ovskvm.service ExecMainStartTimestampMonotonic)
	active=$(sd_show ovskvm.service ActiveEnterTimestampMonotonic)
	echo "time to READY=1 under systemd: $(((active - start) / 1000)) ms"
}

test_sd_sandbox()
{
	local pid st
	pid=$(sd_show ovskvm.service MainPID)
	st=$(sd cat /proc/$pid/status)
	grep -E '^(Cap|NoNewPrivs|Seccomp)' <<< "$st"
	grep -q '^CapBnd:.*0000000000001002$' <<< "$st" &&
		grep -q '^CapEff:.*0000000000001002$' <<< "$st" ||
		{ fail "not CAP_NET_ADMIN and CAP_DAC_OVERRIDE alone"; return 1; }
	grep -q '^NoNewPrivs:.*1$' <<< "$st" || { fail "NoNewPrivs is not set"; return 1; }
	grep -q '^Seccomp:.*2$' <<< "$st" || { fail "no seccomp filter"; return 1; }
	sd cat /proc/$pid/mountinfo | awk '$5 == "/"' | tail -n 1 | grep -q ' ro[, ]' ||
		{ fail "/ is not read-only for the agent"; return 1; }
	[ "$(sd_show ovskvm.service NRestarts)" = 0 ] || { fail "the agent was restarted"; return 1; }
	if sd journalctl --no-pager -u ovskvm.service | grep -Ei 'not permitted|bad system call|SIGSYS|permission denied'; then
		fail "the sandbox got in the agent's way"
		return 1
	fi
}

test_sd_before_libvirt()
{
	[ "$(sed -n 's/^ActiveState=//p' "$SD_DIR/libvirtd-saw")" = active ] ||
		{ cat "$SD_DIR/libvirtd-saw"; fail "libvirtd.service started before ovskvm.service was ready"; return 1; }
	grep -q '^StatusText=.* in force ' "$SD_DIR/libvirtd-saw" ||
		{ cat "$SD_DIR/libvirtd-saw"; fail "no policy in force when libvirtd.service started"; return 1; }
	# (no vm-name here: the module records the host's pids, which this
	# systemd's PID namespace does not see; test_proc_subset covers it)
	busywait 60000 eval "sd ovs-vsctl --timeout=5 list-ports br0 | grep -qx sd9" ||
		fail "the boot-time guest's sd9 is not on br0"
}

test_sd_reload()
{
	local gen status t0 at_return
	gen=$(status_get gen)
	sd_conf 30
	t0=$(now_ms)
	sd systemctl reload ovskvm.service || { fail "systemctl reload failed"; return 1; }
	at_return=$(sd_show ovskvm.service StatusText)
	busywait 10000 eval '[[ "$(sd_show ovskvm.service StatusText)" = *"(generation $((gen + 1)))"* ]]' ||
		{ fail "StatusText=$(sd_show ovskvm.service StatusText)"; return 1; }
	echo "systemctl reload returned after $(($(now_ms) - t0)) ms or less; StatusText at its return: $at_return"
	[ "$(status_get gen)" = $((gen + 1)) ] || fail "the module's generation is not $((gen + 1))"
}

test_sd_reload_bad()
{
	local gen status
	gen=$(status_get gen)
	status=$(sd_show ovskvm.service StatusText)
	sd_conf 5000
	if sd systemctl reload ovskvm.service; then
		fail "systemctl reload of a bad file succeeded"
		return 1
	fi
	sd journalctl --no-pager -u ovskvm.service | grep 'VLAN=5000' | tail -n 1
	[ "$(status_get gen)" = "$gen" ] || { fail "the policy changed"; return 1; }
	[ "$(sd_show ovskvm.service StatusText)" = "$status" ] || { fail "StatusText changed"; return 1; }
	[ "$(sd_show ovskvm.service SubState)" = running ] || fail "the agent is not running"
	sd_conf 30
}

test_sd_second_agent()
{
	local pid rc
	pid=$(sd_show ovskvm.service MainPID)
	sd timeout 20 /usr/sbin/ovskvm agent --no-load > "$SD_DIR/second.log" 2>&1
	rc=$?
	cat "$SD_DIR/second.log"
	[ $rc = 1 ] || { fail "exit status $rc"; return 1; }
	grep -q "another ovskvm agent is running (pid $pid," "$SD_DIR/second.log" ||
		fail "the message does not name MainPID $pid"
}

test_sd_stop()
{
	sd systemctl stop ovskvm.service || { fail "systemctl stop failed"; return 1; }
	[ "$(sd_show ovskvm.service Result)" = success ] && [ "$(sd_show ovskvm.service ExecMainStatus)" = 0 ] ||
		{ sd systemctl --no-pager status ovskvm.service; fail "not a clean stop"; return 1; }
	[ -f /run/ovskvm/agent.lock ] || fail "RuntimeDirectoryPreserve=yes did not keep /run/ovskvm"
}

SD_TESTS=(
	"systemd starts ovskvm.service: READY=1, STATUS=, the module loaded by ExecStartPre=+" test_sd_ready
	"its main process: the unit's capabilities, no new privileges, seccomp, a read-only /" test_sd_sandbox
	"a libvirtd.service starts once the policy is in force; its guest's tap lands on br0" test_sd_before_libvirt
	"systemctl reload: the new policy and its generation in STATUS=" test_sd_reload
	"systemctl reload of a bad file fails and changes nothing" test_sd_reload_bad
	"a second agent refuses to start beside the service, naming its MainPID" test_sd_second_agent
	"systemctl stop: a clean exit, the lock's directory kept" test_sd_stop
)

conf
unload_module
load_module bridge=br0 match='sd*' || skip_all "modprobe $MODULE failed"
on_exit "unload_module"
ovs_start || skip_all "cannot start Open vSwitch"
on_exit "ovs_stop"
on_exit "for p in $WORK/*.pid; do kill \$(cat \$p) 2>/dev/null; done"

ktap_plan $((10 + ${#SD_TESTS[@]} / 2))
run_test "READY=1 once the policy is in force and the first resync has run" test_ready
run_test "SIGHUP: RELOADING=1, READY=1, the new policy in STATUS=" test_reload
run_test "SIGHUP with a bad file: READY=1, STATUS= says the reload failed" test_reload_bad
run_test "a second agent refuses to start, naming the first one's pid" test_second_agent
run_test "SIGTERM: STOPPING=1 and exit 0" test_stopping
run_test "READY=1 with OVSDB down, STATUS= follows it coming back" test_ovsdb_down
run_test "the lock goes with a killed agent" test_lock_dies
run_test "SIGTERM ends the agent at once while its OVSDB call waits on a hung server" test_stop_hung_ovsdb
run_test "/proc as ProcSubset=pid, / read-only: QEMU's command line is still read" test_proc_subset
run_test "CAP_NET_ADMIN and CAP_DAC_OVERRIDE suffice, db.sock of another user" test_caps

# the agents, OVS and the module of the tests above go before systemd comes
for p in "$WORK"/*.pid; do kill "$(cat "$p")" 2>/dev/null; done
ovs_stop
ip link del ovs-system 2> /dev/null
unload_module
if sd_setup > "$WORK/sd_setup.log" 2>&1; then
	for ((i = 0; i < ${#SD_TESTS[@]}; i += 2)); do
		run_test "${SD_TESTS[i]}" "${SD_TESTS[i + 1]}"
	done
else
	sed 's/^/# /' "$WORK/sd_setup.log"
	for ((i = 0; i < ${#SD_TESTS[@]}; i += 2)); do
		ktap_skip "${SD_TESTS[i]}" "$(tail -n 1 "$WORK/sd_setup.log")"
	done
fi
ktap_finished
