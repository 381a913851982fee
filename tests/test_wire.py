"""The fast activity serializer writes exactly what msrest's serializer writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botbuilder.core import MessageFactory
from botbuilder.schema import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    Entity,
    Mention,
)

from bot.teams.wire import to_json
from tests.harness import fixture


def reply() -> Activity:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}]}
    activity = MessageFactory.attachment(
        Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card), text="hi"
    )
    activity.from_property = ChannelAccount(id="28:bot", name="Bot")
    activity.recipient = ChannelAccount(id="29:u", name="U", aad_object_id="aad")
    activity.conversation = ConversationAccount(
        id="c1", conversation_type="personal", tenant_id="t"
    )
    activity.reply_to_id = "r1"
    activity.service_url = "http://x/"
    activity.channel_id = "msteams"
    activity.locale = "en-GB"
    activity.entities = [
        Entity(type="mention"),
        Mention(text="<at>U</at>", mentioned=ChannelAccount(id="29:u")),
    ]
    activity.channel_data = {"tenant": {"id": "t"}, "notification": {"alert": True}}
    return activity


@pytest.mark.parametrize(
    "stamp",
    [datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 6, 1, 12, 30, 5, 123456, tzinfo=UTC)],
)
def test_same_as_msrest(stamp: datetime) -> None:
    activity = reply()
    activity.timestamp = stamp
    assert to_json(activity) == activity.serialize()


@pytest.mark.parametrize(
    "name", ["personal-message", "channel-message-mention", "personal-invoke-adaptiveCard-action"]
)
def test_captured_activities_round_trip(name: str) -> None:
    activity = Activity().deserialize(fixture(name))
    assert to_json(activity) == activity.serialize()
