#!/bin/sh
# --force-types: types of another kernel, refused without it (tests/cli.sh),
# are used with it, the refusal then a warning (exit 1) naming the option.
. "$MW_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
d61="$MW_SRCDIR/testdata/6.1-mixed/vmcore.kdump" d612="$MW_SRCDIR/testdata/6.12-mixed/vmcore.kdump"
kt="$MW_BUILDDIR/tests/kaddr-tool"
[ -f "$d61" ] && [ -f "$d612" ] || skip_all "no bundled 6.1 and 6.12 dumps"
"$kt" "$d612" btf "$tmp/612.btf" && "$kt" "$d61" btf "$tmp/61.btf" || skip_all "kaddr-tool could not save the dumps' BTF"

"$MEMWHERE" --json --btf "$tmp/612.btf" summary "$d61" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ]; ok $? "without --force-types 6.12's BTF on a 6.1 dump is refused (exit $rc)"
"$MEMWHERE" --json --force-types --btf "$tmp/612.btf" summary "$d61" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -ne 2 ] || diag_file "$tmp/err" 5
[ $rc -le 1 ] && "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
w = [x for x in d["warnings"] if "used anyway (--force-types)" in x and "does not describe the dumped kernel" in x]
sys.exit(0 if w else 1)' "$tmp/out"
ok $? "with --force-types it is used: a JSON document whose warnings say why and that it was forced (exit $rc)"
[ $rc -eq 1 ]; ok $? "... and the exit status says the result is partial (exit $rc)"
"$MEMWHERE" --json --force-types --btf "$tmp/61.btf" summary "$d61" >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ]; ok $? "--force-types with a matching file changes nothing (exit $rc)"
done_testing
