/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/cgroup.h - cgroup v2 helpers for the samples that attach to, or test
 * membership of, a cgroup (cgroup_array, sk_storage).
 *
 * cgroup v2 is not always at /sys/fs/cgroup: hybrid systems mount it at
 * /sys/fs/cgroup/unified, so the root is looked up in /proc/mounts.
 *
 * Demo cgroups are named "<sample>.<pid>" directly under the cgroup v2 root.
 * Each is removed by a small reaper process made with it: the reaper waits on
 * a pipe whose only write end the sample holds, so it wakes when the sample
 * closes it or dies, however it dies (SIGKILL too), moves out any process
 * still inside and removes the directory. The reaper is in a session of its
 * own, so a kill of the sample's process group does not take it along.
 */
#ifndef SAMPLE_CGROUP_H
#define SAMPLE_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

#define SAMPLE_CGROUP_PATH_MAX 4096

/* Copy the mount point of cgroup v2 into root. Returns 0, or -ENOENT (after
 * printing one line naming the fix) when cgroup v2 is not mounted. */
int sample_cgroup2_root(const char *prog, char *root, size_t len);

/* Open a cgroup v2 directory (O_RDONLY | O_DIRECTORY) for BPF: returns the fd,
 * or -errno after one line naming the cause (missing, not a directory, not on
 * cgroup v2). */
int sample_cgroup_open(const char *prog, const char *path);

/* Remove "<prog>.<pid>" directories under root whose pid is gone, saying so on
 * stderr. Returns how many were removed. */
int sample_cgroup_remove_stale(const char *prog, const char *root);

/* A demo cgroup and the reaper that removes it. */
struct sample_cgroup {
	char path[SAMPLE_CGROUP_PATH_MAX];
	int reaper_fd; /* the pipe's write end: closing it ends the cgroup */
	pid_t reaper;
};
#define SAMPLE_CGROUP_INIT                    \
	{                                     \
		.reaper_fd = -1, .reaper = -1 \
	}

/* Create "<root>/<prog>.<pid>" (stale ones removed first) with its reaper.
 * Call it before the process joins the cgroup (the reaper must stay outside).
 * Returns 0 or -errno after printing one line, with nothing left. */
int sample_cgroup_create(const char *prog, struct sample_cgroup *cg);

/* Remove the demo cgroup now: the reaper moves out what is still inside (the
 * caller too, if it joined), removes the directory and exits; this waits for
 * it. Safe on SAMPLE_CGROUP_INIT and twice. 0 or -errno (the reaper's). */
int sample_cgroup_destroy(struct sample_cgroup *cg);

/* Move process pid (0 = the caller) into the cgroup at path. 0 or -errno. */
int sample_cgroup_join(const char *path, pid_t pid);

/* The cgroup v2 directory of the calling process (root + the "0::" line of
 * /proc/self/cgroup), e.g. to return there before removing a demo cgroup the
 * process joined. 0 or -errno. */
int sample_cgroup_self(const char *root, char *path, size_t len);

/* Move every process still in path to the cgroup v2 root, then rmdir it.
 * 0 or -errno. */
int sample_cgroup_remove(const char *path);

#endif /* SAMPLE_CGROUP_H */
