# SPDX-License-Identifier: GPL-2.0
# user_ringbuf end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/user_ringbuf ping unshare || return

# urb_rule NAME ADDR: "action packets" of ADDR's line in the final listing.
urb_rule() { out "$1" | sed -n '/^final:/,$p' | awk -v a="$2" '$1 == "rule" && $2 == a { gsub(",", "", $4); print $3, $4 }'; }

# The demo's script (user_ringbuf_demo.c): 8 command lines over 4 steps, one
# with a word that is not an address. Each drained command is acked once, in
# order, with the applied counts the script implies; STOP leaves the next ADD
# for the following drain; the rules end as the script says; the hit counts
# follow from the steps (10 frames per address and step): 10.0.0.1 is hit at
# steps 2 and 3, reset in the third drain, then hit at every later step.
t=e2e/user_ringbuf/demo_commands_acked_and_applied
snapshot
run demo 30 "$BIN/user_ringbuf/user_ringbuf" -d 6
frames=$(out demo | sed -n 's/^demo sent: 8 command lines, \([0-9]*\) frames.*/\1/p')
steps=$(( ${frames:-0} / 120 ))
acks=$(out demo | grep -c '^  ack #')
drained=$(out demo | sed -n 's/^commands drained: \([0-9]*\), acks lost: 0$/\1/p')
acklist=$(out demo | sed -n 's/^  ack #\([0-9]*\) *\([a-z]*\) *-> \([A-Za-z0-9]*\), \([0-9]*\) applied$/\1:\2:\3:\4/p' | tr '\n' ' ')
want_acks="1:add:ok:8 2:add:ok:2 3:del:ok:2 4:stop:ok:0 5:add:ok:1 6:reset:ok:9 7:add:ok:2 8:add:ok:1 "
read -r a1 h1 <<< "$(urb_rule demo 10.0.0.1)"
read -r a9 h9 <<< "$(urb_rule demo 10.0.0.9)"
read -r a12 h12 <<< "$(urb_rule demo 10.0.0.12)"
left=$(leftovers user_ringbuf)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ "$steps" -lt 5 ] || [ "$drained" != 8 ] || [ "$acks" != 8 ]; then
	fail $t "steps $steps, drained ${drained:-?}, acks $acks: want >= 5, 8, 8"
elif [ "$acklist" != "$want_acks" ]; then fail $t "acks '$acklist', want '$want_acks'"
elif ! out demo | grep -q '^drained 2 commands$' || [ "$(out demo | grep -c '^drained')" != 4 ]; then
	fail $t "drains: $(out demo | grep '^drained' | tr '\n' '|')"
elif [ -n "$(urb_rule demo 10.0.0.7)" ] || [ -n "$(urb_rule demo 10.0.0.8)" ]; then fail $t "deleted rules still there"
elif [ "$a1 $h1" != "drop $((10 * (steps - 3)))" ] || [ "$a9 $h9" != "pass $((10 * (steps - 3)))" ] ||
     [ "$a12 $h12" != "drop $((10 * (steps - 4)))" ]; then
	fail $t "after $steps steps: 10.0.0.1 '$a1 $h1', .9 '$a9 $h9', .12 '$a12 $h12'"
elif [ "$(grep -c "'bogus' is not an IPv4 address" "$E2E_TMP/demo.err")" != 1 ]; then fail $t "no one-line warning for 'bogus'"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass "$t ($steps steps)"; fi

# The ring's size arithmetic, from the kernel and libbpf.
t=e2e/user_ringbuf/sizes_shown
if out demo | grep -q '^A 4096-byte user ring takes 36 records of 100 bytes .*ENOSPC;$' &&
   out demo | grep -q 'a record larger than the ring: E2BIG'; then pass $t
else fail $t "$(out demo | head -3 | tr '\n' '|')"; fi

# -i IFACE on lo: a command on stdin drops 127.0.0.1; 4 echo requests are all
# dropped by that rule.
t=e2e/user_ringbuf/interface_mode_commands_on_stdin
run lo 20 unshare -n bash -c "ip link set lo up && { { echo 'add drop 127.0.0.1'; sleep 4; } | \
	$BIN/user_ringbuf/user_ringbuf -i lo -d 3 -I 0.5 & p=\$!; wait_for $E2E_TMP/lo.out '^  ack #1 add +-> ok' 100 \$p && \
	ping -q -c 4 -i 0.2 -W 1 127.0.0.1 >/dev/null; wait \$p; }"
read -r act hits <<< "$(urb_rule lo 127.0.0.1)"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails lo)"
elif [ "$act $hits" != "drop 4" ]; then fail $t "rule 127.0.0.1: '$act $hits', want 'drop 4'"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

expect_bad_input user_ringbuf unknown_interface nosuch0 -i nosuch0
expect_bad_input user_ringbuf duration_zero 0 -d 0
expect_bad_input user_ringbuf unknown_option -x -x
expect_bad_input user_ringbuf stray_argument add add
expect_no_privileges user_ringbuf -d 1
expect_sigkill_clean user_ringbuf '^ +time' -d 20
expect_signal_clean user_ringbuf INT '^ +time' -d 20
expect_signal_clean user_ringbuf TERM '^ +time' -d 20
