"""Keeping conversation references fresh: on every turn, cheaply."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from microsoft_agents.activity import Activity
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.services import Services
from bot.teams.convert import place_of
from storage.conversations import deactivate, deactivate_team, save_reference
from storage.db import transaction
from storage.models import Person

# A reference seen again within this many seconds, with the same service URL, is not rewritten.
REFRESH_SECONDS = 600.0
RECENT_CONVERSATIONS = 10_000


class ReferenceKeeper:
    """Stores and refreshes conversation references; remembers what it wrote recently."""

    def __init__(self, services: Services, timer: Callable[[], float] = time.monotonic) -> None:
        self.services = services
        # conversation id -> the service URL stored for it lately (bounded, forgotten in time)
        self._recent: TTLCache[str, str] = TTLCache(
            RECENT_CONVERSATIONS, REFRESH_SECONDS, timer=timer
        )
        self._lock = threading.Lock()

    def _stored_lately(self, conversation_id: str, service_url: str) -> bool:
        with self._lock:
            return self._recent.get(conversation_id) == service_url

    def needs_storing(self, activity: Activity) -> bool:
        """Whether :meth:`remember` would write anything (cheap: no database, no thread).

        The Teams handler asks this on the event loop, so that most turns, whose reference was
        stored in the last few minutes, skip the trip to a worker thread altogether.
        """
        conversation_id = place_of(activity).channel_conversation_id
        service_url = activity.service_url or ""
        if not conversation_id or not service_url:
            return False
        return not self._stored_lately(conversation_id, service_url)

    def remember(self, activity: Activity) -> None:
        """Store the activity's conversation reference if it is new, moved or not seen lately."""
        place = place_of(activity)
        service_url = activity.service_url or ""
        # One reference per channel, not per thread: proactive posts start a new thread.
        conversation_id = place.channel_conversation_id
        if not conversation_id or not service_url:
            return
        if self._stored_lately(conversation_id, service_url):
            return
        reference: dict[str, Any] = activity.get_conversation_reference().model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        if isinstance(reference.get("conversation"), dict):
            reference["conversation"]["id"] = conversation_id
        reference.pop("activityId", None)
        reference.pop("requestId", None)  # per request, not per conversation
        sender = activity.from_property
        fields: dict[str, Any] = {
            "conversation_id": conversation_id,
            "conversation_type": place.conversation_type,
            "tenant_id": place.tenant_id,
            "service_url": service_url,
            "team_id": place.team_id,
            "user_aad_object_id": sender.aad_object_id if sender else None,
            "reference": reference,
        }
        for attempt in (1, 2):
            try:
                with transaction(self.services.db) as session:
                    save_reference(session, now=self.services.clock.now(), **fields)
                break
            except IntegrityError:
                # Two first turns of one conversation at once: the other inserted the row, so
                # the second attempt updates it.
                if attempt == 2:
                    raise
        with self._lock:
            self._recent[conversation_id] = service_url

    def forget(self, activity: Activity) -> None:
        """The app was removed: deactivate the conversation (or every channel of the team)."""
        place = place_of(activity)
        with transaction(self.services.db) as session:
            if place.team_id and place.conversation_type == "channel":
                deactivate_team(session, place.team_id, self.services.clock.now())
            else:
                deactivate(session, place.channel_conversation_id, self.services.clock.now())
        with self._lock:
            self._recent.pop(place.channel_conversation_id, None)

    def known_email(self, aad_object_id: str) -> str | None:
        """The stored e-mail of a person, so that the roster is asked only once."""
        with self.services.db() as session:
            return session.scalar(select(Person.email).where(Person.aad_object_id == aad_object_id))
