// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_router_ipv4: longest-prefix semantics of the LPM_TRIE on crafted packets,
 * the netlink mirror following route changes in the namespace within a second,
 * and real traffic following the new best route with exact per-route counts.
 *
 * The mirror is the sample's own code: the test build does not link the
 * sample's user objects, so xdp_router_ipv4_mirror.c is compiled in here.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sample.h"
#include "topo.h"
#include "xdp_router_ipv4.h"
#include "xdp_router_ipv4.skel.h"
#include "xdp_router_ipv4_mirror.c"

struct fixture {
	struct sample_topo topo;
	struct xdp_router_ipv4 *skel;
	struct xdp_router_ipv4_mirror m;
	int links[3];
	int ncpus;
	struct in_addr service, net;
};

static struct xr_counter route_count(struct fixture *f, const char *dst, __u32 plen)
{
	size_t stride = sample_percpu_stride(sizeof(struct xr_counter));
	char values[stride * f->ncpus];
	struct xr_route_key key = { .prefixlen = plen };
	struct xr_counter c = {};	/* no entry: nothing was counted */

	inet_pton(AF_INET, dst, &key.addr);
	if (!bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.route_pkts), &key, values))
		sample_percpu_sum(values, f->ncpus, sizeof(c), (__u64 *)&c);
	return c;
}

static __u64 reason(struct fixture *f, __u32 k)
{
	size_t stride = sample_percpu_stride(sizeof(struct xr_counter));
	char values[stride * f->ncpus];
	struct xr_counter c = { ~0ull, ~0ull };

	if (!bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.stats), &k, values))
		sample_percpu_sum(values, f->ncpus, sizeof(c), (__u64 *)&c);
	return c.packets;
}

/* Exact presence of a prefix (an LPM lookup would also match shorter ones). */
static bool has_route(struct fixture *f, const char *dst, __u32 plen, struct xr_route *r)
{
	struct xr_route_key key = { .prefixlen = plen };
	struct xr_route tmp;

	inet_pton(AF_INET, dst, &key.addr);
	if (!r)
		r = &tmp;
	return !bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.routes), &key, r) &&
	       r->prefixlen == plen;
}

/* Apply netlink events until has_route() == want; returns ms or -ETIMEDOUT. */
static int wait_route(struct fixture *f, const char *dst, __u32 plen, bool want)
{
	__u64 t0 = sample_now_ns();

	for (;;) {
		struct pollfd p = { .fd = f->m.sock, .events = POLLIN };
		int err = xdp_router_ipv4_mirror_process(&f->m);

		if (err)
			return err;
		if (has_route(f, dst, plen, NULL) == want)
			return (sample_now_ns() - t0) / 1000000;
		if (sample_now_ns() - t0 > 1000000000ull)
			return -ETIMEDOUT;
		poll(&p, 1, 10);
	}
}

static void fixture_down(struct fixture *f)
{
	for (int i = 0; i < 3; i++)
		if (f->links[i] >= 0)
			close(f->links[i]);
	xdp_router_ipv4_mirror_close(&f->m);
	xdp_router_ipv4__destroy(f->skel);
	sample_topo_teardown(&f->topo);
}

/* Three leaves, router neighbours, 10.99.0.1 on h2 and h3, the maps loaded
 * with the three ports; mirror = open the netlink mirror; attach = XDP on. */
static int fixture_up(struct fixture *f, bool mirror, bool attach)
{
	int err;

	memset(f, 0, sizeof(*f));
	f->links[0] = f->links[1] = f->links[2] = -1;
	f->m.sock = -1;
	f->topo.orig_ns = f->topo.router_ns = -1;
	inet_pton(AF_INET, "10.99.0.1", &f->service);
	inet_pton(AF_INET, "10.99.0.0", &f->net);
	if ((err = sample_topo_setup(&f->topo, "test", SAMPLE_TOPO_LEAF3 | SAMPLE_TOPO_ROUTER_NEIGH)))
		return err;
	for (int i = 1; i < 3; i++)
		if ((err = sample_addr_add(f->topo.leaf[i].ns, f->topo.leaf[i].ifindex, AF_INET,
					   &f->service, 32)))
			return err;
	f->ncpus = libbpf_num_possible_cpus();
	f->skel = xdp_router_ipv4__open_and_load();
	if (!f->skel)
		return -errno;
	for (int i = 0; i < 3; i++) {
		__u32 ifindex = f->topo.leaf[i].router_ifindex;
		struct xr_port p = {};

		memcpy(p.mac, f->topo.leaf[i].router_mac, 6);
		if (bpf_map_update_elem(bpf_map__fd(f->skel->maps.tx_port), &ifindex, &ifindex, 0) ||
		    bpf_map_update_elem(bpf_map__fd(f->skel->maps.port_mac), &ifindex, &p, 0))
			return -errno;
	}
	if (mirror) {
		f->m.routes_fd = bpf_map__fd(f->skel->maps.routes);
		f->m.neigh_fd = bpf_map__fd(f->skel->maps.neighbours);
		f->m.local_fd = bpf_map__fd(f->skel->maps.local_addrs);
		if ((err = xdp_router_ipv4_mirror_open(&f->m)))
			return err;
	}
	if (!attach)
		return 0;
	if ((err = sample_topo_attach_pass(&f->topo, "test",
					   bpf_program__fd(f->skel->progs.xdp_pass))))
		return err;
	for (int i = 0; i < 3; i++) {
		f->links[i] = bpf_link_create(bpf_program__fd(f->skel->progs.xdp_router),
					      f->topo.leaf[i].router_ifindex, BPF_XDP, NULL);
		if (f->links[i] < 0)
			return -errno;
	}
	return 0;
}

/* Run xdp_router on a UDP packet to dst as if it arrived on r1 (repeat times).
 * Returns the verdict; out receives the resulting frame. */
static int run_to(struct fixture *f, const char *dst, int repeat, unsigned char *out)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.20.1.2", dst, 100 };
	unsigned char pkt[PKT_MAX];
	__u32 len = pkt_build(pkt, &o);
	struct xdp_md md = { .data_end = len, .ingress_ifindex = f->topo.leaf[0].router_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = len,
		    .data_out = out, .data_size_out = PKT_MAX, .ctx_in = &md,
		    .ctx_size_in = sizeof(md), .repeat = repeat);

	if (bpf_prog_test_run_opts(bpf_program__fd(f->skel->progs.xdp_router), &topts))
		return -errno;
	return topts.retval;
}

static int put_route(struct fixture *f, const char *dst, __u32 plen, const char *gw, int leaf)
{
	struct xr_route_key key = { .prefixlen = plen };
	struct xr_route r = { .ifindex = f->topo.leaf[leaf].router_ifindex, .prefixlen = plen };

	inet_pton(AF_INET, dst, &key.addr);
	r.dst = key.addr;
	if (gw)
		inet_pton(AF_INET, gw, &r.gw);
	return bpf_map_update_elem(bpf_map__fd(f->skel->maps.routes), &key, &r, 0) ? -errno : 0;
}

static int put_neigh(struct fixture *f, const char *ip, const unsigned char *mac, int leaf)
{
	struct xr_neigh n = { .ifindex = f->topo.leaf[leaf].router_ifindex };
	__u32 a;

	inet_pton(AF_INET, ip, &a);
	memcpy(n.mac, mac, 6);
	return bpf_map_update_elem(bpf_map__fd(f->skel->maps.neighbours), &a, &n, 0) ? -errno : 0;
}

/* Overlapping prefixes filled by hand (no netlink): /8 direct on r1, /16 via
 * gw A on r2, /32 via gw B on r3. Each destination takes the longest prefix
 * that covers it, gets that next hop's MAC and the egress port's source MAC,
 * and is counted on that prefix only; no prefix -> XDP_PASS (no_route). */
TEST(xdp_router_ipv4, lpm_longest_prefix_wins)
{
	static const unsigned char mac_a[6] = { 2, 0xaa, 0, 0, 0, 1 }, mac_b[6] = { 2, 0xbb, 0, 0, 0, 1 },
				   mac_d[6] = { 2, 0xdd, 0, 0, 0, 1 };
	unsigned char out[PKT_MAX];
	struct fixture f;
	int err = fixture_up(&f, false, false);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK_ERR(put_route(&f, "10.0.0.0", 8, NULL, 0), 0);
	CHECK_ERR(put_route(&f, "10.99.0.0", 16, "10.20.2.7", 1), 0);
	CHECK_ERR(put_route(&f, "10.99.0.1", 32, "10.20.3.7", 2), 0);
	CHECK_ERR(put_neigh(&f, "10.20.2.7", mac_a, 1), 0);
	CHECK_ERR(put_neigh(&f, "10.20.3.7", mac_b, 2), 0);
	CHECK_ERR(put_neigh(&f, "10.5.5.5", mac_d, 0), 0);

	CHECK_U64(run_to(&f, "10.99.0.1", 3, out), XDP_REDIRECT);	/* /32 */
	CHECK(!memcmp(out, mac_b, 6) && !memcmp(out + 6, f.topo.leaf[2].router_mac, 6),
	      "10.99.0.1 did not take the /32 via r3");
	/* test_run's repeat runs the program on the same buffer: 3 decrements */
	CHECK_U64(out[14 + 8], 64 - 3);
	CHECK_U64(run_to(&f, "10.99.0.2", 5, out), XDP_REDIRECT);	/* /16 */
	CHECK(!memcmp(out, mac_a, 6) && !memcmp(out + 6, f.topo.leaf[1].router_mac, 6),
	      "10.99.0.2 did not take the /16 via r2");
	CHECK_U64(run_to(&f, "10.5.5.5", 2, out), XDP_REDIRECT);	/* /8, direct */
	CHECK(!memcmp(out, mac_d, 6) && !memcmp(out + 6, f.topo.leaf[0].router_mac, 6),
	      "10.5.5.5 did not take the /8 on r1");
	CHECK_U64(run_to(&f, "10.5.5.6", 1, out), XDP_PASS);		/* /8, no neighbour */
	CHECK_U64(run_to(&f, "11.0.0.1", 4, out), XDP_PASS);		/* no prefix */

	CHECK_U64(route_count(&f, "10.99.0.1", 32).packets, 3);
	CHECK_U64(route_count(&f, "10.99.0.0", 16).packets, 5);
	CHECK_U64(route_count(&f, "10.0.0.0", 8).packets, 2);
	CHECK_U64(reason(&f, XR_FORWARDED), 10);
	CHECK_U64(reason(&f, XR_NO_NEIGH), 1);
	CHECK_U64(reason(&f, XR_NO_ROUTE), 4);

	/* Remove the /32 from the map: 10.99.0.1 now falls to the /16. */
	{
		struct xr_route_key key = { .prefixlen = 32 };

		inet_pton(AF_INET, "10.99.0.1", &key.addr);
		CHECK_ERR(bpf_map_delete_elem(bpf_map__fd(f.skel->maps.routes), &key) ? -errno : 0, 0);
	}
	CHECK_U64(run_to(&f, "10.99.0.1", 1, out), XDP_REDIRECT);
	CHECK(!memcmp(out, mac_a, 6), "10.99.0.1 did not fall back to the /16");
	CHECK_U64(route_count(&f, "10.99.0.0", 16).packets, 6);
out:
	fixture_down(&f);
}

/* The netlink mirror: the initial dump holds the connected /24s and the
 * router's own addresses; a route added in the namespace appears in the
 * LPM_TRIE and a route removed disappears, each within one second; crafted
 * packets follow the best route before and after. */
TEST(xdp_router_ipv4, mirror_follows_route_changes_within_1s)
{
	unsigned char out[PKT_MAX];
	struct fixture f;
	struct xr_route r;
	__u32 local;
	int ms, err = fixture_up(&f, true, false);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK(has_route(&f, "10.20.1.0", 24, &r) && r.ifindex == (__u32)f.topo.leaf[0].router_ifindex &&
	      !r.gw, "10.20.1.0/24 dev r1 not mirrored");
	CHECK(has_route(&f, "10.20.3.0", 24, NULL), "10.20.3.0/24 not mirrored");
	CHECK(!has_route(&f, "10.99.0.0", 16, NULL), "10.99.0.0/16 before it exists");
	inet_pton(AF_INET, "10.20.2.1", &local);
	CHECK(!bpf_map_lookup_elem(bpf_map__fd(f.skel->maps.local_addrs), &local, &local),
	      "the router's own 10.20.2.1 is not in local_addrs");
	CHECK_U64(f.m.neighs_added, 3);		/* h1..h3, permanent */

	CHECK_ERR(sample_route_add(f.topo.router_ns, AF_INET, &f.net, 16, &f.topo.leaf[1].addr,
				   f.topo.leaf[1].router_ifindex), 0);
	CHECK_ERR(sample_route_add(f.topo.router_ns, AF_INET, &f.service, 32, &f.topo.leaf[2].addr,
				   f.topo.leaf[2].router_ifindex), 0);
	ms = wait_route(&f, "10.99.0.0", 16, true);
	CHECK(ms >= 0 && ms < 1000, "/16 not mirrored within 1 s: %d", ms);
	ms = wait_route(&f, "10.99.0.1", 32, true);
	CHECK(ms >= 0 && ms < 1000, "/32 not mirrored within 1 s: %d", ms);
	CHECK(has_route(&f, "10.99.0.1", 32, &r) && r.gw == f.topo.leaf[2].addr.s_addr,
	      "/32 gateway is not h3");
	CHECK_U64(run_to(&f, "10.99.0.1", 1, out), XDP_REDIRECT);
	CHECK(!memcmp(out, f.topo.leaf[2].mac, 6), "10.99.0.1 not sent to h3");

	CHECK_ERR(sample_route_del(f.topo.router_ns, AF_INET, &f.service, 32, &f.topo.leaf[2].addr,
				   f.topo.leaf[2].router_ifindex), 0);
	ms = wait_route(&f, "10.99.0.1", 32, false);
	CHECK(ms >= 0 && ms < 1000, "/32 removal not mirrored within 1 s: %d", ms);
	CHECK(has_route(&f, "10.99.0.0", 16, NULL), "/16 gone too");
	CHECK_U64(run_to(&f, "10.99.0.1", 1, out), XDP_REDIRECT);
	CHECK(!memcmp(out, f.topo.leaf[1].mac, 6), "10.99.0.1 not sent to h2 after the removal");
	CHECK_U64(f.m.routes_deleted, 1);

	/* A neighbour removed in the namespace leaves the HASH too. */
	CHECK_ERR(sample_neigh_del(f.topo.router_ns, f.topo.leaf[1].router_ifindex, AF_INET,
				   &f.topo.leaf[1].addr), 0);
	usleep(100000);
	CHECK_ERR(xdp_router_ipv4_mirror_process(&f.m), 0);
	CHECK_U64(f.m.neighs_deleted, 1);
	CHECK_U64(run_to(&f, "10.99.0.1", 1, out), XDP_PASS);
	CHECK_U64(reason(&f, XR_NO_NEIGH), 1);
out:
	fixture_down(&f);
}

static __u64 drain(int fd, __u64 want)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[2048];
	__u64 n = 0;

	while (poll(&p, 1, n < want ? 2000 : 200) > 0 && recv(fd, buf, sizeof(buf), 0) >= 0)
		n++;
	return n;
}

/* Real traffic: pings and UDP from ns1 to 10.99.0.1 go to h3 while the /32
 * exists and to h2 after it is removed in the namespace; every packet
 * arrives, each prefix counts exactly its packets, and the router's stack
 * forwards none of them. */
TEST(xdp_router_ipv4, traffic_follows_new_best_route)
{
	enum { PINGS = 4, UDPS = 6 };
	struct sample_topo_traffic tr = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 };
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	__u64 forw0 = ~0ull, forw1 = 0;
	struct fixture f;
	int sink3 = -1, ms, err = fixture_up(&f, true, true);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK_ERR(sample_route_add(f.topo.router_ns, AF_INET, &f.net, 16, &f.topo.leaf[1].addr,
				   f.topo.leaf[1].router_ifindex), 0);
	CHECK_ERR(sample_route_add(f.topo.router_ns, AF_INET, &f.service, 32, &f.topo.leaf[2].addr,
				   f.topo.leaf[2].router_ifindex), 0);
	CHECK(wait_route(&f, "10.99.0.1", 32, true) >= 0, "/32 not mirrored");
	CHECK(wait_route(&f, "10.99.0.0", 16, true) >= 0, "/16 not mirrored");
	CHECK_ERR(sample_topo_traffic_open(&tr, &f.topo, 0, 1), 0);
	tr.dst = f.service;
	sink3 = sample_netns_socket(f.topo.leaf[2].ns, AF_INET, SOCK_DGRAM, 0);
	REQUIRE(sink3 >= 0 && !bind(sink3, (struct sockaddr *)&any, sizeof(any)), "sink3");
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw0), 0);

	for (int i = 0; i < PINGS; i++)
		CHECK_ERR(sample_topo_ping(&tr, 56), 0);
	for (int i = 0; i < UDPS; i++)
		CHECK_ERR(sample_topo_udp(&tr, 100), 0);
	CHECK_U64(drain(sink3, UDPS), UDPS);
	tr.udp_sent = 0;	/* they went to ns3, not to ns2's sink */
	sample_topo_poll(&tr, 2000);
	CHECK_U64(tr.icmp_replies, PINGS);
	CHECK_U64(tr.udp_received, 0);
	CHECK_U64(route_count(&f, "10.99.0.1", 32).packets, PINGS + UDPS);
	CHECK_U64(route_count(&f, "10.99.0.0", 16).packets, 0);
	CHECK_U64(route_count(&f, "10.20.1.0", 24).packets, PINGS);	/* the replies */

	CHECK_ERR(sample_route_del(f.topo.router_ns, AF_INET, &f.service, 32, &f.topo.leaf[2].addr,
				   f.topo.leaf[2].router_ifindex), 0);
	ms = wait_route(&f, "10.99.0.1", 32, false);
	CHECK(ms >= 0 && ms < 1000, "/32 removal not mirrored within 1 s: %d", ms);
	for (int i = 0; i < PINGS; i++)
		CHECK_ERR(sample_topo_ping(&tr, 56), 0);
	for (int i = 0; i < UDPS; i++)
		CHECK_ERR(sample_topo_udp(&tr, 100), 0);
	sample_topo_poll(&tr, 2000);
	CHECK_U64(tr.icmp_replies, 2 * PINGS);
	CHECK_U64(tr.udp_received, UDPS);
	CHECK_U64(drain(sink3, 0), 0);
	CHECK_U64(route_count(&f, "10.99.0.1", 32).packets, PINGS + UDPS);
	CHECK_U64(route_count(&f, "10.99.0.0", 16).packets, PINGS + UDPS);
	CHECK_U64(route_count(&f, "10.20.1.0", 24).packets, 2 * PINGS);
	CHECK_U64(reason(&f, XR_FORWARDED), 2 * (2 * PINGS + UDPS));
	CHECK_U64(reason(&f, XR_NO_NEIGH) + reason(&f, XR_NO_ROUTE), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw1), 0);
	CHECK_U64(forw1 - forw0, 0);
out:
	if (sink3 >= 0)
		close(sink3);
	sample_topo_traffic_close(&tr);
	fixture_down(&f);
}
