# SPDX-License-Identifier: GPL-2.0
# sk_storage end to end (sourced by tests/e2e.sh).
#
# lib.sh's leftovers() does not look at cgroups: sks_new_cgroups lists the demo
# cgroups (sk_storage.<pid>) that appeared since sks_snapshot.

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/sk_storage pgrep unshare || return

SKS_ROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
sks_cgroups() { ls "$SKS_ROOT" 2>/dev/null | grep -E '^sk_storage\.[0-9]+$' | sort; }
sks_new_cgroups() { sks_cgroups | comm -13 "$E2E_TMP/sks.before" -; }
sks_snapshot() { snapshot; sks_cgroups > "$E2E_TMP/sks.before"; }

SKS_CG="$SKS_ROOT/sk_storage_e2e.$$"
mkdir "$SKS_CG" 2>/dev/null
sks_cleanup() {
	if [ -d "$SKS_CG" ]; then
		for p in $(cat "$SKS_CG/cgroup.procs" 2>/dev/null); do
			echo "$p" > "$SKS_ROOT/cgroup.procs" 2>/dev/null
		done
		rmdir "$SKS_CG" 2>/dev/null
	fi
}
trap 'sks_cleanup; rm -rf "$E2E_TMP"' EXIT

# The no-argument demo with -d 5: one connection per second, 1,048,576 bytes
# client -> server and 1,000 back. Exact counters per socket, read by fd (in
# sequence space: the client's bytes acked include its SYN and FIN, bytes
# received include the peer's FIN), then the storage is gone after close.
t=e2e/sk_storage/demo_exact_bytes_per_socket
sks_snapshot
run demo 30 "$BIN/sk_storage/sk_storage" -d 5
fin=$(out demo | grep -A1 '^final:' | tail -1)
read -r conns created enoent left <<< "$(sed -n 's/^\([0-9]*\) connections, \([0-9]*\) storages created by BPF, \([0-9]*\) lookups after close gave ENOENT, \([0-9]*\) entries left in the map$/\1 \2 \3 \4/p' <<< "$fin")"
clients=$(out demo | grep -cE '^#[0-9]+ fd [0-9]+ +127\.0\.0\.1:[0-9]+ +client +1,048,578 +1,001 .* CLOSE$')
servers=$(out demo | grep -cE '^#[0-9]+ fd [0-9]+ +\(accepted\) +server +1,001 +1,048,577 .* CLOSE$')
gone=$(out demo | grep -cE 'closed both; lookup\(fd [0-9]+\) on a new socket .* -> No such file or directory; entries left in the map \(iterator\): 0$')
cleft=$(leftovers sk_storage); cgl=$(sks_new_cgroups)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$conns" ]; then fail $t "no final counts: $(tails demo)"
elif [ "$conns" -lt 4 ]; then fail $t "only $conns connections in 5 s"
elif [ "$clients" != "$conns" ] || [ "$servers" != "$conns" ]; then fail $t "$clients client rows and $servers server rows with the exact bytes, want $conns each: $(out demo | grep '^#' | head -2 | tr '\n' '|')"
elif [ "$created" != $((2 * conns)) ]; then fail $t "$created storages created, want $((2 * conns))"
elif [ "$enoent" != "$conns" ] || [ "$gone" != "$conns" ] || [ "$left" != 0 ]; then fail $t "after close: $enoent ENOENT, $gone lines, $left left; want $conns, $conns, 0"
elif [ -n "$cleft" ]; then fail $t "left behind:$cleft"
elif [ -n "$cgl" ]; then fail $t "cgroup left behind: $cgl"
else pass $t; fi

t=e2e/sk_storage/traps_shown
if out demo | grep -q 'lookup(fd of a new UDP socket) .*-> No such file or directory' &&
   out demo | grep -q 'update(that fd) from user space .*-> ok' &&
   out demo | grep -q 'lookup(fd of a directory) .*-> Socket operation on non-socket' &&
   out demo | grep -q 'get_next_key .*-> error 524 (ENOTSUPP)'; then pass $t
else fail $t "traps missing or wrong: $(out demo | head -6 | tr '\n' '|')"; fi

# Where the platform refuses map element iterators (tools/bpfprobe: a minimal
# iter/bpf_sk_storage_map program gets EPERM at load) the sample lists through
# iter/tcp and says exactly so in one line on stderr; where they are allowed,
# stderr stays empty. Any other probe answer is a FAIL.
t=e2e/sk_storage/iterator_choice_said_once
probe=$("${BUILD:-build}/tools/bpfprobe" sk_storage_map_iter 2>&1)
want='sk_storage: this kernel refuses map iterators (loading iter/bpf_sk_storage_map: Operation not permitted); listing through iter/tcp instead, which sees the TCP sockets of this network namespace only'
if [ "$probe" = allowed ]; then
	if [ -s "$E2E_TMP/demo.err" ]; then fail $t "map iterators are allowed, yet stderr: $(tr '\n' '|' < "$E2E_TMP/demo.err")"
	else pass "$t (map iterators allowed: no line)"; fi
elif [ "$probe" = "refused EPERM loading" ]; then
	if [ "$(cat "$E2E_TMP/demo.err")" = "$want" ]; then pass "$t (the probe: $probe)"
	else fail $t "the probe: $probe; want stderr '$want', got: $(tr '\n' '|' < "$E2E_TMP/demo.err")"; fi
else fail $t "tools/bpfprobe sk_storage_map_iter answered '$probe', want 'allowed' or 'refused EPERM loading'"; fi

# -c CGROUP: a python3 process in the test cgroup (in a private netns) opens
# one connection and sends 200,000 bytes; the watcher lists both ends through
# the iterator, the client with 200,001 bytes acked (data + SYN), and after
# the process exits (the watcher is stopped with SIGINT once a row after the
# exit lists no socket, at most 10 s later) no socket has storage left.
t=e2e/sk_storage/user_cgroup_watch
if need_tool $t python3; then
	run watch 30 unshare -n bash -c "ip link set lo up &&
		{ '$BIN/sk_storage/sk_storage' -c '$SKS_CG' -d 20 -I 0.5 & p=\$!;
		  wait_for '$E2E_TMP/watch.out' '^connection' 100 \$p &&
		  bash -c 'echo \$\$ > $SKS_CG/cgroup.procs; exec python3 -c \"
import socket, time
l = socket.socket(); l.bind((\\\"127.0.0.1\\\", 0)); l.listen()
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
c.sendall(b\\\"x\\\" * 200000); n = 0
while n < 200000: n += len(s.recv(65536))
time.sleep(1)
\"';
		  n=\$((\$(wc -l < '$E2E_TMP/watch.out') + 1));
		  for i in \$(seq 100); do tail -n +\$n '$E2E_TMP/watch.out' | grep -qE '^[0-9.]+ s: 0 sockets with storage' && break; sleep 0.1; done;
		  kill -INT \$p; wait \$p; }"
	fin=$(out watch | grep -A1 '^final:' | tail -1)
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails watch)"
	elif ! out watch | grep -qE '^127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:[0-9]+ +client +200,001 '; then fail $t "no client row with 200,001 bytes acked: $(out watch | grep -E 'client|server' | head -2 | tr '\n' '|')"
	elif ! out watch | grep -qE '^127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:[0-9]+ +server '; then fail $t "no server row"
	elif [ "$fin" != "2 storages created by BPF, 0 sockets with storage now" ]; then fail $t "final: $fin"
	else pass $t; fi
fi

# No cgroup v2 mounted (hidden in a private mount namespace): one clear line.
t=e2e/sk_storage/bad_input/no_cgroup_v2
run nocg 10 unshare -m sh -c "umount -l '$SKS_ROOT' && exec '$BIN/sk_storage/sk_storage' -d 1"
if [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ]; then fail $t "exit $RC"
elif [ "$(wc -l < "$E2E_TMP/nocg.err")" -ne 1 ] || ! grep -q 'cgroup v2 is not mounted' "$E2E_TMP/nocg.err"; then
	fail $t "want one line naming cgroup v2: $(tr '\n' '|' < "$E2E_TMP/nocg.err")"
else pass $t; fi

expect_bad_input sk_storage cgroup_missing "$SKS_ROOT/sk_storage_nosuch.$$" -c "$SKS_ROOT/sk_storage_nosuch.$$" -d 1
expect_bad_input sk_storage cgroup_not_a_directory /etc/hostname -c /etc/hostname -d 1
expect_bad_input sk_storage cgroup_not_cgroup_v2 /tmp -c /tmp -d 1
expect_bad_input sk_storage duration_zero 0 -d 0
expect_bad_input sk_storage duration_garbage 1x -d 1x
expect_bad_input sk_storage interval_zero 0 -I 0
expect_bad_input sk_storage unknown_option -x -x
expect_bad_input sk_storage missing_value -c -c
expect_bad_input sk_storage stray_argument eth0 eth0
expect_no_privileges sk_storage -d 1

# SIGKILL: the sockops and iterator links and the netns die with the process;
# the demo cgroup goes with the reaper that was made with it.
sks_snapshot
expect_sigkill_clean sk_storage '^connection' -d 20
t=e2e/sk_storage/sigkill_leaves_no_cgroup
# The reaper (common/cgroup.c) removes the demo cgroup once the sample is gone;
# give it up to 3 s.
for i in $(seq 30); do [ -z "$(sks_new_cgroups)" ] && break; sleep 0.1; done
if [ -n "$(sks_new_cgroups)" ]; then fail $t "demo cgroup left after SIGKILL: $(sks_new_cgroups)"
elif pgrep -f "^$BIN/sk_storage/sk_storage" >/dev/null; then fail $t "a process of the sample is still running (the reaper?)"
else pass $t; fi

for sig in INT TERM; do
	sks_snapshot
	expect_signal_clean sk_storage $sig '^connection' -d 20
	t=e2e/sk_storage/${sig}_no_cgroup_left
	if [ -n "$(sks_new_cgroups)" ]; then fail $t "left: $(sks_new_cgroups)"; else pass $t; fi
done

sks_cleanup
t=e2e/sk_storage/test_cgroup_removed
if [ -d "$SKS_CG" ]; then fail $t "$SKS_CG still exists"; else pass $t; fi
