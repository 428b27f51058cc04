#!/usr/bin/env python3
"""Wraps the test objects in AdmissionReviews for the load benchmarks.

Usage: bench/make-reviews.py [out-dir]   (default bench/reviews)

The already-mutated pod (pod-mutated.json) is committed: it is the webhook's own output for
pod-needs-all, made once with bench/run.sh's server and the patch applied (see BENCHMARKS.md).
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OBJECTS = os.path.join(ROOT, "src", "test", "resources", "objects")


def review(obj, operation="CREATE", uid="bench-0000-0000-0000-000000000001"):
    api_version = obj.get("apiVersion", "v1")
    group, version = (api_version.split("/", 1) if "/" in api_version else ("", api_version))
    meta = obj.get("metadata", {})
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": obj["kind"]},
            "resource": {"group": group, "version": version, "resource": obj["kind"].lower() + "s"},
            "operation": operation,
            "namespace": meta.get("namespace", "default"),
            "name": meta.get("name", ""),
            "object": obj,
            "dryRun": False,
        },
    }


def load(name):
    with open(os.path.join(OBJECTS, name)) as f:
        return json.load(f)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", "reviews")
    os.makedirs(out, exist_ok=True)
    config_map = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "app-config", "namespace": "shop", "labels": {"app": "web"}},
        "data": {"a": "1", "b": "two", "c": "three"},
    }
    reviews = {
        "pod-needs-all.json": review(load("pod-needs-all.json")),
        "daemonset-kube-proxy.json": review(load("daemonset-kube-proxy.json")),
        "daemonset-aws-node.json": review(load("daemonset-aws-node.json")),
        "configmap-parse-only.json": review(config_map),
    }
    mutated = os.path.join(ROOT, "bench", "pod-mutated.json")
    if os.path.exists(mutated):
        with open(mutated) as f:
            pod = json.load(f)
        reviews["pod-already-mutated.json"] = review(pod)
        # The parse-only baseline carries the same bytes as the already-mutated pod under a kind
        # Headstart ignores: the difference between the two is the rules' read-only pass alone.
        same_bytes = json.loads(json.dumps(pod))
        same_bytes["kind"] = "ConfigMap"
        reviews["configmap-parse-only.json"] = review(same_bytes)
    for name, body in reviews.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(body, f, separators=(",", ":"))
        print(os.path.join(out, name))


if __name__ == "__main__":
    main()
