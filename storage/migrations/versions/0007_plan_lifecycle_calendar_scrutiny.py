"""plan lifecycle, a truthful calendar, scrutiny requests

Meetings learn whether they are confirmed and whether their time is stated; the seed's
placeholder series (dates and times the documents never gave) are marked unconfirmed, and the
seed's dated meetings whose time the documents do not state are marked so. Actions learn which
action of the previous plan they carry over. Scrutiny requests and recommendations get a table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Seed meetings (uid prefixes) whose date is in the documents but whose time is not.
_DATE_ONLY_SEED = (
    "seed:SSP:20201127T1000:",
    "seed:SSP:20210720T1000:",
    "seed:SSP:20220609T1000:",
    "seed:SSP:20220928T1000:",
    "seed:SSP:20221208T1000:",
    "seed:SCRUTINY-COMMITTEE:20220323T1000:",
    "seed:CRPSG:20211007T1000:",
)


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirmed", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("time_stated", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_action_carried_from_id"), ["carried_from_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_action_carried_from_id_action"),
            "action",
            ["carried_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "scrutiny_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_by_body_id", sa.Integer(), nullable=False),
        sa.Column("owner_body_id", sa.Integer(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=True),
        sa.Column("due_meeting_id", sa.Integer(), nullable=True),
        sa.Column("due_text", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("responded_by", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('request', 'recommendation')", name=op.f("ck_scrutiny_request_kind")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'withdrawn')", name=op.f("ck_scrutiny_request_status")
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_body_id"],
            ["body.id"],
            name=op.f("fk_scrutiny_request_asked_by_body_id_body"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_body_id"], ["body.id"], name=op.f("fk_scrutiny_request_owner_body_id_body")
        ),
        sa.ForeignKeyConstraint(
            ["due_meeting_id"],
            ["meeting.id"],
            name=op.f("fk_scrutiny_request_due_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrutiny_request")),
        sa.UniqueConstraint("ref", name=op.f("uq_scrutiny_request_ref")),
    )
    with op.batch_alter_table("scrutiny_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scrutiny_request_asked_by_body_id"), ["asked_by_body_id"]
        )
        batch_op.create_index(batch_op.f("ix_scrutiny_request_owner_body_id"), ["owner_body_id"])
        batch_op.create_index(batch_op.f("ix_scrutiny_request_due_meeting_id"), ["due_meeting_id"])
    meeting = sa.table(
        "meeting",
        sa.column("uid", sa.String),
        sa.column("rrule", sa.String),
        sa.column("confirmed", sa.Boolean),
        sa.column("time_stated", sa.Boolean),
    )
    # The seed's recurring series carried invented days and times: keep them, unconfirmed.
    op.execute(
        meeting.update()
        .where(meeting.c.uid.like("seed:%"), meeting.c.rrule.is_not(None))
        .values(confirmed=False)
    )
    for prefix in _DATE_ONLY_SEED:
        op.execute(
            meeting.update().where(meeting.c.uid.like(prefix + "%")).values(time_stated=False)
        )


def downgrade() -> None:
    op.drop_table("scrutiny_request")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_action_carried_from_id_action"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_carried_from_id"))
        batch_op.drop_column("carried_from_id")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("time_stated")
        batch_op.drop_column("confirmed")
