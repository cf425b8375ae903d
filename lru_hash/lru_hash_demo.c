// SPDX-License-Identifier: GPL-2.0
/*
 * lru_hash_demo.c - the no-argument demo of lru_hash (see lru_hash_demo.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "lru_hash.h"
#include "lru_hash_demo.h"
#include "lru_hash.skel.h"

#define DEMO_HOT_EVERY 16 /* new flows between two rounds of the hot flows */
#define DEMO_PAYLOAD 18 /* UDP payload: 46 IP bytes per packet */
#define DEMO_FRAME (14 + 20 + 8 + DEMO_PAYLOAD)

/* New flow n comes from 10.0.0.0 + n + 1, hot flow h from 192.168.0.(h + 1);
 * all go to 10.11.1.1:7000 from port 40000 over UDP. */
static void flow_of(__u64 n, bool hot, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->saddr = htonl(hot ? 0xc0a80001 + (__u32)n : 0x0a000001 + (__u32)n);
	k->daddr = htonl(0x0a0b0101);
	k->sport = htons(40000);
	k->dport = htons(7000);
	k->proto = IPPROTO_UDP;
}

static void frame_of(const struct flow_key *k, unsigned char *f)
{
	static const unsigned char macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	__u16 v;

	memset(f, 0, DEMO_FRAME);
	memcpy(f, macs, 12);
	f[12] = 0x08; /* ETH_P_IP */
	f[14] = 0x45;
	v = htons(20 + 8 + DEMO_PAYLOAD);
	memcpy(f + 16, &v, 2);
	f[22] = 64;
	f[23] = k->proto;
	memcpy(f + 26, &k->saddr, 4);
	memcpy(f + 30, &k->daddr, 4);
	memcpy(f + 34, &k->sport, 2);
	memcpy(f + 36, &k->dport, 2);
	v = htons(8 + DEMO_PAYLOAD);
	memcpy(f + 38, &v, 2);
}

static int send_flow(struct lru_hash_demo *d, __u64 n, bool hot)
{
	unsigned char frame[DEMO_FRAME];
	struct flow_key k;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = DEMO_FRAME);

	flow_of(n, hot, &k);
	frame_of(&k, frame);
	return bpf_prog_test_run_opts(bpf_program__fd(d->skel->progs.flow_table), &topts);
}

/* Packets of one flow, summed over the CPUs for a per-CPU map; -ENOENT if
 * the flow is not in the map. */
static int flow_packets(const struct lru_hash_demo *d, __u64 n, bool hot, __u64 *packets)
{
	const struct bpf_map *flows = d->skel->maps.flows;
	struct flow_val v; /* only __u64 fields: summed field by field */
	struct flow_key k;
	int err;

	flow_of(n, hot, &k);
	if (bpf_map__type(flows) == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		err = sample_percpu_lookup(flows, &k, (__u64 *)&v);
	else
		err = bpf_map__lookup_elem(flows, &k, sizeof(k), &v, sizeof(v), 0);
	*packets = err ? 0 : v.packets;
	return err;
}

static bool flow_present(const struct lru_hash_demo *d, __u64 n, bool hot)
{
	__u64 p;

	return flow_packets(d, n, hot, &p) == 0;
}

int lru_hash_demo_open(struct lru_hash_demo *d, struct lru_hash *skel, __u32 new_per_step)
{
	cpu_set_t set;
	int err;

	*d = (struct lru_hash_demo){ .skel = skel, .new_per_step = new_per_step };
	d->cpu = sched_getcpu();
	if (d->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(d->cpu, &set);
	}
	if (d->cpu < 0 || sched_setaffinity(0, sizeof(set), &set)) {
		err = -errno;
		fprintf(stderr, "lru_hash: pinning the demo to one CPU failed: %s\n",
			sample_strerror(err));
		return err;
	}
	d->open = true;
	return 0;
}

void lru_hash_demo_about(const struct lru_hash_demo *d, char *buf, size_t len)
{
	snprintf(buf, len,
		 "demo: BPF_PROG_TEST_RUN on CPU %d, %u new flows per interval, %d hot flows",
		 d->cpu, d->new_per_step, LRU_HASH_DEMO_HOT);
}

int lru_hash_demo_step(struct lru_hash_demo *d)
{
	int err = 0;

	for (__u32 i = 0; i < d->new_per_step && !err; i++) {
		if (d->next_flow % DEMO_HOT_EVERY == 0) {
			for (int h = 0; h < LRU_HASH_DEMO_HOT && !err; h++)
				err = send_flow(d, h, true);
			d->hot_sent++;
		}
		if (!err)
			err = send_flow(d, d->next_flow++, false);
	}
	if (err)
		fprintf(stderr, "lru_hash: BPF_PROG_TEST_RUN failed: %s\n", sample_strerror(err));
	return err;
}

__u64 lru_hash_demo_flows(const struct lru_hash_demo *d)
{
	return d->open ? d->next_flow + LRU_HASH_DEMO_HOT : 0;
}

void lru_hash_demo_hot(const struct lru_hash_demo *d, char *buf, size_t len)
{
	int alive = 0;

	if (!d->open) {
		snprintf(buf, len, "-");
		return;
	}
	for (int h = 0; h < LRU_HASH_DEMO_HOT; h++)
		alive += flow_present(d, h, true);
	snprintf(buf, len, "%d/%d", alive, LRU_HASH_DEMO_HOT);
}

/* Which flows survived: the hot ones, and how many of the newest in an
 * unbroken run (an LRU evicts the oldest first). */
void lru_hash_demo_close(struct lru_hash_demo *d)
{
	__u64 run = 0, older = 0, hot_pkts = 0, p;
	char b[3][SAMPLE_FMT_LEN];
	int alive = 0;

	if (!d->open)
		return;
	while (run < d->next_flow && flow_present(d, d->next_flow - 1 - run, false))
		run++;
	for (__u64 n = 0; n + run < d->next_flow; n++)
		older += flow_present(d, n, false);
	for (int h = 0; h < LRU_HASH_DEMO_HOT; h++) {
		alive += flow_packets(d, h, true, &p) == 0;
		hot_pkts += p;
	}
	printf("survivors: hot flows %d/%d; newest new flow #%llu %s; %s new flows, the newest "
	       "%s of them in a row, %s older\n",
	       alive, LRU_HASH_DEMO_HOT, (unsigned long long)d->next_flow - 1,
	       run ? "present" : "absent", sample_fmt_u64(b[0], SAMPLE_FMT_LEN, run + older),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, run),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, older));
	printf("hot flow packets in the map: %s%s (sent %s)\n",
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, hot_pkts),
	       bpf_map__type(d->skel->maps.flows) == BPF_MAP_TYPE_LRU_PERCPU_HASH ?
		       ", per-CPU values summed" :
		       "",
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, (__u64)alive * d->hot_sent));
	printf("demo sent: %s new flows of 1 packet, %d hot flows of %llu packets, on CPU %d\n",
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->next_flow), LRU_HASH_DEMO_HOT,
	       (unsigned long long)d->hot_sent, d->cpu);
	fflush(stdout);
	d->open = false;
}
