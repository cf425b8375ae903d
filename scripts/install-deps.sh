#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/install-deps.sh - what `make deps` runs: the build and run
# dependencies from the distribution's archive (Debian 12 / Ubuntu 22.04+).
# Works as root on a machine without sudo (and installs sudo, so that the
# README's `sudo ./sockex1` works literally), or as a user through sudo.
set -eu

# jq, python3, perl (syscall.ph) and procps (sysctl, pgrep) are run by the
# tests, clang-format by `make format` and its check in `make check`; a test
# whose tool is missing fails naming it. The last line is `make
# vmcheck`'s test VM (tests/vm/run): QEMU, a static busybox for its initramfs
# (busybox-static replaces a dynamic busybox), cpio, kmod (depmod/modprobe on
# the unpacked guest kernel); apt and dpkg, which fetch and unpack Debian's 6.1
# kernel package, come with the system.
PKGS="clang make gcc pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev libxdp-dev
      iproute2 iputils-ping xdp-tools util-linux sudo gnuplot-nox valgrind
      jq python3 perl procps clang-format
      qemu-system-x86 busybox-static cpio kmod"

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: apt-get not found; install these by hand: $PKGS" >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "install-deps: run as root (sudo is not installed yet)" >&2
	exit 1
fi

# Ubuntu ships bpftool inside linux-tools; Debian has a bpftool package.
if ! apt-cache show bpftool >/dev/null 2>&1; then
	$SUDO apt-get update -q
fi
if ! apt-cache show bpftool >/dev/null 2>&1; then
	PKGS=$(echo "$PKGS" | sed 's/bpftool/linux-tools-common linux-tools-generic/')
fi
# Where the archive has them: clang-19 for the arena sample (arena pointers
# need clang >= 19; the rest of the suite builds with the default clang), and
# ethtool for the fixes the XDP samples print (ethtool -K PEER gro on).
for p in clang-19 ethtool; do
	apt-cache show "$p" >/dev/null 2>&1 && PKGS="$PKGS $p"
done

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
echo "install-deps: installing$missing"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
