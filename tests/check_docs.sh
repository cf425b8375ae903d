#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# docs: links in the docs, Files tables, `make help`, SPDX lines
#
# bash tests/check_docs.sh [SAMPLE...]   (no root needed)
#
# - For every Markdown file in the tree (each sample's README, the root README,
#   TESTING.md, bench/README.md, docs/), every link [text](target) that is not
#   a URL or an in-page anchor must name a file or folder that exists,
#   relative to the file that holds it. One PASS/FAIL line per file; a FAIL
#   lists the broken links.
# - External links (http, https) are listed, not fetched: one line per URL
#   with the files that use it. A kernel documentation link
#   (docs.kernel.org/bpf/...) must name a page the kernel has, and a libbpf
#   API link (libbpf.readthedocs.io/.../api.html#...) a section of that page:
#   both lists are below (the kernel's Documentation/bpf as of 6.18, the
#   headers libbpf's api.rst documents).
# - Every sample README's Files table matches its folder, and its API lines
#   (libbpf API, through common/, BPF helpers) what its code calls
#   (scripts/api-refs.py).
# - `make help` matches the layout: every path it names exists (a binary
#   <s>/<s> needs only its sample folder; build trees are generated), every
#   target it names is a target of the Makefile, and its samples list is
#   exactly the sample folders (less a sample whose compiler is missing, which
#   make announces with "note: <s> is not built").
# - Every C file, script and Makefile carries an SPDX-License-Identifier line
#   naming a licence that LICENSE or LICENSES/ holds.
# - docs/choosing-a-map.md's figure tables are rows of bench/README.md's
#   captured run, cell for cell.
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

# External links: listed, not fetched. The kernel's BPF documentation pages
# (Documentation/bpf/*.rst in 6.18, as docs.kernel.org publishes them) and
# the sections of libbpf's API page (one per header in libbpf's docs/api.rst).
KERNEL_BPF_PAGES="index maps map_array map_bloom_filter map_cgroup_storage
map_cgrp_storage map_cpumap map_devmap map_hash map_lpm_trie map_of_maps
map_queue_stack map_sk_storage map_sockmap map_xskmap ringbuf redirect
bpf_iterators bpf_prog_run bpf_lsm prog_lsm kfuncs btf libbpf/index
libbpf/libbpf_overview libbpf/program_types bpf_design_QA verifier
cpumasks graph_ds_impl helpers syscall_api"
LIBBPF_API_SECTIONS="error-handling libbpf-h bpf-h btf-h xsk-h bpf-tracing-h
bpf-core-read-h bpf-endian-h"
ext=$(for f in "${files[@]}"; do
	awk '/^```/ { fence = !fence; next } !fence' "$f" |
		grep -oE '\]\(https?://[^) ]+' | sed 's/^](//' | sort -u | sed "s|\$| $f|"
done | sort)
bad=""
while read -r url _; do
	[ -n "$url" ] || continue
	case "$url" in
	https://docs.kernel.org/bpf/*)
		page=${url#https://docs.kernel.org/bpf/}
		page=${page%%#*}
		page=${page%.html}
		printf '%s\n' $KERNEL_BPF_PAGES | grep -qxF "$page" || bad="$bad $url"
		;;
	https://libbpf.readthedocs.io/en/latest/api.html*)
		anchor=${url#*api.html}
		anchor=${anchor#\#}
		[ -z "$anchor" ] || printf '%s\n' $LIBBPF_API_SECTIONS | grep -qxF "$anchor" || bad="$bad $url"
		;;
	esac
done <<< "$ext"
if [ -n "$ext" ]; then
	echo "external links (listed, not fetched):"
	# (up to 3 files named per URL, then how many more)
	awk '{ n[$1]++; if (n[$1] <= 3) w[$1] = w[$1] " " $2 }
	     END { for (u in n) printf "  %s (%s%s)\n", u, substr(w[u], 2), (n[u] > 3 ? sprintf(" and %d more", n[u] - 3) : "") }' <<< "$ext" | sort
fi
if [ -z "$bad" ]; then echo "PASS docs/external_links ($(awk '{ print $1 }' <<< "$ext" | sort -u | grep -c .) URLs, listed above)"
else echo "FAIL docs/external_links: no such kernel documentation page or libbpf API section:$bad"; fi

# `make help` against the layout.
help=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s help 2>&1)
samples=$(for d in */; do s=${d%/}; [ -f "$s/${s}_kern.c" ] && echo "$s"; done)
bad=""
# Paths: words with a slash or a file suffix, placeholders (<sample>) and
# variables aside; build trees are generated.
# A path starts with a lower-case letter or '<' (Debian/Ubuntu is not one).
for p in $(grep -oE '(^|[ (])[a-z<][A-Za-z0-9_.<>-]*/[A-Za-z0-9_./<>-]*|(^|[ (])[a-z][A-Za-z0-9_/-]*\.md' <<< "$help" | tr -d ' (' | sort -u); do
	case "$p" in *'<'*|build/*|build-san/*|build/|build-san/) continue ;; esac
	p=${p%.}
	dir=${p%%/*}
	rest=${p#*/}
	if [ "$rest" = "$dir" ] && grep -qxF "$dir" <<< "$samples"; then continue; fi
	[ -e "$p" ] || bad="$bad path:$p"
done
# A binary is <s>/<s>, never ./<s> at the top level.
for p in $(grep -oE '\./(<[a-z]+>|[a-z0-9_]+)' <<< "$help" | sort -u); do
	w=${p#./}
	case "$w" in '<'*) bad="$bad binary:$p" ;; *) grep -qxF "$w" <<< "$samples" && bad="$bad binary:$p" ;; esac
done
# Targets: `make WORD` where WORD is a target, a placeholder or a sample.
# (one space after make: "make             build every sample" has no target)
for t in $(sed -nE 's/^ +make ([a-z][a-z0-9_-]*).*/\1/p' <<< "$help" | sort -u); do
	grep -qxF "$t" <<< "$samples" && continue
	grep -qE "^(\.PHONY:.* $t( |\$)|$t:)" Makefile || bad="$bad target:$t"
done
# Sample names given as examples (make sockex1, FROM=sockex1) are samples.
for s in $(grep -oE 'FROM=[a-z0-9_]+|e\.g\. make [a-z0-9_]+' <<< "$help" | sed -E 's/^(FROM=|e\.g\. make )//' | sort -u); do
	grep -qxF "$s" <<< "$samples" || bad="$bad example:$s"
done
# The samples list: every sample folder, less those make says it cannot build.
listed=$(sed -n 's/^samples: //p' <<< "$help" | tr ' ' '\n' | grep . | sort)
unbuilt=$(sed -nE 's/^note: ([a-z0-9_]+) is not built.*/\1/p' <<< "$help" | sort)
want=$(comm -23 <(sort <<< "$samples") <(echo "$unbuilt" | grep .))
[ -n "$listed" ] || bad="$bad no-samples-line"
[ "$listed" = "$want" ] || bad="$bad samples-list:$(diff <(echo "$want") <(echo "$listed") | grep '^[<>]' | tr -d ' ' | tr '\n' ' ')"
if [ -z "$bad" ]; then echo "PASS docs/make_help"
else echo "FAIL docs/make_help: make help and the tree differ:$bad"; fi

# SPDX lines: every C file, script and Makefile, with a licence LICENSE or
# LICENSES/<id> holds (LICENSE is the GPL version 2: GPL-2.0).
known=""
grep -q 'GNU GENERAL PUBLIC LICENSE' LICENSE 2>/dev/null && grep -q 'Version 2, June 1991' LICENSE && known="GPL-2.0"
for l in LICENSES/*; do [ -f "$l" ] && known="$known $(basename "$l")"; done
bad=""
while IFS= read -r f; do
	id=$(head -3 "$f" | sed -nE 's/.*SPDX-License-Identifier: *([^*]*[^* ]).*/\1/p' | head -1)
	if [ -z "$id" ]; then bad="$bad none:$f"; continue; fi
	# An expression (A OR B) needs each licence it names.
	for l in $(tr '()' '  ' <<< "$id" | sed -E 's/ (OR|AND|WITH) / /g'); do
		printf '%s\n' $known | grep -qxF "$l" || bad="$bad $l:$f"
	done
done < <(find . \( -path ./build -o -path ./build-san -o -path ./.git \) -prune -o -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name Makefile -o -path ./bench/run \
	   -o -path ./tests/run -o -path ./.ci/run \) -print | sed 's|^\./||' |
	grep -vE '^([a-z0-9_]+)/\1$' | sort)
if [ -z "$bad" ]; then echo "PASS docs/spdx (every C file, script and Makefile: ${known# })"
else echo "FAIL docs/spdx: no SPDX line, or a licence neither LICENSE nor LICENSES/ holds:$bad"; fi

# docs/choosing-a-map.md quotes make bench's captured run: every row of a
# table headed "| measure | A | B | A median | B median | ratio | spread
# (min-max) |" must be, cell for cell, the first seven cells of a row of the
# captured run in bench/README.md. A new capture that changes a figure fails
# here until the page quotes the new one.
guide=docs/choosing-a-map.md
if [ -f "$guide" ]; then
	head7() { cut -d'|' -f1-8 | sed -E 's/ *$//; s/$/ |/'; }
	captured=$(awk '/^## Captured run/ { f = 1 } f && /^\| / && !/^\| measure/ && !/^\|---/' bench/README.md | head7)
	quoted=$(awk '/^\| measure \| A \| B \| A median \| B median \| ratio \| spread \(min-max\) \|$/ { t = 1; next }
		t && /^\|---/ { next } t && /^\| / { print; next } { t = 0 }' "$guide" | head7)
	bad=""
	n=0
	while IFS= read -r row; do
		[ -n "$row" ] || continue
		n=$((n + 1))
		grep -qxF "$row" <<< "$captured" || bad="$bad
  $row"
	done <<< "$quoted"
	if [ "$n" -eq 0 ]; then echo "FAIL docs/bench_figures: $guide quotes no row of make bench's captured run"
	elif [ -z "$bad" ]; then echo "PASS docs/bench_figures ($n rows of $guide are rows of bench/README.md's captured run)"
	else echo "FAIL docs/bench_figures: rows of $guide that bench/README.md's captured run does not have (recaptured? quote the new figures):$bad"; fi
fi

# Each sample README's API lines (the libbpf API it calls, what it reaches
# through common/, the BPF helpers of its BPF side) are what the code calls:
# scripts/api-refs.py works them out and names a README that says otherwise
# (`scripts/api-refs.py --write` puts the right lines in).
if command -v python3 >/dev/null 2>&1; then
	python3 scripts/api-refs.py "$@"
else
	echo "FAIL docs/api_refs: needs python3, which is not installed ('make deps' installs it)"
fi
