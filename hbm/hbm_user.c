// SPDX-License-Identifier: GPL-2.0
/*
 * hbm - a host bandwidth manager: limit a cgroup's egress to a rate, with the
 * limiter's state in BPF_MAP_TYPE_CGROUP_STORAGE and its statistics in
 * BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE (or, with -m cgrp, the state in a
 * BPF_MAP_TYPE_CGRP_STORAGE, the map type that replaces them).
 *
 * A cgroup_skb/egress program, attached to the cgroup through a bpf_link,
 * runs for every packet the cgroup's sockets send. It keeps a virtual queue
 * (credit refilled at the rate, the time it was refilled to, under a
 * bpf_spin_lock) and passes, signals congestion on, or drops each packet.
 * Cgroup storage is made by the kernel at attach, one value per (cgroup,
 * attach type), found by the program without a key and by user space with a
 * struct bpf_cgroup_storage_key, and freed at detach.
 *
 *   sudo ./hbm                  demo: own cgroup + netns, a TCP sender inside
 *   sudo ./hbm -r 10 -e         the demo at 10 Mbit/s, ECN marks instead of CN
 *   sudo ./hbm -c /sys/fs/cgroup/my.slice -r 100    limit a cgroup of yours
 *
 * Exit status: 0 done, 1 a runtime error, 2 bad input, 3 this kernel cannot
 * (-m cgrp where the kernel has no BPF_MAP_TYPE_CGRP_STORAGE: Linux < 6.2).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "cgroup.h"
#include "hbm.h"
#include "hbm.skel.h"
#include "hbm_demo.h" /* demo */

/* BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2) by its UAPI number: Debian 12's
 * <linux/bpf.h> (6.1) does not name it. */
#define HBM_MAP_TYPE_CGRP_STORAGE 32
/* The exit status for "this kernel cannot" (bad input is 2, errors 1). */
#define HBM_EXIT_KERNEL 3

static const struct sample_option options[] = {
	{ 'r', "rate", "MBITS", "limit egress to MBITS Mbit/s, 1 to 10000 (default 50)" },
	{ 'c', "cgroup", "DIR", "limit this cgroup v2 directory (no traffic is generated)" },
	{ 'e', "ecn", NULL, "mark ECN CE on congestion instead of NET_XMIT_CN" },
	{ 'm', "mode", "MODE",
	  "where the queue lives: storage (BPF_MAP_TYPE_CGROUP_STORAGE,\n"
	  "default) or cgrp (BPF_MAP_TYPE_CGRP_STORAGE)" },
	{}
};

static const struct sample_cli cli = {
	.name = "hbm",
	.about = "Limit a cgroup's egress rate with a virtual queue in cgroup storage.",
	.demo = "Without -c: a demo, a cgroup of its own with a TCP sender inside.", /* demo */
	.options = options,
	.examples = "sudo ./hbm -r 20 -d 5        sudo ./hbm -c /sys/fs/cgroup/my.slice -r 100",
};

/* What a row reads, and the totals of the previous row (for rates). */
struct view {
	struct hbm *skel;
	bool cgrp; /* -m cgrp */
	int cg_fd; /* CGRP_STORAGE's key: a cgroup fd */
	struct bpf_cgroup_storage_key key; /* CGROUP_STORAGE's key */
	unsigned long rate; /* -r, Mbit/s */
	const __u64 *rx_bytes; /* demo: the receiver's count; NULL with -c */
	__u64 t0, t, pass_bytes, rx; /* at the previous row */
};

/* The queue under its lock (BPF_F_LOCK: copied while no program holds it). */
static int read_queue(struct view *v, struct hbm_queue *q)
{
	if (v->cgrp)
		return bpf_map__lookup_elem(v->skel->maps.hbm_cgrp_queue, &v->cg_fd,
					    sizeof(v->cg_fd), q, sizeof(*q), BPF_F_LOCK);
	return bpf_map__lookup_elem(v->skel->maps.hbm_queue, &v->key, sizeof(v->key), q, sizeof(*q),
				    BPF_F_LOCK);
}

/* "-12,345": the credit is signed (below zero it is the virtual backlog). */
static const char *fmt_s64(char *b, long long x)
{
	b[0] = '-';
	sample_fmt_u64(b + (x < 0), SAMPLE_FMT_LEN - 1,
		       x < 0 ? -(unsigned long long)x : (unsigned long long)x);
	return b;
}

/* One row: rates over the last interval (over the whole run if final), the
 * per-CPU counts summed, the queue's credit. */
static int print_row(struct view *v, bool final)
{
	__u64 now = sample_now_ns();
	__u64 rx = 0;
	char b[5][SAMPLE_FMT_LEN], rxs[16] = "-";
	struct hbm_queue q;
	struct hbm_stats st;
	double dt;
	int err;

	err = read_queue(v, &q);
	if (!err)
		err = sample_percpu_lookup(v->skel->maps.hbm_stats, &v->key, (__u64 *)&st);
	if (err) {
		fprintf(stderr, "hbm: reading the cgroup storage failed: %s\n",
			sample_strerror(err));
		return err;
	}
	if (v->rx_bytes)
		rx = __atomic_load_n(v->rx_bytes, __ATOMIC_RELAXED);
	if (final) {
		v->t = v->t0;
		v->pass_bytes = 0;
		v->rx = 0;
	}
	dt = (now - v->t) / 1e3; /* us: bytes * 8 / us = Mbit/s */
	if (v->rx_bytes)
		snprintf(rxs, sizeof(rxs), "%.1f", (rx - v->rx) * 8 / dt);
	printf("%7.1f %8lu %8.1f %9s %11s %9s %7s %9s %9s\n", (now - v->t0) / 1e9, v->rate,
	       (st.pass_bytes - v->pass_bytes) * 8 / dt, rxs,
	       sample_fmt_u64(b[0], 32, st.pass_packets), sample_fmt_u64(b[1], 32, st.cn_packets),
	       sample_fmt_u64(b[2], 32, st.ecn_packets), sample_fmt_u64(b[3], 32, st.drop_packets),
	       fmt_s64(b[4], q.credit));
	fflush(stdout);
	v->t = now;
	v->pass_bytes = st.pass_bytes;
	v->rx = rx;
	return 0;
}

/* The storage's lifetime, shown on the live maps: phase 0 before attach, 1
 * after, 2 after detach. A CGROUP_STORAGE value exists only while attached;
 * a CGRP_STORAGE value is the cgroup's, made here by user space. */
static int show_storage(struct view *v, int phase)
{
	static const char *const when[] = { "before attach", "after attach ", "after detach " };
	static const char *const storage_says[] = {
		": no storage until a program is attached",
		": made at attach, one per (cgroup, attach type); the program finds it with "
		"bpf_get_local_storage(&hbm_queue, 0), no key",
		": still there, until the cgroup or the map is freed (Linux >= 5.9)",
	};
	static const char *const cgrp_says[] = {
		": user space makes the cgroup's storage, no program attached",
		": the program reaches the same value with bpf_cgrp_storage_get()",
		": it lives as long as the cgroup, not the attachment",
	};
	struct hbm_queue q = {};
	const char *got = "found";
	int err;

	err = read_queue(v, &q);
	if (v->cgrp && phase == 0) /* NOEXIST: the program has not made it yet */
		err = bpf_map__update_elem(v->skel->maps.hbm_cgrp_queue, &v->cg_fd,
					   sizeof(v->cg_fd), &q, sizeof(q), BPF_NOEXIST);
	if (v->cgrp)
		got = "ok";
	if (err)
		got = sample_errname(err);
	if (v->cgrp)
		printf("  %s: hbm_cgrp_queue %s(cgroup fd) -> %s%s\n", when[phase],
		       phase ? "lookup" : "update", got, cgrp_says[phase]);
	else
		printf("  %s: hbm_queue lookup {cgroup_inode_id=%llu, attach_type=%u} -> %s%s\n",
		       when[phase], (unsigned long long)v->key.cgroup_inode_id, v->key.attach_type,
		       got, storage_says[phase]);
	if (phase == 1)
		return err;
	return 0;
}

int main(int argc, char **argv)
{
	struct hbm_demo demo = HBM_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_opts o = {};
	struct view v = { .cg_fd = -1, .rate = 50, .key.attach_type = BPF_CGROUP_INET_EGRESS };
	struct bpf_program *limiter;
	struct bpf_link *link = NULL;
	const char *cgroup = NULL;
	bool ecn = false;
	struct stat sb;
	int err = 0;
	int opt, ev;

	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		switch (opt) {
		case 'r':
			if (sample_parse_uint(o.prog, 'r', optarg, 1, 10000, &v.rate))
				return 2;
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'e':
			ecn = true;
			break;
		case 'm':
			v.cgrp = strcmp(optarg, "cgrp") == 0;
			if (v.cgrp || strcmp(optarg, "storage") == 0)
				break;
			fprintf(stderr,
				"hbm: invalid value '%s' for -m: expected storage or cgrp\n",
				optarg);
			return 2;
		}
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	if (!cgroup && !cli.demo) {
		fprintf(stderr, "%s: which cgroup? add -c DIR, a cgroup v2 directory\n", o.prog);
		return 2;
	}

	/* -m cgrp needs a map type 6.1 does not have: ask the kernel before
	 * anything is made, and refuse in one line. */
	if (v.cgrp && libbpf_probe_bpf_map_type(HBM_MAP_TYPE_CGRP_STORAGE, NULL) != 1) {
		fprintf(stderr, "hbm: -m cgrp needs BPF_MAP_TYPE_CGRP_STORAGE (Linux >= 6.2), "
				"which this kernel does not have; -m storage works here\n");
		return HBM_EXIT_KERNEL;
	}

	/* 1. Which cgroup: the user's, or the demo's own with a sender inside. */
	if (!cgroup) { /* demo */
		err = hbm_demo_open(&demo, &o, ecn); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		cgroup = demo.cg.path; /* demo */
		v.rx_bytes = &demo.rx_bytes; /* demo */
	} /* demo */
	v.cg_fd = sample_cgroup_open(o.prog, cgroup);
	if (v.cg_fd < 0) {
		err = v.cg_fd;
		goto cleanup;
	}
	fstat(v.cg_fd, &sb);
	v.key.cgroup_inode_id = sb.st_ino; /* a cgroup's inode number is its id */

	/* 2. Open, set the rate, keep the one limiter asked for, load. */
	v.skel = hbm__open();
	if (!v.skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	v.skel->rodata->rate_Bps = v.rate * 1000000 / 8;
	v.skel->rodata->ecn = ecn;
	if (v.rate * 1000000 / 8 * HBM_QUEUE_MS / 1000 > HBM_DROP_THRESH) /* see hbm.h */
		v.skel->rodata->drop_thresh = v.rate * 1000000 / 8 * HBM_QUEUE_MS / 1000;
	v.skel->rodata->cgrp_id = sb.st_ino;
	limiter = v.cgrp ? v.skel->progs.hbm_cgrp : v.skel->progs.hbm_egress;
	bpf_program__set_autoload(v.cgrp ? v.skel->progs.hbm_egress : v.skel->progs.hbm_cgrp,
				  false);
	bpf_map__set_autocreate(v.skel->maps.hbm_cgrp_queue, v.cgrp);
	err = hbm__load(v.skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}

	/* 3. Attach through a bpf_link: detached when the link's last fd closes. */
	printf("Cgroup storage, on the live maps (%s):\n",
	       v.cgrp ? "BPF_MAP_TYPE_CGRP_STORAGE" : "BPF_MAP_TYPE_CGROUP_STORAGE");
	show_storage(&v, 0);
	link = bpf_program__attach_cgroup(limiter, v.cg_fd);
	if (!link) {
		err = -errno;
		fprintf(stderr, "hbm: attaching to %s failed: %s\n", cgroup, sample_strerror(err));
		goto cleanup;
	}
	err = show_storage(&v, 1);
	if (err)
		goto cleanup;

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	printf("\nLimiting the egress of %s to %lu Mbit/s%s (rates in Mbit/s)\n", cgroup, v.rate,
	       ecn ? ", ECN marks" : "");
	printf("%7s %8s %8s %9s %11s %9s %7s %9s %9s\n", "time", "allowed", "at hook", "received",
	       "passed", "cn", "marked", "dropped", "credit");
	v.t0 = sample_now_ns();
	v.t = v.t0;
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		err = hbm_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		err = print_row(&v, false);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: the whole run; then detach and look for the storage again. */
	printf("final:\n");
	err = print_row(&v, true);
	if (err)
		goto cleanup;
	bpf_link__destroy(link);
	link = NULL;
	show_storage(&v, 2);

cleanup:
	sample_loop_close(&loop);
	bpf_link__destroy(link);
	hbm__destroy(v.skel);
	if (v.cg_fd >= 0)
		close(v.cg_fd);
	hbm_demo_close(&demo); /* demo */
	return err ? 1 : 0;
}
