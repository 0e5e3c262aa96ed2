"""Results while a consultation runs: aggregate queries only (no query per response, no full lists).

Every chart is one GROUP BY over the answer index (question_id, option_index, number); free text is
paginated. Equalities answers never appear here: they live in their own table and export.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models.consultation import (
    CHANNEL_LABELS,
    RESPONDENT_TYPE_LABELS,
    Channel,
    Consultation,
    Question,
    QuestionKind,
    RespondentType,
)
from app.models.consultation_response import Answer, Response
from app.models.organisation import Organisation
from app.services.consultations import search as search_index
from app.services.consultations import tallies
from app.services.consultations.local_time import local_days

PAGE_SIZE = 20
COUNT_CAP = 1_000
TIMELINE_DAYS = 60


@dataclass
class Bar:
    label: str
    count: int
    percent: float = 0.0


@dataclass
class RankedItem:
    label: str
    mean_rank: float
    borda: int
    first_choices: int


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    ranking: list[RankedItem] = field(default_factory=list)


@dataclass
class Summary:
    total: int
    by_type: list[Bar]
    by_channel: list[Bar]
    panel: int
    timeline: list[Bar]
    questions: list[QuestionResult]


def _with_percent(bars: list[Bar], total: int) -> list[Bar]:
    for bar in bars:
        bar.percent = round(100 * bar.count / total, 1) if total else 0.0
    return bars


def summary(db: Session, consultation: Consultation, *, public: bool = False) -> Summary:
    """Everything the results page charts, from tallies plus the newest responses (always exact)."""
    counts = tallies.current_counts(db, consultation)
    type_counts: dict[str, int] = defaultdict(int)
    channel_counts: dict[str, int] = defaultdict(int)
    panel = 0
    for (respondent_type, channel, is_panel), n in counts.types.items():
        type_counts[respondent_type] += n
        channel_counts[channel] += n
        panel += n if is_panel else 0
    total = sum(type_counts.values())
    by_type = _with_percent([Bar(_(RESPONDENT_TYPE_LABELS[t]), type_counts[t.value]) for t in RespondentType],
                            total)
    by_channel = _with_percent([Bar(_(CHANNEL_LABELS[c]), channel_counts[c.value]) for c in Channel
                                if channel_counts[c.value]], total)
    days = local_days(counts.hours)
    timeline = [Bar(day, days[day]) for day in sorted(days)[-TIMELINE_DAYS:]]
    questions = question_results(consultation.questions, counts)
    return Summary(total, by_type, by_channel, panel, timeline, questions)


def question_results(questions: list[Question], counts: tallies.Counts) -> list[QuestionResult]:
    cells: dict[int, list[tuple[int | None, int | None, int]]] = defaultdict(list)
    for (question_id, option_index, number), n in counts.cells.items():
        cells[question_id].append((option_index, number, n))
    found = []
    for question in questions:
        result = QuestionResult(question, answered=counts.answered.get(question.id, 0))
        if question.kind.has_options:
            _fill(result, cells[question.id])
        found.append(result)
    return found


def _fill(result: QuestionResult, cells: list[tuple[int | None, int | None, int]]) -> None:
    question = result.question
    answered = result.answered
    options = question.options
    if question.kind in (QuestionKind.RANKING, QuestionKind.INDICATORS):
        result.ranking = ranking_scores(options, cells)  # an indicators suggestion has no option: skipped
        return
    counts = [0] * len(options)
    for option_index, _number, n in cells:
        if option_index is not None and 0 <= option_index < len(options):
            counts[option_index] += n
    result.bars = _with_percent([Bar(label, n) for label, n in zip(options, counts, strict=True)], answered)
    if question.kind == QuestionKind.RATING and answered:
        result.mean = round(sum((i + 1) * n for i, n in enumerate(counts)) / answered, 2)


def ranking_scores(options: list[str], cells: list[tuple[int, int | None, int]]) -> list[RankedItem]:
    """Mean rank (lower is more important) and Borda points (n - rank per ballot), best first."""
    size = len(options)
    rank_sum, ranked, borda, firsts = [0] * size, [0] * size, [0] * size, [0] * size
    for option_index, rank, n in cells:
        if option_index is None or rank is None or not 0 <= option_index < size:
            continue
        rank_sum[option_index] += rank * n
        ranked[option_index] += n
        borda[option_index] += (size - rank) * n
        firsts[option_index] += n if rank == 1 else 0
    items = [RankedItem(label, round(rank_sum[i] / ranked[i], 2) if ranked[i] else 0.0, borda[i], firsts[i])
             for i, label in enumerate(options)]
    return sorted(items, key=lambda item: (-item.borda, item.mean_rank or size + 1))


@dataclass
class FreeTextPage:
    rows: list
    total: int
    page: int
    pages: int
    capped: bool = False


def free_text(db: Session, question_id: int, *, respondent_type: str = "", search: str = "",
              page: int = 1, known_total: int | None = None) -> FreeTextPage:
    """One page of free-text answers (newest first), filterable by respondent type and words.

    Unfiltered, the total is the tally's exact count (`known_total`); filtered, counting stops at
    COUNT_CAP ("more than 1,000") so a broad filter over 100,000 answers stays cheap.
    """
    conditions = [Answer.question_id == question_id]
    by_type = respondent_type in RespondentType.__members__.values()
    if by_type:
        conditions.append(Response.respondent_type == respondent_type)
    searching = bool(search_index.clean_term(search))

    def narrowed(statement):
        statement = statement.where(*conditions)
        return search_index.searched(db, statement, search) if searching else statement

    if known_total is not None and not by_type and not searching:
        total = known_total
    else:
        base = select(Answer.id)
        if by_type:
            base = base.join(Response, Response.id == Answer.response_id)
        capped = narrowed(base).limit(COUNT_CAP + 1).subquery()
        total = db.scalar(select(func.count()).select_from(capped)) or 0
    pages = max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE))
    page = min(max(1, page), pages)
    order = search_index.newest_first(db, search) if searching else Answer.response_id.desc()
    rows = db.execute(narrowed(
        select(Answer.value_text, Response.reference, Response.respondent_type, Response.channel,
               Response.submitted_at, Response.organisation_name)
        .join(Response, Response.id == Answer.response_id))
        .order_by(order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return FreeTextPage(rows, total, page, pages, capped=total > COUNT_CAP and known_total != total)


def reference_exists(db: Session, consultation_id: int, reference: str) -> bool:
    return db.scalar(select(Response.id).where(Response.reference == reference,
                                               Response.consultation_id == consultation_id)) is not None


# The seam for analysis and the review workspace -------------------------------------------------

@dataclass(frozen=True)
class FreeTextAnswer:
    """A free-text answer with who said it (never equalities data) and their stance, if asked."""

    answer_id: int
    response_id: int
    text: str
    respondent_type: str
    channel: str
    is_panel: bool
    organisation_type: str | None
    stance: str | None


def stance_question(db: Session, question: Question) -> Question | None:
    """The nearest closed question (single choice or rating) before this one, if any."""
    earlier = db.scalars(select(Question).where(
        Question.consultation_id == question.consultation_id,
        Question.kind.in_([QuestionKind.SINGLE_CHOICE, QuestionKind.RATING]),
    ).order_by(Question.page, Question.position, Question.id)).all()
    here = (question.page, question.position, question.id)
    before = [q for q in earlier if (q.page, q.position, q.id) < here]
    return before[-1] if before else None


def free_text_answers(db: Session, question_id: int, *, stance_question_id: int | None = None,
                      limit: int | None = None) -> list[FreeTextAnswer]:
    """Every non-empty answer to a free-text question, in response order, for analysis."""
    question = db.get(Question, question_id)
    if question is None or not question.kind.is_text:
        return []
    if stance_question_id is None:
        found = stance_question(db, question)
        stance_question_id = found.id if found else None
    stance = select(Answer.response_id, Answer.value_text).where(
        Answer.question_id == (stance_question_id or -1)).subquery()
    statement = (
        select(Answer.id, Answer.response_id, Answer.value_text, Response.respondent_type, Response.channel,
               Response.is_panel, Organisation.type, stance.c.value_text)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(Organisation, Organisation.id == Response.organisation_id)
        .outerjoin(stance, stance.c.response_id == Answer.response_id)
        .where(Answer.question_id == question_id, Answer.value_text != "")
        .order_by(Answer.response_id)
    )
    if limit:
        statement = statement.limit(limit)
    return [FreeTextAnswer(a_id, r_id, text, str(rtype), str(channel), bool(panel),
                           org_type.value if org_type else None, stance_text)
            for a_id, r_id, text, rtype, channel, panel, org_type, stance_text in db.execute(statement)]
