// SPDX-License-Identifier: GPL-2.0
/* sk_storage: exact per-socket TCP counters in SK_STORAGE for real connections
 * over loopback in a private netns and cgroup, lookups by fd, storage freed
 * with the socket, the map's creation rules, and what each of the two
 * iterators (the map's own, iter/tcp) lists. */
#include <fcntl.h>
#include <poll.h>
#include <time.h>
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
#include "sk_storage_load.h"
#include "probe.h"

#define TEST_PREFIX "sk_storage_test"

/* REQUIRE, but through the cleanup label: the test process must leave the
 * netns and cgroup it entered. */
#define NEED(cond, ...) \
	do { if (!(cond)) { harness_fail(__FILE__, __LINE__, __VA_ARGS__); goto out; } } while (0)
#define TCP_ESTABLISHED_ 1
#define TCP_CLOSE_ 7

/* Which iterator an object is loaded with: the map iterator
 * (iter/bpf_sk_storage_map), or iter/tcp, the sample's fallback where the
 * kernel refuses map iterators. */
enum which_iter { MAP_ITER, TCP_ITER };

/* The object with one iterator, as the sample loads it. */
static struct sk_storage *load(enum which_iter w, bool quiet)
{
	return sk_storage_load_with(w == MAP_ITER, quiet);
}

/* True where the platform refuses map element iterators: the probe (a
 * minimal iter/bpf_sk_storage_map program on an SK_STORAGE map,
 * tests/probe.h) got EPERM; *step says at which step. Anything else means
 * allowed, and a failure to load the sample's own iterator is a FAIL. */
static bool map_iter_refused(enum probe_step *step)
{
	static enum probe_step s;
	static int probed, err;

	if (!probed) {
		err = probe_sk_storage_map_iter(&s);
		probed = 1;
	}
	if (step)
		*step = s;
	return err == -EPERM;
}

/* What the sample does: the map iterator, or iter/tcp where it is refused. */
static enum which_iter best_iter(void)
{
	return map_iter_refused(NULL) ? TCP_ITER : MAP_ITER;
}

static struct bpf_link *attach_iter(struct sk_storage *skel, enum which_iter w)
{
	return sk_storage_attach_iter(skel, w == MAP_ITER);
}

/* The test's world: a cgroup with the sockops program, a private netns, an
 * iterator over the map. The test process joins the cgroup only in join(). */
struct env {
	struct sk_storage *skel;
	struct bpf_link *link, *iter;
	struct sample_cgroup cgh;
	char orig_cg[SAMPLE_CGROUP_PATH_MAX];
	int map_fd, orig_ns, ns;
	bool joined;
};

static int env_open(struct env *e, enum which_iter w)
{
	char root[SAMPLE_CGROUP_PATH_MAX];
	int cg_fd;

	memset(e, 0, sizeof(*e));
	e->orig_ns = e->ns = -1;
	e->cgh = (struct sample_cgroup)SAMPLE_CGROUP_INIT;
	if (sample_cgroup2_root("test", root, sizeof(root)) ||
	    sample_cgroup_self(root, e->orig_cg, sizeof(e->orig_cg)) ||
	    sample_cgroup_create(TEST_PREFIX, &e->cgh))
		return -1;
	e->skel = load(w, false);
	if (!e->skel)
		return -1;
	e->map_fd = bpf_map__fd(e->skel->maps.sk_stats_map);
	cg_fd = sample_cgroup_open("test", e->cgh.path);
	if (cg_fd < 0)
		return -1;
	e->link = bpf_program__attach_cgroup(e->skel->progs.tcp_stats, cg_fd);
	close(cg_fd);
	if (!e->link)
		return -1;
	e->iter = attach_iter(e->skel, w);
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
	int err = sample_cgroup_join(e->cgh.path, 0);

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
	if (e->cgh.reaper_fd >= 0)
		CHECK_ERR(sample_cgroup_destroy(&e->cgh), 0);
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

/* The bound on every wait for a teardown: it returns as soon as the state is
 * there; 5 s is only how long a loaded machine may take. */
#define TEARDOWN_WAIT_NS 5000000000ull

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Wait (bounded) until both sockets' storage shows TCP_CLOSE. */
static void wait_closed(struct env *e, int a, int b)
{
	__u64 deadline = now_ns() + TEARDOWN_WAIT_NS;
	struct sk_stats x, y;

	while (now_ns() < deadline) {
		if (!lookup(e, a, &x) && !lookup(e, b, &y) && x.state == TCP_CLOSE_ &&
		    y.state == TCP_CLOSE_)
			return;
		usleep(2000);
	}
}

/* Wait (bounded) until the iterator lists `want` entries; the count last seen. */
static int wait_live(struct env *e, struct sk_record *recs, int max, int want)
{
	__u64 deadline = now_ns() + TEARDOWN_WAIT_NS;
	int n = live_entries(e, recs, max);

	while (n != want && now_ns() < deadline) {
		usleep(1000);
		n = live_entries(e, recs, max);
	}
	return n;
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

	if (env_open(&e, best_iter())) {
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
	CLOSE_FDS(srv, cli, l);
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

	if (env_open(&e, best_iter())) {
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
	CHECK_U64(wait_live(&e, recs, 4, 1), 1);
	CHECK_ERR(lookup(&e, cli, &st), 0);	/* the other end keeps its own */

	old = cli;
	close(cli);
	cli = -1;
	CHECK_U64(wait_live(&e, recs, 4, 0), 0);
	CHECK_ERR(lookup(&e, old, &st), -EBADF);	/* no fd at all */
	again = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_U64(again, old);
	CHECK_ERR(lookup(&e, again, &st), -ENOENT);
out:
	CLOSE_FDS(again, srv, cli, l);
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

	if (env_open(&e, best_iter())) {
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
	CLOSE_FDS(srv, cli, l);
	env_close(&e);
}

/* From user space: storage can be created (update) and deleted by fd; the key
 * must be a socket fd (ENOTSOCK); the map cannot be walked (get_next_key is
 * ENOTSUPP, 524). */
TEST(sk_storage, user_space_ops)
{
	struct sk_stats st = { .bytes_acked = 42 }, got = {};
	struct sk_storage *skel = load(best_iter(), false);
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

/* Load with the map's flags and max_entries set to these (and the iterator
 * this kernel loads, so that only the map can be the reason of a refusal).
 * Returns the load's 0 or -errno; *max_out gets max_entries after a load. */
static int load_with(__u32 flags, __u32 max_entries, __u32 *max_out)
{
	libbpf_print_fn_t old = libbpf_set_print(NULL);	/* expected failures: quiet */
	struct sk_storage *skel = sk_storage__open();
	int err;

	if (!skel) {
		err = -errno;
		goto out;
	}
	bpf_program__set_autoload(best_iter() == MAP_ITER ? skel->progs.dump_tcp_stats
							  : skel->progs.dump_sk_stats, false);
	bpf_map__set_map_flags(skel->maps.sk_stats_map, flags);
	bpf_map__set_max_entries(skel->maps.sk_stats_map, max_entries);
	err = sk_storage__load(skel);
	if (!err && max_out)
		*max_out = bpf_map__max_entries(skel->maps.sk_stats_map);
	sk_storage__destroy(skel);
out:
	libbpf_set_print(old);
	return err;
}

/* The map must be created with BPF_F_NO_PREALLOC and max_entries 0: the
 * kernel refuses anything else with EINVAL when it creates the map. */
TEST(sk_storage, map_creation_rules)
{
	__u32 max = 1;

	CHECK_ERR(load_with(0, 0, NULL), -EINVAL);
	CHECK_ERR(load_with(BPF_F_NO_PREALLOC, 16, NULL), -EINVAL);
	CHECK_ERR(load_with(BPF_F_NO_PREALLOC, 0, &max), 0);
	CHECK_U64(max, 0);
}

/* One TCP connection (two storages, made by sockops) and one UDP socket given
 * storage from user space, all in the private netns; then count what the
 * iterator lists when read from that netns and from the original one. */
static void iter_views(enum which_iter w, int *in_ns, int *in_orig)
{
	struct sk_stats st = {};
	struct sk_record recs[4];
	struct sockaddr_in a;
	struct env e;
	int l = -1, cli = -1, srv = -1, udp = -1;

	*in_ns = *in_orig = -1;
	if (env_open(&e, w)) {
		harness_fail(__FILE__, __LINE__, "setup failed: %s", strerror(errno));
		goto out;
	}
	CHECK_ERR(join(&e), 0);
	l = listener(&a);
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	NEED(l >= 0 && cli >= 0 && udp >= 0, "sockets: %s", strerror(errno));
	CHECK_ERR(connect(cli, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0, 0);
	srv = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	NEED(srv >= 0, "accept: %s", strerror(errno));
	CHECK_ERR(bpf_map_update_elem(e.map_fd, &udp, &st, BPF_NOEXIST) ? -errno : 0, 0);
	CHECK_U64(e.skel->bss->created, 2);

	*in_ns = live_entries(&e, recs, 4);
	/* The TCP records name the connection's two ends, whichever iterator. */
	for (int i = 0, tcp = 0; i < *in_ns && i < 4; i++) {
		if (recs[i].st.role != SK_ROLE_CLIENT && recs[i].st.role != SK_ROLE_SERVER)
			continue;
		CHECK(recs[i].lport == ntohs(a.sin_port) || recs[i].rport == ntohs(a.sin_port),
		      "record %d: ports %u->%u, listener %u", i, recs[i].lport, recs[i].rport,
		      ntohs(a.sin_port));
		CHECK(++tcp <= 2, "more than two TCP records");
	}
	NEED(!sample_netns_enter(e.orig_ns), "back to the original netns: %s", strerror(errno));
	*in_orig = live_entries(&e, recs, 4);
	NEED(!sample_netns_enter(e.ns), "into the private netns: %s", strerror(errno));
out:
	CLOSE_FDS(udp, srv, cli, l);
	env_close(&e);
}

/* The map iterator visits every storage in the map: both TCP ends and the UDP
 * socket, the same 3 whichever netns reads it. */
TEST(sk_storage, map_iter_lists_every_storage)
{
	enum probe_step step;
	int in_ns, in_orig;

	if (map_iter_refused(&step))
		SKIP("the kernel refuses map element iterators: %s a minimal "
		     "iter/bpf_sk_storage_map program got EPERM; the sample lists through "
		     "iter/tcp instead", probe_step_name(step));
	iter_views(MAP_ITER, &in_ns, &in_orig);
	CHECK_U64(in_ns, 3);
	CHECK_U64(in_orig, 3);
}

/* The fallback, iter/tcp, walks the TCP sockets of the netns that creates the
 * iterator fd and looks each up in the map: the two TCP ends from inside, no
 * UDP socket ever, nothing from the original netns. */
TEST(sk_storage, tcp_iter_lists_this_netns_tcp_only)
{
	int in_ns, in_orig;

	iter_views(TCP_ITER, &in_ns, &in_orig);
	CHECK_U64(in_ns, 2);
	CHECK_U64(in_orig, 0);
}
