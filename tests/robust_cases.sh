#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# robustness: bad input, signals, SIGKILL, two instances (every binary)
#
# bash tests/robust_cases.sh [SAMPLE...]   (root, after make; no args = every sample)
#
# Table-driven: every sample binary gets the same cases. A sample is found the way
# the Makefile finds it (<s>/<s>_kern.c; binary $BIN/<s>/<s>), and which cases
# apply is read from its -h text (-d/--duration, -I/--interval, -i/--interface,
# -c/--cgroup DIR, -p/--pid PID, -m/--map PATH, positional [IFACE...] / [IN OUT]).
# A new sample joins by being there. TESTING.md lists the cases.
#
# Every case prints one PASS/FAIL line (tests/lib.sh); at the end FIGURE lines
# count the cases that actually ran.
set -u
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/.." || exit 1
. tests/lib.sh
BUILD=${BUILD:-build}
# Without jq or bpftool the leftover checks would see nothing and pass.
need_tool robust/tools jq bpftool ping sysctl nsenter setpriv timeout || exit 1

TAG=rb$$
NSA=${TAG}a NSB=${TAG}b		# our named netns for the two-instance cases
CGROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
# A data row: a time column ("    1.0  ...") or a numbered connection ("#1 fd ...").
ROW='^( +[0-9]+\.[0-9]+ +[^ ]|#[0-9]+ )'

# ---- the only per-sample exceptions ------------------------------------------
# IF_EXTRA: options a sample needs next to -i IFACE for -i to be valid.
#   cgroup_array -i tests membership of a cgroup, so it needs -c (the v2 root:
#   every task is in it) and -p (count, do not drop).
#   bloom_filter -i drops the sources given with -a: the peer's address.
declare -A IF_EXTRA=( [cgroup_array]="-c $CGROOT -p" [bloom_filter]="-a 10.77.0.2" )
# TWO_DEMOS: samples whose no-argument demo is also run twice at once (a socket
#   filter and an XDP one; every demo has its own anonymous namespaces).
TWO_DEMOS="sockex1 xdp_stats"
# ------------------------------------------------------------------------------

N_BAD=0 N_SIG=0 N_KILL=0 N_TWO=0

cleanup_ns() {
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
}
trap 'cleanup_ns; rm -rf "$E2E_TMP"' EXIT

samples=()
for d in */; do
	s=$(basename "$d")
	[ -f "$s/${s}_kern.c" ] || continue
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$s"; then
		continue
	fi
	samples+=("$s")
done

# ---- what a sample offers, from its -h ---------------------------------------
# Sets OPT[long]=short, ARG[long]=value name, POS_N (interfaces taken as
# positional arguments: 0, 1 for "[IFACE...]", 2 for "[IN OUT]"), UNKNOWN (a
# short option letter the sample does not have).
parse_help() {
	local h long short an pos
	h=$("$BIN/$1/$1" -h 2>&1)
	OPT=() ARG=()
	while read -r short long an; do
		OPT[$long]=$short
		ARG[$long]=$an
	done < <(sed -nE 's/^ +-([A-Za-z]), --([a-z][a-z-]*)( ([A-Z][A-Z_]*))?.*/\1 \2 \4/p' <<< "$h")
	pos=$(sed -nE '1s/^Usage: [^ ]+ \[options\] *(\[[^]]*\])?.*/\1/p' <<< "$h")
	if [ -z "$pos" ]; then POS_N=0
	elif [[ $pos == *...* ]]; then POS_N=1
	else POS_N=$(wc -w <<< "${pos//[][]/}")
	fi
	UNKNOWN=""
	for u in Q K J Y W; do
		grep -q -- "-$u\b" <<< "$h" || { UNKNOWN=$u; break; }
	done
}
declare -A OPT ARG

# The arguments that put sample S on interfaces NAME... (-i or positionals).
iface_args() {
	local s=$1
	shift
	if [ -n "${OPT[interface]:-}" ]; then
		echo "-${OPT[interface]} $1 ${IF_EXTRA[$s]:-}"
	else
		echo "${@:1:$POS_N}"
	fi
}

# ---- what sample S has in the kernel, in one pass -----------------------------
# One line per BPF program, link and map bearing one of S's names (the kernel
# keeps 15 characters of a name, so names compare on those; ids differ
# per run, so a line that is new after a run is a leftover), per XDP/tc
# attachment (this netns) and cgroup attachment of its programs, per cgroup
# directory named "S.<pid>", and per named netns or pin whose name has S's name
# or "demo" in it (other helpers make theirs at the same time, with their tags).
robust_state() {
	local s=$1
	{
		bpftool -j prog show; echo
		bpftool -j link show; echo
		bpftool -j map show; echo
		bpftool -j net show; echo
		bpftool -j cgroup tree "${CGROOT:-/}"; echo
	} 2>/dev/null | jq -rs --arg names "$(own_names "$s")" '
		($names | split("\n") | map(.[0:15])) as $own
		| def own: .[0:15] as $n | $own | index([$n]) != null;
		  def arr(i): (.[i] // []) | if type == "array" then . else [] end;
		  (arr(0) | map({key: (.id | tostring), value: (.name // "")}) | from_entries) as $pn
		| (arr(0)[] | select(.name // "" | own) | "prog \(.id) \(.name)"),
		  (arr(1)[] | select($pn[.prog_id | tostring] // "" | own)
		      | "link \(.id) \($pn[.prog_id | tostring])"),
		  (arr(2)[] | select(.name // "" | own) | "map \(.id) \(.name)"),
		  (arr(3)[] | to_entries[] | .key as $k | .value[]
		      | ((.id // .prog_id) | tostring) as $id | select($pn[$id] // "" | own)
		      | "attached \($k) \(.devname) \($pn[$id])"),
		  (arr(4)[] | .cgroup as $c | .programs[]? | select(.name // "" | own)
		      | "attached cgroup \($c) \(.attach_type) \(.name)")'
	ls -d "$CGROOT/$s".[0-9]* 2>/dev/null | sed 's/^/cgroup-dir /'
	ip netns list 2>/dev/null | awk -v s="$s" 'index($1, s) || index($1, "demo") {print "netns " $1}'
	find /sys/fs/bpf -mindepth 1 2>/dev/null | grep -F -e "$s" -e demo | sed 's/^/pin /'
}
# held_ids: "kind id" of every BPF object some live process holds open (from
# /proc/*/fdinfo; a link's fdinfo names its program too), and the maps of those
# programs.
held_ids() {
	local direct
	direct=$(find /proc/[0-9]*/fd -lname 'anon_inode:bpf*' 2>/dev/null | sed 's|/fd/|/fdinfo/|' |
		xargs -r awk '/^(prog|map|link)_id:/ { sub("_id:", "", $1); print $1, $2 }' 2>/dev/null)
	echo "$direct"
	# ... and the maps that those programs use.
	bpftool -j prog show 2>/dev/null | jq -r --arg held "$direct" '
		($held | split("\n") | map(select(startswith("prog "))[5:] | tonumber)) as $ids
		| .[] | select(.id as $i | $ids | index([$i])) | .map_ids[]? | "map \(.)"'
}
# state_left BEFORE S: what robust_state S shows now that BEFORE did not, after
# waiting up to 5 s for the kernel's deferred freeing. Empty = nothing left.
# Called once our run has exited: a program, link or map of S's that a live
# process still holds open belongs to a run of S by someone else (other helpers
# run the same samples at the same time), so it does not count; what nobody
# holds (kept by an attachment or a pin) does.
state_left() {
	local i new held end
	end=$(awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.1f", t + 5 }')
	for i in $(seq 100); do
		new=$(comm -13 <(sort <<< "$1") <(robust_state "$2" | sort))
		if [ -n "$new" ] && grep -qE '^(prog|link|map) ' <<< "$new"; then
			held=$(held_ids)
			new=$(awk 'NR == FNR { h[$1 " " $2] = 1; next } !h[$1 " " $2]' \
				<(echo "$held") - <<< "$new")
		fi
		[ -z "$new" ] && return 0
		[ -n "${RB_TIMES:-}" ] && [ "$i" = 10 ] && echo "waiting for: $(echo $new)" >&2
		# Only programs, links, maps and attachments are freed late.
		grep -qE '^(prog|link|map|attached) ' <<< "$new" || break
		awk -v t="$EPOCHREALTIME" -v e="$end" 'BEGIN { exit !(t > e) }' && break
		sleep 0.1
	done
	echo "$new"
}

# All descendants of PID, one per line.
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# wait_row FILE PID: until FILE has a data row (true) or PID is gone / 10 s.
wait_row() {
	local i
	for i in $(seq 100); do
		grep -qE "$ROW" "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---- bad input -----------------------------------------------------------------
# bad S CASE WANT_RC MENTION ARGS...: exit WANT_RC (2 usage, 1 runtime), one line
# on stderr that contains MENTION, no data rows on stdout. $RUNAS (optional)
# prefixes the command (setpriv for the no-privileges case). The verdict is
# kept in BAD_RESULTS; bad_flush checks "nothing left" once for the batch.
RUNAS=()
BAD_RESULTS=()
BAD_CMDS=()
bad() {
	local s=$1 c=$2 want=$3 mention=$4 name="robust/$1/bad_input/$2" errl outl l rows=""
	shift 4
	N_BAD=$((N_BAD + 1))
	run rbbad 10 "${RUNAS[@]}" "$BIN/$s/$s" "$@"
	# Read with builtins only: ~220 cases, and forks are slow on a loaded machine.
	mapfile -t errl < "$E2E_TMP/rbbad.err"
	mapfile -t outl < "$E2E_TMP/rbbad.out"
	for l in "${outl[@]}"; do
		[[ $l =~ $ROW|^final ]] && { rows=$l; break; }
	done
	if [ "$RC" -ge 124 ]; then
		BAD_RESULTS+=("FAIL $name: exit $RC (crash, core or hang), want $want")
	elif [ "$RC" -ne "$want" ]; then
		BAD_RESULTS+=("FAIL $name: exit $RC, want $want: $(tails rbbad)")
	elif [ "${#errl[@]}" -ne 1 ]; then
		BAD_RESULTS+=("FAIL $name: ${#errl[@]} lines on stderr, want 1: $(head -c 300 "$E2E_TMP/rbbad.err" | tr '\n' '|')")
	elif [[ ${errl[0]} != *"$mention"* ]]; then
		BAD_RESULTS+=("FAIL $name: stderr does not name '$mention': ${errl[0]}")
	elif [ -n "$rows" ]; then
		BAD_RESULTS+=("FAIL $name: data on stdout: $rows")
	else
		BAD_RESULTS+=("PASS $name")
	fi
	BAD_CMDS+=("$(printf '%q ' "${RUNAS[@]}" "$BIN/$s/$s" "$@")")
}
# bad_flush S BEFORE: nothing may be left after the whole batch (one state
# check, as each check costs ~0.2 s); if something is, every case is re-run
# alone with its own before/after check so the FAIL names the culprit.
bad_flush() {
	local s=$1 before=$2 left i r
	left=$(state_left "$before" "$s")
	[ -n "$left" ] && [ -n "${RB_TIMES:-}" ] && echo "batch left: $(echo $left)" >&2
	for i in "${!BAD_RESULTS[@]}"; do
		r=${BAD_RESULTS[$i]}
		if [ -n "$left" ] && [ "${r%% *}" = PASS ]; then
			local b1 l1
			b1=$(robust_state "$s")
			eval "timeout -k 2 10 ${BAD_CMDS[$i]}" > /dev/null 2>&1
			l1=$(state_left "$b1" "$s")
			[ -n "$l1" ] && r="FAIL ${r#PASS }: left behind: $(echo $l1)"
		fi
		echo "$r"
	done
	BAD_RESULTS=() BAD_CMDS=()
}

# A pid that does not exist (below pid_max, so it is a valid number).
free_pid() {
	local p
	for p in $(seq 4194000 4194300); do
		[ -e "/proc/$p" ] || { echo "$p"; return; }
	done
}

bad_inputs() {
	local s=$1 long40 d i before
	before=$(robust_state "$s")
	long40=$(printf 'rb%.0s' $(seq 20))	# 40 characters, IFNAMSIZ is 16
	bad "$s" unknown_short 2 "-$UNKNOWN" -"$UNKNOWN" -d 1
	bad "$s" unknown_long 2 "--nosuch-rb" --nosuch-rb -d 1
	if [ -n "${OPT[duration]:-}" ]; then
		d=-${OPT[duration]}
		bad "$s" d_missing_value 2 "$d" "$d"
		bad "$s" duration_missing_value 2 "--duration" --duration
		bad "$s" d_abc 2 "'abc'" "$d" abc
		bad "$s" d_1x 2 "'1x'" "$d" 1x
		bad "$s" d_negative 2 "'-1'" "$d" -1
		bad "$s" d_empty 2 "''" "$d" ''
		bad "$s" d_zero 2 "'0'" "$d" 0
		bad "$s" d_86401 2 "'86401'" "$d" 86401
		bad "$s" d_huge 2 "'99999999999999999999'" "$d" 99999999999999999999
	fi
	if [ -n "${OPT[interval]:-}" ]; then
		i=-${OPT[interval]}
		bad "$s" I_zero 2 "'0'" "$i" 0 -d 1
		bad "$s" I_abc 2 "'abc'" "$i" abc -d 1
	fi
	if [ "$POS_N" -eq 0 ]; then
		bad "$s" stray_argument 2 "stray_rb" stray_rb -d 1
	fi
	if [ -n "${OPT[interface]:-}" ] || [ "$POS_N" -gt 0 ]; then
		# shellcheck disable=SC2046
		bad "$s" iface_unknown 1 "nosuch_rb0" $(iface_args "$s" nosuch_rb0 nosuch_rb1) -d 1
		# shellcheck disable=SC2046
		bad "$s" iface_too_long 1 "$long40" $(iface_args "$s" "$long40" "${long40%b}x") -d 1
	fi
	if [ "${ARG[cgroup]:-}" = DIR ]; then
		bad "$s" cgroup_missing 1 "$CGROOT/nosuch_$TAG" -"${OPT[cgroup]}" "$CGROOT/nosuch_$TAG" -d 1
	fi
	if [ "${ARG[pid]:-}" = PID ]; then
		local p
		p=$(free_pid)
		bad "$s" pid_missing 1 "$p" -"${OPT[pid]}" "$p" -d 1
		bad "$s" pid_abc 2 "'abc'" -"${OPT[pid]}" abc -d 1
	fi
	if [ "${ARG[map]:-}" = PATH ]; then
		bad "$s" pin_missing 1 "/sys/fs/bpf/nosuch_$TAG" -"${OPT[map]}" "/sys/fs/bpf/nosuch_$TAG" -d 1
	fi
	RUNAS=(setpriv --inh-caps=-all --bounding-set=-all --reuid=65534 --regid=65534 --clear-groups)
	bad "$s" no_privileges 1 "sudo" -d 1
	RUNAS=()
	bad_flush "$s" "$before"
}

# ---- signals during the demo -----------------------------------------------------
# SIGINT/SIGTERM after the first data row: exit 0, a final: line followed by the
# summary, nothing left (no program/link/map, attachment, cgroup, netns, pin).
signal_case() {
	local s=$1 sig=$2 name="robust/$1/SIG$2_during_demo"
	N_SIG=$((N_SIG + 1))
	local before left pid rc ok="" kids="" alive
	before=$(robust_state "$s")
	"$BIN/$s/$s" -d 30 -I 0.2 > "$E2E_TMP/rbsig.out" 2> "$E2E_TMP/rbsig.err" &
	pid=$!
	wait_row "$E2E_TMP/rbsig.out" "$pid" && ok=1 && kids=$(descendants "$pid")
	kill -"$sig" "$pid" 2>/dev/null
	wait_exit "$pid" 100 2>/dev/null
	rc=$?
	alive=$(still_running $kids)
	left=$(state_left "$before" "$s")
	if [ -z "$ok" ]; then
		fail "$name" "no data row within 10 s (exit $rc): $(tails rbsig)"
	elif [ "$rc" != 0 ]; then
		fail "$name" "exit $rc after SIG$sig, want 0: $(tails rbsig)"
	elif ! grep -q '^final' "$E2E_TMP/rbsig.out"; then
		fail "$name" "no final: line: $(tails rbsig)"
	elif [ -z "$(sed -n '/^final/,$p' "$E2E_TMP/rbsig.out" | sed 1d | grep -v '^ *$')" ]; then
		fail "$name" "nothing printed after final: $(tails rbsig)"
	elif [ -n "$alive" ]; then
		fail "$name" "child processes still running:$alive"
		kill -9 $alive 2>/dev/null
	elif [ -n "$left" ]; then
		fail "$name" "left behind: $(echo $left)"
	else
		pass "$name"
	fi
}

# still_running PID...: those of PID... that have not exited, waiting up to 3 s.
still_running() {
	local i k alive=""
	for i in $(seq 30); do
		alive=""
		for k in "$@"; do
			[ -e "/proc/$k" ] && [ "$(awk '{print $3}' "/proc/$k/stat" 2>/dev/null)" != Z ] && alive="$alive $k"
		done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	echo "$alive"
}

# ---- SIGKILL during the demo -------------------------------------------------------
# Nothing of the sample's may be left: program/link/map, XDP/tc attachment,
# cgroup attachment, netns, pin, child process, cgroup directory. A demo cgroup
# is removed by the reaper made with it (common/cgroup.c) once the sample is
# gone, so it gets the same 3 s as the kernel's deferred frees.
sigkill_case() {
	local s=$1 name="robust/$1/SIGKILL_during_demo"
	N_KILL=$((N_KILL + 1))
	local before left pid kids during alive i
	before=$(robust_state "$s")
	"$BIN/$s/$s" -d 30 -I 0.2 > "$E2E_TMP/rbkill.out" 2> "$E2E_TMP/rbkill.err" &
	pid=$!
	if ! wait_row "$E2E_TMP/rbkill.out" "$pid"; then
		kill -9 "$pid" 2>/dev/null
		wait_exit "$pid" 50 2>/dev/null
		fail "$name" "no data row within 10 s: $(tails rbkill)"
		return
	fi
	kids=$(descendants "$pid")
	during=$(robust_state "$s" | grep -c '^prog ')
	kill -9 "$pid"
	wait_exit "$pid" 50 2>/dev/null
	alive=$(still_running $kids)
	for i in $(seq 30); do
		left=$(state_left "$before" "$s")
		grep -q '^cgroup-dir ' <<< "$left" || break
		sleep 0.1
	done
	if [ "$during" -eq 0 ]; then
		fail "$name" "no program of its own was loaded while it ran"
	elif [ -n "$alive" ]; then
		fail "$name" "child processes still running after SIGKILL:$alive"
		kill -9 $alive 2>/dev/null
	elif [ -n "$left" ]; then
		fail "$name" "left behind after SIGKILL: $(echo $left)"
	else
		pass "$name"
	fi
}

# ---- two instances on one interface -------------------------------------------------
# rbNNNa: rbv0 10.77.0.1/24, rbw0 10.77.1.1/24; rbNNNb: their peers rbv1, rbw1 (.2).
setup_ns() {
	cleanup_ns
	ip netns add "$NSA" && ip netns add "$NSB" || return 1
	local a="ip -n $NSA" b="ip -n $NSB"
	for n in "$NSA" "$NSB"; do
		nsenter --net="/run/netns/$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$n" link set lo up
	done
	$a link add rbv0 type veth peer name rbv1 netns "$NSB" &&
	$a link add rbw0 type veth peer name rbw1 netns "$NSB" &&
	$a addr add 10.77.0.1/24 dev rbv0 && $a addr add 10.77.1.1/24 dev rbw0 &&
	$b addr add 10.77.0.2/24 dev rbv1 && $b addr add 10.77.1.2/24 dev rbw1 &&
	$a link set rbv0 up && $a link set rbw0 up && $b link set rbv1 up && $b link set rbw1 up
}
IN_A=(nsenter --net="/run/netns/$NSA")
IN_B=(nsenter --net="/run/netns/$NSB")

# The numbers of each complete tick of a run's output (all rows with one time
# value, but the last time value, which may still be printing), one line per
# tick, one number per field position; non-numeric fields are 0.
tick_vectors() {
	awk '/^ +[0-9]+\.[0-9]+ / { if ($1 != cur) { if (cur != "") print curv; cur = $1; curv = "" }
		for (i = 2; i <= NF; i++) { v = $i; gsub(",", "", v); curv = curv " " (v ~ /^[0-9]+$/ ? v : 0) } }' "$1"
}
# counts_grew QUIET1 QUIET2 NOW: true if a position that did not change between
# the two quiet ticks (so not a time, version or id) is larger now, or a new
# position (a new row) is non-zero.
counts_grew() {
	awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { na = split(a, A); nb = split(b, B); nc = split(c, C)
		for (i = 1; i <= nc; i++) {
			if (i > nb) { if (C[i] > 0) exit 0; continue }
			if (i <= na && A[i] != B[i]) continue
			if (C[i] + 0 > B[i] + 0) exit 0
		}
		exit 1 }'
}

two_instances() {
	local s=$1 name="robust/$1/two_instances" args pid rc q1="" q2="" i grew="" xdp other
	N_TWO=$((N_TWO + 1))
	args=$(iface_args "$s" rbv0 rbw0)
	local before
	before=$(robust_state "$s")
	# shellcheck disable=SC2086
	"${IN_A[@]}" "$BIN/$s/$s" $args -I 0.2 -d 60 > "$E2E_TMP/rbtwo1.out" 2> "$E2E_TMP/rbtwo1.err" &
	pid=$!
	if ! wait_row "$E2E_TMP/rbtwo1.out" "$pid"; then
		kill -9 "$pid" 2>/dev/null; wait_exit "$pid" 50 2>/dev/null
		fail "$name" "first instance printed no data row: $(tails rbtwo1)"
		return
	fi
	# Two quiet ticks: what changes without traffic (time, versions, ids).
	local n0=0
	for i in $(seq 50); do
		n0=$(tick_vectors "$E2E_TMP/rbtwo1.out" | wc -l)
		[ "$n0" -ge 2 ] && break
		sleep 0.1
	done
	q1=$(tick_vectors "$E2E_TMP/rbtwo1.out" | sed -n "$((n0 - 1))p")
	q2=$(tick_vectors "$E2E_TMP/rbtwo1.out" | sed -n "${n0}p")
	# The second instance must refuse with one line naming the interface.
	# shellcheck disable=SC2086
	run rbtwo2 10 "${IN_A[@]}" "$BIN/$s/$s" $args -d 2
	local bad2=""
	if [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ]; then
		bad2="second instance exit $RC, want a refusal: $(tails rbtwo2)"
	elif [ "$(wc -l < "$E2E_TMP/rbtwo2.err")" -ne 1 ]; then
		bad2="second instance: $(wc -l < "$E2E_TMP/rbtwo2.err") lines on stderr, want 1: $(err rbtwo2 | tr '\n' '|')"
	elif ! grep -q 'rbv0' "$E2E_TMP/rbtwo2.err" || ! grep -qiE 'already|another|busy' "$E2E_TMP/rbtwo2.err"; then
		bad2="second instance does not say rbv0 is taken: $(err rbtwo2)"
	fi
	# An XDP sample: a different XDP sample on the same interface gets the
	# kernel's EBUSY, and must say which program holds it.
	xdp=$("${IN_A[@]}" bpftool net show dev rbv0 2>/dev/null | sed -nE 's/.*\bid ([0-9]+).*/\1/p' | head -1)
	if [ -z "$bad2" ] && [ -n "$xdp" ] && "${IN_A[@]}" bpftool net show dev rbv0 | grep -q "^rbv0.*driver\|^rbv0.*generic"; then
		other=xdp_stats
		[ "$s" = xdp_stats ] && other=map_in_map
		if [ -x "$BIN/$other/$other" ]; then
			run rbtwo3 10 "${IN_A[@]}" "$BIN/$other/$other" -i rbv0 -d 2
			if [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ] || [ "$(wc -l < "$E2E_TMP/rbtwo3.err")" -ne 1 ] ||
			   ! grep -q "rbv0 already has an XDP program.*id [0-9]" "$E2E_TMP/rbtwo3.err"; then
				bad2="$other on the same rbv0: exit $RC, want one line 'rbv0 already has an XDP program (id N)': $(err rbtwo3 | tr '\n' '|')"
			fi
		fi
	fi
	# The first one still counts traffic sent after the refusal: a tick after
	# the quiet ones has a larger count. Pings, and 5 UDP datagrams from 5
	# sockets to each address (5 flows: for samples that count flows).
	local pings=""
	"${IN_B[@]}" timeout 5 ping -q -c 5 -i 0.05 -W 1 10.77.0.1 > /dev/null 2>&1 &
	pings="$pings $!"
	"${IN_B[@]}" timeout 5 ping -q -c 5 -i 0.05 -W 1 10.77.1.1 > /dev/null 2>&1 &
	pings="$pings $!"
	"${IN_B[@]}" timeout 5 bash -c 'for i in 1 2 3 4 5; do echo x > /dev/udp/10.77.0.1/9;
		echo x > /dev/udp/10.77.1.1/9; sleep 0.05; done' > /dev/null 2>&1 &
	pings="$pings $!"
	for i in $(seq 40); do
		while read -r v; do
			counts_grew "$q1" "$q2" "$v" && { grew=1; break; }
		done < <(tick_vectors "$E2E_TMP/rbtwo1.out" | sed "1,${n0}d")
		[ -n "$grew" ] && break
		sleep 0.1
	done
	for i in $pings; do kill "$i" 2>/dev/null; wait_exit "$i" 20; done
	kill -INT "$pid" 2>/dev/null
	wait_exit "$pid" 100 2>/dev/null
	rc=$?
	local left
	left=$(state_left "$before" "$s")
	if [ -n "$bad2" ]; then
		fail "$name" "$bad2"
	elif [ -z "$grew" ]; then
		fail "$name" "first instance counted nothing after the refusal: $(tails rbtwo1)"
	elif [ "$rc" -ne 0 ] || ! grep -q '^final' "$E2E_TMP/rbtwo1.out"; then
		fail "$name" "first instance: exit $rc on SIGINT, or no final: line: $(tails rbtwo1)"
	elif [ -n "$left" ]; then
		fail "$name" "left behind: $(echo $left)"
	else
		pass "$name (refused: $(err rbtwo2 | head -c 120))"
	fi
}

# Two no-argument demos of the same sample at once: both work (each has its own
# anonymous namespaces), both exit 0 with their final: line.
two_demos() {
	local s=$1 name="robust/$1/two_demos_at_once" p1 p2 r1 r2
	N_TWO=$((N_TWO + 1))
	"$BIN/$s/$s" -d 2 > "$E2E_TMP/rbdemo1.out" 2> "$E2E_TMP/rbdemo1.err" &
	p1=$!
	"$BIN/$s/$s" -d 2 > "$E2E_TMP/rbdemo2.out" 2> "$E2E_TMP/rbdemo2.err" &
	p2=$!
	wait_exit "$p1" 150; r1=$?
	wait_exit "$p2" 150; r2=$?
	if [ "$r1" -ne 0 ] || [ "$r2" -ne 0 ]; then
		fail "$name" "exits $r1 and $r2: $(tails rbdemo1) $(tails rbdemo2)"
	elif ! grep -q '^final' "$E2E_TMP/rbdemo1.out" || ! grep -q '^final' "$E2E_TMP/rbdemo2.out"; then
		fail "$name" "no final: line: $(tails rbdemo1) $(tails rbdemo2)"
	else
		pass "$name"
	fi
}


# RB_TIMES=1: how long each group of cases took, on stderr.
timed() {
	local t0=$EPOCHREALTIME
	"$@"
	[ -n "${RB_TIMES:-}" ] && awk -v a="$t0" -v b="$EPOCHREALTIME" -v w="$*" \
		'BEGIN { printf "time %-30s %5.1f s\n", w, b - a }' >&2
	return 0
}

# RB_JOBS workers (default 3) share the samples, each a copy of this script
# with its own temporary directory and netns names (its own $$); their lines
# are printed in order when all are done, and their FIGURE lines summed. A
# worker prints "DONE <s>" when it has finished a sample: a sample without it
# (the worker crashed, or ran past RB_WORKER_TIMEOUT seconds and was killed)
# is a FAIL line that says so.
jobs=${RB_JOBS:-3}
if [ -z "${RB_WORKER:-}" ] && [ "$jobs" -gt 1 ] && [ "${#samples[@]}" -gt 1 ]; then
	limit=${RB_WORKER_TIMEOUT:-1800}
	pids=()
	declare -A worker_of=()
	for w in $(seq "$jobs"); do
		mine=()
		for i in "${!samples[@]}"; do
			if [ $((i % jobs + 1)) -eq "$w" ]; then
				mine+=("${samples[$i]}")
				worker_of[${samples[$i]}]=$w
			fi
		done
		[ "${#mine[@]}" -gt 0 ] || continue
		RB_WORKER=$w bash "$SELF" "${mine[@]}" > "$E2E_TMP/worker$w.log" &
		pids[$w]=$!
	done
	declare -A ended=()
	for w in "${!pids[@]}"; do
		wait_exit "${pids[$w]}" $((limit * 10))
		rc=$?
		if [ "$rc" -eq 137 ]; then
			ended[$w]="was killed after $limit s (RB_WORKER_TIMEOUT)"
		elif [ "$rc" -ne 0 ]; then
			ended[$w]="exited with status $rc"
		else
			ended[$w]="ended"
		fi
	done
	grep -hv -e '^FIGURE ' -e '^DONE ' "$E2E_TMP"/worker*.log
	for s in "${samples[@]}"; do
		w=${worker_of[$s]}
		grep -qx "DONE $s" "$E2E_TMP/worker$w.log" ||
			fail "robust/$s" "worker $w ${ended[$w]} before it finished this sample's cases"
	done
	cat "$E2E_TMP"/worker*.log | awk '$1 == "FIGURE" { n[$2] += $3 }
		END { split("bad-inputs signals sigkill two-instances", k, " ")
		      for (i = 1; i <= 4; i++) print "FIGURE", k[i], n[k[i]] + 0 }'
	exit 0
fi

ns_ok=""
for s in "${samples[@]}"; do
	if [ ! -x "$BIN/$s/$s" ]; then
		why=$(no_compiler "$s")
		if [ -n "$why" ]; then skip "robust/$s" "$why"
		else fail "robust/$s" "binary $BIN/$s/$s not built"; fi
		echo "DONE $s"
		continue
	fi
	parse_help "$s"
	timed bad_inputs "$s"
	why=$(refused "$s")	# the kernel refuses what the demo needs (tests/lib.sh)
	if [ -n "$why" ]; then
		skip "robust/$s/demo_cases" "$why"
		echo "DONE $s"
		continue
	fi
	timed signal_case "$s" INT
	timed signal_case "$s" TERM
	timed sigkill_case "$s"
	if [ -n "${OPT[interface]:-}" ] || [ "$POS_N" -gt 0 ]; then
		if [ -z "$ns_ok" ]; then
			setup_ns && ns_ok=1 || { fail "robust/two_instances" "could not create netns $NSA/$NSB"; ns_ok=no; }
		fi
		[ "$ns_ok" = 1 ] && timed two_instances "$s"
	fi
	case " $TWO_DEMOS " in *" $s "*) timed two_demos "$s" ;; esac
	echo "DONE $s"
done
cleanup_ns

echo "FIGURE bad-inputs $N_BAD"
echo "FIGURE signals $N_SIG"
echo "FIGURE sigkill $N_KILL"
echo "FIGURE two-instances $N_TWO"
