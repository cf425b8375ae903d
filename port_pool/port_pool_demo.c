// SPDX-License-Identifier: GPL-2.0
/* port_pool_demo.c - see port_pool_demo.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "demo.h"
#include "port_pool_demo.h"

#define MAX_FLOWS 1024
#define MAX_POOLS 2

struct pp_demo {
	int prog_fds[MAX_POOLS], n;
	/* Open flows, oldest first, as flow numbers (flow f comes from
	 * 10.1.x.y:f), per pool: a refused flow is open in neither. */
	unsigned int open[MAX_POOLS][MAX_FLOWS], nopen[MAX_POOLS];
	unsigned int next_flow, steps;
	unsigned long long syns, fins, frames;
};

/* A 54-byte TCP/IPv4 frame of flow f to 192.0.2.1:443, SYN or FIN. The
 * headers are built apart and copied in: at offset 14 the IP header is not
 * aligned for struct access. */
static unsigned int frame(unsigned char *buf, unsigned int f, bool fin)
{
	struct ethhdr eth = { .h_dest = { 2, 0, 0, 0, 0, 1 },
			      .h_source = { 2, 0, 0, 0, 0, 2 },
			      .h_proto = htons(ETH_P_IP) };
	struct iphdr ip = { .version = 4,
			    .ihl = 5,
			    .ttl = 64,
			    .protocol = IPPROTO_TCP,
			    .tot_len = htons(sizeof(ip) + sizeof(struct tcphdr)),
			    .saddr = htonl(0x0a010000 + f / 50000), /* 10.1.0.0 + f / 50000 */
			    .daddr = htonl(0xc0000201) }; /* 192.0.2.1 */
	struct tcphdr tcp = { .source = htons(10000 + f % 50000),
			      .dest = htons(443),
			      .doff = 5,
			      .syn = !fin,
			      .fin = fin,
			      .ack = fin };

	ip.check = sample_inet_csum(&ip, sizeof(ip));
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + sizeof(eth), &ip, sizeof(ip));
	memcpy(buf + sizeof(eth) + sizeof(ip), &tcp, sizeof(tcp));
	return sizeof(eth) + sizeof(ip) + sizeof(tcp);
}

/* Run flow f's frame through every pool's program; XDP_DROP means refused. */
static int send_flow(struct pp_demo *d, unsigned int f, bool fin, bool *granted)
{
	unsigned char buf[64];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = frame(buf, f, fin));

	for (int p = 0; p < d->n; p++) {
		if (bpf_prog_test_run_opts(d->prog_fds[p], &t))
			return -errno;
		granted[p] = t.retval != XDP_DROP;
		d->frames++;
	}
	return 0;
}

struct pp_demo *pp_demo_open(const int *prog_fds, int n)
{
	struct pp_demo *d = calloc(1, sizeof(*d));

	if (!d || n > MAX_POOLS) {
		fprintf(stderr, "port_pool: demo: %s\n", d ? "too many pools" : "out of memory");
		free(d);
		return NULL;
	}
	memcpy(d->prog_fds, prog_fds, n * sizeof(*prog_fds));
	d->n = n;
	return d;
}

int pp_demo_step(struct pp_demo *d)
{
	bool granted[MAX_POOLS];
	unsigned int nnew;
	int err;

	d->steps++;
	nnew = d->steps < 3 ? 4 : 16;

	/* End the 4 oldest flows of each pool with a FIN. */
	for (int p = 0; p < d->n; p++) {
		unsigned int k = d->nopen[p] < 4 ? d->nopen[p] : 4;

		for (unsigned int i = 0; i < k; i++) {
			unsigned char buf[64];
			LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf,
				    .data_size_in = frame(buf, d->open[p][i], true));

			if (bpf_prog_test_run_opts(d->prog_fds[p], &t))
				return -errno;
			d->fins++;
			d->frames++;
		}
		memmove(d->open[p], d->open[p] + k, (d->nopen[p] - k) * sizeof(d->open[p][0]));
		d->nopen[p] -= k;
	}
	/* Open new ones (the same flows for every pool). */
	for (unsigned int i = 0; i < nnew; i++) {
		err = send_flow(d, d->next_flow, false, granted);
		if (err)
			return err;
		d->syns++;
		for (int p = 0; p < d->n; p++)
			if (granted[p] && d->nopen[p] < MAX_FLOWS)
				d->open[p][d->nopen[p]++] = d->next_flow;
		d->next_flow++;
	}
	return 0;
}

void pp_demo_close(struct pp_demo *d)
{
	if (!d)
		return;
	printf("demo sent: %llu new flows (SYN) and %llu ends (FIN) to each of %d pool%s, "
	       "%llu frames through BPF_PROG_TEST_RUN\n",
	       d->syns, d->fins / d->n, d->n, d->n > 1 ? "s" : "", d->frames);
	free(d);
}
