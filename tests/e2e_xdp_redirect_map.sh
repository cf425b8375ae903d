# SPDX-License-Identifier: GPL-2.0
# xdp_redirect_map end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/xdp_redirect_map jq ethtool sysctl unshare || return	# (and tests/xdp_redirect_drop.sh's)

# Two-port demo: every echo request and UDP datagram from ns1 reaches ns2,
# r1's counters equal what was sent, r2 sent each once, the echo replies come
# back through r2 -> r1, and the router's stack forwarded nothing.
t=e2e/xdp_redirect_map/demo_every_packet_by_xdp
snapshot
run demo 30 "$BIN/xdp_redirect_map/xdp_redirect_map" -d 5
sent=$(out demo | grep '^demo sent:')
row() { out demo | sed -n '/^final:/,/^after the redirect/p' | awk -v p="$1" '$1 == p {gsub(",", ""); print $2, $3, $4, $5}'; }
read -r r1_rx r1_redir r1_err r1_tx <<< "$(row r1)"
read -r r2_rx r2_redir r2_err r2_tx <<< "$(row r2)"
read -r pings replies udps udp_rx forw0 forw1 <<< "$(num "$(sed -n \
	's/^demo sent: \([0-9]*\) echo requests (\([0-9]*\) replies), \([0-9]*\) UDP datagrams (\([0-9]*\) received); router ForwDatagrams \([0-9,]*\) -> \([0-9,]*\)$/\1 \2 \3 \4 \5 \6/p' <<< "$sent")")"
left=$(leftovers xdp_redirect_map)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$pings" ] || [ -z "$r1_rx" ]; then fail $t "no final rows or summary: $(tails demo)"
elif [ "$pings" -lt 20 ] || [ "$replies" != "$pings" ] || [ "$udp_rx" != "$udps" ]; then
	fail $t "pings $pings replies $replies, UDP $udps received $udp_rx"
elif [ "$r1_rx" != $((pings + udps)) ] || [ "$r1_redir" != "$r1_rx" ] || [ "$r1_err" != 0 ] ||
     [ "$r2_tx" != "$r1_rx" ]; then
	fail $t "r1 rx $r1_rx redirected $r1_redir errors $r1_err, r2 tx $r2_tx; want $((pings + udps))"
elif [ "$r2_rx" != "$pings" ] || [ "$r2_redir" != "$pings" ] || [ "$r1_tx" != "$pings" ]; then
	fail $t "replies: r2 rx $r2_rx redirected $r2_redir, r1 tx $r1_tx; want $pings"
elif [ "$forw0" != "$forw1" ]; then fail $t "router ForwDatagrams grew: $forw0 -> $forw1"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# The DEVMAP shows the bpf_devmap_val form: ifindex plus the egress program's id.
t=e2e/xdp_redirect_map/devmap_val_shown
if out demo | grep -qE '^  tx_port\[0\]  = \{ ifindex [0-9]+ \(r2\), egress prog id [1-9][0-9]* \}' &&
   out demo | grep -q 'XDP mode native'; then pass $t
else fail $t "$(out demo | head -3 | tr '\n' '|')"; fi

# Plain ifindex values and generic mode: same exact result.
t=e2e/xdp_redirect_map/plain_generic_demo
snapshot
run plain 30 "$BIN/xdp_redirect_map/xdp_redirect_map" -P -S -d 3 -I 0.5
read -r pings replies udps udp_rx forw0 forw1 <<< "$(num "$(out plain | sed -n \
	's/^demo sent: \([0-9]*\) echo requests (\([0-9]*\) replies), \([0-9]*\) UDP datagrams (\([0-9]*\) received); router ForwDatagrams \([0-9,]*\) -> \([0-9,]*\)$/\1 \2 \3 \4 \5 \6/p')")"
r1_rx=$(out plain | sed -n '/^final:/,/^after the redirect/p' | awk '$1 == "r1" {gsub(",", ""); print $2}')
left=$(leftovers xdp_redirect_map)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails plain)"
elif ! out plain | grep -q "tx_plain.*XDP mode generic"; then fail $t "mode line: $(out plain | head -1)"
elif [ -z "$pings" ] || [ "$replies" != "$pings" ] || [ "$udp_rx" != "$udps" ] ||
     [ "$r1_rx" != $((pings + udps)) ] || [ "$forw0" != "$forw1" ]; then
	fail $t "pings $pings/$replies UDP $udps/$udp_rx r1 rx $r1_rx forw $forw0 -> $forw1"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# Real interfaces in a private netns: an interface that already carries XDP
# is refused with one line, and the first instance keeps running, silent on
# its own stderr (xa and xb are each other's veth peer, and both run its XDP
# program: no peer drops redirected frames, so no warning).
t=e2e/xdp_redirect_map/interface_already_has_xdp
run busy 20 unshare -n bash -c "ip link add xa type veth peer name xb && ip link set xa up && \
	ip link set xb up && { $BIN/xdp_redirect_map/xdp_redirect_map -d 3 xa xb >$E2E_TMP/busy1.out 2>$E2E_TMP/busy1.err & p=\$!; \
	wait_for $E2E_TMP/busy1.out '^ +time' 100 \$p; \
	$BIN/xdp_redirect_map/xdp_redirect_map -d 1 xb xa; echo rc=\$?; wait \$p; echo first=\$?; }"
if out busy | grep -q '^rc=1$' && out busy | grep -q '^first=0$' &&
   [ "$(grep -c . "$E2E_TMP/busy.err")" = 1 ] && grep -q 'already has an XDP program' "$E2E_TMP/busy.err" &&
   [ ! -s "$E2E_TMP/busy1.err" ]
then pass $t; else fail $t "$(tails busy) | first: $(cat "$E2E_TMP/busy1.err")"; fi

# -N on an interface without native XDP (a bridge) fails with a hint to use -S;
# -S on the same interfaces works.
t=e2e/xdp_redirect_map/no_native_xdp
run nat 20 unshare -n sh -c "ip link add da type bridge && ip link add db type bridge && \
	ip link set da up && ip link set db up && \
	{ $BIN/xdp_redirect_map/xdp_redirect_map -N -d 1 da db; echo rc=\$?; $BIN/xdp_redirect_map/xdp_redirect_map -S -d 1 da db >/dev/null; echo generic=\$?; }"
if out nat | grep -q '^rc=1$' && out nat | grep -q '^generic=0$' &&
   grep -q 'cannot run XDP in native (driver) mode; use -S' "$E2E_TMP/nat.err"
then pass $t; else fail $t "$(tails nat)"; fi

expect_bad_input xdp_redirect_map unknown_interface nosuch0 nosuch0 nosuch1 -d 1
expect_bad_input xdp_redirect_map one_interface lo lo
expect_bad_input xdp_redirect_map same_interface_twice lo lo lo
expect_bad_input xdp_redirect_map same_interface_by_name_and_number 1 lo 1
expect_bad_input xdp_redirect_map bad_mac 02:00:00:00:00 -m 02:00:00:00:00
expect_bad_input xdp_redirect_map mac_with_demo -m -m 02:00:00:00:00:01
expect_bad_input xdp_redirect_map duration_zero 0 -d 0
expect_bad_input xdp_redirect_map duration_not_a_number abc -d abc
expect_bad_input xdp_redirect_map interval_garbage 1x -I 1x
expect_bad_input xdp_redirect_map unknown_option -x -x
expect_bad_input xdp_redirect_map missing_value -d -d
expect_no_privileges xdp_redirect_map -d 1
expect_sigkill_clean xdp_redirect_map '^ +time' -d 20
expect_signal_clean xdp_redirect_map INT '^ +time' -d 20
expect_signal_clean xdp_redirect_map TERM '^ +time' -d 20

# The veth peer drop case: `xdp_redirect_map r1 r2` on a router whose veth
# peers sit in the same namespace with no XDP program and GRO off
# (tests/xdp_redirect_drop.sh). The program redirects every frame (r1 rx =
# redirected = N), but the kernel refuses each redirect into r2 (on 6.x:
# EOPNOTSUPP, the veth cannot transmit XDP frames): the egress program never
# runs (r2 tx 0), the outcome table shows N redirect errors on r1 and 0
# transmitted by r2, p2 received nothing, and one warning per port at start
# names the peer and the fix.
. tests/xdp_redirect_drop.sh
N=50
t=e2e/xdp_redirect_map/veth_peer_drop_case
redirect_drop xrmdrop none $N "$BIN/xdp_redirect_map/xdp_redirect_map" r1 r2 -d 5 -I 0.5
row() { sed -n '/^final:/,/^after/p' "$E2E_TMP/$1.out" | awk -v p="$2" '$1 == p {gsub(",", ""); print $2, $3, $4, $5}'; }
p2rx=$(sed -n 's/^p2_rx=//p' "$E2E_TMP/xrmdrop.out")
# r2's tx column: the devmap egress program runs on a frame the kernel took.
if [ "$XDP_DROP_KIND" = checked ]; then
	want_r2row="0 0 0 0" want_r1="0 0 $N 0 EOPNOTSUPP" want_r2="0 0 0 0 -" how="$N refused by the redirect (EOPNOTSUPP)"
else
	want_r2row="0 0 0 $N" want_r1="0 0 0 0 -" want_r2="0 $N 0 0 ENXIO" how="$N dropped by r2 (ENXIO)"
fi
if [ -z "$XDP_DROP_HOW" ]; then fail $t "tools/bpfprobe xdp_features answered '$XDP_DROP_KIND', want checked or unchecked"
elif [ "$RC" -ne 0 ] || ! grep -q '^gen_rc=0$' "$E2E_TMP/xrmdrop.out"; then
	fail $t "exit $RC: $(tails xrmdrop) $(head -c 200 "$E2E_TMP/xrmdrop.setup")"
elif [ "$(row xrmdrop r1)" != "$N $N 0 0" ] || [ "$(row xrmdrop r2)" != "$want_r2row" ]; then
	fail $t "r1 rx/redirected/errors/tx '$(row xrmdrop r1)', r2 '$(row xrmdrop r2)'; want '$N $N 0 0' and '$want_r2row'"
elif [ "$(outcome_row xrmdrop r1)" != "$want_r1" ] || [ "$(outcome_row xrmdrop r2)" != "$want_r2" ]; then
	fail $t "outcome r1 '$(outcome_row xrmdrop r1)', r2 '$(outcome_row xrmdrop r2)'; want '$want_r1' and '$want_r2' (a kernel that $XDP_DROP_KIND the target's xdp_features)"
elif [ "$p2rx" != 0 ]; then fail $t "p2 received $p2rx frames, want 0"
elif [ "$(grep -c . "$E2E_TMP/xrmdrop.err")" != 2 ] ||
     ! grep -qxF "$(drop_warning xdp_redirect_map r2 p2)" "$E2E_TMP/xrmdrop.err" ||
     ! grep -qxF "$(drop_warning xdp_redirect_map r1 p1)" "$E2E_TMP/xrmdrop.err"; then
	fail $t "want the two warning lines (r1/p1, r2/p2): $(err xrmdrop | tr '\n' '|')"
else pass $t "$how"; fi

# The fixed case: GRO on for p1 and p2. Every frame is redirected, seen by
# the egress program, transmitted by r2 and received by p2; no error, no warning.
t=e2e/xdp_redirect_map/veth_peer_fixed_case
redirect_drop xrmfix gro $N "$BIN/xdp_redirect_map/xdp_redirect_map" r1 r2 -d 5 -I 0.5
p2rx=$(sed -n 's/^p2_rx=//p' "$E2E_TMP/xrmfix.out")
if [ "$RC" -ne 0 ] || ! grep -q '^gen_rc=0$' "$E2E_TMP/xrmfix.out"; then
	fail $t "exit $RC: $(tails xrmfix) $(head -c 200 "$E2E_TMP/xrmfix.setup")"
elif [ "$(row xrmfix r1)" != "$N $N 0 0" ] || [ "$(row xrmfix r2)" != "0 0 0 $N" ] ||
     [ "$(outcome_row xrmfix r1)" != "0 0 0 0 -" ] || [ "$(outcome_row xrmfix r2)" != "$N 0 0 0 -" ] ||
     [ "$p2rx" != $N ]; then
	fail $t "r1 '$(row xrmfix r1)' r2 '$(row xrmfix r2)', outcome r1 '$(outcome_row xrmfix r1)' r2 '$(outcome_row xrmfix r2)', p2 received $p2rx; want N = $N through"
elif [ -s "$E2E_TMP/xrmfix.err" ]; then fail $t "stderr: $(err xrmfix | tr '\n' '|')"
else pass $t; fi
