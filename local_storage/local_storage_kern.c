// SPDX-License-Identifier: GPL-2.0
/*
 * local_storage_kern.c - state that lives and dies with its owner: per-task,
 * per-cgroup and per-inode storage (BPF_MAP_TYPE_TASK_STORAGE, CGRP_STORAGE,
 * INODE_STORAGE), next to a HASH keyed by pid that does the same job badly.
 *
 * count_syscall runs at every syscall entry on the machine (tp_btf/sys_enter).
 * It keeps only tasks whose cgroup v2 cgroup has storage in cgrp_counts, which
 * user space creates through a cgroup fd: the lookup without
 * BPF_LOCAL_STORAGE_GET_F_CREATE is the filter. For those tasks it creates the
 * task's storage (with F_CREATE) and counts there, in the cgroup's storage,
 * and in pid_counts[pid]. The task's storage is freed with the task; the
 * cgroup's with the cgroup; pid_counts keeps its entries until someone deletes
 * them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "local_storage.h"

/* Local storage maps: BPF_F_NO_PREALLOC and max_entries 0 are required (each
 * value is allocated with its owner), the key is an int: from user space a
 * file descriptor of the owner (pidfd, cgroup fd, file fd). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_counts);
} task_counts SEC(".maps");

/* BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2) by its UAPI number, which never
 * changes: a vmlinux.h dumped from 6.1 (Debian 12) has no such enumerator,
 * and this object must still build there. Whether the map can be created
 * is the running kernel's answer, at load. */
#define MAP_TYPE_CGRP_STORAGE 32

struct {
	__uint(type, MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_counts);
} cgrp_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct file_note);
} inode_notes SEC(".maps");

/* The comparison: the same counts keyed by pid. Nothing removes an entry
 * when its task exits, and a recycled pid inherits it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct sys_counts);
	__uint(max_entries, LOCAL_STORAGE_MAX_PIDS);
} pid_counts SEC(".maps");

/* The syscall number of getppid on this architecture, set by user space. */
const volatile long getppid_nr = -1;

/* Counts the program could not keep: task storage not allocated, pid_counts full. */
__u64 task_nomem = 0, pid_full = 0;

/* Task storage and the HASH by pid, for the current task. */
static __always_inline int count_task(struct task_struct *task, __u64 ppid)
{
	struct sys_counts *tk, *byp, zero = {};
	__u32 pid = task->pid;

	tk = bpf_task_storage_get(&task_counts, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (tk) {
		tk->syscalls++; /* only the task itself writes its storage here */
		tk->getppid += ppid;
	} else {
		__sync_fetch_and_add(&task_nomem, 1);
	}

	byp = bpf_map_lookup_elem(&pid_counts, &pid);
	if (!byp) {
		if (bpf_map_update_elem(&pid_counts, &pid, &zero, BPF_NOEXIST))
			__sync_fetch_and_add(&pid_full, 1); /* E2BIG: full */
		byp = bpf_map_lookup_elem(&pid_counts, &pid);
		if (!byp)
			return 0;
	}
	__sync_fetch_and_add(&byp->syscalls, 1);
	__sync_fetch_and_add(&byp->getppid, ppid);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(count_syscall, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* A trusted pointer walk: BPF_CORE_READ() would give a plain number,
	 * which bpf_cgrp_storage_get() refuses ("R2 type=scalar expected=ptr_"). */
	struct cgroup *cgrp = task->cgroups->dfl_cgrp;
	struct sys_counts *cg;
	__u64 ppid = id == getppid_nr;

	/* The filter: no F_CREATE, so only cgroups that user space gave storage. */
	cg = bpf_cgrp_storage_get(&cgrp_counts, cgrp, NULL, 0);
	if (!cg)
		return 0;
	__sync_fetch_and_add(&cg->syscalls, 1); /* every task of the cgroup adds here */
	__sync_fetch_and_add(&cg->getppid, ppid);
	return count_task(task, ppid);
}

/* Where the kernel has no CGRP_STORAGE (Linux < 6.2): the same counts for
 * tasks and pids, the cgroup picked by its id instead of by its storage, and
 * no per-cgroup counts. "?": loaded only there (local_storage_load.h). */
__u64 cg_id = 0; /* the cgroup's id, set by user space after load */

SEC("?tp_btf/sys_enter")
int BPF_PROG(count_syscall_by_id, struct pt_regs *regs, long id)
{
	if (bpf_get_current_cgroup_id() != cg_id)
		return 0;
	return count_task(bpf_get_current_task_btf(), id == getppid_nr);
}

/* Per-inode: count the opens of files that user space tagged (storage created
 * through a file fd). An LSM hook: refused where the kernel allows no BPF LSM
 * programs; the loader then loads the object without it. */
SEC("lsm/file_open")
int BPF_PROG(count_open, struct file *file)
{
	struct file_note *n = bpf_inode_storage_get(&inode_notes, file->f_inode, NULL, 0);

	if (n)
		__sync_fetch_and_add(&n->opens, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
