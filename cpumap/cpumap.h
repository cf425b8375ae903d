/* SPDX-License-Identifier: GPL-2.0 */
/* cpumap.h - what cpumap_kern.c and cpumap_user.c share. No includes: the BPF
 * side gets __u32/__u64 from vmlinux.h, the user side from <linux/types.h>. */
#ifndef CPUMAP_H
#define CPUMAP_H

/* Keys of the CPUMAP are CPU ids 0..CPUMAP_MAX_CPUS-1. The kernel refuses a
 * CPUMAP with more entries than NR_CPUS (E2BIG at creation); 64 fits every
 * distro kernel and leaves room for ids that do not exist here (ENODEV). */
#define CPUMAP_MAX_CPUS 64

/* How the XDP program picks the CPU (rodata `policy`). */
enum cpumap_policy {
	CPUMAP_SAME = 0, /* the CPU the XDP program runs on (classic sample) */
	CPUMAP_RR = 1, /* round robin over the CPU set, per receiving CPU */
	CPUMAP_HASH = 2, /* hash of the IPv4/IPv6 address pair over the set */
};

/* One per CPU in a PERCPU_ARRAY: the CPU a stage ran on is the slot it adds to. */
struct stage_counts {
	__u64 xdp; /* packets the XDP program saw on this CPU */
	__u64 redirected; /* ... and handed to the CPUMAP (XDP_REDIRECT) */
	__u64 missing; /* ... and dropped: no CPUMAP entry for the chosen CPU */
	__u64 cpumap_prog; /* second-stage program runs in this CPU's cpumap kthread */
	__u64 tc_ingress; /* tc ingress runs on this CPU */
	__u64 tc_egress; /* tc egress runs on this CPU */
};

_Static_assert(sizeof(struct stage_counts) == 48, "stage_counts is shared with BPF");

/* --trace: one event per stage per packet, through the ring buffer. */
enum cpumap_stage {
	STAGE_XDP = 0,
	STAGE_CPUMAP = 1,
	STAGE_TC_INGRESS = 2,
	STAGE_TC_EGRESS = 3,
};

struct cpumap_event {
	__u64 ts_ns; /* bpf_ktime_get_ns() */
	__u32 cpu; /* where the stage ran */
	__u32 stage; /* enum cpumap_stage */
	__u32 target; /* STAGE_XDP: the chosen CPU, else 0 */
	__u32 len; /* frame length seen by the stage */
	__u32 action; /* STAGE_XDP: XDP_REDIRECT or XDP_DROP */
	__u32 pad;
};

_Static_assert(sizeof(struct cpumap_event) == 32, "cpumap_event is shared with BPF");

#endif /* CPUMAP_H */
