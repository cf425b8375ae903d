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
 * that refuses nothing.
 *
 *   sudo ./select_reuseport              demo: 4 workers, own netns, own traffic
 *   sudo ./select_reuseport -n 8 -p 9000 8 workers on 127.0.0.1:9000
 *   sudo ./select_reuseport -d 3 -I 0.5  stop after 3 s, print every 500 ms
 *
 * Everything runs in a private anonymous netns (on its lo), so there is no -i.
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
#include "select_reuseport_demo.h"
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
	.options = options,
	.examples = "sudo ./select_reuseport -d 5        sudo ./select_reuseport -n 8 -p 9000",
};

/* One row: what the program chose per slot, what fell back, what each worker got. */
static int print_row(struct select_reuseport *skel, const struct sr_demo *d, __u64 start_ns)
{
	struct sr_counters c = {};
	char b[SAMPLE_FMT_LEN];
	int err;

	if ((err = bpf_map__lookup_elem(skel->maps.counters, &(__u32){ 0 }, sizeof(__u32), &c,
					sizeof(c), 0))) {
		fprintf(stderr, "select_reuseport: reading the map failed: %s\n",
			sample_strerror(err));
		return err;
	}
	printf("%7.1f %10s", (sample_now_ns() - start_ns) / 1e9,
	       sample_fmt_u64(b, sizeof(b), c.selected));
	printf(" %9s ", sample_fmt_u64(b, sizeof(b), c.empty_slot + c.select_failed + c.no_key));
	for (unsigned int w = 0; w < d->nworkers; w++)
		printf(" %8s", sample_fmt_u64(b, sizeof(b), d->received[w]));
	printf("\n");
	fflush(stdout);
	return 0;
}

/* What select_or_migrate did during the restart. */
static int print_restart(struct select_reuseport *skel)
{
	struct sr_counters c = {};
	int err = bpf_map__lookup_elem(skel->maps.counters, &(__u32){ 0 }, sizeof(__u32), &c,
				       sizeof(c), 0);

	if (!err)
		printf("program: %llu SYNs sent to listener 0, %llu pending connections migrated "
		       "to listener 1, %llu failed\n",
		       (unsigned long long)c.syn_selected, (unsigned long long)c.migrated,
		       (unsigned long long)c.migrate_failed);
	return err;
}

/* Try to put fd into slot; the kernel's answer as a word. */
static const char *try_insert(int map_fd, __u32 slot, int fd)
{
	__u64 val = fd;

	if (fd < 0)
		return sample_errname(fd);
	return bpf_map_update_elem(map_fd, &slot, &val, BPF_ANY) ? sample_errname(-errno) : "ok";
}

/* The map's traps, each with the kernel's real answer, in slot 15 (above the
 * workers' slots, so they never disturb the shards). */
static int show_traps(struct select_reuseport *skel, const struct sr_demo *d)
{
	int map_fd = bpf_map__fd(skel->maps.udp_workers), fd;
	__u32 slot = SR_MAX_WORKERS - 1;
	__u64 val = 0, cookie = 0;
	socklen_t len = sizeof(cookie);
	int err;

	printf("BPF_MAP_TYPE_REUSEPORT_SOCKARRAY traps, on the live map:\n");
	fd = sr_reuseport_socket(SOCK_DGRAM, 0);
	printf("  insert an unbound socket            -> %s: bind before you insert\n",
	       try_insert(map_fd, slot, fd));
	close(fd);
	fd = sr_reuseport_socket(SOCK_DGRAM, d->port + 2);
	printf("  insert a socket of another group    -> %s: accepted, but selecting it fails "
	       "(EBADFD) and the kernel hashes\n",
	       try_insert(map_fd, slot, fd));
	close(fd);
	err = bpf_map_lookup_elem(map_fd, &slot, &val) ? -errno : 0;
	printf("  lookup its slot after close()       -> %s: a closed socket leaves the map\n",
	       err ? sample_errname(err) : "found, unexpected");
	printf("  insert worker 0 again (slot %u)     -> %s: a socket sits in one slot only\n",
	       slot, try_insert(map_fd, slot, d->workers[0]));
	slot = 0;
	err = bpf_map_lookup_elem(map_fd, &slot, &val) ? -errno : 0;
	getsockopt(d->workers[0], SOL_SOCKET, SO_COOKIE, &cookie, &len);
	printf("  lookup slot 0 from user space       -> %s %llu, worker 0's SO_COOKIE is %llu: "
	       "sockets, not fds\n\n",
	       err ? sample_errname(err) : "ok,", (unsigned long long)val,
	       (unsigned long long)cookie);
	return err;
}

int main(int argc, char **argv)
{
	struct sr_demo demo = SR_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct select_reuseport *skel = NULL;
	unsigned long n = 4, port = 5300, empty = SR_MAX_WORKERS;
	int opt, prog_fd, err, ev;
	__u64 start_ns;

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

	/* 1. A private netns: its lo carries everything, nothing leaks out. */
	if ((err = sr_demo_open(&demo, &o, port, n)))
		goto cleanup;

	/* 2. Load: the shard count goes into .rodata between open and load. */
	skel = select_reuseport__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->nr_workers = n;
	if ((err = select_reuseport__load(skel))) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. The group: N sockets on one port, each in its slot (socket i owns
	 *    shard i), then the program on the group (set on any one member). */
	for (__u32 i = 0; i < n; i++) {
		__u64 fd;

		if ((err = demo.workers[i] = sr_reuseport_socket(SOCK_DGRAM, port)) < 0) {
			fprintf(stderr, "%s: worker on 127.0.0.1:%lu: %s\n", o.prog, port,
				sample_strerror(err));
			goto cleanup;
		}
		fd = demo.workers[i];
		if (i != empty && (err = bpf_map__update_elem(skel->maps.udp_workers, &i, sizeof(i),
							      &fd, sizeof(fd), BPF_ANY)))
			goto cleanup;
	}
	prog_fd = bpf_program__fd(skel->progs.select_by_key);
	if (setsockopt(demo.workers[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd,
		       sizeof(prog_fd))) {
		err = -errno;
		fprintf(stderr, "%s: SO_ATTACH_REUSEPORT_EBPF: %s\n", o.prog, sample_strerror(err));
		goto cleanup;
	}
	if ((err = show_traps(skel, &demo)))
		goto cleanup;

	/* 4. Run: per tick 25 datagrams per worker, keys 0..N-1 in turn. */
	printf("%lu UDP workers on 127.0.0.1:%lu, shard = first payload byte %% %lu\n", n, port, n);
	printf("%7s %10s %9s ", "time", "selected", "fallback");
	for (unsigned int w = 0; w < n; w++)
		printf(" %7s%u", "worker", w);
	printf("\n");
	start_ns = sample_now_ns();
	if ((err = sample_loop_open(&loop, &o, -1)))
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if ((err = sr_demo_step(&demo)) || (err = print_row(skel, &demo, start_ns)))
			goto cleanup;
	}
	if ((err = ev))
		goto cleanup;
	printf("final:\n");
	if ((err = print_row(skel, &demo, start_ns)))
		goto cleanup;

	/* 5. The restart: listener 0 closes with connections in its queue. */
	err = sr_demo_migrate(&demo, bpf_map__fd(skel->maps.tcp_listeners),
			      bpf_program__fd(skel->progs.select_or_migrate), SR_RESTART_CONNS);
	if (err >= 0)
		err = print_restart(skel);

cleanup:
	if (err < 0 && err != -1)
		fprintf(stderr, "%s: %s\n", o.prog, sample_strerror(err));
	sample_loop_close(&loop);
	select_reuseport__destroy(skel);
	sr_demo_close(&demo);
	return err ? 1 : 0;
}
