"""The Teams tab over real HTTP on loopback: sign-in, My actions, posting updates, the dashboard.

Figures are checked against the chat answers' own queries (``storage.plan_queries.actions``,
``bot.plan.rules``, the status card's ``status_view``); Teams SSO tokens come from the local
OpenID issuer fake, signed like Entra ID's.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.handlers.status import status_view
from bot.handlers.status_scope import StatusScope
from bot.plan import rules
from bot.plan.types import ActionRecord, UpdateRecord
from bot.tab import charts, trend
from bot.tab.history_cache import HistoryCache
from bot.tab.identity import EntraTokenValidator, TokenRejected, audiences
from bot.tab.session import COOKIE, SessionSigner, TabUser
from bot.turns import Place, Request, Sender
from bot.web.tab import is_loopback
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import ProgressUpdate
from storage.people import add_memberships, ensure_person
from storage.plan_queries import action_by_number, actions
from storage.updates import NewUpdate, record_update
from tests.fakes.openid import FakeIssuer
from tests.harness import BotServer, settings_for

APP_ID = "11111111-2222-3333-4444-555555555555"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
HOST = "bot.example.org"
TODAY = date(2022, 6, 1)  # the clock fixture's London day


# --- helpers ----------------------------------------------------------------------------


def seed_person(url: str, email: str, bodies: dict[str, str], aad: str | None = None) -> int:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            person = ensure_person(session, aad_object_id=aad, name="Maria Chair", email=email)
            for key, role in bodies.items():
                add_memberships(session, person.id, [key], role=role, source="test")
            return person.id
    finally:
        engine.dispose()


def read(url: str, fn: Any) -> Any:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return fn(session)
    finally:
        engine.dispose()


class Browser:
    """A client that keeps the tab cookie itself (Secure cookies over loopback HTTP too)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookie = ""
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())

    async def close(self) -> None:
        await self.http.close()

    def _keep(self, response: aiohttp.ClientResponse) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            name, _, rest = header.partition("=")
            if name == COOKIE:
                self.cookie = rest.split(";", 1)[0]

    def _headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(
            self.base + path, headers=self._headers(), allow_redirects=False
        ) as r:
            self._keep(r)
            return r.status, await r.text()

    async def post(
        self, path: str, data: dict[str, str] | None = None, json: Any = None
    ) -> tuple[int, str, str]:
        async with self.http.post(
            self.base + path,
            data=data,
            json=json,
            headers=self._headers(),
            allow_redirects=False,
        ) as r:
            self._keep(r)
            return r.status, await r.text(), r.headers.get("Location", "")


@pytest.fixture
async def dev_server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[Any]:
    async with BotServer(settings_for(sqlite_url, tmp_path), clock) as server:
        yield server


@pytest.fixture
async def issuer() -> AsyncIterator[FakeIssuer]:
    fake = await FakeIssuer().start()
    yield fake
    await fake.stop()


def sso_token(issuer: FakeIssuer, **claims: Any) -> str:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
        "tid": TENANT,
        "oid": "aad-maria",
        "scp": "access_as_user",
        "name": "Maria Chair",
        "preferred_username": "maria@example.org",
        "iat": now,
    }
    body.update(claims)
    audience = body.pop("aud", f"api://{HOST}/{APP_ID}")
    return issuer.mint(audience, "https://unused.example", **body)


def field_values(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


def numbers_in(html: str) -> list[str]:
    return re.findall(r'<span class="number">([^<]+)</span>', html)


async def dev_signin(browser: Browser, person_id: int, next_path: str = "/tab/my") -> None:
    status, _, location = await browser.post(
        "/tab/dev-signin", {"person": str(person_id), "next": next_path}
    )
    assert (status, location) == (303, next_path)


# --- sign-in ----------------------------------------------------------------------------


async def test_pages_need_sign_in_and_development_offers_the_marked_picker(
    dev_server: Any, sqlite_url: str
) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    browser = Browser(dev_server.url)
    try:
        for path in ("/tab/my", "/tab/plan", "/tab/config"):
            status, html = await browser.get(path)
            assert status == 200 and 'data-page="signin"' in html, path
            assert "Development mode: choose who you are" in html
            assert f'name="next" value="{path}"' in html
        browser.cookie = "forged.value"
        assert 'data-page="signin"' in (await browser.get("/tab/my"))[1]
        browser.cookie = ""
        # Somewhere else after signing in is refused: only this bot's tab pages.
        status, _, location = await browser.post(
            "/tab/dev-signin", {"person": str(person), "next": "https://evil.example/"}
        )
        assert (status, location) == (303, "/tab/my")
        status, html = await browser.get("/tab/my")
        assert status == 200 and 'data-page="my"' in html
        assert "Development mode</strong>: you are Maria Chair" in html
        # Signing out needs the page's CSRF token; then the picker shows again.
        csrf = field_values(html, "csrf")[0]
        assert (await browser.post("/tab/signout", {"csrf": "wrong"}))[0] == 403
        status, _, location = await browser.post("/tab/signout", {"csrf": csrf})
        assert (status, location) == (303, "/tab/signin")
    finally:
        await browser.close()


async def test_security_headers_allow_teams_to_frame_the_tab(dev_server: Any) -> None:
    async with aiohttp.ClientSession() as http, http.get(dev_server.url + "/tab/my") as answer:
        policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://teams.microsoft.com" in policy
    assert "script-src 'self';" in policy
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_picker_is_for_loopback_only() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("192.168.1.20") and not is_loopback(None) and not is_loopback("x")


async def test_teams_sso_token_signs_in_the_same_person_as_chat(
    sqlite_url: str, tmp_path: Path, clock: FixedClock, issuer: FakeIssuer
) -> None:
    # The person met in chat: Teams' from.aadObjectId is the token's oid.
    seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"}, aad="aad-maria")
    settings = replace(
        settings_for(sqlite_url, tmp_path),
        app_id=APP_ID,
        app_password="unused",
        public_base_url=f"https://{HOST}",
        allowed_tenant_ids=(TENANT,),
        tab_openid_metadata_url=issuer.metadata_url,
    )
    async with BotServer(settings, clock) as server:
        browser = Browser(server.url)
        try:
            status, html = await browser.get("/tab/my")
            assert 'data-page="signin"' in html and "choose who you are" not in html
            assert (await browser.post("/tab/dev-signin", {"person": "1"}))[0] == 404
            refused = {
                "forged": issuer.mint(f"api://{HOST}/{APP_ID}", "x", forged=True),
                "other audience": sso_token(issuer, aud="api://other.example/app"),
                "another app's id": sso_token(issuer, aud="99999999-2222-3333-4444-555555555555"),
                "other tenant": sso_token(
                    issuer,
                    tid="99999999-bbbb-cccc-dddd-eeeeeeeeeeee",
                    iss="https://login.microsoftonline.com/99999999-bbbb-cccc-dddd-eeeeeeeeeeee/v2.0",
                ),
                "issuer of another tenant": sso_token(
                    issuer, iss="https://login.microsoftonline.com/common/v2.0"
                ),
                "no scope": sso_token(issuer, scp="User.Read"),
                "expired": sso_token(issuer, exp=int(time.time()) - 3600),
                "junk": "not.a.token",
            }
            for why, token in refused.items():
                status, _, _ = await browser.post("/tab/session", json={"token": token})
                assert status == 401, why
                assert not browser.cookie, why
            status, _, _ = await browser.post("/tab/session", json={"token": sso_token(issuer)})
            assert status == 204
            status, html = await browser.get("/tab/my")
            assert status == 200 and "Signed in as Maria Chair" in html
            assert "Development mode" not in html
            records = read(sqlite_url, lambda s: actions(s, body_keys=["OPCCN"]))
            assert len(numbers_in(html)) == len(records)
        finally:
            await browser.close()


async def test_validator_accepts_v1_tokens_and_the_app_id_audience(issuer: FakeIssuer) -> None:
    validator = EntraTokenValidator(
        audiences(APP_ID, f"https://{HOST}"), [TENANT], issuer.metadata_url
    )
    user = validator.validate(
        sso_token(issuer, aud=APP_ID, iss=f"https://sts.windows.net/{TENANT}/", upn="M@Ex.org")
    )
    assert (user.aad_object_id, user.email) == ("aad-maria", "maria@example.org")
    other_host = validator.validate(sso_token(issuer, aud=f"api://tabs.example.org/{APP_ID}"))
    assert other_host.aad_object_id == "aad-maria"
    with pytest.raises(TokenRejected):
        EntraTokenValidator((), [], issuer.metadata_url).validate(sso_token(issuer))


def test_session_cookies_cannot_be_forged_or_kept_past_expiry() -> None:
    now = datetime(2022, 6, 1, 11, 0, tzinfo=UTC)
    signer = SessionSigner("secret")
    value = signer.issue(TabUser("aad-1", "Maria", "m@example.org"), now)
    assert signer.read(value, now) == TabUser("aad-1", "Maria", "m@example.org")
    assert SessionSigner("other").read(value, now) is None
    assert signer.read(value.replace(".", "x.", 1), now) is None
    assert signer.read(value, datetime(2022, 6, 2, tzinfo=UTC)) is None
    assert signer.csrf_ok(value, signer.csrf(value)) and not signer.csrf_ok(value, "x")


# --- My actions and posting updates --------------------------------------------------------


async def test_my_actions_are_my_bodies_overdue_first(dev_server: Any, sqlite_url: str) -> None:
    person = seed_person(
        sqlite_url, "maria@example.org", {"OPCCN": "chair", "CONSTABULARY": "member"}
    )
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person)
        status, html = await browser.get("/tab/my")
    finally:
        await browser.close()
    records = read(sqlite_url, lambda s: actions(s, body_keys=["CONSTABULARY", "OPCCN"]))
    late = [a.number for a in rules.overdue_first(records, TODAY)]
    rest = [a.number for a in records if a.number not in late]
    assert status == 200
    assert numbers_in(html) == late + rest
    assert f"<strong>{len(late)} overdue</strong>" in html
    assert html.count("Post update<span") == len(records)  # a member of every owner


async def test_posting_an_update_uses_the_dialogs_checks_and_saves_once(
    dev_server: Any, sqlite_url: str
) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    action = read(sqlite_url, lambda s: actions(s, body_keys=["OPCCN"])[0])
    browser = Browser(dev_server.url)

    def stored() -> int:
        return int(
            read(
                sqlite_url,
                lambda s: s.scalar(
                    select(func.count(ProgressUpdate.id)).where(
                        ProgressUpdate.action_id == action.id
                    )
                ),
            )
        )

    try:
        await dev_signin(browser, person)
        _, html = await browser.get("/tab/my")
        csrf = field_values(html, "csrf")[0]
        key = field_values(html, "updateKey")[0]
        before = stored()
        path = f"/tab/my/update/{action.id}"
        status, page, _ = await browser.post(
            path,
            {"csrf": csrf, "updateKey": key, "status": "Sideways", "text": "", "evidenceUrl": "x"},
        )
        assert status == 422
        assert "Nothing was saved" in page and 'aria-invalid="true"' in page
        assert "Say what has happened: progress text is required." in page
        assert "The evidence link must be a web address starting with https://." in page
        assert "Choose a status:" in page
        assert stored() == before
        form = {"csrf": csrf, "updateKey": key, "status": "At risk", "text": "Funding agreed"}
        assert (await browser.post(path, {**form, "csrf": "stale"}))[0] == 403
        assert stored() == before
        status, _, location = await browser.post(path, form)
        assert status == 303 and location.startswith(f"/tab/my?saved={action.id}&new=1")
        _, page = await browser.get(location.split("#")[0])
        assert f"Update saved: {action.number} is now At risk." in page
        # The same form again (a double click): one update.
        status, _, location = await browser.post(path, form)
        assert "new=0" in location
        _, page = await browser.get(location.split("#")[0])
        assert "was already saved; nothing new was recorded" in page
        assert stored() == before + 1
        after = read(sqlite_url, lambda s: action_by_number(s, action.number))
        assert rules.current_status(after) == "At risk"
        assert after.latest.text == "Funding agreed"
        assert after.latest.author_name == "Maria Chair"
    finally:
        await browser.close()


async def test_only_owners_members_may_post(dev_server: Any, sqlite_url: str) -> None:
    person = seed_person(sqlite_url, "pat@example.org", {"DASVG": "member"})
    action = read(sqlite_url, lambda s: actions(s, body_keys=["OPCCN"])[0])
    assert all(o.key != "DASVG" for o in action.owners)
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person)
        _, html = await browser.get("/tab/my")
        csrf = field_values(html, "csrf")[0]
        status, page, _ = await browser.post(
            f"/tab/my/update/{action.id}",
            {"csrf": csrf, "updateKey": "k" * 20, "status": "On track", "text": "x"},
        )
    finally:
        await browser.close()
    assert status == 403
    assert "can post updates to it. Nothing was saved" in page
    latest = read(sqlite_url, lambda s: action_by_number(s, action.number)).latest
    assert latest == action.latest


async def test_an_update_with_personal_data_needs_the_save_anyway_box(
    dev_server: Any, sqlite_url: str
) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    action = read(sqlite_url, lambda s: actions(s, body_keys=["OPCCN"])[0])
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person)
        _, html = await browser.get("/tab/my")
        csrf = field_values(html, "csrf")[0]
        path = f"/tab/my/update/{action.id}"
        form = {
            "csrf": csrf,
            "updateKey": "p" * 20,
            "status": "At risk",
            "text": "Call 07700 900123",
        }
        status, page, _ = await browser.post(path, form)
        assert status == 422 and "a phone number (“07700 900123”)" in page
        confirm = field_values(page, "personalData")[0]
        assert confirm.startswith("confirm:")
        status, _, location = await browser.post(path, {**form, "personalData": confirm})
        assert status == 303 and "new=1" in location
    finally:
        await browser.close()
    latest = read(sqlite_url, lambda s: action_by_number(s, action.number)).latest
    assert latest.text == "Call 07700 900123"


# --- the dashboard ------------------------------------------------------------------------


def _status(url: str, body_keys: tuple[str, ...] | None, server: Any) -> Any:
    request = Request(
        sender=Sender("aad-x"),
        place=Place("tab:test"),
        now=datetime(2022, 6, 1, 11, 0, tzinfo=UTC),
    )
    return status_view(server.runtime.services, request, StatusScope(body_keys=body_keys))


async def test_dashboard_shows_the_status_cards_figures(dev_server: Any, sqlite_url: str) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person, "/tab/plan")
        for body in (None, ("DASVG",)):
            path = "/tab/plan" + (f"?body={body[0]}" if body else "")
            status, html = await browser.get(path)
            assert status == 200, path
            expected = _status(sqlite_url, body, dev_server)
            shown = re.findall(
                r'<span class="chip [^"]+">([^<]+)</span> <span class="count">(\d+)</span>', html
            )
            assert {k: int(v) for k, v in shown} == expected.counts
            assert f'<strong class="overdue-total">{expected.overdue_total}</strong>' in html
            assert f"{expected.updates_total} update" in html
            assert "“status" + (" DASVG" if body else "") + "”" in html
            assert 'role="img"' in html and '<desc id="bars-desc">' in html
        status, html = await browser.get("/tab/plan?body=NOSUCH")
        assert status == 404
    finally:
        await browser.close()


async def test_the_table_filters_without_javascript(dev_server: Any, sqlite_url: str) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    records = read(sqlite_url, lambda s: actions(s))
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person, "/tab/plan")
        _, html = await browser.get("/tab/plan?status=overdue&theme=1")
        late = [a for a in rules.overdue_first(records, TODAY) if a.theme_number == 1]
        assert f"{len(late)} action{'s' if len(late) != 1 else ''} match" in html
        rows = re.findall(r'<tr id="row-([^"]+)">', html)
        assert sorted(rows, key=rules.number_key) == sorted(
            (a.number for a in late), key=rules.number_key
        )
        _, html = await browser.get("/tab/plan?owner=OPCCN&page=2")
        owned = [a for a in records if any(o.key == "OPCCN" for o in a.owners)]
        assert f"{len(owned)} actions match" in html
        _, html = await browser.get("/tab/plan?status=Bogus&theme=99")
        assert f"{len(records)} actions match; page 1 of 3." in html
        assert 'rel="next"' in html and "page=2" in html
    finally:
        await browser.close()


async def test_panel_and_stage_views(dev_server: Any, sqlite_url: str) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person, "/tab/plan")
        _, panel = await browser.get("/tab/plan?body=DASVG&view=panel")
        _, stage = await browser.get("/tab/plan?body=DASVG&view=stage")
    finally:
        await browser.close()
    assert 'class="layout-panel"' in panel and "Share to stage" in panel
    assert "/tab/plan?body=DASVG&amp;view=stage" in panel
    assert 'class="layout-stage"' in stage and "Overdue over time" in stage
    assert '<table class="actions">' not in stage


def picked_rows(html: str) -> list[str]:
    return re.findall(r'<tr id="row-([^"]+)" class="picked" aria-current="true">', html)


async def test_an_action_link_picks_out_the_action(dev_server: Any, sqlite_url: str) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    records = read(sqlite_url, lambda s: actions(s))
    wanted = records[30]  # on the table's second page
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person, "/tab/plan")
        status, html = await browser.get(f"/tab/plan?action={wanted.number}")
        assert status == 200
        card = html.split('id="picked-action"', 1)[1].split("</section>", 1)[0]
        assert f'<span class="number">{wanted.number}</span>' in card
        assert f'href="#row-{wanted.number}"' in card
        assert picked_rows(html) == [wanted.number]
        assert "page 2 of 3." in html and "At a glance" in html
        # A page asked for wins: the card stays, the row is elsewhere.
        _, html = await browser.get(f"/tab/plan?action={wanted.number}&page=1")
        assert 'id="picked-action"' in html and picked_rows(html) == []
        assert f'href="#row-{wanted.number}"' not in html
        # The panel has no table: the card alone.
        _, html = await browser.get(f"/tab/plan?action={wanted.number}&view=panel")
        assert 'id="picked-action"' in html and '<table class="actions">' not in html
    finally:
        await browser.close()


async def test_an_unknown_action_shows_the_dashboard_with_a_note(
    dev_server: Any, sqlite_url: str
) -> None:
    person = seed_person(sqlite_url, "maria@example.org", {"OPCCN": "chair"})
    records = read(sqlite_url, lambda s: actions(s))
    elsewhere = next(a for a in records if all(o.key != "DASVG" for o in a.owners))
    browser = Browser(dev_server.url)
    try:
        await dev_signin(browser, person, "/tab/plan")
        status, html = await browser.get("/tab/plan?action=99.99")
        assert status == 200
        assert "Action 99.99 is not in the plan." in html
        assert f"{len(records)} actions match; page 1 of 3." in html
        assert 'id="picked-action"' not in html and picked_rows(html) == []
        status, html = await browser.get("/tab/plan?action=%3Cscript%3Ealert(1)%3C/script%3E")
        assert status == 200 and "<script>alert" not in html
        assert "Action &lt;script&gt;alert(1)&lt;/s… is not in the plan." in html
        _, html = await browser.get(f"/tab/plan?body=DASVG&action={elsewhere.number}")
        assert f"Action {elsewhere.number} is not one of the actions of DASVG" in html
        assert f'href="/tab/plan?action={elsewhere.number}"' in html
    finally:
        await browser.close()


# --- pure parts ----------------------------------------------------------------------------


def _action(number: str, deadline: date | None, latest: UpdateRecord | None = None) -> Any:
    return ActionRecord(
        id=int(number.replace(".", "")),
        plan_key="p",
        number=number,
        text="t",
        success_measure="",
        owner_text="",
        owners=(),
        due_text="",
        deadline=deadline,
        ongoing=False,
        due_readable=True,
        theme_number=1,
        theme_title="T",
        section_title="S",
        latest=latest,
    )


def _update(update_id: int, day: date, status: str, revised: date | None = None) -> UpdateRecord:
    posted = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return UpdateRecord(
        status=status, text="", created_at=posted, revised_date=revised, id=update_id
    )


def test_overdue_over_time_replays_the_updates_with_the_rules() -> None:
    done = _update(1, date(2022, 3, 1), "Complete")
    moved = _update(2, date(2022, 1, 15), "On track", revised=date(2022, 4, 30))
    a = _action("1.1", date(2022, 1, 31), done)  # overdue in Feb, complete from 1 Mar
    b = _action("1.2", date(2022, 1, 31), moved)  # deadline moved in January to 30 Apr
    c = _action("1.3", None)  # no deadline: never overdue
    history = {a.id: [done], b.id: [moved]}
    lines = trend.timelines([a, b, c], history)
    days = [date(2022, 1, 1), date(2022, 2, 15), date(2022, 3, 15), date(2022, 5, 15)]
    assert trend.overdue_series(lines, days) == [
        (days[0], 0),
        (days[1], 1),  # only a: b's deadline had moved
        (days[2], 0),  # a complete
        (days[3], 1),  # b past its revised date
    ]
    since = datetime(2022, 2, 10, tzinfo=UTC)
    changes = trend.changes_since(lines, {x.id: x for x in (a, b, c)}, since, date(2022, 5, 15))
    assert [(ch.action.number, ch.before, ch.after, ch.newly_overdue) for ch in changes] == [
        ("1.2", "On track", "On track", True),
        ("1.1", "No update yet", "Complete", False),
    ]


def test_sample_days_are_month_ends_then_today() -> None:
    days = trend.sample_days(date(2021, 1, 10), date(2021, 12, 15))
    assert days[0] == date(2021, 1, 31) and days[-2] == date(2021, 11, 30)
    assert days[-1] == date(2021, 12, 15) and len(days) == 12
    assert days[1] == date(2021, 2, 28)
    assert trend.sample_days(date(2022, 1, 1), date(2021, 1, 1)) == [date(2021, 1, 1)]
    long = trend.sample_days(date(2021, 4, 1), date(2026, 12, 4))
    assert len(long) <= 12 and long[-2] == date(2026, 11, 30) and long[-1] == date(2026, 12, 4)
    # The same month ends all month long: past points can be kept.
    assert trend.sample_days(date(2021, 4, 1), date(2026, 12, 20))[:-1] == long[:-1]


def test_history_cache_reads_only_new_updates_and_keeps_past_points(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    factory = make_sessionmaker(engine)
    cache = HistoryCache(factory)
    calls: list[tuple[date, ...]] = []

    def count(days: Any) -> list[tuple[date, int]]:
        calls.append(tuple(days))
        return [(d, 0) for d in days]

    try:
        first = cache.history("safer-norfolk-2021-24")
        with factory() as session:
            action = actions(session, body_keys=["OPCCN"])[0]
        before = len(cache.timelines([action])[0].posted)
        cache.past_series(first, None, [date(2022, 1, 31)], count)
        with transaction(factory) as session:
            record_update(
                session,
                NewUpdate(action.id, "At risk", "x", None, None, None, "Maria", "k" * 12),
                datetime(2022, 6, 1, 11, tzinfo=UTC),
            )
        second = cache.history("safer-norfolk-2021-24")
        line = cache.timelines([action])[0]
        assert second.updates == first.updates + 1 and second.revision == first.revision
        assert len(line.posted) == before + 1
        assert line.at(datetime(2022, 6, 2, tzinfo=UTC)).latest.status == "At risk"
        cache.past_series(second, None, [date(2022, 1, 31)], count)
        assert calls == [(date(2022, 1, 31),)]  # kept: a new update cannot change the past
    finally:
        engine.dispose()


def test_chart_geometry() -> None:
    bars = charts.status_bars([("A", {"On track": 2, "Complete": 2}), ("B", {"On track": 1})])
    first, second = bars.bars
    assert sum(s.width for s in first.segments) == pytest.approx(charts.BAR_WIDTH)
    assert sum(s.width for s in second.segments) == pytest.approx(charts.BAR_WIDTH / 4)
    assert "A: 4 actions (2 on track, 2 complete)" in bars.summary
    line = charts.overdue_line([(date(2022, 1, 1), 0), (date(2022, 2, 1), 4)], str)
    assert line.top == 4 and line.points[1].y < line.points[0].y
    assert "the most, 4, on 2022-02-01" in line.summary
