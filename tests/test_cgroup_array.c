// SPDX-License-Identifier: GPL-2.0
/* cgroup_array: membership tests against slot 0 of a CGROUP_ARRAY, exact counts
 * from the tc and raw tracepoint programs, the pinned map updated by another
 * process, and the map's traps. */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "demo.h"
#include "tc.h"
#include "cgroup.h"
#include "cgroup_array.h"
#include "cgroup_array.skel.h"

#define TEST_PREFIX "cgroup_array_test"
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

/* Open and load with the given rodata; slot 0 stays empty. */
static struct cgroup_array *load(bool pass, __u32 parent_tgid)
{
	struct cgroup_array *skel = cgroup_array__open();

	if (!skel)
		return NULL;
	skel->rodata->pass = pass;
	skel->rodata->syscall_nr = SYS_getppid;
	skel->rodata->parent_tgid = parent_tgid;
	if (cgroup_array__load(skel)) {
		cgroup_array__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct cga_stats read_stats(struct cgroup_array *skel)
{
	struct cga_stats st;
	__u32 key = 0;

	memset(&st, 0xff, sizeof(st));
	bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &key, &st);
	return st;
}

static int set_slot0(struct cgroup_array *skel, const char *path)
{
	int cg = sample_cgroup_open("test", path), err;
	__u32 key = CGA_SLOT;

	if (cg < 0)
		return cg;
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup_map), &key, &cg, BPF_ANY)
		? -errno : 0;
	close(cg);
	return err;
}

/* Run the tc program once on a UDP frame. BPF_PROG_TEST_RUN gives the skb a
 * socket of its own, charged to the cgroup of the calling task. */
static int run_tc(struct cgroup_array *skel, __u32 *retval)
{
	struct pkt_opts o = { AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 64 };
	unsigned char pkt[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt);
	int err;

	topts.data_size_in = pkt_build(pkt, &o);
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.egress_filter), &topts)
		? -errno : 0;
	*retval = topts.retval;
	return err;
}

/* In a child process: join cgroup (if not NULL), then run the tc program n
 * times or call getppid() n times. The child's exit code is the number of
 * failures (or 100 + the step that failed). */
static int in_child(const char *cgroup, struct cgroup_array *skel, int n, bool tc,
		    __u32 want_retval)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int bad = 0;

		if (cgroup && sample_cgroup_join(cgroup, 0))
			_exit(100);
		for (int i = 0; i < n; i++) {
			if (tc) {
				__u32 rv;

				if (run_tc(skel, &rv) || rv != want_retval)
					bad++;
			} else {
				syscall(SYS_getppid);
			}
		}
		_exit(bad);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

/* bpf_skb_under_cgroup: before slot 0 is set every packet is "empty slot"
 * (-EAGAIN, passed); after, packets whose socket belongs to the cgroup are
 * counted and dropped, the others counted and passed. */
TEST(cgroup_array, tc_in_vs_out_exact)
{
	struct sample_cgroup cgh;
	char *cg = cgh.path;
	struct cgroup_array *skel = load(false, 0);
	struct cga_stats st;
	__u32 rv = 99;

	REQUIRE(skel, "load: %s", strerror(errno));
	if (sample_cgroup_create(TEST_PREFIX, &cgh)) {
		cgroup_array__destroy(skel);
		REQUIRE(0, "cannot create a test cgroup");
	}
	CHECK_ERR(run_tc(skel, &rv), 0);
	CHECK_U64(rv, TC_ACT_OK);
	st = read_stats(skel);
	CHECK_U64(st.empty_pkts, 1);
	CHECK_U64(st.in_pkts + st.out_pkts + st.nosk_pkts, 0);

	CHECK_ERR(set_slot0(skel, cg), 0);
	CHECK_U64(in_child(cg, skel, 7, true, TC_ACT_SHOT), 0);	/* inside: dropped */
	CHECK_U64(in_child(NULL, skel, 4, true, TC_ACT_OK), 0);	/* outside: passed */
	st = read_stats(skel);
	CHECK_U64(st.in_pkts, 7);
	CHECK_U64(st.in_bytes, 7 * (14 + 20 + 8 + 64));
	CHECK_U64(st.out_pkts, 4);
	CHECK_U64(st.out_bytes, 4 * (14 + 20 + 8 + 64));
	CHECK_U64(st.empty_pkts, 1);
	CHECK_U64(st.nosk_pkts, 0);
	cgroup_array__destroy(skel);
	CHECK_ERR(sample_cgroup_destroy(&cgh), 0);
}

/* With the pass rodata the cgroup's packets are still counted but pass. */
TEST(cgroup_array, tc_pass_mode)
{
	struct sample_cgroup cgh;
	char *cg = cgh.path;
	struct cgroup_array *skel = load(true, 0);
	struct cga_stats st;

	REQUIRE(skel, "load: %s", strerror(errno));
	if (sample_cgroup_create(TEST_PREFIX, &cgh)) {
		cgroup_array__destroy(skel);
		REQUIRE(0, "cannot create a test cgroup");
	}
	CHECK_ERR(set_slot0(skel, cg), 0);
	CHECK_U64(in_child(cg, skel, 3, true, TC_ACT_OK), 0);
	st = read_stats(skel);
	CHECK_U64(st.in_pkts, 3);
	CHECK_U64(st.out_pkts, 0);
	cgroup_array__destroy(skel);
	CHECK_ERR(sample_cgroup_destroy(&cgh), 0);
}

/* The membership test covers the whole subtree: a socket made by a task in a
 * child cgroup of the one in slot 0 is "under" it. */
TEST(cgroup_array, descendant_cgroup_is_under)
{
	struct sample_cgroup cgh;
	char *cg = cgh.path;
	char sub[SAMPLE_CGROUP_PATH_MAX + 8];
	struct cgroup_array *skel = load(false, 0);

	REQUIRE(skel, "load: %s", strerror(errno));
	if (sample_cgroup_create(TEST_PREFIX, &cgh)) {
		cgroup_array__destroy(skel);
		REQUIRE(0, "cannot create a test cgroup");
	}
	snprintf(sub, sizeof(sub), "%s/sub", cg);
	CHECK_ERR(mkdir(sub, 0755) ? -errno : 0, 0);
	CHECK_ERR(set_slot0(skel, cg), 0);
	CHECK_U64(in_child(sub, skel, 2, true, TC_ACT_SHOT), 0);
	CHECK_U64(read_stats(skel).in_pkts, 2);
	CHECK_ERR(sample_cgroup_remove(sub), 0);
	cgroup_array__destroy(skel);
	CHECK_ERR(sample_cgroup_destroy(&cgh), 0);
}

/* Real packets: tc egress on lo of a private netns. N datagrams from a child in
 * the cgroup are counted and dropped (the receiver gets none), M from a child
 * outside all arrive. */
TEST(cgroup_array, real_udp_on_lo_dropped_inside_only)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(7000),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sample_cgroup cgh;
	char *cg = cgh.path;
	char buf[256];
	struct cgroup_array *skel = load(false, 0);
	struct sample_tc tc = { .link_fd = -1 };
	int orig = -1, ns = -1, rx = -1, got = 0;
	bool attached = false;
	struct cga_stats st;
	enum { N = 6, M = 4 };

	REQUIRE(skel, "load: %s", strerror(errno));
	if (sample_cgroup_create(TEST_PREFIX, &cgh)) {
		cgroup_array__destroy(skel);
		REQUIRE(0, "cannot create a test cgroup");
	}
	CHECK_ERR(set_slot0(skel, cg), 0);
	orig = sample_netns_current();
	ns = sample_netns_new();
	if (orig < 0 || ns < 0 || sample_netns_enter(ns)) {
		harness_fail(__FILE__, __LINE__, "cannot make a test netns");
		goto out;
	}
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK_ERR(bind(rx, (struct sockaddr *)&dst, sizeof(dst)) ? -errno : 0, 0);
	CHECK_ERR(sample_tc_attach("test", skel->progs.egress_filter, 1, false, &tc), 0);
	attached = true;
	for (int pass = 0; pass < 2; pass++) {
		int n = pass ? M : N;
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			int fd;

			if (!pass && sample_cgroup_join(cg, 0))
				_exit(100);
			fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			for (int i = 0; i < n; i++)
				sendto(fd, buf, 100, 0, (struct sockaddr *)&dst, sizeof(dst));
			_exit(fd < 0);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0, "sender child failed");
	}
	for (int i = 0; i < 100 && got < M + N; i++) {
		if (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			got++;
		else
			usleep(2000);
	}
	CHECK_U64(got, M);
	st = read_stats(skel);
	CHECK_U64(st.in_pkts, N);
	CHECK_U64(st.out_pkts, M);
	CHECK_U64(st.in_bytes, N * (14 + 20 + 8 + 100));	/* lo has a zero Ethernet header */
out:
	if (attached)
		sample_tc_detach(&tc);
	if (rx >= 0)
		close(rx);
	if (orig >= 0) {
		sample_netns_enter(orig);
		close(orig);
	}
	if (ns >= 0)
		close(ns);
	cgroup_array__destroy(skel);
	CHECK_ERR(sample_cgroup_destroy(&cgh), 0);
}

/* bpf_current_task_under_cgroup from raw_tp/sys_enter: N getppid() calls from
 * a child in the cgroup and M from a child outside give exactly N and M; with
 * the slot empty they are "empty" calls. Only children of this process count. */
TEST(cgroup_array, syscalls_in_vs_out_exact)
{
	struct sample_cgroup cgh;
	char *cg = cgh.path;
	struct cgroup_array *skel = load(false, getpid());
	struct bpf_link *link = NULL;
	struct cga_stats st;

	REQUIRE(skel, "load: %s", strerror(errno));
	if (sample_cgroup_create(TEST_PREFIX, &cgh)) {
		cgroup_array__destroy(skel);
		REQUIRE(0, "cannot create a test cgroup");
	}
	link = bpf_program__attach(skel->progs.count_getppid);
	if (!link) {
		harness_fail(__FILE__, __LINE__, "attach raw_tp/sys_enter: %s", strerror(errno));
		goto out;
	}
	CHECK_U64(in_child(NULL, skel, 2, false, 0), 0);	/* slot 0 empty */
	syscall(SYS_getppid);	/* this process: not a child of itself, not counted */
	CHECK_ERR(set_slot0(skel, cg), 0);
	CHECK_U64(in_child(cg, skel, 11, false, 0), 0);
	CHECK_U64(in_child(NULL, skel, 5, false, 0), 0);
	st = read_stats(skel);
	CHECK_U64(st.empty_calls, 2);
	CHECK_U64(st.in_calls, 11);
	CHECK_U64(st.out_calls, 5);
out:
	bpf_link__destroy(link);
	cgroup_array__destroy(skel);
	CHECK_ERR(sample_cgroup_destroy(&cgh), 0);
}

/* The map pinned in a bpffs is opened and updated by a second process: the
 * programs of the first one see the new slot at once. The pin is removed and
 * is then gone. Runs in a child with a private mount ns and its own bpffs. */
TEST(cgroup_array, pinned_map_updated_by_second_process)
{
	struct sample_cgroup cgh;
	char *cg = cgh.path;
	char dir[] = "/tmp/cgroup_array_test.XXXXXX", pin[64];
	struct cgroup_array *skel = load(false, 0);
	int status;
	pid_t a;

	REQUIRE(skel, "load: %s", strerror(errno));
	if (sample_cgroup_create(TEST_PREFIX, &cgh)) {
		cgroup_array__destroy(skel);
		REQUIRE(0, "cannot create a test cgroup");
	}
	REQUIRE(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(pin, sizeof(pin), "%s/map", dir);
	a = fork();
	if (a == 0) {
		struct stat sb;
		pid_t b;

		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("bpf", dir, "bpf", 0, "mode=0700"))
			_exit(101);
		if (bpf_map__pin(skel->maps.cgroup_map, pin))
			_exit(102);
		b = fork();
		if (b == 0) {	/* the second process: knows only the path */
			int fd = bpf_obj_get(pin), cgfd = open(cg, O_RDONLY | O_DIRECTORY);
			__u32 key = 0;

			_exit(fd < 0 || cgfd < 0 || bpf_map_update_elem(fd, &key, &cgfd, BPF_ANY));
		}
		if (waitpid(b, &status, 0) != b || !WIFEXITED(status) || WEXITSTATUS(status))
			_exit(103);
		if (unlink(pin) || !stat(pin, &sb) || errno != ENOENT)
			_exit(104);
		_exit(0);
	}
	CHECK(a > 0 && waitpid(a, &status, 0) == a && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "pin/update child failed with %d", WEXITSTATUS(status));
	rmdir(dir);
	/* Slot 0 was filled by the second process: a packet from the cgroup is
	 * now "in" and dropped. */
	CHECK_U64(in_child(cg, skel, 1, true, TC_ACT_SHOT), 0);
	CHECK_U64(read_stats(skel).in_pkts, 1);
	CHECK_U64(read_stats(skel).empty_pkts, 0);
	cgroup_array__destroy(skel);
	CHECK_ERR(sample_cgroup_destroy(&cgh), 0);
}

/* Traps: user space cannot read a slot (ENOTSUPP, 524), only a cgroup v2
 * directory fd is accepted (EBADF for others), the index is bounded (E2BIG),
 * delete empties a slot and a second delete is ENOENT. */
TEST(cgroup_array, map_traps)
{
	struct sample_cgroup cgh;
	char *cg = cgh.path;
	struct cgroup_array *skel = load(false, 0);
	int fd, cgfd, other;
	__u32 key = 0, val;

	REQUIRE(skel, "load: %s", strerror(errno));
	if (sample_cgroup_create(TEST_PREFIX, &cgh)) {
		cgroup_array__destroy(skel);
		REQUIRE(0, "cannot create a test cgroup");
	}
	fd = bpf_map__fd(skel->maps.cgroup_map);
	CHECK_U64(bpf_map__value_size(skel->maps.cgroup_map), 4);
	cgfd = open(cg, O_RDONLY | O_DIRECTORY);
	other = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &other, BPF_ANY) ? -errno : 0, -EBADF);
	CHECK_ERR(bpf_map_update_elem(fd, &key, &cgfd, BPF_ANY) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_lookup_elem(fd, &key, &val) ? -errno : 0, -524);
	key = 1;
	CHECK_ERR(bpf_map_update_elem(fd, &key, &cgfd, BPF_ANY) ? -errno : 0, -E2BIG);
	key = 0;
	CHECK_ERR(bpf_map_delete_elem(fd, &key) ? -errno : 0, 0);
	CHECK_ERR(bpf_map_delete_elem(fd, &key) ? -errno : 0, -ENOENT);
	/* Deleted = empty again: the program reports -EAGAIN. */
	CHECK_U64(in_child(cg, skel, 1, true, TC_ACT_OK), 0);
	CHECK_U64(read_stats(skel).empty_pkts, 1);
	close(cgfd);
	close(other);
	cgroup_array__destroy(skel);
	CHECK_ERR(sample_cgroup_destroy(&cgh), 0);
}
