#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the unit tests and the VM harness's own tests on this
# machine, the DKMS package, the Debian packages, then the selftests inside a
# test VM, and one summary line over all.  CHECK_STAGES=vm keeps only the
# kernel-dependent stages (DKMS and the VM selftests), for a second kernel.
# Usage: selftests/check.sh KERNELRELEASE MODULE.ko [VM options...]

kver=$1 module=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
stages=${CHECK_STAGES:-all}
status=0

# stage TITLE OK_CODES CMD...: run CMD, log its output, fail on other codes.
stage()
{
	local title=$1 ok=$2 rc
	shift 2
	echo "== $title"
	"$@" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	case " $ok " in
	*" $rc "*) ;;
	*) status=1 ;;
	esac
}

if [ "$stages" = all ]; then
	stage "unit tests: kernel matcher (host)" 0 make -s -C kmod/tests check
	stage "unit tests: agent (host)" 0 make -s -C agent check
	stage "VM harness (host)" 0 selftests/vm/selftest.sh "$@"
	stage "YNL spec against the UAPI header (host)" 0 selftests/ynl_check
elif grep -qs '^CONFIG_DEBUG_KMEMLEAK=y' "/boot/config-$kver"; then
	# A kernel with kmemleak: the harness proves on it that a real leak
	# in a module under test fails a run.
	stage "VM harness (host and VM, kernel $kver)" 0 \
		env OVSKVM_LEAK_KVER="$kver" selftests/vm/selftest.sh "$@"
fi
# The kernel's ynl tool for selftests/ynl.sh, extracted on the host (xz is
# slow under TCG); ynl.sh skips, saying why, when there is none.
selftests/ynl_tree > /dev/null || true
# Before the selftests: a DKMS copy in updates/ would shadow their module.
stage "DKMS package (host and VM, kernel $kver)" "0 4" selftests/dkms.sh "$kver" "$@"
# The Debian packages: built and linted here, installed and purged in a VM
# of their own, booted without -M so that modprobe finds DKMS's build.  Not
# per kernel: what DKMS builds for each kernel, dkms.sh checks.
if [ "$stages" = all ]; then
	stage "Debian packages: make deb (host)" 0 make -s deb
	# DKMS's build and depmod over 9p take 5 to 9 minutes under TCG, more
	# beside another VM: generous bounds, which only catch a hang.
	stage "Debian packages: install, DKMS, purge (VM, kernel $kver)" 0 \
		selftests/vm/run "$@" -k "$kver" -t 3000 -- \
		env SELFTEST_TIMEOUT=2400 selftests/runner.sh deb.sh
fi
# The whole suite takes 15 to 20 minutes under TCG (PREEMPT_RT the longest),
# more beside another VM; each test has its own 10-minute bound in
# runner.sh, so this one only has to let a slow but healthy run finish.
# On a second kernel (CHECK_STAGES=vm) the tests of the agent's own
# behaviour, which no kernel changes (its CLI, its systemd unit, two agents
# side by side), are not run again: 4 minutes of TCG per kernel.
skip=
if [ "$stages" != all ]; then
	skip="agent_cli.sh agent_systemd.sh agent_isolation.sh"
	echo "check: not run again on a second kernel (kernel-independent): $skip"
fi
stage "selftests (VM, kernel $kver)" 0 \
	selftests/vm/run "$@" -k "$kver" -M "$module" -t 3000 -- \
	make -s -C selftests run_tests TEST_PROGS_SKIP="$skip"

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
echo "check: kernel $kver, $stages stages"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
exit $status
