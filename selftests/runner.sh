#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run selftest programs the kselftest way: one top-level KTAP line per program
# with its own output nested as diagnostics, a per-test timeout, and a closing
# summary of the individual cases: "selftests: N passed, N failed, N skipped".

# A debug kernel under TCG is several times slower: the test VM says how much.
timeout_s=${SELFTEST_TIMEOUT:-$((600 * ${OVSKVM_VM_SLOWDOWN:-1}))}
dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir" || exit 1

echo "TAP version 13"
echo "1..$#"
n=0
pass=0 fail=0 skip=0
any_fail=0
for t in "$@"; do
	n=$((n + 1))
	log=$(mktemp)
	start=$(date +%s)
	timeout -k 10 "$timeout_s" "./$t" 2>&1 | tee "$log" | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	p=$(grep -cE '^ok [0-9]+ ' "$log" | head -n 1)
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
	f=$(grep -cE '^not ok [0-9]+ ' "$log")
	p=$((p - s))
	if grep -qE '^1\.\.0 # SKIP' "$log"; then
		s=$((s + 1))
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" = 0 ]; then
		f=1	# crashed or timed out before reporting a failure
	fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	case $rc in
	0) echo "ok $n selftests: $t (${secs}s)" ;;
	4) echo "ok $n selftests: $t # SKIP" ;;
	124) echo "not ok $n selftests: $t # TIMEOUT ${timeout_s}s"; any_fail=1 ;;
	*) echo "not ok $n selftests: $t # exit=$rc"; any_fail=1 ;;
	esac
	rm -f "$log"
done
echo "selftests: $pass passed, $fail failed, $skip skipped"
exit $any_fail
