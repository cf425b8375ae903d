/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_redirect_map_multi.h - what xdp_redirect_map_multi_kern.c and _user.c share. */
#ifndef XDP_REDIRECT_MAP_MULTI_H
#define XDP_REDIRECT_MAP_MULTI_H

/* Ports: entries of the DEVMAP_HASH and counter slots. Port numbers are
 * 0..n-1 in command-line order; port_num maps an ifindex to its number. */
#define XRMM_MAX_PORTS 64

/* Per port (key: port number), one copy per CPU, summed by user space. */
struct xrmm_stats {
	__u64 rx; /* frames the XDP program saw arrive on this port */
	__u64 redirected; /* of those, bpf_redirect_map() returned XDP_REDIRECT */
	__u64 errors; /* of those, it did not */
	__u64 tx; /* copies the egress program saw leave by this port */
};

/* Per port (key: port number): its own MAC, written by user space. */
struct xrmm_port {
	__u8 mac[6];
	__u8 pad[2];
};

_Static_assert(sizeof(struct xrmm_stats) == 32, "xrmm_stats is shared with BPF");
_Static_assert(sizeof(struct xrmm_port) == 8, "xrmm_port is shared with BPF");

#endif /* XDP_REDIRECT_MAP_MULTI_H */
