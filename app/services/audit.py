"""Record an audited action in the caller's transaction."""

from sqlalchemy.orm import Session

from app.models.audit import AuditEvent


def record(
    db: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    **detail,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id, action=action, object_type=object_type, object_id=object_id, detail=detail
    )
    db.add(event)
    return event
