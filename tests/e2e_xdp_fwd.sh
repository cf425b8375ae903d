# SPDX-License-Identifier: GPL-2.0
# xdp_fwd end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/xdp_fwd jq ethtool sysctl unshare || return	# (and tests/xdp_redirect_drop.sh's)

# The demo: every echo request, reply and datagram arrives; the router has no
# neighbour entries, so the first packet each way finds no neighbour and goes
# to the stack (which ARPs and forwards it); XDP forwards all the others.
# Exact: forwarded + no_neigh = 2 * pings + datagrams, and the router's
# ForwDatagrams grew by exactly no_neigh (the stack forwarded only those).
t=e2e/xdp_fwd/demo_every_packet_by_xdp
snapshot
run demo 30 "$BIN/xdp_fwd/xdp_fwd" -d 5
row() { out demo | sed -n '/^final:/,$p' | awk -v r="$1" '$1 == r {gsub(",", ""); print $3}'; }
fwd=$(row forwarded); nn=$(row no_neigh); notip=$(row not_ip)
others=$(out demo | sed -n '/^final:/,$p' | awk '$1 !~ /^(forwarded|no_neigh|not_ip|reason|final:|demo)$/ {gsub(",", ""); s += $3} END {print s + 0}')
read -r pings replies udps udp_rx forw0 forw1 <<< "$(num "$(out demo | sed -n \
	's/^demo sent: \([0-9]*\) echo requests (\([0-9]*\) replies), \([0-9]*\) UDP datagrams (\([0-9]*\) received); router ForwDatagrams \([0-9,]*\) -> \([0-9,]*\)$/\1 \2 \3 \4 \5 \6/p')")"
left=$(leftovers xdp_fwd)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$pings" ] || [ -z "$fwd" ]; then fail $t "no final table or summary: $(tails demo)"
elif [ "$pings" -lt 20 ] || [ "$replies" != "$pings" ] || [ "$udp_rx" != "$udps" ]; then
	fail $t "pings $pings replies $replies, UDP $udps received $udp_rx"
elif [ $((fwd + nn)) != $((2 * pings + udps)) ]; then
	fail $t "forwarded $fwd + no_neigh $nn != $((2 * pings + udps)) IP packets sent"
elif [ "$nn" -lt 2 ] || [ $((forw1 - forw0)) != "$nn" ]; then
	fail $t "no_neigh $nn, ForwDatagrams $forw0 -> $forw1: the stack forwarded other packets"
elif [ "$others" != 0 ] || [ "$notip" -lt 2 ]; then fail $t "unexpected counts: other $others, not_ip $notip"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# BPF_FIB_LOOKUP_DIRECT and generic mode give the same result.
t=e2e/xdp_fwd/direct_generic_demo
snapshot
run direct 30 "$BIN/xdp_fwd/xdp_fwd" -D -S -d 3 -I 0.5
fwd=$(out direct | sed -n '/^final:/,$p' | awk '$1 == "forwarded" {gsub(",", ""); print $3}')
nn=$(out direct | sed -n '/^final:/,$p' | awk '$1 == "no_neigh" {gsub(",", ""); print $3}')
read -r pings replies udps udp_rx forw0 forw1 <<< "$(num "$(out direct | sed -n \
	's/^demo sent: \([0-9]*\) echo requests (\([0-9]*\) replies), \([0-9]*\) UDP datagrams (\([0-9]*\) received); router ForwDatagrams \([0-9,]*\) -> \([0-9,]*\)$/\1 \2 \3 \4 \5 \6/p')")"
left=$(leftovers xdp_fwd)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails direct)"
elif ! out direct | grep -q 'BPF_FIB_LOOKUP_DIRECT.*XDP mode generic'; then fail $t "$(out direct | head -1)"
elif [ -z "$pings" ] || [ "$replies" != "$pings" ] || [ "$udp_rx" != "$udps" ] ||
     [ $((fwd + nn)) != $((2 * pings + udps)) ] || [ $((forw1 - forw0)) != "$nn" ]; then
	fail $t "pings $pings/$replies UDP $udps/$udp_rx fwd $fwd no_neigh $nn forw $forw0 -> $forw1"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# The second instance says so in one line; the first one (whose stderr is
# kept apart) has warned that xb, without XDP and GRO, drops redirected frames.
t=e2e/xdp_fwd/interface_already_has_xdp
run busy 20 unshare -n bash -c "ip link add xa type veth peer name xb && ip link set xa up && \
	ip link set xb up && { $BIN/xdp_fwd/xdp_fwd -d 3 xa >$E2E_TMP/busy1.out 2>$E2E_TMP/busy1.err & p=\$!; \
	wait_for $E2E_TMP/busy1.out '^ +time' 100 \$p; \
	$BIN/xdp_fwd/xdp_fwd -d 1 xa; echo rc=\$?; wait \$p; echo first=\$?; }"
if out busy | grep -q '^rc=1$' && out busy | grep -q '^first=0$' &&
   [ "$(grep -c . "$E2E_TMP/busy.err")" = 1 ] && grep -q 'already has an XDP program' "$E2E_TMP/busy.err" &&
   [ "$(grep -c . "$E2E_TMP/busy1.err")" = 1 ] && grep -q 'warning: frames redirected to xa will be dropped' "$E2E_TMP/busy1.err"
then pass $t; else fail $t "$(tails busy) | first: $(cat "$E2E_TMP/busy1.err")"; fi

t=e2e/xdp_fwd/no_native_xdp
run nat 20 unshare -n sh -c "ip link add da type bridge && ip link set da up && \
	{ $BIN/xdp_fwd/xdp_fwd -N -d 1 da; echo rc=\$?; $BIN/xdp_fwd/xdp_fwd -S -d 1 da >/dev/null; echo generic=\$?; }"
if out nat | grep -q '^rc=1$' && out nat | grep -q '^generic=0$' &&
   grep -q 'cannot run XDP in native (driver) mode; use -S' "$E2E_TMP/nat.err"
then pass $t; else fail $t "$(tails nat)"; fi

expect_bad_input xdp_fwd unknown_interface nosuch0 nosuch0 -d 1
expect_bad_input xdp_fwd same_interface_twice lo lo lo
expect_bad_input xdp_fwd interface_name_too_long abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz
expect_bad_input xdp_fwd duration_zero 0 -d 0
expect_bad_input xdp_fwd duration_not_a_number abc -d abc
expect_bad_input xdp_fwd interval_zero 0 -I 0
expect_bad_input xdp_fwd unknown_option -x -x
expect_bad_input xdp_fwd missing_value -I -I
expect_no_privileges xdp_fwd -d 1
expect_sigkill_clean xdp_fwd '^ +time' -d 20
expect_signal_clean xdp_fwd INT '^ +time' -d 20
expect_signal_clean xdp_fwd TERM '^ +time' -d 20

# The veth peer drop case: `xdp_fwd r1 r2` on a router whose veth peers sit in
# the same namespace with no XDP program and GRO off (tests/xdp_redirect_drop.sh).
# XDP forwards every frame (forwarded = N), but a veth only takes
# XDP-transmitted frames while its peer has XDP or GRO: the kernel refuses
# each redirect into r2 (on 6.x: xdp_do_redirect() fails, EOPNOTSUPP). The
# outcome table says so exactly: N redirect errors on r1, 0 transmitted by r2;
# p2 received nothing; and one warning per port at start names the peer and the fix.
. tests/xdp_redirect_drop.sh
N=50
t=e2e/xdp_fwd/veth_peer_drop_case
redirect_drop fwddrop none $N "$BIN/xdp_fwd/xdp_fwd" r1 r2 -d 5 -I 0.5
fwd=$(sed -n '/^final:/,$p' "$E2E_TMP/fwddrop.out" | awk '$1 == "forwarded" {gsub(",", ""); print $3}')
r1o=$(outcome_row fwddrop r1)
r2o=$(outcome_row fwddrop r2)
p2rx=$(sed -n 's/^p2_rx=//p' "$E2E_TMP/fwddrop.out")
if [ "$XDP_DROP_KIND" = checked ]; then
	want_r1="0 0 $N 0 EOPNOTSUPP" want_r2="0 0 0 0 -" how="$N refused by the redirect (EOPNOTSUPP)"
else
	want_r1="0 0 0 0 -" want_r2="0 $N 0 0 ENXIO" how="$N dropped by r2 (ENXIO)"
fi
if [ -z "$XDP_DROP_HOW" ]; then fail $t "tools/bpfprobe xdp_features answered '$XDP_DROP_KIND', want checked or unchecked"
elif [ "$RC" -ne 0 ] || ! grep -q '^gen_rc=0$' "$E2E_TMP/fwddrop.out"; then
	fail $t "exit $RC: $(tails fwddrop) $(head -c 200 "$E2E_TMP/fwddrop.setup")"
elif [ "$fwd" != $N ]; then fail $t "forwarded '$fwd', want $N: $(tails fwddrop)"
elif [ "$r1o" != "$want_r1" ] || [ "$r2o" != "$want_r2" ]; then
	fail $t "outcome r1 '$r1o', r2 '$r2o'; want '$want_r1' and '$want_r2' (a kernel that $XDP_DROP_KIND the target's xdp_features)"
elif [ "$p2rx" != 0 ]; then fail $t "p2 received $p2rx frames, want 0"
elif [ "$(grep -c . "$E2E_TMP/fwddrop.err")" != 2 ] ||
     ! grep -qxF "$(drop_warning xdp_fwd r2 p2)" "$E2E_TMP/fwddrop.err" ||
     ! grep -qxF "$(drop_warning xdp_fwd r1 p1)" "$E2E_TMP/fwddrop.err"; then
	fail $t "want the two warning lines (r1/p1, r2/p2): $(err fwddrop | tr '\n' '|')"
else pass $t "$how"; fi

# The fixed case: the same with GRO on for p1 and p2. Every frame is
# forwarded, transmitted by r2 and received by p2; no error, no warning.
t=e2e/xdp_fwd/veth_peer_fixed_case
redirect_drop fwdfix gro $N "$BIN/xdp_fwd/xdp_fwd" r1 r2 -d 5 -I 0.5
fwd=$(sed -n '/^final:/,$p' "$E2E_TMP/fwdfix.out" | awk '$1 == "forwarded" {gsub(",", ""); print $3}')
read -r r1_tx r1_drop r1_rerr r1_ab r1_last <<< "$(outcome_row fwdfix r1)"
read -r r2_tx r2_drop r2_rerr r2_ab r2_last <<< "$(outcome_row fwdfix r2)"
p2rx=$(sed -n 's/^p2_rx=//p' "$E2E_TMP/fwdfix.out")
if [ "$RC" -ne 0 ] || ! grep -q '^gen_rc=0$' "$E2E_TMP/fwdfix.out"; then
	fail $t "exit $RC: $(tails fwdfix) $(head -c 200 "$E2E_TMP/fwdfix.setup")"
elif [ "$fwd" != $N ] || [ "$r2_tx $r2_drop $r2_rerr $r2_last" != "$N 0 0 -" ] ||
     [ "$r1_rerr $r1_ab $r1_last" != "0 0 -" ] || [ "$p2rx" != $N ]; then
	fail $t "forwarded $fwd, r2 transmitted $r2_tx dropped $r2_drop ($r2_last), r1 redirect errors $r1_rerr, p2 received $p2rx; want $N, $N, 0, 0, $N"
elif [ -s "$E2E_TMP/fwdfix.err" ]; then fail $t "stderr: $(err fwdfix | tr '\n' '|')"
else pass $t; fi
