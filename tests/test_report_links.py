"""The report in Teams: who gets links, links never in shared chats, the signed download."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

from bot.clock import FixedClock
from bot.config import Settings
from bot.handlers.report import NOT_CONFIGURED, PERSONAL_ONLY
from bot.plan.permissions import WHO_MAY_EXPORT
from bot.reports import links
from bot.services import open_services
from bot.teams.handler import PartnershipBot
from cards import verbs
from cards.report import report_offer_card
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import Membership, ReportLinkUse
from storage.people import add_memberships, ensure_person
from storage.report_links import claim_report_link
from tests.fakes.connector import FakeConnector
from tests.harness import (
    BotServer,
    cards_of,
    execute,
    invoke_body,
    message,
    settings_for,
    submit,
    turn,
)

SECRET = "a-long-random-test-secret-for-signing-links"
BASE = "https://bot.example.org"
NOW = datetime(2022, 6, 1, 11, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def configured(url: str, tmp_path: Path) -> Settings:
    return settings_for(
        url, tmp_path, public_base_url=BASE, link_secret=SECRET, bot_admins=("aad-admin",)
    )


def person_with_role(settings: Settings, aad: str, role: str) -> int:
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        person = ensure_person(session, aad_object_id=aad, name=f"{role.title()} Person")
        add_memberships(session, person.id, ["DASVG"], role=role, source="test")
    return person.id


def set_role(settings: Settings, person_id: int, role: str) -> None:
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        session.execute(
            update(Membership).where(Membership.person_id == person_id).values(role=role)
        )


def urls_in(card: dict[str, Any]) -> list[str]:
    return [a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]


def token_of(url: str) -> str:
    assert url.startswith(f"{BASE}/api/reports/")
    return url.rsplit("/", 1)[1]


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return configured(sqlite_url, tmp_path)


def make_bot(settings: Settings) -> PartnershipBot:
    services = open_services(
        settings,
        make_sessionmaker(make_engine(settings.database_url)),
        FixedClock(NOW),
    )
    return PartnershipBot(services)


async def test_members_are_told_who_can(settings: Settings) -> None:
    person_with_role(settings, "aad-member", "member")
    sent = await turn(make_bot(settings), message("report", aad="aad-member"))
    assert [a.text for a in sent] == [WHO_MAY_EXPORT] and not cards_of(sent)


async def test_chair_and_admin_get_personal_links(settings: Settings) -> None:
    chair_id = person_with_role(settings, "aad-chair", "chair")
    bot = make_bot(settings)
    (card,) = cards_of(await turn(bot, message("report as of 1 June 2022", aad="aad-chair")))
    urls = urls_in(card)
    assert len(urls) == 3
    claims = [links.read(token_of(u), SECRET, NOW) for u in urls]
    assert [c.fmt for c in claims] == ["xlsx", "docx", "csv"]
    assert {(c.person_id, c.plan_key, c.as_of) for c in claims} == {
        (chair_id, "safer-norfolk-2021-24", date(2022, 6, 1))
    }
    assert len({c.nonce for c in claims}) == 3
    (card,) = cards_of(await turn(bot, message("report", aad="aad-admin")))
    assert len(urls_in(card)) == 3


async def test_not_configured_says_use_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    settings = replace(configured(sqlite_url, tmp_path), link_secret="")
    person_with_role(settings, "aad-chair", "chair")
    sent = await turn(make_bot(settings), message("report", aad="aad-chair"))
    assert [a.text for a in sent] == [NOT_CONFIGURED] and "python -m bot report" in NOT_CONFIGURED


async def test_links_are_never_posted_in_shared_chats(settings: Settings) -> None:
    person_with_role(settings, "aad-chair", "chair")
    person_with_role(settings, "aad-member", "member")
    bot = make_bot(settings)
    for kind in ("channel", "groupChat"):
        # Asked in a shared chat: the links are a targeted message only the asker sees.
        sent = await turn(bot, message("report", kind=kind, aad="aad-chair", user_id="29:chair"))
        (card,) = cards_of(sent)
        assert len(urls_in(card)) == 3
        assert all(a.is_targeted_activity() and a.recipient.id == "29:chair" for a in sent)
        # The offer card (where no private answer is possible) and its button.
        offer = report_offer_card("1 June 2022", {"asof": "2022-06-01"})
        (button,) = offer["actions"]
        assert button["verb"] == verbs.REPORT_LINKS
        # Pressing it (Action.Execute): the links are the invoke answer, seen by the presser only.
        sent = await turn(
            bot, execute(verbs.REPORT_LINKS, button["data"], kind=kind, aad="aad-chair")
        )
        body = invoke_body(sent)
        assert len(urls_in(body["value"])) == 3
        assert "/api/reports/" not in json.dumps(
            [a.model_dump(mode="json", by_alias=True) for a in sent if a.type != "invokeResponse"]
        )
        # A member pressing the same button gets no links.
        body = invoke_body(
            await turn(
                bot, execute(verbs.REPORT_LINKS, button["data"], kind=kind, aad="aad-member")
            )
        )
        assert "/api/reports/" not in json.dumps(body) and body["value"] == WHO_MAY_EXPORT
        # The same data as an Action.Submit would be posted for all to see: refused.
        sent = await turn(
            bot, submit({"verb": verbs.REPORT_LINKS, **button["data"]}, kind=kind, aad="aad-chair")
        )
        assert [a.text for a in sent] == [PERSONAL_ONLY]


def test_tokens_are_signed_and_expire() -> None:
    claims = links.new_claims(7, "xlsx", "safer-norfolk-2021-24", date(2022, 6, 1), NOW)
    token = links.sign(claims, SECRET)
    assert links.read(token, SECRET, NOW + timedelta(minutes=14, seconds=59)) == claims
    payload, mac = token.split(".")
    forged = links._b64(json.dumps({**json.loads(links._unb64(payload)), "p": 8}).encode())
    for bad in (
        f"{forged}.{mac}",  # another person's id, old signature
        f"{payload}.{mac[:-2]}AA",  # changed signature
        payload,  # no signature
        f"{payload}.{links.sign(claims, 'another secret').split('.')[1]}",
        "",
        "é.é",
    ):
        with pytest.raises(links.BadLink, match="not valid"):
            links.read(bad, SECRET, NOW)
    with pytest.raises(links.BadLink, match="not valid"):
        links.read(token, "", NOW)
    with pytest.raises(links.BadLink, match="expired"):
        links.read(token, SECRET, NOW + timedelta(minutes=15))


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path) -> AsyncIterator[BotServer]:
    clock = FixedClock(NOW)
    async with BotServer(configured(sqlite_url, tmp_path), clock) as running:
        yield running


async def download(server: BotServer, token: str) -> tuple[int, dict[str, str], bytes]:
    assert server.session is not None
    async with server.session.get(f"{server.url}/api/reports/{token}") as response:
        return response.status, dict(response.headers), await response.read()


async def links_over_http(server: BotServer, connector: FakeConnector, n: int) -> list[str]:
    status, _ = await server.post(message("report", aad="aad-chair", service_url=connector.url))
    assert status == 201
    arrivals = await connector.wait_for(n)
    return [token_of(u) for u in urls_in(arrivals[-1].cards[0])]


async def test_download_over_http(server: BotServer, connector: FakeConnector) -> None:
    chair_id = person_with_role(server.runtime.settings, "aad-chair", "chair")
    xlsx, docx, csv = await links_over_http(server, connector, 1)
    status, headers, data = await download(server, xlsx)
    assert status == 200 and headers["Content-Type"] == XLSX
    assert headers["Content-Disposition"] == (
        'attachment; filename="safer-norfolk-2021-24-as-of-2022-06-01.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Summary", "Theme 1", "Theme 2", "Theme 3", "Scrutiny requests"]
    numbers = [r[0] for r in workbook["Theme 1"].iter_rows(min_row=5, values_only=True) if r[1]]
    assert numbers == [f"1.{i}" for i in range(1, 31)]
    # Each link works once.
    status, _, data = await download(server, xlsx)
    assert status == 403 and b"already been used" in data
    status, _, data = await download(server, docx)
    assert status == 200 and len(Document(io.BytesIO(data)).tables) > 3
    # Tampered: refused.
    status, _, data = await download(
        server, csv[:-3] + ("AAA" if not csv.endswith("AAA") else "BBB")
    )
    assert status == 403 and b"not valid" in data
    # No longer a chair: refused, and the link was not spent.
    set_role(server.runtime.settings, chair_id, "member")
    status, _, data = await download(server, csv)
    assert status == 403 and b"no longer recorded" in data
    set_role(server.runtime.settings, chair_id, "chair")
    status, headers, data = await download(server, csv)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert data.decode("utf-8-sig").count("\r\n1,") == 30


async def test_expired_link_over_http(server: BotServer, connector: FakeConnector) -> None:
    person_with_role(server.runtime.settings, "aad-chair", "chair")
    xlsx, _, _ = await links_over_http(server, connector, 1)
    clock = server.runtime.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(NOW + timedelta(minutes=16))
    status, _, data = await download(server, xlsx)
    assert status == 403 and b"expired" in data


async def test_download_without_configuration_is_not_found(sqlite_url: str, tmp_path: Path) -> None:
    settings = settings_for(sqlite_url, tmp_path)
    async with BotServer(settings, FixedClock(NOW)) as running:
        assert running.session is not None
        async with running.session.get(f"{running.url}/api/reports/abc.def") as response:
            assert response.status == 404


def test_a_link_is_claimed_once(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        person = ensure_person(session, aad_object_id="aad-once", name="Once")
    with transaction(factory) as session:
        assert claim_report_link(session, "nonce-1", person.id, NOW)
        assert not claim_report_link(session, "nonce-1", person.id, NOW)
    with transaction(factory) as session:
        assert not claim_report_link(session, "nonce-1", person.id, NOW + timedelta(hours=1))
        assert claim_report_link(session, "nonce-2", person.id, NOW + timedelta(hours=1))
    # Uses older than a day are forgotten (their links expired long before).
    with transaction(factory) as session:
        assert claim_report_link(session, "nonce-3", person.id, NOW + timedelta(days=2))
        remaining = session.scalars(select(ReportLinkUse.nonce).order_by(ReportLinkUse.nonce))
        assert remaining.all() == ["nonce-3"]
