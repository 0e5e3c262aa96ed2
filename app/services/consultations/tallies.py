"""Counts behind the results pages: folded tallies plus a live aggregate of what came since.

`current_counts` is always exact: the folded tallies (responses with id <= folded_up_to) plus the
same GROUP BY queries restricted to newer responses (a short range on the primary key).
`fold` runs in the worker every minute. It folds only up to the highest id it saw on its previous
run, so a response whose transaction took an id earlier but committed later is never skipped.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.models.base import utcnow
from app.models.consultation import Consultation, ConsultationState, Question
from app.models.consultation_response import Answer, Response
from app.models.consultation_tally import ResultsMark, ResultsTally


@dataclass
class Counts:
    types: dict[tuple[str, str, bool], int] = field(default_factory=lambda: defaultdict(int))
    hours: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # "YYYY-MM-DD HH", UTC
    cells: dict[tuple[int, int | None, int | None], int] = field(default_factory=lambda: defaultdict(int))
    answered: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: "Counts") -> "Counts":
        for mine, theirs in ((self.types, other.types), (self.hours, other.hours),
                             (self.cells, other.cells), (self.answered, other.answered)):
            for key, n in theirs.items():
                mine[key] += n
        return self


def _utc_hour(db: Session, column):
    """Counted per UTC hour, so the results page can show days as the council's clock has them
    (a response at 23:30 UTC in summer belongs to the next day in the UK)."""
    if db.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.substr(column, 1, 13)


def aggregate(db: Session, consultation_id: int, questions: list[Question], *, after: int = 0,
              up_to: int | None = None) -> Counts:
    """GROUP BY queries over responses with after < id (<= up_to)."""
    counts = Counts()
    in_range = [Response.consultation_id == consultation_id, Response.id > after]
    answer_range = [Answer.response_id > after]
    if up_to is not None:
        in_range.append(Response.id <= up_to)
        answer_range.append(Answer.response_id <= up_to)
    for rtype, channel, panel, n in db.execute(
            select(Response.respondent_type, Response.channel, Response.is_panel, func.count())
            .where(*in_range).group_by(Response.respondent_type, Response.channel, Response.is_panel)):
        counts.types[(str(rtype), str(channel), bool(panel))] += n
    if not counts.types:
        return counts
    hour = _utc_hour(db, Response.submitted_at).label("hour")
    for value, n in db.execute(select(hour, func.count()).where(*in_range).group_by(hour)):
        counts.hours[str(value)] += n
    choice_ids = [q.id for q in questions if q.kind.has_options]
    if choice_ids:
        for qid, option_index, number, n in db.execute(
                select(Answer.question_id, Answer.option_index, Answer.number, func.count())
                .where(Answer.question_id.in_(choice_ids), *answer_range)
                .group_by(Answer.question_id, Answer.option_index, Answer.number)):
            counts.cells[(qid, option_index, number)] += n
    if questions:
        for qid, n in db.execute(select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
                                 .where(Answer.question_id.in_([q.id for q in questions]), *answer_range)
                                 .group_by(Answer.question_id)):
            counts.answered[qid] += n
    return counts


def _load_tallies(db: Session, consultation_id: int) -> tuple[Counts, int, int]:
    counts = Counts()
    mark = db.execute(select(ResultsMark.folded_up_to, ResultsMark.seen_max)
                      .where(ResultsMark.consultation_id == consultation_id)).first()
    if mark is None:
        return counts, 0, 0
    for dimension, qid, key, n in db.execute(
            select(ResultsTally.dimension, ResultsTally.question_id, ResultsTally.key, ResultsTally.count)
            .where(ResultsTally.consultation_id == consultation_id)):
        if dimension == "type":
            rtype, channel, panel = key.split("|")
            counts.types[(rtype, channel, panel == "1")] += n
        elif dimension == "hour":
            counts.hours[key] += n
        elif dimension == "cell":
            option, number = key.split("|")
            counts.cells[(qid, int(option) if option else None, int(number) if number else None)] += n
        else:
            counts.answered[qid] += n
    return counts, mark.folded_up_to, mark.seen_max


def current_counts(db: Session, consultation: Consultation) -> Counts:
    folded, folded_up_to, _seen = _load_tallies(db, consultation.id)
    return folded.add(aggregate(db, consultation.id, consultation.questions, after=folded_up_to))


def _rows(consultation_id: int, counts: Counts) -> list[dict]:
    def row(dimension, key, n, question_id=0):
        return {"consultation_id": consultation_id, "dimension": dimension, "question_id": question_id,
                "key": key, "count": n}

    rows = [row("type", f"{t}|{c}|{int(p)}", n) for (t, c, p), n in counts.types.items()]
    rows += [row("hour", hour, n) for hour, n in counts.hours.items()]
    rows += [row("cell", f"{'' if o is None else o}|{'' if m is None else m}", n, q)
             for (q, o, m), n in counts.cells.items()]
    rows += [row("answered", "", n, q) for q, n in counts.answered.items()]
    return rows


def fold(db: Session, consultation_id: int) -> int:
    """Fold responses up to the id seen on the previous run; returns how many were folded."""
    questions = list(db.scalars(select(Question).where(Question.consultation_id == consultation_id)))
    folded, folded_up_to, seen_max = _load_tallies(db, consultation_id)
    newest = db.scalar(select(func.max(Response.id)).where(Response.consultation_id == consultation_id)) or 0
    if seen_max == 0 and folded_up_to == 0:
        db.execute(delete(ResultsMark).where(ResultsMark.consultation_id == consultation_id))
        db.add(ResultsMark(consultation_id=consultation_id, folded_up_to=0, seen_max=newest))
        db.flush()
        return 0
    target = max(folded_up_to, seen_max)
    claimed = db.execute(update(ResultsMark).where(
        ResultsMark.consultation_id == consultation_id, ResultsMark.folded_up_to == folded_up_to,
    ).values(folded_up_to=target, seen_max=newest, updated_at=utcnow()))
    if claimed.rowcount != 1 or target == folded_up_to:
        return 0  # another fold got there first, or nothing new
    delta = aggregate(db, consultation_id, questions, after=folded_up_to, up_to=target)
    folded.add(delta)
    db.execute(delete(ResultsTally).where(ResultsTally.consultation_id == consultation_id))
    rows = _rows(consultation_id, folded)
    if rows:
        db.execute(insert(ResultsTally), rows)
    return sum(delta.types.values())


def consultations_to_fold(db: Session) -> list[int]:
    return list(db.scalars(select(Consultation.id).where(Consultation.state != ConsultationState.DRAFT)))
