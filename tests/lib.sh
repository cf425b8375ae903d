# tests/lib.sh - shared by the end-to-end tests (sourced, not run).
#
# Every test prints exactly one line: PASS name | FAIL name: why | SKIP name: why
# Helpers keep each run bounded in time and check that a sample leaves nothing
# behind: no BPF program, link or map of its own, no netns, no pin.

BIN=${BIN:-.}
E2E_TMP=$(mktemp -d /tmp/bpf-map-samples-e2e.XXXXXX)
trap 'rm -rf "$E2E_TMP"' EXIT

# no_compiler S: non-empty (the reason) when sample S names in S/clang a BPF
# compiler this machine lacks; the Makefile then leaves S out of the build
# and its tests skip with that reason.
no_compiler() {
	local c
	[ -f "$1/clang" ] || return 0
	c=$(tr -d ' \n' < "$1/clang")
	command -v "$c" >/dev/null 2>&1 || echo "needs $c to build (not installed; make deps installs it)"
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

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
own_names() {
	sed -n 's/.*\.name = "\([^"]*\)".*/\1/p' "${BUILD:-build}/$1/$1.skel.h" 2>/dev/null |
		grep -v '^xdp_out'
}

# The name of BPF object KIND ID (a link is named by its program).
bpf_name() {
	local kind=$1 id=$2
	if [ "$kind" = link ]; then
		id=$(bpftool link show id "$id" 2>/dev/null | sed -n 's/.*prog \([0-9]*\).*/\1/p' | head -1)
		[ -n "$id" ] || return 0
		kind=prog
	fi
	bpftool "$kind" show id "$id" 2>/dev/null | sed -n 's/.* name \([^ ]*\).*/\1/p' | head -1
}

# leftovers [SAMPLE]: prints what is new since snapshot(), waiting up to 3 s
# for the kernel's deferred freeing of programs, links and maps. Empty output =
# nothing left. With SAMPLE, only programs, links and maps bearing that sample's
# names count, so test runs of other samples at the same time are not blamed on
# it; namespaces and pins always count.
leftovers() {
	local i new names=""
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

# expect_bad_input SAMPLE CASE ARGS...: the sample must exit non-zero with
# exactly one line on stderr, print no data, and leave nothing behind.
expect_bad_input() {
	local s=$1 case=$2 name="e2e/$1/bad_input/$2"
	shift 2
	snapshot
	run bad 10 "$BIN/$s/$s" "$@"
	local lines left
	lines=$(wc -l < "$E2E_TMP/bad.err")
	left=$(leftovers "$s")
	if [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ]; then
		fail "$name" "exit code $RC, want a clean non-zero exit"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "$lines lines on stderr, want 1: $(head -c 300 "$E2E_TMP/bad.err" | tr '\n' '|')"
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
