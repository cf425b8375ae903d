// SPDX-License-Identifier: GPL-2.0
/*
 * sockex2_hash_api.c - the user-side API of a BPF_MAP_TYPE_HASH that sockex2
 * counts with: the two ways to dump a hash (a bpf_map_get_next_key() walk and
 * bpf_map_lookup_batch()), and read-and-reset with lookup_and_delete.
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

const char *sockex2_key_to_text(const struct dst_key *key, char *buf, size_t len)
{
	int af = AF_INET6;

	if (key->family == SOCKEX2_AF_INET)
		af = AF_INET;
	if (key->family != SOCKEX2_AF_INET && key->family != SOCKEX2_AF_INET6)
		snprintf(buf, len, "family %u?", key->family);
	else if (!inet_ntop(af, key->addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct sockex2_entry *x = a;
	const struct sockex2_entry *y = b;

	if (x->key.family < y->key.family)
		return -1;
	if (x->key.family > y->key.family)
		return 1;
	return memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
}

void sockex2_sort_entries(struct sockex2_entry *e, int n)
{
	qsort(e, n, sizeof(*e), cmp_entry);
}

/* ---- the two ways to dump a hash ---------------------------------------- */

/* Start from NULL (the first key in the map's order), then ask for the key
 * after the current one until ENOENT: two syscalls per key (next, lookup). */
int sockex2_dump_walk(const struct bpf_map *map, struct sockex2_entry *out, __u32 max)
{
	struct dst_key cur, next;
	__u32 n = 0;
	int err;

	err = bpf_map__get_next_key(map, NULL, &next, sizeof(next));
	while (!err) {
		if (n == max)
			return -E2BIG;
		out[n].key = next;
		/* Another process may delete the key between the two calls: it
		 * is skipped, and the next get_next_key() restarts the walk. */
		err = bpf_map__lookup_elem(map, &next, sizeof(next), &out[n].val,
					   sizeof(out[n].val), 0);
		if (!err)
			n++;
		cur = next;
		err = bpf_map__get_next_key(map, &cur, &next, sizeof(next));
	}
	if (err != -ENOENT)
		return err;
	return n;
}

/*
 * Each bpf_map_lookup_batch() call copies up to count entries and writes an
 * opaque position token into out_batch; the next call passes that token back
 * as in_batch (NULL on the first call). The last call fails with ENOENT, and
 * may still have returned entries in count. For a hash the token is a bucket
 * number, and a call fails with ENOSPC if the next bucket holds more entries
 * than count allows.
 */
static int dump_batch(const struct bpf_map *map, struct sockex2_entry *out, __u32 max, int *calls)
{
	static struct dst_key keys[SOCKEX2_BATCH_SIZE];
	static struct dst_counts vals[SOCKEX2_BATCH_SIZE];
	__u64 in_batch, out_batch; /* 8 bytes: a hash's token is a __u32 */
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	void *in = NULL; /* the first call starts at the beginning */
	__u32 n = 0;
	__u32 count;
	int err;

	*calls = 0;
	do {
		count = SOCKEX2_BATCH_SIZE;
		err = bpf_map_lookup_batch(bpf_map__fd(map), in, &out_batch, keys, vals, &count,
					   &opts);
		(*calls)++;
		if (err && err != -ENOENT)
			return err;
		if (n + count > max)
			return -E2BIG;
		for (__u32 i = 0; i < count; i++) {
			out[n + i].key = keys[i];
			out[n + i].val = vals[i];
		}
		n += count;
		in_batch = out_batch;
		in = &in_batch;
	} while (!err);
	return n;
}

/* Read and reset: collect the keys with a walk, then take each entry out with
 * bpf_map__lookup_and_delete_elem() (on a hash: kernel 5.14+). Value out and
 * entry gone in one call: nothing a program adds in between is lost, and the
 * program inserts the key again on its next packet. */
int sockex2_take_all(const struct bpf_map *map, struct sockex2_entry *out, __u32 max)
{
	int n;
	int kept = 0;
	int err;

	n = sockex2_dump_walk(map, out, max);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct sockex2_entry *e = &out[kept];

		e->key = out[i].key;
		err = bpf_map__lookup_and_delete_elem(map, &e->key, sizeof(e->key), &e->val,
						      sizeof(e->val), 0);
		if (err == -ENOENT) /* deleted by someone else since the walk */
			continue;
		if (err)
			return err;
		kept++;
	}
	return kept;
}

/* The same entries in both dumps: batch is sorted, the walk keeps the map's
 * order. Field by field: struct sockex2_entry has padding after the 20-byte
 * key. */
static bool dumps_equal(const struct sockex2_entry *walk, int nw, struct sockex2_entry *batch,
			int nb)
{
	if (nw != nb)
		return false;
	sockex2_sort_entries(batch, nb);
	for (int i = 0; i < nw; i++) {
		const struct sockex2_entry *e;

		e = bsearch(&walk[i], batch, nb, sizeof(*batch), cmp_entry);
		if (!e)
			return false;
		if (e->val.packets != walk[i].val.packets || e->val.bytes != walk[i].val.bytes)
			return false;
	}
	return true;
}

int sockex2_dump_both(const struct bpf_map *map, struct sockex2_entry *buf, __u32 max,
		      struct sockex2_dumps *d)
{
	struct sockex2_entry *batch;

	*d = (struct sockex2_dumps){ .batch = -ENOMEM };
	d->walk = sockex2_dump_walk(map, buf, max);
	if (d->walk < 0)
		return d->walk;
	batch = calloc(max, sizeof(*batch));
	if (!batch)
		return -ENOMEM;
	d->batch = dump_batch(map, batch, max, &d->calls);
	if (d->batch >= 0)
		d->same = dumps_equal(buf, d->walk, batch, d->batch);
	free(batch);
	return 0;
}
