#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# format: every C file of the samples and of common/ is as clang-format leaves it
#
# bash tests/check_format.sh [SAMPLE...]   (no root needed)
#
# .clang-format (kernel style, 100 columns) decides the layout; `make format`
# applies it. One PASS/FAIL line per sample folder and one for common/ (only
# the named samples with SAMPLE...); a FAIL names each file clang-format would
# change and the first line it would change in it.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

dirs=()
if [ $# -gt 0 ]; then
	for s in "$@"; do [ -f "$s/${s}_kern.c" ] && dirs+=("$s"); done
else
	dirs=(common)
	for d in */; do
		d=${d%/}
		[ -f "$d/${d}_kern.c" ] && dirs+=("$d")
	done
fi
need_tool format clang-format || exit 0

for d in "${dirs[@]}"; do
	bad=""
	n=0
	for f in "$d"/*.c "$d"/*.h; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		# --dry-run prints "file:line:col: warning: code should be clang-formatted"
		where=$(clang-format --dry-run --Werror "$f" 2>&1 | grep -m1 -oE '^[^:]+:[0-9]+' || true)
		[ -z "$where" ] || bad="$bad $where"
	done
	if [ -n "$bad" ]; then
		fail "format/$d" "not as clang-format leaves it (make format):$bad"
	else
		pass "format/$d" "$n files"
	fi
done
