/* SPDX-License-Identifier: GPL-2.0 */
/* cpumap_table.h - how cpumap prints what it counted: the per-CPU table and
 * the -t trace lines. */
#ifndef CPUMAP_TABLE_H
#define CPUMAP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "cpumap.h"
#include "xdp_outcome.h"

struct cpumap_config;
/* What runs where ("Steering packets on IFACE ... to CPUs ..." and note at
 * the end of that line), then the table's column header. */
void cpumap_table_title(const struct cpumap_config *cfg, const char *ifname, const char *mode,
			const char *note);
struct cpumap;
struct sample_xdp_outcome;
/* Read the counters and print the table's rows at the time since start_ns:
 * per CPU, its own copy of the PERCPU_ARRAY slot stage_counts (one lookup
 * returns them all; the CPU a stage ran on is the copy it added to), and next
 * to it, from the kernel's xdp_cpumap_enqueue tracepoint, the frames that
 * CPU's queue took or dropped because it was full. One row per CPU that is in
 * the set or counted something; with final, the total row. *sum and *q get
 * the totals. 0 or -errno after one line. */
int cpumap_table_print(struct cpumap *skel, const struct sample_xdp_outcome *outcome,
		       const bool *in_set, __u64 start_ns, bool final, struct stage_counts *sum,
		       struct xdp_outcome *q);
/* A ring_buffer__new() callback: one line per stage of a packet. */
int cpumap_trace_line(void *unused, void *data, size_t size);

#endif /* CPUMAP_TABLE_H */
