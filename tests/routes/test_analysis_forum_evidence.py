"""Officers include forum evidence in a question's analysis from the themes page; residents never see
quotes from members-only or staff-only forums. Both databases."""

from sqlalchemy import select

from app.models.analysis import ThemeAssignment
from app.models.consultation import ConsultationState
from app.services import themes
from app.services.themes.results import quote
from app.services.themes.sources import texts_for_question
from tests.factories.evidence import consultation_with_answers
from tests.services.test_analysis_forum_evidence import SECRET_TEXT, _evidence, build_world
from tests.services.test_forums_visibility import sign_in


def test_officer_includes_forum_evidence_runs_moves_and_publishes(client, db):
    world = build_world(db)
    consultation, _, free = consultation_with_answers(db, review=world.review, n=40)
    _evidence(db, world)
    sign_in(client, db, world.users["officer"])
    url = f"/officer/questions/{free.id}/themes"

    before = client.get(url)
    assert "17 texts speak to this consultation" in before.text
    assert "They are not included" in before.text
    assert client.submit(f"/officer/questions/{free.id}/forum-evidence", {"include": "yes"}).status_code == 303
    assert "They are included in this question" in client.get(url).text

    assert client.submit(f"/officer/questions/{free.id}/analysis-runs").status_code == 303
    placed = db.scalars(select(ThemeAssignment).where(ThemeAssignment.question_id == free.id,
                                                      ThemeAssignment.post_id.is_not(None))).all()
    assert len(placed) == 15
    in_theme = next(a for a in placed if a.theme_id)
    theme_page = client.get(f"/officer/themes/{in_theme.theme_id}")
    move = f"/officer/questions/{free.id}/evidence/post/{in_theme.post_id}/move"
    assert f'action="{move}"' in theme_page.text and "forum post" in theme_page.text
    assert client.submit(move, {"target": "other"}).status_code == 303
    db.expire_all()
    assert db.get(ThemeAssignment, in_theme.id).bucket.value == "other"
    assert client.submit(f"/officer/questions/{free.id}/evidence/answer/{in_theme.post_id}/move",
                         {"target": "other"}).status_code == 404

    live = themes.live_themes(db, free.id)
    for theme in live:
        themes.approve(db, theme, world.users["officer"])
    members_only = next(t for t in texts_for_question(db, free) if SECRET_TEXT.format(1) == t.text)
    live[0].quotes = [*live[0].quotes, quote(members_only, members_only.text)]
    consultation.state = ConsultationState.PUBLISHED
    db.flush()
    assert client.submit(f"/officer/consultations/{consultation.id}/outcome",
                         [("decision", "Longer visits from April."), ("notify", "no")]).status_code == 303
    assert SECRET_TEXT.format(1) in client.get(url).text  # officers see every quote

    client.cookies.clear()
    public = client.get(f"/consultations/{consultation.id}/you-said-we-did")
    assert public.status_code == 200 and "Longer visits from April." in public.text
    assert "Members-only view" not in public.text
    api = client.get(f"/api/v1/consultations/{consultation.id}/themes").json()
    assert "Members-only view" not in str(api)


def test_only_staff_change_what_the_analysis_reads(client, db):
    world = build_world(db)
    _, _, free = consultation_with_answers(db, review=world.review, n=10)
    for role in ("organiser_a", "member_b"):
        sign_in(client, db, world.users[role])
        response = client.submit(f"/officer/questions/{free.id}/forum-evidence", {"include": "yes"})
        assert response.status_code in (403, 404), role
    sign_in(client, db, None)
    assert client.submit(f"/officer/questions/{free.id}/forum-evidence",
                         {"include": "yes"}).status_code in (401, 303, 403)
    from app.services.themes.sources import includes_forum_evidence

    assert not includes_forum_evidence(db, free.id)
