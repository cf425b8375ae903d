# xdpsock end to end (sourced by tests/e2e.sh).

# The row after "final:": time rx_pps rx_total tx_pps tx_total xdp->socket xdp_pass peer_rx
xsk_final() { out "$1" | grep -A1 '^final:' | tail -1 | tr -d ','; }
xsk_sent() { out "$1" | sed -n 's/^demo sent: \([0-9]*\) UDP frames.*/\1/p'; }

# The no-argument demo (rxdrop) with -d 5: the socket receives exactly what the
# peer sent, nothing is passed to the stack or comes back, nothing is left.
t=e2e/xdpsock/demo_rxdrop_exact
snapshot
run demo 30 "$BIN/xdpsock" -d 5
read -r _ _ rx _ tx xsk pass peer <<< "$(xsk_final demo)"
sent=$(xsk_sent demo)
left=$(leftovers)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$sent" ] || [ "$sent" -lt 400 ]; then fail $t "demo sent '$sent' frames: $(tails demo)"
elif [ "$rx" != "$sent" ] || [ "$xsk" != "$sent" ] || [ "$pass" != 0 ]; then
	fail $t "rx $rx, xdp->socket $xsk, xdp pass $pass; want $sent, $sent, 0"
elif [ "$tx" != 0 ] || [ "$peer" != 0 ]; then fail $t "rxdrop sent something: tx $tx, peer rx $peer"
elif ! out demo | grep -q '^AF_XDP rxdrop on demo0 queue 0: XDP native, copy mode'; then fail $t "header: $(out demo | head -1)"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# rx totals rise from row to row while traffic flows.
t=e2e/xdpsock/demo_rx_rising
rows=$(out demo | awk '/^ +time/ {on=1; next} /^final:/ {on=0} on {gsub(",", ""); print $3}')
if [ "$(echo "$rows" | wc -l)" -ge 3 ] && [ "$(echo "$rows" | sort -n | tr '\n' ' ')" = "$(echo "$rows" | tr '\n' ' ')" ] &&
   [ "$(echo "$rows" | head -1)" -lt "$(echo "$rows" | tail -1)" ]; then pass $t
else fail $t "rx totals per row: $(echo "$rows" | tr '\n' ' ')"; fi

# l2fwd: every frame comes back to the sender with the MACs swapped; the
# peer's packet counter sees exactly the frames the peer sent.
t=e2e/xdpsock/l2fwd_returns_to_sender
run l2 30 "$BIN/xdpsock" -l -c -d 3
read -r _ _ rx _ tx xsk pass peer <<< "$(xsk_final l2)"
sent=$(xsk_sent l2)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails l2)"
elif [ -z "$sent" ] || [ "$sent" -lt 200 ]; then fail $t "demo sent '$sent'"
elif [ "$rx" != "$sent" ] || [ "$tx" != "$sent" ] || [ "$peer" != "$sent" ]; then
	fail $t "sent $sent, rx $rx, tx $tx, peer received $peer"
else pass $t; fi

# txonly -C 1000: exactly 1000 frames leave and the peer counts 1000.
t=e2e/xdpsock/txonly_counted_at_peer
run tx 30 "$BIN/xdpsock" -t -C 1000 -s 100 -d 2
read -r _ _ rx _ tx xsk pass peer <<< "$(xsk_final tx)"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails tx)"
elif [ "$tx" != 1000 ] || [ "$peer" != 1000 ] || [ "$rx" != 0 ]; then fail $t "tx $tx, peer received $peer, rx $rx; want 1000, 1000, 0"
else pass $t; fi

# Generic XDP (-S), small batches and 2 KiB frames still receive everything.
t=e2e/xdpsock/generic_mode_small_batch
run skb 30 "$BIN/xdpsock" -S -b 1 -f 2048 -d 2 -I 0.5
read -r _ _ rx _ tx xsk pass peer <<< "$(xsk_final skb)"
sent=$(xsk_sent skb)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails skb)"
elif ! out skb | grep -q 'XDP generic, copy mode, batch 1, frame size 2048'; then fail $t "header: $(out skb | head -1)"
elif [ -z "$sent" ] || [ "$rx" != "$sent" ]; then fail $t "sent $sent, rx $rx"
else pass $t; fi

# Zero-copy on veth: one clear line that suggests -c.
t=e2e/xdpsock/zero_copy_on_veth_message
snapshot
run zc 10 "$BIN/xdpsock" -z -d 1
left=$(leftovers)
if [ "$RC" != 1 ] || [ "$(err zc | wc -l)" != 1 ] ||
   ! err zc | grep -q 'demo0 has no zero-copy AF_XDP support (EOPNOTSUPP); use -c for copy mode'; then
	fail $t "exit $RC: $(err zc | tr '\n' '|')"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

expect_bad_input xdpsock zero_copy_on_veth -z -d 1
expect_bad_input xdpsock queue_not_on_device -q 3 -d 1
expect_bad_input xdpsock queue_beyond_xskmap -q 64
expect_bad_input xdpsock frame_size_not_power_of_2 -f 3000
expect_bad_input xdpsock batch_zero -b 0
expect_bad_input xdpsock tx_size_too_big -s 2000
expect_bad_input xdpsock tx_count_zero -C 0
expect_bad_input xdpsock unknown_interface -i nosuch0 -d 1
expect_bad_input xdpsock duration_zero -d 0
expect_bad_input xdpsock interval_garbage -I 1x
expect_bad_input xdpsock unknown_option -x
expect_bad_input xdpsock missing_value -q
expect_bad_input xdpsock stray_argument eth0
expect_no_privileges xdpsock -d 1
expect_sigkill_clean xdpsock '^ +time' -d 20
expect_signal_clean xdpsock INT '^ +time' -d 20
expect_signal_clean xdpsock TERM '^ +time' -d 20
