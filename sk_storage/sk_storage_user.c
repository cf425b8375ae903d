// SPDX-License-Identifier: GPL-2.0
/*
 * sk_storage - per-socket TCP statistics in a BPF_MAP_TYPE_SK_STORAGE.
 *
 * A sockops program attached to a cgroup v2 directory creates storage for each
 * TCP connection of the cgroup's tasks and refreshes it (bytes, segments, RTT,
 * retransmits, delivered, state) at every callback. User space looks up the
 * storage of its own sockets with the socket fd as the key, and lists every
 * socket's storage through a map iterator (or, where the kernel refuses map
 * iterators, through a TCP socket iterator that looks each socket up). The
 * storage is part of the socket: when the socket is destroyed, so is its entry.
 *
 *   sudo ./sk_storage          demo: own netns and cgroup, TCP over loopback
 *   sudo ./sk_storage -c CG    watch the TCP connections of cgroup CG
 *   sudo ./sk_storage -d 5     stop after 5 seconds
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "cgroup.h"
#include "sk_storage.h"
#include "sk_storage.skel.h"
#include "sk_storage_load.h"

static const char *prog = "sk_storage";

/* Demo, per tick: one connection over 127.0.0.1; the client sends
 * DEMO_BYTES, the server answers DEMO_REPLY, both shut down, both close. */
#define DEMO_BYTES	(1024 * 1024)
#define DEMO_REPLY	1000
#define DEMO_TIMEOUT_MS	3000

struct ctx {
	struct sk_storage *skel;
	int map_fd;
	struct bpf_link *iter;
	bool tcp_iter;		/* listing through iter/tcp, not the map iterator */
	__u64 start_ns;
	/* demo only */
	bool demo;
	int listen_fd;
	struct sockaddr_in addr;
	__u64 conns, enoent, left_after_close;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Per-socket TCP statistics in a BPF_MAP_TYPE_SK_STORAGE, kept by a sockops program.\n"
		"\n"
		"  -c, --cgroup DIR       watch the TCP connections made by tasks of this cgroup v2\n"
		"                         directory (default: a demo with its own netns and cgroup)\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s -c /sys/fs/cgroup/system.slice\n",
		prog, prog, prog);
}

static const char *tcp_state(__u32 s)
{
	static const char *names[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV",
		"FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static void print_header(bool demo)
{
	printf("%-22s %-21s %-6s %11s %11s %8s %8s %5s %7s %7s %9s %s\n",
	       demo ? "connection" : "local", "remote", "side", "bytes acked", "bytes rcvd",
	       "segs out", "segs in", "rtts", "srtt us", "retrans", "delivered", "state");
}

static void print_stats(const char *local, const char *remote, const struct sk_stats *st)
{
	char b[7][SAMPLE_FMT_LEN];

	sample_fmt_u64(b[0], SAMPLE_FMT_LEN, st->bytes_acked);
	sample_fmt_u64(b[1], SAMPLE_FMT_LEN, st->bytes_received);
	sample_fmt_u64(b[2], SAMPLE_FMT_LEN, st->segs_out);
	sample_fmt_u64(b[3], SAMPLE_FMT_LEN, st->segs_in);
	sample_fmt_u64(b[4], SAMPLE_FMT_LEN, st->rtt_samples);
	sample_fmt_u64(b[5], SAMPLE_FMT_LEN, st->total_retrans);
	sample_fmt_u64(b[6], SAMPLE_FMT_LEN, st->delivered);
	printf("%-22s %-21s %-6s %11s %11s %8s %8s %5s %7llu %7s %9s %s\n", local, remote,
	       st->role == SK_ROLE_CLIENT ? "client" : st->role == SK_ROLE_SERVER ? "server" : "?",
	       b[0], b[1], b[2], b[3], b[4], (unsigned long long)st->srtt_us, b[5], b[6],
	       tcp_state(st->state));
}

/* ---- the iterator: every socket that has storage ------------------------ */

/* Read all records; returns how many (up to max) or -errno. */
static int dump_all(struct ctx *c, struct sk_record *recs, int max)
{
	int fd = bpf_iter_create(bpf_link__fd(c->iter)), n = 0;
	struct sk_record r;
	ssize_t got;

	if (fd < 0)
		return -errno;
	/* Each read returns whole records: the program writes one per socket. */
	while ((got = read(fd, &r, sizeof(r))) == sizeof(r)) {
		if (recs && n < max)
			recs[n] = r;
		n++;
	}
	if (got < 0)
		n = -errno;
	close(fd);
	return n;
}

static void fmt_addr(const struct sk_record *r, const __u8 *a, __u16 port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(r->family == AF_INET ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	snprintf(buf, len, r->family == AF_INET ? "%s:%u" : "[%s]:%u", ip, port);
}

/* -c mode: one table per tick of every socket with storage. */
static int print_all(struct ctx *c)
{
	static struct sk_record recs[64];
	double t = (sample_now_ns() - c->start_ns) / 1e9;
	int n = dump_all(c, recs, 64);

	if (n < 0) {
		fprintf(stderr, "%s: reading the map iterator failed: %s\n", prog, sample_strerror(n));
		return n;
	}
	printf("%.1f s: %d socket%s with storage%s\n", t, n, n == 1 ? "" : "s",
	       n > 64 ? " (first 64 shown)" : "");
	for (int i = 0; i < n && i < 64; i++) {
		char l[64], r[64];

		fmt_addr(&recs[i], recs[i].laddr, recs[i].lport, l, sizeof(l));
		fmt_addr(&recs[i], recs[i].raddr, recs[i].rport, r, sizeof(r));
		print_stats(l, r, &recs[i].st);
	}
	fflush(stdout);
	return 0;
}

/* ---- the demo: one connection per tick --------------------------------- */

static int lookup(struct ctx *c, int sock_fd, struct sk_stats *st)
{
	/* The key is the socket's fd in *this* process. */
	return bpf_map_lookup_elem(c->map_fd, &sock_fd, st) ? -errno : 0;
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

/* One whole connection: connect, transfer both ways, shut down, wait until
 * both ends are closed (as the BPF side saw it), print both storages, close,
 * and show the storage gone. */
static int demo_connection(struct ctx *c)
{
	__u64 deadline = sample_now_ns() + (__u64)DEMO_TIMEOUT_MS * 1000000;
	int cli = -1, srv = -1, again = -1, err, live;
	struct sk_stats cs, ss;
	char name[32], peer[32];

	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cli < 0)
		return -errno;
	if (connect(cli, (struct sockaddr *)&c->addr, sizeof(c->addr))) {
		err = -errno;
		goto out;
	}
	srv = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (srv < 0 || fcntl(cli, F_SETFL, O_NONBLOCK)) {
		err = -errno;
		goto out;
	}
	c->conns++;
	if ((err = transfer(cli, srv, DEMO_BYTES, deadline)) ||
	    (err = transfer(srv, cli, DEMO_REPLY, deadline)))
		goto out;
	/* Client FIN first, then the server's: both end in CLOSE (the client's
	 * TIME_WAIT is a separate mini-socket; its full socket is closed). */
	shutdown(cli, SHUT_WR);
	if ((err = wait_eof(srv, deadline)))
		goto out;
	shutdown(srv, SHUT_WR);
	if ((err = wait_eof(cli, deadline)))
		goto out;
	/* The server's last ACK may still be on its way through lo's backlog. */
	do {
		if ((err = lookup(c, cli, &cs)) || (err = lookup(c, srv, &ss))) {
			fprintf(stderr, "%s: lookup by socket fd failed: %s\n", prog,
				sample_strerror(err));
			goto out;
		}
		if (ss.state == 7 && cs.state == 7)
			break;
		usleep(2000);
	} while (sample_now_ns() < deadline);

	snprintf(name, sizeof(name), "#%llu fd %d", (unsigned long long)c->conns, cli);
	snprintf(peer, sizeof(peer), "127.0.0.1:%u", ntohs(c->addr.sin_port));
	print_stats(name, peer, &cs);
	snprintf(name, sizeof(name), "#%llu fd %d", (unsigned long long)c->conns, srv);
	snprintf(peer, sizeof(peer), "(accepted)");
	print_stats(name, peer, &ss);

	/* close() destroys both sockets and their storage with them. The next
	 * socket() gets the lowest free fd, the client's old number: the same
	 * key now names a socket without storage. */
	close(srv);
	srv = -1;
	close(cli);
	again = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	err = lookup(c, again, &cs);
	live = dump_all(c, NULL, 0);
	printf("%-22s closed both; lookup(fd %d) on a new socket with the client's fd number -> "
	       "%s; entries left in the map (iterator): %d\n", "", again,
	       err ? sample_strerror(err) : "found (unexpected)", live);
	fflush(stdout);
	if (err == -ENOENT)
		c->enoent++;
	if (live > 0)
		c->left_after_close += live;
	err = live < 0 ? live : 0;
	close(again);
	return err;
out:
	if (srv >= 0)
		close(srv);
	close(cli);
	if (err)
		fprintf(stderr, "%s: demo connection failed: %s\n", prog, sample_strerror(err));
	return err ? err : -EIO;
}

static int tick(void *arg)
{
	struct ctx *c = arg;

	if (c->demo)
		return demo_connection(c);
	return print_all(c);
}

/* The traps, on the live map before any connection exists. */
static int show_traps(struct ctx *c, int cg_fd)
{
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), key = 0, next, err;
	struct sk_stats st = {};

	printf("BPF_MAP_TYPE_SK_STORAGE traps, on the live map:\n");
	err = lookup(c, udp, &st);
	printf("  lookup(fd of a new UDP socket)     -> %s: a socket has storage only once a "
	       "program created it\n", err ? sample_strerror(err) : "found (unexpected)");
	err = bpf_map_update_elem(c->map_fd, &udp, &st, BPF_NOEXIST) ? -errno : 0;
	printf("  update(that fd) from user space    -> %s: user space may create it too\n",
	       err ? sample_strerror(err) : "ok");
	err = bpf_map_delete_elem(c->map_fd, &udp) ? -errno : 0;
	printf("  delete(that fd)                    -> %s\n", err ? sample_strerror(err) : "ok");
	err = lookup(c, cg_fd, &st);
	printf("  lookup(fd of a directory)          -> %s: the key must be a socket fd\n",
	       err ? sample_strerror(err) : "found (unexpected)");
	err = bpf_map_get_next_key(c->map_fd, &key, &next) ? -errno : 0;
	printf("  get_next_key                       -> %s: no walking the map from user "
	       "space; an iterator does it\n\n",
	       err == -524 ? "error 524 (ENOTSUPP)" : err ? sample_strerror(err) : "ok (unexpected)");
	if (udp >= 0)
		close(udp);
	return 0;
}

/* The map iterator (iter/bpf_sk_storage_map) visits every storage in the
 * map; some kernels refuse to load map iterators at all (EPERM on a 6.18
 * host where iter/tcp loads), so then the object is loaded again with
 * iter/tcp instead: the same records, for the TCP sockets of this netns.
 * The first try is quiet unless -v: a refusal there is expected, and main()
 * reports it in one line. */
static struct sk_storage *open_load(bool verbose, bool *tcp_iter, int *map_iter_err)
{
	struct sk_storage *skel = sk_storage_load_with(true, !verbose);

	*tcp_iter = false;
	*map_iter_err = skel ? 0 : -errno;
	if (skel)
		return skel;
	skel = sk_storage_load_with(false, false);
	*tcp_iter = skel != NULL;
	return skel;
}

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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, iter_opts);
	union bpf_iter_link_info linfo = {};
	struct sample_run_opts run = { .interval_ms = 1000 };
	char root[SAMPLE_CGROUP_PATH_MAX];
	struct sample_cgroup demo_cg = SAMPLE_CGROUP_INIT;
	char orig_cg[SAMPLE_CGROUP_PATH_MAX] = "";
	struct sk_storage *skel = NULL;
	struct bpf_link *link = NULL;
	const char *cgroup = NULL;
	bool verbose = false, use_demo, joined = false;
	struct ctx c = { .listen_fd = -1 };
	int opt, cg_fd = -1, orig_ns = -1, ns = -1, err = 0, map_iter_err;
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":c:d:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cgroup = optarg;
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
	use_demo = !cgroup;

	if (sample_init(verbose) || sample_check_privileges(prog))
		return 1;

	/* 1. The cgroup to attach to: the demo's own, or the user's. The demo
	 *    also gets a private netns, so its loopback carries only its TCP. */
	if (use_demo) {
		if (sample_cgroup2_root(prog, root, sizeof(root)) ||
		    sample_cgroup_self(root, orig_cg, sizeof(orig_cg)) ||
		    sample_cgroup_create(prog, &demo_cg))
			return 1;
		cgroup = demo_cg.path;
		orig_ns = sample_netns_current();
		ns = sample_netns_new();
		if (orig_ns < 0 || ns < 0 || (err = sample_netns_enter(ns))) {
			err = orig_ns < 0 ? orig_ns : ns < 0 ? ns : err;
			fprintf(stderr, "%s: creating the demo netns failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.demo = true;
	}
	cg_fd = sample_cgroup_open(prog, cgroup);
	if (cg_fd < 0) {
		err = cg_fd;
		goto cleanup;
	}

	/* 2. Load. */
	skel = open_load(verbose, &c.tcp_iter, &map_iter_err);
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (c.tcp_iter)
		fprintf(stderr, "%s: this kernel refuses map iterators (loading "
			"iter/bpf_sk_storage_map: %s); listing through iter/tcp instead, "
			"which sees the TCP sockets of this network namespace only\n",
			prog, sample_strerror(map_iter_err));
	if (bpf_map__value_size(skel->maps.sk_stats_map) != sizeof(struct sk_stats)) {
		fprintf(stderr, "%s: value size mismatch between sk_storage.h and the object\n", prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.map_fd = bpf_map__fd(skel->maps.sk_stats_map);

	/* 3. Attach: sockops to the cgroup (a bpf_link: gone with the process,
	 *    and it leaves other programs on the cgroup alone), the iterator to
	 *    the map (iter/tcp needs no target). */
	link = bpf_program__attach_cgroup(skel->progs.tcp_stats, cg_fd);
	if (!link) {
		err = -errno;
		fprintf(stderr, "%s: attaching sockops to %s failed: %s\n", prog, cgroup,
			sample_strerror(err));
		goto cleanup;
	}
	if (c.tcp_iter) {
		c.iter = bpf_program__attach_iter(skel->progs.dump_tcp_stats, NULL);
	} else {
		linfo.map.map_fd = c.map_fd;
		iter_opts.link_info = &linfo;
		iter_opts.link_info_len = sizeof(linfo);
		c.iter = bpf_program__attach_iter(skel->progs.dump_sk_stats, &iter_opts);
	}
	if (!c.iter) {
		err = -errno;
		fprintf(stderr, "%s: creating the %s iterator failed: %s\n", prog,
			c.tcp_iter ? "iter/tcp" : "map", sample_strerror(err));
		goto cleanup;
	}

	/* 4. Demo: join the cgroup, so that our sockets are its sockets, then
	 *    listen (accepted sockets inherit the listener's cgroup). */
	if (use_demo) {
		if ((err = show_traps(&c, cg_fd)))
			goto cleanup;
		if ((err = sample_cgroup_join(demo_cg.path, 0))) {
			fprintf(stderr, "%s: joining %s failed: %s\n", prog, demo_cg.path,
				sample_strerror(err));
			goto cleanup;
		}
		joined = true;
		c.listen_fd = open_listener(&c.addr);
		if (c.listen_fd < 0) {
			err = c.listen_fd;
			fprintf(stderr, "%s: listening on 127.0.0.1 failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		char b[SAMPLE_FMT_LEN];

		printf("Each tick: a TCP connection over 127.0.0.1 in a private netns, by this "
		       "process in %s;\nthe client sends %s bytes, the server answers %d, both "
		       "shut down; both storages are read by fd, then both sockets close.\n",
		       demo_cg.path, sample_fmt_u64(b, sizeof(b), DEMO_BYTES), DEMO_REPLY);
	} else {
		printf("TCP connections established by tasks of %s from now on "
		       "(listed through %s):\n", cgroup,
		       c.tcp_iter ? "iter/tcp: this netns only" : "the map iterator");
	}
	print_header(use_demo);
	fflush(stdout);

	/* 5. Run. */
	c.start_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 6. Summary. */
	if (!err) {
		int live = dump_all(&c, NULL, 0);

		printf("final:\n");
		if (c.demo) {
			char b[SAMPLE_FMT_LEN];

			printf("%llu connections, %llu storages created by BPF, %llu lookups after "
			       "close gave ENOENT, %d entries left in the map\n",
			       (unsigned long long)c.conns, (unsigned long long)skel->bss->created,
			       (unsigned long long)c.enoent, live);
			printf("summary: every connection carried %s bytes client->server and %d "
			       "back; its storage was freed with its socket\n",
			       sample_fmt_u64(b, sizeof(b), DEMO_BYTES), DEMO_REPLY);
		} else {
			printf("%llu storages created by BPF, %d sockets with storage now\n",
			       (unsigned long long)skel->bss->created, live);
			printf("summary: watched %s\n", cgroup);
		}
	}

cleanup:
	if (c.listen_fd >= 0)
		close(c.listen_fd);
	bpf_link__destroy(c.iter);
	bpf_link__destroy(link);
	sk_storage__destroy(skel);
	if (cg_fd >= 0)
		close(cg_fd);
	if (orig_ns >= 0) {
		sample_netns_enter(orig_ns);
		close(orig_ns);
	}
	if (ns >= 0)
		close(ns);
	if (joined && sample_cgroup_join(orig_cg, 0))
		fprintf(stderr, "%s: could not return to cgroup %s\n", prog, orig_cg);
	if (demo_cg.reaper_fd >= 0) {
		int e = sample_cgroup_destroy(&demo_cg);

		if (e) {
			fprintf(stderr, "%s: removing the demo cgroup %s failed: %s\n", prog,
				demo_cg.path, sample_strerror(e));
			err = err ? err : e;
		}
	}
	return err ? 1 : 0;
}
