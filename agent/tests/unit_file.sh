#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd unit as `make install` generates it: installed with DESTDIR=
# where systemd looks and with every @VARIABLE@ replaced, clean under
# `systemd-analyze verify` (no warning at all, the man pages it names
# included), the behaviour ovskvm(8) describes (Type=notify, ordered after
# OVS and before libvirt, no ConditionPathExists=, the module loaded outside
# the sandbox) and a sandbox that `systemd-analyze security` rates 2.0 or
# better, with no CAP_SYS_MODULE and no socket family but AF_UNIX and
# AF_NETLINK.  Run by `make check` in agent/ (MAKE names make).
# Usage: tests/unit_file.sh

MAKE=${MAKE:-make}
UNIT=ovskvm.service
n=0
failed=0

check()
{
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		failed=1
	fi
}

echo "TAP version 13"
if ! command -v systemd-analyze > /dev/null || ! command -v python3 > /dev/null; then
	echo "1..0 # SKIP needs systemd-analyze (systemd) and python3"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# As a package would: DESTDIR, default paths.
dest=$work/dest
$MAKE -s install DESTDIR="$dest" > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
unit=$dest/lib/systemd/system/$UNIT

# For systemd-analyze the paths the unit names must exist: the same files
# installed under a prefix of their own, man pages found through MANPATH.
root=$work/root
$MAKE -s install PREFIX="$root/usr" SYSCONFDIR="$root/etc" UNITDIR="$root/lib/systemd/system" \
	> "$work/install2.log" 2>&1 || { cat "$work/install2.log"; exit 1; }
verify_unit=$root/lib/systemd/system/$UNIT

# key UNIT: the values of KEY= in UNIT, one a line
key()
{
	sed -n "s/^$1=//p" "$2"
}

installed()
{
	[ -f "$unit" ] && [ -x "$dest/usr/sbin/ovskvm" ] && [ -f "$dest/usr/share/man/man8/ovskvm.8" ] &&
		! grep -n '@[A-Z]*@' "$unit"
}

verify()
{
	local out
	out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$verify_unit" 2>&1)
	local rc=$?
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
	[ $rc = 0 ] && [ -z "$out" ]
}

behaviour()
{
	local ok=0
	[ "$(key Type "$unit")" = notify ] || { echo "# Type= is not notify"; ok=1; }
	! grep -q '^ConditionPathExists=' "$unit" ||
		{ echo "# ConditionPathExists= stops the agent when the file is missing"; ok=1; }
	for u in libvirtd.service virtqemud.service libvirt-guests.service; do
		key Before "$unit" | tr ' ' '\n' | grep -qx "$u" || { echo "# not Before=$u"; ok=1; }
	done
	key After "$unit" | tr ' ' '\n' | grep -qx openvswitch-switch.service ||
		{ echo "# not After=openvswitch-switch.service"; ok=1; }
	key ExecStart "$unit" | grep -q -- ' agent --no-load ' ||
		{ echo "# ExecStart= loads the module itself"; ok=1; }
	key ExecStartPre "$unit" | grep -qx '+/usr/sbin/ovskvm load' ||
		{ echo "# no ExecStartPre=+/usr/sbin/ovskvm load"; ok=1; }
	key ExecReload "$unit" | grep -q 'kill -HUP \$MAINPID' ||
		{ echo "# ExecReload= does not send SIGHUP"; ok=1; }
	key RuntimeDirectory "$unit" | grep -qx ovskvm ||
		{ echo "# no RuntimeDirectory=ovskvm for the agent's lock"; ok=1; }
	return $ok
}

# systemd's own reading of the sandbox, item by item
security_json()
{
	systemd-analyze security --offline=yes --json=short "$verify_unit" 2> /dev/null
}

sandbox()
{
	security_json | python3 -c '
import json, sys
want = ["CapabilityBoundingSet=~CAP_SYS_MODULE", "CapabilityBoundingSet=~CAP_SYS_ADMIN",
        "CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)",
        "ProtectKernelModules=", "ProtectSystem=", "ProtectHome=", "PrivateTmp=",
        "PrivateDevices=", "NoNewPrivileges=", "RestrictAddressFamilies=~AF_(INET|INET6)",
        "RestrictAddressFamilies=~AF_PACKET", "RestrictAddressFamilies=~…",
        "SystemCallFilter=~@privileged", "SystemCallFilter=~@module", "SystemCallFilter=~@mount",
        "SystemCallArchitectures=", "MemoryDenyWriteExecute=", "RestrictNamespaces=~net"]
items = {i["name"]: i["set"] for i in json.load(sys.stdin)}
bad = [w for w in want if not items.get(w)]
for w in bad:
    print("# not in force: " + w)
sys.exit(1 if bad else 0)'
}

exposure()
{
	local out
	out=$(systemd-analyze security --offline=yes --threshold=20 "$verify_unit" 2>&1)
	local rc=$?
	echo "$out" | grep 'Overall exposure' | sed 's/^/# /'
	[ $rc = 0 ]
}

# the unit's own settings, beside what systemd-analyze rates
settings()
{
	local ok=0
	[ "$(key ProtectSystem "$unit")" = strict ] || { echo "# ProtectSystem= is not strict"; ok=1; }
	[ "$(key RestrictAddressFamilies "$unit")" = "AF_UNIX AF_NETLINK" ] ||
		{ echo "# RestrictAddressFamilies= is not AF_UNIX AF_NETLINK"; ok=1; }
	[ "$(key CapabilityBoundingSet "$unit")" = "CAP_NET_ADMIN CAP_DAC_OVERRIDE" ] ||
		{ echo "# CapabilityBoundingSet= is not CAP_NET_ADMIN CAP_DAC_OVERRIDE"; ok=1; }
	return $ok
}

echo "1..6"
check "make install DESTDIR= puts $UNIT in lib/systemd/system, every @VARIABLE@ replaced" installed
check "systemd-analyze verify: no error, no warning" verify
check "Type=notify, after OVS, before libvirt, no ConditionPathExists=, the module loaded by ExecStartPre=+" behaviour
check "CapabilityBoundingSet=, ProtectSystem=strict, RestrictAddressFamilies= as documented" settings
check "the sandbox as systemd-analyze security reads it" sandbox
check "systemd-analyze security: overall exposure 2.0 or better" exposure
exit $failed
