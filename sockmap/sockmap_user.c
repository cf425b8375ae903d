// SPDX-License-Identifier: GPL-2.0
/*
 * sockmap - sockets as map values: a local TCP bypass with a
 * BPF_MAP_TYPE_SOCKHASH (or a BPF_MAP_TYPE_SOCKMAP with -m sockmap).
 *
 * A sockops program on a cgroup puts every established TCP socket of the
 * cgroup's tasks into the map, keyed by its 4-tuple (SOCKHASH) or at a slot
 * (SOCKMAP). An sk_msg program attached to the map runs at every sendmsg() of
 * those sockets and moves the data straight into the peer socket's receive
 * queue: local connections skip TCP/IP and lo altogether, which a tc counter
 * on lo proves (it sees the payload again with -n). With -m sockmap, an
 * sk_skb stream verdict program also echoes a connection from inside the
 * kernel.
 *
 *   sudo ./sockmap               demo: own netns and cgroup, TCP over 127.0.0.1
 *   sudo ./sockmap -n            the same without the redirect: through the stack
 *   sudo ./sockmap -m sockmap    SOCKMAP by slot, and the in-kernel echo
 *   sudo ./sockmap -c CGROUP     bypass the local TCP of cgroup CGROUP's tasks
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "cgroup.h"
#include "tc.h"
#include "sockmap.h"
#include "sockmap.skel.h"
#include "sockmap_demo.h"

static const struct sample_cli cli = {
	.name = "sockmap",
	.about =
		"A local TCP bypass: sockets in a BPF_MAP_TYPE_SOCKHASH/SOCKMAP, sendmsg() redirected by sk_msg.",
	.options =
		(const struct sample_option[]){
			{ 'c', "cgroup", "DIR",
			  "bypass the TCP connections made by tasks of this cgroup v2\n"
			  "directory (default: a demo with its own netns and cgroup)" },
			{ 'm', "map", "MAP",
			  "sockhash (default: key = 4-tuple) or sockmap (key = slot,\n"
			  "plus the in-kernel echo in the demo)" },
			{ 'n', "no-redirect", NULL,
			  "run the sk_msg program but let the data through TCP/IP" },
			{},
		},
	.examples = "sudo ./sockmap -d 3        sudo ./sockmap -m sockmap -n",
};

/* Sockets in a SOCKHASH (walked by key) or a SOCKMAP (every slot looked up). */
int sockmap_count(const struct bpf_map *map)
{
	struct sock_key key, next;
	int n = 0, err;
	__u64 cookie;

	if (bpf_map__type(map) == BPF_MAP_TYPE_SOCKMAP) {
		for (__u32 i = 0; i < bpf_map__max_entries(map); i++)
			n += !bpf_map__lookup_elem(map, &i, sizeof(i), &cookie, sizeof(cookie), 0);
		return n;
	}
	for (err = bpf_map__get_next_key(map, NULL, &next, sizeof(next)); !err;
	     err = bpf_map__get_next_key(map, &key, &next, sizeof(next))) {
		key = next;
		n++;
	}
	return n;
}

static void print_row(struct sockmap *skel, const struct bpf_map *map, __u64 start_ns)
{
	const struct sockmap_stats *s = &skel->bss->stats;
	__u64 v[] = { s->added,	    s->msg_verdicts, s->redirected,
		      s->msg_bytes, s->lo_bytes,     s->skb_bytes };
	char b[6][SAMPLE_FMT_LEN];

	for (int i = 0; i < 6; i++)
		sample_fmt_u64(b[i], SAMPLE_FMT_LEN, v[i]);
	printf("%7.1f %8d %9s %10s %11s %13s %13s %12s\n", (sample_now_ns() - start_ns) / 1e9,
	       sockmap_count(map), b[0], b[1], b[2], b[3], b[4], b[5]);
	fflush(stdout);
}

/* The traps, on the live map, with sockets of this process. */
static void show_traps(struct sockmap *skel, const struct bpf_map *map, int cg_fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int fresh = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	__u64 fd64 = fresh, cookie = 0, so_cookie = 0;
	socklen_t len = sizeof(so_cookie);
	struct sock_key key = {};
	__u32 slot = SOCKMAP_MAX_SOCKS - 1;
	void *k = bpf_map__type(map) == BPF_MAP_TYPE_SOCKMAP ? (void *)&slot : (void *)&key;
	size_t ks = bpf_map__key_size(map);
	int small, err;

	printf("%s traps, on the live map:\n", bpf_map__type(map) == BPF_MAP_TYPE_SOCKMAP ?
						       "BPF_MAP_TYPE_SOCKMAP" :
						       "BPF_MAP_TYPE_SOCKHASH");
	err = bpf_map__update_elem(map, k, ks, &fd64, sizeof(fd64), BPF_ANY);
	printf("  update(fd of an unconnected TCP socket)  -> %s: only established (and listening) ones\n",
	       err ? sample_errname(err) : "ok (unexpected)");
	fd64 = lst;
	if (bind(lst, (struct sockaddr *)&a, sizeof(a)) || listen(lst, 1))
		fprintf(stderr, "sockmap: listen for the traps: %s\n", strerror(errno));
	err = bpf_map__update_elem(map, k, ks, &fd64, sizeof(fd64), BPF_ANY);
	printf("  update(fd of a listening socket)         -> %s\n",
	       err ? sample_errname(err) : "ok");
	err = bpf_map__lookup_elem(map, k, ks, &cookie, sizeof(cookie), 0);
	getsockopt(lst, SOL_SOCKET, SO_COOKIE, &so_cookie, &len);
	printf("  lookup from user space                   -> %s, value %llu = SO_COOKIE %llu: "
	       "a cookie, never an fd\n",
	       err ? sample_errname(err) : "ok", (unsigned long long)cookie,
	       (unsigned long long)so_cookie);
	small = bpf_map_create(bpf_map__type(map), "small", ks, 4, 1, NULL);
	fd64 = lst;
	bpf_map_update_elem(small, k, &fd64, BPF_ANY);
	err = bpf_map_lookup_elem(small, k, &cookie) ? -errno : 0;
	printf("  the same on a map with 4-byte values     -> %s: a lookup needs 8 bytes for the cookie\n",
	       err ? sample_errname(err) : "ok (unexpected)");
	close(lst);
	err = bpf_map__lookup_elem(map, k, ks, &cookie, sizeof(cookie), 0);
	printf("  lookup after close(listening socket)     -> %s: the entry left with the socket\n",
	       err ? sample_errname(err) : "found (unexpected)");
	err = bpf_prog_attach(bpf_program__fd(skel->progs.redirect), cg_fd, BPF_SK_MSG_VERDICT, 0) ?
		      -errno :
		      0;
	printf("  attach sk_msg to the cgroup, not the map -> %s: sk_msg attaches to a map\n\n",
	       err ? sample_errname(err) : "ok (unexpected)");
	if (small >= 0)
		close(small);
	close(fresh);
}

int main(int argc, char **argv)
{
	struct sockmap_demo demo = SOCKMAP_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_tc lo = { .link_fd = -1 };
	struct sample_opts o = {};
	struct sockmap *skel = NULL;
	struct bpf_link *link = NULL;
	const struct bpf_map *map, *echo_map = NULL;
	const char *cgroup = NULL;
	bool use_sockmap = false, redirect_on = true;
	int opt, cg_fd = -1, map_fd, msg_fd = -1, skb_fd = -1, err, ev;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'c':
			cgroup = optarg;
			break;
		case 'n':
			redirect_on = false;
			break;
		case 'm':
			if (strcmp(optarg, "sockhash") && strcmp(optarg, "sockmap")) {
				fprintf(stderr,
					"%s: invalid value '%s' for -m: expected sockhash or "
					"sockmap\n",
					o.prog, optarg);
				return 2;
			}
			use_sockmap = !strcmp(optarg, "sockmap");
			break;
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where: the user's cgroup, or the demo's own (joined, with a netns). */
	if (!cgroup) {
		if ((err = sockmap_demo_open(&demo, &o, use_sockmap)))
			goto cleanup;
		cgroup = demo.cg.path;
	}
	if ((cg_fd = err = sample_cgroup_open(o.prog, cgroup)) < 0)
		goto cleanup;

	/* 2. Open, choose the map and the redirect, load. */
	if (!(skel = sockmap__open())) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->use_sockmap = use_sockmap;
	skel->rodata->redirect_on = redirect_on;
	skel->rodata->echo_port = ntohs(demo.echo_addr.sin_port);
	if ((err = sockmap__load(skel))) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}
	map = use_sockmap ? skel->maps.sock_map : skel->maps.sock_hash;
	map_fd = bpf_map__fd(map);

	/* 3. Attach: sk_msg to the map (libbpf 1.1 has no bpf_program__attach_sockmap;
	 *    the attachment lives as long as the map), the echo to echo_map, then
	 *    sockops to the cgroup (a bpf_link), the lo counter (a tcx link). */
	msg_fd = bpf_program__fd(skel->progs.redirect);
	if (bpf_prog_attach(msg_fd, map_fd, BPF_SK_MSG_VERDICT, 0) ||
	    (use_sockmap &&
	     bpf_prog_attach(skb_fd = bpf_program__fd(skel->progs.echo),
			     bpf_map__fd(skel->maps.echo_map), BPF_SK_SKB_STREAM_VERDICT, 0))) {
		err = -errno;
		fprintf(stderr, "%s: attaching to the map failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}
	echo_map = use_sockmap ? skel->maps.echo_map : NULL;
	if (!(link = bpf_program__attach_cgroup(skel->progs.add_socket, cg_fd))) {
		err = -errno;
		fprintf(stderr, "%s: attaching sockops to %s failed: %s\n", o.prog, cgroup,
			sample_strerror(err));
		goto cleanup;
	}
	if ((err = sample_tc_attach(o.prog, skel->progs.count_lo, 1 /* lo */, true, &lo)))
		goto cleanup;
	show_traps(skel, map, cg_fd);

	/* 4. Run: one demo connection per tick, a row of counters. */
	printf("TCP of %s, %s%s; lo bytes = TCP payload crossing lo\n", cgroup,
	       use_sockmap ? "SOCKMAP by slot" : "SOCKHASH by 4-tuple",
	       redirect_on ? ", sendmsg() redirected to the peer" : ", no redirect (-n)");
	printf("%7s %8s %9s %10s %11s %13s %13s %12s\n", "time", "entries", "added", "verdicts",
	       "redirected", "msg bytes", "lo bytes", "echo bytes");
	start_ns = sample_now_ns();
	if ((err = sample_loop_open(&loop, &o, -1)))
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open && (err = sockmap_demo_step(&demo, map, echo_map)))
			goto cleanup;
		print_row(skel, map, start_ns);
	}
	if ((err = ev))
		goto cleanup;

	/* 5. Summary. */
	printf("final:\n");
	print_row(skel, map, start_ns);
	if (demo.open)
		printf("summary: %llu sockets added, entries %d while a connection was open, "
		       "%d after close; %llu of %llu verdicts redirected\n",
		       (unsigned long long)skel->bss->stats.added, demo.open_entries,
		       demo.closed_entries, (unsigned long long)skel->bss->stats.redirected,
		       (unsigned long long)skel->bss->stats.msg_verdicts);

cleanup:
	sample_loop_close(&loop);
	sample_tc_detach(&lo);
	bpf_link__destroy(link);
	if (msg_fd >= 0)
		bpf_prog_detach2(msg_fd, map_fd, BPF_SK_MSG_VERDICT);
	if (skb_fd >= 0)
		bpf_prog_detach2(skb_fd, bpf_map__fd(skel->maps.echo_map),
				 BPF_SK_SKB_STREAM_VERDICT);
	sockmap__destroy(skel);
	if (cg_fd >= 0)
		close(cg_fd);
	if (sockmap_demo_close(&demo) && !err)
		err = -EIO;
	return err ? 1 : 0;
}
