#!/bin/sh
# arm64 translation on the arm64 captures: the page-table walk from
# swapper_pg_dir alone (kaddr-tool walk) against what the kernel itself
# says through VMCOREINFO: kernel image addresses (symbols of the System.map
# moved by KERNELOFFSET) at VA - kimage_voffset, linear-map addresses at
# PA - PHYS_OFFSET + PAGE_OFFSET; and info's page size, page-table levels
# and VA bits against the kernel package's config (CONFIG_ARM64_*K_PAGES,
# CONFIG_PGTABLE_LEVELS, CONFIG_ARM64_VA_BITS). Runs on 4 KiB and 16 KiB
# page kernels.
# Skips without arm64 captures.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
tool=$MW_BUILDDIR/tests/kaddr-tool
tap_tmpdir arm64walk

n=0
for d in $(real_dump_dirs); do
	grep -q '"uname": "[^"]*aarch64' "$d/truth.json" 2>/dev/null || continue
	f=$d/vmcore.kdump-zlib.flat
	[ -f "$f" ] || f=$d/vmcore.elf
	[ -f "$f" ] || continue
	n=$((n + 1))
	label=$(dump_label "$d")
	"$MEMWHERE" --json info "$f" >"$tmp/info.json" 2>"$tmp/err"
	ok_exit 0 $? "$label: info" "$tmp/err"
	cfg=$(kernel_file "$d" config)
	smap=$(system_map "$d")
	"$PY" - "$tmp/info.json" "$cfg" "$smap" "$tmp/q" <<'PYEOF' >"$tmp/plan"
import json, sys
info = json.load(open(sys.argv[1]))
k = info["kernel"]
a = k.get("arm64") or {}
cfg = {}
if sys.argv[2]:
    for line in open(sys.argv[2]):
        if line.startswith("CONFIG_") and "=" in line:
            key, v = line.strip().split("=", 1)
            cfg[key] = v
want_ps = 16384 if cfg.get("CONFIG_ARM64_16K_PAGES") == "y" else 65536 if cfg.get("CONFIG_ARM64_64K_PAGES") == "y" else 4096
print("page_size %s %s" % (k["page_size"], want_ps if cfg else k["page_size"]))
if cfg.get("CONFIG_PGTABLE_LEVELS") and a.get("va_bits_actual") == int(cfg.get("CONFIG_ARM64_VA_BITS", 0)):
    print("levels %s %s" % (k["pgtable_levels"], cfg["CONFIG_PGTABLE_LEVELS"]))
vmci = info["vmcoreinfo"]
kaslr = int(vmci.get("KERNELOFFSET", "0"), 16)
kvo = int(a["kimage_voffset"], 16)
po, phys = int(a["page_offset"], 16), int(a["phys_offset"], 16)
q = open(sys.argv[4], "w")
exp = []
# kernel image: text, data and bss symbols of the System.map, moved
if sys.argv[3]:
    syms = {}
    for line in open(sys.argv[3]):
        p = line.split()
        if len(p) == 3:
            syms[p[2]] = int(p[0], 16)
    # (not _text: 6.1 maps the image from _stext, its header unmapped)
    for s in ("_stext", "init_task", "swapper_pg_dir", "init_uts_ns", "__bss_start", "_end"):
        if s in syms:
            va = syms[s] + kaslr - (1 if s == "_end" else 0)
            q.write("walk %#x\n" % va)
            exp.append(("image %s" % s, (va - kvo) & (2**64 - 1)))
# linear map: the start of each RAM range and 1 MiB into it
for r in info["memory"]["ranges"]:
    for pa in (int(r["start"], 16), int(r["start"], 16) + (1 << 20) + 0x123):
        va = (pa - phys + po) & (2**64 - 1)
        q.write("walk %#x\n" % va)
        exp.append(("linear %#x" % pa, pa))
for what, pa in exp:
    print("expect %s|%#x" % (what, pa))
PYEOF
	while read -r kind got want; do
		case $kind in
		page_size) [ "$got" = "$want" ]; ok $? "$label: kernel.page_size $got, the config's $want" ;;
		levels) [ "$got" = "$want" ]; ok $? "$label: $got page-table levels, the config's CONFIG_PGTABLE_LEVELS $want" ;;
		esac
	done <"$tmp/plan"
	"$tool" "$f" batch - <"$tmp/q" >"$tmp/a" 2>"$tmp/err"
	grep '^expect ' "$tmp/plan" | cut -c8- | paste -d'|' - "$tmp/a" >"$tmp/pairs"
	while IFS='|' read -r what want got; do
		[ "$got" = "$want" ]
		ok $? "$label: the walk takes $what to $got (want $want)"
	done <"$tmp/pairs"
done
[ "$n" -gt 0 ] || skip_all "no arm64 captures in $caps"
done_testing
