"""Forum email digests: every hour, one email per follower with the new posts in the threads
they follow (never one email per post)."""

from huey import crontab

from app.config import get_settings
from app.jobs import database, queue
from app.services.forums import notifications as forums_notifications


@queue.periodic_task(crontab(minute="7"))
def send_forum_digests() -> int:
    with database().transaction() as db:
        return forums_notifications.send_digests(db, get_settings().base_url)
