// SPDX-License-Identifier: GPL-2.0
/* xdp_router_ipv4_tables.c - the final tables, read back from the maps
 * (xdp_router_ipv4_tables.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdp_router_ipv4.h"
#include "xdp_router_ipv4_tables.h"
#include "xdp_router_ipv4.skel.h"

static const char *const reason_names[XR_NKEYS] = {
	[XR_FORWARDED] = "forwarded",
	[XR_NO_ROUTE] = "no_route",
	[XR_NO_NEIGH] = "no_neigh",
	[XR_NOT_TX_PORT] = "not_tx_port",
	[XR_TTL_EXPIRED] = "ttl_expired",
	[XR_NOT_IPV4] = "not_ipv4",
	[XR_LOCAL] = "local",
};

/* "10.99.0.0/16  via  dev  packets  bytes"; r is the live route (NULL: it was
 * removed while its packets stay counted). */
static void print_route(const struct xr_route_key *key, const struct xr_route *r,
			const struct xr_counter *cnt)
{
	char dst[INET_ADDRSTRLEN + 4], via[INET_ADDRSTRLEN] = "-", dev[IF_NAMESIZE] = "-";
	char b[2][SAMPLE_FMT_LEN];

	inet_ntop(AF_INET, &key->addr, dst, sizeof(dst));
	snprintf(dst + strlen(dst), 5, "/%u", key->prefixlen);
	if (r && r->gw)
		inet_ntop(AF_INET, &r->gw, via, sizeof(via));
	if (r && !if_indextoname(r->ifindex, dev))
		snprintf(dev, sizeof(dev), "?");
	printf("%-20s %-16s %-8s %12s %14s\n", dst, r ? via : "(removed)", dev,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, cnt->packets),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, cnt->bytes));
}

void xdp_router_ipv4_print_tables(struct xdp_router_ipv4 *skel)
{
	struct xr_route_key key, next, *prev = NULL;
	struct xr_counter cnt;
	struct xr_route r;
	char b[2][SAMPLE_FMT_LEN], ip[INET_ADDRSTRLEN];
	__u32 a, na, *pa = NULL;

	printf("final:\n%-20s %-16s %-8s %12s %14s\n", "route", "via", "dev", "packets", "bytes");
	while (!bpf_map__get_next_key(skel->maps.route_pkts, prev, &next, sizeof(next))) {
		bool live;

		key = next;
		prev = &key;
		/* exact presence: an LPM lookup would also find a shorter prefix */
		live = !bpf_map__lookup_elem(skel->maps.routes, &key, sizeof(key), &r, sizeof(r),
					     0) &&
		       r.prefixlen == key.prefixlen;
		if (!sample_percpu_lookup(skel->maps.route_pkts, &key, (__u64 *)&cnt))
			print_route(&key, live ? &r : NULL, &cnt);
	}
	for (prev = NULL; !bpf_map__get_next_key(skel->maps.routes, prev, &next, sizeof(next));) {
		key = next;
		prev = &key;
		if (sample_percpu_lookup(skel->maps.route_pkts, &key, (__u64 *)&cnt) == -ENOENT &&
		    !bpf_map__lookup_elem(skel->maps.routes, &key, sizeof(key), &r, sizeof(r), 0))
			print_route(&key, &r, &(struct xr_counter){});
	}
	printf("%-16s %-18s %-8s\n", "neighbour", "lladdr", "dev");
	while (!bpf_map__get_next_key(skel->maps.neighbours, pa, &na, sizeof(na))) {
		struct xr_neigh n;
		char dev[IF_NAMESIZE] = "?";

		a = na;
		pa = &a;
		if (bpf_map__lookup_elem(skel->maps.neighbours, &a, sizeof(a), &n, sizeof(n), 0))
			continue;
		if_indextoname(n.ifindex, dev);
		printf("%-16s %02x:%02x:%02x:%02x:%02x:%02x  %-8s\n",
		       inet_ntop(AF_INET, &a, ip, sizeof(ip)), n.mac[0], n.mac[1], n.mac[2],
		       n.mac[3], n.mac[4], n.mac[5], dev);
	}
	printf("%-16s %12s %14s\n", "reason", "packets", "bytes");
	for (__u32 k = 0; k < XR_NKEYS; k++) {
		struct xr_counter s = {};

		sample_percpu_lookup(skel->maps.stats, &k, (__u64 *)&s);
		printf("%-16s %12s %14s\n", reason_names[k],
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s.packets),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s.bytes));
	}
}
