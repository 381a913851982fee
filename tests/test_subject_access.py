"""Subject access (export) and erasure of one person, on SQLite and PostgreSQL, and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.plan.types import Actor
from storage import audit, subject_access
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import (
    AuditEntry,
    ConversationRef,
    Delivery,
    Person,
    ProgressUpdate,
    ScrutinyRequest,
)
from storage.people import ensure_person
from tests.cli_support import run_bot_cli
from tests.jobs_support import add_conversation, add_person
from tests.test_retention import deliver, post

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
EMAIL = "maria.member@example.org"


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def maria_and_her_traces(db: sessionmaker[Session]) -> int:
    """Maria: reminders, a personal chat, a reminder sent, an update; Owen's update names her."""
    maria = add_person(db, "aad-maria", ("NCCSP-TEAM",), name="Maria Member")
    owen = add_person(db, "aad-owen", ("NCCSP-TEAM",), name="Owen Other", reminders=False)
    with transaction(db) as session:
        ensure_person(session, aad_object_id="aad-maria", name="Maria Member", email=EMAIL)
    add_conversation(db, "a:maria-chat", "http://x/", kind="personal", aad="aad-maria")
    deliver(db, "maria-reminder", NOW - timedelta(days=3), "sent")
    with transaction(db) as session:
        session.execute(
            Delivery.__table__.update()
            .where(Delivery.occurrence_key == "maria-reminder")
            .values(person_id=maria, recipient="aad-maria")
        )
    post(db, maria, "Terms of reference agreed", NOW - timedelta(days=10), actor="Maria Member")
    with transaction(db) as session:  # she recorded a panel's answer, in her name
        request = session.scalars(select(ScrutinyRequest).order_by(ScrutinyRequest.id)).first()
        assert request is not None
        request.responded_by = "Maria Member"
    post(db, owen, "Handed over by Maria Member", NOW - timedelta(days=5), actor="Owen Other")
    admin_note(  # about another subject, naming her
        db,
        before={"lead": "maria.member@EXAMPLE.org", "size": 2},
        after={"note": "Lead moved from Maria Member to Owen", "people": ["maria member"]},
    )
    return maria


def admin_note(
    db: sessionmaker[Session], *, after: dict[str, object], before: dict[str, object] | None = None
) -> None:
    """An admin's audited change to a body (its values may name people)."""
    with transaction(db) as session:
        audit.record(
            session,
            Actor(None, "Ada Admin"),
            "body.changed",
            "body",
            "NCCSP-TEAM",
            now=NOW - timedelta(days=4),
            before=before,
            after=after,
        )


def test_export_holds_everything_about_the_person_and_is_audited(
    db: sessionmaker[Session],
) -> None:
    maria = maria_and_her_traces(db)
    with transaction(db) as session:
        person = subject_access.find(session, EMAIL.upper())
        assert person is not None and person.id == maria
        held = json.loads(json.dumps(subject_access.export_person(session, person, NOW)))
    assert held["person"]["email"] == EMAIL and held["person"]["aad_object_id"] == "aad-maria"
    assert [m["body"] for m in held["memberships"]] == ["NCCSP-TEAM"]
    assert held["reminders_since"]
    assert [u["text"] for u in held["updates_written"]] == ["Terms of reference agreed"]
    assert [u["text"] for u in held["mentioned_in_updates"]] == ["Handed over by Maria Member"]
    assert [c["conversation_id"] for c in held["conversations"]] == ["a:maria-chat"]
    assert [d["occurrence_key"] for d in held["scheduled_messages"]] == ["maria-reminder"]
    assert len(held["scrutiny_responses"]) == 1
    actions = [(e["action"], e["actor"]) for e in held["audit_entries"]]
    assert actions == [("update.posted", "Maria Member")]
    with db() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.exported"))
        assert entry.subject_key == str(maria) and entry.actor.startswith("command line (")


def test_erasure_forgets_the_person_and_keeps_the_plan_readable(
    db: sessionmaker[Session],
) -> None:
    maria = maria_and_her_traces(db)
    with db() as session:  # a dry run: everything is undone
        person = subject_access.find(session, EMAIL)
        assert person is not None
        dry = subject_access.erase_person(session, person, NOW)
        session.rollback()
    assert dry.counts["updates_pseudonymised"] == 1
    with db() as session:
        assert session.get(Person, maria) is not None
    with transaction(db) as session:
        person = subject_access.find(session, EMAIL)
        assert person is not None
        done = subject_access.erase_person(session, person, NOW)
    former = "a former member of NCCSP Community Safety Team"
    assert done.former == former
    assert done.counts == {
        "updates_pseudonymised": 1,
        "audit_entries_pseudonymised": 1,
        "mentions_removed": 1,
        "audit_mentions_erased": 1,
        "scrutiny_responses_pseudonymised": 1,
        "memberships_deleted": 1,
        "personal_chats_deleted": 1,
        "scheduled_messages_deleted": 1,
    }
    with db() as session:
        assert session.get(Person, maria) is None
        assert subject_access.find(session, EMAIL) is None
        texts = dict(
            session.execute(
                select(ProgressUpdate.text, ProgressUpdate.author_name).where(
                    ProgressUpdate.source == "teams"
                )
            ).all()
        )
        assert texts["Terms of reference agreed"] == former  # the history still reads
        assert texts["Handed over by [a former member]"] == "Owen Other"
        assert (
            session.scalar(
                select(func.count(ConversationRef.id)).where(
                    ConversationRef.user_aad_object_id == "aad-maria"
                )
            )
            == 0
        )
        assert (
            session.scalar(select(func.count(Delivery.id)).where(Delivery.person_id == maria)) == 0
        )
        audit_dump = json.dumps(
            [(e.actor, e.before, e.after) for e in session.scalars(select(AuditEntry))]
        )
        assert EMAIL not in audit_dump.lower() and "maria member" not in audit_dump.lower()
        (note,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "body.changed"))
        assert note.before == {"lead": "[erased]", "size": 2}
        assert note.after == {"note": "Lead moved from [erased] to Owen", "people": ["[erased]"]}
        assert "Maria Member" not in session.scalars(select(ScrutinyRequest.responded_by)).all()
        (erased,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.erased"))
        assert erased.after is not None and erased.after["as"] == former


def test_the_cli_exports_to_a_file_and_erases_with_a_dry_run_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    assert run_bot_cli(["migrate"], tmp_path, url).returncode == 0
    engine = make_engine(url)
    maria = maria_and_her_traces(make_sessionmaker(engine))
    out = tmp_path / "maria.json"
    done = run_bot_cli(["person", "export", EMAIL, "--out", str(out)], tmp_path, url)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["id"] == maria
    dry = run_bot_cli(["person", "erase", EMAIL, "--dry-run"], tmp_path, url)
    assert dry.returncode == 0 and "dry run: nothing was changed" in dry.stdout
    assert "updates pseudonymised: 1" in dry.stdout
    with make_sessionmaker(engine)() as session:
        assert session.get(Person, maria) is not None
    erased = run_bot_cli(["person", "erase", EMAIL], tmp_path, url)
    assert erased.returncode == 0 and "a former member of" in erased.stdout
    with make_sessionmaker(engine)() as session:
        assert session.get(Person, maria) is None
    again = run_bot_cli(["person", "export", EMAIL], tmp_path, url)
    assert again.returncode == 1 and "nobody with" in again.stderr
    engine.dispose()


def test_erasure_finds_an_accented_name_in_the_audit_log(db: sessionmaker[Session]) -> None:
    add_person(db, "aad-jose", ("NCCSP-TEAM",), name="José Núñez")
    admin_note(db, after={"note": "Asked by José Núñez"})
    with transaction(db) as session:
        person = subject_access.find(session, "aad-jose")
        assert person is not None
        done = subject_access.erase_person(session, person, NOW)
    assert done.counts["audit_mentions_erased"] == 1
    with db() as session:
        (note,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "body.changed"))
        assert note.after == {"note": "Asked by [erased]"}
