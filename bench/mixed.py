"""Mixed load: residents answer, sign and read while an officer runs analyses, for 10 minutes.

    python -m bench mixed [--database URL] [--seconds 600] [--embedder minilm|fake]

Migrates a fresh database (PostgreSQL by default), builds an open consultation (a choice and a
free-text question), an open petition and an officer, then starts the app as in production
(`uvicorn --workers 2`, CHORUS_ENV=production) and the real worker (`python -m app worker`, the
packaged model unless --embedder fake) on a queue of their own. From this separate process:
- residents answer the consultation through the JSON API (anonymous, each from an address of
  their own, each with an idempotency key),
- residents sign the petition through its HTML form (CSRF cookie and token, one email each),
- residents read the home page, the consultation and the petition,
- the officer signs in and presses "Find themes" on the free-text question, and each time a run
  ends, presses it again (later runs place the new answers) until the time is up.
Afterwards: every request must have succeeded (0 errors), every acknowledged answer and signature
must be stored exactly once (0 lost, 0 duplicated; rows are counted), and the last analysis must
finish. CPU seconds of the app and worker processes are reported with the load average, since
throughput on a shared machine says little. Last stdout line is JSON; bench/results/mixed.json.
"""

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import fresh_database, process_table
from bench.consultations import Connection, _free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mixed.json"
SECRET = "bench-mixed-secret-key-" + "m" * 32
PASSWORD = "mixed bench officer password"
EMAIL_DOMAIN = "mixed.example"
ANSWERS = [
    "The carers are kind but always rushed, and visits are often late in the morning.",
    "Please keep the in-house service: my mother knows her carers and trusts them.",
    "Different people every week, nobody reads the care plan.",
    "Parking near the day centre is impossible, so visits get cut short.",
    "More time for each visit would make the biggest difference.",
    "Phone calls to the office are never returned when a visit is missed.",
]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench mixed")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a server URL (a fresh database is made on it) or sqlite:///path")
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--embedder", choices=["minilm", "fake"], default="minilm")
    parser.add_argument("--answering", type=int, default=4, help="residents answering at once")
    parser.add_argument("--signing", type=int, default=4, help="residents signing at once")
    parser.add_argument("--reading", type=int, default=8, help="residents reading at once")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds each resident waits between requests")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="chorus-mixed-"))
    os.environ["QUEUE_URL"] = f"sqlite:///{workdir / 'queue.db'}"  # set-up's emails go to our worker
    url = fresh_database(args.database, "mixed", sqlite_dir=workdir)
    prepared = {**_prepare(url), "url": url}
    env = _environment(url, workdir, args.embedder)
    port = _free_port()
    app = _start_app(env, port, workdir)
    worker = subprocess.Popen([sys.executable, "-m", "app", "worker"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=(workdir / "worker.log").open("wb"), stderr=subprocess.STDOUT)
    load_before = os.getloadavg()
    try:
        outcome = asyncio.run(_drive(port, prepared, args))
        outcome["analysis"] = _finish_analysis(url, prepared, outcome.pop("runs_started"), timeout=600)
        cpu = {"app_cpu_s": _tree_cpu_seconds(app.pid), "worker_cpu_s": _tree_cpu_seconds(worker.pid)}
    finally:
        load_after = os.getloadavg()
        for process in (app, worker):
            _stop(process)
    stored = _count(url, prepared)
    summary = _summary(args, url, outcome, stored, cpu, load_before, load_after)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))
    return 0 if summary["passed"] else 1


# Setting up -----------------------------------------------------------------------------------


def _prepare(url: str) -> dict:
    from datetime import timedelta

    from app.db import Database
    from app.models.base import utcnow
    from app.models.petition import PetitionState
    from app.models.user import Role
    from app.services import accounts, petitions, reviews
    from app.services import consultations as service
    from app.services.consultations import building
    from app.services.petitions.signing import clean_signer, start_petition

    database = Database(url)
    with database.transaction() as db:
        officer = accounts.create_user(db, email="officer@mixed.example", password=PASSWORD, role=Role.OFFICER)
        review = reviews.create_review(db, title="Home care review", service="Home care")
        made = service.create_consultation(db, review_id=review.id, title="Home care: tell us",
                                           summary="How should home care change?")
        choice = building.add_question(db, made, building.QuestionInput(
            kind="single_choice", text="Should the council keep its in-house service?", options="Yes\nNo",
            page="1"))
        free = building.add_question(db, made, building.QuestionInput(
            kind="long_text", text="What could the service do better?", page="1"))
        service.open_consultation(db, made)
        creator = clean_signer(name="Ada Resident", email="creator@council.example", location="RV1 2AB",
                               consent=True, notify=False)
        petition = start_petition(db, title="Keep home care in-house", action="Keep it run by the council.",
                                  background="", signer=creator, ip="198.51.100.1",
                                  settings=petitions.current_settings(db), base_url="http://127.0.0.1")
        petition.state, petition.opened_at = PetitionState.OPEN, utcnow() - timedelta(days=1)
        petition.closes_at = utcnow() + timedelta(days=180)
        prepared = {"officer": officer.email, "consultation_id": made.id, "choice_id": choice.id,
                    "question_id": free.id, "petition_id": petition.id}
    database.dispose()
    return prepared


def _environment(url: str, workdir: Path, embedder: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "CHORUS_ENV": "production", "SECRET_KEY": SECRET,
            "QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}", "QUEUE_IMMEDIATE": "0",
            "ANALYSIS_EMBEDDER": embedder, "EMBEDDING_CACHE_PATH": str(workdir / "embeddings.db"),
            "UPLOAD_DIR": str(workdir / "uploads"), "SMTP_HOST": "", "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1"}


def _start_app(env: dict, port: int, workdir: Path) -> subprocess.Popen:
    env = {**env, "BASE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True, stdout=(workdir / "app.log").open("wb"),
        stderr=subprocess.STDOUT)
    import httpx

    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                time.sleep(2)  # both workers up
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    _stop(process)
    raise SystemExit(f"the app did not start; see {workdir / 'app.log'}")


def _stop(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants."""
    table = process_table()
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (its_parent, _, _) in table.items():
            if its_parent == parent and child not in tree:
                tree.add(child)
                frontier.append(child)
    return round(sum(table[p][2] for p in tree if p in table), 1)


# The load -------------------------------------------------------------------------------------
class Tally:
    def __init__(self):
        self.requests: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.latencies: dict[str, list[float]] = {}
        self.answered: set[str] = set()
        self.signed: set[str] = set()

    def record(self, kind: str, ok: bool, seconds: float, status) -> None:
        self.requests[kind] = self.requests.get(kind, 0) + 1
        self.latencies.setdefault(kind, []).append(seconds)
        if not ok:
            key = f"{kind} {status}"
            self.errors[key] = self.errors.get(key, 0) + 1


async def _timed(tally: Tally, kind: str, connection: Connection, method, path, headers, body=b"", ok=(200,)):
    started = time.perf_counter()
    try:
        status, found, payload = await connection.request(method, path, headers, body)
    except (OSError, asyncio.IncompleteReadError) as error:
        connection.writer = None
        status, found, payload = type(error).__name__, {}, b""
    tally.record(kind, status in ok, time.perf_counter() - started, status)
    return status, found, payload


async def _answering(port, prepared, tally, numbers, deadline, pause):
    connection = Connection(port)
    path = f"/api/v1/consultations/{prepared['consultation_id']}/responses"
    rng = random.Random(next(numbers))
    while time.monotonic() < deadline:
        n = next(numbers)
        key = f"mixed-{n}"
        body = json.dumps({"idempotency_key": key, "respondent_type": "resident", "answers": {
            str(prepared["choice_id"]): rng.choice(["Yes", "No"]),
            str(prepared["question_id"]): f"{rng.choice(ANSWERS)} ({n})"}}).encode()
        headers = {"Content-Type": "application/json", "X-Forwarded-For": _address(n)}
        status, _h, _p = await _timed(tally, "answer", connection, "POST", path, headers, body, ok=(200, 201))
        if status in (200, 201):
            tally.answered.add(key)
        await asyncio.sleep(pause)


async def _signing(port, prepared, tally, numbers, deadline, pause):
    connection = Connection(port)
    page = f"/petitions/{prepared['petition_id']}"
    _status, headers, body = await connection.request("GET", page, {})
    cookie = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("chorus_csrf="))
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    while time.monotonic() < deadline:
        n = next(numbers)
        email = f"signer{n}@{EMAIL_DOMAIN}"
        form = urlencode({"name": f"Signer {n}", "email": email, "location": "RV1 2AB", "consent": "1",
                          "csrf_token": token}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                   "X-Forwarded-For": _address(n)}
        status, _h, _p = await _timed(tally, "sign", connection, "POST", f"{page}/signatures", headers, form,
                                      ok=(303,))
        if status == 303:
            tally.signed.add(email)
        await asyncio.sleep(pause)


async def _reading(port, prepared, tally, deadline, pause):
    connection = Connection(port)
    pages = itertools.cycle(["/", f"/consultations/{prepared['consultation_id']}",
                             f"/petitions/{prepared['petition_id']}", "/petitions"])
    while time.monotonic() < deadline:
        await _timed(tally, "read", connection, "GET", next(pages), {})
        await asyncio.sleep(pause)


def _address(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class FreshConnection(Connection):
    """One connection per request: the officer's requests are seconds apart, longer than keep-alive."""

    async def request(self, *args, **kwargs):
        if self.writer is not None:
            self.writer.close()
        self.writer = None
        return await super().request(*args, **kwargs)


async def _officer(port, prepared, tally, url, deadline) -> list[int]:
    """Sign in, then press "Find themes" whenever no run is going, until the time is up."""
    connection = FreshConnection(port)
    _s, headers, page = await connection.request("GET", "/sign-in", {})
    cookie = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("chorus_csrf="))
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    form = urlencode({"email": prepared["officer"], "password": PASSWORD, "csrf_token": token}).encode()
    form_headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    _status, headers, _ = await connection.request("POST", "/sign-in", form_headers, form)
    session = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("chorus_session="))
    cookies = {"Cookie": f"{cookie}; {session}"}
    themes = f"/officer/questions/{prepared['question_id']}/themes"
    started: list[int] = []
    await asyncio.sleep(5)  # a few answers first
    while time.monotonic() < deadline - 10:
        if not await asyncio.to_thread(_run_going, url, prepared["question_id"]):
            body = urlencode({"csrf_token": token}).encode()
            status, _h, _p = await _timed(
                tally, "analysis start", connection, "POST", themes.replace("/themes", "/analysis-runs"),
                {**cookies, "Content-Type": "application/x-www-form-urlencoded"}, body, ok=(303,))
            if status == 303:
                started.append(len(started) + 1)
        await _timed(tally, "officer read", connection, "GET", themes, cookies)
        await asyncio.sleep(2)
    return started


def _run_going(url: str, question_id: int) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        going = connection.execute(text(
            "SELECT COUNT(*) FROM analysis_run WHERE question_id = :q AND status IN ('queued', 'running')"),
            {"q": question_id}).scalar()
    engine.dispose()
    return bool(going)


async def _drive(port, prepared, args) -> dict:
    tally = Tally()
    numbers = itertools.count(1)
    deadline = time.monotonic() + args.seconds
    started = time.perf_counter()
    tasks = [_answering(port, prepared, tally, numbers, deadline, args.pause) for _ in range(args.answering)]
    tasks += [_signing(port, prepared, tally, numbers, deadline, args.pause) for _ in range(args.signing)]
    tasks += [_reading(port, prepared, tally, deadline, args.pause) for _ in range(args.reading)]
    officer = asyncio.ensure_future(_officer(port, prepared, tally, prepared["url"], deadline))
    await asyncio.gather(*tasks)
    runs = await officer
    elapsed = time.perf_counter() - started
    latencies = {}
    for kind, values in tally.latencies.items():
        values.sort()
        latencies[kind] = {"p50_ms": round(1000 * values[len(values) // 2], 1),
                           "p95_ms": round(1000 * values[max(0, math.ceil(len(values) * 0.95) - 1)], 1)}
    return {"elapsed_s": round(elapsed, 1), "requests": tally.requests, "errors": tally.errors,
            "latency": latencies, "acknowledged_answers": sorted(tally.answered),
            "acknowledged_signatures": sorted(tally.signed), "runs_started": len(runs)}


def _finish_analysis(url: str, prepared: dict, runs_started: int, timeout: float) -> dict:
    """Wait for the last run to end; report every run's status and how long it took."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    while _run_going(url, prepared["question_id"]) and time.monotonic() < deadline:
        time.sleep(1)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT status, mode, started_at, finished_at FROM analysis_run WHERE question_id = :q ORDER BY id"),
            {"q": prepared["question_id"]}).all()
    engine.dispose()
    runs = [{"status": r.status, "mode": r.mode,
             "seconds": round((r.finished_at - r.started_at).total_seconds(), 1)
             if r.started_at and r.finished_at else None} for r in rows]
    return {"runs_started": runs_started, "runs": runs,
            "all_finished": bool(runs) and all(r["status"] == "succeeded" for r in runs)}


def _count(url: str, prepared: dict) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        keys = dict(connection.execute(text(
            "SELECT idempotency_key, COUNT(*) FROM consultation_response WHERE consultation_id = :c "
            "GROUP BY idempotency_key"), {"c": prepared["consultation_id"]}).all())
        emails = dict(connection.execute(text(
            "SELECT email, COUNT(*) FROM petition_signature WHERE petition_id = :p AND email LIKE :d "
            "GROUP BY email"), {"p": prepared["petition_id"], "d": f"%@{EMAIL_DOMAIN}"}).all())
    engine.dispose()
    return {"keys": keys, "emails": emails}


def _summary(args, url, outcome, stored, cpu, load_before, load_after) -> dict:
    answered, signed = outcome.pop("acknowledged_answers"), outcome.pop("acknowledged_signatures")
    lost = sum(1 for k in answered if k not in stored["keys"]) + sum(1 for e in signed if e not in stored["emails"])
    duplicated = sum(c - 1 for c in stored["keys"].values()) + sum(c - 1 for c in stored["emails"].values())
    writes = len(answered) + len(signed)
    requests = sum(outcome["requests"].values())
    errors = sum(outcome["errors"].values())
    return {
        "benchmark": "mixed", "database": url.split(":")[0].split("+")[0], "seconds": args.seconds,
        "embedder": args.embedder, "residents": {"answering": args.answering, "signing": args.signing,
                                                 "reading": args.reading, "pause_s": args.pause},
        **outcome, "errors_total": errors, "acknowledged_writes": writes,
        "rows": {"responses": len(stored["keys"]), "signatures": len(stored["emails"])},
        "lost": lost, "duplicated": duplicated, **cpu,
        "cpu_ms_per_request": round(1000 * cpu["app_cpu_s"] / requests, 2) if requests else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "passed": errors == 0 and lost == 0 and duplicated == 0 and outcome["analysis"]["all_finished"],
    }
