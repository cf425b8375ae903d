// SPDX-License-Identifier: GPL-2.0
/*
 * bench/sockmap_rr - the rows of `make bench` that speak for sockmap
 * (bench/README.md): local TCP with the sockmap bypass against plain
 * loopback TCP, over two connections open side by side in one private netns
 * and cgroup, with the sample's sockops and sk_msg programs attached:
 *
 *   A: a connection made while the sockops program adds sockets: both ends
 *      are in the SOCKHASH and every sendmsg() is redirected to the peer's
 *      receive queue;
 *   B: a connection made with add_sockets turned off: not in the map, so
 *      its data goes through TCP/IP and lo.
 *
 *   rr:   N round trips of 64 bytes (client send, server recv, server send,
 *         client recv, one thread on CPU 1), in microseconds per round trip;
 *   bulk: 64 MiB (16 with --quick) client -> server in 64 KiB sends, in MB/s.
 *
 * Every trial checks its bytes where they arrive (each round trip's 64, the
 * bulk's total counted by the receiving end, and nothing more behind it), and
 * that A's data was redirected (2N messages; in bulk every sk_msg verdict) and
 * B's never reached the sk_msg program. The pairs alternate which side goes
 * first (bench_is_a()).
 *
 * Run: sudo build/bench/sockmap_rr [--quick] [--pairs N] [rr] [bulk]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "cgroup.h"
#include "../benchlib.h"
#include "sockmap/sockmap.h"
#include "sockmap/sockmap.skel.h"

#define RR_LEN		64
#define CHUNK		65536

struct conn { int cli, srv; };

static int make_conn(int lst, const struct sockaddr_in *a, struct conn *c)
{
	c->cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->cli < 0 || connect(c->cli, (const struct sockaddr *)a, sizeof(*a)))
		return -errno;
	c->srv = accept4(lst, NULL, NULL, SOCK_CLOEXEC);
	return c->srv < 0 ? -errno : 0;
}

static int recv_all(int fd, char *buf, size_t n)
{
	while (n) {
		ssize_t k = recv(fd, buf, n, 0);

		if (k <= 0)
			return -1;
		n -= k;
		buf += k;
	}
	return 0;
}

/* Microseconds per round trip, or -1. */
static double rr(const struct conn *c, int n)
{
	char q[RR_LEN] = "q", r[RR_LEN];
	double t0 = bench_now();

	for (int i = 0; i < n; i++)
		if (send(c->cli, q, RR_LEN, 0) != RR_LEN || recv_all(c->srv, r, RR_LEN) ||
		    send(c->srv, r, RR_LEN, 0) != RR_LEN || recv_all(c->cli, q, RR_LEN))
			return -1;
	return (bench_now() - t0) * 1e6 / n;
}

/* MB/s for total bytes client -> server, both sides non-blocking in turn.
 * *rcvd: the bytes the server's recv() calls returned, which is what the
 * trial is checked by (the sk_msg program counts bytes before its redirect,
 * not what arrives). -1 on an error or after 30 s. */
static double bulk(const struct conn *c, size_t total, size_t *rcvd)
{
	static char out[CHUNK], in[CHUNK];
	size_t sent = 0;
	double t0 = bench_now(), t;
	ssize_t k;

	*rcvd = 0;
	while (*rcvd < total) {
		if (sent < total) {
			k = send(c->cli, out, total - sent < CHUNK ? total - sent : CHUNK, MSG_DONTWAIT);
			if (k < 0 && errno != EAGAIN)
				return -1;
			sent += k > 0 ? k : 0;
		}
		k = recv(c->srv, in, CHUNK, MSG_DONTWAIT);
		while (k > 0) {
			*rcvd += k;
			k = recv(c->srv, in, CHUNK, MSG_DONTWAIT);
		}
		if (k == 0 || (k < 0 && errno != EAGAIN))
			return -1;
		if (bench_now() - t0 > 30)
			return -1;
	}
	t = bench_now() - t0;
	/* Not one byte more than was sent may follow. */
	k = recv(c->srv, in, CHUNK, MSG_DONTWAIT);
	if (k > 0)
		*rcvd += k;
	return total / t / 1e6;
}

int main(int argc, char **argv)
{
	struct sample_cgroup cg = SAMPLE_CGROUP_INIT;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct conn A = { -1, -1 }, B = { -1, -1 };
	struct bench_pairs prr = {}, pbulk = {};
	struct bench_args args;
	struct sockmap *skel = NULL;
	struct bpf_link *link = NULL;
	struct sockmap_stats *s;
	int lst = -1, cg_fd = -1, ns, n_rr, err = 1;
	size_t total, got;
	char note[200];

	if (bench_parse(argc, argv, &args))
		return 2;
	n_rr = args.quick ? 5000 : 20000;
	total = (args.quick ? 16u : 64u) << 20;
	libbpf_set_print(NULL);
	if (sample_cgroup_create("sockmap_rr", &cg) || (ns = sample_netns_new()) < 0 ||
	    sample_netns_enter(ns) || sample_cgroup_join(cg.path, 0))
		goto out;
	bench_pin(1);
	if (bench_realtime())
		fprintf(stderr, "sockmap_rr: SCHED_FIFO refused: measuring unprotected\n");
	skel = sockmap__open_and_load();
	if (!skel || bpf_prog_attach(bpf_program__fd(skel->progs.redirect),
				     bpf_map__fd(skel->maps.sock_hash), BPF_SK_MSG_VERDICT, 0) ||
	    (cg_fd = sample_cgroup_open("sockmap_rr", cg.path)) < 0 ||
	    !(link = bpf_program__attach_cgroup(skel->progs.add_socket, cg_fd))) {
		fprintf(stderr, "sockmap_rr: loading/attaching: %s\n", strerror(errno));
		goto out;
	}
	s = &skel->bss->stats;
	lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(lst, (struct sockaddr *)&a, sizeof(a)) || listen(lst, 4) ||
	    getsockname(lst, (struct sockaddr *)&a, &alen) || make_conn(lst, &a, &A))
		goto out;
	skel->data->add_sockets = false;
	if (make_conn(lst, &a, &B) || s->added != 2) {
		fprintf(stderr, "sockmap_rr: want 2 sockets in the SOCKHASH, got %llu\n",
			(unsigned long long)s->added);
		goto out;
	}
	/* One untimed warm-up of each (page cache of the buffers, the first psock queue). */
	if (rr(&A, 100) < 0 || rr(&B, 100) < 0 || bulk(&A, 4 << 20, &got) < 0 ||
	    got != 4 << 20 || bulk(&B, 4 << 20, &got) < 0 || got != 4 << 20)
		goto fail;
	for (int i = 0; i < args.pairs; i++) {
		__u64 red0, v0;
		double x = 0, y = 0;

		for (int k = 0; k < 2 && bench_selected(&args, "rr"); k++) {
			red0 = s->redirected;
			v0 = s->msg_verdicts;
			if (bench_is_a(i, k)) {
				/* rr() checks every reply's 64 bytes itself. */
				x = rr(&A, n_rr);
				if (x < 0 || s->redirected - red0 != 2ull * n_rr)
					goto fail;
			} else {
				y = rr(&B, n_rr);
				if (y < 0 || s->msg_verdicts != v0)
					goto fail;
			}
		}
		if (bench_selected(&args, "rr"))
			bench_add(&prr, x, y);
		for (int k = 0; k < 2 && bench_selected(&args, "bulk"); k++) {
			red0 = s->redirected;
			v0 = s->msg_verdicts;
			if (bench_is_a(i, k)) {
				x = bulk(&A, total, &got);
				if (x < 0 || got != total || s->msg_verdicts == v0 ||
				    s->redirected - red0 != s->msg_verdicts - v0)
					goto fail;
			} else {
				y = bulk(&B, total, &got);
				if (y < 0 || got != total || s->msg_verdicts != v0)
					goto fail;
			}
		}
		if (bench_selected(&args, "bulk"))
			bench_add(&pbulk, x, y);
	}
	if (prr.n) {
		snprintf(note, sizeof(note), "%d round trips of %d bytes, one thread on CPU 1; A checked "
			 "to redirect all %d sendmsg() calls, B to bypass nothing", n_rr, RR_LEN, 2 * n_rr);
		bench_row("sockmap_rr", "TCP round trip, 64 bytes", "sockmap redirect",
			  "loopback TCP", "us", false, &prr, "-", note);
	}
	if (pbulk.n) {
		snprintf(note, sizeof(note), "%zu MiB in 64 KiB sends, one thread; every trial checked "
			 "by the bytes the server received (exactly %zu MiB); A: every sk_msg verdict "
			 "redirected, B: none", total >> 20, total >> 20);
		bench_row("sockmap_bulk", "TCP bulk, client -> server", "sockmap redirect",
			  "loopback TCP", "MB/s", true, &pbulk, "-", note);
	}
	err = 0;
	goto out;
fail:
	fprintf(stderr, "sockmap_rr: a trial lost bytes, or A was not redirected, or B was\n");
out:
	for (int *fd = (int[]){ A.cli, A.srv, B.cli, B.srv, lst, cg_fd }, i = 0; i < 6; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	bpf_link__destroy(link);
	sockmap__destroy(skel);
	sample_cgroup_destroy(&cg);
	return err;
}
