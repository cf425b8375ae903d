// SPDX-License-Identifier: GPL-2.0
/*
 * cpumap - steer packets to chosen CPUs with a BPF_MAP_TYPE_CPUMAP and show, per
 * CPU, where each stage of a packet's path ran.
 *
 * An XDP program on the interface picks a CPU for every packet (-p: the CPU it
 * runs on, round robin over a CPU set, or a hash of the IP pair) and redirects
 * the frame into the CPUMAP entry of that CPU. The entry's kthread on that CPU
 * runs an optional second XDP program (SEC("xdp/cpumap"), given to the entry
 * through struct bpf_cpumap_val.bpf_prog.fd), builds the skb and hands it to
 * the stack there, so tc ingress runs on the chosen CPU as well. tc egress
 * shows where replies leave. A table prints, per CPU: XDP, redirected, missing
 * entry (dropped), second-stage program, tc ingress, tc egress, and from the
 * kernel's xdp_cpumap_enqueue tracepoint the frames its queue took or dropped.
 *
 *   sudo ./cpumap                   demo: private netns + veth, pings and UDP
 *   sudo ./cpumap -p rr -c 0,1      round robin over CPUs 0 and 1
 *   sudo ./cpumap -i eth0 -p hash   steer what eth0 receives; generates nothing
 *   sudo ./cpumap -t -d 2           also one line per stage per packet
 *
 * Key = CPU id, value = { qsize, program fd }. A CPU without an entry drops the
 * packet; a CPU id that does not exist is refused with ENODEV, one at or past
 * max_entries with E2BIG: it shows both on the live map first.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "tc.h"
#include "xdp_outcome.h"
#include "cpumap_opts.h"
#include "cpumap_table.h"
#include "cpumap.h"
#include "cpumap.skel.h"

/* The demo, per -I tick: 5 echo requests of 56 payload bytes (each comes back
 * as a reply that leaves through tc egress) and 5 UDP datagrams of 100 bytes
 * to a sink (no reply), from the peer netns to the demo's veth. */
static const struct sample_demo_plan demo_plan = {
	.pings = 5,
	.ping_len = 56,
	.udps = 5,
	.udp_len = 100,
};

static const struct sample_cli cli = {
	.name = "cpumap",
	.about = "Steer packets to CPUs with a BPF_MAP_TYPE_CPUMAP; count each stage per CPU.",
	.iface_help = "run on IFACE (no traffic is generated);\n"
		      "default: a private demo netns + veth with its own traffic",
	.options = cpumap_options, /* -p -c -q -X -t -S -N: cpumap_opts.c */
	.examples = "sudo ./cpumap -p rr -c 0,1 -d 5        sudo ./cpumap -i eth0 -p hash",
};

/* One CPUMAP entry per CPU of the set. Each entry starts a kthread
 * (cpumap/<cpu>/map:<id>) bound to that CPU, with a queue of qsize frames. */
static int fill_cpumap(struct cpumap *skel, const struct cpumap_config *cfg)
{
	for (__u32 i = 0; i < cfg->set_len; i++) {
		struct bpf_cpumap_val val = { .qsize = cfg->qsize };
		const __u32 *cpu = &cfg->set[i];
		int err;

		if (cfg->second_stage)
			val.bpf_prog.fd = bpf_program__fd(skel->progs.cpumap_stage2);
		err = bpf_map__update_elem(skel->maps.cpu_map, cpu, sizeof(*cpu), &val, sizeof(val),
					   0);
		if (err) {
			fprintf(stderr,
				"cpumap: adding CPU %u to the CPUMAP failed: %s (%s); "
				"this machine's CPUs are 0-%d, pick from them with -c\n",
				*cpu, sample_strerror(err), cpumap_update_hint(err),
				libbpf_num_possible_cpus() - 1);
			return err;
		}
	}
	return 0;
}

/* An update the kernel must refuse with want: prints what it answered. */
static int refused(struct cpumap *skel, __u32 key, int want, const char *why)
{
	struct bpf_cpumap_val val = { .qsize = CPUMAP_DEFAULT_QSIZE };
	int err = bpf_map__update_elem(skel->maps.cpu_map, &key, sizeof(key), &val, sizeof(val), 0);

	printf("  update key %-3u -> %s: %s\n", key, err ? sample_strerror(err) : "ok (unexpected)",
	       why);
	return err == want ? 0 : err ? err : -EINVAL;
}

/* The CPUMAP's traps, on the live map before any packet: a lookup returns the
 * qsize and the id (not the fd) of the second-stage program; an absent CPU is
 * ENODEV, a key >= max_entries is E2BIG. */
static int show_cpumap_traps(struct cpumap *skel, const struct cpumap_config *cfg)
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	char why[32];

	printf("BPF_MAP_TYPE_CPUMAP, on the live map (max_entries %d, this machine has %d CPUs):\n",
	       CPUMAP_MAX_CPUS, ncpus);
	for (__u32 i = 0; i < cfg->set_len && !err; i++) {
		struct bpf_cpumap_val got = {};

		err = bpf_map__lookup_elem(skel->maps.cpu_map, &cfg->set[i], sizeof(cfg->set[i]),
					   &got, sizeof(got), 0);
		if (!err)
			printf("  lookup key %-3u -> qsize %u, second-stage prog id %u\n",
			       cfg->set[i], got.qsize, got.bpf_prog.id);
	}
	snprintf(why, sizeof(why), "CPU %d does not exist", ncpus);
	if (err)
		return err;
	if (ncpus < CPUMAP_MAX_CPUS) {
		err = refused(skel, ncpus, -ENODEV, why);
		if (err)
			return err;
	}
	err = refused(skel, CPUMAP_MAX_CPUS, -E2BIG, "key >= max_entries");
	if (err)
		return err;
	printf("  a CPU of the set without an entry would drop its packets (column 'missing')\n\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct sample_veth_demo demo = SAMPLE_VETH_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_tc tc_in = { .link_fd = -1 }, tc_eg = { .link_fd = -1 };
	struct cpumap_config cfg = CPUMAP_CONFIG_INIT;
	struct sample_xdp_outcome outcome = {};
	struct stage_counts sum = {};
	struct xdp_outcome queues = {}, in = {};
	struct ring_buffer *rb = NULL;
	struct sample_opts o = {};
	struct cpumap *skel = NULL;
	const char *mode_used = "?";
	int opt, xdp_fd = -1, err, ev;
	__u64 start_ns;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1)
		if (cpumap_option(&cfg, o.prog, opt, optarg))
			return 2;

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	cpumap_config_done(&cfg); /* the default CPU set: every online CPU */

	/* 1. Where: the user's interface, or the demo's veth with traffic of its own. */
	if (!o.ifname) {
		err = sample_veth_demo_open(&demo, &o, &demo_plan);
		if (err)
			goto cleanup;
	}

	/* 2. Open, set the policy and the CPU set (rodata), load. */
	skel = cpumap__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->policy = cfg.policy;
	for (__u32 i = 0; i < cfg.set_len; i++)
		skel->rodata->cpu_set[i] = cfg.set[i];
	skel->rodata->cpu_set_len = cfg.set_len;
	skel->rodata->trace = cfg.trace;
	err = cpumap__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. The CPUMAP entries: one kthread per CPU of the set. */
	err = fill_cpumap(skel, &cfg);
	if (err)
		goto cleanup;
	err = show_cpumap_traps(skel, &cfg);
	if (err) {
		fprintf(stderr, "cpumap: the CPUMAP did not answer as documented: %s\n",
			sample_strerror(err));
		goto cleanup;
	}

	/* 4. Attach: XDP and tcx through links, gone with the process; and the
	 *    kernel's XDP tracepoints, to see what became of each redirect. */
	err = sample_xdp_outcome_open(&outcome, o.prog, skel->obj);
	if (err)
		goto cleanup;
	err = sample_xdp_outcome_watch(&outcome, o.ifindex);
	if (!err)
		err = sample_xdp_outcome_watch_cpumap(&outcome, skel->maps.cpu_map);
	if (err) {
		fprintf(stderr, "cpumap: watching the XDP tracepoints failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}
	xdp_fd = sample_xdp_attach(o.prog, skel->progs.xdp_to_cpumap, o.ifindex, cfg.xdp_mode,
				   &mode_used);
	if (xdp_fd < 0) {
		err = xdp_fd;
		goto cleanup;
	}
	err = sample_tc_attach(o.prog, skel->progs.tc_ingress, o.ifindex, true, &tc_in);
	if (err)
		goto cleanup;
	err = sample_tc_attach(o.prog, skel->progs.tc_egress, o.ifindex, false, &tc_eg);
	if (err)
		goto cleanup;
	if (cfg.trace && !(rb = ring_buffer__new(bpf_map__fd(skel->maps.events), cpumap_trace_line,
						 NULL, NULL))) {
		err = -errno;
		fprintf(stderr, "cpumap: opening the ring buffer failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}

	/* 5. Run: a table per -I tick; trace lines as the ring buffer fills. */
	cpumap_table_title(&cfg, o.ifname, mode_used, demo.open);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, rb ? ring_buffer__epoll_fd(rb) : -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) > 0) {
		if (ev == SAMPLE_TICK && demo.open) {
			err = sample_veth_demo_step(&demo);
			if (err)
				goto cleanup;
		}
		if (rb && ring_buffer__consume(rb) >= 0)
			fflush(stdout);
		if (ev == SAMPLE_TICK) {
			err = cpumap_table_print(skel, &outcome, cfg.in_set, start_ns, false, &sum,
						 &queues);
			if (err)
				goto cleanup;
		}
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 6. Summary: the last trace lines, the table once more with its total. */
	if (rb)
		ring_buffer__consume(rb);
	printf("final:\n");
	err = cpumap_table_print(skel, &outcome, cfg.in_set, start_ns, true, &sum, &queues);
	if (err)
		goto cleanup;
	err = sample_xdp_outcome_get(&outcome, XDP_OUT_INGRESS, o.ifindex, &in);
	if (err)
		goto cleanup;
	printf("summary: %llu packets dropped for a missing CPU entry, %llu on a full CPU queue; "
	       "%s: %llu redirects refused, %llu aborted\n",
	       (unsigned long long)sum.missing, (unsigned long long)queues.dropped, o.ifname,
	       (unsigned long long)in.redirect_err, (unsigned long long)in.exceptions);

cleanup:
	sample_loop_close(&loop);
	ring_buffer__free(rb);
	sample_tc_detach(&tc_eg);
	sample_tc_detach(&tc_in);
	if (xdp_fd >= 0)
		close(xdp_fd);
	sample_xdp_outcome_close(&outcome);
	cpumap__destroy(skel);
	sample_veth_demo_close(&demo); /* prints "demo sent: ..." */
	return err ? 1 : 0;
}
