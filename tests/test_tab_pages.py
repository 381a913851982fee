"""The tab's pages in headless Chromium (Playwright), as a person uses them.

The bot runs as ``python -m bot tab`` runs it: ``python -m bot serve`` in development mode on a
free loopback port with a fresh DATA_DIR (the default plan loads on first run), and a member
list loaded with ``python -m bot members``. Each page is loaded with the seeded data, its
figures checked against the chat answers' queries, an update posted through the form, and
axe-core (vendored in tests/vendor/axe-core) run on it for WCAG 2.x A/AA problems, in Teams'
light, dark and high-contrast themes. Screenshots go to test-results/tab/ (git-ignored).
Skipped with the reason when Chromium or Playwright is missing, unless REQUIRE_PLAYGROUND=1.
"""

from __future__ import annotations

import os
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
from bot.playground import answers, free_port
from storage.db import make_engine, make_sessionmaker
from storage.plan_queries import action_by_number, actions
from tests.test_playground import CHROMIUM, CHROMIUM_FLAGS, LOOPBACK

pytestmark = pytest.mark.playground

AXE = PROJECT_ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
RESULTS = PROJECT_ROOT / "test-results" / "tab"
MEMBERS = "email,body,role\nmaria@example.org,OPCCN,chair\nmaria@example.org,CONSTABULARY,member\n"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    reason = None
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        reason = "the Python package playwright is not installed"
    if reason is None:
        return
    if os.environ.get("REQUIRE_PLAYGROUND") == "1":
        pytest.fail(f"the tab page test is required (REQUIRE_PLAYGROUND=1) but {reason}")
    pytest.skip(f"tab page test skipped: {reason}")


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "JOBS_INTERVAL_SECONDS": "0"}
    env.update({"MicrosoftAppId": "", "MicrosoftAppPassword": "", "DATABASE_URL": ""})
    return env


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tab")


@pytest.fixture(scope="module")
def bot_url(work: Path) -> Iterator[str]:
    data = work / "data"
    members = work / "members.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    env = _env(data)
    subprocess.run(
        [sys.executable, "-m", "bot", "members", str(members)],
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (work / "bot.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if answers(f"{url}/healthz") or process.poll() is not None:
                break
            subprocess.run(["sleep", "0.2"], check=True)  # polling a child for readiness
        assert process.poll() is None, (work / "bot.log").read_text()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def data_url(bot_url: str, work: Path) -> str:
    return default_database_url(work / "data")


def query(data_url: str, fn: Any) -> Any:
    engine = make_engine(data_url)
    try:
        with make_sessionmaker(engine)() as session:
            return fn(session)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser_context(bot_url: str) -> Iterator[Any]:
    from playwright.sync_api import Route, sync_playwright

    def loopback_only(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            route.abort()

    RESULTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", loopback_only)
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.fixture(scope="module")
def page(browser_context: Any, bot_url: str) -> Any:
    """Signed in as Maria (OPCCN chair, Constabulary member) through the development picker."""
    tab = browser_context.new_page()
    tab.goto(f"{bot_url}/tab/my")
    assert "Development mode: choose who you are" in tab.inner_text("main")
    check_accessibility(tab, "signin")
    tab.get_by_label("maria@example.org").check()
    tab.get_by_role("button", name="Continue as this person").click()
    tab.wait_for_url(f"{bot_url}/tab/my")
    return tab


def check_accessibility(page: Any, name: str) -> None:
    """Run axe-core on the page (WCAG 2.x A and AA); no violation may be left."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]
    assert not problems, f"{name}: accessibility problems:\n" + "\n".join(problems)
    assert result["passes"], "axe ran no checks"


def today() -> Any:
    return london_today(SystemClock().now())


def test_my_actions_match_the_chat_answer(page: Any, data_url: str) -> None:
    records = query(data_url, lambda s: actions(s, body_keys=["CONSTABULARY", "OPCCN"]))
    late = [a.number for a in rules.overdue_first(records, today())]
    shown = page.locator("article.action .number").all_inner_texts()
    assert shown == late + [a.number for a in records if a.number not in late]
    assert f"{len(late)} overdue" in page.inner_text(".summary")
    check_accessibility(page, "my-actions")


def test_keyboard_reaches_the_skip_link_first(page: Any) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_posting_an_update_from_my_actions(page: Any, data_url: str) -> None:
    article = page.locator("article.action").first
    number = article.locator(".number").inner_text()
    article.locator("summary", has_text="Post update").click()
    article.get_by_label("Progress").fill("")
    article.get_by_role("button", name=f"Save update to action {number}").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Say what has happened: progress text is required." in summary.inner_text()
    # The script moves focus to the problems, so a screen reader reads them out first.
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    check_accessibility(page, "my-actions-error")
    escaped = number.replace(".", "\\.")
    form = page.locator(f"#action-{escaped}")
    form.get_by_label("Status", exact=True).select_option("At risk")
    form.get_by_label("Progress").fill("Partnership workshop held; funding still unclear.")
    form.get_by_role("button", name=f"Save update to action {number}").click()
    notice = page.locator(".notice")
    notice.wait_for()
    assert notice.inner_text() == f"Update saved: {number} is now At risk."
    stored = query(data_url, lambda s: action_by_number(s, number))
    assert stored.latest.text == "Partnership workshop held; funding still unclear."
    assert rules.current_status(stored) == "At risk"


def test_dashboard_figures_match_the_status_queries(page: Any, bot_url: str, data_url: str) -> None:
    for body, keys in (("", None), ("OPCCN", ["OPCCN"])):
        page.goto(f"{bot_url}/tab/plan" + (f"?body={body}" if body else ""))
        records = query(data_url, lambda s, k=keys: actions(s, body_keys=k))
        counts = rules.status_counts(records)
        shown = {
            item.locator(".chip").inner_text(): int(item.locator(".count").inner_text())
            for item in page.locator("ul.counts li").all()
        }
        assert shown == counts
        overdue = len(rules.overdue_first(records, today()))
        assert page.locator(".overdue-total").inner_text() == str(overdue)
        assert page.locator("#table-count").inner_text().startswith(f"{len(records)} action")
        check_accessibility(page, f"dashboard{'-' + body if body else ''}")


def test_the_table_filters(page: Any, bot_url: str, data_url: str) -> None:
    page.goto(f"{bot_url}/tab/plan")
    page.get_by_label("Status", exact=True).select_option("overdue")
    page.get_by_label("Theme", exact=True).select_option("2")
    page.get_by_role("button", name="Filter").click()
    records = query(data_url, lambda s: actions(s, theme=2))
    late = rules.overdue_first(records, today())
    page.locator("#table-count").wait_for()
    assert page.locator("table.actions tbody tr[id]").count() == len(late)
    assert page.locator("#table-count").inner_text().startswith(f"{len(late)} action")


def test_the_table_works_without_javascript(browser_context: Any, bot_url: str) -> None:
    cookies = browser_context.cookies()
    browser = browser_context.browser
    plain = browser.new_context(java_script_enabled=False)
    try:
        plain.add_cookies(cookies)
        tab = plain.new_page()
        tab.goto(f"{bot_url}/tab/plan")
        tab.get_by_label("Owner", exact=True).select_option("OPCCN")
        tab.get_by_role("button", name="Filter").click()
        tab.wait_for_url("**owner=OPCCN**")
        owners = tab.locator("table.actions tbody tr[id] td:nth-child(3)").all_inner_texts()
        assert owners and all("OPCCN" in o for o in owners)
    finally:
        plain.close()


def test_an_action_link_picks_out_the_action(page: Any, bot_url: str, data_url: str) -> None:
    records = query(data_url, lambda s: actions(s))
    number = records[40].number  # on the table's second page
    page.goto(f"{bot_url}/tab/plan?action={number}")
    card = page.locator("#picked-action")
    assert card.locator("h2").inner_text() == f"Action {number}"
    assert card.is_visible() and card.evaluate("e => e.getBoundingClientRect().top") < 900
    assert records[40].text in card.inner_text()
    row = page.locator("table.actions tbody tr.picked")
    assert row.count() == 1 and row.get_attribute("id") == f"row-{number}"
    assert row.get_attribute("aria-current") == "true"
    assert "page 2 of" in page.locator("#table-count").inner_text()
    check_accessibility(page, "dashboard-action")
    card.get_by_role("link", name="Its row in the table").click()
    assert row.evaluate("e => e.getBoundingClientRect().top") < 900  # scrolled to it


def test_an_unknown_action_shows_the_dashboard_with_a_note(page: Any, bot_url: str) -> None:
    page.goto(f"{bot_url}/tab/plan?action=99.99")
    assert page.locator("#action-note").inner_text() == "Action 99.99 is not in the plan."
    assert page.locator("#picked-action").count() == 0
    assert page.locator("table.actions tbody tr.picked").count() == 0
    assert page.locator("ul.counts li").count() > 0 and page.locator("#table-count").is_visible()
    check_accessibility(page, "dashboard-unknown-action")


@pytest.mark.parametrize("theme", ["dark", "contrast"])
def test_teams_themes_pass_the_contrast_checks(page: Any, bot_url: str, theme: str) -> None:
    page.goto(f"{bot_url}/tab/plan?body=DASVG&theme={theme}")
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    check_accessibility(page, f"dashboard-{theme}")
    page.goto(f"{bot_url}/tab/my?theme={theme}")
    check_accessibility(page, f"my-actions-{theme}")


@pytest.mark.parametrize("view", ["panel", "stage"])
def test_meeting_side_panel_and_stage(page: Any, bot_url: str, view: str) -> None:
    if view == "panel":
        page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{bot_url}/tab/plan?body=DASVG&view={view}")
    assert page.locator(f"body.layout-{view}").count() == 1
    check_accessibility(page, f"meeting-{view}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_configuration_page(page: Any, bot_url: str) -> None:
    page.goto(f"{bot_url}/tab/config")
    assert page.get_by_label("Show").locator("option").count() > 10
    check_accessibility(page, "config")


# A stand-in for TeamsJS, served in place of the vendored file: the tab's own script is what
# runs, as inside a Teams meeting's side panel (dark theme, the app may share to the stage).
FAKE_TEAMS_JS = """
window.sharedToStage = [];
window.microsoftTeams = {
  app: {
    initialize: () => Promise.resolve(),
    getContext: () => Promise.resolve({page: {frameContext: "sidePanel"}, app: {theme: "dark"}}),
    registerOnThemeChangeHandler: () => {},
    notifySuccess: () => {},
  },
  authentication: {getAuthToken: () => Promise.reject(new Error("not used"))},
  meeting: {
    getAppContentStageSharingCapabilities: (callback) =>
      callback(null, {doesAppHaveSharePermission: true}),
    shareAppContentToStage: (callback, url) => {
      window.sharedToStage.push(url);
      callback(null, true);
    },
  },
  pages: {config: {registerOnSaveHandler: () => {}, setValidityState: () => {}}},
};
"""


def test_side_panel_shares_the_dashboard_to_the_stage(browser_context: Any, bot_url: str) -> None:
    tab = browser_context.new_page()
    tab.route(
        "**/tab/static/teams-js/MicrosoftTeams.min.js",
        lambda route: route.fulfill(body=FAKE_TEAMS_JS, content_type="text/javascript"),
    )
    try:
        tab.set_viewport_size({"width": 320, "height": 800})
        # The configured tab's address; in the side panel the script asks for the panel view.
        tab.goto(f"{bot_url}/tab/plan?body=DASVG")
        tab.wait_for_url("**view=panel**")
        assert tab.locator("body.layout-panel").count() == 1
        button = tab.get_by_role("button", name="Share to stage")
        button.wait_for()
        assert tab.evaluate("document.documentElement.dataset.theme") == "dark"
        button.click()
        tab.get_by_text("Shared to the meeting stage.").wait_for()
        shared = tab.evaluate("window.sharedToStage")
        assert shared == [f"{bot_url}/tab/plan?body=DASVG&view=stage"]
        check_accessibility(tab, "meeting-panel-in-teams")
    finally:
        tab.close()
