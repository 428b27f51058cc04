#!/usr/bin/env python3
"""Certificate rotation under load (bench/rotate.sh): new connections get the new certificate
without a restart and without failed requests.

Usage: rotate.py CERT_DIR HTTPS_PORT BODY_FILE [SECONDS_BEFORE_SWAP] [SECONDS_AFTER_SWITCH]

CERT_DIR is laid out like a Kubernetes Secret volume (tls.crt -> ..data/tls.crt, ..data -> ..v1).
A prober opens a NEW TLS connection every 50 ms, notes the served certificate's fingerprint and
posts one review on it. After SECONDS_BEFORE_SWAP a new CA and certificate are made in ..v2 and
..data is swapped to it in one rename, as the kubelet does. Asserts: every probe answered 200;
the served certificate switched from v1 to v2 within 30 s and never went back; a connection
verified against the new CA (hostname checked) is answered 200.
"""
import hashlib
import http.client
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

cert_dir, port, body_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
before = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
after = float(sys.argv[5]) if len(sys.argv) > 5 else 5.0
body = open(body_file, "rb").read()
insecure = ssl.create_default_context()
insecure.check_hostname = False
insecure.verify_mode = ssl.CERT_NONE


def fingerprint_of(pem_file):
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(open(pem_file).read())).hexdigest()


def probe(context=insecure, host="127.0.0.1"):
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=30)
    conn.connect()
    served = hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()
    conn.request("POST", "/mutate", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return served, response.status


probes = []  # (time, fingerprint, status or error)
stop = threading.Event()


def prober():
    while not stop.is_set():
        t = time.monotonic()
        try:
            served, status = probe()
        except (OSError, http.client.HTTPException) as e:
            served, status = None, "error: " + type(e).__name__ + " " + str(e)[:80]
        probes.append((t, served, status))
        time.sleep(0.05)


v1 = fingerprint_of(os.path.join(cert_dir, "..v1", "tls.crt"))
thread = threading.Thread(target=prober, daemon=True)
thread.start()
time.sleep(before)

v2_dir = os.path.join(cert_dir, "..v2")
subprocess.run(["bash", "certs/generate.sh", v2_dir, "--force"], check=True, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
v2 = fingerprint_of(os.path.join(v2_dir, "tls.crt"))
tmp = os.path.join(cert_dir, "..data_tmp")
if os.path.lexists(tmp):
    os.remove(tmp)
os.symlink("..v2", tmp)
swap = time.monotonic()
os.replace(tmp, os.path.join(cert_dir, "..data"))

switched = None
deadline = swap + 30
while time.monotonic() < deadline:
    if any(t > swap and f == v2 for t, f, _ in probes):
        switched = next(t for t, f, _ in probes if t > swap and f == v2)
        break
    time.sleep(0.1)
if switched:
    time.sleep(after)
stop.set()
thread.join(timeout=35)

verified = None
try:
    trusting_v2 = ssl.create_default_context(cafile=os.path.join(v2_dir, "ca.crt"))
    verified = probe(trusting_v2, host="localhost")[1]
except (OSError, ssl.SSLError, http.client.HTTPException) as e:
    verified = "error: " + str(e)[:120]

failed = [p for p in probes if p[2] != 200]
after_switch = [p for p in probes if switched and p[0] >= switched]
went_back = [p for p in after_switch if p[1] == v1]
print(f"{len(probes)} new connections probed: {sum(1 for p in probes if p[1] == v1)} served v1, "
      f"{sum(1 for p in probes if p[1] == v2)} served v2, {len(failed)} failed")
print("new certificate served " + (f"{switched - swap:.2f} s after the ..data swap" if switched else "never (30 s)"))
print(f"connection verified against the new CA (hostname localhost): {verified}")
failures = []
if failed:
    failures.append(f"{len(failed)} probes failed: {sorted(set(str(p[2]) for p in failed))[:3]} at "
                    f"{[f'{p[0] - swap:+.2f} s from the swap' for p in failed[:5]]}")
if not switched:
    failures.append("the new certificate was not served within 30 s")
if went_back:
    failures.append(f"{len(went_back)} connections after the switch got the old certificate")
if verified != 200:
    failures.append(f"review over a connection verified with the new CA: {verified}")
for f in failures:
    print("ROTATE FAILED: " + f)
sys.exit(1 if failures else 0)
