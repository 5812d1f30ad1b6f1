#!/bin/sh
# Replay every fuzz target's saved corpus (fuzz/corpus/TARGET/): any crash,
# sanitizer report or hang fails the test.
. "$MW_SRCDIR/tests/tap.sh"
for t in reader kallsyms btf paths jsonparse objects decompress; do
	dir="$MW_SRCDIR/fuzz/corpus/$t"
	n=$(ls "$dir" 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ]; then skip "no saved corpus for $t"; continue; fi
	out=$(timeout 600 "$MW_BUILDDIR/fuzz/replay-$t" "$dir" 2>&1)
	ok $? "replay $n saved inputs of fuzz target $t"
	[ -z "$out" ] || echo "$out" | tail -5 | sed 's/^/# /'
done
done_testing
