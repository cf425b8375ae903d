#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/e2e.sh - end-to-end tests: every sample binary run as a user runs it.
# Sources tests/lib.sh, then each tests/e2e_<sample>.sh (or only those named).
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

for f in tests/e2e_*.sh; do
	s=$(basename "$f" .sh); s=${s#e2e_}
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$s"; then
		continue
	fi
	if [ ! -x "$BIN/$s/$s" ]; then
		why=$(no_compiler "$s")
		if [ -n "$why" ]; then skip "e2e/$s" "$why"
		else fail "e2e/$s" "binary $BIN/$s/$s not built"; fi
		continue
	fi
	. "$f"
done
