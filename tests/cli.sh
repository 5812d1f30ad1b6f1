#!/bin/sh
# The command line: usage errors, help, version, exit codes on bad input.
. "$MW_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$MEMWHERE" --version >"$tmp/out" 2>&1; ok $? "--version exits 0"
grep -q '^memwhere [0-9]' "$tmp/out"; ok $? "--version prints the version"
"$MEMWHERE" --help >"$tmp/out" 2>&1; ok $? "--help exits 0"
grep -q 'info' "$tmp/out"; ok $? "--help lists info"
"$MEMWHERE" info --help >"$tmp/out" 2>&1; ok $? "info --help exits 0"
grep -q 'Usage: memwhere \[OPTIONS\] info DUMP' "$tmp/out"; ok $? "info --help shows its usage"
"$MEMWHERE" >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "no arguments: exit 2"
"$MEMWHERE" --bogus x >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "unknown option: exit 2"
"$MEMWHERE" --top >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "--top without value: exit 2"
"$MEMWHERE" --top=abc x >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "--top=abc: exit 2"
"$MEMWHERE" info "$tmp/missing" 2>"$tmp/err"; [ $? -eq 2 ]; ok $? "missing file: exit 2"
grep -q "$tmp/missing" "$tmp/err"; ok $? "missing file: message names the file"
printf 'not a dump at all' >"$tmp/junk"
"$MEMWHERE" info "$tmp/junk" 2>"$tmp/err" >/dev/null; [ $? -eq 2 ]; ok $? "junk file: exit 2"
[ "$(wc -l <"$tmp/err")" -eq 1 ]; ok $? "junk file: one line on stderr"
: >"$tmp/empty"
"$MEMWHERE" --json info "$tmp/empty" >"$tmp/out" 2>/dev/null; [ $? -eq 2 ]; ok $? "empty file: exit 2"
[ ! -s "$tmp/out" ]; ok $? "empty file: nothing on stdout"
done_testing
