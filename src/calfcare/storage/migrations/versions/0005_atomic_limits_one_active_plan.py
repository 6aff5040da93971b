"""rate_counters for atomic rate limits; at most one active rehabilitation plan per person

The sign-in rate limit counted failures by inserting rows and counting them in Python, so
parallel attempts could all pass the check before any was recorded. `rate_counters` holds one
row per key, changed by a single upsert that the database serialises. The old failure rows
are short-lived (15 minutes) and are not carried over.

A partial unique index lets the database refuse a second active plan for the same person.
Plans made active twice by earlier parallel requests are settled first: the newest stays
active, the others are marked stopped.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.drop_index("ix_sign_in_attempts_key_at", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.execute(
        "UPDATE rehab_plans SET status = 'stopped' WHERE status = 'active' AND EXISTS ("
        " SELECT 1 FROM rehab_plans AS newer WHERE newer.user_id = rehab_plans.user_id"
        " AND newer.status = 'active' AND (newer.created_at > rehab_plans.created_at"
        " OR (newer.created_at = rehab_plans.created_at AND newer.id > rehab_plans.id)))"
    )
    op.create_index(
        "uq_rehab_plans_one_active",
        "rehab_plans",
        ["user_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_rehab_plans_one_active", table_name="rehab_plans")
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_attempts_key_at", "sign_in_attempts", ["key", "at"])
    op.drop_table("rate_counters")
