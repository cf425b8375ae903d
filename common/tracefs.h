/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracefs.h - make sure tracefs is reachable before attaching a "tp/" program.
 *
 * libbpf attaches SEC("tp/<category>/<name>") by reading the tracepoint's id
 * from /sys/kernel/tracing/events/<category>/<name>/id (or the same under
 * /sys/kernel/debug/tracing). Where tracefs is not mounted that file is
 * missing and the attach fails with ENOENT.
 */
#ifndef SAMPLE_TRACEFS_H
#define SAMPLE_TRACEFS_H

#include <stdbool.h>

#define SAMPLE_TRACEFS_DIR "/sys/kernel/tracing"

/*
 * 0 when "<tracefs>/events/<event>" exists, else -errno; prints nothing.
 * If tracefs is not mounted at all, the calling process moves into a private
 * mount namespace and mounts it there (*mounted is set): the rest of the
 * system sees no change, and the mount goes away with the process, even on
 * SIGKILL. Call it before creating threads: unshare(CLONE_NEWNS) needs a
 * single-threaded process.
 */
int sample_tracefs_ensure(const char *event, bool *mounted);

#endif /* SAMPLE_TRACEFS_H */
