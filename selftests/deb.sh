#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages as an operator installs them: `apt-get install` of the
# two .debs that `make deb` built, with no network (every dependency must
# already be installed), DKMS building the module for the running kernel in
# the dkms package's postinst, `modprobe` and `ovskvm verify` on what was
# installed, then `apt-get purge` of both and nothing left behind: no file of
# the packages, no conffile, no DKMS tree, no module, no systemd link.
#
# Installs and purges packages, so it runs only in the test VM (whose root is
# a throw-away overlay), booted without -M: a module the harness installs
# into extra/ would stand in for DKMS's.  `make check` runs it on its own:
#   selftests/vm/run -k KVER -- selftests/runner.sh deb.sh
# DEB_DIR (default: build/deb of the top directory) is where the .debs are.

source "$(dirname "$0")/lib.sh"

PKGS=(ovskvm-autoport-dkms ovskvm)
VERSION=$(sed -n 's/^#define OVSKVM_VERSION "\(.*\)"/\1/p' "$TOP_DIR/kmod/version.h")
DEB_DIR=${DEB_DIR:-$TOP_DIR/build/deb}
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
DKMS_DIR=/var/lib/dkms

require_root
[ "${OVSKVM_VM:-}" = 1 ] ||
	skip_all "installs and purges packages: run it in the test VM (selftests/vm/run)"
require_cmd apt-get dpkg dkms modprobe
arch=$(dpkg --print-architecture)
agent_deb=$(ls "$DEB_DIR"/ovskvm_"$VERSION"-*_"$arch".deb 2>/dev/null | tail -n 1)
dkms_deb=$(ls "$DEB_DIR"/ovskvm-autoport-dkms_"$VERSION"-*_all.deb 2>/dev/null | tail -n 1)
[ -n "$agent_deb" ] && [ -n "$dkms_deb" ] ||
	skip_all "no ovskvm $VERSION packages in $DEB_DIR: run 'make deb'"
[ -d "$MODDIR/build" ] || skip_all "no kernel headers for $KVER (make deps)"
for p in "${PKGS[@]}"; do
	! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' ||
		skip_all "$p is installed already: not touching it"
done
[ -z "$(dkms status "$MODULE" 2>/dev/null)" ] ||
	skip_all "$MODULE is registered with DKMS already: not touching it"
modinfo "$MODULE" > /dev/null 2>&1 &&
	skip_all "$MODULE is installed for $KVER already ($(modinfo -n "$MODULE")): boot the VM without -M"
unload_module || skip_all "$MODULE is loaded and cannot be unloaded"

work=$(mktemp -d)
export DEBIAN_FRONTEND=noninteractive

# What survives a failed case: the packages go, the module is unloaded.
cleanup()
{
	modprobe -r "$MODULE" 2> /dev/null
	if dpkg-query -W -f='${Status}' "${PKGS[@]}" 2>/dev/null | grep -q installed; then
		"${APT[@]}" purge "${PKGS[@]}" > /dev/null 2>&1
	fi
	umount /boot 2> /dev/null
	rm -rf "$work"
}
on_exit cleanup

# The guest's root is an overlay of the host's: what follows changes the
# overlay only.  DKMS's postinst builds for the running kernel and for the
# newest one with a config in /boot; showing it only the running kernel's
# keeps it to one build under TCG (each kernel gets its own VM run).  man-db
# would re-index every manual page for the packages' two.
mkdir "$work/boot"
cp -a /boot/config-"$KVER" /boot/System.map-"$KVER" "$work/boot/" 2> /dev/null
mount --bind "$work/boot" /boot || skip_all "cannot bind-mount a /boot of $KVER's files only"
rm -f /var/lib/man-db/auto-update
# apt with no package source: it knows only what is installed and the two
# .debs, so a dependency that is not installed already fails the install
# (and it does not read the archive's package lists, slow over 9p).
: > "$work/sources.list"
mkdir "$work/sources.list.d"
APT=(apt-get -y -q -o Dir::Etc::SourceList="$work/sources.list"
	-o Dir::Etc::SourceParts="$work/sources.list.d"
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)

test_install()
{
	local start=$SECONDS rc
	echo "$agent_deb"
	echo "$dkms_deb"
	# apt must install these two and nothing else.
	"${APT[@]}" install "$agent_deb" "$dkms_deb" > "$work/apt.out" 2>&1
	rc=$?
	grep -E 'newly installed|Building|Done|Skipped|rror|^E:|dkms|Setting up ovskvm' "$work/apt.out"
	echo "apt-get install: exit $rc in $((SECONDS - start))s"
	[ $rc = 0 ] || { tail -n 40 "$work/apt.out"; fail "apt-get install failed"; return 1; }
	grep -q '^0 upgraded, 2 newly installed, 0 to remove' "$work/apt.out" ||
		fail "apt-get installed more than the two packages" || return 1
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" | grep -q '^install ok installed$' ||
			fail "$p is not installed: $(dpkg-query -W -f='${Status}' "$p")" || return 1
		dpkg -L "$p" > "$work/$p.list"
		dpkg-query -W -f='${Conffiles}\n' "$p" | awk 'NF { print $1 }' >> "$work/conffiles"
	done
}

test_files()
{
	local p f missing=0
	[ -s "$work/ovskvm.list" ] || { skip "not installed"; return $KSFT_SKIP; }
	for p in "${PKGS[@]}"; do
		while read -r f; do
			[ -e "$f" ] || { echo "missing: $f"; missing=1; }
		done < "$work/$p.list"
		echo "$p: $(wc -l < "$work/$p.list") paths"
	done
	[ $missing = 0 ] || fail "files of dpkg -L are missing" || return 1
	for f in /usr/sbin/ovskvm /lib/systemd/system/ovskvm.service \
		/usr/lib/modules-load.d/ovskvm_autoport.conf /usr/share/man/man8/ovskvm.8.gz \
		/usr/share/man/man5/ovskvm.conf.5.gz /usr/share/doc/ovskvm/examples/ovskvm.conf.example \
		/usr/src/$MODULE-$VERSION/dkms.conf /usr/src/$MODULE-$VERSION/include/uapi/linux/$MODULE.h; do
		grep -qxF "$f" "$work/ovskvm.list" "$work/ovskvm-autoport-dkms.list" ||
			fail "no package ships $f" || return 1
	done
	echo "conffiles: $(tr '\n' ' ' < "$work/conffiles")"
	for f in /etc/ovskvm.conf /etc/modprobe.d/$MODULE.conf; do
		grep -qxF "$f" "$work/conffiles" || fail "$f is not a conffile" || return 1
	done
	/usr/sbin/ovskvm check-config /etc/ovskvm.conf || fail "the shipped /etc/ovskvm.conf does not check"
}

test_enabled()
{
	local link=/etc/systemd/system/multi-user.target.wants/ovskvm.service
	[ -s "$work/ovskvm.list" ] || { skip "not installed"; return $KSFT_SKIP; }
	ls -l "$link" || fail "ovskvm.service is not enabled" || return 1
	[ "$(readlink "$link")" = /lib/systemd/system/ovskvm.service ] ||
		fail "$link points at $(readlink "$link")"
}

test_dkms_built()
{
	local path
	[ -s "$work/ovskvm.list" ] || { skip "not installed"; return $KSFT_SKIP; }
	dkms status "$MODULE"
	dkms status "$MODULE/$VERSION" -k "$KVER" | grep -q ': installed' ||
		fail "DKMS did not install $MODULE/$VERSION for $KVER" || return 1
	path=$(modinfo -n "$MODULE" 2>/dev/null)
	echo "modinfo -n $MODULE: $path"
	case "$path" in
	"$MODDIR/updates/dkms/$MODULE.ko"*) ;;
	*) fail "$MODULE does not resolve to $MODDIR/updates/dkms"; return 1 ;;
	esac
	[ "$(modinfo -F version "$path")" = "$VERSION" ] ||
		fail "version is $(modinfo -F version "$path"), not $VERSION"
}

test_modprobe_verify()
{
	local rc
	[ -s "$work/ovskvm.list" ] || { skip "not installed"; return $KSFT_SKIP; }
	modprobe "$MODULE" || fail "modprobe $MODULE failed" || return 1
	[ "$(cat /sys/module/$MODULE/initstate)" = live ] || fail "the module is not live" || return 1
	/usr/sbin/ovskvm verify
	rc=$?
	modprobe -r "$MODULE" || fail "modprobe -r $MODULE failed" || return 1
	[ $rc = 0 ] || fail "ovskvm verify exited $rc"
}

test_purge()
{
	local start=$SECONDS rc
	[ -s "$work/ovskvm.list" ] || { skip "not installed"; return $KSFT_SKIP; }
	"${APT[@]}" purge "${PKGS[@]}" > "$work/purge.out" 2>&1
	rc=$?
	grep -E 'Removing|Purging|dkms|Deleting|^E:' "$work/purge.out"
	echo "apt-get purge: exit $rc in $((SECONDS - start))s"
	[ $rc = 0 ] || { tail -n 30 "$work/purge.out"; fail "apt-get purge failed"; return 1; }
	for p in "${PKGS[@]}"; do
		! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -qv '^unknown ok not-installed$' ||
			fail "dpkg still knows $p: $(dpkg-query -W -f='${Status}' "$p")" || return 1
	done
}

test_nothing_left()
{
	local p f left=0 dir
	[ -s "$work/ovskvm.list" ] || { skip "not installed"; return $KSFT_SKIP; }
	for p in "${PKGS[@]}"; do
		while read -r f; do
			# Directories are shared (/etc, /lib: a link to usr/lib,
			# ...); the packages' own are checked below.
			[ -d "$f" ] && continue
			[ -e "$f" ] || [ -L "$f" ] && { echo "left: $f"; left=1; }
		done < "$work/$p.list"
	done
	while read -r f; do
		[ -e "$f" ] && { echo "conffile left: $f"; left=1; }
	done < "$work/conffiles"
	for dir in /usr/src/$MODULE-$VERSION $DKMS_DIR/$MODULE /usr/share/doc/ovskvm \
		/usr/share/doc/ovskvm-autoport-dkms \
		/etc/systemd/system/multi-user.target.wants/ovskvm.service \
		/var/lib/systemd/deb-systemd-helper-enabled/ovskvm.service.dsh-also \
		/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/ovskvm.service; do
		[ -e "$dir" ] || [ -L "$dir" ] && { echo "left: $dir"; left=1; }
	done
	f=$(ls /lib/modules/*/updates/dkms/$MODULE* 2>/dev/null)
	[ -z "$f" ] || { echo "module left: $f"; left=1; }
	grep -q "$MODULE" "$MODDIR/modules.dep" && { echo "modules.dep still names $MODULE"; left=1; }
	[ -z "$(dkms status "$MODULE")" ] || { echo "dkms still lists: $(dkms status "$MODULE")"; left=1; }
	module_loaded && { echo "$MODULE is still loaded"; left=1; }
	[ $left = 0 ] || fail "the purge left the above behind"
}

ktap_plan 7
run_test "apt-get install of both packages, offline" test_install
run_test "every file dpkg -L lists is there; /etc/ovskvm.conf and modprobe.d are conffiles" test_files
run_test "the service is enabled on installation" test_enabled
run_test "DKMS built and installed $MODULE $VERSION for $KVER in updates/dkms" test_dkms_built
run_test "modprobe $MODULE and ovskvm verify pass, then it unloads" test_modprobe_verify
run_test "apt-get purge of both packages" test_purge
run_test "nothing left: files, conffiles, DKMS tree, module, systemd links" test_nothing_left
ktap_finished
