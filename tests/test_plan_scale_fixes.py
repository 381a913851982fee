"""What the plan-scale benchmark (issue 9) changed: the plan cache serves "as of" questions and
takes new updates without re-reading the plan; plan records are cached; posted updates are
counted without long IN lists; a large plan's priorities come a page of themes at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from microsoft_agents.hosting.core import TurnContext
from sqlalchemy import Engine, delete, select

from bot.clock import FixedClock
from bot.plan.types import OutcomeRecord, PlanRecord, ThemeRecord
from bot.services import open_services
from bot.teams.handler import PartnershipBot
from cards import verbs
from cards.base import SIZE_BUDGET_BYTES, size_of
from cards.plan import priorities_card
from cards.views import PlanView
from storage import plan_queries
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import Plan, ProgressUpdate
from storage.plan_queries import actions, plan_record, posted_between, updates_since
from storage.stores import Stores, open_stores
from tests.cardcheck import assert_valid_card
from tests.harness import card_texts, cards_of, execute, invoke_body, message, settings_for, turn
from tests.posting import post_update
from tests.store_support import count_plan_reads

JUNE_1 = date(2022, 6, 1)


@pytest.fixture
def stores(engine: Engine) -> Stores:
    """The stores over the seeded database (their sessions share the plan cache)."""
    return open_stores(engine)


def _latest_text(stores: Stores, number: str, as_of: date | None = None) -> str | None:
    (found,) = stores.plan.actions_for(None, numbers=[number], as_of=as_of)
    return found.latest.text if found.latest else None


def test_as_of_is_served_from_the_cache_and_leaves_out_later_updates(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = stores.sessions
    post_update(factory, "3.7", "At risk", "on the first", datetime(2022, 6, 1, 9, tzinfo=UTC))
    assert _latest_text(stores, "3.7") == "on the first"
    reads = count_plan_reads(monkeypatch)
    # Nothing posted after 1 June: the cached records are the answer, no second read.
    assert _latest_text(stores, "3.7", JUNE_1) == "on the first"
    assert reads == []
    # A later update: "as of 1 June" must not show it (the plan is read as it stood then).
    post_update(factory, "3.7", "Complete", "on the second", datetime(2022, 6, 2, 9, tzinfo=UTC))
    assert _latest_text(stores, "3.7") == "on the second"
    reads.clear()
    assert _latest_text(stores, "3.7", JUNE_1) == "on the first"
    assert _latest_text(stores, "3.7", date(2022, 6, 2)) == "on the second"
    assert len(reads) == 1  # only the question about the past needed the database


def test_a_new_update_is_applied_to_the_cached_plan_without_reading_it_again(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = stores.sessions
    assert _latest_text(stores, "2.4") is None
    reads = count_plan_reads(monkeypatch)
    post_update(factory, "2.4", "On track", "first", datetime(2022, 6, 1, 9, tzinfo=UTC))
    post_update(factory, "2.4", "At risk", "second", datetime(2022, 6, 1, 10, tzinfo=UTC))
    assert _latest_text(stores, "2.4") == "second"
    assert reads == []
    assert len(stores.plan.actions_for(None)) == 55


def test_an_update_committed_out_of_id_order_makes_the_cache_read_the_plan_again(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = stores.sessions
    post_update(factory, "2.4", "On track", "first", datetime(2022, 6, 1, 9, tzinfo=UTC))
    post_update(factory, "2.6", "On track", "filler", datetime(2022, 6, 1, 9, tzinfo=UTC))
    assert _latest_text(stores, "2.4") == "first"
    # One new id and one row gone (as when an update with a lower id commits after a higher
    # one was read): the count does not add up to "only additions since the newest seen".
    with transaction(factory) as session:
        first = session.scalar(select(ProgressUpdate.id).where(ProgressUpdate.text == "first"))
        session.execute(delete(ProgressUpdate).where(ProgressUpdate.id == first))
    reads = count_plan_reads(monkeypatch)
    post_update(factory, "2.5", "On track", "other", datetime(2022, 6, 1, 10, tzinfo=UTC))
    assert _latest_text(stores, "2.4") is None
    assert _latest_text(stores, "2.5") == "other"
    assert len(reads) == 1


def test_plan_records_are_cached_and_follow_which_plan_is_current(stores: Stores) -> None:
    assert stores.plan.plan("safer-norfolk-2021-24").is_current
    assert stores.plan.plan() is stores.plan.plan()
    with transaction(stores.sessions) as session:
        for plan in session.scalars(select(Plan)):
            plan.is_current = plan.key == "cspp-2018-21"
    assert not stores.plan.plan("safer-norfolk-2021-24").is_current
    assert stores.plan.plan().key == "cspp-2018-21"


def test_sessions_outside_a_store_read_the_database_each_time(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        assert plan_record(session) is not plan_record(session)
        assert len(actions(session)) == 55


def test_posted_between_counts_and_limits_the_same_with_or_without_an_in_list(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = make_sessionmaker(engine)
    for hour, number in enumerate(("3.7", "1.18", "3.7", "2.1"), start=8):
        post_update(
            factory,
            number,
            "On track",
            f"{number} at {hour}",
            datetime(2022, 6, 1, hour, tzinfo=UTC),
        )
    since = datetime(2022, 5, 1, tzinfo=UTC)
    with factory() as session:
        ids = [a.id for a in actions(session, numbers=["3.7", "1.18"])]
        small = posted_between(session, ids, since, limit=2)
        everything = updates_since(session, ids, since)
        monkeypatch.setattr(plan_queries, "_IN_LIST_LIMIT", 0)
        scanned = posted_between(session, ids, since, limit=2)
        assert updates_since(session, ids, since) == everything
    assert small == scanned
    assert small[0] == 3
    assert [u.text for _, u in small[1]] == ["3.7 at 10", "1.18 at 9"]
    assert [u.text for _, u in everything] == ["3.7 at 10", "1.18 at 9", "3.7 at 8"]


def _big_plan(themes: int) -> PlanRecord:
    outcome = (
        "Victims of neighbourhood crime are supported to cope and recover from their experience"
    )
    return PlanRecord(
        "big",
        "A very large plan",
        True,
        None,
        None,
        tuple(
            ThemeRecord(
                number,
                f"Building Resilient Cohesive Communities and Tackling Crime {number}",
                tuple(OutcomeRecord(6 * number + o, f"{outcome} ({o})") for o in range(6)),
                tuple(f"Section {s}: community engagement" for s in range(80)),
                300,
            )
            for number in range(1, themes + 1)
        ),
    )


def _button(card: dict[str, Any], title_start: str) -> dict[str, Any] | None:
    return next(
        (a for a in card.get("actions", []) if str(a.get("title", "")).startswith(title_start)),
        None,
    )


def test_a_large_plans_priorities_come_a_page_of_themes_at_a_time() -> None:
    plan = _big_plan(25)
    cards = [
        priorities_card(PlanView(plan, page=page, pages=3, themes_per_page=10))
        for page in (1, 2, 3)
    ]
    for card in cards:
        assert_valid_card(card)
        assert size_of(card) < SIZE_BUDGET_BYTES
    first, last = cards[0], cards[2]
    assert "1. Building" in card_texts(first) and "11. Building" not in card_texts(first)
    assert "Page 1 of 3 · 25 themes" in card_texts(first)
    assert "and 72 more" in card_texts(first)
    more = _button(first, "More themes (2 of 3)")
    assert more is not None and more["data"] == {
        "verb": verbs.PRIORITIES_PAGE,
        "plan": "big",
        "page": 2,
    }
    assert _button(first, "Previous") is None
    assert _button(last, "More themes") is None and _button(last, "Previous") is not None
    assert "25. Building" in card_texts(last)
    # One page: no pager, no page line (the real plan's card is as before).
    single = priorities_card(PlanView(_big_plan(3)))
    assert "Page 1" not in card_texts(single) and _button(single, "More themes") is None


@pytest.fixture
def bot(sqlite_url: str, tmp_path: Path) -> PartnershipBot:
    engine = make_engine(sqlite_url)
    services = open_services(
        settings_for(sqlite_url, tmp_path),
        make_sessionmaker(engine),
        FixedClock(datetime(2022, 6, 1, 11, 0, tzinfo=UTC)),
    )

    async def lookup(_: TurnContext) -> str | None:
        return None

    return PartnershipBot(services, email_lookup=lookup)


async def test_priorities_page_button(bot: PartnershipBot) -> None:
    sent = await turn(bot, message("what are the priorities?"))
    (card,) = cards_of(sent)
    assert _button(card, "More themes") is None  # three themes: one page
    sent = await turn(
        bot, execute(verbs.PRIORITIES_PAGE, {"plan": "safer-norfolk-2021-24", "page": 4})
    )
    body = invoke_body(sent)
    assert body["statusCode"] == 200
    assert "Safer Norfolk Plan 2021-24" in card_texts(body["value"])
    sent = await turn(bot, execute(verbs.PRIORITIES_PAGE, {"plan": 3, "page": 1}))
    assert invoke_body(sent)["statusCode"] == 400
    sent = await turn(bot, execute(verbs.PRIORITIES_PAGE, {"plan": "no-such-plan", "page": 1}))
    assert "There is no plan no-such-plan" in str(invoke_body(sent)["value"])


def test_a_kept_plan_is_answered_without_opening_a_session(stores: Stores) -> None:
    opened: list[object] = []
    real = stores.plan.sessions

    def counted() -> Any:
        opened.append(1)
        return real()

    stores.plan.sessions = counted  # type: ignore[assignment]
    assert len(stores.plan.actions_for(None)) == 55  # the first read fills the cache
    plan = stores.plan.plan()
    opened.clear()
    # Within the recheck second and with nothing committed: no session at all.
    assert stores.plan.plan() is plan
    assert [a.number for a in stores.plan.actions_for(None, numbers=iter(["3.7", "1.1"]))] == [
        "1.1",
        "3.7",
    ]
    assert len(stores.plan.actions_for(["OPCCN"], as_of=JUNE_1)) == len(
        stores.plan.actions_for(("OPCCN",))
    )
    assert opened == []
    # A later update than the day asked about: that question reads the database again,
    # with the same (one-shot) arguments.
    post_update(real, "3.7", "Complete", "on the second", datetime(2022, 6, 2, 9, tzinfo=UTC))
    stores.plan.actions_for(None)
    opened.clear()
    (found,) = stores.plan.actions_for(None, numbers=iter(["3.7"]), as_of=JUNE_1)
    assert found.number == "3.7"
    assert found.latest is None or found.latest.text != "on the second"
    assert len(opened) == 1
    assert _latest_text(stores, "3.7") == "on the second"
