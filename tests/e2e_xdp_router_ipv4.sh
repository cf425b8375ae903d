# SPDX-License-Identifier: GPL-2.0
# xdp_router_ipv4 end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/xdp_router_ipv4 ping nsenter unshare || return

# The demo with -d 5: ticks 1..5 (the 5th may lose the race with the deadline)
# each send 5 pings + 5 datagrams from ns1 to
# 10.99.0.1. Before tick 2 it adds 10.99.0.1/32 via h3 in the router netns,
# before tick 4 it removes it again. Checked: the LPM_TRIE followed each change
# within 1 s; datagrams of ticks 2-3 went to ns3, the others to ns2; every
# forwarded packet of ticks 3 was counted on the /32, of ticks 4-5 on the /16;
# packet arrived; forwarded + no_neigh = all IP packets and the router's stack
# forwarded exactly the no_neigh ones (the first packets before ARP resolved).
t=e2e/xdp_router_ipv4/demo_route_add_remove_followed
snapshot
run demo 30 "$BIN/xdp_router_ipv4/xdp_router_ipv4" -d 5
fin() { out demo | sed -n '/^final:/,$p'; }
reason() { fin | awk -v r="$1" '$1 == r && NF == 3 {gsub(",", ""); print $2}'; }
fwd=$(reason forwarded); nn=$(reason no_neigh); nr=$(reason no_route)
r32=$(fin | awk '$1 == "10.99.0.1/32" {gsub(",", ""); print $2, $4}')
r16=$(fin | awk '$1 == "10.99.0.0/16" {gsub(",", ""); print $4}')
add_ms=$(out demo | sed -n 's/.*demo: LPM_TRIE has 10.99.0.1\/32 after \([0-9]*\) ms$/\1/p')
del_ms=$(out demo | sed -n 's/.*demo: LPM_TRIE no longer has 10.99.0.1\/32 after \([0-9]*\) ms$/\1/p')
read -r pings replies udps ns2 ns3 forw0 forw1 <<< "$(num "$(out demo | sed -n \
	's/^demo sent: \([0-9]*\) echo requests (\([0-9]*\) replies), \([0-9]*\) UDP datagrams (ns2 \([0-9]*\), ns3 \([0-9]*\)); router ForwDatagrams \([0-9,]*\) -> \([0-9,]*\)$/\1 \2 \3 \4 \5 \6 \7/p')")"
left=$(leftovers xdp_router_ipv4)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$pings" ] || [ -z "$fwd" ]; then fail $t "no final table or summary: $(tails demo)"
elif [ -z "$add_ms" ] || [ -z "$del_ms" ] || [ "$add_ms" -ge 1000 ] || [ "$del_ms" -ge 1000 ]; then
	fail $t "LPM_TRIE followed after add '$add_ms' ms, del '$del_ms' ms"
elif ! out demo | grep -q 'netlink: route + 10.99.0.1/32 via 10.20.3.2 dev r3' ||
     ! out demo | grep -q 'netlink: route - 10.99.0.1/32'; then fail $t "netlink events not shown"
elif [ "$pings" -lt 20 ] || [ $((pings % 5)) != 0 ] || [ "$replies" != "$pings" ] || [ "$udps" != "$pings" ]; then
	fail $t "sent $pings pings ($replies replies), $udps datagrams; want 4 or 5 ticks of 5 each"
elif [ "$ns3" != 10 ] || [ "$ns2" != $((udps - 10)) ]; then fail $t "datagrams ns2 $ns2 ns3 $ns3, want $((udps - 10)) and 10"
elif [ $((fwd + nn)) != $((3 * pings)) ] || [ "$nr" != 0 ]; then fail $t "forwarded $fwd + no_neigh $nn != $((3 * pings)), no_route $nr"
elif [ $((forw1 - forw0)) != "$nn" ]; then fail $t "ForwDatagrams $forw0 -> $forw1, no_neigh $nn"
elif [ "$r32" != "(removed) 10" ] || [ "$r16" != $(( (pings / 5 - 3) * 10 )) ]; then
	fail $t "per-route: /32 '$r32' (want removed, 10), /16 '$r16' (want $(( (pings / 5 - 3) * 10 )))"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# The neighbours learned by ARP during the run are mirrored into the HASH.
t=e2e/xdp_router_ipv4/neighbours_mirrored
if [ "$(fin | grep -cE '^10\.20\.[123]\.2 +02:00:00:20:0[123]:02 +r[123]')" = 3 ]; then pass $t
else fail $t "$(fin | sed -n '/^neighbour/,/^reason/p' | tr '\n' '|')"; fi

# Every frame the demo's XDP counted as forwarded was transmitted by a router
# port (the hosts run xdp_pass, so their veths take redirected frames): the sum
# of "transmitted" over r1..r3 equals "forwarded"; nothing dropped or refused.
t=e2e/xdp_router_ipv4/demo_forwarded_all_transmitted
tx=0; lost=0
for p in r1 r2 r3; do
	read -r ptx pdrop prerr pab <<< "$(out demo | sed -n '/^after the redirect/,$p' | awk -v p=$p '$1 == p {gsub(",", ""); print $2, $3, $4, $5}')"
	tx=$((tx + ${ptx:-0})); lost=$((lost + ${pdrop:-0} + ${prerr:-0} + ${pab:-0}))
done
if [ -z "$fwd" ] || [ "$tx" != "$fwd" ] || [ "$lost" != 0 ]; then
	fail $t "forwarded '$fwd', transmitted by r1..r3 $tx, lost $lost: $(out demo | sed -n '/^after the redirect/,$p' | tr '\n' '|')"
else pass $t; fi

t=e2e/xdp_router_ipv4/interface_already_has_xdp
run busy 20 unshare -n bash -c "ip link add xa type veth peer name xb && ip link set xa up && \
	ip link set xb up && { $BIN/xdp_router_ipv4/xdp_router_ipv4 -d 3 xa >$E2E_TMP/busy1.out 2>$E2E_TMP/busy1.err & p=\$!; \
	wait_for $E2E_TMP/busy1.out '^ +time' 100 \$p; \
	$BIN/xdp_router_ipv4/xdp_router_ipv4 -d 1 xa; echo rc=\$?; wait \$p; echo first=\$?; }"
if out busy | grep -q '^rc=1$' && out busy | grep -q '^first=0$' &&
   [ "$(grep -c . "$E2E_TMP/busy.err")" = 1 ] && grep -q 'already has an XDP program' "$E2E_TMP/busy.err"
then pass $t; else fail $t "$(tails busy)"; fi

t=e2e/xdp_router_ipv4/no_native_xdp
run nat 20 unshare -n sh -c "ip link add da type bridge && ip link set da up && \
	{ $BIN/xdp_router_ipv4/xdp_router_ipv4 -N -d 1 da; echo rc=\$?; $BIN/xdp_router_ipv4/xdp_router_ipv4 -S -d 1 da >/dev/null; echo generic=\$?; }"
if out nat | grep -q '^rc=1$' && out nat | grep -q '^generic=0$' &&
   grep -q 'cannot run XDP in native (driver) mode; use -S' "$E2E_TMP/nat.err"
then pass $t; else fail $t "$(tails nat)"; fi

# Real-interface mode mirrors the namespace's routes: two veths with
# addresses give two connected routes in the LPM_TRIE.
t=e2e/xdp_router_ipv4/interface_mode_mirrors_routes
run iface 20 unshare -n sh -c "ip link add xa type veth peer name xb && ip addr add 10.7.1.1/24 dev xa && \
	ip addr add 10.7.2.1/24 dev xb && ip link set xa up && ip link set xb up && \
	$BIN/xdp_router_ipv4/xdp_router_ipv4 -d 1 xa xb"
if [ "$RC" = 0 ] && out iface | grep -q 'on xa xb, XDP mode native: 2 routes in the LPM_TRIE' &&
   out iface | grep -qE '^10\.7\.1\.0/24 +- +xa +0' && out iface | grep -qE '^10\.7\.2\.0/24 +- +xb +0'
then pass $t; else fail $t "exit $RC: $(tails iface)"; fi

# After the redirect. A router namespace with two ports: ra (10.31.1.1/24)
# towards a sender namespace, and rb (10.31.2.1/24) whose veth peer pb stays in
# the router namespace with no address, no XDP program and GRO off (veth's
# default). 10.31.2.2 is pb's MAC as a permanent neighbour on rb, so XDP
# forwards from the first frame. The sender pings 10.31.2.2 five times.
# $1 = the binary, $2 = "gro": the fix (ethtool -K pb gro on) first, $3 = the
# file the script's stdout goes to (run's NAME.out), where the header shows
# that the router is attached.
xr_egress_topo='
ip link set lo up
unshare -n sleep 20 & s=$!
ip link add ra type veth peer name sa && ip link add rb type veth peer name pb || exit 90
wait_for /proc/$s/comm "^sleep\$" 50 || { kill $s; exit 93; }	# unshare has made its netns
ip link set sa netns "$s" && ip addr add 10.31.1.1/24 dev ra && ip addr add 10.31.2.1/24 dev rb &&
ip link set ra up && ip link set rb up && ip link set pb up &&
ip neigh add 10.31.2.2 lladdr "$(ip -br link show pb | awk "{print \$3}")" dev rb nud permanent &&
nsenter -t "$s" -n sh -c "ip link set lo up && ip addr add 10.31.1.2/24 dev sa && ip link set sa up &&
	ip route add default via 10.31.1.1" || { kill $s; exit 91; }
if [ "$2" = gro ]; then ethtool -K pb gro on >/dev/null || { kill $s; exit 92; }; fi
"$1" -d 4 ra rb & r=$!
wait_for "$3" "^ +time" 100 $r
nsenter -t "$s" -n ping -q -c 5 -i 0.2 -W 1 10.31.2.2 >/dev/null
wait $r; rc=$?
kill $s
exit $rc'
# "PORT transmitted dropped redirect-errors aborted" from the table after the redirect
xr_outcome() { out "$1" | sed -n '/^after the redirect/,$p' | awk -v p="$2" '$1 == p {gsub(",", ""); print $2, $3, $4, $5}'; }
xr_reason() { out "$1" | sed -n '/^final:/,$p' | awk -v r="$2" '$1 == r && NF == 3 {gsub(",", ""); print $2}'; }

# The drop case: the 5 frames XDP redirected ("forwarded") into rb were all
# refused (on 6.x veth refuses at xdp_do_redirect(): redirect errors on the
# ingress port ra, EOPNOTSUPP); none was transmitted; one warning at start
# names pb and the command that fixes it.
t=e2e/xdp_router_ipv4/egress_veth_peer_drops
run edrop 30 unshare -n bash -c "$xr_egress_topo" bash "$BIN/xdp_router_ipv4/xdp_router_ipv4" none "$E2E_TMP/edrop.out"
fwd=$(xr_reason edrop forwarded)
read -r ra_tx ra_drop ra_rerr ra_ab <<< "$(xr_outcome edrop ra)"
read -r rb_tx rb_drop rb_rerr rb_ab <<< "$(xr_outcome edrop rb)"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails edrop)"
elif [ "$fwd" != 5 ]; then fail $t "forwarded '$fwd', want 5: $(tails edrop)"
elif [ "$rb_tx" != 0 ] || [ $((rb_drop + ra_rerr)) != 5 ] || [ "$ra_tx $rb_rerr $ra_ab $rb_ab" != "0 0 0 0" ]; then
	fail $t "rb transmitted $rb_tx dropped $rb_drop, ra redirect errors $ra_rerr (want 0 and 5 lost), others '$ra_tx $rb_rerr $ra_ab $rb_ab'"
elif [ "$(grep -c . "$E2E_TMP/edrop.err")" != 1 ] ||
     ! grep -q 'warning: frames redirected to rb will be dropped: its veth peer pb has no XDP program and GRO is off; [^;]*; fix: ethtool -K pb gro on' "$E2E_TMP/edrop.err"
then fail $t "want one warning line naming pb: $(err edrop | tr '\n' '|')"
else pass $t; fi

# The fixed case: GRO on pb; the same 5 frames are transmitted by rb, none is
# lost, and there is no warning.
t=e2e/xdp_router_ipv4/egress_veth_peer_fixed
if need_tool $t ethtool; then
	run efix 30 unshare -n bash -c "$xr_egress_topo" bash "$BIN/xdp_router_ipv4/xdp_router_ipv4" gro "$E2E_TMP/efix.out"
	fwd=$(xr_reason efix forwarded)
	read -r ra_tx ra_drop ra_rerr ra_ab <<< "$(xr_outcome efix ra)"
	read -r rb_tx rb_drop rb_rerr rb_ab <<< "$(xr_outcome efix rb)"
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails efix)"
	elif [ "$fwd" != 5 ] || [ "$rb_tx" != 5 ]; then fail $t "forwarded '$fwd', rb transmitted '$rb_tx', want 5 and 5"
	elif [ "$rb_drop $ra_rerr $ra_tx $rb_rerr $ra_ab $rb_ab" != "0 0 0 0 0 0" ]; then
		fail $t "lost or errors: rb dropped $rb_drop, ra redirect errors $ra_rerr, others '$ra_tx $rb_rerr $ra_ab $rb_ab'"
	elif [ -s "$E2E_TMP/efix.err" ]; then fail $t "stderr: $(err efix | tr '\n' '|')"
	else pass $t; fi
fi

expect_bad_input xdp_router_ipv4 unknown_interface nosuch0 nosuch0 -d 1
expect_bad_input xdp_router_ipv4 same_interface_twice lo lo lo
expect_bad_input xdp_router_ipv4 not_ethernet lo lo -d 1
expect_bad_input xdp_router_ipv4 duration_zero 0 -d 0
expect_bad_input xdp_router_ipv4 duration_not_a_number abc -d abc
expect_bad_input xdp_router_ipv4 interval_garbage 1x -I 1x
expect_bad_input xdp_router_ipv4 unknown_option -x -x
expect_bad_input xdp_router_ipv4 missing_value -d -d
expect_no_privileges xdp_router_ipv4 -d 1
expect_sigkill_clean xdp_router_ipv4 '^ +time' -d 20
expect_signal_clean xdp_router_ipv4 INT '^ +time' -d 20
expect_signal_clean xdp_router_ipv4 TERM '^ +time' -d 20
