/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup_array.h - what cgroup_array_kern.c and cgroup_array_user.c share. No
 * includes: the BPF side gets __u64 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef CGROUP_ARRAY_H
#define CGROUP_ARRAY_H

/* The CGROUP_ARRAY has one slot; the programs test membership of slot 0. */
#define CGA_SLOT 0
#define CGA_SLOTS 1

/* One ARRAY slot (key 0) of counters, written by both programs. */
struct cga_stats {
	__u64 in_pkts; /* tc egress: the sending socket is under the cgroup */
	__u64 in_bytes;
	__u64 out_pkts; /* tc egress: the socket is outside the cgroup */
	__u64 out_bytes;
	__u64 nosk_pkts; /* tc egress: no socket (ARP, forwarded): -ENOENT */
	__u64 empty_pkts; /* tc egress: slot 0 empty: -EAGAIN, passed */
	__u64 in_calls; /* tracepoint: the calling task is under the cgroup */
	__u64 out_calls; /* tracepoint: the task is outside */
	__u64 empty_calls; /* tracepoint: slot 0 empty */
};

_Static_assert(sizeof(struct cga_stats) == 72, "cga_stats is shared with BPF");

#endif /* CGROUP_ARRAY_H */
