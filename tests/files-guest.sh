#!/bin/sh
# memwhere files on the file kinds the captures lack (memfd, anonymous and
# SysV shared memory, a private-namespace tmpfs, overlayfs) in real guests
# of every captured kernel (scripts/test-files-guest). Runs where captured
# kernels are at hand ($MW_CAPTURES/kernels, else captures/kernels: `make
# check-capture`); skipped otherwise.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_guest_kernels
MW_CAPTURES=$caps exec "$PY" "$MW_SRCDIR/scripts/test-files-guest" -b "$MW_BUILDDIR"
