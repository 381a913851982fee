"""Live cards in shared conversations: who Teams refreshes a card for (``refresh.userIds``).

Cards that carry a Universal Actions ``refresh`` (``cards.base.live_refresh``) leave
``userIds`` empty; here it is filled with the conversation's members (the channel's, for a
thread), read from the roster (``GET v3/conversations/{id}/members``) and kept for ten minutes.
Teams then sends the card's refresh action (``adaptiveCard/action``, ``trigger: automatic``) as
each of them opens it, and shows them the card the bot answers: current figures, and "Post
update" only for those who may.

Teams refreshes automatically for at most 60 people. In a bigger conversation (or when the
roster cannot be read) ``userIds`` stays empty: nobody is refreshed automatically, and the
read-only card everyone received has a "Refresh" button that gives whoever presses it their
own, current view.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from cachetools import TTLCache
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.turns import thread_root
from cards.base import CONTENT_TYPE, REFRESH_USER_LIMIT

log = logging.getLogger(__name__)
ROSTER_TIMEOUT = 3.0
ROSTERS_KEPT = 2_000
ROSTER_TTL_SECONDS = 600.0


def needs_viewers(card: Any) -> bool:
    """The card has a refresh whose ``userIds`` the edge is to fill."""
    refresh = card.get("refresh") if isinstance(card, dict) else None
    return isinstance(refresh, dict) and refresh.get("userIds") == []


def with_viewers(card: dict[str, Any], user_ids: Iterable[str]) -> dict[str, Any]:
    """A copy of the card refreshed for these people (cards may be shared: never changed)."""
    return {**card, "refresh": {**card["refresh"], "userIds": list(user_ids)}}


class LiveCards:
    """Fills ``refresh.userIds`` from the conversation roster (kept per conversation)."""

    def __init__(self) -> None:
        self._rosters: TTLCache[str, tuple[str, ...]] = TTLCache(ROSTERS_KEPT, ROSTER_TTL_SECONDS)

    async def viewers(self, turn_context: TurnContext) -> tuple[str, ...]:
        """The members Teams should refresh cards for: all of them, or none above 60."""
        conversation = turn_context.activity.conversation
        if conversation is None or not conversation.id:
            return ()
        key = thread_root(conversation.id)
        if key in self._rosters:
            return self._rosters[key]
        connector: Any = turn_context.services.get(ConnectorClientBase)
        try:
            members = await asyncio.wait_for(
                connector.conversations.get_conversation_members(key), ROSTER_TIMEOUT
            )
            ids = tuple(m.id for m in members if getattr(m, "id", None))
        except Exception:  # the refresh is a courtesy: the card still has its Refresh button
            log.warning("could not read the conversation roster for live cards", exc_info=True)
            ids = ()  # kept like a roster, so that a failing roster is not asked every turn
        chosen = ids if len(ids) <= REFRESH_USER_LIMIT else ()
        self._rosters[key] = chosen
        return chosen

    async def fill_card(self, turn_context: TurnContext, card: dict[str, Any]) -> dict[str, Any]:
        """The card with its viewers filled in (unchanged when it is not live)."""
        if not needs_viewers(card):
            return card
        conversation = turn_context.activity.conversation
        if conversation is None or conversation.conversation_type in (None, "personal"):
            # A 1:1 chat has one viewer, whom Teams refreshes without a list.
            refresh = {k: v for k, v in card["refresh"].items() if k != "userIds"}
            return {**card, "refresh": refresh}
        return with_viewers(card, await self.viewers(turn_context))

    async def fill(self, turn_context: TurnContext, activities: list[Activity]) -> None:
        """Fill the viewers of every live card in these outgoing activities."""
        for activity in activities:
            for attachment in activity.attachments or []:
                content = attachment.content
                if attachment.content_type == CONTENT_TYPE and isinstance(content, dict):
                    attachment.content = await self.fill_card(turn_context, content)
