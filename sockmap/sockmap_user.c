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
#include "sockmap_entries.h"
#include "sockmap_demo.h" /* demo */
#include "sockmap_traps.h" /* traps */

static const struct sample_option options[] = {
	{ 'c', "cgroup", "DIR",
	  "bypass the TCP connections made by tasks of this cgroup v2 directory" },
	{ 'm', "map", "MAP",
	  "sockhash (default: key = 4-tuple) or sockmap (key = slot)"
	  ";\nthe demo's sockmap adds an in-kernel echo" /* demo */
	  "" },
	{ 'n', "no-redirect", NULL, "run the sk_msg program but let the data through TCP/IP" },
	{},
};

static const struct sample_cli cli = {
	.name = "sockmap",
	.about =
		"A local TCP bypass: sockets in a BPF_MAP_TYPE_SOCKHASH/SOCKMAP, sendmsg() redirected by sk_msg.",
	.demo = "Without -c: a demo with its own netns and cgroup.", /* demo */
	.options = options,
	.examples = "sudo ./sockmap -d 3        sudo ./sockmap -m sockmap -n",
};

static void print_row(struct sockmap *skel, const struct bpf_map *map, __u64 start_ns)
{
	const struct sockmap_stats *s = &skel->bss->stats;
	__u64 v[] = { s->added,	    s->msg_verdicts, s->redirected,
		      s->msg_bytes, s->lo_bytes,     s->skb_bytes };
	char b[6][SAMPLE_FMT_LEN];

	for (int i = 0; i < 6; i++)
		sample_fmt_u64(b[i], SAMPLE_FMT_LEN, v[i]);
	printf("%7.1f %8d %9s %10s %11s %13s %13s %12s\n", (sample_now_ns() - start_ns) / 1e9,
	       sockmap_entries(map), b[0], b[1], b[2], b[3], b[4], b[5]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockmap_demo demo = SOCKMAP_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_tc lo = { .link_fd = -1 };
	struct sample_opts o = {};
	struct sockmap *skel = NULL;
	struct bpf_link *link = NULL;
	const struct bpf_map *map;
	const struct bpf_map *echo_map = NULL; /* demo */
	const char *cgroup = NULL;
	const char *map_text = "SOCKHASH by 4-tuple";
	const char *redirect_text = ", sendmsg() redirected to the peer";
	bool use_sockmap = false;
	bool redirect_on = true;
	int cg_fd = -1;
	int map_fd = -1;
	int msg_fd = -1;
	int skb_fd = -1;
	int err = 0;
	int opt;
	int ev;
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
	/* Without its demo (make new BARE=1) the tool needs a cgroup. */
	if (!cgroup && !cli.demo) {
		fprintf(stderr, "%s: -c CGROUP is required (try -h)\n", o.prog);
		return 2;
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* 1. Where: the user's cgroup, or the demo's own (joined, with a netns). */
	if (!cgroup) /* demo */
		err = sockmap_demo_open(&demo, &o, use_sockmap); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */
	if (!cgroup) /* demo */
		cgroup = demo.cg.path; /* demo */
	cg_fd = sample_cgroup_open(o.prog, cgroup);
	if (cg_fd < 0) {
		err = cg_fd;
		goto cleanup;
	}

	/* 2. Open, choose the map and the redirect, load. */
	skel = sockmap__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->use_sockmap = use_sockmap;
	skel->rodata->redirect_on = redirect_on;
	skel->rodata->echo_port = ntohs(demo.echo_addr.sin_port); /* demo */
	err = sockmap__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}
	map = skel->maps.sock_hash;
	if (use_sockmap)
		map = skel->maps.sock_map;
	map_fd = bpf_map__fd(map);

	/* 3. Attach: sk_msg to the map (libbpf 1.1 has no bpf_program__attach_sockmap;
	 *    the attachment lives as long as the map), the echo to echo_map, then
	 *    sockops to the cgroup (a bpf_link), the lo counter (a tcx link). */
	msg_fd = bpf_program__fd(skel->progs.redirect);
	err = bpf_prog_attach(msg_fd, map_fd, BPF_SK_MSG_VERDICT, 0);
	if (err) {
		err = -errno;
		fprintf(stderr, "%s: attaching to the map failed: %s\n", o.prog,
			sample_strerror(err));
		goto cleanup;
	}
	if (use_sockmap) {
		skb_fd = bpf_program__fd(skel->progs.echo);
		err = bpf_prog_attach(skb_fd, bpf_map__fd(skel->maps.echo_map),
				      BPF_SK_SKB_STREAM_VERDICT, 0);
		if (err) {
			err = -errno;
			fprintf(stderr, "%s: attaching to the map failed: %s\n", o.prog,
				sample_strerror(err));
			goto cleanup;
		}
		echo_map = skel->maps.echo_map; /* demo */
	}
	link = bpf_program__attach_cgroup(skel->progs.add_socket, cg_fd);
	if (!link) {
		err = -errno;
		fprintf(stderr, "%s: attaching sockops to %s failed: %s\n", o.prog, cgroup,
			sample_strerror(err));
		goto cleanup;
	}
	err = sample_tc_attach(o.prog, skel->progs.count_lo, 1 /* lo */, true, &lo);
	if (err)
		goto cleanup;
	sockmap_traps_show(skel, map, cg_fd); /* traps */

	/* 4. Run: one demo connection per tick, a row of counters. */
	if (use_sockmap)
		map_text = "SOCKMAP by slot";
	if (!redirect_on)
		redirect_text = ", no redirect (-n)";
	printf("TCP of %s, %s%s; lo bytes = TCP payload crossing lo\n", cgroup, map_text,
	       redirect_text);
	printf("%7s %8s %9s %10s %11s %13s %13s %12s\n", "time", "entries", "added", "verdicts",
	       "redirected", "msg bytes", "lo bytes", "echo bytes");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) /* demo */
			err = sockmap_demo_step(&demo, map, echo_map); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		print_row(skel, map, start_ns);
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary. */
	printf("final:\n");
	print_row(skel, map, start_ns);
	sockmap_demo_summary(&demo, &skel->bss->stats); /* demo */

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
	if (sockmap_demo_close(&demo) && !err) /* demo */
		err = -EIO; /* demo */
	if (err)
		return 1;
	return 0;
}
