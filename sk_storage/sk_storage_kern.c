// SPDX-License-Identifier: GPL-2.0
/*
 * sk_storage_kern.c - per-socket TCP statistics in BPF_MAP_TYPE_SK_STORAGE.
 *
 * A sockops program attached to a cgroup v2 directory runs for TCP sockets of
 * tasks in that cgroup. When a connection is established it creates the
 * socket's storage (bpf_sk_storage_get with F_CREATE) and asks for more
 * callbacks (RTT samples, state changes, retransmissions); at each callback it
 * refreshes the value from bpf_tcp_sock(). The storage lives inside the socket:
 * no key to build, nothing to delete, it is freed with the socket.
 *
 * An iterator over the map lets user space list every socket that has storage
 * (user space can only look up sockets it holds an fd for); where the kernel
 * refuses map iterators, a TCP socket iterator does the same for one netns.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "sk_storage.h"

#define AF_INET 2
#define AF_INET6 10

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required: storage is allocated per socket */
	__type(key, int); /* from user space: a socket fd */
	__type(value, struct sk_stats);
} sk_stats_map SEC(".maps"); /* max_entries: 0, also required */

/* How many storages the program created (one per established connection). */
__u64 created = 0;

/* sk is the pointer already checked for NULL: reading skops->sk again would
 * give the verifier a fresh "maybe NULL" value. */
static __always_inline void snapshot(struct bpf_sock *sk, struct sk_stats *st)
{
	struct bpf_tcp_sock *tp = bpf_tcp_sock(sk);

	st->callbacks++;
	if (!tp)
		return;
	st->bytes_acked = tp->bytes_acked;
	st->bytes_received = tp->bytes_received;
	st->segs_out = tp->segs_out;
	st->segs_in = tp->segs_in;
	st->data_segs_out = tp->data_segs_out;
	st->data_segs_in = tp->data_segs_in;
	st->total_retrans = tp->total_retrans;
	st->delivered = tp->delivered;
	st->srtt_us = tp->srtt_us >> 3; /* the kernel keeps srtt << 3 */
}

SEC("sockops")
int tcp_stats(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	__u32 op = skops->op;
	struct sk_stats *st;

	if (!sk)
		return 1;
	switch (op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		st = bpf_sk_storage_get(&sk_stats_map, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
		if (!st)
			return 1; /* out of memory: this socket goes untracked */
		__sync_fetch_and_add(&created, 1);
		st->role = op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB ? SK_ROLE_CLIENT :
								      SK_ROLE_SERVER;
		st->state = skops->state;
		/* The callbacks below are off unless a program asks, per socket. */
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG |
							 BPF_SOCK_OPS_STATE_CB_FLAG |
							 BPF_SOCK_OPS_RETRANS_CB_FLAG);
		break;
	case BPF_SOCK_OPS_RTT_CB:
		st = bpf_sk_storage_get(&sk_stats_map, sk, NULL, 0);
		if (!st)
			return 1; /* a connection established before we attached */
		st->rtt_samples++;
		break;
	case BPF_SOCK_OPS_STATE_CB:
		/* Called before the change: args[0] is the old state, args[1] the new. */
		st = bpf_sk_storage_get(&sk_stats_map, sk, NULL, 0);
		if (!st)
			return 1;
		st->state = skops->args[1];
		break;
	case BPF_SOCK_OPS_RETRANS_CB:
		st = bpf_sk_storage_get(&sk_stats_map, sk, NULL, 0);
		if (!st)
			return 1;
		st->retrans_cbs++;
		break;
	default:
		return 1;
	}
	snapshot(sk, st);
	return 1;
}

/* One binary record per socket: its addresses and its storage. */
static __always_inline void emit(struct seq_file *seq, struct sock *sk, const struct sk_stats *st)
{
	struct sk_record r = {};

	r.family = sk->__sk_common.skc_family;
	r.lport = sk->__sk_common.skc_num;
	r.rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (r.family == AF_INET) {
		__builtin_memcpy(r.laddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(r.raddr, &sk->__sk_common.skc_daddr, 4);
	} else {
		__builtin_memcpy(r.laddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(r.raddr, &sk->__sk_common.skc_v6_daddr, 16);
	}
	__builtin_memcpy(&r.st, st, sizeof(r.st));
	bpf_seq_write(seq, &r, sizeof(r));
}

/* The map iterator (5.10+): called once per storage in the map, whatever the
 * socket's netns or protocol. This is the way to list a SK_STORAGE map. */
SEC("iter/bpf_sk_storage_map")
int dump_sk_stats(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct sk_stats *st = ctx->value;
	struct sock *sk = ctx->sk;

	if (!sk || !st)
		return 0;
	emit(ctx->meta->seq, sk, st);
	return 0;
}

/* The fallback, for kernels that refuse map iterators (seen: EPERM for every
 * iter/bpf_map_elem, iter/sockmap and iter/bpf_sk_storage_map program on a
 * 6.18 host whose iter/tcp loads): walk the TCP sockets of the netns that
 * reads the iterator and look each one up in the map, as the sockops program
 * does. Same records, but only this netns's TCP sockets. */
SEC("iter/tcp")
int dump_tcp_stats(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;
	struct sk_stats *st;

	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc); /* NULL for TIME_WAIT and request socks */
	if (!tp)
		return 0;
	st = bpf_sk_storage_get(&sk_stats_map, tp, NULL, 0);
	if (!st)
		return 0;
	emit(ctx->meta->seq, (struct sock *)tp, st);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
