// SPDX-License-Identifier: GPL-2.0
/*
 * sockex2_demo.c - the no-argument demo of sockex2 (see sockex2_demo.h).
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "sample.h"
#include "sockex2_demo.h"

/* Per step: 3 echo requests of 56 bytes (84 IP bytes) to 10.11.1.1, each
 * answered with a reply to 10.11.1.2 that demo0 sends and the filter counts
 * too; then the datagrams below. */
#define DEMO_PINGS 3
#define DEMO_PING_LEN 56

static const struct {
	const char *addr;
	unsigned int udps; /* datagrams per step */
	unsigned int len; /* UDP payload bytes */
	bool added; /* an address the demo adds to demo0 */
} dsts[SOCKEX2_DEMO_DSTS] = {
	{ "10.11.1.1", 5, 100 }, /* 128 IP bytes: 20 + 8 + 100 */
	{ "10.11.1.3", 2, 200, true }, /* 228 */
	{ "fd11::1", 4, 100 }, /* 148: 40 + 8 + 100 */
	{ "fd11::1:0:0:1", 1, 300, true }, /* 348 */
};

/* The standard pair with IPv6; the plan opens the ICMP and UDP sockets. */
static const struct sample_demo_plan plan = {
	.flags = SAMPLE_DEMO_IPV6,
	.pings = DEMO_PINGS,
	.ping_len = DEMO_PING_LEN,
	.udps = 5,
	.udp_len = 100,
};

static void teardown(struct sockex2_demo *d)
{
	sample_traffic_close(&d->veth.traffic);
	sample_demo_teardown(&d->veth.net);
	d->veth.open = false;
}

/* The extra addresses on demo0, and permanent neighbours for them on demo1 so
 * that no ARP or neighbour solicitation (which is IPv6, and would be counted)
 * is sent for them. */
int sockex2_demo_open(struct sockex2_demo *d, struct sample_opts *o)
{
	struct sample_demo *net = &d->veth.net;
	int err;

	err = sample_veth_demo_open(&d->veth, o, &plan);
	if (err)
		return err;
	for (int i = 0; i < SOCKEX2_DEMO_DSTS; i++) {
		int af = AF_INET;
		int prefix = 32;
		struct in6_addr a;

		if (!dsts[i].added)
			continue;
		if (strchr(dsts[i].addr, ':')) {
			af = AF_INET6;
			prefix = 128;
		}
		inet_pton(af, dsts[i].addr, &a);
		err = sample_addr_add(net->ns, net->ifindex, af, &a, prefix);
		if (!err)
			err = sample_neigh_add(net->peer_ns, net->peer_ifindex, af, &a, net->mac);
		if (err) {
			fprintf(stderr, "%s: demo setup failed adding %s: %s\n", o->prog,
				dsts[i].addr, sample_strerror(err));
			teardown(d);
			return err;
		}
	}
	return 0;
}

int sockex2_demo_step(struct sockex2_demo *d)
{
	struct sample_traffic *t = &d->veth.traffic;
	struct sockaddr_storage ss;
	int err = 0;

	for (int i = 0; i < DEMO_PINGS && !err; i++)
		err = sample_traffic_ping(t, &d->veth.net.addr4, DEMO_PING_LEN);
	for (int i = 0; i < SOCKEX2_DEMO_DSTS && !err; i++) {
		sample_sockaddr(dsts[i].addr, SAMPLE_UDP_PORT, &ss);
		for (unsigned int n = 0; n < dsts[i].udps && !err; n++) {
			err = sample_traffic_udp(t, (struct sockaddr *)&ss, dsts[i].len);
			if (!err)
				d->udp_sent[i]++;
		}
	}
	if (err) {
		fprintf(stderr, "sockex2: demo traffic failed: %s\n", sample_strerror(err));
		return err;
	}
	/* Returns as soon as every reply and datagram is in. */
	sample_traffic_poll(t, 500);
	return 0;
}

void sockex2_demo_close(struct sockex2_demo *d)
{
	const struct sample_traffic *t = &d->veth.traffic;

	if (!d->veth.open)
		return;
	printf("demo sent: %llu echo requests of %d bytes to 10.11.1.1 (%llu replies to 10.11.1.2)",
	       (unsigned long long)t->icmp_sent, DEMO_PING_LEN,
	       (unsigned long long)t->icmp_replies);
	for (int i = 0; i < SOCKEX2_DEMO_DSTS; i++)
		printf(", %llu UDP of %u bytes to %s", (unsigned long long)d->udp_sent[i],
		       dsts[i].len, dsts[i].addr);
	printf("\n");
	fflush(stdout);
	teardown(d);
}
