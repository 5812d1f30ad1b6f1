#!/bin/sh
# diff, report --folded and report --html on the bundled dumps, checked
# against the report documents' own figures (tests/export_check.py), and
# the page rendered by a real browser (headless Chromium) when installed.
. "$MW_SRCDIR/tests/tap.sh"
tap_tmpdir export
art="$MW_BUILDDIR/tests/artifacts"
mkdir -p "$art"
check() { "$PY" "$MW_SRCDIR/tests/export_check.py" "$@" >"$tmp/chk" 2>&1; tap_lines "$tmp/chk"; }

old="$MW_SRCDIR/testdata/6.1-oom/vmcore.kdump" mixed="$MW_SRCDIR/testdata/6.1-mixed/vmcore.kdump"
"$MEMWHERE" --json --no-progress --top 0 "$old" >"$tmp/old.json"; ok_exit 0 $? "report of 6.1-oom"
"$MEMWHERE" --json --no-progress --top 0 "$mixed" >"$tmp/new.json"; ok_exit 0 $? "report of 6.1-mixed"

# two saved reports, and a dump against a saved report: one code path
"$MEMWHERE" diff --json --no-progress "$tmp/old.json" "$tmp/new.json" >"$tmp/diff.json" 2>"$tmp/err"
ok_exit 0 $? "diff of two saved reports" "$tmp/err"
check diff "$tmp/old.json" "$tmp/new.json" "$tmp/diff.json"
"$MEMWHERE" diff --json --no-progress "$old" "$mixed" >"$tmp/diff2.json" 2>"$tmp/err"
ok_exit 0 $? "diff of two dumps" "$tmp/err"
"$PY" - "$tmp/diff.json" "$tmp/diff2.json" >"$tmp/chk" <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for k in ("categories", "memcgs", "files", "socket_owners", "findings"):
    print(("ok - " if a[k] == b[k] else "not ok - ") + "two dumps give the %s the saved reports give" % k)
print(("ok - " if b["compared"]["tasks"] and b["compared"]["slab_caches"] else "not ok - ") + "dumps compare tasks and slab caches too")
PYEOF
tap_lines "$tmp/chk"
"$MEMWHERE" diff --json --no-progress "$mixed" "$tmp/new.json" >"$tmp/same.json"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
same = all(r["delta_bytes"] == 0 for k in ("categories", "memcgs", "files", "socket_owners") for r in d[k])
print(("ok" if same and not d["findings"] else "not ok") + " - a dump against its own saved report: no change, no finding")
' "$tmp/same.json" >"$tmp/chk"; tap_lines "$tmp/chk"
"$MEMWHERE" diff --no-progress "$tmp/old.json" "$tmp/new.json" >"$tmp/diff.txt"; ok_exit 0 $? "diff, text"
[ "$(awk 'length($0) > 100' "$tmp/diff.txt" | wc -l)" -eq 0 ]; ok $? "diff text fits 100 columns"
grep -q '^== Findings' "$tmp/diff.txt" && grep -q 'explains' "$tmp/diff.txt"; ok $? "diff text names the owner of most of the growth"
"$MEMWHERE" diff "$tmp/old.json" >/dev/null 2>&1; ok_exit 2 $? "diff with one file: bad usage"
printf '{"summary": [1, 2' >"$tmp/cut.json"
"$MEMWHERE" diff "$tmp/cut.json" "$tmp/new.json" >/dev/null 2>"$tmp/err"; ok_exit 2 $? "diff of a cut JSON document"
grep -q 'cut.json: JSON' "$tmp/err"; ok $? "and says which file and why"

# a side's warnings travel into the diff, and make it partial
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1])); d["warnings"] = ["memcg: a test warning"]
json.dump(d, open(sys.argv[2], "w"))' "$tmp/old.json" "$tmp/warn.json"
"$MEMWHERE" diff --json "$tmp/warn.json" "$tmp/new.json" >"$tmp/w.json"; ok_exit 1 $? "a side with warnings: exit 1"
grep -q '"OLD: memcg: a test warning"' "$tmp/w.json"; ok $? "and its warning is in the diff's warnings"
# documents of the wrong shape: no crash, nothing invented
printf '{"summary": {"total_bytes": "x", "categories": {"free": -1, "anon": 1e30}}, "memcg": 5, "files": {"files": [1, {"path": 7}]}}' >"$tmp/odd.json"
"$MEMWHERE" diff --json "$tmp/odd.json" "$tmp/new.json" >"$tmp/odd.out" 2>&1; rc=$?
[ $rc -le 1 ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/odd.out"; ok $? "a document of the wrong shape: a valid diff document (exit $rc)"
"$MEMWHERE" diff "$tmp/odd.json" "$tmp/odd.json" >/dev/null 2>&1; rc=$?; [ $rc -le 1 ]; ok $? "the same, text (exit $rc)"

for d in "$MW_SRCDIR"/testdata/*/vmcore.kdump; do
	name=$(basename "$(dirname "$d")")
	"$MEMWHERE" --json --no-progress --top 0 "$d" >"$tmp/r.json" 2>/dev/null
	"$MEMWHERE" --folded --no-progress "$d" >"$tmp/f.txt" 2>/dev/null; rc=$?
	[ $rc -le 1 ]; ok $? "$name: --folded (exit $rc)"
	check folded "$tmp/r.json" "$tmp/f.txt"
	"$MEMWHERE" report --html "$tmp/$name.html" --no-progress --top 0 "$d" >"$tmp/text" 2>/dev/null; rc=$?
	[ $rc -le 1 ] && [ -s "$tmp/text" ]; ok $? "$name: report --html writes the page and the usual report"
	[ "$(wc -c <"$tmp/$name.html")" -lt 2097152 ]; ok $? "$name: page under 2 MiB ($(wc -c <"$tmp/$name.html") bytes)"
	! grep -Eiq '(src|href)=|@import|url\(' "$tmp/$name.html"; ok $? "$name: nothing loaded from elsewhere"
	browser=$(command -v chromium || command -v chromium-browser || true)
	if [ -z "$browser" ]; then skip "$name: chromium not installed (scripts/install-deps)"; continue; fi
	flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir=$tmp/chrome-$name"
	timeout 120 "$browser" $flags --dump-dom "file://$tmp/$name.html" >"$tmp/dom.html" 2>"$tmp/chrome.err"
	ok $? "$name: chromium renders the page"
	check html "$tmp/r.json" "$tmp/dom.html"
	timeout 120 "$browser" $flags --window-size=1280,1000 --screenshot="$art/report-$name.png" \
		"file://$tmp/$name.html" >/dev/null 2>&1
	[ -s "$art/report-$name.png" ]; ok $? "$name: screenshot saved as tests/artifacts/report-$name.png"
	cp "$tmp/$name.html" "$art/report-$name.html"
done
done_testing
