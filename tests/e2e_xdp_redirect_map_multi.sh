# xdp_redirect_map_multi end to end (sourced by tests/e2e.sh).

# Broadcast demo: each broadcast from h1 leaves by r2 and r3 exactly once,
# never back by r1, and h2 and h3 receive every one.
t=e2e/xdp_redirect_map_multi/broadcast_demo_once_per_port
snapshot
run bc 30 "$BIN/xdp_redirect_map_multi/xdp_redirect_map_multi" -d 5
read -r n h2 h3 forw0 forw1 <<< "$(num "$(out bc | sed -n \
	's/^demo sent: \([0-9]*\) broadcasts from h1; received h2=\([0-9]*\) h3=\([0-9]*\); router ForwDatagrams \([0-9,]*\) -> \([0-9,]*\)$/\1 \2 \3 \4 \5/p')")"
rows=$(out bc | sed -n '/^final:/,$p' | awk '/^r[123] / {gsub(",", ""); printf "%s:%s/%s/%s/%s ", $1, $2, $3, $4, $5}')
left=$(leftovers xdp_redirect_map_multi)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails bc)"
elif [ -z "$n" ] || [ "$n" -lt 4 ]; then fail $t "sent '$n': $(tails bc)"
elif [ "$h2" != "$n" ] || [ "$h3" != "$n" ]; then fail $t "sent $n, h2 got $h2, h3 got $h3"
elif [ "$rows" != "r1:$n/$n/0/0 r2:0/0/0/$n r3:0/0/0/$n " ]; then fail $t "sent $n, rows $rows"
elif [ "$forw0" != "$forw1" ]; then fail $t "router ForwDatagrams grew: $forw0 -> $forw1"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# Real interfaces in a private netns: an interface that already carries XDP
# is refused with one line, and the first instance keeps running.
t=e2e/xdp_redirect_map_multi/interface_already_has_xdp
run busy 20 unshare -n sh -c "ip link add xa type veth peer name xb && ip link set xa up && \
	ip link set xb up && { $BIN/xdp_redirect_map_multi/xdp_redirect_map_multi -d 3 xa xb >/dev/null 2>&1 & p=\$!; sleep 1; \
	$BIN/xdp_redirect_map_multi/xdp_redirect_map_multi -d 1 xb xa; echo rc=\$?; wait \$p; echo first=\$?; }"
if out busy | grep -q '^rc=1$' && out busy | grep -q '^first=0$' &&
   [ "$(grep -c . "$E2E_TMP/busy.err")" = 1 ] && grep -q 'already has an XDP program' "$E2E_TMP/busy.err"
then pass $t; else fail $t "$(tails busy)"; fi

expect_bad_input xdp_redirect_map_multi unknown_interface nosuch0 nosuch1 -d 1
expect_bad_input xdp_redirect_map_multi one_interface lo
expect_bad_input xdp_redirect_map_multi same_interface_twice lo lo
expect_bad_input xdp_redirect_map_multi same_interface_by_name_and_number lo 1
expect_bad_input xdp_redirect_map_multi no_plain_mode -P
expect_bad_input xdp_redirect_map_multi duration_zero -d 0
expect_bad_input xdp_redirect_map_multi unknown_option -x
expect_bad_input xdp_redirect_map_multi missing_value -d
expect_no_privileges xdp_redirect_map_multi -d 1
expect_sigkill_clean xdp_redirect_map_multi '^ +time' -d 20
expect_signal_clean xdp_redirect_map_multi INT '^ +time' -d 20
expect_signal_clean xdp_redirect_map_multi TERM '^ +time' -d 20
