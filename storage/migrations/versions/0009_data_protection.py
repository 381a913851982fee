"""data protection: the person's tenant, and redacted progress updates

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("redacted_at", storage.models.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("tenant_id")
