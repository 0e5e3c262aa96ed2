"""Public pages under load, and overload: `python -m bench load [--database URL] [--seconds 20]`.

Migrates a fresh database, loads the demo council, starts the app as in production (two uvicorn
processes, CHORUS_ENV=production) and drives it with wrk (Debian's package; installed here with
apt-get when missing) from a separate process: home, a consultation and a petition at 100
connections, then the home page at 1,000 connections (overload) to see load shedding.
Last stdout line is JSON; results in bench/results/load.json.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import fresh_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "load.json"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
  io.write(string.format("NON2XX %d\\n", summary.errors.status))
end
"""
PAGES = [("home", "/"), ("consultation", "/consultations/1"), ("petition", "/petitions/1")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--pages", default="home,consultation,petition",
                        help="which public pages to load (comma-separated)")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the JSON")
    parser.add_argument("--no-overload", action="store_true", help="skip the 1,000-connection phase")
    args = parser.parse_args(argv)
    wanted = set(args.pages.split(","))
    _ensure_wrk()
    url = _fresh_database(args.database)
    port = 8795
    server = _start(url, port)
    results = {"database": url.split("@")[-1].split("?")[0], "load_before": os.getloadavg()}
    try:
        base = f"http://127.0.0.1:{port}"
        for name, path in PAGES:
            if name not in wanted:
                continue
            time.sleep(3)  # let the previous phase drain
            assert httpx.get(base + path, timeout=60).status_code == 200, path
            results[name] = _wrk(base + path, args.connections, args.seconds, server.pid)
        if not args.no_overload:
            results["overload_home"] = _wrk(base + "/", 1000, args.seconds, server.pid)
            time.sleep(3)
            shed = httpx.get(base + "/healthz", timeout=60)
            results["healthz_after"] = shed.status_code
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["load_after"] = os.getloadavg()
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    print(json.dumps(results))
    return 0


def _ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")


def _fresh_database(base: str) -> str:
    url = fresh_database(base, "load", migrate=False)
    name = url.rsplit("/", 1)[1]
    env = {**os.environ, "DATABASE_URL": url, "ANALYSIS_EMBEDDER": "fake", "QUEUE_IMMEDIATE": "1",
           "EMBEDDING_CACHE_PATH": f"{tempfile.gettempdir()}/chorus-load-emb-{name}.db"}
    subprocess.run([sys.executable, "-m", "app", "migrate"], env=env, cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "app", "demo-data"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return url


def _start(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "CHORUS_ENV": "production", "SECRET_KEY": "l" * 40,
           "BASE_URL": f"http://127.0.0.1:{port}", "QUEUE_URL": "redis://127.0.0.1:6379/14",
           "RATE_LIMIT_STORAGE_URL": "redis://127.0.0.1:6379/15"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                               "--port", str(port), "--workers", "2", "--no-access-log"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                time.sleep(2)  # both workers up
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the app did not start")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the app: the uvicorn parent and its worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    total = 0.0
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wrk(url: str, connections: int, seconds: int, app_pid: int) -> dict:
    cpu_before, load_before = _cpu_seconds(app_pid), os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p95_ms = int(re.search(r"P95_US (\d+)", out).group(1)) / 1000
    non2xx = int(re.search(r"NON2XX (\d+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    app_cpu = _cpu_seconds(app_pid) - cpu_before
    return {"connections": connections, "requests_per_s": rps, "p95_ms": round(p95_ms, 1),
            "p50": p50.group(1) + p50.group(2), "requests": total, "non_2xx": non2xx,
            "app_cpu_ms_per_request": round(1000 * app_cpu / max(1, total), 3),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
