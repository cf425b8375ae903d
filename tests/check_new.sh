#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make new: a copied sample builds, and its demo runs and counts
#
# bash tests/check_new.sh [SAMPLE...]   (root, after make)
#
# `make new NAME=... FROM=s` for three samples of different program types:
# each copy must build, keep every SPDX line of its source, and its
# no-argument demo must run for 2 s, exit 0 and print a final row with
# non-zero counts; then the copy, its build tree and anything it loaded are
# gone: the tree (sources and build/) has exactly the files it had before
# `make new`, nothing in the kernel bears the copy's names, and no cgroup or
# path anywhere in the tree carries its name.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
BUILD=${BUILD:-build}
CG2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)

# Every path of the tree (sources, build/), .git left out.
tree_paths() { find . -path ./.git -prune -o -print | sort; }

# Three samples of different program types; with sample names given (make
# check T=...), only those of the three that are named.
froms=()
for from in sockex1 xdp_stats cpumap; do
	[ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx "$from" && froms+=("$from")
done
for from in ${froms[@]+"${froms[@]}"}; do
	[ -f "$from/${from}_kern.c" ] || continue
	name=newcopy$$_$from
	t=new/$from
	snapshot
	tree_paths > "$E2E_TMP/tree.before"
	if ! make --no-print-directory new NAME="$name" FROM="$from" > "$E2E_TMP/new.log" 2>&1; then
		fail $t "make new failed: $(tail -3 "$E2E_TMP/new.log" | tr '\n' '|')"
		rm -rf "$name" "$BUILD/$name"
		continue
	fi
	# Every copied file keeps its source's SPDX line (the copy stays GPL-2.0).
	spdx_lost=""
	for src in "$from"/*; do
		b=$(basename "$src")
		[ "$b" = "$from" ] && continue
		want=$(grep -m1 'SPDX-License-Identifier' "$src")
		[ -n "$want" ] || continue
		got=$(grep -m1 'SPDX-License-Identifier' "$name/${b/#$from/$name}" 2>/dev/null)
		[ "$got" = "$want" ] || spdx_lost="$spdx_lost ${b/#$from/$name}"
	done
	run copy 30 sh -c "cd '$name' && './$name' -d 2"
	# The first row after "final:" with a non-zero count: a sample may print
	# several final rows, some rightly zero (xdp_stats: one per XDP action);
	# the summary lines after them do not count.
	final=$(out copy | sed -n '/^final:/,$p' | sed 1d | grep -vE '^(demo sent|summary):' | tr -d , |
		awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/ && $i > 0) { print; exit } }')
	nonzero=$(awk '{ n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/ && $i > 0) n++; print n }' <<< "$final")
	# The copy's names must be seen before they count as gone: own_names
	# reads them from the copy's skeleton, which is removed next.
	copy_names=$(own_names "$name" | wc -l)
	left=$(leftovers "$name")
	rm -rf "$name" "$BUILD/$name"
	# What is left of the copy: paths the tree did not have before (the
	# copy's folder, its binary, its build objects, anything make new wrote
	# elsewhere), and cgroups named after it.
	extra=$(tree_paths | comm -13 "$E2E_TMP/tree.before" - | head -5 | tr '\n' ' ')
	cgs=$(find "$CG2" -maxdepth 1 -name "$name*" 2>/dev/null | tr '\n' ' ')
	if [ "$RC" -ne 0 ]; then fail $t "the copy's demo exited $RC: $(head -3 "$E2E_TMP/copy.err" | tr '\n' '|')"
	elif [ -z "$final" ] || [ "${nonzero:-0}" -eq 0 ]; then fail $t "no final row with counts: $(out copy | tail -3 | tr '\n' '|')"
	elif ! out copy | grep -q "$name"' \|demo sent'; then fail $t "the copy's output does not look like a demo"
	elif [ -n "$spdx_lost" ]; then fail $t "SPDX line lost or changed in the copy:$spdx_lost"
	elif [ "$copy_names" -eq 0 ]; then fail $t "no program or map names in $BUILD/$name/$name.skel.h: nothing to look for"
	elif [ -n "$left" ]; then fail $t "left behind:$left"
	elif [ -n "$extra" ]; then fail $t "not in the tree before make new, still there: $extra"
	elif [ -n "$cgs" ]; then fail $t "cgroups of the copy left: $cgs"
	else pass "$t (as $name: final row $final)"; fi
done
