"""Review workspace figures: the themes page at 100,000 answers, and a re-run after 1,000 new ones.

    python -m bench review [--database URL] [--answers 100000] [--new 1000] [--requests 100]

Builds a question with N answers (real NHS comments, varied), analyses a 3,000-answer sample with
the packaged model to get real themes, assigns the rest of the N to those themes in bulk (the
state a fully analysed question is in), then measures (1) GET of the themes page over real HTTP
against `uvicorn` and (2) an incremental run that places 1,000 new answers with the real model.
Last stdout line is JSON.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from bench.common import fresh_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "review.json"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench review")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--sample", type=int, default=3_000)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    url = fresh_database(args.database, "review")
    os.environ["DATABASE_URL"] = url
    # Runs are executed by this process, step by step: the queue only records them.
    os.environ["QUEUE_IMMEDIATE"] = "0"
    os.environ["QUEUE_URL"] = f"sqlite:////tmp/chorus-bench-review-queue-{uuid.uuid4().hex[:6]}.db"
    # A cold embedding cache: the re-run must embed its 1,000 new answers for real.
    os.environ["EMBEDDING_CACHE_PATH"] = f"/tmp/chorus-bench-review-embeddings-{uuid.uuid4().hex[:6]}.db"
    from app.db import Database
    from app.jobs import use_database

    database = Database(url)
    use_database(database)
    question_id, officer_email = _build(database, args)
    page = _measure_page(url, question_id, officer_email, args.requests)
    rerun = _measure_rerun(database, question_id, args.new)
    result = {"database": url.split("@")[-1], "answers": args.answers, **page, **rerun,
              "load_average": os.getloadavg()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


def _texts(n: int, seed: int) -> list[str]:
    import csv

    with (ROOT / "app" / "demo" / "data" / "nhs_feedback_sample.csv").open() as f:
        base = [row["feedback"] for row in csv.DictReader(f) if row["feedback"].strip()]
    rng = random.Random(seed)
    endings = ["", " Thank you.", " Please pass this on.", " This happened twice.", " (visit in March)",
               " My mother agrees.", " Same as last year."]
    return [rng.choice(base) + rng.choice(endings) for _ in range(n)]


def _build(database, args):
    from app.models.analysis import Bucket, Theme, ThemeAssignment
    from app.models.base import utcnow
    from app.models.consultation import Consultation, ConsultationState, Question, QuestionKind
    from app.models.consultation_response import Answer, Response
    from app.models.user import Role, User
    from app.services import accounts, reviews
    from app.services.themes import runs as analysis_runs
    from app.services.themes.results import refresh_sizes

    started = time.perf_counter()
    with database.transaction() as db:
        officer = accounts.create_user(db, email="bench-officer@example.org", password="bench password 123",
                                       role=Role.OFFICER)
        review = reviews.create_review(db, title="Bench review", service="Home care")
        consultation = Consultation(review_id=review.id, title="Bench", state=ConsultationState.CLOSED)
        db.add(consultation)
        db.flush()
        question = Question(consultation_id=consultation.id, kind=QuestionKind.LONG_TEXT, text="Better?")
        db.add(question)
        db.flush()
        ids = (consultation.id, question.id, officer.id)
    types = ["service_user", "carer", "resident", "staff"]
    texts = _texts(args.answers, 1)
    with database.transaction() as db:
        for start in range(0, args.answers, 5000):
            chunk = range(start, min(start + 5000, args.answers))
            rows = db.execute(insert(Response).returning(Response.id), [
                {"consultation_id": ids[0], "reference": uuid.uuid4().hex[:16], "respondent_type": types[i % 4],
                 "channel": "online", "idempotency_key": uuid.uuid4().hex, "submitted_at": utcnow()}
                for i in chunk]).scalars().all()
            db.execute(insert(Answer), [{"response_id": r, "question_id": ids[1], "value_text": texts[i]}
                                        for r, i in zip(rows, chunk, strict=True)])
    built = time.perf_counter() - started
    with database.transaction() as db:
        question = db.get(Question, ids[1])
        sample = db.scalars(select(Answer.id).where(Answer.question_id == ids[1]).order_by(Answer.id)
                            .limit(args.sample)).all()
        rest = db.scalars(select(Answer.id).where(Answer.question_id == ids[1], Answer.id > sample[-1])).all()
    with database.transaction() as db:
        officer = db.get(User, ids[2])
        question = db.get(Question, ids[1])
        run = analysis_runs.start_run(db, question, officer)
        run_id = run.id
    # Analyse the sample with the real model: themes with real centroids and labels.
    started_sample = time.perf_counter()
    _analyse_sample(database, run_id, sample)
    sample_seconds = time.perf_counter() - started_sample
    with database.transaction() as db:
        themes = db.scalars(select(Theme.id).where(Theme.question_id == ids[1], Theme.parent_id.is_(None))).all()
        rng = random.Random(2)
        for start in range(0, len(rest), 10_000):
            db.execute(insert(ThemeAssignment), [
                {"question_id": ids[1], "answer_id": a, "theme_id": rng.choice(themes), "bucket": Bucket.THEME,
                 "campaign_key": "", "run_id": run_id} for a in rest[start:start + 10_000]])
        refresh_sizes(db, ids[1])
    print(f"built {args.answers:,} answers in {built:.1f}s; sample analysed in {sample_seconds:.1f}s",
          file=sys.stderr)
    return ids[1], "bench-officer@example.org"


def _analyse_sample(database, run_id, sample_ids):
    from app.jobs import analysis_work

    original = analysis_work.texts_for_question

    def only_sample(db, question, **kwargs):
        wanted = set(sample_ids)
        return [item for item in original(db, question, **kwargs) if item.answer_id in wanted]

    analysis_work.texts_for_question = only_sample
    try:
        analysis_work.execute_run(database, run_id)
    finally:
        analysis_work.texts_for_question = original


def _measure_page(url, question_id, email, requests_n):
    port = 8790
    env = {**os.environ, "DATABASE_URL": url, "CHORUS_ENV": "test", "SECRET_KEY": "b" * 40,  # plain-HTTP cookies
           "QUEUE_IMMEDIATE": "1", "BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("PYTHONPATH", None)
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                               "--port", str(port), "--workers", "2"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base)
        with httpx.Client(base_url=base) as client:
            from app.security import csrf_token_for

            client.get("/sign-in")
            token = csrf_token_for("b" * 40, client.cookies["chorus_csrf"])
            client.post("/sign-in", data={"email": email, "password": "bench password 123", "csrf_token": token})
            for _ in range(5):
                client.get(f"/officer/questions/{question_id}/themes")
            times = []
            for _ in range(requests_n):
                started = time.perf_counter()
                response = client.get(f"/officer/questions/{question_id}/themes")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
    finally:
        server.terminate()
        server.wait(timeout=30)
    times.sort()
    return {"themes_page_p50_ms": round(statistics.median(times), 1),
            "themes_page_p95_ms": round(times[int(len(times) * 0.95) - 1], 1)}


def _wait(base):
    for _ in range(120):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the app did not start")


def _measure_rerun(database, question_id, new):
    from app.jobs import analysis_work
    from app.models.base import utcnow
    from app.models.consultation import Question
    from app.models.consultation_response import Answer, Response
    from app.models.user import User
    from app.services.themes import runs as analysis_runs

    texts = _texts(new, 3)
    with database.transaction() as db:
        question = db.get(Question, question_id)
        responses = db.execute(insert(Response).returning(Response.id), [
            {"consultation_id": question.consultation_id, "reference": uuid.uuid4().hex[:16],
             "respondent_type": "resident", "channel": "online", "idempotency_key": uuid.uuid4().hex,
             "submitted_at": utcnow()} for _ in texts]).scalars().all()
        db.execute(insert(Answer), [{"response_id": r, "question_id": question_id, "value_text": t + f" #{i}"}
                                    for i, (r, t) in enumerate(zip(responses, texts, strict=True))])
        officer = db.scalars(select(User)).first()
        run = analysis_runs.start_run(db, question, officer)
        run_id = run.id
    started = time.perf_counter()
    analysis_work.execute_run(database, run_id)
    seconds = time.perf_counter() - started
    with database.transaction() as db:
        from app.models.analysis import AnalysisRun

        summary = db.get(AnalysisRun, run_id).summary
    return {"rerun_new_answers": new, "rerun_seconds": round(seconds, 2), "rerun_summary": summary}
