"""The fast activity serializer writes exactly what msrest's serializer writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from azure.core.exceptions import DeserializationError
from botbuilder.core import MessageFactory
from botbuilder.schema import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    Entity,
    Mention,
)

from bot.teams.wire import activity_from_json, to_json
from tests.harness import FIXTURES, fixture


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


def _same(fast: object, slow: object) -> None:
    assert type(fast) is type(slow)
    if isinstance(fast, list):
        assert isinstance(slow, list) and len(fast) == len(slow)
        for a, b in zip(fast, slow, strict=True):
            _same(a, b)
        return
    if hasattr(fast, "_attribute_map"):
        assert getattr(fast, "additional_properties", {}) == getattr(
            slow, "additional_properties", {}
        )
        for attribute in type(fast)._attribute_map:
            _same(getattr(fast, attribute), getattr(slow, attribute))
        return
    assert fast == slow


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_reading_is_the_same_as_msrest(name: str) -> None:
    data = fixture(name)
    _same(activity_from_json(data), Activity().deserialize(data))


def test_odd_fields_fall_back_to_msrest() -> None:
    data = fixture("personal-message")
    data["replyToId"] = 12345  # msrest turns a number into text
    data["value"] = {"nested": [1, {"a": None}]}
    _same(activity_from_json(data), Activity().deserialize(data))
    data["timestamp"] = "yesterday"
    with pytest.raises(DeserializationError):
        Activity().deserialize(data)
    with pytest.raises(DeserializationError):
        activity_from_json(data)
