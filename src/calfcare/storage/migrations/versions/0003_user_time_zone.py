"""users: time_zone, the IANA zone in which a person enters and reads diary times

Times stay stored in UTC; the zone (e.g. "Europe/London") is how they are typed, shown and
grouped into times of day, days, weeks and months. Existing accounts get "UTC", which is what
they saw before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from calfcare.storage.migrate import sqlite_foreign_keys_off

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC")
        )


def downgrade() -> None:
    # SQLite rebuilds `users` to drop the column; with foreign keys on, dropping the old table
    # would cascade to every row that references an account.
    with sqlite_foreign_keys_off(), op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
