"""The schedule store: bodies' channels, meetings and prompt timing; failed deliveries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.plan.forms import MeetingDraft
from bot.plan.meetings import MeetingSeries
from bot.plan.schedule import BodyRules
from bot.plan.types import Actor, DeliveryProblem, LinkRecord
from storage import audit, body_rules, channel_links, meetings
from storage.conversations import reference_for
from storage.db import reading, writing
from storage.delivery_problems import problems


class SqlScheduleStore:
    """:class:`bot.stores.ScheduleStore` on SQLAlchemy."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def links(
        self, *, body_keys: Iterable[str] | None = None, conversation_id: str | None = None
    ) -> list[LinkRecord]:
        """Channel links, of some bodies or of one conversation, by body then date."""
        with reading(self.sessions) as session:
            if conversation_id is None:
                return channel_links.links(session, body_keys=body_keys)
            reference = reference_for(session, conversation_id)
            if reference is None:
                return []
            return channel_links.links(
                session, body_keys=body_keys, conversation_ref_id=reference.id
            )

    def linked_bodies(self, conversation_id: str) -> tuple[str, ...]:
        """Keys of the bodies a conversation (or its channel) is linked to."""
        with reading(self.sessions) as session:
            return channel_links.linked_body_keys(session, conversation_id)

    def link(
        self, conversation_id: str, body_keys: Iterable[str], actor: Actor, now: datetime
    ) -> list[tuple[str, bool]] | None:
        """Link a channel to bodies (audited); None when the channel is not on record."""
        with writing(self.sessions) as session:
            reference = reference_for(session, conversation_id)
            if reference is None:
                return None
            done = []
            for key in body_keys:
                new = channel_links.link_channel(session, key, reference.id, actor.person_id, now)
                if new:
                    audit.record(
                        session,
                        actor,
                        "channel.linked",
                        "body",
                        key,
                        now=now,
                        after={"conversation": reference.conversation_id},
                    )
                done.append((key, new))
            return done

    def unlink(self, found: Iterable[LinkRecord], actor: Actor, now: datetime) -> None:
        """Remove these links (audited)."""
        with writing(self.sessions) as session:
            for link in found:
                channel_links.unlink_channel(session, link.conversation_ref_id, [link.body_key])
                audit.record(
                    session,
                    actor,
                    "channel.unlinked",
                    "body",
                    link.body_key,
                    now=now,
                    before={"conversation_ref": link.conversation_ref_id},
                )

    def meetings(self, body_keys: Iterable[str] | None = None) -> list[MeetingSeries]:
        """Every meeting or series, optionally of some bodies only."""
        with reading(self.sessions) as session:
            return meetings.meeting_series(session, body_keys)

    def meeting(self, meeting_id: int) -> MeetingSeries | None:
        """One meeting or series, or None."""
        with reading(self.sessions) as session:
            return meetings.meeting_by_id(session, meeting_id)

    def cadences(self, body_keys: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        """Bodies' stated cadences, key -> (short name, cadence text), of some bodies or all."""
        with reading(self.sessions) as session:
            return meetings.body_cadences(session, body_keys)

    def save_meeting(
        self,
        draft: MeetingDraft,
        meeting_id: int | None,
        actor: Actor,
        now: datetime,
        describe: Callable[[MeetingSeries], dict[str, Any]],
    ) -> MeetingSeries:
        """Add or change a meeting; audited with ``describe`` of it before and after."""
        with writing(self.sessions) as session:
            existing = meetings.meeting_by_id(session, meeting_id) if meeting_id else None
            saved = meetings.save_meeting(session, draft, meeting_id=meeting_id)
            audit.record(
                session,
                actor,
                "meeting.saved",
                "meeting",
                str(saved.id),
                now=now,
                before=describe(existing) if existing else None,
                after=describe(saved),
            )
            return saved

    def body_rules(self, body_key: str) -> BodyRules:
        """A body's prompt and reminder timing (the defaults when it has none)."""
        with reading(self.sessions) as session:
            return body_rules.rules_for(session, body_key)

    def save_body_rules(self, body_key: str, rules: BodyRules, actor: Actor, now: datetime) -> None:
        """Store a body's timing (audited)."""
        with writing(self.sessions) as session:
            before = body_rules.rules_for(session, body_key)
            body_rules.save_rules(session, body_key, rules, actor.person_id, now)
            audit.record(
                session,
                actor,
                "rules.saved",
                "body",
                body_key,
                now=now,
                before=asdict(before),
                after=asdict(rules),
            )

    def failed_deliveries(self, since: datetime) -> list[DeliveryProblem]:
        """Scheduled messages since ``since`` that did not arrive, newest first."""
        with reading(self.sessions) as session:
            found = problems(session, since)
        return [
            DeliveryProblem(
                due_at=p.delivery.due_at,
                rule=p.delivery.rule,
                status=p.delivery.status,
                outcome=p.delivery.outcome,
                body_label=p.body_label,
                recipient_label=p.recipient_label,
            )
            for p in found
        ]
