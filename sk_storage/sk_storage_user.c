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
 *   sudo ./sk_storage -c CG        watch the TCP connections of cgroup CG
 *   sudo ./sk_storage -c CG -d 5   stop after 5 seconds
 */
/* Without -c: a demo in its own netns and cgroup (sk_storage_demo.c). */ /* demo */
/* First, the map's traps on the live map (sk_storage_traps.c). */ /* traps */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "cgroup.h"
#include "sk_storage.h"
#include "sk_storage.skel.h"
#include "sk_storage_load.h"
#include "sk_storage_table.h"
#include "sk_storage_demo.h" /* demo */
#include "sk_storage_traps.h" /* traps */

#define MAX_ROWS 64

static const struct sample_cli cli = {
	.name = "sk_storage",
	.about =
		"Per-socket TCP statistics in a BPF_MAP_TYPE_SK_STORAGE, kept by a sockops program.",
	.demo = "Without -c: a demo with its own netns and cgroup.", /* demo */
	.options =
		(const struct sample_option[]){
			{ 'c', "cgroup", "DIR",
			  "watch the TCP connections made by tasks of this cgroup v2\n"
			  "directory" },
			{},
		},
	.examples = "sudo ./sk_storage -c /sys/fs/cgroup/system.slice -d 5",
};

static void fmt_addr(const struct sk_record *r, const __u8 *a, __u16 port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(r->family == AF_INET ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	snprintf(buf, len, r->family == AF_INET ? "%s:%u" : "[%s]:%u", ip, port);
}

/* -c mode, per tick: every socket with storage, through the iterator. */
static int print_all(struct bpf_link *iter, __u64 start_ns)
{
	static struct sk_record recs[MAX_ROWS];
	int n = sk_storage_iter_read(iter, recs, MAX_ROWS);

	if (n < 0) {
		fprintf(stderr, "sk_storage: reading the iterator failed: %s\n",
			sample_strerror(n));
		return n;
	}
	printf("%.1f s: %d socket%s with storage%s\n", (sample_now_ns() - start_ns) / 1e9, n,
	       n == 1 ? "" : "s", n > MAX_ROWS ? " (first 64 shown)" : "");
	for (int i = 0; i < n && i < MAX_ROWS; i++) {
		char l[64], r[64];

		fmt_addr(&recs[i], recs[i].laddr, recs[i].lport, l, sizeof(l));
		fmt_addr(&recs[i], recs[i].raddr, recs[i].rport, r, sizeof(r));
		sk_storage_print_stats(l, r, &recs[i].st);
	}
	fflush(stdout);
	return 0;
}

/* The map iterator (iter/bpf_sk_storage_map) visits every storage in the
 * map; some kernels refuse to load map iterators at all (EPERM on a 6.18
 * host where iter/tcp loads), so then the object is loaded again with
 * iter/tcp instead: the same records, for the TCP sockets of this netns.
 * The first try is quiet unless -v: a refusal there is expected. */
static struct sk_storage *open_load(const struct sample_opts *o, bool *tcp_iter)
{
	struct sk_storage *skel = sk_storage_load_with(true, !o->verbose);
	int err = -errno;

	*tcp_iter = !skel;
	if (skel)
		return skel;
	skel = sk_storage_load_with(false, false);
	if (!skel)
		return NULL;
	fprintf(stderr,
		"%s: this kernel refuses map iterators (loading iter/bpf_sk_storage_map: "
		"%s); listing through iter/tcp instead, which sees the TCP sockets of this "
		"network namespace only\n",
		o->prog, sample_strerror(err));
	return skel;
}

int main(int argc, char **argv)
{
	struct sk_storage_demo demo = SK_STORAGE_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct sk_storage *skel = NULL;
	struct bpf_link *link = NULL, *iter = NULL;
	const char *cgroup = NULL;
	int opt, cg_fd = -1, live, err, ev;
	bool tcp_iter;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'c':
			cgroup = optarg;
			break;
		}
	}
	/* A copy without the demo (cli.demo NULL) has nothing to watch without -c. */
	if (!cgroup && !cli.demo) {
		fprintf(stderr, "%s: -c DIR is required (see -h)\n", o.prog);
		return 2;
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where: the cgroup to watch. */
	if (!cgroup) { /* demo */
		/* Without -c: the demo's own, with a private netns; this process */ /* demo */
		/* joins both, so that its TCP sockets are the cgroup's. */ /* demo */
		err = sk_storage_demo_open(&demo, &o); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		cgroup = demo.cg.path; /* demo */
	} /* demo */
	cg_fd = sample_cgroup_open(o.prog, cgroup);
	if (cg_fd < 0) {
		err = cg_fd;
		goto cleanup;
	}

	/* 2. Load: the map, sockops, and one of the two iterators. */
	skel = open_load(&o, &tcp_iter);
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}

	/* 3. Attach: sockops to the cgroup (a bpf_link: gone with the process,
	 *    and it leaves other programs on the cgroup alone), the iterator. */
	link = bpf_program__attach_cgroup(skel->progs.tcp_stats, cg_fd);
	if (!link) {
		err = -errno;
		fprintf(stderr, "%s: attaching sockops to %s failed: %s\n", o.prog, cgroup,
			sample_strerror(err));
		goto cleanup;
	}
	iter = sk_storage_attach_iter(skel, !tcp_iter);
	if (!iter) {
		err = -errno;
		fprintf(stderr, "%s: creating the %s iterator failed: %s\n", o.prog,
			tcp_iter ? "iter/tcp" : "map", sample_strerror(err));
		goto cleanup;
	}
	sk_storage_traps(skel->maps.sk_stats_map, cg_fd); /* traps */

	/* 4. Run: every tick lists the map through the iterator. */
	printf("TCP connections established by tasks of %s from now on (listed through %s):\n",
	       cgroup, tcp_iter ? "iter/tcp: this netns only" : "the map iterator");
	sk_storage_print_header();
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) { /* demo */
			/* The demo: one connection per tick, read by fd. */ /* demo */
			err = sk_storage_demo_step(&demo, skel->maps.sk_stats_map, iter); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
			continue; /* demo */
		} /* demo */
		err = print_all(iter, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: storages ever created by BPF, and what is left. */
	live = sk_storage_iter_read(iter, NULL, 0);
	if (live < 0) {
		err = live;
		fprintf(stderr, "%s: reading the iterator failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}
	printf("final:\n");
	if (demo.open) { /* demo */
		sk_storage_demo_summary(&demo, skel->bss->created, live); /* demo */
		goto cleanup; /* demo */
	} /* demo */
	printf("%llu storages created by BPF, %d sockets with storage now\n",
	       (unsigned long long)skel->bss->created, live);
	printf("summary: watched %s\n", cgroup);

cleanup:
	sample_loop_close(&loop);
	bpf_link__destroy(iter);
	bpf_link__destroy(link);
	sk_storage__destroy(skel);
	if (cg_fd >= 0)
		close(cg_fd);
	/* Back to our own cgroup and netns, the demo's cgroup removed. */ /* demo */
	if (sk_storage_demo_close(&demo) && !err) /* demo */
		err = -EIO; /* demo */
	return err ? 1 : 0;
}
