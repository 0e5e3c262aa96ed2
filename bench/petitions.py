"""Petition signing under load: `python -m bench petitions --database URL --signers N --concurrency C`.

Migrates the database, starts the app as in production (uvicorn, two worker processes,
CHORUS_ENV=production, uvloop + httptools, rate limits in Redis when reachable), signs from this
separate process over real HTTP (form + CSRF cookie and token, one distinct X-Forwarded-For per
signer: uvicorn trusts forwarded headers from 127.0.0.1 only, as behind a local reverse proxy, so
the default limits of 5/minute and 30/hour per address per petition stay ON), then
reads the confirmation links from the outbox in the database, clicks them, reads the count on the
petition page, stops the app and checks every row. Last output line: JSON.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "petitions.json"
SECRET = "bench-secret-key-" + "x" * 32
EMAIL_DOMAIN = "bench.example"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_ok() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping())
    except Exception:
        return False


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator must not eat the app's CPU."""

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
        status = int(head[9:12])
        found = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            found.setdefault(name.strip().lower(), []).append(value.strip())
        length = int(found.get("content-length", ["0"])[0])
        payload = await self.reader.readexactly(length) if length else b""
        if "close" in found.get("connection", [""])[0].lower():
            self.writer.close()
            self.writer = None
        return status, found, payload


async def _browser(port: int, petition_id: int):
    """A connection with its CSRF cookie and token, as a browser would have after loading the page."""
    connection = Connection(port)
    _status, headers, body = await connection.request("GET", f"/petitions/{petition_id}", {})
    cookie = next(c.split(";")[0] for c in headers["set-cookie"] if c.startswith("chorus_csrf="))
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    return connection, cookie, token


def _signer_ip(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


async def _sign_phase(port, petition_id, browsers, numbers, seconds):
    """Sign with every browser until `numbers` runs out or `seconds` have passed."""
    latencies, accepted, failures = [], [], {}
    deadline = time.perf_counter() + seconds

    async def worker(browser):
        connection, cookie, token = browser
        for n in numbers:
            form = urlencode(
                {
                    "name": f"Signer {n}",
                    "email": f"signer{n}@{EMAIL_DOMAIN}",
                    "location": "RV1 2AB",
                    "consent": "1",
                    "csrf_token": token,
                }
            ).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "X-Forwarded-For": _signer_ip(n),
            }
            started = time.perf_counter()
            try:
                status, _h, _b = await connection.request(
                    "POST", f"/petitions/{petition_id}/signatures", headers, form
                )
            except (OSError, asyncio.IncompleteReadError) as error:
                connection.writer = None
                status = type(error).__name__
            finished = time.perf_counter()
            if status == 303:
                latencies.append((finished - started) * 1000)
                accepted.append(n)
            else:
                failures[str(status)] = failures.get(str(status), 0) + 1
            if finished >= deadline:
                return

    started = time.perf_counter()
    await asyncio.gather(*(worker(b) for b in browsers))
    return latencies, accepted, failures, time.perf_counter() - started


async def _sign_all(port, petition_id, signers, concurrency, warmup_seconds, seconds):
    """Open the browsers, warm both workers up (not timed), then the sustained phase (timed)."""
    browsers = [await _browser(port, petition_id) for _ in range(concurrency)]
    numbers = iter(range(signers))
    warm = await _sign_phase(port, petition_id, browsers, numbers, warmup_seconds)
    load_before = os.getloadavg()
    timed = await _sign_phase(port, petition_id, browsers, numbers, seconds)
    load_after = os.getloadavg()
    return warm, timed, (load_before, load_after)


async def _confirm_all(port, petition_id, tokens, concurrency):
    confirmed = 0
    queue = iter(tokens)

    async def worker():
        nonlocal confirmed
        connection, cookie, csrf = await _browser(port, petition_id)
        for token in queue:
            body = urlencode({"csrf_token": csrf}).encode()
            status, _h, payload = await connection.request(
                "POST",
                f"/petitions/signatures/{token}",
                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
                body,
            )
            if status == 200 and b"Your signature is counted" in payload:
                confirmed += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return confirmed


async def _page_count(port, petition_id) -> int:
    connection = Connection(port)
    _s, _h, body = await connection.request("GET", f"/petitions/{petition_id}/count", {})
    return int(re.search(rb'class="heading-l">([\d,]+)<', body).group(1).replace(b",", b""))


def _prepare(url: str) -> int:
    from app.db import Database
    from app.migrations_runner import upgrade_to_head
    from app.models.base import utcnow
    from app.models.petition import Petition, PetitionState
    from app.tokens import new_token

    upgrade_to_head(url)
    database = Database(url)
    with database.transaction() as db:
        now = utcnow()
        petition = Petition(
            title="Keep the in-house home-care service (benchmark)",
            action="Benchmark.",
            state=PetitionState.OPEN,
            support_token=new_token(),
            opened_at=now,
            closes_at=now.replace(year=now.year + 1),
        )
        db.add(petition)
        db.flush()
        petition_id = petition.id
    database.dispose()
    return petition_id


def _start_app(url, port, queue_url, limits_url, workers):
    env = {
        **os.environ,
        "CHORUS_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "QUEUE_URL": queue_url,
        "RATE_LIMIT_STORAGE_URL": limits_url,
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--workers",
            str(workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "info",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The parent binds the port before the workers have imported the app: wait for every
    # worker's "Application startup complete" so that start-up is not counted as signing time.
    ready = threading.Semaphore(0)

    def follow_log():
        for line in process.stderr:
            if "Application startup complete" in line:
                ready.release()
            elif "INFO" not in line:
                sys.stderr.write(line)

    threading.Thread(target=follow_log, daemon=True).start()
    for _ in range(workers):
        if not ready.acquire(timeout=180):
            _stop_app(process)
            raise SystemExit("the app did not start")
    return process


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the app: the uvicorn parent and its worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _stop_app(process) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _tokens_from_outbox(url: str, petition_id: int) -> list[str]:
    from app.models.outbox import OutboxEmail

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        bodies = (
            connection.execute(
                select(OutboxEmail.body_text).where(OutboxEmail.to_address.like(f"%@{EMAIL_DOMAIN}"))
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return [m.group(1) for body in bodies if (m := re.search(r"/petitions/signatures/(\S+)", body))]


def _check_rows(url: str, petition_id: int, accepted: list[int]) -> dict:
    from app.models.petition import PetitionSignature

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        emails = (
            connection.execute(
                select(PetitionSignature.normalised_email).where(PetitionSignature.petition_id == petition_id)
            )
            .scalars()
            .all()
        )
        validated = connection.execute(
            select(func.count())
            .select_from(PetitionSignature)
            .where(
                PetitionSignature.petition_id == petition_id,
                PetitionSignature.validated_at.is_not(None),
                PetitionSignature.invalidated_at.is_(None),
            )
        ).scalar()
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    stored = set(emails)
    lost = sum(1 for n in accepted if f"signer{n}@{EMAIL_DOMAIN}" not in stored)
    return {
        "rows": len(emails),
        "lost": lost,
        "duplicates": len(emails) - len(stored),
        "validated": validated,
    }


def _run(coroutine):
    """uvloop when installed (it is, with uvicorn[standard]): the load generator stays light."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench petitions")
    parser.add_argument("--database", required=True, help="sqlite:///path or postgresql://…")
    parser.add_argument(
        "--signers", type=int, default=1_000_000, help="at most this many signers (warm-up included)"
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the sustained phase")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of signing before timing")
    parser.add_argument("--output", default=str(RESULTS), help="JSON file to update (per backend)")
    parser.add_argument(
        "--queue", default="", help="QUEUE_URL (default: Redis db 14 if reachable, else temp SQLite)"
    )
    args = parser.parse_args(argv)
    url = args.database
    redis_ok = _redis_ok()
    queue_url = args.queue or (
        "redis://127.0.0.1:6379/14"
        if redis_ok
        else f"sqlite:///{tempfile.mkdtemp(prefix='chorus-bench-')}/queue.db"
    )
    limits_url = "redis://127.0.0.1:6379/15" if redis_ok else "memory://"
    if redis_ok:
        import redis

        for db_number in (14, 15):
            redis.Redis.from_url(f"redis://127.0.0.1:6379/{db_number}").flushdb()
    petition_id = _prepare(url)
    port = _free_port()
    app = _start_app(url, port, queue_url, limits_url, args.workers)
    try:
        cpu_before, client_before = _cpu_seconds(app.pid), time.process_time()
        warm, timed, (load_before, load_after) = _run(
            _sign_all(port, petition_id, args.signers, args.concurrency, args.warmup, args.seconds)
        )
        latencies, accepted, failures, seconds = timed
        app_cpu = _cpu_seconds(app.pid) - cpu_before  # warm-up included: a slight overestimate
        client_cpu = time.process_time() - client_before
        all_accepted = warm[1] + accepted
        print(
            f"signing: {len(accepted)} accepted in {seconds:.1f} s after {len(warm[1])} in the "
            f"warm-up; failures {failures}",
            file=sys.stderr,
        )
        tokens = _tokens_from_outbox(url, petition_id)
        confirmed = _run(_confirm_all(port, petition_id, tokens, args.concurrency))
        time.sleep(4.5)  # the count may be 2 s old, on a page cached for 2 s (app/page_cache.py)
        counted = _run(_page_count(port, petition_id))
    finally:
        _stop_app(app)
    rows = _check_rows(url, petition_id, all_accepted)
    result = {
        "backend": "postgresql" if url.startswith("postgresql") else "sqlite",
        "concurrency": args.concurrency,
        "workers": args.workers,
        "queue": queue_url.split("://")[0],
        "rate_limit_storage": limits_url.split("://")[0],
        "warmup_signatures": len(warm[1]),
        "seconds": round(seconds, 2),
        "signatures_per_s": round(len(accepted) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(_percentile(latencies, 50), 1),
        "p99_ms": round(_percentile(latencies, 99), 1),
        "app_cpu_ms_per_signature": round(1000 * app_cpu / max(1, len(all_accepted)), 2),
        "load_generator_cpu_ms_per_signature": round(1000 * client_cpu / max(1, len(all_accepted)), 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
        "failures": failures,
        "submitted": len(all_accepted),
        "confirmed": confirmed,
        "counted": counted,
        "validated_rows": rows["validated"],
        "lost": rows["lost"],
        "duplicates": rows["duplicates"],
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(output.read_text()) if output.exists() else {}
    previous[result["backend"]] = result
    output.write_text(json.dumps(previous, indent=2) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
