#!/usr/bin/python3
"""Compare `memwhere --json --top 0 sockets` with a capture's ground truth.

Python 3 standard library only; uses tests/compare.py's Checks (TAP lines
without numbers, "#" lines with both values when a check fails):

    compare_sockets.py MEMWHERE.json TRUTH.json [LABEL]

The truth is what the guest itself printed right before the dump:
  - /proc/net/tcp, tcp6, udp, udp6 (truth["net"]): per socket inode, the
    rx_queue and tx_queue columns, the state and the addresses;
  - /proc/net/unix: the inodes of the unix sockets;
  - every process's /proc/PID/fd socket links (truth["tasks"][].sockets):
    which pid holds which socket inode on which fd.
Checks:
  - every TCP/UDP socket of the truth is listed, with recv_queue_bytes equal
    to rx_queue, send_queue_bytes equal to tx_queue, the same state and
    local/remote addresses;
  - every unix socket of the truth is listed;
  - the owners of every listed socket with an inode, as (pid, fd) pairs,
    equal the truth's fd -> inode links of the processes the truth saw
    (processes the truth printer itself ran, "transient", are left out);
  - every socket fd of the truth's processes appears as an owner.
A last "# sockets:" line gives checked / equal / different counts.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import Checks, load  # noqa: E402

UDP_STATES = {"UNCONN": "UNCONN", "ESTAB": "ESTABLISHED"}


def norm_state(proto, state):
    if proto.startswith("udp"):
        return UDP_STATES.get(state, state)
    return state


def compare_sockets(mw, truth, checks):
    socks = mw.get("sockets")
    if not isinstance(socks, list):
        checks.fail("memwhere JSON has a sockets list")
        return {}
    by_inode = {}
    for s in socks:
        if s.get("inode"):
            by_inode.setdefault(s["inode"], []).append(s)
    stats = {"checked": 0, "equal": 0, "different": 0}

    def tally(ok):
        stats["checked"] += 1
        stats["equal" if ok else "different"] += 1

    net = truth.get("net") or {}
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for t in net.get(proto) or []:
            ino = t.get("inode")
            if not ino:
                continue        # time-wait and request sockets have inode 0
            name = "%s inode %d (%s -> %s)" % (proto, ino, t.get("local"), t.get("remote"))
            found = by_inode.get(ino)
            if not found:
                checks.fail("%s is listed" % name)
                tally(False)
                continue
            s = found[0]
            ok = checks.equal("%s recv_queue_bytes" % name, s.get("recv_queue_bytes"),
                              t.get("rx_queue"), "/proc/net/%s rx_queue" % proto)
            ok &= checks.equal("%s send_queue_bytes" % name, s.get("send_queue_bytes"),
                               t.get("tx_queue"), "/proc/net/%s tx_queue" % proto)
            ok &= checks.equal("%s state" % name, s.get("state"),
                               norm_state(proto, t.get("state")), "/proc/net/%s st" % proto)
            ok &= checks.equal("%s local" % name, s.get("local"), t.get("local"),
                               "/proc/net/%s local_address" % proto)
            ok &= checks.equal("%s remote" % name, s.get("remote"), t.get("remote"),
                               "/proc/net/%s rem_address" % proto)
            tally(ok)
    for t in net.get("unix") or []:
        ino = t.get("inode")
        if not ino:
            continue
        ok = ino in by_inode
        if ok:
            checks.equal("unix inode %d listed" % ino, True, True, "/proc/net/unix")
        else:
            checks.fail("unix inode %d is listed" % ino)
        tally(ok)

    # nothing listed that the guest did not show (one network namespace)
    truth_inodes = {"tcp": set(), "udp": set(), "unix": set()}
    for proto in ("tcp", "tcp6", "udp", "udp6", "unix"):
        for t in net.get(proto) or []:
            truth_inodes[proto.rstrip("6")].add(t.get("inode"))
    for s in socks:
        kind = s.get("protocol") if s.get("family") in ("inet", "inet6") else s.get("family")
        if kind not in truth_inodes or not s.get("inode") or s.get("mini"):
            continue
        ok = s["inode"] in truth_inodes[kind]
        if not ok:
            checks.fail("%s socket inode %d (%s) is in the guest's /proc/net/%s"
                        % (kind, s["inode"], s.get("local"), kind))
        tally(ok)

    # owners: (pid, fd) per inode, from the truth's processes
    truth_owners = {}
    pids = set()
    for task in truth.get("tasks") or []:
        if task.get("transient"):
            continue
        pids.add(task["pid"])
        for fd in task.get("sockets") or []:
            truth_owners.setdefault(fd["inode"], set()).add((task["pid"], fd["fd"]))
    mw_owners = {}
    for s in socks:
        for o in s.get("owners") or []:
            if o.get("pid") in pids:
                mw_owners.setdefault(s.get("inode"), set()).add((o["pid"], o["fd"]))
    for ino in sorted(set(truth_owners) | set(mw_owners), key=lambda x: x or 0):
        want = sorted(truth_owners.get(ino, ()))
        got = sorted(mw_owners.get(ino, ()))
        ok = checks.equal("owners of socket inode %s" % ino, got, want,
                          "/proc/PID/fd of the guest")
        tally(ok)
    return stats


def main(argv):
    if len(argv) < 3:
        print("usage: compare_sockets.py MEMWHERE.json TRUTH.json [LABEL]", file=sys.stderr)
        return 2
    try:
        mw = load(argv[1])
        truth = load(argv[2])
    except (OSError, ValueError) as e:
        print("compare_sockets.py: %s" % e, file=sys.stderr)
        return 2
    checks = Checks(argv[3] if len(argv) > 3 else "")
    stats = compare_sockets(mw, truth, checks)
    checks.output()
    print("# sockets: %d checked, %d equal, %d different"
          % (stats.get("checked", 0), stats.get("equal", 0), stats.get("different", 0)))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
