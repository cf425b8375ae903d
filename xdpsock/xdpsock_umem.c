// SPDX-License-Identifier: GPL-2.0
/*
 * xdpsock_umem.c - the UMEM, the four rings and the worker thread of xdpsock
 * (see xdpsock_umem.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>

#include "sample.h"
#include "demo.h"
#include "xdpsock.h"
#include "xdpsock_umem.h"

#define TX_SRC_IP "10.11.1.1"
#define TX_DST_IP "10.11.1.254" /* txonly: an address nobody owns, no reply */

const char *xdpsock_mode_name(enum xdpsock_mode mode)
{
	static const char *names[] = { "rxdrop", "txonly", "l2fwd" };

	return names[mode];
}

int xdpsock_cfg_option(struct xdpsock_cfg *cfg, const char *prog, int opt, const char *optarg)
{
	unsigned long v;

	switch (opt) {
	case 'q':
		if (sample_parse_uint(prog, 'q', optarg, 0, XDPSOCK_MAX_QUEUES - 1, &v))
			return 2;
		cfg->queue = v;
		break;
	case 'r':
		cfg->mode = XDPSOCK_RXDROP;
		break;
	case 't':
		cfg->mode = XDPSOCK_TXONLY;
		break;
	case 'l':
		cfg->mode = XDPSOCK_L2FWD;
		break;
	case 'c':
		cfg->bind_flags = XDP_COPY;
		break;
	case 'z':
		cfg->bind_flags = XDP_ZEROCOPY;
		break;
	case 'b':
		if (sample_parse_uint(prog, 'b', optarg, 1, XDPSOCK_RING_SIZE, &v))
			return 2;
		cfg->batch = v;
		break;
	case 'f':
		if (sample_parse_uint(prog, 'f', optarg, 2048, 4096, &v))
			return 2;
		if (v != 2048 && v != 4096) {
			fprintf(stderr,
				"%s: invalid value '%s' for -f: expected 2048 or 4096 "
				"(aligned UMEM frames are a power of two)\n",
				prog, optarg);
			return 2;
		}
		cfg->frame_size = v;
		break;
	case 'C':
		if (sample_parse_uint(prog, 'C', optarg, 1, 1000000000000ul, &v))
			return 2;
		cfg->tx_limit = v;
		break;
	case 's':
		if (sample_parse_uint(prog, 's', optarg, 60, 1514, &v))
			return 2;
		cfg->tx_len = v;
		break;
	}
	return 0;
}

int xdpsock_socket_open(struct xdpsock_socket *xs, const char *prog, const char *ifname,
			const struct xdpsock_cfg *cfg)
{
	struct xsk_umem_config ucfg = {
		.fill_size = XDPSOCK_RING_SIZE,
		.comp_size = XDPSOCK_RING_SIZE,
		.frame_size = cfg->frame_size,
		.frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = XDPSOCK_RING_SIZE,
		.tx_size = XDPSOCK_RING_SIZE,
		/* libxdp must not load its own XDP program or XSKMAP: ours are used,
		 * and the XSKMAP slot is set by this sample. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = cfg->bind_flags,
	};
	size_t size = (size_t)XDPSOCK_NUM_FRAMES * cfg->frame_size;
	__u32 queue = cfg->queue;
	int err;

	xs->frame_size = cfg->frame_size;
	xs->area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (xs->area == MAP_FAILED) {
		xs->area = NULL;
		err = -errno;
		goto fail;
	}
	err = xsk_umem__create(&xs->umem, xs->area, size, &xs->fq, &xs->cq, &ucfg);
	if (err)
		goto fail;
	/* rxdrop needs no tx ring; a socket needs at least one of rx and tx. */
	err = xsk_socket__create(&xs->sock, ifname, queue, xs->umem, &xs->rx,
				 cfg->mode != XDPSOCK_RXDROP ? &xs->tx : NULL, &scfg);
	if (err) {
		xs->sock = NULL;
		goto fail;
	}
	for (__u32 i = 0; i < XDPSOCK_NUM_FRAMES; i++)
		xs->free_addrs[xs->nfree++] = (__u64)(XDPSOCK_NUM_FRAMES - 1 - i) * cfg->frame_size;
	return 0;
fail:
	err = err < 0 ? err : -err;
	if (err == -EOPNOTSUPP && cfg->bind_flags == XDP_ZEROCOPY)
		fprintf(stderr,
			"%s: -z: %s has no zero-copy AF_XDP support (EOPNOTSUPP); "
			"use -c for copy mode\n",
			prog, ifname);
	else if (err == -EINVAL && xs->umem)
		fprintf(stderr,
			"%s: binding an AF_XDP socket to %s queue %u failed: %s "
			"(does %s have that rx queue? see 'ethtool -l %s')\n",
			prog, ifname, queue, sample_strerror(err), ifname, ifname);
	else if (err == -EBUSY)
		fprintf(stderr,
			"%s: %s queue %u already has an AF_XDP socket or UMEM (EBUSY); "
			"stop the other user or pick another queue with -q\n",
			prog, ifname, queue);
	else
		fprintf(stderr, "%s: creating the AF_XDP socket on %s queue %u failed: %s\n", prog,
			ifname, queue, sample_strerror(err));
	return err;
}

void xdpsock_socket_close(struct xdpsock_socket *xs)
{
	if (xs->sock)
		xsk_socket__delete(xs->sock);
	if (xs->umem)
		xsk_umem__delete(xs->umem);
	if (xs->area)
		munmap(xs->area, (size_t)XDPSOCK_NUM_FRAMES * xs->frame_size);
	xs->sock = NULL;
	xs->umem = NULL;
	xs->area = NULL;
}

void xdpsock_socket_print_stats(const struct xdpsock_socket *xs)
{
	struct xdp_statistics st = {};
	socklen_t len = sizeof(st);
	char b[4][SAMPLE_FMT_LEN];

	if (getsockopt(xsk_socket__fd(xs->sock), SOL_XDP, XDP_STATISTICS, &st, &len))
		return;
	printf("socket: rx_dropped %llu, rx_ring_full %llu, fill_ring_empty %llu, "
	       "tx_ring_empty %llu, invalid descs rx %llu tx %llu\n",
	       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_fill_ring_empty_descs,
	       (unsigned long long)st.tx_ring_empty_descs, (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.tx_invalid_descs);
	if (!xs->tx.size)
		return; /* rxdrop has no tx ring */
	/* A frame is sent when the kernel hands its address back on the
	 * completion ring; one on the tx ring it rejected never comes back. */
	printf("tx: %s frames put on the tx ring, %s completed (handed back on the completion "
	       "ring), %s not yet, %s kicks failed\n",
	       sample_fmt_u64(b[0], sizeof(b[0]), xdpsock_read(&xs->tx_packets)),
	       sample_fmt_u64(b[1], sizeof(b[1]), xdpsock_read(&xs->tx_completed)),
	       sample_fmt_u64(b[2], sizeof(b[2]), xs->outstanding_tx),
	       sample_fmt_u64(b[3], sizeof(b[3]), xs->tx_errors));
}

/* ---- the data path (worker thread) -------------------------------------- */

static void kick_tx(struct xdpsock_socket *xs)
{
	/* Copy mode sends in sendto(); a zero-copy driver is woken up by it. */
	if (sendto(xsk_socket__fd(xs->sock), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != ENOBUFS && errno != EAGAIN && errno != EBUSY && errno != ENETDOWN)
		xs->tx_errors++;
}

/* Give free frames to the kernel for receiving. */
static void refill(struct xdpsock_socket *xs, __u32 batch)
{
	__u32 idx, n = xsk_prod_nb_free(&xs->fq, batch);

	if (n > xs->nfree)
		n = xs->nfree;
	if (n > batch)
		n = batch;
	if (!n || xsk_ring_prod__reserve(&xs->fq, n, &idx) != n)
		return;
	for (__u32 i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&xs->fq, idx + i) = xs->free_addrs[--xs->nfree];
	xsk_ring_prod__submit(&xs->fq, n);
}

/* Take back the frames the kernel has sent. */
static void complete(struct xdpsock_socket *xs, __u32 batch)
{
	__u32 idx, n;

	if (!xs->outstanding_tx)
		return;
	kick_tx(xs);
	n = xsk_ring_cons__peek(&xs->cq, batch, &idx);
	for (__u32 i = 0; i < n; i++)
		xs->free_addrs[xs->nfree++] = *xsk_ring_cons__comp_addr(&xs->cq, idx + i);
	if (n) {
		xsk_ring_cons__release(&xs->cq, n);
		xs->outstanding_tx -= n;
		__atomic_add_fetch(&xs->tx_completed, n, __ATOMIC_RELAXED);
	}
}

static void swap_macs(void *frame)
{
	unsigned char *p = frame, tmp[ETH_ALEN];

	memcpy(tmp, p, ETH_ALEN);
	memcpy(p, p + ETH_ALEN, ETH_ALEN);
	memcpy(p + ETH_ALEN, tmp, ETH_ALEN);
}

static void rx_once(struct xdpsock_worker *w)
{
	struct xdpsock_socket *xs = w->xs;
	__u32 batch = w->cfg.batch;
	__u32 idx_rx, idx_tx, n;

	n = xsk_ring_cons__peek(&xs->rx, batch, &idx_rx);
	if (!n)
		return;
	if (w->cfg.mode == XDPSOCK_L2FWD) {
		/* The same frame goes back out: its address moves from the rx
		 * ring to the tx ring, no copy in user space. */
		while (xsk_ring_prod__reserve(&xs->tx, n, &idx_tx) != n) {
			complete(xs, batch);
			if (w->stop)
				return;
		}
		for (__u32 i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&xs->rx, idx_rx + i);
			struct xdp_desc *t = xsk_ring_prod__tx_desc(&xs->tx, idx_tx + i);

			swap_macs(xsk_umem__get_data(xs->area, d->addr));
			t->addr = d->addr;
			t->len = d->len;
		}
		xsk_ring_prod__submit(&xs->tx, n);
		xs->outstanding_tx += n;
	} else {
		for (__u32 i = 0; i < n; i++)
			xs->free_addrs[xs->nfree++] = xsk_umem__extract_addr(
				xsk_ring_cons__rx_desc(&xs->rx, idx_rx + i)->addr);
	}
	xsk_ring_cons__release(&xs->rx, n);
	__atomic_add_fetch(&xs->rx_packets, n, __ATOMIC_RELAXED);
	if (w->cfg.mode == XDPSOCK_L2FWD) {
		complete(xs, batch);
		__atomic_add_fetch(&xs->tx_packets, n, __ATOMIC_RELAXED);
	}
	refill(xs, batch);
}

static void tx_once(struct xdpsock_worker *w)
{
	struct xdpsock_socket *xs = w->xs;
	__u64 sent = xdpsock_read(&xs->tx_packets);
	__u32 idx, n = w->cfg.batch;

	if (w->cfg.tx_limit && sent + n > w->cfg.tx_limit)
		n = w->cfg.tx_limit - sent;
	if (n > xs->nfree)
		n = xs->nfree;
	if (n && xsk_ring_prod__reserve(&xs->tx, n, &idx) == n) {
		for (__u32 i = 0; i < n; i++) {
			struct xdp_desc *t = xsk_ring_prod__tx_desc(&xs->tx, idx + i);

			t->addr = xs->free_addrs[--xs->nfree];
			t->len = w->cfg.tx_len;
		}
		xsk_ring_prod__submit(&xs->tx, n);
		xs->outstanding_tx += n;
		__atomic_add_fetch(&xs->tx_packets, n, __ATOMIC_RELAXED);
	}
	complete(xs, w->cfg.batch);
}

static void *worker_main(void *arg)
{
	struct xdpsock_worker *w = arg;
	struct xdpsock_socket *xs = w->xs;
	struct pollfd pfd = { .fd = xsk_socket__fd(xs->sock), .events = POLLIN };

	while (!w->stop) {
		if (w->cfg.mode == XDPSOCK_TXONLY) {
			__u64 sent = xdpsock_read(&xs->tx_packets);

			if (!w->cfg.tx_limit || sent < w->cfg.tx_limit) {
				tx_once(w);
				continue;
			}
			complete(xs, w->cfg.batch);
			poll(NULL, 0, 10); /* all sent: idle */
			continue;
		}
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			w->err = -errno;
			eventfd_write(w->efd, 1); /* wakes the main loop: SAMPLE_READY */
			break;
		}
		rx_once(w);
	}
	/* Let the last frames leave before the socket goes away. */
	for (int i = 0; i < 100 && xs->outstanding_tx; i++) {
		complete(xs, XDPSOCK_RING_SIZE);
		if (xs->outstanding_tx)
			usleep(1000);
	}
	return NULL;
}

/* A UDP/IPv4 frame from src_mac to dst_mac, TX_SRC_IP:7000 -> TX_DST_IP:7000,
 * written once into every frame of the UMEM (txonly never receives). */
static void write_tx_frames(struct xdpsock_socket *xs, __u32 len, const unsigned char *src_mac,
			    const unsigned char *dst_mac)
{
	unsigned char f[1514] = {};
	__u16 csum;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (len - 14) >> 8;
	f[17] = (len - 14) & 0xff;
	f[22] = 64;
	f[23] = IPPROTO_UDP;
	inet_pton(AF_INET, TX_SRC_IP, f + 26);
	inet_pton(AF_INET, TX_DST_IP, f + 30);
	csum = sample_inet_csum(f + 14, 20);
	memcpy(f + 24, &csum, 2);
	f[34] = SAMPLE_UDP_PORT >> 8; /* UDP ports 7000 -> 7000, checksum 0 (none) */
	f[35] = SAMPLE_UDP_PORT & 0xff;
	f[36] = SAMPLE_UDP_PORT >> 8;
	f[37] = SAMPLE_UDP_PORT & 0xff;
	f[38] = (len - 34) >> 8;
	f[39] = (len - 34) & 0xff;
	for (__u32 i = 42; i < len; i++)
		f[i] = i;
	for (__u32 i = 0; i < XDPSOCK_NUM_FRAMES; i++)
		memcpy((char *)xs->area + (__u64)i * xs->frame_size, f, len);
}

int xdpsock_worker_start(struct xdpsock_worker *w, const char *prog, const unsigned char src_mac[6],
			 const unsigned char dst_mac[6])
{
	int err;

	if (w->cfg.mode == XDPSOCK_TXONLY)
		write_tx_frames(w->xs, w->cfg.tx_len, src_mac, dst_mac);
	else
		refill(w->xs, XDPSOCK_RING_SIZE); /* receive buffers for the kernel */
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0)
		err = -errno;
	else
		err = -pthread_create(&w->thread, NULL, worker_main, w);
	if (err) {
		fprintf(stderr, "%s: starting the worker thread failed: %s\n", prog,
			sample_strerror(err));
		return err;
	}
	w->started = true;
	return 0;
}

void xdpsock_worker_stop(struct xdpsock_worker *w)
{
	if (w->started) {
		w->stop = 1;
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	if (w->efd >= 0)
		close(w->efd);
	w->efd = -1;
}
