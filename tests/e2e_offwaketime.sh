# SPDX-License-Identifier: GPL-2.0
# offwaketime end to end (sourced by tests/e2e.sh).

# Sum of the wakeups of the "#N TARGET <- WAKER wakeups N ..." lines of run $1.
owt_wakeups() {
	out "$1" | awk -v t="$2" -v w="$3" '$1 ~ /^#/ && $2 == t && $3 == "<-" && $4 == w {
		gsub(",", "", $6); s += $6 } END { print s + 0 }'
}

# The no-argument demo: exit 0; its STEPS x ROUNDS ping-pong rounds are exactly
# that many wakeups of owt-pong by owt-ping and of owt-ping by owt-pong.
t=e2e/offwaketime/demo_wakeups_match_rounds
snapshot
run demo 30 "$BIN/offwaketime/offwaketime" -d 3
ran=$(out demo | grep '^demo ran:')
steps=$(sed -n 's/^demo ran: \([0-9]*\) steps of \([0-9]*\) .*/\1/p' <<< "$ran")
rounds=$(sed -n 's/^demo ran: \([0-9]*\) steps of \([0-9]*\) .*/\2/p' <<< "$ran")
pong=$(owt_wakeups demo owt-pong owt-ping)
ping=$(owt_wakeups demo owt-ping owt-pong)
left=$(leftovers offwaketime)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$steps" ] || [ "$steps" -lt 2 ]; then fail $t "no or short 'demo ran' line: $ran"
elif grep -q 'no SCHED_FIFO' <<< "$ran"; then skip $t "SCHED_FIFO refused here: rounds are not one sleep each"
elif [ "$pong" != $((steps * rounds)) ] || [ "$ping" != $((steps * rounds)) ]; then
	fail $t "pong woken $pong, ping woken $ping times, want $((steps * rounds)) each"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# The stacks name the workload's functions and the kernel's pipe code.
t=e2e/offwaketime/stacks_name_the_workload
if out demo | grep -qx '      owt_ping_rounds' && out demo | grep -qx '      owt_pong' &&
   out demo | grep -q 'pipe_read$' && out demo | grep -q 'pipe_write$' &&
   ! out demo | grep -q 'bpf_trace_run'; then pass $t
else fail $t "workload frames missing: $(out demo | grep -c '^      ') frame lines"; fi

# The STACK_TRACE traps, with the kernel's answers.
t=e2e/offwaketime/traps_shown
if out demo | grep -q 'path b -> EEXIST' && out demo | grep -q 'BPF_F_REUSE_STACKID -> ENOMEM' &&
   out demo | grep -q 'delete id 0 -> ok; path b -> id 0' &&
   out demo | grep -q 'lookup it again -> ENOENT' &&
   out demo | grep -q 'the innermost one dropped'; then pass $t
else fail $t "traps section missing or wrong: $(out demo | head -12 | tr '\n' '|')"; fi

# -f: stdout is only folded lines "waker;...;--;...;target US", the ping-pong among them.
t=e2e/offwaketime/folded_output
run folded 30 "$BIN/offwaketime/offwaketime" -f -d 2
bad=$(out folded | grep -cvE '^[^ ]+;--;[^ ]+ [0-9]+$')
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails folded)"
elif [ "$bad" -ne 0 ]; then fail $t "$bad lines are not folded stacks: $(out folded | grep -vE '^[^ ]+;--;[^ ]+ [0-9]+$' | head -2 | tr '\n' '|')"
elif ! out folded | grep -qE '^owt-ping;.*owt_ping_rounds;.*;--;.*pipe_read;.*owt_pong;.*owt-pong [0-9]+$'; then
	fail $t "no owt-ping -> owt-pong line"
else pass $t; fi

# -F: the spinner has more than half of the samples (folded: comm;...;leaf N).
# Only the demo's own processes are sampled, so how many samples there are
# depends on how much CPU they got: 20 is enough for "more than half" to mean
# something (a loaded machine gave 33 to 43 in 2 s, so the run lasts 3 s).
t=e2e/offwaketime/profile_spinner_dominates
run prof 30 "$BIN/offwaketime/offwaketime" -F 499 -f -d 3
read -r spin total <<< "$(out prof | awk '{ n = $NF; t += n } /;owt_spin(;|$| )/ && $0 ~ /^owt-spin;/ { s += n } END { print s + 0, t + 0 }')"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails prof)"
elif [ "$total" -lt 20 ]; then fail $t "only $total samples"
elif [ $((spin * 2)) -le "$total" ]; then fail $t "owt_spin has $spin of $total samples"
else pass $t; fi

# -p PID follows that process only: a shell that runs sleep 0.1 in a loop is
# woken by each sleep that exits; no demo runs.
t=e2e/offwaketime/pid_mode
bash -c 'while :; do sleep 0.1; done' & loop=$!
run pid 20 "$BIN/offwaketime/offwaketime" -p "$loop" -d 2
kill "$loop"; wait "$loop" 2>/dev/null
woken=$(owt_wakeups pid bash sleep)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails pid)"
elif out pid | grep -q -e '^demo ran' -e 'owt-'; then fail $t "the demo ran, or its threads were counted"
elif [ "$woken" -lt 5 ]; then fail $t "bash woken by sleep $woken times in 2 s, want >= 5"
else pass $t; fi

expect_bad_input offwaketime no_such_process 4194303 -p 4194303 -d 1
expect_bad_input offwaketime pid_not_a_number abc -p abc
expect_bad_input offwaketime pid_zero 0 -p 0
expect_bad_input offwaketime min_block_garbage 5x -m 5x
expect_bad_input offwaketime frequency_zero 0 -F 0
expect_bad_input offwaketime frequency_too_high 100000 -F 100000
expect_bad_input offwaketime duration_zero 0 -d 0
expect_bad_input offwaketime interval_garbage 1x -I 1x
expect_bad_input offwaketime unknown_option -x -x
expect_bad_input offwaketime missing_value -p -p
expect_bad_input offwaketime stray_argument eth0 eth0
expect_no_privileges offwaketime -d 1
expect_sigkill_clean offwaketime '^ +time' -d 20
expect_signal_clean offwaketime INT '^ +time' -d 20
expect_signal_clean offwaketime TERM '^ +time' -d 20
