// SPDX-License-Identifier: GPL-2.0
/*
 * mapchoice_kern.c - the programs of bench/mapchoice: for each question of
 * docs/choosing-a-map.md that no other row answers, the two ways side by side.
 *
 * Every program runs a loop of MAPCHOICE_OPS iterations with one operation
 * (or one find-and-add, or one create-and-delete) per iteration, and adds the
 * iterations that succeeded to `done`; a side that had to create its entry
 * first adds that to `created`. User space checks both after every run, so a
 * lookup that missed or an update that failed fails the row instead of
 * making it faster.
 *
 *   XDP, BPF_PROG_TEST_RUN with repeat:   global variable vs 1-entry ARRAY,
 *                                         DEVMAP vs DEVMAP_HASH lookup,
 *                                         QUEUE vs STACK pop + push,
 *                                         HASH_OF_MAPS vs flat HASH
 *   cgroup_skb, BPF_PROG_TEST_RUN with repeat (the kernel gives the test
 *   skb a socket of its own, skb->sk):    SK_STORAGE vs HASH by socket cookie
 *   raw_tp, BPF_PROG_TEST_RUN (no repeat; the program runs in the calling
 *   task and times its own loop):         TASK_STORAGE vs HASH by pid
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "../benchlib_kern.h"
#include "mapchoice.h"

#define K MAPCHOICE_OPS

/* ---- global variable vs 1-entry ARRAY ----------------------------------- */

__u64 g_counter = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} one_slot SEC(".maps");

/* ---- DEVMAP vs DEVMAP_HASH ---------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, K);
} dev_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, K);
} dev_hash SEC(".maps");

/* ---- QUEUE vs STACK ------------------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, K);
} pool_fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__type(value, __u32);
	__uint(max_entries, K);
} pool_lifo SEC(".maps");

/* ---- HASH_OF_MAPS vs a flat HASH ---------------------------------------- */

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, K);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 16);
	__array(values, struct inner_hash);
} tenants SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flat_key);
	__type(value, __u64);
	__uint(max_entries, 16 * K);
} flat SEC(".maps");

/* ---- SK_STORAGE vs HASH keyed by socket cookie ------------------------------ */

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct owner_val);
} sk_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, struct owner_val);
	__uint(max_entries, 4096);
} by_cookie SEC(".maps");

/* ---- TASK_STORAGE vs HASH keyed by pid ---------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct owner_val);
} task_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct owner_val);
	__uint(max_entries, 4096);
} by_pid SEC(".maps");

/* The create-and-delete rows use maps of their own, so that they never take
 * away the entry the find rows keep for this task. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct owner_val);
} task_churn_st SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct owner_val);
	__uint(max_entries, 4096);
} pid_churn_h SEC(".maps");

/* Iterations that succeeded; entries a side had to create first; the last
 * socket cookie the cookie side used (user space deletes that entry, as a
 * program keyed by cookie must do when the socket goes); the time the raw_tp
 * programs spent in their loop. One CPU runs a program at a time: plain adds
 * are exact. */
__u64 done = 0;
__u64 created = 0;
__u64 last_cookie = 0;
__u64 loop_ns = 0;

/* Every program runs the same loop around its operation (benchlib_kern.h). */
#define FOR_EACH_OP(i) BENCH_FOR_EACH(i, K)

SEC("xdp")
int loop_empty(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_OP(i)
		n += i < K;
	done += n;
	return XDP_PASS;
}

/* A global variable: the program has its address, no call, no NULL check. */
SEC("xdp")
int global_add(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_OP(i) {
		*(volatile __u64 *)&g_counter += i;
		n++;
	}
	done += n;
	return XDP_PASS;
}

/* The same counter in slot 0 of a 1-entry ARRAY: a lookup (inlined by the
 * verifier into a bounds check and address arithmetic), a NULL check, the add. */
SEC("xdp")
int array1_add(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_OP(i) {
		__u32 zero = 0;
		__u64 *v = bpf_map_lookup_elem(&one_slot, &zero);

		if (v) {
			*(volatile __u64 *)v += i;
			n++;
		}
	}
	done += n;
	return XDP_PASS;
}

#define LOOKUP(name, map)						\
SEC("xdp")								\
int name(struct xdp_md *ctx)						\
{									\
	__u64 n = 0;							\
									\
	FOR_EACH_OP(i) {						\
		__u32 key = i;						\
									\
		if (bpf_map_lookup_elem(&map, &key))			\
			n++;						\
	}								\
	done += n;							\
	return XDP_PASS;						\
}

LOOKUP(devmap_lookup, dev_array)
LOOKUP(devhash_lookup, dev_hash)

/* Take a value from the pool and give it back: one pop and one push. */
#define CYCLE(name, map)						\
SEC("xdp")								\
int name(struct xdp_md *ctx)						\
{									\
	__u64 n = 0;							\
									\
	FOR_EACH_OP(i) {						\
		__u32 v;						\
									\
		if (bpf_map_pop_elem(&map, &v))				\
			continue;					\
		if (!bpf_map_push_elem(&map, &v, 0))			\
			n++;						\
	}								\
	done += n;							\
	return XDP_PASS;						\
}

CYCLE(queue_cycle, pool_fifo)
CYCLE(stack_cycle, pool_lifo)

/* The tenant's table found in the outer map, then the key in it. */
SEC("xdp")
int hom_lookup(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_OP(i) {
		__u32 tenant = MAPCHOICE_TENANT;
		__u32 key = i;
		void *inner = bpf_map_lookup_elem(&tenants, &tenant);

		if (!inner)
			continue;
		if (bpf_map_lookup_elem(inner, &key))
			n++;
	}
	done += n;
	return XDP_PASS;
}

SEC("xdp")
int flat_lookup(struct xdp_md *ctx)
{
	__u64 n = 0;

	FOR_EACH_OP(i) {
		struct flat_key key = { .tenant = MAPCHOICE_TENANT, .key = i };

		if (bpf_map_lookup_elem(&flat, &key))
			n++;
	}
	done += n;
	return XDP_PASS;
}

/* ---- per socket: the test run's skb carries a socket the kernel made for
 * this run (freed at its end), so each run starts with no entry on either
 * side and creates it once. */

SEC("cgroup_skb/egress")
int sk_find(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u64 n = 0;

	if (!sk)
		return 1;
	FOR_EACH_OP(i) {
		struct owner_val *v = bpf_sk_storage_get(&sk_store, sk, NULL, 0);

		if (!v) {
			v = bpf_sk_storage_get(&sk_store, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
			if (!v)
				continue;
			created++;
		}
		v->ops++;
		v->sum += i;
		n++;
	}
	done += n;
	return 1;
}

SEC("cgroup_skb/egress")
int cookie_find(struct __sk_buff *skb)
{
	struct owner_val zero = {};
	__u64 cookie = 0;
	__u64 n = 0;

	FOR_EACH_OP(i) {
		struct owner_val *v;

		cookie = bpf_get_socket_cookie(skb);
		v = bpf_map_lookup_elem(&by_cookie, &cookie);
		if (!v) {
			if (bpf_map_update_elem(&by_cookie, &cookie, &zero, BPF_NOEXIST))
				continue;
			created++;
			v = bpf_map_lookup_elem(&by_cookie, &cookie);
			if (!v)
				continue;
		}
		v->ops++;
		v->sum += i;
		n++;
	}
	last_cookie = cookie;
	done += n;
	return 1;
}

/* A new owner's entry made and removed: what a socket's life costs each side. */
SEC("cgroup_skb/egress")
int sk_churn(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u64 n = 0;

	if (!sk)
		return 1;
	FOR_EACH_OP(i) {
		if (!bpf_sk_storage_get(&sk_store, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE))
			continue;
		if (!bpf_sk_storage_delete(&sk_store, sk))
			n++;
	}
	done += n;
	return 1;
}

SEC("cgroup_skb/egress")
int cookie_churn(struct __sk_buff *skb)
{
	struct owner_val zero = {};
	__u64 n = 0;

	FOR_EACH_OP(i) {
		__u64 cookie = bpf_get_socket_cookie(skb);

		if (bpf_map_update_elem(&by_cookie, &cookie, &zero, BPF_NOEXIST))
			continue;
		if (!bpf_map_delete_elem(&by_cookie, &cookie))
			n++;
	}
	done += n;
	return 1;
}

/* ---- per task: raw_tp test runs execute in the calling task, so the
 * current task is the bench's own thread. BPF_PROG_TEST_RUN has no repeat
 * for raw_tp; the program times its own loop. */

SEC("raw_tp")
int task_find(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 t0 = bpf_ktime_get_ns();
	__u64 n = 0;

	FOR_EACH_OP(i) {
		struct owner_val *v = bpf_task_storage_get(&task_store, task, NULL, 0);

		if (!v) {
			v = bpf_task_storage_get(&task_store, task, NULL,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);
			if (!v)
				continue;
			created++;
		}
		v->ops++;
		v->sum += i;
		n++;
	}
	loop_ns += bpf_ktime_get_ns() - t0;
	done += n;
	return 0;
}

SEC("raw_tp")
int pid_find(void *ctx)
{
	struct owner_val zero = {};
	__u64 t0 = bpf_ktime_get_ns();
	__u64 n = 0;

	FOR_EACH_OP(i) {
		__u32 pid = (__u32)bpf_get_current_pid_tgid();
		struct owner_val *v = bpf_map_lookup_elem(&by_pid, &pid);

		if (!v) {
			if (bpf_map_update_elem(&by_pid, &pid, &zero, BPF_NOEXIST))
				continue;
			created++;
			v = bpf_map_lookup_elem(&by_pid, &pid);
			if (!v)
				continue;
		}
		v->ops++;
		v->sum += i;
		n++;
	}
	loop_ns += bpf_ktime_get_ns() - t0;
	done += n;
	return 0;
}

SEC("raw_tp")
int task_churn(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 t0 = bpf_ktime_get_ns();
	__u64 n = 0;

	FOR_EACH_OP(i) {
		if (!bpf_task_storage_get(&task_churn_st, task, NULL,
					  BPF_LOCAL_STORAGE_GET_F_CREATE))
			continue;
		if (!bpf_task_storage_delete(&task_churn_st, task))
			n++;
	}
	loop_ns += bpf_ktime_get_ns() - t0;
	done += n;
	return 0;
}

SEC("raw_tp")
int pid_churn(void *ctx)
{
	struct owner_val zero = {};
	__u64 t0 = bpf_ktime_get_ns();
	__u64 n = 0;

	FOR_EACH_OP(i) {
		__u32 pid = (__u32)bpf_get_current_pid_tgid();

		if (bpf_map_update_elem(&pid_churn_h, &pid, &zero, BPF_NOEXIST))
			continue;
		if (!bpf_map_delete_elem(&pid_churn_h, &pid))
			n++;
	}
	loop_ns += bpf_ktime_get_ns() - t0;
	done += n;
	return 0;
}

/* The raw_tp loop without a map call, timed the same way. */
SEC("raw_tp")
int raw_empty(void *ctx)
{
	__u64 t0 = bpf_ktime_get_ns();
	__u64 n = 0;

	FOR_EACH_OP(i)
		n += i < K;
	loop_ns += bpf_ktime_get_ns() - t0;
	done += n;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
