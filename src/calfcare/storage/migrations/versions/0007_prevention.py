"""sweat_tests and prevention_plans: a person's sweat tests and saved session plans

Both tables are new and belong to a person (ON DELETE CASCADE from users). A saved plan keeps
the request, the plan as it was shown and the knowledge-base version it was worked out with.
The downgrade drops the two tables, and with them the tests and plans saved since.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-15 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _owner() -> sa.Column[str]:
    return sa.Column(
        "user_id",
        sa.String(length=32),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "sweat_tests",
        sa.Column("id", sa.String(length=32), primary_key=True),
        _owner(),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body_mass_before_kg", sa.Float(), nullable=False),
        sa.Column("body_mass_after_kg", sa.Float(), nullable=False),
        sa.Column("fluid_drunk_l", sa.Float(), nullable=False),
        sa.Column("urine_l", sa.Float(), nullable=False),
        sa.Column("duration_min", sa.Float(), nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("humidity_pct", sa.Float(), nullable=True),
        sa.Column("intensity", sa.Integer(), nullable=True),
        sa.Column("sport", sa.String(length=40), nullable=True),
        sa.Column("sweat_rate_l_per_h", sa.Float(), nullable=False),
        sa.Column("body_mass_change_pct", sa.Float(), nullable=False),
        sa.Column("kb_version", sa.String(length=32), nullable=False),
    )
    op.create_index("ix_sweat_tests_user_id", "sweat_tests", ["user_id"])
    op.create_index("ix_sweat_tests_user_measured", "sweat_tests", ["user_id", "measured_at"])
    op.create_table(
        "prevention_plans",
        sa.Column("id", sa.String(length=32), primary_key=True),
        _owner(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("kb_version", sa.String(length=32), nullable=False),
    )
    op.create_index("ix_prevention_plans_user_id", "prevention_plans", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_prevention_plans_user_id", table_name="prevention_plans")
    op.drop_table("prevention_plans")
    op.drop_index("ix_sweat_tests_user_measured", table_name="sweat_tests")
    op.drop_index("ix_sweat_tests_user_id", table_name="sweat_tests")
    op.drop_table("sweat_tests")
