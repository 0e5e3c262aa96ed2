"""Indicators chosen with users and staff: proposed, supported ("which of these matter most to you?"),
read by the team with support split by who asked, adopted by an officer with definition, source and
who asked for it. Adopted indicators are published with the review."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.i18n import N_, _
from app.models.base import utcnow
from app.models.compare import Indicator, IndicatorStatus, IndicatorSupport, ProposerType
from app.models.consultation import Consultation
from app.models.forum import Forum
from app.models.organisation import Organisation, OrganisationType
from app.models.review import Review
from app.models.user import User
from app.services import audit
from app.services.forums import visibility as forums_visibility
from app.services.reviews import access as review_access

MAX_SUPPORT = 3  # "choose up to three that matter most to you"
COUNCILLORS_DO_NOT_PROPOSE = N_("Councillors scrutinise the indicators; the people who use and work for the "
                                "service propose them.")


@dataclass(frozen=True)
class Proposal:
    indicator: Indicator
    support: dict[ProposerType, int]
    first_choices: int = 0

    @property
    def total(self) -> int:
        return sum(self.support.values())

    @property
    def asked_by_suggestion(self) -> str:
        """Who asked, in words an officer can keep: 'Proposed by carers; supported by 3 staff, ...'."""
        given = [f"{n} {_(kind.label).lower()}" for kind, n in self.support.items() if n]
        return _("Proposed by {proposer}; support: {support}").format(
            proposer=_(self.indicator.proposed_by_type.label).lower(), support=", ".join(given))


def _proposer_type(value: str) -> ProposerType:
    try:
        return ProposerType(value)
    except ValueError:
        raise InvalidInput(
            {"proposed_by_type": _("Say who you are: a service user, a carer, staff or an organisation")}
        ) from None


def _open(review: Review) -> None:
    if review.is_concluded:
        raise Conflict(_("This review is concluded; it no longer takes proposals for indicators."))


def propose(
    db: Session, review: Review, *, name: str, reason: str, proposed_by_type: str, user: User | None = None
) -> Indicator:
    """A proposal counts as its proposer's support. Councillors scrutinise indicators; they do not propose."""
    if user is not None and user.is_councillor:
        raise Forbidden(_(COUNCILLORS_DO_NOT_PROPOSE))
    _open(review)
    errors = {}
    name, reason = name.strip(), reason.strip()
    if not name:
        errors["name"] = _("Say what should be measured")
    elif len(name) > 200:
        errors["name"] = _("The indicator must be 200 characters or fewer")
    if len(reason) > 2000:
        errors["reason"] = _("Why it matters must be 2,000 characters or fewer")
    try:
        kind = _proposer_type(proposed_by_type)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    indicator = Indicator(
        review_id=review.id,
        name=name,
        reason=reason,
        proposed_by_type=kind,
        proposed_by_id=user.id if user else None,
    )
    db.add(indicator)
    db.flush()
    db.add(IndicatorSupport(indicator_id=indicator.id, supporter_type=kind))
    return indicator


def support(db: Session, review: Review, indicator_ids: list[int], supporter_type: str) -> int:
    """'Which of these matter most to you?': up to three of the review's indicators, most important first."""
    _open(review)
    errors = {}
    ids = list(indicator_ids)
    if not ids:
        errors["indicators"] = _("Choose at least one indicator that matters to you")
    elif len(set(ids)) != len(ids):
        errors["indicators"] = _("Choose each indicator once")
    elif len(ids) > MAX_SUPPORT:
        errors["indicators"] = _("Choose up to {limit} indicators").format(limit=MAX_SUPPORT)
    try:
        kind = _proposer_type(supporter_type)
    except InvalidInput as error:
        errors["supporter_type"] = error.errors["proposed_by_type"]
    if errors:
        raise InvalidInput(errors)
    known = set(
        db.scalars(select(Indicator.id).where(Indicator.review_id == review.id, Indicator.id.in_(ids)))
    )
    if known != set(ids):
        raise InvalidInput({"indicators": _("Choose indicators from the list")})
    db.add_all(IndicatorSupport(indicator_id=i, supporter_type=kind, rank=n) for n, i in enumerate(ids, 1))
    return len(ids)


def proposals(db: Session, review_id: int) -> list[Proposal]:
    """Every indicator of the review with its support by who gave it, most supported first."""
    indicators = list(
        db.scalars(select(Indicator).where(Indicator.review_id == review_id).order_by(Indicator.id))
    )
    counts = db.execute(
        select(IndicatorSupport.indicator_id, IndicatorSupport.supporter_type, func.count())
        .join(Indicator, Indicator.id == IndicatorSupport.indicator_id)
        .where(Indicator.review_id == review_id)
        .group_by(IndicatorSupport.indicator_id, IndicatorSupport.supporter_type)
    ).all()
    by_indicator: dict[int, dict[ProposerType, int]] = {}
    for indicator_id, kind, n in counts:
        by_indicator.setdefault(indicator_id, {})[ProposerType(kind)] = n
    firsts = dict(db.execute(
        select(IndicatorSupport.indicator_id, func.count())
        .join(Indicator, Indicator.id == IndicatorSupport.indicator_id)
        .where(Indicator.review_id == review_id, IndicatorSupport.rank == 1)
        .group_by(IndicatorSupport.indicator_id)).all())
    result = [
        Proposal(i, {k: by_indicator.get(i.id, {}).get(k, 0) for k in ProposerType}, firsts.get(i.id, 0))
        for i in indicators
    ]
    return sorted(result, key=lambda p: (-p.total, -p.first_choices, p.indicator.id))


def adopted(db: Session, review_id: int) -> list[Indicator]:
    return list(
        db.scalars(
            select(Indicator)
            .where(Indicator.review_id == review_id, Indicator.status == IndicatorStatus.ADOPTED)
            .order_by(Indicator.name)
        )
    )


def get_indicator(db: Session, user: User | None, indicator_id: int) -> Indicator:
    indicator = db.get(Indicator, indicator_id)
    if indicator is None or not review_access.can_read(db, user, indicator.review_id):
        raise NotFound()
    return indicator


def adopt(
    db: Session, indicator: Indicator, *, definition: str, source: str, asked_by: str, officer: User
) -> None:
    review_access.require_staff(officer)
    definition, source, asked_by = definition.strip(), source.strip(), asked_by.strip()
    errors = {}
    if not definition:
        errors["definition"] = _("Say exactly what is measured and how")
    if not source:
        errors["source"] = _("Say where the figures come from")
    if not asked_by:
        errors["asked_by"] = _("Say who asked for this indicator")
    for field, value in (("definition", definition), ("source", source), ("asked_by", asked_by)):
        if len(value) > 2000:
            errors[field] = _("This must be 2,000 characters or fewer")
    if errors:
        raise InvalidInput(errors)
    indicator.definition, indicator.source, indicator.asked_by = definition, source, asked_by
    if not indicator.is_adopted:
        indicator.status, indicator.adopted_at, indicator.adopted_by_id = (
            IndicatorStatus.ADOPTED,
            utcnow(),
            officer.id,
        )
    audit.record(
        db,
        actor_id=officer.id,
        action="indicator.adopt",
        object_type="review_indicator",
        object_id=indicator.id,
    )



def answer(db: Session, review: Review, *, indicator_ids: list[int], suggestion: str, reason: str,
           supporter_type: str) -> int:
    """The public question 'Which of these matter most to you?': up to three ranked, and/or a suggestion.

    Returns how many indicators the answer counted for (chosen plus suggested)."""
    _open(review)
    suggestion, reason = suggestion.strip(), reason.strip()
    ids = list(indicator_ids)
    errors = {}
    if supporter_type not in {k.value for k in ProposerType}:
        errors["supporter_type"] = _("Say who you are: you use the service, care for someone, work for it, "
                                     "or answer for an organisation")
    if not ids and not suggestion:
        errors["indicators"] = _("Choose what matters most to you, or suggest something to measure")
    elif len(set(ids)) != len(ids):
        errors["indicators"] = _("Choose each indicator once")
    elif len(ids) > MAX_SUPPORT:
        errors["indicators"] = _("Choose up to {limit} indicators").format(limit=MAX_SUPPORT)
    if len(suggestion) > 200:
        errors["suggestion"] = _("Your suggestion must be 200 characters or fewer")
    if len(reason) > 2000:
        errors["reason"] = _("Why it matters must be 2,000 characters or fewer")
    if errors:
        raise InvalidInput(errors)
    counted = support(db, review, ids, supporter_type) if ids else 0
    if suggestion:
        propose(db, review, name=suggestion, reason=reason, proposed_by_type=supporter_type)
        counted += 1
    return counted


# Proposed from a review's forum (decision 0103) ---------------------------------------------------

WORKS_FOR_THE_SERVICE = (OrganisationType.COUNCIL_SERVICE, OrganisationType.TRADE_UNION)


def forum_proposer_type(db: Session, user: User) -> ProposerType:
    """Who a forum member proposes as: council staff, and members of a council service or a trade
    union, as staff; members of any other organisation as an organisation; anyone else as a resident."""
    if user.is_staff:
        return ProposerType.STAFF
    if user.organisation_id is None:
        return ProposerType.RESIDENT
    kind = db.scalar(select(Organisation.type).where(Organisation.id == user.organisation_id))
    return ProposerType.STAFF if kind in WORKS_FOR_THE_SERVICE else ProposerType.ORGANISATION


def propose_from_forum(db: Session, forum_id: int, user: User, *, name: str, reason: str) -> Indicator:
    """A member of a review's forum proposes an indicator for the review, counted as their
    organisation type. In an anonymous forum the proposal, like the posts, names nobody."""
    forum = forums_visibility.get_forum(db, user, forum_id)  # 404 for those who cannot read it
    if forum.review_id is None:
        raise NotFound()
    if user.is_councillor:
        raise Forbidden(_(COUNCILLORS_DO_NOT_PROPOSE))
    if not forum.is_open:
        raise Conflict(_("This forum is closed, so it no longer takes proposals."))
    if not forums_visibility.can_post(user, forum):
        raise Forbidden(_("Only members of this forum can propose indicators from it."))
    review = db.get(Review, forum.review_id)
    indicator = propose(db, review, name=name, reason=reason,
                        proposed_by_type=forum_proposer_type(db, user).value,
                        user=None if forum.is_anonymous else user)
    indicator.forum_id = forum.id
    audit.record(db, actor_id=None if forum.is_anonymous else user.id, action="indicator.propose_from_forum",
                 object_type="review_indicator", object_id=indicator.id)
    db.flush()
    return indicator


def origins(db: Session, review_id: int) -> dict[int, tuple[str, str, str]]:
    """Where each indicator proposed outside the review's pages came from: (words, title, link)."""
    found = {}
    for indicator_id, forum_id, title in db.execute(
            select(Indicator.id, Forum.id, Forum.title).join(Forum, Forum.id == Indicator.forum_id)
            .where(Indicator.review_id == review_id)):
        found[indicator_id] = (N_("in the forum"), title, f"/forums/{forum_id}")
    for indicator_id, consultation_id, title in db.execute(
            select(Indicator.id, Consultation.id, Consultation.title)
            .join(Consultation, Consultation.id == Indicator.consultation_id)
            .where(Indicator.review_id == review_id)):
        link = f"/officer/consultations/{consultation_id}"
        found[indicator_id] = (N_("answering the consultation"), title, link)
    return found


def forum_proposals(db: Session, forum_id: int) -> list[Indicator]:
    """The indicators proposed from a forum, newest first (shown on the forum's proposal page)."""
    return list(db.scalars(select(Indicator).where(Indicator.forum_id == forum_id)
                           .order_by(Indicator.id.desc())))
