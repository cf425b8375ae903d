# SPDX-License-Identifier: GPL-2.0
# xdp_redirect_map_multi end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/xdp_redirect_map_multi jq ethtool sysctl unshare || return	# (and tests/xdp_redirect_drop.sh's)

# Broadcast demo: each broadcast from h1 leaves by r2 and r3 exactly once,
# never back by r1, and h2 and h3 receive every one.
t=e2e/xdp_redirect_map_multi/broadcast_demo_once_per_port
snapshot
run bc 30 "$BIN/xdp_redirect_map_multi/xdp_redirect_map_multi" -d 5
read -r n h2 h3 forw0 forw1 <<< "$(num "$(out bc | sed -n \
	's/^demo sent: \([0-9]*\) broadcasts from h1; received h2=\([0-9]*\) h3=\([0-9]*\); router ForwDatagrams \([0-9,]*\) -> \([0-9,]*\)$/\1 \2 \3 \4 \5/p')")"
rows=$(out bc | sed -n '/^final:/,$p' | awk '/^r[123] / {gsub(",", ""); printf "%s:%s/%s/%s/%s ", $1, $2, $3, $4, $5}')
left=$(leftovers xdp_redirect_map_multi)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails bc)"
elif [ -z "$n" ] || [ "$n" -lt 4 ]; then fail $t "sent '$n': $(tails bc)"
elif [ "$h2" != "$n" ] || [ "$h3" != "$n" ]; then fail $t "sent $n, h2 got $h2, h3 got $h3"
elif [ "$rows" != "r1:$n/$n/0/0 r2:0/0/0/$n r3:0/0/0/$n " ]; then fail $t "sent $n, rows $rows"
elif [ "$forw0" != "$forw1" ]; then fail $t "router ForwDatagrams grew: $forw0 -> $forw1"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# Real interfaces in a private netns: an interface that already carries XDP
# is refused with one line, and the first instance keeps running.
t=e2e/xdp_redirect_map_multi/interface_already_has_xdp
run busy 20 unshare -n bash -c "ip link add xa type veth peer name xb && ip link set xa up && \
	ip link set xb up && { $BIN/xdp_redirect_map_multi/xdp_redirect_map_multi -d 3 xa xb >$E2E_TMP/busy1.out 2>&1 & p=\$!; \
	wait_for $E2E_TMP/busy1.out '^ +time' 100 \$p; \
	$BIN/xdp_redirect_map_multi/xdp_redirect_map_multi -d 1 xb xa; echo rc=\$?; wait \$p; echo first=\$?; }"
if out busy | grep -q '^rc=1$' && out busy | grep -q '^first=0$' &&
   [ "$(grep -c . "$E2E_TMP/busy.err")" = 1 ] && grep -q 'already has an XDP program' "$E2E_TMP/busy.err"
then pass $t; else fail $t "$(tails busy)"; fi

# The veth peer drop case: `xdp_redirect_map_multi r1 r2` on a router whose
# veth peers sit in the same namespace with no XDP program and GRO off
# (tests/xdp_redirect_drop.sh). r1 floods every frame (rx = redirected = N),
# but a broadcast skips a target that cannot transmit XDP frames without any
# tracepoint: r2 sends nothing (tx 0, transmitted 0, no error either), so the
# sample derives it: N clones due at r2, 0 made, N skipped; p2 received
# nothing; one warning per port at start names the peer and the fix.
. tests/xdp_redirect_drop.sh
N=50
clones_row() { sed -n '/^clones per port/,$p' "$E2E_TMP/$1.out" | awk -v p="$2" '$1 == p {gsub(",", ""); print $2, $3, $4}'; }
row() { sed -n '/^final:/,/^after/p' "$E2E_TMP/$1.out" | awk -v p="$2" '$1 == p {gsub(",", ""); print $2, $3, $4, $5}'; }
t=e2e/xdp_redirect_map_multi/veth_peer_drop_case
redirect_drop xrmmdrop none $N "$BIN/xdp_redirect_map_multi/xdp_redirect_map_multi" r1 r2 -d 5 -I 0.5
p2rx=$(sed -n 's/^p2_rx=//p' "$E2E_TMP/xrmmdrop.out")
# A flood (BPF_F_BROADCAST) skips a target that offers no ndo_xdp_xmit
# without a redirect error: no clone made, none seen by r2's egress program.
# Where the kernel does not check, the clones are made, seen (r2's tx
# column) and dropped by the veth.
if [ "$XDP_DROP_KIND" = checked ]; then
	want_r2row="0 0 0 0" want_r2="0 0 0 0 -" want_cl="$N 0 $N" how="$N skipped by the flood (no ndo_xdp_xmit on r2)"
else
	want_r2row="0 0 0 $N" want_r2="0 $N 0 0 ENXIO" want_cl="$N $N 0" how="$N cloned and dropped by r2 (ENXIO)"
fi
if [ -z "$XDP_DROP_HOW" ]; then fail $t "tools/bpfprobe xdp_features answered '$XDP_DROP_KIND', want checked or unchecked"
elif [ "$RC" -ne 0 ] || ! grep -q '^gen_rc=0$' "$E2E_TMP/xrmmdrop.out"; then
	fail $t "exit $RC: $(tails xrmmdrop) $(head -c 200 "$E2E_TMP/xrmmdrop.setup")"
elif [ "$(row xrmmdrop r1)" != "$N $N 0 0" ] || [ "$(row xrmmdrop r2)" != "$want_r2row" ] ||
     [ "$(outcome_row xrmmdrop r1)" != "0 0 0 0 -" ] || [ "$(outcome_row xrmmdrop r2)" != "$want_r2" ]; then
	fail $t "r1 '$(row xrmmdrop r1)', r2 '$(row xrmmdrop r2)', outcome r1 '$(outcome_row xrmmdrop r1)', r2 '$(outcome_row xrmmdrop r2)'; want '$N $N 0 0', '$want_r2row', '0 0 0 0 -', '$want_r2' (a kernel that $XDP_DROP_KIND the target's xdp_features)"
elif [ "$(clones_row xrmmdrop r2)" != "$want_cl" ] || [ "$(clones_row xrmmdrop r1)" != "0 0 0" ]; then
	fail $t "clones r2 '$(clones_row xrmmdrop r2)', r1 '$(clones_row xrmmdrop r1)'; want '$want_cl' and '0 0 0'"
elif [ "$p2rx" != 0 ]; then fail $t "p2 received $p2rx frames, want 0"
elif [ "$(grep -c . "$E2E_TMP/xrmmdrop.err")" != 2 ] ||
     ! grep -qxF "$(drop_warning xdp_redirect_map_multi r2 p2)" "$E2E_TMP/xrmmdrop.err" ||
     ! grep -qxF "$(drop_warning xdp_redirect_map_multi r1 p1)" "$E2E_TMP/xrmmdrop.err"; then
	fail $t "want the two warning lines (r1/p1, r2/p2): $(err xrmmdrop | tr '\n' '|')"
else pass $t "$how"; fi

# The fixed case: GRO on for p1 and p2. Every frame is flooded to r2, made
# into a clone, transmitted and received by p2; nothing skipped, no warning.
t=e2e/xdp_redirect_map_multi/veth_peer_fixed_case
redirect_drop xrmmfix gro $N "$BIN/xdp_redirect_map_multi/xdp_redirect_map_multi" r1 r2 -d 5 -I 0.5
p2rx=$(sed -n 's/^p2_rx=//p' "$E2E_TMP/xrmmfix.out")
if [ "$RC" -ne 0 ] || ! grep -q '^gen_rc=0$' "$E2E_TMP/xrmmfix.out"; then
	fail $t "exit $RC: $(tails xrmmfix) $(head -c 200 "$E2E_TMP/xrmmfix.setup")"
elif [ "$(row xrmmfix r1)" != "$N $N 0 0" ] || [ "$(row xrmmfix r2)" != "0 0 0 $N" ] ||
     [ "$(outcome_row xrmmfix r2)" != "$N 0 0 0 -" ] || [ "$(outcome_row xrmmfix r1)" != "0 0 0 0 -" ] ||
     [ "$(clones_row xrmmfix r2)" != "$N $N 0" ] || [ "$p2rx" != $N ]; then
	fail $t "r1 '$(row xrmmfix r1)' r2 '$(row xrmmfix r2)', outcome r2 '$(outcome_row xrmmfix r2)', clones r2 '$(clones_row xrmmfix r2)', p2 received $p2rx; want N = $N through"
elif [ -s "$E2E_TMP/xrmmfix.err" ]; then fail $t "stderr: $(err xrmmfix | tr '\n' '|')"
else pass $t; fi

expect_bad_input xdp_redirect_map_multi unknown_interface nosuch0 nosuch0 nosuch1 -d 1
expect_bad_input xdp_redirect_map_multi one_interface lo lo
expect_bad_input xdp_redirect_map_multi same_interface_twice lo lo lo
expect_bad_input xdp_redirect_map_multi same_interface_by_name_and_number 1 lo 1
expect_bad_input xdp_redirect_map_multi no_plain_mode -P -P
expect_bad_input xdp_redirect_map_multi duration_zero 0 -d 0
expect_bad_input xdp_redirect_map_multi unknown_option -x -x
expect_bad_input xdp_redirect_map_multi missing_value -d -d
expect_no_privileges xdp_redirect_map_multi -d 1
expect_sigkill_clean xdp_redirect_map_multi '^ +time' -d 20
expect_signal_clean xdp_redirect_map_multi INT '^ +time' -d 20
expect_signal_clean xdp_redirect_map_multi TERM '^ +time' -d 20
