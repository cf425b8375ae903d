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
	{ 'f', "folded", NULL, "at exit print folded stacks, one per line, for flame graph tools:\n"
	  "waker;...;--;...;target MICROSECONDS (-F: comm;...;leaf SAMPLES)" },
	{ 'm', "min-block", "US", "count only sleeps of at least US microseconds" },
	{ 'F', "frequency", "HZ", "profile on-CPU stacks instead: HZ samples a second per CPU\n"
	  "(perf_event program on cpu-clock)" },
	{}
};

static const struct sample_cli cli = {
	.name = "offwaketime",
	.about = "Off-CPU time by blocked and waker stack (BPF_MAP_TYPE_STACK_TRACE ids in a HASH).",
	.options = options,
	.examples = "sudo ./offwaketime -d 3        sudo ./offwaketime -p 1234 -f -d 10",
};

struct entry { const void *key; __u64 weight, count; };

static int by_weight(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->weight < y->weight ? 1 : x->weight > y->weight ? -1 : 0;
}

/* Every entry of the HASH (off-CPU or on-CPU), heaviest first; *keys is freed
 * by the caller. Returns the count. */
static size_t read_entries(struct bpf_map *map, bool prof, void **keys, struct entry **out)
{
	size_t ksz = bpf_map__key_size(map), n = 0, max = bpf_map__max_entries(map);
	char *k = calloc(max + 1, ksz), *prev = NULL;
	struct entry *e = calloc(max, sizeof(*e));
	struct owt_val v;
	__u64 c;

	while (k && e && n < max && !bpf_map__get_next_key(map, prev, k + n * ksz, ksz)) {
		if (!bpf_map__lookup_elem(map, k + n * ksz, ksz, prof ? (void *)&c : &v,
					  prof ? sizeof(c) : sizeof(v), 0))
			e[n] = (struct entry){ k + n * ksz, prof ? c : v.off_ns, prof ? c : v.count };
		prev = k + n++ * ksz;
	}
	qsort(e, n, sizeof(*e), by_weight);
	*keys = k;
	*out = e;
	return n;
}

static void print_row(struct offwaketime *skel, bool prof, __u64 start_ns)
{
	char b[4][SAMPLE_FMT_LEN];
	__u64 count = 0, weight = 0;
	struct entry *e;
	void *keys;
	size_t n = read_entries(prof ? skel->maps.oncpu : skel->maps.offcpu, prof, &keys, &e);

	for (size_t i = 0; i < n; i++) {
		count += e[i].count;
		weight += e[i].weight;
	}
	sample_fmt_u64(b[0], SAMPLE_FMT_LEN, n);
	sample_fmt_u64(b[1], SAMPLE_FMT_LEN, count);
	sample_fmt_u64(b[2], SAMPLE_FMT_LEN, prof ? skel->bss->stackid_ok : weight / 1000);
	sample_fmt_u64(b[3], SAMPLE_FMT_LEN, skel->bss->stackid_eexist);
	printf("%7.1f  %8s %10s %14s %9s\n", (sample_now_ns() - start_ns) / 1e9, b[0], b[1], b[2], b[3]);
	fflush(stdout);
	free(keys);
	free(e);
}

/* At exit: the heaviest entries with their stacks, or every entry folded. */
static void print_stacks(struct offwaketime *skel, bool prof, bool folded)
{
	int fd = bpf_map__fd(skel->maps.stacks);
	char line[16384], b[2][SAMPLE_FMT_LEN];
	struct owt_syms syms;
	struct entry *e;
	void *keys;
	size_t n = read_entries(prof ? skel->maps.oncpu : skel->maps.offcpu, prof, &keys, &e);
	__u64 total = 0;

	if (owt_syms_open(&syms))
		fprintf(stderr, "offwaketime: /proc/kallsyms unreadable: kernel frames stay unnamed\n");
	for (size_t i = 0; i < n; i++)
		total += e[i].weight;
	if (!folded)
		printf("\ntop %zu of %zu stack pairs, by %s:\n", n < TOP ? n : TOP, n,
		       prof ? "samples" : "off-CPU time");
	for (size_t i = 0; i < n && (folded || i < TOP); i++) {
		const struct owt_prof_key *pk = e[i].key;
		const struct owt_key *k = e[i].key;

		if (prof && folded) {
			snprintf(line, sizeof(line), "%s", pk->comm);
			owt_fold_stack(line, sizeof(line), &syms, fd, pk->tgid, pk->kstack, pk->ustack, 1);
			printf("%s %llu\n", line, (unsigned long long)e[i].count);
		} else if (prof) {
			printf("#%zu %-16s samples %s (%.1f%%)\n", i + 1, pk->comm,
			       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, e[i].count), 100.0 * e[i].weight / total);
			owt_print_stack(stdout, &syms, fd, pk->tgid, pk->kstack, pk->ustack, "    ");
		} else if (folded) {
			snprintf(line, sizeof(line), "%s", k->waker[0] ? k->waker : "[unknown]");
			owt_fold_stack(line, sizeof(line), &syms, fd, k->waker_tgid, k->waker_kstack,
				       k->waker_ustack, 1);
			snprintf(line + strlen(line), sizeof(line) - strlen(line), ";--");
			owt_fold_stack(line, sizeof(line), &syms, fd, k->tgid, k->kstack, k->ustack, 0);
			printf("%s;%s %llu\n", line, k->comm, (unsigned long long)e[i].weight / 1000);
		} else {
			printf("#%zu %-16s <- %-16s wakeups %s  off-CPU %s us\n", i + 1, k->comm,
			       k->waker[0] ? k->waker : "[unknown]",
			       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, e[i].count),
			       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, e[i].weight / 1000));
			printf("    target (went off CPU here):\n");
			owt_print_stack(stdout, &syms, fd, k->tgid, k->kstack, k->ustack, "      ");
			printf("    waker (woke it from here):\n");
			owt_print_stack(stdout, &syms, fd, k->waker_tgid, k->waker_kstack, k->waker_ustack, "      ");
		}
	}
	owt_syms_close(&syms);
	free(keys);
	free(e);
}

/* -F: one cpu-clock perf event per CPU, each running on_cpu_sample through a
 * bpf_link (closing the link detaches it; the event fd is closed with it). */
static int attach_profiler(struct offwaketime *skel, unsigned long hz, struct bpf_link **links)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(attr), .config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = hz, .freq = 1,
	};
	int ncpus = libbpf_num_possible_cpus(), fd, err;

	for (int cpu = 0; cpu < ncpus && cpu < MAX_CPUS; cpu++) {
		fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV)	/* a possible CPU that is not online */
				continue;
			err = -errno;
			fprintf(stderr, "offwaketime: perf_event_open on CPU %d: %s\n", cpu, sample_strerror(err));
			return err;
		}
		links[cpu] = bpf_program__attach_perf_event(skel->progs.on_cpu_sample, fd);
		if (!links[cpu]) {
			err = -errno;
			close(fd);
			fprintf(stderr, "offwaketime: attaching to CPU %d's perf event: %s\n", cpu, sample_strerror(err));
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
		case 'p': if (sample_parse_uint(o.prog, 'p', optarg, 1, 4194304, &pid)) return 2; break;
		case 'f': folded = true; break;
		case 'm': if (sample_parse_uint(o.prog, 'm', optarg, 0, 60000000, &min_us)) return 2; break;
		case 'F': if (sample_parse_uint(o.prog, 'F', optarg, 1, 10000, &hz)) return 2; break;
		}
	if (pid && kill(pid, 0)) {
		fprintf(stderr, "%s: no process %lu: %s\n", o.prog, pid, sample_strerror(-errno));
		return 2;
	}

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
	if (!pid && (err = owt_demo_open(&demo, DEMO_ROUNDS, DEMO_SPIN_MS)))
		goto cleanup;
	skel->data->target_tgid = pid ? pid : (unsigned long)demo.pid;

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	fprintf(folded ? stderr : stdout, "Following tgid %u: %s (stack ids in BPF_MAP_TYPE_STACK_TRACE)\n",
		skel->data->target_tgid, hz ? "on-CPU samples" : "off-CPU time by target and waker stack");
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
		       skel->bss->stackid_ok, skel->bss->stackid_eexist,
		       skel->bss->stackid_efault, skel->bss->stackid_other);
	}
	print_stacks(skel, hz, folded);

cleanup:
	sample_loop_close(&loop);
	for (int i = 0; i < MAX_CPUS + 2; i++)
		bpf_link__destroy(links[i]);
	offwaketime__destroy(skel);
	owt_demo_close(&demo);		/* prints "demo ran: ..." */
	return err ? 1 : 0;
}
