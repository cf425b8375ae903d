// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_array - test "is this task / this packet's socket in cgroup X?" from
 * BPF with a BPF_MAP_TYPE_CGROUP_ARRAY.
 *
 * Slot 0 of the map holds a cgroup v2 directory (written as its fd). Two
 * programs ask about it:
 *   - tc egress + bpf_skb_under_cgroup(): packets whose socket was created by
 *     a task in the cgroup are counted and dropped (or passed with -p), other
 *     traffic is counted and untouched;
 *   - raw tracepoint sys_enter + bpf_current_task_under_cgroup(): getppid()
 *     calls counted by whether the calling task is in the cgroup.
 *
 *   sudo ./cgroup_array                   demo: own cgroup, netns and bpffs
 *   sudo ./cgroup_array -c CG -i eth0     count/drop eth0 egress of cgroup CG
 *   sudo ./cgroup_array -m PATH -i eth0   use a map pinned with 'pin' (update it live)
 *
 * The map pinned in a bpffs and managed by other invocations (pin, update,
 * unpin) is the second lesson, in cgroup_array_pin.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "tc.h"
#include "cgroup.h"
#include "cgroup_array.h"
#include "cgroup_array_demo.h"
#include "cgroup_array_pin.h"
#include "cgroup_array.skel.h"

static const struct sample_option options[] = {
	{ 'c', "cgroup", "DIR", "the cgroup v2 directory to test against" },
	{ 'm', "map", "PATH", "use the CGROUP_ARRAY pinned at PATH (from 'pin')" },
	{ 'p', "pass", NULL, "count the cgroup's packets but let them through" },
	{}
};

static const struct sample_cli cli = {
	.name = "cgroup_array",
	.about = "Test cgroup membership from BPF with a BPF_MAP_TYPE_CGROUP_ARRAY.",
	.args_help =
		"The pinned map, from separate invocations (cgroup_array_pin.c):\n" CGA_PIN_USAGE
		"\n\n"
		"Without -c/-m/-i: a demo with its own cgroup, netns and bpffs, with traffic and\n"
		"getppid() calls from a child inside the cgroup and one outside.\n"
		"getppid() calls are counted in every mode (-c/-m: by every task of the system).",
	.iface_help = "tc egress on IFACE: count traffic of the cgroup and drop it",
	.options = options,
	.examples = "sudo ./cgroup_array -d 5        "
		    "sudo ./cgroup_array -c /sys/fs/cgroup/user.slice -i eth0 -p",
};

/* The user's cgroup (-c: checked before anything is created) or pinned map
 * (-m: *map_fd), and the interface, claimed: tcx runs two filters side by
 * side, so one cgroup_array per interface. Says what will be counted. */
static int open_target(const struct sample_opts *o, const char *cgroup, const char *pin, bool pass,
		       int *map_fd, int *claim)
{
	int fd = cgroup ? sample_cgroup_open(o->prog, cgroup) : 0;

	if (fd < 0)
		return fd;
	if (cgroup)
		close(fd);
	if (pin && (*map_fd = cga_pin_open(pin)) < 0)
		return *map_fd;
	if (o->ifname && (*claim = sample_claim_iface(o->prog, o->ifindex)) < 0)
		return *claim;
	printf("Cgroup %s: %s%s%s; getppid() calls of every task counted\n", cgroup ? cgroup : pin,
	       o->ifname ? (pass ? "egress counted on " : "egress counted and dropped on ") :
			   "no interface (-i)",
	       o->ifname ? o->ifname : "",
	       pin ? " (slot 0 follows the pin: update it "
		     "with 'update')" :
		     "");
	return 0;
}

/* One row: the counters of stats[0]; in the demo also what its receiver got. */
static int print_row(struct cgroup_array *skel, __u64 start_ns, const struct cga_demo *demo,
		     struct cga_stats *st)
{
	char b[7][SAMPLE_FMT_LEN];
	__u32 key = 0;
	int err = bpf_map__lookup_elem(skel->maps.stats, &key, sizeof(key), st, sizeof(*st), 0);

	if (err) {
		fprintf(stderr, "cgroup_array: reading the stats failed: %s\n",
			sample_strerror(err));
		return err;
	}
	for (int i = 0; i < 6; i++) /* the columns, in order */
		sample_fmt_u64(b[i], SAMPLE_FMT_LEN,
			       (__u64[]){ st->in_pkts, st->in_bytes, st->out_pkts, st->out_bytes,
					  st->in_calls, st->out_calls }[i]);
	if (demo->open)
		sample_fmt_u64(b[6], SAMPLE_FMT_LEN, demo->received);
	else
		strcpy(b[6], "-");
	printf("%7.1f  %9s %11s  %9s %11s  %9s %9s  %9s\n", (sample_now_ns() - start_ns) / 1e9,
	       b[0], b[1], b[2], b[3], b[4], b[5], b[6]);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct cga_demo demo = CGA_DEMO_INIT;
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_tc tc = { .link_fd = -1 };
	struct sample_opts o = {};
	struct cgroup_array *skel = NULL;
	struct bpf_link *tp_link = NULL;
	const char *cgroup = NULL, *pin = NULL;
	struct cga_stats st;
	bool pass = false;
	int opt, map_fd = -1, claim = -1, err, ev;
	__u64 start_ns;

	if (argc > 1 && cga_pin_command(argv[1]))
		return cga_pin_main(argc, argv); /* pin, update, unpin */
	while ((opt = sample_getopt(&cli, argc, argv, &o)) != -1) {
		if (opt == 'c')
			cgroup = optarg;
		else if (opt == 'm')
			pin = optarg;
		else if (opt == 'p')
			pass = true;
	}

	/* libbpf's warnings on stderr (its debug log too with -v); SIGINT and
	 * SIGTERM wait, blocked, for sample_wait()'s signalfd from here on, so one
	 * that comes during setup still ends the run through cleanup; a closed
	 * peer or stdout (| head) gives EPIPE instead of killing the process. */
	libbpf_set_print(o.verbose ? sample_print_all : sample_print_warnings);
	sample_block_stop_signals();
	signal(SIGPIPE, SIG_IGN);
	if (o.ifname && !cgroup && !pin) {
		fprintf(stderr, "cgroup_array: -i needs a cgroup to test against: add -c CGROUP "
				"or -m PIN\n");
		return 2;
	}

	/* 1. What to test against and where: the user's cgroup (-c) or pinned
	 *    map (-m) and interface; or the demo's own cgroup and veth, with a
	 *    pinned map whose slot 0 a second process filled. */
	if (cgroup || pin)
		err = open_target(&o, cgroup, pin, pass, &map_fd, &claim);
	else
		err = cga_demo_open(&demo, &o, pass, argv[0], &map_fd);
	if (err)
		goto cleanup;

	/* 2. Load, with a pinned map in place of the skeleton's cgroup_map. */
	skel = cgroup_array__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->pass = pass;
	skel->rodata->syscall_nr = SYS_getppid; /* numbers differ between architectures */
	skel->rodata->parent_tgid = demo.parent_tgid; /* 0: every task's calls */
	if (map_fd >= 0) {
		err = bpf_map__reuse_fd(skel->maps.cgroup_map, map_fd);
		if (err) {
			fprintf(stderr, "cgroup_array: using the pinned map failed: %s\n",
				sample_strerror(err));
			goto cleanup;
		}
	}
	err = cgroup_array__load(skel);
	if (err) {
		err = sample_load_failed(&o, err);
		goto cleanup;
	}
	/* -c: this process fills slot 0 (with -m or in the demo, the pin's
	 *     holder did). */
	if (cgroup) {
		err = cga_set_slot(bpf_map__fd(skel->maps.cgroup_map), cgroup);
		if (err)
			goto cleanup;
	}

	/* 3. Attach: tc egress as a tcx link, the tracepoint as a perf link. */
	if (o.ifname &&
	    (err = sample_tc_attach(o.prog, skel->progs.egress_filter, o.ifindex, false, &tc)))
		goto cleanup;
	tp_link = bpf_program__attach(skel->progs.count_getppid);
	if (!tp_link) {
		err = -errno;
		fprintf(stderr, "cgroup_array: attaching to raw_tp/sys_enter failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}

	/* 4. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	printf("%7s  %9s %11s  %9s %11s  %9s %9s  %9s\n", "time", "cg pkts", "cg bytes", "oth pkts",
	       "oth bytes", "cg calls", "oth calls", "received");
	fflush(stdout);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		if (demo.open) {
			err = cga_demo_step(&demo);
			if (err)
				goto cleanup;
		}
		err = print_row(skel, start_ns, &demo, &st);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 5. Summary: the map once more; then the demo says what it sent. */
	printf("final:\n");
	err = print_row(skel, start_ns, &demo, &st);
	if (err)
		goto cleanup;
	printf("summary: %llu packets %s and %llu getppid() calls from inside the cgroup, "
	       "%llu packets and %llu calls from outside\n",
	       (unsigned long long)st.in_pkts, pass ? "passed" : "dropped",
	       (unsigned long long)st.in_calls, (unsigned long long)st.out_pkts,
	       (unsigned long long)st.out_calls);

cleanup:
	sample_loop_close(&loop);
	sample_tc_detach(&tc);
	bpf_link__destroy(tp_link);
	cgroup_array__destroy(skel);
	if (map_fd >= 0)
		close(map_fd);
	if (claim >= 0)
		close(claim);
	/* "demo sent: ...", the pin removed, the netns and the cgroup gone */
	if (cga_demo_close(&demo) && !err)
		err = -EBUSY;
	return err ? 1 : 0;
}
