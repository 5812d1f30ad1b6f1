#!/bin/sh
# memwhere sockets on copies of real dumps with corrupted socket buffers
# (tests/corrupt_skbs.py, with drgn and the kernel's vmlinux): an skb list
# that loops, nr_frags above MAX_SKB_FRAGS, a frag page outside the vmemmap.
# Each is a warning naming the skb, the walk goes on (exit 1, no crash, no
# hang), only that skb (or the looping list's rest) is missing, every other
# socket is measured as in the intact dump, and the queue sizes still equal
# the guest's /proc/net.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_py_module drgn python3-drgn
tap_tmpdir sockcorrupt

# the small captures of the scenario with unread sockets (a copy of the dump is made)
for d in $(small_mixed_dirs); do
	drgn_corrupt "$d" sockets "skb 0x[0-9a-f]+" corrupt_skbs.py || continue
	"$PY" - "$tmp/what.json" "$tmp/good.json" "$tmp/bad.json" "$label" >"$tmp/out" <<'PYEOF'
import json, sys
what = json.load(open(sys.argv[1]))
good = {s["inode"]: s for s in json.load(open(sys.argv[2]))["sockets"] if s["inode"]}
badj = json.load(open(sys.argv[3]))
bad = {s["inode"]: s for s in badj["sockets"] if s["inode"]}
label = sys.argv[4]
warn = badj["warnings"]
def ok(c, d):
    print(("ok - " if c else "not ok - ") + label + ": " + d)
addr = what["skb_addrs"]
ok(any("loops at " + addr["loop"] in w for w in warn), "the looping list is a warning naming the skb")
ok(any(addr["nr_frags"] in w and "nr_frags 200 above MAX_SKB_FRAGS" in w for w in warn),
   "nr_frags 200 is a warning naming the skb")
ok(any(addr["frag_page"] in w and "outside the vmemmap" in w for w in warn),
   "the frag page outside the vmemmap is a warning naming the skb")
l, n, f = bad[what["loop"]], bad[what["nr_frags"]], bad[what["frag_page"]]
ok(l["recv"]["truncated"] and l["recv_skbs"] == 1,
   "looping list: its walk stopped after the first skb (got %d)" % l["recv_skbs"])
ok(n["recv"]["bad_skbs"] == 1 and n["recv_skbs"] == good[what["nr_frags"]]["recv_skbs"] - 1,
   "nr_frags: that skb skipped, the rest of its queue counted")
ok(f["recv"]["bad_skbs"] == 1 and f["recv_skbs"] == good[what["frag_page"]]["recv_skbs"] - 1,
   "frag page: that skb skipped, the rest of its queue counted")
hit = {what["loop"], what["nr_frags"], what["frag_page"]}
same = all(bad[i]["recv_skbs"] == g["recv_skbs"] and bad[i]["recv"]["payload_bytes"] == g["recv"]["payload_bytes"]
           and bad[i]["recv_queue_bytes"] == g["recv_queue_bytes"] and bad[i]["owners"] == g["owners"]
           for i, g in good.items() if i not in hit and i in bad)
ok(same and set(good) == set(bad), "every other socket measured as in the intact dump")
PYEOF
	tap_lines --strict "$tmp/out"
	"$PY" "$MW_SRCDIR/tests/compare_sockets.py" "$tmp/bad.json" "$d/truth.json" "$label corrupted" >"$tmp/cmp" 2>&1
	ok $? "$label corrupted: queue sizes and owners still equal the guest's"
	grep '^not ok' "$tmp/cmp" | head -n 5 | sed 's/^/# /'
done
done_testing
