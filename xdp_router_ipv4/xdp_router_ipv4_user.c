// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_router_ipv4 - an IPv4 router in XDP that keeps its own copy of the
 * kernel's routes (LPM_TRIE) and neighbours (HASH), mirrored through netlink.
 *
 * At start it subscribes to the rtnetlink multicast groups RTMGRP_IPV4_ROUTE
 * and RTMGRP_NEIGH, dumps the main routing table and the ARP table into the
 * maps, and from then on applies every change the kernel announces. The XDP
 * program looks up the longest matching prefix, the next hop's MAC, and
 * redirects through a DEVMAP_HASH; what it cannot forward goes to the stack.
 * Per-route packet counts live in a PERCPU_HASH keyed by the prefix.
 *
 *   sudo ./xdp_router_ipv4            demo: ns1 -> router -> ns2/ns3, adds and
 *                                     removes a more specific route while running
 *   sudo ./xdp_router_ipv4 eth1 eth2  route between eth1 and eth2 (ip_forward=1)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "topo.h"
#include "nl_mirror.h"
#include "xdp_router_ipv4.h"
#include "xdp_router_ipv4.skel.h"

static const char *prog = "xdp_router_ipv4";

#define DEMO_PINGS	5
#define DEMO_PING_LEN	56
#define DEMO_UDPS	5
#define DEMO_UDP_LEN	100
#define DEMO_SERVICE	"10.99.0.1"	/* on h2 and h3 */
#define DEMO_ADD_TICK	2		/* add 10.99.0.1/32 via h3 before this tick's traffic */
#define DEMO_DEL_TICK	4		/* and remove it again */

static const char *const reason_names[XR_NKEYS] = {
	[XR_FORWARDED] = "forwarded", [XR_NO_ROUTE] = "no_route", [XR_NO_NEIGH] = "no_neigh",
	[XR_NOT_TX_PORT] = "not_tx_port", [XR_TTL_EXPIRED] = "ttl_expired",
	[XR_NOT_IPV4] = "not_ipv4", [XR_LOCAL] = "local",
};

struct ctx {
	struct xdp_router_ipv4 *skel;
	struct nl_mirror *mirror;
	int ncpus;
	__u64 start_ns, last_ns;
	__u64 last_fwd, last_pass;
	unsigned int ticks;
	/* demo */
	struct sample_topo *topo;
	struct sample_topo_traffic *traffic;
	int sink3;			/* UDP sink in ns3; ns2's is traffic->udp_sink */
	__u64 recv3;
	struct in_addr service, h3_addr;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options] [IFACE...]\n"
		"Route IPv4 in XDP from an LPM_TRIE of routes and a HASH of neighbours, both\n"
		"mirrored from the kernel through netlink and kept up to date while running.\n"
		"Without interfaces: a demo in private namespaces (ns1 -> router -> ns2, ns3).\n"
		"\n"
		"  -S, --generic          generic (skb) XDP mode; default: native if possible\n"
		"  -N, --native           native (driver) XDP mode or fail\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s eth1 eth2\n", prog, prog, prog);
}

static void on_change(void *arg, const char *what)
{
	struct ctx *c = arg;

	printf("%7.1f  netlink: %s\n", (sample_now_ns() - c->start_ns) / 1e9, what);
	fflush(stdout);
}

static int on_netlink(void *arg)
{
	struct ctx *c = arg;
	int err = nl_mirror_process(c->mirror);

	if (err)
		fprintf(stderr, "%s: netlink: %s\n", prog, sample_strerror(err));
	return err;
}

static int read_counter(struct ctx *c, int fd, const void *key, struct xr_counter *out)
{
	size_t stride = sample_percpu_stride(sizeof(*out));
	char values[stride * c->ncpus];

	/* The kernel writes one value per possible CPU. Zeroed first: valgrind
	 * believes a lookup writes only value_size bytes (one CPU's share). */
	memset(values, 0, sizeof(values));
	if (bpf_map_lookup_elem(fd, key, values))
		return -errno;
	sample_percpu_sum(values, c->ncpus, sizeof(*out), (__u64 *)out);
	return 0;
}

static int map_count(int fd, size_t key_size)
{
	char key[64], next[64];
	int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

static int print_row(struct ctx *c)
{
	__u64 now = sample_now_ns(), fwd = 0, pass = 0;
	double dt = (now - c->last_ns) / 1e9;
	char b[2][SAMPLE_FMT_LEN];

	for (__u32 k = 0; k < XR_NKEYS; k++) {
		struct xr_counter s;
		int err = read_counter(c, bpf_map__fd(c->skel->maps.stats), &k, &s);

		if (err) {
			fprintf(stderr, "%s: reading stats failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		if (k == XR_FORWARDED)
			fwd = s.packets;
		else
			pass += s.packets;
	}
	printf("%7.1f  %12s %14s %7d %7d", (now - c->start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, (fwd - c->last_fwd) / dt + 0.5),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, (pass - c->last_pass) / dt + 0.5),
	       map_count(bpf_map__fd(c->skel->maps.routes), sizeof(struct xr_route_key)),
	       map_count(bpf_map__fd(c->skel->maps.neighbours), sizeof(__u32)));
	if (c->traffic)
		printf(" %9llu %9llu", (unsigned long long)c->traffic->udp_received,
		       (unsigned long long)c->recv3);
	printf("\n");
	fflush(stdout);
	c->last_fwd = fwd;
	c->last_pass = pass;
	c->last_ns = now;
	return 0;
}

/* Wait (at most 1 s) until the LPM_TRIE has (present) or lacks the key,
 * applying netlink events meanwhile. Returns the milliseconds it took or
 * -ETIMEDOUT. */
static int wait_for_route(struct ctx *c, const struct xr_route_key *key, bool present)
{
	__u64 t0 = sample_now_ns();
	struct xr_route r;

	for (;;) {
		struct pollfd p = { .fd = c->mirror->sock, .events = POLLIN };
		bool found;
		int err;

		if ((err = nl_mirror_process(c->mirror)))
			return err;
		/* A lookup in an LPM_TRIE is a longest-prefix match, from user
		 * space too: after the /32 is gone, looking it up finds the /16.
		 * Exact presence = a match with the same prefix length. */
		found = !bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.routes), key, &r) &&
			r.prefixlen == key->prefixlen;
		if (found == present)
			return (sample_now_ns() - t0) / 1000000;
		if (sample_now_ns() - t0 > 1000000000ull)
			return -ETIMEDOUT;
		poll(&p, 1, 10);
	}
}

/* The demo's live change: add or remove 10.99.0.1/32 via h3 in the router
 * namespace, as `ip route add/del` would, and time the mirror. */
static int demo_route_change(struct ctx *c, bool add)
{
	struct xr_route_key key = { .prefixlen = 32, .addr = c->service.s_addr };
	const struct sample_topo_leaf *l3 = &c->topo->leaf[2];
	int err, ms;

	err = add ? sample_route_add(c->topo->router_ns, AF_INET, &c->service, 32, &c->h3_addr,
				     l3->router_ifindex)
		  : sample_route_del(c->topo->router_ns, AF_INET, &c->service, 32, &c->h3_addr,
				     l3->router_ifindex);
	if (err) {
		fprintf(stderr, "%s: demo: %s the route failed: %s\n", prog,
			add ? "adding" : "removing", sample_strerror(err));
		return err;
	}
	printf("%7.1f  demo: ip route %s %s/32 via 10.20.3.2 dev r3\n",
	       (sample_now_ns() - c->start_ns) / 1e9, add ? "add" : "del", DEMO_SERVICE);
	ms = wait_for_route(c, &key, add);
	if (ms < 0) {
		fprintf(stderr, "%s: demo: the LPM_TRIE did not follow within 1 s: %s\n", prog,
			sample_strerror(ms));
		return ms;
	}
	printf("%7.1f  demo: LPM_TRIE %s %s/32 after %d ms\n", (sample_now_ns() - c->start_ns) / 1e9,
	       add ? "has" : "no longer has", DEMO_SERVICE, ms);
	fflush(stdout);
	return 0;
}

static void drain_sink3(struct ctx *c)
{
	char buf[2048];

	while (recv(c->sink3, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		c->recv3++;
}

static int tick(void *arg)
{
	struct ctx *c = arg;
	int err = 0;

	c->ticks++;
	if (c->traffic) {
		if (c->ticks == DEMO_ADD_TICK || c->ticks == DEMO_DEL_TICK)
			if ((err = demo_route_change(c, c->ticks == DEMO_ADD_TICK)))
				return err;
		for (int i = 0; i < DEMO_PINGS && !err; i++)
			err = sample_topo_ping(c->traffic, DEMO_PING_LEN);
		for (int i = 0; i < DEMO_UDPS && !err; i++)
			err = sample_topo_udp(c->traffic, DEMO_UDP_LEN);
		if (err) {
			fprintf(stderr, "%s: demo traffic failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		/* Replies and datagrams arrive by either ns2 or ns3: collect
		 * both, and the netlink events the traffic caused (ARP). */
		for (int i = 0; i < 10; i++) {
			sample_topo_poll(c->traffic, 10);
			drain_sink3(c);
			if ((err = nl_mirror_process(c->mirror)))
				return err;
			if (c->traffic->icmp_replies == c->traffic->icmp_sent &&
			    c->traffic->udp_received + c->recv3 == c->traffic->udp_sent)
				break;
		}
	}
	return print_row(c);
}

static int print_final(struct ctx *c)
{
	int routes_fd = bpf_map__fd(c->skel->maps.routes);
	int pkts_fd = bpf_map__fd(c->skel->maps.route_pkts);
	int neigh_fd = bpf_map__fd(c->skel->maps.neighbours);
	struct xr_route_key key, next, *prev = NULL;
	char b[2][SAMPLE_FMT_LEN];
	__u32 a, na, *pa = NULL;

	printf("final:\n");
	printf("%-20s %-16s %-8s %12s %14s\n", "route", "via", "dev", "packets", "bytes");
	/* Every prefix that carried packets or is in the table; routes that
	 * were removed keep their counts and are marked. */
	while (!bpf_map_get_next_key(pkts_fd, prev, &next)) {
		struct xr_counter cnt = {};
		struct xr_route r;
		char dst[INET_ADDRSTRLEN + 4], via[INET_ADDRSTRLEN] = "-", dev[IF_NAMESIZE] = "-";
		/* exact presence: an LPM lookup would also find a shorter prefix */
		bool live = !bpf_map_lookup_elem(routes_fd, &next, &r) &&
			    r.prefixlen == next.prefixlen;

		key = next;
		prev = &key;
		read_counter(c, pkts_fd, &key, &cnt);
		inet_ntop(AF_INET, &key.addr, dst, sizeof(dst));
		snprintf(dst + strlen(dst), 5, "/%u", key.prefixlen);
		if (live && r.gw)
			inet_ntop(AF_INET, &r.gw, via, sizeof(via));
		if (live)
			if_indextoname(r.ifindex, dev);
		printf("%-20s %-16s %-8s %12s %14s%s\n", dst, live ? via : "(removed)", dev,
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, cnt.packets),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, cnt.bytes), "");
	}
	prev = NULL;
	while (!bpf_map_get_next_key(routes_fd, prev, &next)) {
		struct xr_counter cnt;
		struct xr_route r;
		char dst[INET_ADDRSTRLEN + 4], via[INET_ADDRSTRLEN] = "-", dev[IF_NAMESIZE] = "?";

		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(pkts_fd, &key, &cnt) ||	/* printed above */
		    bpf_map_lookup_elem(routes_fd, &key, &r))
			continue;
		inet_ntop(AF_INET, &key.addr, dst, sizeof(dst));
		snprintf(dst + strlen(dst), 5, "/%u", key.prefixlen);
		if (r.gw)
			inet_ntop(AF_INET, &r.gw, via, sizeof(via));
		if_indextoname(r.ifindex, dev);
		printf("%-20s %-16s %-8s %12s %14s\n", dst, via, dev, "0", "0");
	}
	printf("%-16s %-18s %-8s\n", "neighbour", "lladdr", "dev");
	while (!bpf_map_get_next_key(neigh_fd, pa, &na)) {
		struct xr_neigh n;
		char ip[INET_ADDRSTRLEN], dev[IF_NAMESIZE] = "?";

		a = na;
		pa = &a;
		if (bpf_map_lookup_elem(neigh_fd, &a, &n))
			continue;
		if_indextoname(n.ifindex, dev);
		printf("%-16s %02x:%02x:%02x:%02x:%02x:%02x  %-8s\n",
		       inet_ntop(AF_INET, &a, ip, sizeof(ip)), n.mac[0], n.mac[1], n.mac[2],
		       n.mac[3], n.mac[4], n.mac[5], dev);
	}
	printf("%-16s %12s %14s\n", "reason", "packets", "bytes");
	for (__u32 k = 0; k < XR_NKEYS; k++) {
		struct xr_counter s = {};

		read_counter(c, bpf_map__fd(c->skel->maps.stats), &k, &s);
		printf("%-16s %12s %14s\n", reason_names[k],
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s.packets),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s.bytes));
	}
	return 0;
}

/* The demo's extra setup: the service address on h2 and h3, the /16 route
 * to it via h2 in the router, a UDP sink in ns3. */
static int demo_prepare(struct ctx *c)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	struct sample_topo *t = c->topo;
	struct in_addr net;
	int err;

	inet_pton(AF_INET, DEMO_SERVICE, &c->service);
	inet_pton(AF_INET, "10.99.0.0", &net);
	c->h3_addr = t->leaf[2].addr;
	for (int i = 1; i < 3; i++)
		if ((err = sample_addr_add(t->leaf[i].ns, t->leaf[i].ifindex, AF_INET,
					   &c->service, 32)))
			return err;
	if ((err = sample_route_add(t->router_ns, AF_INET, &net, 16, &t->leaf[1].addr,
				    t->leaf[1].router_ifindex)))
		return err;
	c->sink3 = sample_netns_socket(t->leaf[2].ns, AF_INET, SOCK_DGRAM, 0);
	if (c->sink3 < 0)
		return c->sink3;
	return bind(c->sink3, (struct sockaddr *)&any, sizeof(any)) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "generic", no_argument, NULL, 'S' },
		{ "native", no_argument, NULL, 'N' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct sample_topo_traffic traffic = { .icmp_fd = -1, .udp_fd = -1, .udp_sink = -1 };
	struct sample_topo topo = { .orig_ns = -1, .router_ns = -1 };
	struct nl_mirror mirror = { .sock = -1 };
	enum sample_xdp_mode mode = SAMPLE_XDP_AUTO;
	struct xdp_router_ipv4 *skel = NULL;
	bool verbose = false, use_demo;
	struct { char name[IF_NAMESIZE]; int ifindex, link; struct xr_port mac; } ports[XR_MAX_PORTS];
	const char *mode_used = "?";
	__u64 forw_before = 0, forw_after = 0;
	static struct ctx c;
	int opt, err = 0, nports = 0;
	unsigned long v;

	c.sink3 = -1;
	while ((opt = getopt_long(argc, argv, ":SNd:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			mode = SAMPLE_XDP_GENERIC;
			break;
		case 'N':
			mode = SAMPLE_XDP_NATIVE;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &v))
				return 2;
			run.duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(prog, optarg, &run.interval_ms))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (argc - optind > XR_MAX_PORTS) {
		fprintf(stderr, "%s: at most %d interfaces\n", prog, XR_MAX_PORTS);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		for (int j = optind; j < i; j++)
			if (!strcmp(argv[i], argv[j])) {
				fprintf(stderr, "%s: interface '%s' given twice\n", prog, argv[i]);
				return 2;
			}
	use_demo = optind == argc;

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. Ports. The demo: 3 leaves, no router neighbours (learned by ARP,
	 * mirrored live), 10.99.0.1 on h2 and h3, 10.99.0.0/16 via h2. */
	if (use_demo) {
		if (sample_topo_setup(&topo, prog, SAMPLE_TOPO_LEAF3))
			return 1;
		c.topo = &topo;
		if ((err = demo_prepare(&c))) {
			fprintf(stderr, "%s: demo setup failed: %s\n", prog, sample_strerror(err));
			goto cleanup;
		}
		for (int i = 0; i < topo.nleaves; i++, nports++) {
			snprintf(ports[i].name, IF_NAMESIZE, "%s", topo.leaf[i].router_ifname);
			ports[i].ifindex = topo.leaf[i].router_ifindex;
		}
	} else {
		for (int i = optind; i < argc; i++, nports++) {
			ports[nports].ifindex = sample_ifindex(prog, argv[i]);
			if (ports[nports].ifindex < 0)
				return 1;
			if (!if_indextoname(ports[nports].ifindex, ports[nports].name))
				snprintf(ports[nports].name, IF_NAMESIZE, "%s", argv[i]);
		}
	}
	for (int i = 0; i < nports; i++)
		ports[i].link = -1;
	for (int i = 0; i < nports; i++) {
		memset(&ports[i].mac, 0, sizeof(ports[i].mac));
		if ((err = sample_iface_mac(ports[i].name, ports[i].mac.mac))) {
			fprintf(stderr, "%s: %s has no Ethernet address (%s): XDP routing needs "
				"Ethernet ports\n", prog, ports[i].name, sample_strerror(err));
			goto cleanup;
		}
	}

	/* 2. Load. */
	skel = xdp_router_ipv4__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	bpf_program__set_autoload(skel->progs.xdp_pass, use_demo);
	if ((err = xdp_router_ipv4__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.routes) != sizeof(struct xr_route) ||
	    bpf_map__key_size(skel->maps.routes) != sizeof(struct xr_route_key) ||
	    bpf_map__value_size(skel->maps.neighbours) != sizeof(struct xr_neigh) ||
	    bpf_map__value_size(skel->maps.route_pkts) != sizeof(struct xr_counter)) {
		fprintf(stderr, "%s: size mismatch between xdp_router_ipv4.h and the object\n", prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.ncpus = libbpf_num_possible_cpus();

	/* 3. Ports, then the mirror: subscribe, dump routes and neighbours. */
	for (int i = 0; i < nports; i++) {
		__u32 key = ports[i].ifindex;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.tx_port), &key, &key, 0) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.port_mac), &key, &ports[i].mac, 0)) {
			err = -errno;
			fprintf(stderr, "%s: adding port %s failed: %s\n", prog, ports[i].name,
				sample_strerror(err));
			goto cleanup;
		}
	}
	mirror.routes_fd = bpf_map__fd(skel->maps.routes);
	mirror.neigh_fd = bpf_map__fd(skel->maps.neighbours);
	mirror.local_fd = bpf_map__fd(skel->maps.local_addrs);
	if ((err = nl_mirror_open(&mirror))) {
		fprintf(stderr, "%s: mirroring routes and neighbours through netlink failed: %s\n",
			prog, sample_strerror(err));
		goto cleanup;
	}
	c.mirror = &mirror;

	/* 4. Attach. */
	if (use_demo &&
	    (err = sample_topo_attach_pass(&topo, prog, bpf_program__fd(skel->progs.xdp_pass))))
		goto cleanup;
	for (int i = 0; i < nports; i++) {
		ports[i].link = sample_xdp_attach(prog, skel->progs.xdp_router, ports[i].ifindex,
						  mode, &mode_used);
		if (ports[i].link < 0) {
			err = ports[i].link;
			goto cleanup;
		}
	}
	if (use_demo) {
		if ((err = sample_topo_traffic_open(&traffic, &topo, 0, 1))) {
			fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		traffic.dst = c.service;
		c.traffic = &traffic;
		if ((err = sample_topo_forw_datagrams(&topo, &forw_before))) {
			fprintf(stderr, "%s: reading /proc/net/snmp failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
	}

	/* 5. Run: netlink events are applied as they arrive (extra_fd). */
	printf("Routing IPv4 in XDP on");
	for (int i = 0; i < nports; i++)
		printf(" %s", ports[i].name);
	printf(", XDP mode %s: %d routes in the LPM_TRIE, %d neighbours in the HASH "
	       "(mirrored by netlink)%s\n", mode_used,
	       map_count(mirror.routes_fd, sizeof(struct xr_route_key)),
	       map_count(mirror.neigh_fd, sizeof(__u32)),
	       use_demo ? "; demo: ping + UDP from ns1 to " DEMO_SERVICE " (on h2 and h3)" : "");
	printf("%7s  %12s %14s %7s %7s%s\n", "time", "fwd pps", "to stack pps", "routes",
	       "neighs", use_demo ? "   udp@ns2   udp@ns3" : "");
	fflush(stdout);
	mirror.on_change = on_change;
	mirror.ctx = &c;
	c.start_ns = c.last_ns = sample_now_ns();
	run.tick = tick;
	run.extra_fd = mirror.sock;
	run.on_extra = on_netlink;
	run.ctx = &c;
	err = sample_run(&run);

	/* 6. Summary. */
	if (!err && c.traffic) {
		sample_topo_poll(&traffic, 500);
		drain_sink3(&c);
	}
	if (!err)
		err = print_final(&c);
	if (!err && use_demo) {
		char b[2][SAMPLE_FMT_LEN];

		if ((err = sample_topo_forw_datagrams(&topo, &forw_after)))
			fprintf(stderr, "%s: reading /proc/net/snmp failed: %s\n", prog,
				sample_strerror(err));
		else
			printf("demo sent: %llu echo requests (%llu replies), %llu UDP datagrams "
			       "(ns2 %llu, ns3 %llu); router ForwDatagrams %s -> %s\n",
			       (unsigned long long)traffic.icmp_sent,
			       (unsigned long long)traffic.icmp_replies,
			       (unsigned long long)traffic.udp_sent,
			       (unsigned long long)traffic.udp_received,
			       (unsigned long long)c.recv3,
			       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, forw_before),
			       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, forw_after));
	}

cleanup:
	for (int i = 0; i < nports; i++)
		if (ports[i].link >= 0)
			close(ports[i].link);
	nl_mirror_close(&mirror);
	if (c.sink3 >= 0)
		close(c.sink3);
	sample_topo_traffic_close(&traffic);
	xdp_router_ipv4__destroy(skel);
	if (use_demo)
		sample_topo_teardown(&topo);
	return err ? 1 : 0;
}
