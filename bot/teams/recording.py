"""An adapter that records what the bot sends instead of calling a Bot Connector.

Used by ``python -m bot ask`` (one turn printed on the console), the handler tests and the
plan-scale benchmark: the same turn pipeline as the server, without HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_agents.activity import Activity, ConversationReference, ResourceResponse
from microsoft_agents.hosting.core import ChannelAdapter, ClaimsIdentity, TurnContext


class RecordingAdapter(ChannelAdapter):
    """Runs turns and keeps every activity sent, updated or deleted (in order).

    Attributes:
        sent: the activities the bot sent (an invoke's response included, as
            ``invokeResponse`` activities) and its updates.
        deleted: references of activities the bot deleted.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Activity] = []
        self.deleted: list[ConversationReference] = []
        self._next_id = 0

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    async def send_activities(  # type: ignore[override]
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Record the activities; an invoke response is also kept for the turn's answer."""
        responses = []
        for activity in activities:
            if activity.type == "invokeResponse":
                context.turn_state[self.INVOKE_RESPONSE_KEY] = activity
            self.sent.append(activity)
            responses.append(ResourceResponse(id=self._id()))
        return responses

    async def update_activity(  # type: ignore[override]
        self, context: TurnContext, activity: Activity
    ) -> ResourceResponse:
        """Record the replacement."""
        self.sent.append(activity)
        return ResourceResponse(id=activity.id or "")

    async def delete_activity(  # type: ignore[override]
        self, context: TurnContext, reference: ConversationReference
    ) -> None:
        """Record the deletion."""
        self.deleted.append(reference)

    async def process(
        self, activity: Activity, logic: Callable[[TurnContext], Awaitable[Any]]
    ) -> Any:
        """Run one turn for ``activity``; returns the invoke response's value, if any."""
        context = TurnContext(self, activity, ClaimsIdentity())
        await self.run_pipeline(context, logic)
        answer = context.turn_state.get(self.INVOKE_RESPONSE_KEY)
        return getattr(answer, "value", None)
