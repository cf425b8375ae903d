/* SPDX-License-Identifier: GPL-2.0 */
/* cpumap_table.h - how cpumap prints what it counted: the per-CPU table and
 * the -t trace lines. */
#ifndef CPUMAP_TABLE_H
#define CPUMAP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "cpumap.h"

struct cpumap_config;
/* What runs where ("Steering packets on IFACE ... to CPUs ..."), then the
 * table's column header. */
void cpumap_table_title(const struct cpumap_config *cfg, const char *ifname, const char *mode,
			bool demo);
/* Rows at `elapsed_ns`: one per CPU (percpu[0..ncpus-1]) that is in the set
 * or counted something, then the total row if total is not NULL. */
void cpumap_table_rows(const struct stage_counts *percpu, int ncpus, const bool *in_set,
		       __u64 elapsed_ns, const struct stage_counts *total);
/* A ring_buffer__new() callback: one line per stage of a packet. */
int cpumap_trace_line(void *unused, void *data, size_t size);

#endif /* CPUMAP_TABLE_H */
