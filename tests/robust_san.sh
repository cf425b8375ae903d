#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# robustness: every demo under ASan+UBSan and under valgrind memcheck
#
# bash tests/robust_san.sh [SAMPLE...]   (no argument: every sample)
#
# For each sample (<s>/<s>_kern.c exists, as the Makefile finds them):
#  - ASan+UBSan (build-san/<s>/<s>, built by `make SAN=1`; `make check` builds
#    it first): the no-argument demo with a short duration, two bad inputs (an
#    unknown option and a value that fails after parsing, a later error path
#    for some) and a SIGINT during the demo. A run passes only with the right
#    exit code, the final: line where one is due, and no "AddressSanitizer",
#    "LeakSanitizer" or "runtime error:" on stderr.
#  - valgrind memcheck on the normal build (./<s>): the same demo. Passes only
#    with exit 0, the final: line, no memcheck error and no definite or
#    indirect leak. Suppressions (libbpf internals only, each explained):
#    tests/valgrind.supp.
# First two canaries prove that LeakSanitizer and memcheck really report a
# leak on this machine (LSan cannot work under ptrace, for instance); without
# them a clean run would prove nothing.
# Ends with "FIGURE sanitizer-runs N" and "FIGURE valgrind-runs N".
set -u
cd "$(dirname "$0")/.."
TOP=$PWD	# frames of ours in valgrind reports start with it
. tests/lib.sh

SAN_BIN=${SAN_BIN:-build-san}
SUPP=tests/valgrind.supp

# Distinct exit codes, so that a sanitizer's verdict cannot pass for the
# sample's own error exit (1 or 2).
ASAN_RC=86
UBSAN_RC=87
VG_RC=88
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=$ASAN_RC:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=$UBSAN_RC"
# --child-silent-after-fork=no: the demos fork their traffic generators, and
# those children run our code too; their reports land in the same stderr and
# are checked with the parent's. --track-fds=no: the demos hand fds to
# children on purpose. --track-origins is left off for speed (use it by hand
# to find where an uninitialised value came from, see TESTING.md).
VALGRIND=(valgrind --error-exitcode=$VG_RC --leak-check=full
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
	--track-fds=no --child-silent-after-fork=no --num-callers=30 --fullpath-after=
	--suppressions="$SUPP")

SAN_RUNS=0
VG_RUNS=0

# ---- the table: what each sample's cases run ----------------------------
# A new sample gets the defaults: demo "-d 2", ready when its header is out,
# an unknown interface as its bad value if it has -i, else a stray argument.

# Arguments of the demo run: short, but long enough for the data path to run
# (traffic, at least one row, the final read).
demo_args() {
	case $1 in
	trace_output) echo "-n 1000 -r 2000" ;;	# ends by itself when its writer is done
	*) echo "-d 2" ;;
	esac
}

# What stdout shows once the demo is up (programs attached, traffic flowing).
ready_regex() {
	case $1 in
	sk_storage) echo '^connection' ;;
	*) echo '^ +time' ;;
	esac
}

# A bad value that passes getopt and fails later (unknown interface, cgroup,
# pid ...); some reach an error after the programs are loaded.
bad_args() {
	case $1 in
	cgroup_array | sk_storage) echo "-c /nonexistent/sz_$$" ;;
	trace_output) echo "-p 4194303" ;;
	xdp_fwd | xdp_router_ipv4) echo "sz_nodev$$" ;;
	xdp_redirect_map) echo "sz_nodev$$ sz_nob$$" ;;
	# The first CPU id past the possible ones: refused by the CPUMAP, after load.
	cpumap) echo "-c $(($(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1)) -d 2" ;;
	xdpsock) echo "-z -d 2" ;;		# zero-copy on veth: fails at bind, after load
	*)
		if "$BIN/$1/$1" -h 2>&1 | grep -q -- '--interface'; then
			echo "-i sz_nodev$$"
		else
			echo "sz_stray_argument"
		fi ;;
	esac
}

# ---- checks --------------------------------------------------------------

# san_report NAME: the sanitizer lines of a run's stderr, if any.
san_report() {
	grep -m 3 -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$E2E_TMP/$1.err" | tr '\n' '|' | head -c 300
}

# vg_report NAME: memcheck's verdict, empty when clean. Every process of the
# run (children included) prints its own ERROR SUMMARY.
vg_report() {
	local f="$E2E_TMP/$1.err"
	if ! grep -q 'ERROR SUMMARY:' "$f"; then
		echo "no ERROR SUMMARY from valgrind"
	elif grep -qE 'ERROR SUMMARY: [1-9]|(definitely|indirectly) lost: [1-9]' "$f"; then
		# The kind of each report, and the frames of ours (full paths, thanks
		# to --fullpath-after=) that show where.
		grep -E "^==[0-9]+== (Invalid|Conditional|Use of|Syscall param|Mismatched|Source and)|are (definitely|indirectly) lost|\\($TOP/" "$f" |
			head -n 6 | sed "s/^==[0-9]*== *//; s|($TOP/|(|" |
			tr '\n' '|' | head -c 500
	fi
}

# ---- canaries: the tools really report a leak here ------------------------

canaries() {
	local src="$E2E_TMP/sz_leak.c"
	cat > "$src" <<-'EOF'
	#include <stdlib.h>
	#include <string.h>
	/* 100 blocks whose only pointer is dropped: a definite leak. */
	__attribute__((noinline)) static void leak(void)
	{
		for (int i = 0; i < 100; i++) {
			char *p = malloc(77);
			memset(p, i, 77);
			__asm__ volatile("" : : "r"(p) : "memory");
		}
	}
	int main(void) { leak(); return 0; }
	EOF
	if ! ${CC:-cc} -O0 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		"$src" -o "$E2E_TMP/sz_leak_san" 2> "$E2E_TMP/cc.err"; then
		fail "san/canary/lsan_reports_a_leak" "cannot build with -fsanitize=address,undefined: $(head -c 200 "$E2E_TMP/cc.err")"
		return
	fi
	run lsan 20 "$E2E_TMP/sz_leak_san"
	if [ "$RC" -eq "$ASAN_RC" ] && grep -q 'LeakSanitizer: detected memory leaks' "$E2E_TMP/lsan.err"; then
		pass "san/canary/lsan_reports_a_leak"
	else
		fail "san/canary/lsan_reports_a_leak" "a leaking program exited $RC without a leak report (LeakSanitizer under ptrace?): $(tails lsan)"
	fi
	[ -n "$have_valgrind" ] || return
	${CC:-cc} -O0 -g "$src" -o "$E2E_TMP/sz_leak_plain"
	run vgleak 30 "${VALGRIND[@]}" "$E2E_TMP/sz_leak_plain"
	if [ "$RC" -eq "$VG_RC" ] && grep -q 'definitely lost: 7,700 bytes in 100 blocks' "$E2E_TMP/vgleak.err"; then
		pass "valgrind/canary/memcheck_reports_a_leak"
	else
		fail "valgrind/canary/memcheck_reports_a_leak" "exit $RC, no 7,700-byte definite leak reported: $(tails vgleak)"
	fi
}

# ---- the cases ----------------------------------------------------------

# san_demo S: the demo under ASan+UBSan runs to its end cleanly.
san_demo() {
	local s=$1 name="san/$1/demo"
	# shellcheck disable=SC2046
	run sdemo 40 "$SAN_BIN/$s/$s" $(demo_args "$s")
	SAN_RUNS=$((SAN_RUNS + 1))
	local rep
	rep=$(san_report sdemo)
	if [ -n "$rep" ]; then
		fail "$name" "exit $RC: $rep"
	elif [ "$RC" -ne 0 ]; then
		fail "$name" "exit $RC, want 0: $(tails sdemo)"
	elif ! grep -q '^final:' "$E2E_TMP/sdemo.out"; then
		fail "$name" "no final: line: $(tails sdemo)"
	else
		pass "$name"
	fi
}

# san_bad S CASE ARGS...: a bad input gives the sample's own error exit (not a
# sanitizer's, not a timeout or a signal) and no report: the error path frees
# what it took.
san_bad() {
	local s=$1 case=$2 name="san/$1/bad_input/$2"
	shift 2
	run sbad 30 "$SAN_BIN/$s/$s" "$@"
	SAN_RUNS=$((SAN_RUNS + 1))
	local rep
	rep=$(san_report sbad)
	if [ -n "$rep" ]; then
		fail "$name" "exit $RC: $rep"
	elif [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ] || [ "$RC" -eq "$ASAN_RC" ] || [ "$RC" -eq "$UBSAN_RC" ]; then
		fail "$name" "exit $RC, want the sample's own error exit: $(tails sbad)"
	else
		pass "$name"
	fi
}

# san_sigint S: SIGINT during the demo: exit 0, final: line, no report. (That
# nothing is left in the kernel after SIGINT is e2e's expect_signal_clean;
# here it would be confused by the valgrind runs going on at the same time.)
san_sigint() {
	local s=$1 name="san/$1/SIGINT" ready i ok=""
	ready=$(ready_regex "$s")
	"$SAN_BIN/$s/$s" -d 30 > "$E2E_TMP/ssig.out" 2> "$E2E_TMP/ssig.err" &
	local pid=$!
	SAN_RUNS=$((SAN_RUNS + 1))
	for i in $(seq 150); do
		grep -qE "$ready" "$E2E_TMP/ssig.out" && { ok=1; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$ok" ] && sleep 0.5	# let the data path run a little
	kill -INT "$pid" 2>/dev/null
	wait_exit "$pid" 150
	local rc=$? rep
	rep=$(san_report ssig)
	if [ -n "$rep" ]; then
		fail "$name" "exit $rc: $rep"
	elif [ -z "$ok" ]; then
		fail "$name" "never became ready (exit $rc): $(tails ssig)"
	elif [ "$rc" -ne 0 ]; then
		fail "$name" "exit $rc after SIGINT, want 0: $(tails ssig)"
	elif ! grep -q '^final:' "$E2E_TMP/ssig.out"; then
		fail "$name" "no final: line after SIGINT: $(tails ssig)"
	else
		pass "$name"
	fi
}

# vg_demo S: the demo of the normal build under memcheck.
vg_demo() {
	local s=$1 name="valgrind/$1/demo"
	# shellcheck disable=SC2046
	run vdemo 90 "${VALGRIND[@]}" "$BIN/$s/$s" $(demo_args "$s")
	local rep
	rep=$(vg_report vdemo)
	if [ -n "$rep" ]; then
		fail "$name" "exit $RC: $rep"
	elif [ "$RC" -ne 0 ]; then
		fail "$name" "exit $RC, want 0: $(tails vdemo)"
	elif ! grep -q '^final:' "$E2E_TMP/vdemo.out"; then
		fail "$name" "no final: line: $(tails vdemo)"
	else
		pass "$name"
	fi
}

# ---- main ---------------------------------------------------------------

SAMPLES=""
for d in */; do
	s=$(basename "$d")
	[ -e "$d${s}_kern.c" ] || continue
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$s"; then
		continue
	fi
	SAMPLES="$SAMPLES $s"
done

have_valgrind=""
command -v valgrind > /dev/null 2>&1 && have_valgrind=1

if [ -n "$SAMPLES" ]; then
	[ -n "$have_valgrind" ] ||
		fail "valgrind" "valgrind not installed: run 'make deps' (scripts/install-deps.sh installs it)"
	canaries
fi

# The valgrind runs are CPU-bound and the sanitizer cases mostly wait (setup,
# durations), so the valgrind demos run in a background job alongside them;
# their lines are printed after the sanitizer cases.
vg_all() {
	local s
	for s in $SAMPLES; do
		why=$(refused "$s")	# the kernel refuses what the demo needs (tests/lib.sh)
		if [ -n "$why" ]; then
			skip "valgrind/$s" "$why"
		elif [ -x "$BIN/$s/$s" ]; then
			vg_demo "$s"
			echo "RAN $s"
		else
			why=$(no_compiler "$s")
			if [ -n "$why" ]; then skip "valgrind/$s" "$why"
			else fail "valgrind/$s" "$BIN/$s/$s not built (make $s)"; fi
		fi
	done
}
vg_pid=""
if [ -n "$have_valgrind" ] && [ -n "$SAMPLES" ]; then
	vg_all > "$E2E_TMP/vg.results" &
	vg_pid=$!
	trap '[ -n "$vg_pid" ] && kill "$vg_pid" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT
fi

for s in $SAMPLES; do
	why=$(refused "$s")
	if [ -n "$why" ]; then
		skip "san/$s" "$why"
	elif [ -x "$SAN_BIN/$s/$s" ]; then
		san_demo "$s"
		san_bad "$s" unknown_option --sz-no-such-option
		# shellcheck disable=SC2046
		san_bad "$s" bad_value $(bad_args "$s")
		san_sigint "$s"
	else
		why=$(no_compiler "$s")
		if [ -n "$why" ]; then skip "san/$s" "$why"
		else fail "san/$s" "$SAN_BIN/$s/$s not built (make SAN=1 $s)"; fi
	fi
done

if [ -n "$vg_pid" ]; then
	wait "$vg_pid"
	vg_rc=$?
	vg_pid=""
	grep -v '^RAN ' "$E2E_TMP/vg.results"
	# A sample the background job never reached is a failure, not a silence.
	for s in $SAMPLES; do
		grep -qE "^RAN $s\$|^(SKIP|FAIL) valgrind/$s:" "$E2E_TMP/vg.results" ||
			fail "valgrind/$s" "the valgrind job ended (status $vg_rc) before this sample's run"
	done
	VG_RUNS=$(grep -c '^RAN ' "$E2E_TMP/vg.results")
fi

echo "FIGURE sanitizer-runs $SAN_RUNS"
echo "FIGURE valgrind-runs $VG_RUNS"
