# SPDX-License-Identifier: GPL-2.0
# tcp_ca end to end (sourced by tests/e2e.sh).

ca_listed() { tr ' ' '\n' < /proc/sys/net/ipv4/tcp_available_congestion_control | grep -qxF "$1"; }

# struct_ops links (Linux 6.4+), asked of the kernel's BTF. Without them
# (6.1) tcp_ca refuses before it loads anything: one line, exit 3.
ca_links() {
	bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "STRUCT 'bpf_struct_ops_link' "
}

if ! ca_links; then
t=e2e/tcp_ca/refuses_without_struct_ops_link
snapshot
run demo 30 "$BIN/tcp_ca/tcp_ca" -d 3
left=$(leftovers tcp_ca)
if [ "$RC" -ne 3 ]; then fail $t "exit $RC, want 3: $(tails demo)"
elif [ "$(err demo | wc -l)" -ne 1 ] || ! err demo | grep -q 'struct_ops links: Linux >= 6.4'; then
	fail $t "want one line naming the struct_ops link and 6.4: $(err demo | head -3 | tr '\n' '|')"
elif [ -s "$E2E_TMP/demo.out" ]; then fail $t "stdout: $(out demo | head -2 | tr '\n' '|')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi
for t in demo_counts_match_traffic traps_shown same_name_eexist_then_sigkill \
	sigkill_leaves_nothing INT_clean_exit TERM_clean_exit; do
	skip "e2e/tcp_ca/$t" "this kernel has no struct_ops link (struct bpf_struct_ops_link, Linux >= 6.4)"
done
else
# The no-argument demo: exit 0; both flows carried 4 MiB per printed row and
# arrived intact (checksum ok); the algorithm saw exactly one connection
# (init 1); pkts_acked's segments cover at least every full-size segment of
# the bytes sent; the name was listed while registered and is gone after exit.
t=e2e/tcp_ca/demo_counts_match_traffic
snapshot
run demo 30 "$BIN/tcp_ca/tcp_ca" -d 3
final=$(out demo | grep -A1 '^final:' | tail -1)
name=$(out demo | sed -n 's/^Callbacks of \([^ ]*\) .*/\1/p')
sent_fmt=$(out demo | sed -n "s/^demo sent: \([0-9,]*\) bytes with $name, .*/\1/p")
sent=$(num "$sent_fmt")
rows=$(out demo | sed -n '/^ *time/,/^final:/p' | grep -c '^ *[0-9]')
read -r _ init cong in_ack pk_calls segs _ <<< "$(num "$final")"
left=$(leftovers tcp_ca)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(err demo | head -3 | tr '\n' '|')"
elif [ -z "$final" ] || [ -z "$sent" ]; then fail $t "no final row or demo summary: $(tails demo)"
elif [ "$rows" -lt 2 ] || [ "$sent" != $((rows * 4194304)) ] ||
     [ "$(out demo | grep -c "^demo sent: $sent_fmt bytes with .*, $sent_fmt arrived, checksum ok$")" != 2 ]; then
	fail $t "transfers not intact: $(out demo | grep '^demo sent' | tr '\n' '|')"
elif [ "$init" != 1 ]; then fail $t "init $init, want 1 connection"
elif [ "$segs" -lt $((sent / 1448)) ] || [ "$pk_calls" -gt "$in_ack" ] || [ "$cong" -gt "$in_ack" ]; then
	fail $t "segs_acked $segs for $sent bytes, pkts_acked $pk_calls, cong_avoid $cong, in_ack $in_ack"
elif ! out demo | grep -q "^net.ipv4.tcp_available_congestion_control while registered: .*\b$name\b"; then
	fail $t "$name not listed while registered"
elif out demo | grep "after closing the link" | grep -q "\b$name\b" || ca_listed "$name"; then
	fail $t "$name still listed after exit"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

t=e2e/tcp_ca/traps_shown
if out demo | grep -q "delete the map's element .*-> EOPNOTSUPP" &&
   out demo | grep -q 'register ca_no_undo (no .undo_cwnd) *-> EINVAL'; then pass $t
else fail $t "traps section missing or wrong: $(out demo | head -5 | tr '\n' '|')"; fi

# -r -n NAME registers under NAME and makes no traffic; a second instance
# with the same name is refused with EEXIST in one line; SIGKILL of the
# first leaves the name unlisted.
t=e2e/tcp_ca/same_name_eexist_then_sigkill
name=bpf_e2e_$$
name=${name:0:15}
snapshot
"$BIN/tcp_ca/tcp_ca" -r -n "$name" -d 20 > "$E2E_TMP/first.out" 2> "$E2E_TMP/first.err" &
pid=$!
for i in $(seq 100); do grep -q '^ *time' "$E2E_TMP/first.out" && break; sleep 0.1; done
listed=no; ca_listed "$name" && listed=yes
run second 10 "$BIN/tcp_ca/tcp_ca" -r -n "$name" -d 1
kill -9 "$pid" 2>/dev/null
wait_exit "$pid" 50
left=$(leftovers tcp_ca)
if [ "$listed" != yes ]; then fail $t "$name not listed while the first instance ran: $(tails first)"
elif [ "$RC" -eq 0 ] || [ "$(wc -l < "$E2E_TMP/second.err")" -ne 1 ] ||
     ! grep -q 'File exists' "$E2E_TMP/second.err"; then
	fail $t "second instance: exit $RC, $(tr '\n' '|' < "$E2E_TMP/second.err")"
elif ca_listed "$name"; then fail $t "$name still listed after SIGKILL"
elif grep -q '^demo sent' "$E2E_TMP/first.out"; then fail $t "-r made traffic"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

expect_sigkill_clean tcp_ca '^ +time' -d 20
expect_signal_clean tcp_ca INT '^ +time' -d 20
expect_signal_clean tcp_ca TERM '^ +time' -d 20
fi

expect_bad_input tcp_ca name_empty "''" -n ''
expect_bad_input tcp_ca name_too_long abcdefghijklmnop -n abcdefghijklmnop
expect_bad_input tcp_ca name_invalid_chars 'a b' -n 'a b'
expect_bad_input tcp_ca duration_not_a_number abc -d abc
expect_bad_input tcp_ca duration_zero 0 -d 0
expect_bad_input tcp_ca interval_zero 0 -I 0
expect_bad_input tcp_ca unknown_option -x -x
expect_bad_input tcp_ca missing_value -d -d
expect_bad_input tcp_ca stray_argument eth0 eth0
expect_bad_input tcp_ca no_interface_option -i -i lo
expect_no_privileges tcp_ca -d 1

