#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make new: a copied sample builds, and its demo runs and counts
#
# bash tests/check_new.sh [SAMPLE...]   (root, after make)
#
# `make new NAME=... FROM=s` for three samples of different program types:
# each copy must build, keep every SPDX line of its source, and its
# no-argument demo must run for 2 s, exit 0 and print a final row with
# non-zero counts; then the copy, its build tree and anything it loaded are
# gone: the tree (sources and build/) has exactly the files it had before
# `make new`, nothing in the kernel bears the copy's names, and no cgroup or
# path anywhere in the tree carries its name.
#
# `make new ... BARE=1` (the tool without its demo and traps), for a sample of
# each kind: xdp_fwd (XDP, positional interfaces), sockex1 (socket filter,
# -i IFACE) and sk_storage (cgroup, -c DIR). The copy must build, hold no
# <s>_demo / <s>_traps file and no line marked /* demo */ or /* traps */, say
# nothing of a demo in -h, refuse a run without arguments in one line with
# exit 2, and then work on a topology this test builds, counting exactly what
# the test sent (new/bare/<s>); afterwards nothing is left, as above, and no
# netns or cgroup of the test either. And a BARE copy of every sample (of the
# named ones with T=...) must build, hold no demo, traps or marked line, and
# print its -h (exit 0, a Usage line, no word of a demo: a marked line
# dropped from the middle of the option table shows there)
# (new/bare_build/<s>).
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
BUILD=${BUILD:-build}
CG2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)

# Every path of the tree (sources, build/), .git left out.
tree_paths() { find . -path ./.git -prune -o -print | sort; }

# Three samples of different program types; with sample names given (make
# check T=...), only those of the three that are named.
froms=()
for from in sockex1 xdp_stats cpumap; do
	[ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx "$from" && froms+=("$from")
done
for from in ${froms[@]+"${froms[@]}"}; do
	[ -f "$from/${from}_kern.c" ] || continue
	name=newcopy$$_$from
	t=new/$from
	snapshot
	tree_paths > "$E2E_TMP/tree.before"
	if ! make --no-print-directory new NAME="$name" FROM="$from" > "$E2E_TMP/new.log" 2>&1; then
		fail $t "make new failed: $(tail -3 "$E2E_TMP/new.log" | tr '\n' '|')"
		rm -rf "$name" "$BUILD/$name"
		continue
	fi
	# Every copied file keeps its source's SPDX line (the copy stays GPL-2.0).
	spdx_lost=""
	for src in "$from"/*; do
		b=$(basename "$src")
		[ "$b" = "$from" ] && continue
		want=$(grep -m1 'SPDX-License-Identifier' "$src")
		[ -n "$want" ] || continue
		got=$(grep -m1 'SPDX-License-Identifier' "$name/${b/#$from/$name}" 2>/dev/null)
		[ "$got" = "$want" ] || spdx_lost="$spdx_lost ${b/#$from/$name}"
	done
	run copy 30 sh -c "cd '$name' && './$name' -d 2"
	# The first row after "final:" with a non-zero count: a sample may print
	# several final rows, some rightly zero (xdp_stats: one per XDP action);
	# the summary lines after them do not count.
	final=$(out copy | sed -n '/^final:/,$p' | sed 1d | grep -vE '^(demo sent|summary):' | tr -d , |
		awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/ && $i > 0) { print; exit } }')
	nonzero=$(awk '{ n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/ && $i > 0) n++; print n }' <<< "$final")
	# The copy's names must be seen before they count as gone: own_names
	# reads them from the copy's skeleton, which is removed next.
	copy_names=$(own_names "$name" | wc -l)
	left=$(leftovers "$name")
	rm -rf "$name" "$BUILD/$name"
	# What is left of the copy: paths the tree did not have before (the
	# copy's folder, its binary, its build objects, anything make new wrote
	# elsewhere), and cgroups named after it.
	extra=$(tree_paths | comm -13 "$E2E_TMP/tree.before" - | head -5 | tr '\n' ' ')
	cgs=$(find "$CG2" -maxdepth 1 -name "$name*" 2>/dev/null | tr '\n' ' ')
	if [ "$RC" -ne 0 ]; then fail $t "the copy's demo exited $RC: $(head -3 "$E2E_TMP/copy.err" | tr '\n' '|')"
	elif [ -z "$final" ] || [ "${nonzero:-0}" -eq 0 ]; then fail $t "no final row with counts: $(out copy | tail -3 | tr '\n' '|')"
	elif ! out copy | grep -q "$name"' \|demo sent'; then fail $t "the copy's output does not look like a demo"
	elif [ -n "$spdx_lost" ]; then fail $t "SPDX line lost or changed in the copy:$spdx_lost"
	elif [ "$copy_names" -eq 0 ]; then fail $t "no program or map names in $BUILD/$name/$name.skel.h: nothing to look for"
	elif [ -n "$left" ]; then fail $t "left behind:$left"
	elif [ -n "$extra" ]; then fail $t "not in the tree before make new, still there: $extra"
	elif [ -n "$cgs" ]; then fail $t "cgroups of the copy left: $cgs"
	else pass "$t (as $name: final row $final)"; fi
done

# ---- BARE=1 -------------------------------------------------------------------
# Every netns and cgroup of these cases carries the prefix nb<pid>; the
# cleanup removes them (and a copy left by a case that stopped half way) on
# any exit.
P=nb$$
NETNS=()
TEST_CG=
COPY=
COPY_PID=
# bare_teardown: the copy's process, the netns and cgroup of the test.
# bare_cleanup: that, and the copy's folder and build tree.
bare_teardown() {
	local p
	if [ -n "$COPY_PID" ]; then
		kill -9 "$COPY_PID" 2>/dev/null
		wait "$COPY_PID" 2>/dev/null
	fi
	COPY_PID=
	for ns in ${NETNS[@]+"${NETNS[@]}"}; do ip netns del "$ns" 2>/dev/null; done
	NETNS=()
	if [ -n "$TEST_CG" ] && [ -d "$TEST_CG" ]; then
		# Only processes this test put there.
		for p in $(cat "$TEST_CG/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		for i in $(seq 30); do rmdir "$TEST_CG" 2>/dev/null && break; sleep 0.1; done
	fi
	TEST_CG=
}
bare_cleanup() {
	bare_teardown
	if [ -n "$COPY" ]; then rm -rf "$COPY" "$BUILD/$COPY"; fi
	COPY=
}
trap 'bare_cleanup; [ "$BASHPID" != "$$" ] || rm -rf "$E2E_TMP"' EXIT
trap 'exit 130' INT TERM

# in_ns NS CMD...: CMD in netns NS through setns() (nsenter), not `ip netns
# exec`, which mounts a sysfs of its own over /sys and hides /sys/fs/bpf and
# the tracing directories from the copy. Where a PID or timeout(1) is needed,
# nsenter itself is called: it execs CMD, so $! is CMD's PID.
in_ns() { nsenter --net="/run/netns/$1" "${@:2}"; }
# new_ns NAME: a named netns with lo up and IPv6 off (no router solicitation
# or MLD report: the only packets are the test's).
new_ns() {
	ip netns add "$1" || return 1
	NETNS+=("$1")
	in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
		ip -n "$1" link set lo up
}
mac_of() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }

# The traffic of these cases, in Python: a UDP sink that exits once it has
# N datagrams (at most 10 s), a UDP sender, and a TCP listener and client for
# the cgroup case.
cat > "$E2E_TMP/traffic.py" <<'PY'
import socket, sys, time, os
mode = sys.argv[1]
if mode == "udp-sink":          # ADDR N: "ready", then "received K"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[2], 7000))
    s.settimeout(0.2)
    print("ready", flush=True)
    want, n, end = int(sys.argv[3]), 0, time.time() + 10
    while n < want and time.time() < end:
        try:
            s.recv(2048)
            n += 1
        except socket.timeout:
            pass
    print("received", n, flush=True)
elif mode == "udp-send":        # ADDR N: N datagrams of 100 bytes to ADDR:7000
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(int(sys.argv[3])):
        s.sendto(b"x" * 100, (sys.argv[2], 7000))
elif mode == "tcp-listen":      # N: "ready PORT"; reads each of N connections to EOF
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(16)
    l.settimeout(15)
    print("ready", l.getsockname()[1], flush=True)
    conns = [l.accept()[0] for i in range(int(sys.argv[2]))]
    for c in conns:
        c.settimeout(15)
        while c.recv(65536):
            pass
        c.close()
    print("done", len(conns), flush=True)
elif mode == "tcp-connect":     # PORT N FILE: N connections, 1000 bytes each, "open";
    cs = []                     # all closed once FILE exists (at most 15 s)
    for i in range(int(sys.argv[3])):
        c = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
        c.sendall(b"x" * 1000)
        cs.append(c)
    print("open", flush=True)
    end = time.time() + 15
    while not os.path.exists(sys.argv[4]) and time.time() < end:
        time.sleep(0.05)
    for c in cs:
        c.close()
PY

# start_copy NS OUT ARGS...: the copy in NS in the background (COPY_PID),
# then wait (at most 10 s) for the line that says it is attached.
start_copy() {
	local ns=$1 out=$2 ready=$3
	shift 3
	: > "$E2E_TMP/$out.out"
	nsenter --net="/run/netns/$ns" "./$COPY/$COPY" "$@" > "$E2E_TMP/$out.out" 2> "$E2E_TMP/$out.err" &
	COPY_PID=$!
	wait_for "$E2E_TMP/$out.out" "$ready" 100 "$COPY_PID" 2>/dev/null
}
# stop_copy: SIGINT, its exit status in RC (at most 5 s, then SIGKILL: 137).
stop_copy() {
	kill -INT "$COPY_PID" 2>/dev/null
	wait_exit "$COPY_PID" 50
	RC=$?
	COPY_PID=
}

# xdp_fwd's copy forwards between two hosts in namespaces of their own:
#   h1 eth0 10.77.1.2 <-> r1 10.77.1.1 [router: COPY r1 r2] r2 10.77.2.1 <-> eth0 10.77.2.2 h2
# Permanent neighbours everywhere (no ARP) and IPv6 off, so the only packets
# are the test's: 5 echo requests (and 5 replies) and 6 UDP datagrams of 100
# bytes from h1 to h2. GRO is on for the hosts' veths, which then take the
# frames XDP redirects to them, and TX checksum offload off: a veth hands on
# UDP with its checksum still to be computed (CHECKSUM_PARTIAL), which an XDP
# redirect loses, and h2 would drop the datagrams (UdpInCsumErrors). Want: forwarded = 2 * 5 + 6 packets, of
# 98 (ping) and 142 (UDP) frame bytes; no other reason counted; r1 transmitted
# the 5 replies, r2 the 5 requests and 6 datagrams.
xdp_fwd_topology() {
	local r=$1 h1=$2 h2=$3
	new_ns "$r" && new_ns "$h1" && new_ns "$h2" &&
		ip -n "$r" link add r1 type veth peer name eth0 netns "$h1" &&
		ip -n "$r" link add r2 type veth peer name eth0 netns "$h2" &&
		ip -n "$r" addr add 10.77.1.1/24 dev r1 && ip -n "$r" addr add 10.77.2.1/24 dev r2 &&
		ip -n "$h1" addr add 10.77.1.2/24 dev eth0 && ip -n "$h2" addr add 10.77.2.2/24 dev eth0 &&
		ip -n "$r" link set r1 up && ip -n "$r" link set r2 up &&
		ip -n "$h1" link set eth0 up && ip -n "$h2" link set eth0 up &&
		in_ns "$h1" ethtool -K eth0 gro on tx off >/dev/null &&
		in_ns "$h2" ethtool -K eth0 gro on tx off >/dev/null &&
		ip -n "$h1" route add default via 10.77.1.1 && ip -n "$h2" route add default via 10.77.2.1 &&
		in_ns "$r" sysctl -qw net.ipv4.ip_forward=1 &&
		ip -n "$r" neigh add 10.77.1.2 lladdr "$(mac_of "$h1" eth0)" dev r1 nud permanent &&
		ip -n "$r" neigh add 10.77.2.2 lladdr "$(mac_of "$h2" eth0)" dev r2 nud permanent &&
		ip -n "$h1" neigh add 10.77.1.1 lladdr "$(mac_of "$r" r1)" dev eth0 nud permanent &&
		ip -n "$h2" neigh add 10.77.2.1 lladdr "$(mac_of "$r" r2)" dev eth0 nud permanent
}
bare_case_xdp_fwd() {
	local r=${P}r h1=${P}h1 h2=${P}h2 pings=5 udps=6 sink got fwd fbytes others tx1 tx2
	xdp_fwd_topology "$r" "$h1" "$h2" 2> "$E2E_TMP/setup.err" ||
		{ why="topology setup failed: $(head -c 200 "$E2E_TMP/setup.err")"; return; }
	start_copy "$r" run '^ +time' r1 r2 -I 0.5 || { why="never attached: $(tails run)"; return; }
	nsenter --net="/run/netns/$h2" python3 "$E2E_TMP/traffic.py" udp-sink 10.77.2.2 $udps > "$E2E_TMP/sink.out" 2>&1 &
	sink=$!
	wait_for "$E2E_TMP/sink.out" '^ready' 100 $sink 2>/dev/null
	run ping 20 nsenter --net="/run/netns/$h1" ping -q -c $pings -i 0.2 -W 2 10.77.2.2
	run send 10 nsenter --net="/run/netns/$h1" python3 "$E2E_TMP/traffic.py" udp-send 10.77.2.2 $udps
	wait_exit $sink 120
	got=$(sed -n 's/^received //p' "$E2E_TMP/sink.out")
	stop_copy
	row() { sed -n '/^final:/,/^after/p' "$E2E_TMP/run.out" | awk -v r="$1" -v c="$2" '$1 == r {gsub(",", ""); print $c}'; }
	fwd=$(row forwarded 3) fbytes=$(row forwarded 4)
	others=$(sed -n '/^final:/,/^after/p' "$E2E_TMP/run.out" | awk '$1 !~ /^(forwarded|reason|final:|after)$/ {gsub(",", ""); s += $3} END {print s + 0}')
	tx() { sed -n '/^after the redirect/,$p' "$E2E_TMP/run.out" | awk -v p="$1" '$1 == p {gsub(",", ""); print $2; exit}'; }
	tx1=$(tx r1) tx2=$(tx r2)
	if [ "$RC" -ne 0 ]; then why="exit $RC after SIGINT: $(tails run)"
	elif ! out ping | grep -q "$pings packets transmitted, $pings received"; then why="ping: $(out ping | tail -2 | tr '\n' '|')"
	elif [ "$got" != $udps ]; then why="h2 received '$got' of $udps UDP datagrams"
	elif [ "$fwd" != $((2 * pings + udps)) ] || [ "$fbytes" != $((2 * pings * 98 + udps * 142)) ]; then
		why="forwarded $fwd packets $fbytes bytes, want $((2 * pings + udps)) and $((2 * pings * 98 + udps * 142))"
	elif [ "$others" != 0 ]; then why="$others packets counted under another reason: $(sed -n '/^final:/,/^after/p' "$E2E_TMP/run.out" | tr -s ' ' | tr '\n' '|')"
	elif [ "$tx1" != $pings ] || [ "$tx2" != $((pings + udps)) ]; then why="transmitted r1 '$tx1' r2 '$tx2', want $pings and $((pings + udps))"
	elif [ -s "$E2E_TMP/run.err" ]; then why="stderr: $(err run | head -3 | tr '\n' '|')"
	else detail="forwarded $fwd ($pings pings, their replies, $udps datagrams)"; fi
}

# sockex1's copy counts on one end of a veth (a, v0 10.78.0.1) what the test
# sends from the other (b, v1 10.78.0.2): 4 echo requests (each crosses v0
# with its reply: 8 ICMP packets of 84 IP bytes) and 6 UDP datagrams of 100
# bytes to a sink on a (6 packets of 128 IP bytes); nothing else.
bare_case_sockex1() {
	local a=${P}a b=${P}b pings=4 udps=6 sink got final
	{ new_ns "$a" && new_ns "$b" &&
		ip -n "$a" link add v0 type veth peer name v1 netns "$b" &&
		ip -n "$a" addr add 10.78.0.1/24 dev v0 && ip -n "$b" addr add 10.78.0.2/24 dev v1 &&
		ip -n "$a" link set v0 up && ip -n "$b" link set v1 up &&
		ip -n "$a" neigh add 10.78.0.2 lladdr "$(mac_of "$b" v1)" dev v0 nud permanent &&
		ip -n "$b" neigh add 10.78.0.1 lladdr "$(mac_of "$a" v0)" dev v1 nud permanent; } \
		2> "$E2E_TMP/setup.err" || { why="topology setup failed: $(head -c 200 "$E2E_TMP/setup.err")"; return; }
	start_copy "$a" run '^ +time' -i v0 -I 0.5 || { why="never attached: $(tails run)"; return; }
	nsenter --net="/run/netns/$a" python3 "$E2E_TMP/traffic.py" udp-sink 10.78.0.1 $udps > "$E2E_TMP/sink.out" 2>&1 &
	sink=$!
	wait_for "$E2E_TMP/sink.out" '^ready' 100 $sink 2>/dev/null
	run ping 20 nsenter --net="/run/netns/$b" ping -q -c $pings -i 0.2 -W 2 10.78.0.1
	run send 10 nsenter --net="/run/netns/$b" python3 "$E2E_TMP/traffic.py" udp-send 10.78.0.1 $udps
	wait_exit $sink 120
	got=$(sed -n 's/^received //p' "$E2E_TMP/sink.out")
	stop_copy
	final=$(grep -A1 '^final:' "$E2E_TMP/run.out" | tail -1 | tr -d ,)
	read -r _ icmp_p icmp_b tcp_p tcp_b udp_p udp_b <<< "$final"
	if [ "$RC" -ne 0 ]; then why="exit $RC after SIGINT: $(tails run)"
	elif ! out ping | grep -q "$pings packets transmitted, $pings received"; then why="ping: $(out ping | tail -2 | tr '\n' '|')"
	elif [ "$got" != $udps ]; then why="the sink received '$got' of $udps UDP datagrams"
	elif [ "$icmp_p $icmp_b" != "$((2 * pings)) $((2 * pings * 84))" ] || [ "$tcp_p $tcp_b" != "0 0" ] ||
	     [ "$udp_p $udp_b" != "$udps $((udps * 128))" ]; then
		why="final row '$final', want ICMP $((2 * pings)) $((2 * pings * 84)), TCP 0 0, UDP $udps $((udps * 128))"
	elif [ -s "$E2E_TMP/run.err" ]; then why="stderr: $(err run | head -3 | tr '\n' '|')"
	else detail="counted ICMP $icmp_p, UDP $udp_p on v0"; fi
}

# sk_storage's copy watches a cgroup of the test (TEST_CG). In a netns of the
# test, a process inside that cgroup makes 3 TCP connections (1000 bytes
# each) to a listener outside it and holds them open until the copy lists 3
# sockets with storage, then closes them. Want: that listing, a later one of
# 0 sockets, and the final "3 storages created by BPF, 0 sockets with storage
# now" (only the connecting side is in the cgroup: one storage each).
bare_case_sk_storage() {
	local ns=${P}c conns=3 lst cl port fin
	[ -n "$CG2" ] || { why="no cgroup v2 mounted (no cgroup2 line in /proc/mounts)"; return; }
	TEST_CG=$CG2/${P}cg
	{ new_ns "$ns" && mkdir "$TEST_CG"; } 2> "$E2E_TMP/setup.err" ||
		{ why="netns/cgroup setup failed: $(head -c 200 "$E2E_TMP/setup.err")"; return; }
	start_copy "$ns" run '^connection' -c "$TEST_CG" -I 0.2 || { why="never attached: $(tails run)"; return; }
	nsenter --net="/run/netns/$ns" python3 "$E2E_TMP/traffic.py" tcp-listen $conns > "$E2E_TMP/lst.out" 2>&1 &
	lst=$!
	wait_for "$E2E_TMP/lst.out" '^ready' 100 $lst 2>/dev/null
	port=$(sed -n 's/^ready //p' "$E2E_TMP/lst.out")
	bash -c 'echo $$ > "$1/cgroup.procs" && exec nsenter --net="/run/netns/$2" python3 "$3" tcp-connect "$4" "$5" "$6"' \
		connect "$TEST_CG" "$ns" "$E2E_TMP/traffic.py" "$port" $conns "$E2E_TMP/close" > "$E2E_TMP/cl.out" 2>&1 &
	cl=$!
	wait_for "$E2E_TMP/run.out" "^[0-9.]+ s: $conns sockets with storage" 100 "$COPY_PID" 2>/dev/null
	local listed=$?
	touch "$E2E_TMP/close"
	wait_exit $cl 100
	wait_exit $lst 100
	# A listing after the close: the storage went with the sockets.
	local n=$(($(wc -l < "$E2E_TMP/run.out") + 1)) i
	for i in $(seq 100); do
		tail -n +$n "$E2E_TMP/run.out" | grep -qE '^[0-9.]+ s: 0 sockets with storage' && break
		sleep 0.1
	done
	stop_copy
	fin=$(grep -A1 '^final:' "$E2E_TMP/run.out" | tail -1)
	if [ "$RC" -ne 0 ]; then why="exit $RC after SIGINT: $(tails run)"
	elif ! grep -q '^open' "$E2E_TMP/cl.out" || ! grep -q "^done $conns" "$E2E_TMP/lst.out"; then
		why="the connections failed: $(tr '\n' '|' < "$E2E_TMP/cl.out") $(tr '\n' '|' < "$E2E_TMP/lst.out")"
	elif [ "$listed" -ne 0 ]; then why="never listed $conns sockets with storage: $(grep ' s: ' "$E2E_TMP/run.out" | tail -2 | tr '\n' '|')"
	elif [ "$fin" != "$conns storages created by BPF, 0 sockets with storage now" ]; then why="final: '$fin'"
	else detail="$fin"; fi
}

bare_froms=()
for from in xdp_fwd sockex1 sk_storage; do
	[ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx "$from" && bare_froms+=("$from")
done
for from in ${bare_froms[@]+"${bare_froms[@]}"}; do
	[ -f "$from/${from}_kern.c" ] || continue
	t=new/bare/$from
	need_tool $t jq nsenter ethtool ping python3 || continue
	COPY=bare$$_$from
	snapshot
	tree_paths > "$E2E_TMP/tree.before"
	if ! make --no-print-directory new NAME="$COPY" FROM="$from" BARE=1 > "$E2E_TMP/new.log" 2>&1; then
		fail $t "make new BARE=1 failed: $(tail -3 "$E2E_TMP/new.log" | tr '\n' '|')"
		bare_cleanup
		continue
	fi
	why="" detail=""
	files=$(ls "$COPY" | grep -E "_(demo|traps)(\.[ch]|_kern\.h)$" | tr '\n' ' ')
	marked=$(grep -lE '/\* (demo|traps) \*/\s*$' "$COPY"/* 2>/dev/null | tr '\n' ' ')
	run help 10 "./$COPY/$COPY" -h
	run noarg 10 "./$COPY/$COPY"
	if [ -n "$files" ]; then why="demo or traps files in the copy: $files"
	elif [ -n "$marked" ]; then why="lines marked /* demo */ or /* traps */ left in: $marked"
	elif [ "$(head -c 6 "$E2E_TMP/help.out")" != "Usage:" ]; then why="-h: $(tails help)"
	elif grep -qi demo "$E2E_TMP/help.out"; then why="-h mentions a demo: $(grep -i demo "$E2E_TMP/help.out" | head -2 | tr '\n' '|')"
	elif [ "$RC" -ne 2 ] || [ "$(wc -l < "$E2E_TMP/noarg.err")" -ne 1 ] || [ -s "$E2E_TMP/noarg.out" ]; then
		why="without arguments: exit $RC, stdout $(wc -l < "$E2E_TMP/noarg.out") lines, stderr: $(tr '\n' '|' < "$E2E_TMP/noarg.err"); want exit 2 and one line"
	else
		"bare_case_$from"
	fi
	# As for the copies above: its names, then everything gone.
	copy_names=$(own_names "$COPY" | wc -l)
	bare_teardown
	left=$(leftovers "$COPY")
	bare_cleanup
	extra=$(tree_paths | comm -13 "$E2E_TMP/tree.before" - | head -5 | tr '\n' ' ')
	cgs=$(find "$CG2" -maxdepth 1 \( -name "bare$$_*" -o -name "$P*" \) 2>/dev/null | tr '\n' ' ')
	nss=$(ip netns list 2>/dev/null | awk -v p="$P" 'index($1, p) == 1 {print $1}' | tr '\n' ' ')
	if [ -n "$why" ]; then fail $t "$why"
	elif [ -z "$detail" ]; then fail $t "the case said nothing"
	elif [ "$copy_names" -eq 0 ]; then fail $t "no program or map names in the copy's skeleton: nothing to look for"
	elif [ -n "$left" ]; then fail $t "left behind:$left"
	elif [ -n "$extra" ]; then fail $t "not in the tree before make new, still there: $extra"
	elif [ -n "$cgs" ]; then fail $t "cgroups left: $cgs"
	elif [ -n "$nss" ]; then fail $t "netns left: $nss"
	else pass $t "$detail"; fi
done

# A BARE copy of every sample (the named ones with T=...) builds, with no
# demo or traps file and no marked line in it, and answers -h. Samples left out of this
# build (a compiler or kernel type missing) are skipped with that reason.
for d in */; do
	from=${d%/}
	[ -f "$from/${from}_kern.c" ] || continue
	[ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx "$from" || continue
	t=new/bare_build/$from
	why=$(no_compiler "$from")
	if [ -n "$why" ]; then skip $t "$why"; continue; fi
	COPY=bb$$_$from	# at most 32 characters: bb + a pid of 7 digits + _xdp_redirect_map_multi
	tree_paths > "$E2E_TMP/tree.before"
	if make --no-print-directory new NAME="$COPY" FROM="$from" BARE=1 > "$E2E_TMP/new.log" 2>&1; then
		why=""
		files=$(ls "$COPY" | grep -E "_(demo|traps)(\.[ch]|_kern\.h)$" | tr '\n' ' ')
		marked=$(grep -lE '/\* (demo|traps) \*/\s*$' "$COPY"/* 2>/dev/null | tr '\n' ' ')
		[ -x "$COPY/$COPY" ] || why="no binary $COPY/$COPY after make new"
		[ -z "$files" ] || why="demo or traps files in the copy: $files"
		[ -z "$marked" ] || why="lines marked /* demo */ or /* traps */ left in: $marked"
		# -h reads every field of the copy's option table: a marked line
		# dropped from the middle of a string (or a field) shows here.
		if [ -z "$why" ]; then
			run bare_help 10 "$COPY/$COPY" -h
			if [ "$RC" -ne 0 ]; then
				why="'$COPY -h' exited $RC: $(head -2 "$E2E_TMP/bare_help.err" | tr '\n' '|')"
			elif ! out bare_help | head -1 | grep -q "^Usage: $COPY"; then
				why="'$COPY -h' does not start with 'Usage: $COPY': $(out bare_help | head -1)"
			elif out bare_help | grep -qi "demo"; then
				why="'$COPY -h' still talks of a demo: $(out bare_help | grep -i -m1 demo)"
			fi
		fi
	else
		why="make new BARE=1 failed: $(grep -m3 -E 'error|Error' "$E2E_TMP/new.log" | tr '\n' '|' | head -c 300)"
	fi
	bare_cleanup
	extra=$(tree_paths | comm -13 "$E2E_TMP/tree.before" - | head -5 | tr '\n' ' ')
	if [ -n "$why" ]; then fail $t "$why"
	elif [ -n "$extra" ]; then fail $t "not in the tree before make new, still there: $extra"
	else pass $t; fi
done
