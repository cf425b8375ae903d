// SPDX-License-Identifier: GPL-2.0
/*
 * sockmap_demo.c - the demo of sockmap: TCP over 127.0.0.1 in an anonymous
 * netns, by this process from inside the demo cgroup. See sockmap_demo.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "sockmap_demo.h"
#include "sockmap_entries.h"

#define STEP_TIMEOUT_MS 3000

/* Byte i of a connection's stream: a pattern that shows loss and reordering. */
static unsigned char stream_byte(__u64 i)
{
	return (unsigned char)(i * 7 + (i >> 8));
}

/* FNV-1a over the stream, fed piece by piece. */
static __u64 fnv1a(__u64 h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}
#define FNV_INIT 0xcbf29ce484222325ull

static int listen_on_lo(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*addr = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

int sockmap_demo_open(struct sockmap_demo *d, const struct sample_opts *o, bool echo)
{
	char root[SAMPLE_CGROUP_PATH_MAX];
	const char *step = "making the demo cgroup";
	int err;

	d->prog = o->prog;
	d->open = true;
	err = sample_cgroup2_root(o->prog, root, sizeof(root));
	if (!err)
		err = sample_cgroup_self(root, d->orig_cg, sizeof(d->orig_cg));
	if (!err) /* the reaper is forked here, outside the cgroup */
		err = sample_cgroup_create(o->prog, &d->cg);
	if (err)
		return err;
	step = "entering an anonymous netns";
	d->orig_ns = sample_netns_current();
	if (d->orig_ns < 0) {
		err = d->orig_ns;
		goto fail;
	}
	d->ns = sample_netns_new();
	if (d->ns < 0) {
		err = d->ns;
		goto fail;
	}
	err = sample_netns_enter(d->ns);
	if (err)
		goto fail;
	/* Sockets belong to the cgroup of the task that makes them; accepted
	 * ones to the listener's: join first, then listen. */
	step = "joining the demo cgroup";
	err = sample_cgroup_join(d->cg.path, 0);
	if (err)
		goto fail;
	d->joined = true;
	step = "listening on 127.0.0.1";
	d->listen_fd = listen_on_lo(&d->addr);
	if (d->listen_fd < 0) {
		err = d->listen_fd;
		goto fail;
	}
	if (echo) {
		d->echo_listen_fd = listen_on_lo(&d->echo_addr);
		if (d->echo_listen_fd < 0) {
			err = d->echo_listen_fd;
			goto fail;
		}
	}
	printf("Demo: this process in %s and an anonymous netns; each tick one TCP connection\n"
	       "over 127.0.0.1:%u carries %d messages of %d bytes client -> server",
	       d->cg.path, ntohs(d->addr.sin_port), SOCKMAP_DEMO_MSGS, SOCKMAP_DEMO_LEN);
	if (echo)
		printf(", and one to the echo port\n(server socket in echo_map) gets them back from "
		       "the kernel");
	printf(".\n\n");
	return 0;
fail:
	fprintf(stderr, "%s: %s failed: %s\n", o->prog, step, sample_strerror(err));
	return err;
}

/* A connected pair: *cli to addr, *srv accepted. */
static int connect_pair(int listen_fd, const struct sockaddr_in *addr, int *cli, int *srv)
{
	*cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*cli < 0 || connect(*cli, (const struct sockaddr *)addr, sizeof(*addr)))
		return -errno;
	*srv = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	return *srv < 0 ? -errno : 0;
}

/* Read exactly n bytes of the stream from fd, checking each against the
 * pattern from offset *pos on, and fold them into *sum. */
static int read_stream(int fd, size_t n, __u64 *pos, __u64 *sum, __u64 deadline)
{
	unsigned char buf[SOCKMAP_DEMO_LEN];

	while (n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 100) < 0)
			return -errno;
		if (!p.revents) {
			if (sample_now_ns() > deadline)
				return -ETIMEDOUT;
			continue;
		}
		k = recv(fd, buf, n < sizeof(buf) ? n : sizeof(buf), MSG_DONTWAIT);
		if (k <= 0)
			return k ? -errno : -ECONNRESET;
		for (ssize_t i = 0; i < k; i++)
			if (buf[i] != stream_byte(*pos + i))
				return -EILSEQ;
		*sum = fnv1a(*sum, buf, k);
		*pos += k;
		n -= k;
	}
	return 0;
}

/* Send SOCKMAP_DEMO_MSGS messages from cli, reading each back from rd as it
 * arrives; true in *same if both checksums agree. */
static int exchange(int cli, int rd, __u64 *sent, __u64 *rcvd, bool *same)
{
	__u64 deadline = sample_now_ns() + STEP_TIMEOUT_MS * 1000000ull;
	__u64 out_sum = FNV_INIT, in_sum = FNV_INIT, pos = 0, in_pos = 0;
	unsigned char msg[SOCKMAP_DEMO_LEN];
	int err;

	for (int m = 0; m < SOCKMAP_DEMO_MSGS; m++) {
		for (int i = 0; i < SOCKMAP_DEMO_LEN; i++)
			msg[i] = stream_byte(pos + i);
		if (send(cli, msg, sizeof(msg), MSG_NOSIGNAL) != sizeof(msg))
			return -errno;
		out_sum = fnv1a(out_sum, msg, sizeof(msg));
		pos += sizeof(msg);
		*sent += sizeof(msg);
		err = read_stream(rd, sizeof(msg), &in_pos, &in_sum, deadline);
		if (err)
			return err;
		*rcvd += sizeof(msg);
	}
	*same = out_sum == in_sum;
	return 0;
}

int sockmap_demo_step(struct sockmap_demo *d, const struct bpf_map *map,
		      const struct bpf_map *echo_map)
{
	int cli = -1, srv = -1, err;
	bool same = false;
	__u32 slot = 0;
	__u64 fd64;

	err = connect_pair(d->listen_fd, &d->addr, &cli, &srv);
	if (err)
		goto out;
	d->conns++;
	err = exchange(cli, srv, &d->bytes_sent, &d->bytes_rcvd, &same);
	if (err)
		goto out;
	d->msgs += SOCKMAP_DEMO_MSGS;
	if (same)
		d->intact++;
	d->open_entries = sockmap_entries(map);
	close(cli);
	close(srv);
	cli = -1;
	srv = -1;
	d->closed_entries = sockmap_entries(map); /* close() took them out */
	if (!echo_map)
		goto out;
	/* The echo: the server socket into echo_map by its fd (8-byte value);
	 * from then on its stream verdict program sends every byte back. */
	err = connect_pair(d->echo_listen_fd, &d->echo_addr, &cli, &srv);
	if (err)
		goto out;
	fd64 = srv;
	err = bpf_map__update_elem(echo_map, &slot, sizeof(slot), &fd64, sizeof(fd64), 0);
	if (err)
		goto out;
	err = exchange(cli, cli, &d->echo_sent, &d->echo_back, &same);
out:
	if (err)
		fprintf(stderr, "%s: demo connection #%llu failed: %s\n", d->prog,
			(unsigned long long)d->conns, sample_strerror(err));
	if (cli >= 0)
		close(cli);
	if (srv >= 0)
		close(srv);
	return err;
}

void sockmap_demo_summary(const struct sockmap_demo *d, const struct sockmap_stats *stats)
{
	if (!d->open)
		return;
	printf("summary: %llu sockets added, entries %d while a connection was open, "
	       "%d after close; %llu of %llu verdicts redirected\n",
	       (unsigned long long)stats->added, d->open_entries, d->closed_entries,
	       (unsigned long long)stats->redirected, (unsigned long long)stats->msg_verdicts);
}

int sockmap_demo_close(struct sockmap_demo *d)
{
	char b[4][SAMPLE_FMT_LEN];
	int err = 0;

	if (!d->open)
		return 0;
	if (d->conns)
		printf("demo sent: %llu connection%s, %s messages, %s bytes; the servers received "
		       "%s bytes in order, checksums equal on %llu of %llu; echoed %s bytes\n",
		       (unsigned long long)d->conns, d->conns == 1 ? "" : "s",
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, d->msgs),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, d->bytes_sent),
		       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, d->bytes_rcvd),
		       (unsigned long long)d->intact, (unsigned long long)d->conns,
		       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, d->echo_back));
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->echo_listen_fd >= 0)
		close(d->echo_listen_fd);
	if (d->joined)
		sample_cgroup_join(d->orig_cg, 0);
	if (d->orig_ns >= 0) {
		sample_netns_enter(d->orig_ns);
		close(d->orig_ns);
	}
	if (d->ns >= 0)
		close(d->ns);
	err = sample_cgroup_destroy(&d->cg);
	d->open = false;
	return err;
}
