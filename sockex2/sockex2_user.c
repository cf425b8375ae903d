// SPDX-License-Identifier: GPL-2.0
/*
 * sockex2 - count packets and bytes per destination address with a
 * BPF_MAP_TYPE_HASH.
 *
 * A socket filter (SEC("socket")) on a raw packet socket bound to one
 * interface parses every frame (up to two VLAN tags, IPv4, IPv6) and adds the
 * IP length to the HASH entry of the packet's destination address, inserting
 * the entry on the first packet. User space dumps the map once per interval
 * with a bpf_map_get_next_key() walk and prints one row per destination; with
 * -r it takes every entry out with bpf_map_lookup_and_delete_elem() instead.
 *
 *   sudo ./sockex2              demo: private netns + veth, traffic to 5 addresses
 *   sudo ./sockex2 -i eth0      count what eth0 carries; generates nothing
 *   sudo ./sockex2 -r           print per-interval counts (read-and-reset)
 *   sudo ./sockex2 -m 2         a 2-entry map: E2BIG, failed inserts counted
 *
 * Before counting it shows the hash API's traps on the live map, with the
 * kernel's real answers (sockex2_traps.c); at the end it dumps the map with
 * the walk and with bpf_map_lookup_batch() (sockex2_hash_api.c) and checks
 * that both are identical.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockex2_demo.h" /* demo */
#include "sockex2_hash_api.h"
#include "sockex2_traps.h" /* traps */
#include "sockex2.skel.h"

#define MAX_ENTRIES_LIMIT 65536 /* -m upper bound: the dump buffers are this big */

static const struct sample_option options[] = {
	{ 'm', "max-entries", "N", "size of the hash map, 1 to 65536 (default 1024)" },
	{ 'n', "no-prealloc", NULL, "create the map with BPF_F_NO_PREALLOC" },
	{ 'r', "reset", NULL,
	  "print per-interval counts: read and delete each entry\n"
	  "with bpf_map_lookup_and_delete_elem (kernel 5.14+)" },
	{}
};

static const struct sample_cli cli = {
	.name = "sockex2",
	.about = "Count packets and IP bytes per destination address with a BPF_MAP_TYPE_HASH.",
	.demo = "Without -i: a private demo netns + veth with its own traffic.", /* demo */
	.iface_help = "count on IFACE (no traffic is generated)",
	.options = options,
	.examples =
		"sudo sockex2 -d 5        sudo sockex2 -i eth0 -r        sudo sockex2 -m 2 -d 3",
};

/* What the rows are printed from: one dump of the map, and with -r the sums
 * of the intervals (each read empties the map). Both hold max entries: the
 * map never has more keys. */
struct table {
	struct sockex2_entry *rows;
	struct sockex2_entry *totals;
	__u32 max;
	__u32 n_totals;
	bool reset;
};

static void print_entries(double t, struct sockex2_entry *e, int n)
{
	char a[INET6_ADDRSTRLEN], p[SAMPLE_FMT_LEN], b[SAMPLE_FMT_LEN];

	sockex2_sort_entries(e, n);
	for (int i = 0; i < n; i++)
		printf("%7.1f  %-39s %10s %14s\n", t, sockex2_key_to_text(&e[i].key, a, sizeof(a)),
		       sample_fmt_u64(p, sizeof(p), e[i].val.packets),
		       sample_fmt_u64(b, sizeof(b), e[i].val.bytes));
	if (!n)
		printf("%7.1f  %s\n", t, "(no IP packets yet)");
	fflush(stdout);
}

/* -r: take every entry out of the map (sockex2_take_all(): lookup_and_delete,
 * see sockex2_hash_api.c) and add it to the totals, which keep at most max
 * keys. */
static int read_and_reset(const struct bpf_map *map, struct table *tab)
{
	int n = sockex2_take_all(map, tab->rows, tab->max);

	for (int i = 0; i < n; i++) {
		const struct sockex2_entry *e = &tab->rows[i];
		__u32 j = 0;

		while (j < tab->n_totals && memcmp(&tab->totals[j].key, &e->key, sizeof(e->key)))
			j++;
		if (j == tab->max)
			continue; /* over time more keys than the map holds at once */
		if (j == tab->n_totals) {
			tab->totals[j] = (struct sockex2_entry){ .key = e->key };
			tab->n_totals++;
		}
		tab->totals[j].val.packets += e->val.packets;
		tab->totals[j].val.bytes += e->val.bytes;
	}
	return n;
}

static int print_rows(const struct bpf_map *map, struct table *tab, __u64 start_ns)
{
	double t = (sample_now_ns() - start_ns) / 1e9;
	const char *hint = "";
	int n;

	if (tab->reset)
		n = read_and_reset(map, tab);
	else
		n = sockex2_dump_walk(map, tab->rows, tab->max);
	if (n < 0) {
		if (tab->reset && (n == -ENOTSUPP || n == -EOPNOTSUPP))
			hint = " (-r needs lookup_and_delete on a hash: kernel 5.14+)";
		fprintf(stderr, "sockex2: reading the map failed: %s%s\n", sample_strerror(n),
			hint);
		return n;
	}
	print_entries(t, tab->rows, n);
	return 0;
}

/* After the run: both dumps of the now quiet map, compared; with -r the last
 * interval joins the totals; then what the program could not insert. */
static int print_final(struct sockex2 *skel, struct table *tab, __u64 start_ns)
{
	const struct bpf_map *map = skel->maps.dst_stats;
	double t = (sample_now_ns() - start_ns) / 1e9;
	char f[SAMPLE_FMT_LEN];
	struct sockex2_dumps d;
	const char *calls = "s";
	const char *same = "identical";
	int err;

	err = sockex2_dump_both(map, tab->rows, tab->max, &d);
	if (!err && d.batch < 0)
		err = d.batch;
	if (!err && tab->reset) {
		int n = read_and_reset(map, tab);

		if (n < 0)
			err = n;
	}
	if (err) {
		fprintf(stderr, "sockex2: dumping the map failed: %s\n", sample_strerror(err));
		return err;
	}
	printf("final:\n");
	if (tab->reset) {
		print_entries(t, tab->totals, tab->n_totals);
		printf("(-r: totals of the per-interval counts; the map is empty now)\n");
	} else {
		print_entries(t, tab->rows, d.walk);
	}
	if (d.calls == 1)
		calls = "";
	if (!d.same)
		same = "DIFFERENT";
	printf("dumps: get_next_key %d entries, lookup_batch %d entries in %d call%s: %s\n", d.walk,
	       d.batch, d.calls, calls, same);
	printf("inserts that failed in the program (map full): %s\n",
	       sample_fmt_u64(f, sizeof(f), skel->bss->insert_failed));
	return 0;
}

int main(int argc, char **argv)
{
	struct sockex2_demo demo = SOCKEX2_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct table tab = { .max = SOCKEX2_MAX_ENTRIES };
	struct sockex2 *skel = NULL;
	struct bpf_map *map;
	bool no_prealloc = false;
	int sock = -1;
	int claim = -1;
	int prog_fd;
	int err = 0;
	int opt;
	int ev;
	unsigned long v;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'm':
			if (sample_parse_uint(o.prog, 'm', optarg, 1, MAX_ENTRIES_LIMIT, &v))
				return 2;
			tab.max = v;
			break;
		case 'n':
			no_prealloc = true;
			break;
		case 'r':
			tab.reset = true;
			break;
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	tab.rows = calloc(tab.max, sizeof(*tab.rows));
	tab.totals = calloc(tab.max, sizeof(*tab.totals));
	if (!tab.rows || !tab.totals) {
		fprintf(stderr, "%s: out of memory for %u entries\n", o.prog, tab.max);
		err = -ENOMEM;
		goto cleanup;
	}

	/* 1. Where to count: the user's interface (one sockex2 on it: two filters
	 *    would both count), or the demo's veth with traffic of its own. */
	if (o.ifname) {
		claim = sample_claim_iface(o.prog, o.ifindex);
		if (claim < 0) {
			err = claim;
			goto cleanup;
		}
	}
	if (!o.ifname) /* demo */
		err = sockex2_demo_open(&demo, &o); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */

	/* 2. Open, size the map, load: max_entries and the map flags can only
	 *    change between open and load. */
	skel = sockex2__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	map = skel->maps.dst_stats;
	bpf_map__set_max_entries(map, tab.max); /* 0 or -EBUSY after load: cannot fail here */
	if (no_prealloc)
		bpf_map__set_map_flags(map, bpf_map__map_flags(map) | BPF_F_NO_PREALLOC);
	err = sockex2__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}
	err = sockex2_traps_show(map, tab.rows); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 3. Attach: a socket filter lives as long as its socket. Attach, then
	 *    bind: no frame reaches the socket unfiltered. */
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (sock < 0) {
		err = -errno;
		fprintf(stderr, "%s: attaching the filter to a packet socket on %s failed: %s\n",
			o.prog, o.ifname, sample_strerror(err));
		goto cleanup;
	}
	prog_fd = bpf_program__fd(skel->progs.count_by_dst);
	err = setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd));
	if (err) {
		err = -errno;
		fprintf(stderr, "%s: attaching the filter to a packet socket on %s failed: %s\n",
			o.prog, o.ifname, sample_strerror(err));
		goto cleanup;
	}
	err = sample_packet_bind(&o, sock);
	if (err)
		goto cleanup;

	/* 4. Run: one block of rows per -I tick until Ctrl-C, SIGTERM or -d. */
	printf("Counting IP packets on %s by destination (BPF_MAP_TYPE_HASH, max_entries %u)",
	       o.ifname, tab.max);
	if (tab.reset)
		printf(", per interval (read-and-reset)");
	if (demo.veth.open) /* demo */
		printf(", demo traffic from the peer netns"); /* demo */
	printf("\n");
	printf("%7s  %-39s %10s %14s\n", "time", "destination", "packets", "bytes");
	fflush(stdout);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.veth.open) /* demo */
			err = sockex2_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		err = print_rows(map, &tab, start_ns);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: detach (close the socket) so that the map stops changing,
	 *    then dump it both ways; the demo says what it sent. */
	close(sock);
	sock = -1;
	err = print_final(skel, &tab, start_ns);

cleanup:
	sample_loop_close(&loop);
	if (sock >= 0)
		close(sock);
	if (claim >= 0)
		close(claim);
	sockex2__destroy(skel);
	sockex2_demo_close(&demo); /* demo */
	free(tab.rows);
	free(tab.totals);
	if (err)
		return 1;
	return 0;
}
