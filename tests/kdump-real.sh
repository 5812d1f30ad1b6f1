#!/bin/sh
# The kdump-compressed and flattened readers on real dumps, against
# independent readers of the same memory:
#   - QEMU's own ELF dump taken at the same pause (vmcore.elf),
#   - libkdumpfile 0.5.1 (python3-libkdumpfile, physical reads with
#     KDUMP_MACHPHYSADDR) on the plain kdump files,
#   - makedumpfile 1.7.2: -R (flattened to plain), -l/-c/raw with -d 31
#     filtering, -F (its own flattened stream) from the ELF dump.
#   - mw-convert's snappy and zstd kdump files, when it is built.
# Dumps come from scripts/capture: $MW_CAPTURES (default captures/ in the
# source tree), RELEASE/SCENARIO/vmcore.kdump-zlib.flat next to vmcore.elf.
# $MW_KDUMP_REAL_DUMPS=N checks the first dump (the "mixed" scenario if
# there is one) of N kernel releases (default 1); 0 checks every dump.
# Skips when there are none.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"

readmem=$MW_BUILDDIR/tests/kdump-readmem
convert=$MW_BUILDDIR/tests/tools/mw-convert
max=${MW_KDUMP_REAL_DUMPS:-1}

dumps=
seen=
n=0
# the "mixed" scenario of each release first
for f in "$caps"/*/mixed/vmcore.kdump-zlib.flat "$caps"/*/*/vmcore.kdump-zlib.flat; do
	case " $dumps " in *" $f "*) continue ;; esac
	[ -f "$f" ] || continue
	rel=$(basename "$(dirname "$(dirname "$f")")")
	case " $seen " in *" $rel "*) [ "$max" -eq 0 ] || continue ;; esac
	[ "$max" -eq 0 ] || [ "$n" -lt "$max" ] || break
	seen="$seen $rel"
	dumps="$dumps $f"
	n=$((n + 1))
done
if [ -z "$dumps" ]; then
	skip "no real dumps under $caps (run scripts/capture)"
	done_testing
	exit
fi
have_lkdf=0
"$PY" -c 'import kdumpfile' 2>/dev/null && have_lkdf=1
have_mdf=0
command -v makedumpfile >/dev/null && have_mdf=1

tap_tmpdir kdumpreal
work=$tmp

# compare IMAGE STATES [--lkdf KDUMP] [--elf ELF] [--same-ranges]
# IMAGE: memory as memwhere read it (kdump-readmem image); STATES: its
# page states. Every present page must equal libkdumpfile's read and the
# ELF dump's bytes; every excluded page must be "no data" in libkdumpfile.
cat > "$work/compare.py" <<'EOF'
import mmap, struct, sys

args = sys.argv[1:]
image, states = args[0], args[1]
lkdf = elf = None
same_ranges = False
i = 2
while i < len(args):
    if args[i] == "--lkdf":
        lkdf = args[i + 1]; i += 2
    elif args[i] == "--elf":
        elf = args[i + 1]; i += 2
    elif args[i] == "--same-ranges":
        same_ranges = True; i += 1
    else:
        sys.exit("bad argument " + args[i])

# the dump's block size (its first line), not the kernel's page size:
# QEMU's arm64 kdump has 64 KiB blocks of 4 KiB pages
PS = None
imf = open(image, "rb")
im = mmap.mmap(imf.fileno(), 0, prot=mmap.PROT_READ)
runs = []
for line in open(states):
    f = line.split()
    if f[0] == "block":
        PS = int(f[1])
        continue
    st, pfn, count = f
    runs.append((st, int(pfn, 0), int(count)))
if not PS:
    sys.exit("no block size in " + states)
failed = 0

def bad(msg):
    global failed
    failed += 1
    if failed <= 10:
        print("# " + msg)

if elf:
    ef = open(elf, "rb")
    e = mmap.mmap(ef.fileno(), 0, prot=mmap.PROT_READ)
    phoff, = struct.unpack_from("<Q", e, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", e, 0x36)
    loads = []
    for k in range(phnum):
        p_type, _, off, _, paddr, filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", e, phoff + k * phentsize)
        if p_type == 1 and filesz:
            loads.append((paddr, filesz, off))
    loads.sort()
    if same_ranges:
        mine = []
        for st, pfn, count in runs:
            a, b = pfn * PS, (pfn + count) * PS
            if mine and mine[-1][1] == a:
                mine[-1][1] = b
            else:
                mine.append([a, b])
        theirs = [[p, p + s] for p, s, _ in loads]
        merged = []
        for a, b in theirs:
            if merged and merged[-1][1] == a:
                merged[-1][1] = b
            else:
                merged.append([a, b])
        if mine != merged:
            bad("ranges differ from the ELF PT_LOADs: %s vs %s" % (mine, merged))
    def elf_page(addr):
        for p, s, off in loads:
            if p <= addr and addr + PS <= p + s:
                return e[off + addr - p:off + addr - p + PS]
        return None

k = None
if lkdf:
    import kdumpfile
    k = kdumpfile.kdumpfile(lkdf)
    space = kdumpfile.KDUMP_MACHPHYSADDR

def lkdf_read(addr):
    try:
        return k.read(space, addr, PS)
    except kdumpfile.exceptions.NoDataException:
        return None
    except kdumpfile.exceptions.CorruptException:
        # what libkdumpfile says of the zero descriptors of pages an
        # incomplete dump never wrote ("Wrong page size: 0")
        return None

counts = {"present": 0, "excluded": 0, "hole": 0}
elf_pages = 0
for st, pfn, count in runs:
    counts[st] += count
    for p in range(pfn, pfn + count):
        addr = p * PS
        if st == "present":
            mine = im[addr:addr + PS]
            if k is not None:
                theirs = lkdf_read(addr)
                if theirs is None:
                    bad("pfn %#x: libkdumpfile has no data, memwhere read it" % p)
                elif theirs != mine:
                    bad("pfn %#x: differs from libkdumpfile" % p)
            if elf:
                ep = elf_page(addr)
                if ep is not None:
                    elf_pages += 1
                    if ep != mine:
                        bad("pfn %#x: differs from the ELF dump" % p)
        elif k is not None and lkdf_read(addr) is not None:
            bad("pfn %#x: %s for memwhere, libkdumpfile reads it" % (p, st))
print("# blocks of %d bytes: present %%(present)d excluded %%(excluded)d hole %%(hole)d" % PS % counts
      + (", %d blocks checked against the ELF dump" % elf_pages if elf else "")
      + (", all against libkdumpfile" if k is not None else ""))
if elf and elf_pages == 0:
    bad("no block of the ELF dump checked")
sys.exit(1 if failed else 0)
EOF

# mw_info DUMP JSON: memwhere --json info; exit 1 (done, with warnings,
# as for incomplete dumps) counts as success
mw_info() {
	"$MEMWHERE" --json info "$1" >"$2" 2>"$2.err"
	[ $? -le 1 ]
}

# (makedumpfile writes blocks of the page size: libkdumpfile reads them)
lkdf_arg() { [ "$have_lkdf" -eq 1 ] && echo "--lkdf $1"; }

# elf_machine ELF: the dump's architecture from its ELF header's e_machine,
# as uname -m says it
elf_machine() {
	"$PY" -c 'import struct,sys
m = struct.unpack_from("<H", open(sys.argv[1], "rb").read(20), 18)[0]
print({62: "x86_64", 183: "aarch64"}.get(m, "machine %d" % m))' "$1"
}

# json_get FILE EXPR: a value from memwhere's JSON
json_get() {
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# read_all NAME DUMP: image and states as memwhere reads them
read_all() {
	"$readmem" "$2" image "$work/$1.img" >"$work/$1.counts" 2>"$work/$1.err" &&
		"$readmem" "$2" states >"$work/$1.states" 2>>"$work/$1.err"
}

for flat in $dumps; do
	dir=$(dirname "$flat")
	rel=$(basename "$(dirname "$dir")")
	name="$rel/$(basename "$dir")"
	elf=$dir/vmcore.elf
	diag "dump $name"

	mw_info "$flat" "$work/flat.json"
	ok $? "$name: memwhere info reads QEMU's flattened kdump"
	[ "$(json_get "$work/flat.json" 'd["format"]')" = flattened ]
	ok $? "$name: format flattened"
	[ "$(json_get "$work/flat.json" '"zlib" in d["compression"]')" = True ]
	ok $? "$name: zlib pages seen"
	[ "$(json_get "$work/flat.json" 'len(d["memory"]["ranges"]) > 0 and d["memory"]["excluded_pages"] == 0')" = True ]
	ok $? "$name: memory ranges, nothing excluded (QEMU dumps all RAM)"
	[ "$(json_get "$work/flat.json" 'd["vmcoreinfo"]["OSRELEASE"]')" = "$rel" ]
	ok $? "$name: VMCOREINFO OSRELEASE is $rel"

	read_all flat "$flat"
	ok $? "$name: every page of the flattened dump reads ($(cat "$work/flat.counts"))"
	[ -s "$work/flat.err" ] && diag "$(head -3 "$work/flat.err")"

	# the machine and the kernel's page size, whatever the header says
	# (QEMU's arm64 kdump: machine "Unknown", 64 KiB blocks): the
	# architecture of QEMU's ELF dump of the same pause, the page size of
	# the kernel package's config; the block size the dump's own
	if [ -f "$elf" ]; then
		mach=$(elf_machine "$elf")
		got=$(json_get "$work/flat.json" 'd["kernel"]["arch"]')
		[ "$got" = "$mach" ]
		ok $? "$name: kernel.arch $got, the ELF dump's machine $mach"
		"$MEMWHERE" info "$flat" 2>/dev/null | grep -q "^Kernel: .*, $mach"
		ok $? "$name: info's Kernel line names $mach"
	fi
	cfg=$(kernel_file "$dir" config)
	if [ -n "$cfg" ]; then
		want=4096
		grep -q '^CONFIG_ARM64_16K_PAGES=y' "$cfg" && want=16384
		grep -q '^CONFIG_ARM64_64K_PAGES=y' "$cfg" && want=65536
		got=$(json_get "$work/flat.json" 'd["kernel"]["page_size"]')
		[ "$got" = "$want" ]
		ok $? "$name: kernel.page_size $got, the kernel config's $want"
	else
		skip "$name: kernel.page_size against the kernel's config: no config at hand"
	fi
	got=$(json_get "$work/flat.json" 'd["memory"]["block_size"]')
	[ "$got" = "$(sed -n 's/^block //p' "$work/flat.states")" ]
	ok $? "$name: memory.block_size $got is the dump's block size"

	# libkdumpfile 0.5.1 takes VMCOREINFO's PAGESIZE for the dump's
	# block size: on QEMU's arm64 kdump (64 KiB blocks of 4 KiB pages) it
	# reads "Out-of-bounds PFN" or fails to decompress, and can crash
	lkdf=$have_lkdf lkdf_why="python3-libkdumpfile not installed"
	blk=$(sed -n 's/^block //p' "$work/flat.states")
	pgs=$(json_get "$work/flat.json" 'd["vmcoreinfo"].get("PAGESIZE")')
	if [ "$lkdf" -eq 1 ] && [ "$blk" != "$pgs" ]; then
		lkdf=0
		lkdf_why="libkdumpfile 0.5.1 cannot read it: the dump's blocks are $blk bytes, VMCOREINFO's PAGESIZE $pgs"
	fi

	if [ -f "$elf" ]; then
		"$PY" "$work/compare.py" "$work/flat.img" "$work/flat.states" --elf "$elf" --same-ranges
		ok $? "$name: flattened kdump = QEMU's ELF dump of the same pause, page for page, same ranges"
	else
		skip "$name: no vmcore.elf beside the flattened dump"
	fi

	# a System.map beside the dump (Debian's arm64 kernels have no
	# KALLSYMS_ALL: the capture copies the -dbg package's) goes beside
	# the files made from it too
	rm -f "$work/System.map"
	[ -f "$dir/System.map" ] && ln -s "$dir/System.map" "$work/System.map"

	if [ "$have_mdf" -eq 1 ]; then
		makedumpfile -R "$work/plain.kdump" <"$flat" >/dev/null 2>&1
		ok $? "$name: makedumpfile -R turns the flattened stream into a kdump file"
		mw_info "$work/plain.kdump" "$work/plain.json"
		"$PY" - "$work/flat.json" "$work/plain.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ok = b["format"] == "kdump" and all(a[k] == b[k] for k in
     ("compression", "memory", "kernel", "vmcoreinfo", "header_version", "cpus"))
sys.exit(0 if ok else 1)
EOF
		ok $? "$name: memwhere info of the -R file: format kdump, everything else as the flattened one"
		read_all plain "$work/plain.kdump" && cmp -s "$work/flat.img" "$work/plain.img"
		ok $? "$name: the -R file reads byte for byte as the flattened stream"
		if [ "$lkdf" -eq 1 ]; then
			"$PY" "$work/compare.py" "$work/plain.img" "$work/plain.states" --lkdf "$work/plain.kdump"
			ok $? "$name: every page = libkdumpfile's read of the -R file"
		else
			skip "$name: every page = libkdumpfile's read of the -R file: $lkdf_why"
		fi
		rm -f "$work/plain.img" "$work/plain.kdump"
	else
		skip "$name: makedumpfile not installed"
	fi

	"$readmem" "$flat" threads 3 "$work/thr.img" 2>"$work/thr.err" &&
		cmp -s "$work/flat.img" "$work/thr.img"
	ok $? "$name: 3 threads with small and page reads read the same memory"
	rm -f "$work/thr.img"

	# makedumpfile's own files from the ELF dump: filtering (-d 31),
	# lzo, zlib, uncompressed, and its flattened stream. It needs the
	# program headers right after the ELF header (QEMU puts a section
	# header there), so give it a copy with the table moved.
	# Debian's makedumpfile reads only dumps of its own architecture
	# (it is built for one): "Can't get the address of system_utsname"
	mdf_arch=
	if [ "$have_mdf" -eq 1 ] && [ -f "$elf" ]; then
		mach=$(elf_machine "$elf")
		[ "$mach" = "$(uname -m)" ] ||
			mdf_arch="makedumpfile $(makedumpfile -v 2>/dev/null | sed -n 's/.*version \([^ ]*\).*/\1/p') is built for $(uname -m) only, this dump is $mach"
		[ -z "$mdf_arch" ] || skip "$name: makedumpfile -d 31, -F, -E and a cut file from the ELF dump: $mdf_arch"
	fi
	if [ "$have_mdf" -eq 1 ] && [ -f "$elf" ] && [ -z "$mdf_arch" ]; then
		"$PY" - "$elf" "$work/m.elf" <<'EOF'
import shutil, struct, sys
shutil.copyfile(sys.argv[1], sys.argv[2])
with open(sys.argv[2], "r+b") as f:
    eh = bytearray(f.read(64))
    phoff, = struct.unpack_from("<Q", eh, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
    first = min(struct.unpack_from("<Q", ph, i * phentsize + 8)[0] for i in range(phnum))
    assert 64 + len(ph) <= first
    struct.pack_into("<QQ", eh, 0x20, 64, 0)
    struct.pack_into("<HHH", eh, 0x3a, 64, 0, 0)
    f.seek(0); f.write(eh); f.write(ph)
EOF
		for variant in "lzo -l" "zlib -c" "none"; do
			m=${variant%% *}
			opt=${variant#"$m"}
			# shellcheck disable=SC2086
			makedumpfile $opt -d 31 "$work/m.elf" "$work/m-$m.kdump" >"$work/mdf.log" 2>&1
			ok $? "$name: makedumpfile$opt -d 31 from the ELF dump"
			mw_info "$work/m-$m.kdump" "$work/m.json"
			[ "$(json_get "$work/m.json" '(d["header_version"], d["memory"]["excluded_pages"] > 0, "'"$m"'" in d["compression"])')" = "(6, True, True)" ]
			ok $? "$name: makedumpfile$opt file: header version 6, pages excluded, $m pages seen"
			read_all "m-$m" "$work/m-$m.kdump"
			ok $? "$name: makedumpfile$opt file reads ($(cat "$work/m-$m.counts"))"
			"$PY" "$work/compare.py" "$work/m-$m.img" "$work/m-$m.states" --elf "$elf" $(lkdf_arg "$work/m-$m.kdump")
			ok $? "$name: makedumpfile$opt file = ELF dump and libkdumpfile, excluded pages agree"
			[ "$m" = lzo ] || rm -f "$work/m-$m.img" "$work/m-$m.kdump"
		done
		makedumpfile -F -l -d 31 "$work/m.elf" >"$work/m.flat" 2>"$work/mdf.log"
		ok $? "$name: makedumpfile -F -l -d 31 writes its flattened stream"
		read_all mflat "$work/m.flat" && cmp -s "$work/m-lzo.img" "$work/mflat.img" &&
			cmp -s "$work/m-lzo.states" "$work/mflat.states"
		ok $? "$name: makedumpfile's flattened stream reads as its plain lzo file"
		# its flattened ELF (-E -F): a header record is rewritten later
		makedumpfile -E -F -d 31 "$work/m.elf" >"$work/e.flat" 2>"$work/mdf.log" &&
			makedumpfile -R "$work/e.elf" <"$work/e.flat" >/dev/null 2>&1 &&
			read_all eflat "$work/e.flat" && read_all eplain "$work/e.elf" &&
			cmp -s "$work/eflat.img" "$work/eplain.img" &&
			cmp -s "$work/eflat.states" "$work/eplain.states"
		ok $? "$name: makedumpfile -E -F (flattened ELF, overlapping records) reads as its -R file"
		rm -f "$work"/e.flat "$work"/e.elf "$work"/eflat.* "$work"/eplain.*
		# an incomplete dump: makedumpfile stopped by a file size limit
		# (it leaves the descriptors of the pages it did not write zero)
		(trap '' XFSZ; ulimit -f 16000; makedumpfile -l -d 31 "$work/m.elf" "$work/inc.kdump") >/dev/null 2>&1
		mw_info "$work/inc.kdump" "$work/inc.json" &&
			[ "$(json_get "$work/inc.json" 'd["incomplete"]')" = True ]
		ok $? "$name: makedumpfile cut short by a file size limit: memwhere says incomplete"
		read_all inc "$work/inc.kdump" &&
			"$PY" "$work/compare.py" "$work/inc.img" "$work/inc.states" --elf "$elf" $(lkdf_arg "$work/inc.kdump")
		ok $? "$name: the incomplete file reads what it has ($(cat "$work/inc.counts")), = ELF dump and libkdumpfile"
		rm -f "$work/m.elf" "$work/m.flat" "$work"/m-lzo.* "$work"/mflat.* "$work"/inc.*
	fi

	# snappy and zstd (Debian's makedumpfile and QEMU write neither)
	if [ -x "$convert" ]; then
		for m in snappy zstd; do
			"$convert" --compress $m "$flat" "$work/c-$m.kdump" 2>"$work/conv.err"
			ok $? "$name: mw-convert writes a $m kdump file"
			read_all "c-$m" "$work/c-$m.kdump" && cmp -s "$work/flat.img" "$work/c-$m.img"
			ok $? "$name: the $m file reads as the original"
			if [ "$lkdf" -eq 1 ]; then
				"$PY" "$work/compare.py" "$work/c-$m.img" "$work/c-$m.states" --lkdf "$work/c-$m.kdump"
				ok $? "$name: the $m file = libkdumpfile's read of it"
			else
				skip "$name: the $m file = libkdumpfile's read of it: $lkdf_why"
			fi
			rm -f "$work"/c-$m.*
		done
		"$convert" --compress zstd --flatten "$flat" "$work/c.flat" 2>"$work/conv.err" &&
			read_all cflat "$work/c.flat" && cmp -s "$work/flat.img" "$work/cflat.img"
		ok $? "$name: mw-convert's flattened zstd stream reads as the original"
		rm -f "$work"/c.flat "$work"/cflat.*
	else
		skip "$name: mw-convert not built"
	fi
	rm -f "$work"/flat.*
done

# A kexec'd capture kernel's /proc/vmcore (captures/kexec/RELEASE/), the
# input makedumpfile is made for: its lzo and zstd-less outputs against
# the ELF itself and libkdumpfile.
if [ "$have_mdf" -eq 1 ]; then
	n=0
	for elf in "$caps"/kexec/*/vmcore-kexec.elf; do
		[ -f "$elf" ] || continue
		[ "$max" -eq 0 ] || [ "$n" -lt "$max" ] || break
		n=$((n + 1))
		name="kexec/$(basename "$(dirname "$elf")")"
		diag "dump $name"
		for variant in "lzo -l" "zlib -c"; do
			m=${variant%% *}
			opt=${variant#"$m"}
			# shellcheck disable=SC2086
			makedumpfile $opt -d 31 "$elf" "$work/k.kdump" >"$work/mdf.log" 2>&1
			ok $? "$name: makedumpfile$opt -d 31 of /proc/vmcore"
			mw_info "$work/k.kdump" "$work/k.json" &&
				[ "$(json_get "$work/k.json" '(d["format"], d["header_version"], d["memory"]["excluded_pages"] > 0, "'"$m"'" in d["compression"])')" = "('kdump', 6, True, True)" ]
			ok $? "$name: makedumpfile$opt file: kdump version 6, pages excluded, $m pages seen"
			read_all k "$work/k.kdump" &&
				"$PY" "$work/compare.py" "$work/k.img" "$work/k.states" --elf "$elf" $(lkdf_arg "$work/k.kdump")
			ok $? "$name: makedumpfile$opt file reads ($(cat "$work/k.counts")) = /proc/vmcore and libkdumpfile"
			rm -f "$work"/k.*
		done
	done
fi
done_testing
