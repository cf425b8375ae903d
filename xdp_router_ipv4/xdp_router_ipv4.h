/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_router_ipv4.h - what the BPF side and the user side share. */
#ifndef XDP_ROUTER_IPV4_H
#define XDP_ROUTER_IPV4_H

#define XR_MAX_ROUTES 1024
#define XR_MAX_NEIGHS 1024
#define XR_MAX_PORTS 64

/* LPM_TRIE key: prefix length in bits, then the address in network order
 * (the trie compares bytes from the first, most significant one). */
struct xr_route_key {
	__u32 prefixlen;
	__u32 addr;
};

/* LPM_TRIE value: one route of the main table. The prefix is repeated so that
 * the program knows which route matched (a lookup returns only the value). */
struct xr_route {
	__u32 ifindex; /* egress device */
	__u32 gw; /* next hop, network order; 0 = directly connected */
	__u32 prefixlen;
	__u32 dst;
};

/* HASH value, key = IPv4 address (network order). */
struct xr_neigh {
	__u8 mac[6];
	__u16 pad;
	__u32 ifindex;
};

/* HASH value, key = ifindex of a port the program may transmit on. */
struct xr_port {
	__u8 mac[6];
	__u16 pad;
};

/* Packets and bytes; per route (PERCPU_HASH keyed by xr_route_key) and per
 * verdict reason (PERCPU_ARRAY keyed by XR_*). */
struct xr_counter {
	__u64 packets;
	__u64 bytes;
};

#define XR_FORWARDED 0 /* XDP_REDIRECT */
#define XR_NO_ROUTE 1 /* XDP_PASS: no route in the LPM_TRIE */
#define XR_NO_NEIGH 2 /* XDP_PASS: next hop not in the neighbour HASH: the stack ARPs */
#define XR_NOT_TX_PORT 3 /* XDP_PASS: egress device not one of ours */
#define XR_TTL_EXPIRED 4 /* XDP_PASS: TTL <= 1, the stack sends time exceeded */
#define XR_NOT_IPV4 5 /* XDP_PASS: ARP, IPv6, ... */
#define XR_LOCAL 6 /* XDP_PASS: addressed to the router itself */
#define XR_NKEYS 7

_Static_assert(sizeof(struct xr_route_key) == 8, "xr_route_key is shared with BPF");
_Static_assert(sizeof(struct xr_route) == 16, "xr_route is shared with BPF");
_Static_assert(sizeof(struct xr_neigh) == 12, "xr_neigh is shared with BPF");
_Static_assert(sizeof(struct xr_port) == 8, "xr_port is shared with BPF");
_Static_assert(sizeof(struct xr_counter) == 16, "xr_counter is shared with BPF");

#endif /* XDP_ROUTER_IPV4_H */
