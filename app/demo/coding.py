"""Guided coding in the demo: the survey's "why" question coded with the codes the NHS's own coders
used (the data's `label` column), so the frame, proposals and agreement are real: 40 answers coded,
20 held out and coded blind, Chorus trained on the 40 and proposing the rest."""

import csv

from sqlalchemy import select

from app.demo.consultations import DATA, WHY_QUESTION
from app.job_queue import pending_jobs
from app.jobs import coding_work
from app.models.coding import CodingRun
from app.models.consultation import Consultation, ConsultationState, Question
from app.models.consultation_response import Answer
from app.services.themes import coding, coding_results

ORDER = 95

# The NHS coders' categories, described in the words an officer would give them.
CODES = {
    "Care received": "The treatment and care itself: how good it was, how thorough, how it helped.",
    "Staff": "The people: kindness, attitude, professionalism and competence of staff.",
    "Communication": "Being told and listened to: explanations, information, letters and phone calls.",
    "Access": "Getting seen: appointments, waiting times, opening hours and getting through.",
    "Environment/ facilities": "The place: cleanliness, parking, food, noise and equipment.",
    "Couldn't be improved": "Nothing to change: the answer says the service could not be better.",
    "Dignity": "Being treated with dignity and respect, and given privacy.",
    "Transition/coordination": "Moving between services: referrals, discharge and joined-up care.",
    "Miscellaneous": "Anything else that fits none of the other codes.",
}
CODED, HELD_OUT = 40, 20


def load(db, demo) -> None:
    officer = demo.users.get("officer@riverside.example")
    closed = db.scalars(
        select(Consultation).where(
            Consultation.review_id == demo.review.id,
            Consultation.state.in_([ConsultationState.CLOSED, ConsultationState.PUBLISHED]),
        )
    ).first()
    if officer is None or closed is None:
        return
    question = db.scalar(
        select(Question).where(Question.consultation_id == closed.id, Question.text == WHY_QUESTION)
    )
    if question is None or coding.frame_for(db, question.id) is not None:
        return
    with DATA.open(newline="", encoding="utf-8") as handle:
        label_of = {row["feedback"].strip()[:4000]: row["label"] for row in csv.DictReader(handle)}
    frame = coding.start_frame(db, question, officer, from_themes=False)
    codes = {
        name: coding.add_code(db, frame, name, description, officer) for name, description in CODES.items()
    }
    answers = [
        (a.id, codes.get(label_of.get(a.value_text.strip(), "")))
        for a in db.scalars(
            select(Answer)
            .where(Answer.question_id == question.id, Answer.value_text != "")
            .order_by(Answer.id)
        )
    ]
    known = {answer_id: code for answer_id, code in answers if code is not None}
    coding_results.sample_holdout(db, frame, HELD_OUT, officer)
    for _ in range(HELD_OUT):  # the held-out answers, coded blind with the NHS coders' codes
        shown = coding.next_answer(db, frame, check=True)
        if shown is None or shown.answer_id not in known:
            break
        coding.code_answer(db, frame, shown.answer_id, officer, code_id=str(known[shown.answer_id].id))
    coded = 0
    for answer_id, code in known.items():
        if coded == CODED:
            break
        shown = coding.answer_to_code(db, frame, answer_id)
        if shown.holdout or shown.officer_code_id:
            continue
        coding.code_answer(db, frame, answer_id, officer, code_id=str(code.id))
        coded += 1
    # The 20th and 40th codes queued trainings; the demo trains once, now, in its own transaction.
    jobs = pending_jobs(db)
    jobs[:] = [job for job in jobs if job[0] != "coding.train_codes"]
    runs = list(db.scalars(select(CodingRun).where(CodingRun.frame_id == frame.id).order_by(CodingRun.id)))
    for run in runs[:-1]:
        db.delete(run)
    if runs:
        runs[-1].trained_on = coding.training_examples(db, frame)
        coding_work.run_now(db, runs[-1])
    agreement = coding_results.agreement(db, frame)
    demo.notes.append(
        f"Guided coding: {coded} answers to '{WHY_QUESTION}' coded with the NHS coders' own codes, "
        f"{agreement.compared} held out (agreement {agreement.percent}%, kappa {agreement.kappa}) at "
        f"/officer/questions/{question.id}/coding."
    )
