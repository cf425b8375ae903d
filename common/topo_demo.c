// SPDX-License-Identifier: GPL-2.0
/* common/topo_demo.c - the routed demo of the XDP forwarding samples. See topo_demo.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>

#include "demo.h"
#include "sample.h"
#include "topo_demo.h"

int sample_topo_demo_open(struct sample_topo_demo *d, const char *prog,
			  const struct sample_topo_demo_plan *plan, int *ifindexes)
{
	int err = sample_topo_setup(&d->topo, prog, plan->flags);

	if (err)
		return err;
	d->plan = *plan;
	d->prog = prog;
	d->open = true;
	for (int i = 0; i < d->topo.nleaves; i++)
		ifindexes[i] = d->topo.leaf[i].router_ifindex;
	return d->topo.nleaves;
}

/* The broadcast sender is bound to h1, so that the limited broadcast leaves by
 * h1. No receiver in ns1: the sender's own stack loops a copy of every
 * broadcast back locally, which says nothing about the wire (that no copy went
 * back out by r1 shows in r1's counters). */
static int bcast_open(struct sample_topo_demo *d)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	const char *h1 = d->topo.leaf[0].ifname;
	int on = 1;

	d->bcast_fd = sample_netns_socket(d->topo.leaf[0].ns, AF_INET, SOCK_DGRAM, 0);
	if (d->bcast_fd < 0)
		return d->bcast_fd;
	if (setsockopt(d->bcast_fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) ||
	    setsockopt(d->bcast_fd, SOL_SOCKET, SO_BINDTODEVICE, h1, strlen(h1)))
		return -errno;
	for (int i = 1; i < d->topo.nleaves; i++) {
		d->bcast_sink[i] = sample_netns_socket(d->topo.leaf[i].ns, AF_INET, SOCK_DGRAM, 0);
		if (d->bcast_sink[i] < 0)
			return d->bcast_sink[i];
		if (bind(d->bcast_sink[i], (struct sockaddr *)&any, sizeof(any)))
			return -errno;
	}
	return 0;
}

int sample_topo_demo_start(struct sample_topo_demo *d, const struct bpf_program *pass)
{
	const char *what = "attaching XDP_PASS to the hosts";
	int err;

	if (!d->open)
		return 0;
	if ((err = sample_topo_attach_pass(&d->topo, d->prog, bpf_program__fd(pass))))
		return err; /* it said why */
	what = "opening the traffic sockets";
	if (d->plan.pings || d->plan.udps)
		err = sample_topo_traffic_open(&d->traffic, &d->topo, 0, 1);
	if (!err && d->plan.bcasts)
		err = bcast_open(d);
	if (!err) {
		what = "reading /proc/net/snmp";
		err = sample_topo_forw_datagrams(&d->topo, &d->forw_before);
	}
	if (err)
		fprintf(stderr, "%s: demo: %s failed: %s\n", d->prog, what, sample_strerror(err));
	return err;
}

/* Receive broadcasts until every host has every one that was sent, or the
 * deadline. */
static void bcast_poll(struct sample_topo_demo *d, int timeout_ms)
{
	__u64 deadline = sample_now_ns() + (__u64)timeout_ms * 1000000;
	char buf[2048];

	for (int i = 1; i < d->topo.nleaves; i++) {
		struct pollfd p = { .fd = d->bcast_sink[i], .events = POLLIN };

		while (d->bcast_received[i] < d->bcast_sent) {
			__u64 now = sample_now_ns();

			if (now >= deadline ||
			    poll(&p, 1, (int)((deadline - now) / 1000000) + 1) <= 0)
				break;
			while (recv(d->bcast_sink[i], buf, sizeof(buf), MSG_DONTWAIT) >= 0)
				d->bcast_received[i]++;
		}
	}
}

int sample_topo_demo_step(struct sample_topo_demo *d)
{
	struct sockaddr_in bc = { .sin_family = AF_INET,
				  .sin_addr.s_addr = INADDR_BROADCAST,
				  .sin_port = htons(SAMPLE_TOPO_UDP_PORT) };
	char payload[1500] = {};
	size_t blen = d->plan.bcast_len < sizeof(payload) ? d->plan.bcast_len : sizeof(payload);
	int err = 0;

	for (unsigned int i = 0; i < d->plan.pings && !err; i++)
		err = sample_topo_ping(&d->traffic, d->plan.ping_len);
	for (unsigned int i = 0; i < d->plan.udps && !err; i++)
		err = sample_topo_udp(&d->traffic, d->plan.udp_len);
	for (unsigned int i = 0; i < d->plan.bcasts && !err; i++) {
		if (sendto(d->bcast_fd, payload, blen, 0, (struct sockaddr *)&bc, sizeof(bc)) < 0)
			err = -errno;
		else
			d->bcast_sent++;
	}
	if (err) {
		fprintf(stderr, "%s: demo traffic failed: %s\n", d->prog, sample_strerror(err));
		return err;
	}
	if (d->plan.pings || d->plan.udps)
		sample_topo_poll(&d->traffic, 500);
	if (d->plan.bcasts)
		bcast_poll(d, 500);
	return 0;
}

void sample_topo_demo_close(struct sample_topo_demo *d)
{
	char b[2][SAMPLE_FMT_LEN];
	__u64 forw_after = 0;
	int err;

	if (!d->open)
		return;
	if ((err = sample_topo_forw_datagrams(&d->topo, &forw_after))) {
		fprintf(stderr, "%s: demo: reading /proc/net/snmp failed: %s\n", d->prog,
			sample_strerror(err));
	} else {
		printf("demo sent: ");
		if (d->plan.pings || d->plan.udps)
			printf("%llu echo requests (%llu replies), %llu UDP datagrams (%llu received)",
			       (unsigned long long)d->traffic.icmp_sent,
			       (unsigned long long)d->traffic.icmp_replies,
			       (unsigned long long)d->traffic.udp_sent,
			       (unsigned long long)d->traffic.udp_received);
		if (d->plan.bcasts) {
			printf("%llu broadcasts from %s; received",
			       (unsigned long long)d->bcast_sent, d->topo.leaf[0].ifname);
			for (int i = 1; i < d->topo.nleaves; i++)
				printf(" %s=%llu", d->topo.leaf[i].ifname,
				       (unsigned long long)d->bcast_received[i]);
		}
		printf("; router ForwDatagrams %s -> %s\n",
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->forw_before),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, forw_after));
		fflush(stdout);
	}
	if (d->bcast_fd >= 0)
		close(d->bcast_fd);
	for (int i = 0; i < SAMPLE_TOPO_MAX_LEAVES; i++)
		if (d->bcast_sink[i] >= 0)
			close(d->bcast_sink[i]);
	d->bcast_fd = -1;
	memset(d->bcast_sink, -1, sizeof(d->bcast_sink));
	sample_topo_traffic_close(&d->traffic);
	sample_topo_teardown(&d->topo);
	d->open = false;
}
