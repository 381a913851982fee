"""Conversation references: stored on a conversation's first turn, then refreshed only lately."""

from __future__ import annotations

from pathlib import Path

import pytest
from microsoft_agents.activity import Activity
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.services import Services, open_services
from bot.teams import references
from bot.teams.handler import PartnershipBot
from bot.teams.references import ReferenceKeeper
from storage.db import make_engine, make_sessionmaker
from storage.models import ConversationRef
from tests.harness import message, settings_for, turn


@pytest.fixture
def services(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> Services:
    engine = make_engine(sqlite_url)
    return open_services(settings_for(sqlite_url, tmp_path), make_sessionmaker(engine), clock)


def _activity(
    conversation_id: str = "a:conv-1", service_url: str = "https://smba.one/"
) -> Activity:
    raw = message("help", conversation_id=conversation_id, service_url=service_url)
    if not service_url:  # the SDK's Activity refuses an empty serviceUrl: leave it out
        raw.pop("serviceUrl")
    return Activity.model_validate(raw)


def _stored(services: Services) -> int:
    with services.db() as session:
        return int(session.scalar(select(func.count()).select_from(ConversationRef)) or 0)


def test_needs_storing_until_stored_then_not_until_it_moves_or_ages(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    keeper = ReferenceKeeper(services, timer=lambda: now[0])
    activity = _activity()
    assert keeper.needs_storing(activity)
    keeper.remember(activity)
    assert _stored(services) == 1
    assert not keeper.needs_storing(activity)
    assert keeper.needs_storing(_activity(service_url="https://smba.two/"))  # moved
    assert keeper.needs_storing(_activity(conversation_id="a:conv-2"))  # another conversation
    now[0] += references.REFRESH_SECONDS + 1
    assert keeper.needs_storing(activity)  # refreshed every few minutes


def test_no_conversation_or_service_url_is_never_stored(services: Services) -> None:
    keeper = ReferenceKeeper(services)
    assert not keeper.needs_storing(_activity(service_url=""))
    keeper.remember(_activity(service_url=""))
    assert _stored(services) == 0


async def test_later_turns_skip_the_worker_thread(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = PartnershipBot(services, email_lookup=_no_email)
    calls: list[str] = []
    remember = bot.references.remember

    def counting(activity: Activity) -> None:
        calls.append(activity.conversation.id)
        remember(activity)

    monkeypatch.setattr(bot.references, "remember", counting)
    for _ in range(3):
        await turn(bot, message("help", conversation_id="a:conv-9"))
    assert calls == ["a:conv-9"]  # stored on the first turn only
    assert _stored(services) == 1
    await turn(bot, message("help", conversation_id="a:conv-10"))
    assert calls == ["a:conv-9", "a:conv-10"]


async def _no_email(_: object) -> None:
    return None
