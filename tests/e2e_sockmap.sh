# SPDX-License-Identifier: GPL-2.0
# sockmap end to end (sourced by tests/e2e.sh).
#
# lib.sh's leftovers() does not look at cgroups: smap_new_cgroups lists the
# demo cgroups (sockmap.<pid>) that appeared since smap_snapshot.

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/sockmap unshare || return

SMAP_ROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
smap_cgroups() { ls "$SMAP_ROOT" 2>/dev/null | grep -E '^sockmap\.[0-9]+$' | sort; }
smap_new_cgroups() { smap_cgroups | comm -13 "$E2E_TMP/smap.before" -; }
smap_snapshot() { snapshot; smap_cgroups > "$E2E_TMP/smap.before"; }

# smap_demo NAME ARGS...: run the demo; sets conns, the final row's fields
# (entries added verdicts redirected msg_bytes lo_bytes echo_bytes) and left.
smap_demo() {
	local name=$1
	shift
	smap_snapshot
	run "$name" 30 "$BIN/sockmap/sockmap" "$@"
	read -r _ entries added verdicts redirected msg_bytes lo_bytes echo_bytes <<< \
		"$(num "$(out "$name" | grep -A1 '^final:' | tail -1)")"
	conns=$(out "$name" | sed -n 's/^demo sent: \([0-9]*\) connections\{0,1\}, .*checksums equal on \([0-9]*\) of \1;.*/\1/p')
	left="$(leftovers sockmap)$(smap_new_cgroups)"
}

# Each tick one connection carries 100 messages of 1,000 bytes: every one is
# a verdict and a redirect, none of the payload crosses lo, and the map holds
# the connection's 2 sockets while it is open and none after.
t=e2e/sockmap/demo_redirect_skips_lo
smap_demo demo -d 3
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$conns" ] || [ "$conns" -lt 2 ]; then fail $t "no or too few intact connections: $(tails demo)"
elif [ "$added" != $((2 * conns)) ] || [ "$entries" != 0 ]; then fail $t "added $added (want $((2 * conns))), $entries entries at the end"
elif [ "$verdicts" != $((100 * conns)) ] || [ "$redirected" != "$verdicts" ]; then fail $t "$verdicts verdicts, $redirected redirected, want $((100 * conns)) each"
elif [ "$msg_bytes" != $((100000 * conns)) ] || [ "$lo_bytes" != 0 ]; then fail $t "msg bytes $msg_bytes, lo bytes $lo_bytes; want $((100000 * conns)) and 0"
elif ! out demo | grep -q "entries 2 while a connection was open, 0 after close; $verdicts of $verdicts verdicts redirected"; then fail $t "summary: $(tails demo)"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

t=e2e/sockmap/traps_shown
if out demo | grep -q 'update(fd of an unconnected TCP socket)  -> EOPNOTSUPP' &&
   out demo | grep -q 'update(fd of a listening socket)         -> ok' &&
   out demo | grep -qE 'lookup from user space +-> ok, value ([0-9]+) = SO_COOKIE \1:' &&
   out demo | grep -q 'the same on a map with 4-byte values     -> ENOSPC' &&
   out demo | grep -q 'lookup after close(listening socket)     -> ENOENT' &&
   out demo | grep -q 'attach sk_msg to the cgroup, not the map -> EINVAL'; then pass $t
else fail $t "traps missing or wrong: $(out demo | sed -n '4,10p' | tr '\n' '|')"; fi

# -n: the same verdicts, no redirect, and lo carries every byte.
t=e2e/sockmap/no_redirect_crosses_lo
smap_demo nored -n -d 2
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails nored)"
elif [ -z "$conns" ] || [ "$verdicts" != $((100 * conns)) ] || [ "$redirected" != 0 ]; then fail $t "$conns conns, $verdicts verdicts, $redirected redirected"
elif [ "$lo_bytes" != $((100000 * conns)) ]; then fail $t "lo bytes $lo_bytes, want $((100000 * conns))"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# -m sockmap: the same through SOCKMAP slots, plus the echo: the client gets
# its 100,000 bytes back per tick; they cross lo twice (there and back).
t=e2e/sockmap/sockmap_slots_and_echo
smap_demo slots -m sockmap -d 2
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails slots)"
elif [ -z "$conns" ] || [ "$redirected" != $((100 * conns)) ] || [ "$added" != $((2 * conns)) ]; then fail $t "$conns conns, $redirected redirected, $added added"
elif [ "$echo_bytes" != $((100000 * conns)) ] || [ "$lo_bytes" != $((200000 * conns)) ]; then fail $t "echo $echo_bytes, lo $lo_bytes"
elif ! out slots | grep -q "echoed $(out slots | grep -A1 '^final:' | tail -1 | awk '{print $8}') bytes"; then fail $t "demo line: $(tails slots)"
elif ! out slots | grep -q '^BPF_MAP_TYPE_SOCKMAP traps'; then fail $t "no SOCKMAP traps"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

# -c CGROUP: the bypass for a cgroup of the user's. In a private netns, a
# python client/server in a cgroup made here sends 10 messages of 1,000 bytes:
# 10 verdicts, 10 redirects, 10,000 bytes, none on lo; then no demo line.
t=e2e/sockmap/cgroup_mode
cg="$SMAP_ROOT/sockmap_e2e.$$"
# The system's python3 first: a pyenv shim did not run the script under unshare here.
smap_py=/usr/bin/python3; [ -x "$smap_py" ] || smap_py=$(command -v python3)
if [ -z "$smap_py" ]; then need_tool $t python3
elif ! mkdir "$cg"; then fail $t "cannot make $cg"
else
	cat > "$E2E_TMP/peer.py" <<'PY'
import socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); s, _ = l.accept(); got = b""
for i in range(10):
    c.sendall(bytes([i]) * 1000)
    while len(got) < 1000 * (i + 1):
        got += s.recv(65536)
assert got == b"".join(bytes([i]) * 1000 for i in range(10))
PY
	# The peer starts once the first row is out (everything attached, the
	# loop's signal handling set), at most 30 s; sockmap runs until the peer
	# is done (then SIGINT: its final row), not for a fixed time: python3
	# alone took 4 s to start in the 6.1 guest under TCG, longer than the 3 s
	# bound this once had (0 0 0 there).
	run cgmode 60 unshare -n sh -c "ip link set lo up && { $BIN/sockmap/sockmap -c $cg -d 50 -I 0.5 \
		> $E2E_TMP/cgmode.rows & p=\$!; for i in \$(seq 300); do awk 'r { n++ } / time / { r = 1 } END { exit !n }' \
		$E2E_TMP/cgmode.rows && break; \
		sleep 0.1; done; sh -c 'echo \$\$ > $cg/cgroup.procs && exec $smap_py $E2E_TMP/peer.py'; \
		echo py=\$?; kill -INT \$p; wait \$p; echo sockmap=\$?; cat $E2E_TMP/cgmode.rows; }"
	read -r _ entries added verdicts redirected msg_bytes lo_bytes _ <<< "$(num "$(out cgmode | grep -A1 '^final:' | tail -1)")"
	rmdir "$cg" 2>/dev/null
	if [ "$RC" -ne 0 ] || ! out cgmode | grep -q '^py=0$' || ! out cgmode | grep -q '^sockmap=0$'; then
		fail $t "exit $RC: $(tails cgmode)"
	elif [ "$added" != 2 ] || [ "$verdicts" != 10 ] || [ "$redirected" != 10 ]; then fail $t "added $added verdicts $verdicts redirected $redirected, want 2 10 10"
	elif [ "$msg_bytes" != 10000 ] || [ "$lo_bytes" != 0 ] || [ "$entries" != 0 ]; then fail $t "msg $msg_bytes lo $lo_bytes entries $entries"
	elif out cgmode | grep -q '^demo sent'; then fail $t "made a demo with -c"
	else pass $t; fi
fi

expect_bad_input sockmap map_type_unknown array -m array
expect_bad_input sockmap cgroup_missing /nonexistent/cg -c /nonexistent/cg
expect_bad_input sockmap cgroup_not_cgroup2 /tmp -c /tmp
expect_bad_input sockmap duration_not_a_number abc -d abc
expect_bad_input sockmap interval_zero 0 -I 0
expect_bad_input sockmap unknown_option -x -x
expect_bad_input sockmap missing_value -m -m
expect_bad_input sockmap stray_argument eth0 eth0
expect_no_privileges sockmap -d 1

t=e2e/sockmap/sigkill_leaves_no_cgroup
smap_cgroups > "$E2E_TMP/smap.before"
expect_sigkill_clean sockmap '^ +time' -d 20
for i in $(seq 30); do [ -z "$(smap_new_cgroups)" ] && break; sleep 0.1; done	# the reaper, as elsewhere
cgl=$(smap_new_cgroups)
if [ -n "$cgl" ]; then fail $t "cgroup left behind: $cgl"; else pass $t; fi
expect_signal_clean sockmap INT '^ +time' -d 20
expect_signal_clean sockmap TERM '^ +time' -m sockmap -d 20
