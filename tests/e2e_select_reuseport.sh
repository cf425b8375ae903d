# SPDX-License-Identifier: GPL-2.0
# select_reuseport end to end (sourced by tests/e2e.sh).

# sr_final NAME: the final row's numbers (time selected fallback w0 w1 ...) and
# the datagrams the demo says it sent and its workers received.
sr_final() {
	final=$(num "$(out "$1" | grep -A1 '^final:' | tail -1)")
	sent=$(num "$(out "$1" | sed -n 's/^demo sent: \([0-9,]*\) datagrams.*/\1/p')")
	got=$(num "$(out "$1" | sed -n 's/.*, \([0-9,]*\) received by the workers$/\1/p')")
	read -r _ selected fallback workers <<< "$final"
	workers=$(echo $workers)	# one space between the columns
}

# The no-argument demo: 25 datagrams per worker per tick, keys in turn, so each
# of the 4 workers has exactly a quarter and nothing falls back.
t=e2e/select_reuseport/demo_shards_exact
snapshot
run demo 20 "$BIN/select_reuseport/select_reuseport" -d 3
sr_final demo
left=$(leftovers select_reuseport)
quarter=$(( ${sent:-0} / 4 ))
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$final" ] || [ -z "$sent" ] || [ "$sent" -lt 200 ]; then fail $t "no final row or summary: $(tails demo)"
elif [ "$got" != "$sent" ] || [ "$selected" != "$sent" ] || [ "$fallback" != 0 ]; then
	fail $t "sent $sent received $got selected $selected fallback $fallback"
elif [ "$workers" != "$quarter $quarter $quarter $quarter" ]; then fail $t "workers '$workers', want $quarter each"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# The traps, with the kernel's real answers.
t=e2e/select_reuseport/traps_shown
if out demo | grep -q 'insert an unbound socket .*-> EINVAL' &&
   out demo | grep -q 'insert a socket of another group .*-> ok: accepted, but selecting it fails (EBADFD)' &&
   out demo | grep -q 'lookup its slot after close() .*-> ENOENT' &&
   out demo | grep -q 'insert worker 0 again (slot 15) .*-> EBUSY' &&
   out demo | grep -qE 'lookup slot 0 from user space .*-> ok, ([0-9]+), worker 0.s SO_COOKIE is \1:'; then pass $t
else fail $t "traps section missing or wrong: $(out demo | head -7 | tr '\n' '|')"; fi

# The restart: 8 pending connections, all 8 migrated by the program and accepted.
t=e2e/select_reuseport/restart_refuses_none
if out demo | grep -q 'listener 0 closed: 8 accepted by listener 1, 0 refused$' &&
   out demo | grep -q '^program: 8 SYNs sent to listener 0, 8 pending connections migrated to listener 1, 0 failed$' &&
   out demo | grep -q 'tcp_migrate_req is 0 in this netns'; then pass $t
else fail $t "restart lines missing or wrong: $(out demo | grep -iE 'restart|program|migrate' | tr '\n' '|')"; fi

# -e 1: worker 1 stays in the group but not in the map; its quarter falls back
# (counted) and the kernel's hash delivers it: nothing is lost.
t=e2e/select_reuseport/empty_slot_fallbacks_counted
run empty 20 "$BIN/select_reuseport/select_reuseport" -d 2 -e 1
sr_final empty
read -r w0 w1 w2 w3 <<< "$workers"
if [ "$RC" -ne 0 ] || [ -z "$sent" ]; then fail $t "exit $RC: $(tails empty)"
elif [ "$fallback" != $((sent / 4)) ] || [ "$selected" != $((sent * 3 / 4)) ]; then
	fail $t "sent $sent: selected $selected fallback $fallback, want $((sent * 3 / 4)) and $((sent / 4))"
elif [ $((w0 + w1 + w2 + w3)) != "$sent" ] || [ "$got" != "$sent" ]; then fail $t "workers '$workers' received $got of $sent"
else pass $t; fi

# -n 8 -p 9000: eight workers on another port, an eighth each.
t=e2e/select_reuseport/eight_workers_other_port
run eight 20 "$BIN/select_reuseport/select_reuseport" -d 1 -n 8 -p 9000
sr_final eight
e=$(( ${sent:-0} / 8 ))
if [ "$RC" -ne 0 ] || [ -z "$sent" ]; then fail $t "exit $RC: $(tails eight)"
elif [ "$workers" != "$e $e $e $e $e $e $e $e" ] || [ "$got" != "$sent" ]; then fail $t "workers '$workers', want $e each"
elif ! out eight | grep -q '^8 UDP workers on 127.0.0.1:9000' || ! out eight | grep -q 'restart on 127.0.0.1:9001'; then
	fail $t "port 9000/9001 not used: $(tails eight)"
else pass $t; fi

expect_bad_input select_reuseport one_worker 1 -n 1
expect_bad_input select_reuseport too_many_workers 17 -n 17
expect_bad_input select_reuseport workers_garbage 4x -n 4x
expect_bad_input select_reuseport port_zero 0 -p 0
expect_bad_input select_reuseport port_too_big 70000 -p 70000
expect_bad_input select_reuseport empty_slot_not_a_worker 4 -e 4
expect_bad_input select_reuseport empty_slot_garbage x -e x
expect_bad_input select_reuseport no_interface_option -i -i lo
expect_bad_input select_reuseport duration_zero 0 -d 0
expect_bad_input select_reuseport interval_garbage 1x -I 1x
expect_bad_input select_reuseport unknown_option -x -x
expect_bad_input select_reuseport missing_value -n -n
expect_bad_input select_reuseport stray_argument eth0 eth0
expect_no_privileges select_reuseport -d 1
expect_sigkill_clean select_reuseport '^ +time' -d 20
expect_signal_clean select_reuseport INT '^ +time' -d 20
expect_signal_clean select_reuseport TERM '^ +time' -d 20
