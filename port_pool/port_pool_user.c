// SPDX-License-Identifier: GPL-2.0
/*
 * port_pool - a NAT source-port allocator whose free ports live in a
 * BPF_MAP_TYPE_QUEUE (FIFO) or BPF_MAP_TYPE_STACK (LIFO).
 *
 * An XDP program gives every new TCP/UDP flow a port popped from the free
 * list and pushes it back when the flow ends (TCP FIN or RST); user space
 * pushes back the ports of flows that went idle. A QUEUE hands a freed port
 * out last: a new flow does not get a port whose old flow may still have
 * packets in flight or TIME_WAIT state at the peer. A STACK hands it out first:
 * the entry most recently touched, still in cache. The "reuse distance" (how
 * many grants since the port was freed) shows the difference.
 *
 *   sudo ./port_pool          demo: a QUEUE and a STACK pool of 32 ports, same flows
 *   sudo ./port_pool -i eth0 -t stack -P 1024   real traffic on eth0
 *
 * First it shows the user-space API of these keyless maps on scratch maps.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "port_pool.h"
#include "port_pool_demo.h"
#include "port_pool.skel.h"

static const struct sample_option own_options[] = {
	{ 't', "type", "TYPE", "queue (FIFO, the default) or stack (LIFO): the free list" },
	{ 'P', "pool", "PORTS", "ports in the pool, 1 to 4096 (default 256; the demo's: 32)" },
	{ 'e', "expire", "SECS", "free the port of a flow idle this long (default 30)" },
	{}
};

static const struct sample_cli cli = {
	.name = "port_pool",
	.about = "A NAT source-port allocator on a BPF_MAP_TYPE_QUEUE or BPF_MAP_TYPE_STACK.",
	.iface_help = "allocate ports for the flows IFACE receives (XDP);\n"
		      "default: a demo, a QUEUE and a STACK pool side by side",
	.options = own_options,
	.examples = "sudo ./port_pool -d 6      sudo ./port_pool -i eth0 -t stack -P 1024",
};

struct pool {
	struct port_pool *skel;
	const char *type;
	__u32 size;
};

/* The API of a keyless map, on a scratch map of 3 entries. */
static void show_traps(enum bpf_map_type type, const char *name)
{
	int fd = bpf_map_create(type, NULL, 0, sizeof(__u32), 3, NULL), err;
	__u32 v;

	printf("BPF_MAP_TYPE_%s, 3 entries, no key (key_size 0: pass NULL):\n", name);
	for (v = 1; v <= 3 && fd >= 0; v++)
		bpf_map_update_elem(fd, NULL, &v, BPF_ANY);
	err = bpf_map_update_elem(fd, NULL, &v, BPF_ANY) ? -errno : 0;
	printf("  push 1 2 3, push 4           -> %s: full\n", sample_errname(err));
	err = bpf_map_update_elem(fd, NULL, &v, BPF_EXIST) ? -errno : 0;
	printf("  push 4 with BPF_EXIST        -> %s: the oldest (1) is overwritten\n",
	       err ? sample_errname(err) : "ok");
	err = bpf_map_lookup_elem(fd, NULL, &v) ? -errno : 0;
	printf("  peek (lookup, NULL key)      -> %u, still there\n  pop all (lookup_and_delete)  ->",
	       err ? 0 : v);
	while (!bpf_map_lookup_and_delete_elem(fd, NULL, &v))
		printf(" %u", v);
	err = -errno;
	printf(", then %s: empty\n\n", sample_errname(err));
	if (fd >= 0)
		close(fd);
}

/* Load one pool: the free list retyped before load, then filled from user space. */
static struct port_pool *load_pool(const struct sample_opts *o, enum bpf_map_type type, __u32 size)
{
	struct port_pool *skel = port_pool__open();
	int err;

	if (!skel) {
		sample_load_failed(o, -errno);
		return NULL;
	}
	if ((err = bpf_map__set_type(skel->maps.free_ports, type)) ||
	    (err = bpf_map__set_max_entries(skel->maps.free_ports, size)) ||
	    (err = bpf_map__set_max_entries(skel->maps.bindings, size)) ||
	    (err = port_pool__load(skel))) {
		sample_load_failed(o, err);
		port_pool__destroy(skel);
		return NULL;
	}
	for (__u32 port = PP_PORT_FIRST; port < PP_PORT_FIRST + size; port++)
		if ((err = bpf_map__update_elem(skel->maps.free_ports, NULL, 0, &port, sizeof(port),
						BPF_ANY))) {
			fprintf(stderr, "port_pool: filling the pool: %s\n", sample_strerror(err));
			port_pool__destroy(skel);
			return NULL;
		}
	return skel;
}

static __u64 counter(struct port_pool *skel, __u32 idx)
{
	__u64 v = 0; /* stays 0 if the lookup fails */

	bpf_map__lookup_elem(skel->maps.counters, &idx, sizeof(idx), &v, sizeof(v), 0);
	return v;
}

/* Push back the ports of flows idle for max_idle_ns, from user space: an
 * update with a NULL key is a push. Returns how many. */
static int expire(struct port_pool *skel, __u64 max_idle_ns)
{
	struct pp_flow key, next;
	struct pp_binding b;
	__u64 now = sample_now_ns(), granted = counter(skel, PP_GRANTED) + 1, freed;
	__u32 idx = PP_FREED_USER, slot;
	int n = 0;

	for (int err = bpf_map__get_next_key(skel->maps.bindings, NULL, &next, sizeof(next)); !err;
	     err = bpf_map__get_next_key(skel->maps.bindings, &key, &next, sizeof(next))) {
		key = next;
		if (bpf_map__lookup_elem(skel->maps.bindings, &key, sizeof(key), &b, sizeof(b),
					 0) ||
		    now - b.last_ns < max_idle_ns ||
		    bpf_map__delete_elem(skel->maps.bindings, &key, sizeof(key), 0))
			continue;
		slot = b.port - PP_PORT_FIRST;
		bpf_map__update_elem(skel->maps.freed_at, &slot, sizeof(slot), &granted,
				     sizeof(granted), BPF_ANY);
		if (!bpf_map__update_elem(skel->maps.free_ports, NULL, 0, &b.port, sizeof(b.port),
					  0))
			n++;
	}
	freed = counter(skel, PP_FREED_USER) + n;
	bpf_map__update_elem(skel->maps.counters, &idx, sizeof(idx), &freed, sizeof(freed), 0);
	return n;
}

static void print_row(const struct pool *p, double t)
{
	__u64 g = counter(p->skel, PP_GRANTED), r = counter(p->skel, PP_REUSED);
	__u64 freed = counter(p->skel, PP_FREED_BPF) + counter(p->skel, PP_FREED_USER);
	char b[4][SAMPLE_FMT_LEN];

	printf("%7.1f  %-5s %10s %10s %10s %6llu  %9.1f %6llu %6llu\n", t, p->type,
	       sample_fmt_u64(b[0], sizeof(b[0]), g), sample_fmt_u64(b[1], sizeof(b[1]), freed),
	       sample_fmt_u64(b[2], sizeof(b[2]), counter(p->skel, PP_REFUSED)),
	       (unsigned long long)(p->size - (g - freed)),
	       r ? (double)counter(p->skel, PP_DIST_SUM) / r : 0.0,
	       (unsigned long long)counter(p->skel, PP_DIST_MIN),
	       (unsigned long long)counter(p->skel, PP_DIST_MAX));
}

int main(int argc, char **argv)
{
	struct pool pools[2] = { { .type = "queue" }, { .type = "stack" } };
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct pp_demo *demo = NULL;
	unsigned long size = 0, idle_s = 30;
	int npools, opt, err = 0, ev, link = -1, claim = -1, prog_fds[2];
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 't':
			if (strcmp(optarg, "queue") && strcmp(optarg, "stack")) {
				fprintf(stderr, "port_pool: -t takes queue or stack, not '%s'\n",
					optarg);
				return 2;
			}
			pools[0].type = optarg;
			break;
		case 'P':
			if (sample_parse_uint(o.prog, 'P', optarg, 1, PP_MAX_POOL, &size))
				return 2;
			break;
		case 'e':
			if (sample_parse_uint(o.prog, 'e', optarg, 1, 86400, &idle_s))
				return 2;
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
	show_traps(BPF_MAP_TYPE_QUEUE, "QUEUE");
	show_traps(BPF_MAP_TYPE_STACK, "STACK");

	/* 1. Load: the demo compares both types on small pools; -i runs one. */
	npools = o.ifname ? 1 : 2;
	size = size ? size : o.ifname ? 256 : PP_DEMO_POOL;
	for (int i = 0; i < npools; i++) {
		pools[i].size = size;
		pools[i].skel = load_pool(&o,
					  strcmp(pools[i].type, "stack") ? BPF_MAP_TYPE_QUEUE :
									   BPF_MAP_TYPE_STACK,
					  size);
		if (!pools[i].skel && (err = -EINVAL))
			goto cleanup;
		prog_fds[i] = bpf_program__fd(pools[i].skel->progs.port_pool);
	}

	/* 2. Attach to the user's interface, or drive the demo's frames. */
	if (o.ifname) {
		if ((err = claim = sample_claim_iface(o.prog, o.ifindex)) < 0 ||
		    (err = link = sample_xdp_attach(o.prog, pools[0].skel->progs.port_pool,
						    o.ifindex, SAMPLE_XDP_AUTO, NULL)) < 0)
			goto cleanup;
	} else if (!(demo = pp_demo_open(prog_fds, npools))) {
		err = -ENOMEM;
		goto cleanup;
	}

	/* 3. Run: one row per pool and -I tick. */
	printf("Ports %u-%u per pool; %s\n", PP_PORT_FIRST, PP_PORT_FIRST + (__u32)size - 1,
	       demo ? "demo: 4 flows end and 4 start per step, 16 start from the third step" :
		      o.ifname);
	printf("%7s  %-5s %10s %10s %10s %6s  %9s %6s %6s\n", "time", "type", "granted", "freed",
	       "refused", "free", "reuse avg", "min", "max");
	start_ns = sample_now_ns();
	if ((err = sample_loop_open(&loop, &o, -1)))
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo && (err = pp_demo_step(demo)))
			goto cleanup;
		if (!demo)
			expire(pools[0].skel, idle_s * 1000000000ull);
		for (int i = 0; i < npools; i++)
			print_row(&pools[i], (sample_now_ns() - start_ns) / 1e9);
		fflush(stdout);
	}
	if ((err = ev))
		goto cleanup;

	/* 4. Summary. */
	printf("final:\n");
	for (int i = 0; i < npools; i++)
		print_row(&pools[i], (sample_now_ns() - start_ns) / 1e9);

cleanup:
	sample_loop_close(&loop);
	if (link >= 0)
		close(link);
	if (claim >= 0)
		close(claim);
	pp_demo_close(demo);
	for (int i = 0; i < npools; i++)
		port_pool__destroy(pools[i].skel);
	return err ? 1 : 0;
}
