# SPDX-License-Identifier: GPL-2.0
# lru_hash end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/lru_hash ping unshare || return

# lru_final NAME: sets packets flows entries inserts failed evicted hot from the
# row after "final:", and news/hot_sent/run/older/hot_pkts from the summary.
lru_final() {
	local row
	row=$(out "$1" | grep -A1 '^final:' | tail -1)
	read -r _ packets flows entries inserts failed evicted hot <<< "$(num "$row")"
	news=$(num "$(out "$1" | sed -n 's/^demo sent: \([0-9,]*\) new flows.*/\1/p')")
	hot_sent=$(out "$1" | sed -n 's/^demo sent: .* hot flows of \([0-9]*\) packets.*/\1/p')
	run=$(num "$(out "$1" | sed -n 's/^survivors: .*the newest \([0-9,]*\) of them in a row.*/\1/p')")
	older=$(num "$(out "$1" | sed -n 's/^survivors: .* in a row, \([0-9,]*\) older$/\1/p')")
	hot_pkts=$(num "$(out "$1" | sed -n 's/^hot flow packets in the map: \([0-9,]*\).*/\1/p')")
}

# The no-argument demo (LRU_HASH, max_entries 512, 8 hot flows, 200 new flows a
# second, one pinned CPU): every flow was inserted, the map evicted instead of
# failing, the hot flows survived with every packet, and the survivors are the
# hot flows plus an unbroken run of the newest flows; nothing is left.
t=e2e/lru_hash/demo_lru_hot_survive_newest_kept
snapshot
run demo 30 "$BIN/lru_hash/lru_hash" -d 5
lru_final demo
left=$(leftovers lru_hash)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err demo | head -3 | tr '\n' '|')"
elif [ -z "$entries" ] || [ -z "$news" ] || [ -z "$run" ]; then fail $t "no final row or summary: $(tails demo)"
elif [ "$news" -lt 800 ] || [ "$inserts" != $((news + 8)) ] || [ "$failed" != 0 ]; then
	fail $t "sent $news new flows, inserts $inserts failed $failed"
elif [ "$packets" != $((news + 8 * hot_sent)) ]; then fail $t "packets $packets, want $((news + 8 * hot_sent))"
elif [ "$entries" -gt 512 ] || [ "$evicted" != $((inserts - entries)) ]; then fail $t "entries $entries evicted $evicted"
elif [ "$hot" != 8/8 ] || [ "$hot_pkts" != $((8 * hot_sent)) ]; then fail $t "hot $hot, hot packets $hot_pkts, want $((8 * hot_sent))"
elif [ "$older" != 0 ] || [ $((run + 8)) != "$entries" ]; then fail $t "survivors: run $run older $older entries $entries"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# HASH: E2BIG from the 513th flow on; exactly 512 inserts, the rest counted as
# failed, nothing evicted, and the newest flow is not in the map. 700 new
# flows per interval: even one interval (a slow machine, an emulated guest)
# sends more than the map holds.
t=e2e/lru_hash/hash_counts_failed_inserts
run hash 30 "$BIN/lru_hash/lru_hash" -t hash -d 3 -n 700
lru_final hash
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err hash | head -3 | tr '\n' '|')"
elif [ -z "$news" ] || [ "$news" -lt 600 ]; then fail $t "sent '$news' new flows: $(tails hash)"
elif [ "$inserts" != 512 ] || [ "$entries" != 512 ] || [ "$failed" != $((news + 8 - 512)) ]; then
	fail $t "inserts $inserts entries $entries failed $failed, want 512 512 $((news + 8 - 512))"
elif [ "$evicted" != 0 ] || [ "$run" != 0 ] || [ "$hot" != 8/8 ]; then fail $t "evicted $evicted run $run hot $hot"
else pass $t; fi

# NO_COMMON_LRU: one CPU inserting gets only its own list, max_entries divided
# by the possible CPUs, and keeps the hot flows and the newest run in it.
t=e2e/lru_hash/no_common_lru_one_cpu_share
ncpu=$(( $(cut -d- -f2 /sys/devices/system/cpu/possible) + 1 ))
run nocommon 30 "$BIN/lru_hash/lru_hash" -t lru-nocommon -d 2
lru_final nocommon
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err nocommon | head -3 | tr '\n' '|')"
elif [ -z "$entries" ] || [ "$entries" -gt $(( (512 + ncpu - 1) / ncpu )) ]; then
	fail $t "$entries entries, want at most 512/$ncpu"
elif [ "$hot" != 8/8 ] || [ "$older" != 0 ] || [ $((run + 8)) != "$entries" ]; then
	fail $t "hot $hot run $run older $older entries $entries"
else pass $t; fi

# LRU_PERCPU_HASH: the per-CPU copies summed give every hot packet sent.
t=e2e/lru_hash/percpu_values_summed
run percpu 30 "$BIN/lru_hash/lru_hash" -t lru-percpu -d 2 -m 300 -n 150
lru_final percpu
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err percpu | head -3 | tr '\n' '|')"
elif [ -z "$hot_pkts" ] || [ "$hot_pkts" != $((8 * hot_sent)) ] || [ "$hot" != 8/8 ]; then
	fail $t "hot $hot packets $hot_pkts, want $((8 * hot_sent))"
elif ! out percpu | grep -q 'per-CPU values summed'; then fail $t "no per-CPU note"
elif [ "$entries" -gt 300 ]; then fail $t "$entries entries > 300"
else pass $t; fi

# -i IFACE: on lo in a private netns (generic XDP), 4 pings: the requests and
# the replies have the same 5-tuple (127.0.0.1 both ways, ICMP, no ports), so
# one flow of 8 packets.
t=e2e/lru_hash/interface_mode_on_lo
run lo 20 unshare -n bash -c "ip link set lo up && { $BIN/lru_hash/lru_hash -i lo -d 2 -I 5 & p=\$!; \
	wait_for $E2E_TMP/lo.out '^ +time' 100 \$p && ping -q -c 4 -i 0.2 127.0.0.1 >/dev/null; wait \$p; }"
row=$(out lo | grep -A1 '^final:' | tail -1)
read -r _ packets flows entries inserts failed _ <<< "$(num "$row")"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err lo | head -3 | tr '\n' '|')"
elif [ "$packets" != 8 ] || [ "$entries" != 1 ] || [ "$inserts" != 1 ]; then
	fail $t "packets $packets entries $entries inserts $inserts, want 8 1 1"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

expect_bad_input lru_hash unknown_type lfu -t lfu
expect_bad_input lru_hash max_entries_zero 0 -m 0
expect_bad_input lru_hash max_entries_too_big 1000001 -m 1000001
expect_bad_input lru_hash new_flows_zero 0 -n 0
expect_bad_input lru_hash unknown_interface nosuch0 -i nosuch0 -d 1
expect_bad_input lru_hash interface_name_too_long abcdefghijklmnopqrstuvwxyz -i abcdefghijklmnopqrstuvwxyz
expect_bad_input lru_hash duration_zero 0 -d 0
expect_bad_input lru_hash duration_not_a_number 1s -d 1s
expect_bad_input lru_hash interval_zero 0 -I 0
expect_bad_input lru_hash unknown_option -x -x
expect_bad_input lru_hash missing_value -m -m
expect_bad_input lru_hash stray_argument lru lru
expect_no_privileges lru_hash -d 1
expect_sigkill_clean lru_hash '^ +time' -d 20
expect_signal_clean lru_hash INT '^ +time' -d 20
expect_signal_clean lru_hash TERM '^ +time' -d 20
