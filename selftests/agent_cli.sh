#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ovskvm command line against the real module: load (and load again),
# verify with the module loaded and unloaded, apply of a good file and of bad
# ones (which name FILE:LINE and leave the policy as it was), status --json,
# monitor seeing a tap created while it runs, and the usage and exit codes of
# --help and of an unknown subcommand.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip
OVSKVM=$TOP_DIR/agent/ovskvm
[ -x "$OVSKVM" ] || skip_all "agent/ovskvm is not built (make agent)"
[ -x "$NLCTL" ] || skip_all "selftests/nlctl is not built"
[ -x "$TAPCTL" ] || skip_all "selftests/tapctl is not built"

WORK=$(mktemp -d /tmp/ovskvm-cli.XXXXXX)
on_exit "rm -rf $WORK"

# run_cli NAME ARGS...: run ovskvm, its stdout in $WORK/NAME.out, stderr in
# $WORK/NAME.err (both shown), its exit status returned.
run_cli()
{
	local name=$1 rc
	shift
	"$OVSKVM" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
	rc=$?
	echo "\$ ovskvm $* (exit $rc)"
	sed 's/^/  /' "$WORK/$name.out" "$WORK/$name.err"
	return $rc
}

# write_conf FILE MODE: the file from stdin, root's, with MODE.
write_conf()
{
	cat > "$1"
	chmod "$2" "$1"
}

good_conf()
{
	write_conf "$WORK/good.conf" 0644 <<'CONF'
[Agent]
Bridge=brcli

[Rule]
Action=ignore
Name=cliskip*

[Rule]
Name=cli*
VLAN=10
CONF
}

# the module, freshly loaded with the good file applied
setup()
{
	module_loaded || modprobe "$MODULE" || return 1
	good_conf
	"$OVSKVM" apply "$WORK/good.conf" > /dev/null
}

test_load()
{
	unload_module || fail "cannot unload $MODULE" || return 1
	run_cli load1 load || fail "ovskvm load failed" || return 1
	module_loaded || fail "$MODULE is not loaded after ovskvm load" || return 1
	grep -qx "$MODULE loaded" "$WORK/load1.out" || fail "no '$MODULE loaded'" || return 1
	run_cli load2 load || fail "a second ovskvm load failed" || return 1
	grep -qx "$MODULE is already loaded" "$WORK/load2.out" ||
		fail "the second load does not say '$MODULE is already loaded'" || return 1
	[ ! -s "$WORK/load2.err" ] || fail "the second load wrote to stderr"
}

test_verify_loaded()
{
	module_loaded || modprobe "$MODULE" || return 1
	run_cli verify verify || fail "ovskvm verify failed with the module loaded" || return 1
	grep -q '^\[ OK \] loaded:' "$WORK/verify.out" || fail "no '[ OK ] loaded'" || return 1
	grep -q '^\[ OK \] family:' "$WORK/verify.out" || fail "no '[ OK ] family'" || return 1
	! grep -q '^\[FAIL\]' "$WORK/verify.out" || fail "a check failed"
}

test_verify_unloaded()
{
	on_exit "modprobe $MODULE"
	unload_module || fail "cannot unload $MODULE" || return 1
	run_cli verify verify && { fail "ovskvm verify passed with the module not loaded"; return 1; }
	grep -q "^\[FAIL\] loaded: not loaded: run 'ovskvm load'" "$WORK/verify.out" ||
		fail "the failed check 'loaded' is not named" || return 1
	grep -q '^\[SKIP\] family: not loaded' "$WORK/verify.out" || fail "the family check is not skipped" || return 1
	! module_loaded || fail "ovskvm verify loaded the module"
}

test_apply_good()
{
	local gen
	setup || return 1
	gen=$(status_get gen)
	write_conf "$WORK/next.conf" 0600 <<'CONF'
[Rule]
Name=clinew*
Bridge=brnext
Trunks=20,30-31
CONF
	run_cli apply apply "$WORK/next.conf" || fail "ovskvm apply of a good file failed" || return 1
	"$NLCTL" policy
	[ "$(status_get gen)" != "$gen" ] || fail "the policy generation is still $gen" || return 1
	[ "$(status_get rules)" = 1 ] || fail "$(status_get rules) rules in force, not 1" || return 1
	"$NLCTL" policy | grep -q 'names=clinew\*.*bridge=brnext' ||
		fail "the module does not have the new rule" || return 1
	grep -q "next.conf: applied, 1 rule in force (generation $(status_get gen))" "$WORK/apply.out" ||
		fail "no 'applied' line with the new generation"
}

# apply_rejected FILE MESSAGE: ovskvm apply FILE fails, prints MESSAGE (a
# grep pattern) and leaves the policy as it was.
apply_rejected()
{
	local file=$1 msg=$2 gen policy
	setup || return 1
	gen=$(status_get gen)
	policy=$("$NLCTL" policy)
	run_cli apply apply "$file" && { fail "ovskvm apply of a bad file succeeded"; return 1; }
	grep -q -- "$msg" "$WORK/apply.err" || fail "no message like '$msg'" || return 1
	# the one error, then "not applied": nothing else is wrong in FILE
	[ "$(grep -c "^$file:" "$WORK/apply.err")" = 2 ] || fail "other errors than the one expected" || return 1
	grep -q "not applied, the policy in force is unchanged" "$WORK/apply.err" ||
		fail "no 'not applied' message" || return 1
	[ "$(status_get gen)" = "$gen" ] || fail "the policy generation went from $gen to $(status_get gen)" || return 1
	[ "$("$NLCTL" policy)" = "$policy" ] || fail "the rules in force changed"
}

test_apply_unknown_key()
{
	write_conf "$WORK/bad.conf" 0644 <<'CONF'
[Rule]
Name=clibad*
Colour=blue
Bridge=brbad
CONF
	apply_rejected "$WORK/bad.conf" "^$WORK/bad.conf:3: unknown key 'Colour' in \[Rule\]"
}

test_apply_bad_vlan()
{
	write_conf "$WORK/bad.conf" 0644 <<'CONF'
# one rule
[Rule]

Name=clibad*
VLAN=5000
Bridge=brbad
CONF
	apply_rejected "$WORK/bad.conf" "^$WORK/bad.conf:5: VLAN=5000: expected a VLAN id from 1 to 4094"
}

test_apply_writable()
{
	write_conf "$WORK/open.conf" 0666 <<'CONF'
[Rule]
Name=cliopen*
Bridge=bropen
CONF
	apply_rejected "$WORK/open.conf" "^$WORK/open.conf: writable by others, refusing it (chmod go-w $WORK/open.conf)"
}

test_status_json()
{
	local pid
	command -v python3 > /dev/null || { skip "no python3 to parse the JSON"; return $KSFT_SKIP; }
	setup || return 1
	pid=$(hold_taps cli0 cliskip0) || return 1
	on_exit "kill $pid"
	busywait 5000 eval 'tracked cli0 && tracked cliskip0' || fail "cli0, cliskip0 not tracked" || return 1
	run_cli status status --json > /dev/null || fail "ovskvm status --json failed" || return 1
	python3 -c '
import json, sys
d = json.load(sys.stdin)
ports = {p["ifname"]: p for p in d["ports"]}
for k in ("module", "policy", "stats", "ports"):
    assert k in d, "no key " + k
assert "cli0" in ports and "cliskip0" in ports, "ports: %s" % sorted(ports)
assert ports["cli0"]["state"] == "pending", ports["cli0"]
assert ports["cliskip0"]["state"] == "ignored", ports["cliskip0"]
assert len(d["policy"]["rules"]) == 2, d["policy"]
' < "$WORK/status.out" || fail "status --json is not valid JSON with cli0 and cliskip0 in .ports"
}

test_monitor()
{
	local mon pid
	setup || return 1
	"$OVSKVM" monitor > "$WORK/monitor.out" 2>&1 &
	mon=$!
	on_exit "kill $mon"
	# it prints nothing until it has subscribed: push policies until it
	# reports one, so the tap below cannot come before its subscription
	busywait 10000 eval "'$NLCTL' set-policy 'id=1,action=attach,names=cli*,bridge=brcli' > /dev/null &&
		grep -q ' policy user generation ' '$WORK/monitor.out'" ||
		{ cat "$WORK/monitor.out"; fail "ovskvm monitor reported no policy change"; return 1; }
	pid=$(hold_taps climon0) || return 1
	on_exit "kill $pid"
	busywait 10000 grep -q '^[0-9]* new climon0 ifindex [0-9]* .*state pending.* bridge brcli' "$WORK/monitor.out" ||
		{ cat "$WORK/monitor.out"; fail "no 'new climon0' event"; return 1; }
	kill "$pid"
	busywait 10000 grep -q '^[0-9]* del climon0 ' "$WORK/monitor.out" ||
		{ cat "$WORK/monitor.out"; fail "no 'del climon0' event"; return 1; }
	cat "$WORK/monitor.out"
	kill -0 "$mon" || fail "ovskvm monitor exited"
}

test_usage()
{
	run_cli help --help || fail "ovskvm --help exited with $?" || return 1
	grep -q '^Usage: ovskvm <cmd>' "$WORK/help.out" || fail "no usage from --help" || return 1
	run_cli shelp status --help || fail "ovskvm status --help exited with $?" || return 1
	grep -q '^Usage: ovskvm status' "$WORK/shelp.out" || fail "no usage from status --help" || return 1
	run_cli bogus bogus
	[ $? = 1 ] || fail "ovskvm bogus did not exit 1" || return 1
	grep -q "^Invalid subcommand: 'bogus'" "$WORK/bogus.err" || fail "bogus is not named" || return 1
	grep -q '^Usage: ovskvm <cmd>' "$WORK/bogus.err" || fail "no usage for bogus"
}

unload_module
on_exit "unload_module"

ktap_plan 10
run_test "ovskvm load loads the module, then says it is already loaded" test_load
run_test "ovskvm verify passes with the module loaded" test_verify_loaded
run_test "ovskvm verify fails and names the checks with the module unloaded" test_verify_unloaded
run_test "ovskvm apply of a good file changes the policy" test_apply_good
run_test "ovskvm apply: an unknown key is named at FILE:LINE, the policy stays" test_apply_unknown_key
run_test "ovskvm apply: VLAN=5000 is named at FILE:LINE, the policy stays" test_apply_bad_vlan
run_test "ovskvm apply: a file writable by others is refused, the policy stays" test_apply_writable
run_test "ovskvm status --json is valid JSON with the ports" test_status_json
run_test "ovskvm monitor prints an event for a tap created while it runs" test_monitor
run_test "--help exits 0, an unknown subcommand exits 1 with the usage" test_usage
ktap_finished
