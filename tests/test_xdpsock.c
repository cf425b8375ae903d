// SPDX-License-Identifier: GPL-2.0
/*
 * xdpsock: an AF_XDP socket in the XSKMAP slot of its queue receives exactly
 * the frames sent to the interface, an empty slot passes them to the stack,
 * frames put on the tx ring (l2fwd, txonly) arrive at the peer, and the
 * XSKMAP's own rules (what it accepts as a value, what user space may read).
 *
 * Everything runs on the demo pair (common/demo.h) in private namespaces:
 * demo0 has the sample's XDP program in native mode, the socket is bound to
 * demo0 queue 0 in copy mode (veth has no zero-copy).
 */
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "harness.h"
#include "sample.h"
#include "demo.h"
#include "xdp_outcome.h"
#include "xdpsock.h"
#include "xdpsock.skel.h"

#define NFRAMES 1024
#define FSIZE 4096
#define PAYLOAD 64
#define FRAME_LEN (14 + 20 + 8 + PAYLOAD)

struct fx {
	struct sample_demo d;
	struct xdpsock *skel;
	int xdp_fd;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	int udp_tx, udp_sink, peer_pkt;
};

static void fx_close(struct fx *f)
{
	if (f->xsk)
		xsk_socket__delete(f->xsk);
	if (f->umem)
		xsk_umem__delete(f->umem);
	if (f->area)
		munmap(f->area, (size_t)NFRAMES * FSIZE);
	if (f->xdp_fd >= 0)
		close(f->xdp_fd);
	xdpsock__destroy(f->skel);
	if (f->udp_tx >= 0)
		close(f->udp_tx);
	if (f->udp_sink >= 0)
		close(f->udp_sink);
	if (f->peer_pkt >= 0)
		close(f->peer_pkt);
	sample_demo_teardown(&f->d);
}

/* Demo pair, XDP program on demo0, UDP sender in the peer, UDP sink on
 * demo0's side, a packet socket on the peer's veth; no AF_XDP socket yet. */
static int fx_open(struct fx *f)
{
	struct sockaddr_in sink = { .sin_family = AF_INET, .sin_port = htons(7000) };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };

	memset(f, 0, sizeof(*f));
	f->d.orig_ns = f->d.ns = f->d.peer_ns = -1;
	f->xdp_fd = f->udp_tx = f->udp_sink = f->peer_pkt = -1;
	if (sample_demo_setup(&f->d, "test_xdpsock", 0))
		return -1;
	f->skel = xdpsock__open_and_load();
	if (!f->skel)
		return -1;
	f->xdp_fd = sample_xdp_attach("test_xdpsock", f->skel->progs.xdp_sock_prog, f->d.ifindex,
				      SAMPLE_XDP_NATIVE, NULL);
	if (f->xdp_fd < 0)
		return -1;
	f->udp_tx = sample_netns_socket(f->d.peer_ns, AF_INET, SOCK_DGRAM, 0);
	f->udp_sink = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);	/* thread is in demo0's ns */
	f->peer_pkt = sample_netns_socket(f->d.peer_ns, AF_PACKET, SOCK_RAW | SOCK_NONBLOCK,
					  htons(ETH_P_ALL));
	if (f->udp_tx < 0 || f->udp_sink < 0 || f->peer_pkt < 0)
		return -1;
	sll.sll_ifindex = f->d.peer_ifindex;
	/* room for a whole burst: the test reads the peer only afterwards */
	setsockopt(f->peer_pkt, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 16 << 20 }, sizeof(int));
	if (bind(f->udp_sink, (struct sockaddr *)&sink, sizeof(sink)) ||
	    bind(f->peer_pkt, (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	return 0;
}

/* UMEM + AF_XDP socket on demo0 queue 0 with libxdp's program inhibited. */
static int fx_xsk(struct fx *f, __u16 bind_flags, bool in_map)
{
	struct xsk_umem_config ucfg = { .fill_size = 1024, .comp_size = 1024, .frame_size = FSIZE };
	struct xsk_socket_config scfg = { .rx_size = 1024, .tx_size = 1024, .bind_flags = bind_flags,
					  .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD };
	__u32 idx, key = 0;
	int err, fd;

	f->area = mmap(NULL, (size_t)NFRAMES * FSIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->area == MAP_FAILED) {
		f->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&f->umem, f->area, (size_t)NFRAMES * FSIZE, &f->fq, &f->cq, &ucfg);
	if (err)
		return err;
	err = xsk_socket__create(&f->xsk, f->d.ifname, 0, f->umem, &f->rx, &f->tx, &scfg);
	if (err) {
		f->xsk = NULL;
		return err;
	}
	/* Frames 0..511 for receiving, 512..1023 left for sending. */
	if (xsk_ring_prod__reserve(&f->fq, 512, &idx) != 512)
		return -ENOSPC;
	for (__u32 i = 0; i < 512; i++)
		*xsk_ring_prod__fill_addr(&f->fq, idx + i) = (__u64)i * FSIZE;
	xsk_ring_prod__submit(&f->fq, 512);
	fd = xsk_socket__fd(f->xsk);
	if (in_map && bpf_map_update_elem(bpf_map__fd(f->skel->maps.xsks_map), &key, &fd, 0))
		return -errno;
	return 0;
}

static int send_udp(struct fx *f, int n)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(7000),
				   .sin_addr = f->d.addr4 };
	char payload[PAYLOAD] = "xdpsock test";

	for (int i = 0; i < n; i++)
		if (sendto(f->udp_tx, payload, sizeof(payload), 0, (struct sockaddr *)&dst,
			   sizeof(dst)) != sizeof(payload))
			return -errno;
	return 0;
}

/* Take up to `want` frames from the rx ring within 2 s; addrs/lens returned. */
static int rx_frames(struct fx *f, int want, __u64 *addrs, __u32 *lens)
{
	struct pollfd pfd = { .fd = xsk_socket__fd(f->xsk), .events = POLLIN };
	int got = 0;

	for (int t = 0; t < 200 && got < want; t++) {
		__u32 idx, n = xsk_ring_cons__peek(&f->rx, want - got, &idx);

		for (__u32 i = 0; i < n; i++, got++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&f->rx, idx + i);

			addrs[got] = d->addr;
			lens[got] = d->len;
		}
		xsk_ring_cons__release(&f->rx, n);
		if (!n)
			poll(&pfd, 1, 10);
	}
	/* anything more that arrives shortly after would be an excess */
	usleep(50000);
	{
		__u32 idx, n = xsk_ring_cons__peek(&f->rx, 64, &idx);

		xsk_ring_cons__release(&f->rx, n);
		got += n;
	}
	return got;
}

static struct xdp_counts xdp_counts(struct fx *f)
{
	int ncpus = libbpf_num_possible_cpus();
	struct xdp_counts v[ncpus], sum;
	__u32 zero = 0;

	memset(v, 0, sizeof(v));
	bpf_map_lookup_elem(bpf_map__fd(f->skel->maps.xdp_counts), &zero, v);
	sample_percpu_sum(v, ncpus, sizeof(sum), (__u64 *)&sum);
	return sum;
}

static int drain_sink(struct fx *f)
{
	char buf[256];
	int n = 0;

	usleep(50000);
	while (recv(f->udp_sink, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

/* Count frames on the peer's veth coming from demo0's MAC to the peer's MAC
 * (waits up to 2 s for want of them, then a little for any excess). */
static int peer_frames_from_demo0(struct fx *f, int want)
{
	unsigned char buf[2048];
	int got = 0;

	for (int t = 0; t < 200 && got < want; t++) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(f->peer_pkt, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (n < 0) {
			usleep(10000);
			continue;
		}
		if (from.sll_pkttype != PACKET_OUTGOING && n >= 14 &&
		    !memcmp(buf, f->d.peer_mac, 6) && !memcmp(buf + 6, f->d.mac, 6))
			got++;
	}
	usleep(50000);
	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(f->peer_pkt, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			break;
		if (from.sll_pkttype != PACKET_OUTGOING && n >= 14 &&
		    !memcmp(buf, f->d.peer_mac, 6) && !memcmp(buf + 6, f->d.mac, 6))
			got++;
	}
	return got;
}

#define FX_OR_FAIL(f)                                                               \
	do { if (fx_open(f)) { harness_fail(__FILE__, __LINE__, "setup: %s", strerror(errno)); \
			       fx_close(f); return; } } while (0)

/* rxdrop: N datagrams from the peer are N frames on the rx ring, all of the
 * expected length; none reaches the UDP socket of the stack. */
TEST(xdpsock, copy_mode_receives_exactly_n)
{
	const int N = 50;
	struct fx f;
	__u64 addrs[NFRAMES];
	__u32 lens[NFRAMES];
	int got, badlen = 0;

	FX_OR_FAIL(&f);
	CHECK_ERR(fx_xsk(&f, XDP_COPY, true), 0);
	if (!f.xsk)
		goto out;
	CHECK_ERR(send_udp(&f, N), 0);
	got = rx_frames(&f, N, addrs, lens);
	CHECK_U64(got, N);
	for (int i = 0; i < got && i < N; i++)
		badlen += lens[i] != FRAME_LEN;
	CHECK_U64(badlen, 0);
	CHECK_U64(xdp_counts(&f).redirected, N);
	CHECK_U64(xdp_counts(&f).passed, 0);
	CHECK_U64(drain_sink(&f), 0);
out:
	fx_close(&f);
}

/* A socket that exists but is not in the XSKMAP slot receives nothing: the
 * lookup misses, bpf_redirect_map() returns the XDP_PASS fallback and the
 * stack delivers the datagrams to the UDP socket. */
TEST(xdpsock, empty_slot_passes_to_stack)
{
	const int N = 20;
	struct fx f;
	__u64 addrs[NFRAMES];
	__u32 lens[NFRAMES];

	FX_OR_FAIL(&f);
	CHECK_ERR(fx_xsk(&f, XDP_COPY, false), 0);
	if (!f.xsk)
		goto out;
	CHECK_ERR(send_udp(&f, N), 0);
	CHECK_U64(drain_sink(&f), N);
	CHECK_U64(rx_frames(&f, 1, addrs, lens), 0);
	CHECK_U64(xdp_counts(&f).passed, N);
	CHECK_U64(xdp_counts(&f).redirected, 0);
out:
	fx_close(&f);
}

/* l2fwd: each received frame goes back on the tx ring with the MACs swapped;
 * the sender's side sees N frames from demo0's MAC to its own. */
TEST(xdpsock, l2fwd_returns_n_to_sender)
{
	const int N = 40;
	struct fx f;
	__u64 addrs[NFRAMES];
	__u32 lens[NFRAMES], idx, done = 0;
	int got;

	FX_OR_FAIL(&f);
	CHECK_ERR(fx_xsk(&f, XDP_COPY, true), 0);
	if (!f.xsk)
		goto out;
	CHECK_ERR(send_udp(&f, N), 0);
	got = rx_frames(&f, N, addrs, lens);
	CHECK_U64(got, N);
	REQUIRE(xsk_ring_prod__reserve(&f.tx, got, &idx) == (__u32)got, "tx ring full");
	for (int i = 0; i < got; i++) {
		unsigned char *p = xsk_umem__get_data(f.area, addrs[i]), tmp[6];
		struct xdp_desc *t = xsk_ring_prod__tx_desc(&f.tx, idx + i);

		memcpy(tmp, p, 6);
		memcpy(p, p + 6, 6);
		memcpy(p + 6, tmp, 6);
		t->addr = addrs[i];
		t->len = lens[i];
	}
	xsk_ring_prod__submit(&f.tx, got);
	/* copy mode sends from sendto(); it handles a limited batch per call */
	for (int t = 0; t < 100 && done < (__u32)got; t++) {
		__u32 n;

		sendto(xsk_socket__fd(f.xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
		n = xsk_ring_cons__peek(&f.cq, got, &idx);
		xsk_ring_cons__release(&f.cq, n);
		done += n;
	}
	CHECK_U64(done, N);
	CHECK_U64(peer_frames_from_demo0(&f, N), N);
out:
	fx_close(&f);
}

/* txonly: N frames written into the UMEM and put on the tx ring arrive at the
 * peer; the completion ring gives back exactly those N addresses. */
TEST(xdpsock, txonly_counted_at_peer)
{
	const int N = 300;
	struct fx f;
	__u32 idx, put = 0, done = 0;

	FX_OR_FAIL(&f);
	CHECK_ERR(fx_xsk(&f, XDP_COPY, true), 0);
	if (!f.xsk)
		goto out;
	for (int i = 0; i < N; i++) {	/* frames 512.. are not in the fill ring */
		unsigned char *p = (unsigned char *)f.area + (size_t)(512 + i) * FSIZE;

		memset(p, 0, 60);
		memcpy(p, f.d.peer_mac, 6);
		memcpy(p + 6, f.d.mac, 6);
		p[12] = 0x88;		/* local experimental ethertype: the peer's stack ignores it */
		p[13] = 0xb5;
	}
	for (int t = 0; t < 1000 && done < (__u32)N; t++) {
		__u32 n = N - put > 64 ? 64 : N - put;

		if (n && xsk_ring_prod__reserve(&f.tx, n, &idx) == n) {
			for (__u32 i = 0; i < n; i++) {
				struct xdp_desc *d = xsk_ring_prod__tx_desc(&f.tx, idx + i);

				d->addr = (__u64)(512 + put + i) * FSIZE;
				d->len = 60;
			}
			xsk_ring_prod__submit(&f.tx, n);
			put += n;
		}
		sendto(xsk_socket__fd(f.xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
		n = xsk_ring_cons__peek(&f.cq, 64, &idx);
		xsk_ring_cons__release(&f.cq, n);
		done += n;
	}
	CHECK_U64(done, N);
	CHECK_U64(peer_frames_from_demo0(&f, N), N);
out:
	fx_close(&f);
}

/* veth has no zero-copy AF_XDP: binding with XDP_ZEROCOPY is EOPNOTSUPP. */
TEST(xdpsock, zero_copy_on_veth_is_eopnotsupp)
{
	struct fx f;

	FX_OR_FAIL(&f);
	CHECK_ERR(fx_xsk(&f, XDP_ZEROCOPY, false), -EOPNOTSUPP);
	fx_close(&f);
}

/* The XSKMAP's rules, as this kernel answers them: the value must be an
 * AF_XDP socket (anything else is EOPNOTSUPP), keys stop at max_entries
 * (E2BIG), putting the same socket again is a no-op even with BPF_NOEXIST,
 * user space cannot read a slot back (EOPNOTSUPP), delete empties a slot.
 * And the trap: an AF_XDP socket that is not bound is accepted, the program's
 * redirect succeeds, and the frames are dropped after it. */
TEST(xdpsock, xskmap_rules)
{
	struct fx f;
	int map_fd, fd, udp, unbound;
	__u32 key = 0, val;

	FX_OR_FAIL(&f);
	CHECK_ERR(fx_xsk(&f, XDP_COPY, false), 0);
	if (!f.xsk)
		goto out;
	map_fd = bpf_map__fd(f.skel->maps.xsks_map);
	fd = xsk_socket__fd(f.xsk);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	unbound = socket(AF_XDP, SOCK_RAW, 0);
	CHECK_ERR(bpf_map_update_elem(map_fd, &key, &udp, 0) ? -errno : 0, -EOPNOTSUPP);
	key = XDPSOCK_MAX_QUEUES;
	CHECK_ERR(bpf_map_update_elem(map_fd, &key, &fd, 0) ? -errno : 0, -E2BIG);
	key = 0;
	CHECK_ERR(bpf_map_update_elem(map_fd, &key, &fd, 0) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_update_elem(map_fd, &key, &fd, BPF_NOEXIST) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_update_elem(map_fd, &key, &unbound, BPF_NOEXIST) ? -errno : 0, -EEXIST);
	CHECK_ERR(bpf_map_lookup_elem(map_fd, &key, &val) ? -errno : 0, -EOPNOTSUPP);
	CHECK_ERR(bpf_map_delete_elem(map_fd, &key) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_delete_elem(map_fd, &key) ? -errno : 0, 0);
	/* emptied: traffic passes to the stack again */
	CHECK_ERR(send_udp(&f, 5), 0);
	CHECK_U64(drain_sink(&f), 5);
	CHECK_U64(xdp_counts(&f).passed, 5);
	/* an unbound AF_XDP socket in the slot swallows what is redirected to it */
	CHECK_ERR(bpf_map_update_elem(map_fd, &key, &unbound, 0) ? -errno : 0, 0);
	CHECK_ERR(send_udp(&f, 7), 0);
	CHECK_U64(drain_sink(&f), 0);
	CHECK_U64(xdp_counts(&f).redirected, 7);
	CHECK_U64(xdp_counts(&f).passed, 5);
	close(udp);
	close(unbound);
out:
	fx_close(&f);
}

/* Redirects the socket refuses, as the kernel's xdp_redirect_err tracepoint
 * reports them (common/xdp_outcome.h, what the sample prints): the program
 * returns XDP_REDIRECT for every frame, but xdp_do_redirect() fails once the
 * socket has no free frame (the fixture put 512 on the fill ring: ENOMEM for
 * each frame after those), or when the socket in the slot is not bound
 * (ENXIO). Those frames are dropped, and only the tracepoint tells. */
TEST(xdpsock, refused_redirects_are_traced)
{
	const int N = 600, FILLED = 512, UNBOUND = 7;
	struct sample_xdp_outcome out = {};
	struct xdp_outcome in = {};
	__u64 addrs[NFRAMES];
	__u32 lens[NFRAMES], key = 0;
	struct fx f;
	int unbound = -1;

	FX_OR_FAIL(&f);
	CHECK_ERR(fx_xsk(&f, XDP_COPY, true), 0);
	unbound = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	CHECK_ERR(unbound >= 0 ? 0 : -errno, 0);
	if (!f.xsk || unbound < 0)
		goto out;
	CHECK_ERR(sample_xdp_outcome_open(&out, "test_xdpsock", f.skel->obj), 0);
	CHECK_ERR(sample_xdp_outcome_watch(&out, f.d.ifindex), 0);
	CHECK_ERR(send_udp(&f, N), 0);
	CHECK_U64(rx_frames(&f, N, addrs, lens), FILLED);
	CHECK_U64(xdp_counts(&f).redirected, N);
	CHECK_ERR(sample_xdp_outcome_get(&out, XDP_OUT_INGRESS, f.d.ifindex, &in), 0);
	CHECK_U64(in.redirect_err, N - FILLED);
	CHECK_ERR((int)in.last_err, -ENOMEM);
	CHECK_U64(in.exceptions, 0);

	CHECK_ERR(bpf_map__update_elem(f.skel->maps.xsks_map, &key, sizeof(key), &unbound,
				       sizeof(unbound), 0), 0);
	CHECK_ERR(send_udp(&f, UNBOUND), 0);
	CHECK_U64(drain_sink(&f), 0);
	CHECK_ERR(sample_xdp_outcome_get(&out, XDP_OUT_INGRESS, f.d.ifindex, &in), 0);
	CHECK_U64(in.redirect_err, N - FILLED + UNBOUND);
	CHECK_ERR((int)in.last_err, -ENXIO);
out:
	sample_xdp_outcome_close(&out);
	if (unbound >= 0)
		close(unbound);
	fx_close(&f);
}
