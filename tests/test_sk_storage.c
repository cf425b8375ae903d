// SPDX-License-Identifier: GPL-2.0
/* sk_storage: exact per-socket TCP counters in SK_STORAGE for real connections
 * over loopback in a private netns and cgroup, lookups by fd, storage freed
 * with the socket, and the map's creation rules. */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "cgroup.h"
#include "sk_storage.h"
#include "sk_storage.skel.h"

#define TEST_PREFIX "sk_storage_test"

/* REQUIRE, but through the cleanup label: the test process must leave the
 * netns and cgroup it entered. */
#define NEED(cond, ...) \
	do { if (!(cond)) { harness_fail(__FILE__, __LINE__, __VA_ARGS__); goto out; } } while (0)
#define TCP_ESTABLISHED_ 1
#define TCP_CLOSE_ 7

/* The test's world: a cgroup with the sockops program, a private netns, an
 * iterator over the map. The test process joins the cgroup only in join(). */
struct env {
	struct sk_storage *skel;
	struct bpf_link *link, *iter;
	char cg[SAMPLE_CGROUP_PATH_MAX], orig_cg[SAMPLE_CGROUP_PATH_MAX];
	int map_fd, orig_ns, ns;
	bool joined;
};

static int env_open(struct env *e)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, iter_opts);
	union bpf_iter_link_info linfo = {};
	char root[SAMPLE_CGROUP_PATH_MAX];
	int cg_fd;

	memset(e, 0, sizeof(*e));
	e->orig_ns = e->ns = -1;
	if (sample_cgroup2_root("test", root, sizeof(root)) ||
	    sample_cgroup_self(root, e->orig_cg, sizeof(e->orig_cg)) ||
	    sample_cgroup_create(TEST_PREFIX, e->cg, sizeof(e->cg)))
		return -1;
	e->skel = sk_storage__open_and_load();
	if (!e->skel)
		return -1;
	e->map_fd = bpf_map__fd(e->skel->maps.sk_stats_map);
	cg_fd = sample_cgroup_open("test", e->cg);
	if (cg_fd < 0)
		return -1;
	e->link = bpf_program__attach_cgroup(e->skel->progs.tcp_stats, cg_fd);
	close(cg_fd);
	if (!e->link)
		return -1;
	linfo.map.map_fd = e->map_fd;
	iter_opts.link_info = &linfo;
	iter_opts.link_info_len = sizeof(linfo);
	e->iter = bpf_program__attach_iter(e->skel->progs.dump_sk_stats, &iter_opts);
	if (!e->iter)
		return -1;
	e->orig_ns = sample_netns_current();
	e->ns = sample_netns_new();
	if (e->orig_ns < 0 || e->ns < 0 || sample_netns_enter(e->ns))
		return -1;
	return 0;
}

static int join(struct env *e)
{
	int err = sample_cgroup_join(e->cg, 0);

	e->joined = !err;
	return err;
}

static void env_close(struct env *e)
{
	if (e->joined)
		sample_cgroup_join(e->orig_cg, 0);
	if (e->orig_ns >= 0) {
		sample_netns_enter(e->orig_ns);
		close(e->orig_ns);
	}
	if (e->ns >= 0)
		close(e->ns);
	bpf_link__destroy(e->iter);
	bpf_link__destroy(e->link);
	sk_storage__destroy(e->skel);
	if (e->cg[0])
		CHECK_ERR(sample_cgroup_remove(e->cg), 0);
}

/* Sockets with storage in the map right now, through the iterator. */
static int live_entries(struct env *e, struct sk_record *out, int max)
{
	int fd = bpf_iter_create(bpf_link__fd(e->iter)), n = 0;
	struct sk_record r;

	if (fd < 0)
		return -errno;
	while (read(fd, &r, sizeof(r)) == sizeof(r)) {
		if (n < max)
			out[n] = r;
		n++;
	}
	close(fd);
	return n;
}

static int lookup(struct env *e, int fd, struct sk_stats *st)
{
	return bpf_map_lookup_elem(e->map_fd, &fd, st) ? -errno : 0;
}

static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = 0;
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof(*a)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)a, &len))
		return -1;
	return fd;
}

/* Blocking transfer of n bytes from src to dst with a helper buffer; n must
 * fit the loopback socket buffers in flight, so send in slices. */
static int move_bytes(int src, int dst, size_t n)
{
	static char buf[32768];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		ssize_t s = send(src, buf, k, 0), r;
		size_t got = 0;

		if (s <= 0)
			return -1;
		while (got < (size_t)s) {
			r = recv(dst, buf, s - got, 0);
			if (r <= 0)
				return -1;
			got += r;
		}
		done += s;
	}
	return 0;
}

static int wait_eof(int fd)
{
	char buf[64];
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, 3000) != 1)
		return -1;
	return recv(fd, buf, sizeof(buf), 0) == 0 ? 0 : -1;
}

/* Wait (bounded) until both sockets' storage shows TCP_CLOSE. */
static void wait_closed(struct env *e, int a, int b)
{
	struct sk_stats x, y;

	for (int i = 0; i < 500; i++) {
		if (!lookup(e, a, &x) && !lookup(e, b, &y) && x.state == TCP_CLOSE_ &&
		    y.state == TCP_CLOSE_)
			return;
		usleep(2000);
	}
}

/* A transfer of B bytes one way and R the other: exact byte counters in the
 * storage of the right socket, read by fd. Sequence numbers, not payload:
 * the FIN counts as one byte on both sides, and the client's bytes_acked also
 * counts its SYN (acked by the SYN-ACK); the server's starts after the
 * handshake. */
TEST(sk_storage, transfer_bytes_exact_by_fd)
{
	enum { B = 300000, R = 777 };
	struct sockaddr_in a;
	struct sk_stats cs, ss;
	struct env e;
	int l = -1, cli = -1, srv = -1;

	if (env_open(&e)) {
		harness_fail(__FILE__, __LINE__, "setup failed: %s", strerror(errno));
		goto out;
	}
	CHECK_ERR(join(&e), 0);
	l = listener(&a);
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	NEED(l >= 0 && cli >= 0, "sockets: %s", strerror(errno));
	CHECK_ERR(connect(cli, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0, 0);
	srv = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	NEED(srv >= 0, "accept: %s", strerror(errno));

	/* While established, both lookups by fd succeed. */
	CHECK_ERR(lookup(&e, cli, &cs), 0);
	CHECK_ERR(lookup(&e, srv, &ss), 0);
	CHECK_U64(cs.role, SK_ROLE_CLIENT);
	CHECK_U64(ss.role, SK_ROLE_SERVER);
	CHECK_U64(cs.state, TCP_ESTABLISHED_);

	CHECK_ERR(move_bytes(cli, srv, B), 0);
	CHECK_ERR(move_bytes(srv, cli, R), 0);
	shutdown(cli, SHUT_WR);
	CHECK_ERR(wait_eof(srv), 0);
	shutdown(srv, SHUT_WR);
	CHECK_ERR(wait_eof(cli), 0);
	wait_closed(&e, cli, srv);

	CHECK_ERR(lookup(&e, cli, &cs), 0);
	CHECK_ERR(lookup(&e, srv, &ss), 0);
	CHECK_U64(cs.bytes_acked, B + 2);
	CHECK_U64(cs.bytes_received, R + 1);
	CHECK_U64(ss.bytes_received, B + 1);
	CHECK_U64(ss.bytes_acked, R + 1);
	CHECK_U64(cs.state, TCP_CLOSE_);
	CHECK_U64(ss.state, TCP_CLOSE_);
	CHECK(cs.rtt_samples >= 1 && cs.srtt_us > 0, "client rtt samples %llu srtt %llu",
	      (unsigned long long)cs.rtt_samples, (unsigned long long)cs.srtt_us);
	CHECK(cs.data_segs_out >= B / 65536 + 1, "client data segs out %llu",
	      (unsigned long long)cs.data_segs_out);
	CHECK(cs.delivered >= cs.data_segs_out, "delivered %llu < data segs %llu",
	      (unsigned long long)cs.delivered, (unsigned long long)cs.data_segs_out);
	CHECK_U64(cs.total_retrans, 0);		/* loopback loses nothing */
	CHECK_U64(e.skel->bss->created, 2);
out:
	if (srv >= 0)
		close(srv);
	if (cli >= 0)
		close(cli);
	if (l >= 0)
		close(l);
	env_close(&e);
}

/* The storage dies with its socket: the iterator sees 2 entries, then 1 after
 * one close, then 0; the next socket() reuses the closed fd number, and a
 * lookup with that key finds nothing (ENOENT): the key is the socket behind
 * the fd at the time of the call. */
TEST(sk_storage, storage_gone_after_close)
{
	struct sk_record recs[4];
	struct sockaddr_in a;
	struct sk_stats st;
	struct env e;
	int l = -1, cli = -1, srv = -1, again = -1, old;

	if (env_open(&e)) {
		harness_fail(__FILE__, __LINE__, "setup failed: %s", strerror(errno));
		goto out;
	}
	CHECK_ERR(join(&e), 0);
	l = listener(&a);
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	NEED(l >= 0 && cli >= 0, "sockets: %s", strerror(errno));
	CHECK_ERR(connect(cli, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0, 0);
	srv = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	NEED(srv >= 0, "accept: %s", strerror(errno));
	CHECK_U64(live_entries(&e, recs, 4), 2);
	/* The iterator's records name the connection's two ends. */
	CHECK(recs[0].lport == recs[1].rport && recs[0].rport == recs[1].lport &&
	      (recs[0].lport == ntohs(a.sin_port) || recs[1].lport == ntohs(a.sin_port)),
	      "iterator ports %u->%u, %u->%u", recs[0].lport, recs[0].rport, recs[1].lport,
	      recs[1].rport);

	close(srv);
	srv = -1;
	for (int i = 0; i < 200 && live_entries(&e, recs, 4) != 1; i++)
		usleep(1000);
	CHECK_U64(live_entries(&e, recs, 4), 1);
	CHECK_ERR(lookup(&e, cli, &st), 0);	/* the other end keeps its own */

	old = cli;
	close(cli);
	cli = -1;
	for (int i = 0; i < 200 && live_entries(&e, recs, 4) != 0; i++)
		usleep(1000);
	CHECK_U64(live_entries(&e, recs, 4), 0);
	CHECK_ERR(lookup(&e, old, &st), -EBADF);	/* no fd at all */
	again = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_U64(again, old);
	CHECK_ERR(lookup(&e, again, &st), -ENOENT);
out:
	if (again >= 0)
		close(again);
	if (srv >= 0)
		close(srv);
	if (cli >= 0)
		close(cli);
	if (l >= 0)
		close(l);
	env_close(&e);
}

/* A socket belongs to the cgroup of the task that created it: a client socket
 * made before joining the cgroup gets no storage, while the server end (from a
 * listener made inside) does. */
TEST(sk_storage, only_sockets_of_the_cgroup)
{
	struct sockaddr_in a;
	struct sk_stats st;
	struct env e;
	int l = -1, cli = -1, srv = -1;

	if (env_open(&e)) {
		harness_fail(__FILE__, __LINE__, "setup failed: %s", strerror(errno));
		goto out;
	}
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);	/* outside */
	CHECK_ERR(join(&e), 0);
	l = listener(&a);					/* inside */
	NEED(l >= 0 && cli >= 0, "sockets: %s", strerror(errno));
	CHECK_ERR(connect(cli, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0, 0);
	srv = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	NEED(srv >= 0, "accept: %s", strerror(errno));
	CHECK_ERR(lookup(&e, cli, &st), -ENOENT);
	CHECK_ERR(lookup(&e, srv, &st), 0);
	CHECK_U64(st.role, SK_ROLE_SERVER);
	CHECK_U64(e.skel->bss->created, 1);
out:
	if (srv >= 0)
		close(srv);
	if (cli >= 0)
		close(cli);
	if (l >= 0)
		close(l);
	env_close(&e);
}

/* From user space: storage can be created (update) and deleted by fd; the key
 * must be a socket fd (ENOTSOCK); the map cannot be walked (get_next_key is
 * ENOTSUPP, 524). */
TEST(sk_storage, user_space_ops)
{
	struct sk_stats st = { .bytes_acked = 42 }, got = {};
	struct sk_storage *skel = sk_storage__open_and_load();
	int fd, udp, dir, key = 0, next;

	REQUIRE(skel, "load: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.sk_stats_map);
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	dir = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(bpf_map_lookup_elem(fd, &udp, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_update_elem(fd, &udp, &st, BPF_NOEXIST) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_update_elem(fd, &udp, &st, BPF_NOEXIST) ? -errno : 0, -EEXIST);
	CHECK_ERR(bpf_map_lookup_elem(fd, &udp, &got) ? -errno : 0, 0);
	CHECK_U64(got.bytes_acked, 42);
	CHECK_ERR(bpf_map_delete_elem(fd, &udp) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &udp, &got) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_lookup_elem(fd, &dir, &got) ? -errno : 0, -ENOTSOCK);
	CHECK_ERR(bpf_map_get_next_key(fd, &key, &next) ? -errno : 0, -524);
	close(udp);
	close(dir);
	sk_storage__destroy(skel);
}

/* The map must be created with BPF_F_NO_PREALLOC and max_entries 0. */
TEST(sk_storage, map_creation_rules)
{
	struct sk_storage *skel = sk_storage__open();
	libbpf_print_fn_t old = libbpf_set_print(NULL);	/* expected failures: quiet */

	REQUIRE(skel, "open: %s", strerror(errno));
	bpf_map__set_map_flags(skel->maps.sk_stats_map, 0);
	CHECK(sk_storage__load(skel) != 0, "loaded without BPF_F_NO_PREALLOC");
	sk_storage__destroy(skel);

	skel = sk_storage__open();
	REQUIRE(skel, "open: %s", strerror(errno));
	bpf_map__set_max_entries(skel->maps.sk_stats_map, 16);
	CHECK(sk_storage__load(skel) != 0, "loaded with max_entries 16");
	sk_storage__destroy(skel);
	libbpf_set_print(old);

	skel = sk_storage__open();
	REQUIRE(skel, "open: %s", strerror(errno));
	CHECK_ERR(sk_storage__load(skel), 0);
	CHECK_U64(bpf_map__max_entries(skel->maps.sk_stats_map), 0);
	sk_storage__destroy(skel);
}
