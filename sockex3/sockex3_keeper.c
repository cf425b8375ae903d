// SPDX-License-Identifier: GPL-2.0
/* sockex3_keeper.c - the keeper of sockex3's PROG_ARRAY. See sockex3_keeper.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sample.h"
#include "sockex3.h"
#include "sockex3_keeper.h"

#define KEEPER_MAX_IDS 32
#define KEEPER_WAIT_NS 2000000000ull /* for the programs to be freed, at most */
#define KEEPER_LET_GO 'x' /* close the fd, touch nothing */

/* What the keeper waits for: the sample's programs, and its other maps. */
struct keeper_ids {
	__u32 progs[KEEPER_MAX_IDS];
	__u32 maps[KEEPER_MAX_IDS];
	int nprogs;
	int nmaps;
};

/* Is object `id` still in the kernel? GET_NEXT_ID takes no reference (an fd
 * by id would be one more user of what is being freed). */
static bool exists(bool map, __u32 id)
{
	__u32 next = 0;
	int err;

	if (map)
		err = bpf_map_get_next_id(id - 1, &next);
	else
		err = bpf_prog_get_next_id(id - 1, &next);
	return !err && next == id;
}

static __u32 id_of(int fd)
{
	struct bpf_prog_info info = {}; /* a map's info starts the same: type, id */
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/*
 * The keeper: out of the caller's session (a Ctrl-C or a signal to the
 * sample's process group is the sample's), stdio on /dev/null (a shell
 * capturing the sample's output must not wait for it), holding only the
 * socket (fd 3) and the PROG_ARRAY (fd 4). It sleeps until the socket says
 * "let go" or ends (the sample closed it or died). Then it empties every
 * slot and waits until the sample's programs are freed (the stage programs
 * lose their last reference with their slot, the others went with the
 * sample's fds). A program's id goes at once, the maps it uses only after an
 * RCU grace period and a work item: so it waits for the sample's other maps
 * too, which only the programs hold now (every program uses `scratch` and
 * `stage_stats`; not .bss, which the keeper's inherited mapping holds). Then it closes the PROG_ARRAY: the last user reference of
 * a map that holds nothing and that no program holds, so the kernel's work
 * is over in microseconds and frees the map with it. Exit status: an errno.
 */
static void keeper_main(int sfd, int stages, const struct keeper_ids *ids)
{
	int keep_s = fcntl(sfd, F_DUPFD, 100), keep_m = fcntl(stages, F_DUPFD, 100);
	int null = open("/dev/null", O_RDWR), err = 0, i = 0;
	__u64 deadline;
	sigset_t none;
	ssize_t got;
	char c = 0;

	setsid();
	prctl(PR_SET_NAME, "sockex3-keeper"); /* not "sockex3" for pkill / killall */
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (keep_s < 0 || keep_m < 0 || dup2(keep_s, 3) != 3 || dup2(keep_m, 4) != 4)
		_exit(EBADF);
	syscall(SYS_close_range, 5, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	do {
		got = read(3, &c, 1);
	} while (got < 0 && errno == EINTR);
	if (got == 1 && c == KEEPER_LET_GO)
		_exit(0);
	for (__u32 slot = 0; slot < SX3_SLOTS; slot++) {
		if (bpf_map_delete_elem(4, &slot) && errno != ENOENT)
			err = errno;
	}
	deadline = sample_now_ns() + KEEPER_WAIT_NS;
	while (i < ids->nprogs + ids->nmaps && sample_now_ns() < deadline) {
		bool map = i >= ids->nprogs;
		__u32 id = map ? ids->maps[i - ids->nprogs] : ids->progs[i];

		if (exists(map, id))
			usleep(1000);
		else
			i++;
	}
	close(4);
	_exit(err);
}

int sockex3_keeper_start(struct sockex3_keeper *k, const char *prog, const struct bpf_object *obj,
			 const struct bpf_map *stages)
{
	struct keeper_ids ids = {};
	struct bpf_program *p;
	struct bpf_map *m;
	int sv[2], err;

	*k = (struct sockex3_keeper)SOCKEX3_KEEPER_INIT;
	/* The ids of what the keeper waits for. */
	bpf_object__for_each_program(p, obj)
	{
		if (ids.nprogs < KEEPER_MAX_IDS)
			ids.progs[ids.nprogs++] = id_of(bpf_program__fd(p));
	}
	/* Not the mmapped ones (.bss): the keeper's copy of the mapping holds them. */
	bpf_object__for_each_map(m, obj)
	{
		if (m == stages || (bpf_map__map_flags(m) & BPF_F_MMAPABLE))
			continue;
		if (ids.nmaps < KEEPER_MAX_IDS)
			ids.maps[ids.nmaps++] = id_of(bpf_map__fd(m));
	}
	/* A socket pair, not a pipe: "let go" is sent with MSG_NOSIGNAL, so a
	 * keeper killed on its own is an error, not a SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		err = -errno;
		fprintf(stderr, "%s: socket pair for the PROG_ARRAY keeper: %s\n", prog,
			sample_strerror(err));
		return err;
	}
	k->pid = fork();
	if (k->pid == 0) {
		close(sv[1]);
		keeper_main(sv[0], bpf_map__fd(stages), &ids);
	}
	err = k->pid < 0 ? -errno : 0;
	close(sv[0]);
	if (err) {
		fprintf(stderr, "%s: starting the PROG_ARRAY keeper failed: %s\n", prog,
			sample_strerror(err));
		close(sv[1]);
		*k = (struct sockex3_keeper)SOCKEX3_KEEPER_INIT;
		return err;
	}
	k->fd = sv[1];
	return 0;
}

int sockex3_keeper_stop(struct sockex3_keeper *k, bool empty)
{
	const char c = KEEPER_LET_GO;
	int status = 0, err = 0;

	if (k->fd >= 0) {
		if (!empty && send(k->fd, &c, 1, MSG_NOSIGNAL) != 1)
			err = -errno;
		close(k->fd);
	}
	if (k->pid > 0) {
		while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!err && WIFEXITED(status) && WEXITSTATUS(status))
			err = -WEXITSTATUS(status);
		else if (!err && WIFSIGNALED(status))
			err = -ECHILD;
	}
	*k = (struct sockex3_keeper)SOCKEX3_KEEPER_INIT;
	return err;
}
