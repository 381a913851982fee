"""Partners from two tenants in one shared channel, and B2B guests, over real HTTP.

The activities are ``tests/fixtures/teams/shared-channel-*.json`` (see the README there).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.teams.console import ask
from storage.db import make_engine, make_sessionmaker
from storage.models import Body, ConversationRef, Membership, Person
from tests.fakes.connector import FakeConnector
from tests.harness import BotServer, card_texts, fixture, settings_for

HOST = "7a1c2e44-1f0b-4c55-9d3e-0c0c0c0c0a01"  # the county council's tenant: hosts the channel
PARTNER = "b3d5f6a2-8e47-4f1a-a2b9-0d0d0d0d0b02"  # the police's tenant
BEN = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f1a2b3c4d"
ROSTER = {
    "29:1host-user-ann": {"name": "Ann Officer", "email": "ann.officer@norfolk.gov.uk"},
    "29:1partner-user-ben": {"name": "Ben Sergeant", "email": "ben.sergeant@norfolk.police.uk"},
    "29:1guest-user-cat": {"name": "Cat Charity", "email": "cat@norfolkcharity.org.uk"},
}


@pytest.fixture
async def server(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, connector: FakeConnector
) -> AsyncIterator[BotServer]:
    connector.members.update(ROSTER)
    settings = settings_for(sqlite_url, tmp_path, allowed_tenant_ids=(HOST, PARTNER))
    async with BotServer(settings, clock) as running:
        yield running


def shared(name: str, service_url: str, **sender: str) -> dict[str, Any]:
    activity = fixture(f"shared-channel-message-{name}")
    activity["id"] = str(uuid.uuid4())
    activity["serviceUrl"] = service_url
    activity["from"].update(sender)
    return activity


def people(url: str) -> dict[str, tuple[str | None, str | None, list[str]]]:
    """AAD object id -> (tenant, e-mail, body keys)."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        found = {}
        for person in session.scalars(select(Person).where(Person.aad_object_id.is_not(None))):
            keys = session.scalars(
                select(Body.key)
                .join(Membership, Membership.body_id == Body.id)
                .where(Membership.person_id == person.id)
            ).all()
            found[str(person.aad_object_id)] = (person.tenant_id, person.email, sorted(keys))
    engine.dispose()
    return found


async def test_members_of_two_tenants_in_one_shared_channel_are_each_themselves(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    for name in ("host", "external", "guest"):
        status, _ = await server.post(shared(name, connector.url))
        assert status == 201
    ann, ben, cat = await connector.wait_for(3)
    # E-mail domain rules work whichever tenant the person is in.
    assert "Overdue: you (NCC)" in card_texts(ann.cards[0])
    assert "Overdue: you (Norfolk Constabulary)" in card_texts(ben.cards[0])
    assert "Norfolk" not in " ".join([cat.text or "", *map(card_texts, cat.cards)])
    # Every reply went to the conversation the post came from (the host's channel).
    assert {a.conversation_id for a in (ann, ben, cat)} == {
        fixture("shared-channel-message-host")["conversation"]["id"]
    }
    known = people(sqlite_url)
    assert known["0f1e2d3c-4b5a-4697-8877-665544332211"] == (
        HOST,
        "ann.officer@norfolk.gov.uk",
        ["NCC"],
    )
    assert known[BEN] == (PARTNER, "ben.sergeant@norfolk.police.uk", ["CONSTABULARY"])
    # A guest is an account of the host's directory, with no body until one is granted.
    assert known["4c3b2a19-0817-4f6e-8d5c-4b3a29180706"] == (
        HOST,
        "cat@norfolkcharity.org.uk",
        [],
    )


async def test_the_same_object_id_from_another_tenant_is_not_that_person(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    await server.post(shared("external", connector.url))
    await connector.wait_for(1)
    before = people(sqlite_url)
    spoof = shared("external", connector.url, tenantId=HOST, id="29:1someone-else")
    assert (await server.post(spoof))[0] == 201
    (_, reply) = await connector.wait_for(2)
    assert "Norfolk Constabulary" not in " ".join(map(card_texts, reply.cards))
    assert people(sqlite_url) == before


async def test_a_member_of_a_tenant_that_is_not_a_partner_is_refused(
    server: BotServer, connector: FakeConnector
) -> None:
    outsider = shared("external", connector.url, tenantId="c0ffee00-0000-4000-8000-000000000bad")
    status, body = await server.post(outsider)
    assert status == 403 and "does not serve your organisation" in body["error"]
    assert connector.sent() == []


async def test_a_partners_personal_chat_keeps_its_own_tenant_and_service_url(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    partner_connector = await FakeConnector(members=dict(ROSTER)).start()
    try:
        activity = fixture("personal-message")
        activity.update(id=str(uuid.uuid4()), text="my bodies", serviceUrl=partner_connector.url)
        activity["from"] = {"id": "29:1partner-user-ben", "name": "Ben", "aadObjectId": BEN}
        activity["conversation"] = {
            "conversationType": "personal",
            "tenantId": PARTNER,
            "id": "a:1partner-chat-ben",
        }
        activity["channelData"] = {"tenant": {"id": PARTNER}}
        assert (await server.post(activity))[0] == 201
        await partner_connector.wait_for(1)
        assert connector.sent() == []
    finally:
        await partner_connector.stop()
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        ref = session.scalar(
            select(ConversationRef).where(ConversationRef.conversation_id == "a:1partner-chat-ben")
        )
        assert ref is not None
        assert (ref.tenant_id, ref.service_url, ref.user_aad_object_id) == (
            PARTNER,
            partner_connector.url,
            BEN,
        )
    engine.dispose()
    assert people(sqlite_url)[BEN][0] == PARTNER


async def test_a_guest_is_never_an_admin_through_admin_body(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, connector: FakeConnector
) -> None:
    connector.members.update(ROSTER)
    settings = settings_for(
        sqlite_url,
        tmp_path,
        admin_body="NCCSP-TEAM",
        membership_domains={"norfolkcharity.org.uk": ("NCCSP-TEAM",)},
    )
    async with BotServer(settings, clock) as running:
        as_guest = shared("guest", connector.url)
        as_guest["text"] = "<at>Test Bot</at> audit"
        await running.post(as_guest)
        as_member = dict(as_guest, id=str(uuid.uuid4()))
        as_member["from"] = {**as_guest["from"], "userRole": "user"}
        await running.post(as_member)
        guest_reply, member_reply = await connector.wait_for(2)
    assert "Only admins can read the audit log" in (guest_reply.text or "")
    assert "Only admins" not in (member_reply.text or "") and member_reply.cards


async def test_the_operators_console_does_not_give_a_person_its_tenant(
    server: BotServer, connector: FakeConnector, sqlite_url: str
) -> None:
    await ask(server.runtime.services, "my bodies", user="ben.sergeant@norfolk.police.uk")
    await ask(server.runtime.services, "my bodies", user=BEN)
    await server.post(shared("external", connector.url))
    (reply,) = await connector.wait_for(1)
    assert "Overdue: you (Norfolk Constabulary)" in card_texts(reply.cards[0])
    assert people(sqlite_url)[BEN][0] == PARTNER


async def test_a_domain_bound_to_its_tenant_makes_members_of_that_tenant_only(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, connector: FakeConnector
) -> None:
    connector.members.update(ROSTER)
    settings = settings_for(
        sqlite_url,
        tmp_path,
        allowed_tenant_ids=(HOST, PARTNER),
        # The police's addresses count in the police's tenant; the council's in the police's
        # too (a wrong binding, to show an address alone no longer makes a member).
        membership_domain_tenants={
            "norfolk.police.uk": frozenset({PARTNER}),
            "norfolk.gov.uk": frozenset({PARTNER}),
        },
    )
    async with BotServer(settings, clock) as running:
        for name in ("host", "external"):
            assert (await running.post(shared(name, connector.url)))[0] == 201
        ann, ben = await connector.wait_for(2)
    assert "Overdue: you (Norfolk Constabulary)" in card_texts(ben.cards[0])
    assert "NCC" not in " ".join([ann.text or "", *map(card_texts, ann.cards)])
    known = people(sqlite_url)
    assert known[BEN][2] == ["CONSTABULARY"]
    assert known["0f1e2d3c-4b5a-4697-8877-665544332211"][2] == []
