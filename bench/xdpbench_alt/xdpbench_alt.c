// SPDX-License-Identifier: GPL-2.0
/*
 * xdpbench_alt - stands in for `xdp-bench redirect-map IN OUT [-X]` and
 * `xdp-bench redirect-cpu IN -c CPU -p round-robin -r pass` (xdp-tools) in
 * make bench, with the same programs, statistics and defaults (CPUMAP qsize
 * 2048), because Debian's xdp-tools 1.3.1 fails to load on this kernel (see
 * xdpbench_alt_kern.c).
 *
 *   xdpbench_alt redirect-map r1 r2 [-X] [-S]
 *   xdpbench_alt redirect-cpu r1 -c 1 [-q 2048] [-S]
 *
 * -X: DEVMAP egress program (xdp-bench --load-egress); -S: without the
 * statistics tracepoints xdp-bench attaches by default (diagnostic).
 * Prints "xdpbench_alt ... attached" once running; on SIGINT/SIGTERM the
 * number of frames its XDP program saw.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "xdpbench_alt.skel.h"

static const char *prog = "xdpbench_alt";

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s redirect-map IN OUT [-X] [-S]   (-X: egress program, as --load-egress)\n"
		   "       %s redirect-cpu IN -c CPU [-q QSIZE] [-S]   (-S: no statistics tracepoints)\n"
		   "What xdp-bench redirect-map / redirect-cpu -p round-robin -r pass load, statistics included.\n"
		   "Example: %s redirect-cpu eth0 -c 1\n", prog, prog, prog);
}

int main(int argc, char **argv)
{
	struct sample_opts lo = { .interval_ms = 1000 };
	struct sample_loop loop = SAMPLE_LOOP_INIT;
	int ev;
	unsigned long cpu = 0, qsize = 2048;
	struct xdpbench_alt *skel = NULL;
	struct bpf_program *xprog;
	int opt, in, out = 0, link = -1, err = 1, ncpus;
	bool cpu_mode, egress = false, stats = true;
	__u32 key = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "redirect-map") && strcmp(argv[1], "redirect-cpu")) {
		fprintf(stderr, "%s: unknown mode '%s' (see -h)\n", prog, argv[1]);
		return 2;
	}
	cpu_mode = !strcmp(argv[1], "redirect-cpu");
	argv[1] = argv[0];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, ":c:q:XSh")) != -1) {
		switch (opt) {
		case 'X':
			egress = true;
			break;
		case 'S':
			stats = false;
			break;
		case 'c':
			if (sample_parse_uint(prog, 'c', optarg, 0, 63, &cpu))
				return 2;
			break;
		case 'q':
			if (sample_parse_uint(prog, 'q', optarg, 1, 16384, &qsize))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (egress && cpu_mode) {
		fprintf(stderr, "%s: -X belongs to redirect-map (see -h)\n", prog);
		return 2;
	}
	if (argc - optind != (cpu_mode ? 1 : 2)) {
		fprintf(stderr, "%s: expected %s (see -h)\n", prog, cpu_mode ? "IN" : "IN OUT");
		return 2;
	}
	sample_init(false);
	if (sample_check_privileges(prog))
		return 1;
	if ((in = sample_ifindex(prog, argv[optind])) < 0)
		return 1;
	if (!cpu_mode && (out = sample_ifindex(prog, argv[optind + 1])) < 0)
		return 1;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0) {
		fprintf(stderr, "%s: counting CPUs failed: %s\n", prog, sample_strerror(ncpus));
		return 1;
	}
	if (cpu_mode && cpu >= (unsigned long)ncpus) {
		fprintf(stderr, "%s: CPU %lu does not exist\n", prog, cpu);
		return 1;
	}

	skel = xdpbench_alt__open();
	if (!skel) {
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(errno));
		return 1;
	}
	skel->rodata->nr_cpus = ncpus;
	skel->rodata->from_ifindex = in;
	bpf_map__set_max_entries(skel->maps.rx_cnt, ncpus);
	bpf_map__set_max_entries(skel->maps.kthread_cnt, ncpus);
	bpf_map__set_max_entries(skel->maps.enqueue_cnt, ncpus * ncpus);
	bpf_map__set_max_entries(skel->maps.exception_cnt, (XDP_REDIRECT + 2) * ncpus);
	/* Only this mode's programs; the statistics unless -S. */
	bpf_program__set_autoload(skel->progs.alt_redirect_map, !cpu_mode);
	bpf_program__set_autoload(skel->progs.alt_devmap_egress, !cpu_mode && egress);
	bpf_program__set_autoload(skel->progs.alt_redirect_cpu, cpu_mode);
	bpf_program__set_autoload(skel->progs.alt_cpumap_pass, cpu_mode);
	bpf_program__set_autoload(skel->progs.alt_tp_devmap_xmit, !cpu_mode && stats);
	bpf_program__set_autoload(skel->progs.alt_tp_cpumap_enqueue, cpu_mode && stats);
	bpf_program__set_autoload(skel->progs.alt_tp_cpumap_kthread, cpu_mode && stats);
	bpf_program__set_autoload(skel->progs.alt_tp_exception, stats);
	if (egress && !cpu_mode) {
		char name[IF_NAMESIZE] = "";
		__u8 mac[6];

		if_indextoname(out, name);
		if ((err = sample_iface_mac(name, mac))) {
			fprintf(stderr, "%s: reading the MAC of %s failed: %s\n", prog,
				argv[optind + 1], sample_strerror(err));
			err = 1;
			goto out;
		}
		memcpy((void *)skel->rodata->tx_mac, mac, 6);
	}
	if ((err = xdpbench_alt__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s\n", prog, sample_strerror(err));
		err = 1;
		goto out;
	}
	if (cpu_mode) {
		struct bpf_cpumap_val v = { .qsize = qsize };
		__u32 k = cpu, one = 1;

		v.bpf_prog.fd = bpf_program__fd(skel->progs.alt_cpumap_pass);
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.cpu_map), &k, &v, 0) ||
		      bpf_map_update_elem(bpf_map__fd(skel->maps.cpus_available), &key, &k, 0) ||
		      bpf_map_update_elem(bpf_map__fd(skel->maps.cpus_count), &key, &one, 0);
		xprog = skel->progs.alt_redirect_cpu;
	} else {
		struct bpf_devmap_val v = { .ifindex = out };

		if (egress)
			v.bpf_prog.fd = bpf_program__fd(skel->progs.alt_devmap_egress);

		err = bpf_map_update_elem(bpf_map__fd(skel->maps.tx_port), &key, &v, 0);
		xprog = skel->progs.alt_redirect_map;
	}
	if (err) {
		fprintf(stderr, "%s: filling the %s failed: %s\n", prog, cpu_mode ? "CPUMAP" : "DEVMAP",
			sample_strerror(-errno));
		err = 1;
		goto out;
	}
	if (stats && xdpbench_alt__attach(skel)) {	/* the tp_btf programs */
		fprintf(stderr, "%s: attaching the statistics tracepoints failed: %s\n", prog,
			sample_strerror(-errno));
		err = 1;
		goto out;
	}
	link = sample_xdp_attach(prog, xprog, in, SAMPLE_XDP_AUTO, NULL);
	if (link < 0) {
		err = 1;
		goto out;
	}
	printf("xdpbench_alt %s on %s attached\n", cpu_mode ? "redirect-cpu" : "redirect-map",
	       argv[optind]);
	fflush(stdout);
	err = sample_loop_open(&loop, &lo, -1) < 0;	/* run until SIGINT/SIGTERM */
	while (!err && (ev = sample_wait(&loop)) == SAMPLE_TICK)
		;
	err = err || ev < 0;
	sample_loop_close(&loop);
	{
		unsigned long long sum = 0;

		for (__u32 c = 0; c < (__u32)ncpus; c++) {
			__u64 r[3];

			if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.rx_cnt), &c, r))
				sum += r[0];
		}
		printf("rx %llu frames\n", sum);
	}
out:
	if (link >= 0)
		close(link);
	xdpbench_alt__destroy(skel);
	return err;
}
