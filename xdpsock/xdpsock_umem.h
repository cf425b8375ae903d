/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdpsock_umem.h - xdpsock's AF_XDP socket: the UMEM, its four rings, and the
 * worker thread that moves frames through them (rxdrop, l2fwd, txonly).
 *
 * The UMEM is NUM_FRAMES frames of frame_size bytes shared with the kernel.
 * User space owns a frame until it hands its address over on the fill ring
 * (to receive into) or the tx ring (to send); the kernel hands it back on the
 * rx ring (received) or the completion ring (sent). free_addrs holds the
 * frames user space owns and does not use. The options that shape the socket
 * (xdpsock_cfg) are parsed here too.
 */
#ifndef XDPSOCK_UMEM_H
#define XDPSOCK_UMEM_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>
#include <xdp/xsk.h>

#include "sample.h"

#define XDPSOCK_NUM_FRAMES 4096
#define XDPSOCK_RING_SIZE 2048 /* fill, completion, rx and tx rings */

enum xdpsock_mode { XDPSOCK_RXDROP, XDPSOCK_TXONLY, XDPSOCK_L2FWD };

/* What the options choose. */
struct xdpsock_cfg {
	enum xdpsock_mode mode;
	__u32 queue; /* the rx queue the socket is bound to = its XSKMAP key */
	__u32 frame_size; /* 2048 or 4096 */
	__u16 bind_flags; /* XDP_COPY, XDP_ZEROCOPY or 0 (the driver's best) */
	__u32 batch; /* frames per ring operation */
	__u64 tx_limit; /* txonly: stop after this many frames, 0 = no limit */
	__u32 tx_len; /* txonly: frame length */
};

/* One of xdpsock's own options (-q -r -t -l -c -z -b -f -C -s, as
 * sample_getopt() returned it) into cfg. 0, or 2 (the exit code) after one
 * line naming the bad value. */
int xdpsock_cfg_option(struct xdpsock_cfg *cfg, const char *prog, int opt, const char *optarg);
const char *xdpsock_mode_name(enum xdpsock_mode mode);

/* One AF_XDP socket with its own UMEM, and what the worker counts. */
struct xdpsock_socket {
	void *area; /* the UMEM */
	__u32 frame_size;
	struct xsk_umem *umem;
	struct xsk_ring_prod fq; /* fill: frames the kernel may receive into */
	struct xsk_ring_cons cq; /* completion: frames the kernel has sent */
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_socket *sock;
	__u64 free_addrs[XDPSOCK_NUM_FRAMES];
	__u32 nfree;
	__u32 outstanding_tx; /* on the tx ring or in flight */
	/* the worker's counters, read by the main thread */
	__u64 rx_packets; /* taken off the rx ring */
	__u64 tx_packets; /* put on the tx ring */
	__u64 tx_completed; /* handed back on the completion ring: sent */
	__u64 tx_errors; /* the sendto() kick failed */
};

/* Create the UMEM and a socket bound to (ifname, queue) without libxdp's own
 * XDP program (the sample's is used). rxdrop makes no tx ring. One line
 * naming the cause and -errno on failure (xdpsock_socket_close() cleans up). */
int xdpsock_socket_open(struct xdpsock_socket *xs, const char *prog, const char *ifname,
			const struct xdpsock_cfg *cfg);
/* Safe on a zeroed struct and twice. */
void xdpsock_socket_close(struct xdpsock_socket *xs);
/* The socket's counters from the kernel (XDP_STATISTICS) in one line; with a
 * tx ring, a second line: frames put on it, completed, outstanding. */
void xdpsock_socket_print_stats(const struct xdpsock_socket *xs);

/* The data path, in a thread of its own. */
struct xdpsock_worker {
	struct xdpsock_socket *xs;
	struct xdpsock_cfg cfg;
	pthread_t thread;
	bool started;
	volatile int stop;
	int err; /* why it stopped by itself; written before efd */
	int efd; /* an eventfd, readable once the worker failed */
};

/* Prepare the UMEM (txonly: every frame a UDP frame from src_mac to dst_mac;
 * otherwise: fill ring full of free frames) and start the thread. 0 or -errno
 * after one line. */
int xdpsock_worker_start(struct xdpsock_worker *w, const char *prog, const unsigned char src_mac[6],
			 const unsigned char dst_mac[6]);
/* Stop it after the last frames left (or 100 ms). Safe when never started. */
void xdpsock_worker_stop(struct xdpsock_worker *w);

/* A counter the worker updates, read from another thread. */
static inline __u64 xdpsock_read(const __u64 *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

#endif /* XDPSOCK_UMEM_H */
