// SPDX-License-Identifier: GPL-2.0
/* cpumap_table.c - the per-CPU table and the trace lines (cpumap_table.h). */
#include <stdio.h>
#include <linux/bpf.h>

#include "sample.h"
#include "cpumap_opts.h"
#include "cpumap_table.h"

void cpumap_table_title(const struct cpumap_config *cfg, const char *ifname, const char *mode,
			bool demo)
{
	printf("Steering packets on %s (XDP %s) to CPUs", ifname, mode);
	for (__u32 i = 0; i < cfg->set_len; i++)
		printf("%s%u", i ? "," : " ", cfg->set[i]);
	printf(" by policy '%s', qsize %u, second-stage program %s%s\n",
	       cpumap_policy_name(cfg->policy), cfg->qsize, cfg->second_stage ? "on" : "off",
	       demo ? "; demo traffic: pings and UDP from the peer netns" : "");
	printf("%7s  %5s %10s %10s %8s %12s %10s %10s\n", "time", "cpu", "xdp", "redirected",
	       "missing", "cpumap-prog", "tc-ingress", "tc-egress");
	fflush(stdout);
}

static void print_row(const char *t, const char *who, const struct stage_counts *s)
{
	char b[6][SAMPLE_FMT_LEN];

	printf("%7s  %5s %10s %10s %8s %12s %10s %10s\n", t, who,
	       sample_fmt_u64(b[0], SAMPLE_FMT_LEN, s->xdp),
	       sample_fmt_u64(b[1], SAMPLE_FMT_LEN, s->redirected),
	       sample_fmt_u64(b[2], SAMPLE_FMT_LEN, s->missing),
	       sample_fmt_u64(b[3], SAMPLE_FMT_LEN, s->cpumap_prog),
	       sample_fmt_u64(b[4], SAMPLE_FMT_LEN, s->tc_ingress),
	       sample_fmt_u64(b[5], SAMPLE_FMT_LEN, s->tc_egress));
}

void cpumap_table_rows(const struct stage_counts *percpu, int ncpus, const bool *in_set,
		       __u64 elapsed_ns, const struct stage_counts *total)
{
	char t[16], cpu[16];

	snprintf(t, sizeof(t), "%.1f", elapsed_ns / 1e9);
	for (int i = 0; i < ncpus; i++) {
		const struct stage_counts *s = &percpu[i];

		if (!(i < CPUMAP_MAX_CPUS && in_set[i]) && !s->xdp && !s->cpumap_prog &&
		    !s->tc_ingress && !s->tc_egress)
			continue;
		snprintf(cpu, sizeof(cpu), "%d", i);
		print_row(t, cpu, s);
	}
	if (total)
		print_row(t, "total", total);
	fflush(stdout);
}

int cpumap_trace_line(void *unused, void *data, size_t size)
{
	static const char *stage_names[] = { "XDP       ", "cpumap    ", "tc ingress", "tc egress " };
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
