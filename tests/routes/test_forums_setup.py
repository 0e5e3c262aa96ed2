"""Setting up a forum from its form: the review, an optional consultation it speaks to, errors."""

from sqlalchemy import select

from app.models.forum import Forum
from app.services import reviews
from tests.factories.evidence import consultation_with_answers
from tests.services.test_forums_visibility import build_world, sign_in


def test_officer_sets_up_a_forum_about_one_consultation(db, client):
    world = build_world(db)
    consultation, _, _ = consultation_with_answers(db, review=world.review, n=1)
    sign_in(client, db, world.users["officer"])
    form = client.get("/officer/forums/new")
    assert 'name="consultation_id"' in form.text and consultation.title in form.text
    response = client.submit("/officer/forums/new", {
        "title": "Home care forum", "review_id": str(world.review.id), "visibility": "public",
        "moderation": "post", "consultation_id": str(consultation.id)})
    assert response.status_code == 303
    forum = db.scalars(select(Forum).where(Forum.title == "Home care forum")).one()
    assert forum.consultation_id == consultation.id and forum.review_id == world.review.id


def test_a_consultation_of_another_review_is_refused_with_a_message(db, client):
    world = build_world(db)
    other = reviews.create_review(db, title="Libraries review", service="Libraries")
    consultation, _, _ = consultation_with_answers(db, review=other, n=1)
    sign_in(client, db, world.users["officer"])
    response = client.submit("/officer/forums/new", {
        "title": "Wrong link", "review_id": str(world.review.id), "visibility": "public",
        "consultation_id": str(consultation.id)})
    assert response.status_code == 422
    assert "Choose a consultation of the same review" in response.text
    assert 'href="#consultation_id"' in response.text and 'value="Wrong link"' in response.text
    assert db.scalar(select(Forum.id).where(Forum.title == "Wrong link")) is None
