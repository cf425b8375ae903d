# SPDX-License-Identifier: GPL-2.0
# cgroup_array end to end (sourced by tests/e2e.sh).
#
# lib.sh's leftovers() does not look at cgroups: cga_cgroups lists the demo
# cgroups (cgroup_array.<pid>) under the cgroup v2 root, checked after each run.

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/cgroup_array pgrep unshare || return

CGA_ROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
cga_cgroups() { ls "$CGA_ROOT" 2>/dev/null | grep -E '^cgroup_array\.[0-9]+$' | sort; }
cga_new_cgroups() { cga_cgroups | comm -13 "$E2E_TMP/cga.before" -; }
cga_snapshot() { snapshot; cga_cgroups > "$E2E_TMP/cga.before"; }

# A cgroup and a bpffs directory for the tests that pass a user cgroup / pin,
# removed even when a test fails.
CGA_CG="$CGA_ROOT/cgroup_array_e2e.$$"
CGA_FS="$E2E_TMP/cga_bpffs"
mkdir -p "$CGA_FS"
mkdir "$CGA_CG" 2>/dev/null
cga_cleanup() {
	if [ -d "$CGA_CG" ]; then
		for p in $(cat "$CGA_CG/cgroup.procs" 2>/dev/null); do
			echo "$p" > "$CGA_ROOT/cgroup.procs" 2>/dev/null
		done
		rmdir "$CGA_CG" 2>/dev/null
	fi
}
trap 'cga_cleanup; rm -rf "$E2E_TMP"' EXIT

# The no-argument demo with -d 5: exit 0 and exact counts. A child in the demo
# cgroup sends datagrams (counted, dropped at demo0 egress) and calls getppid();
# a child outside does the same (counted, delivered). 106 bytes per datagram at
# egress: 14 Ethernet + 20 IP + 8 UDP + 64 payload.
t=e2e/cgroup_array/demo_counts_match_traffic
cga_snapshot
run demo 30 "$BIN/cgroup_array/cgroup_array" -d 5
final=$(out demo | grep -A1 '^final:' | tail -1)
sent=$(out demo | grep '^demo sent:')
read -r _ cg_p cg_b oth_p oth_b cg_c oth_c rcvd <<< "$(num "$final")"
read -r in_p in_c out_p out_c got <<< "$(sed -n 's/^demo sent: \([0-9]*\) datagrams and \([0-9]*\) getppid() from inside the cgroup, \([0-9]*\) and \([0-9]*\) from outside; the receiver got \([0-9]*\) (drop mode)$/\1 \2 \3 \4 \5/p' <<< "$sent")"
left=$(leftovers cgroup_array); cgl=$(cga_new_cgroups)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ -z "$final" ] || [ -z "$in_p" ]; then fail $t "no final line or summary: $(tails demo)"
elif [ "$in_p" -lt 20 ] || [ "$out_p" -lt 12 ]; then fail $t "too little traffic in 5 s: $in_p in, $out_p out"
elif [ "$cg_p" != "$in_p" ] || [ "$cg_b" != $((in_p * 106)) ]; then fail $t "cgroup pkts $cg_p bytes $cg_b, want $in_p and $((in_p * 106))"
elif [ "$oth_p" != "$out_p" ] || [ "$oth_b" != $((out_p * 106)) ]; then fail $t "other pkts $oth_p bytes $oth_b, want $out_p and $((out_p * 106))"
elif [ "$cg_c" != "$in_c" ] || [ "$oth_c" != "$out_c" ]; then fail $t "calls $cg_c/$oth_c, want $in_c/$out_c"
elif [ "$got" != "$out_p" ] || [ "$rcvd" != "$out_p" ]; then fail $t "receiver got $got ($rcvd), want only the $out_p from outside"
elif [ -n "$left" ]; then fail $t "left behind:$left"
elif [ -n "$cgl" ]; then fail $t "cgroup left behind: $cgl"
else pass $t; fi

# Scene 1 with the kernel's real answers, the second process, the pin removed.
t=e2e/cgroup_array/pin_scene_and_traps
if out demo | grep -q 'lookup slot 0 from user space .*-> error 524 (ENOTSUPP)' &&
   out demo | grep -q 'update slot 0 with an fd of / .*-> Bad file descriptor' &&
   out demo | grep -q 'update slot 1 (= max_entries) .*-> Argument list too long' &&
   out demo | grep -qE '^    updated CGROUP_ARRAY id [0-9]+ pinned at /sys/fs/bpf/cgroup_array_[0-9]+: slot 0 = .*/cgroup_array\.[0-9]+$' &&
   out demo | grep -qE '^pin /sys/fs/bpf/cgroup_array_[0-9]+ removed \(stat -> No such file or directory\)$'; then
	pass $t
else fail $t "scene 1 missing or wrong: $(out demo | head -8 | tr '\n' '|')"; fi

# -p: the cgroup's packets are counted and delivered too.
t=e2e/cgroup_array/demo_pass_mode
cga_snapshot
run pass 30 "$BIN/cgroup_array/cgroup_array" -d 2 -p
final=$(out pass | grep -A1 '^final:' | tail -1)
read -r _ cg_p _ oth_p _ _ _ rcvd <<< "$(num "$final")"
read -r in_p out_p got <<< "$(sed -n 's/^demo sent: \([0-9]*\) datagrams .* \([0-9]*\) and [0-9]* from outside; the receiver got \([0-9]*\) (pass mode)$/\1 \2 \3/p' <<< "$(out pass)")"
left=$(leftovers cgroup_array); cgl=$(cga_new_cgroups)
if [ "$RC" -ne 0 ] || [ -z "$in_p" ]; then fail $t "exit $RC: $(tails pass)"
elif [ "$cg_p" != "$in_p" ] || [ "$oth_p" != "$out_p" ]; then fail $t "counted $cg_p/$oth_p, sent $in_p/$out_p"
elif [ "$got" != $((in_p + out_p)) ]; then fail $t "receiver got $got, want $((in_p + out_p))"
elif [ -n "$left$cgl" ]; then fail $t "left behind:$left $cgl"
else pass $t; fi

# pin / update / unpin from separate invocations, on a bpffs the test mounts
# in a private mount namespace (nothing visible outside it).
t=e2e/cgroup_array/pin_update_unpin_subcommands
run sub 20 unshare -m sh -c "mount -t bpf bpf '$CGA_FS' &&
	'$BIN/cgroup_array/cgroup_array' pin '$CGA_FS/cga' '$CGA_CG' &&
	'$BIN/cgroup_array/cgroup_array' update '$CGA_FS/cga' '$CGA_ROOT' &&
	'$BIN/cgroup_array/cgroup_array' pin '$CGA_FS/cga' '$CGA_CG'; echo pin-again=\$?;
	'$BIN/cgroup_array/cgroup_array' unpin '$CGA_FS/cga' && test ! -e '$CGA_FS/cga' && echo gone"
id=$(sed -n 's/^pinned CGROUP_ARRAY id \([0-9]*\) at .*/\1/p' "$E2E_TMP/sub.out")
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails sub)"
elif [ -z "$id" ]; then fail $t "no 'pinned' line: $(tails sub)"
elif ! grep -qx "updated CGROUP_ARRAY id $id pinned at $CGA_FS/cga: slot 0 = $CGA_ROOT" "$E2E_TMP/sub.out"; then fail $t "update line wrong: $(tails sub)"
elif ! grep -qx 'pin-again=1' "$E2E_TMP/sub.out" || ! grep -q 'already exists; remove it with' "$E2E_TMP/sub.err"; then fail $t "pinning twice did not fail cleanly: $(tails sub)"
elif ! grep -qx "unpinned CGROUP_ARRAY id $id from $CGA_FS/cga" "$E2E_TMP/sub.out" || ! grep -qx gone "$E2E_TMP/sub.out"; then fail $t "unpin: $(tails sub)"
else pass $t; fi

# 'pin' under /sys/fs/bpf with no bpffs there mounts one and says so. In a
# private mount namespace (any host bpffs unmounted there only), so the mount
# and the pin vanish with it.
t=e2e/cgroup_array/pin_mounts_missing_bpffs
run mnt 20 unshare -m sh -c "umount /sys/fs/bpf 2>/dev/null;
	'$BIN/cgroup_array/cgroup_array' pin /sys/fs/bpf/cgroup_array_e2e_$$ '$CGA_CG' &&
	grep -q ' /sys/fs/bpf bpf ' /proc/mounts && echo mounted &&
	'$BIN/cgroup_array/cgroup_array' unpin /sys/fs/bpf/cgroup_array_e2e_$$ >/dev/null"
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails mnt)"
elif ! grep -qx mounted "$E2E_TMP/mnt.out"; then fail $t "no bpffs mounted: $(tails mnt)"
elif ! grep -q '^cgroup_array: /sys/fs/bpf was not mounted: mounted bpffs there' "$E2E_TMP/mnt.err"; then fail $t "did not say so: $(tails mnt)"
else pass $t; fi

# -m PIN -i lo: the map pinned by one invocation is used by another; in a
# private netns a shell in the cgroup sends 4 datagrams over lo (counted and
# dropped), a shell outside sends 3 (passed; each may add an ICMP
# port-unreachable, sent by a kernel socket outside the cgroup).
t=e2e/cgroup_array/pinned_map_with_tc_on_lo
run pinlo 30 unshare -m -n bash -c "ip link set lo up && mount -t bpf bpf '$CGA_FS' &&
	'$BIN/cgroup_array/cgroup_array' pin '$CGA_FS/cga' '$CGA_CG' >/dev/null &&
	{ '$BIN/cgroup_array/cgroup_array' -m '$CGA_FS/cga' -i lo -d 2 -I 0.5 & p=\$!;
	  wait_for '$E2E_TMP/pinlo.out' '^ +time' 100 \$p && {
	  bash -c 'echo \$\$ > $CGA_CG/cgroup.procs; for i in 1 2 3 4; do echo x > /dev/udp/127.0.0.1/9; done';
	  bash -c 'for i in 1 2 3; do echo x > /dev/udp/127.0.0.1/9; done'; };
	  wait \$p; r=\$?; '$BIN/cgroup_array/cgroup_array' unpin '$CGA_FS/cga' >/dev/null; exit \$r; }"
final=$(out pinlo | grep -A1 '^final:' | tail -1)
read -r _ cg_p cg_b oth_p _ <<< "$(num "$final")"
if [ "$RC" -ne 0 ] || [ -z "$final" ]; then fail $t "exit $RC: $(tails pinlo)"
elif [ "$cg_p" != 4 ] || [ "$cg_b" != $((4 * (14 + 20 + 8 + 2))) ]; then fail $t "cgroup pkts $cg_p bytes $cg_b, want 4 and 176"
elif [ "$oth_p" -lt 3 ] || [ "$oth_p" -gt 6 ]; then fail $t "other pkts $oth_p, want 3 to 6"
else pass $t; fi

# -c CG -i lo -p: the user's cgroup, counted and passed.
t=e2e/cgroup_array/user_cgroup_on_lo_pass
run cglo 30 unshare -n bash -c "ip link set lo up &&
	{ '$BIN/cgroup_array/cgroup_array' -c '$CGA_CG' -i lo -p -d 2 -I 0.5 & p=\$!;
	  wait_for '$E2E_TMP/cglo.out' '^ +time' 100 \$p &&
	  bash -c 'echo \$\$ > $CGA_CG/cgroup.procs; for i in 1 2 3 4 5; do echo x > /dev/udp/127.0.0.1/9; done';
	  wait \$p; }"
final=$(out cglo | grep -A1 '^final:' | tail -1)
read -r _ cg_p _ oth_p _ <<< "$(num "$final")"
if [ "$RC" -ne 0 ] || [ -z "$final" ]; then fail $t "exit $RC: $(tails cglo)"
elif [ "$cg_p" != 5 ]; then fail $t "cgroup pkts $cg_p, want 5"
elif [ "$oth_p" -lt 5 ] || [ "$oth_p" -gt 10 ]; then fail $t "other pkts $oth_p, want the 5 port-unreachables (passed datagrams)"
else pass $t; fi

# No cgroup v2 mounted (hidden in a private mount namespace): one clear line.
t=e2e/cgroup_array/bad_input/no_cgroup_v2
run nocg 10 unshare -m sh -c "umount -l '$CGA_ROOT' && exec '$BIN/cgroup_array/cgroup_array' -d 1"
if [ "$RC" -eq 0 ] || [ "$RC" -ge 124 ]; then fail $t "exit $RC"
elif [ "$(wc -l < "$E2E_TMP/nocg.err")" -ne 1 ] || ! grep -q 'cgroup v2 is not mounted' "$E2E_TMP/nocg.err"; then
	fail $t "want one line naming cgroup v2: $(tr '\n' '|' < "$E2E_TMP/nocg.err")"
else pass $t; fi

expect_bad_input cgroup_array cgroup_missing "$CGA_ROOT/cgroup_array_nosuch.$$" -c "$CGA_ROOT/cgroup_array_nosuch.$$" -d 1
expect_bad_input cgroup_array cgroup_not_a_directory /etc/hostname -c /etc/hostname -d 1
expect_bad_input cgroup_array cgroup_not_cgroup_v2 /tmp -c /tmp -d 1
expect_bad_input cgroup_array interface_without_cgroup -i -i lo -d 1
expect_bad_input cgroup_array unknown_interface nosuch0 -c "$CGA_CG" -i nosuch0 -d 1
expect_bad_input cgroup_array pin_not_found "$CGA_FS/nosuch" -m "$CGA_FS/nosuch" -d 1
expect_bad_input cgroup_array pin_on_non_bpffs "$E2E_TMP" pin "$E2E_TMP/x" "$CGA_CG"
expect_bad_input cgroup_array update_no_pin "$E2E_TMP/x" update "$E2E_TMP/x" "$CGA_CG"
expect_bad_input cgroup_array unpin_no_pin "$E2E_TMP/x" unpin "$E2E_TMP/x"
expect_bad_input cgroup_array pin_missing_args pin pin "$E2E_TMP/x"
t=e2e/cgroup_array/bad_input/pin_name_with_dot
run dot 10 unshare -m sh -c "mount -t bpf bpf '$CGA_FS' && exec '$BIN/cgroup_array/cgroup_array' pin '$CGA_FS/a.b' '$CGA_CG'"
if [ "$RC" -ne 1 ] || [ "$(wc -l < "$E2E_TMP/dot.err")" -ne 1 ] || ! grep -q "refuses names with a '.'" "$E2E_TMP/dot.err"; then
	fail $t "exit $RC: $(tails dot)"
else pass $t; fi
expect_bad_input cgroup_array duration_zero 0 -d 0
expect_bad_input cgroup_array duration_garbage 1x -d 1x
expect_bad_input cgroup_array interval_zero 0 -I 0
expect_bad_input cgroup_array unknown_option -x -x
expect_bad_input cgroup_array missing_value -c -c
expect_bad_input cgroup_array stray_argument eth0 eth0
expect_no_privileges cgroup_array -d 1

# SIGKILL: links and netns die with the process and the pin with its private
# bpffs; the demo cgroup goes with the reaper that was made with it.
cga_snapshot
expect_sigkill_clean cgroup_array '^ +time' -d 20
t=e2e/cgroup_array/sigkill_leaves_no_cgroup
# The reaper (common/cgroup.c) removes the demo cgroup once the sample is gone;
# give it up to 3 s.
for i in $(seq 30); do [ -z "$(cga_new_cgroups)" ] && break; sleep 0.1; done
if [ -n "$(cga_new_cgroups)" ]; then fail $t "demo cgroup left after SIGKILL: $(cga_new_cgroups)"
elif pgrep -f "^$BIN/cgroup_array/cgroup_array" >/dev/null; then fail $t "a process of the sample is still running (the reaper?)"
else pass $t; fi

for sig in INT TERM; do
	cga_snapshot
	expect_signal_clean cgroup_array $sig '^ +time' -d 20
	t=e2e/cgroup_array/${sig}_no_cgroup_left
	if [ -n "$(cga_new_cgroups)" ]; then fail $t "left: $(cga_new_cgroups)"; else pass $t; fi
done

cga_cleanup
t=e2e/cgroup_array/test_cgroup_removed
if [ -d "$CGA_CG" ]; then fail $t "$CGA_CG still exists"; else pass $t; fi
