# SPDX-License-Identifier: GPL-2.0
# sockex1 end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/sockex1 ping unshare || return

# The no-argument demo: exit 0, and the counts are exactly the traffic it made.
# Each echo request and its reply cross demo0 (2 ICMP packets of 84 IP bytes);
# each UDP datagram crosses once (128 IP bytes); TCP carries at least its payload.
t=e2e/sockex1/demo_counts_match_traffic
snapshot
run demo 20 "$BIN/sockex1/sockex1" -d 3
final=$(out demo | grep -A1 '^final:' | tail -1)
sent=$(out demo | grep '^demo sent:')
read -r _ icmp_p icmp_b tcp_p tcp_b udp_p udp_b <<< "$(num "$final")"
echo_sent=$(sed -n 's/^demo sent: \([0-9]*\) echo requests.*/\1/p' <<< "$sent")
replies=$(sed -n 's/.*(\([0-9]*\) replies).*/\1/p' <<< "$sent")
udp_sent=$(sed -n 's/.*replies), \([0-9]*\) UDP.*/\1/p' <<< "$sent")
tcp_sent=$(num "$(sed -n 's/.*bytes, \([0-9,]*\) TCP payload.*/\1/p' <<< "$sent")")
left=$(leftovers sockex1)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err demo | head -3 | tr '\n' '|')"
elif [ -z "$final" ] || [ -z "$echo_sent" ]; then fail $t "no final line or summary in output"
elif [ "$echo_sent" -lt 10 ] || [ "$replies" != "$echo_sent" ]; then fail $t "echo $echo_sent, replies $replies"
elif [ "$icmp_p" != $((2 * echo_sent)) ] || [ "$icmp_b" != $((2 * echo_sent * 84)) ]; then
	fail $t "ICMP $icmp_p pkts $icmp_b bytes, want $((2 * echo_sent)) and $((2 * echo_sent * 84))"
elif [ "$udp_p" != "$udp_sent" ] || [ "$udp_b" != $((udp_sent * 128)) ]; then
	fail $t "UDP $udp_p pkts $udp_b bytes, want $udp_sent and $((udp_sent * 128))"
elif [ "$tcp_b" -lt "$tcp_sent" ] || [ "$tcp_p" -lt 1 ]; then
	fail $t "TCP $tcp_b IP bytes < $tcp_sent payload bytes sent"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# The ARRAY traps are shown with the kernel's real answers.
t=e2e/sockex1/array_traps_shown
if out demo | grep -q 'lookup key 200 (never written)  -> found, packets=0 bytes=0' &&
   out demo | grep -q 'lookup key 256 .*-> ENOENT (No such file or directory)' &&
   out demo | grep -q 'delete key 6 .*-> EINVAL (Invalid argument)' &&
   out demo | grep -q 'update key 6 with zeros .*-> ok'; then pass $t
else fail $t "traps section missing or wrong: $(out demo | head -5 | tr '\n' '|')"; fi

# -i IFACE counts a given interface and generates nothing: run it on lo in a
# private netns (unshare -n) while ping sends 4 echo requests there. On lo a
# packet socket sees each packet twice (sent and received): 16 ICMP packets.
t=e2e/sockex1/interface_mode_on_lo
run lo 20 unshare -n bash -c "ip link set lo up && { $BIN/sockex1/sockex1 -i lo -d 2 -I 0.5 & p=\$!; \
	wait_for $E2E_TMP/lo.out '^ +time' 100 \$p && ping -q -c 4 -i 0.2 -s 56 127.0.0.1 >/dev/null; wait \$p; }"
final=$(out lo | grep -A1 '^final:' | tail -1)
read -r _ icmp_p icmp_b tcp_p _ udp_p _ <<< "$(num "$final")"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err lo | head -3 | tr '\n' '|')"
elif [ "$icmp_p" != 16 ] || [ "$icmp_b" != $((16 * 84)) ]; then fail $t "ICMP $icmp_p pkts $icmp_b bytes, want 16 and 1344"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

expect_bad_input sockex1 unknown_interface nosuch0 -i nosuch0 -d 1
expect_bad_input sockex1 interface_name_too_long abcdefghijklmnopqrstuvwxyz -i abcdefghijklmnopqrstuvwxyz
expect_bad_input sockex1 duration_not_a_number abc -d abc
expect_bad_input sockex1 duration_zero 0 -d 0
expect_bad_input sockex1 duration_negative -5 -d -5
expect_bad_input sockex1 interval_zero 0 -I 0
expect_bad_input sockex1 interval_garbage 1x -I 1x
expect_bad_input sockex1 unknown_option -x -x
expect_bad_input sockex1 missing_value -d -d
expect_bad_input sockex1 stray_argument eth0 eth0
expect_no_privileges sockex1 -d 1
expect_sigkill_clean sockex1 '^ +time' -d 20
expect_signal_clean sockex1 INT '^ +time' -d 20
expect_signal_clean sockex1 TERM '^ +time' -d 20
