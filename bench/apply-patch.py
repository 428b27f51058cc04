#!/usr/bin/env python3
"""Applies the JSON patch of an AdmissionReview answer (stdin) to an object file; prints the result.

Only the operations the webhook emits (add, replace) are supported; anything else fails.
Usage: curl ... | bench/apply-patch.py object.json
"""
import base64
import json
import sys


def pointer(path):
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def apply(doc, ops):
    for op in ops:
        parts = pointer(op["path"])
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent[p]
        last = parts[-1]
        if op["op"] not in ("add", "replace"):
            raise SystemExit("unsupported op " + op["op"])
        if isinstance(parent, list):
            if op["op"] == "add":
                parent.insert(len(parent) if last == "-" else int(last), op["value"])
            else:
                parent[int(last)] = op["value"]
        else:
            if op["op"] == "replace" and last not in parent:
                raise SystemExit("replace of missing " + op["path"])
            parent[last] = op["value"]
    return doc


answer = json.load(sys.stdin)["response"]
with open(sys.argv[1]) as f:
    obj = json.load(f)
if "patch" in answer:
    obj = apply(obj, json.loads(base64.b64decode(answer["patch"])))
json.dump(obj, sys.stdout, indent=2)
print()
