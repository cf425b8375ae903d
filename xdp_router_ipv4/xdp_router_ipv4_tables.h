/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_router_ipv4_tables.h - the tables xdp_router_ipv4 prints at the end. */
#ifndef XDP_ROUTER_IPV4_TABLES_H
#define XDP_ROUTER_IPV4_TABLES_H

struct xdp_router_ipv4;

/* "final:", then the maps as they are now: every prefix that carried packets
 * (route_pkts, a PERCPU_HASH summed over the CPUs; a route removed meanwhile
 * keeps its counts and shows as "(removed)") or is in the LPM_TRIE; the
 * neighbour HASH; the packets and bytes per verdict (stats). An LPM lookup is
 * a longest-prefix match from user space too, so "is this exact prefix there"
 * compares the prefix length of what the lookup returns. */
void xdp_router_ipv4_print_tables(struct xdp_router_ipv4 *skel);

#endif /* XDP_ROUTER_IPV4_TABLES_H */
