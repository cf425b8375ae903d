// SPDX-License-Identifier: GPL-2.0
/*
 * select_reuseport - choose which socket of an SO_REUSEPORT group receives a
 * packet, with a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY and an sk_reuseport program.
 *
 * N UDP workers bind the same port with SO_REUSEPORT; each one's fd is written
 * into slot i of the REUSEPORT_SOCKARRAY (the map keeps the socket, not the
 * fd) and the program is attached to the group with SO_ATTACH_REUSEPORT_EBPF.
 * For every datagram it reads the first payload byte as a shard key and picks
 * the worker in slot key % N, so each worker owns a shard. At the end a TCP
 * listener of a second group closes with connections in its queue and the
 * sk_reuseport/migrate program hands them to the other listener: a restart
 * that refuses nothing (the demo's restart).
 *
 *   sudo ./select_reuseport              demo: 4 workers, own netns, own traffic
 *   sudo ./select_reuseport -n 8 -p 9000 8 workers on 127.0.0.1:9000
 *   sudo ./select_reuseport -d 3 -I 0.5  stop after 3 s, print every 500 ms
 *
 * The demo runs everything in a private anonymous netns (on its lo), so there
 * is no -i; without the demo (make new BARE=1) the workers wait on 127.0.0.1
 * of the netns the tool runs in, for datagrams of other programs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "select_reuseport.h"
#include "select_reuseport_socket.h"
#include "select_reuseport_demo.h" /* demo */
#include "select_reuseport_traps.h" /* traps */
#include "select_reuseport.skel.h"

#define SR_RESTART_CONNS 8 /* connections pending when the listener closes */

static const struct sample_option options[] = {
	{ 'n', "workers", "N", "worker sockets in the group, 2 to 16 (default 4)" },
	{ 'e', "empty", "SLOT",
	  "leave worker SLOT out of the map: its shard falls back\n"
	  "to the kernel's hash (counted)" },
	{ 'p', "port", "PORT",
	  "UDP port of the group on 127.0.0.1 (default 5300;\n"
	  "the restart uses PORT+1 for TCP)" },
	{}
};

static const struct sample_cli cli = {
	.name = "select_reuseport",
	.about = "Pick the receiving socket of an SO_REUSEPORT group from a "
		 "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY.",
	.demo = "The demo: a private netns, its own datagrams, then a TCP listener restart.", /* demo */
	.options = options,
	.examples = "sudo ./select_reuseport -d 5        sudo ./select_reuseport -n 8 -p 9000",
};

/* The workers: what each one read from its socket's queue. */
static void drain(const int *workers, unsigned int n, __u64 *received)
{
	unsigned char buf[64];

	for (unsigned int w = 0; w < n; w++)
		while (workers[w] >= 0 && recv(workers[w], buf, sizeof(buf), 0) > 0)
			received[w]++;
}

/* One row: what the program chose per slot, what fell back, what each worker got. */
static int print_row(struct select_reuseport *skel, const __u64 *received, unsigned int n,
		     __u64 start_ns)
{
	struct sr_counters c = {};
	char b[SAMPLE_FMT_LEN];
	__u32 key = 0;
	int err;

	err = bpf_map__lookup_elem(skel->maps.counters, &key, sizeof(key), &c, sizeof(c), 0);
	if (err) {
		fprintf(stderr, "select_reuseport: reading the map failed: %s\n",
			sample_strerror(err));
		return err;
	}
	printf("%7.1f %10s", (sample_now_ns() - start_ns) / 1e9,
	       sample_fmt_u64(b, sizeof(b), c.selected));
	printf(" %9s ", sample_fmt_u64(b, sizeof(b), c.empty_slot + c.select_failed + c.no_key));
	for (unsigned int w = 0; w < n; w++)
		printf(" %8s", sample_fmt_u64(b, sizeof(b), received[w]));
	printf("\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct select_reuseport_demo demo = SELECT_REUSEPORT_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct select_reuseport *skel = NULL;
	unsigned long n = 4;
	unsigned long port = 5300;
	unsigned long empty = SR_MAX_WORKERS;
	int workers[SR_MAX_WORKERS];
	__u64 received[SR_MAX_WORKERS] = {};
	__u64 total = 0; /* demo */
	int prog_fd;
	int err = 0;
	int opt;
	int ev;
	__u64 start_ns;

	for (unsigned int w = 0; w < SR_MAX_WORKERS; w++)
		workers[w] = -1;
	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'n':
			if (sample_parse_uint(o.prog, 'n', optarg, 2, SR_MAX_WORKERS, &n))
				return 2;
			break;
		case 'e':
			if (sample_parse_uint(o.prog, 'e', optarg, 0, SR_MAX_WORKERS - 1, &empty))
				return 2;
			break;
		case 'p':
			if (sample_parse_uint(o.prog, 'p', optarg, 1, 65533, &port))
				return 2;
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
	if (empty < SR_MAX_WORKERS && empty >= n) {
		fprintf(stderr, "%s: -e %lu: the workers are 0 to %lu\n", o.prog, empty, n - 1);
		return 2;
	}

	/* 1. Where: the demo's private netns (its lo carries everything, nothing
	 *    leaks out), or the netns the tool runs in. */
	err = select_reuseport_demo_open(&demo, &o, port, n); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */

	/* 2. Load: the shard count goes into .rodata between open and load. */
	skel = select_reuseport__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->nr_workers = n;
	err = select_reuseport__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. The group: N sockets on one port, each in its slot (socket i owns
	 *    shard i), then the program on the group (set on any one member). */
	for (__u32 i = 0; i < n; i++) {
		__u64 fd;

		workers[i] = select_reuseport_socket(SOCK_DGRAM, port);
		if (workers[i] < 0) {
			err = workers[i];
			fprintf(stderr, "%s: worker on 127.0.0.1:%lu: %s\n", o.prog, port,
				sample_strerror(err));
			goto cleanup;
		}
		if (i == empty)
			continue;
		fd = workers[i];
		err = bpf_map__update_elem(skel->maps.udp_workers, &i, sizeof(i), &fd, sizeof(fd),
					   BPF_ANY);
		if (err)
			goto cleanup;
	}
	prog_fd = bpf_program__fd(skel->progs.select_by_key);
	err = setsockopt(workers[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd,
			 sizeof(prog_fd));
	if (err) {
		err = -errno;
		fprintf(stderr, "%s: SO_ATTACH_REUSEPORT_EBPF: %s\n", o.prog, sample_strerror(err));
		goto cleanup;
	}
	err = select_reuseport_traps_show(skel, port, workers[0]); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 4. Run: per tick the demo sends 25 datagrams per worker, keys
	 *    0..N-1 in turn; then every worker reads its queue. */
	printf("%lu UDP workers on 127.0.0.1:%lu, shard = first payload byte %% %lu\n", n, port, n);
	printf("%7s %10s %9s ", "time", "selected", "fallback");
	for (unsigned int w = 0; w < n; w++)
		printf(" %7s%u", "worker", w);
	printf("\n");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		err = select_reuseport_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		drain(workers, n, received);
		err = print_row(skel, received, n, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;
	printf("final:\n");
	err = print_row(skel, received, n, start_ns);
	if (err)
		goto cleanup;

	/* 5. The restart: TCP listener 0 gets select_or_migrate, then closes. */ /* demo */
	err = select_reuseport_demo_listen(&demo, bpf_map__fd(skel->maps.tcp_listeners)); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */
	prog_fd = bpf_program__fd(skel->progs.select_or_migrate); /* demo */
	err = setsockopt(demo.listener, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd, /* demo */
			 sizeof(prog_fd)); /* demo */
	if (err) { /* demo */
		err = -errno; /* demo */
		goto cleanup; /* demo */
	} /* demo */
	err = select_reuseport_demo_restart(&demo, bpf_map__fd(skel->maps.tcp_listeners), /* demo */
					    SR_RESTART_CONNS, skel->maps.counters); /* demo */

cleanup:
	if (err < 0 && err != -1)
		fprintf(stderr, "%s: %s\n", o.prog, sample_strerror(err));
	sample_loop_close(&loop);
	select_reuseport__destroy(skel);
	for (unsigned int w = 0; w < SR_MAX_WORKERS; w++) {
		total += received[w]; /* demo */
		if (workers[w] >= 0)
			close(workers[w]);
	}
	select_reuseport_demo_close(&demo, total); /* demo */
	if (err)
		return 1;
	return 0;
}
