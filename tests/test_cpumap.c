// SPDX-License-Identifier: GPL-2.0
/*
 * cpumap: packets steered through a CPUMAP land on the chosen CPU in every
 * stage after the redirect (second-stage program, tc ingress, tc egress of the
 * replies), round robin splits exactly, a missing entry drops, and the map
 * refuses CPUs that do not exist.
 *
 * The frames are real: the peer (demo1, in a private netns) sends exact
 * numbers of echo requests through an AF_PACKET socket from a thread pinned
 * to CPU 0 (run_on_cpu). The veth hands each one to demo0's NAPI poll on the
 * CPU that sent it, so the XDP program runs on CPU 0, and its XDP_REDIRECT
 * really happens: the frames travel through the cpumap kthread into the stack
 * of demo0.
 *
 * One test needs what no socket can do, a batch of 64 frames in one XDP run
 * (a socket's frames reach the XDP program one at a time): it runs the
 * program with BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES, after
 * probe_live_frames() (tests/live_frames.c), and skips only when that probe
 * says the kernel refuses live frames with EPERM.
 */
#include <arpa/inet.h>
#include <unistd.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "sample.h"
#include "demo.h"
#include "tc.h"
#include "xdp_outcome.h"
#include "cpumap.h"
#include "cpumap.skel.h"

struct fixture {
	struct sample_demo d;
	struct cpumap *skel;
	struct sample_tc tc_in, tc_eg;
	int xdp_fd;
	int ncpus;
};

static __u16 csum(const void *data, size_t len)
{
	const unsigned char *p = data;
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* An ICMP echo request peer -> demo0 with valid checksums, so that the stack
 * on the target CPU accepts it and sends an echo reply. src may be any IPv4. */
static unsigned int echo_frame(unsigned char *buf, const struct sample_demo *d, const char *src)
{
	struct pkt_opts o = { AF_INET, IPPROTO_ICMP, src, "10.11.1.1", 56 };
	unsigned int len = pkt_build(buf, &o);
	unsigned char *ip = buf + 14, *icmp = ip + 20;
	__u16 c;

	memcpy(buf, d->mac, 6);
	memcpy(buf + 6, d->peer_mac, 6);
	icmp[0] = 8;			/* echo request */
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	icmp[4] = 0x12;			/* id */
	icmp[7] = 1;			/* seq */
	c = csum(icmp, len - 34);
	icmp[2] = c >> 8;
	icmp[3] = c & 0xff;
	ip[10] = ip[11] = 0;
	c = csum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	return len;
}

/* Demo pair, skeleton with policy and set, entries for `entries` CPUs, XDP on
 * demo0 (which also registers its rx queue for live frames), tc both ways. */
static int setup(struct fixture *f, __u32 policy, const __u32 *set, __u32 len,
		 const __u32 *entries, __u32 nentries, bool second_stage)
{
	memset(f, 0, sizeof(*f));
	f->d.orig_ns = f->d.ns = f->d.peer_ns = -1;
	f->tc_in.link_fd = f->tc_eg.link_fd = f->xdp_fd = -1;
	f->ncpus = libbpf_num_possible_cpus();
	if (sample_demo_setup(&f->d, "test_cpumap", 0))
		return -1;
	f->skel = cpumap__open();
	if (!f->skel)
		return -1;
	f->skel->rodata->policy = policy;
	for (__u32 i = 0; i < len; i++)
		f->skel->rodata->cpu_set[i] = set[i];
	f->skel->rodata->cpu_set_len = len;
	if (cpumap__load(f->skel))
		return -1;
	for (__u32 i = 0; i < nentries; i++) {
		struct bpf_cpumap_val v = { .qsize = 192 };

		if (second_stage)
			v.bpf_prog.fd = bpf_program__fd(f->skel->progs.cpumap_stage2);
		if (bpf_map_update_elem(bpf_map__fd(f->skel->maps.cpu_map), &entries[i], &v, 0))
			return -1;
	}
	f->xdp_fd = sample_xdp_attach("test_cpumap", f->skel->progs.xdp_to_cpumap,
				      f->d.ifindex, SAMPLE_XDP_NATIVE, NULL);
	if (f->xdp_fd < 0)
		return -1;
	if (sample_tc_attach("test_cpumap", f->skel->progs.tc_ingress, f->d.ifindex, true, &f->tc_in) ||
	    sample_tc_attach("test_cpumap", f->skel->progs.tc_egress, f->d.ifindex, false, &f->tc_eg))
		return -1;
	return 0;
}

static void teardown(struct fixture *f)
{
	sample_tc_detach(&f->tc_eg);
	sample_tc_detach(&f->tc_in);
	if (f->xdp_fd >= 0)
		close(f->xdp_fd);
	cpumap__destroy(f->skel);
	sample_demo_teardown(&f->d);
}

struct live_run {
	struct fixture *f;
	const unsigned char *pkt;
	unsigned int len, repeat;
	int err;
};

static void live_run_fn(void *arg)
{
	struct live_run *r = arg;
	struct xdp_md md = { .data_end = r->len, .ingress_ifindex = r->f->d.ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = r->pkt, .data_size_in = r->len,
		    .ctx_in = &md, .ctx_size_in = sizeof(md), .repeat = r->repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	r->err = bpf_prog_test_run_opts(bpf_program__fd(r->f->skel->progs.xdp_to_cpumap), &o)
		? -errno : 0;
}

/* Run the XDP program `repeat` times on `cpu` with live frames. */
static int live_burst(struct fixture *f, int cpu, const unsigned char *pkt, unsigned int len,
		      unsigned int repeat)
{
	struct live_run r = { f, pkt, len, repeat, 0 };
	int err = run_on_cpu(cpu, live_run_fn, &r);

	return err ? err : r.err;
}

struct peer_send {
	struct fixture *f;
	const unsigned char *pkt;
	unsigned int len, count;
	int err;
};

/* Send count copies of pkt out of the peer's veth, through an AF_PACKET
 * socket made in the peer netns. A frame the veth drops before demo0's XDP
 * sees it (its receive ring full, on a loaded machine) fails with ENOBUFS and
 * is sent again, for at most 5 s in all: exactly count frames arrive. */
static void peer_send_fn(void *arg)
{
	struct peer_send *s = arg;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = s->f->d.peer_ifindex,
		.sll_halen = ETH_ALEN,
	};
	__u64 give_up = sample_now_ns() + 5000000000ull;
	unsigned int sent = 0;
	ssize_t n;
	int fd;

	memcpy(sll.sll_addr, s->pkt, ETH_ALEN);
	fd = sample_netns_socket(s->f->d.peer_ns, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		s->err = fd;
		return;
	}
	s->err = 0;
	while (sent < s->count) {
		n = sendto(fd, s->pkt, s->len, 0, (struct sockaddr *)&sll, sizeof(sll));
		if (n == (ssize_t)s->len) {
			sent++;
			continue;
		}
		s->err = n < 0 ? -errno : -EMSGSIZE;
		if (s->err != -ENOBUFS || sample_now_ns() > give_up)
			break;
		s->err = 0;
		usleep(100);
	}
	close(fd);
}

/* count real frames from the peer, sent from `cpu`: demo0's XDP program runs
 * on that CPU for each of them. */
static int peer_burst(struct fixture *f, int cpu, const unsigned char *pkt, unsigned int len,
		      unsigned int count)
{
	struct peer_send s = { f, pkt, len, count, 0 };
	int err = run_on_cpu(cpu, peer_send_fn, &s);

	return err ? err : s.err;
}

/* Per-CPU counters (ncpus entries in out). */
static int read_counts(struct fixture *f, struct stage_counts *out)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.stage_counts), &zero, out) ? -errno : 0;
}

/* The cpumap kthreads work asynchronously: wait until `field` sums to at least
 * want (at most 3 s), then a little longer so that an excess would show. */
static void settle(struct fixture *f, struct stage_counts *pc, size_t field, __u64 want)
{
	for (int i = 0; i < 300; i++) {
		__u64 sum = 0;

		read_counts(f, pc);
		for (int c = 0; c < f->ncpus; c++)
			sum += ((__u64 *)&pc[c])[field];
		if (sum >= want)
			break;
		usleep(10000);
	}
	usleep(100000);
	read_counts(f, pc);
}

#define FIELD(name) (offsetof(struct stage_counts, name) / sizeof(__u64))

/* N echo requests steered to one CPU: XDP counts N where it ran, and the
 * second-stage program, tc ingress and tc egress (the echo replies, sent from
 * the receive path on that CPU) count N on the target CPU, 0 elsewhere. */
TEST(cpumap, steer_to_one_cpu)
{
	const unsigned int N = 20;
	struct fixture f;
	unsigned char pkt[PKT_MAX];
	struct stage_counts pc[CPUMAP_MAX_CPUS * 4] = {};
	__u32 target, len;

	target = libbpf_num_possible_cpus() - 1;	/* 1 here; 0 on a 1-CPU machine */
	if (setup(&f, CPUMAP_RR, &target, 1, &target, 1, true)) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(errno));
		teardown(&f);
		return;
	}
	len = echo_frame(pkt, &f.d, "10.11.1.2");
	CHECK_ERR(peer_burst(&f, 0, pkt, len, N), 0);
	settle(&f, pc, FIELD(tc_egress), N);
	for (int c = 0; c < f.ncpus; c++) {
		CHECK_U64(pc[c].xdp, c == 0 ? N : 0);
		CHECK_U64(pc[c].redirected, c == 0 ? N : 0);
		CHECK_U64(pc[c].missing, 0);
		CHECK_U64(pc[c].cpumap_prog, c == (int)target ? N : 0);
		CHECK_U64(pc[c].tc_ingress, c == (int)target ? N : 0);
		CHECK_U64(pc[c].tc_egress, c == (int)target ? N : 0);
	}
	teardown(&f);
}

/* Round robin over every CPU, all frames received on CPU 0: an exact split,
 * N / ncpus per CPU in the second stage and in tc ingress. */
TEST(cpumap, round_robin_exact_split)
{
	struct fixture f;
	unsigned char pkt[PKT_MAX];
	struct stage_counts pc[CPUMAP_MAX_CPUS * 4] = {};
	__u32 set[CPUMAP_MAX_CPUS], n = libbpf_num_possible_cpus(), len, N;

	if (n > CPUMAP_MAX_CPUS)
		n = CPUMAP_MAX_CPUS;
	N = 8 * n;
	for (__u32 i = 0; i < n; i++)
		set[i] = i;
	if (setup(&f, CPUMAP_RR, set, n, set, n, true)) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(errno));
		teardown(&f);
		return;
	}
	len = echo_frame(pkt, &f.d, "10.11.1.2");
	CHECK_ERR(peer_burst(&f, 0, pkt, len, N), 0);
	settle(&f, pc, FIELD(tc_ingress), N);
	CHECK_U64(pc[0].xdp, N);
	CHECK_U64(pc[0].redirected, N);
	for (__u32 c = 0; c < n; c++) {
		CHECK_U64(pc[c].cpumap_prog, 8);
		CHECK_U64(pc[c].tc_ingress, 8);
		CHECK_U64(pc[c].tc_egress, 8);
	}
	teardown(&f);
}

/* Without a program in the entry the kthread still builds skbs (tc ingress
 * counts N) but no second stage runs. */
TEST(cpumap, second_stage_is_optional)
{
	const unsigned int N = 10;
	struct fixture f;
	unsigned char pkt[PKT_MAX];
	struct stage_counts pc[CPUMAP_MAX_CPUS * 4] = {};
	__u32 target = 0, len;
	__u64 prog = 0, in = 0;

	if (setup(&f, CPUMAP_RR, &target, 1, &target, 1, false)) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(errno));
		teardown(&f);
		return;
	}
	len = echo_frame(pkt, &f.d, "10.11.1.2");
	CHECK_ERR(peer_burst(&f, 0, pkt, len, N), 0);
	settle(&f, pc, FIELD(tc_ingress), N);
	for (int c = 0; c < f.ncpus; c++) {
		prog += pc[c].cpumap_prog;
		in += pc[c].tc_ingress;
	}
	CHECK_U64(prog, 0);
	CHECK_U64(in, N);
	CHECK_U64(pc[0].tc_ingress, N);
	teardown(&f);
}

/* The hash policy sends every frame of one address pair to the same CPU, the
 * one the sample's formula names: set[(saddr ^ daddr) * 0x9e3779b1 % len]. */
TEST(cpumap, hash_keeps_a_pair_on_one_cpu)
{
	static const char *srcs[] = { "10.11.1.2", "10.11.1.3", "10.11.1.4", "10.11.1.5" };
	const unsigned int N = 6;
	struct fixture f;
	unsigned char pkt[PKT_MAX];
	struct stage_counts pc[CPUMAP_MAX_CPUS * 4] = {};
	__u32 set[CPUMAP_MAX_CPUS], n = libbpf_num_possible_cpus(), len;
	__u64 want[CPUMAP_MAX_CPUS] = {};

	if (n > CPUMAP_MAX_CPUS)
		n = CPUMAP_MAX_CPUS;
	for (__u32 i = 0; i < n; i++)
		set[i] = i;
	if (setup(&f, CPUMAP_HASH, set, n, set, n, true)) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(errno));
		teardown(&f);
		return;
	}
	for (unsigned int s = 0; s < 4; s++) {
		__u32 a, b;

		inet_pton(AF_INET, srcs[s], &a);
		inet_pton(AF_INET, "10.11.1.1", &b);
		want[set[((a ^ b) * 0x9e3779b1u) % n]] += N;
		len = echo_frame(pkt, &f.d, srcs[s]);
		CHECK_ERR(peer_burst(&f, 0, pkt, len, N), 0);
	}
	settle(&f, pc, FIELD(cpumap_prog), 4 * N);
	for (__u32 c = 0; c < n; c++) {
		CHECK_U64(pc[c].cpumap_prog, want[c]);
		CHECK_U64(pc[c].tc_ingress, want[c]);
	}
	teardown(&f);
}

/* A CPU in the set without a CPUMAP entry: bpf_redirect_map() returns the
 * fallback action from its flags (XDP_DROP here) and the packet is dropped. */
TEST(cpumap, missing_entry_drops)
{
	unsigned char pkt[PKT_MAX];
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.0.0.2", "10.0.0.1", 10 };
	struct stage_counts pc[CPUMAP_MAX_CPUS * 4] = {};
	struct cpumap *skel = cpumap__open();
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .repeat = 5);

	REQUIRE(skel, "cpumap__open: %s", strerror(errno));
	skel->rodata->policy = CPUMAP_RR;
	skel->rodata->cpu_set[0] = 0;
	skel->rodata->cpu_set_len = 1;
	REQUIRE(!cpumap__load(skel), "cpumap__load: %s", strerror(errno));
	topts.data_size_in = pkt_build(pkt, &o);
	CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_to_cpumap), &topts)
		  ? -errno : 0, 0);
	CHECK_U64(topts.retval, XDP_DROP);
	CHECK_ERR(bpf_map_lookup_elem(bpf_map__fd(skel->maps.stage_counts), &zero, pc) ? -errno : 0, 0);
	{
		__u64 xdp = 0, missing = 0, redirected = 0;

		for (int c = 0; c < libbpf_num_possible_cpus(); c++) {
			xdp += pc[c].xdp;
			missing += pc[c].missing;
			redirected += pc[c].redirected;
		}
		CHECK_U64(xdp, 5);
		CHECK_U64(missing, 5);
		CHECK_U64(redirected, 0);
	}
	/* With the entry present the same program redirects. */
	{
		struct bpf_cpumap_val v = { .qsize = 192 };

		CHECK_ERR(bpf_map_update_elem(bpf_map__fd(skel->maps.cpu_map), &zero, &v, 0)
			  ? -errno : 0, 0);
		topts.repeat = 1;
		CHECK_ERR(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_to_cpumap), &topts)
			  ? -errno : 0, 0);
		CHECK_U64(topts.retval, XDP_REDIRECT);
	}
	cpumap__destroy(skel);
}

/* What the kernel refuses: a CPU that does not exist (ENODEV), a key at or past
 * max_entries (E2BIG), qsize above 16384 (EOVERFLOW), a second-stage program
 * not loaded as xdp/cpumap (ENOMEM: the whole entry allocation fails), and
 * BPF_NOEXIST (EEXIST, even for a key without an entry). */
TEST(cpumap, update_errors)
{
	struct cpumap *skel = cpumap__open_and_load();
	struct bpf_cpumap_val v = { .qsize = 192 }, got = {};
	int fd, ncpus = libbpf_num_possible_cpus();
	__u32 key;

	REQUIRE(skel, "cpumap__open_and_load: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.cpu_map);
	CHECK_U64(bpf_map__max_entries(skel->maps.cpu_map), CPUMAP_MAX_CPUS);
	if (ncpus < CPUMAP_MAX_CPUS) {
		key = ncpus;
		CHECK_ERR(bpf_map_update_elem(fd, &key, &v, 0) ? -errno : 0, -ENODEV);
	}
	key = CPUMAP_MAX_CPUS;
	CHECK_ERR(bpf_map_update_elem(fd, &key, &v, 0) ? -errno : 0, -E2BIG);
	key = 0;
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, &got) ? -errno : 0, -ENOENT);
	v.qsize = 16385;
	CHECK_ERR(bpf_map_update_elem(fd, &key, &v, 0) ? -errno : 0, -EOVERFLOW);
	v.qsize = 192;
	/* A plain SEC("xdp") program in the entry: the kernel's entry allocation
	 * fails as a whole and the update reports ENOMEM, not EINVAL. */
	v.bpf_prog.fd = bpf_program__fd(skel->progs.xdp_to_cpumap);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &v, 0) ? -errno : 0, -ENOMEM);
	v.bpf_prog.fd = bpf_program__fd(skel->progs.cpumap_stage2);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &v, 0) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, &got) ? -errno : 0, 0);
	CHECK_U64(got.qsize, 192);
	{
		struct bpf_prog_info info = {};
		__u32 ilen = sizeof(info);

		CHECK_ERR(bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.cpumap_stage2),
						 &info, &ilen) ? -errno : 0, 0);
		CHECK_U64(got.bpf_prog.id, info.id);	/* lookup returns the id, not the fd */
	}
	CHECK_ERR(bpf_map_update_elem(fd, &key, &v, BPF_NOEXIST) ? -errno : 0, -EEXIST);
	CHECK_ERR(bpf_map_delete_elem(fd, &key) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &v, BPF_NOEXIST) ? -errno : 0, -EEXIST);
	cpumap__destroy(skel);
}

/* A queue too small for a burst: the XDP program counts every frame as
 * redirected, but the kernel's xdp_cpumap_enqueue tracepoint (followed by
 * common/xdp_outcome) shows what the target CPU's queue took and what it
 * dropped. A burst of 64 live frames is one batch: bulks of 8 are flushed into
 * a queue of 1 frame while its kthread sleeps (it is woken only at the end of
 * the batch), so exactly 1 frame is queued and 63 are dropped; the second
 * stage runs for the queued one only. Frames from a socket cannot show this:
 * each one reaches XDP in a NAPI poll of its own, which ends with a flush
 * that wakes the kthread, so how many a queue of 1 drops would depend on the
 * scheduler. So this test needs BPF_F_TEST_XDP_LIVE_FRAMES, and skips where
 * the kernel refuses it with EPERM (the probe says so). */
TEST(cpumap, full_queue_drops_are_traced)
{
	const unsigned int N = 64;
	struct sample_xdp_outcome x = {};
	struct xdp_outcome q = {}, in = {};
	struct bpf_cpumap_val v = { .qsize = 1 };
	struct stage_counts pc[CPUMAP_MAX_CPUS * 4] = {};
	unsigned char pkt[PKT_MAX];
	struct fixture f;
	__u32 target = libbpf_num_possible_cpus() - 1, len;
	char why[256];
	int probe;

	/* The one thing the platform may refuse here: live frames (EPERM). */
	probe = probe_live_frames(why, sizeof(why));
	if (probe == LIVE_FRAMES_REFUSED)
		SKIP("%s", why);
	REQUIRE(probe == 0, "%s", why);
	if (setup(&f, CPUMAP_RR, &target, 1, &target, 1, true)) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(errno));
		teardown(&f);
		return;
	}
	v.bpf_prog.fd = bpf_program__fd(f.skel->progs.cpumap_stage2);
	CHECK_ERR(bpf_map_update_elem(bpf_map__fd(f.skel->maps.cpu_map), &target, &v, 0)
		  ? -errno : 0, 0);
	if (sample_xdp_outcome_open(&x, "test_cpumap", f.skel->obj) ||
	    sample_xdp_outcome_watch(&x, f.d.ifindex) ||
	    sample_xdp_outcome_watch_cpumap(&x, f.skel->maps.cpu_map)) {
		harness_fail(__FILE__, __LINE__, "xdp_outcome: %s", strerror(errno));
		goto out;
	}
	usleep(100000);		/* the new entry's kthread goes to sleep */
	len = echo_frame(pkt, &f.d, "10.11.1.2");
	CHECK_ERR(live_burst(&f, 0, pkt, len, N), 0);
	settle(&f, pc, FIELD(cpumap_prog), 1);
	CHECK_ERR(sample_xdp_outcome_get(&x, XDP_OUT_CPU, target, &q), 0);
	CHECK_ERR(sample_xdp_outcome_get(&x, XDP_OUT_INGRESS, f.d.ifindex, &in), 0);
	CHECK_U64(pc[0].redirected, N);
	CHECK_U64(q.sent, 1);
	CHECK_U64(q.dropped, N - 1);
	CHECK_U64(pc[target].cpumap_prog, q.sent);
	CHECK_U64(in.redirect_err, 0);
out:
	sample_xdp_outcome_close(&x);
	teardown(&f);
}
