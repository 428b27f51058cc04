#!/usr/bin/env python3
"""Writes cluster-dump.json (what `kubectl get pods,nodes,events -A -o json` prints for a small
cluster after a scale-up) and cluster-dump.expected.json (the figures `headstart startup -o json`
must print for it, computed here independently of the Java code). Deterministic: run it again and
both files come out the same."""
import json, math, random
from datetime import datetime, timedelta, timezone

random.seed(13)
BASE = datetime(2026, 11, 21, 12, 0, 0, tzinfo=timezone.utc)
def ts(seconds): return (BASE + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
def go(seconds):
    if seconds < 1: return f"{round(seconds*1000)}ms"
    if seconds < 60: return f"{seconds:g}s"
    m, s = divmod(seconds, 60); return f"{int(m)}m{s:g}s"

items, pods_expected, pulls_expected = [], {"on": [], "off": []}, {"on": [], "off": []}
def cond(t, status, at): return {"type": t, "status": status, "lastTransitionTime": ts(at), "lastProbeTime": None}

def pod(name, on, created, sched=None, init=None, ready=None, restarts=0, ready_status="True", uid=None):
    meta = {"name": name, "namespace": "shop", "uid": uid or f"uid-{name}", "creationTimestamp": ts(created),
            "labels": {"app": name.rsplit("-", 1)[0]},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name.rsplit("-", 1)[0] + "-7d9f", "uid": "rs", "controller": True}]}
    if on: meta["annotations"] = {"headstart.dev/applied": "priority-class,startup-probe,pull-policy"}
    conditions = []
    if sched is not None: conditions.append(cond("PodScheduled", "True", sched))
    if init is not None: conditions.append(cond("Initialized", "True", init))
    if ready is not None:
        conditions.append(cond("ContainersReady", ready_status, ready))
        conditions.append(cond("Ready", ready_status, ready))
    items.append({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                  "spec": {"nodeName": "ip-10-0-1-10.ec2.internal", "containers": [{"name": "app", "image": "shop/app:1.4.2"}]},
                  "status": {"phase": "Running" if ready is not None else "Pending", "conditions": conditions,
                             "containerStatuses": [{"name": "app", "ready": ready is not None, "restartCount": restarts,
                                                    "image": "shop/app:1.4.2", "imageID": "", "started": True}]}})
    if ready is not None and ready_status == "True":
        g = "on" if on else "off"
        ph = {}
        def put(k, a, b):
            if a is not None and b is not None and b - a >= 0: ph[k] = b - a
        put("scheduling", created, sched); put("initialization", sched, init)
        if restarts == 0: put("startup", init, ready); put("total", created, ready)
        pods_expected[g].append(ph)

event_n = 0
def event(pod_name, uid, reason, message, at, kind="Pod"):
    global event_n; event_n += 1
    items.append({"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"{pod_name}.{event_n:x}", "namespace": "shop",
                  "creationTimestamp": ts(at)}, "involvedObject": {"apiVersion": "v1", "kind": kind, "namespace": "shop",
                  "name": pod_name, "uid": uid}, "reason": reason, "message": message, "type": "Normal",
                  "source": {"component": "kubelet", "host": "ip-10-0-1-10.ec2.internal"}, "count": 1,
                  "firstTimestamp": ts(at), "lastTimestamp": ts(at)})

def pull(pod_name, on, at, seconds=None, old=False):
    g = "on" if on else "off"
    if seconds is None:
        event(pod_name, f"uid-{pod_name}", "Pulled", 'Container image "shop/app:1.4.2" already present on machine', at)
        pulls_expected[g].append(("cached", 0.0))
    else:
        text = go(seconds)
        msg = (f'Successfully pulled image "shop/app:1.4.2" in {text}' if old else
               f'Successfully pulled image "shop/app:1.4.2" in {text} ({text} including waiting). Image size: 48213116 bytes.')
        event(pod_name, f"uid-{pod_name}", "Pulled", msg, at)
        pulls_expected[g].append(("pulled", seconds))
    event(pod_name, f"uid-{pod_name}", "Started", "Started container app", at + 1)

for i in range(16):
    c = random.randint(0, 120); s = c + random.randint(0, 2); n = s + random.randint(1, 4); r = n + random.randint(3, 15)
    pod(f"checkout-{i:02d}", True, c, s, n, r)
    pull(f"checkout-{i:02d}", True, n + 1, None if i % 5 else round(random.uniform(1, 6), 2))
for i in range(16):
    c = random.randint(0, 120); s = c + random.randint(1, 45); n = s + random.randint(2, 8); r = n + random.randint(20, 70)
    pod(f"legacy-{i:02d}", False, c, s, n, r)
    pull(f"legacy-{i:02d}", False, n + 1, None if i % 7 == 0 else round(random.uniform(4, 80), 2), old=(i % 4 == 0))
# never Ready, a restart, a clock oddity, a pod without PodScheduled
pod("checkout-pending", True, 100, 101)
pull("checkout-pending", True, 102, 2.5)
pod("legacy-notready", False, 50, 55, 58, 59, ready_status="False")
pod("checkout-restarted", True, 10, 11, 13, 300, restarts=2)
pod("legacy-skewed", False, 20, 30, 28, 90)
pod("legacy-unscheduled", False, 30, None, 40, 75)
# events about other pods: one gone (same name, other uid), one never listed, and a node event
event("checkout-00", "uid-an-older-checkout-00", "Pulled", 'Successfully pulled image "x" in 9m0s', 5)
event("gone-pod", "uid-gone", "Pulled", 'Successfully pulled image "x" in 9m0s', 5)
event("legacy-00", "uid-legacy-00", "Pulling", 'Pulling image "shop/app:1.4.2"', 3)
event("ip-10-0-1-10.ec2.internal", "n", "Pulled", 'Container image "x" already present on machine', 3, kind="Node")

nodes_expected = {"warmPool": [], "cold": []}
def node(name, warm, created, ready=None, cache=None, warmup=None):
    ann = {"node.alpha.kubernetes.io/ttl": "0"}
    if warm: ann["headstart.dev/warm-pool"] = "true"
    if cache is not None: ann["headstart.dev/image-cache-complete"] = ts(cache)
    if warmup is not None: ann["headstart.dev/warm-up-complete"] = ts(warmup)
    conds = [{"type": "MemoryPressure", "status": "False", "lastTransitionTime": ts(created + 5), "lastHeartbeatTime": ts(600)},
             {"type": "Ready", "status": "True" if ready is not None else "False",
              "lastTransitionTime": ts(ready if ready is not None else created + 5), "lastHeartbeatTime": ts(600)}]
    items.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "uid": f"uid-{name}",
                  "creationTimestamp": ts(created), "annotations": ann, "labels": {"kubernetes.io/hostname": name}},
                  "spec": {"providerID": f"aws:///us-east-1a/i-0{abs(hash(name)) % 10**12:012d}"},
                  "status": {"conditions": conds, "allocatable": {"cpu": "3920m", "memory": "14Gi"}}})
    ph = {}
    for k, end in (("ready", ready), ("imageCache", cache), ("warmUp", warmup)):
        if end is not None and end >= created: ph[k] = end - created
    nodes_expected["warmPool" if warm else "cold"].append(ph)

for i in range(3):
    c = 30 * i; node(f"ip-10-0-2-{i+1}.ec2.internal", True, c, c + random.randint(18, 30), c + random.randint(50, 80), c + random.randint(95, 140))
for i in range(4):
    c = 20 * i; node(f"ip-10-0-3-{i+1}.ec2.internal", False, c, c + random.randint(55, 110))
node("ip-10-0-3-9.ec2.internal", False, 200)

def summary(values):
    if not values: return {"count": 0, "p50": None, "p90": None, "p99": None, "max": None}
    v = sorted(values); n = len(v)
    r = lambda p: v[max(1, math.ceil(p * n / 100)) - 1]
    return {"count": n, "p50": float(r(50)), "p90": float(r(90)), "p99": float(r(99)), "max": float(v[-1])}

expected = {"pods": {}, "nodes": {}}
for g in ("on", "off"):
    expected["pods"][g] = {"count": len(pods_expected[g]),
        "phases": {k: summary([p[k] for p in pods_expected[g] if k in p]) for k in ("scheduling", "initialization", "startup", "total")},
        "imagePulls": {"count": len(pulls_expected[g]), "cached": sum(1 for k, _ in pulls_expected[g] if k == "cached"),
                       "seconds": summary([s for _, s in pulls_expected[g]])}}
for g in ("warmPool", "cold"):
    expected["nodes"][g] = {"count": len(nodes_expected[g]),
        "phases": {k: summary([p[k] for p in nodes_expected[g] if k in p]) for k in ("ready", "imageCache", "warmUp")}}

with open("cluster-dump.json", "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}, f, indent=4)
    f.write("\n")
with open("cluster-dump.expected.json", "w") as f:
    json.dump(expected, f, indent=2); f.write("\n")
