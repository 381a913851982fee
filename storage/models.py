"""The database tables (SQLAlchemy 2 declarative models).

Changing a table means writing an Alembic migration in ``storage/migrations/versions``; the
tests check that the migrations produce exactly these tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.plan.statuses import MEMBER, status_check_sql

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite keeps no zone, so store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current instant, for column defaults only (rules get ``now`` passed in)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (migrations depend on them)."""

    metadata = MetaData(naming_convention=NAMING)


class Plan(Base):
    """A partnership plan: the current Safer Norfolk Plan, or an earlier one."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="delivery-plan")
    starts: Mapped[date | None] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped by every import or body change, so that cached copies of the plan know they are
    # stale (progress updates are append-only: the newest update id tells about those).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    themes: Mapped[list[Theme]] = relationship(
        back_populates="plan", order_by="Theme.number", cascade="all, delete-orphan"
    )


class Theme(Base):
    """One of a plan's delivery plans (2021-24) or priorities (2018-21)."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    sponsor_body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"))
    sponsor_text: Mapped[str] = mapped_column(Text, default="")
    lead_officer: Mapped[str] = mapped_column(Text, default="")
    why: Mapped[str] = mapped_column(Text, default="")
    achieved: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    targets: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[Plan] = relationship(back_populates="themes")
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="theme", order_by="Outcome.number", cascade="all, delete-orphan"
    )
    sections: Mapped[list[Section]] = relationship(
        back_populates="theme", order_by="Section.position", cascade="all, delete-orphan"
    )


class Outcome(Base):
    """A long-term outcome (numbered 1-12 across the 2021-24 plan)."""

    __tablename__ = "outcome"
    __table_args__ = (UniqueConstraint("theme_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    theme: Mapped[Theme] = relationship(back_populates="outcomes")


class Section(Base):
    """A heading inside a theme (Fraud, Neighbourhood crime, ...)."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("theme_id", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    theme: Mapped[Theme] = relationship(back_populates="sections")
    actions: Mapped[list[Action]] = relationship(
        back_populates="section", order_by="Action.position"
    )


class Body(Base):
    """An organisation, partnership, group or team that owns actions or holds meetings."""

    __tablename__ = "body"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    abbreviation: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), default="organisation")
    reports_to_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"))
    meets: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    reports_to: Mapped[Body | None] = relationship(remote_side=[id])
    aliases: Mapped[list[BodyAlias]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by="BodyAlias.id"
    )


class BodyAlias(Base):
    """Another name a body goes by; ``normalised`` is unique so a name points to one body."""

    __tablename__ = "body_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(300))
    normalised: Mapped[str] = mapped_column(String(300), unique=True)
    body: Mapped[Body] = relationship(back_populates="aliases")


class Action(Base):
    """One numbered action of a delivery plan, with its date text as written."""

    __tablename__ = "action"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    success_measure: Mapped[str] = mapped_column(Text, default="")
    owner_text: Mapped[str] = mapped_column(Text, default="")
    due_text: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    due_readable: Mapped[bool] = mapped_column(Boolean, default=True)
    # The same piece of work in the previous plan, when it was carried over into this one: its
    # progress updates stay on that row and are shown as this action's earlier history.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("action.id", ondelete="SET NULL"), index=True
    )
    section: Mapped[Section] = relationship(back_populates="actions")
    owners: Mapped[list[Body]] = relationship(secondary="action_owner", order_by="Body.key")


class ActionOwner(Base):
    """Which bodies own which actions (many per action)."""

    __tablename__ = "action_owner"
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Person(Base):
    """Someone who uses the bot: (tenant id, AAD object id), as Teams sends them.

    Object ids are GUIDs, unique across tenants, so the id alone finds the row; ``tenant_id``
    says whose directory the account is in (a partner organisation's, for people in shared
    channels; the host's for B2B guests), and a turn claiming the id from another tenant is
    not that person. People loaded from the memberships CSV have neither until they first
    use the bot.
    """

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    aad_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(256), default="")
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(Base):
    """A person's place in a body: member, chair or admin.

    ``source`` says where it came from: ``csv`` (the operator's list), ``domain`` (an e-mail
    domain rule), ``self`` (asked for by the person) or ``approved`` (asked for, then approved
    by a chair or admin). ``status`` is ``active`` (grants what the role allows) or ``pending``
    (a claim waiting for approval: it scopes "me" questions and grants nothing).
    """

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'chair', 'admin')", name="role"),
        CheckConstraint("status IN ('active', 'pending')", name="status"),
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MEMBER)
    source: Mapped[str] = mapped_column(String(32), default="self")
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BodyEmailDomain(Base):
    """An e-mail domain rule: people with an address at ``domain`` are members of the body."""

    __tablename__ = "body_email_domain"
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProgressUpdate(Base):
    """A progress update on an action. Append-only: rows are never deleted or rewritten.

    The one change allowed: the retention rule and an erasure redact the text and the author
    (``redacted_at``).
    """

    __tablename__ = "progress_update"
    __table_args__ = (
        CheckConstraint(
            status_check_sql(),
            name="status",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    author_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    author_name: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    revised_date: Mapped[date | None] = mapped_column(Date)
    evidence_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    source: Mapped[str] = mapped_column(String(32), default="teams")
    # When the retention rule (or an erasure) removed the text and the author's name; the
    # status and dates stay, so the plan's history still reads.
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Meeting(Base):
    """A body's meeting, or a recurring series of them (RRULE), in local London time."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # Local wall-clock time: converting at use keeps 10:00 at 10:00 across BST/GMT changes.
    starts_local: Mapped[datetime] = mapped_column(DateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    location: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(2048))
    rrule: Mapped[str | None] = mapped_column(String(500))
    until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    uid: Mapped[str | None] = mapped_column(String(300), unique=True)
    # False for a placeholder series nobody confirmed (kept, never shown as a day and time).
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # False when the source gives the date but not the time (the stored time means nothing).
    time_stated: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConversationRef(Base):
    """Where the bot can post proactively: a stored Bot Framework conversation reference."""

    __tablename__ = "conversation_ref"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(400), unique=True)
    conversation_type: Mapped[str] = mapped_column(String(32), default="personal")
    tenant_id: Mapped[str] = mapped_column(String(64), default="")
    channel_id: Mapped[str] = mapped_column(String(32), default="msteams")
    service_url: Mapped[str] = mapped_column(String(2048))
    team_id: Mapped[str | None] = mapped_column(String(400))
    user_aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reference: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChannelLink(Base):
    """A team channel where a body's update prompts are posted."""

    __tablename__ = "channel_link"
    __table_args__ = (UniqueConstraint("body_id", "conversation_ref_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    conversation_ref_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_ref.id", ondelete="CASCADE"), index=True
    )
    linked_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


DEFAULT_PROMPT_LEAD_DAYS = 7
DEFAULT_FOLLOW_UP_DAYS = 3
DEFAULT_REMINDER_LEAD_DAYS = 1


class BodyRule(Base):
    """A body's timing of update prompts and reminders (no row: the defaults)."""

    __tablename__ = "body_rule"
    __table_args__ = (
        CheckConstraint("prompt_lead_days BETWEEN 1 AND 60", name="prompt_lead_days"),
        CheckConstraint("follow_up_days BETWEEN 0 AND 59", name="follow_up_days"),
        CheckConstraint("reminder_lead_days BETWEEN 1 AND 14", name="reminder_lead_days"),
    )
    body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), primary_key=True
    )
    prompt_lead_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_PROMPT_LEAD_DAYS)
    follow_up_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_FOLLOW_UP_DAYS)
    reminder_lead_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMINDER_LEAD_DAYS)
    updated_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderSubscription(Base):
    """A person who asked for meeting reminders ("reminders on")."""

    __tablename__ = "reminder_subscription"
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingNudgeOptOut(Base):
    """A person who said "stop meeting nudges": no overdue notes when they join a meeting."""

    __tablename__ = "meeting_nudge_opt_out"
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingNudge(Base):
    """One overdue note sent to one person in one Teams meeting.

    The primary key (meeting, person) makes the note once per meeting: whoever inserts the row
    first sends it; a repeated event, or another instance, finds the row and sends nothing.
    """

    __tablename__ = "meeting_nudge"
    meeting_key: Mapped[str] = mapped_column(String(256), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


DELIVERY_STATUSES = (
    "pending",
    "claimed",
    "sent",
    "gone",
    "failed",
    "unknown",
    "skipped",
    "no_chat",
)


class Delivery(Base):
    """One scheduled message to one recipient for one meeting occurrence.

    The unique (rule, occurrence_key, recipient) is what makes delivery exactly-once across
    restarts and across several bot instances on one database: a delivery is planned by
    inserting its row (duplicates ignored) and sent only by whoever claims the row.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("rule", "occurrence_key", "recipient"),
        CheckConstraint(
            "status IN ('pending', 'claimed', 'sent', 'gone', 'failed', 'unknown', 'skipped', "
            "'no_chat')",
            name="status",
        ),
        Index("ix_delivery_status_due_at", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(16))
    occurrence_key: Mapped[str] = mapped_column(String(120))
    recipient: Mapped[str] = mapped_column(String(120))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    conversation_ref_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_ref.id", ondelete="SET NULL")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    occurrence_starts: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(Text, default="")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activity_id: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportLinkUse(Base):
    """A report download link that has been used (each signed link works once).

    ``nonce`` is the link's own random id; rows older than a link's lifetime can be removed,
    since an expired link is refused before its nonce is looked at.
    """

    __tablename__ = "report_link_use"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AuditEntry(Base):
    """Who changed what, when: every change made through the bot or its commands.

    ``before`` and ``after`` hold the changed fields (JSON); entries are never changed.
    """

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_key: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    conversation_id: Mapped[str | None] = mapped_column(String(400))


class RateSlot(Base):
    """The next free send slot of one rate limit (a tenant or a conversation).

    Shared by every instance of the bot on this database; ``next_at`` is in seconds since the
    Unix epoch.
    """

    __tablename__ = "rate_slot"
    scope: Mapped[str] = mapped_column(String(500), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float(53), default=0.0)


REQUEST_KINDS = ("request", "recommendation")
REQUEST_STATUSES = ("open", "answered", "withdrawn")


class ScrutinyRequest(Base):
    """Something a panel or body asked another to answer or consider, tracked to its answer."""

    __tablename__ = "scrutiny_request"
    __table_args__ = (
        CheckConstraint("kind IN ('request', 'recommendation')", name="kind"),
        CheckConstraint("status IN ('open', 'answered', 'withdrawn')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="request")
    text: Mapped[str] = mapped_column(Text)
    asked_by_body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    owner_body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    asked_on: Mapped[date | None] = mapped_column(Date)
    due_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    # What the source says about when it is due, when no meeting is on record ("a future
    # meeting").
    due_text: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    response: Mapped[str] = mapped_column(Text, default="")
    responded_on: Mapped[date | None] = mapped_column(Date)
    responded_by: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
