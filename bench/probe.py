#!/usr/bin/env python3
"""Fine-grained timers for the bench scripts (standard library only, loopback only).

  probe.py startup --bin B --service vaccine/reservation --port P --data D --runs N [--fresh]
      exec `B serve SERVICE --port P --data D`, poll GET /actuator/health/readiness every 0.5 ms
      until 200, record the time, read VmRSS right then and after --idle-s, stop with SIGTERM.
  probe.py lag --gateway URL --view URL --vaccine ID --samples N [--max-s S]
      POST /reservations one at a time through the gateway (keep-alive); from the 201, poll the
      view's /myPages/search/findByReservationId every --poll-ms until the row is there.
  probe.py sample --url URL --vaccine ID --duration-s S --interval-ms I
      one POST /reservations at a time on a fresh connection (like siege's connection: close),
      recording status, elapsed time and Retry-After.

Each prints `RESULT key=value ...` lines; times in milliseconds.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse


def pct(values, p):
    """Nearest-rank percentile of a list (p in 0..100)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def fmt(x):
    return "nan" if x != x else f"{x:.2f}"


def rss_kb(pid, key="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def ready_once(port):
    """One GET /actuator/health/readiness on a new connection; True on 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /actuator/health/readiness HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            head = s.recv(64)
            return head.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def cmd_startup(a):
    times, rss0, rss_idle = [], [], []
    for i in range(a.runs):
        data = os.path.join(a.data, f"run{i}" if a.fresh else "shared")
        os.makedirs(data, exist_ok=True)
        log = open(os.path.join(a.data, f"serve{i}.log"), "w")
        t0 = time.perf_counter()
        p = subprocess.Popen([a.bin, "serve", a.service, "--port", str(a.port), "--data", data],
                             stdout=log, stderr=subprocess.STDOUT)
        ok = False
        while time.perf_counter() - t0 < a.timeout_s:
            if p.poll() is not None:
                break
            if ready_once(a.port):
                ok = True
                break
            time.sleep(0.0005)
        t1 = time.perf_counter()
        if not ok:
            p.kill()
            p.wait()
            print(f"run {i}: not ready (exit {p.returncode}), see {log.name}", file=sys.stderr)
            sys.exit(1)
        times.append((t1 - t0) * 1000)
        rss0.append(rss_kb(p.pid))
        if i < a.idle_runs:
            time.sleep(a.idle_s)
            rss_idle.append(rss_kb(p.pid))
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        log.close()
        if a.fresh:
            shutil.rmtree(data, ignore_errors=True)
        # the port must be free again before the next exec
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", a.port), timeout=0.05):
                    pass
                time.sleep(0.005)
            except OSError:
                break
    print(f"RESULT runs={len(times)} p50_ms={fmt(pct(times, 50))} p90_ms={fmt(pct(times, 90))} "
          f"max_ms={fmt(max(times))} min_ms={fmt(min(times))} rss_at_ready_kb={int(pct(rss0, 50))} "
          f"rss_idle_kb={int(max(rss_idle)) if rss_idle else 0} idle_s={a.idle_s}")


def cmd_lag(a):
    g = urllib.parse.urlsplit(a.gateway)
    v = urllib.parse.urlsplit(a.view)
    gw = http.client.HTTPConnection(g.hostname, g.port, timeout=5)
    view = http.client.HTTPConnection(v.hostname, v.port, timeout=5)
    lags, posts, polls, missing, failed = [], [], [], 0, 0
    deadline = time.perf_counter() + a.max_s
    user = a.user_base
    while len(lags) + missing < a.samples and time.perf_counter() < deadline:
        user += 1
        body = json.dumps({"userId": user, "vaccineId": a.vaccine})
        t0 = time.perf_counter()
        gw.request("POST", "/reservations", body=body, headers={"Content-Type": "application/json"})
        r = gw.getresponse()
        payload = r.read()
        t1 = time.perf_counter()
        if r.status != 201:
            failed += 1
            continue
        posts.append((t1 - t0) * 1000)
        rid = json.loads(payload)["id"]
        path = f"/myPages/search/findByReservationId?reservationId={rid}"
        n, seen = 0, False
        while time.perf_counter() - t1 < 5.0:
            view.request("GET", path)
            vr = view.getresponse()
            vb = vr.read()
            n += 1
            if vr.status == 200 and b'"reservationId"' in vb:
                seen = True
                break
            time.sleep(a.poll_ms / 1000.0)
        t2 = time.perf_counter()
        if seen:
            lags.append((t2 - t1) * 1000)
            polls.append(n)
        else:
            missing += 1
        time.sleep(a.gap_ms / 1000.0)
    print(f"RESULT samples={len(lags)} missing={missing} post_failed={failed} p50_ms={fmt(pct(lags, 50))} "
          f"p90_ms={fmt(pct(lags, 90))} p99_ms={fmt(pct(lags, 99))} max_ms={fmt(max(lags) if lags else float('nan'))} "
          f"post_p50_ms={fmt(pct(posts, 50))} polls_p50={pct(polls, 50) if polls else 0} poll_ms={a.poll_ms}")


def cmd_sample(a):
    u = urllib.parse.urlsplit(a.url)
    body = json.dumps({"userId": 1, "vaccineId": a.vaccine})
    rows = []
    end = time.perf_counter() + a.duration_s
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        status, retry = 0, None
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            c.request("POST", "/reservations", body=body,
                      headers={"Content-Type": "application/json", "Connection": "close"})
            r = c.getresponse()
            r.read()
            status, retry = r.status, r.getheader("Retry-After")
            c.close()
        except OSError:
            status = 0
        ms = (time.perf_counter() - t0) * 1000
        rows.append((status, ms, retry))
        time.sleep(a.interval_ms / 1000.0)
    ok = [ms for s, ms, _ in rows if 200 <= s < 300]
    f503 = [(ms, ra) for s, ms, ra in rows if s == 503]
    other = [s for s, _, _ in rows if not (200 <= s < 300) and s != 503]
    fast = [ms for ms, ra in f503 if ms <= a.fast_ms]
    with_ra = [ms for ms, ra in f503 if ra]
    lat503 = [ms for ms, _ in f503]
    print(f"RESULT samples={len(rows)} ok={len(ok)} s503={len(f503)} other={len(other)} "
          f"s503_with_retry_after={len(with_ra)} s503_fast={len(fast)} fast_ms={a.fast_ms} "
          f"s503_p50_ms={fmt(pct(lat503, 50))} s503_p99_ms={fmt(pct(lat503, 99))} "
          f"ok_p50_ms={fmt(pct(ok, 50))} ok_p99_ms={fmt(pct(ok, 99))} other_codes={','.join(map(str, sorted(set(other)))) or '-'}")
    if a.out:
        with open(a.out, "w") as f:
            for s, ms, ra in rows:
                f.write(f"{s} {ms:.3f} {ra or '-'}\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("startup")
    s.add_argument("--bin", required=True)
    s.add_argument("--service", default="vaccine/reservation")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--data", required=True)
    s.add_argument("--runs", type=int, default=20)
    s.add_argument("--fresh", action="store_true", help="a new data dir (schema migrations) every run")
    s.add_argument("--idle-runs", type=int, default=1, help="runs that also wait --idle-s for the idle RSS")
    s.add_argument("--idle-s", type=float, default=2.0)
    s.add_argument("--timeout-s", type=float, default=10.0)
    s.set_defaults(fn=cmd_startup)
    l = sub.add_parser("lag")
    l.add_argument("--gateway", required=True)
    l.add_argument("--view", required=True)
    l.add_argument("--vaccine", type=int, required=True)
    l.add_argument("--samples", type=int, default=200)
    l.add_argument("--max-s", type=float, default=30.0)
    l.add_argument("--poll-ms", type=float, default=1.0)
    l.add_argument("--gap-ms", type=float, default=2.0)
    l.add_argument("--user-base", type=int, default=10_000_000)
    l.set_defaults(fn=cmd_lag)
    p = sub.add_parser("sample")
    p.add_argument("--url", required=True)
    p.add_argument("--vaccine", type=int, required=True)
    p.add_argument("--duration-s", type=float, required=True)
    p.add_argument("--interval-ms", type=float, default=50)
    p.add_argument("--fast-ms", type=float, default=10.0, help="a 503 at most this slow counts as fast")
    p.add_argument("--out")
    p.set_defaults(fn=cmd_sample)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
