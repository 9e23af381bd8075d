#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the agent's unit tests on this machine, then the selftests
# inside a test VM, then one summary line over both.
# Usage: selftests/check.sh KERNELRELEASE MODULE.ko [VM options...]

kver=$1 module=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
echo "== unit tests (host)"
make -s -C kmod/tests check 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
make -s -C agent check 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1

echo "== VM harness (host)"
selftests/vm/selftest.sh "$@" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1

# Before the selftests: a DKMS copy in updates/ would shadow their module.
echo "== DKMS package (host and VM, kernel $kver)"
selftests/dkms.sh "$kver" "$@" 2>&1 | tee -a "$log"
case "${PIPESTATUS[0]}" in 0|4) ;; *) status=1 ;; esac

echo "== selftests (VM, kernel $kver)"
selftests/vm/run "$@" -k "$kver" -M "$module" -- make -s -C selftests run_tests 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" = 0 ] || status=1

sum()
{
	sed -nE "s/^[a-z-]+: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\\$1/p" "$log" |
		awk '{ s += $1 } END { print s + 0 }'
}
passed=$(sum 1) failed=$(sum 2) skipped=$(sum 4)
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
	failed=1	# a stage failed before it could count (build, boot, dmesg)
fi
echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit $status
