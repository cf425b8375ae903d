/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdp_router_ipv4_mirror.h - keep BPF maps in step with the kernel's IPv4 routes and
 * neighbours through rtnetlink: one dump at start, then the multicast groups
 * RTMGRP_IPV4_ROUTE and RTMGRP_NEIGH for every change after it.
 */
#ifndef XDP_ROUTER_IPV4_MIRROR_H
#define XDP_ROUTER_IPV4_MIRROR_H

#include <stdbool.h>
#include <linux/types.h>

struct xdp_router_ipv4_mirror {
	int sock; /* subscribed to the multicast groups, non-blocking */
	int routes_fd; /* LPM_TRIE: struct xr_route_key -> struct xr_route */
	int neigh_fd; /* HASH: __u32 address -> struct xr_neigh */
	int local_fd; /* HASH: __u32 local address -> __u32 ifindex */
	/* optional: called for every change applied, with a one-line description */
	void (*on_change)(void *ctx, const char *what);
	void *ctx;
	__u64 routes_added, routes_deleted, neighs_added, neighs_deleted;
	__u64 resyncs; /* ENOBUFS: events were lost, the tables were dumped again */
};

/* Subscribe (in the calling thread's netns) and dump the current tables into
 * the maps. The subscription comes first so that no change between the dump
 * and the first event is lost. Returns 0 or -errno. */
int xdp_router_ipv4_mirror_open(struct xdp_router_ipv4_mirror *m);
/* Apply every pending event (non-blocking). Returns 0 or -errno. */
int xdp_router_ipv4_mirror_process(struct xdp_router_ipv4_mirror *m);
void xdp_router_ipv4_mirror_close(struct xdp_router_ipv4_mirror *m);

#endif /* XDP_ROUTER_IPV4_MIRROR_H */
