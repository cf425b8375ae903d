// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca_demo.c - the no-argument demo of tcp_ca: a veth pair between two
 * anonymous network namespaces (common/demo.h), and two TCP connections from
 * the peer to the sample side, one with the BPF algorithm, one with the
 * default, each moving a fixed number of checksummed bytes per step.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with every field (glibc's is older) */
#include <sys/socket.h>

#include "sample.h"
#include "tcp_ca_demo.h"

#define TCP_CA_DEMO_PORT 7002
#define CHUNK 65536

/* The byte at stream offset off: a pattern that a lost, duplicated or
 * reordered chunk would change, so the sums catch it. */
static unsigned char pattern(__u64 off)
{
	return (unsigned char)(off * 131 + (off >> 9));
}

static __u32 fletcher(__u32 sum, const unsigned char *p, size_t n)
{
	__u32 a = sum & 0xffff, b = sum >> 16;

	for (size_t i = 0; i < n; i++) {
		a = (a + p[i]) % 65535;
		b = (b + a) % 65535;
	}
	return b << 16 | a;
}

static int connect_flow(struct tcp_ca_demo *d, struct tcp_ca_flow *f, const char *ca)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(TCP_CA_DEMO_PORT),
				  .sin_addr = d->net.addr4 };
	socklen_t len = sizeof(f->ca);
	int err;

	f->cli = sample_netns_socket(d->net.peer_ns, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->cli < 0)
		return f->cli;
	/* Before connect(): the connection runs the algorithm from its SYN on. */
	if (ca && setsockopt(f->cli, IPPROTO_TCP, TCP_CONGESTION, ca, strlen(ca)))
		return -errno;
	if (getsockopt(f->cli, IPPROTO_TCP, TCP_CONGESTION, f->ca, &len) ||
	    connect(f->cli, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	f->srv = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (f->srv < 0)
		return -errno;
	err = sample_set_nonblock(f->cli);
	if (err)
		return err;
	return sample_set_nonblock(f->srv);
}

int tcp_ca_demo_open(struct tcp_ca_demo *d, const char *prog, const char *ca_name,
		     size_t step_bytes)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(TCP_CA_DEMO_PORT) };
	int err, one = 1;

	d->prog = prog;
	err = sample_demo_setup(&d->net, prog, 0); /* prints its own line */
	if (err)
		return err;
	d->open = true;
	d->step_bytes = step_bytes;
	d->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); /* sample netns */
	if (d->listen_fd < 0 ||
	    setsockopt(d->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(d->listen_fd, 4)) {
		err = -errno;
		goto fail;
	}
	err = connect_flow(d, &d->flow[0], ca_name);
	if (err)
		goto fail;
	err = connect_flow(d, &d->flow[1], NULL);
	if (err)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "%s: the demo's TCP connections failed: %s\n", prog, sample_strerror(err));
	d->open = false; /* no summary for a demo that never ran */
	tcp_ca_demo_close(d);
	return err;
}

/* Move one step on flow f: write while the socket takes it, read what came. */
static int pump(struct tcp_ca_flow *f, __u64 target)
{
	unsigned char buf[CHUNK];

	while (f->sent < target) {
		size_t n = target - f->sent < CHUNK ? target - f->sent : CHUNK;
		ssize_t w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(f->sent + i);
		w = send(f->cli, buf, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EAGAIN)
			break; /* full: read what arrived first */
		if (w < 0)
			return -errno;
		f->sum_sent = fletcher(f->sum_sent, buf, w);
		f->sent += w;
	}
	for (;;) {
		ssize_t r = recv(f->srv, buf, sizeof(buf), 0);

		if (r < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (r == 0)
			return -ECONNRESET;
		f->sum_received = fletcher(f->sum_received, buf, r);
		f->received += r;
	}
}

void tcp_ca_demo_intro(const struct tcp_ca_demo *d)
{
	if (!d->open)
		return;
	printf("demo: %zu MiB per tick on a flow with %s (cwnd_bpf) and one with %s (cwnd_dflt)\n",
	       d->step_bytes >> 20, d->flow[0].ca, d->flow[1].ca);
}

/* Both flows until each has moved its step: 0, or -errno. */
static int step(struct tcp_ca_demo *d)
{
	__u64 target[2] = { d->flow[0].sent + d->step_bytes, d->flow[1].sent + d->step_bytes };
	__u64 deadline = sample_now_ns() + 5000000000ull;

	while (d->flow[0].received < target[0] || d->flow[1].received < target[1]) {
		struct pollfd p[4];
		int err;

		for (int i = 0; i < 2; i++) {
			err = pump(&d->flow[i], target[i]);
			if (err)
				return err;
			p[2 * i] = (struct pollfd){ .fd = d->flow[i].srv, .events = POLLIN };
			p[2 * i + 1] = (struct pollfd){ .fd = d->flow[i].cli,
							.events = d->flow[i].sent < target[i] ?
									  POLLOUT :
									  0 };
		}
		if (sample_now_ns() > deadline)
			return -ETIMEDOUT;
		if (poll(p, 4, 100) < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

int tcp_ca_demo_step(struct tcp_ca_demo *d)
{
	int err;

	if (!d->open)
		return 0;
	err = step(d);
	if (err)
		fprintf(stderr, "%s: the demo transfer failed: %s\n", d->prog,
			sample_strerror(err));
	return err;
}

/* The client's cwnd in segments (TCP_INFO), 0 if unknown. */
static __u32 cwnd(const struct tcp_ca_flow *f)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);

	if (f->cli < 0)
		return 0;
	if (getsockopt(f->cli, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return 0;
	return ti.tcpi_snd_cwnd;
}

void tcp_ca_demo_heading(const struct tcp_ca_demo *d, char *buf, size_t len)
{
	if (d->open)
		snprintf(buf, len, "  cwnd_bpf cwnd_dflt");
}

void tcp_ca_demo_cwnds(const struct tcp_ca_demo *d, char *buf, size_t len)
{
	if (d->open)
		snprintf(buf, len, " %9u %9u", cwnd(&d->flow[0]), cwnd(&d->flow[1]));
}

void tcp_ca_demo_close(struct tcp_ca_demo *d)
{
	char b[2][SAMPLE_FMT_LEN];

	for (int i = 0; d->open && i < 2; i++) {
		const struct tcp_ca_flow *f = &d->flow[i];
		const char *check = "MISMATCH";

		if (f->sum_sent == f->sum_received && f->sent == f->received)
			check = "ok";
		printf("demo sent: %s bytes with %s, %s arrived, checksum %s\n",
		       sample_fmt_u64(b[0], sizeof(b[0]), f->sent), f->ca,
		       sample_fmt_u64(b[1], sizeof(b[1]), f->received), check);
	}
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		if (d->flow[i].cli >= 0)
			close(d->flow[i].cli);
		if (d->flow[i].srv >= 0)
			close(d->flow[i].srv);
		d->flow[i].cli = -1;
		d->flow[i].srv = -1;
	}
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	d->listen_fd = -1;
	sample_demo_teardown(&d->net);
	d->open = false;
}
