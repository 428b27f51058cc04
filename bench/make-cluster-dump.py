#!/usr/bin/env python3
"""Writes a kubectl-shaped cluster dump of a given size for the CLI's memory bench (bench/dumps.sh).

    make-cluster-dump.py --size 1GiB --format json|yaml OUT

One `kind: List` document, as `kubectl get pods,nodes,events -A -o json|yaml` prints it: pods with
what real pods carry (labels, annotations, managedFields, two containers with env and probes,
conditions, container statuses), one node per 30 pods, and one kubelet `Pulled` event per pod (half
of them cache hits). Pods and events are added in equal numbers until the file reaches the size, so
a 1 GiB dump holds about 150,000 of each. Written as text a pod at a time: the generator's memory
does not grow with the dump. Deterministic (no randomness): the same size gives the same file.
"""
import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 11, 21, 12, 0, 0, tzinfo=timezone.utc)


def ts(seconds):
    return (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(i):
    created = i % 3600
    headstart = i % 2 == 0
    ready = created + (14 + i % 20 if headstart else 40 + i % 80)
    annotations = {"kubectl.kubernetes.io/restartedAt": ts(0), "prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
    if headstart:
        annotations["headstart.dev/applied"] = "priority-class,startup-probe,pull-policy"
    env = [{"name": "ENV_%02d" % k, "value": "value-%d-%d-some-configuration-string" % (i, k)} for k in range(12)]
    container = lambda name: {
        "name": name, "image": "registry.example.com/team-%d/%s:1.%d.%d" % (i % 40, name, i % 9, i % 7),
        "imagePullPolicy": "IfNotPresent", "env": env,
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 5,
                           "failureThreshold": 3, "successThreshold": 1, "timeoutSeconds": 1},
        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-%05d" % (i % 99999), "readOnly": True}],
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }
    status = lambda name: {
        "name": name, "image": "registry.example.com/team-%d/%s:1.%d.%d" % (i % 40, name, i % 9, i % 7),
        "imageID": "registry.example.com/team-%d/%s@sha256:%064x" % (i % 40, name, i * 7919),
        "containerID": "containerd://%064x" % (i * 104729), "ready": True, "restartCount": 0, "started": True,
        "state": {"running": {"startedAt": ts(ready - 3)}},
    }
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "app-%07d" % i, "namespace": "team-%d" % (i % 40), "uid": "%08x-0000-4000-8000-%012x" % (i, i),
            "creationTimestamp": ts(created), "resourceVersion": str(1000000 + i),
            "generateName": "app-%07d-" % (i // 3),
            "labels": {"app.kubernetes.io/name": "app-%d" % (i // 3), "pod-template-hash": "%010x" % (i // 3)},
            "annotations": annotations,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "app-%d-%010x" % (i // 3, i // 3),
                                 "uid": "%08x-1111-4000-8000-%012x" % (i // 3, i // 3), "controller": True, "blockOwnerDeletion": True}],
            "managedFields": [{"apiVersion": "v1", "fieldsType": "FieldsV1", "manager": "kube-controller-manager",
                               "operation": "Update", "time": ts(created),
                               "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app.kubernetes.io/name": {}}},
                                            "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:env": {}, "f:image": {}}}}}}],
        },
        "spec": {
            "containers": [container("app"), container("sidecar")],
            "nodeName": "node-%05d" % (i // 30), "priority": 0, "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "serviceAccountName": "default", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300}],
        },
        "status": {
            "phase": "Running", "hostIP": "10.0.%d.%d" % (i // 250 % 250, i % 250), "podIP": "10.1.%d.%d" % (i // 250 % 250, i % 250),
            "qosClass": "Burstable", "startTime": ts(created + 1),
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(created + 2)},
                {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(created + 2)},
                {"type": "Ready", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(ready)},
                {"type": "ContainersReady", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(ready)},
                {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(created + 1)},
            ],
            "containerStatuses": [status("app"), status("sidecar")],
        },
    }


def event(i):
    p = pod_name = "app-%07d" % i
    created = i % 3600
    cached = i % 2 == 1
    image = "registry.example.com/team-%d/app:1.%d.%d" % (i % 40, i % 9, i % 7)
    message = ('Container image "%s" already present on machine' % image if cached else
               'Successfully pulled image "%s" in %d.%02ds (%d.%02ds including waiting). Image size: %d bytes.'
               % (image, 2 + i % 30, i % 100, 2 + i % 30, i % 100, 40000000 + i))
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "%s.%016x" % (p, i), "namespace": "team-%d" % (i % 40), "uid": "%08x-2222-4000-8000-%012x" % (i, i),
                     "creationTimestamp": ts(created + 5), "resourceVersion": str(2000000 + i)},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod_name, "namespace": "team-%d" % (i % 40),
                           "uid": "%08x-0000-4000-8000-%012x" % (i, i), "fieldPath": "spec.containers{app}", "resourceVersion": str(1000000 + i)},
        "reason": "Pulled", "message": message, "type": "Normal", "count": 1,
        "firstTimestamp": ts(created + 5), "lastTimestamp": ts(created + 5),
        "source": {"component": "kubelet", "host": "node-%05d" % (i // 30)}, "reportingComponent": "kubelet",
        "reportingInstance": "node-%05d" % (i // 30),
    }


def node(n):
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "node-%05d" % n, "uid": "%08x-3333-4000-8000-%012x" % (n, n), "creationTimestamp": ts(n % 600),
                     "labels": {"kubernetes.io/hostname": "node-%05d" % n, "node.kubernetes.io/instance-type": "m6i.2xlarge"},
                     "annotations": {"headstart.dev/warm-pool": "true"} if n % 4 == 0 else {}},
        "status": {"conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": ts(7200),
                                   "lastTransitionTime": ts(n % 600 + 45 + n % 60), "reason": "KubeletReady"}]},
    }


def yaml_scalar(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


def yaml_lines(value, indent):
    """Block YAML, as kubectl writes it (items of a sequence not indented under their key)."""
    pad = " " * indent
    out = []
    if isinstance(value, dict):
        for key, v in value.items():
            k = json.dumps(key) if any(c in key for c in ':{}"') else key
            if isinstance(v, dict) and v:
                out.append(pad + k + ":")
                out.extend(yaml_lines(v, indent + 2))
            elif isinstance(v, list) and v:
                out.append(pad + k + ":")
                out.extend(yaml_lines(v, indent))
            else:
                out.append(pad + k + ": " + ("{}" if isinstance(v, dict) else "[]" if isinstance(v, list) else yaml_scalar(v)))
    else:
        for v in value:
            if isinstance(v, dict) and v:
                inner = yaml_lines(v, indent + 2)
                out.append(pad + "- " + inner[0][indent + 2:])
                out.extend(inner[1:])
            else:
                out.append(pad + "- " + yaml_scalar(v))
    return out


BASE = 1000


def text(obj, format):
    if format == "json":
        return json.dumps(obj, separators=(",", ":"))
    return "\n".join(yaml_lines([obj], 0)) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="100MiB", help="e.g. 100MiB, 1GiB")
    parser.add_argument("--format", choices=["json", "yaml"], default="json")
    parser.add_argument("out")
    args = parser.parse_args()
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    size = next(int(args.size[:-3]) * f for u, f in units.items() if args.size.endswith(u))
    with open(args.out, "w", encoding="utf-8", buffering=1 << 20) as f:
        written = 0
        first = True

        def item(serialised):
            nonlocal written, first
            if args.format == "json" and not first:
                serialised = ",\n" + serialised
            first = False
            f.write(serialised)
            written += len(serialised)

        f.write('{"apiVersion":"v1","items":[\n' if args.format == "json" else "apiVersion: v1\nkind: List\nitems:\n")
        # Serialising every pod anew is slow; BASE pods and events are serialised once and each
        # further one is a copy with its own name and uids (all that must be unique).
        base = {}
        i = 0
        while written < size:
            j = i % BASE
            if j not in base:
                base[j] = (text(pod(j), args.format), text(event(j), args.format))
            pod_text, event_text = base[j]
            if i != j:
                swaps = [("app-%07d" % j, "app-%07d" % i),
                         ("%08x-0000-4000-8000-%012x" % (j, j), "%08x-0000-4000-8000-%012x" % (i, i)),
                         ("%08x-2222-4000-8000-%012x" % (j, j), "%08x-2222-4000-8000-%012x" % (i, i)),
                         (".%016x" % j, ".%016x" % i)]
                for old_text, new_text in swaps:
                    pod_text = pod_text.replace(old_text, new_text)
                    event_text = event_text.replace(old_text, new_text)
            item(pod_text)
            if i % 30 == 0:
                item(text(node(i // 30), args.format))
            item(event_text)
            i += 1
        f.write('\n],"kind":"List","metadata":{"resourceVersion":""}}\n' if args.format == "json" else "metadata:\n  resourceVersion: \"\"\n")
    print("%s: %d pods, %d events, %d nodes, %d bytes" % (args.out, i, i, (i + 29) // 30, os.path.getsize(args.out)), file=sys.stderr)


if __name__ == "__main__":
    main()
