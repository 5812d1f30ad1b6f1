#!/usr/bin/env python3
"""Checks of diff, --folded and --html against the report documents'
own figures (read here independently of memwhere's C code).

  export_check.py diff OLD.json NEW.json DIFF.json
  export_check.py folded REPORT.json FOLDED.txt
  export_check.py html REPORT.json DOM.html
Prints "ok - ..." / "not ok - ..." lines (tests/tap.sh numbers them)."""
import html.parser
import json
import re
import sys


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    return cond


def owners(doc):
    """the report's figures per kind, keyed as diff keys them"""
    k = {}
    k["categories"] = dict(doc["summary"]["categories"])
    k["memcgs"] = {m["path"]: m["usage_bytes"] for m in doc.get("memcg", {}).get("memcgs", [])}
    files = {}
    for f in doc.get("files", {}).get("files", []):
        key = f["path"] if f.get("path") is not None else "%s inode %d" % (f.get("name_kind"), f.get("inode", 0))
        files[key] = files.get(key, 0) + f["cached_bytes"]
    k["files"] = files
    socks = {}
    for s in doc.get("sockets", {}).get("sockets", []):
        o = s.get("owners") or []
        key = "pid %d %s" % (o[0]["pid"], o[0]["comm"]) if o else "(no owner)"
        socks[key] = socks.get(key, 0) + s["pinned_bytes"]
    k["socket_owners"] = socks
    k["tasks"] = {"pid %d %s" % (t["pid"], t["comm"]): t["rss_bytes"] or 0 for t in doc.get("tasks", {}).get("tasks", [])}
    k["slab_caches"] = {}
    for c in doc.get("slab", {}).get("caches", []):
        k["slab_caches"][c["name"]] = k["slab_caches"].get(c["name"], 0) + c["bytes"]
    return k


def name_of(row):
    return row.get("category") or row.get("path") or row.get("name")


def do_diff(oldf, newf, difff):
    old, new, d = (json.load(open(f)) for f in (oldf, newf, difff))
    o, n = owners(old), owners(new)
    for kind in ("categories", "memcgs", "files", "socket_owners", "tasks", "slab_caches"):
        if not d["compared"][kind]:
            check(kind in ("tasks", "slab_caches"), "%s: not compared only when a report lacks it" % kind)
            continue
        rows = d[kind]
        keys = set(o[kind]) | set(n[kind])
        want = {k for k in keys if kind == "categories" or o[kind].get(k, 0) != n[kind].get(k, 0)}
        got = {name_of(r): r for r in rows}
        check(set(got) == want, "%s: the diff lists the %d owners that changed (%d listed)" % (kind, len(want), len(got)))
        bad = [r for r in rows if r["old_bytes"] != o[kind].get(name_of(r), 0) or
               r["new_bytes"] != n[kind].get(name_of(r), 0) or
               r["delta_bytes"] != r["new_bytes"] - r["old_bytes"]]
        check(not bad, "%s: every old, new equals the reports' own figure and delta = new - old%s" %
              (kind, (": " + repr(bad[0])) if bad else ""))
        deltas = [r["delta_bytes"] for r in rows]
        check(deltas == sorted(deltas, reverse=True), "%s: ranked by growth" % kind)
    used = lambda doc: doc["summary"]["total_bytes"] - doc["summary"]["categories"]["free"]
    check(d["used_delta_bytes"] == used(new) - used(old), "RAM in use: delta %d" % (used(new) - used(old)))
    growth = used(new) - used(old)
    want = set()
    if growth > 0:
        for kind in ("memcgs", "files", "tasks", "slab_caches", "socket_owners"):
            if not d["compared"][kind]:
                continue
            grown = [(n[kind].get(k, 0) - o[kind].get(k, 0), k) for k in set(o[kind]) | set(n[kind])]
            big = [(dl, k) for dl, k in grown if dl > growth // 100 * 50]
            if big:
                want.add((kind, max(big, key=lambda x: len(x[1]))[1] if kind == "memcgs" else max(big)[1]))
    got = {(f["data"]["owner_kind"], f["data"]["owner"]) for f in d["findings"]}
    check(got == want, "findings: the owners that explain over half of the growth: %s" % sorted(want))
    dy = d["dying_memcg_count"]
    check(dy["old"] == old["memcg"]["dying"]["count"] and dy["new"] == new["memcg"]["dying"]["count"],
          "dying memcg count %d -> %d" % (dy["old"], dy["new"]))


def do_folded(reportf, foldedf):
    doc = json.load(open(reportf))
    lines = open(foldedf, encoding="utf-8", errors="surrogateescape").read().splitlines()
    pat = re.compile(r"^[^;\n]+(;[^;\n]+)* [0-9]+$")
    check(lines and all(pat.match(l) for l in lines), "%d lines of the form frame;frame BYTES" % len(lines))
    total = sum(int(l.rsplit(" ", 1)[1]) for l in lines)
    check(total == doc["summary"]["total_bytes"], "the lines add up to RAM: %d = %d" % (total, doc["summary"]["total_bytes"]))
    per = {}
    for l in lines:
        per[l.split(";", 1)[0].rsplit(" ", 1)[0]] = per.get(l.split(";", 1)[0].rsplit(" ", 1)[0], 0) + int(l.rsplit(" ", 1)[1])
    cats = {k: v for k, v in doc["summary"]["categories"].items() if v}
    check(per == cats, "each category's lines add up to the category")
    charged = {}
    for m in doc["memcg"]["memcgs"]:
        for c in ("anon", "file", "shmem"):
            if m["charged"][c]:
                charged[(c, m["path"])] = m["charged"][c]
    got = {}
    for l in lines:
        parts = l.rsplit(" ", 1)[0].split(";")
        if parts[0] in ("anon", "file", "shmem") and len(parts) > 1:
            got[(parts[0], parts[1])] = got.get((parts[0], parts[1]), 0) + int(l.rsplit(" ", 1)[1])
    check(all(got.get(k) == v for k, v in charged.items()),
          "anon, file, shmem per memcg: the memcg's charged bytes (%d memcg rows)" % len(charged))
    sock = sum(int(l.rsplit(" ", 1)[1]) for l in lines if l.startswith("skb_frags;"))
    check(sock == doc["summary"]["categories"]["skb_frags"], "skb_frags by socket owner")


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.leaves, self.text, self.ram, self.ids = [], [], None, set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "rect" and a.get("class") == "leaf":
            self.leaves.append((float(a["width"]), float(a["height"]), int(a["data-bytes"])))
        if tag == "svg" and a.get("id") == "map":
            self.ram, self.w, self.h = int(a["data-ram"]), float(a["width"]), float(a["height"])
        if tag == "div" and "finding" in (a.get("class") or ""):
            self.ids.add(a.get("data-id"))

    def handle_data(self, data):
        self.text.append(data)


def do_html(reportf, domf):
    doc = json.load(open(reportf))
    p = Dom()
    p.feed(open(domf, encoding="utf-8", errors="replace").read())
    ram = doc["summary"]["total_bytes"]
    check(p.ram == ram, "the treemap is of RAM: %s" % p.ram)
    area = sum(w * h for w, h, _ in p.leaves)
    check(abs(area - p.w * p.h) <= 1.0, "the %d leaves' areas add up to the map within a pixel: %.3f of %.0f" %
          (len(p.leaves), area, p.w * p.h))
    check(sum(b for _, _, b in p.leaves) == ram, "the leaves' bytes add up to RAM")
    px = p.w * p.h / ram
    worst = max(abs(w * h - b * px) for w, h, b in p.leaves)
    check(worst <= 1.0, "each leaf's area is its bytes' share within a pixel (worst %.4f)" % worst)
    text = " ".join(p.text)
    fs = doc.get("findings", [])
    check(all(f["title"] in text for f in fs) and {f["id"] for f in fs} <= p.ids,
          "every finding of the report is on the page (%d)" % len(fs))
    for sec, key in (("memcg", "memcgs"), ("files", "files"), ("sockets", "sockets")):
        n = len(doc.get(sec, {}).get(key, []))
        check(("(%d rows)" % n) in text, "the %s table has the report's %d rows" % (sec, n))


if __name__ == "__main__":
    {"diff": do_diff, "folded": do_folded, "html": do_html}[sys.argv[1]](*sys.argv[2:])
