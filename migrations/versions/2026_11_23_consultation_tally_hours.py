"""Results tallies count responses per UTC hour instead of per UTC day

Revision ID: consultation_tally_hours
Revises: consultations_search
Create Date: 2026-11-23 20:20:00

The results page shows responses per day of the council's calendar (Europe/London), which a UTC
day cannot give in summer. Tallies are a cache of GROUP BY results over consultation_response:
dropping them (and their marks) loses nothing; results stay exact from the live aggregate and
the next minute's fold rebuilds them per hour.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "consultation_tally_hours"
down_revision: str | Sequence[str] | None = "consultations_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _forget_tallies() -> None:
    op.execute("DELETE FROM consultation_tally")
    op.execute("DELETE FROM consultation_tally_mark")


def upgrade() -> None:
    _forget_tallies()


def downgrade() -> None:
    _forget_tallies()
