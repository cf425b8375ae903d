// SPDX-License-Identifier: GPL-2.0
/* port_pool: a pool of P ports grants exactly P of P + K new flows and
 * refuses K; freed ports come back FIFO from a QUEUE and LIFO from a STACK,
 * port by port; BPF_EXIST keeps exactly the newest max_entries; the reuse
 * distance is what the grant order says. Driven with BPF_PROG_TEST_RUN on
 * crafted TCP frames (SYN opens a flow, FIN ends it). */
#include <arpa/inet.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "port_pool.h"
#include "port_pool.skel.h"

#define SPORT_OFF	(14 + 20)	/* TCP source port in pkt_build()'s IPv4 frame */
#define FLAGS_OFF	(14 + 20 + 13)

static struct port_pool *load(enum bpf_map_type type, __u32 size)
{
	struct port_pool *skel = port_pool__open();

	if (!skel)
		return NULL;
	if (bpf_map__set_type(skel->maps.free_ports, type) ||
	    bpf_map__set_max_entries(skel->maps.free_ports, size) ||
	    bpf_map__set_max_entries(skel->maps.bindings, size) || port_pool__load(skel)) {
		port_pool__destroy(skel);
		return NULL;
	}
	for (__u32 p = PP_PORT_FIRST; p < PP_PORT_FIRST + size; p++)
		if (bpf_map__update_elem(skel->maps.free_ports, NULL, 0, &p, sizeof(p), 0)) {
			port_pool__destroy(skel);
			return NULL;
		}
	return skel;
}

/* Send flow f's SYN (or FIN) through the program; returns the XDP verdict. */
static int flow(struct port_pool *skel, __u16 f, bool fin)
{
	struct pkt_opts o = { AF_INET, IPPROTO_TCP, "10.9.0.1", "192.0.2.1", 0 };
	unsigned char buf[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = pkt_build(buf, &o));
	__u16 sport = htons(1000 + f);

	memcpy(buf + SPORT_OFF, &sport, 2);
	buf[FLAGS_OFF] = fin ? 0x11 : 0x02;	/* FIN|ACK or SYN */
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.port_pool), &t))
		return -errno;
	return t.retval;
}

/* The port flow f holds, or 0. */
static __u32 port_of(struct port_pool *skel, __u16 f)
{
	struct pp_flow k = { .proto = IPPROTO_TCP };
	struct pp_binding b;

	inet_pton(AF_INET, "10.9.0.1", &k.saddr);
	inet_pton(AF_INET, "192.0.2.1", &k.daddr);
	k.sport = htons(1000 + f);
	k.dport = htons(7001);	/* pkt_build()'s TCP destination port */
	if (bpf_map__lookup_elem(skel->maps.bindings, &k, sizeof(k), &b, sizeof(b), 0))
		return 0;
	return b.port;
}

static __u64 counter(struct port_pool *skel, __u32 idx)
{
	__u64 v = ~0ull;

	bpf_map__lookup_elem(skel->maps.counters, &idx, sizeof(idx), &v, sizeof(v), 0);
	return v;
}

static void grant_and_refuse(enum bpf_map_type type)
{
	enum { P = 16, K = 5 };
	struct port_pool *skel = load(type, P);
	int passed = 0, dropped = 0;

	REQUIRE(skel, "load: %s", strerror(errno));
	for (int f = 0; f < P + K; f++) {
		int v = flow(skel, f, false);

		passed += v == XDP_PASS;
		dropped += v == XDP_DROP;
	}
	CHECK_U64(passed, P);
	CHECK_U64(dropped, K);
	CHECK_U64(counter(skel, PP_GRANTED), P);
	CHECK_U64(counter(skel, PP_REFUSED), K);
	/* The granted flows hold distinct pool ports, the refused ones nothing. */
	for (int f = 0; f < P; f++) {
		__u32 p = port_of(skel, f);

		CHECK(p >= PP_PORT_FIRST && p < PP_PORT_FIRST + P, "flow %d holds port %u", f, p);
		for (int g = 0; g < f; g++)
			CHECK(port_of(skel, g) != p, "flows %d and %d both hold %u", g, f, p);
	}
	for (int f = P; f < P + K; f++)
		CHECK_U64(port_of(skel, f), 0);
	/* A second packet of a granted flow keeps its port and is not a grant. */
	CHECK_U64(flow(skel, 0, false), XDP_PASS);
	CHECK_U64(counter(skel, PP_GRANTED), P);
	port_pool__destroy(skel);
}

TEST(port_pool, queue_grants_exactly_pool_size)
{
	grant_and_refuse(BPF_MAP_TYPE_QUEUE);
}

TEST(port_pool, stack_grants_exactly_pool_size)
{
	grant_and_refuse(BPF_MAP_TYPE_STACK);
}

/* Pool 8: flows 0..7 take every port; the first grants are in push order
 * for a QUEUE (40000 up) and the reverse for a STACK (40007 down). Then flows
 * 5, 2, 6 end (FIN) in that order and flows 8, 9, 10 start: a QUEUE hands out
 * the freed ports in the order they were freed, a STACK in reverse. */
static void reuse_order(enum bpf_map_type type, bool fifo)
{
	struct port_pool *skel = load(type, 8);
	__u32 before[8];
	static const int ended[3] = { 5, 2, 6 };

	REQUIRE(skel, "load: %s", strerror(errno));
	for (int f = 0; f < 8; f++) {
		CHECK_U64(flow(skel, f, false), XDP_PASS);
		before[f] = port_of(skel, f);
		CHECK_U64(before[f], fifo ? PP_PORT_FIRST + f : PP_PORT_FIRST + 7 - f);
	}
	for (int i = 0; i < 3; i++) {
		CHECK_U64(flow(skel, ended[i], true), XDP_PASS);
		CHECK_U64(port_of(skel, ended[i]), 0);
	}
	CHECK_U64(counter(skel, PP_FREED_BPF), 3);
	for (int i = 0; i < 3; i++) {
		CHECK_U64(flow(skel, 8 + i, false), XDP_PASS);
		CHECK_U64(port_of(skel, 8 + i), before[ended[fifo ? i : 2 - i]]);
	}
	/* Reuse distance: grants since the port was freed, this one included.
	 * All three were freed after grant 8. FIFO: grant 9 takes the port freed
	 * first (distance 1), 10 the second (2), 11 the third (3). LIFO the same
	 * counts: the distance is about grants, not frees. */
	CHECK_U64(counter(skel, PP_REUSED), 3);
	CHECK_U64(counter(skel, PP_DIST_SUM), 1 + 2 + 3);
	CHECK_U64(counter(skel, PP_DIST_MIN), 1);
	CHECK_U64(counter(skel, PP_DIST_MAX), 3);
	port_pool__destroy(skel);
}

TEST(port_pool, queue_reuses_fifo_port_by_port)
{
	reuse_order(BPF_MAP_TYPE_QUEUE, true);
}

TEST(port_pool, stack_reuses_lifo_port_by_port)
{
	reuse_order(BPF_MAP_TYPE_STACK, false);
}

/* A FIN of a flow that was never granted frees nothing; an empty pool pops
 * ENOENT from user space too. */
TEST(port_pool, fin_of_unknown_flow_and_empty_pool)
{
	struct port_pool *skel = load(BPF_MAP_TYPE_QUEUE, 1);
	__u32 v;

	REQUIRE(skel, "load: %s", strerror(errno));
	CHECK_U64(flow(skel, 3, true), XDP_PASS);
	CHECK_U64(counter(skel, PP_FREED_BPF), 0);
	CHECK_U64(counter(skel, PP_GRANTED), 0);
	CHECK_U64(flow(skel, 0, false), XDP_PASS);
	CHECK_ERR(bpf_map__lookup_and_delete_elem(skel->maps.free_ports, NULL, 0, &v, sizeof(v), 0),
		  -ENOENT);
	CHECK_U64(flow(skel, 1, false), XDP_DROP);
	port_pool__destroy(skel);
}

/* Pushing max + 5 values with BPF_EXIST keeps exactly the newest max: the
 * oldest are overwritten; without BPF_EXIST the push into a full map is E2BIG.
 * Popped: oldest first from a QUEUE, newest first from a STACK. */
static void exist_keeps_newest(enum bpf_map_type type, bool fifo)
{
	enum { MAX = 6, EXTRA = 5 };
	int fd = bpf_map_create(type, NULL, 0, sizeof(__u32), MAX, NULL);
	__u32 v, want;
	int n = 0;

	REQUIRE(fd >= 0, "bpf_map_create: %s", strerror(errno));
	for (v = 1; v <= MAX; v++)
		CHECK_ERR(bpf_map_update_elem(fd, NULL, &v, 0) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_update_elem(fd, NULL, &v, 0) ? -errno : 0, -E2BIG);
	for (v = MAX + 1; v <= MAX + EXTRA; v++)
		CHECK_ERR(bpf_map_update_elem(fd, NULL, &v, BPF_EXIST) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, NULL, &v) ? -errno : 0, 0);	/* peek */
	CHECK_U64(v, fifo ? EXTRA + 1 : MAX + EXTRA);
	while (!bpf_map_lookup_and_delete_elem(fd, NULL, &v)) {
		want = fifo ? EXTRA + 1 + n : MAX + EXTRA - n;
		CHECK_U64(v, want);
		n++;
	}
	CHECK_ERR(-errno, -ENOENT);
	CHECK_U64(n, MAX);
	/* No key: no delete by key, no walk. */
	CHECK_ERR(bpf_map_delete_elem(fd, NULL) ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_map_get_next_key(fd, NULL, &v) ? -errno : 0, -EINVAL);
	close(fd);
}

TEST(port_pool, queue_exist_keeps_newest_max_entries)
{
	exist_keeps_newest(BPF_MAP_TYPE_QUEUE, true);
}

TEST(port_pool, stack_exist_keeps_newest_max_entries)
{
	exist_keeps_newest(BPF_MAP_TYPE_STACK, false);
}
