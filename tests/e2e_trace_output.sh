# SPDX-License-Identifier: GPL-2.0
# trace_output end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/trace_output taskset mkfifo timeout || return

to_tracefs_mounts() { grep -c ' tracefs ' /proc/mounts; }

# The no-argument demo in each mode, -d 3: exit 0, events/s > 0, and every
# write of the demo writer arrived: events = writes (the writer is stopped
# before the final drain), nothing lost, bytes = 64 per write. Nothing stays
# loaded, and tracefs, if the sample had to mount it, stayed private.
for mode in perf ringbuf ringbuf-output; do
	t=e2e/trace_output/demo_${mode}_every_write_arrives
	snapshot
	mounts=$(to_tracefs_mounts)
	run demo 20 "$BIN/trace_output/trace_output" -m $mode -d 3
	final=$(out demo | grep -A1 '^final:' | tail -1)
	read -r _ ev rate lost _ _ bytes <<< "$(num "$final")"
	writes=$(num "$(out demo | sed -n 's/^demo writer: \([0-9,]*\) writes;.*/\1/p')")
	left=$(leftovers trace_output)	# its own programs and maps only
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
	elif [ -z "$final" ] || [ -z "$writes" ]; then fail $t "no final line or summary: $(tails demo)"
	elif [ "$writes" -lt 2000 ]; then fail $t "demo writer made only $writes writes in 3 s at 1000/s"
	elif [ "$ev" != "$writes" ] || [ "$lost" != 0 ]; then fail $t "events $ev lost $lost, want $writes and 0"
	elif [ "$rate" -lt 500 ]; then fail $t "events/s $rate"
	elif [ "$bytes" != $((64 * writes)) ]; then fail $t "bytes $bytes, want $((64 * writes))"
	elif ! out demo | grep -q "received $(sed -n 's/^demo writer: \([0-9,]*\) writes;.*/\1/p' "$E2E_TMP/demo.out") + lost 0\$"; then
		fail $t "summary does not add up: $(out demo | tail -1)"
	elif [ -n "$left" ]; then fail $t "left behind:$left"
	elif [ "$(to_tracefs_mounts)" != "$mounts" ]; then fail $t "tracefs mount count changed"
	else pass $t; fi
done

# The writer is bounded in count: -n 500 -r 2000 ends by itself (no -d) after
# exactly 500 writes, all received.
t=e2e/trace_output/demo_writer_count_bound
run count 20 "$BIN/trace_output/trace_output" -m ringbuf -n 500 -r 2000 -I 0.2
final=$(out count | grep -A1 '^final:' | tail -1)
read -r _ ev _ lost _ _ _ <<< "$(num "$final")"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails count)"
elif [ "$ev" != 500 ] || [ "$lost" != 0 ]; then fail $t "events $ev lost $lost, want 500 and 0"
elif ! out count | grep -q '^demo writer: 500 writes;'; then fail $t "summary: $(out count | tail -1)"
else pass $t; fi

# -w none (BPF_RB_NO_WAKEUP): the reader is never woken (wakeups 0) and still
# gets every record, from the drain at each tick.
t=e2e/trace_output/ringbuf_no_wakeup_reads_at_tick
run nowake 20 "$BIN/trace_output/trace_output" -m ringbuf -w none -n 300 -r 1000 -I 0.1
final=$(out nowake | grep -A1 '^final:' | tail -1)
read -r _ ev _ lost _ wakeups _ <<< "$(num "$final")"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails nowake)"
elif [ "$ev" != 300 ] || [ "$lost" != 0 ] || [ "$wakeups" != 0 ]; then
	fail $t "events $ev lost $lost wakeups $wakeups, want 300, 0, 0"
else pass $t; fi

# -p PID and an undersized buffer: a shell pinned to CPU 0 makes a burst of
# 3000 writes (printf is a builtin: one write() each, same pid) while the
# sample is stopped with SIGSTOP, so nobody reads during the burst and a 4 KiB
# buffer (perf: one page for CPU 0) keeps exactly what fits (63 or 73
# records): the loss is certain, not a race. Then the sample is resumed and drains (a row printed
# after SIGCONT proves the tick's drain ran), and the shell makes one more
# write: with perf that is what carries PERF_RECORD_LOST to user space. The
# shell exits, the sample sees it gone and stops. received + lost = 3001.
burst_n=3000
for mode in perf ringbuf ringbuf-output; do
	t=e2e/trace_output/pid_${mode}_burst_lost_adds_up
	# What fits in 4 KiB, plus the flush record (see test_trace_output.c).
	if [ $mode = perf ]; then size="-P 1" kept=$((63 + 1)); else size="-B 4096" kept=$((73 + 1)); fi
	d="$E2E_TMP/fifo.$mode"
	mkdir -p "$d" && mkfifo "$d/go" "$d/done" "$d/flush"
	taskset -c 0 bash -c 'read -r _ < "$1"; for ((i = 0; i < '$burst_n'; i++)); do printf x; done > /dev/null
		read -r _ < "$2"; read -r _ < "$3"; printf y > /dev/null' _ "$d/go" "$d/done" "$d/flush" &
	wpid=$!
	"$BIN/trace_output/trace_output" -m $mode $size -p $wpid -I 0.2 -d 30 > "$E2E_TMP/burst.out" 2> "$E2E_TMP/burst.err" &
	spid=$!
	why=""
	for i in $(seq 100); do
		grep -qE '^ +time' "$E2E_TMP/burst.out" && break
		kill -0 $spid 2>/dev/null || break
		sleep 0.1
	done
	grep -qE '^ +time' "$E2E_TMP/burst.out" || why="never became ready"
	if [ -z "$why" ]; then
		kill -STOP $spid
		for i in $(seq 50); do
			[ "$(awk '{print $3}' /proc/$spid/stat 2>/dev/null)" = T ] && break
			sleep 0.1
		done
		# Each fifo write blocks until the shell opens it: bounded by timeout.
		timeout 10 sh -c "echo > '$d/go'; echo > '$d/done'" || why="burst did not finish"
		rows=$(wc -l < "$E2E_TMP/burst.out")
		kill -CONT $spid
		for i in $(seq 50); do
			[ "$(wc -l < "$E2E_TMP/burst.out")" -gt "$rows" ] && break
			sleep 0.1
		done
		[ "$(wc -l < "$E2E_TMP/burst.out")" -gt "$rows" ] || why="${why:-no row after SIGCONT}"
		timeout 10 sh -c "echo > '$d/flush'" || why="${why:-flush write not made}"
	fi
	wait_exit $wpid 50
	wait_exit $spid 100
	rc=$?
	final=$(grep -A1 '^final:' "$E2E_TMP/burst.out" | tail -1)
	read -r _ ev _ lost _ _ _ <<< "$(num "$final")"
	if [ -n "$why" ]; then fail $t "$why: $(tails burst)"
	elif [ "$rc" -ne 0 ]; then fail $t "exit $rc: $(tails burst)"
	elif [ -z "$final" ]; then fail $t "no final line: $(tails burst)"
	elif [ "$ev" != "$kept" ]; then fail $t "events $ev lost $lost: want $kept events (a full 4 KiB + 1)"
	elif [ $((ev + lost)) -ne $((burst_n + 1)) ]; then fail $t "received $ev + lost $lost != $((burst_n + 1))"
	elif ! grep -q "^pid $wpid (exited): the program saw 3,001 writes" "$E2E_TMP/burst.out"; then
		fail $t "summary: $(tail -1 "$E2E_TMP/burst.out")"
	else pass $t; fi
	rm -rf "$d"
done

# A pid that does not exist: the highest pid below pid_max that is free.
nopid=$(($(cat /proc/sys/kernel/pid_max) - 1))
while [ -e /proc/$nopid ]; do nopid=$((nopid - 1)); done
expect_bad_input trace_output pid_does_not_exist "$nopid" -p $nopid -d 1
expect_bad_input trace_output pid_zero 0 -p 0
expect_bad_input trace_output pid_not_a_number abc -p abc
expect_bad_input trace_output ringbuf_size_not_power_of_2 5000 -m ringbuf -B 5000
expect_bad_input trace_output ringbuf_size_below_page 1024 -m ringbuf -B 1024
expect_bad_input trace_output ringbuf_size_not_page_multiple 3K -m ringbuf -B 3K
expect_bad_input trace_output ringbuf_size_garbage 64X -m ringbuf -B 64X
expect_bad_input trace_output ringbuf_size_too_big 2048M -m ringbuf -B 2048M
expect_bad_input trace_output ringbuf_size_in_perf_mode -B -B 64K
expect_bad_input trace_output perf_pages_not_power_of_2 3 -P 3
expect_bad_input trace_output perf_pages_zero 0 -P 0
expect_bad_input trace_output perf_pages_in_ringbuf_mode -P -m ringbuf -P 4
expect_bad_input trace_output unknown_mode kafka -m kafka
expect_bad_input trace_output unknown_wakeup sometimes -m ringbuf -w sometimes
expect_bad_input trace_output wakeup_in_perf_mode -w -w none
expect_bad_input trace_output rate_zero 0 -r 0
expect_bad_input trace_output count_zero 0 -n 0
expect_bad_input trace_output pid_with_writer_options -r -p 1 -r 10
expect_bad_input trace_output duration_zero 0 -d 0
expect_bad_input trace_output interval_garbage 1x -I 1x
expect_bad_input trace_output unknown_option -x -x
expect_bad_input trace_output missing_value -m -m
expect_bad_input trace_output stray_argument perf perf
expect_no_privileges trace_output -d 1
expect_sigkill_clean trace_output '^ +time' -d 20

# The demo writer dies with the sample, even on SIGKILL (PR_SET_PDEATHSIG).
t=e2e/trace_output/sigkill_writer_dies_too
"$BIN/trace_output/trace_output" -d 20 > "$E2E_TMP/wk.out" 2> "$E2E_TMP/wk.err" &
spid=$!
for i in $(seq 100); do grep -qE '^ +time' "$E2E_TMP/wk.out" && break; sleep 0.1; done
wpid=$(sed -n 's/^demo writer: pid \([0-9]*\),.*/\1/p' "$E2E_TMP/wk.out")
kill -9 $spid; wait_exit $spid 50
for i in $(seq 30); do
	st=$(awk '{print $3}' /proc/$wpid/stat 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] && break
	sleep 0.1
done
if [ -z "$wpid" ]; then fail $t "no writer pid in output: $(tails wk)"
elif [ -n "$st" ] && [ "$st" != Z ]; then fail $t "writer $wpid still running (state $st)"; kill -9 $wpid
else pass $t; fi
expect_signal_clean trace_output INT '^ +time' -m ringbuf -d 20
expect_signal_clean trace_output TERM '^ +time' -d 20
