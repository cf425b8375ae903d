# SPDX-License-Identifier: GPL-2.0
# xdp_stats end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/xdp_stats ping sysctl nsenter unshare || return

# final_row RUN ACTION: "array_pkts array_bytes percpu_pkts percpu_bytes" from
# the rows after 'final:' (no thousands separators; "-" for a map not updated).
final_row() {
	out "$1" | sed -n '/^final:/,$p' | awk -v a="$2" '$2 == a { print $3, $5, $7, $9 }' | tr -d ,
}

# every row after 'final:' except ACTION has zero packets in both maps
others_zero() {
	local bad
	bad=$(out "$1" | sed -n '/^final:/,/^per-CPU/p' |
		awk -v a="$2" '$1 ~ /^[0-9]+\.[0-9]$/ && $2 != a && (($3 != "0" && $3 != "-") || ($7 != "0" && $7 != "-"))')
	[ -z "$bad" ]
}

# xdp_stats_demo NAME ACTION_ROW ARGS...: run the demo, check that the row of
# ACTION_ROW in both maps is exactly what it sent (142-byte frames), every other
# row is zero, and nothing is left. Sets SENT and RECEIVED.
xdp_stats_demo() {
	local t=$1 row=$2 sent ap ab pp pb left
	shift 2
	snapshot
	run "$t" 20 "$BIN/xdp_stats/xdp_stats" "$@"
	sent=$(out "$t" | grep '^demo sent:')
	SENT=$(sed -n 's/^demo sent: \([0-9]*\) UDP datagrams of 100 bytes (142-byte frames).*/\1/p' <<< "$sent")
	RECEIVED=$(sed -n 's/.*the sink received \([0-9]*\)$/\1/p' <<< "$sent")
	read -r ap ab pp pb <<< "$(final_row "$t" "$row")"
	left=$(leftovers xdp_stats)
	if [ "$RC" -ne 0 ]; then fail "e2e/xdp_stats/$t" "exit $RC: $(tails "$t")"; return 1
	elif [ -z "$SENT" ] || [ -z "$ap" ]; then fail "e2e/xdp_stats/$t" "no final rows or summary: $(tails "$t")"; return 1
	elif [ "$SENT" -lt 10 ]; then fail "e2e/xdp_stats/$t" "only $SENT datagrams sent"; return 1
	elif [ "$ap" != "$SENT" ] || [ "$ab" != $((SENT * 142)) ]; then
		fail "e2e/xdp_stats/$t" "ARRAY $row: $ap pkts $ab bytes, want $SENT and $((SENT * 142))"; return 1
	elif [ "$pp" != "$SENT" ] || [ "$pb" != $((SENT * 142)) ]; then
		fail "e2e/xdp_stats/$t" "PERCPU_ARRAY $row: $pp pkts $pb bytes, want $SENT and $((SENT * 142))"; return 1
	elif ! others_zero "$t" "$row"; then fail "e2e/xdp_stats/$t" "other actions counted frames"; return 1
	elif ! out "$t" | grep -q 'ARRAY == PERCPU_ARRAY sum'; then fail "e2e/xdp_stats/$t" "ARRAY and PERCPU_ARRAY sums differ"; return 1
	elif [ -n "$left" ]; then fail "e2e/xdp_stats/$t" "left behind:$left"; return 1
	fi
	return 0
}

# The no-argument demo: XDP_PASS in native mode on demo0, every datagram the
# peer sent counted once in both maps and delivered to the sink.
t=demo_counts_match_traffic
if xdp_stats_demo $t PASS -d 3; then
	if [ "$RECEIVED" != "$SENT" ]; then fail e2e/xdp_stats/$t "sink received $RECEIVED of $SENT"
	elif ! out $t | grep -q '^XDP on demo0 (ifindex [0-9]*) in native mode returns XDP_PASS'; then
		fail e2e/xdp_stats/$t "no 'native mode ... XDP_PASS' line: $(out $t | head -1)"
	else pass e2e/xdp_stats/$t; fi
fi

# -a drop: the DROP row counts everything and nothing reaches the sink.
t=demo_drop
if xdp_stats_demo $t DROP -a drop -d 2 -I 0.5; then
	if [ "$RECEIVED" != 0 ]; then fail e2e/xdp_stats/$t "sink received $RECEIVED, want 0"
	else pass e2e/xdp_stats/$t; fi
fi

# -a tx -S: generic mode, reported as such; the TX row counts everything.
t=demo_tx_generic
if xdp_stats_demo $t TX -a tx -S -d 2 -I 0.5; then
	if [ "$RECEIVED" != 0 ]; then fail e2e/xdp_stats/$t "sink received $RECEIVED, want 0"
	elif ! out $t | grep -q 'in generic mode returns XDP_TX'; then fail e2e/xdp_stats/$t "mode not reported as generic"
	elif ! out $t | grep -q '^note: XDP_TX sends each frame back to demo1'; then fail e2e/xdp_stats/$t "no XDP_TX note"
	else pass e2e/xdp_stats/$t; fi
fi

# -a redirect -N: back out of demo0, counted in the REDIRECT row.
t=demo_redirect_native
if xdp_stats_demo $t REDIRECT -a redirect -N -d 2 -I 0.5; then
	if [ "$RECEIVED" != 0 ]; then fail e2e/xdp_stats/$t "sink received $RECEIVED, want 0"
	else pass e2e/xdp_stats/$t; fi
fi

# -m percpu: only the PERCPU_ARRAY is updated; the ARRAY columns show dashes.
t=e2e/xdp_stats/maps_percpu_only
run percpu 20 "$BIN/xdp_stats/xdp_stats" -m percpu -d 2 -I 0.5
read -r ap ab pp pb <<< "$(final_row percpu PASS)"
sent=$(out percpu | sed -n 's/^demo sent: \([0-9]*\) UDP.*/\1/p')
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails percpu)"
elif [ "$ap" != "-" ] || [ -z "$sent" ] || [ "$pp" != "$sent" ] || [ "$pb" != $((sent * 142)) ]; then
	fail $t "PASS row: array '$ap' percpu $pp pkts $pb bytes, sent $sent"
else pass $t; fi

# -i IFACE counts a given interface and generates nothing: lo in a private
# netns, generic mode, 4 pings: 8 frames (4 requests + 4 replies) of
# 14 + 20 + 8 + 56 = 98 bytes each pass through lo's receive path.
t=e2e/xdp_stats/interface_mode_on_lo
# The pings start once the header is out (the program is attached by then).
run lo_sh 20 unshare -n bash -c "ip link set lo up && { $BIN/xdp_stats/xdp_stats -i lo -S -d 2 -I 0.5 \
	> $E2E_TMP/lo.out 2> $E2E_TMP/lo.err & p=\$!; \
	for i in \$(seq 50); do grep -q '^ *time' $E2E_TMP/lo.out && break; sleep 0.1; done; \
	ping -q -c 4 -i 0.2 -s 56 127.0.0.1 >/dev/null; wait \$p; }"
read -r ap ab pp pb <<< "$(final_row lo PASS)"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails lo) $(tails lo_sh)"
elif [ "$ap" != 8 ] || [ "$ab" != 784 ] || [ "$pp" != 8 ] || [ "$pb" != 784 ]; then
	fail $t "PASS row $ap/$ab (ARRAY) $pp/$pb (PERCPU), want 8 frames of 98 bytes"
elif ! out lo | grep -q '^summary: 8 frames, 784 bytes on lo in generic mode'; then fail $t "no summary line"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

# -N on an interface without native XDP (lo): one line that says to use -S.
t=e2e/xdp_stats/bad_input/native_not_supported
snapshot
run nonative 10 unshare -n "$BIN/xdp_stats/xdp_stats" -i lo -N -d 1
left=$(leftovers xdp_stats)
if [ "$RC" -ne 1 ]; then fail $t "exit $RC, want 1"
elif [ "$(wc -l < "$E2E_TMP/nonative.err")" -ne 1 ] || ! grep -q 'native.*use -S' "$E2E_TMP/nonative.err"; then
	fail $t "want one line naming -S: $(tr '\n' '|' < "$E2E_TMP/nonative.err")"
elif [ -n "$(out nonative)" ]; then fail $t "printed data: $(out nonative | head -2)"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# Already attached: in a private netns, a first xdp_stats holds xs0; a second
# one on xs0 must refuse with one line and exit 1, and the first keeps
# counting: 3 pings from the peer side (its own netns, static neighbours, IPv6
# off) are 3 frames of 98 bytes, answered because the first still passes them.
t=e2e/xdp_stats/bad_input/already_attached
snapshot
cat > "$E2E_TMP/busy.sh" <<EOF
set -u
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
unshare -n sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; exec sleep 30' &
peer=\$!
wait_for /proc/\$peer/comm '^sleep\$' 50	# its netns made, IPv6 off in it
ip link add xs0 address 02:00:00:11:0a:01 type veth peer name xs1 address 02:00:00:11:0a:02
ip link set xs1 netns \$peer
ip addr add 10.11.10.1/24 dev xs0
ip link set xs0 up
ip neigh add 10.11.10.2 lladdr 02:00:00:11:0a:02 dev xs0 nud permanent
nsenter -t \$peer -n sh -c 'ip addr add 10.11.10.2/24 dev xs1 && ip link set xs1 up &&
	ip neigh add 10.11.10.1 lladdr 02:00:00:11:0a:01 dev xs1 nud permanent'
$BIN/xdp_stats/xdp_stats -i xs0 -d 3 -I 0.5 > $E2E_TMP/busy1.out 2> $E2E_TMP/busy1.err &
first=\$!
for i in \$(seq 50); do grep -q '^ *time' $E2E_TMP/busy1.out && break; sleep 0.1; done
$BIN/xdp_stats/xdp_stats -i xs0 -d 1 > $E2E_TMP/busy2.out 2> $E2E_TMP/busy2.err
echo "second=\$?"
kill -0 \$first && echo "first alive"
ip link show xs0 | grep -q 'prog/xdp id' && echo "still attached"
nsenter -t \$peer -n ping -q -c 3 -i 0.2 -W 1 10.11.10.1 > /dev/null && echo "ping ok"
wait \$first
echo "first=\$?"
kill \$peer
wait \$peer 2>/dev/null
EOF
run busy 20 unshare -n bash "$E2E_TMP/busy.sh"
read -r ap ab pp pb < <(out busy1 | sed -n '/^final:/,$p' | awk '$2 == "PASS" { print $3, $5, $7, $9 }' | tr -d ,)
left=$(leftovers xdp_stats)
if ! out busy | grep -q '^second=1$'; then fail $t "second attach: $(out busy | tr '\n' '|') $(tr '\n' '|' < "$E2E_TMP/busy2.err")"
elif [ "$(wc -l < "$E2E_TMP/busy2.err")" -ne 1 ] || ! grep -q 'xs0 already has an XDP program attached' "$E2E_TMP/busy2.err"; then
	fail $t "want one line naming the busy interface: $(tr '\n' '|' < "$E2E_TMP/busy2.err")"
elif [ -s "$E2E_TMP/busy2.out" ]; then fail $t "second run printed data: $(head -c 200 "$E2E_TMP/busy2.out")"
elif ! out busy | grep -q '^first alive$' || ! out busy | grep -q '^still attached$'; then
	fail $t "first run or its program gone: $(out busy | tr '\n' '|')"
elif ! out busy | grep -q '^ping ok$' || ! out busy | grep -q '^first=0$'; then
	fail $t "first run stopped working: $(out busy | tr '\n' '|') $(tr '\n' '|' < "$E2E_TMP/busy1.err")"
elif [ "$ap" != 3 ] || [ "$ab" != 294 ] || [ "$pp" != 3 ] || [ "$pb" != 294 ]; then
	fail $t "first run counted $ap/$ab (ARRAY) $pp/$pb (PERCPU), want 3 frames of 98 bytes"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# -h: usage with an example on stdout, exit 0, nothing on stderr.
t=e2e/xdp_stats/help
run help 10 "$BIN/xdp_stats/xdp_stats" -h
if [ "$RC" -ne 0 ] || ! out help | grep -q '^Example: sudo xdp_stats' || [ -s "$E2E_TMP/help.err" ]; then
	fail $t "exit $RC: $(tails help)"
else pass $t; fi

# -m array: the ARRAY counts, the PERCPU_ARRAY columns are dashes and no
# per-CPU line is printed.
t=e2e/xdp_stats/maps_array_only
run arr 20 "$BIN/xdp_stats/xdp_stats" -m array -a drop -d 1
read -r ap ab pp pb <<< "$(final_row arr DROP)"
sent=$(out arr | sed -n 's/^demo sent: \([0-9]*\) UDP.*/\1/p')
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails arr)"
elif [ "$pp" != "-" ] || [ -z "$sent" ] || [ "$ap" != "$sent" ] || [ "$ab" != $((sent * 142)) ]; then
	fail $t "DROP row: array $ap pkts $ab bytes, percpu '$pp', sent $sent"
elif out arr | grep -q '^per-CPU'; then fail $t "per-CPU line printed for -m array"
else pass $t; fi

expect_bad_input xdp_stats unknown_interface nosuch0 -i nosuch0 -d 1
expect_bad_input xdp_stats interface_name_too_long abcdefghijklmnopqrstuvwxyz -i abcdefghijklmnopqrstuvwxyz
expect_bad_input xdp_stats action_bogus bogus -a bogus
expect_bad_input xdp_stats action_missing -a -a
expect_bad_input xdp_stats maps_bogus all -m all
expect_bad_input xdp_stats generic_and_native -S -S -N
expect_bad_input xdp_stats duration_not_a_number abc -d abc
expect_bad_input xdp_stats duration_zero 0 -d 0
expect_bad_input xdp_stats interval_zero 0 -I 0
expect_bad_input xdp_stats interval_garbage 1x -I 1x
expect_bad_input xdp_stats unknown_option -x -x
expect_bad_input xdp_stats unknown_long_option --bogus --bogus
expect_bad_input xdp_stats stray_argument eth0 eth0
expect_no_privileges xdp_stats -d 1
expect_sigkill_clean xdp_stats '^ +time' -d 20
expect_signal_clean xdp_stats INT '^ +time' -d 20
expect_signal_clean xdp_stats TERM '^ +time' -d 20
