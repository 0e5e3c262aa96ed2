"""Guided coding's pages (issue 21), both databases: every form filled from the rendered HTML as a browser
would (tests/forms.py), the training job run by the queue (fake embedder) after the 20th code, the
held-out check blind, bulk acceptance, the CSV, and who may do what."""

import csv
import io
import re
from urllib.parse import urlencode

from sqlalchemy import select

from app.models.coding import Code, CodedAnswer, CodingFrame, CodingRun
from app.models.consultation_response import Answer
from app.services.themes import coding
from tests.factories.evidence import consultation_with_answers
from tests.forms import fill, find_form, submit_form
from tests.services.test_coding import TEXTS, TOPICS
from tests.services.test_forums_visibility import build_world, sign_in


def _start(client, db):
    world = build_world(db)
    _, _, free = consultation_with_answers(db, review=world.review, texts=TEXTS)
    sign_in(client, db, world.users["officer"])
    return world, free


def _truth(text: str) -> str:
    return next(name for name, template in TOPICS.items() if text.startswith(template[:12]))


def _code_through_the_service(db, frame_id: int, officer, n: int, *, check: bool = False) -> None:
    """Code `n` answers as the pages would (the forms themselves are filled above and below)."""
    db.expire_all()
    frame = db.get(CodingFrame, frame_id)
    codes = {c.name: c for c in coding.codes_of(db, frame)}
    for _ in range(n):
        shown = coding.next_answer(db, frame, check=check)
        coding.code_answer(db, frame, shown.answer_id, officer, code_id=str(codes[_truth(shown.text)].id))
    db.flush()


def _label(names: list[str], text: str) -> str:
    name = _truth(text)
    return f"{names.index(name) + 1} {name}"


def _code_next(
    client,
    base: str,
    label: str | None = None,
    *,
    new: str = "",
    press="Save and next",
    page: str = "next",
    pick=None,
):
    """Open the next answer, choose the code by its visible label (`pick` reads it off the answer's
    text) or name a new one, press a button: the form is filled from the page as a browser would."""
    html = client.get(f"{base}/{page}").text
    action = re.search(r'action="(/officer/questions/\d+/coding/answers/\d+)"', html).group(1)
    label = pick(_answer_text(html)) if pick else label
    values = {label: True} if label else {}
    if new:
        values["Or name a new code"] = new
    pairs = fill(find_form(html, action), values, press)
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return client.post(action, content=urlencode(pairs), headers=headers), html


def _answer_text(html: str) -> str:
    return re.search(
        r'<blockquote class="quote coded-answer" id="answer-text">(.*?)</blockquote>', html, re.S
    ).group(1)


def test_officer_builds_a_frame_codes_answers_and_chorus_proposes_the_rest(client, db):
    world, free = _start(client, db)
    officer = world.users["officer"]
    base = f"/officer/questions/{free.id}/coding"
    themes_page = client.get(f"/officer/questions/{free.id}/themes").text
    assert f'href="{base}"' in themes_page

    # Start from scratch (there are no themes yet, so that is the only choice).
    refused = submit_form(client, base, f"{base}/frame", {}, press="Start the coding frame")
    assert refused.status_code == 422 and "Choose how to start the coding frame" in refused.text
    started = submit_form(
        client,
        base,
        f"{base}/frame",
        {"With an empty frame: you name the codes": True},
        press="Start the coding frame",
    )
    assert started.status_code == 303
    for name in TOPICS:
        added = submit_form(
            client,
            base,
            f"{base}/codes",
            {"Name of the new code": name, "What belongs under it": f"About {name.lower()}"},
            press="Add the code",
        )
        assert added.status_code == 303, added.text
    duplicate = submit_form(
        client, base, f"{base}/codes", {"Name of the new code": "parking"}, press="Add the code"
    )
    assert duplicate.status_code == 422 and "already has a code with that name" in duplicate.text
    frame = db.scalar(select(CodingFrame).where(CodingFrame.question_id == free.id))
    codes = {c.name: c for c in db.scalars(select(Code).where(Code.frame_id == frame.id))}
    assert set(codes) == set(TOPICS)

    # Rename a code on its own page.
    code_url = f"{base}/codes/{codes['Waiting'].id}"
    changed = submit_form(
        client,
        code_url,
        code_url,
        {"Name of the code": "Waiting", "Description": "Weeks on a waiting list"},
        press="Save the code",
    )
    assert changed.status_code == 303
    db.expire_all()
    assert db.get(Code, codes["Waiting"].id).description == "Weeks on a waiting list"

    # Code answers one at a time: the labels carry the keyboard hint (1, 2, 3).
    order = {
        name: i + 1 for i, name in enumerate(sorted(codes, key=lambda n: (codes[n].position, codes[n].id)))
    }
    nothing = _code_next(client, base)[0]
    assert nothing.status_code == 422 and "Choose a code, or name a new one" in nothing.text
    skipped, html = _code_next(client, base, press="Skip")
    assert skipped.status_code == 303 and skipped.headers["location"] == f"{base}/next"
    assert _answer_text(client.get(f"{base}/next").text) != _answer_text(html)
    for _ in range(2):
        response, _ = _code_next(client, base, pick=lambda text: f"{order[_truth(text)]} {_truth(text)}")
        assert response.status_code == 303
    _code_through_the_service(db, frame.id, officer, 17)
    db.expire_all()
    assert not db.scalars(select(CodingRun)).all()
    # The 20th code, a new code named on the spot, starts the training; the queue runs it at once.
    response, html = _code_next(client, base, new="Other matters")
    assert response.status_code == 303
    db.expire_all()
    run = db.scalars(select(CodingRun).where(CodingRun.frame_id == frame.id)).one()
    assert run.status.value == "succeeded", run.error
    assert db.scalar(select(Code).where(Code.name == "Other matters")) is not None

    # Next asks the least sure first and shows the proposal; the progress fragment reports the run.
    page = client.get(f"{base}/next").text
    least = db.scalars(
        select(CodedAnswer)
        .where(
            CodedAnswer.frame_id == frame.id,
            CodedAnswer.officer_code_id.is_(None),
            CodedAnswer.skipped.is_(False),
        )
        .order_by(CodedAnswer.uncertainty_rank)
    ).first()
    assert _answer_text(page) == db.get(Answer, least.answer_id).value_text
    assert "Chorus suggests" in page or "not sure what to propose" in page
    progress = client.get(f"/officer/coding-runs/{run.id}/progress", headers={"HX-Request": "true"})
    assert progress.status_code == 200 and "Codes proposed" in progress.text
    assert progress.headers.get("HX-Refresh") == "true"  # the frame's page reloads with new counts
    staying = client.get(f"/officer/coding-runs/{run.id}/progress?stay=1", headers={"HX-Request": "true"})
    assert "Codes proposed" in staying.text and "HX-Refresh" not in staying.headers  # the answer stays

    # Accept proposals above a chosen confidence.
    overview = client.get(base).text
    assert "Accept these proposals" in overview
    assert "Who said it: by respondent type" in overview and 'id="code-' in overview  # as themes show
    accepted = submit_form(
        client,
        base,
        f"{base}/accept",
        {"Accept proposals Chorus is at least this sure of": "0.5"},
        press="Accept these proposals",
    )
    assert accepted.status_code == 303
    db.expire_all()
    n = len(db.scalars(select(CodedAnswer).where(CodedAnswer.accepted_code_id.is_not(None))).all())
    assert f"{n} proposal" in client.get(accepted.headers["location"]).text

    # The CSV: every answer once, with its code and where it came from.
    download = client.get(f"{base}.csv")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == len(TEXTS)
    assert sum(r["coded_by"] == "officer" for r in rows) == 20
    assert sum(r["coded_by"] == "accepted proposal" for r in rows) == n


def test_held_out_check_is_blind_and_reports_agreement(client, db):
    world, free = _start(client, db)
    base = f"/officer/questions/{free.id}/coding"
    submit_form(
        client,
        base,
        f"{base}/frame",
        {"With an empty frame: you name the codes": True},
        press="Start the coding frame",
    )
    for name in TOPICS:
        submit_form(client, base, f"{base}/codes", {"Name of the new code": name}, press="Add the code")
    held = submit_form(
        client,
        base,
        f"{base}/holdout",
        {"How many answers to hold out": "20 answers"},
        press="Hold out answers to check",
    )
    assert held.status_code == 303 and held.headers["location"] == f"{base}/check"
    names = sorted(TOPICS, key=lambda n: list(TOPICS).index(n))
    for _ in range(3):
        response, page = _code_next(client, base, page="check", pick=lambda text: _label(names, text))
        assert "Held-out check" in page and "Chorus suggests" not in page and ">Skip<" not in page
        assert response.status_code == 303 and response.headers["location"] == f"{base}/check"
    frame = db.scalar(select(CodingFrame).where(CodingFrame.question_id == free.id))
    _code_through_the_service(db, frame.id, world.users["officer"], 17, check=True)
    assert "You have coded every held-out answer" in client.get(f"{base}/check").text
    # Train on a few ordinary codes, then read agreement on the frame's page.
    _code_next(client, base, pick=lambda text: _label(names, text))
    _code_through_the_service(db, frame.id, world.users["officer"], 5)
    trained = submit_form(client, base, f"{base}/runs", {}, press="Propose codes now")
    assert trained.status_code == 303
    overview = client.get(base).text
    assert "Cohen&#39;s kappa" in overview or "Cohen's kappa" in overview
    assert re.search(r"Answers compared</dt><dd>20 of 20 held out", overview)


def test_only_staff_code_and_others_see_nothing(client, db):
    world, free = _start(client, db)
    base = f"/officer/questions/{free.id}/coding"
    submit_form(
        client,
        base,
        f"{base}/frame",
        {"With an empty frame: you name the codes": True},
        press="Start the coding frame",
    )
    answer = db.scalars(select(Answer).where(Answer.question_id == free.id)).first()
    sign_in(client, db, world.users["member_b"])
    assert client.get(base).status_code in (403, 404)
    assert client.get(f"{base}/next").status_code in (403, 404)
    assert client.submit(f"{base}/answers/{answer.id}", {"new_code": "Mine"}).status_code in (403, 404)
    assert client.get(f"{base}.csv").status_code in (403, 404)
    sign_in(client, db, world.users["officer"])
    # An answer of another question is not this frame's to code.
    other = consultation_with_answers(db, review=world.review, texts=["a different answer"])[2]
    foreign = db.scalars(select(Answer).where(Answer.question_id == other.id)).first()
    assert client.submit(f"{base}/answers/{foreign.id}", {"new_code": "Mine"}).status_code == 404
    # Nonsense is refused with the form again, never a 500 (an id past any column, a made-up threshold).
    assert client.submit(f"{base}/answers/{answer.id}", {"code": "9" * 20}).status_code == 422
    assert client.submit(f"{base}/accept", {"threshold": "nan"}).status_code == 422
    assert client.submit(f"{base}/holdout", {"size": "7"}).status_code == 422


def test_a_training_in_progress_polls_without_swapping_the_answer(client, db):
    world, free = _start(client, db)
    officer = world.users["officer"]
    frame = coding.start_frame(db, free, officer, from_themes=False)
    coding.add_code(db, frame, "Parking", "", officer)
    run = coding.start_training(db, frame, officer)  # never committed here, so the job never runs
    db.flush()
    base = f"/officer/questions/{free.id}/coding"
    answer_page = client.get(f"{base}/next").text
    assert f'hx-get="/officer/coding-runs/{run.id}/progress?stay=1"' in answer_page
    assert "Chorus will learn from your codes in a moment" in answer_page
    frame_page = client.get(base).text
    assert f'hx-get="/officer/coding-runs/{run.id}/progress"' in frame_page
    assert "<button" in frame_page and re.search(r"disabled>\s*Propose codes now", frame_page)
