#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/new-sample.sh FROM NAME - what `make new NAME=my_tool FROM=sockex1` runs:
# copy sample FROM's sources into a new top-level folder NAME, renaming the
# files (sockex1_user.c -> my_tool_user.c), the skeleton (struct sockex1 ->
# struct my_tool) and every identifier and message that carries the name
# (SOCKEX1_MAX_PROTO -> MY_TOOL_MAX_PROTO). `make NAME` then builds NAME/NAME.
set -eu
cd "$(dirname "$0")/.."
from=${1:-}
name=${2:-}

die() { echo "make new: $*" >&2; exit 2; }
[ -n "$from" ] && [ -n "$name" ] || die "usage: make new NAME=my_tool FROM=sockex1"
[ -f "$from/${from}_kern.c" ] || die "no sample '$from' to copy (samples: $(ls -d */ | tr -d / |
	while read -r d; do [ -f "$d/${d}_kern.c" ] && printf '%s ' "$d"; done))"
echo "$name" | grep -Eq '^[a-z][a-z0-9_]{0,31}$' ||
	die "NAME '$name' must be a C identifier in lower case (letters, digits, _; at most 32)"
[ ! -e "$name" ] || die "'$name' exists already"

FROM_UP=$(echo "$from" | tr a-z A-Z)
NAME_UP=$(echo "$name" | tr a-z A-Z)
mkdir "$name"
# The sources git knows (or, outside a checkout, every file but the binary).
files=$(git ls-files "$from" 2>/dev/null || true)
[ -n "$files" ] || files=$(find "$from" -type f ! -path "$from/$from")
for f in $files; do
	base=$(basename "$f")
	[ "$base" = "$from" ] && continue		# a binary
	out="$name/$(echo "$base" | sed "s/^$from/$name/")"
	# The name as a whole word or an identifier's prefix (sockex1__open,
	# sockex1_kern.c), in lower and upper case; not after 'xdp/', where it is
	# part of a section name the kernel knows (SEC("xdp/cpumap")).
	perl -pe "s/(?<!xdp\\/)\\b$from(?=\\b|_)/$name/g; s/(?<!xdp\\/)\\b$FROM_UP(?=\\b|_)/$NAME_UP/g" \
		"$f" > "$out"
done
echo "make new: $name/ is a copy of $from/ ($(ls "$name" | tr '\n' ' '))"
