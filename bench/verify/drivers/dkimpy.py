#!/usr/bin/python3
"""Benchmark driver: dkimpy over the corpus in one process, keys from keys.txt (no DNS).

Every signature of a message is verified (dkim.DKIM(message).verify(idx=i) for each i): dkim.verify()
checks only the first, and checking the rest costs one more body hash and header hash each.

    /usr/bin/python3 bench/verify/drivers/dkimpy.py --corpus DIR [--list subset-2000.txt]

Prints one JSON line shaped like the TypeScript drivers' (see drivers/common.ts).
"""
import argparse
import json
import logging
import os
import resource
import time

import dkim

parser = argparse.ArgumentParser()
parser.add_argument("--corpus", required=True)
parser.add_argument("--list", default="all.txt")
args = parser.parse_args()

keys = {}
with open(os.path.join(args.corpus, "keys.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition(" ")
        keys.setdefault(name.lower().rstrip("."), value.strip().encode("ascii"))


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode("ascii")
    return keys.get(name.lower().rstrip("."))


with open(os.path.join(args.corpus, "manifest.json"), encoding="utf-8") as f:
    manifest = json.load(f)
by_file = {m["file"]: m for m in manifest["messages"]}
with open(os.path.join(args.corpus, args.list), encoding="utf-8") as f:
    files = [l for l in f.read().split("\n") if l]

# dkimpy logs every failure; keep the benchmark about verification, not logging
logger = logging.getLogger("dkimpy-bench")
logger.addHandler(logging.NullHandler())
logger.propagate = False

outcomes = []
signatures = {}
read_s = 0.0
t0 = time.perf_counter()
for name in files:
    r0 = time.perf_counter()
    with open(os.path.join(args.corpus, name), "rb") as f:
        message = f.read()
    read_s += time.perf_counter() - r0
    try:
        d = dkim.DKIM(message, logger=logger, minkey=1024)
        count = sum(1 for h, _ in d.headers if h.lower() == b"dkim-signature")
        passed = []
        for idx in range(count):
            try:
                ok = bool(d.verify(idx=idx, dnsfunc=dnsfunc))
                status = "pass" if ok else "fail"
            except dkim.DKIMException as e:
                # dkimpy raises on a body hash mismatch rather than returning False
                ok = False
                status = "fail:body-hash" if "body hash mismatch" in str(e) else "error:" + type(e).__name__
            signatures[status] = signatures.get(status, 0) + 1
            passed.append(ok)
        if not passed:
            outcomes.append("none")
        elif all(passed):
            outcomes.append("pass")
        elif any(passed):
            outcomes.append("partial")
        else:
            outcomes.append("fail")
    except Exception:  # noqa: BLE001 - a crash on one message is a result, not the end of the run
        outcomes.append("error")
seconds = time.perf_counter() - t0

results, differs, examples, matches = {}, {}, [], 0
for name, got in zip(files, outcomes):
    results[got] = results.get(got, 0) + 1
    m = by_file.get(name, {})
    expected = m.get("expected", "pass")
    if got == expected:
        matches += 1
    else:
        sigs = "+".join(f"{s['keyKind']}/{s['c']}" for s in m.get("signatures", []))
        key = f"{expected}->{got} {sigs} {m.get('tamper') or ''}".strip()
        differs[key] = differs.get(key, 0) + 1
        if len(examples) < 5:
            examples.append(f"{name}: expected {expected}, got {got}")



def max_rss_mb():
    """VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


version = "unknown"
try:
    from importlib.metadata import version as pkg_version

    version = pkg_version("dkimpy")
except Exception:  # noqa: BLE001
    pass

print(json.dumps({
    "tool": "dkimpy",
    "version": version,
    "mode": "dkim.DKIM().verify(idx) for every signature, one core",
    "list": args.list,
    "messages": len(files),
    "bytes": sum(by_file[n]["bytes"] for n in files),
    "seconds": seconds,
    "readSeconds": read_s,
    "results": results,
    "signatures": signatures,
    "agreement": {"matches": matches, "differs": differs, "examples": examples},
    "maxRssMB": max_rss_mb(),
}))
