// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_array_kern.c - two programs that ask "is this under cgroup X?" where
 * X is the cgroup stored in slot 0 of a BPF_MAP_TYPE_CGROUP_ARRAY.
 *
 *   tc egress:   bpf_skb_under_cgroup() - was the packet's socket created by a
 *                task of the cgroup (or of a descendant)? Count it, and drop it
 *                unless the `pass` rodata is set.
 *   raw tracepoint sys_enter: bpf_current_task_under_cgroup() - is the task
 *                making this syscall (getppid) in the cgroup? Count inside vs
 *                outside.
 *
 * A CGROUP_ARRAY holds references to cgroups, put there by user space as cgroup
 * directory fds; BPF can only test membership against a slot, never read it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "sample_kern.h"
#include "cgroup_array.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define EAGAIN 11
#define ENOENT 2

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__type(key, __u32);
	__type(value, __u32); /* a cgroup v2 directory fd, from user space */
	__uint(max_entries, CGA_SLOTS);
} cgroup_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct cga_stats);
	__uint(max_entries, 1);
} stats SEC(".maps");

/* Set before load. pass: let the cgroup's packets through (count only).
 * syscall_nr: the syscall to count (__NR_getppid, given by user space since
 * numbers differ between architectures). parent_tgid: count only syscalls of
 * children of this process (0 = every task). */
const volatile bool pass = false;
const volatile __u64 syscall_nr = ~0ull;
const volatile __u32 parent_tgid = 0;

SEC("tc")
int egress_filter(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct cga_stats *st = bpf_map_lookup_elem(&stats, &zero);
	long in;

	if (!st)
		return TC_ACT_OK;
	in = bpf_skb_under_cgroup(skb, &cgroup_map, CGA_SLOT);
	if (in == 1) {
		__sync_fetch_and_add(&st->in_pkts, 1);
		__sync_fetch_and_add(&st->in_bytes, skb->len);
		return pass ? TC_ACT_OK : TC_ACT_SHOT;
	}
	if (in == 0) {
		__sync_fetch_and_add(&st->out_pkts, 1);
		__sync_fetch_and_add(&st->out_bytes, skb->len);
	} else if (in == -ENOENT) {
		__sync_fetch_and_add(&st->nosk_pkts, 1);
	} else {
		__sync_fetch_and_add(&st->empty_pkts, 1); /* -EAGAIN: no cgroup in slot 0 */
	}
	return TC_ACT_OK;
}

/* raw_tp/sys_enter runs for every syscall (args[1] is its number) and, unlike
 * tp/syscalls/sys_enter_getppid, attaches without tracefs mounted. */
SEC("raw_tp/sys_enter")
int count_getppid(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	struct cga_stats *st;
	long in;

	if (ctx->args[1] != syscall_nr)
		return 0;
	if (parent_tgid) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		if (BPF_CORE_READ(task, real_parent, tgid) != parent_tgid)
			return 0;
	}
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return 0;
	in = bpf_current_task_under_cgroup(&cgroup_map, CGA_SLOT);
	if (in == 1)
		__sync_fetch_and_add(&st->in_calls, 1);
	else if (in == 0)
		__sync_fetch_and_add(&st->out_calls, 1);
	else
		__sync_fetch_and_add(&st->empty_calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
