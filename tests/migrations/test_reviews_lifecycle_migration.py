"""The reviews-lifecycle migration keeps every row: reviews keep their status and start at scoping,
consultations and forums stay in their review, everyone's email language is English; downgrading
refuses while a stand-alone consultation exists."""

import pytest
from alembic import command
from sqlalchemy import text

from app.migrations_runner import alembic_config, upgrade_to_head

BEFORE = "consultation_tally_hours"


def test_existing_rows_are_kept_and_made_whole(template, make_engine_for):
    url = template.copy()
    command.downgrade(alembic_config(url), BEFORE)
    engine = make_engine_for(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO user_account (id, email, display_name, password_hash, role, is_active) "
            "VALUES (1, 'officer@example.org', 'Officer', 'x', 'officer', true)"))
        connection.execute(text(
            "INSERT INTO review (id, title, service, summary, status) "
            "VALUES (1, 'Home care', 'Home care', '', 'in_progress')"))
        connection.execute(text(
            "INSERT INTO consultation (id, review_id, title, summary, confidentiality, state, audience, "
            "about_you_enabled, you_said_we_did) VALUES (1, 1, 'Survey', '', 'Kept 2 years', 'open', "
            "'anyone', true, '')"))
        connection.execute(text(
            "INSERT INTO forum (id, review_id, title, description, prompt, visibility, moderation, is_open) "
            "VALUES (1, 1, 'Forum', '', '', 'public', 'post', true)"))
    engine.dispose()

    upgrade_to_head(url)
    engine = make_engine_for(url)
    with engine.begin() as connection:
        review = connection.execute(text("SELECT status, stage, scope, is_public, decision FROM review")).one()
        assert tuple(review) == ("in_progress", "scoping", "", False, "")
        assert connection.execute(text("SELECT review_id FROM consultation")).scalar() == 1
        assert connection.execute(text("SELECT review_id FROM forum")).scalar() == 1
        assert connection.execute(text("SELECT language FROM user_account")).scalar() == "en"
        connection.execute(text("UPDATE consultation SET review_id = NULL"))  # now it may stand alone
    engine.dispose()
    with pytest.raises(RuntimeError, match="stand-alone consultation"):
        command.downgrade(alembic_config(url), BEFORE)
