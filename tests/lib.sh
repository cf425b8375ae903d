# SPDX-License-Identifier: GPL-2.0
# tests/lib.sh - shared by the end-to-end tests (sourced, not run).
#
# Every test prints exactly one line: PASS name | FAIL name: why | SKIP name: why
# Helpers keep each run bounded in time and check that a sample leaves nothing
# behind: no BPF program, link or map of its own, no netns, no pin.

BIN=${BIN:-.}
E2E_TMP=$(mktemp -d /tmp/bpf-map-samples-e2e.XXXXXX)
# Only this shell removes it: a child forked for `cmd &` runs this trap too if
# a signal reaches it before it execs cmd, and took E2E_TMP away under us.
trap '[ "$BASHPID" != "$$" ] || rm -rf "$E2E_TMP"' EXIT

# no_compiler S: non-empty (the reason) when the Makefile left sample S out of
# the build: what it wrote in $BUILD/S.not-built (a BPF compiler this machine
# lacks, a map type this kernel's BTF lacks), or, before any build, a compiler
# named in S/clang that is missing. S's tests then skip with that reason.
no_compiler() {
	local c f=${BUILD:-build}/$1.not-built
	if [ -s "$f" ]; then
		echo "not built: $(head -n 1 "$f")"
		return 0
	fi
	[ -f "$1/clang" ] || return 0
	c=$(tr -d ' \n' < "$1/clang")
	command -v "$c" >/dev/null 2>&1 || echo "needs $c to build (not installed; make deps installs it)"
}

# refused S: non-empty (the reason) when this kernel or machine refuses, at
# run time, the one thing sample S cannot run without (arena: an ARENA map).
# The answer is that of S's own probe, the case S/probe of tests/test_S.c,
# run alone: the reason of its SKIP line. Empty where S has no probe case, or
# the probe passed (or failed: then the C tests report it, and the demo's
# own tests fail).
refused() {
	local line
	grep -q "^TEST($1, probe)" "tests/test_$1.c" 2>/dev/null || return 0
	line=$("${BUILD:-build}/tests/test_$1" "$1/probe" 2>/dev/null | grep "^SKIP $1/probe: ")
	echo "${line#"SKIP $1/probe: "}"
}

pass() { echo "PASS $1${2:+: $2}"; }	# an optional detail: which of two kernel answers it saw
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

# need_tool NAME TOOL...: true when every TOOL is a command here; otherwise one
# FAIL line for NAME per missing TOOL, and false, so that a test that needs a
# tool fails naming it instead of passing on an empty answer:
#   need_tool e2e/map_api jq bpftool || return
need_tool() {
	local name=$1 t ok=0
	shift
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 && continue
		fail "$name" "needs $t, which is not installed ('make deps' installs it)"
		ok=1
	done
	return $ok
}

# Snapshot of the kernel objects that exist now, to compare after a run.
bpf_ids() { bpftool "$1" show 2>/dev/null | awk -F: '/^[0-9]+:/ {print $1}' | sort; }	# sort as comm wants it (not -n)
snapshot() {
	bpf_ids prog > "$E2E_TMP/progs.before"
	bpf_ids link > "$E2E_TMP/links.before"
	bpf_ids map > "$E2E_TMP/maps.before"
	ip netns list 2>/dev/null | awk '{print $1}' | sort > "$E2E_TMP/netns.before"
	find /sys/fs/bpf -mindepth 1 2>/dev/null | sort > "$E2E_TMP/pins.before"
}

# The kernel names of a sample's programs and maps (internal maps included, as
# "sockex1.bss"), read from its generated skeleton, one per line.
# Names that common/ gives to every sample including it (xdp_outcome_kern.h:
# xdp_out_*, xdp_outcomes) are left out: they are not the sample's own, and
# another sample's process tearing down at the same time would be taken for
# this one's leftover. A sample that leaks them leaks its own objects too.
# The kernel keeps BPF_OBJ_NAME_LEN - 1 = 15 characters of a name, so the names
# are cut to 15 here and in bpf_name(): "select_or_migrate" is
# "select_or_migra" to the kernel.
own_names() {
	sed -n 's/.*\.name = "\([^"]*\)".*/\1/p' "${BUILD:-build}/$1/$1.skel.h" 2>/dev/null |
		grep -v '^xdp_out' | cut -c1-15
}

# The name of BPF object KIND ID (a link is named by its program), cut to the
# 15 characters the kernel keeps, like own_names(): bpftool 7 prints a
# program's full name from its BTF, an older one or a map the kernel's 15.
bpf_name() {
	local kind=$1 id=$2
	if [ "$kind" = link ]; then
		id=$(bpftool link show id "$id" 2>/dev/null | sed -n 's/.*prog \([0-9]*\).*/\1/p' | head -1)
		[ -n "$id" ] || return 0
		kind=prog
	fi
	bpftool "$kind" show id "$id" 2>/dev/null | sed -n 's/.* name \([^ ]*\).*/\1/p' | head -1 | cut -c1-15
}

# leftovers [SAMPLE]: prints what is new since snapshot(), waiting up to 3 s
# for the kernel's deferred freeing of programs, links and maps. Empty output =
# nothing left. With SAMPLE, only programs, links and maps bearing that sample's
# names count, so test runs of other samples at the same time are not blamed on
# it; namespaces and pins always count.
leftovers() {
	local i new names=""
	if ! command -v bpftool >/dev/null 2>&1; then
		echo " unknown: bpftool, which lists them, is not installed ('make deps' installs it)"
		return
	fi
	[ -n "${1:-}" ] && names=$(own_names "$1")
	for i in $(seq 30); do
		new=""
		for kind in prog link map; do
			local n="" id
			for id in $(bpf_ids $kind | comm -13 "$E2E_TMP/${kind}s.before" -); do
				if [ -z "$names" ] || grep -qxF "$(bpf_name $kind "$id")" <<< "$names"; then
					n="$n $id"
				fi
			done
			[ -n "$n" ] && new="$new ${kind}s:$n"
		done
		local ns pins
		ns=$(ip netns list 2>/dev/null | awk '{print $1}' | sort | comm -13 "$E2E_TMP/netns.before" - | tr '\n' ' ')
		[ -n "$ns" ] && new="$new netns:$ns"
		pins=$(find /sys/fs/bpf -mindepth 1 2>/dev/null | sort | comm -13 "$E2E_TMP/pins.before" - | tr '\n' ' ')
		[ -n "$pins" ] && new="$new pins:$pins"
		[ -z "$new" ] && return 0
		sleep 0.1
	done
	echo "$new"
}

# run NAME TIMEOUT CMD...: runs CMD with a hard time bound; stdout in
# $E2E_TMP/NAME.out, stderr in $E2E_TMP/NAME.err, exit code in $RC.
run() {
	local name=$1 t=$2
	shift 2
	timeout -k 2 "$t" "$@" > "$E2E_TMP/$name.out" 2> "$E2E_TMP/$name.err"
	RC=$?
}
out() { cat "$E2E_TMP/$1.out"; }
err() { cat "$E2E_TMP/$1.err"; }

# A number printed with thousands separators, as an integer.
num() { echo "${1//,/}"; }

# wait_exit PID TENTHS: wait up to TENTHS/10 s for PID (our child) to exit, then
# SIGKILL it. Returns its exit status (137 if it had to be killed). Polls
# /proc/PID/stat: a zombie has exited; no background watchdog is left running
# that could later signal a recycled PID.
wait_exit() {
	local pid=$1 i state
	for i in $(seq "$2"); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && break
		sleep 0.1
	done
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ] && kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# wait_for FILE REGEX TENTHS [PID]: wait until a line of FILE matches the
# extended REGEX, at most TENTHS/10 s, or until PID (if given) is gone.
# 0 when it matched, else 1 with one line on stderr. For readiness before
# traffic with exact counts: a sample prints its header once its programs are
# attached (wait_for "$E2E_TMP/lo.out" '^ +time' 100 $p), a process that
# entered its netns has exec'd (wait_for /proc/$s/comm '^sleep$' 50).
# Exported: the `unshare -n bash -c "..."` snippets of the tests call it too.
wait_for() {
	local file=$1 re=$2 tenths=$3 pid=${4:-} i
	for ((i = 0; i < tenths; i++)); do
		grep -qE -- "$re" "$file" 2>/dev/null && return 0
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	grep -qE -- "$re" "$file" 2>/dev/null && return 0
	echo "wait_for: no line matching '$re' in $file within $((tenths / 10)) s" >&2
	return 1
}
export -f wait_for

# Last lines of a run's stdout and stderr, on one line, for a FAIL message.
tails() { { tail -n 3 "$E2E_TMP/$1.out"; tail -n 3 "$E2E_TMP/$1.err"; } 2>/dev/null | tr '\n' '|' | head -c 400; }

# names_word FILE WORD: WORD appears in FILE as a word of its own, not inside a
# longer one ("0" is not in "0.01", but is in "'0'"; "/tmp" is not in
# "/tmp/x"); quotes, spaces and punctuation other than . - _ (and / for a
# path) around it are fine.
names_word() {
	awk -v w="$2" 'BEGIN { c = index(w, "/") ? "[A-Za-z0-9_./-]" : "[A-Za-z0-9_.-]" }
	w != "" { s = $0
		while ((i = index(s, w)) > 0) {
			b = i > 1 ? substr(s, i - 1, 1) : ""; a = substr(s, i + length(w), 1)
			if (b !~ c && a !~ c) { found = 1; exit }
			s = substr(s, i + 1)
		} }
		END { exit !found }' "$1"
}

# expect_bad_input SAMPLE CASE WORD ARGS...: the sample must exit non-zero with
# exactly one line on stderr that names WORD (the bad value, option or
# argument, see names_word), print nothing on stdout, and leave nothing behind.
expect_bad_input() {
	local s=$1 case=$2 word=$3 name="e2e/$1/bad_input/$2"
	shift 3
	snapshot
	run bad 10 "$BIN/$s/$s" "$@"
	local lines left
	lines=$(wc -l < "$E2E_TMP/bad.err")
	left=$(leftovers "$s")
	if [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ]; then
		fail "$name" "exit code $RC, want a clean non-zero exit"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "$lines lines on stderr, want 1: $(head -c 300 "$E2E_TMP/bad.err" | tr '\n' '|')"
	elif ! names_word "$E2E_TMP/bad.err" "$word"; then
		fail "$name" "stderr does not name '$word': $(head -c 300 "$E2E_TMP/bad.err")"
	elif [ -s "$E2E_TMP/bad.out" ]; then
		fail "$name" "$(wc -l < "$E2E_TMP/bad.out") lines on stdout, want none: $(head -c 200 "$E2E_TMP/bad.out" | tr '\n' '|')"
	elif [ -n "$left" ]; then
		fail "$name" "left behind:$left"
	else
		pass "$name"
	fi
}

# expect_no_privileges SAMPLE ARGS...: with every capability dropped, one clear
# line that names the fix, and a non-zero exit.
expect_no_privileges() {
	local s=$1 name="e2e/$1/bad_input/no_privileges"
	shift
	need_tool "$name" setpriv || return 0
	run nopriv 10 setpriv --inh-caps=-all --bounding-set=-all --reuid=65534 --regid=65534 \
		--clear-groups "$BIN/$s/$s" "$@"
	if [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ]; then
		fail "$name" "exit code $RC"
	elif [ "$(wc -l < "$E2E_TMP/nopriv.err")" -ne 1 ] || ! grep -q 'sudo' "$E2E_TMP/nopriv.err"; then
		fail "$name" "want one line naming sudo, got: $(tr '\n' '|' < "$E2E_TMP/nopriv.err")"
	else
		pass "$name"
	fi
}

# expect_sigkill_clean SAMPLE READY_REGEX ARGS...: start the demo, wait until its
# output matches READY_REGEX (programs attached), kill -9, and check that the
# kernel dropped everything (bpf_link + anonymous netns held by fds).
expect_sigkill_clean() {
	local s=$1 ready=$2 name="e2e/$1/sigkill_leaves_nothing"
	shift 2
	snapshot
	# Emptied here, not by the redirection below: that one happens in the
	# child, maybe after our first look, which would then find the header of
	# an earlier run and signal a process that has not started yet.
	: > "$E2E_TMP/kill.out"
	"$BIN/$s/$s" "$@" > "$E2E_TMP/kill.out" 2> "$E2E_TMP/kill.err" &
	local pid=$! i ok=""
	for i in $(seq 100); do
		grep -qE "$ready" "$E2E_TMP/kill.out" && { ok=1; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$ok" ]; then
		kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
		fail "$name" "never became ready: $(tails kill)"
		return
	fi
	local during
	during=$(bpf_ids prog | comm -13 "$E2E_TMP/progs.before" - | wc -l)
	kill -9 "$pid"
	wait_exit "$pid" 50
	local left
	left=$(leftovers "$s")
	if [ "$during" -eq 0 ]; then
		fail "$name" "no program of its own was loaded while running"
	elif [ -n "$left" ]; then
		fail "$name" "left behind after SIGKILL:$left"
	else
		pass "$name"
	fi
}

# expect_signal_clean SAMPLE SIGNAL READY_REGEX ARGS...: SIGINT/SIGTERM during
# the demo gives exit 0, the final summary, and nothing left.
expect_signal_clean() {
	local s=$1 sig=$2 ready=$3 name="e2e/$1/$2_clean_exit"
	shift 3
	snapshot
	: > "$E2E_TMP/sig.out"	# (as in expect_sigkill_clean)
	"$BIN/$s/$s" "$@" > "$E2E_TMP/sig.out" 2> "$E2E_TMP/sig.err" &
	local pid=$! i ok=""
	for i in $(seq 100); do
		grep -qE "$ready" "$E2E_TMP/sig.out" && { ok=1; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -"$sig" "$pid" 2>/dev/null
	local rc
	wait_exit "$pid" 50
	rc=$?
	local left
	left=$(leftovers "$s")
	if [ -z "$ok" ]; then
		fail "$name" "never became ready (exit $rc): $(tails sig)"
	elif [ "$rc" != 0 ]; then
		fail "$name" "exit $rc after SIG$sig, want 0: $(tails sig)"
	elif ! grep -q '^final' "$E2E_TMP/sig.out"; then
		fail "$name" "no final summary after SIG$sig: $(tails sig)"
	elif [ -n "$left" ]; then
		fail "$name" "left behind:$left"
	else
		pass "$name"
	fi
}
