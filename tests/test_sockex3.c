// SPDX-License-Identifier: GPL-2.0
/* sockex3: the tail-call chain reaches exactly the stages each frame needs,
 * through BPF_PROG_TEST_RUN and through a real packet socket; the flows are
 * exact; and the PROG_ARRAY's semantics: ids on lookup, BPF_ANY only, an
 * empty slot falls through, the tail-call limit, a hot swap under traffic
 * that loses and doubles nothing, and the slots emptied with the last
 * user-space reference. */
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "sample.h"
#include "sockex3.h"
#include "sockex3.skel.h"

/* One crafted frame kind: what pkt_build() makes, and the stages it must run
 * (runs per frame, indexed by stage). flow: it makes a flow (ports from
 * pkt_build: UDP 40000 -> 7000, TCP 40000 -> 7001, none for ICMP). */
struct kind {
	const char *name;
	struct pkt_opts o;
	__u64 runs[SX3_STAGES];
	bool flow;
};

#define E SX3_ETH
#define V SX3_VLAN
#define I4 SX3_IPV4
#define I6 SX3_IPV6
static const struct kind kinds[] = {
	{ "udp4", { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.0.1", 100 }, { [E] = 1, [I4] = 1, [SX3_UDP] = 1 }, true },
	{ "tcp4", { AF_INET, IPPROTO_TCP, "10.0.0.9", "10.0.0.2", 1000 }, { [E] = 1, [I4] = 1, [SX3_TCP] = 1 }, true },
	{ "icmp4", { AF_INET, IPPROTO_ICMP, "10.0.0.9", "10.0.0.3", 56 }, { [E] = 1, [I4] = 1 }, true },
	{ "udp6", { AF_INET6, IPPROTO_UDP, "fd00::9", "fd00::1", 10 }, { [E] = 1, [I6] = 1, [SX3_UDP] = 1 }, true },
	{ "tcp6", { AF_INET6, IPPROTO_TCP, "fd00::9", "fd00::2", 0 }, { [E] = 1, [I6] = 1, [SX3_TCP] = 1 }, true },
	{ "vlan_udp4", { AF_INET, IPPROTO_UDP, "10.0.1.9", "10.0.1.1", 30, 1, 10 },
	  { [E] = 1, [V] = 1, [I4] = 1, [SX3_UDP] = 1 }, true },
	{ "qinq_tcp6", { AF_INET6, IPPROTO_TCP, "fd00:1::9", "fd00:1::1", 500, 2, 20 },
	  { [E] = 1, [V] = 1, [I6] = 1, [SX3_TCP] = 1 }, true },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static struct flow_key key_of(const struct pkt_opts *o)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.family = o->family == AF_INET6 ? SOCKEX3_AF_INET6 : SOCKEX3_AF_INET;
	k.proto = o->proto;
	inet_pton(o->family, o->src, k.src);
	inet_pton(o->family, o->dst, k.dst);
	if (o->proto == IPPROTO_UDP || o->proto == IPPROTO_TCP) {
		k.sport = 40000;
		k.dport = o->proto == IPPROTO_UDP ? 7000 : 7001;
	}
	return k;
}

/* packets and bytes of a flow summed over the CPUs; {~0, ~0} if it is missing. */
static struct flow_count read_flow(struct sockex3 *skel, const struct pkt_opts *o)
{
	struct flow_key k = key_of(o);
	__u64 v[2] = { ~0ull, ~0ull };

	if (sample_percpu_lookup(skel->maps.flows, &k, v))
		v[0] = v[1] = ~0ull;
	return (struct flow_count){ v[0], v[1] };
}

/* Every stage's counters summed over the CPUs, then zeroed. */
static void take_stages(int fd, struct stage_stats *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct stage_stats v[ncpus];

	for (__u32 k = 0; k < SX3_STAGES; k++) {
		memset(v, 0, sizeof(v));
		CHECK(bpf_map_lookup_elem(fd, &k, v) == 0, "stage %u: %s", k, strerror(errno));
		sample_percpu_sum(v, ncpus, sizeof(*v), (__u64 *)&out[k]);
		memset(v, 0, sizeof(v));
		CHECK(bpf_map_update_elem(fd, &k, v, BPF_ANY) == 0, "reset %u: %s", k, strerror(errno));
	}
}

static int test_run(int prog_fd, const void *frame, unsigned int len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);

	return bpf_prog_test_run_opts(prog_fd, &topts) ? -errno : 0;
}

static int run_kind(int prog_fd, const struct pkt_opts *o, int repeat)
{
	unsigned char pkt[PKT_MAX];

	return test_run(prog_fd, pkt, pkt_build(pkt, o), repeat);
}

static int flow_count(struct sockex3 *skel)
{
	struct flow_key cur, next;
	int n = 0;

	for (int err = bpf_map_get_next_key(bpf_map__fd(skel->maps.flows), NULL, &next); !err;
	     err = bpf_map_get_next_key(bpf_map__fd(skel->maps.flows), &cur, &next)) {
		cur = next;
		if (++n > SOCKEX3_MAX_FLOWS)
			return -ELOOP;
	}
	return n;
}

/* Destroy a skeleton with its PROG_ARRAY emptied first, while its own fd
 * still holds the map: the kernel's emptying at the last user reference then
 * has nothing to do and is over in microseconds. Left to it, the emptying of
 * 6 slots reached by direct jumps runs ~100 ms, and a `bpftool map show`
 * (of another test suite) that opens the map twice meanwhile keeps it in the
 * kernel forever (sockex3/README.md, Traps). */
static void destroy_emptied(struct sockex3 *skel)
{
	if (!skel)
		return;
	for (__u32 slot = 0; slot < SX3_SLOTS; slot++)
		bpf_map_delete_elem(bpf_map__fd(skel->maps.stages), &slot);
	sockex3__destroy(skel);
}

static void check_stages(const char *what, const struct stage_stats *got, const __u64 *want_runs,
			 __u64 n)
{
	for (int s = 0; s < SX3_STAGES; s++) {
		CHECK(got[s].runs == want_runs[s] * n, "%s: stage %d ran %llu times, want %llu", what,
		      s, (unsigned long long)got[s].runs, (unsigned long long)(want_runs[s] * n));
		CHECK(got[s].fell_through == 0, "%s: stage %d fell through %llu times", what, s,
		      (unsigned long long)got[s].fell_through);
	}
}

/* Each kind of frame, 3 times through BPF_PROG_TEST_RUN: exactly its stages,
 * its flow with exact packets and IP bytes, nothing else. Through the chain
 * and through parse_flat (the bench's one-program parser), the same counts. */
static void frames_through(bool flat)
{
	struct sockex3 *skel = sockex3__open_and_load();
	struct stage_stats got[SX3_STAGES];
	int prog_fd;

	REQUIRE(skel, "loading sockex3: %s", strerror(errno));
	prog_fd = bpf_program__fd(flat ? skel->progs.parse_flat : skel->progs.parse_eth);
	for (size_t i = 0; i < NKINDS; i++) {
		const struct kind *k = &kinds[i];
		struct flow_count fc;

		CHECK_ERR(run_kind(prog_fd, &k->o, 3), 0);
		take_stages(bpf_map__fd(skel->maps.stage_stats), got);
		check_stages(k->name, got, k->runs, 3);
		fc = read_flow(skel, &k->o);
		CHECK(fc.packets == 3 && fc.bytes == 3ull * pkt_ip_len(&k->o),
		      "%s: flow %llu packets %llu bytes, want 3 and %u", k->name,
		      (unsigned long long)fc.packets, (unsigned long long)fc.bytes,
		      3 * pkt_ip_len(&k->o));
	}
	CHECK_U64(flow_count(skel), NKINDS);
	CHECK_U64(skel->bss->flows_full, 0);
	destroy_emptied(skel);
}

TEST(sockex3, test_run_reaches_exact_stages)
{
	frames_through(false);
}

TEST(sockex3, flat_parser_same_counts)
{
	frames_through(true);
}

/* Frames that are no flow stop where they must: ARP after the Ethernet stage,
 * a third tag in the VLAN stage (it skips two). */
TEST(sockex3, non_ip_stops_early)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.0.1", 20, 2, 5 };
	unsigned char arp[60] = { [12] = 0x08, [13] = 0x06 }, pkt[PKT_MAX], three[PKT_MAX];
	__u64 arp_runs[SX3_STAGES] = { [E] = 1 }, three_runs[SX3_STAGES] = { [E] = 1, [V] = 1 };
	struct sockex3 *skel = sockex3__open_and_load();
	struct stage_stats got[SX3_STAGES];
	unsigned int len;
	int fd;

	REQUIRE(skel, "loading sockex3: %s", strerror(errno));
	fd = bpf_program__fd(skel->progs.parse_eth);
	CHECK_ERR(test_run(fd, arp, sizeof(arp), 2), 0);
	take_stages(bpf_map__fd(skel->maps.stage_stats), got);
	check_stages("arp", got, arp_runs, 2);
	len = pkt_build(pkt, &o);	/* a third tag (802.1AD) in front of the two */
	memcpy(three, pkt, 12);
	memcpy(three + 12, (unsigned char[]){ 0x88, 0xa8, 0, 7 }, 4);
	memcpy(three + 16, pkt + 12, len - 12);
	CHECK_ERR(test_run(fd, three, len + 4, 1), 0);
	take_stages(bpf_map__fd(skel->maps.stage_stats), got);
	check_stages("three tags", got, three_runs, 1);
	CHECK_U64(flow_count(skel), 0);
	destroy_emptied(skel);
}

/* A lookup from user space returns the program's id; slot 0 (parse_eth is
 * attached, not called) is empty; updates take BPF_ANY only, and a program
 * fd (not an id, not a map fd). */
TEST(sockex3, lookup_returns_prog_id)
{
	struct sockex3 *skel = sockex3__open_and_load();
	struct bpf_program *progs[SX3_SLOTS];
	struct bpf_prog_info info;
	__u32 len, slot, id;
	int fd, prog_fd;

	REQUIRE(skel, "loading sockex3: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.stages);
	progs[SX3_ETH] = NULL;
	progs[SX3_VLAN] = skel->progs.parse_vlan;
	progs[SX3_IPV4] = skel->progs.parse_ipv4;
	progs[SX3_IPV6] = skel->progs.parse_ipv6;
	progs[SX3_TCP] = skel->progs.parse_tcp;
	progs[SX3_UDP] = skel->progs.parse_udp;
	progs[SX3_LOOP] = skel->progs.tail_loop;
	for (slot = 0; slot < SX3_SLOTS; slot++) {
		id = 0;
		if (!progs[slot]) {
			CHECK_ERR(bpf_map_lookup_elem(fd, &slot, &id) ? -errno : 0, -ENOENT);
			continue;
		}
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		REQUIRE(!bpf_obj_get_info_by_fd(bpf_program__fd(progs[slot]), &info, &len), "info");
		CHECK_ERR(bpf_map_lookup_elem(fd, &slot, &id) ? -errno : 0, 0);
		CHECK(id == info.id && id != 0, "slot %u: id %u, want %u", slot, id, info.id);
	}
	slot = SX3_UDP;
	prog_fd = bpf_program__fd(skel->progs.parse_udp_b);
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &prog_fd, BPF_EXIST) ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &prog_fd, BPF_NOEXIST) ? -errno : 0, -EINVAL);
	prog_fd = bpf_map__fd(skel->maps.flows);	/* not a program */
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &prog_fd, BPF_ANY) ? -errno : 0, -EINVAL);
	prog_fd = bpf_program__fd(skel->progs.parse_udp_b);
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &prog_fd, BPF_ANY) ? -errno : 0, 0);
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	bpf_obj_get_info_by_fd(prog_fd, &info, &len);
	CHECK_ERR(bpf_map_lookup_elem(fd, &slot, &id) ? -errno : 0, 0);
	CHECK_U64(id, info.id);
	destroy_emptied(skel);
}

/* An empty slot: bpf_tail_call() returns, the caller counts it and stops;
 * the next stage never runs and no flow is made. Refilled, the chain works. */
TEST(sockex3, empty_slot_falls_through)
{
	struct pkt_opts tcp = { AF_INET, IPPROTO_TCP, "10.0.0.9", "10.0.0.2", 10 };
	struct pkt_opts udp6 = { AF_INET6, IPPROTO_UDP, "fd00::9", "fd00::1", 10 };
	struct sockex3 *skel = sockex3__open_and_load();
	struct stage_stats got[SX3_STAGES];
	__u32 slot;
	int fd, eth, prog_fd;

	REQUIRE(skel, "loading sockex3: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.stages);
	eth = bpf_program__fd(skel->progs.parse_eth);
	slot = SX3_TCP;
	CHECK_ERR(bpf_map_delete_elem(fd, &slot) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_delete_elem(fd, &slot) ? -errno : 0, -ENOENT);
	slot = SX3_IPV6;
	CHECK_ERR(bpf_map_delete_elem(fd, &slot) ? -errno : 0, 0);
	CHECK_ERR(run_kind(eth, &tcp, 4), 0);
	CHECK_ERR(run_kind(eth, &udp6, 5), 0);
	take_stages(bpf_map__fd(skel->maps.stage_stats), got);
	CHECK_U64(got[SX3_ETH].runs, 9);
	CHECK_U64(got[SX3_IPV4].runs, 4);
	CHECK_U64(got[SX3_TCP].runs, 0);
	CHECK_U64(got[SX3_TCP].fell_through, 4);
	CHECK_U64(got[SX3_IPV6].runs, 0);
	CHECK_U64(got[SX3_IPV6].fell_through, 5);
	CHECK_U64(got[SX3_UDP].runs, 0);
	CHECK_U64(flow_count(skel), 0);

	prog_fd = bpf_program__fd(skel->progs.parse_tcp);
	slot = SX3_TCP;
	CHECK_ERR(bpf_map_update_elem(fd, &slot, &prog_fd, BPF_ANY) ? -errno : 0, 0);
	CHECK_ERR(run_kind(eth, &tcp, 2), 0);
	take_stages(bpf_map__fd(skel->maps.stage_stats), got);
	CHECK_U64(got[SX3_TCP].runs, 2);
	CHECK_U64(got[SX3_TCP].fell_through, 0);
	CHECK_U64(read_flow(skel, &tcp).packets, 2);
	destroy_emptied(skel);
}

/* A stage that tail-calls itself: the kernel lets a chain make
 * MAX_TAIL_CALL_CNT = 33 tail calls (kernel 5.17+; 32 before), then
 * bpf_tail_call() returns. tail_loop counts its runs in stage_stats, and how
 * deep it got in the chain; both must say 33, on every run. */
TEST(sockex3, tail_call_limit)
{
	struct pkt_opts udp = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.0.1", 10 };
	struct sockex3 *skel = sockex3__open_and_load();
	struct stage_stats got[SX3_STAGES];

	REQUIRE(skel, "loading sockex3: %s", strerror(errno));
	CHECK_ERR(run_kind(bpf_program__fd(skel->progs.count_tail_calls), &udp, 1), 0);
	take_stages(bpf_map__fd(skel->maps.stage_stats), got);
	CHECK_U64(skel->bss->tail_calls_made, 33);
	CHECK_U64(got[SX3_LOOP].runs, 33);
	CHECK_U64(got[SX3_LOOP].fell_through, 1);	/* the 34th call */
	CHECK_ERR(run_kind(bpf_program__fd(skel->progs.count_tail_calls), &udp, 10), 0);
	take_stages(bpf_map__fd(skel->maps.stage_stats), got);
	CHECK_U64(skel->bss->tail_calls_made, 33);	/* the count starts again per run */
	CHECK_U64(got[SX3_LOOP].runs, 330);
	CHECK_U64(got[SX3_LOOP].fell_through, 10);
	destroy_emptied(skel);
}

/* ---- through a real packet socket --------------------------------------- */

/* A veth pair in two anonymous namespaces (IPv6 off: nothing of their own on
 * the wire), the filter on a packet socket bound to one end, and a packet
 * socket on the other end to send crafted frames from. pkt_build's frames go
 * to a MAC nobody has: the stack drops them without answering. */
struct live {
	struct sample_demo net;
	struct sockex3 *skel;
	int filter, sender;
};

/* rx: the filter on demo0, receiving (the receive path moves the outer VLAN
 * tag into skb->vlan_tci); else on demo1, seeing the frames it sends. */
static int live_open(struct live *l, bool rx)
{
	struct sockaddr_ll f = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct sockaddr_ll s = { .sll_family = AF_PACKET };
	int prog_fd, err;

	l->filter = l->sender = -1;
	l->skel = sockex3__open_and_load();
	if (!l->skel)
		return -errno;
	if ((err = sample_demo_setup(&l->net, "test_sockex3", 0)))
		return err;
	f.sll_ifindex = rx ? l->net.ifindex : l->net.peer_ifindex;
	s.sll_ifindex = l->net.peer_ifindex;
	prog_fd = bpf_program__fd(l->skel->progs.parse_eth);
	l->filter = sample_netns_socket(rx ? l->net.ns : l->net.peer_ns, AF_PACKET, SOCK_RAW,
					htons(ETH_P_ALL));
	l->sender = sample_netns_socket(l->net.peer_ns, AF_PACKET, SOCK_RAW, 0);
	if (l->filter < 0 || l->sender < 0)
		return -EIO;
	if (setsockopt(l->filter, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd)) ||
	    bind(l->filter, (struct sockaddr *)&f, sizeof(f)) ||
	    bind(l->sender, (struct sockaddr *)&s, sizeof(s)))
		return -errno;
	return 0;
}

static void live_close(struct live *l)
{
	CLOSE_FDS(l->filter, l->sender);
	sample_demo_teardown(&l->net);
	destroy_emptied(l->skel);
}

static int send_kind(struct live *l, const struct pkt_opts *o, int n)
{
	unsigned char pkt[PKT_MAX];
	unsigned int len = pkt_build(pkt, o);

	for (int i = 0; i < n; i++)
		if (send(l->sender, pkt, len, 0) != (ssize_t)len)
			return -errno;
	return 0;
}

/* The summed runs of parse_eth once they reach want, or after 2 s. */
static __u64 wait_eth_runs(struct live *l, __u64 want)
{
	__u32 k = SX3_ETH;
	__u64 v[2] = {};

	for (int i = 0; i < 200; i++, usleep(10000))
		if (!sample_percpu_lookup(l->skel->maps.stage_stats, &k, v) && v[0] >= want)
			break;
	return v[0];
}

/* Every kind of frame, 5 times, received on demo0: the same stages as under
 * BPF_PROG_TEST_RUN (the VLAN stage now starts from the tag the receive path
 * moved into skb->vlan_tci), and exact flows. */
TEST(sockex3, real_socket_reaches_exact_stages)
{
	struct live l = { .net = { .orig_ns = -1, .ns = -1, .peer_ns = -1 } };
	struct stage_stats got[SX3_STAGES];
	int err = live_open(&l, true);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setting up the veth pair: %s", strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < NKINDS; i++) {
		const struct kind *k = &kinds[i];
		struct flow_count fc;

		CHECK_ERR(send_kind(&l, &k->o, 5), 0);
		CHECK_U64(wait_eth_runs(&l, 5), 5);
		take_stages(bpf_map__fd(l.skel->maps.stage_stats), got);
		check_stages(k->name, got, k->runs, 5);
		fc = read_flow(l.skel, &k->o);
		CHECK(fc.packets == 5 && fc.bytes == 5ull * pkt_ip_len(&k->o),
		      "%s: flow %llu packets %llu bytes, want 5 and %u", k->name,
		      (unsigned long long)fc.packets, (unsigned long long)fc.bytes,
		      5 * pkt_ip_len(&k->o));
	}
	CHECK_U64(flow_count(l.skel), NKINDS);
out:
	live_close(&l);
}

/* ---- the hot swap -------------------------------------------------------- */

#define SWAP_FRAMES 20000

struct sender {
	struct live *l;
	const struct pkt_opts *o;
	int err;
	volatile bool done;
	volatile unsigned long swaps;	/* the main thread's count */
};

/* Half the frames, then (2 s at most) until the main thread has swapped twice
 * more, then the other half: swaps happen while the frames flow, on a busy
 * machine too. */
static void *send_all(void *arg)
{
	struct sender *s = arg;
	unsigned long seen;

	s->err = send_kind(s->l, s->o, SWAP_FRAMES / 2);
	seen = s->swaps;
	for (int i = 0; i < 2000 && s->swaps < seen + 2; i++)
		usleep(1000);
	if (!s->err)
		s->err = send_kind(s->l, s->o, SWAP_FRAMES - SWAP_FRAMES / 2);
	s->done = true;
	return NULL;
}

/* N frames sent while the main thread swaps slot SX3_UDP between parse_udp
 * and parse_udp_b as fast as it can: every frame met exactly one of them.
 * The filter sits on the sending end (demo1), where it runs inside send(): no
 * queue between the two, so none can be dropped before it is counted. */
TEST(sockex3, hot_swap_loses_and_doubles_nothing)
{
	struct pkt_opts udp = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.0.1", 18 };
	struct live l = { .net = { .orig_ns = -1, .ns = -1, .peer_ns = -1 } };
	struct sender s = { &l, &udp };
	struct stage_stats got[SX3_STAGES];
	int fds[2], err = live_open(&l, false);
	unsigned long swaps = 0;
	pthread_t th;
	__u32 slot = SX3_UDP;

	if (err) {
		harness_fail(__FILE__, __LINE__, "setting up the veth pair: %s", strerror(-err));
		goto out;
	}
	fds[0] = bpf_program__fd(l.skel->progs.parse_udp);
	fds[1] = bpf_program__fd(l.skel->progs.parse_udp_b);
	if (pthread_create(&th, NULL, send_all, &s)) {
		harness_fail(__FILE__, __LINE__, "pthread_create failed");
		goto out;
	}
	while (!s.done && swaps < 10000000) {
		if (bpf_map_update_elem(bpf_map__fd(l.skel->maps.stages), &slot, &fds[++swaps % 2],
					BPF_ANY))
			break;
		s.swaps = swaps;
	}
	pthread_join(th, NULL);
	CHECK_ERR(s.err, 0);
	CHECK_U64(wait_eth_runs(&l, SWAP_FRAMES), SWAP_FRAMES);
	take_stages(bpf_map__fd(l.skel->maps.stage_stats), got);
	CHECK_U64(got[SX3_UDP].runs + got[SX3_UDP_B].runs, SWAP_FRAMES);
	CHECK_U64(got[SX3_IPV4].runs, SWAP_FRAMES);
	CHECK_U64(got[SX3_UDP].fell_through, 0);
	CHECK_U64(read_flow(l.skel, &udp).packets, SWAP_FRAMES);
	CHECK_U64(read_flow(l.skel, &udp).bytes, (__u64)SWAP_FRAMES * pkt_ip_len(&udp));
	/* Both stages really ran: the swaps happened while the frames flowed. */
	CHECK(swaps >= 2 && got[SX3_UDP].runs > 0 && got[SX3_UDP_B].runs > 0,
	      "%lu swaps, parse_udp %llu, parse_udp_b %llu: no swap under traffic", swaps,
	      (unsigned long long)got[SX3_UDP].runs, (unsigned long long)got[SX3_UDP_B].runs);
	printf("maps: hot swap: %lu swaps during %d frames, parse_udp %llu + parse_udp_b %llu\n",
	       swaps, SWAP_FRAMES, (unsigned long long)got[SX3_UDP].runs,
	       (unsigned long long)got[SX3_UDP_B].runs);
out:
	live_close(&l);
}

/* ---- the last user-space reference ------------------------------------- */

static __u32 id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int filled_slots(int fd)
{
	int n = 0;
	__u32 id;

	for (__u32 slot = 0; slot < SX3_SLOTS; slot++)
		n += !bpf_map_lookup_elem(fd, &slot, &id);
	return n;
}

/* The filter stays attached to a socket (which holds parse_eth, which holds
 * its maps), the skeleton is destroyed: while one more fd of the PROG_ARRAY
 * is open, the 6 slots stay; when it closes, the kernel empties them (from a
 * work queue: within 2 s) and a frame stops at parse_eth. */
TEST(sockex3, slots_emptied_with_last_user_reference)
{
	struct pkt_opts udp = { AF_INET, IPPROTO_UDP, "10.0.0.9", "10.0.0.1", 10 };
	struct sockex3 *skel = sockex3__open_and_load();
	int sock = -1, held = -1, stages = -1, stats = -1, eth = -1, prog_fd, filled = -1;
	struct stage_stats got[SX3_STAGES];
	__u32 sid, cid, pid;

	REQUIRE(skel, "loading sockex3: %s", strerror(errno));
	prog_fd = bpf_program__fd(skel->progs.parse_eth);
	sid = id_of(bpf_map__fd(skel->maps.stages));
	cid = id_of(bpf_map__fd(skel->maps.stage_stats));
	pid = id_of(prog_fd);
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);	/* receives nothing */
	held = dup(bpf_map__fd(skel->maps.stages));
	if (sock < 0 || held < 0 ||
	    setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd))) {
		harness_fail(__FILE__, __LINE__, "socket, dup or attach: %s", strerror(errno));
		destroy_emptied(skel);
		goto out;
	}
	sockex3__destroy(skel);
	usleep(100000);
	CHECK_U64(filled_slots(held), 6);	/* one fd left: nothing changes */
	stats = bpf_map_get_fd_by_id(cid);
	eth = bpf_prog_get_fd_by_id(pid);
	if (stats < 0 || eth < 0) {
		harness_fail(__FILE__, __LINE__, "by id: %s", strerror(errno));
		goto out;
	}
	close(held);
	held = -1;
	stages = bpf_map_get_fd_by_id(sid);	/* the map itself lives on */
	if (stages < 0) {
		harness_fail(__FILE__, __LINE__, "PROG_ARRAY id %u gone: %s", sid, strerror(errno));
		goto out;
	}
	for (int i = 0; i < 200 && (filled = filled_slots(stages)) != 0; i++)
		usleep(10000);
	CHECK_U64(filled, 0);
	take_stages(stats, got);
	CHECK_ERR(run_kind(eth, &udp, 3), 0);
	take_stages(stats, got);
	CHECK_U64(got[SX3_ETH].runs, 3);
	CHECK_U64(got[SX3_IPV4].runs, 0);
	CHECK_U64(got[SX3_IPV4].fell_through, 3);
out:
	CLOSE_FDS(sock, held, stages, stats, eth);
}
