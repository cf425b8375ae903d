/* SPDX-License-Identifier: GPL-2.0 */
/* trace_output.h - what trace_output_kern.c and trace_output_user.c share. No
 * includes: the BPF side gets __u32/__u64 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef TRACE_OUTPUT_H
#define TRACE_OUTPUT_H

/* One record per write() of the watched process, the same bytes in every mode
 * (perf event array, ring buffer reserve/submit, ring buffer output). */
struct write_event {
	__u32 pid; /* tgid: the process, as user space calls it */
	__u32 tid; /* the thread that called write() */
	__u64 cookie; /* the run's cookie from rodata: proves the record is ours */
	__u64 count; /* write()'s third argument: bytes asked to be written */
	__u64 seq; /* 0, 1, 2 ... in the order the program ran, over all CPUs */
	__u64 ts_ns; /* bpf_ktime_get_ns() at sys_enter_write */
	__u32 cpu; /* the CPU the program ran on */
	__u32 fd; /* write()'s first argument */
};

_Static_assert(sizeof(struct write_event) == 48, "write_event is shared with BPF");

#endif /* TRACE_OUTPUT_H */
