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
#include "cgroup_array_pin.h"
#include "cgroup_array.skel.h"
#include "cgroup_array_demo.h" /* demo */
#include "cgroup_array_traps.h" /* traps */

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
		"The pinned map, from separate invocations (cgroup_array_pin.c):\n" CGROUP_ARRAY_PIN_USAGE
		"\n\n"
		"getppid() calls are counted in every mode (-c/-m: by every task of the system).",
	.demo = "Without -c/-m/-i: a demo with its own cgroup, netns and bpffs, with traffic and\n" /* demo */
		"getppid() calls from a child inside the cgroup and one outside.", /* demo */
	.iface_help = "tc egress on IFACE: count traffic of the cgroup and drop it",
	.options = options,
	.examples = "sudo ./cgroup_array -d 5        "
		    "sudo ./cgroup_array -c /sys/fs/cgroup/user.slice -i eth0 -p",
};

/* One line: what is tested and counted where (-c or -m). */
static void print_target(const struct sample_opts *o, const char *cgroup, const char *pin,
			 bool pass)
{
	const char *what = cgroup;
	const char *where = "no interface (-i)";
	const char *iface = "";
	const char *follows = "";

	if (!cgroup)
		what = pin;
	if (o->ifname && pass)
		where = "egress counted on ";
	if (o->ifname && !pass)
		where = "egress counted and dropped on ";
	if (o->ifname)
		iface = o->ifname;
	if (pin)
		follows = " (slot 0 follows the pin: update it with 'update')";
	printf("Cgroup %s: %s%s%s; getppid() calls of every task counted\n", what, where, iface,
	       follows);
}

/* One row: the counters of stats[0], then received (the demo's receiver, or
 * "-"). */
static int print_row(struct cgroup_array *skel, __u64 start_ns, const char *received,
		     struct cga_stats *st)
{
	char b[6][SAMPLE_FMT_LEN];
	__u32 key = 0;
	int err;

	err = bpf_map__lookup_elem(skel->maps.stats, &key, sizeof(key), st, sizeof(*st), 0);
	if (err) {
		fprintf(stderr, "cgroup_array: reading the stats failed: %s\n",
			sample_strerror(err));
		return err;
	}
	sample_fmt_u64(b[0], SAMPLE_FMT_LEN, st->in_pkts);
	sample_fmt_u64(b[1], SAMPLE_FMT_LEN, st->in_bytes);
	sample_fmt_u64(b[2], SAMPLE_FMT_LEN, st->out_pkts);
	sample_fmt_u64(b[3], SAMPLE_FMT_LEN, st->out_bytes);
	sample_fmt_u64(b[4], SAMPLE_FMT_LEN, st->in_calls);
	sample_fmt_u64(b[5], SAMPLE_FMT_LEN, st->out_calls);
	printf("%7.1f  %9s %11s  %9s %11s  %9s %9s  %9s\n", (sample_now_ns() - start_ns) / 1e9,
	       b[0], b[1], b[2], b[3], b[4], b[5], received);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct cgroup_array_demo demo = CGROUP_ARRAY_DEMO_INIT; /* demo */
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	struct sample_tc tc = { .link_fd = -1 };
	struct sample_opts o = {};
	struct cgroup_array *skel = NULL;
	struct bpf_link *tp_link = NULL;
	const char *cgroup = NULL;
	const char *pin = NULL;
	char received[SAMPLE_FMT_LEN] = "-"; /* the demo's last column */
	struct cga_stats st;
	bool pass = false;
	__u32 slot = CGA_SLOT;
	int cg_fd = -1;
	int map_fd = -1;
	int claim = -1;
	int err = 0;
	int opt, ev;
	__u64 start_ns;

	if (argc > 1 && cgroup_array_pin_command(argv[1]))
		return cgroup_array_pin_main(argc, argv); /* pin, update, unpin */
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
	if (!cgroup && !pin && !cli.demo) {
		fprintf(stderr, "cgroup_array: which cgroup? add -c CGROUP or -m PIN (see -h)\n");
		return 2;
	}

	/* 1. What to test against and where: the user's cgroup (-c: checked
	 *    before anything is created) or pinned map (-m), and the interface,
	 *    claimed (tcx runs two filters side by side, so one cgroup_array per
	 *    interface). */
	if (cgroup) {
		cg_fd = sample_cgroup_open(o.prog, cgroup);
		if (cg_fd < 0) {
			err = cg_fd;
			goto cleanup;
		}
	}
	if (pin) {
		map_fd = cgroup_array_pin_open(pin);
		if (map_fd < 0) {
			err = map_fd;
			goto cleanup;
		}
	}
	if (o.ifname) {
		claim = sample_claim_iface(o.prog, o.ifindex);
		if (claim < 0) {
			err = claim;
			goto cleanup;
		}
	}
	if (cgroup || pin)
		print_target(&o, cgroup, pin, pass);
	/* Without -c/-m/-i: the demo's own cgroup and veth, with a pinned map */ /* demo */
	/* whose slot 0 a second process fills. */ /* demo */
	if (!cgroup && !pin) { /* demo */
		err = cgroup_array_demo_open(&demo, &o, pass, &map_fd); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		cgroup_array_traps_show(map_fd, demo.cg.path); /* traps */
		err = cgroup_array_demo_fill(&demo, argv[0]); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
	} /* demo */

	/* 2. Load, with a pinned map in place of the skeleton's cgroup_map. */
	skel = cgroup_array__open();
	if (!skel) {
		err = sample_load_failed(&o, -errno);
		goto cleanup;
	}
	skel->rodata->pass = pass;
	skel->rodata->syscall_nr = SYS_getppid; /* numbers differ between architectures */
	skel->rodata->parent_tgid = demo.parent_tgid; /* demo */
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

	/* 3. -c: slot 0 holds the cgroup, written as its directory's fd (the map
	 *    keeps a reference to the cgroup itself). With -m or in the demo,
	 *    the pin's holder filled it. */
	if (cgroup) {
		err = bpf_map__update_elem(skel->maps.cgroup_map, &slot, sizeof(slot), &cg_fd,
					   sizeof(cg_fd), BPF_ANY);
		if (err) {
			fprintf(stderr,
				"cgroup_array: putting %s into the CGROUP_ARRAY failed: %s\n",
				cgroup, sample_strerror(err));
			goto cleanup;
		}
	}

	/* 4. Attach: tc egress as a tcx link (clsact where the kernel has no
	 *    tcx: common/tc.c), the raw tracepoint as a bpf_link. */
	if (o.ifname) {
		err = sample_tc_attach(o.prog, skel->progs.egress_filter, o.ifindex, false, &tc);
		if (err)
			goto cleanup;
	}
	tp_link = bpf_program__attach(skel->progs.count_getppid);
	if (!tp_link) {
		err = -errno;
		fprintf(stderr, "cgroup_array: attaching to raw_tp/sys_enter failed: %s\n",
			sample_strerror(err));
		goto cleanup;
	}

	/* 5. Run: one row per -I tick until Ctrl-C, SIGTERM or the -d bound. */
	printf("%7s  %9s %11s  %9s %11s  %9s %9s  %9s\n", "time", "cg pkts", "cg bytes", "oth pkts",
	       "oth bytes", "cg calls", "oth calls", "received");
	fflush(stdout);
	start_ns = sample_now_ns();
	err = sample_loop_open(&loop, &o, -1);
	if (err)
		goto cleanup;
	while ((ev = sample_wait(&loop)) == SAMPLE_TICK) {
		err = cgroup_array_demo_step(&demo); /* demo */
		if (err) /* demo */
			goto cleanup; /* demo */
		cgroup_array_demo_received(&demo, received, sizeof(received)); /* demo */
		err = print_row(skel, start_ns, received, &st);
		if (err)
			goto cleanup;
	}
	err = ev;
	if (err)
		goto cleanup;

	/* 6. Summary: the map once more. */
	printf("final:\n");
	cgroup_array_demo_received(&demo, received, sizeof(received)); /* demo */
	err = print_row(skel, start_ns, received, &st);
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
	if (cg_fd >= 0)
		close(cg_fd);
	if (claim >= 0)
		close(claim);
	if (cgroup_array_demo_close(&demo)) /* demo */
		err = -EBUSY; /* demo */
	return err ? 1 : 0;
}
