// SPDX-License-Identifier: GPL-2.0
/*
 * sockex2_traps.c - the traps of a BPF_MAP_TYPE_HASH, shown on sockex2's live
 * map before it counts, each with the kernel's real answer: what every update
 * flag refuses, E2BIG on a full map (a HASH never evicts), the two dumps and
 * the hash's order, deleting during a get_next_key walk the wrong way and the
 * right way, and read-and-reset in one call.
 */
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockex2_hash_api.h"
#include "sockex2_traps.h"

/* 198.18.h.l: keys for the tour (a benchmarking range; never traffic). */
static struct dst_key key_nr(__u32 i)
{
	struct dst_key k = { .family = SOCKEX2_AF_INET, .addr = { 198, 18 } };

	k.addr[1] += i >> 16;
	k.addr[2] = i >> 8;
	k.addr[3] = i;
	return k;
}

static int update(const struct bpf_map *map, const struct dst_key *k, const struct dst_counts *v,
		  __u64 flags)
{
	return bpf_map__update_elem(map, k, sizeof(*k), v, sizeof(*v), flags);
}

static int lookup(const struct bpf_map *map, const struct dst_key *k, struct dst_counts *v)
{
	return bpf_map__lookup_elem(map, k, sizeof(*k), v, sizeof(*v), 0);
}

/* One line: the call, the kernel's answer, the lesson; -errno if the answer
 * is not the documented one. */
static int expect(const char *what, int got, int want, const char *lesson)
{
	char res[64] = "ok";

	if (got)
		snprintf(res, sizeof(res), "%s (%s)", sample_errname(got), sample_strerror(got));
	if (*lesson)
		printf("  %-44s -> %-34s %s\n", what, res, lesson);
	else
		printf("  %-44s -> %s\n", what, res);
	if (got == want)
		return 0;
	fprintf(stderr, "sockex2: %s returned %s, expected %s\n", what, sample_errname(got),
		sample_errname(want));
	if (got)
		return got;
	return -EINVAL;
}

/* A 198.18.x.y key with an even last byte: what the walks below delete. */
static bool even_tour_key(const struct dst_key *k)
{
	return k->addr[0] == 198 && !(k->addr[3] & 1);
}

/* Delete every 198.18.x.y key with an even last byte in one walk; *visits
 * counts the keys the walk returned. wrong: delete the current key, then ask
 * for the key after it; right: ask first, then delete. */
static int walk_delete_even(const struct bpf_map *map, bool wrong, __u32 bound, __u32 *visits)
{
	struct dst_key cur, next;
	bool have = false;
	int err;

	*visits = 0;
	err = bpf_map__get_next_key(map, NULL, &next, sizeof(next));
	while (!err) {
		(*visits)++;
		if (*visits > bound)
			return -ELOOP;
		if (wrong) {
			/* Delete next now; the following get_next_key(next) cannot
			 * find it and restarts from the first key of the map. */
			if (even_tour_key(&next))
				bpf_map__delete_elem(map, &next, sizeof(next), 0);
		} else if (have && even_tour_key(&cur)) {
			/* Right: next is already known, so cur can go. */
			bpf_map__delete_elem(map, &cur, sizeof(cur), 0);
		}
		cur = next;
		have = true;
		err = bpf_map__get_next_key(map, &cur, &next, sizeof(next));
	}
	if (!wrong && have && even_tour_key(&cur))
		bpf_map__delete_elem(map, &cur, sizeof(cur), 0);
	if (err != -ENOENT)
		return err;
	return 0;
}

/* Delete everything: fetch the next key before deleting the current one. */
static int clear_map(const struct bpf_map *map, __u32 *deleted)
{
	struct dst_key cur, next;
	int err;

	*deleted = 0;
	err = bpf_map__get_next_key(map, NULL, &cur, sizeof(cur));
	while (!err) {
		err = bpf_map__get_next_key(map, &cur, &next, sizeof(next));
		if (bpf_map__delete_elem(map, &cur, sizeof(cur), 0) == 0)
			(*deleted)++;
		cur = next;
	}
	if (err != -ENOENT)
		return err;
	return 0;
}

/* Update flags, then fill to E2BIG. */
static int show_flags_and_full(const struct bpf_map *map, const struct dst_key *a)
{
	struct dst_counts v1 = { 1, 100 };
	struct dst_counts v2 = { 2, 200 };
	struct dst_counts v3 = { 3, 300 };
	struct dst_counts got;
	__u32 max = bpf_map__max_entries(map);
	char what[96], t[INET6_ADDRSTRLEN];
	struct dst_key k;
	int err;

	err = expect("lookup 192.0.2.1 (never inserted)", lookup(map, a, &got), -ENOENT,
		     "no entry until one is inserted");
	if (err)
		return err;
	err = expect("update 192.0.2.1 BPF_EXIST", update(map, a, &v1, BPF_EXIST), -ENOENT,
		     "EXIST only replaces");
	if (err)
		return err;
	err = expect("update 192.0.2.1 BPF_NOEXIST", update(map, a, &v1, BPF_NOEXIST), 0,
		     "inserted");
	if (err)
		return err;
	err = expect("update 192.0.2.1 BPF_NOEXIST again", update(map, a, &v2, BPF_NOEXIST),
		     -EEXIST, "NOEXIST only inserts");
	if (err)
		return err;
	err = expect("update 192.0.2.1 BPF_EXIST", update(map, a, &v2, BPF_EXIST), 0, "replaced");
	if (err)
		return err;
	err = expect("update 192.0.2.1 BPF_ANY", update(map, a, &v3, BPF_ANY), 0,
		     "insert or replace, whichever applies");
	if (err)
		return err;
	err = expect("lookup 192.0.2.1", lookup(map, a, &got), 0, "");
	if (err)
		return err;
	printf("  %47s packets=%llu bytes=%llu (the BPF_ANY value)\n", "",
	       (unsigned long long)got.packets, (unsigned long long)got.bytes);

	/* 192.0.2.1 + (max_entries - 1) more keys, then one too many. */
	for (__u32 n = 1; n < max; n++) {
		k = key_nr(n);
		err = update(map, &k, &v1, BPF_NOEXIST);
		if (err) {
			fprintf(stderr, "sockex2: filling the map failed at entry %u: %s\n", n + 1,
				sample_strerror(err));
			return err;
		}
	}
	printf("  %-44s -> %u entries: the map is full\n", "insert 198.18.x.y keys until full",
	       max);
	k = key_nr(max);
	snprintf(what, sizeof(what), "insert %s BPF_ANY (entry %u)",
		 sockex2_key_to_text(&k, t, sizeof(t)), max + 1);
	err = expect(what, update(map, &k, &v1, BPF_ANY), -E2BIG,
		     "full: a HASH never evicts (LRU_HASH does)");
	if (err)
		return err;
	return expect("update 192.0.2.1 BPF_EXIST while full", update(map, a, &v1, BPF_EXIST), 0,
		      "replacing needs no new entry");
}

/* Walk and batch on the full map: the same entries, in the hash's order. */
static int show_dumps(const struct bpf_map *map, struct sockex2_entry *buf)
{
	char t[3][INET6_ADDRSTRLEN], what[64];
	const char *second = "-";
	const char *third = "-";
	const char *same = "identical to the walk";
	struct sockex2_dumps d;
	int err;

	err = sockex2_dump_both(map, buf, bpf_map__max_entries(map), &d);
	if (err) {
		fprintf(stderr, "sockex2: get_next_key walk failed: %s\n", sample_strerror(err));
		return err;
	}
	if (d.walk > 1)
		second = sockex2_key_to_text(&buf[1].key, t[1], sizeof(t[1]));
	if (d.walk > 2)
		third = sockex2_key_to_text(&buf[2].key, t[2], sizeof(t[2]));
	printf("  %-44s -> %d keys, in the map's order: %s, %s, %s ...\n",
	       "get_next_key walk from NULL", d.walk,
	       sockex2_key_to_text(&buf[0].key, t[0], sizeof(t[0])), second, third);
	printf("  %47s (inserted as 192.0.2.1, 198.18.0.1, 198.18.0.2 ...: not insertion order)\n",
	       "");
	if (d.batch == -EINVAL || d.batch == -ENOTSUPP || d.batch == -EOPNOTSUPP) {
		printf("  %-44s -> %s: batch ops need kernel 5.6+\n", "lookup_batch",
		       sample_errname(d.batch));
		return 0;
	}
	if (d.batch < 0) {
		fprintf(stderr, "sockex2: lookup_batch failed: %s\n", sample_strerror(d.batch));
		return d.batch;
	}
	if (!d.same)
		same = "DIFFERENT from the walk";
	snprintf(what, sizeof(what), "lookup_batch, %d per call", SOCKEX2_BATCH_SIZE);
	printf("  %-44s -> %d entries in %d calls, the last ending ENOENT: %s\n", what, d.batch,
	       d.calls, same);
	if (!d.same)
		return -EINVAL;
	return 0;
}

/* Empty the map the right way, then delete during a walk both ways. */
static int show_delete_walks(const struct bpf_map *map)
{
	__u32 max = bpf_map__max_entries(map);
	__u32 small = 16;
	__u32 deleted, visits[2];
	struct dst_counts v1 = { 1, 100 };
	char what[96];
	int err;

	if (max < small)
		small = max;
	err = clear_map(map, &deleted);
	if (err)
		return err;
	printf("  %-44s -> %u deleted, map empty\n", "walk deleting (next first, then delete)",
	       deleted);
	for (int wrong = 1; wrong >= 0; wrong--) {
		for (__u32 n = 0; n < small; n++) {
			struct dst_key k = key_nr(n + 1);

			update(map, &k, &v1, BPF_ANY);
		}
		err = walk_delete_even(map, wrong, small * small + small, &visits[wrong]);
		if (err)
			return err;
		clear_map(map, &deleted);
	}
	snprintf(what, sizeof(what), "walk %u keys deleting the even ones:", small);
	printf("  %-44s -> delete current, then next(current): %u visits (restarts at the\n"
	       "  %47s first key each time); next first, then delete: %u visits\n",
	       what, visits[1], "", visits[0]);
	return 0;
}

/* Read-and-reset in one call, and the map empty again. */
static int show_lookup_and_delete(const struct bpf_map *map, const struct dst_key *a)
{
	struct dst_counts v = { 7, 700 };
	struct dst_counts got = {};
	struct dst_key k;
	int err;

	update(map, a, &v, BPF_ANY);
	err = bpf_map__lookup_and_delete_elem(map, a, sizeof(*a), &got, sizeof(got), 0);
	if (err == -ENOTSUPP || err == -EOPNOTSUPP || err == -EINVAL) {
		printf("  %-44s -> %s: lookup_and_delete on a hash needs kernel 5.14+\n",
		       "lookup_and_delete 192.0.2.1", sample_errname(err));
		bpf_map__delete_elem(map, a, sizeof(*a), 0);
	} else {
		err = expect("lookup_and_delete 192.0.2.1", err, 0, "");
		if (err)
			return err;
		printf("  %47s packets=%llu bytes=%llu returned, and the entry is gone:\n", "",
		       (unsigned long long)got.packets, (unsigned long long)got.bytes);
		err = expect("lookup 192.0.2.1", lookup(map, a, &got), -ENOENT,
			     "read and reset in one call");
		if (err)
			return err;
	}
	return expect("get_next_key(NULL)", bpf_map__get_next_key(map, NULL, &k, sizeof(k)),
		      -ENOENT, "empty again: counting starts");
}

int sockex2_traps_show(const struct bpf_map *map, struct sockex2_entry *buf)
{
	struct dst_key a = { .family = SOCKEX2_AF_INET, .addr = { 192, 0, 2, 1 } };
	const char *alloc = ", preallocated";
	int err;

	if (bpf_map__map_flags(map) & BPF_F_NO_PREALLOC)
		alloc = ", BPF_F_NO_PREALLOC";
	printf("BPF_MAP_TYPE_HASH API, on the live map (max_entries %u%s):\n",
	       bpf_map__max_entries(map), alloc);
	err = show_flags_and_full(map, &a);
	if (err)
		return err;
	err = show_dumps(map, buf);
	if (err)
		return err;
	err = show_delete_walks(map);
	if (err)
		return err;
	err = show_lookup_and_delete(map, &a);
	if (err)
		return err;
	printf("\n");
	return 0;
}
