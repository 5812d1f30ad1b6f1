#!/bin/sh
# memwhere files on the file kinds the captures lack (memfd, anonymous and
# SysV shared memory, a private-namespace tmpfs, overlayfs) in real guests
# of every captured kernel (scripts/test-files-guest). Runs where captured
# kernels are at hand ($MW_CAPTURES/kernels, else captures/kernels: `make
# check-capture`); skipped otherwise.
caps=${MW_CAPTURES:-$MW_SRCDIR/captures}
found=
for v in "$caps"/kernels/*/vmlinuz; do
	[ -f "$v" ] && found=1
done
if [ -z "$found" ]; then
	echo "1..0 # SKIP no captured kernels in $caps/kernels"
	exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "1..0 # SKIP qemu-system-x86_64 not installed (scripts/install-deps)"
	exit 0
fi
MW_CAPTURES=$caps exec /usr/bin/python3 "$MW_SRCDIR/scripts/test-files-guest" -b "$MW_BUILDDIR"
