# bloom_filter end to end (sourced by tests/e2e.sh).

# The demo: every frame is counted once in exactly one of "bloom: no",
# "maybe, hash: no" and "listed"; every frame from a listed address is dropped
# as listed (zero false negatives); the false positives measured by the
# program equal the ones user space computes with the same hashing; the third
# step takes 100 addresses off the list and rebuilds the filter.
t=e2e/bloom_filter/demo_counts_exact
snapshot
run demo 30 "$BIN/bloom_filter/bloom_filter" -d 4
row=$(out demo | grep -A1 '^final:' | tail -1)
read -r _ pk no fp listed _ <<< "$(num "$row")"
read -r frames from_listed mfp cfp <<< "$(num "$(out demo | sed -n 's/^demo sent: \([0-9,]*\) frames, \([0-9,]*\) from listed addresses; false positives: \([0-9]*\) measured, \([0-9]*\) computed.*/\1 \2 \3 \4/p')")"
left=$(leftovers bloom_filter)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$pk" ] || [ -z "$frames" ]; then fail $t "no final row or summary: $(tails demo)"
elif [ "$pk" -ne "$frames" ] || [ $((no + fp + listed)) -ne "$pk" ]; then
	fail $t "packets $pk (sent $frames) != bloom-no $no + fp $fp + listed $listed"
elif [ "$listed" -ne "$from_listed" ]; then fail $t "listed $listed, frames from listed addresses $from_listed"
elif [ "$fp" -ne "$mfp" ] || [ "$mfp" -ne "$cfp" ] || [ "$fp" -eq 0 ]; then
	fail $t "false positives: row $fp, measured $mfp, computed $cfp"
elif [ "$(out demo | grep -c '^filter built from')" -ne 2 ] ||
     ! out demo | grep -q '^filter built from 900 listed addresses'; then
	fail $t "no rebuild after the list changed: $(out demo | grep '^filter' | tr '\n' '|')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass "$t ($pk frames, $fp false positives measured = computed)"; fi

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

expect_bad_input bloom_filter address_without_interface -a 192.0.2.1
expect_bad_input bloom_filter interface_without_address -i lo
expect_bad_input bloom_filter bad_address -i lo -a 300.1.1.1
expect_bad_input bloom_filter hashes_zero -k 0
expect_bad_input bloom_filter hashes_too_many -k 16
expect_bad_input bloom_filter entries_zero -n 0
expect_bad_input bloom_filter unknown_interface -i nosuch0 -a 192.0.2.1
expect_bad_input bloom_filter duration_zero -d 0
expect_bad_input bloom_filter unknown_option -x
expect_bad_input bloom_filter missing_value -k
expect_bad_input bloom_filter stray_argument deny
expect_no_privileges bloom_filter -d 1
expect_sigkill_clean bloom_filter '^ +time' -d 20
expect_signal_clean bloom_filter INT '^ +time' -d 20
expect_signal_clean bloom_filter TERM '^ +time' -d 20
