/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/sample.h - the user-side helper every sample shares.
 *
 * Small and flat: functions return 0 (or a count/fd) on success and -errno on
 * failure, keep no global state (except the libbpf print hook, which libbpf
 * itself keeps globally), and print nothing unless the function is a printer.
 *
 *   sample_getopt()        the common options (-i -d -I -v -h) and the sample's
 *   sample_parse_args()    own, one usage text, privileges checked (options.c)
 *   sample_ifindex()       interface by name or number, with a readable error
 *   sample_ifindexes()     a list of interfaces, each once (compared by ifindex)
 *   sample_load_failed()   the one message for a skeleton that did not load
 *   sample_iface_mac()     an interface's own MAC
 *   sample_xdp_attach()    XDP through a bpf_link: gone when the process dies
 *   sample_claim_iface()   one instance of a sample per interface
 *   sample_percpu_lookup() a per-CPU value, summed over the CPUs in user space
 *   sample_loop_open()     the run loop: sample_wait() returns at each -I tick
 *   sample_wait()          and stops on SIGINT/SIGTERM or the -d bound
 *   sample_veth_demo_*()   the demo topology: private netns + veth (demo.h)
 */
#ifndef SAMPLE_H
#define SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <net/if.h>

struct bpf_map;
struct bpf_program;

/* ---- process setup ------------------------------------------------------ */

/* Route libbpf's messages to stderr (debug level too when verbose), block
 * SIGINT/SIGTERM so that sample_wait() receives them through a signalfd, and try
 * to lift RLIMIT_MEMLOCK (needed before kernel 5.11; harmless if refused). */
int sample_init(bool verbose);

/* 0 if this process may load BPF programs and manage the network (root, or
 * CAP_BPF + CAP_NET_ADMIN, or CAP_SYS_ADMIN); otherwise prints one line naming
 * the fix and returns -EPERM. */
int sample_check_privileges(const char *prog);

/* strerror() for a negative or positive errno, with the BPF-specific hints a
 * user needs (EPERM, E2BIG, EBUSY, EOPNOTSUPP ...) left to the caller. */
const char *sample_strerror(int err);

/* The errno's name ("ENOENT", "E2BIG" ...) for a negative or positive errno,
 * as the kernel documentation spells it; "E?" for one it does not know. */
const char *sample_errname(int err);

/* ---- options ------------------------------------------------------------ */

/* The options every sample has, filled by sample_getopt(). */
struct sample_opts {
	const char *prog;		/* the tool's name, for every message */
	const char *ifname;		/* -i IFACE; NULL: run the no-argument demo */
	int ifindex;			/* -i resolved (sample_getopt() checked it exists) */
	unsigned int duration_s;	/* -d SECS, 0 = until Ctrl-C */
	unsigned int interval_ms;	/* -I SECS, default 1000 */
	bool verbose;			/* -v: libbpf's debug log */
	int xdp_mode;			/* -S / -N (enum sample_xdp_mode), with .xdp_modes */
};

/* One option of a sample's own, for getopt_long() and for -h. */
struct sample_option {
	char key;		/* the short option letter */
	const char *name;	/* the long option */
	const char *arg;	/* the value's name in -h ("MODE"), NULL for a flag */
	const char *help;	/* its line(s) in -h; '\n' starts an indented line */
};

/* What -h prints, and which options the sample takes. */
struct sample_cli {
	const char *name;	/* the tool's name */
	const char *about;	/* one line: what it does */
	const char *args;	/* positional arguments ("[IFACE...]"), NULL for none */
	const char *args_help;	/* what they mean, printed under the first line */
	const char *iface_help;	/* -i IFACE's help; NULL: the sample has no -i */
	const struct sample_option *options;	/* the sample's own, ending with {} */
	const char *examples;	/* after "Example: " */
	bool xdp_modes;		/* -S (generic) and -N (native) into o->xdp_mode */
};

/* getopt_long() over the common options and cli->options. Handles -i -d -I -v
 * -h itself (-h prints the usage and exits 0; a bad value or unknown option
 * prints one line and exits 2) and returns each of the sample's own options
 * (its value in optarg), then -1 when parsing is over. Before returning -1 it
 * rejects stray arguments (unless cli->args), calls sample_init(), checks the
 * privileges and resolves -i (one line and exit 1 on failure). o must start
 * zeroed: struct sample_opts o = {}; */
int sample_getopt(const struct sample_cli *cli, int argc, char **argv, struct sample_opts *o);
/* The same for a sample without options of its own. */
void sample_parse_args(const struct sample_cli *cli, int argc, char **argv, struct sample_opts *o);
/* The usage text sample_getopt() prints for -h. */
void sample_usage(const struct sample_cli *cli, FILE *f);

/* One line "<prog>: loading the BPF object failed: <why> (run with -v ...)"
 * for a skeleton's __open_and_load() or __load() that failed; returns err. */
int sample_load_failed(const struct sample_opts *o, int err);

/* ---- parsing values ------------------------------------------------------ */

/* arg as one of the n words (any case; "" entries are skipped): its index, or
 * -1 after "<prog>: invalid value 'x' for -<opt>: expected w1, w2 or w3". */
int sample_parse_word(const char *prog, char opt, const char *arg, const char *const *words,
		      int n);

/* Parse an unsigned decimal number in [min, max]. On failure prints
 * "<prog>: invalid value 'x' for -<opt>: expected a number from min to max"
 * and returns -EINVAL. */
int sample_parse_uint(const char *prog, char opt, const char *arg,
		      unsigned long min, unsigned long max, unsigned long *out);

/* For getopt_long() called with an optstring that starts with ':': prints one
 * line for an unknown option or a missing value and returns 2 (the exit code). */
int sample_getopt_error(const char *prog, int opt, char **argv);

/* Parse an interval in seconds, decimals allowed ("0.5"), 0.01 to 3600, into
 * milliseconds. Prints one line and returns -EINVAL on bad input. */
int sample_parse_interval(const char *prog, const char *arg, unsigned int *ms);

/* Resolve an interface given by name (or by index as a number). Returns the
 * ifindex, or -ENODEV / -ENAMETOOLONG after printing one line naming the cause. */
int sample_ifindex(const char *prog, const char *name);

/* Resolve n interfaces (names or numbers) into ifindexes. One line and -errno
 * for an unknown one, or for one given twice: compared by ifindex, so "eth0"
 * and eth0's number are the same interface. */
int sample_ifindexes(const char *prog, char *const names[], int n, int *ifindexes);

/* The interface's own MAC (SIOCGIFHWADDR), in the calling thread's netns.
 * 0, -EPFNOSUPPORT if it is not an Ethernet interface (mac untouched), or
 * -errno. Prints nothing. */
int sample_iface_mac(const char *ifname, __u8 mac[6]);

/* ---- output ------------------------------------------------------------- */

/* 1234567 -> "1,234,567". buf must hold at least 27 bytes. */
const char *sample_fmt_u64(char *buf, size_t len, unsigned long long v);
#define SAMPLE_FMT_LEN 32

/* ---- XDP attach --------------------------------------------------------- */

enum sample_xdp_mode {
	SAMPLE_XDP_AUTO = 0,	/* native if the driver has it, else generic */
	SAMPLE_XDP_NATIVE,	/* -N: driver mode or fail */
	SAMPLE_XDP_GENERIC,	/* -S: skb mode, works everywhere, slower */
};

/* Attach prog to ifindex as a bpf_link (kernel >= 5.9): the kernel detaches it
 * when the last fd to the link closes, so even kill -9 leaves nothing behind.
 * Returns the link fd (>= 0) or -errno after printing the cause: EBUSY when the
 * interface already has an XDP program, EOPNOTSUPP when native mode is asked
 * for and the driver has none. *mode_used (may be NULL) receives "native" or
 * "generic" as the kernel reports it. Close the fd to detach. */
int sample_xdp_attach(const char *prog_name, struct bpf_program *prog, int ifindex,
		      enum sample_xdp_mode mode, const char **mode_used);

/* ---- socket filters ------------------------------------------------------ */

/* A raw packet socket (AF_PACKET, ETH_P_ALL) on o->ifindex, created in the
 * calling thread's netns, with prog_fd attached as its filter before it is
 * bound: from the moment it is bound every frame the interface sends or
 * receives runs the program, and nothing is queued on the socket (the
 * program's return value 0 keeps it all out). The filter lives as long as the
 * socket. Returns the fd, or -errno after one line naming the interface. */
struct sample_opts;
int sample_packet_socket(const struct sample_opts *o, int prog_fd);

/* ---- one instance per interface ---------------------------------------- */

/* Claim "<prog> on ifindex" for the life of the process, so that a second
 * instance of the same sample on the same interface refuses to start. The
 * kernel happily runs two socket filters or two tcx programs side by side (and
 * the two would split or double the counts); for XDP it refuses the second
 * link itself, but this says who holds the interface.
 *
 * The claim is an abstract AF_UNIX socket named "bpf-map-samples/<prog>/<ifindex>":
 * no file, released by the kernel when the process dies (even on kill -9), and
 * per network namespace, like the ifindex it names. Returns the socket fd (keep
 * it open; close it or exit to release), or -EBUSY after printing "<prog>:
 * another <prog> is already running on IFACE (pid N)", or another -errno after
 * one line. */
int sample_claim_iface(const char *prog, int ifindex);

/* ---- per-CPU maps ------------------------------------------------------- */

/* A lookup in a per-CPU map copies one value per *possible* CPU, each padded to
 * 8 bytes: the buffer must hold ncpus * round_up(value_size, 8) bytes. */
static inline size_t sample_percpu_stride(size_t value_size)
{
	return (value_size + 7) & ~(size_t)7;
}

/* Sum a per-CPU value made only of __u64 counters: out[i] = sum over CPUs of
 * field i. values is what bpf_map_lookup_elem() returned for a per-CPU map. */
void sample_percpu_sum(const void *values, int ncpus, size_t value_size, __u64 *out);

/* Look key up in a per-CPU map whose value is made of __u64 counters and sum
 * each field over the possible CPUs: out[i] = field i of every CPU's copy
 * added up. bpf_map__lookup_elem() checks the sizes. 0 or -errno (-ENOENT for
 * a key that is not there). */
int sample_percpu_lookup(const struct bpf_map *map, const void *key, __u64 *out);

/* ---- run loop ----------------------------------------------------------- */

/* The loop every sample's main() shows:
 *
 *	sample_loop_open(&loop, &o, -1);
 *	while ((ev = sample_wait(&loop)) == SAMPLE_TICK)
 *		print_row();
 *
 * A signalfd for SIGINT/SIGTERM (blocked by sample_init(), so one that came
 * during setup is not lost), a timerfd for the -I ticks, the -d deadline, and
 * optionally one fd of the sample's own (a ring buffer's epoll fd). A run of
 * -d N -I S gives exactly N/S ticks (rounded down), however late the process
 * gets the CPU: each expiration of the timer is one tick (without -d, several
 * read at once are one), and the deadline, taken after the timer is armed,
 * stops the loop only once each tick it covers has been returned. */
struct sample_loop {
	int sig_fd, timer_fd, extra_fd;
	__u64 deadline_ns;
	__u64 ticks_owed;	/* with -d: ticks still due before the run ends */
	__u64 ticks_ready;	/* timer expirations read, not yet returned */
};
#define SAMPLE_LOOP_INIT { .sig_fd = -1, .timer_fd = -1, .extra_fd = -1 }

enum {
	SAMPLE_STOP = 0,	/* SIGINT, SIGTERM or the -d bound: leave the loop */
	SAMPLE_TICK = 1,	/* an -I interval is over */
	SAMPLE_READY = 2,	/* extra_fd is readable */
};

/* 0 or -errno; extra_fd may be -1. */
int sample_loop_open(struct sample_loop *l, const struct sample_opts *o, int extra_fd);
/* Sleep until the next event: SAMPLE_TICK, SAMPLE_READY, SAMPLE_STOP (the
 * loop's fds are closed then), or -errno. */
int sample_wait(struct sample_loop *l);
/* Close the loop's fds (safe twice, and on SAMPLE_LOOP_INIT). */
void sample_loop_close(struct sample_loop *l);


/* Monotonic time in nanoseconds, for rates. */
__u64 sample_now_ns(void);

#endif /* SAMPLE_H */
