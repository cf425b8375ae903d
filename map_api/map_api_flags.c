// SPDX-License-Identifier: GPL-2.0
/*
 * map_api_flags.c - step 6: the flags that say who may read or write a map
 * (programs: BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG, checked by the verifier;
 * user space: BPF_F_RDONLY / BPF_F_WRONLY, checked on each syscall; and
 * BPF_MAP_FREEZE), a BPF_F_MMAPABLE array used through mmap(), what
 * BPF_F_NO_PREALLOC changes in memory, and what BPF_F_ZERO_SEED changes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "map_api.h"
#include "map_api_walk.h"
#include "map_api.skel.h"

#define VERIFIER_LOG (256 * 1024)

int map_api_freeze_checks_rights(void)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, ro, .open_flags = BPF_F_RDONLY);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd, rd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "api_frz_probe", 4, 8, 1, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	rd = bpf_map_get_fd_by_id_opts(info.id, &ro);
	close(fd);
	if (rd < 0)
		return -errno;
	err = bpf_map_freeze(rd) ? -errno : 0;
	close(rd);
	if (err == -EPERM)
		return 1;
	return err ? err : 0;
}

int map_api_mem_per_map(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_member *m;
	int id, found = 0;

	if (!vmlinux)
		return -errno;
	id = btf__find_by_name_kind(vmlinux, "bpf_map_ops", BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(vmlinux, id) : NULL;
	m = t ? btf_members(t) : NULL;
	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(vmlinux, m[i].name_off), "map_mem_usage"))
			found = 1;
	btf__free(vmlinux);
	return id > 0 ? found : -ENOENT;
}

static int run_prog(struct bpf_program *p)
{
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = sizeof(pkt));

	return bpf_prog_test_run_opts(bpf_program__fd(p), &topts);
}

/* Load only the program `name` from a second copy of the object, with the
 * verifier's log, and quote the log's line that holds `needle`. */
static int refused(struct map_api_walk *w, const char *name, const char *needle)
{
	struct map_api *obj = map_api__open();
	char *log = calloc(1, VERIFIER_LOG), *line, *end;
	struct bpf_program *p;
	libbpf_print_fn_t old;
	int err;

	if (!obj || !log) {
		err = -ENOMEM;
		goto out;
	}
	bpf_object__for_each_program(p, obj->obj)
	{
		bool me = !strcmp(bpf_program__name(p), name);

		bpf_program__set_autoload(p, me);
		if (me) {
			bpf_program__set_log_buf(p, log, VERIFIER_LOG);
			bpf_program__set_log_level(p, 1);
		}
	}
	old = libbpf_set_print(NULL); /* this failure is the lesson, not news */
	err = map_api__load(obj);
	libbpf_set_print(old);
	map_api_answer(w, err, -EACCES, "the verifier refuses the program", "load %s", name);
	line = strstr(log, needle);
	if (line) {
		end = strchr(line, '\n');
		map_api_say(w, "  verifier: \"%.*s\"", end ? (int)(end - line) : (int)strlen(line),
			    line);
	} else {
		map_api_answer(w, -ENOENT, 0, "the log does not say why",
			       "verifier log holds \"%s\"", needle);
	}
	err = 0;
out:
	free(log);
	map_api__destroy(obj);
	return err;
}

static int prog_flags(struct map_api_walk *w)
{
	int ro = bpf_map__fd(w->skel->maps.prog_ro), wo = bpf_map__fd(w->skel->maps.prog_wo), err;
	__u32 key = 0;
	__u64 v = 41;

	map_api_say(w, "prog_ro: ARRAY, BPF_F_RDONLY_PROG; prog_wo: ARRAY, BPF_F_WRONLY_PROG");
	err = refused(w, "write_ro", "write into map forbidden");
	if (!err)
		err = refused(w, "read_wo", "read from map forbidden");
	if (err)
		return err;
	map_api_answer(w, bpf_map_update_elem(ro, &key, &v, BPF_ANY), 0,
		       "the flags bind programs, not user space",
		       "update prog_ro[0] = 41 from user space");
	map_api_answer(w, run_prog(w->skel->progs.ro_to_wo), 0,
		       "reads prog_ro, writes prog_wo: allowed",
		       "run ro_to_wo: prog_wo[0] = prog_ro[0] + 1");
	v = 0;
	map_api_answer(w, bpf_map_lookup_elem(wo, &key, &v), 0, "",
		       "lookup prog_wo[0] from user space");
	map_api_say(w, "  value %llu", (unsigned long long)v);

	/* Freeze: no more writes from user space; programs still write. */
	map_api_answer(w, bpf_map_freeze(wo), 0, "user space may not write it any more",
		       "bpf_map_freeze(prog_wo)");
	map_api_answer(w, bpf_map_update_elem(wo, &key, &v, BPF_ANY), -EPERM, "frozen",
		       "update prog_wo[0]");
	/* Which answer: see map_api_freeze_checks_rights(). */
	if (map_api_freeze_checks_rights() > 0)
		map_api_answer(w, bpf_map_freeze(wo), -EPERM, "needs write rights, which froze too",
			       "bpf_map_freeze(prog_wo) again");
	else
		map_api_answer(w, bpf_map_freeze(wo), -EBUSY,
			       "already frozen (Linux 6.1: no rights check)",
			       "bpf_map_freeze(prog_wo) again");
	v = 99;
	bpf_map_update_elem(ro, &key, &v, BPF_ANY);
	map_api_answer(w, run_prog(w->skel->progs.ro_to_wo), 0,
		       "freezing binds the syscall side only",
		       "run ro_to_wo after prog_ro[0] = 99");
	map_api_answer(w, bpf_map_lookup_elem(wo, &key, &v), 0, "", "lookup prog_wo[0]");
	map_api_say(
		w,
		"  value %llu: the program wrote the frozen map (.rodata = RDONLY_PROG + freeze)",
		(unsigned long long)v);
	return 0;
}

/* BPF_F_RDONLY / BPF_F_WRONLY at creation: the syscall side's rights. */
static int user_flags(struct map_api_walk *w)
{
	LIBBPF_OPTS(bpf_map_create_opts, rd, .map_flags = BPF_F_RDONLY);
	LIBBPF_OPTS(bpf_map_create_opts, wr, .map_flags = BPF_F_WRONLY);
	int r = bpf_map_create(BPF_MAP_TYPE_ARRAY, "api_rdonly", 4, 8, 1, &rd);
	int o = bpf_map_create(BPF_MAP_TYPE_ARRAY, "api_wronly", 4, 8, 1, &wr);
	__u32 key = 0, next;
	__u64 v = 1;
	int err = 0;

	if (r < 0)
		err = r;
	else if (o < 0)
		err = o;
	if (map_api_answer(w, err, 0, "", "create ARRAYs with BPF_F_RDONLY, BPF_F_WRONLY") == 0) {
		map_api_answer(w, bpf_map_lookup_elem(r, &key, &v), 0, "",
			       "lookup, BPF_F_RDONLY map");
		map_api_answer(w, bpf_map_update_elem(r, &key, &v, BPF_ANY), -EPERM,
			       "user space may only read", "update, BPF_F_RDONLY map");
		map_api_answer(w, bpf_map_update_elem(o, &key, &v, BPF_ANY), 0, "",
			       "update, BPF_F_WRONLY map");
		map_api_answer(w, bpf_map_lookup_elem(o, &key, &v), -EPERM,
			       "user space may only write", "lookup, BPF_F_WRONLY map");
		map_api_answer(w, bpf_map_get_next_key(o, NULL, &next), -EPERM,
			       "walking is reading", "get_next_key, BPF_F_WRONLY map");
	}
	if (r >= 0)
		close(r);
	if (o >= 0)
		close(o);
	return 0;
}

static int mmapped(struct map_api_walk *w)
{
	int fd = bpf_map__fd(w->skel->maps.mmapped), plain, err;
	size_t len = MAP_API_MMAP_SLOTS * sizeof(__u64);
	__u64 *slot, v = 0;
	__u32 key = 7;

	slot = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = slot == MAP_FAILED ? -errno : 0;
	map_api_answer(w, err, 0, "the values are plain memory now",
		       "mmap(mmapped, RW, MAP_SHARED)");
	if (err)
		return 0;
	w->f.mmap_want = 0;
	for (int i = 0; i < MAP_API_MMAP_SLOTS; i++) {
		slot[i] = i + 1; /* no syscall per value */
		w->f.mmap_want += i + 1;
	}
	map_api_answer(w, run_prog(w->skel->progs.sum_mmapped), 0, "", "run sum_mmapped");
	w->f.mmap_sum = w->skel->bss->mmap_sum;
	map_api_say(
		w, "  slots 1..%d written through the mapping, the program's sum: %llu (want %llu)",
		MAP_API_MMAP_SLOTS, (unsigned long long)w->f.mmap_sum,
		(unsigned long long)w->f.mmap_want);
	map_api_answer(w, bpf_map_lookup_elem(fd, &key, &v), 0, "", "lookup slot 7 by syscall");
	map_api_say(w, "  value %llu: one memory, two ways in", (unsigned long long)v);
	map_api_answer(w, bpf_map_freeze(fd), -EBUSY, "a writable mapping exists",
		       "bpf_map_freeze(mmapped), still mapped");
	munmap(slot, len);
	map_api_answer(w, bpf_map_freeze(fd), 0, "", "bpf_map_freeze(mmapped) after munmap");
	slot = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	map_api_answer(w, slot == MAP_FAILED ? -errno : 0, -EPERM, "frozen: no writable mapping",
		       "mmap(mmapped, RW) after freeze");
	if (slot != MAP_FAILED)
		munmap(slot, len);
	slot = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	map_api_answer(w, slot == MAP_FAILED ? -errno : 0, 0, "",
		       "mmap(mmapped, read-only) after freeze");
	if (slot != MAP_FAILED)
		munmap(slot, len);

	plain = bpf_map_create(BPF_MAP_TYPE_ARRAY, "api_plain", 4, 8, MAP_API_MMAP_SLOTS, NULL);
	if (plain >= 0) {
		slot = mmap(NULL, len, PROT_READ, MAP_SHARED, plain, 0);
		map_api_answer(w, slot == MAP_FAILED ? -errno : 0, -EINVAL,
			       "only with BPF_F_MMAPABLE", "mmap(an ARRAY without BPF_F_MMAPABLE)");
		if (slot != MAP_FAILED)
			munmap(slot, len);
		close(plain);
	}
	return 0;
}

/* The map's memory as /proc/self/fdinfo/<fd> says ("memlock:"). */
static __u64 memlock(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

#define MEM_MAX 10000
#define MEM_FILL 1000

static int memory(struct map_api_walk *w)
{
	LIBBPF_OPTS(bpf_map_create_opts, dyn, .map_flags = BPF_F_NO_PREALLOC);
	int pre = bpf_map_create(BPF_MAP_TYPE_HASH, "api_prealloc", 4, 8, MEM_MAX, NULL);
	int lazy = bpf_map_create(BPF_MAP_TYPE_HASH, "api_dynamic", 4, 8, MEM_MAX, &dyn);
	char b[5][SAMPLE_FMT_LEN];
	int err, arr;

	err = 0;
	if (pre < 0)
		err = pre;
	else if (lazy < 0)
		err = lazy;
	err = map_api_answer(w, err, 0, "", "create 2 HASH of %d, BPF_F_NO_PREALLOC on one",
			     MEM_MAX);
	if (!err) {
		w->f.mem_prealloc[0] = memlock(pre);
		w->f.mem_dynamic[0] = memlock(lazy);
		for (__u32 k = 0; k < 2 * MEM_FILL && !err; k++) {
			__u64 v = k;

			err = bpf_map_update_elem(lazy, &k, &v, BPF_ANY);
			if (!err && k < MEM_FILL)
				err = bpf_map_update_elem(pre, &k, &v, BPF_ANY);
			if (k == MEM_FILL - 1)
				w->f.mem_dynamic[1] = memlock(lazy);
		}
		map_api_answer(w, err, 0, "", "insert %d keys in each, %d more in one", MEM_FILL,
			       MEM_FILL);
		w->f.mem_prealloc[1] = memlock(pre);
		w->f.mem_dynamic[2] = memlock(lazy);
		map_api_say(w, "  fdinfo memlock, empty -> %d keys: preallocated %s -> %s bytes,",
			    MEM_FILL, sample_fmt_u64(b[0], SAMPLE_FMT_LEN, w->f.mem_prealloc[0]),
			    sample_fmt_u64(b[1], SAMPLE_FMT_LEN, w->f.mem_prealloc[1]));
		map_api_say(w, "  BPF_F_NO_PREALLOC %s -> %s -> %s (%d keys) bytes",
			    sample_fmt_u64(b[2], SAMPLE_FMT_LEN, w->f.mem_dynamic[0]),
			    sample_fmt_u64(b[3], SAMPLE_FMT_LEN, w->f.mem_dynamic[1]),
			    sample_fmt_u64(b[4], SAMPLE_FMT_LEN, w->f.mem_dynamic[2]),
			    2 * MEM_FILL);
		map_api_say(
			w,
			"  preallocated: all %d elements up front, no allocation when a program inserts;",
			MEM_MAX);
		w->f.mem_per_map = map_api_mem_per_map() > 0;
		if (w->f.mem_per_map) {
			map_api_say(
				w,
				"  NO_PREALLOC: %llu bytes per element, allocated on insert (which can then fail)",
				(unsigned long long)(w->f.mem_dynamic[2] - w->f.mem_dynamic[1]) /
					MEM_FILL);
		} else {
			map_api_say(
				w,
				"  NO_PREALLOC: allocated on insert; this kernel's memlock is an estimate");
			map_api_say(
				w,
				"  from max_entries for every map (each map's own usage: Linux 6.4+)");
		}
	}
	arr = bpf_map_create(BPF_MAP_TYPE_ARRAY, "api_arr_dyn", 4, 8, 4, &dyn);
	map_api_answer(w, arr < 0 ? arr : 0, -EINVAL, "an array is always preallocated",
		       "create ARRAY with BPF_F_NO_PREALLOC");
	if (arr >= 0)
		close(arr);
	if (pre >= 0)
		close(pre);
	if (lazy >= 0)
		close(lazy);
	return 0;
}

#define SEED_KEYS 16

/* The walk order of a new HASH holding keys 1..SEED_KEYS. */
static int hash_order(__u32 flags, __u32 *order)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "api_seed", 4, 8, SEED_KEYS, &o), n = 0, err = 0;
	__u32 cur;

	if (fd < 0)
		return fd;
	for (__u32 k = 1; k <= SEED_KEYS && !err; k++) {
		__u64 v = k;

		err = bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	}
	while (!err && n < SEED_KEYS && !bpf_map_get_next_key(fd, n ? &cur : NULL, &order[n]))
		cur = order[n++];
	close(fd);
	if (err)
		return err;
	if (n != SEED_KEYS)
		return -EPROTO;
	return 0;
}

static void print_order(struct map_api_walk *w, const char *what, const __u32 *o)
{
	map_api_say(w, "  %-17s %u %u %u %u %u %u %u %u ...", what, o[0], o[1], o[2], o[3], o[4],
		    o[5], o[6], o[7]);
}

static int seeds(struct map_api_walk *w)
{
	__u32 z[2][SEED_KEYS], r[2][SEED_KEYS];
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		err = hash_order(BPF_F_ZERO_SEED, z[i]);
		if (!err)
			err = hash_order(0, r[i]);
	}
	if (map_api_answer(w, err, 0, "4 maps, keys 1..16 each",
			   "create HASH x2 with BPF_F_ZERO_SEED, x2 without"))
		return 0;
	w->f.seed_same_zero = !memcmp(z[0], z[1], sizeof(z[0]));
	w->f.seed_same_random = !memcmp(r[0], r[1], sizeof(r[0]));
	print_order(w, "zero seed, map 1", z[0]);
	print_order(w, "zero seed, map 2", z[1]);
	print_order(w, "random, map 1", r[0]);
	print_order(w, "random, map 2", r[1]);
	map_api_say(
		w,
		"  zero seed: the same order in every map and every run (tests, reproducible output);");
	map_api_say(w, "  a random seed per map keeps crafted keys from piling into one bucket");
	return 0;
}

int map_api_step_access(struct map_api_walk *w)
{
	int err;

	err = prog_flags(w);
	if (!err)
		err = user_flags(w);
	if (!err)
		err = mmapped(w);
	if (!err)
		err = memory(w);
	if (!err)
		err = seeds(w);
	return err;
}
