#!/bin/sh
# The kernel model (symbols, types, address translation) on every real dump
# at hand, against independent sources: see tests/kmodel.c.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
for d in $dirs; do
	map=$(system_map "$d")
	for f in $(dump_files "$d"); do
		out=$("$MW_BUILDDIR/tests/kmodel" "$f" $map 2>&1)
		rc=$?
		bad=$(echo "$out" | grep '^not ok' | head -n 5)
		[ $rc -eq 0 ] && [ -z "$bad" ]
		ok $? "kernel model of $f${map:+ (with System.map)}"
		[ -z "$bad" ] || echo "$bad" | sed 's/^/# /'
		echo "$out" | grep '^# System.map' | sed 's/^# /# /'
	done
done
done_testing
