// SPDX-License-Identifier: GPL-2.0
/*
 * sockex2 - count packets and bytes per destination address with a
 * BPF_MAP_TYPE_HASH, and walk the whole user-side hash API on that map.
 *
 * A socket filter (SEC("socket")) on a raw packet socket bound to one
 * interface parses every frame (up to two VLAN tags, IPv4, IPv6) and adds the
 * IP length to the HASH entry of the packet's destination address, inserting
 * the entry on the first packet. User space dumps the map once per interval
 * and prints one row per destination.
 *
 *   sudo ./sockex2              demo: private netns + veth, traffic to 5 addresses
 *   sudo ./sockex2 -i eth0      count what eth0 carries; generates nothing
 *   sudo ./sockex2 -r           print per-interval counts (read-and-reset)
 *   sudo ./sockex2 -m 2         a 2-entry map: E2BIG, failed inserts counted
 *
 * Before counting it shows the hash API on the live map with the kernel's real
 * answers: update flags BPF_ANY / BPF_NOEXIST / BPF_EXIST and their errors,
 * E2BIG when full, a bpf_map_get_next_key() walk, the same dump with
 * bpf_map_lookup_batch(), deleting during a walk, and
 * bpf_map_lookup_and_delete_elem(). At the end it dumps the map both ways and
 * checks that the two dumps are identical.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "sockex2.h"
#include "sockex2.skel.h"

static const char *prog = "sockex2";

#define MAX_ENTRIES_LIMIT	65536	/* -m upper bound: dump buffers are this big */
#define BATCH_SIZE		64	/* entries per bpf_map_lookup_batch() call */

/* ENOTSUPP is the kernel's internal 524, which old kernels leak to user space
 * for commands a map type does not implement. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* One map entry, as both dumps return it. */
struct entry {
	struct dst_key key;
	struct dst_counts val;
};

/* Demo traffic per tick, from the peer netns (demo1, 10.11.1.2 / fd11::2) to
 * addresses of the sample side. Each echo request to 10.11.1.1 also makes a
 * reply to 10.11.1.2, which demo0 sends and the filter counts too. */
#define DEMO_PINGS	3
#define DEMO_PING_LEN	56	/* 84 IP bytes: 20 + 8 + 56 */

struct demo_dst {
	const char *addr;
	unsigned int udps;	/* datagrams per tick */
	unsigned int len;	/* UDP payload bytes */
	__u64 sent;
};

static struct demo_dst demo_dsts[] = {
	{ "10.11.1.1", 5, 100 },	/* 128 IP bytes each */
	{ "10.11.1.3", 2, 200 },	/* 228: an address the demo adds to demo0 */
	{ "fd11::1",   4, 100 },	/* 148: 40 + 8 + 100 */
	{ "fd11::1:0:0:1",   1, 300 },	/* 348: an address the demo adds to demo0 */
};
#define N_DEMO_DSTS (sizeof(demo_dsts) / sizeof(demo_dsts[0]))
static const char *const demo_extra_addrs[] = { "10.11.1.3", "fd11::1:0:0:1" };

struct ctx {
	struct sockex2 *skel;
	int map_fd;
	__u32 max_entries;
	bool reset;			/* -r: read-and-reset with lookup_and_delete */
	struct entry *buf;		/* max_entries entries, for dumps */
	struct entry *totals;		/* -r: sums over the intervals */
	__u32 n_totals;
	struct sample_traffic *traffic;	/* NULL when counting a real interface */
	__u64 start_ns;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Count packets and IP bytes per destination address with a BPF_MAP_TYPE_HASH.\n"
		"\n"
		"  -i, --interface IFACE  count on IFACE (no traffic is generated);\n"
		"                         default: a private demo netns + veth with its own traffic\n"
		"  -m, --max-entries N    size of the hash map, 1 to %d (default %d)\n"
		"  -n, --no-prealloc      create the map with BPF_F_NO_PREALLOC\n"
		"  -r, --reset            print per-interval counts: read and delete each entry\n"
		"                         with bpf_map_lookup_and_delete_elem (kernel 5.14+)\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s -i eth0 -r        sudo %s -m 2 -d 3\n",
		prog, MAX_ENTRIES_LIMIT, SOCKEX2_MAX_ENTRIES, prog, prog, prog);
}

/* ---- keys --------------------------------------------------------------- */

/* Text address -> key. The key starts zeroed: unused bytes are hashed too. */
static int key_from_text(const char *text, struct dst_key *key)
{
	memset(key, 0, sizeof(*key));
	if (inet_pton(AF_INET, text, key->addr) == 1) {
		key->family = SOCKEX2_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, key->addr) == 1) {
		key->family = SOCKEX2_AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static const char *key_to_text(const struct dst_key *key, char *buf, size_t len)
{
	int af = key->family == SOCKEX2_AF_INET ? AF_INET : AF_INET6;

	if (key->family != SOCKEX2_AF_INET && key->family != SOCKEX2_AF_INET6)
		snprintf(buf, len, "family %u?", key->family);
	else if (!inet_ntop(af, key->addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* 198.18.h.l: keys for the API walk (a benchmarking range; never traffic). */
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

/* ---- the two ways to dump a hash ---------------------------------------- */

/*
 * Dump with bpf_map_get_next_key(): start from NULL (the first key in the
 * map's order), then ask for the key after the current one until ENOENT.
 * Each key costs two syscalls (next key, then lookup). Returns the number of
 * entries, or -errno.
 */
static int dump_walk(int fd, struct entry *out, __u32 max)
{
	struct dst_key cur, next;
	__u32 n = 0;
	int err;

	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &cur, &next)) {
		if (n == max)
			return -E2BIG;
		out[n].key = next;
		/* Another process may delete the key between the two calls: it
		 * is skipped, and the next get_next_key() restarts the walk. */
		if (bpf_map_lookup_elem(fd, &next, &out[n].val) == 0)
			n++;
		cur = next;
	}
	return errno == ENOENT ? (int)n : -errno;
}

/*
 * Dump with bpf_map_lookup_batch() (kernel 5.6+): each call copies up to
 * *count entries and writes an opaque position token into out_batch; the next
 * call passes that token back as in_batch (NULL on the first call). The last
 * call fails with ENOENT, and may still have returned entries in *count. For a
 * hash the token is a bucket number, and a call fails with ENOSPC if the next
 * bucket holds more entries than *count allows. Returns the number of
 * entries, or -errno; *calls gets the number of syscalls.
 */
static int dump_batch(int fd, struct entry *out, __u32 max, int *calls)
{
	static struct dst_key keys[BATCH_SIZE];
	static struct dst_counts vals[BATCH_SIZE];
	__u64 in_batch, out_batch;	/* 8 bytes: a hash's token is a __u32 */
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 n = 0, count;
	bool first = true;
	int err;

	*calls = 0;
	do {
		count = BATCH_SIZE;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, keys, vals,
					   &count, &opts) ? -errno : 0;
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
		first = false;
	} while (!err);
	return n;
}

/* Both dumps of the same map, sorted, must be equal entry by entry (field by
 * field: struct entry has padding after the 20-byte key). */
static bool dumps_equal(struct entry *a, int na, struct entry *b, int nb)
{
	if (na != nb)
		return false;
	qsort(a, na, sizeof(*a), cmp_entry);
	qsort(b, nb, sizeof(*b), cmp_entry);
	for (int i = 0; i < na; i++)
		if (memcmp(&a[i].key, &b[i].key, sizeof(a[i].key)) ||
		    a[i].val.packets != b[i].val.packets || a[i].val.bytes != b[i].val.bytes)
			return false;
	return true;
}

/* ---- the hash API, shown on the live map -------------------------------- */

static int expect(const char *what, int got, int want, const char *lesson)
{
	char res[64];

	if (got)
		snprintf(res, sizeof(res), "%s (%s)", sample_errname(got), sample_strerror(got));
	else
		snprintf(res, sizeof(res), "ok");
	if (*lesson)
		printf("  %-44s -> %-34s %s\n", what, res, lesson);
	else
		printf("  %-44s -> %s\n", what, res);
	if (got != want) {
		fprintf(stderr, "%s: %s returned %s, expected %s\n", prog, what,
			sample_errname(got), sample_errname(want));
		return got ? got : -EINVAL;
	}
	return 0;
}

#define UPD(fd, k, v, fl) (bpf_map_update_elem(fd, k, v, fl) ? -errno : 0)

/* Delete every 198.18.x.y key with an even last byte during one walk, and
 * count in *visits how many keys the walk returned. wrong: delete the current
 * key, then ask for the key after it; right: ask first, then delete. */
static int walk_delete_even(int fd, bool wrong, __u32 bound, __u32 *visits)
{
	struct dst_key cur, next;
	bool have = false;
	int err;

	*visits = 0;
	while (!(err = bpf_map_get_next_key(fd, have ? &cur : NULL, &next) ? -errno : 0)) {
		if (++*visits > bound)
			return -ELOOP;
		if (wrong) {
			/* Delete next now; the following get_next_key(next) cannot
			 * find it and restarts from the first key of the map. */
			if (next.addr[0] == 198 && !(next.addr[3] & 1))
				bpf_map_delete_elem(fd, &next);
		} else if (have && cur.addr[0] == 198 && !(cur.addr[3] & 1)) {
			/* Right: next is already known, so cur can go. */
			bpf_map_delete_elem(fd, &cur);
		}
		cur = next;
		have = true;
	}
	if (!wrong && have && cur.addr[0] == 198 && !(cur.addr[3] & 1))
		bpf_map_delete_elem(fd, &cur);
	return err == -ENOENT ? 0 : err;
}

/* Delete everything: fetch the next key before deleting the current one. */
static int clear_map(int fd, __u32 *deleted)
{
	struct dst_key cur, next;
	int err;

	*deleted = 0;
	err = bpf_map_get_next_key(fd, NULL, &cur) ? -errno : 0;
	while (!err) {
		err = bpf_map_get_next_key(fd, &cur, &next) ? -errno : 0;
		if (bpf_map_delete_elem(fd, &cur) == 0)
			(*deleted)++;
		cur = next;
	}
	return err == -ENOENT ? 0 : err;
}

static int show_hash_api(struct ctx *c)
{
	int fd = c->map_fd, err, nw, nb, calls;
	struct dst_counts v1 = { 1, 100 }, v2 = { 2, 200 }, v3 = { 3, 300 }, got;
	struct dst_key a, k;
	struct entry *batch;
	__u32 n, visits_wrong, visits_right, deleted, small;
	char what[96], t[3][INET6_ADDRSTRLEN];

	printf("BPF_MAP_TYPE_HASH API, on the live map (max_entries %u%s):\n", c->max_entries,
	       bpf_map__map_flags(c->skel->maps.dst_stats) & BPF_F_NO_PREALLOC ?
	       ", BPF_F_NO_PREALLOC" : ", preallocated");
	key_from_text("192.0.2.1", &a);
	err = bpf_map_lookup_elem(fd, &a, &got) ? -errno : 0;
	if ((err = expect("lookup 192.0.2.1 (never inserted)", err, -ENOENT,
			  "no entry until one is inserted")) ||
	    (err = expect("update 192.0.2.1 BPF_EXIST", UPD(fd, &a, &v1, BPF_EXIST), -ENOENT,
			  "EXIST only replaces")) ||
	    (err = expect("update 192.0.2.1 BPF_NOEXIST", UPD(fd, &a, &v1, BPF_NOEXIST), 0,
			  "inserted")) ||
	    (err = expect("update 192.0.2.1 BPF_NOEXIST again", UPD(fd, &a, &v2, BPF_NOEXIST),
			  -EEXIST, "NOEXIST only inserts")) ||
	    (err = expect("update 192.0.2.1 BPF_EXIST", UPD(fd, &a, &v2, BPF_EXIST), 0,
			  "replaced")) ||
	    (err = expect("update 192.0.2.1 BPF_ANY", UPD(fd, &a, &v3, BPF_ANY), 0,
			  "insert or replace, whichever applies")))
		return err;
	err = bpf_map_lookup_elem(fd, &a, &got) ? -errno : 0;
	snprintf(what, sizeof(what), "lookup 192.0.2.1");
	if ((err = expect(what, err, 0, "")))
		return err;
	printf("  %47s packets=%llu bytes=%llu (the BPF_ANY value)\n", "",
	       (unsigned long long)got.packets, (unsigned long long)got.bytes);

	/* Fill: 192.0.2.1 + (max_entries - 1) more keys, then one too many. */
	for (n = 1; n < c->max_entries; n++) {
		k = key_nr(n);
		if ((err = UPD(fd, &k, &v1, BPF_NOEXIST))) {
			fprintf(stderr, "%s: filling the map failed at entry %u: %s\n", prog, n + 1,
				sample_strerror(err));
			return err;
		}
	}
	printf("  %-44s -> %u entries: the map is full\n", "insert 198.18.x.y keys until full",
	       c->max_entries);
	k = key_nr(c->max_entries);
	snprintf(what, sizeof(what), "insert %s BPF_ANY (entry %u)",
		 key_to_text(&k, t[0], sizeof(t[0])), c->max_entries + 1);
	if ((err = expect(what, UPD(fd, &k, &v1, BPF_ANY), -E2BIG,
			  "full: a HASH never evicts (LRU_HASH does)")) ||
	    (err = expect("update 192.0.2.1 BPF_EXIST while full", UPD(fd, &a, &v1, BPF_EXIST),
			  0, "replacing needs no new entry")))
		return err;

	/* Walk vs batch on the full map. */
	nw = dump_walk(fd, c->buf, c->max_entries);
	if (nw < 0) {
		fprintf(stderr, "%s: get_next_key walk failed: %s\n", prog, sample_strerror(nw));
		return nw;
	}
	printf("  %-44s -> %d keys, in the map's order: %s, %s, %s ...\n",
	       "get_next_key walk from NULL", nw, key_to_text(&c->buf[0].key, t[0], sizeof(t[0])),
	       nw > 1 ? key_to_text(&c->buf[1].key, t[1], sizeof(t[1])) : "-",
	       nw > 2 ? key_to_text(&c->buf[2].key, t[2], sizeof(t[2])) : "-");
	printf("  %47s (inserted as 192.0.2.1, 198.18.0.1, 198.18.0.2 ...: not insertion order)\n",
	       "");
	batch = calloc(c->max_entries, sizeof(*batch));
	if (!batch)
		return -ENOMEM;
	nb = dump_batch(fd, batch, c->max_entries, &calls);
	if (nb == -EINVAL || nb == -ENOTSUPP || nb == -EOPNOTSUPP) {
		printf("  %-44s -> %s: batch ops need kernel 5.6+\n", "lookup_batch",
		       sample_errname(nb));
	} else if (nb < 0) {
		fprintf(stderr, "%s: lookup_batch failed: %s\n", prog, sample_strerror(nb));
		free(batch);
		return nb;
	} else {
		bool same = dumps_equal(c->buf, nw, batch, nb);

		snprintf(what, sizeof(what), "lookup_batch, %d per call", BATCH_SIZE);
		printf("  %-44s -> %d entries in %d calls, the last ending ENOENT: %s\n", what, nb,
		       calls, same ? "identical to the walk" : "DIFFERENT from the walk");
		if (!same) {
			free(batch);
			return -EINVAL;
		}
	}
	free(batch);

	/* Empty it the right way, then show the wrong way on a few keys. */
	if ((err = clear_map(fd, &deleted)))
		return err;
	printf("  %-44s -> %u deleted, map empty\n", "walk deleting (next first, then delete)",
	       deleted);
	small = c->max_entries < 16 ? c->max_entries : 16;
	for (int wrong = 1; wrong >= 0; wrong--) {
		__u32 *visits = wrong ? &visits_wrong : &visits_right;

		for (n = 0; n < small; n++) {
			k = key_nr(n + 1);
			UPD(fd, &k, &v1, BPF_ANY);
		}
		if ((err = walk_delete_even(fd, wrong, small * small + small, visits)))
			return err;
		clear_map(fd, &deleted);
	}
	snprintf(what, sizeof(what), "walk %u keys deleting the even ones:", small);
	printf("  %-44s -> delete current, then next(current): %u visits (restarts at the\n"
	       "  %47s first key each time); next first, then delete: %u visits\n",
	       what, visits_wrong, "", visits_right);

	/* Read-and-reset. */
	v1 = (struct dst_counts){ 7, 700 };
	UPD(fd, &a, &v1, BPF_ANY);
	memset(&got, 0, sizeof(got));
	err = bpf_map_lookup_and_delete_elem(fd, &a, &got) ? -errno : 0;
	if (err == -ENOTSUPP || err == -EOPNOTSUPP || err == -EINVAL) {
		printf("  %-44s -> %s: lookup_and_delete on a hash needs kernel 5.14+\n",
		       "lookup_and_delete 192.0.2.1", sample_errname(err));
		bpf_map_delete_elem(fd, &a);
	} else {
		if ((err = expect("lookup_and_delete 192.0.2.1", err, 0, "")))
			return err;
		printf("  %47s packets=%llu bytes=%llu returned, and the entry is gone:\n", "",
		       (unsigned long long)got.packets, (unsigned long long)got.bytes);
		err = bpf_map_lookup_elem(fd, &a, &got) ? -errno : 0;
		if ((err = expect("lookup 192.0.2.1", err, -ENOENT, "read and reset in one call")))
			return err;
	}
	err = bpf_map_get_next_key(fd, NULL, &k) ? -errno : 0;
	if ((err = expect("get_next_key(NULL)", err, -ENOENT, "empty again: counting starts")))
		return err;
	printf("\n");
	return 0;
}

/* ---- printing ----------------------------------------------------------- */

static void print_header(void)
{
	printf("%7s  %-39s %10s %14s\n", "time", "destination", "packets", "bytes");
}

static void print_entries(double t, struct entry *e, int n)
{
	char a[INET6_ADDRSTRLEN], p[SAMPLE_FMT_LEN], b[SAMPLE_FMT_LEN];

	qsort(e, n, sizeof(*e), cmp_entry);
	for (int i = 0; i < n; i++)
		printf("%7.1f  %-39s %10s %14s\n", t, key_to_text(&e[i].key, a, sizeof(a)),
		       sample_fmt_u64(p, sizeof(p), e[i].val.packets),
		       sample_fmt_u64(b, sizeof(b), e[i].val.bytes));
	if (!n)
		printf("%7.1f  %s\n", t, "(no IP packets yet)");
	fflush(stdout);
}

static void add_total(struct ctx *c, const struct entry *e)
{
	for (__u32 i = 0; i < c->n_totals; i++) {
		if (!memcmp(&c->totals[i].key, &e->key, sizeof(e->key))) {
			c->totals[i].val.packets += e->val.packets;
			c->totals[i].val.bytes += e->val.bytes;
			return;
		}
	}
	if (c->n_totals < c->max_entries)	/* the map never holds more keys */
		c->totals[c->n_totals++] = *e;
}

/*
 * -r: read and reset. Collect the keys with a walk, then take each entry out
 * with bpf_map_lookup_and_delete_elem(): the value is returned and the entry
 * removed in one call, so no packet counted between a read and a reset is
 * lost. The program inserts the key again on its next packet.
 */
static int read_and_reset(struct ctx *c, int *n_out)
{
	int n = dump_walk(c->map_fd, c->buf, c->max_entries), kept = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct entry *e = &c->buf[kept];

		e->key = c->buf[i].key;
		if (bpf_map_lookup_and_delete_elem(c->map_fd, &e->key, &e->val)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		add_total(c, e);
		kept++;
	}
	*n_out = kept;
	return 0;
}

static int print_rows(struct ctx *c)
{
	double t = (sample_now_ns() - c->start_ns) / 1e9;
	int n, err = 0;

	if (c->reset)
		err = read_and_reset(c, &n);
	else if ((n = dump_walk(c->map_fd, c->buf, c->max_entries)) < 0)
		err = n;
	if (err) {
		fprintf(stderr, "%s: reading the map failed: %s%s\n", prog, sample_strerror(err),
			c->reset && (err == -ENOTSUPP || err == -EOPNOTSUPP) ?
			" (-r needs lookup_and_delete on a hash: kernel 5.14+)" : "");
		return err;
	}
	print_entries(t, c->buf, n);
	return 0;
}

static int send_demo_traffic(struct sample_traffic *t)
{
	struct sockaddr_storage ss;
	int err = 0;

	for (int i = 0; i < DEMO_PINGS && !err; i++)
		err = sample_traffic_ping(t, &t->d->addr4, DEMO_PING_LEN);
	for (size_t d = 0; d < N_DEMO_DSTS && !err; d++) {
		sample_sockaddr(demo_dsts[d].addr, SAMPLE_UDP_PORT, &ss);
		for (unsigned int i = 0; i < demo_dsts[d].udps && !err; i++) {
			err = sample_traffic_udp(t, (struct sockaddr *)&ss, demo_dsts[d].len);
			if (!err)
				demo_dsts[d].sent++;
		}
	}
	return err;
}

static int tick(void *arg)
{
	struct ctx *c = arg;

	if (c->traffic) {
		int err = send_demo_traffic(c->traffic);

		if (err) {
			fprintf(stderr, "%s: demo traffic failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		sample_traffic_poll(c->traffic, 100);
	}
	return print_rows(c);
}

/* After the run: both dumps of the now quiet map, compared; then the totals. */
static int print_final(struct ctx *c)
{
	struct entry *batch = calloc(c->max_entries, sizeof(*batch));
	double t = (sample_now_ns() - c->start_ns) / 1e9;
	char f[SAMPLE_FMT_LEN];
	int nw, nb, calls, err = 0;

	if (!batch)
		return -ENOMEM;
	nw = dump_walk(c->map_fd, c->buf, c->max_entries);
	nb = dump_batch(c->map_fd, batch, c->max_entries, &calls);
	if (nw < 0 || nb < 0) {
		err = nw < 0 ? nw : nb;
		fprintf(stderr, "%s: dumping the map failed: %s\n", prog, sample_strerror(err));
		free(batch);
		return err;
	}
	printf("final:\n");
	if (c->reset) {
		int n;

		if ((err = read_and_reset(c, &n))) {
			free(batch);
			return err;
		}
		print_entries(t, c->totals, c->n_totals);
		printf("(-r: totals of the per-interval counts; the map is empty now)\n");
	} else {
		print_entries(t, c->buf, nw);
	}
	printf("dumps: get_next_key %d entries, lookup_batch %d entries in %d call%s: %s\n", nw, nb,
	       calls, calls == 1 ? "" : "s",
	       dumps_equal(c->buf, nw, batch, nb) ? "identical" : "DIFFERENT");
	printf("inserts that failed in the program (map full): %s\n",
	       sample_fmt_u64(f, sizeof(f), c->skel->bss->insert_failed));
	free(batch);
	return 0;
}

/* A raw packet socket on ifindex that runs the filter for every packet. The
 * socket is created in the calling thread's network namespace. */
static int open_filtered_socket(int ifindex, int prog_fd)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int fd, err;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	/* Attach before bind: from the moment it is bound, every packet runs
	 * the program and nothing is queued on the socket. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The extra addresses on demo0, and permanent neighbours for them on demo1 so
 * that no ARP or neighbour solicitation (which is IPv6, and would be counted)
 * is sent for them. */
static int demo_add_addresses(struct sample_demo *d)
{
	for (size_t i = 0; i < sizeof(demo_extra_addrs) / sizeof(demo_extra_addrs[0]); i++) {
		struct dst_key k;
		int af, err;

		key_from_text(demo_extra_addrs[i], &k);
		af = k.family == SOCKEX2_AF_INET ? AF_INET : AF_INET6;
		if ((err = sample_addr_add(d->ns, d->ifindex, af, k.addr, af == AF_INET ? 32 : 128)) ||
		    (err = sample_neigh_add(d->peer_ns, d->peer_ifindex, af, k.addr, d->mac))) {
			fprintf(stderr, "%s: demo setup failed adding %s: %s\n", prog,
				demo_extra_addrs[i], sample_strerror(err));
			return err;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "max-entries", required_argument, NULL, 'm' },
		{ "no-prealloc", no_argument, NULL, 'n' },
		{ "reset", no_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct sample_traffic traffic = SAMPLE_TRAFFIC_INIT;
	struct sample_demo demo = { .orig_ns = -1, .ns = -1, .peer_ns = -1 };
	struct sockex2 *skel = NULL;
	const char *ifname = NULL;
	bool verbose = false, use_demo, no_prealloc = false;
	struct ctx c = { .max_entries = SOCKEX2_MAX_ENTRIES };
	int opt, ifindex, sock = -1, claim = -1, err;
	unsigned long v;

	while ((opt = getopt_long(argc, argv, ":i:m:nrd:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'm':
			if (sample_parse_uint(prog, 'm', optarg, 1, MAX_ENTRIES_LIMIT, &v))
				return 2;
			c.max_entries = v;
			break;
		case 'n':
			no_prealloc = true;
			break;
		case 'r':
			c.reset = true;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &v))
				return 2;
			run.duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(prog, optarg, &run.interval_ms))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n", prog, argv[optind]);
		return 2;
	}
	use_demo = !ifname;

	if ((err = sample_init(verbose)) || (err = sample_check_privileges(prog)))
		return 1;

	c.buf = calloc(c.max_entries, sizeof(*c.buf));
	c.totals = calloc(c.max_entries, sizeof(*c.totals));
	if (!c.buf || !c.totals) {
		fprintf(stderr, "%s: out of memory for %u entries\n", prog, c.max_entries);
		err = -ENOMEM;
		goto cleanup;
	}

	/* 1. Where to count: the demo's veth, or the user's interface. */
	if (use_demo) {
		if ((err = sample_demo_setup(&demo, prog, SAMPLE_DEMO_IPV6)))
			goto cleanup;
		ifname = demo.ifname;
		ifindex = demo.ifindex;
		if ((err = demo_add_addresses(&demo)))
			goto cleanup;
		if ((err = sample_traffic_open(&traffic, &demo, SAMPLE_TRAFFIC_ICMP |
					       SAMPLE_TRAFFIC_UDP))) {
			fprintf(stderr, "%s: opening demo traffic sockets failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.traffic = &traffic;
	} else {
		ifindex = sample_ifindex(prog, ifname);
		if (ifindex < 0) {
			err = ifindex;
			goto cleanup;
		}
		/* Two filters on one interface would both count: one sockex2 each. */
		claim = sample_claim_iface(prog, ifindex);
		if (claim < 0) {
			err = claim;
			goto cleanup;
		}
	}

	/* 2. Open, size the map, load. max_entries and map flags can only be
	 * changed between open and load. */
	skel = sockex2__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	if ((err = bpf_map__set_max_entries(skel->maps.dst_stats, c.max_entries)) ||
	    (no_prealloc && (err = bpf_map__set_map_flags(skel->maps.dst_stats,
				bpf_map__map_flags(skel->maps.dst_stats) | BPF_F_NO_PREALLOC)))) {
		fprintf(stderr, "%s: sizing the map failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	if ((err = sockex2__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__key_size(skel->maps.dst_stats) != sizeof(struct dst_key) ||
	    bpf_map__value_size(skel->maps.dst_stats) != sizeof(struct dst_counts)) {
		fprintf(stderr, "%s: key or value size mismatch between sockex2.h and the object\n",
			prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.map_fd = bpf_map__fd(skel->maps.dst_stats);

	if ((err = show_hash_api(&c)))
		goto cleanup;

	/* 3. Attach: a socket filter lives as long as its socket. */
	sock = open_filtered_socket(ifindex, bpf_program__fd(skel->progs.count_by_dst));
	if (sock < 0) {
		err = sock;
		fprintf(stderr, "%s: attaching the filter to a packet socket on %s failed: %s\n",
			prog, ifname, sample_strerror(err));
		goto cleanup;
	}

	/* 4. Run. */
	printf("Counting IP packets on %s by destination (BPF_MAP_TYPE_HASH, max_entries %u)%s%s\n",
	       ifname, c.max_entries, c.reset ? ", per interval (read-and-reset)" : "",
	       use_demo ? ", demo traffic from the peer netns" : "");
	print_header();
	c.start_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 5. Summary: let the last replies land, detach (close the socket) so
	 * the map stops changing, then dump it both ways. */
	if (!err) {
		if (c.traffic)
			sample_traffic_poll(&traffic, 500);
		close(sock);
		sock = -1;
		err = print_final(&c);
	}
	if (!err && c.traffic) {
		printf("demo sent: %llu echo requests of %d bytes to 10.11.1.1 (%llu replies to "
		       "10.11.1.2)", (unsigned long long)traffic.icmp_sent, DEMO_PING_LEN,
		       (unsigned long long)traffic.icmp_replies);
		for (size_t d = 0; d < N_DEMO_DSTS; d++)
			printf(", %llu UDP of %u bytes to %s", (unsigned long long)demo_dsts[d].sent,
			       demo_dsts[d].len, demo_dsts[d].addr);
		printf("\n");
	}

cleanup:
	if (sock >= 0)
		close(sock);
	if (claim >= 0)
		close(claim);
	sockex2__destroy(skel);
	sample_traffic_close(&traffic);
	if (use_demo)
		sample_demo_teardown(&demo);
	free(c.buf);
	free(c.totals);
	return err ? 1 : 0;
}
