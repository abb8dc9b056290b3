#!/usr/bin/python3
"""Verify messages with dkimpy (Debian python3-dkim), keys from a key file, no DNS.

Reads JSON lines {"message": PATH, "keys": PATH} on stdin; prints JSON lines
{"message": PATH, "results": [true|false|"error: ..." per DKIM-Signature, top to bottom]}.
minkey=512 because leakproof verifies weak keys (and reports them weak) rather than refusing them.
"""
import json
import sys

import dkim


def load_keys(path):
    keys = {}
    with open(path, "rb") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            name, _, value = line.partition(b" ")
            keys.setdefault(name.lower().rstrip(b"."), value.strip())
    return keys


for request in sys.stdin:
    req = json.loads(request)
    keys = load_keys(req["keys"])

    def dnsfunc(name, timeout=5, keys=keys):
        return keys.get(name.lower().rstrip(b"."))

    with open(req["message"], "rb") as f:
        message = f.read()
    d = dkim.DKIM(message, minkey=512)
    count = sum(1 for name, _ in d.headers if name.lower() == b"dkim-signature")
    results = []
    for idx in range(count):
        try:
            results.append(bool(d.verify(idx=idx, dnsfunc=dnsfunc)))
        except Exception as e:  # dkimpy raises on malformed input; that is a failure to verify
            results.append("error: %s" % e)
    print(json.dumps({"message": req["message"], "results": results}), flush=True)
