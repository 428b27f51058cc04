#!/usr/bin/env python3
"""SIGTERM under load (bench/restart.sh): no admitted request is lost.

Usage: restart.py PID HTTPS_PORT MANAGEMENT_PORT BODY_FILE [LOAD_SECONDS_BEFORE_TERM] [SHUTDOWN_DELAY]

Client threads post BODY_FILE to /mutate over HTTPS keep-alive and record every request; a
poller reads /q/health/ready every 20 ms. After the load has run a while the server gets SIGTERM.
Asserts:
- every request in flight at SIGTERM is answered 200 (and there are some);
- every request sent before SIGTERM + SHUTDOWN_DELAY (quarkus.shutdown.delay, 3 s) - 0.2 s is
  answered 200: during the delay the server keeps serving while readiness says DOWN, which is
  the time the API server and kube-proxy need to stop sending new reviews to this pod;
- no request is ever answered with an HTTP status other than 200 (after the delay, requests
  written onto connections the server is closing may see a reset: no client is expected to send
  then, and none is answered with an error status);
- readiness is UP before SIGTERM and answers 503 after it, before the HTTPS port closes;
- the HTTPS port closes and the process exits within 60 s.
"""
import http.client
import os
import signal
import socket
import ssl
import sys
import threading
import time

pid, port, mgmt, body_file = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
before = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
delay = float(sys.argv[6]) if len(sys.argv) > 6 else 3.0
body = open(body_file, "rb").read()
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

requests = []          # (sent, done, status or error string)
readiness = []         # (time, status or error)
stop = threading.Event()
lock = threading.Lock()


def client():
    conn = None
    while not stop.is_set():
        if conn is None:
            try:
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
                conn.connect()
            except OSError as e:
                with lock:
                    requests.append((time.monotonic(), time.monotonic(), "connect: " + type(e).__name__))
                conn = None
                time.sleep(0.05)
                continue
        sent = time.monotonic()
        try:
            conn.request("POST", "/mutate", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            outcome = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            outcome = "error: " + type(e).__name__
            conn.close()
            conn = None
        with lock:
            requests.append((sent, time.monotonic(), outcome))


def poll_readiness():
    while not stop.is_set():
        t = time.monotonic()
        try:
            c = http.client.HTTPConnection("127.0.0.1", mgmt, timeout=5)
            c.request("GET", "/q/health/ready")
            status = c.getresponse().status
            c.close()
        except OSError as e:
            status = "down: " + type(e).__name__
        # Stamped when the answer arrived: a poll sent just before SIGTERM may see the DOWN state.
        readiness.append((time.monotonic(), status))
        time.sleep(0.02)


def port_open():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


threads = [threading.Thread(target=client, daemon=True) for _ in range(8)]
threads.append(threading.Thread(target=poll_readiness, daemon=True))
for t in threads:
    t.start()
time.sleep(before)
term = time.monotonic()
os.kill(pid, signal.SIGTERM)

port_closed = None
exited = None
deadline = term + 60
while time.monotonic() < deadline:
    now = time.monotonic()
    if port_closed is None and not port_open():
        port_closed = now
    if exited is None and not os.path.exists(f"/proc/{pid}"):
        exited = now
    if port_closed is not None and exited is not None:
        break
    time.sleep(0.01)
time.sleep(0.3)
stop.set()
for t in threads:
    t.join(timeout=35)

with lock:
    reqs = list(requests)
rel = lambda t: f"{t - term:+.3f} s"
in_flight_at_term = [r for r in reqs if r[0] < term < r[1]]
in_delay = [r for r in reqs if r[0] < term + delay - 0.2]
failed_in_delay = [r for r in in_delay if r[2] != 200]
error_status = [r for r in reqs if isinstance(r[2], int) and r[2] != 200]
ok = [r for r in reqs if r[2] == 200]
after_term_ok = [r for r in ok if r[0] > term]
first_503 = next((t for t, s in readiness if t > term and s == 503), None)
ready_before = [s for t, s in readiness if t < term]

print(f"SIGTERM at 0 s after {before:.1f} s of load; {len(reqs)} requests, {len(ok)} answered 200")
print(f"in flight at SIGTERM: {len(in_flight_at_term)}, answered 200: {sum(1 for r in in_flight_at_term if r[2] == 200)}")
print(f"requests sent after SIGTERM and answered 200 (shutdown delay): {len(after_term_ok)}"
      + (f", last sent at {rel(max(r[0] for r in after_term_ok))}" if after_term_ok else ""))
print(f"readiness: {ready_before.count(200)}/{len(ready_before)} polls UP before SIGTERM; first 503 at "
      + (rel(first_503) if first_503 else "never"))
print(f"HTTPS port closed at {rel(port_closed) if port_closed else 'never'}; process exited at {rel(exited) if exited else 'never'}")
late = [r for r in reqs if r[0] >= term + delay - 0.2 and r[2] != 200]
print(f"requests sent after the delay that got no answer (connection closing or closed): {len(late)}")
print(f"requests answered with an HTTP status other than 200: {len(error_status)}")

failures = []
if not in_flight_at_term:
    failures.append("no request was in flight at SIGTERM (load too light to show anything)")
if any(r[2] != 200 for r in in_flight_at_term):
    failures.append(f"requests in flight at SIGTERM failed: {[r[2] for r in in_flight_at_term if r[2] != 200]}")
if failed_in_delay:
    failures.append(f"{len(failed_in_delay)} requests sent before the end of the shutdown delay failed: "
                    f"{sorted(set(str(r[2]) for r in failed_in_delay))} at "
                    f"{[rel(r[0]) for r in failed_in_delay[:5]]}")
if error_status:
    failures.append(f"answers with an error status: {sorted(set(r[2] for r in error_status))}")
# A poll that times out on a saturated machine is not a DOWN answer; a 503 before SIGTERM is.
if 200 not in ready_before or any(s != 200 and isinstance(s, int) for s in ready_before):
    failures.append(f"readiness was not UP before SIGTERM: {ready_before}")
if first_503 is None:
    failures.append("readiness never answered 503 after SIGTERM")
elif port_closed and first_503 > port_closed:
    failures.append("readiness went DOWN only after the HTTPS port closed")
if port_closed is None or exited is None:
    failures.append("the HTTPS port did not close or the process did not exit within 60 s")
for f in failures:
    print("RESTART FAILED: " + f)
sys.exit(1 if failures else 0)
