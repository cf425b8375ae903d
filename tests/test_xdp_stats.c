// SPDX-License-Identifier: GPL-2.0
/* xdp_stats: exact per-action packets and bytes in the ARRAY and in the
 * PERCPU_ARRAY, each CPU's own slot, the per-CPU value stride, and real frames
 * on a veth pair in private namespaces. */
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sample.h"
#include "xdp_stats.h"
#include "xdp_stats.skel.h"

/* A UDP frame of 14 + 20 + 8 + 100 = 142 bytes and a TCP one of
 * 14 + 20 + 20 + 1000 = 1054 bytes. */
static const struct pkt_opts udp_pkt = { AF_INET, IPPROTO_UDP, "10.0.0.2", "10.0.0.1", 100 };
static const struct pkt_opts tcp_pkt = { AF_INET, IPPROTO_TCP, "10.0.0.2", "10.0.0.1", 1000 };
#define UDP_FRAME 142
#define TCP_FRAME 1054

static struct xdp_stats *load(__u32 action, __u32 maps)
{
	struct xdp_stats *skel = xdp_stats__open();

	if (!skel)
		return NULL;
	skel->rodata->action = action;
	skel->rodata->maps = maps;
	if (xdp_stats__load(skel)) {
		xdp_stats__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Run the program repeat times on one crafted frame; *retval gets its action. */
static int run_xdp(struct xdp_stats *skel, const struct pkt_opts *o, int repeat, __u32 *retval)
{
	unsigned char pkt[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .repeat = repeat);
	int err;

	topts.data_size_in = pkt_build(pkt, o);
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_count), &topts) ? -errno : 0;
	if (retval)
		*retval = topts.retval;
	return err;
}

static struct datarec array_slot(struct xdp_stats *skel, __u32 key)
{
	struct datarec r = { ~0ull, ~0ull };

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats_array), &key, &r);
	return r;
}

/* The PERCPU_ARRAY slot summed over the possible CPUs, as the sample does.
 * If per is not NULL it receives the raw per-CPU values (ncpus of them). */
static struct datarec percpu_sum(struct xdp_stats *skel, __u32 key, struct datarec *per)
{
	int ncpus = libbpf_num_possible_cpus();
	struct datarec buf[ncpus > 0 ? ncpus : 1], r = { ~0ull, ~0ull };
	__u64 sum[2];

	if (ncpus < 1 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats_percpu), &key, buf))
		return r;
	sample_percpu_sum(buf, ncpus, sizeof(struct datarec), sum);
	if (per)
		memcpy(per, buf, ncpus * sizeof(*per));
	r.rx_packets = sum[0];
	r.rx_bytes = sum[1];
	return r;
}

/* Every other action's slot is zero in both maps. */
static void check_others_zero(struct xdp_stats *skel, __u32 action)
{
	for (__u32 a = 0; a < XDP_STATS_NACTIONS; a++) {
		if (a == action)
			continue;
		CHECK(array_slot(skel, a).rx_packets == 0 && array_slot(skel, a).rx_bytes == 0,
		      "ARRAY slot %u not zero", a);
		CHECK(percpu_sum(skel, a, NULL).rx_packets == 0 &&
		      percpu_sum(skel, a, NULL).rx_bytes == 0, "PERCPU_ARRAY slot %u not zero", a);
	}
}

/* Each action selected through rodata (one load per action): the program
 * returns it, and exactly that slot counts 3 UDP + 2 TCP frames and their
 * bytes, in both maps. */
TEST(xdp_stats, per_action_exact_counts)
{
	for (__u32 a = 0; a < XDP_STATS_NACTIONS; a++) {
		struct xdp_stats *skel = load(a, XDP_STATS_MAP_BOTH);
		__u32 ret = ~0u;

		REQUIRE(skel, "loading with action %u: %s", a, strerror(errno));
		CHECK_ERR(run_xdp(skel, &udp_pkt, 3, &ret), 0);
		CHECK_U64(ret, a);
		CHECK_ERR(run_xdp(skel, &tcp_pkt, 2, &ret), 0);
		CHECK_U64(ret, a);
		CHECK_U64(array_slot(skel, a).rx_packets, 5);
		CHECK_U64(array_slot(skel, a).rx_bytes, 3 * UDP_FRAME + 2 * TCP_FRAME);
		CHECK_U64(percpu_sum(skel, a, NULL).rx_packets, 5);
		CHECK_U64(percpu_sum(skel, a, NULL).rx_bytes, 3 * UDP_FRAME + 2 * TCP_FRAME);
		check_others_zero(skel, a);
		xdp_stats__destroy(skel);
	}
}

/* The rodata mask selects the map(s): the other one stays all zero. */
TEST(xdp_stats, map_selection)
{
	struct xdp_stats *arr = load(XDP_PASS, XDP_STATS_MAP_ARRAY);
	struct xdp_stats *pcp = load(XDP_PASS, XDP_STATS_MAP_PERCPU);

	if (!arr || !pcp) {
		harness_fail(__FILE__, __LINE__, "load: %s", strerror(errno));
		goto out;
	}
	CHECK_ERR(run_xdp(arr, &udp_pkt, 4, NULL), 0);
	CHECK_ERR(run_xdp(pcp, &udp_pkt, 6, NULL), 0);
	CHECK_U64(array_slot(arr, XDP_PASS).rx_packets, 4);
	CHECK_U64(array_slot(arr, XDP_PASS).rx_bytes, 4 * UDP_FRAME);
	CHECK_U64(percpu_sum(arr, XDP_PASS, NULL).rx_packets, 0);
	CHECK_U64(array_slot(pcp, XDP_PASS).rx_packets, 0);
	CHECK_U64(percpu_sum(pcp, XDP_PASS, NULL).rx_packets, 6);
	CHECK_U64(percpu_sum(pcp, XDP_PASS, NULL).rx_bytes, 6 * UDP_FRAME);
out:
	xdp_stats__destroy(arr);
	xdp_stats__destroy(pcp);
}

struct cpu_run {
	struct xdp_stats *skel;
	int repeat;
	int err;
	int cpu_seen;
};

static void run_here(void *arg)
{
	struct cpu_run *r = arg;

	r->cpu_seen = sched_getcpu();
	r->err = run_xdp(r->skel, &udp_pkt, r->repeat, NULL);
}

/* BPF_PROG_TEST_RUN runs the program on the calling CPU: from a thread pinned
 * to CPU 0 (7 runs) and one pinned to CPU 1 (11 runs), each CPU's copy of the
 * PERCPU_ARRAY slot holds exactly its own runs, the user-space sum is 18, and
 * the ARRAY (one shared value, atomic adds) says 18 as well. */
TEST(xdp_stats, percpu_slot_per_cpu)
{
	int ncpus = libbpf_num_possible_cpus();
	struct cpu_run r0 = { .repeat = 7 }, r1 = { .repeat = 11 };
	struct xdp_stats *skel;
	struct datarec *per, sum;
	cpu_set_t allowed;

	REQUIRE(ncpus > 0, "libbpf_num_possible_cpus: %s", strerror(-ncpus));
	if (ncpus < 2)
		SKIP("only %d possible CPU: no second per-CPU slot to fill", ncpus);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) ||
	    !CPU_ISSET(0, &allowed) || !CPU_ISSET(1, &allowed))
		SKIP("CPUs 0 and 1 are not both online and allowed for this process");

	skel = load(XDP_PASS, XDP_STATS_MAP_BOTH);
	REQUIRE(skel, "load: %s", strerror(errno));
	per = calloc(ncpus, sizeof(*per));
	REQUIRE(per, "calloc");
	r0.skel = r1.skel = skel;
	CHECK_ERR(run_on_cpu(0, run_here, &r0), 0);
	CHECK_ERR(run_on_cpu(1, run_here, &r1), 0);
	CHECK_ERR(r0.err, 0);
	CHECK_ERR(r1.err, 0);
	CHECK_U64(r0.cpu_seen, 0);
	CHECK_U64(r1.cpu_seen, 1);

	sum = percpu_sum(skel, XDP_PASS, per);
	CHECK_U64(per[0].rx_packets, 7);
	CHECK_U64(per[0].rx_bytes, 7 * UDP_FRAME);
	CHECK_U64(per[1].rx_packets, 11);
	CHECK_U64(per[1].rx_bytes, 11 * UDP_FRAME);
	for (int cpu = 2; cpu < ncpus; cpu++)
		CHECK(per[cpu].rx_packets == 0, "cpu%d has %llu packets, want 0", cpu,
		      (unsigned long long)per[cpu].rx_packets);
	CHECK_U64(sum.rx_packets, 18);
	CHECK_U64(sum.rx_bytes, 18 * UDP_FRAME);
	CHECK_U64(array_slot(skel, XDP_PASS).rx_packets, sum.rx_packets);
	CHECK_U64(array_slot(skel, XDP_PASS).rx_bytes, sum.rx_bytes);
	free(per);
	xdp_stats__destroy(skel);
}

/* Both CPUs at once: two pinned threads released together by a barrier run
 * the program 300,000 times each. The PERCPU_ARRAY has no contention (each CPU
 * its own copy); the ARRAY slot is hit by both CPUs concurrently, and only the
 * atomic adds keep its total exact (a plain "+=" there loses updates). */
struct race {
	struct xdp_stats *skel;
	pthread_barrier_t *gate;
	int cpu, err;
};

static void race_on_cpu(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->gate);
	r->err = run_xdp(r->skel, &udp_pkt, 300000, NULL);
}

static void *race_thread(void *arg)
{
	struct race *r = arg;
	int err = run_on_cpu(r->cpu, race_on_cpu, r);

	if (err)
		r->err = err;
	return NULL;
}

TEST(xdp_stats, concurrent_cpus_exact)
{
	int ncpus = libbpf_num_possible_cpus();
	pthread_barrier_t gate;
	struct race r[2];
	pthread_t th[2];
	struct datarec *per, sum;
	struct xdp_stats *skel;
	cpu_set_t allowed;

	REQUIRE(ncpus > 0, "libbpf_num_possible_cpus: %s", strerror(-ncpus));
	if (ncpus < 2)
		SKIP("only %d possible CPU: nothing runs concurrently", ncpus);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) ||
	    !CPU_ISSET(0, &allowed) || !CPU_ISSET(1, &allowed))
		SKIP("CPUs 0 and 1 are not both online and allowed for this process");
	skel = load(XDP_DROP, XDP_STATS_MAP_BOTH);
	REQUIRE(skel, "load: %s", strerror(errno));
	per = calloc(ncpus, sizeof(*per));
	REQUIRE(per, "calloc");
	pthread_barrier_init(&gate, NULL, 2);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct race){ .skel = skel, .gate = &gate, .cpu = i };
		CHECK_ERR(-pthread_create(&th[i], NULL, race_thread, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&gate);
	CHECK_ERR(r[0].err, 0);
	CHECK_ERR(r[1].err, 0);

	sum = percpu_sum(skel, XDP_DROP, per);
	CHECK_U64(per[0].rx_packets, 300000);
	CHECK_U64(per[1].rx_packets, 300000);
	CHECK_U64(sum.rx_packets, 600000);
	CHECK_U64(sum.rx_bytes, 600000ull * UDP_FRAME);
	CHECK_U64(array_slot(skel, XDP_DROP).rx_packets, 600000);
	CHECK_U64(array_slot(skel, XDP_DROP).rx_bytes, 600000ull * UDP_FRAME);
	free(per);
	xdp_stats__destroy(skel);
}

/* A per-CPU lookup copies one value per possible CPU, each rounded up to 8
 * bytes: a 4-byte value comes back at offsets 0, 8, 16 ..., not 0, 4, 8. */
TEST(xdp_stats, percpu_value_stride)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t stride = sample_percpu_stride(4);
	unsigned char *buf;
	__u32 key = 0;
	int fd;

	CHECK_U64(sample_percpu_stride(4), 8);
	CHECK_U64(sample_percpu_stride(12), 16);
	CHECK_U64(sample_percpu_stride(sizeof(struct datarec)), 16);
	REQUIRE(ncpus > 0, "libbpf_num_possible_cpus: %s", strerror(-ncpus));
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xs_stride", 4, 4, 1, NULL);
	REQUIRE(fd >= 0, "bpf_map_create: %s", strerror(errno));
	buf = calloc(ncpus, stride);
	REQUIRE(buf, "calloc");
	for (int cpu = 0; cpu < ncpus; cpu++)
		*(__u32 *)(buf + cpu * stride) = 100 + cpu;
	CHECK_ERR(bpf_map_update_elem(fd, &key, buf, BPF_ANY) ? -errno : 0, 0);
	memset(buf, 0, ncpus * stride);
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, buf) ? -errno : 0, 0);
	for (int cpu = 0; cpu < ncpus; cpu++)
		CHECK(*(__u32 *)(buf + cpu * stride) == (__u32)(100 + cpu),
		      "cpu%d value at offset %zu is %u, want %d", cpu, cpu * stride,
		      *(__u32 *)(buf + cpu * stride), 100 + cpu);
	free(buf);
	close(fd);
}

/*
 * Real frames: a veth pair between two anonymous namespaces (xst0 10.11.9.1
 * <-> xst1 10.11.9.2, static neighbours, IPv6 off, so nothing but the test's
 * datagrams crosses it), the program attached to xst0, n UDP datagrams of
 * payload bytes sent from the xst1 side. Each is a 42 + payload byte frame.
 */
static void real_traffic(__u32 action, enum sample_xdp_mode mode, const char *want_mode,
			 int n, int payload)
{
	static const unsigned char mac_a[6] = { 0x02, 0, 0, 0x11, 0x09, 0x01 };
	static const unsigned char mac_b[6] = { 0x02, 0, 0, 0x11, 0x09, 0x02 };
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(7000) };
	struct in_addr a4, b4;
	struct timeval tv = { .tv_sec = 1 };
	struct xdp_stats *skel = load(action, XDP_STATS_MAP_BOTH);
	int orig = -1, ns_a = -1, ns_b = -1, ifa = -1, ifb = -1, link = -1, rx = -1, tx = -1;
	const char *mode_used = "?";
	char data[2048] = {};
	int got = 0;

	REQUIRE(skel, "load: %s", strerror(errno));
	inet_pton(AF_INET, "10.11.9.1", &a4);
	inet_pton(AF_INET, "10.11.9.2", &b4);
	dst.sin_addr = a4;
	orig = sample_netns_current();
	ns_a = sample_netns_new();
	ns_b = sample_netns_new();
	if (orig < 0 || ns_a < 0 || ns_b < 0) {
		harness_fail(__FILE__, __LINE__, "namespaces: %d %d %d", orig, ns_a, ns_b);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		int ns = i ? ns_b : ns_a;

		CHECK_ERR(sample_netns_sysctl(ns, "net/ipv6/conf/all/disable_ipv6", "1"), 0);
		CHECK_ERR(sample_netns_sysctl(ns, "net/ipv6/conf/default/disable_ipv6", "1"), 0);
	}
	CHECK_ERR(sample_veth_create(ns_a, "xst0", mac_a, ns_b, "xst1", mac_b), 0);
	ifa = sample_netns_ifindex(ns_a, "xst0");
	ifb = sample_netns_ifindex(ns_b, "xst1");
	if (ifa < 0 || ifb < 0) {
		harness_fail(__FILE__, __LINE__, "veth pair not found: %d %d", ifa, ifb);
		goto out;
	}
	CHECK_ERR(sample_addr_add(ns_a, ifa, AF_INET, &a4, 24), 0);
	CHECK_ERR(sample_addr_add(ns_b, ifb, AF_INET, &b4, 24), 0);
	CHECK_ERR(sample_neigh_add(ns_a, ifa, AF_INET, &b4, mac_b), 0);
	CHECK_ERR(sample_neigh_add(ns_b, ifb, AF_INET, &a4, mac_a), 0);
	CHECK_ERR(sample_link_up(ns_a, ifa), 0);
	CHECK_ERR(sample_link_up(ns_b, ifb), 0);
	if (harness_failed())
		goto out;

	/* The attach acts in the calling thread's namespace: go there and back. */
	CHECK_ERR(sample_netns_enter(ns_a), 0);
	link = sample_xdp_attach("test_xdp_stats", skel->progs.xdp_count, ifa, mode, &mode_used);
	CHECK_ERR(sample_netns_enter(orig), 0);
	if (link < 0) {
		harness_fail(__FILE__, __LINE__, "sample_xdp_attach: %s", strerror(-link));
		goto out;
	}
	CHECK(!strcmp(mode_used, want_mode), "attached in %s mode, want %s", mode_used, want_mode);

	rx = sample_netns_socket(ns_a, AF_INET, SOCK_DGRAM, 0);
	tx = sample_netns_socket(ns_b, AF_INET, SOCK_DGRAM, 0);
	if (rx < 0 || tx < 0) {
		harness_fail(__FILE__, __LINE__, "sockets: %d %d", rx, tx);
		goto out;
	}
	CHECK_ERR(bind(rx, (struct sockaddr *)&dst, sizeof(dst)) ? -errno : 0, 0);
	for (int i = 0; i < n; i++)
		CHECK(sendto(tx, data, payload, 0, (struct sockaddr *)&dst, sizeof(dst)) == payload,
		      "sendto: %s", strerror(errno));
	if (action == XDP_PASS) {
		setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (got < n && recv(rx, data, sizeof(data), 0) == payload)
			got++;
		CHECK_U64(got, n);
	} else {
		/* Nothing to wait for on the socket: wait (at most 2 s) for the
		 * program to have seen n frames, then a little longer so that a
		 * frame too many would show too. */
		for (int i = 0; i < 200 && array_slot(skel, action).rx_packets < (__u64)n; i++)
			usleep(10 * 1000);
		usleep(50 * 1000);
		CHECK(recv(rx, data, sizeof(data), MSG_DONTWAIT) < 0,
		      "a datagram reached the socket although XDP returned %u", action);
	}

	CHECK_U64(array_slot(skel, action).rx_packets, n);
	CHECK_U64(array_slot(skel, action).rx_bytes, (__u64)n * (42 + payload));
	CHECK_U64(percpu_sum(skel, action, NULL).rx_packets, n);
	CHECK_U64(percpu_sum(skel, action, NULL).rx_bytes, (__u64)n * (42 + payload));
	check_others_zero(skel, action);
out:
	CLOSE_FDS(link, rx, tx, ns_a, ns_b, orig);
	xdp_stats__destroy(skel);
}

TEST(xdp_stats, real_veth_pass_native)
{
	real_traffic(XDP_PASS, SAMPLE_XDP_NATIVE, "native", 20, 100);
}

TEST(xdp_stats, real_veth_drop_generic)
{
	real_traffic(XDP_DROP, SAMPLE_XDP_GENERIC, "generic", 13, 300);
}

/* XDP_TX bounces the frames back to xst1, where veth drops them (no XDP
 * program, no GRO on the peer): counted all the same, delivered to nobody. */
TEST(xdp_stats, real_veth_tx_native)
{
	real_traffic(XDP_TX, SAMPLE_XDP_NATIVE, "native", 9, 64);
}

TEST(xdp_stats, real_veth_redirect_native)
{
	real_traffic(XDP_REDIRECT, SAMPLE_XDP_NATIVE, "native", 7, 500);
}
