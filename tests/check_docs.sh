#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# docs: every relative link in every README resolves
#
# bash tests/check_docs.sh [SAMPLE...]   (no root needed)
#
# For every Markdown file in the tree (each sample's README, the root README,
# TESTING.md, bench/README.md), every link [text](target) that is not a URL or
# an in-page anchor must name a file or folder that exists, relative to the
# file that holds it. One PASS/FAIL line per file; a FAIL lists the broken links.
set -u
cd "$(dirname "$0")/.." || exit 1

files=()
if [ $# -gt 0 ]; then
	for s in "$@"; do [ -f "$s/README.md" ] && files+=("$s/README.md"); done
else
	while IFS= read -r f; do files+=("$f"); done < <(find . -name '*.md' \
		-not -path './build*' -not -path './.git/*' | sed 's|^\./||' | sort)
fi

for f in "${files[@]}"; do
	dir=$(dirname "$f")
	bad=""
	# ](target) and ](target "title"), one per line; code spans cannot hold
	# links, so fenced blocks are skipped.
	while IFS= read -r target; do
		case "$target" in
		''|'#'*|http://*|https://*|mailto:*) continue ;;
		esac
		path=${target%%#*}
		[ -e "$dir/$path" ] || bad="$bad $target"
	done < <(awk '/^```/ { fence = !fence; next } !fence' "$f" |
		grep -oE '\]\([^) ]+' | sed 's/^](//')
	if [ -z "$bad" ]; then
		echo "PASS docs/links/$f"
	else
		echo "FAIL docs/links/$f: broken relative links:$bad"
	fi
done

# Every sample README's Files table names every file of its folder (the
# binary and the README itself aside), and every file of the folder it names
# exists. `name.[ch]` stands for name.c and name.h.
for d in */; do
	s=${d%/}
	[ -f "$s/${s}_kern.c" ] && [ -f "$s/README.md" ] || continue
	[ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$s" && continue
	named=$(awk '/^## Files/ { f = 1; next } /^## / { f = 0 } f && /^\|/' "$s/README.md" |
		cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' |
		sed -E 's/^(.*)\.\[ch\]$/\1.c\n\1.h/' | grep -v '^\.\./')
	bad=""
	for f in $(ls "$s"); do
		case $f in "$s"|README.md) continue ;; esac
		grep -qxF "$f" <<< "$named" || bad="$bad missing:$f"
	done
	for f in $named; do
		[ -e "$s/$f" ] || bad="$bad stale:$f"
	done
	bad=$(tr ' ' '\n' <<< "$bad" | sort -u | tr '\n' ' ')
	if [ -z "${bad// /}" ]; then echo "PASS docs/files_table/$s"
	else echo "FAIL docs/files_table/$s: the README's Files table and the folder differ:$bad"; fi
done
