#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tests/vm/kernel.sh DIR - get Debian 12's own kernel for the test VM: the
# newest linux-image-6.1.*-amd64 in the apt archive, fetched with
# `apt-get download` and unpacked with `dpkg -x` into DIR/kernel (never
# installed into /boot), with `depmod -b` run on the unpacked tree. The .deb
# and the tree are kept in DIR, so a rerun downloads nothing; remove DIR to
# fetch a newer kernel. VM_KERNEL_PKG=name picks another package.
# Prints one line: the kernel release (e.g. 6.1.0-57-amd64).
set -eu
dir=$1
tree=$dir/kernel

if [ -s "$tree/.release" ]; then
	cat "$tree/.release"
	exit 0
fi

die() {
	echo "vm: $*" >&2
	exit 1
}

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found: install package $2 ('make deps' does)"
}
need apt-get apt
need apt-cache apt
need dpkg dpkg
need depmod kmod

pkg=${VM_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	pkg=$(apt-cache pkgnames linux-image-6.1. 2>/dev/null |
		grep -E '^linux-image-6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1)
	[ -n "$pkg" ] || die "no linux-image-6.1.*-amd64 in the apt archive (Debian 12 bookworm; run 'apt-get update')"
fi

mkdir -p "$dir"
deb=$(ls "$dir"/"$pkg"_*.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
	echo "vm: downloading $pkg (once; kept in $dir)" >&2
	# apt-get download writes into the current directory; as root it warns
	# that the _apt user cannot write there, which is harmless.
	(cd "$dir" && apt-get download -q "$pkg" 2>&1 | grep -v "unsandboxed as root" >&2) || true
	deb=$(ls "$dir"/"$pkg"_*.deb 2>/dev/null | tail -n 1 || true)
	[ -n "$deb" ] || die "apt-get download $pkg failed"
fi

rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
dpkg -x "$deb" "$tree.tmp" || die "dpkg -x $deb failed"
release=$(ls "$tree.tmp/lib/modules" | head -n 1)
[ -n "$release" ] && [ -e "$tree.tmp/boot/vmlinuz-$release" ] ||
	die "$deb holds no kernel (no boot/vmlinuz-*, lib/modules/*)"
depmod -b "$tree.tmp" "$release" || die "depmod -b $tree.tmp $release failed"
echo "$release" > "$tree.tmp/.release"
mv "$tree.tmp" "$tree"
echo "$release"
