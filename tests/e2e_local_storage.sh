# SPDX-License-Identifier: GPL-2.0
# local_storage end to end (sourced by tests/e2e.sh).
#
# lib.sh's leftovers() does not look at cgroups: lst_new_cgroups lists the demo
# cgroups (local_storage.<pid>) that appeared since lst_snapshot.

# The tools these tests run (a missing one is a FAIL that names it).
need_tool e2e/local_storage pgrep || return

LST_ROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
lst_cgroups() { ls "$LST_ROOT" 2>/dev/null | grep -E '^local_storage\.[0-9]+$' | sort; }
lst_new_cgroups() { lst_cgroups | comm -13 "$E2E_TMP/lst.before" -; }
lst_snapshot() { snapshot; lst_cgroups > "$E2E_TMP/lst.before"; }

# BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2), asked of the kernel's BTF. Without
# it (6.1) the sample leaves the per-cgroup counts out ("-" in both cg
# columns), says so in one line on stderr, and the rest runs.
lst_cgrp=no
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep -q "'BPF_MAP_TYPE_CGRP_STORAGE' val=32" && lst_cgrp=yes
LST_NOCGRP='^local_storage: this kernel has no BPF_MAP_TYPE_CGRP_STORAGE \(Linux >= 6\.2\): no per-cgroup counts; the rest runs$'

LST_CG="$LST_ROOT/local_storage_e2e.$$"
mkdir "$LST_CG" 2>/dev/null
lst_cleanup() {
	if [ -d "$LST_CG" ]; then
		for p in $(cat "$LST_CG/cgroup.procs" 2>/dev/null); do
			echo "$p" > "$LST_ROOT/cgroup.procs" 2>/dev/null
		done
		rmdir "$LST_CG" 2>/dev/null
	fi
}
trap 'lst_cleanup; rm -rf "$E2E_TMP"' EXIT

# The no-argument demo with -d 3: one child per second, child k making
# 1,000 * k getppid() calls. Each child's task storage (read by pidfd) holds
# exactly its calls; found while a zombie, ENOENT once reaped. The cgroup's
# storage holds exactly the sum; the HASH by pid keeps one stale entry per
# child; after the cgroup is removed its fd finds no storage.
t=e2e/local_storage/demo_exact_counts
lst_snapshot
run demo 30 "$BIN/local_storage/local_storage" -d 3
children=$(out demo | grep -c '^child [0-9]*: ')
exact=$(out demo | grep -cE '^child [0-9]+: ([0-9,]+) getppid\(\) calls; task storage by pidfd: getppid \1, syscalls [0-9,]+; zombie: found; reaped: ENOENT$')
calls=0
for c in $(out demo | sed -n 's/^child [0-9]*: \([0-9,]*\) getppid.*/\1/p'); do calls=$((calls + $(num "$c"))); done
read -r _ _ cg_ppid live _ entries stale <<< "$(num "$(out demo | grep -A1 '^final:' | tail -1)")"
cleft=$(leftovers local_storage); cgl=$(lst_new_cgroups)
if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails demo)"
elif [ "$children" -lt 2 ]; then fail $t "only $children children in 3 s: $(tails demo)"
elif [ "$exact" != "$children" ]; then fail $t "$exact of $children child lines exact: $(out demo | grep '^child' | head -2 | tr '\n' '|')"
elif [ "$lst_cgrp" = yes ] && [ "$cg_ppid" != "$calls" ]; then fail $t "cgroup storage getppid $cg_ppid, the children made $calls"
elif [ "$lst_cgrp" = no ] && [ "$cg_ppid" != - ]; then fail $t "no CGRP_STORAGE here, yet cg getppid '$cg_ppid'"
elif [ "$live" != 0 ] || [ "$entries" != "$children" ] || [ "$stale" != "$children" ]; then
	fail $t "live $live, pid entries $entries, stale $stale; want 0, $children, $children"
elif [ "$lst_cgrp" = yes ] && ! out demo | grep -qx 'demo cgroup removed: lookup(its cgroup fd) -> ENOENT'; then fail $t "no ENOENT after the cgroup was removed: $(tails demo)"
elif ! out demo | grep -qE "^summary: $children children made [0-9,]+ getppid\(\) calls; task storage exact for all, found for $children zombies, ENOENT for $children reaped$"; then fail $t "summary: $(out demo | grep '^summary')"
elif [ -n "$cleft" ]; then fail $t "left behind:$cleft"
elif [ -n "$cgl" ]; then fail $t "cgroup left behind: $cgl"
else pass $t; fi

t=e2e/local_storage/traps_shown
if out demo | grep -q 'create TASK_STORAGE with map_flags 0 -> EINVAL; with BPF_F_NO_PREALLOC -> ok' &&
   out demo | grep -q 'task lookup(key = my pid) .*-> EBADF' &&
   out demo | grep -q 'task lookup(key = my pidfd) .*-> ENOENT' &&
   { [ "$lst_cgrp" = no ] || out demo | grep -q "cgroup lookup(key = the cgroup's id) -> EBADF"; } &&
   out demo | grep -q 'get_next_key .*-> error 524 (ENOTSUPP)'; then pass $t
else fail $t "traps missing or wrong: $(out demo | grep -A7 '^Local storage traps' | tr '\n' '|')"; fi

t=e2e/local_storage/inode_storage_by_fd
if out demo | grep -q 'update(fd of a, tag 42) .*-> ok$' &&
   out demo | grep -q 'lookup(fd of b) .*-> tag 42, ' &&
   out demo | grep -q 'lookup(fd of c, another file) .*-> ENOENT' &&
   out demo | grep -q 'delete(fd of b) .*-> ok$' &&
   out demo | grep -q 'lookup(fd of a) .*-> ENOENT'; then pass $t
else fail $t "inode storage lines wrong: $(out demo | grep -A6 '^BPF_MAP_TYPE_INODE_STORAGE' | tr '\n' '|')"; fi

# Where the platform refuses lsm/file_open (tools/bpfprobe: a minimal
# lsm/file_open program gets EPERM at load, before the verifier logs
# anything) the sample says exactly so in one line on stderr and carries on;
# where it is allowed, it says nothing about it. Any other probe answer is a
# FAIL. (The one line about CGRP_STORAGE, where the kernel has none, is the
# next case's.)
t=e2e/local_storage/lsm_refusal_said_once
probe=$("${BUILD:-build}/tools/bpfprobe" lsm_file_open 2>&1)
want='local_storage: this kernel refuses lsm/file_open (EPERM, Operation not permitted; its verifier log is empty): INODE_STORAGE is shown from user space only'
lsm_err=$(grep -vE "$LST_NOCGRP" "$E2E_TMP/demo.err")
if [ "$probe" = allowed ]; then
	if [ -n "$lsm_err" ]; then fail $t "lsm/file_open is allowed, yet stderr: $(echo "$lsm_err" | tr '\n' '|')"
	else pass "$t (lsm/file_open allowed: no line)"; fi
elif [ "$probe" = "refused EPERM loading" ]; then
	if [ "$lsm_err" = "$want" ]; then pass "$t (the probe: $probe)"
	else fail $t "the probe: $probe; want stderr '$want', got: $(echo "$lsm_err" | tr '\n' '|')"; fi
else fail $t "tools/bpfprobe lsm_file_open answered '$probe', want 'allowed' or 'refused EPERM loading'"; fi
t=e2e/local_storage/no_cgrp_storage_said_once
nocg=$(grep -cE "$LST_NOCGRP" "$E2E_TMP/demo.err")
if [ "$lst_cgrp" = yes ] && [ "$nocg" -eq 0 ]; then pass $t
elif [ "$lst_cgrp" = no ] && [ "$nocg" -eq 1 ]; then pass $t
else fail $t "CGRP_STORAGE here: $lst_cgrp; its line $nocg times: $(tr '\n' '|' < "$E2E_TMP/demo.err")"; fi

# -c CGROUP: a perl process joins the test cgroup and makes exactly 1,000
# getppid() calls; the watcher's final row has 1,000 in the cgroup's storage,
# no live task, and every pid entry stale (the shell and perl are gone).
t=e2e/local_storage/user_cgroup_exact
if ! perl -e 'require "syscall.ph"' 2>/dev/null; then fail $t "needs perl with syscall.ph (the workload of this test), which is not installed ('make deps' installs it)"
else
	run watch 30 bash -c "'$BIN/local_storage/local_storage' -c '$LST_CG' -d 20 -I 0.3 & p=\$!;
		wait_for '$E2E_TMP/watch.out' '^ +time' 100 \$p &&
		sh -c 'echo \$\$ > $LST_CG/cgroup.procs; exec perl -e \"require q(syscall.ph); syscall(&SYS_getppid) for 1..1000\"';
		sleep 0.8; kill -INT \$p; wait \$p"
	read -r _ cg_sys cg_ppid live _ entries stale <<< "$(num "$(out watch | grep -A1 '^final:' | tail -1)")"
	if [ "$RC" -ne 0 ]; then fail $t "exit $RC: $(tails watch)"
	elif [ "$lst_cgrp" = no ] && { [ "$cg_ppid" != - ] || [ "$cg_sys" != - ]; }; then
		fail $t "no CGRP_STORAGE here, yet cg columns '$cg_sys' '$cg_ppid'"
	elif [ "$lst_cgrp" = yes ] && [ "$cg_ppid" != 1000 ]; then fail $t "cgroup getppid $cg_ppid, want 1000: $(tails watch)"
	elif [ "$live" != 0 ] || [ "${entries:-0}" -lt 1 ] || [ "$stale" != "$entries" ]; then fail $t "live $live, entries $entries, stale $stale"
	elif [ "$lst_cgrp" = yes ] && [ "$cg_sys" -le 1000 ]; then fail $t "cgroup syscalls $cg_sys, want more than the 1,000 getppid"
	else pass $t; fi
fi

expect_bad_input local_storage cgroup_missing "$LST_ROOT/local_storage_nosuch.$$" -c "$LST_ROOT/local_storage_nosuch.$$" -d 1
expect_bad_input local_storage cgroup_not_a_directory /etc/hostname -c /etc/hostname -d 1
expect_bad_input local_storage cgroup_not_cgroup_v2 /tmp -c /tmp -d 1
expect_bad_input local_storage duration_zero 0 -d 0
expect_bad_input local_storage duration_garbage 1x -d 1x
expect_bad_input local_storage interval_zero 0 -I 0
expect_bad_input local_storage unknown_option -x -x
expect_bad_input local_storage missing_value -c -c
expect_bad_input local_storage stray_argument eth0 eth0
expect_no_privileges local_storage -d 1

# SIGKILL: the tp_btf link dies with the process, the child sees its pipe
# close and exits, the reaper removes the demo cgroup.
lst_snapshot
expect_sigkill_clean local_storage '^ +time' -d 20
t=e2e/local_storage/sigkill_leaves_no_cgroup
for i in $(seq 30); do [ -z "$(lst_new_cgroups)" ] && break; sleep 0.1; done
if [ -n "$(lst_new_cgroups)" ]; then fail $t "demo cgroup left after SIGKILL: $(lst_new_cgroups)"
elif pgrep -f "^$BIN/local_storage/local_storage" >/dev/null; then fail $t "a process of the sample is still running"
else pass $t; fi

for sig in INT TERM; do
	lst_snapshot
	expect_signal_clean local_storage $sig '^ +time' -d 20
	t=e2e/local_storage/${sig}_no_cgroup_left
	if [ -n "$(lst_new_cgroups)" ]; then fail $t "left: $(lst_new_cgroups)"; else pass $t; fi
done

lst_cleanup
t=e2e/local_storage/test_cgroup_removed
if [ -d "$LST_CG" ]; then fail $t "$LST_CG still exists"; else pass $t; fi
