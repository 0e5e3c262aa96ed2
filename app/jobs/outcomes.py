"""'You said, we did' published: everyone who opted in is told, in batches, through the outbox."""

from app.config import get_settings
from app.job_queue import enqueue_after_commit
from app.jobs import database, queue
from app.services.reviews import outcomes


@queue.task(retries=3, retry_delay=30)
def tell_contributors(consultation_id: int) -> int:
    """One batch; while people are still to be told, the next batch is enqueued after this commits."""
    settings = get_settings()
    with database().transaction() as db:
        remaining = outcomes.send_results_batch(db, consultation_id, base_url=settings.base_url,
                                                secret=settings.secret_key)
        if remaining:
            enqueue_after_commit(db, "outcomes.tell_contributors", consultation_id)
    return remaining
