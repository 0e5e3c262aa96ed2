"""Free-text search over 100,000 responses: the officer's results-page search, indexed and not.

    python -m bench consultations_search --database URL [--stored 100000] [--repeats 40]

Builds the benchmark consultation of `bench consultations` (10 questions), bulk-loads `--stored`
complete responses whose long answers are varied sentences (a common word in about a quarter of
them, a rare street name in 1 in 1,000, a two-letter word), then times
`consultations_results.free_text` in-process for several searches (page 1, and page 3 filtered by
respondent type), p50/p95 over `--repeats`. Each search is also timed the way it was done before
the index (the same ILIKE, with the index bypassed) so the two can be compared on the same data.
The last stdout line is the JSON summary (also written to bench/results/consultations_search.json).
"""

import argparse
import json
import os
import random
import time
from pathlib import Path

from bench import consultations as base
from bench.common import save_per_database

RESULTS = Path(__file__).resolve().parent / "results" / "consultations_search.json"
WORDS = ["visits", "carers", "morning", "evening", "late", "early", "kind", "patient", "team", "mother",
         "father", "plan", "care", "home", "service", "council", "staff", "weekend", "rota", "medication",
         "meals", "shopping", "bath", "garden", "neighbour", "bus", "library", "quiet", "loud", "clean",
         "safe", "money", "cost", "week", "month", "year", "time", "trust", "change", "keep"]
SEARCHES = {"common word": "rushed", "rare name": "Wexcombe", "absent": "zzqxv", "phrase": "care plan",
            "two letters": "ok"}


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 24))
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words)), "rushed")
    if rng.random() < 0.001:
        words.insert(rng.randrange(len(words)), "Wexcombe Road")
    if rng.random() < 0.05:
        words.append("ok")
    return " ".join(words).capitalize() + "."


def _fill(url: str, prepared: dict, stored: int) -> float:
    from sqlalchemy import insert

    from app.db import Database
    from app.models.base import utcnow
    from app.models.consultation_response import Answer, Response
    from app.services.consultations import answering, rules

    started = time.perf_counter()
    database = Database(url)
    rng = random.Random(5)
    consultation_id = prepared["consultation_id"]
    with database.transaction(write=False) as db:
        form = answering.load_form(db, consultation_id)
    long_ids = {str(q.id) for q in form.questions if q.kind == "long_text"}
    for start in range(0, stored, 2000):
        with database.transaction() as db:
            rows = [{"consultation_id": consultation_id, "reference": f"S{consultation_id}-{n}",
                     "idempotency_key": f"search-{consultation_id}-{n}",
                     "respondent_type": rng.choice(["resident", "service_user", "carer", "staff"]),
                     "channel": "online", "is_panel": False, "organisation_name": "", "submitted_at": utcnow()}
                    for n in range(start, min(stored, start + 2000))]
            ids = db.execute(insert(Response).returning(Response.id), rows).scalars().all()
            answers = []
            for response_id in ids:
                clean = base._answers(prepared["questions"], rng)
                clean.update({key: _sentence(rng) for key in long_ids})
                answers += [{"response_id": response_id, "question_id": r.question_id,
                             "value_text": r.value_text, "option_index": r.option_index, "number": r.number}
                            for r in rules.answer_rows(form.questions, clean)]
            db.execute(insert(Answer), answers)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    database.dispose()
    return time.perf_counter() - started


class _WithoutIndex:
    """The search as it was: ILIKE alone, newest response first, with the index bypassed (the
    expression `value_text || ''` is one no index covers)."""

    def __enter__(self):
        from app.models.consultation_response import Answer
        from app.services.consultations import search

        self.saved = search.searched, search.newest_first

        def searched(db, statement, term):
            term = search.clean_term(term)
            return statement.where((Answer.value_text + "").ilike(f"%{search.escape_like(term)}%", escape="\\"))

        search.searched, search.newest_first = searched, lambda db, term: Answer.response_id.desc()
        return self

    def __exit__(self, *exc):
        from app.services.consultations import search

        search.searched, search.newest_first = self.saved


def _time(database, question_id: int, term: str, respondent_type: str, page: int, repeats: int) -> dict:
    """Wall-clock p50/p95, and this process's CPU p50 (on SQLite the whole query runs in-process, so
    that figure holds however loaded the machine is; on PostgreSQL it is the client's share only)."""
    from app.services.consultations import results

    timings, cpu, total = [], [], 0
    for _ in range(repeats + 2):
        with database.transaction(write=False) as db:
            started, cpu_started = time.perf_counter(), time.process_time()
            found = results.free_text(db, question_id, search=term, respondent_type=respondent_type, page=page)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            total = found.total
    timings, cpu = sorted(timings[2:]), sorted(cpu[2:])
    return {"p50_ms": round(1000 * timings[len(timings) // 2], 1),
            "p95_ms": round(1000 * timings[max(0, int(len(timings) * 0.95) - 1)], 1),
            "cpu_p50_ms": round(1000 * cpu[len(cpu) // 2], 1), "matches": total}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench consultations_search")
    parser.add_argument("--database", required=True, help="sqlite:///path or postgresql://…")
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--question", type=int, metavar="QUESTION_ID",
                        help="only time the searches on a long-text question an earlier run filled")
    args = parser.parse_args(argv)

    from app.db import Database

    if args.question:
        question_id, load_s = args.question, 0.0
    else:
        prepared = base._prepare(args.database)
        load_s = _fill(args.database, prepared, args.stored)
        question_id = next(qid for qid, kind, _options in prepared["questions"] if kind == "long_text")
        print(f"filled in {load_s:.0f} s; question {question_id}", flush=True)
    database = Database(args.database)
    found = {}
    for label, term in SEARCHES.items():
        for filtered in (False, True):
            name = f"{label}{' + carer, page 3' if filtered else ''} ({term!r})"
            rtype, page = ("carer", 3) if filtered else ("", 1)
            now = _time(database, question_id, term, rtype, page, args.repeats)
            with _WithoutIndex():
                before = _time(database, question_id, term, rtype, page, max(5, args.repeats // 4))
            assert now["matches"] == before["matches"], (name, now, before)
            found[name] = {"indexed": now, "without_index": before}
            print(f"{name:45} indexed p50/p95 {now['p50_ms']:6.1f}/{now['p95_ms']:6.1f} ms "
                  f"(cpu {now['cpu_p50_ms']:6.1f})  without {before['p50_ms']:6.1f}/{before['p95_ms']:6.1f} ms "
                  f"(cpu {before['cpu_p50_ms']:6.1f})  {now['matches']} matches", flush=True)
    database.dispose()
    worst = max(item["indexed"]["p95_ms"] for item in found.values())
    summary = {"benchmark": "consultations_search", "database": args.database.split(":")[0],
               "stored": args.stored, "load_average": round(os.getloadavg()[0], 2), "fill_s": round(load_s, 1), "worst_p95_ms": worst, "searches": found}
    save_per_database(RESULTS, summary["database"], summary)
    print(json.dumps(summary))
    return 0
