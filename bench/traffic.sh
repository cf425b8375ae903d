#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench/traffic.sh - the traffic rows of `make bench`: the XDP samples' data
# paths on real frames, measured against their alternatives on veth.
#
# Topology (named netns, tag bt + $$, all removed on exit, Ctrl-C included):
#
#   ns1: h1 10.30.1.2 <=veth=> r1 10.30.1.1 [router, ip_forward=1] r2 10.30.2.1 <=veth=> h2 10.30.2.2 :ns2
#
# Every trial: `xdpgen sink` on h2 (counts per CPU, XDP_DROP), the side under
# test in the router namespace (the REAL sample binary with its interface
# arguments, or the alternative), then `xdpgen` sends N UDP frames of 64 bytes
# from h1 (BPF_PROG_TEST_RUN live frames, pinned to CPU 0, batch 64) to
# 10.30.2.2 with r1's MAC as destination. rate = frames counted at the sink /
# the sink's first-to-last frame time; loss = sent - counted.
#
# Sides are run in pairs (PAIRS pairs, default 5) whose order alternates,
# ABBA: A then B in pairs 1, 3, ..., B then A in pairs 2, 4, ... (as
# bench_is_a() in bench/benchlib.h), so neither side always runs second; the
# ratio is the median of the per-pair A/B rate ratios, min/max their spread.
#
# Stack forwarding needs something on r1 that accepts XDP-transmitted frames
# (a veth only has a receive ring for ndo_xdp_xmit while it has an XDP program
# or GRO): the B side attaches `xdpgen sink --pass` (XDP_PASS, which also counts
# what reached the router). A NIC driver would run the same XDP_PASS path.
#
# The DEVMAP and CPUMAP rows compare with `xdp-bench` (xdp-tools) when it loads;
# Debian 12's 1.3.1 does not on kernel 6.18 (it needs the removed
# xdp_redirect_map_err tracepoint), and B is then bench/xdpbench_alt, the same
# programs and the same default statistics tracepoints (the note of the row
# says so). The capture row (xdpsock vs bench/afpacket_rx) measures CPU time
# per received frame, not a rate: see trial_cap.
# Time: about 70 s on a quiet 2-CPU machine, about 4 min under heavy load.
#
# Output: ROW lines (protocol in bench/benchlib.h) on stdout, progress on stderr.
# Usage: BUILD=build BIN=. bench/traffic.sh [ROW-ID...]   (default: all rows)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=${BIN:-.}
PAIRS=${PAIRS:-5}
# The parity rows (the DEVMAP and CPUMAP rows against xdp-bench: the same
# kernel path on both sides) take more pairs: their per-pair ratios spread
# +-15% around a difference of a few percent, and a median of 5 then lands on
# either side of 1 from one run to the next.
PAR_PAIRS=${PAR_PAIRS:-9}
N=${N:-300000}			# frames per trial
[ -n "${BENCH_QUICK:-}" ] && N=100000 PAR_PAIRS=5	# bench/run --quick
SIZE=64
GEN=$BUILD/tools/xdpgen
AFP=$BUILD/bench/afpacket_rx
ALT=$BUILD/bench/xdpbench_alt
XDPBENCH=$(command -v xdp-bench || echo /usr/sbin/xdp-bench)

T=bt$$
NS1=${T}n1 NSR=${T}r NS2=${T}n2
TMP=$(mktemp -d /tmp/bench-traffic.XXXXXX)
PIDS=""
# xdp-bench (libxdp) makes /sys/fs/bpf/xdp for its dispatcher's pins and leaves
# it behind: remove it at the end if this run made it and it is empty.
XDP_PIN_DIR=/sys/fs/bpf/xdp
XDP_PIN_DIR_WAS=""
[ -e "$XDP_PIN_DIR" ] && XDP_PIN_DIR_WAS=1

cleanup() {
	local p
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "$NS1" "$NSR" "$NS2"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$XDP_PIN_DIR_WAS" ] || rmdir "$XDP_PIN_DIR" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { echo "traffic: $*" >&2; }
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }
mac_of() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

setup() {
	for ns in "$NS1" "$NSR" "$NS2"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$ns" link set lo up
	done
	ip -n "$NS1" link add h1 type veth peer name r1 netns "$NSR" &&
	ip -n "$NS2" link add h2 type veth peer name r2 netns "$NSR" &&
	ip -n "$NS1" addr add 10.30.1.2/24 dev h1 && ip -n "$NS1" link set h1 up &&
	ip -n "$NS2" addr add 10.30.2.2/24 dev h2 && ip -n "$NS2" link set h2 up &&
	ip -n "$NSR" addr add 10.30.1.1/24 dev r1 && ip -n "$NSR" link set r1 up &&
	ip -n "$NSR" addr add 10.30.2.1/24 dev r2 && ip -n "$NSR" link set r2 up &&
	ip netns exec "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 || return 1
	H1MAC=$(mac_of "$NS1" h1) R1MAC=$(mac_of "$NSR" r1)
	R2MAC=$(mac_of "$NSR" r2) H2MAC=$(mac_of "$NS2" h2)
	# Permanent neighbours: the sink drops everything, ARP replies included,
	# so the router must know h2 (and h1) without asking.
	ip -n "$NSR" neigh replace 10.30.2.2 lladdr "$H2MAC" dev r2 nud permanent &&
	ip -n "$NSR" neigh replace 10.30.1.2 lladdr "$H1MAC" dev r1 nud permanent || return 1
	for i in $(seq 50); do
		[ "$(cat "/run/netns/$NSR" >/dev/null 2>&1; ip -n "$NSR" -o link show r2 | grep -c 'state UP')" = 1 ] &&
		[ "$(ip -n "$NSR" -o link show r1 | grep -c 'state UP')" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

# start NAME NS READY-REGEX CMD...: run CMD in NS in the background, wait
# (bounded) for READY-REGEX on its stdout. Sets $SPID. 0 = ready.
start() {
	local name=$1 ns=$2 ready=$3 i
	shift 3
	# nsenter directly (not the in_ns function): $! must be the program itself,
	# not a subshell that would ignore SIGINT and survive as its parent.
	nsenter --net="/run/netns/$ns" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err" &
	SPID=$!
	PIDS="$PIDS $SPID"
	for i in $(seq 200); do
		grep -qE "$ready" "$TMP/$name.out" 2>/dev/null && return 0
		alive "$SPID" || break
		sleep 0.025
	done
	[ "$name" = xbprobe ] || log "$name did not start: $(tail -c 300 "$TMP/$name.err" | tr '\n' ' ')"
	return 1
}

# Our child PID runs (a zombie, exited but not yet waited for, does not).
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# stop PID [SIGNAL]: signal it and wait at most 5 s (then SIGKILL).
stop() {
	local pid=$1 i
	kill -"${2:-INT}" "$pid" 2>/dev/null
	for i in $(seq 100); do
		alive "$pid" || break
		sleep 0.02
	done
	alive "$pid" && kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
}

# The side under test, by name: SIDE_CMD (array), SIDE_READY (regex).
side() {
	case $1 in
	stack)	SIDE_READY='^sink on'
		SIDE_CMD=("$GEN" sink -i r1 --pass) ;;
	redirect_map)
		SIDE_READY='^Redirecting'
		SIDE_CMD=("$BIN/xdp_redirect_map/xdp_redirect_map" r1 r2 -m "$H2MAC" -I 3600) ;;
	redirect_map_plain)
		SIDE_READY='^Redirecting'
		SIDE_CMD=("$BIN/xdp_redirect_map/xdp_redirect_map" -P r1 r2 -m "$H2MAC" -I 3600) ;;
	cpumap_q2048)
		SIDE_READY='^Steering'
		SIDE_CMD=("$BIN/cpumap/cpumap" -i r1 -p rr -c 1 -q 2048 -I 3600) ;;
	xdp_fwd) SIDE_READY='^Forwarding between'
		SIDE_CMD=("$BIN/xdp_fwd/xdp_fwd" r1 r2 -I 3600) ;;
	router)	SIDE_READY='^Routing IPv4'
		SIDE_CMD=("$BIN/xdp_router_ipv4/xdp_router_ipv4" r1 r2 -I 3600) ;;
	xb_redirect_map | xb_redirect_map_x | xb_redirect_map_S | xb_redirect_map_x_S)
		local x=()
		[[ $1 == xb_redirect_map_x* ]] && x=(-X)
		[[ $1 == *_S ]] && x+=(-S)
		if [ "$XB_OK" = 1 ] && [[ $1 != *_S ]]; then
			SIDE_READY='.'
			SIDE_CMD=("$XDPBENCH" redirect-map r1 r2 -i 3600 "${x[@]}")
		else
			SIDE_READY='^xdpbench_alt'
			SIDE_CMD=("$ALT" redirect-map r1 r2 "${x[@]}")
		fi ;;
	cpumap)	SIDE_READY='^Steering'
		SIDE_CMD=("$BIN/cpumap/cpumap" -i r1 -p rr -c 1 -I 3600) ;;
	xb_redirect_cpu | xb_redirect_cpu_S)
		if [ "$XB_OK" = 1 ] && [ "$1" = xb_redirect_cpu ]; then
			SIDE_READY='.'
			SIDE_CMD=("$XDPBENCH" redirect-cpu r1 -c 1 -p round-robin -r pass -i 3600)
		else
			SIDE_READY='^xdpbench_alt'
			SIDE_CMD=("$ALT" redirect-cpu r1 -c 1 -q 2048)
			if [ "$1" = xb_redirect_cpu_S ]; then SIDE_CMD+=(-S); fi
		fi ;;
	xdpsock) SIDE_READY='^AF_XDP rxdrop'
		SIDE_CMD=("$BIN/xdpsock/xdpsock" -i r1 -r -c -I 3600) ;;
	afpacket)
		SIDE_READY='^afpacket_rx on'
		SIDE_CMD=("$AFP" -i r1) ;;
	*) log "unknown side $1"; return 1 ;;
	esac
}

# A wait (bounded) for XDP on r1 (the one attach every side makes).
wait_xdp_r1() {
	local i
	for i in $(seq 100); do
		ip -n "$NSR" -d link show r1 | grep -q 'prog/xdp' && return 0
		sleep 0.02
	done
	return 1
}

# trial SIDE: one forwarding trial; prints "rate sent received" (rate in
# frames/s; "0 N 0" when the trial failed).
trial_fwd() {
	local s=$1 sink pid_side pid_pass="" rx ns_t
	side "$s" || { echo "0 $N 0"; return; }
	start sink "$NS2" '^sink on' "$GEN" sink -i h2 --idle 200 -d 60 || { echo "0 $N 0"; return; }
	sink=$SPID
	if ! start side "$NSR" "$SIDE_READY" "${SIDE_CMD[@]}" || ! wait_xdp_r1; then
		stop "$sink"; echo "0 $N 0"; return
	fi
	pid_side=$SPID
	in_ns "$NS1" "$GEN" -i h1 -n "$N" -s "$SIZE" -c 0 --dst-mac "$R1MAC" \
		--src-ip 10.30.1.2 --dst-ip 10.30.2.2 > "$TMP/gen.out" 2> "$TMP/gen.err"
	# The sink ends itself 300 ms after the last frame (or at -d 60).
	for i in $(seq 400); do alive "$sink" || break; sleep 0.025; done
	stop "$sink"
	stop "$pid_side"
	cp "$TMP/side.out" "$TMP/last.$s.out"
	read -r rx ns_t < <(sed -n 's/^received \([0-9]*\) frames [0-9]* bytes in \([0-9]*\) ns.*/\1 \2/p' "$TMP/sink.out")
	rate_line "${rx:-0}" "${ns_t:-0}"
}

# Capture trial: the receiver in the router namespace on r1; frames carry a
# foreign destination MAC (a sniffer's view: the stack drops them right at
# ip_rcv, as PACKET_OTHERHOST). Both receivers keep up with the generator
# (every frame arrives, at the generator's rate), so a rate says nothing about
# them: what is measured is what receiving COSTS. The busy CPU time of the
# whole machine (/proc/stat: user, nice, system, irq, softirq, steal) over the
# trial, minus the same over a baseline trial with the same frames dropped by
# XDP on r1 (xdpgen sink: no copy, no socket, no user space), divided by the
# frames user space received: ns of CPU per received frame, kernel delivery
# (in the generator's softirq) and the receiver process together. Prints
# "ns_per_frame sent received" ("0 N 0" when the trial failed).
CLK_TCK=$(getconf CLK_TCK)
busy_ns() {
	awk -v hz="$CLK_TCK" '$1 == "cpu" { printf "%.0f\n", ($2 + $3 + $4 + $7 + $8 + $9) * 1e9 / hz; exit }' /proc/stat
}
NCAP=${NCAP:-5000000}		# frames per capture trial: ~1.5 s, so 10 ms ticks resolve it
[ -n "${BENCH_QUICK:-}" ] && NCAP=1000000
cap_run() {	# cap_run SIDE -> "busy_ns received" for one trial of NCAP frames
	local s=$1 pid_pass="" pid_side rx b0 b1
	if [ "$s" = base ]; then
		SIDE_READY='^sink on' SIDE_CMD=("$GEN" sink -i r1)
	else
		side "$s" || { echo "0 0"; return; }
	fi
	if [ "$s" = afpacket ]; then
		start pass "$NSR" '^sink on' "$GEN" sink -i r1 --pass || { echo "0 0"; return; }
		pid_pass=$SPID
	fi
	if ! start side "$NSR" "$SIDE_READY" "${SIDE_CMD[@]}" || ! wait_xdp_r1; then
		[ -n "$pid_pass" ] && stop "$pid_pass"; echo "0 0"; return
	fi
	pid_side=$SPID
	sleep 0.2	# the start-up work of the side is not the receiver's cost
	b0=$(busy_ns)
	in_ns "$NS1" "$GEN" -i h1 -n "$NCAP" -s "$SIZE" -c 0 --dst-mac 02:00:00:00:00:99 \
		--src-ip 10.30.1.2 --dst-ip 10.30.9.9 > "$TMP/gen.out" 2> "$TMP/gen.err"
	sleep 0.3	# let user space drain what is queued
	b1=$(busy_ns)
	stop "$pid_side"
	[ -n "$pid_pass" ] && stop "$pid_pass"
	cp "$TMP/side.out" "$TMP/last.$s.out"
	case $s in
	base | afpacket) rx=$(sed -n 's/^received \([0-9]*\) frames.*/\1/p' "$TMP/side.out") ;;
	*)	# xdpsock's final: row: time, rx pps, rx total, ...
		rx=$(sed -n '/^final:/{n;p}' "$TMP/side.out" | awk '{gsub(",", "", $3); print $3}') ;;
	esac
	echo "$((b1 - b0)) ${rx:-0}"
}
trial_cap() {
	local base_ns base_rx ns rx
	read -r base_ns base_rx < <(cap_run base)
	read -r ns rx < <(cap_run "$1")
	if [ "${base_rx:-0}" -ne "$NCAP" ] || [ "${rx:-0}" -eq 0 ]; then
		log "capture $1: baseline counted ${base_rx:-0} of $NCAP, side ${rx:-0}"
		echo "0 $NCAP 0"
		return
	fi
	awk -v d="$((ns - base_ns))" -v rx="$rx" -v n="$NCAP" \
		'BEGIN { printf "%.1f %d %d\n", (d > 0 ? d / rx : 0.001), n, rx }'
}

rate_line() {	# received ns -> "rate sent received"
	awk -v rx="$1" -v t="$2" -v n="$N" 'BEGIN { printf "%.0f %d %d\n", (t > 0 ? rx * 1e9 / t : 0), n, rx }'
}

# row ID MEASURE ALABEL BLABEL ANCHOR TRIALFN SIDE_A SIDE_B [NOTE]
# The trial function prints "value sent received"; value is a rate (frames/s,
# higher is better) unless ROW_UNIT is a time per frame (ns/frame: lower is
# better, the ratio is then B/A).
row() {
	local id=$1 measure=$2 la=$3 lb=$4 anchor=$5 fn=$6 a=$7 b=$8 extra=${9:-} i ra rb t0
	t0=$(date +%s%N)
	: > "$TMP/pairs"
	for i in $(seq "${ROW_PAIRS:-$PAIRS}"); do
		if [ $((i % 2)) = 1 ]; then
			ra=$($fn "$a")
			rb=$($fn "$b")
		else
			rb=$($fn "$b")
			ra=$($fn "$a")
		fi
		echo "$ra $rb" >> "$TMP/pairs"
		log "$id pair $i: A $ra  B $rb"
	done
	# A trial whose side did not run (or whose frames never arrived) has rate
	# 0: the row fails instead of printing a ratio of 0.
	if awk '$1 == 0 || $4 == 0 { bad = 1 } END { exit !bad }' "$TMP/pairs"; then
		log "$id FAILED: a trial counted no frames (see the pair lines above)"
		FAILED=1
		return
	fi
	awk -v id="$id" -v m="$measure" -v la="$la" -v lb="$lb" -v anchor="$anchor" -v extra="$extra" \
	    -v unit="${ROW_UNIT:-Mpps}" -v secs="$(( ($(date +%s%N) - t0) / 1000000 ))" '
	function med(v, n,   i, j, t, s) {
		for (i = 1; i <= n; i++) s[i] = v[i]
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
		return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
	}
	function mn(v, n,   i, m) { m = v[1]; for (i = 2; i <= n; i++) if (v[i] < m) m = v[i]; return m }
	function mx(v, n,   i, m) { m = v[1]; for (i = 2; i <= n; i++) if (v[i] > m) m = v[i]; return m }
	{ n++; times = unit != "Mpps"; div = times ? 1 : 1e6
	  A[n] = $1; B[n] = $4
	  R[n] = times ? ($1 > 0 ? $4 / $1 : 0) : ($4 > 0 ? $1 / $4 : 0)
	  lossA += $2 - $3; lossB += $5 - $6; sent = $2 }
	END {
		# Both sides got every frame and the pairs fall on both sides of 1:
		# the generator set the pace for both, so the row is a tie.
		tie = ""
		if (!times && lossA == 0 && lossB == 0 && mn(R, n) <= 1 && mx(R, n) >= 1)
			tie = "; both sides received every frame at the same rate (the generator set it): a tie, neither a win nor a loss"
		printf "ROW\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.2f\t%.2f\t%d\t%s\t" \
		       "loss A %d, B %d of %d x %d frames of 64 B; %d s%s%s\n",
		       id, m, la, lb, unit, med(A, n) / div, mn(A, n) / div, mx(A, n) / div,
		       med(B, n) / div, mn(B, n) / div, mx(B, n) / div,
		       med(R, n), mn(R, n), mx(R, n), n, anchor, lossA, lossB, n, sent, secs / 1000, tie, extra
	}' "$TMP/pairs"
}

for f in "$GEN" "$AFP" "$ALT" "$BIN/xdp_redirect_map/xdp_redirect_map" "$BIN/xdp_fwd/xdp_fwd" "$BIN/xdp_router_ipv4/xdp_router_ipv4" \
	 "$BIN/cpumap/cpumap" "$BIN/xdpsock/xdpsock"; do
	if [ ! -x "$f" ]; then
		log "missing $f (make all $GEN $AFP)"
		exit 1
	fi
done
t_start=$(date +%s)
if ! setup 2> "$TMP/setup.err"; then
	log "topology setup failed: $(head -c 300 "$TMP/setup.err")"
	exit 1
fi

# Can xdp-bench (xdp-tools) load here? Debian 12's 1.3.1 cannot on kernels
# without the xdp_redirect_map_err tracepoint (6.18 has none): then the B side
# of the DEVMAP and CPUMAP rows is bench/xdpbench_alt, the same data path.
XB_OK=0
XB_WHY="xdp-bench not installed"
if [ -x "$XDPBENCH" ]; then
	if start xbprobe "$NSR" '.' "$XDPBENCH" redirect-map r1 r2 -i 3600 && wait_xdp_r1; then
		XB_OK=1
	else
		XB_WHY="xdp-bench failed to load here: $(grep -m1 -o "failed to find kernel BTF type ID of '[a-z_]*'" "$TMP/xbprobe.err")"
	fi
	stop "$SPID"
fi
if [ "$XB_OK" = 1 ]; then
	XB_MAP="xdp-bench redirect-map" XB_CPU="xdp-bench redirect-cpu -p round-robin -r pass" XB_NOTE=""
else
	log "$XB_WHY; B of the devmap/cpumap rows = bench/xdpbench_alt (its programs and default statistics)"
	XB_MAP="xdp-bench redirect-map (as xdpbench_alt)"
	XB_CPU="xdp-bench redirect-cpu -p round-robin -r pass (as xdpbench_alt, qsize 2048)"
	XB_NOTE=" (B rebuilt as bench/xdpbench_alt, with xdp-bench's programs and default statistics: $XB_WHY)"
fi

# Every row sends with tools/xdpgen, whose frames are live test runs
# (BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES). Where the platform
# refuses them with EPERM (tools/bpfprobe live_frames says "refused EPERM
# live-run"; this machine did on some days), each row prints "not measured"
# with that reason (a NOROW line, see bench/run) and the group still ends with
# 0. Any other probe answer fails the group.
LIVE_PROBE=$("$BUILD/tools/bpfprobe" live_frames 2>&1)
case $LIVE_PROBE in
allowed)	;;
"refused EPERM live-run")
	LIVE_WHY="the kernel refuses BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: EPERM (tools/bpfprobe live_frames)"
	log "no row measured: $LIVE_WHY"
	row() { printf 'NOROW\t%s\t%s\t%s\n' "$1" "$2" "$LIVE_WHY"; } ;;
*)	log "tools/bpfprobe live_frames failed: $LIVE_PROBE"
	exit 1 ;;
esac

FAILED=0
want() { [ ${#ROWS[@]} -eq 0 ] || printf '%s\n' "${ROWS[@]}" | grep -qx "$1"; }
ROWS=("$@")
want fwd_redirect_map &&
	row fwd_redirect_map "XDP forwarding ns1 -> ns2 on veth" xdp_redirect_map \
	    "stack forwarding" "-" trial_fwd redirect_map stack
want fwd_xdp_fwd &&
	row fwd_xdp_fwd "XDP forwarding with routing" xdp_fwd "stack forwarding" \
	    "2.5-3x in the XDP paper" trial_fwd xdp_fwd stack
want fwd_router &&
	row fwd_router "XDP forwarding with routing" xdp_router_ipv4 "stack forwarding" \
	    "2.5-3x in the XDP paper" trial_fwd router stack
# The DEVMAP rows, like for like: the sample's default (a struct bpf_devmap_val
# entry with an egress program that writes the source MAC) against xdp-bench
# with its egress program (-X, --load-egress); the sample's -P (plain ifindex
# entry, no egress program) against xdp-bench's default, which has none.
want devmap &&
	ROW_PAIRS=$PAR_PAIRS row devmap "XDP redirect through DEVMAP, egress program" xdp_redirect_map "$XB_MAP -X" \
	    ">= 1.0" trial_fwd redirect_map xb_redirect_map_x "$XB_NOTE"
want devmap_plain &&
	ROW_PAIRS=$PAR_PAIRS row devmap_plain "XDP redirect through DEVMAP, plain ifindex entry" "xdp_redirect_map -P" \
	    "$XB_MAP" ">= 1.0" trial_fwd redirect_map_plain xb_redirect_map "$XB_NOTE"
# Diagnostic only (by name): B without the statistics tracepoints that
# xdp-bench attaches by default (xdpbench_alt -S), the bare data path.
[ ${#ROWS[@]} -gt 0 ] && want devmap_nostats &&
	row devmap_nostats "DEVMAP, egress program; B without its statistics" xdp_redirect_map \
	    "xdpbench_alt redirect-map -X -S" "-" trial_fwd redirect_map xb_redirect_map_x_S
[ ${#ROWS[@]} -gt 0 ] && want devmap_plain_nostats &&
	row devmap_plain_nostats "DEVMAP, plain entry; B without its statistics" "xdp_redirect_map -P" \
	    "xdpbench_alt redirect-map -S" "-" trial_fwd redirect_map_plain xb_redirect_map_S
[ ${#ROWS[@]} -gt 0 ] && want cpumap_nostats &&
	row cpumap_nostats "CPU steering; B without its statistics" "cpumap -p rr -c 1" \
	    "xdpbench_alt redirect-cpu -S" "-" trial_fwd cpumap xb_redirect_cpu_S
[ ${#ROWS[@]} -gt 0 ] && want cpumap_q2048 &&
	row cpumap_q2048 "CPU steering, -q 2048" "cpumap -p rr -c 1 -q 2048" "$XB_CPU" \
	    ">= 1.0" trial_fwd cpumap_q2048 xb_redirect_cpu "$XB_NOTE"
want cpumap &&
	ROW_PAIRS=$PAR_PAIRS row cpumap "CPU steering" "cpumap -p rr -c 1" "$XB_CPU" \
	    ">= 1.0" trial_fwd cpumap xb_redirect_cpu "$XB_NOTE"
# Both receivers take every frame the generator can send, so the row measures
# what receiving costs: CPU ns per received frame (see trial_cap).
want capture &&
	ROW_UNIT=ns/frame row capture "packet capture to user space, CPU per frame" \
	    "xdpsock rxdrop (copy)" "AF_PACKET TPACKET_V3 receiver" "-" trial_cap xdpsock afpacket \
	    "; ns/frame = whole-machine busy CPU over the trial minus a baseline trial (XDP_DROP on r1), per frame user space received"
log "done in $(( $(date +%s) - t_start )) s"
exit "$FAILED"
