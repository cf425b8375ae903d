/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_redirect_map.h - what xdp_redirect_map_kern.c and _user.c share. */
#ifndef XDP_REDIRECT_MAP_H
#define XDP_REDIRECT_MAP_H

/* Port numbers: the keys of port_stats and port_info. */
#define XRM_PORT_IN 0
#define XRM_PORT_OUT 1
#define XRM_NPORTS 2

/* Slots of the DEVMAPs (tx_port, tx_plain). */
#define XRM_SLOT_TO_OUT 0 /* frames that entered on IN leave by OUT */
#define XRM_SLOT_TO_IN 1 /* frames that entered on OUT leave by IN */

/* Per port (key: port number), one copy per CPU, summed by user space. */
struct xrm_stats {
	__u64 rx; /* frames the XDP program saw arrive on this port */
	__u64 redirected; /* of those, bpf_redirect_map() returned XDP_REDIRECT */
	__u64 errors; /* of those, it did not (empty DEVMAP slot) */
	__u64 tx; /* frames the egress program saw leave by this port */
};

/* Per port (key: port number), written by user space before attach. */
struct xrm_port {
	__u8 mac[6]; /* the port's own MAC: the new source MAC */
	__u8 next_hop[6]; /* destination MAC for frames leaving here */
	__u32 has_next_hop; /* 0: leave the destination MAC as it is */
};

_Static_assert(sizeof(struct xrm_stats) == 32, "xrm_stats is shared with BPF");
_Static_assert(sizeof(struct xrm_port) == 16, "xrm_port is shared with BPF");

#endif /* XDP_REDIRECT_MAP_H */
