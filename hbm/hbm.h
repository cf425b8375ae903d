/* SPDX-License-Identifier: GPL-2.0 */
/* hbm.h - what hbm_kern.c and hbm_user.c share. No includes: the BPF side
 * gets __u64 and struct bpf_spin_lock from vmlinux.h, the user side from
 * <linux/types.h> and <linux/bpf.h> (include <bpf/bpf.h> before this file). */
#ifndef HBM_H
#define HBM_H

/* The limiter's defaults (bytes). Credit refills at the rate up to
 * HBM_MAX_CREDIT (the burst an idle cgroup may send at once); below zero it is
 * a virtual queue: past HBM_MARK_THRESH of backlog a passing packet carries a
 * congestion signal (ECN CE with -e, else NET_XMIT_CN to the local TCP), and a
 * packet that would take the backlog past the drop threshold is dropped. The
 * drop threshold is HBM_DROP_THRESH or HBM_QUEUE_MS of traffic at the rate,
 * whichever is more: a TCP sender whose packet is dropped here with nothing in
 * flight waits for its probe timer (200 ms) before it tries again, and a queue
 * shorter than that would leave the cgroup idle for part of every wait. All
 * exceed 64 KiB, the largest GSO packet TCP hands to the hook. */
#define HBM_MAX_CREDIT (128 * 1024)
#define HBM_MARK_THRESH (96 * 1024)
#define HBM_DROP_THRESH (384 * 1024)
#define HBM_QUEUE_MS 500

/* The cgroup's virtual queue, shared by every CPU: one BPF_MAP_TYPE_CGROUP_STORAGE
 * value per (cgroup, attach type), or one BPF_MAP_TYPE_CGRP_STORAGE value per
 * cgroup with -m cgrp. Updated under the lock. */
struct hbm_queue {
	struct bpf_spin_lock lock; /* bpf_spin_lock() in BPF, BPF_F_LOCK from user space */
	__u32 pad;
	__s64 credit; /* bytes the cgroup may send now; < 0: virtual backlog */
	__u64 lasttime_ns; /* bpf_ktime_get_ns() the credit is counted up to; 0 = unused */
	__u64 packets; /* every packet the limiter saw, passed or dropped */
	__u64 bytes;
};

/* Per-CPU statistics: one BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE value per
 * (cgroup, attach type) and CPU, only __u64 counters (summed in user space). */
struct hbm_stats {
	__u64 packets, bytes; /* every packet seen (== the queue's) */
	__u64 pass_packets, pass_bytes; /* sent on */
	__u64 drop_packets, drop_bytes; /* dropped: the virtual queue was full */
	__u64 cn_packets; /* passed with NET_XMIT_CN: the local TCP cuts cwnd */
	__u64 ecn_packets; /* passed with ECN CE set (-e) */
};

_Static_assert(sizeof(struct hbm_queue) == 40, "hbm_queue is shared with BPF");
_Static_assert(sizeof(struct hbm_stats) == 64, "hbm_stats is shared with BPF");

#endif /* HBM_H */
