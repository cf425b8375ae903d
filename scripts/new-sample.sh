#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/new-sample.sh FROM NAME [BARE] - what `make new NAME=my_tool FROM=sockex1`
# runs: copy sample FROM's sources into a new top-level folder NAME, renaming
# the files (sockex1_user.c -> my_tool_user.c), the skeleton (struct sockex1 ->
# struct my_tool) and every identifier and message that carries the name
# (SOCKEX1_MAX_PROTO -> MY_TOOL_MAX_PROTO). `make NAME` then builds NAME/NAME.
#
# With BARE=1 (`make new NAME=my_tool FROM=sockex1 BARE=1`) the copy is the
# tool alone, without its demo and its traps: the files FROM_demo.[ch],
# FROM_traps.[ch] and FROM_traps_kern.h are not copied, and every line whose
# trailing comment is exactly /* demo */ or /* traps */ is left out of every
# copied file. The README gets a first paragraph saying so, and its Files
# table loses the rows of the files left out. Without .demo in its options,
# the copy asks for its interface or arguments (common/options.c).
set -eu
cd "$(dirname "$0")/.."
from=${1:-}
name=${2:-}
bare=${3:-}

die() { echo "make new: $*" >&2; exit 2; }
[ -n "$from" ] && [ -n "$name" ] || die "usage: make new NAME=my_tool FROM=sockex1"
[ -f "$from/${from}_kern.c" ] || die "no sample '$from' to copy (samples: $(ls -d */ | tr -d / |
	while read -r d; do [ -f "$d/${d}_kern.c" ] && printf '%s ' "$d"; done))"
echo "$name" | grep -Eq '^[a-z][a-z0-9_]{0,31}$' ||
	die "NAME '$name' must be a C identifier in lower case (letters, digits, _; at most 32)"
[ ! -e "$name" ] || die "'$name' exists already"
case $bare in
'' | 0) bare= ;;
1) ;;
*) die "BARE='$bare': 1 for a copy without demo and traps, or leave it out" ;;
esac

FROM_UP=$(echo "$from" | tr a-z A-Z)
NAME_UP=$(echo "$name" | tr a-z A-Z)
mkdir "$name"
# The sources git knows (or, outside a checkout, every file but the binary).
files=$(git ls-files "$from" 2>/dev/null || true)
[ -n "$files" ] || files=$(find "$from" -type f ! -path "$from/$from")
# The files that are only the demo or only the traps.
dropped() {
	case $1 in
	"${from}_demo.c" | "${from}_demo.h" | "${from}_traps.c" | "${from}_traps.h" | \
		"${from}_traps_kern.h") return 0 ;;
	esac
	return 1
}
left_out=""
for f in $files; do
	base=$(basename "$f")
	[ "$base" = "$from" ] && continue		# a binary
	if [ -n "$bare" ] && dropped "$base"; then
		left_out="$left_out $base"
		continue
	fi
	out="$name/$(echo "$base" | sed "s/^$from/$name/")"
	# The name as a whole word or an identifier's prefix (sockex1__open,
	# sockex1_kern.c), in lower and upper case; not after 'xdp/', where it is
	# part of a section name the kernel knows (SEC("xdp/cpumap")).
	perl -pe "s/(?<!xdp\\/)\\b$from(?=\\b|_)/$name/g; s/(?<!xdp\\/)\\b$FROM_UP(?=\\b|_)/$NAME_UP/g" \
		"$f" > "$out"
	# Every line that is only the demo's or only the traps'.
	[ -z "$bare" ] || [ "$base" = README.md ] ||
		perl -ni -e 'print unless m{/\* (demo|traps) \*/\s*$}' "$out"
done
# The README describes FROM with its demo and traps: a bare copy's says so
# under its title, and its Files table loses the rows of the files left out.
if [ -n "$bare" ] && [ -f "$name/README.md" ]; then
	list=$(for f in $left_out; do printf '`%s`, ' "$f"; done)
	awk -v from="$from" -v name="$name" -v list="$list" -v gone="$left_out" '
		BEGIN { n = split(gone, g, " "); for (i = 1; i <= n; i++) sub("^" from, name, g[i]) }
		NR == 1 { print; print ""
			print "> **A bare copy of `" from "`** (`make new NAME=" name " FROM=" from " BARE=1`):"
			print "> " list "the lines marked `/* demo */` and those marked `/* traps */` were"
			print "> left out. `" name "` runs only on what you give it (`-h` says what); the"
			print "> text below is `" from "`'"'"'s, demo and traps included, with the names changed."
			next }
		/^## / { files = ($0 ~ /^## Files/) }
		files && /^\|/ { for (i = 1; i <= n; i++) if (index($0, "`" g[i] "`")) next }
		{ print }' "$name/README.md" > "$name/README.md.tmp"
	mv "$name/README.md.tmp" "$name/README.md"
fi
if [ -n "$bare" ]; then
	echo "make new: $name/ is a bare copy of $from/ ($(ls "$name" | tr '\n' ' '| sed 's/ $//')):" \
		"left out${left_out:+$left_out and} the lines marked /* demo */ or /* traps */"
else
	echo "make new: $name/ is a copy of $from/ ($(ls "$name" | tr '\n' ' '))"
fi
