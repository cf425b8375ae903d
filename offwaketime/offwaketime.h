/* SPDX-License-Identifier: GPL-2.0 */
/* offwaketime.h - what offwaketime_kern.c and the user side share. No
 * includes: the BPF side gets __u64 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef OFFWAKETIME_H
#define OFFWAKETIME_H

#define OWT_COMM_LEN 16
#define OWT_MAX_DEPTH 127 /* PERF_MAX_STACK_DEPTH: frames per stack */
#define OWT_STACKS 4096 /* STACK_TRACE map size: 4,096 stacks of 1 KiB, preallocated */

/* The off-CPU HASH's key: who slept (target) where, who woke it where. A
 * stack id is an index into the STACK_TRACE map, or a negative errno when
 * bpf_get_stackid() failed (-EFAULT: no user stack, as for a kernel thread;
 * -EEXIST: the bucket held another stack). */
struct owt_key {
	__u32 tgid; /* the target's process */
	__u32 waker_tgid; /* the waker's process (0: an interrupt of the idle task) */
	__s32 kstack, ustack; /* target, when it went off CPU */
	__s32 waker_kstack, waker_ustack; /* waker, when it woke the target */
	char comm[OWT_COMM_LEN]; /* the target thread's name */
	char waker[OWT_COMM_LEN]; /* the waker thread's name */
};

struct owt_val {
	__u64 off_ns; /* off-CPU time, summed */
	__u64 count; /* wakeups: times the target came back */
};

/* The on-CPU profile (-F): samples per (process, stacks, thread name). */
struct owt_prof_key {
	__u32 tgid;
	__s32 kstack, ustack;
	char comm[OWT_COMM_LEN];
	__u32 pad;
};

_Static_assert(sizeof(struct owt_key) == 56, "owt_key is shared with BPF");
_Static_assert(sizeof(struct owt_val) == 16, "owt_val is shared with BPF");
_Static_assert(sizeof(struct owt_prof_key) == 32, "owt_prof_key is shared with BPF");

#endif /* OFFWAKETIME_H */
