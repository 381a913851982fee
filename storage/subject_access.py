"""Subject access and erasure: everything the bot holds about one person, and forgetting it.

:func:`export_person` gathers every row that is about the person or made by them, and every
update or audit entry that names them. :func:`erase_person` removes what is only theirs
(the person, memberships, reminders, personal chats, scheduled messages, used report links),
pseudonymises what the plan needs (their updates and audit entries then read "a former
member of OPCCN") and takes their name out of other people's updates. Both run in the
caller's transaction and are audited there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.plan.retention import as_body_member
from bot.plan.types import Actor
from storage import audit, freshness
from storage.models import (
    Action,
    AuditEntry,
    Body,
    BodyRule,
    ChannelLink,
    ConversationRef,
    Delivery,
    MeetingNudge,
    MeetingNudgeOptOut,
    Membership,
    Person,
    Plan,
    ProgressUpdate,
    ReminderSubscription,
    ReportLinkUse,
    ScrutinyRequest,
)
from storage.retention import delete_conversations

ERASED = "[erased]"
# A name this short would find it in unrelated words ("Al" in "all"): not searched for.
SHORTEST_NAME_SEARCHED = 4


def find(session: Session, identifier: str) -> Person | None:
    """The person with this e-mail address (any case) or AAD object id, or None."""
    ident = identifier.strip()
    if "@" in ident:
        return session.scalar(select(Person).where(Person.email == ident.lower()))
    return session.scalar(select(Person).where(Person.aad_object_id == ident))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Any, columns: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in columns}


def _names(person: Person) -> list[str]:
    """The words that identify the person in free text: their name and e-mail address."""
    names = [person.email or ""]
    if len(person.name.strip()) >= SHORTEST_NAME_SEARCHED:
        names.append(person.name.strip())
    return [n for n in names if n]


def _mentioning(column: Any, names: list[str]) -> Any:
    """SQL: ``column`` contains any of ``names`` (case-insensitive, on SQLite and PostgreSQL)."""
    escaped = [
        n.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for n in names
    ]
    return or_(*(func.lower(column).like(f"%{n}%", escape="\\") for n in escaped))


def _audit_of(session: Session, person: Person) -> list[AuditEntry]:
    names = _names(person)
    about = (AuditEntry.subject_type == "person") & (AuditEntry.subject_key == str(person.id))
    clauses = [AuditEntry.actor_person_id == person.id, about, AuditEntry.actor.in_(names)]
    return list(session.scalars(select(AuditEntry).where(or_(*clauses)).order_by(AuditEntry.at)))


def _memberships(session: Session, person_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Body.key, Body.name, Membership)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person_id)
        .order_by(Body.key)
    ).all()
    return [
        {"body": key, "body_name": name, **_row(m, ("role", "source", "status", "created_at"))}
        for key, name, m in rows
    ]


def _updates(session: Session, where: Any) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Plan.key, Action.number, ProgressUpdate)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(where)
        .order_by(ProgressUpdate.created_at)
    ).all()
    columns = ("id", "status", "text", "revised_date", "evidence_url", "author_name")
    more = ("created_at", "source", "redacted_at")
    return [
        {"plan": plan, "action": number, **_row(u, (*columns, *more))} for plan, number, u in rows
    ]


def _conversations(session: Session, person: Person) -> list[ConversationRef]:
    if not person.aad_object_id:
        return []
    return list(
        session.scalars(
            select(ConversationRef).where(
                ConversationRef.user_aad_object_id == person.aad_object_id
            )
        )
    )


def _deliveries(session: Session, person: Person) -> list[Delivery]:
    mine = [Delivery.person_id == person.id]
    if person.aad_object_id:
        mine.append(Delivery.recipient == person.aad_object_id)
    return list(session.scalars(select(Delivery).where(or_(*mine)).order_by(Delivery.due_at)))


def export_person(session: Session, person: Person, now: datetime) -> dict[str, Any]:
    """Everything held about ``person``, as JSON-ready data (the export is audited).

    ``mentioned_in_updates`` are other people's updates whose text contains the person's name
    or e-mail address: the data protection officer decides what of those to disclose.
    """
    names = _names(person)
    held: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "person": _row(person, ("id", "tenant_id", "aad_object_id", "name", "email", "created_at")),
        "memberships": _memberships(session, person.id),
        "reminders_since": _plain(
            session.scalar(
                select(ReminderSubscription.created_at).where(
                    ReminderSubscription.person_id == person.id
                )
            )
        ),
        "meeting_nudges_off_since": _plain(
            session.scalar(
                select(MeetingNudgeOptOut.created_at).where(
                    MeetingNudgeOptOut.person_id == person.id
                )
            )
        ),
        "meeting_nudges_sent": [
            _row(n, ("meeting_key", "sent_at"))
            for n in session.scalars(
                select(MeetingNudge)
                .where(MeetingNudge.person_id == person.id)
                .order_by(MeetingNudge.sent_at)
            )
        ],
        "updates_written": _updates(session, ProgressUpdate.author_person_id == person.id),
        "mentioned_in_updates": _updates(
            session,
            (ProgressUpdate.author_person_id.is_distinct_from(person.id))
            & _mentioning(ProgressUpdate.text, names),
        )
        if names
        else [],
        "audit_entries": [
            _row(e, ("at", "actor", "action", "subject_type", "subject_key", "before", "after"))
            for e in _audit_of(session, person)
        ],
        "conversations": [
            _row(c, ("conversation_id", "conversation_type", "tenant_id", "service_url"))
            | _row(c, ("active", "installed_at", "last_seen_at", "deactivated_at"))
            for c in _conversations(session, person)
        ],
        "scheduled_messages": [
            _row(d, ("rule", "occurrence_key", "status", "due_at", "sent_at", "outcome"))
            for d in _deliveries(session, person)
        ],
        "report_links_used": [
            _plain(at)
            for at in session.scalars(
                select(ReportLinkUse.used_at).where(ReportLinkUse.person_id == person.id)
            )
        ],
        "channels_linked": [
            _plain(at)
            for at in session.scalars(
                select(ChannelLink.created_at).where(ChannelLink.linked_by_person_id == person.id)
            )
        ],
        "body_rules_changed": list(
            session.scalars(
                select(Body.key)
                .join(BodyRule, BodyRule.body_id == Body.id)
                .where(BodyRule.updated_by_person_id == person.id)
            )
        ),
        "scrutiny_responses": list(
            session.scalars(
                select(ScrutinyRequest.ref).where(ScrutinyRequest.responded_by.in_(names))
            )
        )
        if names
        else [],
    }
    audit.record(
        session,
        operator(),
        "person.exported",
        "person",
        str(person.id),
        now=now,
        after={"sections": sorted(k for k, v in held.items() if v)},
    )
    return held


def operator() -> Actor:
    """The command line, named with the operating-system account that ran it."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = "unknown"
    return Actor(None, f"command line ({user})")


@dataclass
class Erasure:
    """What an erasure changed (or, on a dry run, would change)."""

    person_id: int
    former: str
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report the command prints."""
        return [f"person #{self.person_id} becomes “{self.former}”"] + [
            f"  {name.replace('_', ' ')}: {n}" for name, n in self.counts.items()
        ]


def _scrub(values: dict[str, Any] | None, names: list[str]) -> dict[str, Any] | None:
    """Audit values without the person's name or address.

    A value that is one of them becomes ``[erased]``; so does a mention inside a longer text,
    at any depth of lists and objects.
    """
    if values is None:
        return None
    scrubbed = _scrubbed(values, {n.lower() for n in names}, names)
    return scrubbed if isinstance(scrubbed, dict) else values


def _scrubbed(value: Any, lowered: set[str], names: list[str]) -> Any:
    if isinstance(value, str):
        return ERASED if value.strip().lower() in lowered else _without(value, names, ERASED)
    if isinstance(value, dict):
        return {k: _scrubbed(v, lowered, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, lowered, names) for v in value]
    return value


def _without(text: str, names: list[str], former: str) -> str:
    """``text`` with every mention of the person (any case) replaced by ``former``."""
    for name in names:
        text = re.sub(re.escape(name), former, text, flags=re.IGNORECASE)
    return text


def _remove_mentions(session: Session, names: list[str], former: str) -> int:
    """Other people's updates, and the audit log's copies, naming the person."""
    if not names:
        return 0
    rows = list(
        session.scalars(select(ProgressUpdate).where(_mentioning(ProgressUpdate.text, names)))
    )
    for row in rows:
        row.text = _without(row.text, names, former)
    posted = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "update.posted",
            _mentioning(func.coalesce(AuditEntry.after.cast(String), ""), names),
        )
    )
    for entry in posted:  # the audit log's copy of an update reads like the update itself
        after = dict(entry.after or {})
        if isinstance(after.get("text"), str):
            after["text"] = _without(after["text"], names, former)
        entry.after = after
    return len(rows)


def _erase_audit_mentions(session: Session, names: list[str]) -> int:
    """Audit entries naming the person in what changed (a note, a list of people, a reason).

    The values are JSON: a name with accents is matched as the JSON text holds it too.
    """
    forms = sorted({*names, *(json.dumps(n)[1:-1] for n in names)})
    naming = list(
        session.scalars(
            select(AuditEntry).where(
                or_(
                    _mentioning(func.coalesce(AuditEntry.before.cast(String), ""), forms),
                    _mentioning(func.coalesce(AuditEntry.after.cast(String), ""), forms),
                )
            )
        )
    )
    for entry in naming:
        entry.before, entry.after = _scrub(entry.before, names), _scrub(entry.after, names)
    return len(naming)


def _former_label(session: Session, person: Person) -> str:
    labels = session.scalars(
        select(func.coalesce(Body.abbreviation, Body.name))
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == person.id, Membership.status == "active")
        .order_by(Body.key)
    ).all()
    return as_body_member(list(labels), former=True)


def erase_person(session: Session, person: Person, now: datetime) -> Erasure:
    """Forget ``person``; pseudonymise their updates and audit entries (audited).

    Their updates keep status, dates and text (the plan's history) under "a former member of
    <their bodies>"; audit entries keep what changed, with their name and address replaced.
    """
    former = _former_label(session, person)
    names = _names(person)
    done = Erasure(person.id, former)
    updates = list(
        session.scalars(select(ProgressUpdate).where(ProgressUpdate.author_person_id == person.id))
    )
    for row in updates:
        row.author_person_id, row.author_name = None, former
    entries = _audit_of(session, person)
    for entry in entries:
        if entry.actor_person_id == person.id or entry.actor in names:
            entry.actor_person_id, entry.actor = None, former
            entry.conversation_id = None  # their personal chat's id would point back to them
        entry.before, entry.after = _scrub(entry.before, names), _scrub(entry.after, names)
    mentions = _remove_mentions(session, names, "[a former member]")
    audit_mentions = _erase_audit_mentions(session, names) if names else 0
    responses = list(
        session.scalars(select(ScrutinyRequest).where(ScrutinyRequest.responded_by.in_(names)))
    )
    for request in responses:
        request.responded_by = former
    chats = [c.id for c in _conversations(session, person)]
    deliveries = [d.id for d in _deliveries(session, person)]
    session.execute(delete(Delivery).where(Delivery.id.in_(deliveries)))
    done.counts = {
        "updates_pseudonymised": len(updates),
        "audit_entries_pseudonymised": len(entries),
        "mentions_removed": mentions,
        "audit_mentions_erased": audit_mentions,
        "scrutiny_responses_pseudonymised": len(responses),
        "memberships_deleted": len(_memberships(session, person.id)),
        "personal_chats_deleted": delete_conversations(session, chats),
        "scheduled_messages_deleted": len(deliveries),
    }
    session.execute(delete(Membership).where(Membership.person_id == person.id))
    session.execute(delete(ReminderSubscription).where(ReminderSubscription.person_id == person.id))
    session.execute(delete(MeetingNudgeOptOut).where(MeetingNudgeOptOut.person_id == person.id))
    session.execute(delete(MeetingNudge).where(MeetingNudge.person_id == person.id))
    session.delete(person)
    session.flush()
    freshness.mark_changed(session, "people")
    freshness.mark_changed(session, "plan")
    audit.record(
        session,
        operator(),
        "person.erased",
        "person",
        str(done.person_id),
        now=now,
        after={"as": former, **done.counts},
    )
    return done
