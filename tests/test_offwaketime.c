// SPDX-License-Identifier: GPL-2.0
/* offwaketime: exact wakeup counts between two pinned threads, stacks that
 * name the workload's functions, a profile the spinner dominates, and the
 * STACK_TRACE map's traps (EEXIST, ENOMEM with REUSE, ENOENT after delete,
 * skipped frames, bpf_get_stack()). The workload is the demo's own. */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "offwaketime_demo.c"	/* the workload, built with frame pointers */
#include "offwaketime_traps.c"	/* owt_probe_a/b: two call paths, with frame pointers */
#include "offwaketime_syms.c"
#include "offwaketime.h"
#include "offwaketime.skel.h"

#define K 500

static int first_cpu(void)
{
	cpu_set_t set;
	int cpu = 0;

	sched_getaffinity(0, sizeof(set), &set);
	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
		cpu++;
	return cpu;
}

/* Wakeups summed over the entries of (target comm, waker comm); *key gets the
 * heaviest such entry. */
static __u64 wakeups(struct offwaketime *skel, const char *target, const char *waker,
		     struct owt_key *best)
{
	struct owt_key k, *prev = NULL;
	struct owt_val v;
	__u64 sum = 0, most = 0;
	int fd = bpf_map__fd(skel->maps.offcpu);

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		prev = &(struct owt_key){};
		*prev = k;
		if (strcmp(k.comm, target) || strcmp(k.waker, waker) || bpf_map_lookup_elem(fd, &k, &v))
			continue;
		sum += v.count;
		if (best && v.count > most) {
			most = v.count;
			*best = k;
		}
	}
	return sum;
}

static struct offwaketime *load(__u64 min_block_ns)
{
	struct offwaketime *skel = offwaketime__open();

	if (skel) {
		skel->rodata->min_block_ns = min_block_ns;
		if (offwaketime__load(skel)) {
			offwaketime__destroy(skel);
			return NULL;
		}
	}
	return skel;
}

/* K rounds through the pipes with the program attached and this process
 * followed. 0, or the -errno that stopped it (fifo_err: no SCHED_FIFO). */
static int run_pingpong(struct offwaketime *skel, struct bpf_link **l, int *fifo_err)
{
	struct owt_work w;
	int err;

	l[0] = bpf_program__attach(skel->progs.on_switch);
	l[1] = bpf_program__attach(skel->progs.on_waking);
	if (!l[0] || !l[1])
		return -errno;
	skel->data->target_tgid = getpid();
	if ((err = owt_work_start(&w, first_cpu())))
		return err;
	err = owt_work_run(&w, K, 0);
	*fifo_err = w.fifo_err;
	skel->data->target_tgid = ~0u;
	owt_work_stop(&w);
	return err;
}

/* Between two threads pinned to one CPU as SCHED_FIFO, K rounds are exactly
 * K wakeups of pong by ping and K of ping by pong, and their stacks name the
 * functions that slept and woke. */
TEST(offwaketime, pingpong_exact_wakeups_and_names)
{
	struct offwaketime *skel = load(0);
	struct bpf_link *l[2] = {};
	struct owt_key pk = {}, gk = {};
	struct owt_syms syms;
	char t[8192] = "", wk[8192] = "";
	int fifo_err = 0, fd;

	REQUIRE(skel, "load: %s", strerror(errno));
	CHECK_ERR(run_pingpong(skel, l, &fifo_err), 0);
	if (fifo_err) {
		bpf_link__destroy(l[0]); bpf_link__destroy(l[1]); offwaketime__destroy(skel);
		SKIP("SCHED_FIFO refused (%s): rounds are not one sleep each", strerror(-fifo_err));
	}
	CHECK_U64(wakeups(skel, "owt-pong", "owt-ping", &pk), K);
	CHECK_U64(wakeups(skel, "owt-ping", "owt-pong", &gk), K);
	CHECK_U64(skel->bss->stackid_eexist, 0);
	REQUIRE(!owt_syms_open(&syms), "kallsyms");
	fd = bpf_map__fd(skel->maps.stacks);
	/* ping slept in its rounds, reading the pipe pong writes to. */
	owt_fold_stack(t, sizeof(t), &syms, fd, gk.tgid, gk.kstack, gk.ustack, 0);
	owt_fold_stack(wk, sizeof(wk), &syms, fd, gk.waker_tgid, gk.waker_kstack, gk.waker_ustack, 0);
	CHECK(strstr(t, "pipe_read;") && strstr(t, "owt_ping_rounds;owt_ping"), "target: %s", t);
	CHECK(strstr(wk, "try_to_wake_up") && strstr(wk, "pipe_write") && strstr(wk, "owt_pong"),
	      "waker: %s", wk);
	t[0] = wk[0] = 0;
	owt_fold_stack(t, sizeof(t), &syms, fd, pk.tgid, pk.kstack, pk.ustack, 0);
	owt_fold_stack(wk, sizeof(wk), &syms, fd, pk.waker_tgid, pk.waker_kstack, pk.waker_ustack, 0);
	CHECK(strstr(t, "pipe_read;") && strstr(t, "owt_pong"), "target: %s", t);
	CHECK(strstr(wk, "pipe_write") && strstr(wk, "owt_ping_rounds"), "waker: %s", wk);
	/* The skipped frames (tracing machinery) are not there. */
	CHECK(!strstr(t, "bpf_trace_run") && !strstr(wk, "bpf_trace_run"), "unskipped: %s", t);
	owt_syms_close(&syms);
	bpf_link__destroy(l[0]);
	bpf_link__destroy(l[1]);
	offwaketime__destroy(skel);
}

/* -m: with a 10 s minimum nothing is recorded, and each of the 2K sleeps is
 * counted as too short. */
TEST(offwaketime, min_block_filters_everything)
{
	struct offwaketime *skel = load(10000000000ull);
	struct bpf_link *l[2] = {};
	int fifo_err = 0;

	REQUIRE(skel, "load: %s", strerror(errno));
	CHECK_ERR(run_pingpong(skel, l, &fifo_err), 0);
	if (!fifo_err) {
		CHECK_U64(wakeups(skel, "owt-pong", "owt-ping", NULL), 0);
		CHECK_U64(wakeups(skel, "owt-ping", "owt-pong", NULL), 0);
		CHECK(skel->bss->too_short >= 2 * K, "too_short = %llu, want >= %d",
		      (unsigned long long)skel->bss->too_short, 2 * K);
	}
	bpf_link__destroy(l[0]);
	bpf_link__destroy(l[1]);
	offwaketime__destroy(skel);
	if (fifo_err)
		SKIP("SCHED_FIFO refused (%s)", strerror(-fifo_err));
}

/* -F: 500 ms in owt_spin() at 499 Hz; more than half of this process's
 * samples have owt_spin as their innermost user frame. (Fewer than 250
 * samples when other work shares the CPUs: at least 20 are asked for.) */
TEST(offwaketime, profile_spinner_dominates)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(attr), .config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = 499, .freq = 1,
	};
	struct offwaketime *skel = load(0);
	struct bpf_link *links[64] = {};
	struct owt_prof_key k, *prev = NULL;
	struct owt_syms syms;
	struct owt_work w;
	__u64 n, in_spin = 0, ips[OWT_MAX_DEPTH];
	char name[256];
	int ncpus = libbpf_num_possible_cpus(), fd;

	REQUIRE(skel, "load: %s", strerror(errno));
	for (int cpu = 0; cpu < ncpus && cpu < 64; cpu++) {
		fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0)
			continue;
		links[cpu] = bpf_program__attach_perf_event(skel->progs.on_cpu_sample, fd);
		CHECK(links[cpu], "attach cpu %d: %s", cpu, strerror(errno));
	}
	skel->data->target_tgid = getpid();
	REQUIRE(!owt_work_start(&w, first_cpu()), "workload");
	CHECK_ERR(owt_work_run(&w, 0, 500), 0);
	skel->data->target_tgid = ~0u;
	REQUIRE(!owt_syms_open(&syms), "kallsyms");
	while (!bpf_map_get_next_key(bpf_map__fd(skel->maps.oncpu), prev, &k)) {
		prev = &(struct owt_prof_key){};
		*prev = k;
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.oncpu), &k, &n) ||
		    owt_stack_read(bpf_map__fd(skel->maps.stacks), k.ustack, ips) < 1)
			continue;
		if (!strcmp(owt_sym(&syms, k.tgid, ips[0], 1, name, sizeof(name)), "owt_spin"))
			in_spin += n;
	}
	CHECK(skel->bss->samples >= 20, "only %llu samples", (unsigned long long)skel->bss->samples);
	CHECK(in_spin * 2 > skel->bss->samples, "owt_spin has %llu of %llu samples",
	      (unsigned long long)in_spin, (unsigned long long)skel->bss->samples);
	owt_work_stop(&w);
	owt_syms_close(&syms);
	for (int i = 0; i < 64; i++)
		bpf_link__destroy(links[i]);
	offwaketime__destroy(skel);
}

static __attribute__((noinline)) long probe(struct offwaketime *skel, bool tiny, __u64 flags, bool from_b)
{
	int fd = bpf_program__fd(skel->progs.stack_probe);

	skel->bss->probe_tiny = tiny;
	skel->bss->probe_flags = flags;
	if (from_b ? owt_probe_b(fd) : owt_probe_a(fd))
		return -1000 - errno;
	return skel->bss->probe_id;
}

/* One bucket: a second stack is EEXIST; REUSE is ENOMEM (no spare element);
 * after a delete the id is free and names the next stack. */
TEST(offwaketime, tiny_map_eexist_reuse_enomem)
{
	struct offwaketime *skel = load(0);
	__u64 ips[OWT_MAX_DEPTH], ips_b[OWT_MAX_DEPTH];
	__u32 id = 0;
	long r[3];
	int tiny, na = 0;

	REQUIRE(skel, "load: %s", strerror(errno));
	tiny = bpf_map__fd(skel->maps.tiny_stacks);
	/* One call site for the three, so that paths a and b are the only
	 * difference between the stacks (the caller's frame is in them too). */
	for (int i = 0; i < 3; i++) {
		r[i] = probe(skel, true, BPF_F_USER_STACK, i == 1);
		if (i == 0)
			na = owt_stack_read(tiny, 0, ips);
	}
	CHECK_U64(r[0], 0);
	CHECK_ERR(r[1], -EEXIST);
	CHECK_U64(r[2], 0);	/* the same stack again finds itself */
	CHECK_ERR(probe(skel, true, BPF_F_USER_STACK | BPF_F_REUSE_STACKID, true), -ENOMEM);
	CHECK_ERR(bpf_map_delete_elem(tiny, &id) ? -errno : 0, 0);
	CHECK_U64(probe(skel, true, BPF_F_USER_STACK, true), 0);
	/* Path b is one frame deeper than path a (owt_probe_b calls owt_probe_a). */
	CHECK_U64(owt_stack_read(tiny, 0, ips_b), na + 1);
	CHECK_U64(ips_b[0], ips[0]);	/* the same syscall instruction */
	CHECK_ERR(probe(skel, true, 1u << 12, false), -EINVAL);		/* an unknown flag */
	offwaketime__destroy(skel);
}

/* A deleted id is ENOENT for lookup and for a second delete; skipping one
 * frame drops exactly the innermost; bpf_get_stack() copies the same frames. */
TEST(offwaketime, delete_enoent_skip_and_get_stack)
{
	struct offwaketime *skel = load(0);
	__u64 ips[OWT_MAX_DEPTH], ips1[OWT_MAX_DEPTH];
	long id, id1, ids[2];
	int fd, n = 0, n1;
	__u32 key;

	REQUIRE(skel, "load: %s", strerror(errno));
	fd = bpf_map__fd(skel->maps.stacks);
	for (int skip = 1; skip >= 0; skip--) {	/* one call site: skip 1, then skip 0 */
		ids[skip] = probe(skel, false, BPF_F_USER_STACK | skip, true);
		if (skip == 0) {
			n = owt_stack_read(fd, ids[0], ips);
			CHECK_U64(skel->bss->probe_len, n * 8);
			CHECK(!memcmp(skel->bss->probe_frames, ips, n * 8),
			      "bpf_get_stack differs from the map");
		}
	}
	id = ids[0];
	id1 = ids[1];
	REQUIRE(id >= 0 && id1 >= 0, "probe: %ld %ld", id, id1);
	n1 = owt_stack_read(fd, id1, ips1);
	CHECK_U64(n1, n - 1);
	/* Compared up to the return into probe(): the compiler may unroll the
	 * loop, and then the frame after it differs by call site. */
	CHECK(n1 >= 3 && !memcmp(ips1, ips + 1, 3 * 8), "skip 1 is not the stack minus its innermost frame");
	CHECK(id1 != id, "same id for different stacks");
	key = id;
	CHECK_ERR(bpf_map_delete_elem(fd, &key) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, ips) ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_delete_elem(fd, &key) ? -errno : 0, -ENOENT);
	key = OWT_STACKS;	/* past the last bucket */
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, ips) ? -errno : 0, -ENOENT);
	offwaketime__destroy(skel);
}
