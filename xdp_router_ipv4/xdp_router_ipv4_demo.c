// SPDX-License-Identifier: GPL-2.0
/* xdp_router_ipv4_demo.c - the no-argument demo (xdp_router_ipv4_demo.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "xdp_router_ipv4_mirror.h"
#include "xdp_router_ipv4.h"
#include "xdp_router_ipv4_demo.h"
#include "xdp_router_ipv4.skel.h"

#define DEMO_PINGS 5
#define DEMO_PING_LEN 56
#define DEMO_UDPS 5
#define DEMO_UDP_LEN 100
#define DEMO_SERVICE "10.99.0.1" /* on h2 and h3 */
#define DEMO_ADD_STEP 2 /* add 10.99.0.1/32 via h3 before this step's traffic */
#define DEMO_DEL_STEP 4 /* and remove it again */

/* The service address on h2 and h3, the /16 route to it via h2 in the router,
 * a UDP sink in ns3 (ns2's is the traffic's own). */
static int demo_prepare(struct xdp_router_ipv4_demo *d, struct in_addr service)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	struct sample_topo *t = &d->topo;
	struct in_addr net;
	int err;

	inet_pton(AF_INET, "10.99.0.0", &net);
	for (int i = 1; i < 3; i++) {
		err = sample_addr_add(t->leaf[i].ns, t->leaf[i].ifindex, AF_INET, &service, 32);
		if (err)
			return err;
	}
	err = sample_route_add(t->router_ns, AF_INET, &net, 16, &t->leaf[1].addr,
			       t->leaf[1].router_ifindex);
	if (err)
		return err;
	d->sink3 = sample_netns_socket(t->leaf[2].ns, AF_INET, SOCK_DGRAM, 0);
	if (d->sink3 < 0)
		return d->sink3;
	return bind(d->sink3, (struct sockaddr *)&any, sizeof(any)) ? -errno : 0;
}

int xdp_router_ipv4_demo_open(struct xdp_router_ipv4_demo *d, const char *prog,
			      const struct xdp_router_ipv4 *skel,
			      struct xdp_router_ipv4_mirror *mirror, int *ifindexes, int *n)
{
	struct in_addr service;
	const char *what;
	int err;

	d->prog = prog;
	d->mirror = mirror;
	d->routes = skel->maps.routes;
	inet_pton(AF_INET, DEMO_SERVICE, &service);
	err = sample_topo_setup(&d->topo, prog, SAMPLE_TOPO_LEAF3);
	if (err)
		return err;
	d->open = true;
	/* The hosts receive redirected frames only with an XDP program (topo.h). */
	err = sample_topo_attach_pass(&d->topo, prog, bpf_program__fd(skel->progs.xdp_pass));
	if (err)
		goto fail_quiet;
	what = "demo setup";
	err = demo_prepare(d, service);
	if (err)
		goto fail;
	what = "opening demo traffic sockets";
	err = sample_topo_traffic_open(&d->traffic, &d->topo, 0, 1);
	if (err)
		goto fail;
	d->traffic.dst = service;
	what = "reading /proc/net/snmp";
	err = sample_topo_forw_datagrams(&d->topo, &d->forw_before);
	if (err)
		goto fail;
	for (*n = 0; *n < d->topo.nleaves; (*n)++)
		ifindexes[*n] = d->topo.leaf[*n].router_ifindex;
	return 0;
fail:
	fprintf(stderr, "%s: %s failed: %s\n", prog, what, sample_strerror(err));
fail_quiet:
	d->open = false;
	if (d->sink3 >= 0)
		close(d->sink3);
	d->sink3 = -1;
	sample_topo_traffic_close(&d->traffic);
	sample_topo_teardown(&d->topo);
	return err;
}

/* Wait (at most 1 s) until the LPM_TRIE has (present) or lacks the key,
 * applying netlink events meanwhile. The milliseconds it took, or -errno. */
static int wait_for_route(struct xdp_router_ipv4_demo *d, const struct xr_route_key *key,
			  bool present)
{
	__u64 t0 = sample_now_ns();
	struct xr_route r;

	for (;;) {
		struct pollfd p = { .fd = d->mirror->sock, .events = POLLIN };
		bool found;
		int err;

		err = xdp_router_ipv4_mirror_process(d->mirror);
		if (err)
			return err;
		/* A lookup in an LPM_TRIE is a longest-prefix match, from user
		 * space too: after the /32 is gone, looking it up finds the /16.
		 * Exact presence = a match with the same prefix length. */
		found = !bpf_map__lookup_elem(d->routes, key, sizeof(*key), &r, sizeof(r), 0) &&
			r.prefixlen == key->prefixlen;
		if (found == present)
			return (sample_now_ns() - t0) / 1000000;
		if (sample_now_ns() - t0 > 1000000000ull)
			return -ETIMEDOUT;
		poll(&p, 1, 10);
	}
}

/* Add or remove 10.99.0.1/32 via h3 in the router namespace, as `ip route
 * add/del` would, and time the mirror. */
static int demo_route_change(struct xdp_router_ipv4_demo *d, bool add, __u64 start_ns)
{
	struct xr_route_key key = { .prefixlen = 32, .addr = d->traffic.dst.s_addr };
	const struct sample_topo_leaf *l3 = &d->topo.leaf[2];
	int err, ms;

	if (add)
		err = sample_route_add(d->topo.router_ns, AF_INET, &d->traffic.dst, 32, &l3->addr,
				       l3->router_ifindex);
	else
		err = sample_route_del(d->topo.router_ns, AF_INET, &d->traffic.dst, 32, &l3->addr,
				       l3->router_ifindex);
	if (err) {
		fprintf(stderr, "%s: demo: %s the route failed: %s\n", d->prog,
			add ? "adding" : "removing", sample_strerror(err));
		return err;
	}
	printf("%7.1f  demo: ip route %s %s/32 via 10.20.3.2 dev r3\n",
	       (sample_now_ns() - start_ns) / 1e9, add ? "add" : "del", DEMO_SERVICE);
	ms = wait_for_route(d, &key, add);
	if (ms < 0) {
		fprintf(stderr, "%s: demo: the LPM_TRIE did not follow within 1 s: %s\n", d->prog,
			sample_strerror(ms));
		return ms;
	}
	printf("%7.1f  demo: LPM_TRIE %s %s/32 after %d ms\n", (sample_now_ns() - start_ns) / 1e9,
	       add ? "has" : "no longer has", DEMO_SERVICE, ms);
	fflush(stdout);
	return 0;
}

static void drain_sink3(struct xdp_router_ipv4_demo *d)
{
	char buf[2048];

	while (recv(d->sink3, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		d->recv3++;
}

int xdp_router_ipv4_demo_step(struct xdp_router_ipv4_demo *d, __u64 start_ns)
{
	struct sample_topo_traffic *tr = &d->traffic;
	int err = 0;

	d->steps++;
	if (d->steps == DEMO_ADD_STEP || d->steps == DEMO_DEL_STEP) {
		err = demo_route_change(d, d->steps == DEMO_ADD_STEP, start_ns);
		if (err)
			return err;
	}
	for (int i = 0; i < DEMO_PINGS && !err; i++)
		err = sample_topo_ping(tr, DEMO_PING_LEN);
	for (int i = 0; i < DEMO_UDPS && !err; i++)
		err = sample_topo_udp(tr, DEMO_UDP_LEN);
	if (err) {
		fprintf(stderr, "%s: demo traffic failed: %s\n", d->prog, sample_strerror(err));
		return err;
	}
	/* Replies and datagrams arrive by either ns2 or ns3: collect both, and
	 * the netlink events the traffic caused (ARP). */
	for (int i = 0; i < 10; i++) {
		sample_topo_poll(tr, 10);
		drain_sink3(d);
		err = xdp_router_ipv4_mirror_process(d->mirror);
		if (err)
			return err;
		if (tr->icmp_replies == tr->icmp_sent &&
		    tr->udp_received + d->recv3 == tr->udp_sent)
			break;
	}
	return 0;
}

void xdp_router_ipv4_demo_columns(const struct xdp_router_ipv4_demo *d, bool header)
{
	if (!d->open)
		return;
	if (header)
		printf("   udp@ns2   udp@ns3");
	else
		printf(" %9llu %9llu", (unsigned long long)d->traffic.udp_received,
		       (unsigned long long)d->recv3);
}

void xdp_router_ipv4_demo_close(struct xdp_router_ipv4_demo *d)
{
	const struct sample_topo_traffic *tr = &d->traffic;
	char b[2][SAMPLE_FMT_LEN];
	__u64 forw_after;
	int err;

	if (!d->open)
		return;
	sample_topo_poll(&d->traffic, 500);
	drain_sink3(d);
	err = sample_topo_forw_datagrams(&d->topo, &forw_after);
	if (err)
		fprintf(stderr, "%s: reading /proc/net/snmp failed: %s\n", d->prog,
			sample_strerror(err));
	else
		printf("demo sent: %llu echo requests (%llu replies), %llu UDP datagrams "
		       "(ns2 %llu, ns3 %llu); router ForwDatagrams %s -> %s\n",
		       (unsigned long long)tr->icmp_sent, (unsigned long long)tr->icmp_replies,
		       (unsigned long long)tr->udp_sent, (unsigned long long)tr->udp_received,
		       (unsigned long long)d->recv3,
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->forw_before),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, forw_after));
	fflush(stdout);
	close(d->sink3);
	d->sink3 = -1;
	sample_topo_traffic_close(&d->traffic);
	sample_topo_teardown(&d->topo);
	d->open = false;
}
