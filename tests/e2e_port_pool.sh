# SPDX-License-Identifier: GPL-2.0
# port_pool end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/port_pool unshare || return

# pp_row NAME TYPE: "granted freed refused free avg min max" of TYPE's final row.
pp_row() { out "$1" | sed -n '/^final:/,$p' | awk -v t="$2" '$2 == t { $1 = $2 = ""; gsub(",", ""); print }'; }

# The demo: a QUEUE and a STACK pool of 32 ports see the same flows. For each
# pool: every SYN the demo sent was granted or refused, every FIN freed one
# port, free = 32 - (granted - freed); both pools grant and refuse alike (same
# size, same flows); the STACK reuses a port within 4 grants (4 ports freed per
# step, the newest first), the QUEUE only after the older free ports.
t=e2e/port_pool/demo_counts_match_flows
snapshot
run demo 30 "$BIN/port_pool/port_pool" -d 6
read -r syns fins <<< "$(out demo | sed -n 's/^demo sent: \([0-9]*\) new flows (SYN) and \([0-9]*\) ends (FIN) to each of 2 pools.*/\1 \2/p')"
read -r qg qf qr qfree qavg qmin qmax <<< "$(pp_row demo queue)"
read -r sg sf sr sfree savg smin smax <<< "$(pp_row demo stack)"
left=$(leftovers port_pool)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$syns" ] || [ -z "$qg" ] || [ -z "$sg" ]; then fail $t "no final rows or summary: $(tails demo)"
elif [ $((qg + qr)) -ne "$syns" ] || [ $((sg + sr)) -ne "$syns" ]; then
	fail $t "granted+refused queue $((qg + qr)) stack $((sg + sr)), want $syns SYNs"
elif [ "$qf" -ne "$fins" ] || [ "$sf" -ne "$fins" ]; then fail $t "freed $qf/$sf, want $fins FINs"
elif [ "$qfree" -ne $((32 - qg + qf)) ] || [ "$sfree" -ne $((32 - sg + sf)) ]; then
	fail $t "free $qfree/$sfree, want $((32 - qg + qf))/$((32 - sg + sf))"
elif [ "$qg" -ne "$sg" ] || [ "$qr" -ne "$sr" ]; then fail $t "queue and stack differ: $qg/$qr vs $sg/$sr"
elif [ "$qr" -eq 0 ]; then fail $t "no refusal in 6 steps (the pool should run dry at step 5)"
elif [ "$smax" -gt 4 ] || [ "$smin" -ne 1 ]; then fail $t "stack reuse distance $smin..$smax, want 1..4"
elif [ "$qmax" -le "$smax" ]; then fail $t "queue reuse max $qmax not above the stack's $smax"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass "$t (granted $qg, refused $qr, freed $qf; reuse avg queue $qavg, stack $savg)"; fi

# The keyless API on scratch maps, with the kernel's answers.
t=e2e/port_pool/queue_stack_api_shown
if [ "$(out demo | grep -c 'push 1 2 3, push 4 .*-> E2BIG: full')" = 2 ] &&
   [ "$(out demo | grep -c 'push 4 with BPF_EXIST .*-> ok')" = 2 ] &&
   out demo | grep -A4 '^BPF_MAP_TYPE_QUEUE' | grep -q 'pop all (lookup_and_delete)  -> 2 3 4, then ENOENT' &&
   out demo | grep -A4 '^BPF_MAP_TYPE_STACK' | grep -q 'pop all (lookup_and_delete)  -> 4 3 2, then ENOENT' &&
   out demo | grep -A3 '^BPF_MAP_TYPE_QUEUE' | grep -q 'peek (lookup, NULL key)      -> 2,' &&
   out demo | grep -A3 '^BPF_MAP_TYPE_STACK' | grep -q 'peek (lookup, NULL key)      -> 4,'; then pass $t
else fail $t "API section missing or wrong: $(out demo | head -12 | tr '\n' '|')"; fi

# -i IFACE: on lo in a private netns (generic XDP), 5 UDP datagrams from 5
# sockets (5 source ports: 5 flows) get 5 ports; idle for 1 s (-e 1), user
# space pushes all 5 back.
t=e2e/port_pool/interface_mode_on_lo_expiry
run lo 20 unshare -n bash -c "ip link set lo up && { $BIN/port_pool/port_pool -i lo -t stack -P 64 -e 1 -d 4 -I 0.5 & p=\$!; \
	wait_for $E2E_TMP/lo.out '^ +time' 100 \$p && for i in 1 2 3 4 5; do echo x > /dev/udp/127.0.0.1/9; done; wait \$p; }"
read -r g f r free _ <<< "$(pp_row lo stack)"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails lo)"
elif [ "$g" != 5 ] || [ "$f" != 5 ] || [ "$r" != 0 ] || [ "$free" != 64 ]; then
	fail $t "granted $g freed $f refused $r free $free, want 5 5 0 64"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

expect_bad_input port_pool unknown_type fifo -t fifo
expect_bad_input port_pool pool_zero 0 -P 0
expect_bad_input port_pool pool_too_big 4097 -P 4097
expect_bad_input port_pool expire_zero 0 -e 0
expect_bad_input port_pool unknown_interface nosuch0 -i nosuch0 -d 1
expect_bad_input port_pool duration_zero 0 -d 0
expect_bad_input port_pool unknown_option -x -x
expect_bad_input port_pool missing_value -P -P
expect_bad_input port_pool stray_argument queue queue
expect_no_privileges port_pool -d 1
expect_sigkill_clean port_pool '^ +time' -d 20
expect_signal_clean port_pool INT '^ +time' -d 20
expect_signal_clean port_pool TERM '^ +time' -d 20
