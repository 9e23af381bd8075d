#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS package, as an operator installs it, run on the host by `make check`
# before the VM selftests: copy the source to /usr/src (make dkms-source), dkms
# add, build and install for KERNELRELEASE (an installed kernel, not the
# running one), boot that kernel in the test VM without -M so that plain
# `modprobe ovskvm_autoport` has to find the DKMS build in updates/dkms, then
# dkms remove it and check that the host is as it was: no module, no source,
# the same depmod index.
#
# A DKMS copy in updates/ would take precedence over the module the other
# selftests install into extra/, so this runs strictly on its own and always
# removes what it added (also on failure or ^C).
#
# Usage: selftests/dkms.sh KERNELRELEASE [VM options...]

source "$(dirname "$0")/lib.sh"

kver=${1:?usage: $0 KERNELRELEASE [VM options...]}
shift
vm_opts=("$@")

PKG=ovskvm_autoport
VERSION=$(sed -n 's/^#define OVSKVM_VERSION "\(.*\)"/\1/p' "$TOP_DIR/kmod/version.h")
MODDIR=/lib/modules/$kver
DKMS_DIR=/var/lib/dkms
work=$(mktemp -d)

# skip_dkms REASON: nothing here can run; say why, in KTAP and in the summary.
skip_dkms()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	echo "dkms: 0 passed, 0 failed, 1 skipped"
	rm -rf "$work"
	exit $KSFT_SKIP
}

[ "$(id -u)" = 0 ] || skip_dkms "needs root (dkms installs into $MODDIR)"
command -v dkms > /dev/null || skip_dkms "dkms is not installed (make deps)"
[ -d "$MODDIR/build" ] || skip_dkms "no kernel headers for $kver in $MODDIR/build (make deps)"
[ -r "/boot/vmlinuz-$kver" ] || skip_dkms "no /boot/vmlinuz-$kver to boot"

# One DKMS test at a time on this host.
exec 9> /run/lock/ovskvm_autoport-dkms.lock
flock -w 600 9 || skip_dkms "another DKMS test holds /run/lock/ovskvm_autoport-dkms.lock"

# Never touch an operator's installation.
[ -z "$(dkms status "$PKG" 2>/dev/null)" ] ||
	skip_dkms "$PKG is registered with DKMS on this host ($(dkms status "$PKG" | head -n 1)): not touching it"
[ ! -e "/usr/src/$PKG-$VERSION" ] || skip_dkms "/usr/src/$PKG-$VERSION exists: not touching it"
[ -z "$(find "$MODDIR/updates" "$MODDIR/extra" -name "$PKG.ko*" 2>/dev/null)" ] ||
	skip_dkms "$PKG is already installed in $MODDIR: not touching it"

# What the host looks like now, to compare at the end.
snapshot()
{
	dkms status "$PKG" 2>/dev/null
	ls -d "/usr/src/$PKG"-* "$DKMS_DIR/$PKG" 2>/dev/null
	find "$MODDIR/updates" 2>/dev/null
	ls "$DKMS_DIR"/mok.* 2>/dev/null
	md5sum "$MODDIR"/modules.dep "$MODDIR"/modules.alias "$MODDIR"/modules.symbols
}
snapshot > "$work/before"
had_mok=0
[ -e "$DKMS_DIR/mok.key" ] && had_mok=1

cleanup()
{
	if [ -n "$(dkms status "$PKG/$VERSION" 2>/dev/null)" ]; then
		dkms remove "$PKG/$VERSION" --all > /dev/null 2>&1
	fi
	rm -rf "/usr/src/$PKG-$VERSION" "$DKMS_DIR/$PKG"
	# dkms makes a signing key on first use; it was not there before.
	[ "$had_mok" = 1 ] || rm -f "$DKMS_DIR/mok.key" "$DKMS_DIR/mok.pub"
	if [ -n "$(find "$MODDIR/updates" -name "$PKG.ko*" 2>/dev/null)" ]; then
		find "$MODDIR/updates" -name "$PKG.ko*" -delete
		depmod "$kver"
	fi
	rmdir "$MODDIR/updates/dkms" "$MODDIR/updates" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

test_version()
{
	local conf
	conf=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP_DIR/dkms.conf")
	echo "dkms.conf: $conf, kmod/version.h: $VERSION"
	[ -n "$VERSION" ] && [ "$conf" = "$VERSION" ] ||
		fail "PACKAGE_VERSION in dkms.conf differs from kmod/version.h"
}

# The regular expression as dkms applies it (grep -E on the release).
test_exclusive()
{
	local re k rc=0
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"/\1/p' "$TOP_DIR/dkms.conf")
	re=$(eval echo "\"$re\"")
	echo "BUILD_EXCLUSIVE_KERNEL: $re"
	for k in 6.1.0-56-amd64 6.1.123 6.9.1 6.12.48+deb12-amd64 6.19.0 7.0.1 "$kver"; do
		echo "$k" | grep -qE "$re" || { fail "refuses $k"; rc=1; }
	done
	for k in 5.10.0-33-amd64 6.0.12 4.19.0; do
		echo "$k" | grep -qE "$re" && { fail "accepts $k"; rc=1; }
	done
	return $rc
}

test_add()
{
	make -s -C "$TOP_DIR" dkms-source || fail "make dkms-source failed" || return 1
	(cd /usr/src && find "$PKG-$VERSION" -type f | sort | tr '\n' ' '; echo)
	dkms add "$PKG/$VERSION" || fail "dkms add failed" || return 1
	dkms status "$PKG/$VERSION" | grep -q ': added' ||
		fail "dkms status does not say added: $(dkms status "$PKG/$VERSION")"
}

test_build()
{
	local log=$DKMS_DIR/$PKG/$VERSION/build/make.log
	dkms build "$PKG/$VERSION" -k "$kver" > "$work/build.out" 2>&1
	local rc=$?
	tail -n 5 "$work/build.out"
	if [ $rc != 0 ]; then
		[ -r "$log" ] && tail -n 30 "$log"
		fail "dkms build -k $kver failed ($rc)"
		return 1
	fi
	dkms status "$PKG/$VERSION" -k "$kver" | grep -q ': built' ||
		fail "dkms status does not say built: $(dkms status "$PKG/$VERSION" -k "$kver")"
}

test_install()
{
	local path
	dkms install "$PKG/$VERSION" -k "$kver" > "$work/install.out" 2>&1 ||
		{ cat "$work/install.out"; fail "dkms install -k $kver failed"; return 1; }
	path=$(modinfo -k "$kver" -n "$PKG" 2>/dev/null)
	echo "modinfo -k $kver -n $PKG: $path"
	case "$path" in
	"$MODDIR/updates/dkms/$PKG.ko"*) ;;
	*) fail "the module tree does not resolve $PKG to updates/dkms"; return 1 ;;
	esac
	modinfo -F vermagic "$path" | grep -q "^$kver " ||
		fail "vermagic is not $kver: $(modinfo -F vermagic "$path")" || return 1
	[ "$(modinfo -F version "$path")" = "$VERSION" ] ||
		fail "version is not $VERSION: $(modinfo -F version "$path")" || return 1
	modinfo -F srcversion "$path" > "$work/srcversion"
	echo "srcversion: $(cat "$work/srcversion")"
}

# One boot, several checks: the guest prints KEY=VALUE lines.
guest_script='
echo "running=$(uname -r)"
modprobe ovskvm_autoport; echo "modprobe=$?"
echo "path=$(modinfo -n ovskvm_autoport)"
echo "loaded=$(cat /sys/module/ovskvm_autoport/srcversion 2>/dev/null)"
echo "state=$(cat /sys/module/ovskvm_autoport/initstate 2>/dev/null)"
if [ -x agent/ovskvm ]; then
	agent/ovskvm verify 2>&1 | sed "s/^/verify: /"
	echo "verify=${PIPESTATUS[0]}"
fi
modprobe -r ovskvm_autoport; echo "unload=$?"
'

test_vm_boot()
{
	[ -s "$work/srcversion" ] || { skip "nothing installed"; return $KSFT_SKIP; }
	"$TOP_DIR/selftests/vm/run" -q "${vm_opts[@]}" -k "$kver" -t 300 -- \
		bash -c "$guest_script" > "$work/guest.out" 2>&1
	local rc=$?
	if [ $rc != 0 ]; then
		cat "$work/guest.out"
		fail "the VM run failed ($rc)"
	fi
}

guest()
{
	sed -n "s/^$1=//p" "$work/guest.out" | tail -n 1
}

test_vm_modprobe()
{
	[ -s "$work/guest.out" ] || { skip "no VM run"; return $KSFT_SKIP; }
	echo "guest: $(guest running), modprobe exit $(guest modprobe), $(guest path), $(guest state)"
	[ "$(guest running)" = "$kver" ] || fail "the guest runs $(guest running), not $kver" || return 1
	[ "$(guest modprobe)" = 0 ] || fail "modprobe $PKG failed in the guest" || return 1
	case "$(guest path)" in
	"$MODDIR/updates/dkms/$PKG.ko"*) ;;
	*) fail "modprobe resolved $PKG to $(guest path), not updates/dkms"; return 1 ;;
	esac
	[ "$(guest state)" = live ] || fail "initstate is $(guest state), not live"
}

test_vm_srcversion()
{
	[ -s "$work/guest.out" ] || { skip "no VM run"; return $KSFT_SKIP; }
	echo "loaded $(guest loaded), DKMS file $(cat "$work/srcversion")"
	[ -n "$(guest loaded)" ] && [ "$(guest loaded)" = "$(cat "$work/srcversion")" ] ||
		fail "the loaded module is not the DKMS build"
}

test_vm_verify()
{
	[ -s "$work/guest.out" ] || { skip "no VM run"; return $KSFT_SKIP; }
	[ -n "$(guest verify)" ] || { skip "agent/ovskvm is not built (make agent)"; return $KSFT_SKIP; }
	sed -n 's/^verify: //p' "$work/guest.out"
	[ "$(guest verify)" = 0 ] || fail "ovskvm verify exited $(guest verify)" || return 1
	[ "$(guest unload)" = 0 ] || fail "modprobe -r failed in the guest"
}

test_remove()
{
	dkms remove "$PKG/$VERSION" --all || fail "dkms remove failed" || return 1
	rm -rf "/usr/src/$PKG-$VERSION"
	[ -z "$(dkms status "$PKG")" ] || fail "dkms still lists: $(dkms status "$PKG")" || return 1
	[ -z "$(find "$MODDIR" -name "$PKG.ko*")" ] ||
		fail "module files left: $(find "$MODDIR" -name "$PKG.ko*")" || return 1
	! grep -q "$PKG" "$MODDIR/modules.dep" || fail "modules.dep still names $PKG" || return 1
	! modinfo -k "$kver" "$PKG" > /dev/null 2>&1 || fail "modinfo still finds $PKG"
}

test_host_unchanged()
{
	[ "$had_mok" = 1 ] || rm -f "$DKMS_DIR/mok.key" "$DKMS_DIR/mok.pub"
	rmdir "$MODDIR/updates/dkms" "$MODDIR/updates" 2>/dev/null
	snapshot > "$work/after"
	diff -u "$work/before" "$work/after" || fail "the host differs from before the test"
}

ktap_plan 11
run_test "dkms.conf PACKAGE_VERSION is kmod/version.h's $VERSION" test_version
run_test "BUILD_EXCLUSIVE_KERNEL takes 6.1 and later only" test_exclusive
run_test "dkms add $PKG/$VERSION from /usr/src" test_add
run_test "dkms build -k $kver" test_build
run_test "dkms install -k $kver puts it in updates/dkms" test_install
run_test "a VM boots $kver with the host's module tree (no -M)" test_vm_boot
run_test "modprobe $PKG loads the DKMS module from updates/dkms" test_vm_modprobe
run_test "the loaded srcversion is the DKMS file's" test_vm_srcversion
run_test "ovskvm verify passes with the DKMS module, which unloads" test_vm_verify
run_test "dkms remove --all leaves no module and a clean depmod index" test_remove
run_test "the host is as before: DKMS tree, /usr/src, module index" test_host_unchanged
if [ "$_ktap_skip" -gt 0 ]; then
	echo "dkms: $_ktap_pass passed, $_ktap_fail failed, $_ktap_skip skipped"
else
	echo "dkms: $_ktap_pass passed, $_ktap_fail failed"
fi
ktap_finished
