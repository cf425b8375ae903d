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
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <net/if.h>

struct bpf_map;
struct bpf_program;

/* ---- process setup ------------------------------------------------------ */

/* libbpf's print hooks, for libbpf_set_print(): sample_print_warnings() passes
 * libbpf's warnings and info to stderr and drops its debug log;
 * sample_print_all() passes everything (-v). */
int sample_print_warnings(enum libbpf_print_level level, const char *fmt, va_list args);
int sample_print_all(enum libbpf_print_level level, const char *fmt, va_list args);

/* Block SIGINT and SIGTERM. sample_loop_open() then takes them through a
 * signalfd, and one that comes before the loop stays pending: sample_wait()
 * returns SAMPLE_STOP at once and the run ends through its cleanup, instead of
 * dying with its namespaces and cgroups left behind. A loader calls it right
 * after its options are parsed; one that writes its own loop does not. */
void sample_block_stop_signals(void);

/* For the tools and benches, whose setup is not a lesson: the three lines a
 * loader writes in its main(), in one call (libbpf_set_print(),
 * sample_block_stop_signals(), SIGPIPE ignored). libbpf >= 1.0 raises
 * RLIMIT_MEMLOCK itself where a kernel (< 5.11) still charges BPF memory to it. */
void sample_init(bool verbose);

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
	const char *prog; /* the tool's name, for every message */
	const char *ifname; /* -i IFACE; NULL: run the no-argument demo */
	int ifindex; /* -i resolved (sample_getopt() checked it exists) */
	unsigned int duration_s; /* -d SECS, 0 = until Ctrl-C */
	unsigned int interval_ms; /* -I SECS, default 1000 */
	bool verbose; /* -v: libbpf's debug log */
	int xdp_mode; /* -S / -N (enum sample_xdp_mode), with .xdp_modes */
};

/* One option of a sample's own, for getopt_long() and for -h. */
struct sample_option {
	char key; /* the short option letter */
	const char *name; /* the long option */
	const char *arg; /* the value's name in -h ("MODE"), NULL for a flag */
	const char *help; /* its line(s) in -h; '\n' starts an indented line */
};

/* What -h prints, and which options the sample takes. */
struct sample_cli {
	const char *name; /* the tool's name */
	const char *about; /* one line: what it does */
	const char *args; /* positional arguments ("[IFACE...]"), NULL for none */
	const char *args_help; /* what they mean, printed under the first line */
	const char *demo; /* what runs without arguments, printed under args_help; NULL in a
			   * copy made without its demo (make new BARE=1) */
	const char *iface_help; /* -i IFACE's help; NULL: the sample has no -i */
	const struct sample_option *options; /* the sample's own, ending with {} */
	const char *examples; /* after "Example: " */
	bool xdp_modes; /* -S (generic) and -N (native) into o->xdp_mode */
};

/* getopt_long() over the common options and cli->options. Handles -i -d -I -v
 * -h itself (-h prints the usage and exits 0; a bad value or unknown option
 * prints one line and exits 2) and returns each of the sample's own options
 * (its value in optarg), then -1 when parsing is over. Before returning -1 it
 * rejects stray arguments (unless cli->args), checks the privileges and
 * resolves -i (one line and exit 1 on failure). Without cli->demo (a copy made
 * with make new BARE=1) the sample has nothing to run without arguments, so a
 * run without them gets one line and exit 2: "-i IFACE is required" for a
 * sample with iface_help and no positional args, "IFACE... is required" for
 * one with cli->args and none given. It changes nothing else: no signals, no
 * libbpf print hook. o must start zeroed: struct sample_opts o = {}; */
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
int sample_parse_word(const char *prog, char opt, const char *arg, const char *const *words, int n);

/* Parse an unsigned decimal number in [min, max]. On failure prints
 * "<prog>: invalid value 'x' for -<opt>: expected a number from min to max"
 * and returns -EINVAL. */
int sample_parse_uint(const char *prog, char opt, const char *arg, unsigned long min,
		      unsigned long max, unsigned long *out);

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
	SAMPLE_XDP_AUTO = 0, /* native if the driver has it, else generic */
	SAMPLE_XDP_NATIVE, /* -N: driver mode or fail */
	SAMPLE_XDP_GENERIC, /* -S: skb mode, works everywhere, slower */
};

/* A loader attaches its XDP program itself, through a bpf_link (kernel >= 5.9:
 * the kernel detaches it when the last fd to the link closes, so even kill -9
 * leaves nothing behind):
 *
 *	LIBBPF_OPTS(bpf_link_create_opts, xdp_opts, .flags = sample_xdp_flags(o.xdp_mode));
 *	link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &xdp_opts);
 *	if (link_fd < 0) {
 *		err = sample_xdp_attach_failed(o.prog, ifindex, o.xdp_mode, -errno);
 *		goto cleanup;
 *	}
 *
 * sample_xdp_flags(): the XDP_FLAGS_* for the mode: 0 (the kernel takes the
 * driver's mode where it has one, else generic), XDP_FLAGS_DRV_MODE or
 * XDP_FLAGS_SKB_MODE. sample_xdp_attach_failed(): one line naming the cause
 * and the fix (who holds the interface already; native mode the driver lacks);
 * returns err. sample_xdp_mode_used(): "native", "generic" or "offload", as
 * the kernel reports the program now attached to ifindex ("?" if it cannot
 * tell). */
__u32 sample_xdp_flags(enum sample_xdp_mode mode);
int sample_xdp_attach_failed(const char *prog, int ifindex, enum sample_xdp_mode mode, int err);
const char *sample_xdp_mode_used(int ifindex);

/* The same in one call, for the samples whose lesson is a map, not XDP:
 * returns the link fd or -errno after sample_xdp_attach_failed()'s line;
 * *mode_used (may be NULL) as sample_xdp_mode_used(). */
int sample_xdp_attach(const char *prog_name, struct bpf_program *prog, int ifindex,
		      enum sample_xdp_mode mode, const char **mode_used);

/* ---- socket filters ------------------------------------------------------ */

/* A socket filter, as sockex1..3 attach it:
 *
 *	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
 *	setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd));
 *	sample_packet_bind(&o, sock);
 *
 * Attach first, then bind: from the moment the socket is bound to o->ifindex
 * every frame the interface sends or receives runs the program, and none
 * reaches the socket unfiltered (the program's return value 0 keeps them all
 * out of its queue). sample_packet_bind(): 0, or -errno after one line. */
struct sample_opts;
int sample_packet_bind(const struct sample_opts *o, int fd);

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
 * A signalfd for SIGINT/SIGTERM (blocked by sample_block_stop_signals(), so one that came
 * during setup is not lost), a timerfd for the -I ticks, the -d deadline, and
 * optionally one fd of the sample's own (a ring buffer's epoll fd). A run of
 * -d N -I S gives exactly N/S ticks (rounded down), however late the process
 * gets the CPU: each expiration of the timer is one tick (without -d, several
 * read at once are one), and the deadline, taken after the timer is armed,
 * stops the loop only once each tick it covers has been returned. */
struct sample_loop {
	int sig_fd, timer_fd, extra_fd;
	__u64 deadline_ns;
	__u64 ticks_owed; /* with -d: ticks still due before the run ends */
	__u64 ticks_ready; /* timer expirations read, not yet returned */
};
#define SAMPLE_LOOP_INIT                                     \
	{                                                    \
		.sig_fd = -1, .timer_fd = -1, .extra_fd = -1 \
	}

enum {
	SAMPLE_STOP = 0, /* SIGINT, SIGTERM or the -d bound: leave the loop */
	SAMPLE_TICK = 1, /* an -I interval is over */
	SAMPLE_READY = 2, /* extra_fd is readable */
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
