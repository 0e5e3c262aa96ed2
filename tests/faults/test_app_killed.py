"""The app process is SIGKILLed while residents are submitting, then started again.

A real uvicorn process on a fresh database takes consultation responses (JSON API, each with its
idempotency key) and petition signatures (the HTML form, each with its email) from concurrent
clients; it is killed mid-load. Afterwards every submission that got a success answer is stored,
and every one that did not (refused connection, cut-off answer) succeeds when retried with the
same key or email, without a second row: exactly one row per person.
"""

import itertools
import json
import threading
import time

import httpx
from sqlalchemy import func, select, text

from app.models.consultation_response import Response
from app.models.petition import PetitionSignature
from tests.faults.data import prepare
from tests.faults.processes import App, form_session

CLIENTS_EACH = 4  # concurrent residents answering, and as many signing
KILL_AFTER_SUCCESSES = 40


class Load:
    """Residents answering and signing at once; each remembers what it sent and what came back."""

    def __init__(self, app: App, prepared: dict):
        self.app, self.prepared = app, prepared
        self.numbers = itertools.count(1)
        self.outcomes: dict[tuple[str, int], bool] = {}  # (kind, n) -> acknowledged?
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def successes(self) -> int:
        with self.lock:
            return sum(self.outcomes.values())

    def answer(self, client: httpx.Client, n: int) -> bool:
        consultation_id = self.prepared["consultation_id"]
        body = {"idempotency_key": f"fault-{n}", "respondent_type": "resident",
                "answers": {str(self.prepared["question_id"]): f"Open on Saturdays, please ({n})."}}
        response = client.post(f"{self.app.url}/api/v1/consultations/{consultation_id}/responses",
                               json=body, headers={"Authorization": f"Bearer {self.prepared['token']}"})
        return response.status_code in (200, 201) and bool(response.json().get("reference"))

    def sign(self, client: httpx.Client, n: int, token: str) -> bool:
        response = client.post(
            f"{self.app.url}/petitions/{self.prepared['petition_id']}/signatures",
            data={"name": f"Signer {n}", "email": f"signer{n}@fault.example", "location": "RV1 2AB",
                  "consent": "1", "csrf_token": token},
            headers={"X-Forwarded-For": f"10.9.{n // 250}.{n % 250 + 1}"})
        return response.status_code == 303 and response.headers["location"].endswith("/signed")

    def run_client(self, kind: str) -> None:
        with httpx.Client(timeout=10) as client:
            try:
                token = form_session(client, f"{self.app.url}/petitions/{self.prepared['petition_id']}")
            except httpx.HTTPError:
                return  # the app was killed before this person had the form open: nothing was sent
            while not self.stop.is_set():
                n = next(self.numbers)
                try:
                    ok = self.answer(client, n) if kind == "answer" else self.sign(client, n, token)
                except (httpx.HTTPError, ValueError):
                    ok = False  # refused, cut off, or a body that is not the answer's JSON: no confirmation
                with self.lock:
                    self.outcomes[(kind, n)] = ok
                if not ok:
                    return  # a person who saw an error stops and tries again later


def _count(database, prepared) -> dict:
    with database.transaction(write=False) as db:
        keys = db.execute(select(Response.idempotency_key, func.count()).where(
            Response.consultation_id == prepared["consultation_id"]).group_by(Response.idempotency_key)).all()
        emails = db.execute(select(PetitionSignature.email, func.count()).where(
            PetitionSignature.petition_id == prepared["petition_id"],
            PetitionSignature.email.like("%@fault.example")).group_by(PetitionSignature.email)).all()
    return {"answer": {int(k.removeprefix("fault-")): c for k, c in keys},
            "sign": {int(e.removeprefix("signer").split("@")[0]): c for e, c in emails}}


def test_killed_app_loses_no_acknowledged_submission_and_retries_make_no_duplicates(
        committed_database, tmp_path):
    prepared = prepare(committed_database)
    app = App(committed_database.url, tmp_path)
    load = Load(app, prepared)
    clients = [threading.Thread(target=load.run_client, args=(kind,), daemon=True)
               for kind in ("answer", "sign") for _ in range(CLIENTS_EACH)]
    try:
        for client in clients:
            client.start()
        deadline = time.monotonic() + 60
        while load.successes() < KILL_AFTER_SUCCESSES:
            assert time.monotonic() < deadline, f"no load got through:\n{app.log_tail()}"
            time.sleep(0.01)
        app.kill()  # mid-load: requests are in flight on every client
        load.stop.set()
        for client in clients:
            client.join(timeout=30)
    finally:
        app.stop()
    outcomes = dict(load.outcomes)
    unacknowledged = [key for key, ok in outcomes.items() if not ok]
    assert unacknowledged, "the kill came after every request had been answered: nothing was tested"

    stored = _count(committed_database, prepared)
    for (kind, n), ok in outcomes.items():
        if ok:
            assert stored[kind].get(n) == 1, f"{kind} {n} was acknowledged but is not stored once"
    # Stored, but the answer never reached the person: the retry must find it, not add another.
    stored_unanswered = sum(1 for kind, n in unacknowledged if n in stored[kind])

    restarted = App(committed_database.url, tmp_path, port=app.port)
    try:
        with httpx.Client(timeout=30) as client:
            token = form_session(client, f"{restarted.url}/petitions/{prepared['petition_id']}")
            retry = Load(restarted, prepared)
            for kind, n in unacknowledged:
                ok = retry.answer(client, n) if kind == "answer" else retry.sign(client, n, token)
                assert ok, f"retrying {kind} {n} after the restart failed:\n{restarted.log_tail()}"
    finally:
        restarted.stop()

    stored = _count(committed_database, prepared)
    for kind in ("answer", "sign"):
        sent = sorted(n for k, n in outcomes if k == kind)
        assert sorted(stored[kind]) == sent, f"{kind}: stored rows do not match what was sent"
        assert set(stored[kind].values()) == {1}, f"{kind}: a retry made a duplicate"
    if committed_database.is_sqlite:
        with committed_database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    print(json.dumps({"sent": len(outcomes), "acknowledged": len(outcomes) - len(unacknowledged),
                      "retried": len(unacknowledged), "stored_but_unanswered": stored_unanswered}))
