// SPDX-License-Identifier: GPL-2.0
/* sockmap: M messages of B bytes arrive exactly, in order, with equal
 * checksums, through the SOCKHASH / SOCKMAP redirect (lo sees none of them)
 * and without it (lo sees all of them); exact verdicts; 2 entries per
 * connection while open, 0 after close; the in-kernel echo; apply_bytes and
 * cork; the traps the sample shows. */
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "cgroup.h"
#include "tc.h"
#include "sockmap.h"
#include "sockmap.skel.h"

#define M 50
#define B 1500

/* Everything one test sets up: the object, attached as the sample attaches
 * it, a cgroup joined by this process and a netns entered by it. */
struct world {
	struct sockmap *skel;
	struct bpf_link *sockops;
	struct sample_tc lo;
	struct sample_cgroup cg;
	char home_cg[SAMPLE_CGROUP_PATH_MAX];
	int home_ns, ns, lst;
	struct sockaddr_in addr;
	const struct bpf_map *map;
};

enum { HASH = 0, SLOTS = 1, NO_REDIRECT = 2, ECHO = 4 };

static int world_up(struct world *w, int how)
{
	char root[SAMPLE_CGROUP_PATH_MAX];
	socklen_t alen = sizeof(w->addr);
	int cg_fd, map_fd, err;

	*w = (struct world){ .lo = { .link_fd = -1 }, .cg = SAMPLE_CGROUP_INIT,
			     .home_ns = -1, .ns = -1, .lst = -1 };
	if ((err = sample_cgroup2_root("test", root, sizeof(root))) ||
	    (err = sample_cgroup_self(root, w->home_cg, sizeof(w->home_cg))) ||
	    (err = sample_cgroup_create("sockmap_test", &w->cg)))
		return err;
	w->home_ns = sample_netns_current();
	w->ns = sample_netns_new();
	if (w->home_ns < 0 || w->ns < 0 || sample_netns_enter(w->ns) ||
	    sample_cgroup_join(w->cg.path, 0))
		return -EIO;
	w->lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	w->addr = (struct sockaddr_in){ .sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(w->lst, (struct sockaddr *)&w->addr, sizeof(w->addr)) || listen(w->lst, 4) ||
	    getsockname(w->lst, (struct sockaddr *)&w->addr, &alen))
		return -errno;
	if (!(w->skel = sockmap__open()))
		return -errno;
	w->skel->rodata->use_sockmap = how & SLOTS;
	w->skel->rodata->redirect_on = !(how & NO_REDIRECT);
	if (how & ECHO)	/* the listener's connections go to the echo, not the bypass */
		w->skel->rodata->echo_port = ntohs(w->addr.sin_port);
	if ((err = sockmap__load(w->skel)))
		return err;
	w->map = (how & SLOTS) ? w->skel->maps.sock_map : w->skel->maps.sock_hash;
	map_fd = bpf_map__fd(w->map);
	if (bpf_prog_attach(bpf_program__fd(w->skel->progs.redirect), map_fd, BPF_SK_MSG_VERDICT, 0))
		return -errno;
	if ((how & ECHO) && bpf_prog_attach(bpf_program__fd(w->skel->progs.echo),
					    bpf_map__fd(w->skel->maps.echo_map),
					    BPF_SK_SKB_STREAM_VERDICT, 0))
		return -errno;
	if ((cg_fd = sample_cgroup_open("test", w->cg.path)) < 0)
		return cg_fd;
	w->sockops = bpf_program__attach_cgroup(w->skel->progs.add_socket, cg_fd);
	close(cg_fd);
	if (!w->sockops)
		return -errno;
	return sample_tc_attach("test", w->skel->progs.count_lo, 1, true, &w->lo);
}

static void world_down(struct world *w)
{
	if (w->lst >= 0)
		close(w->lst);
	sample_tc_detach(&w->lo);
	bpf_link__destroy(w->sockops);
	sockmap__destroy(w->skel);
	sample_cgroup_join(w->home_cg, 0);
	if (w->home_ns >= 0 && !sample_netns_enter(w->home_ns))
		close(w->home_ns);
	if (w->ns >= 0)
		close(w->ns);
	CHECK_ERR(sample_cgroup_destroy(&w->cg), 0);
}

static int sockets_in(const struct bpf_map *map)
{
	__u8 key[sizeof(struct sock_key)], next[sizeof(struct sock_key)];
	__u64 cookie;
	int n = 0;

	if (bpf_map__type(map) == BPF_MAP_TYPE_SOCKMAP) {
		for (__u32 i = 0; i < SOCKMAP_MAX_SOCKS; i++)
			n += !bpf_map__lookup_elem(map, &i, 4, &cookie, 8, 0);
		return n;
	}
	for (void *k = NULL; !bpf_map__get_next_key(map, k, next, sizeof(next)); k = key, n++)
		memcpy(key, next, sizeof(key));
	return n;
}

static __u64 mix(__u64 h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Read exactly want bytes from fd within 2 s, checking that byte i of the
 * stream is (i * 13) & 0xff; returns the bytes that were right, in order. */
static size_t drain(int fd, size_t want, size_t *pos, __u64 *sum)
{
	unsigned char buf[4096];
	size_t good = 0;

	for (int idle = 0; good < want && idle < 20;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;

		if (poll(&p, 1, 100) <= 0) {
			idle++;
			continue;
		}
		k = recv(fd, buf, want - good < sizeof(buf) ? want - good : sizeof(buf), 0);
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k; i++)
			if (buf[i] != (unsigned char)((*pos + i) * 13))
				return good;
		*sum = mix(*sum, buf, k);
		*pos += k;
		good += k;
	}
	return good;
}

struct result {
	size_t sent, rcvd;
	__u64 sum_out, sum_in;
	int open_entries, closed_entries;
	int early;	/* sends after which the reader already had data */
};

/* One connection: n messages of len bytes client -> reader (the server, or
 * the client itself for the echo), each read as it arrives (each) or all of
 * them after the last send; nothing may be readable before that. */
static void one_connection_by(struct world *w, int n, size_t len, bool echo, bool each,
			      struct result *r)
{
	unsigned char msg[8192];
	size_t opos = 0, ipos = 0;
	int cli, srv = -1;
	__u64 fd64;
	__u32 zero = 0;

	*r = (struct result){ .sum_out = 0xcbf29ce484222325ull, .sum_in = 0xcbf29ce484222325ull };
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(cli, (struct sockaddr *)&w->addr, sizeof(w->addr)) ||
	    (srv = accept4(w->lst, NULL, NULL, SOCK_CLOEXEC)) < 0)
		goto out;
	fd64 = srv;
	if (echo && bpf_map__update_elem(w->skel->maps.echo_map, &zero, 4, &fd64, 8, 0))
		goto out;
	for (int m = 0; m < n; m++) {
		for (size_t i = 0; i < len; i++)
			msg[i] = (unsigned char)((opos + i) * 13);
		if (send(cli, msg, len, 0) != (ssize_t)len)
			break;
		r->sum_out = mix(r->sum_out, msg, len);
		opos += len;
		r->sent += len;
		if (each)
			r->rcvd += drain(echo ? cli : srv, len, &ipos, &r->sum_in);
		else if (m < n - 1)
			r->early += poll(&(struct pollfd){ srv, POLLIN, 0 }, 1, 50) > 0;
	}
	if (!each)
		r->rcvd = drain(srv, r->sent, &ipos, &r->sum_in);
	r->open_entries = sockets_in(w->map);
out:
	close(cli);
	if (srv >= 0)
		close(srv);
	r->closed_entries = sockets_in(w->map);
}
static void one_connection(struct world *w, int n, size_t len, bool echo, struct result *r)
{
	one_connection_by(w, n, len, echo, true, r);
}

static void bypass_case(int how)
{
	struct world w;
	struct result r;
	const struct sockmap_stats *s;
	int err = world_up(&w, how);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	s = &w.skel->bss->stats;
	one_connection(&w, M, B, false, &r);
	CHECK_U64(r.sent, M * B);
	CHECK_U64(r.rcvd, M * B);
	CHECK(r.sum_in == r.sum_out, "checksums differ: %llx vs %llx",
	      (unsigned long long)r.sum_in, (unsigned long long)r.sum_out);
	CHECK_U64(s->added, 2);
	CHECK_U64(s->add_failed, 0);
	CHECK_U64(r.open_entries, 2);
	CHECK_U64(r.closed_entries, 0);
	CHECK_U64(s->msg_verdicts, M);
	CHECK_U64(s->msg_bytes, M * B);
	if (how & NO_REDIRECT) {
		CHECK_U64(s->redirected, 0);
		CHECK_U64(s->lo_bytes, M * B);	/* every byte crossed lo */
	} else {
		CHECK_U64(s->redirected, M);
		CHECK_U64(s->redirect_missed, 0);
		CHECK_U64(s->lo_bytes, 0);	/* none did */
	}
out:
	world_down(&w);
}

TEST(sockmap, sockhash_redirect_exact)		{ bypass_case(HASH); }
TEST(sockmap, sockmap_slots_redirect_exact)	{ bypass_case(SLOTS); }
TEST(sockmap, no_redirect_goes_through_lo)	{ bypass_case(HASH | NO_REDIRECT); }
TEST(sockmap, sockmap_no_redirect_through_lo)	{ bypass_case(SLOTS | NO_REDIRECT); }

/* The sk_skb echo: the server never reads, the client gets its M*B bytes
 * back in order; the connection is not in the bypass map (echo_port). */
TEST(sockmap, in_kernel_echo)
{
	struct world w;
	struct result r;
	int err = world_up(&w, SLOTS | ECHO);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	one_connection(&w, M, B, true, &r);
	CHECK_U64(r.rcvd, M * B);
	CHECK(r.sum_in == r.sum_out, "echo checksum differs");
	CHECK_U64(w.skel->bss->stats.skb_bytes, M * B);
	CHECK_U64(w.skel->bss->stats.added, 0);
	CHECK_U64(w.skel->bss->stats.msg_verdicts, 0);
	CHECK_U64(w.skel->bss->stats.lo_bytes, 2 * M * B);	/* there and back through TCP */
out:
	world_down(&w);
}

/* bpf_msg_apply_bytes(n): the verdict covers the next n bytes, so one
 * sendmsg() of 4 * 1000 bytes is judged 4 times, and each run still sees
 * msg->size of what is left (4000 + 3000 + 2000 + 1000 = 10,000).
 * bpf_msg_cork_bytes(n): the program asks for n bytes; the kernel holds the
 * data without running it again until they are there, so 4 sends of 1000
 * bytes make 1 corked run and 1 verdict on all 4000, and the reader gets
 * nothing before the 4th send. */
static void sizes_case(__u32 apply, __u32 cork, int n, size_t len, __u64 verdicts, __u64 corked,
		       __u64 msg_bytes)
{
	struct world w;
	struct result r;
	int err = world_up(&w, HASH);

	if (err) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(-err));
		goto out;
	}
	w.skel->bss->apply_bytes = apply;
	w.skel->bss->cork_bytes = cork;
	one_connection_by(&w, n, len, false, false, &r);
	CHECK_U64(r.rcvd, n * len);
	CHECK_U64(r.early, 0);
	CHECK(r.sum_in == r.sum_out, "checksums differ");
	CHECK_U64(w.skel->bss->stats.msg_verdicts, verdicts);
	CHECK_U64(w.skel->bss->stats.corked, corked);
	CHECK_U64(w.skel->bss->stats.redirected, verdicts);
	CHECK_U64(w.skel->bss->stats.msg_bytes, msg_bytes);
	CHECK_U64(w.skel->bss->stats.lo_bytes, 0);
out:
	world_down(&w);
}

TEST(sockmap, apply_bytes_one_verdict_per_n)	{ sizes_case(1000, 0, 1, 4000, 4, 0, 10000); }
TEST(sockmap, cork_bytes_waits_for_n)		{ sizes_case(0, 4000, 4, 1000, 1, 1, 4000); }

/* The traps the sample shows, with the kernel's answers on 6.18. */
static void traps_case(int how)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int fresh = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockmap *skel = sockmap__open_and_load();
	enum bpf_map_type type = how & SLOTS ? BPF_MAP_TYPE_SOCKMAP : BPF_MAP_TYPE_SOCKHASH;
	struct sock_key key = { 1, 2, 3, 4 };
	__u32 slot = 3, v4;
	void *k = how & SLOTS ? (void *)&slot : (void *)&key;
	__u64 fd64, cookie = 0, so_cookie = 1;
	socklen_t len = sizeof(so_cookie);
	char root[SAMPLE_CGROUP_PATH_MAX];
	int map, small = -1, cg_fd;

	REQUIRE(skel, "sockmap__open_and_load: %s", strerror(errno));
	map = bpf_map_create(type, "t", how & SLOTS ? 4 : sizeof(key), 8, 4, NULL);
	small = bpf_map_create(type, "t4", how & SLOTS ? 4 : sizeof(key), 4, 4, NULL);
	REQUIRE(map >= 0 && small >= 0, "bpf_map_create: %s", strerror(errno));
	fd64 = fresh;
	CHECK_ERR(bpf_map_update_elem(map, k, &fd64, BPF_ANY) ? -errno : 0, -EOPNOTSUPP);
	fd64 = udp;	/* an unbound UDP socket is not hashed either */
	CHECK_ERR(bpf_map_update_elem(map, k, &fd64, BPF_ANY) ? -errno : 0, -EOPNOTSUPP);
	REQUIRE(!bind(lst, (struct sockaddr *)&a, sizeof(a)) && !listen(lst, 1), "listen");
	fd64 = lst;
	CHECK_ERR(bpf_map_update_elem(map, k, &fd64, BPF_ANY) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(map, k, &cookie) ? -errno : 0, 0);
	CHECK_ERR(getsockopt(lst, SOL_SOCKET, SO_COOKIE, &so_cookie, &len), 0);
	CHECK_U64(cookie, so_cookie);
	v4 = lst;	/* a 4-byte value takes an fd, but cannot give a cookie back */
	CHECK_ERR(bpf_map_update_elem(small, k, &v4, BPF_ANY) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(small, k, &v4) ? -errno : 0, -ENOSPC);
	close(lst);
	CHECK_ERR(bpf_map_lookup_elem(map, k, &cookie) ? -errno : 0, -ENOENT);
	cg_fd = sample_cgroup2_root("test", root, sizeof(root)) ? -1 : sample_cgroup_open("test", root);
	CHECK(cg_fd >= 0, "no cgroup v2 root");
	/* sk_msg belongs to a map: a cgroup fd is not one */
	CHECK_ERR(bpf_prog_attach(bpf_program__fd(skel->progs.redirect), cg_fd,
				  BPF_SK_MSG_VERDICT, 0) ? -errno : 0, -EINVAL);
	CHECK_ERR(bpf_prog_attach(bpf_program__fd(skel->progs.redirect), map,
				  BPF_SK_MSG_VERDICT, 0) ? -errno : 0, 0);
	CLOSE_FDS(cg_fd, map, small, fresh, udp);
	sockmap__destroy(skel);
}

TEST(sockmap, sockhash_traps)	{ traps_case(HASH); }
TEST(sockmap, sockmap_traps)	{ traps_case(SLOTS); }
