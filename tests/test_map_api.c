// SPDX-License-Identifier: GPL-2.0
/*
 * map_api: each step of the walk, run against the real kernel, with every
 * answer the step printed checked against the exact errno (or value) the
 * kernel must give. The steps' own files are compiled in: the test checks the
 * very calls the tool makes, not a copy of them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "map_api_walk.c"
#include "map_api_cmds.c"
#include "map_api_lock.c"
#include "map_api_pin.c"
#include "map_api_flags.c"

/* Run step n on a freshly loaded object, its text to /dev/null. */
static struct map_api_walk *run(int n)
{
	struct map_api_walk *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = fopen("/dev/null", "w");
	w->skel = map_api__open_and_load();
	if (!w->out || !w->skel) {
		harness_fail(__FILE__, __LINE__, "setup: %s", strerror(errno));
		return w;
	}
	CHECK_ERR(map_api_walk_step(w, n), 0);
	CHECK_U64(w->unexpected, 0);
	return w;
}

static void done(struct map_api_walk *w)
{
	if (!w)
		return;
	if (w->out)
		fclose(w->out);
	map_api__destroy(w->skel);
	free(w);
}

/* What the kernel answered for the call printed as fmt. */
static int got(struct map_api_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int got(struct map_api_walk *w, const char *fmt, ...)
{
	char what[MAP_API_WHAT_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return map_api_walk_got(w, what);
}

/* Step 1: a map made by hand and by libbpf; CHECK_ATTR's zero rule, the
 * tail rule for longer attrs; and the only fd closed frees the map. */
TEST(map_api, step1_create_and_info)
{
	struct map_api_walk *w = run(1);

	REQUIRE(w && w->skel, "setup failed");
	CHECK_ERR(got(w, "syscall(__NR_bpf, BPF_MAP_CREATE, &attr, %zu)", sizeof(union bpf_attr)), 0);
	CHECK_ERR(got(w, "the same, last byte of the union set to 1"), -EINVAL);
	CHECK_ERR(got(w, "the same in a 512-byte buffer, tail zero"), 0);
	CHECK_ERR(got(w, "the same, last byte of the buffer set to 1"), -E2BIG);
	CHECK_ERR(got(w, "the same with .key_size = 0"), -EINVAL);
	CHECK_ERR(got(w, "bpf_map_create(HASH, \"api_lib\", 4, 8, 4, NULL)"), 0);
	CHECK_ERR(got(w, "syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, ...)"), 0);
	CHECK_U64(w->f.info_len_out, sizeof(struct bpf_map_info));
	CHECK(w->f.raw_id && w->f.lib_id && w->f.raw_id != w->f.lib_id,
	      "ids %u and %u", w->f.raw_id, w->f.lib_id);
	/* The step closed its fds: nothing else held the maps. */
	CHECK_ERR(bpf_map_get_fd_by_id(w->f.raw_id) < 0 ? -errno : 0, -ENOENT);
	CHECK_ERR(bpf_map_get_fd_by_id(w->f.lib_id) < 0 ? -errno : 0, -ENOENT);
	done(w);
}

/* Step 2: each update flag's errno, a full map, lookup and delete. */
TEST(map_api, step2_update_flags)
{
	struct map_api_walk *w = run(2);

	REQUIRE(w && w->skel, "setup failed");
	CHECK_ERR(got(w, "update key 1 BPF_NOEXIST"), 0 - EEXIST);
	CHECK_ERR(got(w, "update key 2 BPF_EXIST"), -ENOENT);
	CHECK_ERR(got(w, "update key 1 BPF_EXIST"), 0);
	CHECK_ERR(got(w, "update key 4 BPF_NOEXIST"), 0);
	CHECK_ERR(got(w, "update key 1 BPF_ANY"), 0);	/* replace in a full map */
	CHECK_ERR(got(w, "update key 1 BPF_F_LOCK"), -EINVAL);
	CHECK_ERR(got(w, "update key 1 BPF_NOEXIST|BPF_EXIST"), -EINVAL);
	CHECK_ERR(got(w, "lookup key 9"), -ENOENT);
	CHECK_ERR(got(w, "delete key 9"), -ENOENT);
	CHECK_ERR(got(w, "delete key 1"), 0);
	CHECK_ERR(got(w, "lookup key 1"), -ENOENT);
	/* key 5: E2BIG while full (ANY and NOEXIST), then room after the delete */
	CHECK_ERR(got(w, "update key 5 BPF_ANY"), -E2BIG);
	CHECK_ERR(got(w, "update key 5 BPF_NOEXIST"), 0);
	done(w);
}

/* Step 3: the walk, the delete-while-walking restarts (predicted from the
 * plain walk's order), the drain, and every batch call's count out. */
TEST(map_api, step3_iteration_and_batches)
{
	struct map_api_walk *w = run(3);

	REQUIRE(w && w->skel, "setup failed");
	CHECK_U64(w->f.walk_keys, 8);
	CHECK_ERR(got(w, "get_next_key(last key)"), -ENOENT);
	CHECK_ERR(got(w, "get_next_key(key 99, not in the map)"), 0);
	CHECK_U64(w->f.trap_visits, w->f.trap_visits_want);
	CHECK(w->f.trap_visits > 8, "the deleting walk made %d visits, want more than 8",
	      w->f.trap_visits);
	CHECK_U64(w->f.careful_visits, 8);
	CHECK_U64(w->f.drained, 8);
	CHECK_ERR(got(w, "get_next_key(NULL) after the drain"), -ENOENT);
	CHECK_ERR(got(w, "lookup_and_delete_elem(key 1)"), -ENOENT);
	CHECK_U64(w->f.batch_total, 8);
	CHECK(w->f.batch_max <= 3, "a batch of count 3 returned %d", w->f.batch_max);
	CHECK_ERR(got(w, "lookup_batch, the last call"), -ENOENT);
	CHECK_ERR(got(w, "lookup_batch by 1, until it fails"), -ENOSPC);
	CHECK_ERR(got(w, "delete_batch keys 1 2 99 3"), -ENOENT);
	CHECK_U64(w->f.batch_deleted, 2);
	CHECK_ERR(got(w, "lookup_and_delete_batch, count 8"), -ENOENT);
	CHECK_U64(w->f.batch_drained, 6);
	CHECK_ERR(got(w, "update_batch 10 keys into an empty HASH of 8"), -E2BIG);
	CHECK_U64(w->f.batch_written, 8);
	done(w);
}

/* Step 4 as the tool runs it: 1,000,000 updates under the lock and not one
 * torn read, every 16th read written back; the same 1,000,000 without the
 * lock. How many reads fit in those updates is the scheduler's business (on
 * a loaded machine the reader may get few), so it is not asserted here: the
 * next case sizes the race by its reads. */
TEST(map_api, step4_spin_lock_race)
{
	struct map_api_walk *w = run(4);

	REQUIRE(w && w->skel, "setup failed");
	if (!w->f.raced) {
		done(w);
		SKIP("the race needs two CPUs; sched_getaffinity() gave one");
	}
	CHECK_ERR(got(w, "race with the lock, 1000000 updates"), 0);
	CHECK_U64(w->f.updates[1], 1000000);
	CHECK_U64(w->skel->bss->locked_runs, 1000000);
	/* The program starts after the reader's first read. */
	CHECK(w->f.reads[1] >= 1, "locked: %llu reads", (unsigned long long)w->f.reads[1]);
	CHECK_U64(w->f.writes[1], w->f.reads[1] / 16);
	CHECK_U64(w->f.torn[1], 0);
	CHECK_U64(w->f.updates[0], 1000000);
	CHECK_U64(w->skel->bss->unlocked_runs, 1000000);
	CHECK_U64(w->f.writes[0], w->f.reads[0] / 16);
	CHECK_U64(w->f.lock_bytes, 0);
	done(w);
}

#define RACE_WAIT_NS 20000000000ull	/* the bound on step4_race_sized_by_reads */

/* The race of map_api -d (the program in chunks of WATCH_CHUNK until told to
 * stop), run until user space has made `reads` reads while the program made
 * at least `updates` updates, and, with want_torn, one read was torn; at most
 * RACE_WAIT_NS. Both sides are stopped and joined. 0, -ETIMEDOUT or -errno. */
static int race_until(struct map_api *skel, bool locked, __u64 reads, __u64 updates,
		      bool want_torn, struct map_api_race *r)
{
	struct bpf_program *p = locked ? skel->progs.stamp_locked : skel->progs.stamp_unlocked;
	__u64 deadline = sample_now_ns() + RACE_WAIT_NS;
	int err, join_err;

	*r = (struct map_api_race){ .map_fd = bpf_map__fd(skel->maps.stamps), .prog_fd = bpf_program__fd(p),
			    .locked = locked };
	err = two_cpus(r->cpu);
	if (err)
		return err;
	err = race_start(r);
	while (!err && !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		bool enough = __atomic_load_n(&r->reads, __ATOMIC_RELAXED) >= reads &&
			      __atomic_load_n(&r->updates, __ATOMIC_RELAXED) >= updates;

		if (want_torn && !__atomic_load_n(&r->torn, __ATOMIC_RELAXED))
			enough = false;
		if (enough)
			break;
		if (sample_now_ns() > deadline) {
			err = -ETIMEDOUT;
			break;
		}
		usleep(1000);
	}
	join_err = race_join(r, true);
	return err ? err : join_err;
}

/* Step 4 sized by its own input: with the lock, 10,000 reads made while the
 * program made 1,000,000 updates, not one of them torn; without it, a torn
 * read comes. Each is waited for (at most 20 s), not assumed to fit in a
 * fixed number of updates. */
TEST(map_api, step4_race_sized_by_reads)
{
	struct map_api *skel = map_api__open_and_load();
	struct map_api_race r;
	int cpu[2];

	REQUIRE(skel, "setup: %s", strerror(errno));
	if (two_cpus(cpu)) {
		map_api__destroy(skel);
		SKIP("the race needs two CPUs; sched_getaffinity() gave one");
	}
	CHECK_ERR(race_until(skel, true, 10000, 1000000, false, &r), 0);
	CHECK(r.reads >= 10000 && r.updates >= 1000000, "locked: %llu reads, %llu updates",
	      (unsigned long long)r.reads, (unsigned long long)r.updates);
	CHECK_U64(skel->bss->locked_runs, r.updates);
	CHECK_U64(r.writes, r.reads / 16);
	CHECK_U64(r.torn, 0);
	CHECK_ERR(race_until(skel, false, 1, 1, true, &r), 0);
	CHECK(r.torn > 0, "no torn read without the lock in %llu reads and %llu updates",
	      (unsigned long long)r.reads, (unsigned long long)r.updates);
	CHECK_U64(skel->bss->unlocked_runs, r.updates);
	map_api__destroy(skel);
}

/* Is the filesystem of device dev mounted in this mountinfo? */
static bool mounted(const char *mountinfo, dev_t dev)
{
	char line[1024], want[32];
	bool found = false;
	FILE *f = fopen(mountinfo, "r");

	snprintf(want, sizeof(want), " %u:%u ", major(dev), minor(dev));
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Step 5: pin, a second process by path (read-only fd: EPERM on update),
 * unpin frees the map, a pin in a dead namespace too; the host never sees
 * the private bpffs. */
TEST(map_api, step5_pinning)
{
	struct map_api_walk *w = run(5);

	REQUIRE(w && w->skel, "setup failed");
	CHECK_ERR(got(w, "unshare(CLONE_NEWNS), mount bpffs /sys/fs/bpf"), 0);
	CHECK_ERR(got(w, "bpf_obj_pin(fd, \"%s\")", PIN_PATH), 0);
	CHECK_ERR(got(w, "bpf_obj_pin again, same path"), -EEXIST);
	CHECK_ERR(got(w, "bpf_obj_pin(fd, \"/tmp/map_api.pin\")"), -EPERM);
	CHECK_ERR(access("/tmp/map_api.pin", F_OK) ? -errno : 0, -ENOENT);
	CHECK_ERR(got(w, "bpf_obj_pin(fd, \"/sys/fs/bpf/nodir/x\")"), -ENOENT);
	CHECK_ERR(got(w, "peer: bpf_obj_get(path)"), 0);
	CHECK_ERR(got(w, "peer: update key 2 = 7"), 0);
	CHECK_ERR(got(w, "peer: bpf_obj_get_opts(path, BPF_F_RDONLY)"), 0);
	CHECK_ERR(got(w, "peer: lookup key 2, read-only fd"), 0);
	CHECK_ERR(got(w, "peer: update key 3, read-only fd"), -EPERM);
	CHECK_ERR(got(w, "map id after close(fd)"), 0);
	CHECK_ERR(got(w, "map id after unlink"), -ENOENT);
	CHECK_ERR(got(w, "child: new bpffs, pin map \"api_orphan\""), 0);
	CHECK_ERR(got(w, "map id of \"api_orphan\" after the child exit"), -ENOENT);
	/* Our bpffs is mounted in our mount namespace and not in init's. */
	{
		struct stat st;

		CHECK_ERR(stat(MAP_API_PIN_DIR, &st) ? -errno : 0, 0);
		CHECK(mounted("/proc/self/mountinfo", st.st_dev), "our bpffs is not in our mountinfo");
		CHECK(!mounted("/proc/1/mountinfo", st.st_dev), "our bpffs is in init's mountinfo");
	}
	done(w);
}

/* Step 6: the verifier's refusals, user-space rights, freeze, mmap, memory
 * with and without preallocation, the zero seed. */
TEST(map_api, step6_access_flags)
{
	struct map_api_walk *w = run(6);
	int rights, per_map;
	__u64 per_elem;

	REQUIRE(w && w->skel, "setup failed");
	CHECK_ERR(got(w, "load write_ro"), -EACCES);
	CHECK_ERR(got(w, "load read_wo"), -EACCES);
	CHECK_ERR(got(w, "run ro_to_wo: prog_wo[0] = prog_ro[0] + 1"), 0);
	CHECK_ERR(got(w, "update prog_wo[0]"), -EPERM);
	/* 6.18 checks the fd's write rights (EPERM), 6.1 does not (EBUSY):
	 * asked of the kernel by freezing through a read-only fd. */
	rights = map_api_freeze_checks_rights();
	REQUIRE(rights >= 0, "the freeze probe failed: %s", strerror(-rights));
	CHECK_ERR(got(w, "bpf_map_freeze(prog_wo) again"), rights ? -EPERM : -EBUSY);
	CHECK_ERR(got(w, "update, BPF_F_RDONLY map"), -EPERM);
	CHECK_ERR(got(w, "lookup, BPF_F_WRONLY map"), -EPERM);
	CHECK_ERR(got(w, "get_next_key, BPF_F_WRONLY map"), -EPERM);
	CHECK_ERR(got(w, "bpf_map_freeze(mmapped), still mapped"), -EBUSY);
	CHECK_ERR(got(w, "mmap(mmapped, RW) after freeze"), -EPERM);
	CHECK_ERR(got(w, "mmap(an ARRAY without BPF_F_MMAPABLE)"), -EINVAL);
	CHECK_ERR(got(w, "create ARRAY with BPF_F_NO_PREALLOC"), -EINVAL);
	CHECK_U64(w->f.mmap_want, 512 * 513 / 2);
	CHECK_U64(w->f.mmap_sum, 512 * 513 / 2);
	/* The program still writes the frozen prog_wo: 99 + 1. */
	{
		__u32 key = 0;
		__u64 v = 0;

		CHECK_ERR(bpf_map__lookup_elem(w->skel->maps.prog_wo, &key, sizeof(key), &v, sizeof(v), 0), 0);
		CHECK_U64(v, 100);
	}
	/* Preallocated: the same memory empty and with 1000 keys, and at least
	 * max_entries elements of the size NO_PREALLOC pays per key (less its
	 * 8-byte free-list node); NO_PREALLOC: the same price for every key. */
	CHECK_U64(w->f.mem_prealloc[1], w->f.mem_prealloc[0]);
	per_map = map_api_mem_per_map();
	REQUIRE(per_map >= 0, "the BTF probe for map_mem_usage failed: %s", strerror(-per_map));
	CHECK_U64(w->f.mem_per_map, per_map);
	if (per_map) {
		per_elem = (w->f.mem_dynamic[1] - w->f.mem_dynamic[0]) / 1000;
		CHECK_U64(w->f.mem_dynamic[1] - w->f.mem_dynamic[0], per_elem * 1000);
		CHECK_U64(w->f.mem_dynamic[2] - w->f.mem_dynamic[1], per_elem * 1000);
		CHECK(per_elem > 8, "NO_PREALLOC grew %llu bytes per key", (unsigned long long)per_elem);
		CHECK(w->f.mem_prealloc[0] - w->f.mem_dynamic[0] >= (per_elem - 8) * 10000,
		      "preallocated %llu bytes more than empty NO_PREALLOC, want >= %llu",
		      (unsigned long long)(w->f.mem_prealloc[0] - w->f.mem_dynamic[0]),
		      (unsigned long long)(per_elem - 8) * 10000);
	} else {
		/* Before 6.4: max_entries * round_up(key + value, 8), rounded up
		 * to pages, for both maps, empty or full. */
		__u64 est = (10000 * 16 + 4095) / 4096 * 4096;

		CHECK_U64(w->f.mem_prealloc[0], est);
		CHECK_U64(w->f.mem_dynamic[0], est);
		CHECK_U64(w->f.mem_dynamic[2], est);
	}
	CHECK_U64(w->f.seed_same_zero, 1);
	CHECK_U64(w->f.seed_same_random, 0);
	done(w);
}
