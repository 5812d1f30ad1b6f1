#!/bin/sh
# memwhere live (/proc/kcore) inside real guests of every captured kernel
# (scripts/test-live-guest: QEMU TCG, the guest's own /proc/iomem,
# /proc/kallsyms and uname -r as the truth). Runs where captured kernels are
# at hand ($MW_CAPTURES/kernels, else captures/kernels: `make
# check-capture`); skipped otherwise.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_guest_kernels
kargs=
for k in $kernel_dirs; do
	kargs="$kargs -k $k"
done
# shellcheck disable=SC2086
exec sh "$MW_SRCDIR/scripts/test-live-guest" -b "$MW_BUILDDIR" $kargs
