// SPDX-License-Identifier: GPL-2.0
/*
 * sockex2_hash_api.c - the user-side API of a BPF_MAP_TYPE_HASH: the two ways
 * to dump it, and the tour that sockex2 runs on its live map before counting,
 * printing the kernel's real answer to each call.
 *
 * Every call goes through libbpf's bpf_map__*() wrappers, which check key and
 * value sizes against the map and return -errno. Only the batch lookup has no
 * such wrapper in libbpf 1.1 and takes the map's fd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockex2_hash_api.h"

#define BATCH_SIZE 64 /* entries per bpf_map_lookup_batch() call */

const char *key_to_text(const struct dst_key *key, char *buf, size_t len)
{
	int af = key->family == SOCKEX2_AF_INET ? AF_INET : AF_INET6;

	if (key->family != SOCKEX2_AF_INET && key->family != SOCKEX2_AF_INET6)
		snprintf(buf, len, "family %u?", key->family);
	else if (!inet_ntop(af, key->addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* 198.18.h.l: keys for the tour (a benchmarking range; never traffic). */
static struct dst_key key_nr(__u32 i)
{
	struct dst_key k = { .family = SOCKEX2_AF_INET, .addr = { 198, 18 } };

	k.addr[1] += i >> 16;
	k.addr[2] = i >> 8;
	k.addr[3] = i;
	return k;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key.family != y->key.family)
		return x->key.family < y->key.family ? -1 : 1;
	return memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
}

void sort_entries(struct entry *e, int n)
{
	qsort(e, n, sizeof(*e), cmp_entry);
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

/* ---- the two ways to dump a hash ---------------------------------------- */

/* Start from NULL (the first key in the map's order), then ask for the key
 * after the current one until ENOENT: two syscalls per key (next, lookup). */
int dump_walk(const struct bpf_map *map, struct entry *out, __u32 max)
{
	struct dst_key cur, next;
	__u32 n = 0;
	int err;

	for (err = bpf_map__get_next_key(map, NULL, &next, sizeof(next)); !err;
	     err = bpf_map__get_next_key(map, &cur, &next, sizeof(next))) {
		if (n == max)
			return -E2BIG;
		out[n].key = next;
		/* Another process may delete the key between the two calls: it
		 * is skipped, and the next get_next_key() restarts the walk. */
		if (lookup(map, &next, &out[n].val) == 0)
			n++;
		cur = next;
	}
	return err == -ENOENT ? (int)n : err;
}

/*
 * Each bpf_map_lookup_batch() call copies up to count entries and writes an
 * opaque position token into out_batch; the next call passes that token back
 * as in_batch (NULL on the first call). The last call fails with ENOENT, and
 * may still have returned entries in count. For a hash the token is a bucket
 * number, and a call fails with ENOSPC if the next bucket holds more entries
 * than count allows.
 */
static int dump_batch(const struct bpf_map *map, struct entry *out, __u32 max, int *calls)
{
	static struct dst_key keys[BATCH_SIZE];
	static struct dst_counts vals[BATCH_SIZE];
	__u64 in_batch, out_batch; /* 8 bytes: a hash's token is a __u32 */
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 n = 0, count;
	int err;

	*calls = 0;
	do {
		count = BATCH_SIZE;
		err = bpf_map_lookup_batch(bpf_map__fd(map), *calls ? &in_batch : NULL, &out_batch,
					   keys, vals, &count, &opts);
		(*calls)++;
		if (err && err != -ENOENT)
			return err;
		if (n + count > max)
			return -E2BIG;
		for (__u32 i = 0; i < count; i++)
			out[n + i] = (struct entry){ keys[i], vals[i] };
		n += count;
		in_batch = out_batch;
	} while (!err);
	return n;
}

/* Read and reset: collect the keys with a walk, then take each entry out with
 * bpf_map__lookup_and_delete_elem() (on a hash: kernel 5.14+). Value out and
 * entry gone in one call: nothing a program adds in between is lost, and the
 * program inserts the key again on its next packet. */
int take_all(const struct bpf_map *map, struct entry *out, __u32 max)
{
	int n = dump_walk(map, out, max), kept = 0, err;

	for (int i = 0; i < n; i++) {
		struct entry *e = &out[kept];

		e->key = out[i].key;
		err = bpf_map__lookup_and_delete_elem(map, &e->key, sizeof(e->key), &e->val,
						      sizeof(e->val), 0);
		if (err == -ENOENT) /* deleted by someone else since the walk */
			continue;
		if (err)
			return err;
		kept++;
	}
	return n < 0 ? n : kept;
}

/* The same entries in both dumps: batch is sorted, the walk keeps the map's
 * order. Field by field: struct entry has padding after the 20-byte key. */
static bool dumps_equal(const struct entry *walk, int nw, struct entry *batch, int nb)
{
	if (nw != nb)
		return false;
	sort_entries(batch, nb);
	for (int i = 0; i < nw; i++) {
		const struct entry *e = bsearch(&walk[i], batch, nb, sizeof(*batch), cmp_entry);

		if (!e || e->val.packets != walk[i].val.packets ||
		    e->val.bytes != walk[i].val.bytes)
			return false;
	}
	return true;
}

int dump_both(const struct bpf_map *map, struct entry *buf, __u32 max, struct dumps *d)
{
	struct entry *batch = calloc(max, sizeof(*batch));

	*d = (struct dumps){ .batch = -ENOMEM };
	d->walk = dump_walk(map, buf, max);
	if (d->walk < 0 || !batch) {
		free(batch);
		return d->walk < 0 ? d->walk : -ENOMEM;
	}
	d->batch = dump_batch(map, batch, max, &d->calls);
	d->same = d->batch >= 0 && dumps_equal(buf, d->walk, batch, d->batch);
	free(batch);
	return 0;
}

/* ---- the tour ----------------------------------------------------------- */

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
	return got ? got : -EINVAL;
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
	while (!(err = bpf_map__get_next_key(map, have ? &cur : NULL, &next, sizeof(next)))) {
		if (++*visits > bound)
			return -ELOOP;
		if (wrong) {
			/* Delete next now; the following get_next_key(next) cannot
			 * find it and restarts from the first key of the map. */
			if (next.addr[0] == 198 && !(next.addr[3] & 1))
				bpf_map__delete_elem(map, &next, sizeof(next), 0);
		} else if (have && cur.addr[0] == 198 && !(cur.addr[3] & 1)) {
			/* Right: next is already known, so cur can go. */
			bpf_map__delete_elem(map, &cur, sizeof(cur), 0);
		}
		cur = next;
		have = true;
	}
	if (!wrong && have && cur.addr[0] == 198 && !(cur.addr[3] & 1))
		bpf_map__delete_elem(map, &cur, sizeof(cur), 0);
	return err == -ENOENT ? 0 : err;
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
		*deleted += bpf_map__delete_elem(map, &cur, sizeof(cur), 0) == 0;
		cur = next;
	}
	return err == -ENOENT ? 0 : err;
}

/* Update flags, then fill to E2BIG. */
static int show_flags_and_full(const struct bpf_map *map, const struct dst_key *a)
{
	struct dst_counts v1 = { 1, 100 }, v2 = { 2, 200 }, v3 = { 3, 300 }, got;
	__u32 max = bpf_map__max_entries(map);
	char what[96], t[INET6_ADDRSTRLEN];
	struct dst_key k;
	int err;

	if ((err = expect("lookup 192.0.2.1 (never inserted)", lookup(map, a, &got), -ENOENT,
			  "no entry until one is inserted")) ||
	    (err = expect("update 192.0.2.1 BPF_EXIST", update(map, a, &v1, BPF_EXIST), -ENOENT,
			  "EXIST only replaces")) ||
	    (err = expect("update 192.0.2.1 BPF_NOEXIST", update(map, a, &v1, BPF_NOEXIST), 0,
			  "inserted")) ||
	    (err = expect("update 192.0.2.1 BPF_NOEXIST again", update(map, a, &v2, BPF_NOEXIST),
			  -EEXIST, "NOEXIST only inserts")) ||
	    (err = expect("update 192.0.2.1 BPF_EXIST", update(map, a, &v2, BPF_EXIST), 0,
			  "replaced")) ||
	    (err = expect("update 192.0.2.1 BPF_ANY", update(map, a, &v3, BPF_ANY), 0,
			  "insert or replace, whichever applies")) ||
	    (err = expect("lookup 192.0.2.1", lookup(map, a, &got), 0, "")))
		return err;
	printf("  %47s packets=%llu bytes=%llu (the BPF_ANY value)\n", "",
	       (unsigned long long)got.packets, (unsigned long long)got.bytes);

	/* 192.0.2.1 + (max_entries - 1) more keys, then one too many. */
	for (__u32 n = 1; n < max; n++) {
		k = key_nr(n);
		if ((err = update(map, &k, &v1, BPF_NOEXIST))) {
			fprintf(stderr, "sockex2: filling the map failed at entry %u: %s\n", n + 1,
				sample_strerror(err));
			return err;
		}
	}
	printf("  %-44s -> %u entries: the map is full\n", "insert 198.18.x.y keys until full",
	       max);
	k = key_nr(max);
	snprintf(what, sizeof(what), "insert %s BPF_ANY (entry %u)", key_to_text(&k, t, sizeof(t)),
		 max + 1);
	if ((err = expect(what, update(map, &k, &v1, BPF_ANY), -E2BIG,
			  "full: a HASH never evicts (LRU_HASH does)")))
		return err;
	return expect("update 192.0.2.1 BPF_EXIST while full", update(map, a, &v1, BPF_EXIST), 0,
		      "replacing needs no new entry");
}

/* Walk and batch on the full map: the same entries, in the hash's order. */
static int show_dumps(const struct bpf_map *map, struct entry *buf)
{
	char t[3][INET6_ADDRSTRLEN], what[64];
	struct dumps d;
	int err = dump_both(map, buf, bpf_map__max_entries(map), &d);

	if (err) {
		fprintf(stderr, "sockex2: get_next_key walk failed: %s\n", sample_strerror(err));
		return err;
	}
	printf("  %-44s -> %d keys, in the map's order: %s, %s, %s ...\n",
	       "get_next_key walk from NULL", d.walk, key_to_text(&buf[0].key, t[0], sizeof(t[0])),
	       d.walk > 1 ? key_to_text(&buf[1].key, t[1], sizeof(t[1])) : "-",
	       d.walk > 2 ? key_to_text(&buf[2].key, t[2], sizeof(t[2])) : "-");
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
	snprintf(what, sizeof(what), "lookup_batch, %d per call", BATCH_SIZE);
	printf("  %-44s -> %d entries in %d calls, the last ending ENOENT: %s\n", what, d.batch,
	       d.calls, d.same ? "identical to the walk" : "DIFFERENT from the walk");
	return d.same ? 0 : -EINVAL;
}

/* Empty the map the right way, then delete during a walk both ways. */
static int show_delete_walks(const struct bpf_map *map)
{
	__u32 max = bpf_map__max_entries(map), small = max < 16 ? max : 16;
	__u32 deleted, visits[2];
	struct dst_counts v1 = { 1, 100 };
	char what[96];
	int err;

	if ((err = clear_map(map, &deleted)))
		return err;
	printf("  %-44s -> %u deleted, map empty\n", "walk deleting (next first, then delete)",
	       deleted);
	for (int wrong = 1; wrong >= 0; wrong--) {
		for (__u32 n = 0; n < small; n++) {
			struct dst_key k = key_nr(n + 1);

			update(map, &k, &v1, BPF_ANY);
		}
		if ((err = walk_delete_even(map, wrong, small * small + small, &visits[wrong])))
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
	struct dst_counts v = { 7, 700 }, got = {};
	struct dst_key k;
	int err;

	update(map, a, &v, BPF_ANY);
	err = bpf_map__lookup_and_delete_elem(map, a, sizeof(*a), &got, sizeof(got), 0);
	if (err == -ENOTSUPP || err == -EOPNOTSUPP || err == -EINVAL) {
		printf("  %-44s -> %s: lookup_and_delete on a hash needs kernel 5.14+\n",
		       "lookup_and_delete 192.0.2.1", sample_errname(err));
		bpf_map__delete_elem(map, a, sizeof(*a), 0);
	} else {
		if ((err = expect("lookup_and_delete 192.0.2.1", err, 0, "")))
			return err;
		printf("  %47s packets=%llu bytes=%llu returned, and the entry is gone:\n", "",
		       (unsigned long long)got.packets, (unsigned long long)got.bytes);
		if ((err = expect("lookup 192.0.2.1", lookup(map, a, &got), -ENOENT,
				  "read and reset in one call")))
			return err;
	}
	return expect("get_next_key(NULL)", bpf_map__get_next_key(map, NULL, &k, sizeof(k)),
		      -ENOENT, "empty again: counting starts");
}

int show_hash_api(const struct bpf_map *map, struct entry *buf)
{
	struct dst_key a = { .family = SOCKEX2_AF_INET, .addr = { 192, 0, 2, 1 } };
	int err;

	printf("BPF_MAP_TYPE_HASH API, on the live map (max_entries %u%s):\n",
	       bpf_map__max_entries(map),
	       bpf_map__map_flags(map) & BPF_F_NO_PREALLOC ? ", BPF_F_NO_PREALLOC" :
							     ", preallocated");
	if ((err = show_flags_and_full(map, &a)) || (err = show_dumps(map, buf)) ||
	    (err = show_delete_walks(map)) || (err = show_lookup_and_delete(map, &a)))
		return err;
	printf("\n");
	return 0;
}
