"""The demo council's guided coding: the survey's "why" question coded with the NHS coders' own codes,
held-out answers coded blind, one training, agreement shown on the frame's page (both databases)."""

import pytest
from sqlalchemy import func, select

from app.demo.consultations import WHY_QUESTION
from app.models.coding import CodedAnswer, CodingRun
from app.models.consultation import Question
from app.models.user import User
from app.services.themes import coding, coding_results
from tests.services.test_forums_visibility import sign_in

pytestmark = pytest.mark.xdist_group("demo")


def test_the_demo_codes_the_why_question_with_the_nhs_coders_codes(demo_client, demo_db):
    question = demo_db.scalar(select(Question).where(Question.text == WHY_QUESTION))
    frame = coding.frame_for(demo_db, question.id)
    assert frame is not None and len(coding.codes_of(demo_db, frame)) == 9

    def count(*where):
        return demo_db.scalar(
            select(func.count(CodedAnswer.id)).where(CodedAnswer.frame_id == frame.id, *where)
        )

    assert count(CodedAnswer.officer_code_id.is_not(None), CodedAnswer.holdout.is_(False)) == 40
    assert count(CodedAnswer.officer_code_id.is_not(None), CodedAnswer.holdout.is_(True)) == 20
    run = demo_db.scalars(select(CodingRun).where(CodingRun.frame_id == frame.id)).one()
    assert run.succeeded and run.trained_on == 40
    agreement = coding_results.agreement(demo_db, frame)
    assert agreement.compared == 20 and agreement.percent is not None

    sign_in(
        demo_client, demo_db, demo_db.scalar(select(User).where(User.email == "officer@riverside.example"))
    )
    page = demo_client.get(f"/officer/questions/{question.id}/coding")
    assert page.status_code == 200 and "Cohen" in page.text and "Care received" in page.text
