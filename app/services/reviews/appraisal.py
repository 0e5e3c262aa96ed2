"""The options appraisal (Compete): options, weighted criteria (social value and what people said among
them), scores that each cite live evidence, the weighted result with a ±20% weight sensitivity view,
scrutiny's comments and the decision (which option, and why)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import _
from app.models.compare import (
    AppraisalComment,
    AppraisalCriterion,
    AppraisalDecision,
    AppraisalOption,
    AppraisalScore,
    CriterionKind,
)
from app.models.finding import EvidenceKind
from app.models.review import Review
from app.models.user import User
from app.services import audit
from app.services.reviews import access as review_access
from app.services.reviews import evidence
from app.services.reviews import workspace as review_workspace

MAX_SCORE = 5
SENSITIVITY = 0.2  # each weight moved by ±20%


def _text(errors: dict, field: str, value: str, label: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        errors[field] = label
    elif len(value) > limit:
        errors[field] = _("This must be {limit} characters or fewer").format(limit=f"{limit:,}")
    return value


def options(db: Session, review_id: int) -> list[AppraisalOption]:
    return list(
        db.scalars(
            select(AppraisalOption).where(AppraisalOption.review_id == review_id).order_by(AppraisalOption.id)
        )
    )


def criteria(db: Session, review_id: int) -> list[AppraisalCriterion]:
    return list(
        db.scalars(
            select(AppraisalCriterion)
            .where(AppraisalCriterion.review_id == review_id)
            .order_by(AppraisalCriterion.id)
        )
    )


def scores(db: Session, review_id: int) -> list[AppraisalScore]:
    return list(
        db.scalars(
            select(AppraisalScore)
            .options(joinedload(AppraisalScore.option), joinedload(AppraisalScore.criterion))
            .join(AppraisalOption, AppraisalOption.id == AppraisalScore.option_id)
            .where(AppraisalOption.review_id == review_id)
            .order_by(AppraisalScore.id)
        )
    )


def add_option(db: Session, review: Review, *, name: str, description: str, officer: User) -> AppraisalOption:
    review_access.require_staff(officer)
    errors: dict = {}
    name = _text(errors, "name", name, _("Name the option, for example “External provider”"), 200)
    description = _text(errors, "description", description, "", 4000, required=False)
    if errors:
        raise InvalidInput(errors)
    option = AppraisalOption(review_id=review.id, name=name, description=description)
    db.add(option)
    db.flush()
    return option


def add_criterion(
    db: Session, review: Review, *, name: str, kind: str, weight: str, officer: User
) -> AppraisalCriterion:
    review_access.require_staff(officer)
    errors: dict = {}
    name = _text(errors, "criterion_name", name, _("Name the criterion"), 200)
    try:
        chosen = CriterionKind(kind)
    except ValueError:
        errors["kind"] = _("Choose what kind of criterion this is")
    try:
        points = int(weight.strip())
        if not 1 <= points <= 100:
            raise ValueError
    except ValueError:
        errors["weight"] = _("Give the weight as a whole number from 1 to 100")
    if errors:
        raise InvalidInput(errors)
    criterion = AppraisalCriterion(review_id=review.id, name=name, kind=chosen, weight=points)
    db.add(criterion)
    db.flush()
    return criterion


def citable(db: Session, review_id: int) -> list:
    """What a score may cite: the review's evidence (not other scores)."""
    groups = review_workspace.evidence_options(db, review_id)
    return [
        (name, [o for o in opts if not o.value.startswith(f"{EvidenceKind.APPRAISAL_SCORE.value}:")])
        for name, opts in groups
    ]


def score(
    db: Session,
    review: Review,
    *,
    option_id: str,
    criterion_id: str,
    value: str,
    rationale: str,
    evidence_ref: str,
    officer: User,
) -> AppraisalScore:
    """Score an option on a criterion (a later score replaces the earlier), citing one piece of evidence."""
    review_access.require_staff(officer)
    errors: dict = {}
    option = next((o for o in options(db, review.id) if str(o.id) == option_id.strip()), None)
    criterion = next((c for c in criteria(db, review.id) if str(c.id) == criterion_id.strip()), None)
    if option is None:
        errors["option_id"] = _("Choose the option you are scoring")
    if criterion is None:
        errors["criterion_id"] = _("Choose the criterion you are scoring it on")
    try:
        points = int(value.strip())
        if not 0 <= points <= MAX_SCORE:
            raise ValueError
    except ValueError:
        errors["score"] = _("Give a score from 0 to {limit}").format(limit=MAX_SCORE)
    rationale = _text(errors, "rationale", rationale, _("Say why it scores this"), 4000)
    allowed = {o.value for _, opts in citable(db, review.id) for o in opts}
    if evidence_ref not in allowed:
        errors["evidence"] = _("Choose the evidence this score rests on")
    if errors:
        raise InvalidInput(errors)
    kind, _sep, object_id = evidence_ref.partition(":")
    view = evidence.current(db, EvidenceKind(kind), int(object_id))
    row = db.scalar(
        select(AppraisalScore).where(
            AppraisalScore.option_id == option.id, AppraisalScore.criterion_id == criterion.id
        )
    )
    if row is None:
        row = AppraisalScore(option_id=option.id, criterion_id=criterion.id)
        db.add(row)
    row.score, row.rationale, row.evidence_kind, row.evidence_id = points, rationale, kind, int(object_id)
    row.snapshot, row.scored_by_id = evidence.snapshot_of(view), officer.id
    db.flush()
    audit.record(
        db, actor_id=officer.id, action="appraisal.score", object_type="appraisal_score", object_id=row.id
    )
    return row


@dataclass(frozen=True)
class ScoredEvidence:
    score: AppraisalScore
    now: evidence.EvidenceView
    changed: bool


def scores_with_evidence(db: Session, review_id: int) -> list[ScoredEvidence]:
    result = []
    for row in scores(db, review_id):
        now = evidence.current(db, EvidenceKind(row.evidence_kind), row.evidence_id)
        result.append(ScoredEvidence(row, now, evidence.changed(row.snapshot, now)))
    return result


@dataclass(frozen=True)
class Ranked:
    option: AppraisalOption
    total: float  # weighted mean score, 0..5
    scored: int  # criteria scored, of len(criteria)


def _rank(opts, crits, table, weights) -> list[tuple[AppraisalOption, float, int]]:
    total_weight = sum(weights.values()) or 1
    ranked = []
    for option in opts:
        got = [(c, table[(option.id, c.id)]) for c in crits if (option.id, c.id) in table]
        value = sum(weights[c.id] * s for c, s in got) / total_weight
        ranked.append((option, round(value, 3), len(got)))
    return sorted(ranked, key=lambda r: (-r[1], r[0].id))


@dataclass(frozen=True)
class Sensitivity:
    criterion: AppraisalCriterion
    down: list[str]  # option names in order with the weight 20% lower
    up: list[str]
    changes: bool


@dataclass(frozen=True)
class Result:
    ranking: list[Ranked]
    sensitivity: list[Sensitivity]
    complete: bool

    @property
    def robust(self) -> bool:
        return not any(s.changes for s in self.sensitivity)


def result(db: Session, review_id: int) -> Result:
    opts, crits = options(db, review_id), criteria(db, review_id)
    table = {(s.option_id, s.criterion_id): s.score for s in scores(db, review_id)}
    weights = {c.id: float(c.weight) for c in crits}
    base = _rank(opts, crits, table, weights)
    order = [o.name for o, _, _ in base]
    sensitivity = []
    for criterion in crits:
        moved = []
        for factor in (1 - SENSITIVITY, 1 + SENSITIVITY):
            changed = {**weights, criterion.id: weights[criterion.id] * factor}
            moved.append([o.name for o, _, _ in _rank(opts, crits, table, changed)])
        sensitivity.append(Sensitivity(criterion, moved[0], moved[1], moved[0] != order or moved[1] != order))
    ranking = [Ranked(o, v, n) for o, v, n in base]
    return Result(ranking, sensitivity, bool(opts and crits) and all(r.scored == len(crits) for r in ranking))


def comments(db: Session, review_id: int) -> list[AppraisalComment]:
    return list(
        db.scalars(
            select(AppraisalComment)
            .options(joinedload(AppraisalComment.author))
            .where(AppraisalComment.review_id == review_id)
            .order_by(AppraisalComment.id)
        )
    )


def comment(db: Session, review: Review, user: User, body: str) -> AppraisalComment:
    """Anyone in the team comments; a councillor on scrutiny comments as scrutiny."""
    if not review_access.can_read(db, user, review.id):
        raise NotFound()
    errors: dict = {}
    body = _text(errors, "body", body, _("Write your comment"), 4000)
    if errors:
        raise InvalidInput(errors)
    note = AppraisalComment(
        review_id=review.id,
        author_id=user.id,
        body=body,
        is_scrutiny=review_access.can_scrutinise(db, user, review.id),
    )
    db.add(note)
    return note


def decision(db: Session, review_id: int) -> AppraisalDecision | None:
    return db.scalar(
        select(AppraisalDecision)
        .options(joinedload(AppraisalDecision.option))
        .where(AppraisalDecision.review_id == review_id)
    )


def decide(db: Session, review: Review, *, option_id: str, reason: str, officer: User) -> AppraisalDecision:
    review_access.require_staff(officer)
    if decision(db, review.id) is not None:
        raise Conflict(_("The decision on the options is already recorded."))
    errors: dict = {}
    option = next((o for o in options(db, review.id) if str(o.id) == option_id.strip()), None)
    if option is None:
        errors["decision_option"] = _("Choose the option the council chose")
    reason = _text(errors, "reason", reason, _("Say why this option was chosen"), 8000)
    if errors:
        raise InvalidInput(errors)
    outcome = result(db, review.id)
    record = AppraisalDecision(
        review_id=review.id,
        option_id=option.id,
        reason=reason,
        decided_by_id=officer.id,
        results={"ranking": [[r.option.name, r.total] for r in outcome.ranking], "robust": outcome.robust},
    )
    db.add(record)
    db.flush()
    audit.record(
        db,
        actor_id=officer.id,
        action="appraisal.decide",
        object_type="appraisal_decision",
        object_id=record.id,
    )
    return record
