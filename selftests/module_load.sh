#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads with plain modprobe from the installed module tree, shows
# its metadata and parameters through modinfo and sysfs, and unloads cleanly.

source "$(dirname "$0")/lib.sh"

require_root
require_cmd modprobe modinfo
require_module

test_modprobe()
{
	unload_module || return 1
	modprobe "$MODULE" || fail "modprobe $MODULE failed" || return 1
	module_loaded || fail "/sys/module/$MODULE missing after modprobe"
}

test_modinfo()
{
	local key val rc=0
	for key in version description license author filename srcversion vermagic; do
		val=$(modinfo -F "$key" "$MODULE")
		echo "$key: $val"
		[ -n "$val" ] || { fail "modinfo has no $key"; rc=1; }
	done
	[ "$(modinfo -F license "$MODULE")" = GPL ] || { fail "license is not GPL"; rc=1; }
	# A dependency (bridge.ko) would be unloaded with us by modprobe -r,
	# and with it every bridge on the host.
	[ -z "$(modinfo -F depends "$MODULE")" ] ||
		{ fail "depends on $(modinfo -F depends "$MODULE")"; rc=1; }
	modinfo -F vermagic "$MODULE" | grep -q "^$(uname -r) " ||
		{ fail "vermagic does not name $(uname -r)"; rc=1; }
	for key in bridge match creator bring_up; do
		modinfo -F parm "$MODULE" | grep -q "^$key:.\+" ||
			{ fail "parameter $key has no description"; rc=1; }
	done
	return $rc
}

test_sysfs()
{
	local d=/sys/module/$MODULE
	[ "$(cat $d/initstate)" = live ] || fail "initstate is not live" || return 1
	[ "$(cat $d/version)" = "$(modinfo -F version $MODULE)" ] ||
		fail "sysfs version differs from modinfo" || return 1
	[ "$(cat $d/srcversion)" = "$(modinfo -F srcversion $MODULE)" ] ||
		fail "loaded srcversion differs from the installed file" || return 1
	[ "$(cat $d/parameters/bridge)" = br0 ] || fail "default bridge is not br0" || return 1
	[ "$(cat $d/parameters/match)" = "tap*,vnet*" ] || fail "default match is wrong" || return 1
	[ "$(cat $d/parameters/creator)" = "qemu-system-*" ] || fail "default creator is not qemu-system-*" || return 1
	modinfo -F parm "$MODULE" | grep -q '^creator:.*libvirt' ||
		fail "the creator parameter does not say it leaves libvirt's taps alone" || return 1
	[ "$(cat $d/refcnt)" = 0 ] || fail "refcnt is $(cat $d/refcnt), not 0"
}

test_params()
{
	unload_module || return 1
	modprobe "$MODULE" bridge=ovsbr9 match='vm-*' || return 1
	[ "$(cat /sys/module/$MODULE/parameters/bridge)" = ovsbr9 ] || fail "bridge= not taken"
}

test_unload()
{
	modprobe -r "$MODULE" || fail "modprobe -r failed" || return 1
	! module_loaded || fail "/sys/module/$MODULE still there after unload"
}

ktap_plan 5
run_test "modprobe loads the module from the module tree" test_modprobe
run_test "modinfo shows version, license, author and parameters" test_modinfo
run_test "sysfs shows a live module with its parameters" test_sysfs
run_test "module parameters are taken at load" test_params
run_test "modprobe -r unloads it" test_unload
ktap_finished
