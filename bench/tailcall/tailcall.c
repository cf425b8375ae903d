// SPDX-License-Identifier: GPL-2.0
/*
 * bench/tailcall - the row of `make bench` that speaks for sockex3 (bench/README.md):
 *
 *   A: sockex3's parser as the sample runs it, four programs chained with
 *      bpf_tail_call() through the PROG_ARRAY (parse_eth -> parse_vlan ->
 *      parse_ipv6 -> parse_tcp: 3 tail calls per frame)
 *   B: the same steps called in one program (parse_flat, same object, same
 *      maps, same counters)
 *
 * Both run on the same QinQ-tagged TCP/IPv6 frame with BPF_PROG_TEST_RUN and
 * the same repeat = R (calibrated to ~20 ms per run of A); ns per packet is the kernel's
 * average per repetition. Each side of a pair is the best of 5 runs, on CPU 1,
 * SCHED_FIFO (when allowed), so that other tasks cannot take the CPU mid-run.
 * After every run the stage counters and the frame's flow must have grown by
 * exactly R in every stage the frame needs, or the bench fails.
 *
 * Run: sudo build/bench/tailcall [--quick] [--pairs N]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "../benchlib.h"
#include "sockex3/sockex3.h"
#include "sockex3/sockex3.skel.h"

static const char *prog = "tailcall";

#define TARGET_S 0.02
#define BEST_OF 5
#define TAIL_CALLS 3	/* eth -> vlan -> ipv6 -> tcp */

/* Ethernet, 802.1AD tag 200, 802.1Q tag 100, IPv6 fd00::9 -> fd00::1, TCP
 * 40000 -> 7001 (PSH|ACK), 100 payload bytes. */
static unsigned char frame[14 + 8 + 40 + 20 + 100];

static void build_frame(void)
{
	static const unsigned char head[] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
		0x88, 0xa8, 0x00, 200, 0x81, 0x00, 0x00, 100, 0x86, 0xdd,
		0x60, 0, 0, 0, 0, 120, 6, 64,
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09,
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x9c, 0x40, 0x1b, 0x59, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x18,
	};

	memcpy(frame, head, sizeof(head));
}

/* The runs of stage s so far (summed over the CPUs), or ~0 on error. */
static __u64 stage_runs(struct sockex3 *skel, __u32 s)
{
	__u64 v[2];

	return sample_percpu_lookup(skel->maps.stage_stats, &s, v) ? ~0ull : v[0];
}

/* ns per packet of one run of p with repeat r; checks that every stage the
 * frame needs ran exactly r more times. -1 on failure. */
static double run(struct sockex3 *skel, struct bpf_program *p, __u32 r)
{
	static const __u32 need[] = { SX3_ETH, SX3_VLAN, SX3_IPV6, SX3_TCP };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = r);
	__u64 before[4];
	double t0 = bench_now(), t;

	for (int i = 0; i < 4; i++)
		before[i] = stage_runs(skel, need[i]);
	if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) {
		fprintf(stderr, "%s: test run of %s: %s\n", prog, bpf_program__name(p),
			sample_strerror(-errno));
		return -1;
	}
	t = bench_now() - t0;
	for (int i = 0; i < 4; i++) {
		__u64 now = stage_runs(skel, need[i]);

		if (now - before[i] != r) {
			fprintf(stderr, "%s: %s: stage %u ran %llu times in %u runs\n", prog,
				bpf_program__name(p), need[i], (unsigned long long)(now - before[i]), r);
			return -1;
		}
	}
	return opts.duration ? (double)opts.duration : t * 1e9 / r;
}

static __u32 calibrate(struct sockex3 *skel, struct bpf_program *p)
{
	double ns = run(skel, p, 1000);

	if (ns <= 0)
		return 0;
	ns = TARGET_S * 1e9 / ns;
	return ns < 1000 ? 1000 : ns > 5000000 ? 5000000 : (__u32)ns;
}

int main(int argc, char **argv)
{
	struct bench_pairs p = { 0 };
	struct bench_args a;
	struct sockex3 *skel;
	double med, mn, mx, diff[BENCH_MAX_PAIRS];
	__u32 r;
	char note[384];
	int err = 1;

	if (bench_parse(argc, argv, &a))
		return 2;
	sample_init(false);
	if (geteuid() != 0) {
		fprintf(stderr, "%s: needs root (BPF_PROG_TEST_RUN): run sudo make bench\n", prog);
		return 1;
	}
	build_frame();
	skel = sockex3__open_and_load();
	if (!skel) {
		fprintf(stderr, "%s: loading sockex3: %s\n", prog, sample_strerror(-errno));
		return 1;
	}
	bench_pin(1);
	if (bench_realtime())
		fprintf(stderr, "%s: SCHED_FIFO refused: measuring without it\n", prog);
	r = calibrate(skel, skel->progs.parse_eth);
	if (!r)
		goto out;
	for (int i = 0; i < a.pairs; i++) {
		double ta = 1e12, tb = 1e12, x = 0, y = 0;

		for (int j = 0; j < BEST_OF; j++) {
			for (int k = 0; k < 2; k++) {
				if (bench_is_a(i, k))
					x = run(skel, skel->progs.parse_eth, r);
				else
					y = run(skel, skel->progs.parse_flat, r);
			}
			if (x < 0 || y < 0)
				goto out;
			ta = x < ta ? x : ta;
			tb = y < tb ? y : tb;
		}
		bench_add(&p, ta, tb);
		diff[i] = (ta - tb) / TAIL_CALLS;
	}
	bench_stats(diff, p.n, &med, &mn, &mx);
	snprintf(note, sizeof(note),
		 "one tail call costs %.2g ns (%.2g-%.2g): (A - B) / %d tail calls per frame; QinQ TCP/IPv6 "
		 "frame through 4 stages; every run's stage counters checked; R = %u",
		 med, mn, mx, TAIL_CALLS, r);
	bench_row("sockex3-tailcall", "packet parser, ns/packet (sockex3)", "4 stages by tail call",
		  "one program (parse_flat)", "ns/packet", false, &p, "a tail call is a jump: a few ns",
		  note);
	err = 0;
out:
	if (err)
		fprintf(stderr, "%s: measurement failed\n", prog);
	sockex3__destroy(skel);
	return err;
}
