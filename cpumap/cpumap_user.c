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
#include "tc.h"
#include "xdp_outcome.h"
#include "cpumap_opts.h"
#include "cpumap_table.h"
#include "cpumap_traps.h" /* traps */
#include "cpumap_demo.h" /* demo */
#include "cpumap.h"
#include "cpumap.skel.h"

static const struct sample_cli cli = {
	.name = "cpumap",
	.about = "Steer packets to CPUs with a BPF_MAP_TYPE_CPUMAP; count each stage per CPU.",
	.demo = "Without -i: a demo in a private netns + veth, with pings and UDP of its own.", /* demo */
	.iface_help = "run on IFACE (no traffic is generated)",
	.options = cpumap_options, /* -p -c -q -X -t: cpumap_opts.c */
	.examples = "sudo ./cpumap -p rr -c 0,1 -d 5        sudo ./cpumap -i eth0 -p hash",
	.xdp_modes = true, /* -S generic, -N native: o.xdp_mode */
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

int main(int argc, char **argv)
{
	struct sample_veth_demo demo = SAMPLE_VETH_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_tc tc_in = { .link_fd = -1 };
	struct sample_tc tc_eg = { .link_fd = -1 };
	struct cpumap_config cfg = CPUMAP_CONFIG_INIT;
	struct sample_xdp_outcome outcome = {};
	struct stage_counts sum = {};
	struct xdp_outcome queues = {};
	struct xdp_outcome in = {};
	struct ring_buffer *rb = NULL;
	struct sample_opts o = {};
	struct cpumap *skel = NULL;
	const char *mode_used = "?";
	const char *note = "";
	int opt, link_fd = -1, rb_fd = -1, err, ev;
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
	if (!o.ifname) { /* demo */
		err = sample_veth_demo_open(&demo, &o, &cpumap_demo_plan); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		note = CPUMAP_DEMO_NOTE; /* demo */
	} /* demo */

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
	err = cpumap_traps_show(skel->maps.cpu_map, cfg.set, cfg.set_len); /* traps */
	if (err) /* traps */
		goto cleanup; /* traps */

	/* 4. Follow what becomes of each redirect: the kernel's XDP tracepoints
	 *    (common/xdp_outcome.h), for this interface and this CPUMAP. */
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

	/* 5. Attach XDP through a bpf_link: the kernel detaches it when the
	 *    link's last fd closes, even on kill -9. Then tc ingress and egress
	 *    (tcx links, common/tc.c). */
	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
	link_fd = bpf_link_create(bpf_program__fd(skel->progs.xdp_to_cpumap), o.ifindex, BPF_XDP,
				  &xdp_opts);
	if (link_fd < 0) {
		err = sample_xdp_attach_failed(o.prog, o.ifindex, o.xdp_mode, -errno);
		goto cleanup;
	}
	mode_used = sample_xdp_mode_used(o.ifindex);
	err = sample_tc_attach(o.prog, skel->progs.tc_ingress, o.ifindex, true, &tc_in);
	if (err)
		goto cleanup;
	err = sample_tc_attach(o.prog, skel->progs.tc_egress, o.ifindex, false, &tc_eg);
	if (err)
		goto cleanup;
	if (cfg.trace) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), cpumap_trace_line, NULL,
				      NULL);
		if (!rb) {
			err = -errno;
			fprintf(stderr, "cpumap: opening the ring buffer failed: %s\n",
				sample_strerror(err));
			goto cleanup;
		}
		rb_fd = ring_buffer__epoll_fd(rb);
	}

	/* 6. Run: a table per -I tick; trace lines as the ring buffer fills. */
	cpumap_table_title(&cfg, o.ifname, mode_used, note);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, rb_fd);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) > 0) {
		if (ev == SAMPLE_TICK && demo.open) { /* demo */
			err = sample_veth_demo_step(&demo); /* demo */
			if (err) /* demo */
				goto cleanup; /* demo */
		} /* demo */
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

	/* 7. Summary: the last trace lines, the table once more with its total. */
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
	if (link_fd >= 0)
		close(link_fd);
	sample_xdp_outcome_close(&outcome);
	cpumap__destroy(skel);
	sample_veth_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
