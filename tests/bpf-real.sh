#!/bin/sh
# memwhere bpf on every real dump at hand whose guest made BPF maps and
# programs (scripts/guest/mwtool bpf-load), against their fdinfo in the
# guest's truth (tests/bpf_compare.py).
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
dirs=$(real_dump_dirs)
n=0
for d in $dirs; do
	grep -q '"bpf"' "$d/truth.json" 2>/dev/null || continue
	for f in $(dump_files "$d"); do
		n=$((n + 1))
		run_checker "$MW_SRCDIR/tests/bpf_compare.py" "$MEMWHERE" "$f" "$d/truth.json"
	done
done
if [ $n -eq 0 ]; then
	echo "1..0 # SKIP no real dump whose truth has bpf (scripts/capture --scenario mixed)"
	exit 0
fi
done_testing
