# SPDX-License-Identifier: GPL-2.0
# sockex2 end to end (sourced by tests/e2e.sh).

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/sockex2 ping unshare || return

# The rows printed after "final:" (up to the "dumps:" line), as
# "destination packets bytes" without thousands separators.
sockex2_final_rows() {
	out "$1" | sed -n '/^final:/,/^dumps:/p' | grep -E '^ +[0-9]+\.[0-9] ' |
		awk '{ gsub(",", "", $3); gsub(",", "", $4); print $2, $3, $4 }'
}
# sockex2_row RUN ADDR: "packets bytes" of ADDR in the final rows, or "".
sockex2_row() { sockex2_final_rows "$1" | awk -v a="$2" '$1 == a { print $2, $3 }'; }

# Parse the demo's "demo sent:" line into s_echo s_replies s_u1 s_u3 s_u6 s_u6b.
sockex2_sent() {
	local sent
	sent=$(out "$1" | grep '^demo sent:')
	s_echo=$(sed -n 's/^demo sent: \([0-9]*\) echo requests.*/\1/p' <<< "$sent")
	s_replies=$(sed -n 's/.*(\([0-9]*\) replies.*/\1/p' <<< "$sent")
	s_u1=$(sed -n 's/.* \([0-9]*\) UDP of 100 bytes to 10\.11\.1\.1,.*/\1/p' <<< "$sent")
	s_u3=$(sed -n 's/.* \([0-9]*\) UDP of 200 bytes to 10\.11\.1\.3,.*/\1/p' <<< "$sent")
	s_u6=$(sed -n 's/.* \([0-9]*\) UDP of 100 bytes to fd11::1,.*/\1/p' <<< "$sent")
	s_u6b=$(sed -n 's/.* \([0-9]*\) UDP of 300 bytes to fd11::1:0:0:1$/\1/p' <<< "$sent")
}

# The exact rows the demo's traffic must give (IP bytes: echo 84, UDP to
# 10.11.1.1 128, to 10.11.1.3 228, to fd11::1 148, to fd11::1:0:0:1 348);
# echo replies go to 10.11.1.2. Prints what differs, nothing if all match.
sockex2_check_rows() {
	local run=$1 want got
	for spec in "10.11.1.1 $((s_echo + s_u1)) $((s_echo * 84 + s_u1 * 128))" \
		    "10.11.1.2 $s_replies $((s_replies * 84))" \
		    "10.11.1.3 $s_u3 $((s_u3 * 228))" \
		    "fd11::1 $s_u6 $((s_u6 * 148))" \
		    "fd11::1:0:0:1 $s_u6b $((s_u6b * 348))"; do
		set -- $spec
		want="$2 $3"
		got=$(sockex2_row "$run" "$1")
		[ "$got" = "$want" ] || echo "$1: got '$got', want '$want'"
	done
	# Any other destination can only be ff02::16: the kernel's own MLDv2
	# reports when IPv6 comes up on the veth pair.
	sockex2_final_rows "$run" | awk '$1 !~ /^(10\.11\.1\.[123]|fd11::1|fd11::1:0:0:1|ff02::16)$/ {
		print "unexpected destination " $1 }'
}

# The no-argument demo: exit 0, and per destination exactly the traffic it made.
t=e2e/sockex2/demo_counts_match_traffic
snapshot
run demo 25 "$BIN/sockex2/sockex2" -d 3
sockex2_sent demo
diffs=$(sockex2_check_rows demo)
left=$(leftovers sockex2)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err demo | head -3 | tr '\n' '|')"
elif [ -z "$s_echo" ] || [ -z "$s_u6b" ]; then fail $t "no demo summary: $(tails demo)"
elif [ "$s_echo" -lt 6 ] || [ "$s_replies" != "$s_echo" ] || [ "$s_u1" -lt 10 ]; then
	fail $t "too little traffic: echo $s_echo replies $s_replies udp $s_u1"
elif [ -n "$diffs" ]; then fail $t "$(echo "$diffs" | tr '\n' '|')"
elif ! out demo | grep -qE '^dumps: get_next_key ([0-9]+) entries, lookup_batch \1 entries in [0-9]+ calls?: identical$'; then
	fail $t "dumps line missing or different: $(out demo | grep '^dumps')"
elif ! out demo | grep -q '^inserts that failed in the program (map full): 0$'; then
	fail $t "failed inserts with a big map: $(out demo | grep '^inserts')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# The hash API walk, with the kernel's real answers.
t=e2e/sockex2/hash_api_shown
missing=""
for re in 'lookup 192\.0\.2\.1 \(never inserted\) +-> ENOENT' \
	  'update 192\.0\.2\.1 BPF_EXIST +-> ENOENT' \
	  'update 192\.0\.2\.1 BPF_NOEXIST +-> ok' \
	  'update 192\.0\.2\.1 BPF_NOEXIST again +-> EEXIST' \
	  'update 192\.0\.2\.1 BPF_ANY +-> ok' \
	  'insert 198\.18\.4\.0 BPF_ANY \(entry 1025\) +-> E2BIG' \
	  'update 192\.0\.2\.1 BPF_EXIST while full +-> ok' \
	  'get_next_key walk from NULL +-> 1024 keys' \
	  'lookup_batch, 64 per call +-> 1024 entries in [0-9]+ calls, the last ending ENOENT: identical to the walk' \
	  'walk deleting \(next first, then delete\) +-> 1024 deleted, map empty' \
	  'next first, then delete: 16 visits' \
	  'packets=7 bytes=700 returned' \
	  'get_next_key\(NULL\) +-> ENOENT'; do
	out demo | grep -qE "$re" || missing="$missing [$re]"
done
if [ -z "$missing" ]; then pass $t; else fail $t "missing:$missing"; fi

# -m 2: the API walk hits E2BIG at entry 3, the program's inserts fail once two
# destinations are in, and every IP packet is either counted or a failed insert.
t=e2e/sockex2/small_map_insert_failures
snapshot
run small 25 "$BIN/sockex2/sockex2" -m 2 -d 2
sockex2_sent small
rows=$(sockex2_final_rows small | wc -l)
failed=$(num "$(out small | sed -n 's/^inserts that failed in the program (map full): //p')")
counted=$(sockex2_final_rows small | awk '$1 != "ff02::16" { s += $2 } END { print s + 0 }')
total=$((2 * s_echo + s_u1 + s_u3 + s_u6 + s_u6b))
left=$(leftovers sockex2)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err small | head -3 | tr '\n' '|')"
elif ! out small | grep -qE 'insert 198\.18\.0\.2 BPF_ANY \(entry 3\) +-> E2BIG'; then
	fail $t "no E2BIG at entry 3: $(out small | grep -m1 E2BIG)"
elif [ "$rows" != 2 ]; then fail $t "$rows destinations in a 2-entry map"
elif [ -z "$failed" ] || [ "$failed" -lt $((total - counted)) ]; then
	fail $t "failed inserts '$failed' < $((total - counted)) demo packets not counted"
elif sockex2_final_rows small | grep -q '^ff02::16 ' && [ "$failed" != $((total - counted)) ]; then
	fail $t "failed inserts $failed, want exactly $((total - counted))"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# -r -n: read-and-reset with lookup_and_delete on a BPF_F_NO_PREALLOC map.
# Each interval shows exactly one tick of traffic for 10.11.1.1 (3 echo
# requests + 5 datagrams: 8 packets, 892 bytes); the final totals are exact.
t=e2e/sockex2/reset_mode_interval_and_totals
snapshot
run reset 25 "$BIN/sockex2/sockex2" -r -n -d 3
sockex2_sent reset
diffs=$(sockex2_check_rows reset)
intervals=$(out reset | sed '/^final:/,$d' | awk '$2 == "10.11.1.1" { print $3, $4 }' | sort | uniq -c)
left=$(leftovers sockex2)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err reset | head -3 | tr '\n' '|')"
elif ! out reset | grep -q 'max_entries 1024, BPF_F_NO_PREALLOC'; then fail $t "-n not applied"
elif [ "$(echo "$intervals" | awk '{ print $2, $3 }')" != "8 892" ]; then
	fail $t "interval rows for 10.11.1.1 are not all '8 892': $(echo "$intervals" | tr '\n' '|')"
elif [ -n "$diffs" ]; then fail $t "totals: $(echo "$diffs" | tr '\n' '|')"
elif ! out reset | grep -qE '^dumps: get_next_key ([0-9]+) entries, lookup_batch \1 entries in [0-9]+ calls?: identical$'; then
	fail $t "dumps line: $(out reset | grep '^dumps')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# -i IFACE counts a given interface and generates nothing: on lo in a private
# netns (unshare -n), 4 IPv4 and 2 IPv6 echo requests. On lo a packet socket
# sees each packet twice (sent and received), requests and replies alike.
t=e2e/sockex2/interface_mode_on_lo
run lo 25 unshare -n bash -c "ip link set lo up && { $BIN/sockex2/sockex2 -i lo -d 2 -I 0.5 & p=\$!; \
	wait_for $E2E_TMP/lo.out '^ +time' 100 \$p && ping -q -c 4 -i 0.2 -s 56 127.0.0.1 >/dev/null && \
	ping -6 -q -c 2 -i 0.2 -s 56 ::1 >/dev/null; wait \$p; }"
v4=$(sockex2_row lo 127.0.0.1)
v6=$(sockex2_row lo ::1)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err lo | head -3 | tr '\n' '|')"
elif [ "$v4" != "16 1344" ]; then fail $t "127.0.0.1: '$v4', want '16 1344'"
elif [ "$v6" != "8 832" ]; then fail $t "::1: '$v6', want '8 832'"
elif [ "$(sockex2_final_rows lo | wc -l)" != 2 ]; then fail $t "other destinations: $(sockex2_final_rows lo | tr '\n' '|')"
elif out lo | grep -q '^demo sent'; then fail $t "generated traffic with -i"
else pass $t; fi

expect_bad_input sockex2 unknown_interface nosuch0 -i nosuch0 -d 1
expect_bad_input sockex2 interface_name_too_long abcdefghijklmnopqrstuvwxyz -i abcdefghijklmnopqrstuvwxyz
expect_bad_input sockex2 max_entries_zero 0 -m 0
expect_bad_input sockex2 max_entries_garbage 12x -m 12x
expect_bad_input sockex2 max_entries_too_big 65537 -m 65537
expect_bad_input sockex2 max_entries_negative -1 -m -1
expect_bad_input sockex2 duration_not_a_number abc -d abc
expect_bad_input sockex2 duration_zero 0 -d 0
expect_bad_input sockex2 interval_zero 0 -I 0
expect_bad_input sockex2 unknown_option -x -x
expect_bad_input sockex2 unknown_long_option --bogus --bogus
expect_bad_input sockex2 missing_value -m -m
expect_bad_input sockex2 stray_argument eth0 eth0
expect_no_privileges sockex2 -d 1
expect_sigkill_clean sockex2 '^ +time' -d 20
expect_signal_clean sockex2 INT '^ +time' -d 20
expect_signal_clean sockex2 TERM '^ +time' -d 20
