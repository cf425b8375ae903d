// SPDX-License-Identifier: GPL-2.0
/*
 * bench/urb_apply - the row of `make bench` that speaks for user_ringbuf
 * (bench/README.md): applying N = 10,000 rule updates to the rules HASH
 *
 *   A: as user_ringbuf does: N ADD commands of one address written into the
 *      USER_RINGBUF (reserve, fill, submit: no system call), then one
 *      BPF_PROG_TEST_RUN of the syscall program that drains and applies them,
 *      then the N acks read from the kernel ring buffer;
 *   B: N bpf_map_update_elem() system calls on the same HASH.
 *
 * Time from the first update to the last one in place (A: acks read too), in
 * ms, side by side in pairs on CPU 1. Between trials the rules are deleted
 * (not timed). After every trial the HASH must hold exactly N rules.
 *
 * Run: sudo build/bench/urb_apply [--quick] [--pairs N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "../benchlib.h"
#include "user_ringbuf/user_ringbuf.h"
#include "user_ringbuf/user_ringbuf.skel.h"

#define N 10000

static int acks_seen;

static int on_ack(void *ctx, void *data, size_t size)
{
	acks_seen++;
	return 0;
}

static int count_and_clear(struct user_ringbuf *skel)
{
	__u32 k, next;
	int n = 0;

	while (!bpf_map__get_next_key(skel->maps.rules, NULL, &next, 4)) {
		k = next;
		if (bpf_map__delete_elem(skel->maps.rules, &k, 4, 0))
			return -1;
		n++;
	}
	return n;
}

static double via_ring(struct user_ringbuf *skel, struct user_ring_buffer *rb,
		       struct ring_buffer *acks)
{
	LIBBPF_OPTS(bpf_test_run_opts, t);
	double t0 = bench_now();

	for (__u32 i = 0; i < N; i++) {
		struct urb_cmd *c = user_ring_buffer__reserve(rb, sizeof(*c) + 4);
		__u32 addr = htonl(0x0a000000 + i);

		if (!c)
			return -1;
		*c = (struct urb_cmd){ .op = URB_ADD, .seq = i, .action = URB_DROP, .n = 1 };
		memcpy(c + 1, &addr, 4);
		user_ring_buffer__submit(rb, c);
	}
	acks_seen = 0;
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.apply_cmds), &t) || t.retval != N)
		return -1;
	ring_buffer__consume(acks);
	return acks_seen == N ? (bench_now() - t0) * 1e3 : -1;
}

static double via_syscalls(struct user_ringbuf *skel)
{
	struct urb_rule r = { .action = URB_DROP };
	double t0 = bench_now();

	for (__u32 i = 0; i < N; i++) {
		__u32 addr = htonl(0x0a000000 + i);

		if (bpf_map__update_elem(skel->maps.rules, &addr, 4, &r, sizeof(r), BPF_ANY))
			return -1;
	}
	return (bench_now() - t0) * 1e3;
}

int main(int argc, char **argv)
{
	struct bench_args args;
	struct user_ringbuf *skel;
	struct user_ring_buffer *rb = NULL;
	struct ring_buffer *acks = NULL;
	struct bench_pairs p = {};
	char note[160];
	int err = 1;

	if (bench_parse(argc, argv, &args))
		return 2;
	libbpf_set_print(NULL);
	bench_pin(1);
	skel = user_ringbuf__open();
	if (!skel || bpf_map__set_max_entries(skel->maps.rules, N) ||
	    bpf_map__set_max_entries(skel->maps.cmds, 1 << 20) ||
	    bpf_map__set_max_entries(skel->maps.acks, 1 << 20) || user_ringbuf__load(skel)) {
		fprintf(stderr, "urb_apply: loading: %s\n", strerror(errno));
		goto out;
	}
	rb = user_ring_buffer__new(bpf_map__fd(skel->maps.cmds), NULL);
	acks = ring_buffer__new(bpf_map__fd(skel->maps.acks), on_ack, NULL, NULL);
	if (!rb || !acks)
		goto out;
	for (int i = 0; i < args.pairs; i++) {
		double a = 0, b = 0;

		for (int k = 0; k < 2; k++) {
			if (bench_is_a(i, k))
				a = via_ring(skel, rb, acks);
			else
				b = via_syscalls(skel);
			if (a < 0 || b < 0 || count_and_clear(skel) != N)
				goto fail;
		}
		bench_add(&p, a, b);
	}
	snprintf(note, sizeof(note), "%d ADDs of one address each; A includes reading the %d acks; "
		 "HASH checked to hold exactly %d rules after every trial", N, N, N);
	bench_row("urb_apply", "apply 10,000 rule updates", "user ring + 1 drain",
		  "10,000 bpf_map_update_elem()", "ms", false, &p, "-", note);
	err = 0;
	goto out;
fail:
	fprintf(stderr, "urb_apply: a trial did not apply exactly %d rules\n", N);
out:
	ring_buffer__free(acks);
	user_ring_buffer__free(rb);
	user_ringbuf__destroy(skel);
	return err;
}
