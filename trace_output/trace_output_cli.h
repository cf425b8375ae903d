/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace_output_cli.h - the command line around the lesson, a part of the tool
 * (kept apart from trace_output_user.c so that main() shows the lesson, not
 * option parsing): trace_output's own options (-m -p -P -B -w, and the demo
 * writer's -r -n, next to the common ones sample_getopt() handles) and their
 * checks, the watched process, the check of each record, and the lines
 * printed before and after the rows. It knows nothing of the demo writer
 * beyond its two options.
 */
#ifndef TRACE_OUTPUT_CLI_H
#define TRACE_OUTPUT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct sample_option;

enum trace_mode { MODE_PERF, MODE_RINGBUF, MODE_RB_OUTPUT };
extern const char *const trace_output_mode_names[]; /* -m: "perf", "ringbuf", "ringbuf-output" */
extern const char *const trace_output_wakeup_names[]; /* -w, by BPF_RB_* value */
extern const struct sample_option trace_output_options[];

struct trace_opts {
	enum trace_mode mode; /* -m */
	__u32 pid; /* -p, 0: the demo writer */
	unsigned long pages; /* -P: perf ring pages per CPU */
	unsigned long rb_size; /* -B: ring buffer bytes */
	unsigned long wakeup; /* -w: 0, BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP */
	bool pages_set, rb_set, wakeup_set;
	unsigned long rate, count; /* demo */
};
#define TRACE_OPTS_INIT                                               \
	{                                                             \
		.mode = MODE_PERF, .pages = 64, .rb_size = 256 * 1024 \
	}

/* One option of trace_output's own (from sample_getopt(), value in arg):
 * 0, or -EINVAL after one line. */
int trace_output_opts_parse(struct trace_opts *t, int opt, const char *arg);
/* After parsing: options of the other mode, or writer options with -p (exit
 * code 2); a -p pid that does not exist; tracefs, where libbpf reads the id of
 * tp/syscalls/sys_enter_write: mounted in a private mount namespace if it is
 * not (said with verbose) (1). 0, or the exit code after one line. */
int trace_output_opts_check(const struct trace_opts *t, bool verbose);

/* A pid that is gone, or a zombie, will write no more: true for -p once the
 * process exited, and for the demo writer once its count is done. */
bool trace_output_pid_gone(__u32 pid);

/* A random cookie for the run (never 0): every record must carry it. */
__u64 trace_output_run_cookie(void);

/* Copy a record out of its buffer into e and check it: its size (perf pads a
 * 48-byte record to 52: at least sizeof(*e)), its pid and the run's cookie.
 * 0, or -EBADMSG after one line. */
struct write_event;
int trace_output_record_copy(struct write_event *e, const void *data, size_t size, __u32 pid,
			     __u64 cookie);

/* The first line: what is traced, through which map, how big it is. */
void trace_output_print_header(const struct trace_opts *t, __u32 pid);

/* What the summary line adds up. */
struct trace_totals {
	__u64 seen; /* writes the program saw (.bss matched) */
	__u64 not_fit; /* records that did not fit (.bss output_failed) */
	__u64 received; /* records user space received and checked */
	bool perf; /* lost = lost_reported (perf) or not_fit (ring buffer) */
	__u64 lost_reported; /* perf: the counts of PERF_RECORD_LOST */
};
/* The last line: who wrote (who: "pid N: ", "pid N (exited): " or the demo
 * writer's count), what the program saw, what did not fit, received + lost;
 * and for perf a note on losses not reported yet. */
void trace_output_print_summary(const char *who, const struct trace_totals *n);

#endif /* TRACE_OUTPUT_CLI_H */
