#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The trust model: nobody but root can load the module, loading it changes
# no existing tap, whoever holds a tap's fd cannot make the module match it
# again, an unknown creator matches no uid or comm rule, and only GET_STATUS
# is open to unprivileged users.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd ip setpriv

make_bridge()
{
	ip link add "$1" type bridge || return 1
	on_exit "ip link del $1"
	ip link set "$1" up
}

test_no_autoload()
{
	unload_module || return 1
	# Resolving the family name is open to every user: it must not load us.
	as_nobody "$NLCTL" status && { fail "an unprivileged user reached the family"; return 1; }
	module_loaded && { fail "an unprivileged family lookup loaded the module"; return 1; }
	"$NLCTL" status && { fail "the family resolved without the module"; return 1; }
	module_loaded && { fail "a family lookup by root loaded the module"; return 1; }
	return 0
}

test_preexisting_untouched()
{
	local before after
	unload_module || return 1
	make_bridge br0 || return 1
	# A routed tap with an address, and a persistent tap of an unprivileged
	# user: neither may end up on br0 because the module loaded.
	ip tuntap add dev tpre1 mode tap || return 1
	on_exit "ip link del tpre1"
	ip addr add 192.0.2.1/24 dev tpre1 || return 1
	ip tuntap add dev tpre2 mode tap user 65534 || return 1
	on_exit "ip link del tpre2"
	before=$(ip -o link show tpre1; ip -o link show tpre2; ip -o addr show dev tpre1)
	load_module match='tpre*' || return 1
	on_exit "unload_module"
	sleep 0.5
	"$NLCTL" ports
	after=$(ip -o link show tpre1; ip -o link show tpre2; ip -o addr show dev tpre1)
	[ "$before" = "$after" ] || fail "loading the module changed existing taps:
$before
$after" || return 1
	port_is tpre1 state ignored && port_is tpre2 state ignored ||
		fail "pre-existing taps are not just tracked" || return 1
	[ -z "$(master_of tpre1)$(master_of tpre2)" ] || fail "a pre-existing tap was enslaved" || return 1
	# A rule that opts in, and an administrator's request, take it.
	"$NLCTL" set-policy 'id=1,action=attach,names=tpre1,bridge=br0,up,preexisting' || return 1
	port_is tpre1 state ignored || fail "a policy push acted on an ignored pre-existing tap" || return 1
	"$NLCTL" reevaluate "$(port_get tpre1 ifindex)" || return 1
	busywait 5000 port_is tpre1 state attached || fail "the opt-in rule did not attach tpre1" || return 1
	[ -z "$(master_of tpre2)" ] || fail "tpre2 was taken by a rule naming tpre1"
}

test_fd_holder_cannot_rematch()
{
	load_module bridge= || return 1
	on_exit "unload_module"
	make_bridge br0 || return 1
	"$NLCTL" set-policy 'id=1,action=attach,names=tfd*,mac=02:00:00:00:00:99,bridge=brq,vlan=99' \
		'id=2,action=attach,names=tfd*,bridge=br0' \
		'id=3,action=attach,mac=02:00:00:00:00:98,bridge=br0' || return 1
	ip tuntap add dev tfd0 mode tap user 65534 || return 1
	on_exit "ip link del tfd0"
	ip tuntap add dev tig0 mode tap user 65534 || return 1
	on_exit "ip link del tig0"
	busywait 5000 port_is tfd0 state attached || fail "tfd0 not attached by rule 2" || return 1
	port_is tig0 state ignored || fail "tig0 not ignored" || return 1

	# The operator detaches tfd0; its unprivileged owner picks a MAC.
	ip link set dev tfd0 nomaster || return 1
	busywait 5000 port_is tfd0 state detached || return 1
	as_nobody "$TAPCTL" setmac tfd0 02:00:00:00:00:99 || fail "uid 65534 could not set tfd0's MAC" || return 1
	as_nobody "$TAPCTL" setmac tig0 02:00:00:00:00:98 || fail "uid 65534 could not set tig0's MAC" || return 1
	[ "$(cat /sys/class/net/tfd0/address)" = 02:00:00:00:00:99 ] || fail "MAC not changed" || return 1
	sleep 0.5
	"$NLCTL" ports
	port_is tfd0 state detached && port_is tfd0 rule 2 ||
		fail "the fd holder's MAC re-matched a detached port" || return 1
	[ -z "$(master_of tfd0)" ] || fail "tfd0 re-attached behind the operator's back" || return 1
	port_is tig0 state ignored || fail "the fd holder's MAC re-matched an ignored port" || return 1
	[ -z "$(master_of tig0)" ] || fail "tig0 enslaved after its owner set a MAC" || return 1

	# An administrator's per-port request matches it again.
	"$NLCTL" reevaluate "$(port_get tfd0 ifindex)" || return 1
	port_is tfd0 rule 1 && port_is tfd0 state pending || fail "reevaluate did not re-match tfd0"
}

test_unknown_creator()
{
	unload_module || return 1
	ip tuntap add dev tunk0 mode tap || return 1
	on_exit "ip link del tunk0"
	load_module bridge= || return 1
	on_exit "unload_module"
	"$NLCTL" set-policy 'id=1,action=ignore,uid=0-0' 'id=2,action=ignore,comm=*' \
		'id=3,action=ignore,names=tunk*' || return 1
	"$NLCTL" reevaluate "$(port_get tunk0 ifindex)" || return 1
	"$NLCTL" port tunk0
	port_is tunk0 rule 3 || fail "a tap with no known creator matched a uid or comm rule" || return 1
	[ -z "$(port_get tunk0 uid)" ] || fail "an unknown creator is reported with a uid"
}

test_reads_privileged()
{
	local pid
	load_module bridge= || return 1
	on_exit "unload_module"
	pid=$(hold_taps tpriv0) || return 1
	on_exit "kill $pid"
	as_nobody "$NLCTL" status || fail "GET_STATUS refused to an unprivileged user" || return 1
	as_nobody "$NLCTL" ports 2>&1 | grep -q 'Operation not permitted' ||
		fail "an unprivileged user dumped the ports" || return 1
	as_nobody "$NLCTL" port tpriv0 2>&1 | grep -q 'Operation not permitted' ||
		fail "an unprivileged user read a port" || return 1
	as_nobody "$NLCTL" policy 2>&1 | grep -q 'Operation not permitted' ||
		fail "an unprivileged user dumped the policy"
}

ktap_plan 5
run_test "resolving the family loads nothing, for root or anyone" test_no_autoload
run_test "loading changes no existing tap; only an opt-in rule takes one" test_preexisting_untouched
run_test "the tap's fd holder cannot undo a detach or pick a rule by MAC" test_fd_holder_cannot_rematch
run_test "an unknown creator matches no uid or comm rule" test_unknown_creator
run_test "only GET_STATUS is open to unprivileged users" test_reads_privileged
ktap_finished
