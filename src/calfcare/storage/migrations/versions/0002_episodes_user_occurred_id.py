"""episodes: index (user_id, occurred_at, id) in place of (user_id, occurred_at)

Diary pages and a clinician's list order a person's episodes by occurred_at, newest first,
then by id. With id in the index, the clinician's list ranks each person's newest episodes from
the index alone (an index-only scan on PostgreSQL, a covering index on SQLite) and reads from
the table only the rows it keeps. The new index serves every query the old one did, so the
old one goes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:45:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_episodes_user_occurred_id", "episodes", ["user_id", "occurred_at", "id"], unique=False
    )
    op.drop_index("ix_episodes_user_occurred", table_name="episodes")


def downgrade() -> None:
    op.create_index(
        "ix_episodes_user_occurred", "episodes", ["user_id", "occurred_at"], unique=False
    )
    op.drop_index("ix_episodes_user_occurred_id", table_name="episodes")
