"""Consultation benchmark: submitting complete responses over HTTP, then the results page at scale.

    python -m bench consultations --database URL [--responses N] [--concurrency C] [--stored 100000]

1. Migrates the database, builds an open consultation with 10 questions of every kind and a staff
   API token, starts `uvicorn --workers 2` (production settings) and, from this separate process,
   POSTs N complete 10-answer responses as JSON over keep-alive HTTP/1.1. 2% of them are sent twice
   with the same idempotency key (a retry after a lost connection). Rows are counted afterwards:
   lost = keys acknowledged but missing, duplicated = rows beyond one per key.
2. Bulk-loads responses until `--stored` are stored, then times the officer results page and the
   public consultation page (signed-in HTTP GETs, p95).
The last stdout line is the JSON summary (also written to bench/results/consultations.json).
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.common import process_table, save_per_database

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-" + "y" * 32
PASSWORD = "bench officer password"
RESULTS = ROOT / "bench" / "results" / "consultations.json"
TEXTS = [
    "The carers are kind but always rushed, and visits are often late in the morning.",
    "Please keep the in-house service: my mother knows her carers and trusts them.",
    "Nothing to improve, the team has been excellent with my father.",
    "Different people every week, nobody reads the care plan.",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Connection:
    """A minimal keep-alive HTTP/1.1 client, so the load generator leaves the CPU to the app."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b""):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        found: dict[str, list[str]] = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            found.setdefault(name.strip().lower(), []).append(value.strip())
        length = int(found.get("content-length", ["0"])[0])
        payload = await self.reader.readexactly(length) if length else b""
        if "chunked" in found.get("transfer-encoding", [""])[0]:
            payload = await self._chunked()
        return int(head[9:12]), found, payload

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
            data = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(data[:-2])


def _prepare(url: str) -> dict:
    from app.db import Database
    from app.migrations_runner import upgrade_to_head
    from app.models.user import Role
    from app.services import accounts, reviews
    from app.services import consultations as service
    from app.services.consultations import building, channels

    upgrade_to_head(url)
    database = Database(url)
    with database.transaction() as db:
        email = f"bench-{random.randint(0, 10**9)}@example.org"
        officer = accounts.create_user(db, email=email, password=PASSWORD, role=Role.OFFICER)
        review = reviews.create_review(db, title="Bench review", service="Home care")
        made = service.create_consultation(db, review_id=review.id, title="Bench consultation",
                                           summary="Ten questions of every kind.")
        kinds = [("rating", "Rate home care", "Very poor\nPoor\nFair\nGood\nVery good"),
                 ("rating", "Rate how on time visits are", "Never\nRarely\nSometimes\nOften\nAlways"),
                 ("single_choice", "Keep the in-house service?", "Yes\nNo\nNot sure"),
                 ("single_choice", "Do you use home care?", "Yes\nNo"),
                 ("multiple_choice", "What have you seen?", "Missed visits\nLate visits\nRushed\nNone"),
                 ("ranking", "Rank these priorities", "Same carers\nOn time\nLonger visits\nLower cost"),
                 ("short_text", "One word for the service", ""), ("short_text", "Your area", ""),
                 ("long_text", "Why do you say that?", ""), ("long_text", "Anything else?", "")]
        questions = [building.add_question(db, made, building.QuestionInput(
            kind=kind, text=text, options=options, page=str(n // 3 + 1)))
            for n, (kind, text, options) in enumerate(kinds)]
        service.open_consultation(db, made)
        _token, secret = channels.create_api_token(db, name="bench", actor_id=officer.id)
        prepared = {"consultation_id": made.id, "token": secret, "email": email,
                    "questions": [(q.id, q.kind.value, q.options) for q in questions]}
    database.dispose()
    return prepared


def _answers(questions, rng: random.Random) -> dict:
    answers = {}
    for question_id, kind, options in questions:
        if kind == "rating":
            answers[str(question_id)] = str(rng.randint(1, len(options)))
        elif kind == "single_choice":
            answers[str(question_id)] = rng.choice(options)
        elif kind == "multiple_choice":
            answers[str(question_id)] = rng.sample(options[:3], 2)
        elif kind == "ranking":
            answers[str(question_id)] = rng.sample(options, len(options))
        elif kind == "short_text":
            answers[str(question_id)] = rng.choice(["Caring", "Rushed", "North", "Riverside"])
        else:
            answers[str(question_id)] = rng.choice(TEXTS)
    return answers


def _start_app(url: str, port: int, workers: int):
    env = {**os.environ, "CHORUS_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url,
           "BASE_URL": f"http://127.0.0.1:{port}",
           "QUEUE_URL": os.environ.get("QUEUE_URL", "redis://127.0.0.1:6379/3")}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--workers", str(workers),
         "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
         "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                _wait_until_idle(process.pid, deadline)
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the app did not start")


def _wait_until_idle(group_id: int, deadline: float) -> None:
    """The port opens before the workers have imported the app (seconds under load): wait until
    they stop using CPU, so that start-up is not counted in the CPU per response."""
    before = _group_cpu_s(group_id)
    while time.time() < deadline:
        time.sleep(0.5)
        now = _group_cpu_s(group_id)
        if now - before < 0.05:
            return
        before = now


def _group_cpu_s(group_id: int) -> float:
    """User + system CPU seconds of every live process in the app's process group (uvicorn and its
    workers): the app's own cost per request, whatever else is running on the machine."""
    return sum(cpu for _, group, cpu in process_table().values() if group == group_id)


def _load_average() -> float:
    return round(os.getloadavg()[0], 2)


def _stop_app(process) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


async def _submit_all(port: int, prepared: dict, total: int, concurrency: int) -> dict:
    rng = random.Random(7)
    bodies = []
    for n in range(total):
        body = json.dumps({"idempotency_key": f"bench-{prepared['consultation_id']}-{n}",
                           "respondent_type": rng.choice(["resident", "service_user", "carer", "staff"]),
                           "answers": _answers(prepared["questions"], rng)}).encode()
        bodies.append(body)
        if rng.random() < 0.02:
            bodies.append(body)  # a retry of the same response
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {prepared['token']}"}
    path = f"/api/v1/consultations/{prepared['consultation_id']}/responses"
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    acknowledged: set[str] = set()
    queue = iter(bodies)

    async def worker():
        connection = Connection(port)
        for body in queue:
            started = time.perf_counter()
            status, _headers, _payload = await connection.request("POST", path, headers, body)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if status in (200, 201):
                acknowledged.add(json.loads(body)["idempotency_key"])

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(bodies), "elapsed_s": round(elapsed, 2),
            "responses_per_s": round(len(bodies) / elapsed, 1), "statuses": statuses,
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
            "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)], 1),
            "acknowledged": len(acknowledged)}


def _count(url: str, consultation_id: int) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from app.db import Database
    from app.models.consultation_response import Answer, Response

    database = Database(url)
    with database.transaction(write=False) as db:
        responses = db.scalar(select(func.count()).where(Response.consultation_id == consultation_id))
        keys = db.scalar(select(func.count(func.distinct(Response.idempotency_key)))
                         .where(Response.consultation_id == consultation_id))
        answers = db.scalar(select(func.count()).select_from(Answer).join(Response).where(
            Response.consultation_id == consultation_id))
    database.dispose()
    return responses, keys, answers


def _bulk_load(url: str, prepared: dict, stored: int) -> float:
    """Fill up to `stored` responses with direct bulk inserts (the results test needs volume)."""
    from datetime import timedelta

    from sqlalchemy import insert

    from app.db import Database
    from app.models.base import utcnow
    from app.models.consultation_response import Answer, Response
    from app.services.consultations import answering, rules

    started = time.perf_counter()
    database = Database(url)
    rng = random.Random(11)
    consultation_id = prepared["consultation_id"]
    existing = _count(url, consultation_id)[0]
    with database.transaction(write=False) as db:
        form = answering.load_form(db, consultation_id)
    for start in range(existing, stored, 2000):
        with database.transaction() as db:
            rows = [{"consultation_id": consultation_id, "reference": f"B{consultation_id}-{n}",
                     "idempotency_key": f"bulk-{consultation_id}-{n}",
                     "respondent_type": rng.choice(["resident", "service_user", "carer", "staff"]),
                     "channel": rng.choice(["online", "online", "paper", "phone"]),
                     "is_panel": rng.random() < .1, "organisation_name": "",
                     "submitted_at": utcnow() - timedelta(minutes=rng.randint(0, 80_000))}
                    for n in range(start, min(stored, start + 2000))]
            ids = db.execute(insert(Response).returning(Response.id), rows).scalars().all()
            answers = []
            for response_id in ids:
                clean = _answers(prepared["questions"], rng)
                answers += [{"response_id": response_id, "question_id": r.question_id,
                             "value_text": r.value_text, "option_index": r.option_index, "number": r.number}
                            for r in rules.answer_rows(form.questions, clean)]
            db.execute(insert(Answer), answers)
    from app.services.consultations import tallies

    for _run in range(2):  # what the worker's fold_results_tallies does every minute
        with database.transaction() as db:
            tallies.fold(db, consultation_id)
    if not url.startswith("sqlite"):
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    database.dispose()
    return time.perf_counter() - started


async def _time_pages(port: int, prepared: dict, repeats: int) -> dict:
    import re

    connection = Connection(port)
    _s, headers, page = await connection.request("GET", "/sign-in", {})
    cookie = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("chorus_csrf="))
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    form = (f"email={prepared['email'].replace('@', '%40')}&password={PASSWORD.replace(' ', '+')}"
            f"&csrf_token={token}")
    _status, headers, _ = await connection.request(
        "POST", "/sign-in", {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        form.encode())
    session = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("chorus_session="))
    cookies = {"Cookie": f"{cookie}; {session}"}
    consultation_id = prepared["consultation_id"]
    found = {}
    for name, path in [("results_page", f"/officer/consultations/{consultation_id}/results"),
                       ("results_free_text_search",
                        f"/officer/consultations/{consultation_id}/results?q=rushed&respondent_type=carer&page=3"),
                       ("consultation_page", f"/consultations/{consultation_id}")]:
        timings = []
        for _ in range(repeats + 3):
            started = time.perf_counter()
            status, _h, _body = await connection.request("GET", path, cookies)
            timings.append(time.perf_counter() - started)
            assert status == 200, (path, status)
        timings = sorted(timings[3:])
        found[name] = {"p50_ms": round(1000 * timings[len(timings) // 2], 1),
                       "p95_ms": round(1000 * timings[int(len(timings) * 0.95) - 1], 1)}
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench consultations")
    parser.add_argument("--database", required=True, help="sqlite:///path or postgresql://…")
    parser.add_argument("--responses", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stored", type=int, default=100_000, help="responses stored for the page timings")
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--pages-only", type=int, metavar="CONSULTATION_ID",
                        help="only time the pages of a consultation an earlier run filled")
    args = parser.parse_args(argv)
    if args.pages_only:
        return _pages_only(args)
    prepared = _prepare(args.database)
    port = _free_port()
    process = _start_app(args.database, port, args.workers)
    try:
        cpu_before, load_before = _group_cpu_s(process.pid), _load_average()
        submitted = asyncio.run(_submit_all(port, prepared, args.responses, args.concurrency))
        app_cpu_ms = 1000 * (_group_cpu_s(process.pid) - cpu_before) / submitted["requests"]
        submitted.update(app_cpu_ms_per_response=round(app_cpu_ms, 2),
                         load_average=[load_before, _load_average()])
        responses, keys, answers = _count(args.database, prepared["consultation_id"])
        load_s = _bulk_load(args.database, prepared, args.stored) if args.stored > responses else 0.0
        pages = asyncio.run(_time_pages(port, prepared, args.repeats))
    finally:
        _stop_app(process)
    summary = {
        "benchmark": "consultations", "database": args.database.split(":")[0],
        "responses_sent": args.responses, "concurrency": args.concurrency, "workers": args.workers,
        **submitted, "rows": responses, "lost": submitted["acknowledged"] - keys,
        "duplicated": responses - keys, "answer_rows": answers,
        "stored_for_pages": max(args.stored, responses),
        "bulk_load_s": round(load_s, 1), **pages,
    }
    save_per_database(RESULTS, summary["database"], summary)
    print(json.dumps(summary))
    return 0


def _pages_only(args) -> int:
    from app.db import Database
    from app.models.user import Role
    from app.services import accounts

    database = Database(args.database)
    with database.transaction() as db:
        email = f"bench-{random.randint(0, 10**9)}@example.org"
        accounts.create_user(db, email=email, password=PASSWORD, role=Role.OFFICER)
    database.dispose()
    prepared = {"consultation_id": args.pages_only, "email": email}
    stored = _count(args.database, args.pages_only)[0]
    port = _free_port()
    process = _start_app(args.database, port, args.workers)
    try:
        pages = asyncio.run(_time_pages(port, prepared, args.repeats))
    finally:
        _stop_app(process)
    print(json.dumps({"benchmark": "consultations-pages", "database": args.database.split(":")[0],
                      "stored_for_pages": stored, **pages}))
    return 0
