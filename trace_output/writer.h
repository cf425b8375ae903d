/* SPDX-License-Identifier: GPL-2.0 */
/*
 * writer.h - the demo's own traffic: a child process that calls
 * write(/dev/null, 64 bytes) at a known rate, bounded in count.
 *
 * The child waits for writer_go() before its first write, so the program is
 * attached and the buffers exist when the first event happens. It stops at
 * its count, when writer_stop() closes the control pipe, or when the parent
 * dies (PR_SET_PDEATHSIG, and the pipe's other end closing).
 */
#ifndef TRACE_OUTPUT_WRITER_H
#define TRACE_OUTPUT_WRITER_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#define WRITER_LEN	64	/* bytes per write(): the record's count field */

struct writer {
	pid_t pid;		/* the child, -1 when none */
	int ctl;		/* write end of the control pipe, -1 when closed */
	volatile __u64 *done;	/* writes completed, shared with the child */
	bool exited;		/* reaped */
};

/* Fork the writer (it waits for writer_go()). Returns 0 or -errno. */
int writer_start(struct writer *w, unsigned long rate, unsigned long count);
/* Let it start writing. */
int writer_go(struct writer *w);
/* true once the child has exited by itself (its count is done). */
bool writer_finished(struct writer *w);
/* Stop it and reap it (SIGKILL after 2 s). Safe to call more than once. */
void writer_stop(struct writer *w);
/* Writes completed so far (exact once stopped). */
__u64 writer_writes(const struct writer *w);

#endif /* TRACE_OUTPUT_WRITER_H */
