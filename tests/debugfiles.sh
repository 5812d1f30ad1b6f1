#!/bin/sh
# Debug files memwhere finds by itself when the dump cannot give its types:
# where distributions install them (MEMWHERE_DEBUG_ROOT stands for /), and
# a real debuginfod server started here on 127.0.0.1 (its own port, database
# and client cache), serving the -dbg package's vmlinux of a captured kernel.
# --no-dump-btf makes the types come from those files although the dump has
# its BTF. A file of another build is refused: from /usr/lib/debug by its
# build ID, from debuginfod (a copy of another kernel's vmlinux given the
# dump's build ID, as a wrong server would send) by its release.
#
# The bundled dumps give BTF files beside the dump (their own BTF, cut out
# by tests/kaddr-tool, and another kernel's). The vmlinux lookup and
# debuginfod need captures with the kernels' vmlinux ($MW_CAPTURES/kernels/
# <release>/vmlinux: scripts/capture --vmlinux) and are skipped without.
# Expected build IDs come from readelf, not from memwhere.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
# build_id FILE: the GNU build ID readelf reads
build_id() { readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: *//p' | head -n 1; }
# json_get FILE EXPR: a value of memwhere's JSON (EXPR over d)
json_get() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

tap_tmpdir debugfiles
unset DEBUGINFOD_URLS DEBUGINFOD_CACHE_PATH

"$MEMWHERE" --version | grep -q '^debuginfod: \(yes\|no\) '
ok $? "--version says whether memwhere can ask debuginfod"
"$MEMWHERE" --help | grep -q -- '--no-dump-btf'
ok $? "--help lists --no-dump-btf"

# --- the bundled dumps: BTF files beside the dump (tests/kaddr-tool cuts
# each dump's own BTF out of it) ---
d61="$MW_SRCDIR/testdata/6.1-mixed/vmcore.kdump" d612="$MW_SRCDIR/testdata/6.12-mixed/vmcore.kdump"
kt="$MW_BUILDDIR/tests/kaddr-tool"
if [ -f "$d61" ] && [ -f "$d612" ] && "$kt" "$d612" btf "$tmp/612.btf" && "$kt" "$d61" btf "$tmp/61.btf"; then
	rel61=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["release"])' \
		"$MW_SRCDIR/testdata/6.1-mixed/truth.json")
	mkdir "$tmp/b61"
	ln -s "$d61" "$tmp/b61/vmcore.kdump"
	cp "$tmp/61.btf" "$tmp/b61/$rel61.btf"
	MEMWHERE_DEBUG_ROOT=$tmp/nothing "$MEMWHERE" --json --no-dump-btf info "$tmp/b61/vmcore.kdump" \
		>"$tmp/b61.json" 2>"$tmp/b61.err"
	ok_exit 0 $? "RELEASE.btf beside a 6.1 dump, --no-dump-btf: info exits 0" "$tmp/b61.err"
	[ "$(json_get "$tmp/b61.json" 'd["types"]["file"]')" = "$tmp/b61/$rel61.btf" ] &&
		[ "$(json_get "$tmp/b61.json" 'd["types"]["source"]')" = btf-file ]
	ok $? "RELEASE.btf beside the dump: types.file names it, types.source is btf-file"
	"$MEMWHERE" --json summary "$d61" >"$tmp/s61.json" 2>/dev/null
	MEMWHERE_DEBUG_ROOT=$tmp/nothing "$MEMWHERE" --json --no-dump-btf summary "$tmp/b61/vmcore.kdump" \
		>"$tmp/s61f.json" 2>/dev/null
	"$PY" -c 'import json,sys; a,b=(json.load(open(p))["categories"] for p in sys.argv[1:3]); sys.exit(0 if a==b and a else 1)' \
		"$tmp/s61.json" "$tmp/s61f.json"
	ok $? "RELEASE.btf beside the dump: summary gives every category as with the dump's BTF"
	# another kernel's under the release's name, the right one after it
	mv "$tmp/b61/$rel61.btf" "$tmp/b61/vmlinux.btf"
	cp "$tmp/612.btf" "$tmp/b61/$rel61.btf"
	MEMWHERE_DEBUG_ROOT=$tmp/nothing "$MEMWHERE" --json --no-dump-btf info "$tmp/b61/vmcore.kdump" \
		>"$tmp/b61w.json" 2>"$tmp/b61w.err"
	ok_exit 1 $? "6.12's BTF as RELEASE.btf beside a 6.1 dump: exit 1 (a warning)" "$tmp/b61w.err"
	[ "$(json_get "$tmp/b61w.json" 'd["types"]["file"]')" = "$tmp/b61/vmlinux.btf" ] &&
		grep -q "found $tmp/b61/$rel61.btf does not describe the dumped kernel .*refusing to use it" "$tmp/b61w.json"
	ok $? "6.12's BTF as RELEASE.btf: refused by its layouts (a warning naming it), vmlinux.btf used"
	rm "$tmp/b61/vmlinux.btf"
	MEMWHERE_DEBUG_ROOT=$tmp/nothing "$MEMWHERE" --no-dump-btf summary "$tmp/b61/vmcore.kdump" \
		>/dev/null 2>"$tmp/b61n.err"
	ok_exit 2 $? "only another kernel's BTF beside the dump: summary exits 2" "$tmp/b61n.err"
	[ "$(wc -l <"$tmp/b61n.err")" -eq 1 ] &&
		grep -q "no kernel types: .*found $tmp/b61/$rel61.btf does not describe the dumped kernel .*refusing to use it.*looked beside the dump and in /usr/lib/debug" "$tmp/b61n.err"
	ok $? "only another kernel's BTF: one line saying it was refused and where memwhere looked"
else
	skip "bundled 6.1 and 6.12 dumps or tests/kaddr-tool missing"
fi

if [ -z "${MW_CAPTURES:-}" ] || ! command -v readelf >/dev/null; then
	skip "vmlinux lookup and debuginfod: MW_CAPTURES (captures with kernels/<release>/vmlinux) and readelf needed"
	done_testing
	exit $?
fi

# One small dump of a kernel whose vmlinux is at hand, and another
# kernel's vmlinux for the refusals.
dump= rel= vml= other=
for d in $(real_dump_dirs); do
	case "$d" in "$MW_SRCDIR"/testdata/*) continue ;; esac
	r=$(basename "$(dirname "$d")")
	v=$caps/kernels/$r/vmlinux
	[ -f "$v" ] || continue
	for f in "$d"/vmcore.kdump-zstd "$d"/vmcore.kdump-zlib.flat "$d"/vmcore.elf; do
		[ -f "$f" ] && [ -r "$f" ] || continue
		if [ -z "$dump" ]; then dump=$f rel=$r vml=$v; fi
		break
	done
done
for v in "$caps"/kernels/*/vmlinux; do
	[ -f "$v" ] && [ "$v" != "$vml" ] && { other=$v; break; }
done
bid=
[ -z "$dump" ] || bid=$(build_id "$vml")
if [ -z "$bid" ]; then
	skip "no capture under $caps has its kernel's vmlinux with a build ID (scripts/capture --vmlinux)"
	done_testing
	exit $?
fi
diag "dump $dump ($rel), vmlinux $vml, build ID $bid; another kernel: ${other:-none}"

# --- where distributions put them ---
root=$tmp/root
mkdir -p "$root/usr/lib/debug/lib/modules/$rel" "$root/usr/lib/debug/boot"
ln -s "$vml" "$root/usr/lib/debug/lib/modules/$rel/vmlinux"
MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json --no-dump-btf info "$dump" >"$tmp/root.json" 2>"$tmp/root.err"
ok_exit 0 $? "Fedora's path (ROOT/usr/lib/debug/lib/modules/REL/vmlinux): info exits 0" "$tmp/root.err"
[ "$(json_get "$tmp/root.json" 'd["types"]["file"]')" = "$root/usr/lib/debug/lib/modules/$rel/vmlinux" ]
ok $? "Fedora's path: the types come from it"
[ "$(json_get "$tmp/root.json" 'd["types"]["source"]')" = dwarf ]
ok $? "Fedora's path: types.source is dwarf"

rm "$root/usr/lib/debug/lib/modules/$rel/vmlinux"
ln -s "$vml" "$root/usr/lib/debug/boot/vmlinux-$rel"
MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json --no-dump-btf info "$dump" >"$tmp/deb.json" 2>"$tmp/deb.err"
ok_exit 0 $? "Debian's -dbg path (ROOT/usr/lib/debug/boot/vmlinux-REL): info exits 0" "$tmp/deb.err"
[ "$(json_get "$tmp/deb.json" 'd["types"]["file"]')" = "$root/usr/lib/debug/boot/vmlinux-$rel" ]
ok $? "Debian's path: the types come from it"

if [ -n "$other" ]; then
	# another build where the build ID says the dump's should be: refused,
	# the next place is used
	hex=$(printf %s "$bid" | cut -c3-)
	mkdir -p "$root/usr/lib/debug/.build-id/$(printf %s "$bid" | cut -c1-2)"
	ln -s "$other" "$root/usr/lib/debug/.build-id/$(printf %s "$bid" | cut -c1-2)/$hex.debug"
	MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json --no-dump-btf info "$dump" >"$tmp/bid.json" 2>"$tmp/bid.err"
	ok_exit 1 $? "another build under .build-id/: exit 1 (a warning)" "$tmp/bid.err"
	grep -q "another build than the dumped kernel $rel: build ID $(build_id "$other"), the dump's is $bid" "$tmp/bid.json"
	ok $? "another build under .build-id/: the warning names both build IDs"
	[ "$(json_get "$tmp/bid.json" 'd["types"]["file"]')" = "$root/usr/lib/debug/boot/vmlinux-$rel" ]
	ok $? "another build under .build-id/: the types come from the right file after it"
	rm "$root/usr/lib/debug/boot/vmlinux-$rel"
	MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --no-dump-btf summary "$dump" >/dev/null 2>"$tmp/bid2.err"
	ok_exit 2 $? "only another build found: summary exits 2" "$tmp/bid2.err"
	grep -q "no kernel types" "$tmp/bid2.err" && grep -q "refusing to use it" "$tmp/bid2.err"
	ok $? "only another build found: no types, and the refusal said"
	rm -r "$root/usr/lib/debug/.build-id"
else
	skip "another build under .build-id/: one kernel's vmlinux only"
fi

# beside the dump: vmlinux-REL (a directory of links, the dump among them)
mkdir "$tmp/beside"
ln -s "$dump" "$tmp/beside/$(basename "$dump")"
ln -s "$vml" "$tmp/beside/vmlinux-$rel"
MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json --no-dump-btf info "$tmp/beside/$(basename "$dump")" \
	>"$tmp/beside.json" 2>"$tmp/beside.err"
ok_exit 0 $? "vmlinux-REL beside the dump: info exits 0" "$tmp/beside.err"
[ "$(json_get "$tmp/beside.json" 'd["types"]["file"]')" = "$tmp/beside/vmlinux-$rel" ]
ok $? "vmlinux-REL beside the dump: the types come from it"

# nothing anywhere, no debuginfod: one message saying where it looked
MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --no-dump-btf summary "$dump" >/dev/null 2>"$tmp/none.err"
grep -q "no kernel types.*looked beside the dump and in /usr/lib/debug.*debuginfod: DEBUGINFOD_URLS not set" "$tmp/none.err"
ok $? "nothing found: the message says where memwhere looked and that DEBUGINFOD_URLS is not set"

# symbols from debug files: a copy of the dump whose VMCOREINFO names no
# kallsyms table and no _stext (the keys renamed SYMBOX), so the dump
# cannot give its symbols; the types still come from its BTF
mkdir "$tmp/nosyms"
nsd=$tmp/nosyms/$(basename "$dump")
cp "$dump" "$nsd"
"$PY" - "$nsd" <<'EOF'
import mmap, sys
with open(sys.argv[1], "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
    n = 0
    for key in (b"SYMBOL(kallsyms_", b"SYMBOL(_stext)="):
        i = m.find(key)
        while i >= 0:
            m[i:i + 7] = b"SYMBOX("
            n += 1
            i = m.find(key, i + 1)
sys.exit(0 if n else 1)
EOF
ok $? "a copy of the dump with no kallsyms and no _stext in VMCOREINFO"
MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" summary "$nsd" >/dev/null 2>"$tmp/ns.err"
ok_exit 2 $? "no symbols anywhere: summary exits 2" "$tmp/ns.err"
grep -q "no symbols: .*no debug file found (looked beside the dump, in /usr/lib/debug and /boot; debuginfod: DEBUGINFOD_URLS not set)" "$tmp/ns.err"
ok $? "no symbols anywhere: the message says where memwhere looked"
mkdir -p "$root/usr/lib/debug/lib/modules/$rel"
ln -s "$vml" "$root/usr/lib/debug/lib/modules/$rel/vmlinux"
MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json info "$nsd" >"$tmp/ns.json" 2>"$tmp/ns2.err"
ok_exit 1 $? "symbols from the vmlinux in /usr/lib/debug: info exits 1 (a warning: no kallsyms)" "$tmp/ns2.err"
[ "$(json_get "$tmp/ns.json" 'd["symbols"]["source"]')" = vmlinux ] &&
	[ "$(json_get "$tmp/ns.json" 'd["symbols"]["file"]')" = "$root/usr/lib/debug/lib/modules/$rel/vmlinux" ] &&
	[ "$(json_get "$tmp/ns.json" 'd["types"]["source"]')" = btf-in-dump ]
ok $? "symbols from the vmlinux found (symbols.file names it), types from the dump's BTF"
MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json summary "$nsd" >"$tmp/ns-s.json" 2>/dev/null
"$MEMWHERE" --json summary "$dump" >"$tmp/s-own.json" 2>/dev/null
"$PY" -c 'import json,sys; a,b=(json.load(open(p))["categories"] for p in sys.argv[1:3]); sys.exit(0 if a==b and a else 1)' \
	"$tmp/ns-s.json" "$tmp/s-own.json"
ok $? "symbols from the vmlinux (relocated by KERNELOFFSET): summary as with the dump's kallsyms"
rm "$root/usr/lib/debug/lib/modules/$rel/vmlinux"
smap=$(kernel_file "$(dirname "$dump")" System.map 1000)
if [ -n "$smap" ]; then
	cp "$smap" "$tmp/nosyms/System.map-$rel"
	MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json summary "$nsd" >"$tmp/ns-m.json" 2>"$tmp/ns-m.err"
	"$PY" -c 'import json,sys; a,b=(json.load(open(p))["categories"] for p in sys.argv[1:3]); sys.exit(0 if a==b and a else 1)' \
		"$tmp/ns-m.json" "$tmp/s-own.json"
	ok $? "System.map-REL beside the dump: summary as with the dump's kallsyms"
	MEMWHERE_DEBUG_ROOT=$root "$MEMWHERE" --json info "$nsd" >"$tmp/ns-mi.json" 2>/dev/null
	[ "$(json_get "$tmp/ns-mi.json" 'd["symbols"]["source"]')" = system-map ]
	ok $? "System.map-REL beside the dump: symbols.source is system-map"
else
	skip "System.map-REL beside the dump: no real System.map for $rel"
fi
rm -rf "$tmp/nosyms"

# --- debuginfod ---
if ! "$MEMWHERE" --version | grep -q '^debuginfod: yes'; then
	skip "memwhere built without libdebuginfod (install libdebuginfod-dev)"
	done_testing
	exit $?
fi
if ! command -v debuginfod >/dev/null; then
	skip "debuginfod (the server) not installed"
	done_testing
	exit $?
fi
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# serve NAME DIR: a debuginfod on 127.0.0.1 serving DIR; $url, $server_pid;
# waits until it answers for the build ID $bid (or gives up)
serve() {
	port=$(free_port)
	debuginfod -F -L --disable-source-scan -p "$port" -d "$tmp/$1.sqlite" -t 0 -g 0 -c 1 \
		"$2" >"$tmp/$1.log" 2>&1 &
	server_pid=$!
	url=http://127.0.0.1:$port
	# the headers of a 200 only: the body is not read
	"$PY" - "$url/buildid/$bid/debuginfo" <<'EOF'
import sys, time, urllib.request
for _ in range(300):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
}
stop() { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }
trap 'stop; rm -rf "$tmp"' EXIT

mkdir "$tmp/srv"
ln -s "$vml" "$tmp/srv/vmlinux"
serve good "$tmp/srv"
ok $? "debuginfod serving $vml answers for build ID $bid"
DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache MEMWHERE_DEBUG_ROOT=$root \
	"$MEMWHERE" --json --no-dump-btf info "$dump" >"$tmp/dbgd.json" 2>"$tmp/dbgd.err"
ok_exit 0 $? "debuginfod: info exits 0" "$tmp/dbgd.err"
f=$(json_get "$tmp/dbgd.json" 'd["types"]["file"]')
case "$f" in "$tmp/cache/"*) r=0 ;; *) r=1 ;; esac
ok $r "debuginfod: the types come from the client's cache ($f)"
[ -f "$f" ] && [ "$(build_id "$f")" = "$bid" ]
ok $? "debuginfod: the file fetched has the vmlinux's build ID"
[ "$(json_get "$tmp/dbgd.json" 'd["types"]["source"]')" = dwarf ]
ok $? "debuginfod: types.source is dwarf"
# the analyses agree with the dump's own BTF
DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache MEMWHERE_DEBUG_ROOT=$root \
	"$MEMWHERE" --json --no-dump-btf summary "$dump" >"$tmp/s-dbgd.json" 2>"$tmp/s-dbgd.err"
"$MEMWHERE" --json summary "$dump" >"$tmp/s-btf.json" 2>/dev/null
"$PY" - "$tmp/s-dbgd.json" "$tmp/s-btf.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ca, cb = a["categories"], b["categories"]
if ca != cb or not ca:
    print("# differ:", {k: (ca.get(k), cb.get(k)) for k in set(ca) | set(cb) if ca.get(k) != cb.get(k)})
    sys.exit(1)
EOF
ok $? "debuginfod: summary with its vmlinux's types gives every category as with the dump's BTF"
stop
# the server gone (nothing listens on its port): one message naming the build ID
DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache3 MEMWHERE_DEBUG_ROOT=$root \
	"$MEMWHERE" --no-dump-btf summary "$dump" >/dev/null 2>"$tmp/gone.err"
ok_exit 2 $? "debuginfod not answering: summary exits 2" "$tmp/gone.err"
grep -q "no kernel types.*debuginfod (DEBUGINFOD_URLS=$url) has no debug file of build ID $bid" "$tmp/gone.err"
ok $? "debuginfod not answering: the message names the server and the build ID"

# the server's file is another kernel's, under the dump's build ID
if [ -n "$other" ]; then
	mkdir "$tmp/srv2"
	cp "$other" "$tmp/srv2/vmlinux"
	"$PY" - "$tmp/srv2/vmlinux" "$bid" <<'EOF'
import struct, sys
path, want = sys.argv[1], bytes.fromhex(sys.argv[2])
with open(path, "r+b") as f:
    h = f.read(64)
    shoff, = struct.unpack_from("<Q", h, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", h, 0x3a)
    for i in range(shnum):
        f.seek(shoff + i * shentsize)
        sh = f.read(shentsize)
        typ, = struct.unpack_from("<I", sh, 4)
        off, size = struct.unpack_from("<QQ", sh, 0x18)
        if typ != 7:  # SHT_NOTE
            continue
        f.seek(off)
        notes = f.read(size)
        p = 0
        while p + 12 <= len(notes):
            nsz, dsz, nt = struct.unpack_from("<III", notes, p)
            name = notes[p + 12:p + 12 + nsz]
            d = p + 12 + ((nsz + 3) & ~3)
            if nt == 3 and name == b"GNU\0" and dsz == len(want):
                f.seek(off + d)
                f.write(want)
                sys.exit(0)
            p = d + ((dsz + 3) & ~3)
sys.exit(1)
EOF
	ok $? "a copy of $other given the dump's build ID"
	serve bad "$tmp/srv2"
	ok $? "debuginfod serving it answers for build ID $bid"
	DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$tmp/cache2 MEMWHERE_DEBUG_ROOT=$root \
		"$MEMWHERE" --no-dump-btf summary "$dump" >/dev/null 2>"$tmp/bad.err"
	ok_exit 2 $? "debuginfod sends another kernel: summary exits 2" "$tmp/bad.err"
	orel=$(basename "$(dirname "$other")")
	grep -q "debuginfod's .* is for kernel $orel, the dump is of kernel $rel; refusing to use it" "$tmp/bad.err"
	ok $? "debuginfod sends another kernel: refused, naming both releases"
	stop
	rm -rf "$tmp/srv2"
else
	skip "debuginfod sends another kernel: one kernel's vmlinux only"
fi
done_testing
