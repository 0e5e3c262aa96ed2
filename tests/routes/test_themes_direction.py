"""Issue 20 in the app: themes show their description and direction, what people want changed is
listed, answers in other languages and blank answers are counted and readable, and a tentative
theme reaches residents only once an officer approves it. Both databases."""

from sqlalchemy import select

from app.models.analysis import AnalysisRun, Theme, ThemeAssignment
from app.models.consultation import ConsultationState
from app.services import themes
from tests.factories.evidence import consultation_with_answers
from tests.services.test_forums_visibility import build_world, sign_in

PRAISE = "the carers are kind friendly and caring every visit {}"
COMPLAINT = "visits are too short and rushed, carers arrive late {}"
PARKING = "parking permit for visiting carers costs money {}"
LETTER = ("Please keep the visits long enough for the carers to help my mother wash and eat properly "
          "every single day")
TEXTS = ([PRAISE.format(i) for i in range(14)] + [COMPLAINT.format(i) for i in range(14)]
         + [PARKING.format(i) for i in range(14)]
         + [LETTER, LETTER + ".", "Dear council, " + LETTER, LETTER + " She is 91 and lives alone."]
         + ["بہت اچھی سروس ہے", "Diolch yn fawr iawn am y gwasanaeth gofal", "", "..."])


def _analysed(client, db):
    world = build_world(db)
    consultation, _, free = consultation_with_answers(db, review=world.review, texts=TEXTS)
    officer = world.users["officer"]
    sign_in(client, db, officer)
    assert client.submit(f"/officer/questions/{free.id}/analysis-runs").status_code == 303
    return world, consultation, free, officer


def test_themes_page_shows_direction_description_changes_and_languages(client, db):
    _, _, free, _ = _analysed(client, db)
    buckets = {a.bucket.value: a for a in db.scalars(
        select(ThemeAssignment).where(ThemeAssignment.question_id == free.id))}
    assert {"blank", "other_language"} <= set(buckets)
    languages = sorted(a.language for a in db.scalars(select(ThemeAssignment).where(
        ThemeAssignment.question_id == free.id, ThemeAssignment.bucket == "other_language")))
    assert languages == ["Urdu", "Welsh"]

    page = client.get(f"/officer/questions/{free.id}/themes").text
    assert "What people want changed" in page
    run = db.scalars(select(AnalysisRun).where(AnalysisRun.question_id == free.id)).one()
    campaigns = run.summary["campaigns"]
    assert [c["size"] for c in campaigns] == [4]  # the copy with a sentence of its own counts too
    if campaigns[0]["theme_id"]:
        assert "including 4 organised campaign responses" in page
    assert "In other languages" in page and "Urdu 1" in page and "Answers in Welsh" in page
    live = themes.live_themes(db, free.id)
    assert all(t.direction in {"praise", "criticism", "suggestion", "for", "against", "mixed", "neutral"}
               for t in live)
    assert any(t.description and t.description in page.replace("&#34;", '"') for t in live) or all(
        t.description for t in live)

    other_languages = client.get(f"/officer/questions/{free.id}/buckets/other_language").text
    assert "Answers in other languages" in other_languages
    assert "written in Urdu" in other_languages and "بہت اچھی سروس ہے" in other_languages
    blank = client.get(f"/officer/questions/{free.id}/buckets/blank")
    assert blank.status_code == 200 and "1 text." in blank.text  # "..." (an empty answer is not stored)


def test_tentative_theme_is_published_only_once_approved(client, db):
    _, consultation, free, officer = _analysed(client, db)
    live = themes.live_themes(db, free.id)
    assert len(live) >= 2
    tentative, others = live[0], live[1:]
    tentative.tentative = True
    others[0].tentative = True
    db.flush()
    # Renaming clears the flag (a person judged the theme), but publishing still needs approval.
    assert client.submit(f"/officer/themes/{others[0].id}/rename",
                         {"label": "Short, rushed visits"}).status_code == 303
    db.expire_all()
    renamed = db.get(Theme, others[0].id)
    assert renamed.label == "Short, rushed visits" and renamed.tentative is False
    assert not renamed.publishable
    for theme in others:
        themes.approve(db, db.get(Theme, theme.id), officer)
    consultation.state = ConsultationState.PUBLISHED
    db.flush()
    assert "Tentative" in client.get(f"/officer/questions/{free.id}/themes").text
    assert client.submit(f"/officer/consultations/{consultation.id}/outcome",
                         [("decision", "Longer visits from April."), ("notify", "no")]).status_code == 303

    client.cookies.clear()
    public = client.get(f"/consultations/{consultation.id}/you-said-we-did").text
    assert f'id="pt-{tentative.id}"' not in public

    sign_in(client, db, officer)
    assert client.submit(f"/officer/themes/{tentative.id}/approve").status_code == 303
    db.expire_all()
    approved = db.get(Theme, tentative.id)
    assert approved.tentative is False and approved.publishable
    client.cookies.clear()
    public = client.get(f"/consultations/{consultation.id}/you-said-we-did").text
    assert f'id="pt-{tentative.id}"' in public and approved.label in public.replace("&#39;", "'")
