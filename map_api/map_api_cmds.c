// SPDX-License-Identifier: GPL-2.0
/*
 * map_api_cmds.c - steps 1-3 of the walk: a map is created by hand and by
 * libbpf and asked what it is; update flags meet a full map; keys are walked,
 * deleted while walking, drained, and moved in batches.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "sample.h"
#include "map_api_walk.h"

#define PTR_U64(p) ((__u64)(unsigned long)(p))

/* ---- step 1 ------------------------------------------------------------- */

static int sys_bpf(int cmd, void *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

int map_api_step_create(struct map_api_walk *w)
{
	union bpf_attr attr, bad;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char wide[512] = {}; /* an attr longer than this kernel's union */
	int raw, lib = -1, fd, err;

	/* Zero all of it: the kernel refuses a non-zero byte in any field the
	 * command does not read. */
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u64);
	attr.max_entries = 4;
	strncpy(attr.map_name, "api_raw", sizeof(attr.map_name) - 1);
	map_api_say(w,
		    "union bpf_attr attr = {}, then .map_type = BPF_MAP_TYPE_HASH, .key_size = 4,");
	map_api_say(w, "  .value_size = 8, .max_entries = 4, .map_name = \"api_raw\"");
	raw = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	map_api_answer(w, MAP_API_SYS_ERR(raw), 0, "a new fd: the map's first reference",
		       "syscall(__NR_bpf, BPF_MAP_CREATE, &attr, %zu)", sizeof(attr));
	if (raw < 0)
		return -errno;

	bad = attr;
	((char *)&bad)[sizeof(bad) - 1] = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &bad, sizeof(bad));
	map_api_answer(w, MAP_API_SYS_ERR(fd), -EINVAL, "bytes the command does not read must be 0",
		       "the same, last byte of the union set to 1");
	memcpy(wide, &attr, sizeof(attr));
	fd = sys_bpf(BPF_MAP_CREATE, wide, sizeof(wide));
	map_api_answer(w, MAP_API_SYS_ERR(fd), 0, "longer is fine if the extra bytes are 0",
		       "the same in a %zu-byte buffer, tail zero", sizeof(wide));
	if (fd >= 0)
		close(fd);
	wide[sizeof(wide) - 1] = 1;
	fd = sys_bpf(BPF_MAP_CREATE, wide, sizeof(wide));
	map_api_answer(w, MAP_API_SYS_ERR(fd), -E2BIG, "not if set: a field this kernel lacks",
		       "the same, last byte of the buffer set to 1");
	bad = attr;
	bad.key_size = 0;
	fd = sys_bpf(BPF_MAP_CREATE, &bad, sizeof(bad));
	map_api_answer(w, MAP_API_SYS_ERR(fd), -EINVAL, "a hash needs a key",
		       "the same with .key_size = 0");

	lib = bpf_map_create(BPF_MAP_TYPE_HASH, "api_lib", sizeof(__u32), sizeof(__u64), 4, NULL);
	map_api_answer(w, lib < 0 ? lib : 0, 0, "libbpf fills the same union",
		       "bpf_map_create(HASH, \"api_lib\", 4, 8, 4, NULL)");
	map_api_say(w, "  (leaving the name out on kernels that lack map names)");

	/* BPF_OBJ_GET_INFO_BY_FD: info_len in is our struct's size; out, what
	 * the kernel filled (the smaller of its struct and ours). */
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = raw;
	attr.info.info_len = sizeof(info);
	attr.info.info = PTR_U64(&info);
	err = MAP_API_SYS_ERR(sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)));
	map_api_answer(w, err, 0, "the kernel's view of the map, by fd",
		       "syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, ...)");
	if (!err) {
		w->f.raw_id = info.id;
		w->f.info_len_out = attr.info.info_len;
		map_api_say(
			w,
			"  id %u, type %u (HASH), key %u, value %u, max_entries %u, flags %#x, name \"%s\"",
			info.id, info.type, info.key_size, info.value_size, info.max_entries,
			info.map_flags, info.name);
		map_api_say(
			w,
			"  info_len %zu in, %u out: ids are global, the fd is this process's handle",
			sizeof(info), attr.info.info_len);
	}
	if (lib >= 0) {
		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(lib, &info, &len);
		map_api_answer(w, err, 0, "libbpf's wrapper of the same command",
			       "bpf_obj_get_info_by_fd(lib_fd, &info, &len)");
		if (!err) {
			w->f.lib_id = info.id;
			map_api_say(w, "  id %u, name \"%s\": another map, another id", info.id,
				    info.name);
		}
		close(lib);
	}
	close(raw);
	return 0;
}

/* ---- step 2 ------------------------------------------------------------- */

static int update(struct map_api_walk *w, int fd, __u32 key, __u64 val, __u64 flags,
		  const char *fname, int want, const char *why)
{
	return map_api_answer(w, bpf_map_update_elem(fd, &key, &val, flags), want, why,
			      "update key %u %s", key, fname);
}

int map_api_step_flags(struct map_api_walk *w)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "api_flags", sizeof(__u32), sizeof(__u64), 4,
				NULL);
	__u64 val = 0;
	__u32 key;

	if (map_api_answer(w, fd < 0 ? fd : 0, 0, "an empty HASH with room for 4 keys",
			   "create HASH key u32, value u64, max_entries 4") < 0)
		return fd;
	update(w, fd, 1, 10, BPF_ANY, "BPF_ANY", 0, "ANY: create or replace; key 1 was new");
	update(w, fd, 1, 11, BPF_NOEXIST, "BPF_NOEXIST", -EEXIST,
	       "NOEXIST only creates; key 1 exists");
	update(w, fd, 2, 20, BPF_EXIST, "BPF_EXIST", -ENOENT,
	       "EXIST only replaces; key 2 is not there");
	update(w, fd, 1, 12, BPF_EXIST, "BPF_EXIST", 0, "key 1 exists: replaced");
	for (key = 2; key <= 4; key++)
		update(w, fd, key, key * 10, BPF_NOEXIST, "BPF_NOEXIST", 0,
		       key < 4 ? "new key" : "new key: the map is full now, 4 of 4");
	update(w, fd, 5, 50, BPF_ANY, "BPF_ANY", -E2BIG, "a new key in a full map");
	update(w, fd, 5, 50, BPF_NOEXIST, "BPF_NOEXIST", -E2BIG, "the same with NOEXIST");
	update(w, fd, 1, 13, BPF_ANY, "BPF_ANY", 0, "replacing needs no free slot");
	update(w, fd, 1, 14, BPF_F_LOCK, "BPF_F_LOCK", -EINVAL,
	       "needs a bpf_spin_lock in the value");
	update(w, fd, 1, 15, BPF_NOEXIST | BPF_EXIST, "BPF_NOEXIST|BPF_EXIST", -EINVAL,
	       "contradictory flags");

	key = 1;
	map_api_answer(w, bpf_map_lookup_elem(fd, &key, &val), 0, "", "lookup key 1");
	map_api_say(w, "  value %llu: the last write that succeeded", (unsigned long long)val);
	key = 9;
	map_api_answer(w, bpf_map_lookup_elem(fd, &key, &val), -ENOENT, "no such key",
		       "lookup key 9");
	map_api_answer(w, bpf_map_delete_elem(fd, &key), -ENOENT, "no such key", "delete key 9");
	key = 1;
	map_api_answer(w, bpf_map_delete_elem(fd, &key), 0, "one slot free again", "delete key 1");
	map_api_answer(w, bpf_map_lookup_elem(fd, &key, &val), -ENOENT, "gone", "lookup key 1");
	update(w, fd, 5, 50, BPF_NOEXIST, "BPF_NOEXIST", 0, "fits now");
	close(fd);
	return 0;
}

/* ---- step 3 ------------------------------------------------------------- */

#define WALK_KEYS 8

static int fill(int fd, __u32 from, __u32 to)
{
	for (__u32 k = from; k <= to; k++) {
		__u64 v = k * 10;
		int err = bpf_map_update_elem(fd, &k, &v, BPF_ANY);

		if (err)
			return err;
	}
	return 0;
}

/* What the deleting walk should cost, from the order of a plain walk: a
 * get_next_key() from a key that is gone starts over at the first key. */
static int restarts_predict(const __u32 *order, int n)
{
	bool gone[WALK_KEYS] = {};
	int visits = 0, i = 0;

	while (i < n && visits < 100) {
		visits++;
		if (order[i] % 2) { /* deleted: start over */
			gone[i] = true;
			i = 0;
		} else {
			i++;
		}
		while (i < n && gone[i])
			i++;
	}
	return visits;
}

static void print_keys(struct map_api_walk *w, const char *what, const __u32 *keys, int n)
{
	char line[160];
	int len = 0;

	for (int i = 0; i < n && len < (int)sizeof(line) - 12; i++)
		len += snprintf(line + len, sizeof(line) - len, " %u", keys[i]);
	map_api_say(w, "  %s:%s", what, n ? line : " (none)");
}

static int iterate_walks(struct map_api_walk *w, int fd)
{
	__u32 order[WALK_KEYS], seen[32], cur, next;
	int n = 0, err, visits = 0;

	/* The plain walk: from NULL, then from each key, until ENOENT (after
	 * WALK_KEYS keys, the call from the last one). */
	for (;;) {
		err = bpf_map_get_next_key(fd, n ? &cur : NULL, &next);
		if (err || n == WALK_KEYS)
			break;
		cur = next;
		order[n++] = next;
	}
	w->f.walk_keys = n;
	print_keys(w, "get_next_key from NULL, then from each key", order, n);
	map_api_answer(w, err, -ENOENT, "after the last key: the walk is over",
		       "get_next_key(last key)");
	map_api_say(w, "  the order is the hash's bucket order, not the order of insertion");
	cur = 99;
	err = bpf_map_get_next_key(fd, &cur, &next);
	map_api_answer(w, err, 0, "a missing key: the walk starts over",
		       "get_next_key(key 99, not in the map)");
	if (!err)
		map_api_say(w, "  returned %u, the first key again", next);

	/* The trap: delete the key just visited, then ask for the next one. */
	while (visits < 32 && !bpf_map_get_next_key(fd, visits ? &cur : NULL, &next)) {
		seen[visits++] = cur = next;
		if (cur % 2)
			bpf_map_delete_elem(fd, &cur);
	}
	w->f.trap_visits = visits;
	w->f.trap_visits_want = restarts_predict(order, n);
	print_keys(w, "trap: walk deleting odd keys as it goes, visits", seen, visits);
	map_api_say(w,
		    "  %d visits for %d keys: each delete sent the next call back to the first key",
		    visits, n);

	/* Careful: ask for the next key first, then delete the one behind. */
	err = fill(fd, 1, WALK_KEYS);
	if (err)
		return err;
	visits = 0;
	for (bool have = false; !bpf_map_get_next_key(fd, have ? &cur : NULL, &next); have = true) {
		if (have && cur % 2)
			bpf_map_delete_elem(fd, &cur);
		cur = next;
		visits++;
	}
	if (visits && cur % 2)
		bpf_map_delete_elem(fd, &cur);
	w->f.careful_visits = visits;
	map_api_say(w, "  careful: get the next key, then delete the previous one: %d visits",
		    visits);
	return 0;
}

static int drain(struct map_api_walk *w, int fd)
{
	__u32 key, keys[WALK_KEYS];
	__u64 val, sum = 0;
	int err;

	err = fill(fd, 1, WALK_KEYS);
	if (err)
		return err;
	w->f.drained = 0;
	while (w->f.drained < WALK_KEYS && !bpf_map_get_next_key(fd, NULL, &key) &&
	       !bpf_map_lookup_and_delete_elem(fd, &key, &val)) {
		keys[w->f.drained++] = key;
		sum += val;
	}
	print_keys(w, "drain: get_next_key(NULL) + lookup_and_delete_elem took", keys,
		   w->f.drained);
	map_api_say(w, "  values summed %llu: each one read and removed in one call",
		    (unsigned long long)sum);
	map_api_answer(w, bpf_map_get_next_key(fd, NULL, &key), -ENOENT, "empty: no first key",
		       "get_next_key(NULL) after the drain");
	key = 1;
	map_api_answer(w, bpf_map_lookup_and_delete_elem(fd, &key, &val), -ENOENT, "no such key",
		       "lookup_and_delete_elem(key 1)");
	return 0;
}

/* lookup_batch by 3: count in = room in keys[]/vals[], count out = copied. */
static int batches(struct map_api_walk *w, int fd, int small)
{
	__u32 keys[WALK_KEYS + 2], token, count;
	__u64 vals[WALK_KEYS + 2];
	int err, calls;

	err = fill(fd, 1, WALK_KEYS);
	if (err)
		return err;
	w->f.batch_total = 0;
	w->f.batch_calls = 0;
	w->f.batch_max = 0;
	do {
		count = 3;
		err = bpf_map_lookup_batch(fd, w->f.batch_calls ? &token : NULL, &token, keys, vals,
					   &count, NULL);
		w->f.batch_calls++;
		w->f.batch_total += count;
		if ((int)count > w->f.batch_max)
			w->f.batch_max = count;
		map_api_say(w, "  lookup_batch #%d: count 3 in, %u out, %s", w->f.batch_calls,
			    count, err ? sample_errname(err) : "ok");
	} while (!err && w->f.batch_calls < 10);
	map_api_answer(w, err, -ENOENT, "the end (count: what this call copied)",
		       "lookup_batch, the last call");
	map_api_say(w,
		    "  %d elements in %d calls: a hash batch holds whole buckets, so it may return",
		    w->f.batch_total, w->f.batch_calls);
	map_api_say(w, "  fewer than asked");
	calls = 0;
	do {
		count = 1;
		err = bpf_map_lookup_batch(fd, calls ? &token : NULL, &token, keys, vals, &count,
					   NULL);
		calls++;
	} while (!err && calls < 10);
	map_api_answer(w, err, -ENOSPC, "a bucket holds more keys than count",
		       "lookup_batch by 1, until it fails");
	map_api_say(w, "  on call %d, count out %u: one bucket must fit whole", calls, count);

	for (__u32 i = 0; i < 4; i++)
		keys[i] = (__u32[]){ 1, 2, 99, 3 }[i];
	count = 4;
	err = bpf_map_delete_batch(fd, keys, &count, NULL);
	map_api_answer(w, err, -ENOENT, "stops at key 99, the first one missing",
		       "delete_batch keys 1 2 99 3");
	w->f.batch_deleted = count;
	map_api_say(w, "  count 4 in, %u out: the keys deleted before the error", count);

	count = WALK_KEYS;
	token = 0;
	err = bpf_map_lookup_and_delete_batch(fd, NULL, &token, keys, vals, &count, NULL);
	map_api_answer(w, err, -ENOENT, "took all that was left, then the end",
		       "lookup_and_delete_batch, count %d", WALK_KEYS);
	map_api_say(w, "  count %d in, %u out: the %d keys left", WALK_KEYS, count, WALK_KEYS - 2);
	w->f.batch_drained = count;

	for (__u32 i = 0; i < WALK_KEYS + 2; i++) {
		keys[i] = i + 1;
		vals[i] = (i + 1) * 10;
	}
	count = WALK_KEYS + 2;
	err = bpf_map_update_batch(small, keys, vals, &count, NULL);
	map_api_answer(w, err, -E2BIG, "a map of max_entries 8 is full after 8",
		       "update_batch 10 keys into an empty HASH of 8");
	map_api_say(w, "  count %d in, %u out: the keys written before the error", WALK_KEYS + 2,
		    count);
	w->f.batch_written = count;
	return 0;
}

int map_api_step_iterate(struct map_api_walk *w)
{
	LIBBPF_OPTS(bpf_map_create_opts, seeded, .map_flags = BPF_F_ZERO_SEED);
	int fd, small, err;

	/* BPF_F_ZERO_SEED (step 6): the same order on every run, so that this
	 * text is the same every time. Without it, each map gets a random seed. */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "api_walk", sizeof(__u32), sizeof(__u64), 16,
			    &seeded);
	if (map_api_answer(w, fd < 0 ? fd : 0, 0, "keys 1..8 go in, value = key * 10",
			   "create HASH max_entries 16, BPF_F_ZERO_SEED") < 0)
		return fd;
	small = bpf_map_create(BPF_MAP_TYPE_HASH, "api_batch", sizeof(__u32), sizeof(__u64),
			       WALK_KEYS, NULL);
	err = small < 0 ? small : fill(fd, 1, WALK_KEYS);
	if (!err)
		err = iterate_walks(w, fd);
	if (!err)
		err = drain(w, fd);
	if (!err)
		err = batches(w, fd, small);
	if (err)
		map_api_answer(w, err, 0, "setting up the step failed", "step 3 setup");
	if (small >= 0)
		close(small);
	close(fd);
	return err;
}
