#!/usr/bin/env python3
"""Hostile client for the soak's hostile phase (bench/soak.sh): issue 11's attacks, in rounds, for
a bounded time against 127.0.0.1 only. Prints one line per round and a summary of what the server
answered. Usage: hostile.py PORT CA_PEM SECONDS
"""
import json
import socket
import ssl
import sys
import threading
import time

PORT, CA, SECONDS = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
HOST = "127.0.0.1"
ctx = ssl.create_default_context(cafile=CA)
ctx.check_hostname = False
counts = {}
lock = threading.Lock()


def count(what):
    with lock:
        counts[what] = counts.get(what, 0) + 1


def tls():
    s = ctx.wrap_socket(socket.create_connection((HOST, PORT), timeout=10), server_hostname="localhost")
    s.settimeout(40)
    return s


def status(s):
    try:
        line = s.recv(64).split(b"\r\n", 1)[0].decode("ascii", "replace")
        return line[9:12] if line.startswith("HTTP/") else "closed"
    except OSError:
        return "closed"


def post(body, content_type="application/json", extra=""):
    try:
        s = tls()
        s.sendall((f"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n{extra}"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        count("large/" + status(s))
        s.close()
    except OSError:
        count("large/closed")


def review(obj, uid):
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"}, "operation": "CREATE",
        "namespace": "a", "object": obj}}).encode()


BIG = review({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"x": "y" * 3_900_000}},
              "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}, "hostile-big")
TREE = b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"hostile-tree","object":{"a":[' \
       + b"{}," * 1_200_000 + b"{}]}}}"


def slow_body():
    try:
        s = tls()
        s.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 20480\r\n\r\n")
        s.settimeout(1)
        for _ in range(10):
            try:
                if s.recv(64):
                    break
            except socket.timeout:
                s.sendall(b"{")
        count("slow/cut")
        s.close()
    except OSError:
        count("slow/closed")


def garbage():
    for data in (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"POST /mutate HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"):
        try:
            s = tls()
            s.sendall(data)
            count("garbage/" + status(s))
            s.close()
        except OSError:
            count("garbage/closed")


def flood(n):
    held = []
    for _ in range(n):
        try:
            held.append(socket.create_connection((HOST, PORT), timeout=5))
        except OSError:
            count("flood/refused")
    time.sleep(6)
    closed = 0
    for s in held:
        s.settimeout(0.05)
        try:
            closed += s.recv(1) == b""
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        s.close()
    count(f"flood/closed-by-server:{closed}-of-{len(held)}")


def run(threads):
    for t in threads:
        t.start()
    for t in threads:
        t.join()


end = time.time() + SECONDS
rounds = 0
while time.time() < end:
    rounds += 1
    run([threading.Thread(target=post, args=(BIG if i % 2 else TREE,)) for i in range(12)]
        + [threading.Thread(target=slow_body) for _ in range(60)]
        + [threading.Thread(target=garbage) for _ in range(20)]
        + [threading.Thread(target=post, args=(b"{}", "text/plain")) for _ in range(5)]
        + [threading.Thread(target=flood, args=(1500,))])
    print(f"hostile round {rounds}: {dict(sorted(counts.items()))}", file=sys.stderr, flush=True)
print(json.dumps({"rounds": rounds, "outcomes": dict(sorted(counts.items()))}))
