// SPDX-License-Identifier: GPL-2.0
/*
 * offwaketime - where a process's threads sleep, for how long, and who wakes
 * them, with every stack kept once in a BPF_MAP_TYPE_STACK_TRACE.
 *
 * On tp_btf/sched_switch a thread that blocks gets its kernel and user stack
 * ids (bpf_get_stackid()); on tp_btf/sched_waking the waker's; when the thread
 * runs again the time it was away is added to a HASH keyed by (its stack ids,
 * the waker's stack ids, both names). User space turns ids into frames (a
 * lookup in the STACK_TRACE map) and frames into names (/proc/kallsyms, the
 * ELF symbols of the files in /proc/PID/maps).
 *
 *   sudo ./offwaketime              demo: a workload of its own (owt-ping and
 *                                   owt-pong wake each other; owt-spin spins)
 *   sudo ./offwaketime -p 1234 -d 5 -f > out.folded   flame graph input
 *   sudo ./offwaketime -F 99        on-CPU profile (perf_event) instead
 *
 * Before counting it shows the STACK_TRACE map's traps on its own stack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "offwaketime.h"
#include "offwaketime_demo.h" /* demo */
#include "offwaketime_syms.h"
#include "offwaketime_traps.h" /* traps */
#include "offwaketime.skel.h"

#define TOP 20
#define MAX_CPUS 1024

static const struct sample_option options[] = {
	{ 'p', "pid", "PID", "follow process PID (all its threads)" },
	{ 'f', "folded", NULL,
	  "at exit print folded stacks, one per line, for flame graph tools:\n"
	  "waker;...;--;...;target MICROSECONDS (-F: comm;...;leaf SAMPLES)" },
	{ 'm', "min-block", "US", "count only sleeps of at least US microseconds" },
	{ 'F', "frequency", "HZ",
	  "profile on-CPU stacks instead: HZ samples a second per CPU\n"
	  "(perf_event program on cpu-clock)" },
	{}
};

static const struct sample_cli cli = {
	.name = "offwaketime",
	.about =
		"Off-CPU time by blocked and waker stack (BPF_MAP_TYPE_STACK_TRACE ids in a HASH).",
	.demo = "Without -p: a demo workload of its own: owt-ping and owt-pong wake each other\n" /* demo */
		"1,000 times a tick, owt-spin spins 200 ms.", /* demo */
	.options = options,
	.examples = "sudo ./offwaketime -p 1234 -f -d 10"
		    "        sudo ./offwaketime -d 3", /* demo */
};

struct entry {
	const void *key;
	__u64 weight, count;
};
/* A HASH read whole: its entries heaviest first, and their sums. */
struct entries {
	char *keys;
	struct entry *e;
	size_t n;
	__u64 count, weight;
};

static int by_weight(const void *a, const void *b)
{
	__u64 x = ((const struct entry *)a)->weight, y = ((const struct entry *)b)->weight;

	if (x < y)
		return 1;
	if (x > y)
		return -1;
	return 0;
}

/* Every entry of the off-CPU HASH (weight: ns, count: wakeups) or of the
 * on-CPU one (both: samples). Free r->keys and r->e after use. */
static void read_entries(struct bpf_map *map, bool prof, struct entries *r)
{
	size_t ksz = bpf_map__key_size(map), max = bpf_map__max_entries(map);
	char *prev = NULL;
	struct owt_val v;
	__u64 c;

	*r = (struct entries){ calloc(max + 1, ksz), calloc(max, sizeof(*r->e)) };
	while (r->keys && r->e && r->n < max &&
	       !bpf_map__get_next_key(map, prev, r->keys + r->n * ksz, ksz)) {
		prev = r->keys + r->n * ksz;
		if (bpf_map__lookup_elem(map, prev, ksz, prof ? (void *)&c : &v,
					 prof ? sizeof(c) : sizeof(v), 0))
			continue; /* deleted meanwhile: the key slot is reused */
		r->e[r->n++] = (struct entry){ prev, prof ? c : v.off_ns, prof ? c : v.count };
		r->count += r->e[r->n - 1].count;
		r->weight += r->e[r->n - 1].weight;
	}
	qsort(r->e, r->n, sizeof(*r->e), by_weight);
}

static void print_row(struct offwaketime *skel, bool prof, __u64 start_ns)
{
	char b[4][SAMPLE_FMT_LEN];
	struct entries r;

	read_entries(prof ? skel->maps.oncpu : skel->maps.offcpu, prof, &r);
	printf("%7.1f  %8s %10s %14s %9s\n", (sample_now_ns() - start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, r.n),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, r.count),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, prof ? skel->bss->stackid_ok : r.weight / 1000),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, skel->bss->stackid_eexist));
	fflush(stdout);
	free(r.keys);
	free(r.e);
}

/* At exit: the heaviest entries with their stacks, or every entry folded. */
static void print_stacks(struct offwaketime *skel, bool prof, bool folded)
{
	int fd = bpf_map__fd(skel->maps.stacks);
	struct owt_syms syms;
	struct entries r;

	read_entries(prof ? skel->maps.oncpu : skel->maps.offcpu, prof, &r);
	if (owt_syms_open(&syms))
		fprintf(stderr,
			"offwaketime: /proc/kallsyms unreadable: kernel frames stay unnamed\n");
	if (!folded)
		printf("\ntop %zu of %zu entries, by %s:\n", r.n < TOP ? r.n : TOP, r.n,
		       prof ? "samples" : "off-CPU time");
	for (size_t i = 0; i < r.n && (folded || i < TOP); i++)
		owt_print_entry(&syms, fd, prof, folded, r.e[i].key, r.e[i].count, r.e[i].weight,
				r.weight, i + 1);
	owt_syms_close(&syms);
	free(r.keys);
	free(r.e);
}

/* -F: a cpu-clock perf event on one CPU, sampling hz times a second (its fd,
 * or -errno; -ENODEV for a possible CPU that is not online). */
static int cpu_clock_open(unsigned long hz, int cpu)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = hz,
		.freq = 1,
	};
	int fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fd;
}

int main(int argc, char **argv)
{
	static struct bpf_link *links[MAX_CPUS + 2];
	struct owt_demo demo = OWT_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct offwaketime *skel = NULL;
	unsigned long pid = 0, min_us = 0, hz = 0;
	bool folded = false;
	int opt, err = 0, ev, ncpus, fd;
	FILE *out;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1)
		switch (opt) {
		case 'p':
			if (sample_parse_uint(o.prog, 'p', optarg, 1, 4194304, &pid))
				return 2;
			break;
		case 'f':
			folded = true;
			break;
		case 'm':
			if (sample_parse_uint(o.prog, 'm', optarg, 0, 60000000, &min_us))
				return 2;
			break;
		case 'F':
			if (sample_parse_uint(o.prog, 'F', optarg, 1, 10000, &hz))
				return 2;
			break;
		}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	/* Without the demo (make new BARE=1), -p is what there is to follow. */
	if (!pid && !cli.demo) {
		fprintf(stderr, "%s: -p PID is required (see -h)\n", o.prog);
		return 2;
	}
	if (pid && kill(pid, 0)) { /* one line, exit 1: like an unknown -i */
		fprintf(stderr, "%s: no process %lu: %s\n", o.prog, pid, sample_strerror(-errno));
		return 1;
	}
	/* With -f, stdout holds the folded stacks only; the rest goes to stderr. */
	out = folded ? stderr : stdout;

	/* 1. Open, set the read-only knobs, load. */
	skel = offwaketime__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->min_block_ns = min_us * 1000;
	err = offwaketime__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}
	if (!folded) /* traps */
		err = owt_show_traps(skel); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 2. Attach: a perf event per CPU (-F), or the two scheduler
	 *    tracepoints. Every one through a bpf_link: closing it detaches the
	 *    program (and closes the perf event's fd). */
	if (hz) {
		ncpus = libbpf_num_possible_cpus();
		for (int cpu = 0; cpu < ncpus && cpu < MAX_CPUS; cpu++) {
			fd = cpu_clock_open(hz, cpu);
			if (fd == -ENODEV) /* a possible CPU that is not online */
				continue;
			if (fd < 0) {
				err = fd;
				fprintf(stderr, "%s: perf_event_open on CPU %d: %s\n", o.prog, cpu,
					sample_strerror(err));
				goto cleanup;
			}
			links[cpu] = bpf_program__attach_perf_event(skel->progs.on_cpu_sample, fd);
			if (!links[cpu]) {
				err = -errno;
				close(fd);
				fprintf(stderr, "%s: attaching to CPU %d's perf event: %s\n",
					o.prog, cpu, sample_strerror(err));
				goto cleanup;
			}
		}
	} else {
		links[MAX_CPUS] = bpf_program__attach(skel->progs.on_switch);
		if (!links[MAX_CPUS]) {
			err = -errno;
			fprintf(stderr, "%s: attaching to sched_switch failed: %s\n", o.prog,
				sample_strerror(err));
			goto cleanup;
		}
		links[MAX_CPUS + 1] = bpf_program__attach(skel->progs.on_waking);
		if (!links[MAX_CPUS + 1]) {
			err = -errno;
			fprintf(stderr, "%s: attaching to sched_waking failed: %s\n", o.prog,
				sample_strerror(err));
			goto cleanup;
		}
	}

	/* 3. Whom to follow: the process given, or the demo's child (forked
	 *    now; its threads start at the first step, so every sleep is seen). */
	skel->data->target_tgid = pid;
	if (!pid) /* demo */
		err = owt_demo_open(&demo, OWT_DEMO_ROUNDS, OWT_DEMO_SPIN_MS, out); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */
	if (!pid) /* demo */
		skel->data->target_tgid = demo.pid; /* demo */

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	fprintf(out, "Following tgid %u: %s (stack ids in BPF_MAP_TYPE_STACK_TRACE)\n",
		skel->data->target_tgid,
		hz ? "on-CPU samples" : "off-CPU time by target and waker stack");
	fprintf(out, "%7s  %8s %10s %14s %9s\n", "time", "entries", hz ? "samples" : "wakeups",
		hz ? "stack ids ok" : "off-CPU us", "EEXIST");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) /* demo */
			err = owt_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		if (!folded)
			print_row(skel, hz, start_ns);
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary, while the demo's child is alive (its maps name its frames). */
	if (!folded) {
		printf("final:\n");
		print_row(skel, hz, start_ns);
		printf("stack ids: %llu taken, %llu EEXIST (bucket held another stack), "
		       "%llu EFAULT (no stack: kernel thread or user mode), %llu other\n",
		       skel->bss->stackid_ok, skel->bss->stackid_eexist, skel->bss->stackid_efault,
		       skel->bss->stackid_other);
	}
	print_stacks(skel, hz, folded);

cleanup:
	sample_loop_close(&loop);
	for (int i = 0; i < MAX_CPUS + 2; i++)
		bpf_link__destroy(links[i]);
	offwaketime__destroy(skel);
	owt_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
