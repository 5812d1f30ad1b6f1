#!/bin/sh
# memwhere live (/proc/kcore) inside real guests of every captured kernel
# (scripts/test-live-guest: QEMU TCG, the guest's own /proc/iomem,
# /proc/kallsyms and uname -r as the truth). Runs where captured kernels are
# at hand ($MW_CAPTURES/kernels, else captures/kernels: `make
# check-capture`); skipped otherwise.
caps=${MW_CAPTURES:-$MW_SRCDIR/captures}
kargs=
for v in "$caps"/kernels/*/vmlinuz; do
	[ -f "$v" ] && kargs="$kargs -k $(dirname "$v")"
done
if [ -z "$kargs" ]; then
	echo "1..0 # SKIP no captured kernels in $caps/kernels"
	exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "1..0 # SKIP qemu-system-x86_64 not installed (scripts/install-deps)"
	exit 0
fi
# shellcheck disable=SC2086
exec sh "$MW_SRCDIR/scripts/test-live-guest" -b "$MW_BUILDDIR" $kargs
