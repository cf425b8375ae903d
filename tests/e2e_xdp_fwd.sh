# xdp_fwd end to end (sourced by tests/e2e.sh).

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
run busy 20 unshare -n sh -c "ip link add xa type veth peer name xb && ip link set xa up && \
	ip link set xb up && { $BIN/xdp_fwd/xdp_fwd -d 3 xa >/dev/null 2>$E2E_TMP/busy1.err & p=\$!; sleep 1; \
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

expect_bad_input xdp_fwd unknown_interface nosuch0 -d 1
expect_bad_input xdp_fwd same_interface_twice lo lo
expect_bad_input xdp_fwd interface_name_too_long abcdefghijklmnopqrstuvwxyz
expect_bad_input xdp_fwd duration_zero -d 0
expect_bad_input xdp_fwd duration_not_a_number -d abc
expect_bad_input xdp_fwd interval_zero -I 0
expect_bad_input xdp_fwd unknown_option -x
expect_bad_input xdp_fwd missing_value -I
expect_no_privileges xdp_fwd -d 1
expect_sigkill_clean xdp_fwd '^ +time' -d 20
expect_signal_clean xdp_fwd INT '^ +time' -d 20
expect_signal_clean xdp_fwd TERM '^ +time' -d 20
