// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_array - test "is this task / this packet's socket in cgroup X?" from
 * BPF with a BPF_MAP_TYPE_CGROUP_ARRAY, in three scenes:
 *
 *   1. pinning: the map holds a cgroup v2 directory fd in slot 0; it is pinned
 *      in bpffs and a second process fills the slot through the pin;
 *   2. tc egress + bpf_skb_under_cgroup(): packets whose socket was created by
 *      a task in the cgroup are counted and dropped (or passed with -p), other
 *      traffic is counted and untouched;
 *   3. raw tracepoint sys_enter + bpf_current_task_under_cgroup(): getppid()
 *      calls counted by whether the calling task is in the cgroup.
 *
 *   sudo ./cgroup_array                  demo: own cgroup, netns and bpffs
 *   sudo ./cgroup_array -c CG -i eth0    count/drop eth0 egress of cgroup CG
 *   sudo ./cgroup_array pin PATH CG      pin a CGROUP_ARRAY holding CG
 *   sudo ./cgroup_array update PATH CG   point the pinned map at another cgroup
 *   sudo ./cgroup_array -m PATH -i eth0  use the pinned map (update it live)
 *   sudo ./cgroup_array unpin PATH       remove the pin
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "demo.h"
#include "tc.h"
#include "cgroup.h"
#include "cgroup_array.h"
#include "cgroup_array.skel.h"

static const char *prog = "cgroup_array";

/* Demo work per tick: a child inside the demo cgroup and a child outside it
 * each send UDP datagrams to the peer and call getppid(). */
#define DEMO_IN		5
#define DEMO_OUT	3
#define DEMO_LEN	64
#define DEMO_PORT	SAMPLE_UDP_PORT
#define BPFFS		"/sys/fs/bpf"

struct ctx {
	struct cgroup_array *skel;
	int stats_fd;
	__u64 start_ns;
	/* demo only */
	bool demo;
	const char *cgroup;	/* the demo cgroup's path */
	struct sockaddr_in dst;
	int rx_fd;		/* receiver in the peer netns */
	__u64 sent_in, sent_out, calls_in, calls_out, received;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]                 demo, or watch a cgroup with -c / -m\n"
		"       %s pin PATH CGROUP           create a CGROUP_ARRAY holding CGROUP, pin it at PATH\n"
		"       %s update PATH CGROUP        put CGROUP in slot 0 of the map pinned at PATH\n"
		"       %s unpin PATH                remove the pin (the map dies with its last user)\n"
		"Test cgroup membership from BPF with a BPF_MAP_TYPE_CGROUP_ARRAY.\n"
		"\n"
		"  -c, --cgroup DIR       the cgroup v2 directory to test against\n"
		"  -m, --map PATH         use the CGROUP_ARRAY pinned at PATH (from 'pin')\n"
		"  -i, --interface IFACE  tc egress on IFACE: count traffic of the cgroup and drop it\n"
		"  -p, --pass             count the cgroup's packets but let them through\n"
		"  -d, --duration SECS    stop after SECS seconds (default: until Ctrl-C)\n"
		"  -I, --interval SECS    print every SECS seconds, decimals allowed (default 1)\n"
		"  -v, --verbose          show libbpf's debug log\n"
		"  -h, --help             this text\n"
		"\n"
		"Without -c/-m/-i: a demo with its own cgroup, netns and bpffs, with traffic and\n"
		"getppid() calls from a child inside the cgroup and one outside.\n"
		"getppid() calls are counted in every mode (-c/-m: by every task of the system).\n"
		"\n"
		"Example: sudo %s -d 5        sudo %s -c /sys/fs/cgroup/user.slice -i eth0 -p\n",
		prog, prog, prog, prog, prog, prog);
}

/* ---- scene 1: pinning ------------------------------------------------------ */

static int check_cgroup_array(const char *path, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		fprintf(stderr, "%s: '%s' is not a pinned map: %s\n", prog, path, sample_strerror(err));
		return err;
	}
	if (info.type != BPF_MAP_TYPE_CGROUP_ARRAY) {
		fprintf(stderr, "%s: '%s' is a pinned map of type %u, not a CGROUP_ARRAY\n", prog,
			path, info.type);
		return -EINVAL;
	}
	return (int)info.id;
}

/* Open the CGROUP_ARRAY pinned at path. Returns the map fd or -errno. */
static int open_pinned(const char *path)
{
	int fd = bpf_obj_get(path), err;

	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			fprintf(stderr, "%s: nothing is pinned at '%s'; create it with: %s pin %s "
				"CGROUP\n", prog, path, prog, path);
		else
			fprintf(stderr, "%s: opening the pin '%s' failed: %s (is it on a bpffs?)\n",
				prog, path, sample_strerror(err));
		return err;
	}
	if ((err = check_cgroup_array(path, fd)) < 0) {
		close(fd);
		return err;
	}
	return fd;
}

/* Pins live on a bpf filesystem. If the pin's directory is /sys/fs/bpf and
 * nothing is mounted there, mount bpffs (as systemd does at boot) and say so;
 * it stays mounted, since a pin exists to outlive this process. */
static int ensure_bpffs(const char *path)
{
	char dir[SAMPLE_CGROUP_PATH_MAX], *slash;
	struct statfs sfs;
	int err;

	if (strlen(path) >= sizeof(dir)) {
		fprintf(stderr, "%s: pin path too long\n", prog);
		return -ENAMETOOLONG;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (!statfs(dir, &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (!strcmp(dir, BPFFS)) {
		if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
			err = -errno;
			fprintf(stderr, "%s: %s is not a bpffs and mounting one there failed: %s\n",
				prog, BPFFS, sample_strerror(err));
			return err;
		}
		fprintf(stderr, "%s: %s was not mounted: mounted bpffs there (it stays mounted; "
			"umount %s to undo)\n", prog, BPFFS, BPFFS);
		return 0;
	}
	fprintf(stderr, "%s: '%s' is not on a bpffs; pins must live on one, e.g. %s/NAME "
		"(mount -t bpf bpf %s)\n", prog, dir, BPFFS, BPFFS);
	return -EXDEV;
}

/* Put the cgroup at cgroup_path into slot 0 of map_fd. */
static int set_slot(int map_fd, const char *cgroup_path)
{
	__u32 key = CGA_SLOT;
	int cg, err = 0;

	cg = sample_cgroup_open(prog, cgroup_path);
	if (cg < 0)
		return cg;
	/* The value is the directory fd; the map keeps a reference to the cgroup
	 * itself, so the fd can be closed right after. */
	if (bpf_map_update_elem(map_fd, &key, &cg, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "%s: putting %s into the CGROUP_ARRAY failed: %s\n", prog,
			cgroup_path, sample_strerror(err));
	}
	close(cg);
	return err;
}

static int cmd_pin(const char *path, const char *cgroup_path)
{
	int map_fd, id, err;

	if ((err = ensure_bpffs(path)))
		return err;
	map_fd = bpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "cgroup_map", sizeof(__u32),
				sizeof(__u32), CGA_SLOTS, NULL);
	if (map_fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: creating a CGROUP_ARRAY failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	if ((err = set_slot(map_fd, cgroup_path)))
		goto out;
	if (bpf_obj_pin(map_fd, path)) {
		err = -errno;
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

		if (err == -EEXIST)
			fprintf(stderr, "%s: '%s' already exists; remove it with: %s unpin %s\n",
				prog, path, prog, path);
		else if (err == -EPERM && strchr(base, '.'))
			fprintf(stderr, "%s: pinning at '%s' failed: bpffs refuses names with "
				"a '.' (reserved); pick a name without one\n", prog, path);
		else
			fprintf(stderr, "%s: pinning at '%s' failed: %s\n", prog, path,
				sample_strerror(err));
		goto out;
	}
	id = check_cgroup_array(path, map_fd);
	printf("pinned CGROUP_ARRAY id %d at %s, slot 0 = %s\n", id, path, cgroup_path);
out:
	close(map_fd);
	return err;
}

static int cmd_update(const char *path, const char *cgroup_path)
{
	int map_fd = open_pinned(path), id, err;

	if (map_fd < 0)
		return map_fd;
	id = check_cgroup_array(path, map_fd);
	err = set_slot(map_fd, cgroup_path);
	if (!err)
		printf("updated CGROUP_ARRAY id %d pinned at %s: slot 0 = %s\n", id, path,
		       cgroup_path);
	close(map_fd);
	return err;
}

static int cmd_unpin(const char *path)
{
	int map_fd = open_pinned(path), id, err = 0;

	if (map_fd < 0)
		return map_fd;
	id = check_cgroup_array(path, map_fd);
	close(map_fd);
	if (unlink(path)) {
		err = -errno;
		fprintf(stderr, "%s: removing the pin '%s' failed: %s\n", prog, path,
			sample_strerror(err));
		return err;
	}
	printf("unpinned CGROUP_ARRAY id %d from %s\n", id, path);
	return 0;
}

static int subcommand(int argc, char **argv)
{
	const char *cmd = argv[1];
	int want = !strcmp(cmd, "unpin") ? 3 : 4;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
	}
	if (argc != want) {
		fprintf(stderr, "%s: usage: %s %s PATH%s (see -h)\n", prog, prog, cmd,
			want == 4 ? " CGROUP" : "");
		return 2;
	}
	if (sample_init(false) || sample_check_privileges(prog))
		return 1;
	if (!strcmp(cmd, "pin"))
		return cmd_pin(argv[2], argv[3]) ? 1 : 0;
	if (!strcmp(cmd, "update"))
		return cmd_update(argv[2], argv[3]) ? 1 : 0;
	return cmd_unpin(argv[2]) ? 1 : 0;
}

/* The demo pins in a bpffs instance of its own: a private mount namespace with
 * a fresh bpffs on /sys/fs/bpf. Nothing changes for the rest of the system, and
 * pins vanish with the instance when this process (and its children) exit, so
 * even kill -9 leaves no pin. Children inherit the namespace and see the pin. */
static int private_bpffs(void)
{
	int err;

	/* "none": the type of a propagation change is ignored, but valgrind
	 * reads it as a string even then. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", "none", MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		err = -errno;
		fprintf(stderr, "%s: mounting a private bpffs on %s failed: %s\n", prog, BPFFS,
			sample_strerror(err));
		return err;
	}
	return 0;
}

/* Run "<self> update PATH CGROUP" as a second process, as a user would. */
static int run_second_invocation(const char *self, const char *path, const char *cgroup)
{
	char *args[] = { (char *)self, "update", (char *)path, (char *)cgroup, NULL };
	char exe[PATH_MAX];
	ssize_t n;
	int status;
	pid_t pid;

	/* This very binary, whatever argv[0] says. Resolved with readlink()
	 * rather than exec'ing /proc/self/exe: under valgrind that link names
	 * the valgrind tool, and only readlink() is translated. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	printf("  second process: %s update %s %s\n    ", self, path, cgroup);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv(exe, args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static int scene_pinning(struct cgroup_array *skel, const char *self, const char *cgroup,
			 char *pin, size_t len)
{
	int map_fd = bpf_map__fd(skel->maps.cgroup_map), cg, err;
	__u32 key = CGA_SLOT, val;

	snprintf(pin, len, BPFFS "/cgroup_array_%d", (int)getpid());
	if (bpf_map__pin(skel->maps.cgroup_map, pin)) {
		err = -errno;
		fprintf(stderr, "%s: pinning the map at %s failed: %s\n", prog, pin,
			sample_strerror(err));
		pin[0] = '\0';
		return err;
	}
	printf("Scene 1: pinning (a private bpffs on %s, seen only by this process and its "
	       "children)\n", BPFFS);
	printf("  pinned cgroup_map (CGROUP_ARRAY, 1 slot) at %s; slot 0 is empty\n", pin);

	/* The traps: user space writes fds, but cannot read anything back. */
	err = bpf_map_lookup_elem(map_fd, &key, &val) ? -errno : 0;
	/* 524 is the kernel-internal ENOTSUPP, which libc has no text for. */
	printf("  lookup slot 0 from user space        -> %s: a CGROUP_ARRAY is write-only "
	       "from user space\n", err == -524 ? "error 524 (ENOTSUPP)" :
	       err ? sample_strerror(err) : "found (unexpected)");
	cg = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = cg < 0 ? -errno : (bpf_map_update_elem(map_fd, &key, &cg, BPF_ANY) ? -errno : 0);
	if (cg >= 0)
		close(cg);
	printf("  update slot 0 with an fd of /        -> %s: only cgroup v2 directories "
	       "are accepted\n", err ? sample_strerror(err) : "ok (unexpected)");
	key = CGA_SLOTS;
	cg = sample_cgroup_open(prog, cgroup);
	if (cg < 0)
		return cg;
	err = bpf_map_update_elem(map_fd, &key, &cg, BPF_ANY) ? -errno : 0;
	close(cg);
	printf("  update slot 1 (= max_entries)        -> %s\n",
	       err ? sample_strerror(err) : "ok (unexpected)");

	err = run_second_invocation(self, pin, cgroup);
	if (err) {
		fprintf(stderr, "%s: the second process could not update the pinned map\n", prog);
		return err;
	}
	printf("\n");
	return 0;
}

/* ---- scenes 2 and 3: the demo's traffic and syscalls ----------------------- */

/* A child that optionally joins the cgroup, then creates a UDP socket (a
 * socket belongs to the cgroup of the task that creates it), sends n
 * datagrams and makes n getppid() calls. Returns 0 when the child succeeded. */
static int run_child(struct ctx *c, bool inside, int n)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char payload[DEMO_LEN] = {};
		int fd;

		if (inside && sample_cgroup_join(c->cgroup, 0))
			_exit(1);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			_exit(1);
		for (int i = 0; i < n; i++) {
			/* A packet dropped at tc egress still "sends" fine for UDP. */
			if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&c->dst,
				   sizeof(c->dst)) != sizeof(payload) && errno != ENOBUFS)
				_exit(1);
			syscall(SYS_getppid);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static void drain(struct ctx *c, int timeout_ms)
{
	char buf[2048];
	__u64 until = sample_now_ns() + (__u64)timeout_ms * 1000000;

	do {
		while (recv(c->rx_fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			c->received++;
		if (c->received == c->sent_out + (c->skel->rodata->pass ? c->sent_in : 0))
			return;
		usleep(5000);
	} while (sample_now_ns() < until);
}

static int read_stats(struct ctx *c, struct cga_stats *st)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(c->stats_fd, &key, st) ? -errno : 0;
}

static int print_row(struct ctx *c)
{
	char b[7][SAMPLE_FMT_LEN];
	struct cga_stats st;
	double t = (sample_now_ns() - c->start_ns) / 1e9;
	int err = read_stats(c, &st);

	if (err) {
		fprintf(stderr, "%s: reading the stats failed: %s\n", prog, sample_strerror(err));
		return err;
	}
	sample_fmt_u64(b[0], SAMPLE_FMT_LEN, st.in_pkts);
	sample_fmt_u64(b[1], SAMPLE_FMT_LEN, st.in_bytes);
	sample_fmt_u64(b[2], SAMPLE_FMT_LEN, st.out_pkts);
	sample_fmt_u64(b[3], SAMPLE_FMT_LEN, st.out_bytes);
	sample_fmt_u64(b[4], SAMPLE_FMT_LEN, st.in_calls);
	sample_fmt_u64(b[5], SAMPLE_FMT_LEN, st.out_calls);
	if (c->demo)
		sample_fmt_u64(b[6], SAMPLE_FMT_LEN, c->received);
	else
		strcpy(b[6], "-");
	printf("%7.1f  %9s %11s  %9s %11s  %9s %9s  %9s\n", t, b[0], b[1], b[2], b[3],
	       b[4], b[5], b[6]);
	fflush(stdout);
	return 0;
}

static int tick(void *arg)
{
	struct ctx *c = arg;

	if (c->demo) {
		int err;

		if ((err = run_child(c, true, DEMO_IN)) || (err = run_child(c, false, DEMO_OUT))) {
			fprintf(stderr, "%s: a demo child failed: %s\n", prog, sample_strerror(err));
			return err;
		}
		c->sent_in += DEMO_IN;
		c->calls_in += DEMO_IN;
		c->sent_out += DEMO_OUT;
		c->calls_out += DEMO_OUT;
		drain(c, 200);
	}
	return print_row(c);
}

/* The receiver of the demo traffic: UDP 10.11.1.2:7000 in the peer netns. */
static int open_receiver(struct sample_demo *d, struct sockaddr_in *dst)
{
	int fd = sample_netns_socket(d->peer_ns, AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return fd;
	dst->sin_family = AF_INET;
	dst->sin_port = htons(DEMO_PORT);
	dst->sin_addr = d->peer_addr4;
	if (bind(fd, (struct sockaddr *)dst, sizeof(*dst))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "map", required_argument, NULL, 'm' },
		{ "interface", required_argument, NULL, 'i' },
		{ "pass", no_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'I' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct sample_run_opts run = { .interval_ms = 1000 };
	struct sample_demo demo = { .orig_ns = -1, .ns = -1, .peer_ns = -1 };
	struct sample_tc tc = { .link_fd = -1 };
	struct cgroup_array *skel = NULL;
	struct bpf_link *tp_link = NULL;
	const char *cgroup = NULL, *map_path = NULL, *ifname = NULL;
	struct sample_cgroup demo_cg = SAMPLE_CGROUP_INIT;
	char pin[256] = "";
	bool verbose = false, pass = false, use_demo, tc_attached = false, demo_up = false;
	struct ctx c = { .rx_fd = -1 };
	int opt, ifindex = 0, pinned_fd = -1, claim = -1, err = 0;
	unsigned long v;

	if (argc > 1 && (!strcmp(argv[1], "pin") || !strcmp(argv[1], "update") ||
			 !strcmp(argv[1], "unpin")))
		return subcommand(argc, argv);

	while ((opt = getopt_long(argc, argv, ":c:m:i:pd:I:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cgroup = optarg;
			break;
		case 'm':
			map_path = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'p':
			pass = true;
			break;
		case 'd':
			if (sample_parse_uint(prog, 'd', optarg, 1, 86400, &v))
				return 2;
			run.duration_s = v;
			break;
		case 'I':
			if (sample_parse_interval(prog, optarg, &run.interval_ms))
				return 2;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return sample_getopt_error(prog, opt, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (see -h)\n", prog, argv[optind]);
		return 2;
	}
	if (ifname && !cgroup && !map_path) {
		fprintf(stderr, "%s: -i needs a cgroup to test against: add -c CGROUP or -m PIN\n",
			prog);
		return 2;
	}
	use_demo = !cgroup && !map_path;

	if (sample_init(verbose) || sample_check_privileges(prog))
		return 1;

	/* 1. The cgroup: the demo's own, or the user's (checked before anything is
	 *    created), and the interface. */
	if (use_demo) {
		if ((err = sample_cgroup_create(prog, &demo_cg)))
			return 1;
		cgroup = demo_cg.path;
		if ((err = private_bpffs()))
			goto cleanup;
		if ((err = sample_demo_setup(&demo, prog, 0)))
			goto cleanup;
		demo_up = true;
		ifname = demo.ifname;
		ifindex = demo.ifindex;
		c.rx_fd = open_receiver(&demo, &c.dst);
		if (c.rx_fd < 0) {
			err = c.rx_fd;
			fprintf(stderr, "%s: opening the demo receiver failed: %s\n", prog,
				sample_strerror(err));
			goto cleanup;
		}
		c.demo = true;
		c.cgroup = demo_cg.path;
	} else {
		if (cgroup) {
			int fd = sample_cgroup_open(prog, cgroup);

			if (fd < 0)
				return 1;
			close(fd);
		}
		if (map_path && (pinned_fd = open_pinned(map_path)) < 0)
			return 1;
		if (ifname && (ifindex = sample_ifindex(prog, ifname)) < 0) {
			err = ifindex;
			goto cleanup;
		}
		/* tcx runs two filters side by side: one cgroup_array per interface. */
		if (ifname && (claim = sample_claim_iface(prog, ifindex)) < 0) {
			err = claim;
			goto cleanup;
		}
	}

	/* 2. Load, with the pinned map reused in place of the skeleton's (-m). */
	skel = cgroup_array__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "%s: opening the BPF object failed: %s\n", prog, sample_strerror(err));
		goto cleanup;
	}
	skel->rodata->pass = pass;
	skel->rodata->syscall_nr = SYS_getppid;
	skel->rodata->parent_tgid = use_demo ? getpid() : 0;
	if (pinned_fd >= 0 && (err = bpf_map__reuse_fd(skel->maps.cgroup_map, pinned_fd))) {
		fprintf(stderr, "%s: using the pinned map %s failed: %s\n", prog, map_path,
			sample_strerror(err));
		goto cleanup;
	}
	if ((err = cgroup_array__load(skel))) {
		fprintf(stderr, "%s: loading the BPF object failed: %s%s\n", prog,
			sample_strerror(err), verbose ? "" : " (run with -v for libbpf's log)");
		goto cleanup;
	}
	if (bpf_map__value_size(skel->maps.stats) != sizeof(struct cga_stats)) {
		fprintf(stderr, "%s: value size mismatch between cgroup_array.h and the object\n",
			prog);
		err = -EINVAL;
		goto cleanup;
	}
	c.skel = skel;
	c.stats_fd = bpf_map__fd(skel->maps.stats);

	/* 3. Slot 0: in the demo a second process fills it through the pin; with
	 *    -c this process does; with -m alone it holds what 'pin' put there. */
	if (use_demo) {
		if ((err = scene_pinning(skel, argv[0], cgroup, pin, sizeof(pin))))
			goto cleanup;
	} else if (cgroup && (err = set_slot(bpf_map__fd(skel->maps.cgroup_map), cgroup))) {
		goto cleanup;
	}

	/* 4. Attach: tc egress as a tcx link, the tracepoint as a perf link. */
	if (ifname) {
		if ((err = sample_tc_attach(prog, skel->progs.egress_filter, ifindex, false, &tc)))
			goto cleanup;
		tc_attached = true;
	}
	tp_link = bpf_program__attach(skel->progs.count_getppid);
	if (!tp_link) {
		err = -errno;
		fprintf(stderr, "%s: attaching to raw_tp/sys_enter failed: %s\n", prog,
			sample_strerror(err));
		goto cleanup;
	}

	/* 5. Run. */
	if (use_demo)
		printf("Scenes 2 and 3: each tick a child in %s sends %d UDP datagrams and calls "
		       "getppid() %d times; a child outside does %d of each. Cgroup packets are "
		       "%s at %s egress.\n", cgroup, DEMO_IN, DEMO_IN, DEMO_OUT,
		       pass ? "counted and passed" : "counted and dropped", ifname);
	else
		printf("Cgroup %s: %s%s%s; getppid() calls of every task counted\n",
		       cgroup ? cgroup : map_path, ifname ? (pass ? "egress counted on " :
		       "egress counted and dropped on ") : "no interface (-i)",
		       ifname ? ifname : "", map_path ? " (slot 0 follows the pin: update it "
		       "with 'update')" : "");
	printf("%7s  %9s %11s  %9s %11s  %9s %9s  %9s\n", "time", "cg pkts", "cg bytes",
	       "oth pkts", "oth bytes", "cg calls", "oth calls", "received");
	fflush(stdout);
	c.start_ns = sample_now_ns();
	run.tick = tick;
	run.ctx = &c;
	err = sample_run(&run);

	/* 6. Summary. */
	if (!err) {
		if (c.demo)
			drain(&c, 300);
		printf("final:\n");
		err = print_row(&c);
	}
	if (!err && !c.demo) {
		struct cga_stats st;

		if (!(err = read_stats(&c, &st)))
			printf("summary: %llu packets %s and %llu getppid() calls from inside the "
			       "cgroup, %llu packets and %llu calls from outside\n",
			       (unsigned long long)st.in_pkts, pass ? "passed" : "dropped",
			       (unsigned long long)st.in_calls, (unsigned long long)st.out_pkts,
			       (unsigned long long)st.out_calls);
	}
	if (!err && c.demo) {
		printf("demo sent: %llu datagrams and %llu getppid() from inside the cgroup, "
		       "%llu and %llu from outside; the receiver got %llu (%s mode)\n",
		       (unsigned long long)c.sent_in, (unsigned long long)c.calls_in,
		       (unsigned long long)c.sent_out, (unsigned long long)c.calls_out,
		       (unsigned long long)c.received, pass ? "pass" : "drop");
	}

cleanup:
	if (tc_attached)
		sample_tc_detach(&tc);
	bpf_link__destroy(tp_link);
	if (pin[0]) {
		struct stat sb;

		if (unlink(pin) && errno != ENOENT)
			fprintf(stderr, "%s: removing the pin %s failed: %s\n", prog, pin,
				sample_strerror(-errno));
		else if (!err)
			printf("pin %s removed (stat -> %s)\n", pin,
			       stat(pin, &sb) ? sample_strerror(-errno) : "still there");
	}
	cgroup_array__destroy(skel);
	if (pinned_fd >= 0)
		close(pinned_fd);
	if (claim >= 0)
		close(claim);
	if (c.rx_fd >= 0)
		close(c.rx_fd);
	if (demo_up)
		sample_demo_teardown(&demo);
	if (demo_cg.reaper_fd >= 0) {
		int e = sample_cgroup_destroy(&demo_cg);

		if (e) {
			fprintf(stderr, "%s: removing the demo cgroup %s failed: %s\n", prog,
				demo_cg.path, sample_strerror(e));
			err = err ? err : e;
		}
	}
	return err ? 1 : 0;
}
