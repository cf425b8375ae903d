// SPDX-License-Identifier: GPL-2.0
/*
 * sockmap_kern.c - sockets as map values: a local TCP bypass.
 *
 * add_socket (sockops, on a cgroup) puts every established TCP socket of the
 * cgroup into a map: the SOCKHASH keyed by its 4-tuple, or (use_sockmap) the
 * SOCKMAP at the next free slot, remembering the slot in slot_of. redirect
 * (sk_msg, attached to the map, not to the cgroup) runs at every sendmsg() of
 * a socket in that map and moves the data straight into the peer socket's
 * receive queue (BPF_F_INGRESS): no skb, no TCP/IP, no lo. echo (sk_skb
 * stream verdict, attached to echo_map) sends every byte a socket of echo_map
 * receives back out of the same socket, from inside the kernel. count_lo (tc
 * ingress on lo) counts the TCP payload that still crosses lo: the proof.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sample_kern.h"
#include "sockmap.h"

#define AF_INET 2
#define TC_ACT_OK 0

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__type(key, struct sock_key);
	__type(value, __u64); /* 8 bytes: user-space lookups return the socket cookie */
	__uint(max_entries, SOCKMAP_MAX_SOCKS);
} sock_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__type(key, __u32); /* a slot */
	__type(value, __u64);
	__uint(max_entries, SOCKMAP_MAX_SOCKS);
} sock_map SEC(".maps");

/* -m sockmap: the 4-tuple -> slot index, so that sk_msg finds the peer's slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct sock_key);
	__type(value, __u32);
	__uint(max_entries, SOCKMAP_MAX_SOCKS);
} slot_of SEC(".maps");

/* The in-kernel echo: the sockets whose received bytes go straight back. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} echo_map SEC(".maps");

const volatile bool use_sockmap = false; /* -m sockmap */
const volatile bool redirect_on = true; /* -n: false, count verdicts only */
const volatile __u32 echo_port = 0; /* sockops leaves this port's sockets alone */

bool add_sockets = true; /* the bench turns it off for its plain connection */
__u32 apply_bytes; /* bpf_msg_apply_bytes(): one verdict per this many bytes */
__u32 cork_bytes; /* bpf_msg_cork_bytes(): no verdict before this many bytes */
__u32 next_slot;
struct sockmap_stats stats;

SEC("sockops")
int add_socket(struct bpf_sock_ops *skops)
{
	struct sock_key key;
	__u32 slot;
	long err;

	if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	if (skops->family != AF_INET || !add_sockets)
		return 1;
	key.local_ip4 = skops->local_ip4;
	key.remote_ip4 = skops->remote_ip4;
	key.local_port = skops->local_port; /* host order */
	key.remote_port = bpf_ntohl(skops->remote_port); /* network order, in the upper 16 bits */
	if (echo_port && (key.local_port == echo_port || key.remote_port == echo_port))
		return 1;
	if (use_sockmap) {
		/* A SOCKMAP is an array: the slot is ours to choose (and to reuse). */
		/* (not atomic: clang 14 at -mcpu=v1/v2 has no fetch-and-add
		 * that returns the old value; two sockets at once may race) */
		slot = next_slot++ % SOCKMAP_MAX_SOCKS;
		err = bpf_sock_map_update(skops, &sock_map, &slot, BPF_ANY);
		if (!err)
			bpf_map_update_elem(&slot_of, &key, &slot, BPF_ANY);
	} else {
		err = bpf_sock_hash_update(skops, &sock_hash, &key, BPF_ANY);
	}
	__sync_fetch_and_add(err ? &stats.add_failed : &stats.added, 1);
	return 1;
}

SEC("sk_msg")
int redirect(struct sk_msg_md *msg)
{
	struct sock_key peer;
	__u32 *slot;
	long verdict;

	if (apply_bytes)
		bpf_msg_apply_bytes(msg, apply_bytes);
	if (cork_bytes && msg->size < cork_bytes) {
		/* Hold the data; the program runs again on the whole corked lot. */
		bpf_msg_cork_bytes(msg, cork_bytes);
		__sync_fetch_and_add(&stats.corked, 1);
		return SK_PASS;
	}
	__sync_fetch_and_add(&stats.msg_verdicts, 1);
	__sync_fetch_and_add(&stats.msg_bytes, msg->size);
	if (!redirect_on)
		return SK_PASS;
	/* The peer's key: our tuple seen from the other end. */
	peer.local_ip4 = msg->remote_ip4;
	peer.remote_ip4 = msg->local_ip4;
	peer.local_port = bpf_ntohl(msg->remote_port);
	peer.remote_port = msg->local_port;
	if (use_sockmap) {
		slot = bpf_map_lookup_elem(&slot_of, &peer);
		verdict = slot ? bpf_msg_redirect_map(msg, &sock_map, *slot, BPF_F_INGRESS) :
				 SK_DROP;
	} else {
		verdict = bpf_msg_redirect_hash(msg, &sock_hash, &peer, BPF_F_INGRESS);
	}
	if (verdict == SK_PASS) {
		__sync_fetch_and_add(&stats.redirected, 1);
		return SK_PASS;
	}
	/* No peer in the map (not established yet, or gone): through the stack. */
	__sync_fetch_and_add(&stats.redirect_missed, 1);
	return SK_PASS;
}

SEC("sk_skb/stream_verdict")
int echo(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&stats.skb_verdicts, 1);
	__sync_fetch_and_add(&stats.skb_bytes, skb->len);
	/* Flags 0 = egress: out of echo_map[0], the socket that received it. */
	return bpf_sk_redirect_map(skb, &echo_map, 0, 0);
}

SEC("tc")
int count_lo(struct __sk_buff *skb)
{
	struct iphdr iph;
	struct tcphdr th;
	__u32 payload;

	if (skb->protocol != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)) || iph.protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + iph.ihl * 4, &th, sizeof(th)))
		return TC_ACT_OK;
	payload = bpf_ntohs(iph.tot_len) - iph.ihl * 4 - th.doff * 4;
	if (payload > 0 && payload < 65536) {
		__sync_fetch_and_add(&stats.lo_packets, 1);
		__sync_fetch_and_add(&stats.lo_bytes, payload);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
