"""rehabilitation plans, logs, tests and phase history

A plan belongs to a person (deleted with the account); its sessions, next-morning checks,
tests, clinician adjustments and phase history belong to the plan (deleted with it). A
clinician who assigned a plan or adjusted it is remembered, and forgotten (SET NULL) if their
account goes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:52:35.270343
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rehab_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("injury_day", sa.Date(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=False),
        sa.Column("phase_started", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_by", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assigned_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rehab_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rehab_plans_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_rehab_plans_user_status", ["user_id", "status"], unique=False)

    op.create_table(
        "rehab_adjustments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=False),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("load", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("by_user", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_user"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["rehab_plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "phase", "exercise"),
    )
    with op.batch_alter_table("rehab_adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rehab_adjustments_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "rehab_mornings",
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["rehab_plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id", "day"),
    )
    op.create_table(
        "rehab_phase_changes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("from_phase", sa.String(length=64), nullable=True),
        sa.Column("to_phase", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("by_user", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_user"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["rehab_plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rehab_phase_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rehab_phase_changes_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "rehab_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=False),
        sa.Column("pain_during", sa.Integer(), nullable=False),
        sa.Column("pain_after", sa.Integer(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("exercises", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["rehab_plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rehab_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_rehab_sessions_plan_day", ["plan_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_rehab_sessions_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "rehab_tests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("injured", sa.Float(), nullable=True),
        sa.Column("other", sa.Float(), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("limp", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["rehab_plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rehab_tests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rehab_tests_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rehab_tests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rehab_tests_plan_id"))

    op.drop_table("rehab_tests")
    with op.batch_alter_table("rehab_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rehab_sessions_plan_id"))
        batch_op.drop_index("ix_rehab_sessions_plan_day")

    op.drop_table("rehab_sessions")
    with op.batch_alter_table("rehab_phase_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rehab_phase_changes_plan_id"))

    op.drop_table("rehab_phase_changes")
    op.drop_table("rehab_mornings")
    with op.batch_alter_table("rehab_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rehab_adjustments_plan_id"))

    op.drop_table("rehab_adjustments")
    with op.batch_alter_table("rehab_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_rehab_plans_user_status")
        batch_op.drop_index(batch_op.f("ix_rehab_plans_user_id"))

    op.drop_table("rehab_plans")
