#!/usr/bin/python3
"""Reserved memory by purpose and offline (balloon) pages against the guest's truth.

On every real dump with truth.json "rest" (scenario rest: crashkernel=,
a virtio balloon inflated by the host, hugepages), `summary --json`'s
"reserved" parts and "offline" are compared with what the guest itself
said, each within 1%:
  - crash_kernel: the "Crash kernel" resource of /proc/iomem;
  - offline: the balloon's pages, /proc/vmstat balloon_inflate -
    balloon_deflate, held by the driver virtio_balloon;
  - struct_pages: the memory blocks of /sys/devices/system/memory times
    their pages times 64 bytes (the x86-64 struct page);
  - kernel_text, kernel_rodata, kernel_data, kernel_bss (the kernel's
    region): the boot line "Memory: ... (N kernel code, N rwdata, N rodata,
    N init, N bss ...)"; kernel_init holds no page once "Freeing unused
    kernel image (initmem)" was said;
  - not_ram: the memory blocks' bytes less the System RAM of /proc/iomem;
  - "reserved, not identified" under 5% of RAM.
On every other dump: the parts add up to reserved, and reserved plus
offline are the summary's categories of the same names.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["MW_SRCDIR"], "tests"))
from taplib import ok, plan, real_dump_dirs  # noqa: E402

def near(got, want, pct=1.0):
    return want is not None and got is not None and abs(got - want) <= max(want * pct / 100.0, 4096)


def dump_dirs():
    return real_dump_dirs()


def first_dump(d):
    for name in ("vmcore.kdump", "vmcore.elf", "vmcore.kdump-zlib.flat", "vmcore-paging.elf"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def summary(f):
    p = subprocess.run([os.environ["MEMWHERE"], "summary", "--json", f],
                       capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        return p.returncode, None


def check_rest(label, t, doc):
    r = t["rest"]
    res, off = doc["reserved"], doc["offline"]
    parts = res["parts"]
    ck = r.get("crash_kernel") or {}
    ok(near(parts["crash_kernel"]["bytes"], ck.get("size")),
       "%s: crash kernel %d bytes (iomem: %s)" % (label, parts["crash_kernel"]["bytes"], ck.get("size")))
    ok(parts["crash_kernel"]["start"] == ck.get("start"),
       "%s: crash kernel at %s (iomem: %s)" % (label, parts["crash_kernel"]["start"], ck.get("start")))
    bv = r["balloon_vmstat"]
    want = (bv.get("balloon_inflate", 0) - bv.get("balloon_deflate", 0)) * t["page_size"]
    ok(near(off["bytes"], want), "%s: offline %d bytes (balloon vmstat: %d)" % (label, off["bytes"], want))
    drivers = {o["driver"]: o["bytes"] for o in off["owners"]}
    ok(near(drivers.get("virtio_balloon"), want),
       "%s: virtio_balloon holds %s bytes (%d)" % (label, drivers.get("virtio_balloon"), want))
    ok(doc["categories"]["offline"] == off["bytes"],
       "%s: the offline category is the balloon's" % label)
    # the balloon finding: from 5% of RAM (a warning from 25%), by the
    # guest's own balloon counters
    pct = 100.0 * want / doc["total_bytes"]
    found = [f for f in doc.get("findings", []) if f["id"] == "balloon"]
    sev = "warning" if pct >= 25 else "info"
    ok((not found) if pct < 5 else (len(found) == 1 and found[0]["severity"] == sev),
       "%s: a balloon finding exactly from 5%% of RAM (the guest's balloon: %.1f%%; found %s)"
       % (label, pct, [f["severity"] for f in found]))
    if r.get("memory_blocks") and r.get("memory_block_bytes"):
        sections = r["memory_blocks"] * r["memory_block_bytes"]
        want = sections // t["page_size"] * 64
        ok(near(parts["struct_pages"]["bytes"], want),
           "%s: struct page array %d bytes (memory blocks: %d)" % (label, parts["struct_pages"]["bytes"], want))
        want = sections - r["system_ram_bytes"]
        ok(near(parts["not_ram"]["bytes"], want),
           "%s: not RAM %d bytes (memory blocks less System RAM: %d)" % (label, parts["not_ram"]["bytes"], want))
    bm = r.get("boot_memory") or {}
    for part, key in (("kernel_text", "kernel_code_kib"), ("kernel_rodata", "rodata_kib"),
                      ("kernel_data", "rwdata_kib"), ("kernel_bss", "bss_kib")):
        want = bm.get(key)
        got = parts[part]["region_bytes"]
        ok(want is not None and near(got, want * 1024),
           "%s: %s region %s bytes (boot line: %s KiB)" % (label, part, got, want))
    if r.get("initmem_freed_kib"):
        ok(parts["kernel_init"]["bytes"] == 0,
           "%s: init freed (%d KiB said the kernel), none of it reserved" % (label, r["initmem_freed_kib"]))
    un = parts["unidentified"]["bytes"]
    ok(un < doc["total_bytes"] * 0.05,
       "%s: reserved, not identified %d bytes, under 5%% of RAM (%d)" % (label, un, doc["total_bytes"]))


def main():
    dirs = dump_dirs()
    if not dirs:
        print("1..0 # SKIP no real dumps")
        return 0
    rest = 0
    for d in dirs:
        f = first_dump(d)
        if not f:
            continue
        with open(os.path.join(d, "truth.json")) as fp:
            t = json.load(fp)
        label = "%s/%s" % (os.path.basename(os.path.dirname(d)), os.path.basename(d))
        rc, doc = summary(f)
        if not ok(doc is not None and "reserved" in doc, "%s: summary --json has reserved (rc %d)" % (label, rc)):
            continue
        parts = doc["reserved"]["parts"]
        ok(sum(p["bytes"] for p in parts.values()) == doc["reserved"]["bytes"] ==
           doc["categories"]["reserved"],
           "%s: the parts add up to reserved (%d)" % (label, doc["categories"]["reserved"]))
        if "rest" in t:
            rest += 1
            check_rest(label, t, doc)
    if not rest:
        print("# no capture of scenario rest (scripts/capture --scenario rest)")
    return plan()


sys.exit(main())
