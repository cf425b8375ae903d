/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_fwd.h - what xdp_fwd_kern.c and xdp_fwd_user.c share. */
#ifndef XDP_FWD_H
#define XDP_FWD_H

/* Keys of the fwd_stats PERCPU_ARRAY: why a packet got its verdict.
 * 0..15 are bpf_fib_lookup()'s return codes (BPF_FIB_LKUP_RET_*), 0 being
 * SUCCESS = forwarded by XDP; 16.. are this sample's own reasons. */
#define XFWD_FIB_SUCCESS 0 /* forwarded: XDP_REDIRECT */
#define XFWD_FIB_BLACKHOLE 1 /* dropped */
#define XFWD_FIB_UNREACHABLE 2 /* dropped */
#define XFWD_FIB_PROHIBIT 3 /* dropped */
#define XFWD_FIB_NOT_FWDED 4 /* to the stack: no route, or the address is local */
#define XFWD_FIB_FWD_DISABLED 5 /* to the stack: forwarding off on the ingress device */
#define XFWD_FIB_UNSUPP_LWT 6 /* to the stack: route needs encapsulation */
#define XFWD_FIB_NO_NEIGH 7 /* to the stack: no valid neighbour entry (ARP/ND) */
#define XFWD_FIB_FRAG_NEEDED 8 /* to the stack: larger than the egress MTU */
#define XFWD_FIB_NO_SRC_ADDR 9 /* to the stack (kernel 6.7+, only with BPF_FIB_LOOKUP_SRC) */
#define XFWD_FIB_ERROR 15 /* to the stack: the helper failed (negative return) */
#define XFWD_TTL_EXPIRED 16 /* to the stack: TTL/hop limit <= 1, it sends ICMP time exceeded */
#define XFWD_NOT_TX_PORT 17 /* to the stack: egress device not in tx_ports */
#define XFWD_NOT_IP 18 /* to the stack: not IPv4/IPv6 (ARP ...) */
#define XFWD_REDIRECT_FAILED 19 /* dropped: bpf_redirect_map() refused (should not happen) */
#define XFWD_NKEYS 20

struct xfwd_stats {
	__u64 packets;
	__u64 bytes; /* frame bytes, Ethernet header included */
};

_Static_assert(sizeof(struct xfwd_stats) == 16, "xfwd_stats is shared with BPF");

#endif /* XDP_FWD_H */
