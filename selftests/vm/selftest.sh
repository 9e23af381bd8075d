#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM harness itself, run on the host by `make check`: the guest
# command's exit status comes back, a kernel WARNING in the guest fails the
# run, and a hung guest is killed at the timeout.

here=$(cd "$(dirname "$0")" && pwd)
run="$here/run -q $*"
n=0 pass=0 failed=0

result()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1)); echo "ok $n $2"
	else
		failed=$((failed + 1)); echo "not ok $n $2"
	fi
}

echo "TAP version 13"
echo "1..3"

$run -- sh -c 'exit 7' > /dev/null 2>&1
rc=$?
[ $rc = 7 ]; result $? "the guest command's exit status 7 is returned (got $rc)"

out=$($run -- sh -c 'echo "WARNING: CPU: 0 PID: 1 at injected by the harness test" > /dev/kmsg' 2>&1)
rc=$?
[ $rc = 1 ] && echo "$out" | grep -q 'guest kernel log shows a problem'
result $? "a WARNING in the guest's kernel log fails a successful command (got $rc)"

$run -t 3 -- true > /dev/null 2>&1
rc=$?
[ $rc = 124 ]; result $? "a guest that outlives --timeout is killed with status 124 (got $rc)"

echo "harness: $pass passed, $failed failed"
[ $failed = 0 ]
