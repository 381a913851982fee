"""End to end through Microsoft 365 Agents Playground, driven by Playwright in headless Chromium.

The bot runs as ``make playground`` runs it (``bot.playground.running``: a real ``python -m bot
serve`` on a free loopback port with a fresh DATA_DIR, so the default plan loads on first run),
and the Playground's own web UI is clicked and typed into like a person would. Marked
``playground``; skipped with the reason when Chromium, Node.js, the Playground or Playwright is
missing, unless REQUIRE_PLAYGROUND=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.clock import SystemClock, london_today
from bot.config import PROJECT_ROOT, default_database_url
from bot.plan import rules
from bot.playground import PLAYGROUND_CLI, Session, answers, running
from storage.db import make_engine, make_sessionmaker
from storage.plan_queries import action_by_number, actions, history

pytestmark = pytest.mark.playground

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COMPOSE = '[data-lexical-editor="true"]'
CARD = ".ac-adaptiveCard"
NUMBER_LINE = re.compile(r"^(\d{1,2}\.\d{1,2}[a-z]?)\s", re.MULTILINE)
# The Playground's user is Alex Wilber, alexw@example.com: make that person an OPCCN member.
BOT_ENV = {"MEMBERSHIP_DOMAINS": "example.com=OPCCN"}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def missing_tools() -> str | None:
    """Why the Playground cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not PLAYGROUND_CLI.is_file():
        return f"the Playground is not installed at {PLAYGROUND_CLI} (python tests/fetch_assets.py)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    return None


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    reason = missing_tools()
    if reason is None:
        return
    if os.environ.get("REQUIRE_PLAYGROUND") == "1":
        pytest.fail(f"the Playground test is required (REQUIRE_PLAYGROUND=1) but {reason}")
    pytest.skip(f"Playground end-to-end test skipped: {reason}")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("playground")


@pytest.fixture(scope="module")
def session(workdir: Path) -> Iterator[Session]:
    with running(workdir / "data", logs=workdir / "logs", bot_env=BOT_ENV) as started:
        yield started


@pytest.fixture(scope="module")
def page(session: Session, workdir: Path) -> Iterator[Any]:
    from playwright.sync_api import Route, sync_playwright

    def loopback_only(route: Route) -> None:
        # The UI asks a CDN for fonts; nothing may leave this machine.
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(workdir / "chromium-profile"),  # a fresh profile for this run
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        context.route("**/*", loopback_only)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.goto(session.ui_url)
        try:
            yield tab
        finally:
            tab.screenshot(path=str(workdir / "last.png"))
            context.close()


def send(page: Any, text: str) -> None:
    """Type a message in the compose box and press Enter, as a person would."""
    page.locator(COMPOSE).first.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def newest_card(page: Any, containing: str) -> Any:
    """The newest rendered Adaptive Card with this text, once it is there."""
    card = page.locator(CARD, has_text=containing).last
    card.wait_for()
    return card


def expected_overdue(data_dir: Path, body_key: str) -> list[str]:
    """Overdue action numbers of a body today, most overdue first, from the bot's database."""
    engine = make_engine(default_database_url(data_dir))
    try:
        with make_sessionmaker(engine)() as db:
            records = actions(db, body_keys=[body_key])
    finally:
        engine.dispose()
    today = london_today(SystemClock().now())
    return [a.number for a in rules.overdue_first(records, today)]


def test_installing_greets_with_the_help_card(page: Any) -> None:
    # Opening the chat sends installationUpdate and conversationUpdate, like Teams does.
    welcome = newest_card(page, "Hello from the Safer Partnership bot")
    assert "what's overdue for me?" in welcome.inner_text()


def test_overdue_question_shows_the_list_card(page: Any, workdir: Path) -> None:
    send(page, "what's overdue for OPCCN?")
    card = newest_card(page, "Overdue: OPCCN")
    shown = NUMBER_LINE.findall(card.inner_text())
    expected = expected_overdue(workdir / "data", "OPCCN")
    assert expected, "OPCCN has overdue actions in the default plan"
    assert shown == expected[:8]  # the first page, most overdue first
    assert card.get_by_role("button", name="Quick update").count() == len(shown)


def test_quick_update_replaces_the_card(page: Any, workdir: Path) -> None:
    send(page, "overdue for me")
    listing = newest_card(page, "Overdue: you (OPCCN)")
    number = NUMBER_LINE.findall(listing.inner_text())[0]
    listing.get_by_role("button", name="Quick update").first.click()

    form = newest_card(page, f"Update action {number}")
    # The Playground draws Input.ChoiceSet as a Fluent UI combobox; its options open in a popup.
    form.get_by_role("combobox", name="Status").click()
    page.get_by_role("option", name="On track", exact=True).click()
    form.get_by_label(re.compile(r"^Progress")).fill("Victim referrals reviewed with Action Fraud.")
    form.get_by_role("button", name="Save update").click()

    detail = newest_card(page, "Update saved")
    text = detail.inner_text()
    assert f"Action {number}" in text and "On track" in text
    assert "Victim referrals reviewed with Action Fraud." in text
    engine = make_engine(default_database_url(workdir / "data"))
    try:
        with make_sessionmaker(engine)() as db:
            # history() reads the table itself: the plan cache of this (other) process may
            # trust its last check for up to a second, as another bot instance would.
            saved = action_by_number(db, number)
            assert saved is not None
            updates = history(db, saved.id)
    finally:
        engine.dispose()
    assert updates, "no update stored"
    assert updates[0].status == "On track"
    assert updates[0].author_name == "Alex Wilber"


def test_make_playground_prints_the_url_and_stops_both(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "bot.playground",
        "--port",
        "0",
        "--data-dir",
        str(tmp_path / "data"),
    ]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        bot_url = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        ui_url = re.search(r"Playground: (http://127\.0\.0\.1:\d+/)", lines[2])
        assert bot_url and ui_url, lines
        # Memberships are earned: the Playground's example.com users get OPCCN by a domain rule.
        assert "MEMBERSHIP_DOMAINS=example.com=OPCCN" in lines[3], lines
        assert answers(ui_url[1] + "_debug/ping")
        assert answers(bot_url[0] + "/healthz")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    assert not answers(ui_url[1] + "_debug/ping") and not answers(bot_url[0] + "/healthz")
