// SPDX-License-Identifier: GPL-2.0
/*
 * hbm_kern.c - a host bandwidth manager: a cgroup_skb/egress program that
 * limits a cgroup's egress to a rate with a virtual queue (credit + last time,
 * under a bpf_spin_lock) kept in cgroup storage.
 *
 * hbm_egress keeps the queue in a BPF_MAP_TYPE_CGROUP_STORAGE: the kernel made
 * it when the program was attached, one per (cgroup, attach type), and
 * bpf_get_local_storage() finds it without a key. hbm_cgrp (-m cgrp) keeps the
 * same queue in a BPF_MAP_TYPE_CGRP_STORAGE, which belongs to the cgroup itself
 * and is reached with a struct cgroup pointer. Both count per CPU in a
 * BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hbm.h"

#define NSEC_PER_SEC 1000000000ULL

/* cgroup_skb/egress verdicts: bit 0 = pass, bit 1 = congestion notification
 * (ip_finish_output() returns NET_XMIT_CN, and TCP enters CWR: cwnd cut). */
enum { HBM_DROP = 0, HBM_PASS = 1, HBM_DROP_CN = 2, HBM_PASS_CN = 3 };

/* Set by the loader before load (-r, -e, -m cgrp). */
const volatile __u64 rate_Bps = 0; /* bytes per second; 0: never refill */
const volatile __s64 max_credit = HBM_MAX_CREDIT;
const volatile __s64 mark_thresh = HBM_MARK_THRESH;
const volatile __s64 drop_thresh = HBM_DROP_THRESH;
const volatile bool ecn = false; /* -e: mark CE instead of notifying */
const volatile __u64 cgrp_id = 0; /* -m cgrp: the cgroup limited */

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct hbm_queue);
} hbm_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct hbm_stats);
} hbm_stats SEC(".maps");

/* BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2) by its UAPI number, which never
 * changes: a vmlinux.h dumped from 6.1 (Debian 12) has no such enumerator,
 * and this object must still build there: only -m cgrp uses the map, and
 * hbm_user.c does not create it otherwise. */
#define MAP_TYPE_CGRP_STORAGE 32

struct {
	__uint(type, MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int); /* from user space: a cgroup directory fd */
	__type(value, struct hbm_queue);
} hbm_cgrp_queue SEC(".maps");

/* kfuncs (6.x); weak, so that the object still loads for -m storage where
 * the kernel lacks them. */
struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym __weak;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym __weak;

/* Credit for the time since lasttime_ns, at most max_credit. lasttime_ns moves
 * only by the time the added whole bytes stand for, so no fraction of a byte
 * is lost between two close packets. Runs under the lock: no calls. */
static __always_inline void refill(struct hbm_queue *q, __u64 now)
{
	__u64 dt, add;

	if (!q->lasttime_ns || !rate_Bps || now <= q->lasttime_ns) {
		if (!q->lasttime_ns)
			q->credit = max_credit; /* first packet: a full burst */
		if (!q->lasttime_ns || !rate_Bps)
			q->lasttime_ns = now;
		return;
	}
	dt = now - q->lasttime_ns;
	if (dt > NSEC_PER_SEC)
		dt = NSEC_PER_SEC; /* keeps dt * rate in 64 bits */
	add = dt * rate_Bps / NSEC_PER_SEC;
	q->credit += add;
	if (q->credit >= max_credit) {
		q->credit = max_credit;
		q->lasttime_ns = now;
	} else {
		q->lasttime_ns += add * NSEC_PER_SEC / rate_Bps;
	}
}

/* The limiter, shared by both programs: q is the cgroup's queue, st this
 * CPU's statistics. */
static __always_inline int limit(struct __sk_buff *skb, struct hbm_queue *q, struct hbm_stats *st)
{
	__u64 now = bpf_ktime_get_ns(), len = skb->len;
	bool drop, congested;

	bpf_spin_lock(&q->lock);
	refill(q, now);
	q->packets++;
	q->bytes += len;
	drop = q->credit - (__s64)len < -drop_thresh;
	if (!drop)
		q->credit -= len;
	congested = q->credit < -mark_thresh;
	bpf_spin_unlock(&q->lock);

	/* Per-CPU: no other CPU writes this copy, so plain adds. */
	st->packets++;
	st->bytes += len;
	if (drop) {
		st->drop_packets++;
		st->drop_bytes += len;
		return HBM_DROP_CN;
	}
	st->pass_packets++;
	st->pass_bytes += len;
	if (!congested)
		return HBM_PASS;
	if (ecn && bpf_skb_ecn_set_ce(skb)) { /* 1: CE set (an ECT packet) */
		st->ecn_packets++;
		return HBM_PASS;
	}
	st->cn_packets++;
	return HBM_PASS_CN;
}

SEC("cgroup_skb/egress")
int hbm_egress(struct __sk_buff *skb)
{
	/* No key: the storage of the cgroup this program is attached to. */
	struct hbm_queue *q = bpf_get_local_storage(&hbm_queue, 0);
	struct hbm_stats *st = bpf_get_local_storage(&hbm_stats, 0);

	return limit(skb, q, st);
}

SEC("cgroup_skb/egress")
int hbm_cgrp(struct __sk_buff *skb)
{
	struct hbm_stats *st = bpf_get_local_storage(&hbm_stats, 0);
	struct hbm_queue *q;
	struct cgroup *cg;

	/* The queue hangs off the cgroup object: find it by id, take the
	 * storage (created on first use), drop the reference. */
	cg = bpf_cgroup_from_id(cgrp_id);
	if (!cg)
		return HBM_PASS;
	q = bpf_cgrp_storage_get(&hbm_cgrp_queue, cg, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	bpf_cgroup_release(cg);
	if (!q)
		return HBM_PASS;
	return limit(skb, q, st);
}

char LICENSE[] SEC("license") = "GPL";
