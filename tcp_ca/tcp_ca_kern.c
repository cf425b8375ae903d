// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca_kern.c - a Reno congestion control written in BPF: a
 * BPF_MAP_TYPE_STRUCT_OPS map holding a struct tcp_congestion_ops whose
 * function pointers are the SEC("struct_ops/...") programs below.
 *
 * Each callback is called by the TCP stack with the socket it works on; the
 * algorithm's per-connection state lives inside that socket (the 104 bytes of
 * inet_csk(sk)->icsk_ca_priv), not in a map. The map here only counts how
 * often each callback ran, for user space to print.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tcp_ca.h"

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct cb_stat);
	__uint(max_entries, TCP_CA_NCB);
} cb_stats SEC(".maps");

/* Per connection: what Reno needs to undo a spurious loss, and this
 * connection's own count, to show that the area is per socket. */
struct reno_state {
	__u32 loss_cwnd; /* cwnd before the last halving */
	__u32 segs_acked; /* segments acked on this connection */
};

/* Small helpers of our own (the kernel's are static inline, not callable). */
static __always_inline struct tcp_sock *tcp_sk(struct sock *sk)
{
	return (struct tcp_sock *)sk; /* a tcp_sock starts with its sock */
}

static __always_inline struct reno_state *ca_state(struct sock *sk)
{
	_Static_assert(sizeof(struct reno_state) <=
			       sizeof(((struct inet_connection_sock *)0)->icsk_ca_priv),
		       "reno_state must fit in icsk_ca_priv");
	return (struct reno_state *)((struct inet_connection_sock *)sk)->icsk_ca_priv;
}

static __always_inline void count(enum tcp_ca_cb cb, __u64 units)
{
	__u32 key = cb;
	struct cb_stat *s = bpf_map_lookup_elem(&cb_stats, &key);

	if (s) {
		__sync_fetch_and_add(&s->calls, 1);
		if (units)
			__sync_fetch_and_add(&s->units, units);
	}
}

SEC("struct_ops/reno_init")
void BPF_PROG(reno_init, struct sock *sk)
{
	struct reno_state *st = ca_state(sk);

	st->loss_cwnd = 0;
	st->segs_acked = 0;
	count(CB_INIT, 0);
}

/* Required: the slow start threshold after a loss is half the window. */
SEC("struct_ops/reno_ssthresh")
__u32 BPF_PROG(reno_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	ca_state(sk)->loss_cwnd = tp->snd_cwnd;
	count(CB_SSTHRESH, 0);
	return max(tp->snd_cwnd >> 1U, 2U);
}

/* Required (or cong_control): grow cwnd for `acked` newly acked segments. */
SEC("struct_ops/reno_cong_avoid")
void BPF_PROG(reno_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	__u32 cwnd = tp->snd_cwnd;

	count(CB_CONG_AVOID, acked);
	/* Only a window that limited the sender may grow. */
	if (!tp->is_cwnd_limited)
		return;
	if (cwnd < tp->snd_ssthresh) { /* slow start: +1 per segment */
		__u32 grown = min(cwnd + acked, tp->snd_ssthresh);

		acked -= grown - cwnd;
		cwnd = grown;
		if (!acked)
			goto out;
	}
	/* congestion avoidance: +1 per window of acked segments */
	tp->snd_cwnd_cnt += acked;
	if (cwnd && tp->snd_cwnd_cnt >= cwnd) {
		__u32 inc = tp->snd_cwnd_cnt / cwnd;

		tp->snd_cwnd_cnt -= inc * cwnd;
		cwnd += inc;
	}
out:
	tp->snd_cwnd = min(cwnd, tp->snd_cwnd_clamp);
}

SEC("struct_ops/reno_set_state")
void BPF_PROG(reno_set_state, struct sock *sk, __u8 new_state)
{
	count(CB_SET_STATE, 0);
}

/* ev is the kernel's enum tcp_ca_event, held here as a __u32: make new renames
 * every identifier that starts with this sample's name, the kernel's too. */
SEC("struct_ops/reno_cwnd_event")
void BPF_PROG(reno_cwnd_event, struct sock *sk, __u32 ev)
{
	count(CB_CWND_EVENT, 0);
}

SEC("struct_ops/reno_in_ack_event")
void BPF_PROG(reno_in_ack_event, struct sock *sk, __u32 flags)
{
	count(CB_IN_ACK_EVENT, 0);
}

SEC("struct_ops/reno_pkts_acked")
void BPF_PROG(reno_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	__u32 n = sample->pkts_acked;

	ca_state(sk)->segs_acked += n;
	count(CB_PKTS_ACKED, n);
}

/* Required: a loss was spurious, go back to the window before it. */
SEC("struct_ops/reno_undo_cwnd")
__u32 BPF_PROG(reno_undo_cwnd, struct sock *sk)
{
	count(CB_UNDO_CWND, 0);
	return max(tcp_sk(sk)->snd_cwnd, ca_state(sk)->loss_cwnd);
}

SEC("struct_ops/reno_release")
void BPF_PROG(reno_release, struct sock *sk)
{
	count(CB_RELEASE, ca_state(sk)->segs_acked);
}

/* The algorithm. Its name is its identity in the kernel's list (and what
 * setsockopt(TCP_CONGESTION) asks for): the loader makes it unique. */
SEC(".struct_ops")
struct tcp_congestion_ops tcp_ca_ops = {
	.init = (void *)reno_init,
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.set_state = (void *)reno_set_state,
	.cwnd_event = (void *)reno_cwnd_event,
	.in_ack_event = (void *)reno_in_ack_event,
	.pkts_acked = (void *)reno_pkts_acked,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.release = (void *)reno_release,
	.name = TCP_CA_NAME_PLACEHOLDER,
};

char LICENSE[] SEC("license") = "GPL";

#include "tcp_ca_traps_kern.h" /* traps */
