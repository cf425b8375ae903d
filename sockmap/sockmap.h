/* SPDX-License-Identifier: GPL-2.0 */
/* sockmap.h - what sockmap_kern.c, sockmap_user.c and the demo share. No
 * includes: the BPF side gets __u32/__u64 from vmlinux.h, the user side from
 * <linux/types.h>. */
#ifndef SOCKMAP_H
#define SOCKMAP_H

#define SOCKMAP_MAX_SOCKS 1024 /* sockets the SOCKHASH / SOCKMAP can hold */

/* A socket's SOCKHASH key: its own 4-tuple, IPv4, ports in host order. The
 * peer's key is the same four fields with local and remote swapped. */
struct sock_key {
	__u32 local_ip4; /* network order, as sockops and sk_msg give it */
	__u32 remote_ip4;
	__u32 local_port; /* host order */
	__u32 remote_port; /* host order */
};

/* Counters in .bss, written by the programs with atomic adds. */
struct sockmap_stats {
	__u64 added; /* sockets the sockops program put into the map */
	__u64 add_failed; /* bpf_sock_hash_update / bpf_sock_map_update < 0 */
	__u64 msg_verdicts; /* sk_msg program runs */
	__u64 msg_bytes; /* bytes those runs covered (msg->size) */
	__u64 redirected; /* verdicts that redirected to the peer (SK_PASS) */
	__u64 redirect_missed; /* no peer in the map: SK_PASS through the stack */
	__u64 skb_verdicts; /* sk_skb stream verdict runs (the echo) */
	__u64 skb_bytes; /* bytes echoed */
	__u64 lo_packets; /* TCP segments with payload seen at lo ingress */
	__u64 lo_bytes; /* their TCP payload bytes */
	__u64 corked; /* sk_msg runs that asked for more bytes (cork) */
};

_Static_assert(sizeof(struct sock_key) == 16, "sock_key is shared with BPF");
_Static_assert(sizeof(struct sockmap_stats) == 88, "sockmap_stats is shared with BPF");

#endif /* SOCKMAP_H */
