/* SPDX-License-Identifier: GPL-2.0 */
/*
 * map_api_walk.h - the walk through one map's life that map_api prints: six
 * steps, each a function in a file of its topic, each kernel answer printed
 * with what was asked and why the kernel answered so.
 *
 *   map_api_walk.c      the printing of answers, the step table
 *   map_api_cmds.c      steps 1-3: create and info, update flags, iteration
 *                       and the batch calls
 *   map_api_lock.c      step 4: bpf_spin_lock and BPF_F_LOCK, the race
 *   map_api_pin.c       step 5: pinning in a private bpffs
 *   map_api_flags.c     step 6: access flags, freeze, mmap, prealloc, seed
 *
 * tests/test_map_api.c compiles these files into itself and asserts each
 * recorded answer and fact.
 */
#ifndef MAP_API_WALK_H
#define MAP_API_WALK_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct map_api;

#define MAP_API_N_STEPS 6
#define MAP_API_MAX_ANSWERS 160
#define MAP_API_WHAT_LEN 64

/* The numbers the steps measured: printed, summed up at the end, and checked
 * by the tests. */
struct map_api_facts {
	__u32 raw_id, lib_id; /* 1: ids of the two maps created */
	__u32 info_len_out; /* 1: bytes BPF_OBJ_GET_INFO_BY_FD filled */
	int walk_keys; /* 3: keys seen by a plain get_next_key walk */
	int trap_visits; /* 3: visits of the walk that deletes as it goes */
	int trap_visits_want; /*    ... as its restarts predict */
	int careful_visits; /* 3: visits of the walk that deletes behind it */
	int drained; /* 3: elements lookup_and_delete took */
	int batch_calls, batch_total, batch_max; /* 3: lookup_batch by 3 */
	__u32 batch_deleted, batch_drained, batch_written; /* 3: count out */
	bool raced; /* 4: ran (two CPUs were there) */
	__u64 updates[2], reads[2], writes[2], torn[2]; /* 4: [0] no lock, [1] lock */
	__u32 lock_bytes; /* 4: the lock as a lookup returns it */
	__u32 pinned_id; /* 5 */
	__u64 mmap_sum, mmap_want; /* 6 */
	__u64 mem_prealloc[2], mem_dynamic[3]; /* 6: memlock, empty/after inserts */
	bool mem_per_map; /* 6: memlock is each map's own usage (6.4+) */
	int seed_same_zero, seed_same_random; /* 6: equal iteration orders */
};

struct map_api_record {
	char what[MAP_API_WHAT_LEN];
	int err;
};

struct map_api_walk {
	FILE *out; /* the tutorial text (tests: /dev/null) */
	struct map_api *skel; /* the loaded object: steps 4 and 6 */
	int answers, unexpected;
	struct map_api_record log[MAP_API_MAX_ANSWERS];
	struct map_api_facts f;
	bool bpffs; /* the private bpffs is mounted */
};

/* Print "  <what> -> <ok|ERRNO>  <why>", record it for the tests, and count it
 * unexpected (and say so) when err differs from want. err and want are 0 or
 * -errno. Returns err. */
int map_api_answer(struct map_api_walk *w, int err, int want, const char *why, const char *what_fmt,
		   ...) __attribute__((format(printf, 5, 6)));
/* An indented line of explanation. */
void map_api_say(struct map_api_walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* What the kernel answered for what (the exact text map_api_answer() printed), or 1
 * if nothing was recorded under it. */
int map_api_walk_got(const struct map_api_walk *w, const char *what);
/* Run step n (1..MAP_API_N_STEPS): a heading, then its answers. 0, or -errno
 * when the step could not go on (a setup call failed). */
int map_api_walk_step(struct map_api_walk *w, int n);

int map_api_step_create(struct map_api_walk *w); /* 1 */
int map_api_step_flags(struct map_api_walk *w); /* 2 */
int map_api_step_iterate(struct map_api_walk *w); /* 3 */
int map_api_step_lock(struct map_api_walk *w); /* 4 */
int map_api_step_pin(struct map_api_walk *w); /* 5 */
int map_api_step_access(struct map_api_walk *w); /* 6 */

/* Step 5's private bpffs: a mount namespace of this process's own (entered
 * while it has one thread) with a new bpffs on /sys/fs/bpf, the directory
 * /sys/fs/bpf/map_api in it. Gone with the process, even on SIGKILL. */
#define MAP_API_PIN_DIR "/sys/fs/bpf/map_api"
int map_api_private_bpffs(struct map_api_walk *w);

/* map_api -d: step 4's race with the lock, run on until stopped, one row per
 * tick; its map stays pinned in the private bpffs meanwhile. */
struct map_api_race;
struct map_api_watch {
	struct map_api_race *race;
	__u64 start_ns;
	bool pinned;
};
#define MAP_API_WATCH_INIT     \
	{                      \
		NULL, 0, false \
	}
/* Pin the map, print the header, start the race. 0 or -errno (one line said).
 * On one CPU: one line on stderr, 0, and wt->race stays NULL (nothing to watch). */
int map_api_watch_open(struct map_api_watch *wt, struct map_api_walk *w);
/* One row: time, the program's updates, user space's reads and writes, torn reads. */
void map_api_watch_row(struct map_api_watch *wt);
/* Stop the race and unpin; the counts stay for a last map_api_watch_row(). */
int map_api_watch_close(struct map_api_watch *wt);
void map_api_watch_free(struct map_api_watch *wt);

/* Kernel answers that differ between kernels, each asked of the kernel itself
 * (never of uname). 1 yes, 0 no, -errno when the probe failed.
 *
 * BPF_MAP_FREEZE checks that the fd may write, so a second freeze (write
 * rights froze with the map) answers EPERM; Linux 6.1 has no such check and
 * answers EBUSY (already frozen). Probe: freeze a new map through a read-only
 * fd (EPERM with the check, accepted without). */
int map_api_freeze_checks_rights(void);
/* fdinfo's memlock is the map's own usage (bpf_map_ops.map_mem_usage, 6.4+),
 * which grows as a BPF_F_NO_PREALLOC map fills; before, an estimate from
 * max_entries for every map. Probe: the member in the kernel's BTF. */
int map_api_mem_per_map(void);

/* A raw syscall's -1 as -errno (libbpf's calls return -errno themselves). */
#define MAP_API_SYS_ERR(ret) ((ret) < 0 ? -errno : 0)

#endif /* MAP_API_WALK_H */
