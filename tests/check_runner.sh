#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# the runner: a crash, an early exit or a stopped script is a FAIL
#
# bash tests/check_runner.sh [SAMPLE...]   (root, after make)
#
# tests/run and tests/e2e.sh are what every other result rests on, so they are
# tested too, on test binaries and scripts made here that go wrong on purpose:
#  - a test binary whose second of three cases writes through a NULL pointer
#    must give a FAIL line naming SIGSEGV and that case, and a failed run;
#  - one whose second case calls exit(0) must give a FAIL line saying it
#    reported 1 of its 3 cases;
#  - an e2e script that reads an unbound variable after its first case must
#    give a FAIL line naming the unbound variable, and its later case must
#    not run.
# The made-up tests borrow the name of a sample (the first one named, so that
# `make check T=...` has built its binary; sockex1 by default). The nested
# runs print into files, so their lines never count here.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
S=${1:-sockex1}
W=$E2E_TMP/runner
mkdir -p "$W/build/tests" "$W/e2e"

# make_bin STATEMENT: a test binary of three cases; the second runs STATEMENT.
make_bin() {
	cat > "$W/wrong.c" <<EOF
#include <stdlib.h>
#include "harness.h"
TEST($S, first_passes) { CHECK_U64(1, 1); }
TEST($S, second_goes_wrong) { $1; }
TEST($S, third_passes) { CHECK_U64(2, 2); }
EOF
	# shellcheck disable=SC2046
	cc -O0 -D_GNU_SOURCE -Itests -o "$W/build/tests/test_$S" "$W/wrong.c" tests/harness.c tests/packet.c \
		$(pkg-config --cflags --libs libbpf) -lpthread 2> "$W/cc.err"
}

# run_maps CASE STATEMENT WANT: tests/run on that binary must exit non-zero,
# print a FAIL line matching WANT and close with "1 passed, 1 failed, 0 skipped".
run_maps() {
	local t="runner/$1" want=$3 rc
	if ! make_bin "$2"; then
		fail "$t" "could not build the test binary: $(head -c 300 "$W/cc.err")"
		return
	fi
	BUILD="$W/build" CHECK_LAYERS=maps MAPS_TIMEOUT=60 tests/run "$S" > "$W/run.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "$t" "tests/run exited 0: $(tail -n 3 "$W/run.out" | tr '\n' '|')"
	elif ! grep -qE "$want" "$W/run.out"; then
		fail "$t" "no FAIL line matching '$want': $(grep -E '^(PASS|FAIL|SKIP)' "$W/run.out" | tr '\n' '|')"
	elif ! grep -qx '1 passed, 1 failed, 0 skipped' "$W/run.out"; then
		fail "$t" "closing line: $(tail -n 1 "$W/run.out")"
	else
		pass "$t"
	fi
}

run_maps crash_is_a_fail 'volatile int *p = NULL; *p = 1' \
	"^FAIL $S: test_$S crashed: killed by SIGSEGV in case $S/second_goes_wrong \\(1 of 3 cases reported\\)\$"
run_maps early_exit_is_a_fail 'exit(0)' \
	"^FAIL $S: test_$S reported 1 of its 3 cases \\(exited with status 0\\); the first missing is $S/second_goes_wrong\$"

t=runner/e2e_script_stop_is_a_fail
if [ ! -x "$BIN/$S/$S" ]; then
	fail "$t" "$BIN/$S/$S not built"
else
	{
		echo "pass e2e/$S/before_the_stop"
		echo 'echo "$no_such_variable_rn"'
		echo "pass e2e/$S/after_the_stop"
	} > "$W/e2e/e2e_$S.sh"
	E2E_DIR="$W/e2e" tests/e2e.sh "$S" > "$W/e2e.out" 2>&1
	if ! grep -qx "PASS e2e/$S/before_the_stop" "$W/e2e.out"; then
		fail "$t" "the first case did not run: $(tr '\n' '|' < "$W/e2e.out")"
	elif grep -q 'after_the_stop' "$W/e2e.out"; then
		fail "$t" "the script went on after the unbound variable"
	elif ! grep -qE "^FAIL e2e/$S/script: .* stopped with status [0-9]+ before its end: .*no_such_variable_rn: unbound variable\$" "$W/e2e.out"; then
		fail "$t" "no FAIL line naming the unbound variable: $(tr '\n' '|' < "$W/e2e.out")"
	else
		pass "$t"
	fi
fi
