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
 * completion (sent frames handed back). The socket is made with libxdp's
 * xsk.h (libbpf 1.0 dropped it) with libxdp's own XDP program inhibited, so the
 * program and the XSKMAP of this sample are the ones in use.
 *
 *   sudo ./xdpsock                  demo: private netns + veth, UDP from the peer, rxdrop
 *   sudo ./xdpsock -l               demo, l2fwd: frames go back to the peer, MACs swapped
 *   sudo ./xdpsock -t -C 1000       demo, txonly: 1000 frames to the peer
 *   sudo ./xdpsock -i eth0 -q 2     receive and drop what queue 2 of eth0 gets
 *
 * Modes: rxdrop (-r, default) receives and recycles, l2fwd (-l) swaps the MACs
 * and sends each frame back out of the same queue, txonly (-t) sends UDP frames.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "sample.h"
#include "demo.h"
#include "xdpsock.h"
#include "xdpsock.skel.h"

static const char *prog = "xdpsock";

#define NUM_FRAMES	4096
#define RING_SIZE	2048	/* fill, completion, rx and tx rings */
#define DEMO_BURST	100	/* UDP datagrams from the peer per tick */
#define DEMO_UDP_LEN	64
#define TX_DST_IP	"10.11.1.254"	/* txonly: an address nobody owns, no reply */

enum mode { MODE_RXDROP, MODE_TXONLY, MODE_L2FWD };
static const char *mode_names[] = { "rxdrop", "txonly", "l2fwd" };

/* One AF_XDP socket with its own UMEM, and what the worker thread counts. */
struct xsk {
	void *area;			/* the UMEM: NUM_FRAMES frames of frame_size */
	__u32 frame_size;
	struct xsk_umem *umem;
	struct xsk_ring_prod fq;	/* fill: frames the kernel may receive into */
	struct xsk_ring_cons cq;	/* completion: frames the kernel has sent */
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_socket *sock;
	__u64 free_addrs[NUM_FRAMES];	/* frames owned by user space, unused */
	__u32 nfree;
	__u32 outstanding_tx;		/* in the tx ring or in flight */
	/* the worker's counters, read by the main thread */
	__u64 rx_packets, tx_packets;
	__u64 tx_errors;
};

struct worker {
	struct xsk *x;
	enum mode mode;
	__u32 batch;
	__u64 tx_limit;			/* txonly: 0 = no limit */
	__u32 tx_len;			/* txonly frame length */
	volatile int stop;
	int err;
};

struct ctx {
	struct xdpsock *skel;
	struct worker *w;
	int ncpus;
	struct sample_traffic *traffic;	/* demo only */
	int peer_sock;			/* demo only: counts frames the peer gets from us */
	__u64 peer_rx;
	__u64 start_ns, last_ns, last_rx, last_tx;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Receive/send raw frames with an AF_XDP socket fed through a BPF_MAP_TYPE_XSKMAP.\n"
		"\n"
		"  -i, --interface IFACE  use IFACE (no traffic is generated);\n"
		"                         default: a private demo netns + veth, traffic from the peer\n"
		"  -q, --queue N          receive queue to bind to, 0..%d (default 0)\n"
		"  -r, --rxdrop           receive and drop (default)\n"
		"  -t, --txonly           send UDP frames\n"
		"  -l, --l2fwd            swap the MAC addresses and send each frame back\n"
		"  -S, --skb-mode         generic XDP;  -N, --native: driver XDP or fail\n"
		"  -c, --copy             copy mode;    -z, --zero-copy: zero-copy or fail\n"
		"                         (default: zero-copy where the driver has it, else copy)\n"
		"  -b, --batch-size N     frames per ring operation, 1..%d (default 64)\n"
		"  -f, --frame-size N     UMEM frame size, 2048 or 4096 (default 4096)\n"
		"  -C, --tx-count N       txonly: stop sending after N frames\n"
		"  -s, --tx-size N        txonly: frame length in bytes, 60..1514 (default 64)\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -l -d 5        sudo %s -i eth0 -q 0 -c\n",
		prog, XDPSOCK_MAX_QUEUES - 1, RING_SIZE, prog, prog);
}

/* ---- the data path (worker thread) -------------------------------------- */

static void kick_tx(struct xsk *x)
{
	/* Copy mode sends in sendto(); a zero-copy driver is woken up by it. */
	if (sendto(xsk_socket__fd(x->sock), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != ENOBUFS && errno != EAGAIN && errno != EBUSY && errno != ENETDOWN)
		x->tx_errors++;
}

/* Give free frames to the kernel for receiving. */
static void refill(struct xsk *x, __u32 batch)
{
	__u32 idx, n = xsk_prod_nb_free(&x->fq, batch);

	if (n > x->nfree)
		n = x->nfree;
	if (n > batch)
		n = batch;
	if (!n || xsk_ring_prod__reserve(&x->fq, n, &idx) != n)
		return;
	for (__u32 i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = x->free_addrs[--x->nfree];
	xsk_ring_prod__submit(&x->fq, n);
}

/* Take back the frames the kernel has sent. */
static void complete(struct xsk *x, __u32 batch)
{
	__u32 idx, n;

	if (!x->outstanding_tx)
		return;
	kick_tx(x);
	n = xsk_ring_cons__peek(&x->cq, batch, &idx);
	for (__u32 i = 0; i < n; i++)
		x->free_addrs[x->nfree++] = *xsk_ring_cons__comp_addr(&x->cq, idx + i);
	if (n) {
		xsk_ring_cons__release(&x->cq, n);
		x->outstanding_tx -= n;
	}
}

static void swap_macs(void *frame)
{
	unsigned char *p = frame, tmp[ETH_ALEN];

	memcpy(tmp, p, ETH_ALEN);
	memcpy(p, p + ETH_ALEN, ETH_ALEN);
	memcpy(p + ETH_ALEN, tmp, ETH_ALEN);
}

static void rx_once(struct worker *w)
{
	struct xsk *x = w->x;
	__u32 idx_rx, idx_tx, n = xsk_ring_cons__peek(&x->rx, w->batch, &idx_rx);

	if (!n)
		return;
	if (w->mode == MODE_L2FWD) {
		/* The same frame goes back out: its address moves from the rx
		 * ring to the tx ring, no copy in user space. */
		while (xsk_ring_prod__reserve(&x->tx, n, &idx_tx) != n) {
			complete(x, w->batch);
			if (w->stop)
				return;
		}
		for (__u32 i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx_rx + i);
			struct xdp_desc *t = xsk_ring_prod__tx_desc(&x->tx, idx_tx + i);

			swap_macs(xsk_umem__get_data(x->area, d->addr));
			t->addr = d->addr;
			t->len = d->len;
		}
		xsk_ring_prod__submit(&x->tx, n);
		x->outstanding_tx += n;
	} else {
		for (__u32 i = 0; i < n; i++)
			x->free_addrs[x->nfree++] =
				xsk_umem__extract_addr(xsk_ring_cons__rx_desc(&x->rx, idx_rx + i)->addr);
	}
	xsk_ring_cons__release(&x->rx, n);
	__atomic_add_fetch(&x->rx_packets, n, __ATOMIC_RELAXED);
	if (w->mode == MODE_L2FWD) {
		complete(x, w->batch);
		__atomic_add_fetch(&x->tx_packets, n, __ATOMIC_RELAXED);
	}
	refill(x, w->batch);
}

static void tx_once(struct worker *w)
{
	struct xsk *x = w->x;
	__u64 sent = __atomic_load_n(&x->tx_packets, __ATOMIC_RELAXED);
	__u32 idx, n = w->batch;

	if (w->tx_limit && sent + n > w->tx_limit)
		n = w->tx_limit - sent;
	if (n > x->nfree)
		n = x->nfree;
	if (n && xsk_ring_prod__reserve(&x->tx, n, &idx) == n) {
		for (__u32 i = 0; i < n; i++) {
			struct xdp_desc *t = xsk_ring_prod__tx_desc(&x->tx, idx + i);

			t->addr = x->free_addrs[--x->nfree];
			t->len = w->tx_len;
		}
		xsk_ring_prod__submit(&x->tx, n);
		x->outstanding_tx += n;
		__atomic_add_fetch(&x->tx_packets, n, __ATOMIC_RELAXED);
	}
	complete(x, w->batch);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct xsk *x = w->x;
	struct pollfd pfd = { .fd = xsk_socket__fd(x->sock), .events = POLLIN };

	while (!w->stop) {
		if (w->mode == MODE_TXONLY) {
			__u64 sent = __atomic_load_n(&x->tx_packets, __ATOMIC_RELAXED);

			if (!w->tx_limit || sent < w->tx_limit) {
				tx_once(w);
				continue;
			}
			complete(x, w->batch);
			poll(NULL, 0, 10);	/* all sent: idle */
			continue;
		}
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			w->err = -errno;
			break;
		}
		rx_once(w);
	}
	/* Let the last frames leave before the socket goes away. */
	for (int i = 0; i < 100 && x->outstanding_tx; i++) {
		complete(x, RING_SIZE);
		if (x->outstanding_tx)
			usleep(1000);
	}
	return NULL;
}

/* ---- setup -------------------------------------------------------------- */

/* A UDP/IPv4 frame from src_mac to dst_mac, 10.11.1.1:7000 -> TX_DST_IP:7000,
 * written once into every frame of the UMEM (txonly never receives). */
static void write_tx_frames(struct xsk *x, __u32 len, const unsigned char *src_mac,
			    const unsigned char *dst_mac)
{
	unsigned char f[1514] = {};
	struct in_addr s, d;
	__u32 sum = 0;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (len - 14) >> 8;
	f[17] = (len - 14) & 0xff;
	f[22] = 64;
	f[23] = IPPROTO_UDP;
	inet_pton(AF_INET, "10.11.1.1", &s);
	inet_pton(AF_INET, TX_DST_IP, &d);
	memcpy(f + 26, &s, 4);
	memcpy(f + 30, &d, 4);
	for (int i = 14; i < 34; i += 2)
		sum += (f[i] << 8) | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = ~sum >> 8;
	f[25] = ~sum & 0xff;
	f[34] = 7000 >> 8;		/* UDP ports 7000 -> 7000, checksum 0 (none) */
	f[35] = 7000 & 0xff;
	f[36] = 7000 >> 8;
	f[37] = 7000 & 0xff;
	f[38] = (len - 34) >> 8;
	f[39] = (len - 34) & 0xff;
	for (__u32 i = 42; i < len; i++)
		f[i] = i;
	for (__u32 i = 0; i < NUM_FRAMES; i++)
		memcpy((char *)x->area + (__u64)i * x->frame_size, f, len);
}

static int xsk_open(struct xsk *x, const char *ifname, __u32 queue, __u32 frame_size,
		    __u16 bind_flags, bool need_tx)
{
	struct xsk_umem_config ucfg = {
		.fill_size = RING_SIZE, .comp_size = RING_SIZE,
		.frame_size = frame_size, .frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = RING_SIZE, .tx_size = RING_SIZE,
		/* libxdp must not load its own XDP program or XSKMAP: ours are used,
		 * and the XSKMAP slot is set by this sample. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = bind_flags,
	};
	size_t size = (size_t)NUM_FRAMES * frame_size;
	int err;

	x->frame_size = frame_size;
	x->area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&x->umem, x->area, size, &x->fq, &x->cq, &ucfg);
	if (err)
		return err < 0 ? err : -err;
	/* rxdrop needs no tx ring; a socket needs at least one of rx and tx. */
	err = xsk_socket__create(&x->sock, ifname, queue, x->umem, &x->rx,
				 need_tx ? &x->tx : NULL, &scfg);
	if (err) {
		x->sock = NULL;
		return err < 0 ? err : -err;
	}
	for (__u32 i = 0; i < NUM_FRAMES; i++)
		x->free_addrs[x->nfree++] = (__u64)(NUM_FRAMES - 1 - i) * frame_size;
	return 0;
}

static void xsk_close(struct xsk *x)
{
	if (x->sock)
		xsk_socket__delete(x->sock);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, (size_t)NUM_FRAMES * x->frame_size);
}

/* Demo: a packet socket on the peer's veth that counts frames coming from
 * demo0 (source MAC) to UDP port 7000: the l2fwd replies and the txonly
 * frames. A classic BPF filter keeps only those and truncates them to one
 * byte; PACKET_STATISTICS then counts every match, even ones the socket
 * had no room for. */
static int open_peer_counter(struct sample_demo *d)
{
	__u32 mac_hi = (d->mac[0] << 24) | (d->mac[1] << 16) | (d->mac[2] << 8) | d->mac[3];
	__u32 mac_lo = (d->mac[4] << 8) | d->mac[5];
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 6),		/* source MAC, bytes 0-3 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mac_hi, 0, 9),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 10),		/* source MAC, bytes 4-5 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mac_lo, 0, 7),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),		/* ethertype IPv4 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),		/* protocol UDP */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 36),		/* destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SAMPLE_UDP_PORT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog fprog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = d->peer_ifindex,
	};
	int fd = sample_netns_socket(d->peer_ns, AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
				     htons(ETH_P_ALL));
	int err;

	if (fd < 0)
		return fd;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void read_peer_counter(struct ctx *c)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	char buf[64];

	while (recv(c->peer_sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;		/* drain; the statistics below are what counts */
	if (!getsockopt(c->peer_sock, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		c->peer_rx += st.tp_packets;	/* includes tp_drops; resets on read */
}

/* ---- output ------------------------------------------------------------- */

static int read_xdp_counts(struct ctx *c, __u64 out[2])
{
	struct xdp_counts v[c->ncpus];
	__u32 zero = 0;

	/* The kernel writes one value per possible CPU. Zeroed first: valgrind
	 * believes a lookup writes only value_size bytes (one CPU's share). */
	memset(v, 0, sizeof(v));
	if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.xdp_counts), &zero, v))
		return -errno;
	sample_percpu_sum(v, c->ncpus, sizeof(struct xdp_counts), out);
	return 0;
}

static int print_row(struct ctx *c, bool final)
{
	__u64 now = sample_now_ns(), xc[2];
	__u64 rx = __atomic_load_n(&c->w->x->rx_packets, __ATOMIC_RELAXED);
	__u64 tx = __atomic_load_n(&c->w->x->tx_packets, __ATOMIC_RELAXED);
	double dt = (now - (final ? c->start_ns : c->last_ns)) / 1e9;
	char b[7][SAMPLE_FMT_LEN];
	int err = read_xdp_counts(c, xc);

	if (err) {
		fprintf(stderr, "%s: reading the XDP counters failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	if (c->peer_sock >= 0)
		read_peer_counter(c);
	if (dt <= 0)
		dt = 1e-9;
	printf("%7.1f  %10s %12s  %10s %12s  %12s %10s", (now - c->start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, (rx - (final ? 0 : c->last_rx)) / dt),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, rx),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, (tx - (final ? 0 : c->last_tx)) / dt),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, tx),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, xc[0]),
	       sample_fmt_u64(b[5], SAMPLE_FMT_LEN, xc[1]));
	if (c->peer_sock >= 0)
		printf(" %10s", sample_fmt_u64(b[6], SAMPLE_FMT_LEN, c->peer_rx));
	printf("\n");
	fflush(stdout);
	c->last_ns = now;
	c->last_rx = rx;
	c->last_tx = tx;
	return 0;
}

static int tick(void *arg)
{
	struct ctx *c = arg;

	if (c->w->err) {
		fprintf(stderr, "%s: the AF_XDP worker failed: %s\n", prog, sample_strerror(c->w->err));
		return c->w->err;
	}
	if (c->traffic) {
		struct sockaddr_storage ss;
		int err = 0;

		sample_sockaddr("10.11.1.1", SAMPLE_UDP_PORT, &ss);
		for (int i = 0; i < DEMO_BURST && !err; i++)
			err = sample_traffic_udp(c->traffic, (struct sockaddr *)&ss, DEMO_UDP_LEN);
		if (err) {
			fprintf(stderr, "%s: demo traffic failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		sample_traffic_poll(c->traffic, 50);
	}
	return print_row(c, false);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "rxdrop", no_argument, NULL, 'r' },
		{ "txonly", no_argument, NULL, 't' },
		{ "l2fwd", no_argument, NULL, 'l' },
		{ "skb-mode", no_argument, NULL, 'S' },
		{ "native", no_argument, NULL, 'N' },
		{ "copy", no_argument, NULL, 'c' },
		{ "zero-copy", no_argument, NULL, 'z' },
		{ "batch-size", required_argument, NULL, 'b' },
		{ "frame-size", required_argument, NULL, 'f' },
		{ "tx-count", required_argument, NULL, 'C' },
		{ "tx-size", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static struct xsk x;	/* large (the free list): not on the stack */
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct sample_traffic traffic = SAMPLE_TRAFFIC_INIT;
	struct sample_demo demo = { .orig_ns = -1, .ns = -1, .peer_ns = -1 };
	struct worker w = { .x = &x, .mode = MODE_RXDROP, .batch = 64, .tx_len = 64 };
	enum sample_xdp_mode xdp_mode = SAMPLE_XDP_AUTO;
	__u16 bind_flags = 0;
	__u32 queue = 0, frame_size = XSK_UMEM__DEFAULT_FRAME_SIZE;
	const char *ifname = NULL, *mode_used = "?";
	bool verbose = false, use_demo, thread_started = false;
	struct xdpsock *skel = NULL;
	struct ctx c = { .peer_sock = -1 };
	int opt, ifindex, xdp_fd = -1, err, map_fd, sock_fd;
	struct xdp_options xo = {};
	socklen_t optlen = sizeof(xo);
	pthread_t th;
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":i:q:rtlSNczb:f:C:s:d:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'q':
			if (sample_parse_uint(prog, 'q', optarg, 0, XDPSOCK_MAX_QUEUES - 1, &v))
				return 2;
			queue = v;
			break;
		case 'r':
			w.mode = MODE_RXDROP;
			break;
		case 't':
			w.mode = MODE_TXONLY;
			break;
		case 'l':
			w.mode = MODE_L2FWD;
			break;
		case 'S':
			xdp_mode = SAMPLE_XDP_GENERIC;
			break;
		case 'N':
			xdp_mode = SAMPLE_XDP_NATIVE;
			break;
		case 'c':
			bind_flags = XDP_COPY;
			break;
		case 'z':
			bind_flags = XDP_ZEROCOPY;
			break;
		case 'b':
			if (sample_parse_uint(prog, 'b', optarg, 1, RING_SIZE, &v))
				return 2;
			w.batch = v;
			break;
		case 'f':
			if (sample_parse_uint(prog, 'f', optarg, 2048, 4096, &v))
				return 2;
			if (v != 2048 && v != 4096) {
				fprintf(stderr, "%s: invalid value '%s' for -f: expected 2048 or 4096 "
					"(aligned UMEM frames are a power of two)\n", prog, optarg);
				return 2;
			}
			frame_size = v;
			break;
		case 'C':
			if (sample_parse_uint(prog, 'C', optarg, 1, 1000000000000ul, &v))
				return 2;
			w.tx_limit = v;
			break;
		case 's':
			if (sample_parse_uint(prog, 's', optarg, 60, 1514, &v))
				return 2;
			w.tx_len = v;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &v))
				return 2;
			run.duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(prog, optarg, &run.interval_ms))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n", prog, argv[optind]);
		return 2;
	}
	if (w.tx_len > frame_size) {
		fprintf(stderr, "%s: -s %u does not fit a frame of %u bytes\n", prog, w.tx_len, frame_size);
		return 2;
	}
	use_demo = !ifname;

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	/* 1. Where: the demo's veth (queue 0), or the user's interface. */
	if (use_demo) {
		if (sample_demo_setup(&demo, prog, 0))
			return 1;
		ifname = demo.ifname;
		ifindex = demo.ifindex;
		if (w.mode != MODE_TXONLY) {
			if ((err = sample_traffic_open(&traffic, &demo, SAMPLE_TRAFFIC_UDP))) {
				fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
					sample_strerror(err));
				goto cleanup;
			}
			c.traffic = &traffic;
		}
		c.peer_sock = open_peer_counter(&demo);
		if (c.peer_sock < 0) {
			err = c.peer_sock;
			fprintf(stderr, "%s: opening the peer's packet counter failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
	} else {
		ifindex = sample_ifindex(prog, ifname);
		if (ifindex < 0)
			return 1;
	}

	/* 2. Load the XDP program and its XSKMAP. */
	skel = xdpsock__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.xdp_counts) != sizeof(struct xdp_counts)) {
		fprintf(stderr, "%s: value size mismatch between xdpsock.h and the object\n", prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.w = &w;
	c.ncpus = libbpf_num_possible_cpus();

	/* 3. Attach XDP first: until the socket is in its slot, the program
	 *    passes this queue's frames to the stack (the XDP_PASS fallback). */
	xdp_fd = sample_xdp_attach(prog, skel->progs.xdp_sock_prog, ifindex, xdp_mode, &mode_used);
	if (xdp_fd < 0) {
		err = xdp_fd;
		goto cleanup;
	}

	/* 4. UMEM + socket bound to (ifname, queue), no program from libxdp. */
	err = xsk_open(&x, ifname, queue, frame_size, bind_flags, w.mode != MODE_RXDROP);
	if (err) {
		if (err == -EOPNOTSUPP && bind_flags == XDP_ZEROCOPY)
			fprintf(stderr, "%s: %s has no zero-copy AF_XDP support (EOPNOTSUPP); "
				"use -c for copy mode\n", prog, ifname);
		else if (err == -EINVAL && !x.sock && x.umem)
			fprintf(stderr, "%s: binding an AF_XDP socket to %s queue %u failed: %s "
				"(does %s have that rx queue? see 'ethtool -l %s')\n", prog, ifname,
				queue, sample_strerror(err), ifname, ifname);
		else if (err == -EBUSY)
			fprintf(stderr, "%s: %s queue %u already has an AF_XDP socket or UMEM (EBUSY); "
				"stop the other user or pick another queue with -q\n", prog, ifname, queue);
		else
			fprintf(stderr, "%s: creating the AF_XDP socket on %s queue %u failed: %s\n",
				prog, ifname, queue, sample_strerror(err));
		goto cleanup;
	}
	sock_fd = xsk_socket__fd(x.sock);
	if (getsockopt(sock_fd, SOL_XDP, XDP_OPTIONS, &xo, &optlen))
		xo.flags = 0;

	/* 5. Our XSKMAP slot for this queue: key = queue id, value = socket fd. */
	map_fd = bpf_map__fd(skel->maps.xsks_map);
	if (bpf_map_update_elem(map_fd, &queue, &sock_fd, 0)) {
		err = -errno;
		fprintf(stderr, "%s: putting the socket into XSKMAP slot %u failed: %s\n", prog,
			queue, sample_strerror(err));
		goto cleanup;
	}

	if (w.mode == MODE_TXONLY) {
		unsigned char mac[6] = {}, bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

		if (use_demo)
			memcpy(mac, demo.mac, 6);
		else
			sample_iface_mac(ifname, mac);
		write_tx_frames(&x, w.tx_len, mac, use_demo ? demo.peer_mac : bcast);
	} else {
		refill(&x, RING_SIZE);	/* receive buffers for the kernel */
	}

	if ((err = -pthread_create(&th, NULL, worker_main, &w))) {
		fprintf(stderr, "%s: starting the worker thread failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	thread_started = true;

	/* 6. Run. */
	printf("AF_XDP %s on %s queue %u: XDP %s, %s mode, batch %u, frame size %u%s\n",
	       mode_names[w.mode], ifname, queue, mode_used,
	       xo.flags & XDP_OPTIONS_ZEROCOPY ? "zero-copy" : "copy", w.batch, frame_size,
	       use_demo ? (w.mode == MODE_TXONLY ? "; demo: the peer counts what arrives"
			   : "; demo: UDP from the peer netns") : "");
	printf("%7s  %10s %12s  %10s %12s  %12s %10s%s\n", "time", "rx pps", "rx total",
	       "tx pps", "tx total", "xdp->socket", "xdp pass", use_demo ? "    peer rx" : "");
	fflush(stdout);
	c.start_ns = c.last_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 7. Summary: let the last frames land, stop the worker, final read. */
	if (c.traffic)
		sample_traffic_poll(&traffic, 200);
	else
		usleep(200000);
	w.stop = 1;
	pthread_join(th, NULL);
	thread_started = false;
	if (!err && w.err)
		err = w.err;
	if (!err) {
		struct xdp_statistics st = {};
		socklen_t slen = sizeof(st);

		printf("final:\n");
		err = print_row(&c, true);
		if (!err && !getsockopt(sock_fd, SOL_XDP, XDP_STATISTICS, &st, &slen))
			printf("socket: rx_dropped %llu, rx_ring_full %llu, fill_ring_empty %llu, "
			       "tx_ring_empty %llu, invalid descs rx %llu tx %llu\n",
			       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_ring_full,
			       (unsigned long long)st.rx_fill_ring_empty_descs,
			       (unsigned long long)st.tx_ring_empty_descs,
			       (unsigned long long)st.rx_invalid_descs,
			       (unsigned long long)st.tx_invalid_descs);
		if (!err && use_demo && w.mode == MODE_TXONLY)
			printf("demo: the peer received %llu frames from %s\n",
			       (unsigned long long)c.peer_rx, ifname);
		else if (!err && use_demo)
			printf("demo sent: %llu UDP frames from the peer; the peer received %llu "
			       "frames from %s\n", (unsigned long long)traffic.udp_sent,
			       (unsigned long long)c.peer_rx, ifname);
	}

cleanup:
	if (thread_started) {
		w.stop = 1;
		pthread_join(th, NULL);
	}
	if (xdp_fd >= 0)
		close(xdp_fd);
	xsk_close(&x);
	xdpsock__destroy(skel);
	if (c.peer_sock >= 0)
		close(c.peer_sock);
	sample_traffic_close(&traffic);
	if (use_demo)
		sample_demo_teardown(&demo);
	return err ? 1 : 0;
}
