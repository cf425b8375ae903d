// SPDX-License-Identifier: GPL-2.0
/*
 * xdpsock - receive and send raw frames with an AF_XDP socket fed by a
 * BPF_MAP_TYPE_XSKMAP.
 *
 * An XDP program on the interface redirects every frame of receive queue Q into
 * the XSKMAP slot Q, where this program has put an AF_XDP socket bound to that
 * interface and queue. Frames land in a UMEM (a memory area shared with the
 * kernel) and are exchanged through four rings: fill (free frames for the
 * kernel to receive into), rx (received frames), tx (frames to send) and
 * completion (sent frames handed back); xdpsock_umem.c has them and the
 * worker thread that runs them. The socket is made with libxdp's xsk.h
 * (libbpf 1.0 dropped it) with libxdp's own XDP program inhibited, so the
 * program and the XSKMAP of this sample are the ones in use.
 *
 *   sudo ./xdpsock                  demo: private netns + veth, UDP from the peer, rxdrop
 *   sudo ./xdpsock -l               demo, l2fwd: frames go back to the peer, MACs swapped
 *   sudo ./xdpsock -t -C 1000       demo, txonly: 1000 frames to the peer
 *   sudo ./xdpsock -i eth0 -q 2     receive and drop what queue 2 of eth0 gets
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "sample.h"
#include "xdp_outcome.h"
#include "xdpsock.h"
#include "xdpsock.skel.h"
#include "xdpsock_umem.h"
#include "xdpsock_demo.h" /* demo */

static const struct sample_cli cli = {
	.name = "xdpsock",
	.about = "Receive/send raw frames with an AF_XDP socket fed through a BPF_MAP_TYPE_XSKMAP.",
	.demo = "Without -i: a demo in a private netns + veth, with UDP from the peer.", /* demo */
	.iface_help = "use IFACE (no traffic is generated)",
	.options =
		(const struct sample_option[]){
			{ 'q', "queue", "N", "receive queue to bind to, 0..63 (default 0)" },
			{ 'r', "rxdrop", NULL, "receive and drop (default)" },
			{ 't', "txonly", NULL, "send UDP frames" },
			{ 'l', "l2fwd", NULL, "swap the MAC addresses and send each frame back" },
			{ 'c', "copy", NULL, "copy mode" },
			{ 'z', "zero-copy", NULL,
			  "zero-copy or fail\n"
			  "(default: zero-copy where the driver has it, else copy)" },
			{ 'b', "batch-size", "N",
			  "frames per ring operation, 1..2048 (default 64)" },
			{ 'f', "frame-size", "N", "UMEM frame size, 2048 or 4096 (default 4096)" },
			{ 'C', "tx-count", "N", "txonly: stop sending after N frames" },
			{ 's', "tx-size", "N",
			  "txonly: frame length in bytes, 60..1514 (default 64)" },
			{},
		},
	.examples = "sudo ./xdpsock -l -d 5        sudo ./xdpsock -i eth0 -q 0 -c",
	.xdp_modes = true, /* -S generic, -N native: o.xdp_mode */
};

/* The header: mode, where, XDP mode, copy or zero-copy as the kernel bound
 * the socket (XDP_OPTIONS), note, then the column names (and extra_col). */
static void print_header(const struct sample_opts *o, const struct xdpsock_cfg *cfg,
			 const char *xdp_mode, int sock_fd, const char *note, const char *extra_col)
{
	struct xdp_options xo = {};
	socklen_t len = sizeof(xo);

	if (getsockopt(sock_fd, SOL_XDP, XDP_OPTIONS, &xo, &len))
		xo.flags = 0;
	printf("AF_XDP %s on %s queue %u: XDP %s, %s mode, batch %u, frame size %u%s\n",
	       xdpsock_mode_name(cfg->mode), o->ifname, cfg->queue, xdp_mode,
	       xo.flags & XDP_OPTIONS_ZEROCOPY ? "zero-copy" : "copy", cfg->batch, cfg->frame_size,
	       note);
	printf("%7s  %10s %12s  %10s %12s  %12s %10s %10s%s\n", "time", "rx pps", "rx total",
	       "tx pps", "tx total", "xdp->socket", "redir err", "xdp pass", extra_col);
	fflush(stdout);
}

/* Where the rates of a row start from. */
struct rates {
	__u64 start_ns, last_ns, last_rx, last_tx;
};

/* One row: the socket's rx and tx (rate and total), what the XDP program did
 * (XSKMAP redirect, or XDP_PASS for a queue without a socket), the redirects
 * the socket refused (the kernel's xdp_redirect_err on this interface), and
 * extra_col at the end (the demo's: what the peer received). final: rates
 * over the whole run. */
static int print_row(struct xdpsock *skel, const struct sample_xdp_outcome *outcome, int ifindex,
		     const struct xdpsock_socket *xs, struct rates *r, bool final,
		     const char *extra_col)
{
	__u64 now = sample_now_ns();
	__u64 rx = xdpsock_read(&xs->rx_packets);
	__u64 tx = xdpsock_read(&xs->tx_packets);
	double dt = (now - (final ? r->start_ns : r->last_ns)) / 1e9;
	struct xdp_counts xc;
	struct xdp_outcome in;
	char b[7][SAMPLE_FMT_LEN];
	__u32 zero = 0;
	int err;

	err = sample_percpu_lookup(skel->maps.xdp_counts, &zero, (__u64 *)&xc);
	if (!err)
		err = sample_xdp_outcome_get(outcome, XDP_OUT_INGRESS, ifindex, &in);
	if (err) {
		fprintf(stderr, "xdpsock: reading the XDP counters failed: %s\n",
			sample_strerror(err));
		return err;
	}
	if (dt <= 0)
		dt = 1e-9;
	printf("%7.1f  %10s %12s  %10s %12s  %12s %10s %10s%s\n", (now - r->start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, (rx - (final ? 0 : r->last_rx)) / dt),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, rx),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, (tx - (final ? 0 : r->last_tx)) / dt),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, tx),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, xc.redirected),
	       sample_fmt_u64(b[5], SAMPLE_FMT_LEN, in.redirect_err),
	       sample_fmt_u64(b[6], SAMPLE_FMT_LEN, xc.passed), extra_col);
	fflush(stdout);
	*r = (struct rates){ r->start_ns, now, rx, tx };
	return 0;
}

/* Frames the program redirected that the socket never got: xdp_do_redirect()
 * failed after the program returned (fill ring empty, rx ring full, socket
 * bound elsewhere), as the kernel's XDP tracepoints saw it on this interface. */
static int print_refused(const struct sample_xdp_outcome *outcome, const struct sample_opts *o)
{
	char b[2][SAMPLE_FMT_LEN];
	struct xdp_outcome in;
	int err;

	err = sample_xdp_outcome_get(outcome, XDP_OUT_INGRESS, o->ifindex, &in);
	if (err)
		return err;
	printf("after the redirect on %s (kernel XDP tracepoints): %s refused by the socket, "
	       "%s aborted, last error %s\n",
	       o->ifname, sample_fmt_u64(b[0], sizeof(b[0]), in.redirect_err),
	       sample_fmt_u64(b[1], sizeof(b[1]), in.exceptions),
	       in.last_err ? sample_errname((int)in.last_err) : "none");
	return 0;
}

int main(int argc, char **argv)
{
	static struct xdpsock_socket xs; /* large (the free list): not on the stack */
	struct xdpsock_worker w = { .xs = &xs,
				    .efd = -1,
				    .cfg = { .mode = XDPSOCK_RXDROP,
					     .batch = 64,
					     .tx_len = 64,
					     .frame_size = XSK_UMEM__DEFAULT_FRAME_SIZE } };
	struct xdpsock_demo demo = XDPSOCK_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct sample_xdp_outcome outcome = {};
	struct xdpsock *skel = NULL;
	unsigned char src_mac[6] = {};
	unsigned char dst_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const char *mode_used = "?";
	const char *note = "";
	const char *extra_head = "";
	char extra_col[SAMPLE_FMT_LEN + 2] = "";
	struct xdpsock_cfg *cfg = &w.cfg;
	int opt, link_fd = -1, sock_fd, err, ev;
	struct rates r;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1)
		if (xdpsock_cfg_option(cfg, o.prog, opt, optarg))
			return 2;

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where: the user's interface, or the demo's veth (queue 0). txonly
	 *    sends to the broadcast MAC, in the demo to the peer's MAC. */
	if (!o.ifname) { /* demo */
		err = xdpsock_demo_open(&demo, &o, cfg->mode, dst_mac); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		note = xdpsock_demo_about(&demo); /* demo */
		extra_head = xdpsock_demo_head(&demo); /* demo */
	} /* demo */

	/* 2. Load the XDP program and its XSKMAP; follow what becomes of its
	 *    redirects on this interface (common/xdp_outcome.h). */
	skel = xdpsock__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	err = sample_xdp_outcome_open(&outcome, o.prog, skel->obj);
	if (err)
		goto cleanup;
	err = sample_xdp_outcome_watch(&outcome, o.ifindex);
	if (err)
		goto cleanup;

	/* 3. Attach XDP first, through a bpf_link (gone with the process, even
	 *    on kill -9): until the socket is in its slot, the program passes
	 *    this queue's frames to the stack (the XDP_PASS fallback). */
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
	link_fd = bpf_link_create(bpf_program__fd(skel->progs.xdp_sock_prog), o.ifindex, BPF_XDP,
				  &xdp_opts);
	if (link_fd < 0) {
		err = sample_xdp_attach_failed(o.prog, o.ifindex, o.xdp_mode, -errno);
		goto cleanup;
	}
	mode_used = sample_xdp_mode_used(o.ifindex);

	/* 4. UMEM + socket bound to (interface, queue), no program from libxdp. */
	err = xdpsock_socket_open(&xs, o.prog, o.ifname, cfg);
	if (err)
		goto cleanup;
	sock_fd = xsk_socket__fd(xs.sock);

	/* 5. Our XSKMAP slot for this queue: key = queue id, value = socket fd. */
	err = bpf_map__update_elem(skel->maps.xsks_map, &cfg->queue, sizeof(cfg->queue), &sock_fd,
				   sizeof(sock_fd), 0);
	if (err) {
		fprintf(stderr, "%s: putting the socket into XSKMAP slot %u failed: %s\n", o.prog,
			cfg->queue, sample_strerror(err));
		goto cleanup;
	}

	/* 6. The data path runs in a thread of its own; it signals its eventfd
	 *    if it fails. */
	sample_iface_mac(o.ifname, src_mac);
	err = xdpsock_worker_start(&w, o.prog, src_mac, dst_mac);
	if (err)
		goto cleanup;

	/* 7. Run: one row per tick until Ctrl-C, SIGTERM or -d. */
	print_header(&o, cfg, mode_used, sock_fd, note, extra_head);
	r = (struct rates){ .start_ns = sample_now_ns(), .last_ns = sample_now_ns() };
	err = sample_loop_open(&loop, &o, w.efd);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) { /* demo */
			err = xdpsock_demo_step(&demo); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
		} /* demo */
		xdpsock_demo_col(&demo, extra_col, sizeof(extra_col)); /* demo */
		err = print_row(skel, &outcome, o.ifindex, &xs, &r, false, extra_col);
		if (err)
			goto cleanup;
	}
	if (ev == SAMPLE_READY) {
		err = w.err;
		fprintf(stderr, "%s: the AF_XDP worker failed: %s\n", o.prog, sample_strerror(err));
		goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 8. Summary: let the last frames land, stop the worker, final read. */
	usleep(200000);
	xdpsock_worker_stop(&w);
	printf("final:\n");
	xdpsock_demo_col(&demo, extra_col, sizeof(extra_col)); /* demo */
	err = print_row(skel, &outcome, o.ifindex, &xs, &r, true, extra_col);
	if (err)
		goto cleanup;
	xdpsock_socket_print_stats(&xs); /* and, l2fwd/txonly, the completion ring */
	err = print_refused(&outcome, &o);

cleanup:
	sample_loop_close(&loop);
	xdpsock_worker_stop(&w);
	if (link_fd >= 0)
		close(link_fd);
	xdpsock_socket_close(&xs);
	sample_xdp_outcome_close(&outcome);
	xdpsock__destroy(skel);
	xdpsock_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
