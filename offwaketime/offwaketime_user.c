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
#include "offwaketime_demo.h"
#include "offwaketime_syms.h"
#include "offwaketime_traps.h"
#include "offwaketime.skel.h"

#define TOP 20
#define MAX_CPUS 1024

/* The demo, per -I tick: 1,000 ping-pong rounds and 200 ms of spinning. */
#define DEMO_ROUNDS 1000
#define DEMO_SPIN_MS 200

static const struct sample_option options[] = {
	{ 'p', "pid", "PID", "follow process PID (all its threads); default: the demo workload" },
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
	.options = options,
	.examples = "sudo ./offwaketime -d 3        sudo ./offwaketime -p 1234 -f -d 10",
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

	return x < y ? 1 : x > y ? -1 : 0;
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

/* -F: one cpu-clock perf event per CPU, each running on_cpu_sample through a
 * bpf_link (closing the link detaches it; the event fd is closed with it). */
static int attach_profiler(struct offwaketime *skel, unsigned long hz, struct bpf_link **links)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = hz,
		.freq = 1,
	};
	int ncpus = libbpf_num_possible_cpus(), fd, err;

	for (int cpu = 0; cpu < ncpus && cpu < MAX_CPUS; cpu++) {
		fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV) /* a possible CPU that is not online */
				continue;
			err = -errno;
			fprintf(stderr, "offwaketime: perf_event_open on CPU %d: %s\n", cpu,
				sample_strerror(err));
			return err;
		}
		links[cpu] = bpf_program__attach_perf_event(skel->progs.on_cpu_sample, fd);
		if (!links[cpu]) {
			err = -errno;
			close(fd);
			fprintf(stderr, "offwaketime: attaching to CPU %d's perf event: %s\n", cpu,
				sample_strerror(err));
			return err;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct bpf_link *links[MAX_CPUS + 2];
	struct owt_demo demo = OWT_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct offwaketime *skel = NULL;
	unsigned long pid = 0, min_us = 0, hz = 0;
	bool folded = false;
	int opt, err = 0, ev;
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
	if (pid && kill(pid, 0)) /* one line, exit 1: like an unknown -i */
		return fprintf(stderr, "%s: no process %lu: %s\n", o.prog, pid,
			       sample_strerror(-errno)),
		       1;

	/* 1. Open, set the read-only knobs, load. */
	skel = offwaketime__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->min_block_ns = min_us * 1000;
	if (offwaketime__load(skel)) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	if (!folded && (err = owt_show_traps(skel)))
		goto cleanup;

	/* 2. Attach: the two scheduler tracepoints, or a perf event per CPU. */
	if (hz)
		err = attach_profiler(skel, hz, links);
	else if (!(links[MAX_CPUS] = bpf_program__attach(skel->progs.on_switch)) ||
		 !(links[MAX_CPUS + 1] = bpf_program__attach(skel->progs.on_waking)))
		err = -errno;
	if (err) {
		fprintf(stderr, "%s: attaching failed: %s\n", o.prog, sample_strerror(err));
		goto cleanup;
	}

	/* 3. Whom to follow: the process given, or the demo's child (forked
	 *    now; its threads start at the first step, so every sleep is seen). */
	if (!pid &&
	    (err = owt_demo_open(&demo, DEMO_ROUNDS, DEMO_SPIN_MS, folded ? stderr : stdout)))
		goto cleanup;
	skel->data->target_tgid = pid ? pid : (unsigned long)demo.pid;

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	fprintf(folded ? stderr : stdout,
		"Following tgid %u: %s (stack ids in BPF_MAP_TYPE_STACK_TRACE)\n",
		skel->data->target_tgid,
		hz ? "on-CPU samples" : "off-CPU time by target and waker stack");
	fprintf(folded ? stderr : stdout, "%7s  %8s %10s %14s %9s\n", "time", "entries",
		hz ? "samples" : "wakeups", hz ? "stack ids ok" : "off-CPU us", "EEXIST");
	start_ns = sample_now_ns();
	if ((err = sample_loop_open(&loop, &o, -1)))
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open && (err = owt_demo_step(&demo)))
			goto cleanup;
		if (!folded)
			print_row(skel, hz, start_ns);
	}
	if ((err = ev))
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
	owt_demo_close(&demo); /* prints "demo ran: ..." */
	return err ? 1 : 0;
}
