#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM harness itself, run on the host by `make check`: the guest
# command's exit status comes back, every kind of kernel report the harness
# knows (a line of each, in testdata/reports, injected into the guest's
# kernel log through /dev/kmsg) fails the run and is named, the debug
# checkers' start-up lines do not (a recorded clean boot of the debug
# kernel), a recorded real KASAN report is named, kmemleak's report is
# attributed to the module under test (recorded reports, and a real leak
# when a kernel with kmemleak is installed), and a hung guest is killed at
# the timeout.

here=$(cd "$(dirname "$0")" && pwd)
run="$here/run -q $*"
data=$here/testdata
n=0 pass=0 failed=0 skipped=0

result()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1)); echo "ok $n $2"
	else
		failed=$((failed + 1)); echo "not ok $n $2"
	fi
}

skip()
{
	n=$((n + 1)) skipped=$((skipped + 1))
	echo "ok $n $1 # SKIP $2"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A kernel with kmemleak for the real-leak check: the one given with -k when
# it has kmemleak, else the newest installed one that has.
has_kmemleak()
{
	grep -qs '^CONFIG_DEBUG_KMEMLEAK=y' "/boot/config-$1" "/lib/modules/$1/build/.config"
}
leak_kver=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	case "${args[i]}" in
	-k|--kernel) has_kmemleak "${args[i + 1]}" && leak_kver=${args[i + 1]} ;;
	esac
done
# Or the one OVSKVM_LEAK_KVER names; never one picked by itself: a debug
# kernel boots several times slower, and `make check` on the default kernel
# must not depend on what else is installed.
if [ -z "$leak_kver" ] && [ -n "${OVSKVM_LEAK_KVER:-}" ]; then
	has_kmemleak "$OVSKVM_LEAK_KVER" && [ -r "/lib/modules/$OVSKVM_LEAK_KVER/build/Makefile" ] &&
		leak_kver=$OVSKVM_LEAK_KVER
fi

reports=$(wc -l < "$data/reports")
echo "TAP version 13"
echo "1..$((reports + 11))"

$run -- sh -c 'exit 7' > /dev/null 2>&1
rc=$?
[ $rc = 7 ]; result $? "the guest command's exit status 7 is returned (got $rc)"

out=$($run -- sh -c 'echo "WARNING: CPU: 0 PID: 1 at injected by the harness test" > /dev/kmsg' 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'guest kernel log shows a problem'
result $? "a WARNING in the guest's kernel log fails a successful command (got $rc)"

# One guest, every report line written to /dev/kmsg (not rate limited), then
# one check per line: the harness names the checker for that very line.
cut -f 2- "$data/reports" > "$tmp/lines"
out=$($run -- sh -c "echo on > /proc/sys/kernel/printk_devkmsg &&
	while IFS= read -r l; do printf '%s\n' \"\$l\" > /dev/kmsg; done < $tmp/lines" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /' | head -n 24
while IFS=$'\t' read -r name line; do
	[ $rc = 1 ] && echo "$out" | grep -F "[$name] line" | grep -qF -- "$line"
	result $? "injected '${line:0:40}...' fails the run as [$name] (got $rc)"
done < "$data/reports"

# A debug kernel's clean boot prints its checkers' start-up lines: none of
# them may count as a report.
"$here/scan-log" "$data/debug-boot-clean" > "$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$tmp/out"
result $rc "the checkers' start-up lines of a clean debug boot are no report (got $rc)"

# A recorded report of a real bug: the console of a 7.2 debug kernel that a
# policy dump of the family ran out of bounds of genetlink's reject-all
# policy (KASAN), then a parse of it hit the BUG_ON in lib/nlattr.c.
"$here/scan-log" "$data/console-kasan-genl" > "$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '\[KASAN\] line 2: .*BUG: KASAN: global-out-of-bounds' "$tmp/out" &&
	grep -q '\[BUG\] line .*kernel BUG at lib/nlattr.c' "$tmp/out"
result $? "a recorded KASAN report and kernel BUG are named (got $rc)"

# kmemleak, recorded reports: a leak whose backtrace names the module under
# test fails, the same leak with another module under test does not, and a
# leak from a module unloaded since (no symbol any more) fails.
"$here/scan-log" -m ovskvm_leak_test /dev/null "$data/kmemleak-loaded" > "$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -qE '^kmemleak: [0-9]+ of .* involve ovskvm_leak_test' "$tmp/out"
result $? "a recorded kmemleak report in the module under test fails (got $rc)"
"$here/scan-log" -m ovskvm_autoport /dev/null "$data/kmemleak-loaded" > "$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'none in ovskvm_autoport (not failed)' "$tmp/out"
result $? "the same report is no failure when another module is under test (got $rc)"
"$here/scan-log" -m ovskvm_autoport /dev/null "$data/kmemleak-unloaded" > "$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'a module unloaded since' "$tmp/out"
result $? "a recorded kmemleak report from an unloaded module fails (got $rc)"

# kmemleak, for real: a module that leaks at load, built for that kernel.
if [ -z "$leak_kver" ]; then
	skip "a real kmemleak leak in the module under test fails the run" \
		"no kernel with kmemleak installed (make deps KERNELS=debug)"
else
	cp "$here/leak/Kbuild" "$here/leak/ovskvm_leak_test.c" "$tmp/"
	if ! make -s -C "/lib/modules/$leak_kver/build" M="$tmp" modules > "$tmp/build.log" 2>&1; then
		sed 's/^/# /' "$tmp/build.log"
		result 1 "a real kmemleak leak in the module under test fails the run (build failed)"
	else
		out=$("$here/run" -q "$@" -k "$leak_kver" -M "$tmp/ovskvm_leak_test.ko" -- \
			modprobe ovskvm_leak_test 2>&1)
		rc=$?
		echo "$out" | sed 's/^/# /' | head -n 20
		[ $rc = 1 ] && echo "$out" | grep -qE 'kmemleak: [0-9]+ of .* involve ovskvm_leak_test'
		result $? "a real kmemleak leak in the module under test fails the run ($leak_kver, got $rc)"
	fi
fi

# check-exports (make compile-next) on a made-up tree: an object that
# needs a plain export, a per-CPU one, a tracepoint's, one that a macro
# pastes together, and two the tree does not export: a plain one and a
# tracepoint's, which tracepoint.h's own pasting macros must not hide.
mkdir -p "$tmp/tree/kernel" "$tmp/tree/net" "$tmp/tree/include/linux"
echo 'obj-y += kernel/' > "$tmp/tree/Makefile"
cat > "$tmp/tree/kernel/exports.c" <<'C'
EXPORT_SYMBOL_GPL(plain_export);
EXPORT_PER_CPU_SYMBOL(percpu_export);
EXPORT_TRACEPOINT_SYMBOL_GPL(some_event);
#define GEN(size) EXPORT_SYMBOL(__pasted_load ## size ## _noabort)
C
cat > "$tmp/tree/include/linux/tracepoint.h" <<'C'
#define EXPORT_TRACEPOINT_SYMBOL_GPL(name) EXPORT_SYMBOL_GPL(__tracepoint_##name)
C
cat > "$tmp/needs.c" <<'C'
extern void plain_export(void), __pasted_load4_noabort(void), not_exported(void);
extern int percpu_export, __tracepoint_some_event;
int f(void) { plain_export(); __pasted_load4_noabort(); return percpu_export + __tracepoint_some_event; }
C
sed 's/return/not_exported(); return __tracepoint_other_event +/; /^extern int/ s/;$/, __tracepoint_other_event;/' "$tmp/needs.c" > "$tmp/needs-more.c"
cc -c -o "$tmp/needs.o" "$tmp/needs.c" && cc -c -o "$tmp/needs-more.o" "$tmp/needs-more.c"
"$here/check-exports" "$tmp/needs.o" "$tmp/tree" > "$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'the 4 symbols needs.o needs are all exported' "$tmp/out"
result $? "check-exports passes a module whose 4 symbols the tree exports (got $rc)"
"$here/check-exports" "$tmp/needs-more.o" "$tmp/tree" > "$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && [ "$(grep -c '^  ' "$tmp/out")" = 2 ] && grep -qx '  not_exported' "$tmp/out" &&
	grep -qx '  __tracepoint_other_event' "$tmp/out"
result $? "check-exports names the two symbols the tree does not export (got $rc)"

$run -t 3 -- true > /dev/null 2>&1
rc=$?
[ $rc = 124 ]; result $? "a guest that outlives --timeout is killed with status 124 (got $rc)"

if [ $skipped -gt 0 ]; then
	echo "harness: $pass passed, $failed failed, $skipped skipped"
else
	echo "harness: $pass passed, $failed failed"
fi
[ $failed = 0 ]
