"""Petition work outside requests: thresholds, answers to signers, invalidations, closing, anonymising."""

import atexit
import contextlib
import logging
import threading

from huey import crontab
from sqlalchemy import select

from app.config import get_settings
from app.jobs import database, queue
from app.jobs.email import send_email
from app.models.petition import Petition, PetitionState
from app.services.petitions import anonymisation as petitions_anonymisation
from app.services.petitions import invalidation as petitions_invalidation
from app.services.petitions import moderation as petitions_moderation
from app.services.petitions.thresholds import check_thresholds, notify_signers

logger = logging.getLogger(__name__)


@queue.task(retries=3, retry_delay=10)
def check_petition_thresholds(petition_id: int) -> list[str]:
    with database().transaction() as db:
        return check_thresholds(db, petition_id, base_url=get_settings().base_url)


@queue.task(retries=3, retry_delay=30)
def notify_signers_of_answer(petition_id: int, kind: str) -> int:
    base_url = get_settings().base_url
    with database().transaction() as db:
        petition = db.get(Petition, petition_id)
        if petition is None:
            return 0
        answer = petition.response_text if kind == "response" else petition.debate_outcome
        return notify_signers(db, petition, base_url, "petition_answered", kind=kind, answer=answer)


@queue.task(retries=3, retry_delay=30)
def run_invalidation(invalidation_id: int) -> int:
    with database().transaction() as db:
        return petitions_invalidation.run(db, invalidation_id)


@queue.task(retries=3, retry_delay=30)
def undo_invalidation(invalidation_id: int) -> int:
    with database().transaction() as db:
        return petitions_invalidation.undo(db, invalidation_id)


@queue.periodic_task(crontab(minute="*/10"))
def close_petitions_and_sweep_thresholds() -> None:
    """Close petitions whose time is up; re-check thresholds in case a job was lost."""
    with database().transaction() as db:
        petitions_moderation.close_expired(db)
        active = list(
            db.scalars(
                select(Petition.id).where(Petition.state.in_([PetitionState.VALIDATED, PetitionState.OPEN]))
            )
        )
    for petition_id in active:
        check_petition_thresholds(petition_id)


@queue.periodic_task(crontab(hour="3", minute="30"))
def anonymise_finished_petitions() -> int:
    with database().transaction() as db:
        return petitions_anonymisation.anonymise_due(db)


@queue.task()
def send_emails(email_ids: list[int]) -> None:
    """A batch of outbox emails in one job; one that fails goes on to its own retrying job."""
    for email_id in email_ids:
        try:
            send_email.call_local(email_id)
        except Exception:
            logger.exception("email %s failed in its batch; retrying it in a job of its own", email_id)
            send_email(email_id)


class EmailBatches:
    """Committed outbox ids, handed to the queue as one job every `delay` seconds per process.

    Signing then costs no queue round trip. Ids still waiting when a process dies are not lost:
    the rows are in the outbox, and the email sweep sends whatever is still queued.
    """

    def __init__(self, delay: float = 0.5):
        self.delay = delay
        self._ids: list[int] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, email_id: int) -> None:
        if queue.immediate:
            send_email(email_id)
            return
        with self._lock:
            self._ids.append(email_id)
            if self._timer is None:
                self._timer = threading.Timer(self.delay, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            ids, self._ids, self._timer = self._ids, [], None
        if ids:
            with contextlib.suppress(Exception):  # the sweep sends them if the queue is down
                send_emails(ids)


email_batches = EmailBatches()
atexit.register(email_batches.flush)
