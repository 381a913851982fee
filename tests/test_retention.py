"""The retention rule, applied by the jobs with a fixed clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings
from bot.jobs.retention import apply_now
from bot.jobs.runner import run_jobs
from bot.plan.retention import REDACTED_TEXT, RetentionPolicy
from bot.plan.types import Actor, NewUpdate
from storage import audit
from storage.conversations import deactivate
from storage.db import make_sessionmaker, transaction
from storage.meeting_nudges import claim
from storage.models import (
    Action,
    AuditEntry,
    ConversationRef,
    Delivery,
    MeetingNudge,
    ProgressUpdate,
)
from storage.updates import record_update
from tests.jobs_support import add_conversation, add_person, job_context

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
# Texts kept a year, audit entries three: an old update's audit entry outlives its text.
POLICY = RetentionPolicy(
    update_text_days=365, audit_days=3 * 365, conversation_days=90, delivery_days=60
)


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def post(
    db: sessionmaker[Session], person_id: int, text: str, at: datetime, actor: str = "Maria"
) -> None:
    with transaction(db) as session:
        action = session.scalar(select(Action).where(Action.number == "1.10"))
        assert action is not None
        update = NewUpdate(
            action.id, "On track", text, None, "https://example.org/x", person_id, actor, text
        )
        record_update(session, update, at)
        audit.record(
            session,
            Actor(person_id, actor),
            "update.posted",
            "action",
            "1.10",
            now=at,
            after={"status": "On track", "text": text, "evidence_url": "https://example.org/x"},
        )


def deliver(db: sessionmaker[Session], key: str, due: datetime, status: str) -> None:
    with transaction(db) as session:
        session.add(
            Delivery(
                rule="reminder",
                occurrence_key=key,
                recipient="aad-r",
                occurrence_starts=due,
                due_at=due,
                status=status,
                created_at=due,
                updated_at=due,
            )
        )


def updates(db: sessionmaker[Session]) -> dict[str, tuple[str, str, str | None]]:
    with db() as session:
        rows = session.execute(
            select(
                ProgressUpdate.idempotency_key,
                ProgressUpdate.text,
                ProgressUpdate.author_name,
                ProgressUpdate.evidence_url,
                ProgressUpdate.status,
            ).where(ProgressUpdate.source != "seed")
        ).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows if r[4] == "On track"}


async def test_the_jobs_redact_and_delete_what_is_due_once_and_audit_it(
    db: sessionmaker[Session],
) -> None:
    maria = add_person(db, "aad-maria", ("NCCSP-TEAM",), reminders=False)
    post(db, maria, "Met Mrs Smith in 2024", NOW - timedelta(days=400))
    post(db, maria, "Terms agreed", NOW - timedelta(days=30))
    post(db, maria, "Very old", NOW - timedelta(days=4 * 365))
    old_chat = add_conversation(db, "19:old", "http://x/", now=NOW - timedelta(days=200))
    add_conversation(db, "19:active", "http://x/", now=NOW - timedelta(days=900))
    add_conversation(db, "19:recent-gone", "http://x/", now=NOW - timedelta(days=200))
    with transaction(db) as session:
        deactivate(session, "19:old", NOW - timedelta(days=100))
        deactivate(session, "19:recent-gone", NOW - timedelta(days=10))
    deliver(db, "old-sent", NOW - timedelta(days=61), "sent")
    deliver(db, "recent", NOW - timedelta(days=5), "sent")
    nudger = add_person(db, "aad-nudged", ("OPCCN",), reminders=False)
    with transaction(db) as session:
        claim(session, "old-meeting", nudger, NOW - timedelta(days=61))
        claim(session, "recent-meeting", nudger, NOW - timedelta(days=5))
    with db() as session:
        seed_before = session.scalars(
            select(ProgressUpdate.text).where(ProgressUpdate.source == "seed")
        ).all()

    summary = await run_jobs(NOW, job_context(db, retention=POLICY))
    assert summary.retention == {
        "update_texts_redacted": 2,
        "audit_texts_redacted": 1,
        "audit_entries_deleted": 1,
        "deliveries_deleted": 1,
        "meeting_nudges_deleted": 1,
        "conversations_deleted": 1,
    }
    with db() as session:
        kept = session.scalars(select(MeetingNudge.meeting_key)).all()
        assert kept == ["recent-meeting"]
    stored = updates(db)
    assert stored["Met Mrs Smith in 2024"] == (
        REDACTED_TEXT,
        "a member of NCCSP Community Safety Team",
        None,
    )
    assert stored["Very old"][0] == REDACTED_TEXT
    assert stored["Terms agreed"] == ("Terms agreed", "Maria", "https://example.org/x")
    with db() as session:
        # The plan's history stays: statuses and dates, and the published reports' texts.
        assert (
            session.scalars(
                select(ProgressUpdate.text).where(ProgressUpdate.source == "seed")
            ).all()
            == seed_before
        )
        texts = [
            (e.after or {}).get("text")
            for e in session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "update.posted")
                .order_by(AuditEntry.at)
            )
        ]
        assert texts == [REDACTED_TEXT, "Terms agreed"]
        assert session.get(ConversationRef, old_chat) is None
        assert session.scalar(select(func.count(ConversationRef.id))) == 2
        keys = set(session.scalars(select(Delivery.occurrence_key)))
        assert keys == {"recent"}
        (entry,) = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "retention.applied")
        )
        assert entry.actor == "retention rule" and entry.after is not None
        assert entry.after["update_texts_redacted"] == 2
    # Idempotent: the next run finds nothing due and writes nothing.
    assert all(v == 0 for v in apply_now(db, POLICY, NOW + timedelta(minutes=5)).values())
    with db() as session:
        assert (
            session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "retention.applied")
            )
            == 1
        )


def test_periods_come_from_the_environment_and_too_short_ones_are_refused() -> None:
    base = {"DATABASE_URL": "sqlite://"}
    assert Settings.from_env(base).retention == RetentionPolicy()
    assert RetentionPolicy().update_text_days == 6 * 365
    custom = Settings.from_env({**base, "RETENTION_UPDATE_TEXT_DAYS": "730"})
    assert custom.retention.update_text_days == 730
    assert custom.retention.texts_kept_from(NOW.date()) == NOW.date() - timedelta(days=730)
    with pytest.raises(ConfigError, match="RETENTION_DELIVERY_DAYS must be at least 30"):
        Settings.from_env({**base, "RETENTION_DELIVERY_DAYS": "7"})
    with pytest.raises(ConfigError, match="RETENTION_AUDIT_DAYS"):
        Settings.from_env({**base, "RETENTION_AUDIT_DAYS": "0"})
