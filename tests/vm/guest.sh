#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/guest.sh - PID 1 of the test VM once its root is the host's / (under
# a tmpfs overlay; tests/vm/init). It mounts what the samples and tests use
# (tmpfs /dev/shm, devpts, /dev/fd for bash, bpffs, cgroup2, tracefs,
# debugfs), binds the unpacked kernel's modules on /lib/modules/$(uname -r) so
# that veth, sch_ingress and the rest load on demand, brings lo up, then runs
# /run/vm/cmd (written by tests/vm/run) in the caller's directory with its
# output in /run/vm/output, writes its exit status to /run/vm/rc and powers
# off. /run/vm is the writable 9p share that tests/vm/run reads.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
share=/run/vm

poweroff_now() {
	sync
	echo o > /proc/sysrq-trigger
	sleep 10
	busybox poweroff -f
}

step() {
	"$@" || { echo "vm-guest: '$*' failed"; echo "vm-guest: '$*' failed" >> "$share/output"; poweroff_now; }
}

# shellcheck source=/dev/null
. "$share/config"

# No tmpfs on /tmp: the overlay already makes it writable, and a checkout
# under /tmp (a CI clone, say) would be hidden from the guest by one.
mkdir -p /dev/pts /dev/shm
step mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts /dev/pts
step mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
step mount -t bpf -o mode=0700 bpf /sys/fs/bpf
step mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
step mount -t tracefs tracefs /sys/kernel/tracing
step mount -t debugfs debugfs /sys/kernel/debug
mods=/lib/modules/$(uname -r)
mkdir -p "$mods"
step mount --bind "$VM_MODULES" "$mods"
step ip link set lo up
hostname vm

cut -d ' ' -f 1 /proc/uptime > "$share/ready"
echo "vm-guest: ready at $(cat "$share/ready") s; running $share/cmd"
(cd "$VM_CWD" && exec bash "$share/cmd") >> "$share/output" 2>&1 < /dev/null
echo $? > "$share/rc.tmp"
mv "$share/rc.tmp" "$share/rc"
echo "vm-guest: done at $(cut -d ' ' -f 1 /proc/uptime) s, status $(cat "$share/rc")"
poweroff_now
