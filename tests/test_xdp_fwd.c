// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_fwd: real traffic through the ns1 <-> router <-> ns2 topology with the
 * FIB result codes that send a packet to the stack (no neighbour, no route,
 * forwarding disabled), and the rewrite (TTL, checksum, MACs) on crafted
 * packets with BPF_PROG_TEST_RUN inside the router namespace.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sample.h"
#include "topo.h"
#include "xdp_fwd.h"
#include "xdp_fwd.skel.h"

struct fixture {
	struct sample_topo topo;
	struct xdp_fwd *skel;
	int links[2];
	int ncpus;
};

static __u64 pkts(struct fixture *f, __u32 key)
{
	size_t stride = sample_percpu_stride(sizeof(struct xfwd_stats));
	char values[stride * f->ncpus];
	struct xfwd_stats s = { ~0ull, ~0ull };

	if (!bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.fwd_stats), &key, values))
		sample_percpu_sum(values, f->ncpus, sizeof(s), (__u64 *)&s);
	return s.packets;
}

/* Sum of every key except the ones named: "nothing else was counted". */
static __u64 pkts_other(struct fixture *f, __u32 a, __u32 b)
{
	__u64 sum = 0;

	for (__u32 k = 0; k < XFWD_NKEYS; k++)
		if (k != a && k != b)
			sum += pkts(f, k);
	return sum;
}

static void fixture_down(struct fixture *f)
{
	for (int i = 0; i < 2; i++)
		if (f->links[i] >= 0)
			close(f->links[i]);
	xdp_fwd__destroy(f->skel);
	sample_topo_teardown(&f->topo);
}

/* Topology, the program on r1 and r2 (attach = false: loaded, not attached),
 * r1 and r2 in tx_ports. */
static int fixture_up(struct fixture *f, unsigned int topo_flags, __u32 fib_flags, bool attach)
{
	int err;

	memset(f, 0, sizeof(*f));
	f->links[0] = f->links[1] = -1;
	f->topo.orig_ns = f->topo.router_ns = -1;
	if ((err = sample_topo_setup(&f->topo, "test", topo_flags)))
		return err;
	f->ncpus = libbpf_num_possible_cpus();
	f->skel = xdp_fwd__open();
	if (!f->skel)
		return -errno;
	f->skel->rodata->fib_flags = fib_flags;
	if ((err = xdp_fwd__load(f->skel)))
		return err;
	for (int i = 0; i < 2; i++) {
		__u32 ifindex = f->topo.leaf[i].router_ifindex;

		if (bpf_map_update_elem(bpf_map__fd(f->skel->maps.tx_ports), &ifindex, &ifindex, 0))
			return -errno;
	}
	if (!attach)
		return 0;
	if ((err = sample_topo_attach_pass(&f->topo, "test",
					   bpf_program__fd(f->skel->progs.fwd_host_pass))))
		return err;
	for (int i = 0; i < 2; i++) {
		f->links[i] = bpf_link_create(bpf_program__fd(f->skel->progs.xdp_fwd),
					      f->topo.leaf[i].router_ifindex, BPF_XDP, NULL);
		if (f->links[i] < 0)
			return -errno;
	}
	return 0;
}

/* A router without neighbour entries: the first echo request and the first
 * reply find no neighbour (NO_NEIGH) and go to the stack, which ARPs and
 * forwards them (ForwDatagrams +2). After that XDP forwards every packet of
 * a known count of pings and datagrams, and ForwDatagrams stays put. */
TEST(xdp_fwd, no_neigh_to_stack_then_every_packet_by_xdp)
{
	enum { PINGS = 6, UDPS = 8 };
	struct sample_topo_traffic tr = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 };
	__u64 forw0 = ~0ull, forw1 = 0, forw2 = 0;
	struct fixture f;
	int err = fixture_up(&f, 0, 0, true);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK_ERR(sample_topo_traffic_open(&tr, &f.topo, 0, 1), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw0), 0);

	CHECK_ERR(sample_topo_ping(&tr, 56), 0);
	sample_topo_poll(&tr, 3000);
	CHECK_U64(tr.icmp_replies, 1);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw1), 0);
	CHECK_U64(pkts(&f, XFWD_FIB_NO_NEIGH), 2);
	CHECK_U64(pkts(&f, XFWD_FIB_SUCCESS), 0);
	CHECK_U64(forw1 - forw0, 2);

	for (int i = 0; i < PINGS; i++)
		CHECK_ERR(sample_topo_ping(&tr, 56), 0);
	for (int i = 0; i < UDPS; i++)
		CHECK_ERR(sample_topo_udp(&tr, 100), 0);
	sample_topo_poll(&tr, 3000);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw2), 0);
	CHECK_U64(tr.icmp_replies, 1 + PINGS);
	CHECK_U64(tr.udp_received, UDPS);
	CHECK_U64(pkts(&f, XFWD_FIB_SUCCESS), 2 * PINGS + UDPS);
	CHECK_U64(pkts(&f, XFWD_FIB_NO_NEIGH), 2);
	CHECK_U64(forw2 - forw1, 0);
out:
	sample_topo_traffic_close(&tr);
	fixture_down(&f);
}

/* Send count UDP datagrams from ns1 to dst; returns how many ns2 received. */
static __u64 udp_to(struct fixture *f, const char *dst, int count)
{
	struct sockaddr_in sink_sa = { .sin_family = AF_INET, .sin_port = htons(7000) };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7000) };
	int snd = sample_netns_socket(f->topo.leaf[0].ns, AF_INET, SOCK_DGRAM, 0);
	int sink = sample_netns_socket(f->topo.leaf[1].ns, AF_INET, SOCK_DGRAM, 0);
	struct pollfd p = { .fd = sink, .events = POLLIN };
	char buf[128] = {};
	__u64 got = 0;

	inet_pton(AF_INET, dst, &sa.sin_addr);
	if (snd < 0 || sink < 0 || bind(sink, (struct sockaddr *)&sink_sa, sizeof(sink_sa))) {
		harness_fail(__FILE__, __LINE__, "sockets: %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < count; i++)
		CHECK(sendto(snd, buf, 100, 0, (struct sockaddr *)&sa, sizeof(sa)) == 100,
		      "sendto %s: %s", dst, strerror(errno));
	while (poll(&p, 1, 300) > 0 && recv(sink, buf, sizeof(buf), 0) >= 0)
		got++;
out:
	if (snd >= 0)
		close(snd);
	if (sink >= 0)
		close(sink);
	return got;
}

/* No route in the router for 10.99.0.1: bpf_fib_lookup() says NOT_FWDED,
 * the packet goes to the stack (InReceives +N), which cannot forward it
 * either (ForwDatagrams unchanged, an ICMP unreachable goes back). */
TEST(xdp_fwd, no_route_counts_not_fwded_and_reaches_stack)
{
	enum { N = 3 };
	__u64 in0 = ~0ull, in1 = 0, forw0 = ~0ull, forw1 = 0, unr0 = ~0ull, unr1 = 0;
	struct fixture f;
	int err = fixture_up(&f, SAMPLE_TOPO_ROUTER_NEIGH, 0, true);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK_ERR(sample_topo_snmp(&f.topo, "Ip", "InReceives", &in0), 0);
	CHECK_ERR(sample_topo_snmp(&f.topo, "Icmp", "OutDestUnreachs", &unr0), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw0), 0);
	CHECK_U64(udp_to(&f, "10.99.0.1", N), 0);
	CHECK_ERR(sample_topo_snmp(&f.topo, "Ip", "InReceives", &in1), 0);
	CHECK_ERR(sample_topo_snmp(&f.topo, "Icmp", "OutDestUnreachs", &unr1), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw1), 0);
	CHECK_U64(pkts(&f, XFWD_FIB_NOT_FWDED), N);
	CHECK_U64(pkts_other(&f, XFWD_FIB_NOT_FWDED, XFWD_FIB_NOT_FWDED), 0);
	CHECK_U64(in1 - in0, N);
	CHECK(unr1 > unr0, "the stack sent no ICMP unreachable (%llu -> %llu)",
	      (unsigned long long)unr0, (unsigned long long)unr1);
	CHECK_U64(forw1 - forw0, 0);
out:
	fixture_down(&f);
}

/* Forwarding off on the ingress port r1 only: FWD_DISABLED, the packet goes
 * to the stack (InReceives +N) and is not forwarded there either. The reverse
 * direction still forwards in XDP. */
TEST(xdp_fwd, forwarding_disabled_counts_and_reaches_stack)
{
	enum { N = 4 };
	__u64 in0 = ~0ull, in1 = 0, forw0 = ~0ull, forw1 = 0;
	struct fixture f;
	int err = fixture_up(&f, SAMPLE_TOPO_ROUTER_NEIGH, 0, true);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	CHECK_ERR(sample_netns_sysctl(f.topo.router_ns, "net/ipv4/conf/r1/forwarding", "0"), 0);
	CHECK_ERR(sample_topo_snmp(&f.topo, "Ip", "InReceives", &in0), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw0), 0);
	CHECK_U64(udp_to(&f, "10.20.2.2", N), 0);
	CHECK_ERR(sample_topo_snmp(&f.topo, "Ip", "InReceives", &in1), 0);
	CHECK_ERR(sample_topo_forw_datagrams(&f.topo, &forw1), 0);
	CHECK_U64(pkts(&f, XFWD_FIB_FWD_DISABLED), N);
	CHECK_U64(pkts_other(&f, XFWD_FIB_FWD_DISABLED, XFWD_FIB_FWD_DISABLED), 0);
	CHECK_U64(in1 - in0, N);
	CHECK_U64(forw1 - forw0, 0);

	/* Control: forwarding back on, the same datagrams are forwarded by XDP. */
	CHECK_ERR(sample_netns_sysctl(f.topo.router_ns, "net/ipv4/conf/r1/forwarding", "1"), 0);
	CHECK_U64(udp_to(&f, "10.20.2.2", N), N);
	CHECK_U64(pkts(&f, XFWD_FIB_SUCCESS), N);
out:
	fixture_down(&f);
}

static __u16 csum16(const unsigned char *p, size_t len)
{
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

struct run_result {
	__u32 retval;
	unsigned char out[PKT_MAX];
	__u32 out_len;
};

/* Run xdp_fwd on a frame as if it arrived on ifindex (in the current netns). */
static int run_on(struct xdp_fwd *skel, int ifindex, unsigned char *pkt, __u32 len,
		  struct run_result *r)
{
	struct xdp_md md = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .ctx_in = &md, .ctx_size_in = sizeof(md));
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_fwd), &topts);

	r->retval = topts.retval;
	r->out_len = topts.data_size_out;
	return err ? -errno : 0;
}

/* Crafted packets on r1 in the router netns, plain and BPF_FIB_LOOKUP_DIRECT:
 * success rewrites TTL (63, checksum still valid) and both MACs (r2 -> h2)
 * and returns XDP_REDIRECT; TTL 1 and hop limit 1 go to the stack untouched;
 * an egress port missing from tx_ports goes to the stack untouched. */
static void rewrite_case(__u32 fib_flags)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.20.1.2", "10.20.2.2", 100 };
	struct pkt_opts o6 = { AF_INET6, IPPROTO_UDP, "fd00::2", "fd01::2", 100 };
	unsigned char pkt[PKT_MAX];
	struct run_result r;
	struct fixture f;
	__u32 len, r2;
	__u16 c;
	int err = fixture_up(&f, SAMPLE_TOPO_ROUTER_NEIGH, fib_flags, false);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	len = pkt_build(pkt, &o);
	memcpy(pkt, f.topo.leaf[0].router_mac, 6);	/* as h1 would send it */
	memcpy(pkt + 6, f.topo.leaf[0].mac, 6);
	c = csum16(pkt + 14, 20);
	pkt[14 + 10] = c >> 8;
	pkt[14 + 11] = c & 0xff;

	CHECK_ERR(run_on(f.skel, f.topo.leaf[0].router_ifindex, pkt, len, &r), 0);
	CHECK_U64(r.retval, XDP_REDIRECT);
	CHECK_U64(r.out_len, len);
	CHECK_U64(r.out[14 + 8], 63);
	CHECK_U64(csum16(r.out + 14, 20), 0);
	CHECK(!memcmp(r.out, f.topo.leaf[1].mac, 6), "destination MAC is not h2's");
	CHECK(!memcmp(r.out + 6, f.topo.leaf[1].router_mac, 6), "source MAC is not r2's");
	CHECK(!memcmp(r.out + 14 + 12, pkt + 14 + 12, len - 14 - 12), "payload changed");
	CHECK_U64(pkts(&f, XFWD_FIB_SUCCESS), 1);

	pkt[14 + 8] = 1;	/* TTL 1: the stack must send time exceeded */
	CHECK_ERR(run_on(f.skel, f.topo.leaf[0].router_ifindex, pkt, len, &r), 0);
	CHECK_U64(r.retval, XDP_PASS);
	CHECK(!memcmp(r.out, pkt, len), "a passed packet was modified");
	CHECK_U64(pkts(&f, XFWD_TTL_EXPIRED), 1);
	pkt[14 + 8] = 64;

	r2 = f.topo.leaf[1].router_ifindex;
	CHECK_ERR(bpf_map_delete_elem(bpf_map__fd(f.skel->maps.tx_ports), &r2) ? -errno : 0, 0);
	CHECK_ERR(run_on(f.skel, f.topo.leaf[0].router_ifindex, pkt, len, &r), 0);
	CHECK_U64(r.retval, XDP_PASS);
	CHECK(!memcmp(r.out, pkt, len), "a passed packet was modified");
	CHECK_U64(pkts(&f, XFWD_NOT_TX_PORT), 1);

	len = pkt_build(pkt, &o6);
	pkt[14 + 7] = 1;	/* hop limit 1 */
	CHECK_ERR(run_on(f.skel, f.topo.leaf[0].router_ifindex, pkt, len, &r), 0);
	CHECK_U64(r.retval, XDP_PASS);
	CHECK_U64(pkts(&f, XFWD_TTL_EXPIRED), 2);

	/* ARP is not IP: straight to the stack. */
	memset(pkt, 0, 60);
	pkt[12] = 0x08;
	pkt[13] = 0x06;
	CHECK_ERR(run_on(f.skel, f.topo.leaf[0].router_ifindex, pkt, 60, &r), 0);
	CHECK_U64(r.retval, XDP_PASS);
	CHECK_U64(pkts(&f, XFWD_NOT_IP), 1);
	CHECK_U64(pkts(&f, XFWD_FIB_SUCCESS), 1);
out:
	fixture_down(&f);
}

TEST(xdp_fwd, rewrite_ttl_checksum_macs)
{
	rewrite_case(0);
}

TEST(xdp_fwd, rewrite_ttl_checksum_macs_direct)
{
	rewrite_case(BPF_FIB_LOOKUP_DIRECT);
}
