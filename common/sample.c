// SPDX-License-Identifier: GPL-2.0
/* common/sample.c - see sample.h. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"

int sample_print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int sample_print_all(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return vfprintf(stderr, fmt, args);
}

void sample_block_stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Cannot fail: the set is valid and SIG_BLOCK is a valid how. */
	sigprocmask(SIG_BLOCK, &set, NULL);
}

void sample_init(bool verbose)
{
	if (verbose)
		libbpf_set_print(sample_print_all);
	else
		libbpf_set_print(sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int sample_check_privileges(const char *prog)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return 0; /* cannot tell: let the kernel decide at load time */
	if (has_cap(data, CAP_SYS_ADMIN))
		return 0;
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
	if (has_cap(data, CAP_BPF) && has_cap(data, CAP_NET_ADMIN))
		return 0;
	fprintf(stderr,
		"%s: needs root privileges to load BPF programs "
		"(CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN): run it with sudo\n",
		prog);
	return -EPERM;
}

const char *sample_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

int sample_parse_uint(const char *prog, char opt, const char *arg, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!arg || !*arg || *arg == '-' || *arg == '+')
		goto bad;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "%s: invalid value '%s' for -%c: expected a number from %lu to %lu\n", prog,
		arg ? arg : "", opt, min, max);
	return -EINVAL;
}

const char *sample_errname(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return "0";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case ESRCH:
		return "ESRCH";
	case EINTR:
		return "EINTR";
	case E2BIG:
		return "E2BIG";
	case EBADF:
		return "EBADF";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case ENODEV:
		return "ENODEV";
	case ENOTDIR:
		return "ENOTDIR";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	case ERANGE:
		return "ERANGE";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case ENOTSUP:
		return "EOPNOTSUPP";
	case ENXIO:
		return "ENXIO";
	case EPROTO:
		return "EPROTO";
	case ENOTCONN:
		return "ENOTCONN";
	default:
		return "E?";
	}
}

int sample_getopt_error(const char *prog, int opt, char **argv)
{
	extern int optind, optopt;
	const char *word = argv[optind - 1];

	if (opt == ':')
		fprintf(stderr, "%s: option '%s' needs a value (see -h)\n", prog, word);
	else if (optopt)
		fprintf(stderr, "%s: unknown option '-%c' (see -h)\n", prog, optopt);
	else
		fprintf(stderr, "%s: unknown option '%s' (see -h)\n", prog, word);
	return 2;
}

int sample_parse_interval(const char *prog, const char *arg, unsigned int *ms)
{
	double v;
	char *end;

	errno = 0;
	v = arg && *arg ? strtod(arg, &end) : -1;
	if (!arg || !*arg || errno || *end || !(v >= 0.01 && v <= 3600)) {
		fprintf(stderr, "%s: invalid interval '%s': expected seconds from 0.01 to 3600\n",
			prog, arg ? arg : "");
		return -EINVAL;
	}
	*ms = (unsigned int)(v * 1000 + 0.5);
	return 0;
}

int sample_ifindex(const char *prog, const char *name)
{
	unsigned int idx;
	char *end;

	if (!name || !*name) {
		fprintf(stderr, "%s: empty interface name\n", prog);
		return -ENODEV;
	}
	if (strlen(name) >= IF_NAMESIZE) {
		fprintf(stderr, "%s: interface name '%s' is too long (at most %d characters)\n",
			prog, name, IF_NAMESIZE - 1);
		return -ENAMETOOLONG;
	}
	idx = if_nametoindex(name);
	if (!idx) {
		/* Also accept an ifindex given as a number. */
		unsigned long n = strtoul(name, &end, 10);
		char buf[IF_NAMESIZE];

		if (!*end && n > 0 && n < INT_MAX && if_indextoname(n, buf))
			return (int)n;
		fprintf(stderr,
			"%s: no interface '%s' in this network namespace "
			"(see 'ip link show')\n",
			prog, name);
		return -ENODEV;
	}
	return (int)idx;
}

int sample_iface_mac(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		err = -EPFNOSUPPORT;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

const char *sample_fmt_u64(char *buf, size_t len, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", v);
	size_t o = 0;

	for (int i = 0; i < n && o + 1 < len; i++) {
		if (i && (n - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

__u32 sample_xdp_flags(enum sample_xdp_mode mode)
{
	if (mode == SAMPLE_XDP_NATIVE)
		return XDP_FLAGS_DRV_MODE;
	if (mode == SAMPLE_XDP_GENERIC)
		return XDP_FLAGS_SKB_MODE;
	return 0;
}

int sample_xdp_attach_failed(const char *prog, int ifindex, enum sample_xdp_mode mode, int err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, qopts);
	char ifname[IF_NAMESIZE] = "?";
	bool busy = err == -EBUSY || err == -EEXIST;

	if_indextoname(ifindex, ifname);
	if (busy && !bpf_xdp_query(ifindex, 0, &qopts) && qopts.prog_id) {
		fprintf(stderr,
			"%s: %s already has an XDP program attached (id %u, see "
			"'bpftool net show dev %s'); stop its owner or choose another interface\n",
			prog, ifname, qopts.prog_id, ifname);
	} else if (busy) {
		fprintf(stderr,
			"%s: %s already has an XDP program attached "
			"(see 'ip link show %s'); detach it first or choose another interface\n",
			prog, ifname, ifname);
	} else if (err == -EOPNOTSUPP && mode == SAMPLE_XDP_NATIVE) {
		fprintf(stderr,
			"%s: %s cannot run XDP in native (driver) mode; "
			"use -S for generic mode\n",
			prog, ifname);
	} else if (err == -EINVAL && mode == SAMPLE_XDP_NATIVE) {
		fprintf(stderr,
			"%s: attaching XDP to %s in native mode failed: %s "
			"(a program in another mode may be attached)\n",
			prog, ifname, sample_strerror(err));
	} else if (err == -EINVAL && mode == SAMPLE_XDP_GENERIC) {
		fprintf(stderr,
			"%s: attaching XDP to %s in generic mode failed: %s "
			"(a program in another mode may be attached)\n",
			prog, ifname, sample_strerror(err));
	} else {
		fprintf(stderr, "%s: attaching XDP to %s failed: %s\n", prog, ifname,
			sample_strerror(err));
	}
	return err;
}

const char *sample_xdp_mode_used(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, qopts);
	int err;

	err = bpf_xdp_query(ifindex, 0, &qopts);
	if (err)
		return "?";
	if (qopts.attach_mode == XDP_ATTACHED_SKB)
		return "generic";
	if (qopts.attach_mode == XDP_ATTACHED_HW)
		return "offload";
	if (qopts.attach_mode == XDP_ATTACHED_DRV)
		return "native";
	return "?";
}

int sample_xdp_attach(const char *prog_name, struct bpf_program *prog, int ifindex,
		      enum sample_xdp_mode mode, const char **mode_used)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = sample_xdp_flags(mode));
	int fd;

	fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lopts);
	if (fd < 0)
		return sample_xdp_attach_failed(prog_name, ifindex, mode, -errno);
	if (mode_used)
		*mode_used = sample_xdp_mode_used(ifindex);
	return fd;
}

/* The pid that holds the claim at sa, or 0 if it cannot be told: a connect()
 * to the listening claim socket gives its owner's credentials. The connection
 * is never accepted; it waits in the owner's backlog until the owner exits, so
 * after SAMPLE_CLAIM_BACKLOG refused starts the pid is no longer shown. */
#define SAMPLE_CLAIM_BACKLOG 16
static pid_t claim_owner(const struct sockaddr_un *sa, socklen_t len)
{
	struct ucred cred = {};
	socklen_t clen = sizeof(cred);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (connect(fd, (const struct sockaddr *)sa, len) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		cred.pid = 0;
	close(fd);
	return cred.pid;
}

int sample_claim_iface(const char *prog, int ifindex)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char ifname[IF_NAMESIZE] = "?";
	socklen_t len;
	int fd, err, n;
	pid_t pid;

	if (!if_indextoname(ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "%d", ifindex);
	/* sun_path[0] = '\0': an abstract name, no file in the file system. */
	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "bpf-map-samples/%s/%d", prog,
		     ifindex);
	len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: socket(AF_UNIX) failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	if (!bind(fd, (struct sockaddr *)&sa, len) && !listen(fd, SAMPLE_CLAIM_BACKLOG))
		return fd;
	err = -errno;
	close(fd);
	if (err != -EADDRINUSE) {
		fprintf(stderr, "%s: claiming %s failed: %s\n", prog, ifname, sample_strerror(err));
		return err;
	}
	pid = claim_owner(&sa, len);
	if (pid > 0)
		fprintf(stderr,
			"%s: another %s is already running on %s (pid %d); "
			"stop it first or choose another interface\n",
			prog, prog, ifname, (int)pid);
	else
		fprintf(stderr,
			"%s: another %s is already running on %s; "
			"stop it first or choose another interface\n",
			prog, prog, ifname);
	return -EBUSY;
}

void sample_percpu_sum(const void *values, int ncpus, size_t value_size, __u64 *out)
{
	size_t stride = sample_percpu_stride(value_size);
	size_t nfields = value_size / sizeof(__u64);

	for (size_t f = 0; f < nfields; f++)
		out[f] = 0;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		const __u64 *v = (const __u64 *)((const char *)values + cpu * stride);

		for (size_t f = 0; f < nfields; f++)
			out[f] += v[f];
	}
}

__u64 sample_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int sample_load_failed(const struct sample_opts *o, int err)
{
	fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", o->prog, sample_strerror(err),
		o->verbose ? "" : " (run with -v for libbpf's log)");
	return err;
}

int sample_percpu_lookup(const struct bpf_map *map, const void *key, __u64 *out)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t value_size = bpf_map__value_size(map);
	size_t size = (size_t)ncpus * sample_percpu_stride(value_size);
	void *values;
	int err;

	if (ncpus < 0)
		return ncpus;
	values = calloc(1, size);
	if (!values)
		return -ENOMEM;
	/* libbpf checks that size is what this per-CPU map needs. */
	err = bpf_map__lookup_elem(map, key, bpf_map__key_size(map), values, size, 0);
	if (!err)
		sample_percpu_sum(values, ncpus, value_size, out);
	free(values);
	return err;
}

int sample_loop_open(struct sample_loop *l, const struct sample_opts *o, int extra_fd)
{
	unsigned int ms = o->interval_ms ? o->interval_ms : 1000;
	struct itimerspec its = {
		.it_interval = { ms / 1000, (ms % 1000) * 1000000L },
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
	};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	*l = (struct sample_loop){ .sig_fd = -1, .timer_fd = -1, .extra_fd = extra_fd };
	l->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	l->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (l->sig_fd < 0 || l->timer_fd < 0 || timerfd_settime(l->timer_fd, 0, &its, NULL)) {
		int err = -errno;

		sample_loop_close(l);
		return err;
	}
	/* The deadline is taken after the timer is armed, so every tick it
	 * covers falls at or before it: -d N -I S owes N/S ticks, and
	 * sample_wait() hands each of them out before it stops. */
	if (o->duration_s) {
		l->deadline_ns = sample_now_ns() + o->duration_s * 1000000000ull;
		l->ticks_owed = o->duration_s * 1000ull / ms;
	}
	return 0;
}

int sample_wait(struct sample_loop *l)
{
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = l->sig_fd, .events = POLLIN },
			{ .fd = l->timer_fd, .events = POLLIN },
			{ .fd = l->extra_fd, .events = POLLIN },
		};
		int timeout = -1;
		int n;

		if (l->sig_fd < 0)
			return SAMPLE_STOP; /* stopped already, or never opened */
		/* Ticks read from the timer and not yet returned (see below). */
		if (l->ticks_ready) {
			l->ticks_ready--;
			if (l->ticks_owed)
				l->ticks_owed--;
			return SAMPLE_TICK;
		}
		if (l->deadline_ns) {
			__u64 now = sample_now_ns();

			if (now >= l->deadline_ns && !l->ticks_owed)
				break;
			/* Past the deadline, a tick it covers is due now. */
			timeout = 1000;
			if (now < l->deadline_ns)
				timeout = (int)((l->deadline_ns - now + 999999) / 1000000);
		}
		n = poll(pfd, 3, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[0].revents & POLLIN)
			break; /* SIGINT or SIGTERM: a clean stop */
		/* A second past the deadline and still no tick: stop all the same. */
		if (n == 0 && l->deadline_ns && sample_now_ns() >= l->deadline_ns + 1000000000ull)
			break;
		/* The tick first: an extra fd that is always readable (a busy
		 * ring buffer) must not starve the rows. */
		if (pfd[1].revents & POLLIN) {
			__u64 expirations = 0;

			if (read(l->timer_fd, &expirations, sizeof(expirations)) < 0 &&
			    errno != EAGAIN)
				return -errno;
			/* A process that got the CPU late reads several
			 * expirations at once. A -d run owes each of its ticks
			 * (a row, a demo step), so it gets them one after the
			 * other, at most as many as it still owes; a run until
			 * Ctrl-C gets one tick, not a burst of rows for the
			 * time it was stopped. */
			l->ticks_ready = 1;
			if (l->ticks_owed > 1 && expirations > 1)
				l->ticks_ready = expirations < l->ticks_owed ? expirations :
									       l->ticks_owed;
			continue;
		}
		if (pfd[2].revents & POLLIN)
			return SAMPLE_READY;
	}
	sample_loop_close(l);
	return SAMPLE_STOP;
}

void sample_loop_close(struct sample_loop *l)
{
	if (l->sig_fd >= 0)
		close(l->sig_fd);
	if (l->timer_fd >= 0)
		close(l->timer_fd);
	l->sig_fd = l->timer_fd = -1;
}

int sample_packet_bind(const struct sample_opts *o, int fd)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = o->ifindex,
	};
	int err;

	err = bind(fd, (struct sockaddr *)&sll, sizeof(sll));
	if (!err)
		return 0;
	err = -errno;
	fprintf(stderr, "%s: binding the packet socket to %s failed: %s\n", o->prog, o->ifname,
		sample_strerror(err));
	return err;
}
