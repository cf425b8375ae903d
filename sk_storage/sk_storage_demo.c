// SPDX-License-Identifier: GPL-2.0
/*
 * sk_storage_demo.c - the demo of sk_storage: TCP connections over 127.0.0.1
 * in a private netns, made by this process from inside the watched cgroup,
 * and each socket's storage read by its fd. See sk_storage_demo.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "sk_storage.h"
#include "sk_storage_demo.h"
#include "sk_storage_table.h"

/* Per step: the client sends DEMO_BYTES, the server answers DEMO_REPLY. */
#define DEMO_BYTES (1024 * 1024)
#define DEMO_REPLY 1000
#define DEMO_TIMEOUT_MS 3000
#define TCP_CLOSE_ 7

static int open_listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) || listen(fd, 8) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int sk_storage_demo_open(struct sk_storage_demo *d, const struct sample_opts *o)
{
	char root[SAMPLE_CGROUP_PATH_MAX], b[SAMPLE_FMT_LEN];
	const char *what;
	int err;

	d->prog = o->prog;
	d->open = true;
	/* The reaper is made with the cgroup, before this process joins it. */
	err = sample_cgroup2_root(o->prog, root, sizeof(root));
	if (err)
		return err;
	err = sample_cgroup_self(root, d->orig_cg, sizeof(d->orig_cg));
	if (err)
		return err;
	err = sample_cgroup_create(o->prog, &d->cg);
	if (err)
		return err;
	/* A private netns: its loopback carries the demo's TCP only. */
	what = "creating the demo netns";
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
	/* Join, then listen: a socket belongs to the cgroup of the task that
	 * creates it, and accepted sockets inherit the listener's. */
	what = "joining the demo cgroup";
	err = sample_cgroup_join(d->cg.path, 0);
	if (err)
		goto fail;
	d->joined = true;
	what = "listening on 127.0.0.1";
	d->listen_fd = open_listener(&d->addr);
	if (d->listen_fd < 0) {
		err = d->listen_fd;
		goto fail;
	}
	printf("Each tick: a TCP connection over 127.0.0.1 in a private netns, by this "
	       "process in %s;\nthe client sends %s bytes, the server answers %d, both "
	       "shut down; both storages are read by fd, then both sockets close.\n",
	       d->cg.path, sample_fmt_u64(b, sizeof(b), DEMO_BYTES), DEMO_REPLY);
	return 0;
fail:
	fprintf(stderr, "%s: %s failed: %s\n", o->prog, what, sample_strerror(err));
	return err;
}

static int lookup(const struct bpf_map *map, int sock_fd, struct sk_stats *st)
{
	/* The key is the socket's fd in *this* process. */
	return bpf_map__lookup_elem(map, &sock_fd, sizeof(sock_fd), st, sizeof(*st), 0);
}

/* Move n bytes from src to dst (both non-blocking), within the deadline. */
static int transfer(int src, int dst, size_t n, __u64 deadline)
{
	static char buf[65536];
	size_t sent = 0, rcvd = 0;

	while (rcvd < n) {
		struct pollfd p[2] = { { src, POLLOUT, 0 }, { dst, POLLIN, 0 } };
		ssize_t k;

		if (sample_now_ns() > deadline)
			return -ETIMEDOUT;
		if (poll(p, 2, 100) < 0)
			return -errno;
		if (sent < n && (p[0].revents & POLLOUT)) {
			size_t want = n - sent < sizeof(buf) ? n - sent : sizeof(buf);

			k = send(src, buf, want, MSG_NOSIGNAL);
			if (k < 0 && errno != EAGAIN)
				return -errno;
			if (k > 0)
				sent += k;
		}
		if (p[1].revents & POLLIN) {
			k = recv(dst, buf, sizeof(buf), 0);
			if (k < 0 && errno != EAGAIN)
				return -errno;
			if (k == 0)
				return -ECONNRESET;
			if (k > 0)
				rcvd += k;
		}
	}
	return 0;
}

/* Wait for end of file on fd (the peer's FIN). */
static int wait_eof(int fd, __u64 deadline)
{
	char buf[256];

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;

		if (sample_now_ns() > deadline)
			return -ETIMEDOUT;
		if (poll(&p, 1, 100) < 0)
			return -errno;
		k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (k == 0)
			return 0;
		if (k < 0 && errno != EAGAIN)
			return -errno;
	}
}

/* Connect, transfer both ways, shut down both ends; *cli and *srv are the two
 * sockets (closed by the caller). */
static int connection(struct sk_storage_demo *d, int *cli, int *srv, __u64 deadline)
{
	int err;

	*cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*cli < 0 || connect(*cli, (struct sockaddr *)&d->addr, sizeof(d->addr)))
		return -errno;
	*srv = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (*srv < 0 || fcntl(*cli, F_SETFL, O_NONBLOCK))
		return -errno;
	d->conns++;
	err = transfer(*cli, *srv, DEMO_BYTES, deadline);
	if (err)
		return err;
	err = transfer(*srv, *cli, DEMO_REPLY, deadline);
	if (err)
		return err;
	/* Client FIN first, then the server's: both end in CLOSE (the client's
	 * TIME_WAIT is a separate mini-socket; its full socket is closed). */
	shutdown(*cli, SHUT_WR);
	err = wait_eof(*srv, deadline);
	if (err)
		return err;
	shutdown(*srv, SHUT_WR);
	return wait_eof(*cli, deadline);
}

int sk_storage_demo_step(struct sk_storage_demo *d, const struct bpf_map *map,
			 struct bpf_link *iter)
{
	__u64 deadline = sample_now_ns() + (__u64)DEMO_TIMEOUT_MS * 1000000;
	int cli = -1, srv = -1, again, err, live;
	struct sk_stats cs, ss;
	char name[32], peer[32];

	err = connection(d, &cli, &srv, deadline);
	if (err)
		goto out;
	/* The server's last ACK may still be on its way through lo's backlog. */
	do {
		err = lookup(map, cli, &cs);
		if (!err)
			err = lookup(map, srv, &ss);
		if (err) {
			fprintf(stderr, "%s: lookup by socket fd failed: %s\n", d->prog,
				sample_strerror(err));
			goto out;
		}
		if (ss.state == TCP_CLOSE_ && cs.state == TCP_CLOSE_)
			break;
		usleep(2000);
	} while (sample_now_ns() < deadline);

	snprintf(name, sizeof(name), "#%llu fd %d", (unsigned long long)d->conns, cli);
	snprintf(peer, sizeof(peer), "127.0.0.1:%u", ntohs(d->addr.sin_port));
	sk_storage_print_stats(name, peer, &cs);
	snprintf(name, sizeof(name), "#%llu fd %d", (unsigned long long)d->conns, srv);
	sk_storage_print_stats(name, "(accepted)", &ss);

	/* close() destroys both sockets and their storage with them. The next
	 * socket() gets the lowest free fd, the client's old number: the same
	 * key now names a socket without storage. */
	close(srv);
	close(cli);
	again = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	err = lookup(map, again, &cs);
	live = sk_storage_iter_read(iter, NULL, 0);
	printf("%-22s closed both; lookup(fd %d) on a new socket with the client's fd number -> "
	       "%s; entries left in the map (iterator): %d\n",
	       "", again, err ? sample_strerror(err) : "found (unexpected)", live);
	fflush(stdout);
	if (err == -ENOENT)
		d->enoent++;
	if (again >= 0)
		close(again);
	return live < 0 ? live : 0;
out:
	if (srv >= 0)
		close(srv);
	if (cli >= 0)
		close(cli);
	fprintf(stderr, "%s: demo connection failed: %s\n", d->prog, sample_strerror(err));
	return err ? err : -EIO;
}

void sk_storage_demo_summary(const struct sk_storage_demo *d, __u64 created, int left)
{
	char b[SAMPLE_FMT_LEN];

	printf("%llu connections, %llu storages created by BPF, %llu lookups after close gave "
	       "ENOENT, %d entries left in the map\n",
	       (unsigned long long)d->conns, (unsigned long long)created,
	       (unsigned long long)d->enoent, left);
	printf("summary: every connection carried %s bytes client->server and %d back; its "
	       "storage was freed with its socket\n",
	       sample_fmt_u64(b, sizeof(b), DEMO_BYTES), DEMO_REPLY);
}

int sk_storage_demo_close(struct sk_storage_demo *d)
{
	int err = 0;

	if (!d->open)
		return 0;
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->orig_ns >= 0) {
		sample_netns_enter(d->orig_ns);
		close(d->orig_ns);
	}
	if (d->ns >= 0)
		close(d->ns);
	if (d->joined && sample_cgroup_join(d->orig_cg, 0))
		fprintf(stderr, "%s: could not return to cgroup %s\n", d->prog, d->orig_cg);
	if (d->cg.reaper_fd >= 0)
		err = sample_cgroup_destroy(&d->cg);
	if (err)
		fprintf(stderr, "%s: removing the demo cgroup %s failed: %s\n", d->prog, d->cg.path,
			sample_strerror(err));
	*d = (struct sk_storage_demo)SK_STORAGE_DEMO_INIT;
	return err;
}
