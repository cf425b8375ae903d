// SPDX-License-Identifier: GPL-2.0
/*
 * maps_kern.c - row 9 of `make bench`: in-kernel map operations, ns/op.
 *
 * One XDP program per (map type, operation). BPF_PROG_TEST_RUN runs it with
 * repeat=R; each run loops over the MAPOPS_KEYS keys, all present in the map,
 * and does one lookup or one update per key. `loop_empty` is the same loop
 * without the map call: its time is subtracted, so what remains is the cost
 * of the helper call itself. Every program adds its successes to `done`, and
 * user space checks done == keys * runs (a lookup that missed or an update
 * that failed would make the figure meaningless).
 *
 * The same idea as the kernel's own map benchmarks (a BPF program looping over
 * a populated map from one CPU), written for BPF_PROG_TEST_RUN.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "../benchlib_kern.h"
#include "maps.h"

#define K MAPOPS_KEYS

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, K);
} m_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, K);
} m_parray SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, K);
} m_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, K);
} m_phash SEC(".maps");

/* Twice the keys: an update of an existing key takes a fresh node first, and
 * with free nodes at hand it never has to evict another key. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2 * K);
} m_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u64);
	__uint(max_entries, K);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} m_lpm SEC(".maps");

/* Successful operations, added once per run (one CPU runs a program at a
 * time, so a plain add is exact). */
__u64 done = 0;

/* Every program runs the same loop around its operation (benchlib_kern.h). */
#define FOR_EACH_KEY(i) BENCH_FOR_EACH(i, K)

SEC("xdp")
int loop_empty(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_KEY(i)
		n += i < K;
	done += n;
	return XDP_PASS;
}

SEC("xdp")
int prog_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

#define LOOKUP(name, map)						\
SEC("xdp")								\
int name(struct xdp_md *ctx)						\
{									\
	__u64 n = 0;							\
									\
	FOR_EACH_KEY(i) {						\
		__u32 key = i;						\
									\
		if (bpf_map_lookup_elem(&map, &key))			\
			n++;						\
	}								\
	done += n;							\
	return XDP_PASS;						\
}

#define UPDATE(name, map)						\
SEC("xdp")								\
int name(struct xdp_md *ctx)						\
{									\
	__u64 n = 0;							\
									\
	FOR_EACH_KEY(i) {						\
		__u32 key = i;						\
		__u64 val = i;						\
									\
		if (!bpf_map_update_elem(&map, &key, &val, BPF_ANY))	\
			n++;						\
	}								\
	done += n;							\
	return XDP_PASS;						\
}

LOOKUP(array_lookup, m_array)
UPDATE(array_update, m_array)
LOOKUP(parray_lookup, m_parray)
UPDATE(parray_update, m_parray)
LOOKUP(hash_lookup, m_hash)
UPDATE(hash_update, m_hash)
LOOKUP(phash_lookup, m_phash)
UPDATE(phash_update, m_phash)
LOOKUP(lru_lookup, m_lru)
UPDATE(lru_update, m_lru)

SEC("xdp")
int lpm_lookup(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_KEY(i) {
		struct lpm_key key = { .prefixlen = 32, .addr = i };

		if (bpf_map_lookup_elem(&m_lpm, &key))
			n++;
	}
	done += n;
	return XDP_PASS;
}

SEC("xdp")
int lpm_update(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_KEY(i) {
		struct lpm_key key = { .prefixlen = 32, .addr = i };
		__u64 val = i;

		if (!bpf_map_update_elem(&m_lpm, &key, &val, BPF_ANY))
			n++;
	}
	done += n;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
