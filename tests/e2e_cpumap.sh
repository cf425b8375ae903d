# SPDX-License-Identifier: GPL-2.0
# cpumap end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/cpumap ping tc unshare taskset || return

ncpu=$(nproc)
last=$((ncpu - 1))

# Final table: "time cpu xdp redirected missing cpumap-prog tc-ingress tc-egress"
# rows after "final:"; cpumap_row NAME CPU|total prints the numbers of one row.
cpumap_row() { out "$1" | sed -n '/^final:/,$p' | awk -v c="$2" '$2 == c {gsub(",", ""); print $3, $4, $5, $6, $7, $8}'; }
# ... and the last two columns: frames the CPU's queue took, dropped on a full
# queue (the kernel's xdp_cpumap_enqueue tracepoint).
cpumap_queue() { out "$1" | sed -n '/^final:/,$p' | awk -v c="$2" '$2 == c {gsub(",", ""); print $9, $10}'; }
cpumap_sent() {	# echo requests, replies, UDP datagrams from the summary line
	out "$1" | sed -n 's/^demo sent: \([0-9]*\) echo requests.*(\([0-9]*\) replies), \([0-9]*\) UDP.*/\1 \2 \3/p'
}

# The no-argument demo (-d 5): exit 0; every packet the peer sent crossed XDP,
# was redirected, ran the second stage and tc ingress once; every echo request
# got a reply, which left through tc egress. Nothing left behind.
t=e2e/cpumap/demo_counts_match_traffic
snapshot
run demo 30 "$BIN/cpumap/cpumap" -d 5
read -r pings replies udps <<< "$(cpumap_sent demo)"
read -r xdp red miss prog2 tin teg <<< "$(cpumap_row demo total)"
read -r enq qfull <<< "$(cpumap_queue demo total)"
left=$(leftovers cpumap)	# its own programs and maps: other samples may run tests now
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$pings" ] || [ -z "$xdp" ]; then fail $t "no final table or summary: $(tails demo)"
elif [ "$pings" -lt 20 ] || [ "$replies" != "$pings" ]; then fail $t "pings $pings, replies $replies"
elif [ "$xdp" != $((pings + udps)) ] || [ "$red" != "$xdp" ] || [ "$miss" != 0 ]; then
	fail $t "xdp $xdp redirected $red missing $miss, want $((pings + udps)) twice and 0"
elif [ "$prog2" != "$xdp" ] || [ "$tin" != "$xdp" ]; then fail $t "cpumap-prog $prog2 tc-ingress $tin, want $xdp"
elif [ "$teg" != "$replies" ]; then fail $t "tc-egress $teg, want $replies (the echo replies)"
elif [ "$enq" != "$red" ] || [ "$qfull" != 0 ]; then fail $t "enqueued $enq q-full $qfull, want $red and 0"
elif ! out demo | grep -q "^summary: 0 packets dropped for a missing CPU entry, 0 on a full CPU queue; demo0: 0 redirects refused, 0 aborted$"; then
	fail $t "summary line: $(out demo | grep '^summary')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

t=e2e/cpumap/map_traps_shown
if out demo | grep -q "update key $ncpu .*-> No such device: CPU $ncpu does not exist" &&
   out demo | grep -q 'update key 64  -> Argument list too long' &&
   out demo | grep -q 'lookup key 0   -> qsize 192, second-stage prog id [1-9]'; then pass $t
else fail $t "CPUMAP traps section missing or wrong: $(out demo | head -6 | tr '\n' '|')"; fi

# -p rr -c LAST: everything is steered to one CPU; the second stage and both tc
# hooks count there and nowhere else.
t=e2e/cpumap/steer_to_chosen_cpu
run one 30 "$BIN/cpumap/cpumap" -p rr -c "$last" -q 64 -d 2
read -r pings replies udps <<< "$(cpumap_sent one)"
read -r xdp red miss prog2 tin teg <<< "$(cpumap_row one total)"
read -r _ _ _ tprog2 ttin tteg <<< "$(cpumap_row one "$last")"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails one)"
elif [ -z "$xdp" ] || [ "$xdp" != $((pings + udps)) ]; then fail $t "xdp $xdp, want $((pings + udps))"
elif [ "$tprog2" != "$xdp" ] || [ "$ttin" != "$xdp" ] || [ "$tteg" != "$replies" ]; then
	fail $t "on CPU $last: cpumap-prog $tprog2 tc-ingress $ttin tc-egress $tteg, want $xdp $xdp $replies"
elif ! out one | grep -q "to CPUs $last by policy 'rr', qsize 64"; then fail $t "header does not name CPU $last and qsize 64"
else pass $t; fi

# Round robin over every CPU, the whole process (and so the sending and the
# XDP) pinned to CPU 0: each tick sends 10 frames, so the split is exact.
t=e2e/cpumap/round_robin_spreads
run rr 30 taskset -c 0 "$BIN/cpumap/cpumap" -p rr -d 2
read -r pings replies udps <<< "$(cpumap_sent rr)"
total=$((pings + udps))
bad=""
for c in $(seq 0 "$last"); do
	read -r _ _ _ p2 _ _ <<< "$(cpumap_row rr "$c")"
	[ "$p2" = $((total / ncpu)) ] || bad="$bad cpu$c=$p2"
done
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails rr)"
elif [ -n "$bad" ] || [ $((total % ncpu)) -ne 0 ]; then fail $t "want $((total / ncpu)) per CPU of $total:$bad"
else pass $t; fi

# The "same" policy with a set that lacks the receiving CPU: no CPUMAP entry
# for it, so bpf_redirect_map() returns XDP_DROP and the 'missing' column
# counts every packet; nothing reaches the stack, no echo gets a reply.
t=e2e/cpumap/missing_entry_drops
if [ "$ncpu" -lt 2 ]; then skip $t "needs 2 CPUs (this machine has 1)"
else
	run miss 30 taskset -c 0 "$BIN/cpumap/cpumap" -c 1 -d 2
	read -r pings replies udps <<< "$(cpumap_sent miss)"
	read -r xdp red miss prog2 tin teg <<< "$(cpumap_row miss total)"
	read -r enq qfull <<< "$(cpumap_queue miss total)"
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails miss)"
	elif [ "$enq" != 0 ] || [ "$qfull" != 0 ]; then fail $t "enqueued $enq q-full $qfull for no entry, want 0 and 0"
	elif [ -z "$xdp" ] || [ "$miss" != $((pings + udps)) ] || [ "$red" != 0 ] || [ "$tin" != 0 ] || [ "$replies" != 0 ]; then
		fail $t "missing $miss redirected $red tc-ingress $tin replies $replies, sent $((pings + udps))"
	elif ! out miss | grep -q "^summary: $miss packets dropped for a missing CPU entry, 0 on a full CPU queue"; then fail $t "summary does not report the drops"
	else pass $t; fi
fi

# --trace prints one line per stage per packet, in order: XDP, cpumap, tc.
t=e2e/cpumap/trace_lines
run trace 30 "$BIN/cpumap/cpumap" -t -p rr -c "$last" -d 1
read -r pings replies udps <<< "$(cpumap_sent trace)"
nx=$(out trace | grep -c "\[XDP       \] .*-> cpumap cpu $last")
nc=$(out trace | grep -c "cpu $last *\[cpumap    \]")
ni=$(out trace | grep -c "cpu $last *\[tc ingress\]")
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails trace)"
elif [ "$nx" != $((pings + udps)) ] || [ "$nc" != "$nx" ] || [ "$ni" != "$nx" ]; then
	fail $t "trace lines XDP $nx cpumap $nc tc-ingress $ni, want $((pings + udps)) each"
else pass $t; fi

# A CPU that does not exist: ENODEV from the map update, one clear line.
t=e2e/cpumap/bad_cpu_enodev
snapshot
run enodev 10 "$BIN/cpumap/cpumap" -c "$ncpu" -d 1
left=$(leftovers cpumap)	# its own programs and maps: other samples may run tests now
if [ "$RC" != 1 ] || [ "$(err enodev | wc -l)" != 1 ] ||
   ! err enodev | grep -q "adding CPU $ncpu to the CPUMAP failed: No such device .*pick from them with -c"; then
	fail $t "exit $RC: $(err enodev | tr '\n' '|')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

expect_bad_input cpumap cpu_does_not_exist "$ncpu" -c "$ncpu" -d 1
expect_bad_input cpumap cpu_beyond_max_entries 64 -c 64 -d 1
expect_bad_input cpumap cpu_list_garbage 0,x -c 0,x
expect_bad_input cpumap cpu_list_reversed 3-1 -c 3-1
expect_bad_input cpumap cpu_list_trailing_comma 0, -c 0,
expect_bad_input cpumap policy_unknown random -p random
expect_bad_input cpumap qsize_zero 0 -q 0
expect_bad_input cpumap qsize_too_big 16385 -q 16385
expect_bad_input cpumap unknown_interface nosuch0 -i nosuch0 -d 1
expect_bad_input cpumap duration_zero 0 -d 0
expect_bad_input cpumap interval_garbage 1x -I 1x
expect_bad_input cpumap unknown_option -x -x
expect_bad_input cpumap missing_value -q -q
expect_bad_input cpumap stray_argument eth0 eth0
expect_no_privileges cpumap -d 1
expect_sigkill_clean cpumap '^ +time' -d 20
expect_signal_clean cpumap INT '^ +time' -d 20
expect_signal_clean cpumap TERM '^ +time' -d 20

# -i IFACE works on a given interface and generates nothing: lo in a private
# netns (unshare -n), 4 pings. Each request and each reply is received on lo,
# so XDP (generic on lo) sees 8 frames; all are steered to CPU LAST, where the
# second stage and tc ingress count 8; tc egress counts the 8 transmissions.
t=e2e/cpumap/interface_mode_on_lo
run lo 20 unshare -n bash -c "ip link set lo up && { $BIN/cpumap/cpumap -i lo -p rr -c $last -d 2 -I 0.5 & p=\$!; \
	wait_for $E2E_TMP/lo.out '^ +time' 100 \$p && ping -q -c 4 -i 0.2 127.0.0.1 >/dev/null; wait \$p; }"
read -r xdp red miss prog2 tin teg <<< "$(cpumap_row lo total)"
read -r _ _ _ tprog2 ttin _ <<< "$(cpumap_row lo "$last")"
read -r enq qfull <<< "$(cpumap_queue lo total)"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails lo)"
elif [ "$xdp" != 8 ] || [ "$red" != 8 ] || [ "$tprog2" != 8 ] || [ "$ttin" != 8 ] || [ "$teg" != 8 ]; then
	fail $t "xdp $xdp redirected $red, on CPU $last cpumap-prog $tprog2 tc-ingress $ttin, tc-egress $teg; want 8 each"
elif [ "$enq" != 8 ] || [ "$qfull" != 0 ]; then fail $t "enqueued $enq q-full $qfull (generic XDP), want 8 and 0"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
elif ! out lo | grep -q '^summary: 0 packets dropped'; then fail $t "no summary line"
else pass $t; fi

# kill -9 on a given interface leaves no tc program on it. With tcx links
# (6.6+) the kernel detaches them with the process; before (Debian 12's 6.1)
# cpumap's two tc programs are clsact filters, which outlive the process, and
# common/tc.c's reaper must remove them and the qdisc it made. Checked inside
# the private netns (lo), before it goes away with its last process, which
# would remove the filters by itself.
t=e2e/cpumap/sigkill_on_interface_leaves_no_tc_filter
run tck 40 unshare -n bash -c "ip link set lo up && { $BIN/cpumap/cpumap -i lo -d 20 > $E2E_TMP/tck.cpumap 2>&1 & p=\$!; \
	wait_for $E2E_TMP/tck.cpumap '^ +time' 100 \$p || exit 3; \
	during=\$( { tc filter show dev lo ingress; tc filter show dev lo egress; } | grep -c ' bpf '); \
	kill -9 \$p; wait \$p 2>/dev/null; \
	for i in \$(seq 50); do \
		left=\$( { tc filter show dev lo ingress; tc filter show dev lo egress; } | grep -c ' bpf '); \
		q=\$(tc qdisc show dev lo | grep -c clsact); \
		[ \$left -eq 0 ] && [ \$q -eq 0 ] && break; sleep 0.1; done; \
	echo during \$during left \$left clsact \$q; }"
read -r _ during _ left _ clsact <<< "$(out tck | grep '^during')"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails tck) $(tail -2 "$E2E_TMP/tck.cpumap" | tr '\n' '|')"
elif [ -z "$during" ]; then fail $t "no count: $(tails tck)"
elif [ "$left" != 0 ] || [ "$clsact" != 0 ]; then fail $t "after kill -9: $left bpf filters and $clsact clsact qdisc on lo (while running: $during filters)"
elif [ "$during" -gt 0 ]; then pass $t "clsact (no tcx): $during filters while running, removed by the reaper"
else pass $t "tcx links: no clsact filter while running, none after"; fi
