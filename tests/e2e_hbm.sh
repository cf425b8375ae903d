# SPDX-License-Identifier: GPL-2.0
# hbm end to end (sourced by tests/e2e.sh).
#
# lib.sh's leftovers() does not look at cgroups or cgroup attachments:
# hbm_new_cgroups lists demo cgroups (hbm.<pid>) that appeared since
# hbm_snapshot, hbm_attached the cgroups that still have an hbm program.

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/hbm ping unshare || return

HBM_ROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
hbm_cgroups() { ls "$HBM_ROOT" 2>/dev/null | grep -E '^hbm\.[0-9]+$' | sort; }
hbm_new_cgroups() { hbm_cgroups | comm -13 "$E2E_TMP/hbm.before" - | tr '\n' ' '; }
hbm_snapshot() { snapshot; hbm_cgroups > "$E2E_TMP/hbm.before"; }
hbm_attached() { bpftool cgroup tree "$HBM_ROOT" 2>/dev/null | grep -E 'hbm_egress|hbm_cgrp' | tr -s ' \n' ' '; }
# The final row's fields: time allowed at_hook received passed cn marked dropped credit.
hbm_final() { num "$(out "$1" | grep -A1 '^final:' | tail -1)"; }
# Is $1 within [$2, $3] (decimals allowed)?
hbm_between() { awk -v x="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(x >= a && x <= b) }'; }

# The demo at 20 Mbit/s for 4 s: exit 0; the limiter limits (the receiver's
# average is above 0 and far below what an unlimited veth carries: under 4x
# the rate; how close it comes to the rate is make bench's hbm_rate row, not
# a timed test), the hook passed at least what was received, the sender
# outran the rate (drops); nothing left, cgroup gone.
t=e2e/hbm/demo_rate_and_counts
hbm_snapshot
run demo 30 "$BIN/hbm/hbm" -d 4 -r 20
read -r _ allowed hook rcvd passed cn marked dropped credit <<< "$(hbm_final demo)"
sent=$(out demo | sed -n 's/^demo sent: .* \([0-9.]*\) Mbit\/s$/\1/p')
left=$(leftovers hbm); cgl=$(hbm_new_cgroups); att=$(hbm_attached)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$passed" ] || [ -z "$sent" ]; then fail $t "no final row or demo line: $(tails demo)"
elif [ "$allowed" != 20 ]; then fail $t "allowed $allowed, want 20"
elif ! hbm_between "$rcvd" 1 80; then fail $t "received $rcvd Mbit/s on average: not limited to 20 (want under 80)"
elif ! hbm_between "$hook" "$rcvd" 160; then fail $t "at hook $hook < received $rcvd"
elif [ "$passed" -lt 20 ] || [ "$dropped" -lt 1 ] || [ "$cn" -lt 1 ]; then
	fail $t "passed $passed, cn $cn, dropped $dropped: the sender should outrun 20 Mbit/s"
elif [ "$marked" != 0 ]; then fail $t "$marked ECN marks without -e"
elif ! hbm_between "$sent" 1 80; then fail $t "demo line says $sent Mbit/s: not limited to 20"
elif [ -n "$left" ]; then fail $t "left behind:$left"
elif [ -n "$cgl" ]; then fail $t "cgroup left behind: $cgl"
elif [ -n "$att" ]; then fail $t "still attached: $att"
else pass $t; fi

# The storage's life, as the kernel answered: nothing before attach, one
# value per (cgroup, attach type) after, still there after detach.
t=e2e/hbm/storage_lifetime_shown
if out demo | grep -qE '^  before attach: hbm_queue lookup \{cgroup_inode_id=[0-9]+, attach_type=1\} -> ENOENT' &&
   out demo | grep -qE '^  after attach : hbm_queue lookup .* -> found: made at attach' &&
   out demo | grep -qE '^  after detach : hbm_queue lookup .* -> found: still there'; then pass $t
else fail $t "storage lines missing or wrong: $(out demo | head -4 | tr '\n' '|')"; fi

# -e: ECN in the sender's netns, CE marks instead of congestion notifications.
t=e2e/hbm/ecn_marks
run ecn 30 "$BIN/hbm/hbm" -d 3 -r 20 -e
read -r _ _ _ rcvd passed cn marked dropped _ <<< "$(hbm_final ecn)"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails ecn)"
elif [ -z "$marked" ] || [ "$marked" -lt 1 ]; then fail $t "no ECN marks: $(tails ecn)"
elif [ "$cn" -gt "$marked" ]; then fail $t "$cn congestion notifications > $marked marks with -e"
elif ! hbm_between "$rcvd" 1 80; then fail $t "received $rcvd Mbit/s: not limited to 20 (want under 80)"
else pass $t; fi

# -m cgrp: the same limiter on BPF_MAP_TYPE_CGRP_STORAGE; its storage is made
# by user space before attach and survives the detach. A kernel without that
# map type (Linux < 6.2, asked of its BTF) gets one line and exit 3, and
# nothing is made.
t=e2e/hbm/cgrp_storage_mode
hbm_snapshot
run cgrp 30 "$BIN/hbm/hbm" -d 3 -r 20 -m cgrp
read -r _ _ _ rcvd passed _ _ dropped _ <<< "$(hbm_final cgrp)"
left=$(leftovers hbm); cgl=$(hbm_new_cgroups)
if ! bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep -q "'BPF_MAP_TYPE_CGRP_STORAGE' val=32"; then
	if [ "$RC" -ne 3 ]; then fail $t "no CGRP_STORAGE here: exit $RC, want 3: $(tails cgrp)"
	elif [ "$(err cgrp | wc -l)" -ne 1 ] || ! err cgrp | grep -q 'Linux >= 6.2'; then
		fail $t "want one line naming Linux >= 6.2: $(err cgrp | head -3 | tr '\n' '|')"
	elif [ -s "$E2E_TMP/cgrp.out" ]; then fail $t "stdout: $(out cgrp | head -2 | tr '\n' '|')"
	elif [ -n "$left" ] || [ -n "$cgl" ]; then fail $t "left behind:$left $cgl"
	else pass $t; fi
elif [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails cgrp)"
elif ! out cgrp | grep -q 'before attach: hbm_cgrp_queue update(cgroup fd) -> ok' ||
     ! out cgrp | grep -q 'after detach : hbm_cgrp_queue lookup(cgroup fd) -> ok'; then
	fail $t "CGRP_STORAGE lines missing: $(out cgrp | head -3 | tr '\n' '|')"
elif ! hbm_between "$rcvd" 1 80; then fail $t "received $rcvd Mbit/s: not limited to 20 (want under 80)"
elif [ -n "$left" ]; then fail $t "left behind:$left"
elif [ -n "$cgl" ]; then fail $t "cgroup left behind: $cgl"
else pass $t; fi

# -c CGROUP, a cgroup of the test's own: hbm generates nothing; a ping of 5
# echo requests (84 IP bytes each) from a process in that cgroup, in a
# private netns, is exactly 5 packets passed. The replies are the kernel's,
# not the cgroup's. Afterwards nothing is attached to the cgroup.
t=e2e/hbm/user_cgroup_exact
CG="$HBM_ROOT/hbm_e2e.$$"
mkdir "$CG"
run user 30 unshare -n bash -c "ip link set lo up &&
	{ '$BIN/hbm/hbm' -c '$CG' -r 10 -d 20 -I 0.5 & p=\$!;
	  for i in \$(seq 50); do bpftool cgroup show '$CG' 2>/dev/null | grep -q hbm_egress && break; sleep 0.1; done;
	  bash -c 'echo \$\$ > $CG/cgroup.procs; exec ping -q -c 5 -i 0.2 -s 56 127.0.0.1 >/dev/null';
	  sleep 0.6; kill -INT \$p; wait \$p; }"
read -r _ allowed _ rcvd passed cn marked dropped credit <<< "$(hbm_final user)"
att=$(bpftool cgroup show "$CG" 2>/dev/null)
rmdir "$CG" 2>/dev/null
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails user)"
elif [ "$passed" != 5 ] || [ "$dropped" != 0 ] || [ "$cn" != 0 ]; then
	fail $t "passed $passed, dropped $dropped, cn $cn; want 5, 0, 0: $(tails user)"
elif [ "$rcvd" != - ]; then fail $t "received '$rcvd' with -c (no receiver of its own)"
elif [ "$credit" != $((128 * 1024 - 84)) ]; then
	# 0.2 s between pings refill 250,000 bytes at 10 Mbit/s: back to the
	# 131,072 maximum each time, less the last echo request.
	fail $t "credit $credit, want $((128 * 1024 - 84))"
elif out user | grep -q '^demo sent'; then fail $t "generated traffic with -c"
elif [ -n "$att" ]; then fail $t "still attached after exit: $att"
else pass $t; fi

# SIGKILL: no program, link or map left, no attachment, and the demo cgroup
# is gone within 3 s (its reaper removes it).
t=e2e/hbm/sigkill_no_attachment_no_cgroup
hbm_snapshot
"$BIN/hbm/hbm" -d 30 > "$E2E_TMP/hk.out" 2> "$E2E_TMP/hk.err" &
pid=$!
for i in $(seq 100); do grep -qE '^ +1\.0 ' "$E2E_TMP/hk.out" && break; sleep 0.1; done
kill -9 "$pid"
wait_exit "$pid" 50 2>/dev/null
for i in $(seq 30); do [ -e "$HBM_ROOT/hbm.$pid" ] || break; sleep 0.1; done
left=$(leftovers hbm); att=$(hbm_attached)
if ! grep -qE '^ +1\.0 ' "$E2E_TMP/hk.out"; then fail $t "never printed a row: $(tr '\n' '|' < "$E2E_TMP/hk.err")"
elif [ -e "$HBM_ROOT/hbm.$pid" ]; then fail $t "cgroup $HBM_ROOT/hbm.$pid still there after 3 s"
elif [ -n "$att" ]; then fail $t "still attached: $att"
elif [ -n "$left" ]; then fail $t "left behind:$left"
else pass $t; fi

expect_bad_input hbm cgroup_missing "$HBM_ROOT/nosuch_hbm_$$" -c "$HBM_ROOT/nosuch_hbm_$$" -d 1
expect_bad_input hbm cgroup_not_a_directory /etc/passwd -c /etc/passwd -d 1
expect_bad_input hbm rate_zero 0 -r 0
expect_bad_input hbm rate_garbage fast -r fast
expect_bad_input hbm rate_trailing_garbage 10x -r 10x
expect_bad_input hbm rate_too_high 10001 -r 10001
expect_bad_input hbm mode_garbage hash -m hash
expect_bad_input hbm unknown_option -x -x
expect_bad_input hbm stray_argument eth0 eth0
expect_no_privileges hbm -d 1
expect_signal_clean hbm INT '^ +time' -d 20
expect_signal_clean hbm TERM '^ +time' -d 20
