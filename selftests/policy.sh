#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policy semantics: first match wins, ignore rules, each match criterion
# (name globs, MAC/mask, creator uid range, creator comm), a rejected policy
# keeps the one in force, re-evaluation, and policy replacement while taps
# come and go.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip setpriv

setup()
{
	load_module bridge= || return 1
	on_exit "unload_module"
}

test_first_match()
{
	local pid
	setup || return 1
	"$NLCTL" set-policy 'id=1,action=ignore,names=pskip*' \
		'id=2,action=attach,names=p*,bridge=pbrA' \
		'id=3,action=attach,bridge=pbrB' || return 1
	pid=$(hold_taps pskip0 ptap0 qtap0) || return 1
	on_exit "kill $pid"
	"$NLCTL" ports
	port_is pskip0 state ignored && port_is pskip0 rule 1 || fail "pskip0 not ignored by rule 1" || return 1
	port_is ptap0 rule 2 && port_is ptap0 bridge pbrA || fail "ptap0 not on rule 2" || return 1
	port_is qtap0 rule 3 && port_is qtap0 bridge pbrB || fail "qtap0 not on rule 3" || return 1
	port_is ptap0 state pending && port_is ptap0 kind none || fail "ptap0 not pending for a missing bridge"
}

test_no_rule_matches()
{
	local pid
	setup || return 1
	"$NLCTL" set-policy 'id=1,action=attach,names=vnet*,bridge=br0' || return 1
	pid=$(hold_taps other0) || return 1
	on_exit "kill $pid"
	port_is other0 state ignored || fail "a tap no rule matches is not ignored" || return 1
	[ -z "$(port_get other0 rule)" ] || fail "a rule id is reported"
}

test_mac_match()
{
	setup || return 1
	"$NLCTL" set-policy 'id=5,action=attach,mac=02:aa:bb:00:00:00,mask=ff:ff:ff:00:00:00,bridge=pbrM' \
		'id=6,action=attach,names=pmac*,bridge=pbrWait' || return 1
	ip tuntap add dev pmac0 mode tap || return 1
	on_exit "ip link del pmac0"
	ip link set dev pmac0 address 12:00:00:00:00:01
	port_is pmac0 rule 6 || fail "matched a foreign MAC" || return 1
	# A MAC set while the port still waits for its first attach (libvirt
	# sets it right after creating the tap) matches it again.
	ip link set dev pmac0 address 02:aa:bb:01:02:03 || return 1
	"$NLCTL" port pmac0
	port_is pmac0 rule 5 && port_is pmac0 state pending || fail "MAC rule did not match after the address change"
}

test_uid_and_comm()
{
	local pid
	setup || return 1
	"$NLCTL" set-policy 'id=7,action=attach,uid=1000-1999,bridge=pbrU' \
		'id=8,action=attach,comm=tapc*,bridge=pbrC' || return 1
	setpriv --reuid=1500 --regid=1500 --clear-groups --inh-caps=+net_admin \
		--ambient-caps=+net_admin "$TAPCTL" hold puid0 > /dev/null 2>&1 &
	pid=$!
	on_exit "kill $pid"
	busywait 5000 tracked puid0 || fail "puid0 not created" || return 1
	"$NLCTL" port puid0
	port_is puid0 uid 1500 && port_is puid0 rule 7 || fail "uid 1500 did not match 1000-1999" || return 1
	pid=$(hold_taps pcomm0) || return 1
	on_exit "kill $pid"
	port_is pcomm0 rule 8 || fail "uid 0 tapctl did not fall through to the comm rule"
}

test_rejected_keeps_policy()
{
	local before after
	setup || return 1
	"$NLCTL" set-policy 'id=1,action=attach,names=k*,bridge=keep0' || return 1
	before=$("$NLCTL" policy)
	"$NLCTL" set-policy 'id=1,action=ignore' 'id=2,action=attach,bridge=b,vlan=5000' &&
		{ fail "a VLAN of 5000 was accepted"; return 1; }
	after=$("$NLCTL" policy)
	echo "$after"
	[ "$before" = "$after" ] || fail "policy changed by a rejected request"
}

test_reevaluate()
{
	local pid
	setup || return 1
	pid=$(hold_taps prev0) || return 1
	on_exit "kill $pid"
	port_is prev0 state ignored || return 1
	"$NLCTL" set-policy 'id=9,action=attach,names=prev*,bridge=pbrR' || return 1
	# A new policy re-matches pending ports only.
	port_is prev0 state ignored || fail "an ignored port was re-matched by a policy change" || return 1
	"$NLCTL" reevaluate "$(port_get prev0 ifindex)" || return 1
	port_is prev0 rule 9 && port_is prev0 state pending || fail "reevaluate did not re-match"
}

test_pending_follow_policy()
{
	local pid
	setup || return 1
	"$NLCTL" set-policy 'id=1,action=attach,bridge=pbr1' || return 1
	pid=$(hold_taps pfol0) || return 1
	on_exit "kill $pid"
	port_is pfol0 bridge pbr1 || return 1
	"$NLCTL" set-policy 'id=2,action=attach,bridge=pbr2,vlan=42' || return 1
	port_is pfol0 bridge pbr2 && port_is pfol0 vlan 42 || fail "pending port kept the old target"
}

test_replace_under_load()
{
	local i pid rc=0
	setup || return 1
	"$NLCTL" set-policy 'id=100,action=attach,bridge=pbrX' || return 1
	pid=$(churn_taps 20 pload%d)
	on_exit "stop_churn $pid"
	for i in $(seq 100); do
		if [ $((i % 2)) = 0 ]; then
			"$NLCTL" set-policy 'id=100,action=attach,bridge=pbrX' 'id=101,action=ignore'
		else
			"$NLCTL" set-policy 'id=200,action=ignore,names=nomatch*' 'id=201,action=attach,bridge=pbrY,vlan=7'
		fi || { fail "set-policy $i failed"; rc=1; break; }
		# A dump shows one whole policy: ids 100,101 or 200,201.
		"$NLCTL" policy | awk '{print $4}' | tr '\n' ' ' |
			grep -Eq '^id=100 id=101 $|^id=200 id=201 $|^id=100 $' ||
			{ fail "dump shows a mixed policy: $("$NLCTL" policy)"; rc=1; break; }
	done
	stop_churn "$pid"
	busywait 10000 eval '[ "$(status_get ports)" = 0 ]'
	"$NLCTL" status
	[ "$(status_get ports)" = 0 ] || { fail "ports left: $(status_get ports)"; rc=1; }
	[ "$(status_get seen)" = "$(status_get removed)" ] || { fail "seen != removed"; rc=1; }
	echo "taps created during the replacements: $(status_get seen)"
	[ "$(status_get seen)" -gt 0 ] || { fail "no taps were created concurrently"; rc=1; }
	return $rc
}

ktap_plan 8
run_test "first matching rule wins; ignore rules" test_first_match
run_test "a tap no rule matches is ignored" test_no_rule_matches
run_test "MAC with mask matches, also after an address change" test_mac_match
run_test "creator uid range and comm glob match" test_uid_and_comm
run_test "a rejected policy leaves the previous one in force" test_rejected_keeps_policy
run_test "reevaluate re-matches a port on request" test_reevaluate
run_test "pending ports follow a new policy" test_pending_follow_policy
run_test "100 policy replacements while taps come and go" test_replace_under_load
ktap_finished
