#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink API, through genl_test (a C program, KTAP output): run
# with the module loaded and nothing attached, then unloaded again.  Also
# shows the per-operation policies the kernel reports for the family.

source "$(dirname "$0")/lib.sh"

require_root
require_module
require_cmd genl

# The default policy (bridge=br0, one rule): genl_test restores it last.
load_module || skip_all "cannot load $MODULE"
trap 'unload_module' EXIT
# The policies as CTRL_CMD_GETPOLICY reports them: the rules are a nested
# array validated by the rule policy, the ifindex a positive int.
policy=$(genl ctrl policy name "$MODULE" 2>&1)
echo "$policy" | sed 's/^/# /'
if ! echo "$policy" | grep -q 'type=NESTED_ARRAY' ||
	! echo "$policy" | grep -q 'range:\[1,2147483647\]'; then
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 CTRL_CMD_GETPOLICY shows the rule array and the ifindex range"
	exit $KSFT_FAIL
fi
"$SELFTESTS_DIR/genl_test"
