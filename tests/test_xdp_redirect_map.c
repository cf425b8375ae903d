// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_redirect_map: real ping and UDP traffic through a DEVMAP redirect in the
 * ns1 <-> router <-> ns2 topology (both DEVMAP value forms), and the
 * empty-slot and MAC-rewrite paths on crafted packets. (Flooding through a
 * DEVMAP_HASH: tests/test_xdp_redirect_map_multi.c.)
 */
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sample.h"
#include "topo.h"
#include "xdp_redirect_map.h"
#include "xdp_redirect_map.skel.h"

struct fixture {
	struct sample_topo topo;
	struct xdp_redirect_map *skel;
	int links[XRM_NPORTS];
	int ncpus;
};

/* The counters of port number `port` (leaf i of the topology is port i). */
static struct xrm_stats stats_of(struct fixture *f, __u32 port)
{
	size_t stride = sample_percpu_stride(sizeof(struct xrm_stats));
	char values[stride * f->ncpus];
	struct xrm_stats s = { ~0ull, ~0ull, ~0ull, ~0ull };
	__u32 key = port;

	if (!bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.port_stats), &key, values))
		sample_percpu_sum(values, f->ncpus, sizeof(s), (__u64 *)&s);
	return s;
}

static void fixture_down(struct fixture *f)
{
	for (int i = 0; i < XRM_NPORTS; i++)
		if (f->links[i] >= 0)
			close(f->links[i]);
	xdp_redirect_map__destroy(f->skel);
	sample_topo_teardown(&f->topo);
}

/* The sample's setup in short: topology, rodata, maps, XDP on every router port. */
static int fixture_up(struct fixture *f, bool plain)
{
	int egress_fd, err;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < XRM_NPORTS; i++)
		f->links[i] = -1;
	f->topo.orig_ns = f->topo.router_ns = -1;
	if ((err = sample_topo_setup(&f->topo, "test", 0)))
		return err;
	f->ncpus = libbpf_num_possible_cpus();
	f->skel = xdp_redirect_map__open();
	if (!f->skel)
		return -errno;
	/* as the sample: rodata names the two ports */
	f->skel->rodata->in_ifindex = f->topo.leaf[0].router_ifindex;
	f->skel->rodata->out_ifindex = f->topo.leaf[1].router_ifindex;
	f->skel->rodata->plain = plain;
	if ((err = xdp_redirect_map__load(f->skel)))
		return err;
	egress_fd = bpf_program__fd(f->skel->progs.xdp_egress);
	for (int i = 0; i < f->topo.nleaves; i++) {
		struct sample_topo_leaf *l = &f->topo.leaf[i];
		struct xrm_port pi = { .has_next_hop = 1 };
		struct bpf_devmap_val dv = { .ifindex = l->router_ifindex, .bpf_prog.fd = egress_fd };
		__u32 key = i;

		memcpy(pi.mac, l->router_mac, 6);
		memcpy(pi.next_hop, l->mac, 6);
		if (bpf_map_update_elem(bpf_map__fd(f->skel->maps.port_info), &key, &pi, 0))
			return -errno;
		__u32 slot = i == 1 ? XRM_SLOT_TO_OUT : XRM_SLOT_TO_IN;

		if (plain ? bpf_map_update_elem(bpf_map__fd(f->skel->maps.tx_plain), &slot,
						&dv.ifindex, 0)
			  : bpf_map_update_elem(bpf_map__fd(f->skel->maps.tx_port), &slot, &dv, 0))
			return -errno;
	}
	if ((err = sample_topo_attach_pass(&f->topo, "test",
					   bpf_program__fd(f->skel->progs.redir_host_pass))))
		return err;
	for (int i = 0; i < f->topo.nleaves; i++) {
		f->links[i] = bpf_link_create(bpf_program__fd(f->skel->progs.xdp_redirect),
					      f->topo.leaf[i].router_ifindex, BPF_XDP, NULL);
		if (f->links[i] < 0)
			return -errno;
	}
	return 0;
}

/* A packet socket on h2 in ns2: counts UDP frames to port 7000 and checks
 * the MACs the redirect wrote (source = r2, destination = h2). */
static int open_tap(struct fixture *f, int leaf)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				   .sll_ifindex = f->topo.leaf[leaf].ifindex };
	int fd = sample_netns_socket(f->topo.leaf[leaf].ns, AF_PACKET, SOCK_RAW, htons(ETH_P_IP));

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static void read_tap(int fd, const struct sample_topo_leaf *l, __u64 *udp, __u64 *good_macs)
{
	unsigned char buf[2048];
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &fl)) > 0) {
		if (from.sll_pkttype == PACKET_OUTGOING || n < 14 + 20 + 8 || buf[14 + 9] != 17 ||
		    buf[14 + 20 + 2] != (SAMPLE_TOPO_UDP_PORT >> 8) ||
		    buf[14 + 20 + 3] != (SAMPLE_TOPO_UDP_PORT & 0xff))
			continue;
		(*udp)++;
		if (!memcmp(buf, l->mac, 6) && !memcmp(buf + 6, l->router_mac, 6))
			(*good_macs)++;
	}
}

static void two_port_traffic(bool plain)
{
	enum { PINGS = 7, UDPS = 9 };
	struct sample_topo_traffic tr = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 };
	struct fixture f;
	__u64 forw0 = ~0ull, forw1 = ~1ull, udp_seen = 0, good_macs = 0;
	int err = fixture_up(&f, plain), tap = -1;
	struct xrm_stats r1, r2;

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	tap = open_tap(&f, 1);
	CHECK(tap >= 0, "packet socket on h2: %s", strerror(-tap));
	CHECK_ERR(sample_topo_traffic_open(&tr, &f.topo, 0, 1), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw0), 0);
	for (int i = 0; i < PINGS; i++)
		CHECK_ERR(sample_topo_ping(&tr, 56), 0);
	for (int i = 0; i < UDPS; i++)
		CHECK_ERR(sample_topo_udp(&tr, 100), 0);
	sample_topo_poll(&tr, 2000);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw1), 0);
	if (tap >= 0)
		read_tap(tap, &f.topo.leaf[1], &udp_seen, &good_macs);

	/* Every packet arrived ... */
	CHECK_U64(tr.icmp_replies, PINGS);
	CHECK_U64(tr.udp_received, UDPS);
	/* ... XDP saw and redirected each one exactly once ... */
	r1 = stats_of(&f, 0);
	r2 = stats_of(&f, 1);
	CHECK_U64(r1.rx, PINGS + UDPS);
	CHECK_U64(r1.redirected, PINGS + UDPS);
	CHECK_U64(r1.errors, 0);
	CHECK_U64(r2.tx, PINGS + UDPS);
	CHECK_U64(r2.rx, PINGS);	/* the echo replies */
	CHECK_U64(r2.redirected, PINGS);
	CHECK_U64(r1.tx, PINGS);
	/* ... with the MACs of the r2 -> h2 hop ... */
	CHECK_U64(udp_seen, UDPS);
	CHECK_U64(good_macs, UDPS);
	/* ... and the router's IP stack forwarded none of them. */
	CHECK_U64(forw1 - forw0, 0);
out:
	if (tap >= 0)
		close(tap);
	sample_topo_traffic_close(&tr);
	fixture_down(&f);
}

/* DEVMAP value = struct bpf_devmap_val: the egress program rewrites the source. */
TEST(xdp_redirect_map, devmap_val_ping_udp_every_packet)
{
	two_port_traffic(false);
}

/* DEVMAP value = plain ifindex: the ingress program rewrites both MACs. */
TEST(xdp_redirect_map, plain_devmap_ping_udp_every_packet)
{
	two_port_traffic(true);
}

/* Crafted packets: an empty DEVMAP slot makes bpf_redirect_map() return the
 * flags' low bits (XDP_ABORTED here), counted as an error; the destination MAC
 * is rewritten from port_info before the redirect. test_run's ingress device
 * is the netns's lo (ifindex 1), which plays IN here. */
TEST(xdp_redirect_map, empty_slot_is_error_and_dst_mac_rewritten)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.0.0.2", "10.0.0.1", 100 };
	struct xrm_port pi = { .mac = { 2, 0, 0, 0, 0, 0x55 }, .next_hop = { 2, 1, 2, 3, 4, 5 },
			       .has_next_hop = 1 };
	unsigned char pkt[PKT_MAX], out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 3);
	struct fixture f = { .ncpus = libbpf_num_possible_cpus() };
	__u32 lo = 1, out_if = 42, out_port = XRM_PORT_OUT;
	int ns = sample_netns_new(), here = sample_netns_current();

	REQUIRE(ns >= 0 && here >= 0, "netns: %s", strerror(-ns));
	REQUIRE(!sample_netns_enter(ns), "setns: %s", strerror(errno));
	f.skel = xdp_redirect_map__open();
	if (!f.skel)
		goto out;
	f.skel->rodata->in_ifindex = lo;
	f.skel->rodata->out_ifindex = out_if;
	if (xdp_redirect_map__load(f.skel)) {
		harness_fail(__FILE__, __LINE__, "load: %s", strerror(errno));
		goto out;
	}
	CHECK_ERR(bpf_map_update_elem(bpf_map__fd(f.skel->maps.port_info), &out_port, &pi, 0), 0);
	topts.data_size_in = pkt_build(pkt, &o);
	CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(f.skel->progs.xdp_redirect), &topts)
		  ? -errno : 0, 0);
	CHECK_U64(topts.retval, XDP_ABORTED);
	CHECK(!memcmp(out, pi.next_hop, 6), "destination MAC not rewritten");
	CHECK(!memcmp(out + 6, pkt + 6, 6), "source MAC changed without an egress program");
	CHECK_U64(stats_of(&f, XRM_PORT_IN).rx, 3);
	CHECK_U64(stats_of(&f, XRM_PORT_IN).errors, 3);
	CHECK_U64(stats_of(&f, XRM_PORT_IN).redirected, 0);
	CHECK_U64(stats_of(&f, XRM_PORT_IN).tx, 0);
out:
	xdp_redirect_map__destroy(f.skel);
	sample_netns_enter(here);
	close(here);
	close(ns);
}

/* The DEVMAP traps: a slot is an index (>= max_entries is E2BIG), a value
 * naming no device is EINVAL (not ENODEV), and the program fd stored in a bpf_devmap_val
 * reads back as the program's id. */
TEST(xdp_redirect_map, devmap_value_forms)
{
	struct xdp_redirect_map *skel = xdp_redirect_map__open_and_load();
	struct bpf_devmap_val dv = { .ifindex = 1 }, back = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), slot = 2, bogus = 99999, ifindex = 1;
	int fd;

	REQUIRE(skel, "open_and_load: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.tx_port);
	CHECK_U64(bpf_map__value_size(skel->maps.tx_plain), 4);
	CHECK_U64(bpf_map__value_size(skel->maps.tx_port), 8);
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &dv, 0) ? -errno : 0, -E2BIG);
	slot = 0;
	dv.ifindex = bogus;
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &dv, 0) ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_map_update_elem(bpf_map__fd(skel->maps.tx_plain), &slot, &bogus, 0)
		  ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_map_update_elem(bpf_map__fd(skel->maps.tx_plain), &slot, &ifindex, 0)
		  ? -errno : 0, 0);
	/* An ordinary XDP program cannot be a DEVMAP egress program. */
	dv.ifindex = 1;
	dv.bpf_prog.fd = bpf_program__fd(skel->progs.redir_host_pass);
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &dv, 0) ? -errno : 0, -EINVAL);
	dv.bpf_prog.fd = bpf_program__fd(skel->progs.xdp_egress);
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &dv, 0) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &slot, &back) ? -errno : 0, 0);
	CHECK_ERR(bpf_obj_get_info_by_fd(dv.bpf_prog.fd, &info, &len) ? -errno : 0, 0);
	CHECK_U64(back.ifindex, 1);
	CHECK_U64(back.bpf_prog.id, info.id);
	xdp_redirect_map__destroy(skel);
}

/* Control for the ForwDatagrams checks above: without the redirect program the
 * router's stack forwards every request and every reply, and the counter says
 * so; an unchanged counter therefore means XDP did the forwarding. */
TEST(xdp_redirect_map, control_stack_forwarding_is_counted)
{
	enum { PINGS = 5 };
	struct sample_topo_traffic tr = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 };
	struct sample_topo topo;
	__u64 forw0 = ~0ull, forw1 = 0;

	REQUIRE(!sample_topo_setup(&topo, "test", SAMPLE_TOPO_ROUTER_NEIGH), "topology");
	CHECK_ERR(sample_topo_traffic_open(&tr, &topo, 0, 1), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&topo, &forw0), 0);
	for (int i = 0; i < PINGS; i++)
		CHECK_ERR(sample_topo_ping(&tr, 56), 0);
	sample_topo_poll(&tr, 2000);
	CHECK_ERR(sample_topo_forw_datagrams(&topo, &forw1), 0);
	CHECK_U64(tr.icmp_replies, PINGS);
	CHECK_U64(forw1 - forw0, 2 * PINGS);
	sample_topo_traffic_close(&tr);
	sample_topo_teardown(&topo);
}
