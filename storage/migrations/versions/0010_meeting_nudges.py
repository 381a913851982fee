"""meeting nudges: once per (Teams meeting, person), and who opted out

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_nudge_opt_out",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_meeting_nudge_opt_out_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_meeting_nudge_opt_out")),
    )
    op.create_table(
        "meeting_nudge",
        sa.Column("meeting_key", sa.String(length=256), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_meeting_nudge_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_key", "person_id", name=op.f("pk_meeting_nudge")),
    )
    op.create_index(op.f("ix_meeting_nudge_sent_at"), "meeting_nudge", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_nudge_sent_at"), table_name="meeting_nudge")
    op.drop_table("meeting_nudge")
    op.drop_table("meeting_nudge_opt_out")
