# SPDX-License-Identifier: GPL-2.0
# bloom_filter end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/bloom_filter ping unshare || return

# The demo: each tick runs exactly 10,000 frames through the program
# (bloom_filter_demo.c, FRAMES_PER_STEP) and then prints a row, so the
# program's packet count after k rows is 10,000 * k, whatever the demo says it
# sent. Every frame is counted once in exactly one of "bloom: no",
# "maybe, hash: no" and "listed"; the frames the demo sent from listed
# addresses are all dropped as listed (zero false negatives); the program's
# false positives equal the ones user space computes with the same hashing
# (the summary's "measured" is the same counter as the row's, so it is not
# compared); the third step takes 100 addresses off the list and rebuilds the
# filter.
t=e2e/bloom_filter/demo_counts_exact
snapshot
run demo 30 "$BIN/bloom_filter/bloom_filter" -d 4
row=$(out demo | grep -A1 '^final:' | tail -1)
read -r _ pk no fp listed _ <<< "$(num "$row")"
read -r frames from_listed cfp <<< "$(num "$(out demo | sed -n 's/^demo sent: \([0-9,]*\) frames, \([0-9,]*\) from listed addresses; false positives: [0-9]* measured, \([0-9]*\) computed.*/\1 \2 \3/p')")"
# The packet column of the rows before final:, and what it must be: 10,000 per row.
rows=$(out demo | sed '/^final:/,$d' | awk '$1 ~ /^[0-9]+\.[0-9]$/ { gsub(",", "", $2); printf "%s ", $2 }')
want_rows=$(awk -v r="$rows" 'BEGIN { n = split(r, a); for (i = 1; i <= n; i++) printf "%d ", 10000 * i }')
nrows=$(wc -w <<< "$rows")
left=$(leftovers bloom_filter)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$pk" ] || [ -z "$frames" ]; then fail $t "no final row or summary: $(tails demo)"
elif [ "$nrows" -lt 3 ] || [ "$rows" != "$want_rows" ]; then
	fail $t "packets per row: $rows; want $want_rows(10,000 frames per tick, at least 3 ticks)"
elif [ "$pk" -ne $((10000 * nrows)) ] || [ "$frames" -ne "$pk" ]; then
	fail $t "packets $pk, demo sent $frames; want $((10000 * nrows)) ($nrows ticks of 10,000)"
elif [ $((no + fp + listed)) -ne "$pk" ]; then
	fail $t "packets $pk != bloom-no $no + fp $fp + listed $listed"
elif [ "$listed" -ne "$from_listed" ]; then fail $t "listed $listed, frames from listed addresses $from_listed"
elif [ "$fp" -ne "$cfp" ] || [ "$fp" -eq 0 ]; then
	fail $t "false positives: program $fp, computed in user space $cfp"
elif [ "$(out demo | grep -c '^filter built from')" -ne 2 ] ||
     ! out demo | grep -q '^filter built from 900 listed addresses'; then
	fail $t "no rebuild after the list changed: $(out demo | grep '^filter' | tr '\n' '|')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass "$t ($nrows ticks: $pk frames = 10,000 per tick = demo sent; $fp false positives, as computed)"; fi

# -i IFACE on lo in a private netns: deny 127.0.0.1; 4 echo requests are all
# dropped as listed (no reply comes back), nothing else is counted.
t=e2e/bloom_filter/interface_mode_on_lo
run lo 20 unshare -n bash -c "ip link set lo up && { $BIN/bloom_filter/bloom_filter -i lo -a 127.0.0.1 -d 3 -I 0.5 & p=\$!; \
	wait_for $E2E_TMP/lo.out '^ +time' 100 \$p && ping -q -c 4 -i 0.2 -W 1 127.0.0.1 >/dev/null; wait \$p; }"
row=$(out lo | grep -A1 '^final:' | tail -1)
read -r _ pk no fp listed _ <<< "$(num "$row")"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails lo)"
elif [ "$pk" != 4 ] || [ "$listed" != 4 ] || [ "$no" != 0 ] || [ "$fp" != 0 ]; then
	fail $t "packets $pk listed $listed bloom-no $no fp $fp, want 4 4 0 0"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

expect_bad_input bloom_filter address_without_interface -a -a 192.0.2.1
expect_bad_input bloom_filter interface_without_address -i -i lo
expect_bad_input bloom_filter bad_address 300.1.1.1 -i lo -a 300.1.1.1
expect_bad_input bloom_filter hashes_zero 0 -k 0
expect_bad_input bloom_filter hashes_too_many 16 -k 16
expect_bad_input bloom_filter entries_zero 0 -n 0
expect_bad_input bloom_filter unknown_interface nosuch0 -i nosuch0 -a 192.0.2.1
expect_bad_input bloom_filter duration_zero 0 -d 0
expect_bad_input bloom_filter unknown_option -x -x
expect_bad_input bloom_filter missing_value -k -k
expect_bad_input bloom_filter stray_argument deny deny
expect_no_privileges bloom_filter -d 1
expect_sigkill_clean bloom_filter '^ +time' -d 20
expect_signal_clean bloom_filter INT '^ +time' -d 20
expect_signal_clean bloom_filter TERM '^ +time' -d 20
