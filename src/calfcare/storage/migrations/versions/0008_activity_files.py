"""activity_files: what an imported GPX, TCX or FIT file recorded for a training session

One row per imported file, tied to the training session it became (deleted with it) and to its
owner (deleted with the account). The unique (user_id, content_hash) lets the database itself
refuse the same file twice for one person, even from two requests at once.

The downgrade drops the table; the training sessions the files became stay in the diary.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_files",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(length=32),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "training_id",
            sa.String(length=32),
            sa.ForeignKey("training_sessions.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("elevation_gain_m", sa.Float(), nullable=True),
        sa.Column("heart_rate_avg", sa.Float(), nullable=True),
        sa.Column("heart_rate_max", sa.Float(), nullable=True),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "content_hash", name="uq_activity_files_user_hash"),
    )
    op.create_index("ix_activity_files_user_id", "activity_files", ["user_id"])
    op.create_index("ix_activity_files_user_started", "activity_files", ["user_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_activity_files_user_started", table_name="activity_files")
    op.drop_index("ix_activity_files_user_id", table_name="activity_files")
    op.drop_table("activity_files")
