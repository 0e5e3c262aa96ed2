"""Lighthouse scores of the pages residents open most: `python -m bench lighthouse [--runs 3]`.

Lighthouse (npm, pinned in bench/lighthouse/package.json, installed there with `npm ci` on first
use) drives Debian's /usr/bin/chromium with its default mobile emulation (a mid-range phone, 4x CPU
slowdown, simulated slow 4G) against the app served as in production (uvicorn, CHORUS_ENV=production,
page cache on) holding the demo council on SQLite. Each page is measured --runs times and the median
of each category is kept: performance, accessibility and best practices, each 0 to 1. The bar
(issue 19) is 0.95 for each on the home page, the open consultation's start page and the open
petition's page. Last output line: JSON; also bench/results/lighthouse.json.
"""

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "lighthouse"
RESULTS = Path(__file__).resolve().parent / "results" / "lighthouse.json"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")
BAR = 0.95


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _lighthouse() -> Path:
    binary = HERE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    return binary


def _demo(workdir: Path, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "app", "migrate"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "app", "demo-data"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def _pages(database: Path) -> dict[str, str]:
    with sqlite3.connect(database) as connection:
        consultation = connection.execute(
            "SELECT MIN(id) FROM consultation WHERE state = 'open'").fetchone()[0]
        petition = connection.execute("SELECT MIN(id) FROM petition WHERE state = 'open'").fetchone()[0]
    return {"home": "/", "consultation": f"/consultations/{consultation}", "petition": f"/petitions/{petition}"}


def _start(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the app did not start")


def _measure(binary: Path, url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="chorus-lh-") as profile:
        out = subprocess.run(
            [str(binary), url, "--quiet", "--output=json", "--output-path=stdout",
             f"--only-categories={','.join(CATEGORIES)}", "--max-wait-for-load=30000",
             f"--chrome-flags=--headless=new --no-sandbox --disable-gpu --user-data-dir={profile}"],
            env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lighthouse")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists() or shutil.which("npm") is None:
        print(f"bench lighthouse needs {CHROMIUM} and npm", file=sys.stderr)
        return 1
    binary = _lighthouse()
    workdir = Path(tempfile.mkdtemp(prefix="chorus-lighthouse-"))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'chorus.db'}", "CHORUS_ENV": "production",
           "SECRET_KEY": "lighthouse-bench-" + "k" * 32, "BASE_URL": f"http://localhost:{port}",
           "QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}", "QUEUE_IMMEDIATE": "1",
           "ANALYSIS_EMBEDDER": "fake", "EMBEDDING_CACHE_PATH": str(workdir / "embeddings.db"),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    _demo(workdir, env)
    pages = _pages(workdir / "chorus.db")
    server = _start(env, port)
    results: dict[str, dict] = {}
    try:
        for name, path in pages.items():
            runs = [_measure(binary, f"http://localhost:{port}{path}") for _ in range(args.runs)]
            results[name] = {"path": path, "runs": runs,
                             "median": {c: statistics.median(r[c] for r in runs) for c in CATEGORIES}}
            print(f"{name}: {results[name]['median']}", file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    summary = {"lighthouse": subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip(),
               "chromium": subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip(),
               "form_factor": "mobile (Lighthouse default emulation and throttling)", "runs": args.runs,
               "bar": BAR, "pages": results,
               "meets_bar": all(v >= BAR for page in results.values() for v in page["median"].values())}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({name: page["median"] for name, page in results.items()} | {"meets_bar": summary["meets_bar"]}))
    return 0 if summary["meets_bar"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
