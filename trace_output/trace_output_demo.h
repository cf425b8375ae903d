/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace_output_demo.h - the demo's own workload: a child process that calls
 * write(/dev/null, 64 bytes) at a known rate, bounded in count. Every write is
 * one event for trace_output, which watches the child's pid.
 *
 * The child waits for trace_output_demo_start() before its first write, so the
 * program is attached and the buffers exist when the first event happens. It
 * stops at its count, when trace_output_demo_close() closes the control pipe,
 * or when the parent dies (PR_SET_PDEATHSIG, and the pipe's other end closing).
 */
#ifndef TRACE_OUTPUT_DEMO_H
#define TRACE_OUTPUT_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#define WRITER_LEN 64 /* bytes per write(): the record's count field */
#define TRACE_OUTPUT_DEMO_RATE 1000 /* writes per second, without -r */
#define TRACE_OUTPUT_DEMO_COUNT 100000 /* writes in all, without -n */

struct trace_output_demo {
	pid_t pid; /* the writer, -1 when none */
	int ctl; /* write end of the control pipe, -1 when closed */
	volatile __u64 *done; /* writes completed, shared with the child */
	bool open; /* forked: this run has a demo writer */
	bool reaped; /* closed: its count is final */
	unsigned long rate, count; /* writes per second, in all */
};
#define TRACE_OUTPUT_DEMO_INIT       \
	{                            \
		.pid = -1, .ctl = -1 \
	}

/* Fork the writer: rate writes per second, count in all (0: the defaults
 * above). It waits for trace_output_demo_start(). *pid receives its pid. 0 or
 * -errno after one line. */
int trace_output_demo_open(struct trace_output_demo *d, unsigned long rate, unsigned long count,
			   __u32 *pid);
/* Let it start writing. 0 or -errno after one line. */
int trace_output_demo_start(struct trace_output_demo *d);
/* Stop it (its count is then final) and reap it (SIGKILL after 2 s). Safe on a
 * demo never opened, and more than once. */
void trace_output_demo_close(struct trace_output_demo *d);
/* The line under the header: "demo writer: pid N, R writes/s of 64 bytes to
 * /dev/null, at most C". */
void trace_output_demo_print(const struct trace_output_demo *d);
/* The summary's first words, "demo writer: N writes; " (N exact once
 * closed), into who: they replace "pid N: " when the demo wrote. */
void trace_output_demo_who(const struct trace_output_demo *d, char *who, size_t len);

#endif /* TRACE_OUTPUT_DEMO_H */
