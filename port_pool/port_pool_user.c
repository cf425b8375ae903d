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
#include "port_pool_demo.h" /* demo */
#include "port_pool_traps.h" /* traps */
#include "port_pool.skel.h"

static const struct sample_option own_options[] = {
	{ 't', "type", "TYPE", "queue (FIFO, the default) or stack (LIFO): the free list" },
	{ 'P', "pool", "PORTS", "ports in the pool, 1 to 4096 (default 256)" },
	{ 'e', "expire", "SECS", "free the port of a flow idle this long (default 30)" },
	{}
};

static const struct sample_cli cli = {
	.name = "port_pool",
	.about = "A NAT source-port allocator on a BPF_MAP_TYPE_QUEUE or BPF_MAP_TYPE_STACK.",
	.demo = "Without -i: a demo, a QUEUE and a STACK pool of 32 ports (-P) side by side,\n" /* demo */
		"the same TCP flows run through both with BPF_PROG_TEST_RUN.", /* demo */
	.iface_help = "allocate ports for the flows IFACE receives (XDP)",
	.options = own_options,
	.examples = "sudo ./port_pool -i eth0 -t stack -P 1024"
		    "      sudo ./port_pool -d 6", /* demo */
};

struct pool {
	struct port_pool *skel;
	const char *type;
	__u32 size;
};

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
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(SAMPLE_XDP_AUTO));
	struct pool pools[2] = { { .type = "queue" }, { .type = "stack" } };
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct pp_demo *demo = NULL; /* demo */
	int prog_fds[2]; /* demo */
	struct port_pool *skel;
	enum bpf_map_type type;
	unsigned long size = 0, idle_s = 30;
	int npools, opt, err = 0, ev, link_fd = -1, claim = -1;
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
	pp_show_traps(); /* traps */

	/* 1. Load: one pool on the user's interface; the demo compares both
	 *    types, side by side, on small pools. */
	npools = 1;
	if (!o.ifname) /* demo */
		npools = 2; /* demo */
	if (!size && !o.ifname) /* demo */
		size = PP_DEMO_POOL; /* demo */
	if (!size)
		size = 256;
	for (int i = 0; i < npools; i++) {
		type = BPF_MAP_TYPE_QUEUE;
		if (!strcmp(pools[i].type, "stack"))
			type = BPF_MAP_TYPE_STACK;
		pools[i].size = size;
		skel = port_pool__open();
		if (!skel) {
			err = sample_load_failed(&o, -errno);
			goto cleanup;
		}
		pools[i].skel = skel;
		/* The free list is a QUEUE in the object: retyped before load,
		 * and both maps sized to the pool. */
		err = bpf_map__set_type(skel->maps.free_ports, type);
		if (err) {
			err = sample_load_failed(&o, err);
			goto cleanup;
		}
		err = bpf_map__set_max_entries(skel->maps.free_ports, size);
		if (err) {
			err = sample_load_failed(&o, err);
			goto cleanup;
		}
		err = bpf_map__set_max_entries(skel->maps.bindings, size);
		if (err) {
			err = sample_load_failed(&o, err);
			goto cleanup;
		}
		err = port_pool__load(skel);
		if (err) {
			err = sample_load_failed(&o, err);
			goto cleanup;
		}
		/* Fill the pool from user space: an update with a NULL key is a push. */
		for (__u32 port = PP_PORT_FIRST; port < PP_PORT_FIRST + size; port++) {
			err = bpf_map__update_elem(skel->maps.free_ports, NULL, 0, &port,
						   sizeof(port), BPF_ANY);
			if (err) {
				fprintf(stderr, "port_pool: filling the pool: %s\n",
					sample_strerror(err));
				goto cleanup;
			}
		}
		prog_fds[i] = bpf_program__fd(skel->progs.port_pool); /* demo */
	}

	/* 2. Attach to the user's interface through a bpf_link (gone with the
	 *    process). */
	if (o.ifname) {
		claim = sample_claim_iface(o.prog, o.ifindex);
		if (claim < 0) {
			err = claim;
			goto cleanup;
		}
		link_fd = bpf_link_create(bpf_program__fd(pools[0].skel->progs.port_pool),
					  o.ifindex, BPF_XDP, &xdp_opts);
		if (link_fd < 0) {
			err = sample_xdp_attach_failed(o.prog, o.ifindex, SAMPLE_XDP_AUTO, -errno);
			goto cleanup;
		}
	}
	if (!o.ifname) /* demo */
		demo = pp_demo_open(prog_fds, npools); /* demo */
	if (!o.ifname && !demo) { /* demo */
		err = -ENOMEM; /* demo */
		goto cleanup; /* demo */
	} /* demo */

	/* 3. Run: one row per pool and -I tick. */
	printf("Ports %u-%u per pool", PP_PORT_FIRST, PP_PORT_FIRST + (__u32)size - 1);
	if (o.ifname)
		printf("; %s", o.ifname);
	if (demo) /* demo */
		printf("; demo: 4 flows end and 4 start per step, 16 start from the third step"); /* demo */
	printf("\n");
	printf("%7s  %-5s %10s %10s %10s %6s  %9s %6s %6s\n", "time", "type", "granted", "freed",
	       "refused", "free", "reuse avg", "min", "max");
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo) /* demo */
			err = pp_demo_step(demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		if (o.ifname)
			expire(pools[0].skel, idle_s * 1000000000ull);
		for (int i = 0; i < npools; i++)
			print_row(&pools[i], (sample_now_ns() - start_ns) / 1e9);
		fflush(stdout);
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 4. Summary. */
	printf("final:\n");
	for (int i = 0; i < npools; i++)
		print_row(&pools[i], (sample_now_ns() - start_ns) / 1e9);

cleanup:
	sample_loop_close(&loop);
	if (link_fd >= 0)
		close(link_fd);
	if (claim >= 0)
		close(claim);
	pp_demo_close(demo); /* demo */
	for (int i = 0; i < 2; i++)
		port_pool__destroy(pools[i].skel);
	return err ? 1 : 0;
}
