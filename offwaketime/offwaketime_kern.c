// SPDX-License-Identifier: GPL-2.0
/*
 * offwaketime_kern.c - where a process spends its time off CPU, and who woke
 * it, with stacks kept once each in a BPF_MAP_TYPE_STACK_TRACE.
 *
 *   tp_btf/sched_switch  prev goes off CPU: note when, and its stacks
 *                        (bpf_get_stackid(): kernel, and user with
 *                        BPF_F_USER_STACK); next comes back: add the time it
 *                        was away to the HASH entry of (its stacks, its
 *                        waker's stacks, both names)
 *   tp_btf/sched_waking  a sleeping task is woken: note the waker's stacks
 *   perf_event           -F HZ: an on-CPU sample (cpu-clock), counted per stack
 *
 * The per-task state ("went off CPU at", the waker) lives in a
 * BPF_MAP_TYPE_TASK_STORAGE: it is found from the task_struct pointer the
 * tracepoint hands over (no hash lookup), it needs no max_entries sized for
 * every thread on the machine, and it is freed with the task, so a thread that
 * exits while asleep leaves nothing behind (a HASH by pid would keep it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "offwaketime.h"

/* The innermost kernel frames of a stack taken in a tp_btf program are the
 * tracing machinery: this program, bpf_trace_runN and, for sched_switch,
 * __traceiter_sched_switch. The low 8 bits of the flags skip that many. */
#define SWITCH_SKIP 3
#define WAKING_SKIP 2

#define EFAULT 14
#define EEXIST 17

/* The process followed (-p, or the demo's child). In .data, not .rodata:
 * user space sets it through the mmap()ed skeleton after attach, once the
 * demo's child exists. ~0, no process, until then. */
__u32 target_tgid = ~0u;
/* Set by user space before load. */
const volatile __u64 min_block_ns = 0; /* -m: shorter sleeps are not counted */

/* What happened, read by user space through the skeleton's .bss. */
__u64 stackid_ok, stackid_eexist, stackid_efault, stackid_other;
__u64 too_short; /* sleeps under -m */
__u64 samples; /* -F: on-CPU samples of the watched process */

/* Each distinct stack once: id -> up to 127 instruction pointers. The id is a
 * hash of the frames, so two stacks can want the same bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, OWT_STACKS);
	__type(key, __u32);
	__uint(value_size, OWT_MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct owt_key);
	__type(value, struct owt_val);
} offcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct owt_prof_key);
	__type(value, __u64);
} oncpu SEC(".maps");

struct owt_task {
	__u64 off_ns; /* went off CPU at; 0: on CPU, or not seen */
	__s32 kstack, ustack;
	__s32 waker_kstack, waker_ustack;
	__u32 waker_tgid;
	__u32 woken;
	char waker[OWT_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct owt_task);
} task_state SEC(".maps");

static __always_inline bool watched(__u32 tgid)
{
	return tgid == target_tgid;
}

/* bpf_get_stackid() into stacks, the failures counted by errno. */
static __always_inline __s32 stack_id(void *ctx, __u64 flags)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id >= 0)
		__sync_fetch_and_add(&stackid_ok, 1);
	else if (id == -EEXIST)
		__sync_fetch_and_add(&stackid_eexist, 1);
	else if (id == -EFAULT)
		__sync_fetch_and_add(&stackid_efault, 1);
	else
		__sync_fetch_and_add(&stackid_other, 1);
	return id;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u64 now = bpf_ktime_get_ns();
	struct owt_task *t;

	/* prev_state 0 (TASK_RUNNING) is a preemption: prev did not block, no
	 * one will wake it. Only real sleeps are followed. */
	if (prev_state && watched(prev->tgid)) {
		t = bpf_task_storage_get(&task_state, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (t) {
			/* prev is still current: its stacks are these. */
			t->kstack = stack_id(ctx, SWITCH_SKIP);
			t->ustack = stack_id(ctx, BPF_F_USER_STACK);
			t->woken = 0;
			t->off_ns = now;
		}
	}
	if (!watched(next->tgid))
		return 0;
	t = bpf_task_storage_get(&task_state, next, 0, 0);
	if (!t || !t->off_ns)
		return 0;

	struct owt_key key = {
		.tgid = next->tgid,
		.kstack = t->kstack,
		.ustack = t->ustack,
		.waker_kstack = -1,
		.waker_ustack = -1,
	};
	struct owt_val *v, zero = {};
	__u64 delta = now - t->off_ns;

	t->off_ns = 0;
	if (delta < min_block_ns) {
		__sync_fetch_and_add(&too_short, 1);
		return 0;
	}
	if (t->woken) {
		key.waker_tgid = t->waker_tgid;
		key.waker_kstack = t->waker_kstack;
		key.waker_ustack = t->waker_ustack;
		__builtin_memcpy(key.waker, t->waker, sizeof(key.waker));
	}
	bpf_probe_read_kernel_str(key.comm, sizeof(key.comm), next->comm);
	v = bpf_map_lookup_elem(&offcpu, &key);
	if (!v) {
		bpf_map_update_elem(&offcpu, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&offcpu, &key);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->off_ns, delta);
	__sync_fetch_and_add(&v->count, 1);
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(on_waking, struct task_struct *p)
{
	struct owt_task *t;

	if (!watched(p->tgid))
		return 0;
	t = bpf_task_storage_get(&task_state, p, 0, 0);
	if (!t || !t->off_ns || t->woken)
		return 0; /* not a sleep we saw begin, or already woken */
	/* current is the waker (or whatever an interrupt came in on). */
	t->waker_kstack = stack_id(ctx, WAKING_SKIP);
	t->waker_ustack = stack_id(ctx, BPF_F_USER_STACK);
	t->waker_tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(t->waker, sizeof(t->waker));
	t->woken = 1;
	return 0;
}

SEC("perf_event")
int on_cpu_sample(struct bpf_perf_event_data *ctx)
{
	struct owt_prof_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	__u64 *n, one = 1;

	if (!watched(key.tgid))
		return 0;
	__sync_fetch_and_add(&samples, 1);
	key.kstack = stack_id(ctx, 0); /* -EFAULT when it ran in user mode */
	key.ustack = stack_id(ctx, BPF_F_USER_STACK);
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	n = bpf_map_lookup_elem(&oncpu, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&oncpu, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

#include "offwaketime_traps_kern.h" /* traps */
