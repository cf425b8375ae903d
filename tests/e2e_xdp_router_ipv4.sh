# xdp_router_ipv4 end to end (sourced by tests/e2e.sh).

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
left=$(leftovers)
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

t=e2e/xdp_router_ipv4/interface_already_has_xdp
run busy 20 unshare -n sh -c "ip link add xa type veth peer name xb && ip link set xa up && \
	ip link set xb up && { $BIN/xdp_router_ipv4/xdp_router_ipv4 -d 3 xa >/dev/null & p=\$!; sleep 1; \
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

expect_bad_input xdp_router_ipv4 unknown_interface nosuch0 -d 1
expect_bad_input xdp_router_ipv4 same_interface_twice lo lo
expect_bad_input xdp_router_ipv4 not_ethernet lo -d 1
expect_bad_input xdp_router_ipv4 duration_zero -d 0
expect_bad_input xdp_router_ipv4 duration_not_a_number -d abc
expect_bad_input xdp_router_ipv4 interval_garbage -I 1x
expect_bad_input xdp_router_ipv4 unknown_option -x
expect_bad_input xdp_router_ipv4 missing_value -d
expect_no_privileges xdp_router_ipv4 -d 1
expect_sigkill_clean xdp_router_ipv4 '^ +time' -d 20
expect_signal_clean xdp_router_ipv4 INT '^ +time' -d 20
expect_signal_clean xdp_router_ipv4 TERM '^ +time' -d 20
