# SPDX-License-Identifier: GPL-2.0
# tests/xdp_redirect_drop.sh - the veth peer drop case (XDP-redirected frames
# lost because the peer veth has no XDP program and GRO off: refused by the
# redirect or dropped by the veth, by kernel; XDP_DROP_KIND below) for the samples
# that redirect (sourced by e2e_xdp_fwd.sh, e2e_xdp_redirect_map.sh,
# e2e_xdp_redirect_map_multi.sh; not a test file of its own).
#
# redirect_drop NAME FIX N SAMPLE ARGS...
#   In a private network namespace (unshare -n: gone with the shell, nothing to
#   clean up) the test makes a router with two ports whose veth peers sit in
#   the same namespace, as a user's own setup would:
#
#     p1 --veth-- r1 [SAMPLE on r1 r2, ip_forward=1] r2 --veth-- p2
#
#   r1 10.30.1.1/24, r2 10.30.2.1/24, a permanent neighbour 10.30.2.2 = p2's
#   MAC on r2 (no ARP), IPv6 off (no frames of its own). The peers have no XDP
#   program; GRO is off (FIX=none: the drop case) or on for p1 and p2
#   (FIX=gro). The sample runs on r1 r2 (ARGS, with -d); once it prints its
#   header, `tools/xdpgen -m packet` sends exactly N UDP frames 10.30.1.2 ->
#   10.30.2.2 out of p1 through an AF_PACKET socket (so into r1, where the sample's XDP
#   program redirects them to r2), and p2's RX packet counter is read before
#   and after: after r1's XDP has seen all N (veth's rx_queue_0_xdp_packets)
#   and, with FIX=gro, p2 has received N, each wait bounded (5 s). p2 does not
#   forward (its forwarding sysctl is 0): a frame that reaches it stops there.
#   Output: NAME.out / NAME.err are the sample's ("p2_rx=<delta>" and
#   "gen_rc=<xdpgen's exit> (its error)" appended to NAME.out), NAME.setup the shell's
#   stderr; RC is the sample's exit (or the setup's failure).
#   Real frames from a socket, not xdpgen's live frames: the lesson is
#   what happens to frames that arrive on r1, and some platforms refuse
#   BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES (EPERM).
redirect_drop() {
	local name=$1 fix=$2 n=$3 gen=${BUILD:-build}/tools/xdpgen
	shift 3
	run "$name" 40 unshare -n bash -c '
		fix=$1 n=$2 gen=$3 out=$4 err=$5; shift 5
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip link set lo up &&
		ip link add r1 type veth peer name p1 && ip link add r2 type veth peer name p2 &&
		for d in r1 p1 r2 p2; do ip link set "$d" up || exit 1; ethtool -K "$d" gro off || exit 1; done &&
		ip addr add 10.30.1.1/24 dev r1 && ip addr add 10.30.2.1/24 dev r2 &&
		sysctl -qw net.ipv4.ip_forward=1 && sysctl -qw net.ipv4.conf.p2.forwarding=0 &&
		ip neigh add 10.30.2.2 lladdr "$(ip -j link show p2 | jq -r ".[0].address")" \
			dev r2 nud permanent || exit 1
		if [ "$fix" = gro ]; then ethtool -K p1 gro on && ethtool -K p2 gro on || exit 1; fi
		rx() { ip -j -s link show p2 | jq ".[0].stats64.rx.packets"; }
		"$@" > "$out" 2> "$err" &
		pid=$!
		for i in $(seq 100); do grep -qE "^ +time" "$out" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
		rx0=$(rx)
		gen_err=$("$gen" -m packet -i p1 -n "$n" --dst-mac "$(ip -j link show r1 | jq -r ".[0].address")" \
			--src-ip 10.30.1.2 --dst-ip 10.30.2.2 2>&1 > /dev/null)
		gen_rc=$?
		xdp_seen() { ethtool -S r1 | awk "\$1 == \"rx_queue_0_xdp_packets:\" {print \$2}"; }
		for i in $(seq 50); do [ "$(xdp_seen)" -ge "$n" ] && break; sleep 0.1; done
		if [ "$fix" = gro ]; then
			for i in $(seq 50); do [ $(($(rx) - rx0)) -ge "$n" ] && break; sleep 0.1; done
		fi
		rx1=$(rx)
		kill -INT $pid 2>/dev/null
		wait $pid
		rc=$?
		echo "p2_rx=$((rx1 - rx0))" >> "$out"
		echo "gen_rc=$gen_rc${gen_err:+ ($gen_err)}" >> "$out"
		exit $rc' redirect_drop "$fix" "$n" "$gen" "$E2E_TMP/$name.run.out" "$E2E_TMP/$name.run.err" "$@"
	# NAME.out / NAME.err become the sample's own; the shell's stderr (setup
	# errors) is kept as NAME.setup.
	mv "$E2E_TMP/$name.err" "$E2E_TMP/$name.setup" 2>/dev/null
	cat "$E2E_TMP/$name.run.out" > "$E2E_TMP/$name.out" 2>/dev/null
	cat "$E2E_TMP/$name.run.err" > "$E2E_TMP/$name.err" 2>/dev/null
}

# outcome_row NAME PORT: "transmitted dev_dropped redirect_errors aborted last_error"
# of PORT in the "after the redirect" table of NAME's output (commas removed;
# last_error "-" when there is none).
outcome_row() {
	sed -n '/^after the redirect/,$p' "$E2E_TMP/$1.out" | awk -v p="$2" '$1 == p {
		gsub(",", ""); e = "-"; if (match($0, /last error [A-Z0-9]+/)) e = substr($0, RSTART + 11, RLENGTH - 11)
		print $2, $3, $4, $5, e; exit }'
}

# What this kernel does with a frame redirected into a veth whose peer has
# neither XDP nor GRO, asked of the kernel (tools/bpfprobe xdp_features: its
# BTF has enum netdev_xdp_act, Linux >= 6.3, where the redirect checks the
# target's xdp_features; veth offers ndo_xdp_xmit only when its peer has XDP
# or GRO), never of uname:
#   checked    the redirect is refused: EOPNOTSUPP, counted as a redirect
#              error of the port the frame came in on (6.18 here)
#   unchecked  the kernel takes the frame and the veth drops it: counted as
#              dropped by the target device, last error ENXIO (6.1 here)
# Sets XDP_DROP_KIND (checked or unchecked) and XDP_DROP_HOW (the words of the
# samples' warning line); a probe that cannot answer leaves both empty and the
# caller fails on it.
XDP_DROP_KIND=$("${BUILD:-build}/tools/bpfprobe" xdp_features 2>&1)
case $XDP_DROP_KIND in
checked) XDP_DROP_HOW='this kernel refuses the redirect (EOPNOTSUPP, Linux >= 6.3)' ;;
unchecked) XDP_DROP_HOW='this kernel takes them and the veth drops them (before Linux 6.3)' ;;
*) XDP_DROP_HOW= ;;
esac

# drop_warning SAMPLE PORT PEER: the warning line SAMPLE prints at start for
# PORT whose veth peer PEER has neither XDP nor GRO, on this kernel.
drop_warning() {
	echo "$1: warning: frames redirected to $2 will be dropped: its veth peer $3 has no XDP program and GRO is off; $XDP_DROP_HOW; fix: ethtool -K $3 gro on (or attach any XDP program to $3)"
}
