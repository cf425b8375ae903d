// SPDX-License-Identifier: GPL-2.0
/*
 * map_api_kern.c - the programs the map_api walk needs. Most of the walk is
 * user space talking to the bpf() system call; programs appear where a map
 * flag is about what a program may do (steps 4 and 6). Every program is a tc
 * classifier only because BPF_PROG_TEST_RUN can run one on a dummy packet:
 * none is ever attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#define MAP_API_LOCK struct bpf_spin_lock
#include "map_api.h"

/* Step 4: one value with a bpf_spin_lock inside. The kernel finds the lock
 * through the value's BTF; that is what makes BPF_F_LOCK valid on this map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct stamped);
	__uint(max_entries, 1);
} stamps SEC(".maps");

/* Step 6: programs may only read this one, user space may read and write. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} prog_ro SEC(".maps");

/* Step 6: programs may only write this one. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_WRONLY_PROG);
} prog_wo SEC(".maps");

/* Step 6: an array user space maps into its memory and writes directly. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, MAP_API_MMAP_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
} mmapped SEC(".maps");

__u64 locked_runs; /* how often stamp_locked ran: the updates it made */
__u64 unlocked_runs;
__u64 mmap_sum; /* what sum_mmapped found in the mmapped array */

/* Every slot = the old stamp + 1: sixteen stores a reader may land between. */
static __always_inline void stamp_all(struct stamped *v)
{
	__u64 s = v->stamp[0] + 1;

#pragma unroll
	for (int i = 0; i < MAP_API_STAMPS; i++)
		v->stamp[i] = s;
}

/* The stores under the value's lock: a BPF_F_LOCK reader takes the same
 * lock, so it sees all slots old or all new. */
SEC("tc")
int stamp_locked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct stamped *v = bpf_map_lookup_elem(&stamps, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	stamp_all(v);
	bpf_spin_unlock(&v->lock);
	__sync_fetch_and_add(&locked_runs, 1);
	return 0;
}

/* The same stores without the lock. */
SEC("tc")
int stamp_unlocked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct stamped *v = bpf_map_lookup_elem(&stamps, &key);

	if (!v)
		return 0;
	stamp_all(v);
	__sync_fetch_and_add(&unlocked_runs, 1);
	return 0;
}

/* Allowed by both flags: read the read-only map, write the write-only one. */
SEC("tc")
int ro_to_wo(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *ro = bpf_map_lookup_elem(&prog_ro, &key);
	__u64 *wo = bpf_map_lookup_elem(&prog_wo, &key);

	if (ro && wo)
		*wo = *ro + 1;
	return 0;
}

/* Refused by the verifier: a write into a BPF_F_RDONLY_PROG map. "?" in the
 * section name: libbpf does not load it unless asked (step 6 asks). */
SEC("?tc")
int write_ro(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *ro = bpf_map_lookup_elem(&prog_ro, &key);

	if (ro)
		*ro = 1;
	return 0;
}

/* Refused by the verifier: a read from a BPF_F_WRONLY_PROG map. */
SEC("?tc")
int read_wo(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *wo = bpf_map_lookup_elem(&prog_wo, &key);

	return wo ? (int)*wo : 0;
}

static long add_slot(__u32 i, __u64 *sum)
{
	__u64 *v = bpf_map_lookup_elem(&mmapped, &i);

	if (v)
		*sum += *v;
	return 0;
}

/* Sum what user space wrote through its mmap() of the array (bpf_loop: a
 * plain loop of 512 lookups is more than the verifier will follow). */
SEC("tc")
int sum_mmapped(struct __sk_buff *skb)
{
	__u64 sum = 0;

	bpf_loop(MAP_API_MMAP_SLOTS, add_slot, &sum, 0);
	mmap_sum = sum;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
