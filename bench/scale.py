#!/usr/bin/env python3
"""make scale-bench, one cluster size: the simulated cluster, the controller jar as the install starts
it, and the figures of BENCHMARKS.md "Controller at scale" read from the simulated API server's
request log, the Auto Scaling stub's counters, jcmd and /proc.

  scale.py run --nodes 1000 --jar target/quarkus-app/quarkus-run.jar --classpath CP --out target/scale/1000
  scale.py report target/scale/*/result.json      # the markdown table
"""
import argparse
import collections
import glob
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

WRITE_VERBS = {"create", "update", "patch", "delete"}
HEADROOM = ("apps/deployments", "headstart-system", "headstart-headroom")


def now_ms():
    return int(time.time() * 1000)


def log(msg):
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Sim:
    def __init__(self, api):
        self.api = api

    def call(self, path, method="GET"):
        req = urllib.request.Request(self.api + "/_sim/" + path, method=method)
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def requests(self, since=0):
        return self.call(f"requests?since={since}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "Threads", "RssAnon", "RssFile"):
                    out[k] = int(v.split()[0])
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            out["cpu_ticks"] = int(fields[11]) + int(fields[12])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    # A process that has exited (a zombie until reaped) has no memory lines.
    return out if "VmRSS" in out else None


class Sampler(threading.Thread):
    """RSS, threads and CPU of the controller every second, while it lives."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.samples = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            s = proc_status(self.pid)
            if s is None:
                return
            s["t"] = now_ms()
            self.samples.append(s)
            self.stop.wait(1.0)

    def max_rss_mib(self, since=0):
        values = [s["VmRSS"] for s in self.samples if s["t"] >= since]
        return round(max(values) / 1024, 1) if values else None

    def cpu_seconds(self, start, end):
        inside = [s for s in self.samples if start <= s["t"] <= end]
        if len(inside) < 2:
            return None
        tick = os.sysconf("SC_CLK_TCK")
        return round((inside[-1]["cpu_ticks"] - inside[0]["cpu_ticks"]) / tick, 1)


def heap_after_gc(pid):
    """Heap after a full collection (MiB): the total of `jcmd GC.class_histogram`, which runs a full
    GC and then counts every object still reachable. (The bench used to run GC.run and then read the
    used young + tenured sizes of GC.heap_info: that also counted everything the controller allocated
    between the two commands, 30-50 MiB under 500 node updates a second.) GC.heap_info follows, for
    the generations' sizes (committed) and the tenured generation's occupancy.
    Returns (live MiB, {young/tenured used/committed MiB}, text)."""
    try:
        histo = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True,
                               timeout=300).stdout
        info = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    except (subprocess.TimeoutExpired, FileNotFoundError):
        return None, {}, ""
    m = re.search(r"^Total\s+(\d+)\s+(\d+)\s*$", histo, re.M)
    live = round(int(m.group(2)) / 2**20, 1) if m else None
    gens = {}
    for g in re.finditer(r"(def new generation|tenured generation)\s+total (\d+)K, used (\d+)K", info):
        name = "young" if g.group(1).startswith("def new") else "tenured"
        gens[name + "_committed_mib"] = round(int(g.group(2)) / 1024, 1)
        gens[name + "_used_mib"] = round(int(g.group(3)) / 1024, 1)
    top = "\n".join(histo.splitlines()[:30])
    return live, gens, info + "\n" + top + "\n" + (m.group(0) if m else "") + "\n"


def install_jvm(manifest):
    """How the install starts the controller: the controller container's literal environment in the
    Deployment (JAVA_OPTS, which the image's entrypoint puts before `-jar`, and MALLOC_ARENA_MAX and
    the like), so the bench runs the jar exactly as shipped."""
    import yaml
    with open(manifest) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for d in docs:
        if d.get("kind") != "Deployment":
            continue
        for c in d["spec"]["template"]["spec"]["containers"]:
            if c.get("name") == "controller":
                env = {e["name"]: str(e["value"]) for e in c.get("env", []) if "value" in e}
                opts = env.pop("JAVA_OPTS", None)
                if not opts:
                    raise RuntimeError(f"{manifest}: the controller container sets no JAVA_OPTS")
                return opts, env, c.get("resources", {})
    raise RuntimeError(f"{manifest}: no Deployment with a controller container")


def controller_metrics(port):
    """The controller's own headstart_* meters from its management port (empty when unreachable)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/q/metrics", timeout=20) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        if line.startswith("headstart_"):
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


def scan_figures(metrics, log_path):
    """What the background scan evaluated, and what the report writer wrote and dropped."""
    evaluated = None
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                m = re.search(r"background scan: (\d+) workloads in (\d+) opted-in namespaces", line)
                if m:
                    evaluated = int(m.group(1))
    except OSError:
        pass
    dropped = {k: v for k, v in metrics.items() if k.startswith("headstart_reports_dropped") and v}
    written = sum(v for k, v in metrics.items() if k.startswith("headstart_reports_written"))
    return {"evaluated": evaluated, "reports_written": written if metrics else None,
            "reports_dropped": sum(dropped.values()) if metrics else None, "dropped_by": dropped}


def by_verb_resource(entries):
    c = collections.Counter(f"{e['verb']} {e['resource']}" for e in entries)
    return dict(sorted(c.items()))


def writes(entries, exclude_leases=True):
    return [e for e in entries if e["verb"] in WRITE_VERBS
            and not (exclude_leases and e["resource"].startswith("coordination.k8s.io/leases"))]


def headroom_writes(entries):
    return [e for e in entries if e["verb"] in WRITE_VERBS and e["resource"] == HEADROOM[0]
            and e.get("ns") == HEADROOM[1] and (e.get("name") in (None, HEADROOM[2])) and e["code"] < 300]


def window(entries, start, end):
    return [e for e in entries if start <= e["t"] < end]


def blocked_warnings(log_path):
    blocked = []
    oom = False
    with open(log_path, errors="replace") as f:
        for line in f:
            m = re.search(r"has been blocked for (\d+) ms", line)
            if m:
                blocked.append(int(m.group(1)))
            if "OutOfMemoryError" in line:
                oom = True
    return blocked, oom


def sim_gc_pauses(log_path, after_seconds):
    """The simulated cluster's own GC pauses once it served (they delay its answers)."""
    pauses = []
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                m = re.search(r"^\[(\d+\.\d+)s\].*Pause.* (\d+\.\d+)ms", line)
                if m and float(m.group(1)) > after_seconds:
                    pauses.append(float(m.group(2)))
    except OSError:
        return None
    return {"count": len(pauses), "max_ms": round(max(pauses)) if pauses else 0, "total_ms": round(sum(pauses))}


def informer_failures(log_path):
    """Informers whose list or watch failed for good ("will stop"): their reconciler waits forever."""
    failed = []
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                m = re.search(r"listSyncAndWatch failed for (\S+), will stop", line)
                if m:
                    failed.append(m.group(1))
    except OSError:
        return None
    return failed


def run(args):
    out = os.path.abspath(args.out)
    args.jar = os.path.abspath(args.jar)
    os.makedirs(out, exist_ok=True)
    for f in ("endpoints.json",):
        if os.path.exists(os.path.join(out, f)):
            os.remove(os.path.join(out, f))
    result = {"nodes": args.nodes, "jar": args.jar, "controller_java": args.java_opts or None, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        result["loadavg_start"] = open("/proc/loadavg").read().split()[:3]
    except OSError:
        pass
    procs = []

    def cleanup(*_):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

    signal.signal(signal.SIGTERM, lambda *a: (cleanup(), sys.exit(143)))
    try:
        sim_cmd = ["java", f"-Xmx{args.sim_heap}", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=100",
                   "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                   f"-Xlog:gc:file={os.path.join(out, 'sim-gc.log')}", "-cp", args.classpath,
                   "dev.headstart.scale.SimulatedCluster", "--nodes", str(args.nodes), "--out", out,
                   "--heartbeat-seconds", str(args.heartbeat_seconds)] + args.sim_args.split()
        log(f"simulated cluster, {args.nodes} nodes: populating")
        sim_proc = subprocess.Popen(sim_cmd, stdout=open(os.path.join(out, "sim.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(sim_proc)
        deadline = time.time() + args.populate_timeout
        endpoints_path = os.path.join(out, "endpoints.json")
        while not os.path.exists(endpoints_path):
            if sim_proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"simulated cluster did not start (see {out}/sim.log)")
            time.sleep(1)
        time.sleep(0.5)
        endpoints = json.load(open(endpoints_path))
        result["cluster"] = {"objects": endpoints["objects"], "bytes": endpoints["bytes"],
                             "populate_seconds": round(endpoints["populateMillis"] / 1000, 1)}
        sim = Sim(endpoints["api"])
        log(f"cluster ready in {result['cluster']['populate_seconds']} s: {endpoints['objects']}")
        kubeconfig = os.path.join(out, "kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: simulated
  cluster:
    server: {endpoints['api']}
users:
- name: headstart
  user:
    token: simulated
contexts:
- name: simulated
  context:
    cluster: simulated
    user: headstart
    namespace: headstart-system
current-context: simulated
""")
        port = free_port()
        install_env = {}
        if not args.java_opts:
            args.java_opts, install_env, resources = install_jvm(args.manifest)
            result["controller_java"] = args.java_opts
            result["controller_install_env"] = install_env
            result["controller_resources"] = resources
        env = dict(os.environ)
        env.update(install_env)
        env.update({
            "KUBECONFIG": kubeconfig, "HOSTNAME": "headstart-7c9d8b6f5-bench", "POD_NAME": "headstart-7c9d8b6f5-bench",
            "POD_NAMESPACE": "headstart-system",
            "HEADSTART_WARM_POOL_ENDPOINT": endpoints["autoScaling"], "HEADSTART_WARM_POOL_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIDSCALEBENCH", "AWS_SECRET_ACCESS_KEY": "scale-bench", "AWS_EC2_METADATA_DISABLED": "true",
            "QUARKUS_MANAGEMENT_PORT": str(port), "_CONTROLLER_QUARKUS_MANAGEMENT_PORT": str(port),
            "QUARKUS_MANAGEMENT_HOST": "127.0.0.1", "_CONTROLLER_QUARKUS_MANAGEMENT_HOST": "127.0.0.1",
        })
        for kv in args.controller_env.split():
            k, _, v = kv.partition("=")
            env[k] = v
        ctl_cmd = ["java"] + args.java_opts.split() + ["-jar", args.jar, "controller"]
        ctl_log = os.path.join(out, "controller.log")
        t0 = now_ms()
        ctl = subprocess.Popen(ctl_cmd, env=env, cwd=os.path.dirname(os.path.abspath(args.jar)),
                               stdout=open(ctl_log, "w"), stderr=subprocess.STDOUT)
        procs.append(ctl)
        sampler = Sampler(ctl.pid)
        sampler.start()
        log(f"controller started (pid {ctl.pid}): {' '.join(ctl_cmd)}")
        result["phases"] = {}

        def alive():
            return ctl.poll() is None

        # 1. Lease and first headroom write.
        lease_at = headroom_at = None
        deadline = t0 + args.start_timeout * 1000
        while alive() and now_ms() < deadline and headroom_at is None:
            time.sleep(0.5)
            entries = sim.requests(t0)
            if lease_at is None:
                lease = [e for e in entries if e["resource"] == "coordination.k8s.io/leases" and e["verb"] in WRITE_VERBS
                         and e["code"] < 300]
                lease_at = lease[0]["t"] if lease else None
            first = headroom_writes(entries)
            headroom_at = first[0]["t"] if first else None
        result["lease_seconds"] = round((lease_at - t0) / 1000, 1) if lease_at else None
        result["first_headroom_write_seconds"] = round((headroom_at - t0) / 1000, 1) if headroom_at else None
        result["headroom_after_lease_seconds"] = round((headroom_at - lease_at) / 1000, 1) if headroom_at and lease_at else None
        log(f"lease after {result['lease_seconds']} s, first headroom write after {result['first_headroom_write_seconds']} s")

        # 2. Start-up settles: the scan (30 s after leadership) and its reports, the image caches.
        settle_min = t0 + args.settle_seconds * 1000
        settle_max = t0 + args.settle_max_seconds * 1000
        while alive() and now_ms() < settle_max:
            time.sleep(2)
            if now_ms() < settle_min:
                continue
            recent = writes(sim.requests(now_ms() - 10_000))
            if not recent:
                break
        start_end = now_ms()
        entries = sim.requests(t0)
        start_entries = window(entries, t0, start_end)
        result["phases"]["start"] = {
            "seconds": round((start_end - t0) / 1000, 1),
            "requests": by_verb_resource(start_entries),
            "writes_besides_lease": len(writes(start_entries)),
            "bytes_received_mib": round(sum(e["bytes"] for e in start_entries) / 2**20, 1),
            "cpu_seconds": sampler.cpu_seconds(t0, start_end),
            "max_rss_mib": sampler.max_rss_mib(),
        }
        result["scan"] = scan_figures(controller_metrics(port), ctl_log)
        if alive():
            heap, gens, text = heap_after_gc(ctl.pid)
            result["heap_after_gc_start_mib"] = heap
            result["heap_generations_start"] = gens
            open(os.path.join(out, "heap-start.txt"), "w").write(text)
            log(f"start window {result['phases']['start']['seconds']} s; heap after full GC {heap} MiB")

        # 3. Steady minutes: without, then with node heartbeats.
        def steady(name, beats):
            if not alive():
                return
            sim.call(f"heartbeats?on={'true' if beats else 'false'}", "POST")
            if beats:
                time.sleep(args.heartbeat_seconds)  # every node has sent one: the rate is steady
            a = sim.call("stats")
            start = now_ms()
            time.sleep(args.steady_seconds)
            end = now_ms()
            b = sim.call("stats")
            ents = window(sim.requests(start), start, end)
            aws = {k: b["aws"].get(k, 0) - a["aws"].get(k, 0) for k in b["aws"]}
            minutes = (end - start) / 60000
            result["phases"][name] = {
                "seconds": round((end - start) / 1000, 1),
                "heartbeats_per_second": round((b["heartbeatsSent"] - a["heartbeatsSent"]) / ((end - start) / 1000), 1),
                "requests": by_verb_resource(ents),
                "writes_besides_lease": len(writes(ents)),
                "aws_calls_per_minute": round(sum(aws.values()) / minutes, 1),
                "aws_calls": aws,
                "cpu_seconds": sampler.cpu_seconds(start, end),
                "slow_watches_closed": b["slowWatchesClosed"],
            }
            log(f"{name}: {result['phases'][name]['aws_calls_per_minute']} AWS calls/min, "
                f"{result['phases'][name]['writes_besides_lease']} writes besides the lease, "
                f"CPU {result['phases'][name]['cpu_seconds']} s")

        steady("steady_no_heartbeats", False)
        steady("steady_heartbeats", True)
        if alive():
            heap, gens, text = heap_after_gc(ctl.pid)
            result["heap_after_gc_steady_mib"] = heap
            result["heap_generations_steady"] = gens
            open(os.path.join(out, "heap-steady.txt"), "w").write(text)

        # 4. Fifty new nodes (heartbeats still on).
        if alive():
            added = sim.call(f"add-nodes?count={args.new_nodes}", "POST")
            time.sleep(args.react_seconds)
            ents = sim.requests(added["t"])
            hw = headroom_writes(ents)
            result["phases"]["new_nodes"] = {
                "added": args.new_nodes,
                "first_headroom_write_seconds": round((hw[0]["t"] - added["t"]) / 1000, 1) if hw else None,
                "headroom_writes": len(hw),
                "writes_besides_lease": len(writes(ents)),
                "window_seconds": args.react_seconds,
            }
            log(f"50 new nodes: {result['phases']['new_nodes']}")

        if alive():
            result["scan_end"] = scan_figures(controller_metrics(port), ctl_log)
            result["metrics_end"] = controller_metrics(port)
        final = proc_status(ctl.pid) if alive() else None
        result["rss_end_mib"] = round(final["VmRSS"] / 1024, 1) if final else None
        result["rss_anon_file_end_mib"] = [round(final.get("RssAnon", 0) / 1024, 1), round(final.get("RssFile", 0) / 1024, 1)] if final else None
        result["rss_max_mib"] = sampler.max_rss_mib()
        result["rss_hwm_mib"] = round(final["VmHWM"] / 1024, 1) if final else sampler.max_rss_mib()
        result["threads_end"] = final["Threads"] if final else None
    finally:
        still = ctl.poll() is None if "ctl" in locals() else False
        if "sim" in locals():
            try:
                with open(os.path.join(out, "requests.json"), "w") as f:
                    json.dump(sim.requests(0), f)
            except OSError as e:
                log(f"request log not saved: {e}")
        cleanup()
        if "ctl" in locals():
            result["controller_exit"] = None if still else ctl.returncode
            if not still and sampler.samples:
                result["controller_died_seconds"] = round((sampler.samples[-1]["t"] - t0) / 1000, 1)
            result["controller_alive_at_end"] = still
            blocked, oom = blocked_warnings(ctl_log)
            result["blocked_thread_warnings"] = len(blocked)
            result["blocked_max_ms"] = max(blocked) if blocked else 0
            result["out_of_memory"] = oom
            result["informers_stopped"] = informer_failures(ctl_log)
        if "cluster" in result:
            result["sim_gc_pauses"] = sim_gc_pauses(os.path.join(out, "sim-gc.log"),
                                                    result["cluster"]["populate_seconds"] + 2)
        try:
            result["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        except OSError:
            pass
        json.dump(result, open(os.path.join(out, "result.json"), "w"), indent=2)
        log(f"result: {os.path.join(out, 'result.json')}")
    return result


def fmt(v, unit=""):
    return "—" if v is None else f"{v}{unit}"


def short(requests):
    return ", ".join(f"{k} {v}" for k, v in requests.items()) or "none"


def report(paths):
    results = []
    for p in paths:
        r = json.load(open(p))
        if "informers_stopped" not in r:
            r["informers_stopped"] = informer_failures(os.path.join(os.path.dirname(p), "controller.log"))
        results.append(r)
    results.sort(key=lambda r: r["nodes"])
    rows = [
        ("objects (nodes / workloads / namespaces / pods)", lambda r: "{} / {} / {} / {}".format(
            r["cluster"]["objects"].get("nodes"),
            sum(r["cluster"]["objects"].get(k, 0) for k in ("apps/deployments", "apps/statefulsets", "apps/daemonsets", "batch/cronjobs")),
            r["cluster"]["objects"].get("namespaces"), r["cluster"]["objects"].get("pods"))),
        ("lease taken (s after process start)", lambda r: fmt(r.get("lease_seconds"))),
        ("first headroom write (s after start / after lease)", lambda r: f"{fmt(r.get('first_headroom_write_seconds'))} / {fmt(r.get('headroom_after_lease_seconds'))}"),
        ("heap after full GC (live, class histogram), after start-up (MiB)", lambda r: fmt(r.get("heap_after_gc_start_mib"))),
        ("heap after full GC (live, class histogram), steady with heartbeats (MiB)", lambda r: fmt(r.get("heap_after_gc_steady_mib"))),
        ("RSS max / at end (MiB)", lambda r: f"{fmt(r.get('rss_max_mib', r.get('phases', {}).get('start', {}).get('max_rss_mib')))} / {fmt(r.get('rss_end_mib'))}"),
        ("RSS at end: anonymous / file-backed (MiB)", lambda r: "{} / {}".format(*r["rss_anon_file_end_mib"])),
        ("heap committed at end: young + tenured (MiB)", lambda r: "{} + {}".format(r["heap_generations_steady"]["young_committed_mib"], r["heap_generations_steady"]["tenured_committed_mib"])),
        ("start-up: API requests", lambda r: short(r.get("phases", {}).get("start", {}).get("requests", {}))),
        ("start-up: bytes received (MiB), CPU (s)", lambda r: "{} / {}".format(fmt(r.get("phases", {}).get("start", {}).get("bytes_received_mib")), fmt(r.get("phases", {}).get("start", {}).get("cpu_seconds")))),
        ("steady minute, no heartbeats: API requests", lambda r: short(r.get("phases", {}).get("steady_no_heartbeats", {}).get("requests", {}))),
        ("steady minute, heartbeats: API requests", lambda r: short(r.get("phases", {}).get("steady_heartbeats", {}).get("requests", {}))),
        ("steady minute: writes besides the Lease, without / with heartbeats", lambda r: "{} / {}".format(fmt(r.get("phases", {}).get("steady_no_heartbeats", {}).get("writes_besides_lease")), fmt(r.get("phases", {}).get("steady_heartbeats", {}).get("writes_besides_lease")))),
        ("AWS calls/min without / with heartbeats", lambda r: "{} / {}".format(fmt(r.get("phases", {}).get("steady_no_heartbeats", {}).get("aws_calls_per_minute")), fmt(r.get("phases", {}).get("steady_heartbeats", {}).get("aws_calls_per_minute")))),
        ("controller CPU s per steady minute without / with heartbeats", lambda r: "{} / {}".format(fmt(r.get("phases", {}).get("steady_no_heartbeats", {}).get("cpu_seconds")), fmt(r.get("phases", {}).get("steady_heartbeats", {}).get("cpu_seconds")))),
        ("heartbeats/s (simulated kubelets)", lambda r: fmt(r.get("phases", {}).get("steady_heartbeats", {}).get("heartbeats_per_second"))),
        ("50 new nodes: first headroom write (s), headroom writes", lambda r: "{} s, {}".format(fmt(r.get("phases", {}).get("new_nodes", {}).get("first_headroom_write_seconds")), fmt(r.get("phases", {}).get("new_nodes", {}).get("headroom_writes")))),
        ("background scan: workloads evaluated / reports written / dropped", lambda r: "{} / {} / {}".format(fmt(r.get("scan", {}).get("evaluated")), fmt(r.get("scan", {}).get("reports_written")), fmt(r.get("scan", {}).get("reports_dropped")))),
        ("blocked-thread warnings (max ms)", lambda r: f"{r.get('blocked_thread_warnings')} ({r.get('blocked_max_ms')})"),
        ("informers stopped for good (list/watch failed)", lambda r: str(len(r["informers_stopped"])) + (" (" + ", ".join(sorted(set(r["informers_stopped"]))) + ")" if r["informers_stopped"] else "")),
        ("out-of-memory exit", lambda r: ("yes, exit " + str(r.get("controller_exit")) + " after ~" + str(r.get("controller_died_seconds")) + " s") if r.get("out_of_memory") or (r.get("controller_exit") not in (None, 0, 143) and not r.get("controller_alive_at_end")) else "no"),
        ("simulated API server's own GC pauses while measured (count, max ms)", lambda r: "{}, {}".format(r["sim_gc_pauses"]["count"], r["sim_gc_pauses"]["max_ms"]) if r.get("sim_gc_pauses") else "—"),
        ("controller JVM options", lambda r: "`" + r.get("controller_java", "") + "`" + "".join(f" {k}={v}" for k, v in r.get("controller_install_env", {}).items())),
        ("load average at start / end", lambda r: "{} / {}".format(" ".join(r.get("loadavg_start", [])), " ".join(r.get("loadavg_end", [])))),
    ]
    header = "| | " + " | ".join(f"{r['nodes']:,} nodes" for r in results) + " |"
    print(header)
    print("|---|" + "---|" * len(results))
    for label, f in rows:
        cells = []
        for r in results:
            try:
                cells.append(str(f(r)))
            except (KeyError, TypeError, ValueError):
                cells.append("—")
        print(f"| {label} | " + " | ".join(cells) + " |")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--nodes", type=int, required=True)
    r.add_argument("--jar", required=True)
    r.add_argument("--classpath", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--java-opts", default="", help="the controller's JVM options; default: the install's (--manifest)")
    r.add_argument("--manifest", default="manifests/base/deployment.yaml",
                   help="the Deployment whose controller container's JAVA_OPTS and literal env the bench uses")
    r.add_argument("--controller-env", default="")
    r.add_argument("--sim-heap", default="5g")
    r.add_argument("--sim-args", default="")
    r.add_argument("--heartbeat-seconds", type=int, default=10)
    r.add_argument("--populate-timeout", type=int, default=900)
    r.add_argument("--start-timeout", type=int, default=180)
    r.add_argument("--settle-seconds", type=int, default=75)
    r.add_argument("--settle-max-seconds", type=int, default=240)
    r.add_argument("--steady-seconds", type=int, default=60)
    r.add_argument("--new-nodes", type=int, default=50)
    r.add_argument("--react-seconds", type=int, default=30)
    rep = sub.add_parser("report")
    rep.add_argument("results", nargs="+")
    a = p.parse_args()
    if a.cmd == "run":
        run(a)
    else:
        report(a.results)


if __name__ == "__main__":
    main()
