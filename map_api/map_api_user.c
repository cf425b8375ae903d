// SPDX-License-Identifier: GPL-2.0
/*
 * map_api - the bpf() system call's map commands, walked through step by step
 * on live maps: what was asked, what the kernel answered, and why.
 *
 * Most code meets maps through a skeleton; underneath, every map operation is
 * one bpf(cmd, &attr, size) call. This tool makes those calls one at a time,
 * prints each answer (errno names included) and checks it against what the
 * kernel is documented to do:
 *
 *   1  BPF_MAP_CREATE by hand and through libbpf; BPF_OBJ_GET_INFO_BY_FD
 *   2  update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST) and their errnos
 *   3  BPF_MAP_GET_NEXT_KEY, deleting while walking, lookup_and_delete, batches
 *   4  bpf_spin_lock + BPF_F_LOCK against a program on another CPU
 *   5  pinning in a private bpffs, a second process, unpinning, when a map dies
 *   6  RDONLY/WRONLY for programs and for user space, freeze, mmap, prealloc, seed
 *
 *   sudo ./map_api            all six steps (about a second)
 *   sudo ./map_api -s 3       step 3 only
 *   sudo ./map_api -d 5       all six, then step 4's locked race live for 5 s
 *
 * The steps live in files by topic (map_api_walk.h lists them); this file
 * loads the programs they need, runs one of them once (BPF_PROG_TEST_RUN, as
 * the steps do), runs the steps, and sums up.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "map_api_walk.h"
#include "map_api.skel.h"

static const struct sample_option own_opts[] = {
	{ 's', "step", "STEP", "run step STEP only (1-6; default: all)" },
	{},
};

static const struct sample_cli cli = {
	.name = "map_api",
	.about = "Walk through the bpf() map commands on live maps: what each call did, what the\n"
		 "kernel answered, and why.",
	.args_help = "Steps: 1 create+info, 2 update flags, 3 iteration+batches, 4 spin lock,\n"
		     "5 pinning, 6 access flags+freeze+mmap+prealloc+seed. With -d it then runs\n"
		     "step 4's locked race for SECS seconds.",
	.demo = "Without arguments: all six steps, then the summary.", /* demo */
	.options = own_opts,
	.examples = "sudo ./map_api        sudo ./map_api -s 4        sudo ./map_api -d 5",
};

int main(int argc, char **argv)
{
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct map_api_watch watch = MAP_API_WATCH_INIT;
	struct sample_opts o = {};
	struct map_api *skel = NULL;
	unsigned long first = 1;
	unsigned long last = MAP_API_N_STEPS;
	struct map_api_walk *w = NULL;
	char pkt[64] = {}; /* a dummy frame: tc programs need one */
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = sizeof(pkt));
	char b[2][SAMPLE_FMT_LEN];
	int opt, err, ev;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 's':
			if (sample_parse_uint(o.prog, 's', optarg, 1, MAP_API_N_STEPS, &first))
				return 2;
			last = first;
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

	/* 1. Load: the programs of steps 4 and 6 and their maps. The two
	 *    programs the verifier refuses are "?tc": not loaded here. */
	skel = map_api__open_and_load();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}

	/* 2. How the steps run a program: BPF_PROG_TEST_RUN, on a frame we hand
	 *    the kernel, with no hook and no traffic; step 4 runs stamp_locked
	 *    like this a million times on another CPU. Once now, so that a
	 *    kernel that will not run it is named before any step starts. */
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.stamp_locked), &topts);
	if (!err)
		err = (int)topts.retval;
	if (err) {
		fprintf(stderr, "map_api: running stamp_locked (BPF_PROG_TEST_RUN) failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}

	w = calloc(1, sizeof(*w));
	if (!w) {
		err = -ENOMEM;
		goto cleanup;
	}
	w->out = stdout;
	w->skel = skel;

	/* 3. The walk: each step prints its calls and the kernel's answers. */
	for (unsigned long n = first; n <= last; n++) {
		err = map_api_walk_step(w, n);
		if (err) {
			fprintf(stderr, "map_api: step %lu could not go on: %s\n", n,
				sample_strerror(err));
			goto cleanup;
		}
	}

	/* 4. -d: step 4's race with the lock, live, one row per -I tick. */
	if (o.duration_s) {
		err = map_api_watch_open(&watch, w);
		if (err)
			goto cleanup;
	}
	if (watch.race) {
		err = sample_loop_open(&loop, &o, -1);
		if (err)
			goto cleanup;
		while ((ev = sample_wait(&loop)) == SAMPLE_TICK)
			map_api_watch_row(&watch);
		err = ev;
		if (err)
			goto cleanup;
	}

	/* 5. Summary: the race's last counts, then what the walk found. */
	printf("final:\n");
	if (watch.race) {
		err = map_api_watch_close(&watch);
		map_api_watch_row(&watch);
	}
	printf("%lu step%s, %d kernel answers, %d unexpected", last - first + 1,
	       first == last ? "" : "s", w->answers, w->unexpected);
	if (w->f.raced)
		printf("; step 4: %s torn reads with BPF_F_LOCK, %s without",
		       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, w->f.torn[1]),
		       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, w->f.torn[0]));
	printf("\n");
	if (!err && w->unexpected)
		err = -EPROTO;

cleanup:
	sample_loop_close(&loop);
	map_api_watch_free(&watch);
	free(w);
	map_api__destroy(skel);
	return err ? 1 : 0;
}
