// SPDX-License-Identifier: GPL-2.0
/*
 * map_api_lock.c - step 4: a value with a bpf_spin_lock inside, written by a
 * program on one CPU while user space reads and writes it from another, once
 * with the lock on both sides (BPF_F_LOCK) and once without. And map_api -d:
 * the locked race run on, one row per tick.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "map_api.h"
#include "map_api_walk.h"
#include "map_api.skel.h"

#define RACE_UPDATES 1000000 /* the program's updates per race */
#define WATCH_CHUNK 100000 /* per BPF_PROG_TEST_RUN while watching */

struct map_api_race {
	int map_fd, prog_fd;
	bool locked;
	__u64 target; /* updates to make; 0: until stopped */
	int cpu[2]; /* [0] the program's CPU, [1] user space's */
	int ready; /* user space has made its first read */
	int stop; /* set when the program is done (or told to stop) */
	int err; /* the first failure of either side */
	__u64 updates, reads, writes, torn;
	pthread_t th[2];
	int running;
};

/* Two CPUs this process may run on, or -EOPNOTSUPP. */
static int two_cpus(int cpu[2])
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpu[n++] = c;
	return n == 2 ? 0 : -EOPNOTSUPP;
}

static void race_fail(struct map_api_race *r, int err)
{
	int zero = 0;

	__atomic_compare_exchange_n(&r->err, &zero, err, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
}

/* The program's side: BPF_PROG_TEST_RUN runs it `repeat` times in a row on
 * this thread's CPU, each run one update of the value. */
static void *bpf_side(void *arg)
{
	struct map_api_race *r = arg;
	char pkt[64] = {}; /* a dummy frame: tc programs need one */
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = sizeof(pkt));

	/* Start when the reader runs, so that the two really overlap. */
	while (!__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
		usleep(100);
	do {
		topts.repeat = r->target ? r->target : WATCH_CHUNK;
		int err = bpf_prog_test_run_opts(r->prog_fd, &topts);

		if (err) {
			race_fail(r, err);
			break;
		}
		__atomic_fetch_add(&r->updates, topts.repeat, __ATOMIC_RELAXED);
		if (!r->target)
			usleep(1); /* between chunks: see user_side() */
	} while (!r->target && !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE));
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool is_torn(const struct stamped *v)
{
	for (int i = 1; i < MAP_API_STAMPS; i++)
		if (v->stamp[i] != v->stamp[0])
			return true;
	return false;
}

/* User space's side: read the value whole, and every 16th time write one
 * back (all slots the same), with BPF_F_LOCK or without. */
static void *user_side(void *arg)
{
	struct map_api_race *r = arg;
	__u64 flags = r->locked ? BPF_F_LOCK : 0;
	struct stamped v, mine = {};
	__u32 key = 0;
	int err;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		err = bpf_map_lookup_elem_flags(r->map_fd, &key, &v, flags);
		if (err) {
			race_fail(r, err);
			break;
		}
		__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
		if (is_torn(&v))
			__atomic_fetch_add(&r->torn, 1, __ATOMIC_RELAXED);
		if ((r->reads & 15) == 0) {
			for (int i = 0; i < MAP_API_STAMPS; i++)
				mine.stamp[i] = v.stamp[0];
			err = bpf_map_update_elem(r->map_fd, &key, &mine, flags);
			if (err) {
				race_fail(r, err);
				break;
			}
			__atomic_fetch_add(&r->writes, 1, __ATOMIC_RELAXED);
		}
		/* A pause now and then: where threads take turns (valgrind
		 * runs one at a time) the others would starve otherwise. */
		if ((r->reads & 255) == 0)
			usleep(1);
	}
	return NULL;
}

static int race_start(struct map_api_race *r)
{
	void *(*fn[2])(void *) = { bpf_side, user_side };
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		pthread_attr_t attr;
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(r->cpu[i], &set);
		pthread_attr_init(&attr);
		err = -pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (!err)
			err = -pthread_create(&r->th[i], &attr, fn[i], r);
		pthread_attr_destroy(&attr);
		if (!err)
			r->running++;
	}
	if (err)
		race_fail(r, err);
	return err;
}

/* Wait for both sides; stop them first if the race is unbounded (-d). */
static int race_join(struct map_api_race *r, bool stop)
{
	if (stop)
		__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	for (int i = r->running - 1; i >= 0; i--)
		pthread_join(r->th[i], NULL);
	r->running = 0;
	return r->err;
}

/* One race: the program makes RACE_UPDATES updates; how many of user space's
 * reads meanwhile saw a half-written value. */
static int race(struct map_api_walk *w, bool locked, const int cpu[2])
{
	struct bpf_program *p = locked ? w->skel->progs.stamp_locked :
					 w->skel->progs.stamp_unlocked;
	__u64 *runs = locked ? &w->skel->bss->locked_runs : &w->skel->bss->unlocked_runs;
	struct map_api_race r = { .map_fd = bpf_map__fd(w->skel->maps.stamps),
				  .prog_fd = bpf_program__fd(p),
				  .locked = locked,
				  .target = RACE_UPDATES,
				  .cpu = { cpu[0], cpu[1] } };
	__u64 before = *runs;
	char b[4][SAMPLE_FMT_LEN];
	int err;

	err = race_start(&r);
	if (race_join(&r, !!err) && !err)
		err = r.err;
	map_api_answer(w, err, 0,
		       locked ? "program locks, reads use BPF_F_LOCK" :
				"no bpf_spin_lock(), reads use flags 0",
		       "race %s the lock, %d updates", locked ? "with" : "without", RACE_UPDATES);
	if (err)
		return err;
	w->f.updates[locked] = *runs - before;
	w->f.reads[locked] = r.reads;
	w->f.writes[locked] = r.writes;
	w->f.torn[locked] = r.torn;
	map_api_say(
		w,
		"  %s updates by the program, %s reads and %s writes by user space: %s torn reads",
		sample_fmt_u64(b[0], SAMPLE_FMT_LEN, w->f.updates[locked]),
		sample_fmt_u64(b[1], SAMPLE_FMT_LEN, r.reads),
		sample_fmt_u64(b[2], SAMPLE_FMT_LEN, r.writes),
		sample_fmt_u64(b[3], SAMPLE_FMT_LEN, r.torn));
	return 0;
}

int map_api_step_lock(struct map_api_walk *w)
{
	struct stamped v;
	__u32 key = 0;
	int cpu[2], err;

	map_api_say(w, "map stamps: ARRAY, 1 value { struct bpf_spin_lock lock; __u64 stamp[%d]; }",
		    MAP_API_STAMPS);
	map_api_say(w, "the program (BPF_PROG_TEST_RUN, repeat %d, on one CPU) sets every stamp to",
		    RACE_UPDATES);
	map_api_say(w,
		    "stamp[0] + 1; user space on another CPU reads the value and checks that all");
	map_api_say(w, "stamps are equal, and every 16th time writes it back");
	err = two_cpus(cpu);
	if (err) {
		map_api_say(
			w, "skipped: this process may run on one CPU only, and the race needs two");
		return 0;
	}
	w->f.raced = true;
	err = race(w, true, cpu);
	if (err)
		return err;
	if (w->f.updates[1] != RACE_UPDATES || w->f.torn[1])
		map_api_answer(w, -EPROTO, 0, "the lock must make every read whole",
			       "locked race: counts");
	map_api_say(
		w,
		"  with the lock: the reader copies the value under the same lock, never half of it");
	err = race(w, false, cpu);
	if (err)
		return err;
	map_api_say(
		w,
		"  without it: the copy can land between two of the program's stores (how often");
	map_api_say(w, "  depends on timing; zero here would be luck, not safety)");
	v.lock = ~0u;
	bpf_map_lookup_elem_flags(bpf_map__fd(w->skel->maps.stamps), &key, &v, BPF_F_LOCK);
	w->f.lock_bytes = v.lock;
	map_api_say(w, "a lookup copies all but the lock: its 4 bytes read back as %u", v.lock);
	return 0;
}

/* ---- map_api -d: the locked race, watched --------------------------------- */

int map_api_watch_open(struct map_api_watch *wt, struct map_api_walk *w)
{
	struct map_api_race *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	wt->race = r;
	r->map_fd = bpf_map__fd(w->skel->maps.stamps);
	r->prog_fd = bpf_program__fd(w->skel->progs.stamp_locked);
	r->locked = true;
	err = two_cpus(r->cpu);
	if (err == -EOPNOTSUPP) {
		/* One CPU: the walk ran; only the watching is left out. */
		fprintf(stderr, "map_api: -d: not watching step 4's race, which needs two CPUs "
				"(this process may run on one)\n");
		free(r);
		wt->race = NULL;
		return 0;
	}
	if (err) {
		fprintf(stderr, "map_api: -d: the CPUs this process may run on: %s\n",
			sample_strerror(err));
		return err;
	}
	/* While it runs, the map is pinned where other tools can find it, in a
	 * bpffs only this process's mount namespace sees. */
	err = map_api_private_bpffs(w);
	if (!err)
		err = bpf_obj_pin(r->map_fd, MAP_API_PIN_DIR "/stamps");
	if (err) {
		fprintf(stderr, "map_api: pinning the race's map failed: %s\n",
			sample_strerror(err));
		return err;
	}
	wt->pinned = true;
	printf("step 4's race with the lock, until -d ends or Ctrl-C; its map is pinned at\n"
	       "%s/stamps, seen from mount namespace /proc/%d/ns/mnt only\n",
	       MAP_API_PIN_DIR, (int)getpid());
	printf("%7s  %13s  %13s  %13s  %10s\n", "time", "updates", "reads", "writes", "torn reads");
	wt->start_ns = sample_now_ns();
	return race_start(r);
}

void map_api_watch_row(struct map_api_watch *wt)
{
	struct map_api_race *r = wt->race;
	char b[4][SAMPLE_FMT_LEN];

	printf("%7.1f  %13s  %13s  %13s  %10s\n", (sample_now_ns() - wt->start_ns) / 1e9,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, __atomic_load_n(&r->updates, __ATOMIC_RELAXED)),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, __atomic_load_n(&r->reads, __ATOMIC_RELAXED)),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, __atomic_load_n(&r->writes, __ATOMIC_RELAXED)),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, __atomic_load_n(&r->torn, __ATOMIC_RELAXED)));
	fflush(stdout);
}

int map_api_watch_close(struct map_api_watch *wt)
{
	int err = 0;

	if (wt->race) {
		err = race_join(wt->race, true);
		if (err)
			fprintf(stderr, "map_api: the race stopped: %s\n", sample_strerror(err));
	}
	if (wt->pinned)
		unlink(MAP_API_PIN_DIR "/stamps");
	wt->pinned = false;
	return err;
}

void map_api_watch_free(struct map_api_watch *wt)
{
	map_api_watch_close(wt);
	free(wt->race);
	wt->race = NULL;
}
