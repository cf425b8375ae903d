// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect_map_multi: real UDP broadcasts flooded through a DEVMAP_HASH
 * with BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS in the three-leaf topology
 * (ns1, ns2, ns3 on the router ports r1, r2, r3).
 */
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sample.h"
#include "topo.h"
#include "xdp_redirect_map_multi.h"
#include "xdp_redirect_map_multi.skel.h"

struct fixture {
	struct sample_topo topo;
	struct xdp_redirect_map_multi *skel;
	int links[SAMPLE_TOPO_MAX_LEAVES];
};

/* The counters of port number `port` (leaf i of the topology is port i). */
static struct xrmm_stats stats_of(struct fixture *f, __u32 port)
{
	struct xrmm_stats s = { ~0ull, ~0ull, ~0ull, ~0ull };

	sample_percpu_lookup(f->skel->maps.flood_stats, &port, (__u64 *)&s);
	return s;
}

static void fixture_down(struct fixture *f)
{
	for (int i = 0; i < SAMPLE_TOPO_MAX_LEAVES; i++)
		if (f->links[i] >= 0)
			close(f->links[i]);
	xdp_redirect_map_multi__destroy(f->skel);
	sample_topo_teardown(&f->topo);
}

/* The sample's setup in short: three leaves, every router port in the
 * DEVMAP_HASH (with the egress program) and running xdp_flood. */
static int fixture_up(struct fixture *f)
{
	int egress_fd, err;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < SAMPLE_TOPO_MAX_LEAVES; i++)
		f->links[i] = -1;
	f->topo.orig_ns = f->topo.router_ns = -1;
	if ((err = sample_topo_setup(&f->topo, "test", SAMPLE_TOPO_LEAF3)))
		return err;
	f->skel = xdp_redirect_map_multi__open_and_load();
	if (!f->skel)
		return -errno;
	egress_fd = bpf_program__fd(f->skel->progs.xdp_flood_out);
	for (int i = 0; i < f->topo.nleaves; i++) {
		struct sample_topo_leaf *l = &f->topo.leaf[i];
		struct xrmm_port pi = {};
		struct bpf_devmap_val dv = { .ifindex = l->router_ifindex, .bpf_prog.fd = egress_fd };
		__u32 key = i, ifindex = l->router_ifindex;

		memcpy(pi.mac, l->router_mac, 6);
		if (bpf_map_update_elem(bpf_map__fd(f->skel->maps.flood_macs), &key, &pi, 0) ||
		    bpf_map_update_elem(bpf_map__fd(f->skel->maps.flood_port_num), &ifindex, &key, 0) ||
		    bpf_map_update_elem(bpf_map__fd(f->skel->maps.flood_ports), &ifindex, &dv, 0))
			return -errno;
	}
	if ((err = sample_topo_attach_pass(&f->topo, "test",
					   bpf_program__fd(f->skel->progs.flood_host_pass))))
		return err;
	for (int i = 0; i < f->topo.nleaves; i++) {
		f->links[i] = bpf_link_create(bpf_program__fd(f->skel->progs.xdp_flood),
					      f->topo.leaf[i].router_ifindex, BPF_XDP, NULL);
		if (f->links[i] < 0)
			return -errno;
	}
	return 0;
}

/* One broadcast in on r1 leaves by r2 and r3 once each and never by r1. */
TEST(xdp_redirect_map_multi, broadcast_reaches_every_other_port_once)
{
	enum { N = 4 };
	struct sockaddr_in bc = { .sin_family = AF_INET, .sin_addr.s_addr = INADDR_BROADCAST,
				  .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	int snd = -1, sink[3] = { -1, -1, -1 }, on = 1, err;
	__u64 got[3] = {}, forw0 = ~0ull, forw1 = ~1ull;
	char buf[256] = {};
	struct fixture f;

	err = fixture_up(&f);
	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	snd = sample_netns_socket(f.topo.leaf[0].ns, AF_INET, SOCK_DGRAM, 0);
	REQUIRE(snd >= 0, "socket: %s", strerror(-snd));
	CHECK_ERR(setsockopt(snd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) ? -errno : 0, 0);
	CHECK_ERR(setsockopt(snd, SOL_SOCKET, SO_BINDTODEVICE, "h1", 2) ? -errno : 0, 0);
	for (int i = 1; i < 3; i++) {
		sink[i] = sample_netns_socket(f.topo.leaf[i].ns, AF_INET, SOCK_DGRAM, 0);
		CHECK(sink[i] >= 0 && !bind(sink[i], (struct sockaddr *)&any, sizeof(any)),
		      "sink %d: %s", i, strerror(errno));
	}
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw0), 0);
	for (int i = 0; i < N; i++)
		CHECK(sendto(snd, buf, 100, 0, (struct sockaddr *)&bc, sizeof(bc)) == 100,
		      "sendto: %s", strerror(errno));
	for (int i = 1; i < 3; i++) {
		struct pollfd p = { .fd = sink[i], .events = POLLIN };

		while (got[i] < N + 1 && poll(&p, 1, got[i] < N ? 2000 : 200) > 0 &&
		       recv(sink[i], buf, sizeof(buf), 0) >= 0)
			got[i]++;
	}
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw1), 0);
	CHECK_U64(got[1], N);
	CHECK_U64(got[2], N);
	CHECK_U64(stats_of(&f, 0).rx, N);
	CHECK_U64(stats_of(&f, 0).redirected, N);
	CHECK_U64(stats_of(&f, 0).tx, 0);	/* EXCLUDE_INGRESS */
	CHECK_U64(stats_of(&f, 1).tx, N);
	CHECK_U64(stats_of(&f, 2).tx, N);
	CHECK_U64(stats_of(&f, 1).rx, 0);
	CHECK_U64(stats_of(&f, 2).rx, 0);
	CHECK_U64(forw1 - forw0, 0);
out:
	if (snd >= 0)
		close(snd);
	for (int i = 0; i < 3; i++)
		if (sink[i] >= 0)
			close(sink[i]);
	fixture_down(&f);
}
