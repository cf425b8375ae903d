/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracefs.h - make sure tracefs is reachable before attaching a "tp/" program.
 *
 * libbpf attaches SEC("tp/<category>/<name>") by reading the tracepoint's id
 * from /sys/kernel/tracing/events/<category>/<name>/id (or the same under
 * /sys/kernel/debug/tracing). On machines where tracefs is not mounted that
 * file is missing and the attach fails with ENOENT.
 *
 * If it is missing, this moves the calling process into a private mount
 * namespace and mounts tracefs there: the rest of the system sees no change,
 * and the mount disappears with the process (even on SIGKILL). Call it before
 * creating threads (unshare(CLONE_NEWNS) needs a single-threaded process).
 *
 * Header-only so that the sample and its test share it. A candidate for common/.
 */
#ifndef TRACE_OUTPUT_TRACEFS_H
#define TRACE_OUTPUT_TRACEFS_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mount.h>

#define TRACEFS_DIR	"/sys/kernel/tracing"

/* 0 when "<tracefs>/events/<event>" exists (mounting tracefs privately if
 * needed; *mounted is set then), else -errno. Prints nothing. */
static inline int tracefs_ensure(const char *event, bool *mounted)
{
	char path[256];

	*mounted = false;
	snprintf(path, sizeof(path), TRACEFS_DIR "/events/%s", event);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s", event);
	if (!access(path, F_OK))
		return 0;
	if (!access(TRACEFS_DIR "/events", F_OK))
		return -ENOENT;		/* tracefs is there, the event is not */

	/* Private mount namespace; make every mount private so that nothing we
	 * mount propagates back to the parent namespace. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL))
		return -errno;
	*mounted = true;
	snprintf(path, sizeof(path), TRACEFS_DIR "/events/%s", event);
	return access(path, F_OK) ? -ENOENT : 0;
}

#endif /* TRACE_OUTPUT_TRACEFS_H */
