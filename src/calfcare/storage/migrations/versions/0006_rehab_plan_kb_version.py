"""rehab_plans: kb_version, the knowledge base a plan's ids were written against

A plan stores programme, variant and phase ids. Recording the knowledge-base version
(`KnowledgeBase.content_hash`) when a plan starts, when its phase changes and when its ids are
moved to renamed ones says which programme files those ids came from. Existing plans get
"unknown".

The downgrade keeps every plan: SQLite rebuilds `rehab_plans` to drop the column, with foreign
keys off (dropping the old table would otherwise cascade to the plan's sessions, tests and
history), and the partial index that allows one active plan per person is put back as it was.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from calfcare.storage.migrate import sqlite_foreign_keys_off

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    with op.batch_alter_table("rehab_plans") as batch:
        batch.add_column(
            sa.Column("kb_version", sa.String(length=32), nullable=False, server_default="unknown")
        )


def downgrade() -> None:
    op.drop_index("uq_rehab_plans_one_active", table_name="rehab_plans")
    with sqlite_foreign_keys_off(), op.batch_alter_table("rehab_plans") as batch:
        batch.drop_column("kb_version")
    op.create_index(
        "uq_rehab_plans_one_active",
        "rehab_plans",
        ["user_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
