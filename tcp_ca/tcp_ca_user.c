// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_ca - a TCP congestion control written in BPF, registered through a
 * BPF_MAP_TYPE_STRUCT_OPS map and a bpf_link.
 *
 * The map's value is a struct tcp_congestion_ops whose callbacks are BPF
 * programs (a Reno, in tcp_ca_kern.c). Registered, it joins the kernel's list
 * of algorithms under its name, and any TCP socket can select it with
 * setsockopt(TCP_CONGESTION). The callbacks count their calls in an ARRAY
 * that this loader prints every interval.
 *
 *   sudo ./tcp_ca              demo: a transfer with it and one with the
 *                              default, in private namespaces, with cwnd
 *   sudo ./tcp_ca -r           register only: run e.g. `iperf3 -C <name>`
 *   sudo ./tcp_ca -n bpf_reno  choose the name (default bpf_ca_<pid in hex>)
 *
 * The registration belongs to a bpf_link: when the process ends, even by
 * SIGKILL, the link closes and the algorithm is unregistered.
 *
 * Exit status: 0 done, 1 a runtime error, 2 bad input, 3 this kernel cannot:
 * struct_ops links are Linux 6.4+, and without one (6.1) a registration
 * would outlive a kill -9, so the sample refuses before it loads anything.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "tcp_ca.h"
#include "tcp_ca.skel.h"
#include "tcp_ca_load.h"
#include "tcp_ca_demo.h" /* demo */
#include "tcp_ca_traps.h" /* traps */

static const struct sample_option options[] = {
	{ 'n', "name", "NAME",
	  "the algorithm's name: 1 to 15 letters, digits, '_', '.'\n"
	  "(default: bpf_ca_<pid in hex>, unique per process)" },
	{ 'r', "register-only", NULL, "register and count, make no traffic (no demo)" }, /* demo */
	{}
};

static const struct sample_cli cli = {
	.name = "tcp_ca",
	.about =
		"A TCP congestion control written in BPF (BPF_MAP_TYPE_STRUCT_OPS), with its callbacks counted.",
	.demo = "Without -r: a demo, a transfer with the algorithm and one with the default.", /* demo */
	.options = options,
	.examples = "sudo ./tcp_ca -d 5        sudo ./tcp_ca -r -n bpf_reno",
};

/* The kernel's list of algorithms, one line (the same in every netns). */
static void print_available(const char *when)
{
	char line[512] = "";
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	printf("net.ipv4.tcp_available_congestion_control %s: %s\n", when, line);
}

/* One row: the callbacks' counts, then tail (the demo's columns, or ""). */
static int print_row(struct tcp_ca *skel, __u64 start_ns, const char *tail)
{
	static const enum tcp_ca_cb cols[] = { CB_INIT,	      CB_CONG_AVOID, CB_IN_ACK_EVENT,
					       CB_PKTS_ACKED, CB_SSTHRESH,   CB_UNDO_CWND,
					       CB_CWND_EVENT, CB_SET_STATE,  CB_RELEASE };
	char b[10][SAMPLE_FMT_LEN];
	struct cb_stat st;
	int err;

	for (int i = 0; i < 9; i++) {
		__u32 key = cols[i];

		err = bpf_map__lookup_elem(skel->maps.cb_stats, &key, sizeof(key), &st, sizeof(st),
					   0);
		if (err) {
			fprintf(stderr, "tcp_ca: reading the map failed: %s\n",
				sample_strerror(err));
			return err;
		}
		sample_fmt_u64(b[i], SAMPLE_FMT_LEN, st.calls);
		if (cols[i] == CB_PKTS_ACKED)
			sample_fmt_u64(b[9], SAMPLE_FMT_LEN, st.units);
	}
	printf("%7.1f %5s %10s %10s %10s %10s %8s %5s %9s %9s %7s%s\n",
	       (sample_now_ns() - start_ns) / 1e9, b[0], b[1], b[2], b[3], b[9], b[4], b[5], b[6],
	       b[7], b[8], tail);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct tcp_ca_demo demo = TCP_CA_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct tcp_ca *skel = NULL;
	struct bpf_link *link;
	char name[TCP_CA_NAME_LEN];
	char tail[32] = ""; /* the table's last columns: the demo's cwnds */
	bool register_only = false; /* demo */
	int link_fd = -1;
	int err = 0;
	int ev, opt;
	void *elf = NULL;
	__u64 start_ns;

	snprintf(name, sizeof(name), "bpf_ca_%x", (unsigned int)getpid());
	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'n':
			/* the kernel takes what a BPF object name may hold */
			if (!optarg[0] || strlen(optarg) >= sizeof(name) ||
			    optarg[strspn(optarg,
					  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789_.")]) {
				fprintf(stderr,
					"%s: invalid name '%s' for -n: 1 to 15 letters, digits, "
					"'_' or '.'\n",
					o.prog, optarg);
				return 2;
			}
			snprintf(name, sizeof(name), "%s", optarg);
			break;
		case 'r': /* demo */
			register_only = true; /* demo */
			break; /* demo */
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);

	/* Linux < 6.4 has no struct_ops link: refuse before anything is made. */
	err = tcp_ca_kernel_has_links();
	if (err < 0) {
		fprintf(stderr, "%s: reading the kernel's BTF failed: %s\n", o.prog,
			sample_strerror(err));
		return 1;
	}
	if (err == 0) {
		fprintf(stderr,
			"%s: this kernel cannot register struct_ops through a bpf_link "
			"(struct_ops links: Linux >= 6.4): without one the algorithm "
			"would outlive a kill -9\n",
			o.prog);
		return TCP_CA_EXIT_KERNEL;
	}

	/* 1. Open with the algorithm's name in the struct, ask for a link-backed
	 *    registration (BPF_F_LINK), load the callbacks. */
	skel = tcp_ca_open_named(name, &elf);
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	bpf_map__set_map_flags(skel->maps.tcp_ca_ops, BPF_F_LINK);
	bpf_map__set_map_flags(skel->maps.ca_no_undo, BPF_F_LINK); /* traps */
	err = tcp_ca__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 2. Register: bpf_map__attach_struct_ops() writes the callbacks' program
	 *    fds into the map's value; the kernel bpf_link on the map (made by
	 *    libbpf >= 1.2, by tcp_ca_link_fd() on 1.1) registers the algorithm.
	 *    From here on its name is in the kernel's list. */
	link = bpf_map__attach_struct_ops(skel->maps.tcp_ca_ops);
	if (link)
		link_fd = tcp_ca_link_fd(link, skel->maps.tcp_ca_ops);
	else
		link_fd = -errno;
	if (link_fd < 0) {
		err = link_fd;
		fprintf(stderr, "%s: registering %s failed: %s%s\n", o.prog, name,
			sample_strerror(err),
			err == -EEXIST ? " (the name is taken: choose another with -n)" : "");
		goto cleanup;
	}
	print_available("while registered");
	tcp_ca_traps_show(skel); /* traps */

	/* 3. The demo: one transfer selects the algorithm, one keeps the default. */
	if (!register_only) /* demo */
		err = tcp_ca_demo_open(&demo, o.prog, name, TCP_CA_DEMO_STEP_BYTES); /* demo */
	if (err) /* demo */
		goto cleanup; /* demo */

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	printf("Callbacks of %s (cb_stats ARRAY, key = callback); select it with "
	       "setsockopt(TCP_CONGESTION, \"%s\")\n",
	       name, name);
	tcp_ca_demo_intro(&demo); /* demo */
	tcp_ca_demo_heading(&demo, tail, sizeof(tail)); /* demo */
	printf("%7s %5s %10s %10s %10s %10s %8s %5s %9s %9s %7s%s\n", "time", "init", "cong_avoid",
	       "in_ack", "pkts_acked", "segs_acked", "ssthresh", "undo", "cwnd_evt", "set_state",
	       "release", tail);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		err = tcp_ca_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		tcp_ca_demo_cwnds(&demo, tail, sizeof(tail)); /* demo */
		err = print_row(skel, start_ns, tail);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: the map once more. */
	printf("final:\n");
	tcp_ca_demo_cwnds(&demo, tail, sizeof(tail)); /* demo */
	err = print_row(skel, start_ns, tail);

cleanup:
	sample_loop_close(&loop);
	tcp_ca_demo_close(&demo); /* demo */
	if (link_fd >= 0) {
		close(link_fd); /* unregisters */
		print_available("after closing the link");
	}
	tcp_ca__destroy(skel);
	free(elf);
	return err ? 1 : 0;
}
