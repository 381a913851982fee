"""Setting the scene for the scheduled jobs: conversations, links, people, a job context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.jobs.context import JobContext
from bot.teams.adapter import make_adapter
from bot.teams.proactive import TeamsSender
from storage.channel_links import link_channel
from storage.conversations import save_reference
from storage.db import transaction
from storage.people import add_memberships, ensure_person
from storage.reminders import subscribe

TENANT = "tenant-1"
LONG_AGO = datetime(2021, 1, 1, tzinfo=UTC)
BOT_ACCOUNT = {"id": "28:safer-partnership-bot", "name": "Safer Partnership"}


@dataclass
class NoSleep:
    """Stands in for asyncio.sleep between tries: records the wait, does not wait."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def add_conversation(
    db: sessionmaker[Session],
    conversation_id: str,
    service_url: str,
    *,
    kind: str = "channel",
    aad: str | None = None,
    tenant: str = TENANT,
    now: datetime = LONG_AGO,
) -> int:
    """Store a conversation reference as the Teams edge would; returns its row id."""
    reference = {
        "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": tenant},
        "serviceUrl": service_url,
        "channelId": "msteams",
        "bot": BOT_ACCOUNT,
        "user": {"id": f"29:{aad or 'someone'}", "aadObjectId": aad},
    }
    with transaction(db) as session:
        record = save_reference(
            session,
            conversation_id=conversation_id,
            conversation_type=kind,
            tenant_id=tenant,
            service_url=service_url,
            team_id="team-1" if kind == "channel" else None,
            user_aad_object_id=aad,
            reference=reference,
            now=now,
        )
    return record.id


def link(db: sessionmaker[Session], body: str, reference_id: int, now: datetime = LONG_AGO) -> None:
    """Link a stored conversation to a body."""
    with transaction(db) as session:
        link_channel(session, body, reference_id, None, now)


def add_person(
    db: sessionmaker[Session],
    aad: str,
    bodies: tuple[str, ...],
    *,
    reminders: bool = True,
    name: str = "",
    now: datetime = LONG_AGO,
) -> int:
    """A person who belongs to ``bodies`` and (by default) asked for reminders."""
    with transaction(db) as session:
        person = ensure_person(session, aad_object_id=aad, name=name or aad)
        add_memberships(session, person.id, bodies, role="member", source="test")
        if reminders:
            subscribe(session, person.id, now)
    return person.id


def job_context(
    db: sessionmaker[Session], *, sleep: NoSleep | None = None, **overrides: object
) -> JobContext:
    """A job context sending through the real Teams sender (development mode, no auth)."""
    settings = Settings.from_env({"DATABASE_URL": "sqlite://"})
    context = JobContext(
        db=db,
        sender=TeamsSender(make_adapter(settings), ""),
        sleep=sleep or NoSleep(),
    )
    for name, value in overrides.items():
        setattr(context, name, value)
    return context
