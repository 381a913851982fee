"""Private answers in shared conversations, over real HTTP with the loopback fake connector.

"Overdue for me" in a channel is a Teams targeted message (``?isTargetedActivity=true``, the
``activityTreatment`` entity, the asker as recipient) with a "Share with the chat" button;
where the targeted send is refused, the answer goes to a 1:1 chat with a one-line note.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.privacy import is_personal
from bot.teams.private import fallback_note, unreachable_note
from bot.understand import understand
from cards import verbs
from cards.share import SHARE_TITLE
from tests.fakes.connector import Arrival
from tests.harness import BotServer, card_texts, execute, fixture, message, settings_for
from tests.store_support import member
from tests.test_understand import TODAY, VOCAB

ASKER = "aad-owner"
USER_ID = "29:owner"
NAME = "Olive Owner"
CHANNEL = "19:partnership@thread.tacv2;messageid=1795436307023"
TREATMENT = {"type": "activityTreatment", "treatment": "targeted"}


@pytest.fixture
async def server(sqlite_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[BotServer]:
    settings = settings_for(sqlite_url, tmp_path)
    member(settings.database_url, ASKER, NAME, ("OPCCN",))
    async with BotServer(settings, clock) as running:
        yield running


def asked(text: str, kind: str = "channel") -> dict[str, object]:
    conversation = CHANNEL if kind == "channel" else None
    return message(
        text, kind=kind, aad=ASKER, user_id=USER_ID, name=NAME, conversation_id=conversation
    )


def share_pressed(question: str) -> dict[str, object]:
    """The asker pressing "Share with the chat" on the private answer to ``question``."""
    return execute(
        verbs.SHARE_ANSWER,
        {"text": question},
        kind="channel",
        aad=ASKER,
        user_id=USER_ID,
        name=NAME,
        conversation_id=CHANNEL,
    )


def is_targeted_to_asker(arrival: Arrival) -> bool:
    body = arrival.body
    return (
        arrival.targeted
        and TREATMENT in (body.get("entities") or [])
        and (body.get("recipient") or {}).get("id") == USER_ID
    )


@pytest.mark.parametrize("kind", ["channel", "groupChat"])
async def test_overdue_for_me_is_seen_only_by_the_asker(server: BotServer, kind: str) -> None:
    status, _ = await server.post(asked("what's overdue for me?", kind))
    assert status in (200, 201)
    sent = server.connector.sent()
    assert sent and all(is_targeted_to_asker(a) for a in sent), "something was broadcast"
    (card,) = sent[0].cards
    assert "Overdue" in card_texts(card) and "OPCCN" in card_texts(card)
    share = [
        action
        for element in card["body"]
        if element.get("type") == "ActionSet"
        for action in element["actions"]
        if action.get("verb") == verbs.SHARE_ANSWER
    ]
    assert [a["title"] for a in share] == [SHARE_TITLE]
    assert share[0]["data"]["text"] == "what's overdue for me?"


async def test_the_same_question_in_a_personal_chat_is_an_ordinary_reply(
    server: BotServer,
) -> None:
    await server.post(asked("what's overdue for me?", "personal"))
    sent = server.connector.sent()
    assert sent and not any(a.targeted for a in sent)
    assert SHARE_TITLE not in str(sent[0].body)


async def test_plan_questions_are_still_answered_for_everyone(server: BotServer) -> None:
    await server.post(asked("what's overdue for OPCCN?"))
    await server.post(asked("status"))
    sent = server.connector.sent()
    assert len(sent) == 2 and not any(a.targeted for a in sent)


async def test_share_with_the_chat_posts_the_answer_for_everyone(server: BotServer) -> None:
    question = "my actions"
    await server.post(asked(question))
    (private,) = server.connector.sent()
    assert is_targeted_to_asker(private)
    server.connector.reset()
    status, body = await server.post(share_pressed(question))
    assert status == 200 and body["value"] == "Shared with the chat."
    posted = server.connector.sent()
    assert posted and not any(a.targeted for a in posted)
    assert posted[0].text == f"{NAME} shared: “{question}”"
    (card,) = [c for a in posted for c in a.cards]
    assert SHARE_TITLE not in str(card) and "OPCCN" in card_texts(card)


async def test_refused_targeted_send_falls_back_to_a_one_to_one_chat(server: BotServer) -> None:
    server.connector.refuse_targeted = 400
    await server.post(asked("what's overdue for me?"))
    (created,) = server.connector.created
    assert [m["id"] for m in created["members"]] == [USER_ID]
    assert created["isGroup"] is False
    sent = server.connector.sent()
    one_to_one = [a for a in sent if a.conversation_id.startswith("a:new-")]
    in_chat = [a for a in sent if a.conversation_id == CHANNEL]
    (answer,) = one_to_one
    (card,) = answer.cards
    assert "Overdue" in card_texts(card) and SHARE_TITLE not in str(card)
    # One line in the chat, with no figures in it.
    assert [(a.text, a.cards, a.targeted) for a in in_chat] == [(fallback_note(NAME), [], False)]


async def test_no_private_route_at_all_never_broadcasts_the_answer(server: BotServer) -> None:
    server.connector.refuse_targeted = 403
    server.connector.refuse_create = 403
    await server.post(asked("my actions"))
    sent = server.connector.sent()
    assert [(a.text, a.cards) for a in sent] == [(unreachable_note(NAME), [])]


async def test_refusals_are_private(server: BotServer) -> None:
    await server.post(asked("update 1.1 on track: done"))
    sent = server.connector.sent()
    assert sent and all(is_targeted_to_asker(a) for a in sent)
    assert "update" in sent[0].text.lower() or "owner" in sent[0].text.lower()


@pytest.mark.parametrize(
    ("text", "with_bodies", "personal"),
    [
        ("what's overdue for me?", True, True),
        ("what's overdue?", True, True),  # a bare question is about the asker's bodies
        ("what's overdue?", False, False),  # ...or, with none, about the whole plan
        ("overdue for OPCCN", True, False),
        ("overdue for everyone", True, False),
        ("my actions", False, True),
        ("my bodies", False, True),
        ("report", False, True),
        ("status", True, False),
        ("priorities", True, False),
    ],
)
def test_which_questions_are_personal(text: str, with_bodies: bool, personal: bool) -> None:
    intent = understand(text, VOCAB, TODAY)
    assert is_personal(intent, with_bodies) is personal


@pytest.mark.parametrize(("command", "heading"), [("/overdue", "Overdue"), ("/status", "Status")])
async def test_slash_commands_are_answered_privately(
    server: BotServer, command: str, heading: str
) -> None:
    slash = fixture("groupChat-message-slash-targeted")
    slash["text"] = command
    slash["from"] = {"id": USER_ID, "name": NAME, "aadObjectId": ASKER}
    slash["serviceUrl"] = server.connector.url
    await server.post(slash)
    sent = server.connector.sent()
    assert sent and all(is_targeted_to_asker(a) for a in sent)
    info = {"type": "targetedMessageInfo", "messageId": slash["id"]}
    assert all(info in a.body["entities"] for a in sent)
    (card,) = [c for a in sent for c in a.cards]
    assert heading in card_texts(card) and SHARE_TITLE in str(card)


async def test_only_plan_reading_answers_can_be_shared(server: BotServer) -> None:
    for text in ("update 1.1 on track: shared by a forged button", "report", "my bodies"):
        status, body = await server.post(share_pressed(text))
        assert status == 200 and body["statusCode"] == 400, text
    assert not server.connector.sent()
    history = server.runtime.services.plan.history(server.runtime.services.plan.action("1.1").id)
    assert not any("forged" in (u.text or "") for u in history)
