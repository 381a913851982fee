"""Scrutiny requests: the pack's ones seeded, who owes what, responses recorded and audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from bot.plan.scrutiny import RequestRefused, Response, for_meeting, is_awaited, status_text
from storage import audit
from storage.db import make_sessionmaker, transaction
from storage.models import AuditEntry
from storage.scrutiny import record_response, scrutiny_items

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
CHAIR = audit.Actor(None, "Chair of the Sub Panel")


def test_the_packs_requests_are_seeded(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        items = scrutiny_items(session)
        extension = next(i for i in items if i.ref == "SSP-2021-09-16-REC1")
    assert len(items) == 8
    assert extension.kind == "recommendation" and extension.is_open
    assert extension.owner_key == "NCCSP" and extension.due_day == date(2022, 2, 24)
    assert "extending the Delivery Plan period beyond 2024" in extension.text
    adder = next(i for i in items if i.ref == "SSP-2021-09-16-REQ3")
    assert "Project ADDER" in adder.text and adder.due_day is None
    assert adder.due_text == "a future meeting"


def test_what_the_panel_wants_from_the_opccn_includes_its_team(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        owed = scrutiny_items(session, owner_keys=["OPCCN"], asked_by_keys=["SSP"], open_only=True)
    assert {i.owner_key for i in owed} == {"NCCSP-TEAM"}
    assert {i.ref for i in owed} >= {"SSP-2021-09-16-REQ3", "SSP-2020-11-27-REQ3"}
    assert all(i.is_open for i in owed)


def test_recording_a_response_closes_the_request_and_is_audited(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as session:
        extension = next(i for i in scrutiny_items(session) if i.ref == "SSP-2021-09-16-REC1")
    with transaction(factory) as session:
        done = record_response(
            session,
            extension.id,
            Response("Extended to March 2025 while the next plan is written", date(2022, 6, 9)),
            actor=CHAIR,
            now=NOW,
        )
    assert done.status == "answered" and done.responded_on == date(2022, 6, 9)
    with factory() as session:
        assert extension.id not in {i.id for i in scrutiny_items(session, open_only=True)}
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "scrutiny.responded"))
        assert entry is not None and entry.subject_key == "SSP-2021-09-16-REC1"
        assert entry.before is not None and entry.before["status"] == "open"
        assert entry.actor == "Chair of the Sub Panel"


def test_an_empty_response_is_refused(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as session:
        first = scrutiny_items(session, open_only=True)[0]
    with pytest.raises(RequestRefused, match="Write the response"), transaction(factory) as s:
        record_response(s, first.id, Response("  ", date(2022, 6, 9)), actor=CHAIR, now=NOW)
    with factory() as session:
        assert first.id in {i.id for i in scrutiny_items(session, open_only=True)}


def test_which_requests_a_meeting_sees(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        items = scrutiny_items(session)
    before = {i.ref for i in for_meeting(items, "SSP", date(2022, 2, 24))}
    # Due at that meeting, plus the panel's own requests for "a future meeting".
    assert "SSP-2021-09-16-REC1" in before and "SSP-2021-09-16-REQ3" in before
    assert "SSP-2021-09-16-REQ1" not in before  # answered
    assert "SSP-2022-02-24-REQ1" not in before  # due at the Scrutiny Committee
    june = {i.ref for i in for_meeting(items, "SSP", date(2022, 6, 9))}
    assert "SSP-2021-09-16-REC1" in june  # still outstanding
    committee = {i.ref for i in for_meeting(items, "SCRUTINY-COMMITTEE", date(2022, 3, 23))}
    assert committee == {"SSP-2022-02-24-REQ1"}
    extension = next(i for i in items if i.ref == "SSP-2021-09-16-REC1")
    assert is_awaited(extension, date(2022, 3, 1)) and not is_awaited(extension, date(2022, 2, 24))
    assert status_text(extension, date(2026, 12, 4)) == "Open, response awaited since 24 Feb 2022"


def test_the_report_shows_each_request_as_it_stood_that_day(engine: Engine) -> None:
    from bot.reports.table import request_rows

    factory = make_sessionmaker(engine)
    with factory() as session:
        extension = next(i for i in scrutiny_items(session) if i.ref == "SSP-2021-09-16-REC1")
    with transaction(factory) as session:
        record_response(
            session, extension.id, Response("Agreed", date(2022, 6, 9)), actor=CHAIR, now=NOW
        )
    with factory() as session:
        items = scrutiny_items(session)
    before = {r[0]: r for r in request_rows(items, date(2022, 6, 1))}
    after = {r[0]: r for r in request_rows(items, date(2022, 6, 9))}
    assert (
        before["SSP-2021-09-16-REC1"][7].startswith("Open")
        and before["SSP-2021-09-16-REC1"][8] == ""
    )
    assert after["SSP-2021-09-16-REC1"][7] == "Answered 9 Jun 2022"
    assert after["SSP-2021-09-16-REC1"][8] == "Agreed"
    early = {r[0] for r in request_rows(items, date(2021, 1, 1))}
    assert early == {"SSP-2020-11-27-REQ1", "SSP-2020-11-27-REQ2", "SSP-2020-11-27-REQ3"}
