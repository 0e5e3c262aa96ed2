"""Guided coding (issue 21, decision 0101) on both databases: the frame, coding one answer at a time,
training in the job (fake embedder) every 20 codes, least-sure-first, the held-out check, bulk
acceptance that never beats an officer, audit, CSV, breakdowns and findings citing a code."""

import csv
import io

import pytest
from sqlalchemy import select

from app.errors import Conflict, InvalidInput
from app.job_queue import pending_jobs
from app.jobs import coding_work
from app.models.analysis import RunStatus, Theme, ThemeStatus
from app.models.audit import AuditEvent
from app.models.coding import CodedAnswer, CodingRun
from app.models.finding import EvidenceKind
from app.models.user import Role
from app.services.reviews import evidence, workspace
from app.services.themes import coding, coding_results
from tests import factories
from tests.factories.evidence import consultation_with_answers

TOPICS = {
    "Parking": "parking permit car park spaces cost money at the hospital {}",
    "Waiting": "waiting list wait weeks for an appointment delay {}",
    "Staff kindness": "staff nurses kind caring friendly lovely {}",
}
TEXTS = [template.format(i) for i in range(16) for template in TOPICS.values()]  # 48, topics interleaved


@pytest.fixture
def officer(db):
    return factories.user(db, Role.OFFICER)


@pytest.fixture
def question(db):
    return consultation_with_answers(db, texts=TEXTS)


def _frame(db, question, officer):
    _, _, free = question
    frame = coding.start_frame(db, free, officer, from_themes=False)
    codes = {
        name: coding.add_code(db, frame, name, f"Answers about {name.lower()}", officer) for name in TOPICS
    }
    return free, frame, codes


def _answers(db, free):
    from app.models.consultation_response import Answer

    return list(db.scalars(select(Answer).where(Answer.question_id == free.id).order_by(Answer.id)))


def _truth(answer) -> str:
    return next(name for name, template in TOPICS.items() if answer.value_text.startswith(template[:12]))


def _actions(db) -> list[str]:
    return [
        e.action
        for e in db.scalars(
            select(AuditEvent).where(AuditEvent.action.like("coding.%")).order_by(AuditEvent.id)
        )
    ]


def test_frame_from_the_themes_and_codes_edited(db, question, officer):
    _, _, free = question
    db.add_all(
        [
            Theme(question_id=free.id, label="Parking at the hospital", description="“No spaces”", size=5),
            Theme(question_id=free.id, label="Waiting", size=3),
            Theme(question_id=free.id, label="Merged away", size=1, status=ThemeStatus.MERGED),
        ]
    )
    db.flush()
    frame = coding.start_frame(db, free, officer, from_themes=True)
    codes = coding.codes_of(db, frame)
    assert [c.name for c in codes] == ["Parking at the hospital", "Waiting"]
    assert codes[0].description == "“No spaces”" and codes[0].theme_id is not None
    with pytest.raises(Conflict):
        coding.start_frame(db, free, officer, from_themes=False)

    coding.edit_code(db, frame, codes[1], "  Waiting   times ", "Weeks for an appointment", officer)
    assert (codes[1].name, codes[1].description) == ("Waiting times", "Weeks for an appointment")
    with pytest.raises(InvalidInput) as error:
        coding.add_code(db, frame, "waiting TIMES", "", officer)
    assert error.value.errors == {"name": "The frame already has a code with that name"}
    with pytest.raises(InvalidInput):
        coding.edit_code(db, frame, codes[0], " ", "", officer)
    assert _actions(db) == ["coding.start", "coding.edit_code"]


def test_every_twentieth_code_trains_and_next_asks_the_least_sure(db, database, question, officer):
    free, frame, codes = _frame(db, question, officer)
    answers = _answers(db, free)
    # Before any training, "next" walks the uncoded answers; the officer codes what it offers.
    for step in range(coding.TRAIN_EVERY):
        shown = coding.next_answer(db, frame)
        assert shown is not None and shown.proposed is None
        answer = next(a for a in answers if a.id == shown.answer_id)
        coding.code_answer(db, frame, answer.id, officer, code_id=str(codes[_truth(answer)].id))
        runs = list(db.scalars(select(CodingRun).where(CodingRun.frame_id == frame.id)))
        assert len(runs) == (1 if step == coding.TRAIN_EVERY - 1 else 0)
    run = runs[0]
    assert ("coding.train_codes", (run.id,)) in pending_jobs(db)
    assert run.trained_on == coding.TRAIN_EVERY and frame.coded_since_run == 0
    with pytest.raises(Conflict):
        coding.start_training(db, frame, officer)
    db.flush()

    coding_work.execute_run(database, run.id)
    db.expire_all()
    run = db.get(CodingRun, run.id)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.summary["answers"] == len(TEXTS) and run.model_name

    rows = {r.answer_id: r for r in db.scalars(select(CodedAnswer).where(CodedAnswer.frame_id == frame.id))}
    assert len(rows) == len(TEXTS)
    coded = [r for r in rows.values() if r.officer_code_id]
    assert len(coded) == coding.TRAIN_EVERY
    assert all(r.proposed_code_id is None and r.uncertainty_rank is None for r in coded)
    open_rows = [r for r in rows.values() if not r.officer_code_id]
    assert sorted(r.uncertainty_rank for r in open_rows) == list(range(len(open_rows)))
    by_id = {a.id: a for a in answers}
    right = sum(codes[_truth(by_id[r.answer_id])].id == r.proposed_code_id for r in open_rows)
    assert right >= 0.8 * len(open_rows), (right, len(open_rows))

    nxt = coding.next_answer(db, frame)
    least = min(open_rows, key=lambda r: r.uncertainty_rank)
    assert nxt.answer_id == least.answer_id and nxt.confidence == least.confidence
    assert least.confidence == min(r.confidence for r in open_rows)
    coding.skip(db, frame, nxt.answer_id, officer)
    assert coding.next_answer(db, frame).answer_id != nxt.answer_id
    assert coding_results.overview(db, frame).skipped == 1
    assert coding.unskip_all(db, frame, officer) == 1
    assert coding.next_answer(db, frame).answer_id == nxt.answer_id
    # Who said it per code, written by the same job (the same comparison as themes).
    assert any(code.groups for code in coding.codes_of(db, frame))


def test_officer_codes_beat_the_machine_and_bulk_accept_respects_them(db, database, question, officer):
    free, frame, codes = _frame(db, question, officer)
    answers = _answers(db, free)
    for answer in answers[:6]:
        coding.code_answer(db, frame, answer.id, officer, code_id=str(codes[_truth(answer)].id))
    coding.start_training(db, frame, officer)
    db.flush()
    coding_work.execute_run(database, db.scalars(select(CodingRun.id)).all()[-1])
    db.expire_all()

    # The officer disagrees with a confident proposal: their code counts, whatever the machine says.
    row = db.scalars(
        select(CodedAnswer)
        .where(CodedAnswer.frame_id == frame.id, CodedAnswer.officer_code_id.is_(None))
        .order_by(CodedAnswer.confidence.desc())
    ).first()
    other = next(c for c in codes.values() if c.id != row.proposed_code_id)
    coding.code_answer(db, frame, row.answer_id, officer, code_id=str(other.id))
    counts = coding_results.acceptable_counts(db, frame)
    assert counts[0.5] >= counts[0.9] and list(counts) == list(coding_results.ACCEPT_THRESHOLDS)
    accepted = coding_results.accept_above(db, frame, 0.5, officer)
    assert accepted == counts[0.5] and accepted > 0
    db.expire_all()
    row = db.get(CodedAnswer, row.id)
    assert row.officer_code_id == other.id and row.accepted_code_id is None and row.code_id == other.id
    with pytest.raises(InvalidInput):
        coding_results.accept_above(db, frame, 0.42, officer)
    assert ("coding.refresh_code_groups", (frame.id,)) in pending_jobs(db)

    # A later training changes proposals, never what an officer coded or accepted.
    accepted_before = {
        r.id: r.accepted_code_id
        for r in db.scalars(select(CodedAnswer).where(CodedAnswer.accepted_code_id.is_not(None)))
    }
    coding.start_training(db, frame, officer)
    db.flush()
    coding_work.execute_run(database, db.scalars(select(CodingRun.id).order_by(CodingRun.id)).all()[-1])
    db.expire_all()
    assert {
        r.id: r.accepted_code_id
        for r in db.scalars(select(CodedAnswer).where(CodedAnswer.accepted_code_id.is_not(None)))
    } == accepted_before
    assert db.get(CodedAnswer, row.id).officer_code_id == other.id

    view = coding_results.overview(db, frame)
    assert view.by_officer == 7 and view.accepted == accepted
    assert view.by_officer + view.accepted + view.proposed + view.open - view.proposed <= view.total
    assert all(len(v.quotes) <= 3 for v in view.codes)
    table = list(csv.DictReader(io.StringIO(coding_results.coding_csv(db, frame))))
    assert len(table) == len(TEXTS)
    mine = next(t for t in table if int(t["answer_id"]) == row.answer_id)
    assert (mine["code"], mine["coded_by"]) == (other.name, "officer")
    assert sum(t["coded_by"] == "accepted proposal" for t in table) == accepted
    assert _actions(db).count("coding.code_answer") == 7 and "coding.accept" in _actions(db)


def test_held_out_answers_are_coded_blind_never_trained_on_and_measure_agreement(
    db, database, question, officer
):
    free, frame, codes = _frame(db, question, officer)
    answers = {a.id: a for a in _answers(db, free)}
    assert coding_results.sample_holdout(db, frame, 20, officer) == 20
    with pytest.raises(InvalidInput):
        coding_results.sample_holdout(db, frame, 7, officer)
    held = list(db.scalars(select(CodedAnswer).where(CodedAnswer.holdout.is_(True))))
    assert len(held) == 20
    # Ordinary coding never offers a held-out answer; the check offers only those.
    assert coding.next_answer(db, frame).answer_id not in {r.answer_id for r in held}
    for _ in range(20):
        shown = coding.next_answer(db, frame, check=True)
        assert shown.holdout
        coding.code_answer(
            db, frame, shown.answer_id, officer, code_id=str(codes[_truth(answers[shown.answer_id])].id)
        )
    assert coding.next_answer(db, frame, check=True) is None
    assert frame.coded_since_run == 0  # held-out codes do not count towards training
    assert coding_results.agreement(db, frame).compared == 0

    others = [a for a in answers.values() if a.id not in {r.answer_id for r in held}][:9]
    for answer in others:
        coding.code_answer(db, frame, answer.id, officer, code_id=str(codes[_truth(answer)].id))
    run = coding.start_training(db, frame, officer)
    assert run.trained_on == 9  # the 20 held-out codes are not training examples
    db.flush()
    coding_work.execute_run(database, run.id)
    db.expire_all()
    result = coding_results.agreement(db, frame)
    assert (result.held_out, result.coded, result.compared) == (20, 20, 20)
    assert result.percent >= 80 and result.kappa is not None and result.kappa > 0.6
    assert {c.name for c in result.per_code} <= set(TOPICS)
    assert sum(c.officer_count for c in result.per_code) == 20
    # Bulk acceptance leaves held-out answers alone.
    coding_results.accept_above(db, frame, 0.5, officer)
    assert not db.scalars(
        select(CodedAnswer).where(CodedAnswer.holdout.is_(True), CodedAnswer.accepted_code_id.is_not(None))
    ).all()


def test_a_finding_can_cite_a_code(db, question, officer):
    consultation, _, free = question
    _, frame, codes = _frame(db, question, officer)
    answers = _answers(db, free)
    for answer in answers[:3]:
        coding.code_answer(db, frame, answer.id, officer, code_id=str(codes[_truth(answer)].id))
    code = codes[_truth(answers[0])]
    view = evidence.current(db, EvidenceKind.CODE, code.id)
    assert not view.missing and view.title == f"Code: {code.name}"
    assert view.figures["answers"] == 1 and view.figures["of"] == len(TEXTS)
    assert view.quotes == (answers[0].value_text,)
    options = dict(workspace.evidence_options(db, consultation.review_id))
    assert f"code:{code.id}" in {o.value for o in options["Codes from coding frames"]}
