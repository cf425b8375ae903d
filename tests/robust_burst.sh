#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# robustness: 1,000,000-packet burst counted exactly by xdp_stats
#
# Two named namespaces (tag bt + $$) joined by a veth. xdp_stats -i counts on
# the receiving end (-a drop: the frames stop in XDP, the stack sees none);
# tools/xdpgen sends BURST frames of SIZE bytes from the other end with
# BPF_PROG_TEST_RUN live frames (XDP_TX out of the sending veth), or through an
# AF_PACKET socket where the platform refuses live frames (EPERM). xdpgen's
# "sent" is what the kernel accepted (the veth's xdp_xmit counter, or
# sendto()'s answers), not the -n asked: it must be all BURST, none refused.
# After SIGINT, xdp_stats' final: line must show exactly that many packets and
# that many * SIZE bytes in the PERCPU_ARRAY columns and in the ARRAY columns,
# the receiving veth must count the same number, and no veth counter may show
# a drop.
#
# Why the ARRAY is exact too: xdp_stats adds to the shared ARRAY slot with
# atomic adds (__sync_fetch_and_add), so it is exact whatever CPUs the frames
# land on. The generator is not pinned: it may migrate mid-burst, and its
# frames are then counted on both CPUs (the per-CPU line shows the split).
#
# Usage: bash tests/robust_burst.sh [SAMPLE...]  (runs if no SAMPLE or xdp_stats)
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
BUILD=${BUILD:-build}

BURST=1000000
SIZE=100
T=bt$$
NS_TX=${T}tx NS_RX=${T}rx
IF_TX=${T}a IF_RX=${T}b
GEN=$BUILD/tools/xdpgen
name=robust/burst/xdp_stats_1M

if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx xdp_stats; then
	exit 0
fi
need_tool "$name" sysctl nsenter || exit 1

XS_PID=
cleanup() {
	[ -n "$XS_PID" ] && kill -9 "$XS_PID" 2>/dev/null && wait "$XS_PID" 2>/dev/null
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	rm -rf "$E2E_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x "$BIN/xdp_stats/xdp_stats" ] || [ ! -x "$GEN" ]; then
	fail "$name" "missing $BIN/xdp_stats/xdp_stats or $GEN (make xdp_stats $GEN)"
	exit 0
fi
snapshot
# Two namespaces, IPv6 off (no router solicitations or MLD reports: the only
# frames on the veth are the burst), veth up on both sides.
setup() {
	ip netns add "$NS_TX" && ip netns add "$NS_RX" || return 1
	for ns in "$NS_TX" "$NS_RX"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip -n "$NS_TX" link add "$IF_TX" type veth peer name "$IF_RX" netns "$NS_RX" &&
	ip -n "$NS_TX" link set "$IF_TX" up && ip -n "$NS_RX" link set "$IF_RX" up
}
if ! setup 2>"$E2E_TMP/setup.err"; then
	fail "$name" "netns/veth setup failed: $(head -c 200 "$E2E_TMP/setup.err")"
	exit 0
fi
rx_mac=$(cat "/sys/class/net/$IF_RX/address" 2>/dev/null ||
	 ip -n "$NS_RX" -o link show "$IF_RX" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

# veth counter FIELD (RX/TX packets/dropped) of IFACE in NS, from ip -s link.
link_stat() {	# ns iface RX|TX col(1=bytes 2=packets 4=dropped)
	ip -n "$1" -s link show "$2" | awk -v dir="$3:" -v col="$4" \
		'$1 == dir { getline; print $col; exit }'
}

# xdp_stats in the receiving namespace; wait (bounded) until it has attached.
nsenter --net="/run/netns/$NS_RX" "$BIN/xdp_stats/xdp_stats" -i "$IF_RX" -a drop -I 3600 \
	> "$E2E_TMP/xs.out" 2> "$E2E_TMP/xs.err" &
XS_PID=$!
for i in $(seq 100); do
	grep -q "^XDP on" "$E2E_TMP/xs.out" 2>/dev/null && break
	kill -0 "$XS_PID" 2>/dev/null || break
	sleep 0.05
done
if ! grep -q "^XDP on" "$E2E_TMP/xs.out"; then
	fail "$name" "xdp_stats did not attach: $(tails xs)"
	exit 0
fi

start=$(date +%s%N)
run gen 60 nsenter --net="/run/netns/$NS_TX" "$GEN" -i "$IF_TX" -n "$BURST" -s "$SIZE" \
	--dst-mac "$rx_mac" --src-ip 10.99.0.1 --dst-ip 10.99.0.2
gen_ms=$((($(date +%s%N) - start) / 1000000))
read -r sent requested refused mode <<< "$(sed -n 's/^sent \([0-9]*\) frames of [0-9]* bytes in [0-9]* ns (\([0-9]*\) requested, \([0-9]*\) refused by [^,]*, \(.*\))$/\1 \2 \3 \4/p' "$E2E_TMP/gen.out")"
if [ "$RC" -ne 0 ] || [ -z "$sent" ]; then
	fail "$name" "xdpgen failed (rc $RC): $(tails gen)"
	exit 0
fi
if [ "$requested" != "$BURST" ] || [ "$sent" != "$BURST" ] || [ "$refused" != 0 ]; then
	fail "$name" "the kernel took $sent of $requested frames ($refused refused by $IF_TX, $mode), want all $BURST"
	exit 0
fi

# Frames the receiving NAPI has not polled yet (ksoftirqd on a busy machine)
# are still in the veth ring: wait, at most 2 s, until the veth has seen them.
for i in $(seq 40); do
	[ "$(link_stat "$NS_RX" "$IF_RX" RX 2)" = "$BURST" ] && break
	sleep 0.05
done
kill -INT "$XS_PID"
wait_exit "$XS_PID" 50
xs_rc=$?
XS_PID=

# The DROP row of the final: block: time action pkts pkts/s bytes bytes/s
# (ARRAY) pkts pkts/s bytes bytes/s (PERCPU_ARRAY).
row=$(sed -n '/^final:/,$p' "$E2E_TMP/xs.out" | awk '$2 == "DROP"' | head -1)
read -r _ _ a_pkts _ a_bytes _ p_pkts _ p_bytes _ <<< "$row"
percpu=$(sed -n 's/^per-CPU packets of DROP[^:]*: //p' "$E2E_TMP/xs.out")
others=$(sed -n '/^final:/,$p' "$E2E_TMP/xs.out" | awk '$2 ~ /^(ABORTED|PASS|TX|REDIRECT)$/ && $3 != "0"')
rx_drop=$(link_stat "$NS_RX" "$IF_RX" RX 4)
tx_drop=$(link_stat "$NS_TX" "$IF_TX" TX 4)
rx_pkts=$(link_stat "$NS_RX" "$IF_RX" RX 2)
want_bytes=$((BURST * SIZE))

why=""
[ "$xs_rc" -eq 0 ] || why="$why xdp_stats exit $xs_rc;"
[ -n "$row" ] || why="$why no DROP row in final:;"
[ "$(num "${p_pkts:-}")" = "$BURST" ] || why="$why PERCPU_ARRAY packets ${p_pkts:-?} != $BURST;"
[ "$(num "${p_bytes:-}")" = "$want_bytes" ] || why="$why PERCPU_ARRAY bytes ${p_bytes:-?} != $want_bytes;"
[ "$(num "${a_pkts:-}")" = "$BURST" ] || why="$why ARRAY packets ${a_pkts:-?} != $BURST;"
[ "$(num "${a_bytes:-}")" = "$want_bytes" ] || why="$why ARRAY bytes ${a_bytes:-?} != $want_bytes;"
[ -z "$others" ] || why="$why frames under other actions: $others;"
[ "$rx_pkts" = "$BURST" ] || why="$why veth rx packets $rx_pkts != $BURST;"
[ "$rx_drop" = 0 ] || why="$why veth rx dropped $rx_drop;"
[ "$tx_drop" = 0 ] || why="$why veth tx dropped $tx_drop;"
grep -q "ARRAY == PERCPU_ARRAY sum" "$E2E_TMP/xs.out" || why="$why ARRAY != PERCPU_ARRAY sum;"

if [ -z "$why" ]; then
	pass "$name ($BURST frames x $SIZE B in ${gen_ms} ms through $mode; ARRAY and PERCPU_ARRAY exact; $percpu; 0 veth drops)"
	echo "FIGURE burst-packets $BURST"
else
	why=${why# }; fail "$name" "${why%;}"
fi

ip netns del "$NS_TX" 2>/dev/null
ip netns del "$NS_RX" 2>/dev/null
left=$(leftovers xdp_stats)
if [ -z "$left" ]; then
	pass "robust/burst/nothing_left"
else
	fail "robust/burst/nothing_left" "$left"
fi
