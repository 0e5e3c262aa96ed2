"""Exports that stream: one row per response, fetched in keyset batches (memory stays flat).

CSV cells that a spreadsheet would run as a formula are neutralised. Equalities answers are only
in their own export, without the response reference, so they cannot be joined back to answers.
"""

import json
from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.csv_export import csv_line
from app.i18n import N_, _
from app.models.consultation import Question, QuestionKind
from app.models.consultation_response import Answer, EqualitiesAnswer, Response

BATCH = 1000
FIXED_COLUMNS = ["reference", "submitted_at", "respondent_type", "organisation_name", "channel", "is_panel"]
# The equalities header is translated where it is written (the English names stay as they were). The
# responses export keeps FIXED_COLUMNS in English: they are the column names its CSV import reads back.
EQUALITIES_COLUMNS = [N_("respondent_type"), N_("age_band"), N_("sex"), N_("disability"), N_("ethnicity"),
                      N_("ward")]


def _batches(db: Session, consultation_id: int) -> Iterator[list[Response]]:
    last_id = 0
    while True:
        batch = list(db.scalars(select(Response).where(Response.consultation_id == consultation_id,
                                                       Response.id > last_id)
                                .order_by(Response.id).limit(BATCH)))
        if not batch:
            return
        yield batch
        last_id = batch[-1].id


def _answers_for(db: Session, batch: list[Response]) -> dict[int, dict[int, list[Answer]]]:
    found: dict[int, dict[int, list[Answer]]] = defaultdict(lambda: defaultdict(list))
    rows = db.scalars(select(Answer).where(Answer.response_id.in_([r.id for r in batch]))
                      .order_by(Answer.response_id, Answer.question_id, Answer.number, Answer.id))
    for answer in rows:
        found[answer.response_id][answer.question_id].append(answer)
    return found


def _value(question: Question, answers: list[Answer]):
    if not answers:
        return None
    if question.kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING):
        return [a.value_text for a in answers]
    if question.kind == QuestionKind.INDICATORS:  # ranked first, the suggestion (no option) last
        return [a.value_text for a in sorted(answers, key=lambda a: (a.option_index is None, a.number or 0))]
    return answers[0].value_text


def _records(db: Session, consultation_id: int, questions: list[Question]):
    for batch in _batches(db, consultation_id):
        answers = _answers_for(db, batch)
        for response in batch:
            yield response, {q.id: _value(q, answers[response.id].get(q.id, [])) for q in questions}


def _fixed(response: Response) -> list:
    return [response.reference, response.submitted_at.isoformat(), response.respondent_type.value,
            response.organisation_name, response.channel.value, "yes" if response.is_panel else "no"]


def _joined(value) -> str:
    return "; ".join(value) if isinstance(value, list) else (value or "")


def responses_csv(db: Session, consultation_id: int, questions: list[Question]) -> Iterator[str]:
    yield "\ufeff" + csv_line(FIXED_COLUMNS + [f"q{q.id} {q.text}" for q in questions])
    for response, values in _records(db, consultation_id, questions):
        yield csv_line(_fixed(response) + [_joined(values[q.id]) for q in questions])


def responses_json(db: Session, consultation_id: int, questions: list[Question]) -> Iterator[str]:
    meta = {"consultation_id": consultation_id,
            "questions": [{"id": q.id, "kind": q.kind.value, "text": q.text, "options": q.options}
                          for q in questions]}
    yield json.dumps(meta)[:-1] + ', "responses": ['
    first = True
    for response, values in _records(db, consultation_id, questions):
        record = dict(zip(FIXED_COLUMNS, _fixed(response), strict=True))
        record["is_panel"] = response.is_panel
        record["answers"] = {str(k): v for k, v in values.items() if v is not None}
        yield ("" if first else ",") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "]}"


def equalities_csv(db: Session, consultation_id: int) -> Iterator[str]:
    yield "\ufeff" + csv_line([_(column) for column in EQUALITIES_COLUMNS])
    statement = (select(Response.respondent_type, EqualitiesAnswer.age_band, EqualitiesAnswer.sex,
                        EqualitiesAnswer.disability, EqualitiesAnswer.ethnicity, EqualitiesAnswer.ward)
                 .join(Response, Response.id == EqualitiesAnswer.response_id)
                 .where(Response.consultation_id == consultation_id)
                 .order_by(EqualitiesAnswer.age_band, EqualitiesAnswer.sex, EqualitiesAnswer.ethnicity,
                           EqualitiesAnswer.ward, Response.respondent_type))
    for row in db.execute(statement).yield_per(BATCH):
        yield csv_line([row[0].value, *row[1:]])
