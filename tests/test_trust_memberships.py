"""Issue 13: memberships are earned, not claimed; one person, one row (defects 1 and 2)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.clock import FixedClock
from bot.config import ConfigError, Settings
from bot.reports import links
from bot.services import open_services
from bot.web.reports import NOT_ALLOWED, Refused, make_file
from cards import verbs
from storage.db import make_engine, make_sessionmaker, transaction
from storage.membership_import import import_memberships
from storage.models import AuditEntry, Body, BodyEmailDomain, Membership, Person, ProgressUpdate
from storage.people import add_memberships, ensure_person, find_person
from tests.harness import BotServer, card_texts, execute, message, settings_for

CHAIR = "aad-dasvg-chair"
OUTSIDER = "aad-outsider"


def _factory(url: str):  # type: ignore[no-untyped-def]
    return make_sessionmaker(make_engine(url))


def people(url: str) -> int:
    with _factory(url)() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def audit_actions(url: str) -> list[str]:
    with _factory(url)() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def updates(url: str) -> int:
    with _factory(url)() as session:
        return int(session.scalar(select(func.count()).select_from(ProgressUpdate)) or 0)


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    with transaction(_factory(sqlite_url)) as session:
        chair = ensure_person(session, aad_object_id=CHAIR, name="Carol Chair")
        add_memberships(session, chair.id, ["DASVG"], role="chair", source="csv")
    settings = settings_for(sqlite_url, tmp_path, admin_body="NCCSP-TEAM")
    async with BotServer(settings, clock) as running:
        yield running


async def say(server: BotServer, text: str, aad: str, name: str = "Olly Outsider") -> str:
    """Send a message; the text of every reply (cards flattened)."""
    before = len(server.connector.sent())
    status, _ = await server.post(message(text, aad=aad, name=name))
    assert status == 201
    arrivals = (await server.connector.wait_for(before + 1))[before:]
    return "\n".join(r.text + "\n".join(card_texts(c) for c in r.cards) for r in arrivals)


async def test_claiming_the_admin_body_grants_nothing(server: BotServer, sqlite_url: str) -> None:
    """Defect 1: "I work for NCCSP-TEAM" made anyone an admin who could update any action."""
    stored = updates(sqlite_url)
    answer = await say(server, "I work for NCCSP-TEAM", OUTSIDER)
    assert "pending" in answer and "cannot post updates" in answer
    # No chair of the team is on record: the requester is told who decides instead.
    assert "has no chair on record, so an admin decides" in answer
    assert "Only admins can read the audit log" in await say(server, "audit", OUTSIDER)
    assert "admin" in (await say(server, "failed deliveries", OUTSIDER)).lower()
    # 1.10 is owned by NCCSP-TEAM: the claim does not let them post to it.
    answer = await say(server, "update 1.10 on track: all done, trust me", OUTSIDER)
    assert "Nothing was saved" in answer and updates(sqlite_url) == stored
    # Ticking it on the chooser card is the same request.
    data = {"bodies": "NCCSP-TEAM,OPCCN", "kept": [], "shown": ["NCCSP-TEAM", "OPCCN"]}
    status, body = await server.post(execute(verbs.SAVE_BODIES, data, aad=OUTSIDER))
    assert status == 200 and "pending" in body["value"]
    assert "Nothing was saved" in await say(server, "update 1.19 on track: mine now", OUTSIDER)
    assert updates(sqlite_url) == stored
    # The claim still scopes "me" questions.
    assert "NCCSP Community Safety Team" in await say(server, "my actions", OUTSIDER)
    assert audit_actions(sqlite_url).count("membership.requested") == 2


async def test_a_chair_approves_from_a_card(server: BotServer, sqlite_url: str) -> None:
    answer = await say(server, "I work for DASVG", OUTSIDER)
    assert "pending" in answer and "Carol Chair" in answer
    # Someone who chairs nothing sees no requests and cannot approve by forging the button.
    assert "Only chairs" in await say(server, "requests", "aad-someone-else", "Sam")
    with _factory(sqlite_url)() as session:
        outsider = find_person(session, OUTSIDER)
    assert outsider is not None and outsider.claimed == ("DASVG",)
    forged = {"person": outsider.id, "body": "DASVG"}
    status, body = await server.post(
        execute(verbs.APPROVE_MEMBERSHIP, forged, aad="aad-someone-else")
    )
    assert status == 200 and "Only chairs" in body["value"]
    # The chair sees who asked (name and e-mail as Teams gives them), and approves.
    shown = await say(server, "requests", CHAIR, "Carol Chair")
    assert "Olly Outsider asks to join DASVG" in shown
    status, body = await server.post(execute(verbs.APPROVE_MEMBERSHIP, forged, aad=CHAIR))
    assert status == 200 and "Approved" in card_texts(body["value"])
    assert "No requests are waiting" in card_texts(body["value"])
    # Now a member: may update a DASVG action (3.11 is owned by NCC; find one of DASVG's).
    with _factory(sqlite_url)() as session:
        outsider = find_person(session, OUTSIDER)
    assert outsider is not None and outsider.memberships == (("DASVG", "member"),)
    assert outsider.claimed == () and outsider.vouched == ()
    assert audit_actions(sqlite_url)[-2:] == ["membership.requested", "membership.approved"]
    # A second click finds nothing to decide.
    status, body = await server.post(execute(verbs.REFUSE_MEMBERSHIP, forged, aad=CHAIR))
    assert status == 200 and "already decided" in card_texts(body["value"])


async def test_a_refused_request_is_gone_and_audited(server: BotServer, sqlite_url: str) -> None:
    await say(server, "I work for DASVG", OUTSIDER)
    with _factory(sqlite_url)() as session:
        outsider = find_person(session, OUTSIDER)
    assert outsider is not None
    data = {"person": outsider.id, "body": "DASVG"}
    status, body = await server.post(execute(verbs.REFUSE_MEMBERSHIP, data, aad=CHAIR))
    assert status == 200 and "Refused" in card_texts(body["value"])
    with _factory(sqlite_url)() as session:
        again = find_person(session, OUTSIDER)
    assert again is not None and again.body_keys == ()
    assert "membership.refused" in audit_actions(sqlite_url)


async def test_an_approved_admin_body_membership_is_not_admin(
    server: BotServer, sqlite_url: str
) -> None:
    """ADMIN_BODY counts only from the operator's list or a domain rule."""
    await say(server, "I work for NCCSP-TEAM", OUTSIDER)
    await say(server, "hello", "aad-admin", "Ada Admin")
    with transaction(_factory(sqlite_url)) as session:
        admin = find_person(session, "aad-admin")
        assert admin is not None
        add_memberships(session, admin.id, ["NCCSP-TEAM"], role="member", source="csv")
        outsider = find_person(session, OUTSIDER)
    assert outsider is not None
    assert "Audit log" in await say(server, "audit", "aad-admin", "Ada Admin")
    data = {"person": outsider.id, "body": "NCCSP-TEAM"}
    status, body = await server.post(execute(verbs.APPROVE_MEMBERSHIP, data, aad="aad-admin"))
    assert status == 200 and "Approved" in card_texts(body["value"])
    assert "Only admins can read the audit log" in await say(server, "audit", OUTSIDER)
    # ...but, approved, they may update the body's actions.
    assert "Update saved" in await say(server, "update 1.10 on track: approved member", OUTSIDER)


def test_domain_rules_from_the_partnership_data(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with factory() as session:
        rules = {
            d: k
            for d, k in session.execute(select(BodyEmailDomain.domain, Body.key).join(Body)).all()
        }
    assert rules["norfolk.police.uk"] == "CONSTABULARY"
    with transaction(factory) as session:
        person = ensure_person(
            session, aad_object_id="aad-pc", name="PC", email="PC.Plod@Norfolk.Police.UK"
        )
    assert person.memberships == (("CONSTABULARY", "member"),)
    assert person.vouched == ("CONSTABULARY",)
    with factory() as session:
        granted = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "membership.granted")
        ).all()
    assert [g.after for g in granted] == [
        {
            "body": "CONSTABULARY",
            "role": "member",
            "source": "domain",
            "domain": "norfolk.police.uk",
        }
    ]


POLICE_TENANT = "b3d5f6a2-8e47-4f1a-a2b9-0d0d0d0d0b02"
BOUND = {"norfolk.police.uk": frozenset({POLICE_TENANT})}


def _constable(factory: Any, aad: str, tenant: str = "") -> Any:
    with transaction(factory) as session:
        return ensure_person(
            session,
            aad_object_id=aad,
            name="PC",
            email=f"{aad}@norfolk.police.uk",
            tenant_id=tenant,
            domain_tenants=BOUND,
        )


def test_a_domain_bound_to_tenants_counts_only_for_their_accounts(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    assert _constable(factory, "aad-in", POLICE_TENANT.upper()).body_keys == ("CONSTABULARY",)
    other = "7a1c2e44-1f0b-4c55-9d3e-0c0c0c0c0a01"
    assert _constable(factory, "aad-out", other).body_keys == ()
    # A first turn that does not say the tenant (a channel post): nothing yet...
    assert _constable(factory, "aad-later").body_keys == ()
    # ...until a turn says it is the police's tenant.
    assert _constable(factory, "aad-later", POLICE_TENANT).body_keys == ("CONSTABULARY",)
    # An address loaded from the CSV (no tenant) gets it when its police account comes.
    with transaction(factory) as session:
        listed = ensure_person(
            session, aad_object_id=None, email="aad-csv@norfolk.police.uk", domain_tenants=BOUND
        )
    assert listed.body_keys == ()
    adopted = _constable(factory, "aad-csv", POLICE_TENANT)
    assert adopted.id == listed.id and adopted.body_keys == ("CONSTABULARY",)


def test_a_tenant_learnt_later_does_not_reapply_unbound_rules(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        person = ensure_person(
            session, aad_object_id="aad-council", name="C", email="c@norfolk.gov.uk"
        )
    assert person.body_keys == ("NCC",)
    with transaction(factory) as session:  # an admin removed it
        session.execute(Membership.__table__.delete().where(Membership.person_id == person.id))
    with transaction(factory) as session:
        again = ensure_person(
            session,
            aad_object_id="aad-council",
            name="C",
            email="c@norfolk.gov.uk",
            tenant_id="7a1c2e44-1f0b-4c55-9d3e-0c0c0c0c0a01",
            domain_tenants=BOUND,
        )
    assert again.body_keys == ()


def test_membership_domain_tenants_is_read_and_checked() -> None:
    settings = Settings.from_env(
        {"MEMBERSHIP_DOMAIN_TENANTS": f"@Norfolk.Police.UK={POLICE_TENANT.upper()}+T2; x.org=T3"}
    )
    assert settings.membership_domain_tenants == {
        "norfolk.police.uk": frozenset({POLICE_TENANT, "t2"}),
        "x.org": frozenset({"t3"}),
    }
    for bad in ("norfolk.police.uk", "norfolk.police.uk=", "=T1"):
        with pytest.raises(ConfigError, match="MEMBERSHIP_DOMAIN_TENANTS"):
            Settings.from_env({"MEMBERSHIP_DOMAIN_TENANTS": bad})


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_changes_the_real_persons_role(db_url: str, tmp_path: Path) -> None:
    """Defect 2: the CSV made a phantom person and the real one kept their old role."""
    factory = _factory(db_url)
    with transaction(factory) as session:
        chair = ensure_person(
            session, aad_object_id="aad-carol", name="Carol", email="carol@council.example"
        )
        add_memberships(session, chair.id, ["DASVG"], role="chair", source="csv")
    before = people(db_url)
    demote = write(tmp_path / "m.csv", "email,body,role\nCAROL@council.example,DASVG,member\n")
    dry = import_memberships(factory, demote, dry_run=True)
    assert "row 2: Carol <carol@council.example>: chair -> member of DASVG" in dry.lines()
    assert "dry run: these rows would change memberships:" in dry.lines()
    assert "nothing was changed (dry run)" in dry.lines()
    with factory() as session:
        assert find_person(session, "aad-carol").memberships == (("DASVG", "chair"),)  # type: ignore[union-attr]
    done = import_memberships(factory, demote)
    assert done.applied and "0 added, 1 role changed" in done.lines()[-1]
    assert people(db_url) == before  # no phantom row
    with factory() as session:
        assert find_person(session, "aad-carol").memberships == (("DASVG", "member"),)  # type: ignore[union-attr]
    # Importing the same file again changes nothing and adds no one.
    again = import_memberships(factory, demote)
    assert "0 added, 0 role changed, 0 removed, 1 unchanged" in again.lines()[-1]
    assert people(db_url) == before
    # A promotion and a removal work on the same row too.
    promote = write(tmp_path / "p.csv", "email,body,role\ncarol@council.example,DASVG,chair\n")
    import_memberships(factory, promote)
    with factory() as session:
        assert find_person(session, "aad-carol").memberships == (("DASVG", "chair"),)  # type: ignore[union-attr]
    remove = write(tmp_path / "r.csv", "email,body,role\ncarol@council.example,DASVG,remove\n")
    assert "1 removed" in import_memberships(factory, remove).lines()[-1]
    with factory() as session:
        assert find_person(session, "aad-carol").memberships == ()  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_a_demoted_chairs_issued_link_stops_working(db_url: str, tmp_path: Path) -> None:
    factory = _factory(db_url)
    with transaction(factory) as session:
        chair = ensure_person(
            session, aad_object_id="aad-carol", name="Carol", email="carol@council.example"
        )
        add_memberships(session, chair.id, ["DASVG"], role="chair", source="csv")
    settings = settings_for(db_url, tmp_path, link_secret="s" * 40, public_base_url="https://b")
    clock = FixedClock.at_london_noon(date(2022, 6, 1))
    services = open_services(settings, factory, clock)
    claims = links.new_claims(
        chair.id, "csv", "safer-norfolk-2021-24", date(2022, 6, 1), clock.now()
    )
    token = links.sign(claims, settings.link_secret)
    import_memberships(
        factory, write(tmp_path / "m.csv", "email,body,role\ncarol@council.example,DASVG,member\n")
    )
    with pytest.raises(Refused, match=NOT_ALLOWED[:30]):
        make_file(services, token)


def test_teams_identity_and_csv_email_are_one_person(db_url: str, tmp_path: Path) -> None:
    factory = _factory(db_url)
    loaded = write(tmp_path / "m.csv", "email,body,role\ndana@council.example,DASVG,chair\n")
    import_memberships(factory, loaded)
    with transaction(factory) as session:
        # First seen in Teams before the roster gave an address: a row of its own...
        first = ensure_person(session, aad_object_id="aad-dana", name="Dana")
        assert first.memberships == ()
    with transaction(factory) as session:
        # ...until the address is known: the two rows are one person.
        known = ensure_person(
            session, aad_object_id="aad-dana", name="Dana", email="dana@council.example"
        )
    assert known.id == first.id and known.memberships == (("DASVG", "chair"),)
    with factory() as session:
        rows = session.scalars(select(Person).where(Person.name.in_(["Dana", ""]))).all()
    assert [(p.aad_object_id, p.email) for p in rows] == [("aad-dana", "dana@council.example")]


def test_a_sender_without_an_aad_id_adds_no_rows(db_url: str, tmp_path: Path) -> None:
    """Defect 10 (part): a sender without an AAD id made a blank person row on every message."""
    from bot.dispatch import identify
    from bot.turns import Place, Request, Sender

    factory = _factory(db_url)
    with transaction(factory) as session:
        ensure_person(session, aad_object_id="aad-erin", name="Erin", email="erin@x.example")
    services = open_services(
        settings_for(db_url, tmp_path), factory, FixedClock.at_london_noon(date(2022, 6, 1))
    )
    before = people(db_url)
    for sender in (
        Sender(aad_object_id=None, name="Mallory", email="erin@x.example"),
        Sender(aad_object_id=None, name="Nobody"),
        Sender(aad_object_id="x" * 300, name="Long id"),
        Sender(aad_object_id="bad id\x00", name="Odd id"),
    ):
        request = Request(sender=sender, place=Place("conv"), now=services.clock.now())
        for _ in range(3):
            assert identify(services, request).person_id is None
    assert people(db_url) == before


async def test_the_chair_is_sent_a_card_to_decide_from(server: BotServer, sqlite_url: str) -> None:
    status, _ = await server.post(message("hello", aad=CHAIR, conversation_id="a:chair-1to1"))
    assert status == 201
    await server.connector.wait_for(1)
    await say(server, "I work for DASVG", OUTSIDER)
    # The request woke the jobs; a run now finds nothing more to send.
    await server.runtime.jobs.run(server.runtime.services.clock.now())
    await server.connector.wait_for(3)
    (card_arrival,) = server.connector.sent("a:chair-1to1")[1:]
    shown = "\n".join(card_texts(c) for c in card_arrival.cards)
    assert "Olly Outsider asks to join DASVG" in shown
    approve = [
        a
        for c in card_arrival.cards
        for element in c["body"]
        for item in element.get("items", [])
        for a in item.get("actions", [])
        if a.get("verb") == verbs.APPROVE_MEMBERSHIP
    ]
    assert len(approve) == 1
    status, body = await server.post(
        execute(verbs.APPROVE_MEMBERSHIP, approve[0]["data"], aad=CHAIR)
    )
    assert status == 200 and "Approved" in card_texts(body["value"])
    # Decided: a second run sends nothing more.
    assert (await server.runtime.jobs.run(server.runtime.services.clock.now())).sent == 0
