"""trust: pending memberships, e-mail domain rules, shared rate slots, longer names

Self-service memberships made before this revision were never checked by anyone: they become
pending requests (they still scope "what's overdue for me?", and grant nothing until a chair
or an admin approves them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="active")
        )
        batch_op.create_check_constraint("status", "status IN ('active', 'pending')")
    op.execute("UPDATE membership SET status = 'pending' WHERE source = 'self'")
    op.create_table(
        "body_email_domain",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_body_email_domain_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("domain", "body_id", name=op.f("pk_body_email_domain")),
    )
    with op.batch_alter_table("body_email_domain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_email_domain_body_id"), ["body_id"])
    op.create_table(
        "rate_slot",
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("next_at", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_rate_slot")),
    )
    if op.get_bind().dialect.name == "postgresql":  # SQLite does not enforce lengths
        # Entra display names are up to 256 characters.
        op.alter_column("person", "name", type_=sa.String(length=256))
        op.alter_column("progress_update", "author_name", type_=sa.String(length=256))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE person SET name = left(name, 200)")
        op.execute("UPDATE progress_update SET author_name = left(author_name, 200)")
        op.alter_column("person", "name", type_=sa.String(length=200))
        op.alter_column("progress_update", "author_name", type_=sa.String(length=200))
    op.drop_table("rate_slot")
    with op.batch_alter_table("body_email_domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_email_domain_body_id"))
    op.drop_table("body_email_domain")
    op.execute("UPDATE membership SET source = 'self' WHERE status = 'pending'")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_constraint("status", type_="check")
        batch_op.drop_column("status")
