// SPDX-License-Identifier: GPL-2.0
/* cpumap_table.c - the per-CPU table and the trace lines (cpumap_table.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "sample.h"
#include "cpumap_opts.h"
#include "cpumap_table.h"
#include "cpumap.skel.h"

void cpumap_table_title(const struct cpumap_config *cfg, const char *ifname, const char *mode,
			const char *note)
{
	printf("Steering packets on %s (XDP %s) to CPUs", ifname, mode);
	for (__u32 i = 0; i < cfg->set_len; i++)
		printf("%s%u", i ? "," : " ", cfg->set[i]);
	printf(" by policy '%s', qsize %u, second-stage program %s%s\n",
	       cpumap_policy_name(cfg->policy), cfg->qsize, cfg->second_stage ? "on" : "off", note);
	printf("%7s  %5s %10s %10s %8s %12s %10s %10s %10s %7s\n", "time", "cpu", "xdp",
	       "redirected", "missing", "cpumap-prog", "tc-ingress", "tc-egress", "enqueued",
	       "q-full");
	fflush(stdout);
}

static void print_row(const char *t, const char *who, const struct stage_counts *s,
		      const struct xdp_outcome *q)
{
	char b[8][SAMPLE_FMT_LEN];

	printf("%7s  %5s %10s %10s %8s %12s %10s %10s %10s %7s\n", t, who,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s->xdp),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s->redirected),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, s->missing),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, s->cpumap_prog),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, s->tc_ingress),
	       sample_fmt_u64(b[5], SAMPLE_FMT_LEN, s->tc_egress),
	       sample_fmt_u64(b[6], SAMPLE_FMT_LEN, q->sent),
	       sample_fmt_u64(b[7], SAMPLE_FMT_LEN, q->dropped));
}

/* Rows at elapsed_ns: one per CPU that is in the set or counted something,
 * then the total row if total is not NULL. */
static void print_rows(const struct stage_counts *percpu, const struct xdp_outcome *queue,
		       int ncpus, const bool *in_set, __u64 elapsed_ns,
		       const struct stage_counts *total, const struct xdp_outcome *queue_total)
{
	char t[16], cpu[16];

	snprintf(t, sizeof(t), "%.1f", elapsed_ns / 1e9);
	for (int i = 0; i < ncpus; i++) {
		const struct stage_counts *s = &percpu[i];

		if (!(i < CPUMAP_MAX_CPUS && in_set[i]) && !s->xdp && !s->cpumap_prog &&
		    !s->tc_ingress && !s->tc_egress && !queue[i].sent && !queue[i].dropped)
			continue;
		snprintf(cpu, sizeof(cpu), "%d", i);
		print_row(t, cpu, s, &queue[i]);
	}
	if (total)
		print_row(t, "total", total, queue_total);
	fflush(stdout);
}

/* Every CPU's own copy of the PERCPU_ARRAY slot: one lookup returns one struct
 * stage_counts per possible CPU (the CPU a stage ran on is the copy it added
 * to); the rows show them as they are, *sum adds them up. Next to them, from
 * the kernel's xdp_cpumap_enqueue tracepoint: the frames put on each CPU's
 * queue and those dropped because it was full (*q adds them up). */
int cpumap_table_print(struct cpumap *skel, const struct sample_xdp_outcome *outcome,
		       const bool *in_set, __u64 start_ns, bool final, struct stage_counts *sum,
		       struct xdp_outcome *q)
{
	int ncpus = libbpf_num_possible_cpus();
	struct stage_counts percpu[ncpus > 0 ? ncpus : 1];
	struct xdp_outcome queue[ncpus > 0 ? ncpus : 1];
	__u32 zero = 0;
	int err = -EINVAL;

	memset(percpu, 0, sizeof(percpu)); /* valgrind: the kernel fills all of it */
	if (ncpus > 0)
		err = bpf_map__lookup_elem(skel->maps.stage_counts, &zero, sizeof(zero), percpu,
					   sizeof(percpu), 0);
	*q = (struct xdp_outcome){};
	for (int i = 0; i < ncpus && !err; i++) {
		err = sample_xdp_outcome_get(outcome, XDP_OUT_CPU, i, &queue[i]);
		q->sent += queue[i].sent;
		q->dropped += queue[i].dropped;
	}
	if (err) {
		fprintf(stderr, "cpumap: reading the counters failed: %s\n", sample_strerror(err));
		return err;
	}
	sample_percpu_sum(percpu, ncpus, sizeof(*sum), (__u64 *)sum);
	print_rows(percpu, queue, ncpus, in_set, sample_now_ns() - start_ns, final ? sum : NULL, q);
	return 0;
}

int cpumap_trace_line(void *unused, void *data, size_t size)
{
	static const char *stage_names[] = { "XDP       ", "cpumap    ", "tc ingress",
					     "tc egress " };
	const struct cpumap_event *e = data;
	static __u64 first;

	if (size < sizeof(*e) || e->stage > STAGE_TC_EGRESS)
		return 0;
	if (!first)
		first = e->ts_ns;
	printf("trace %12.6f  cpu %-3u [%s] len %u", (e->ts_ns - first) / 1e9, e->cpu,
	       stage_names[e->stage], e->len);
	if (e->stage == STAGE_XDP)
		printf(" -> %s cpu %u", e->action == XDP_REDIRECT ? "cpumap" : "DROP, no entry for",
		       e->target);
	printf("\n");
	return 0;
}
