# SPDX-License-Identifier: GPL-2.0
# sockex3 end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/sockex3 unshare || return

# The rows after "final:" (up to "stages ran:"), as "proto source destination
# packets bytes", without thousands separators.
sockex3_final_rows() {
	out "$1" | sed -n '/^final:/,/^stages ran:/p' | grep -E '^ +[0-9]+\.[0-9] ' |
		awk '{ gsub(",", "", $5); gsub(",", "", $6); print $2, $3, $4, $5, $6 }'
}
# sockex3_sum RUN PROTO SRC_RE DST_RE: "packets bytes" summed over the final
# rows whose proto is PROTO and whose endpoints match the regexes.
sockex3_sum() {
	sockex3_final_rows "$1" | awk -v p="$2" -v s="$3" -v d="$4" \
		'$1 == p && $2 ~ s && $3 ~ d { n++; pk += $4; b += $5 } END { print pk + 0, b + 0, n + 0 }'
}
# sockex3_stage RUN NAME: the runs of stage NAME on the "stages ran:" line.
sockex3_stage() { out "$1" | sed -n "s/^stages ran:.* $2 \([0-9]*\)[,;].*/\1/p"; }
# sockex3_sent RUN FIELD-REGEX: the number in front of FIELD-REGEX on "demo sent:".
sockex3_sent() { out "$1" | grep '^demo sent:' | sed -nE "s|.*[ (]([0-9,]+) $2.*|\\1|p" | tr -d ,; }

# The no-argument demo: exit 0, every flow it made exactly (TCP at least its
# payload), every stage exactly as often as the frames that need it, the hot
# swap adding up, and the PROG_ARRAY facts with the kernel's answers.
t=e2e/sockex3/demo_counts_match_traffic
snapshot
run demo 25 "$BIN/sockex3/sockex3" -d 3
u4=$(sockex3_sent demo 'UDP/IPv4 and')
u6=$(sockex3_sent demo 'UDP/IPv6 datagrams')
t4=$(sockex3_sent demo 'TCP/IPv4 and')
t6=$(sockex3_sent demo 'TCP/IPv6 payload')
q1=$(sockex3_sent demo '802.1Q frames')
q2=$(sockex3_sent demo 'QinQ frames')
diffs=""
check_sum() {	# WHAT PROTO SRC_RE DST_RE PACKETS BYTES
	local got
	got=$(sockex3_sum demo "$2" "$3" "$4" | cut -d' ' -f1,2)
	[ "$got" = "$5 $6" ] || diffs="$diffs [$1: got '$got', want '$5 $6']"
}
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err demo | head -3 | tr '\n' '|')"
elif [ -z "$u4" ] || [ -z "$q2" ]; then fail $t "no demo summary: $(tails demo)"
elif [ "$u4" -lt 10 ] || [ "$q1" -lt 6 ]; then fail $t "too little traffic: udp4 $u4, 802.1Q $q1"
else
	check_sum udp4 udp '^10\.11\.1\.2:' '^10\.11\.1\.1:7000$' "$u4" $((u4 * 128))
	check_sum udp6 udp '^\[fd11::2\]:' '^\[fd11::1\]:7000$' "$u6" $((u6 * 148))
	check_sum dot1q udp '^10\.11\.100\.2:7100$' '^10\.11\.100\.1:7100$' "$q1" $((q1 * 92))
	check_sum qinq tcp '^\[fd11:100::2\]:7101$' '^\[fd11:100::1\]:7101$' "$q2" $((q2 * 124))
	read -r _ b4 n4 <<< "$(sockex3_sum demo tcp '^10\.11\.1\.2:' '^10\.11\.1\.1:7001$')"
	read -r _ b6 n6 <<< "$(sockex3_sum demo tcp '^\[fd11::2\]:' '^\[fd11::1\]:7002$')"
	[ "$n4" = 1 ] && [ "$b4" -ge "$t4" ] || diffs="$diffs [tcp4: $n4 flows, $b4 IP bytes < $t4 sent]"
	[ "$n6" = 1 ] && [ "$b6" -ge "$t6" ] || diffs="$diffs [tcp6: $n6 flows, $b6 IP bytes < $t6 sent]"
	vlan=$(sockex3_stage demo vlan)
	udp=$(( $(sockex3_stage demo udp) + $(sockex3_stage demo udp_b) ))
	[ "$vlan" = $((q1 + q2)) ] || diffs="$diffs [vlan stage ran $vlan, want $((q1 + q2))]"
	[ "$udp" = $((u4 + u6 + q1)) ] || diffs="$diffs [udp stages ran $udp, want $((u4 + u6 + q1))]"
	out demo | grep -qE '^hot swap: slot 5 swapped [1-9][0-9]* times; .*\(none lost, none twice\)$' ||
		diffs="$diffs [hot swap line: $(out demo | grep '^hot swap')]"
	# Any other flow can only be the kernel's MLDv2 reports (ICMPv6 behind a
	# hop-by-hop header: ip/0) from :: or fd11:: to ff02::16.
	other=$(sockex3_final_rows demo | awk '$1 != "all" && !($3 ~ /:(7000|7001|7002|7100|7101)$/ ||
		$2 ~ /:(7001|7002)$/ || ($1 == "ip/0" && $3 == "[ff02::16]:0"))')
	[ -n "$other" ] && diffs="$diffs [unexpected flows: $(tr '\n' '|' <<< "$other")]"
	left=$(leftovers sockex3)
	if [ -n "$diffs" ]; then fail $t "$diffs"
	elif [ -n "$left" ]; then fail $t "left behind:$left"
	else pass $t; fi
fi

# The PROG_ARRAY's semantics, shown with the kernel's answers.
t=e2e/sockex3/prog_array_facts_shown
missing=""
for re in '^  lookup slot 3 +-> ([0-9]+): the id of parse_ipv6 \(id \1\), not an fd$' \
	  'slot 3 emptied, 1 IPv6 frame +-> parse_eth ran 1, parse_ipv6 0, fell through into slot 3: 1 ' \
	  'tail_loop jumps to itself +-> 33 tail calls, then bpf_tail_call\(\) returned \(fell through 1\)' \
	  '^  slots filled: 0 of 6; one IPv4 frame through parse_eth -> parse_eth ran 1, parse_ipv4 0, fell through into slot 2: 1$'; do
	out demo | grep -qE "$re" || missing="$missing [$re]"
done
if [ -z "$missing" ]; then pass $t; else fail $t "missing:$missing"; fi

# -i IFACE counts a given interface and generates nothing: lo in a private
# netns (unshare -n) while bash sends 4 UDP datagrams of 10 bytes to port 7000,
# each from a new socket (a new source port). Nothing listens, so each gets an
# ICMP port unreachable (20 + 8 + the 38 bytes it quotes = 66 IP bytes). On lo
# a packet socket sees each packet twice, sent and received.
t=e2e/sockex3/interface_mode_on_lo
run lo 20 unshare -n bash -c "ip link set lo up && { $BIN/sockex3/sockex3 -i lo -d 2 -I 0.5 & p=\$!; \
	wait_for $E2E_TMP/lo.out '^ +time' 100 \$p && bash -c 'for i in 1 2 3 4; do printf 0123456789 > /dev/udp/127.0.0.1/7000; done'; \
	wait \$p; }"
read -r up ub un <<< "$(sockex3_sum lo udp '^127\.0\.0\.1:' '^127\.0\.0\.1:7000$')"
read -r ip ib _ <<< "$(sockex3_sum lo ip/1 '^127\.0\.0\.1:0$' '^127\.0\.0\.1:0$')"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err lo | head -3 | tr '\n' '|')"
elif [ "$up $ub $un" != "8 304 4" ]; then fail $t "UDP: $up packets $ub bytes in $un flows, want 8 304 4"
elif [ "$ip $ib" != "8 528" ]; then fail $t "ICMP: $ip packets $ib bytes, want 8 528"
elif ! out lo | grep -qE '^hot swap: .*= 8, .*: 8 \(none lost, none twice\)$'; then
	fail $t "hot swap: $(out lo | grep '^hot swap')"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

expect_bad_input sockex3 unknown_interface nosuch0 -i nosuch0 -d 1
expect_bad_input sockex3 interface_name_too_long abcdefghijklmnopqrstuvwxyz -i abcdefghijklmnopqrstuvwxyz
expect_bad_input sockex3 duration_not_a_number abc -d abc
expect_bad_input sockex3 duration_zero 0 -d 0
expect_bad_input sockex3 interval_zero 0 -I 0
expect_bad_input sockex3 interval_garbage 1x -I 1x
expect_bad_input sockex3 unknown_option -x -x
expect_bad_input sockex3 missing_value -d -d
expect_bad_input sockex3 stray_argument eth0 eth0
expect_no_privileges sockex3 -d 1
expect_sigkill_clean sockex3 '^ +time' -d 20
expect_signal_clean sockex3 INT '^ +time' -d 20
expect_signal_clean sockex3 TERM '^ +time' -d 20
