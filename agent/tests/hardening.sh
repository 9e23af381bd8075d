#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The release binary is hardened (checksec's checks, with readelf): a PIE,
# full RELRO (a GNU_RELRO segment and BIND_NOW), a non-executable stack,
# the stack protector and FORTIFY_SOURCE (their glibc entry points are
# imported).  Run by `make check` in agent/ on ./ovskvm as `make` builds it.
# Usage: tests/hardening.sh [BINARY]

bin=${1:-./ovskvm}
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
if ! command -v readelf > /dev/null; then
	echo "1..0 # SKIP readelf not installed (binutils)"
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "1..1"
	echo "not ok 1 $bin is built"
	exit 1
fi
header=$(readelf -hW "$bin")
segments=$(readelf -lW "$bin")
dynamic=$(readelf -dW "$bin")
imports=$(readelf --dyn-syms -W "$bin" | awk '$7 == "UND" { sub(/@.*/, "", $8); print $8 }')

echo "1..6"
check "PIE: an ELF of type DYN with a program interpreter" \
	eval 'grep -q "Type: *DYN" <<< "$header" && grep -q "^ *INTERP " <<< "$segments"'
check "RELRO: a GNU_RELRO segment" grep -q "^ *GNU_RELRO " <<< "$segments"
check "BIND_NOW: relocations resolved at start, so all of RELRO is read-only" \
	grep -Eq "\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW" <<< "$dynamic"
check "a non-executable stack (GNU_STACK RW)" \
	eval 'grep -E "^ *GNU_STACK " <<< "$segments" | grep -q " RW "'
check "stack protector: __stack_chk_fail imported" grep -qx "__stack_chk_fail" <<< "$imports"
check "FORTIFY_SOURCE: checked glibc functions (__*_chk) imported" \
	grep -Eq "^__[a-z0-9_]+_chk$" <<< "$imports"
if [ $failed != 0 ]; then
	echo "# imported: $(tr '\n' ' ' <<< "$imports")"
	grep -E "FLAGS" <<< "$dynamic" | sed 's/^/# /'
fi
exit $failed
