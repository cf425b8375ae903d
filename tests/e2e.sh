#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/e2e.sh - end-to-end tests: every sample binary run as a user runs it.
#
# tests/e2e.sh [SAMPLE...]   (root, after make)
#
# Each tests/e2e_<sample>.sh runs in a bash of its own (with tests/lib.sh
# sourced first), bounded by E2E_TIMEOUT seconds (default 900). A script that
# does not reach its end (an unbound variable under set -u, a crash, a
# timeout, an exit of its own) is a FAIL line naming how it ended and its last
# words on stderr; the samples after it still run. E2E_DIR (default tests)
# is where the scripts are looked for (tests/check_runner.sh uses it).
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
E2E_DIR=${E2E_DIR:-tests}
E2E_TIMEOUT=${E2E_TIMEOUT:-900}

for f in "$E2E_DIR"/e2e_*.sh; do
	[ -e "$f" ] || continue
	s=$(basename "$f" .sh)
	s=${s#e2e_}
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$s"; then
		continue
	fi
	if [ ! -x "$BIN/$s/$s" ]; then
		why=$(no_compiler "$s")
		if [ -n "$why" ]; then
			skip "e2e/$s" "$why"
		else
			fail "e2e/$s" "binary $BIN/$s/$s not built"
		fi
		continue
	fi
	# The script's stderr is kept, to name the cause if it stops early, and
	# shown after it.
	timeout -k 10 "$E2E_TIMEOUT" bash -c 'set -u; . tests/lib.sh; . "$1"; exit 0' \
		"e2e_$s" "$f" 2> "$E2E_TMP/script.err"
	rc=$?
	cat "$E2E_TMP/script.err" >&2
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "e2e/$s/script" "timed out after $E2E_TIMEOUT s; the later cases of $f did not run"
	elif [ "$rc" -gt 128 ]; then
		fail "e2e/$s/script" "killed by SIG$(kill -l $((rc - 128))); the later cases of $f did not run"
	elif [ "$rc" -ne 0 ]; then
		fail "e2e/$s/script" "$f stopped with status $rc before its end: $(tail -n 1 "$E2E_TMP/script.err")"
	fi
done
exit 0
