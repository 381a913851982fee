"""The cheaper paths of a turn give exactly what the plain ones gave.

Cards drawn once for a view and handed out again (``cards.memo``), the vocabulary's labels
worked out once, and the connector's JSON encoder.
"""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from microsoft_agents.activity import Activity, Attachment, ConversationAccount
from pydantic_core import to_json

from bot import dispatch
from bot.clock import FixedClock
from bot.plan.body_names import BodyIndex
from bot.plan.types import ActionRecord, BodyInfo, BodyRef, PlanRecord
from bot.plan.vocabulary import Vocabulary
from bot.services import Services
from bot.teams.connector import compact_json
from bot.teams.live import with_viewers
from bot.teams.outgoing import activity_body
from bot.turns import Place, Request, Sender
from cards.actions import action_list_card
from cards.base import with_notice
from cards.memo import CardMemo, KeptCard, view_key
from cards.views import ActionItem, ActionListView
from storage.people import PersonRecord
from tests.cardcheck import assert_valid_card
from tests.fakes.store import FakePeopleStore, FakePlanStore, fake_services
from tests.harness import card_texts

NOW = datetime(2022, 6, 1, 11, 0, tzinfo=UTC)
OPCCN = BodyInfo("OPCCN", "Office of the Police and Crime Commissioner", "OPCCN", "organisation")


def _action(number: str, deadline: date, text: str = "") -> ActionRecord:
    return ActionRecord(
        id=int(number.replace(".", "")),
        plan_key="plan",
        number=number,
        text=text or f"Action {number}",
        success_measure="",
        owner_text=OPCCN.name,
        owners=(BodyRef(OPCCN.key, OPCCN.name, OPCCN.abbreviation),),
        due_text=str(deadline),
        deadline=deadline,
        ongoing=False,
        due_readable=True,
        theme_number=1,
        theme_title="Theme 1",
        section_title="Other",
    )


def _view(*items: ActionItem, page: int = 1, query: dict[str, Any] | None = None) -> ActionListView:
    return ActionListView(
        title="Overdue: you (OPCCN)",
        summary="2 actions past the deadline.",
        items=items,
        page=page,
        pages=2,
        total=len(items),
        query={"i": "overdue", "me": True} if query is None else query,
    )


ITEM = ActionItem(
    _action("1.1", date(2022, 3, 31)), "Not started", "31 Mar 2022", "62 days overdue"
)


def test_an_equal_view_gets_an_equal_card_without_drawing_it_again() -> None:
    memo = CardMemo()
    drawn: list[ActionListView] = []

    def render(view: ActionListView) -> dict[str, Any]:
        drawn.append(view)
        return action_list_card(view)

    first = memo.draw(render, _view(ITEM))
    again = memo.draw(render, _view(replace(ITEM)))  # equal, not the same object
    assert again == first == action_list_card(_view(ITEM))
    assert len(drawn) == 1 and (memo.hits, memo.misses) == (1, 1)
    assert_valid_card(again)


def test_a_kept_card_is_shared_and_nobody_holding_it_can_change_it() -> None:
    memo = CardMemo(strict=True)
    first = memo.draw(action_list_card, _view(ITEM))
    assert memo.draw(action_list_card, _view(ITEM)) is first  # no copy per turn
    changes = [
        lambda c: c.__setitem__("type", "Other"),
        lambda c: c.update(version="1.6"),
        lambda c: c.pop("body"),
        lambda c: c.setdefault("refresh", {}),
        lambda c: c.__delitem__("body"),
        lambda c: c.clear(),
        lambda c: c["body"].append({"type": "TextBlock", "text": "added"}),
        lambda c: c["body"].insert(0, {}),
        lambda c: c["body"].__setitem__(0, {}),
        lambda c: c["body"].__delitem__(0),
        lambda c: c["body"].sort(key=str),
        lambda c: c["body"].reverse(),
        lambda c: c["body"].extend([{}]),
        lambda c: c["body"].pop(),
        lambda c: c["actions"].clear(),
        lambda c: c["body"][0].__setitem__("text", "changed by someone holding the card"),
        lambda c: c["body"][0].update(text="changed"),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="cannot be changed"):
            change(first)
    with pytest.raises(TypeError):
        first["body"] += [{}]
    with pytest.raises(TypeError):
        first |= {"type": "Other"}
    assert memo.draw(action_list_card, _view(ITEM)) == action_list_card(_view(ITEM))
    kept = memo.draw(action_list_card, _view(ITEM))
    assert isinstance(kept, KeptCard) and kept.encoded == to_json(action_list_card(_view(ITEM)))


def test_outside_a_strict_memo_the_top_of_a_kept_card_still_refuses_changes() -> None:
    memo = CardMemo()
    kept = memo.draw(action_list_card, _view(ITEM))
    assert memo.draw(action_list_card, _view(ITEM)) is kept
    assert type(kept["body"]) is list  # plain inside: pydantic encodes it at full speed
    for change in (lambda c: c.__setitem__("body", []), lambda c: c.update(body=[])):
        with pytest.raises(TypeError, match="cannot be changed"):
            change(kept)
    assert kept == action_list_card(_view(ITEM))


def test_copies_of_a_kept_card_are_plain_and_changing_them_leaves_the_memo_alone() -> None:
    memo = CardMemo(strict=True)
    kept = memo.draw(action_list_card, _view(ITEM))
    expected = action_list_card(_view(ITEM))
    deep = copy.deepcopy(kept)
    deep["body"][0]["text"] = "changed"
    deep["actions"].clear()
    pickled = pickle.loads(pickle.dumps(kept))
    pickled["body"].clear()
    shallow = copy.copy(kept)
    shallow["type"] = "Other"
    assert type(deep) is dict and type(deep["body"]) is list and type(shallow) is dict
    # The ways the bot derives cards: a notice under the heading, viewers of a live card.
    noticed = with_notice(kept, "The plan ended on 31 March 2024.")
    assert noticed["body"][1]["text"] == "The plan ended on 31 March 2024."
    assert "The plan ended" in card_texts(noticed) and "The plan ended" not in card_texts(kept)
    viewers = with_viewers({**kept, "refresh": {"action": {}, "userIds": []}}, ["29:a"])
    assert viewers["refresh"]["userIds"] == ["29:a"]
    assert memo.draw(action_list_card, _view(ITEM)) == expected
    assert kept.encoded == to_json(expected) and json.loads(kept.encoded) == expected


@pytest.mark.parametrize("strict", [False, True])
def test_a_kept_card_goes_to_the_connector_as_the_same_bytes_as_a_fresh_one(strict: bool) -> None:
    memo = CardMemo(strict=strict)
    kept = memo.draw(action_list_card, _view(ITEM))
    plain = action_list_card(_view(ITEM))

    def reply(card: dict[str, Any]) -> Activity:
        return Activity(
            type="message",
            conversation=ConversationAccount(id="a:1"),
            text="",
            attachments=[
                Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card),
                Attachment(content_type="text/plain", content_url="https://example.org/a"),
            ],
        )

    sent = activity_body(reply(kept))
    assert sent == activity_body(reply(plain))
    sdk = reply(plain).model_dump(by_alias=True, exclude_unset=True, exclude_none=True, mode="json")
    assert json.loads(sent) == sdk
    assert reply(kept).model_dump(by_alias=True, exclude_unset=True, mode="json") == (
        reply(plain).model_dump(by_alias=True, exclude_unset=True, mode="json")
    )


@pytest.mark.parametrize(
    "other",
    [
        _view(replace(ITEM, flag="63 days overdue")),
        _view(replace(ITEM, can_update=False)),
        _view(replace(ITEM, action=replace(ITEM.action, text="Action 1.1, reworded"))),
        _view(ITEM, page=2),
        _view(ITEM, query={"i": "overdue", "b": ["OPCCN"]}),
        _view(ITEM, ITEM),
    ],
)
def test_any_difference_in_the_view_draws_the_card_afresh(other: ActionListView) -> None:
    memo = CardMemo()
    memo.draw(action_list_card, _view(ITEM))
    assert memo.draw(action_list_card, other) == action_list_card(other)
    assert (memo.hits, memo.misses) == (0, 2)


def test_each_card_function_has_its_own_cards() -> None:
    memo = CardMemo()
    memo.draw(action_list_card, _view(ITEM))
    assert memo.draw(lambda view: {"type": "AdaptiveCard"}, _view(ITEM)) == {"type": "AdaptiveCard"}


def test_the_memo_keeps_only_the_most_recently_used_cards() -> None:
    memo = CardMemo(size=2)
    views = [_view(ITEM, page=n) for n in (1, 2, 3)]
    memo.draw(action_list_card, views[0])
    memo.draw(action_list_card, views[1])
    memo.draw(action_list_card, views[0])  # used again: page 2 is now the oldest
    memo.draw(action_list_card, views[2])
    assert len(memo) == 2
    memo.draw(action_list_card, views[0])
    assert memo.hits == 2
    memo.draw(action_list_card, views[1])
    assert memo.misses == 4


def test_a_change_of_a_kept_card_is_made_once_and_kept_like_it() -> None:
    memo = CardMemo(strict=True)
    kept = memo.draw(action_list_card, _view(ITEM))
    ended = "The plan ended on 31 March 2024."
    noticed = memo.derive(with_notice, kept, ended)
    expected = with_notice(action_list_card(_view(ITEM)), ended)
    assert noticed == expected and isinstance(noticed, KeptCard)
    assert noticed.encoded == to_json(expected)
    assert memo.derive(with_notice, kept, ended) is noticed  # the same change: made once
    assert memo.derive(with_notice, memo.draw(action_list_card, _view(ITEM)), ended) is noticed
    with pytest.raises(TypeError, match="cannot be changed"):
        noticed["body"][1].__setitem__("text", "changed")
    other = memo.derive(with_notice, kept, "The plan ended on 31 March 2025.")
    assert other is not noticed and "31 March 2025" in card_texts(other)
    page_two = memo.derive(with_notice, memo.draw(action_list_card, _view(ITEM, page=2)), ended)
    assert page_two is not noticed and page_two == with_notice(
        action_list_card(_view(ITEM, page=2)), ended
    )
    # A card the memo does not keep is changed afresh, and stays a plain card.
    plain = action_list_card(_view(ITEM))
    fresh = memo.derive(with_notice, plain, ended)
    assert fresh == expected and not isinstance(fresh, KeptCard)
    assert memo.derive(with_notice, plain, ended) is not fresh


@dataclass(frozen=True)
class _Unhashable:
    things: set[str] = field(default_factory=set)


def test_a_view_that_cannot_be_a_key_is_drawn_every_time() -> None:
    memo = CardMemo()
    with pytest.raises(TypeError):
        view_key(_Unhashable({"a"}))
    with pytest.raises(TypeError):
        view_key({"not": "a view"})
    for _ in range(2):
        assert memo.draw(lambda view: {"n": len(view.things)}, _Unhashable({"a"})) == {"n": 1}
    assert (memo.hits, memo.misses, len(memo)) == (0, 0, 0)


def _services() -> Services:
    plan = FakePlanStore(
        PlanRecord("plan", "Safer Norfolk Plan 2021-24", True, None, None),
        [_action("1.1", date(2022, 3, 31)), _action("1.2", date(2021, 12, 31))],
        bodies=(OPCCN,),
    )
    people = FakePeopleStore({1: PersonRecord(1, "aad-1", "Maria", None, (("OPCCN", "member"),))})
    return fake_services(plan, FixedClock(NOW), people)


def _ask(services: Services, text: str) -> dict[str, Any]:
    reply = dispatch.handle_text(services, Request(Sender("aad-1", "Maria"), Place("c"), NOW, text))
    (message,) = reply.messages
    assert message.card is not None
    return message.card


def test_asking_again_reuses_the_card_and_an_update_shows_at_once() -> None:
    services = _services()
    first = _ask(services, "what's overdue for me?")
    assert _ask(services, "what's overdue for me?") == first
    assert services.cards.hits == 1
    assert "On track" not in card_texts(first)
    assert "Update saved" in card_texts(_ask(services, "update 1.1 on track: terms agreed"))
    after = _ask(services, "what's overdue for me?")
    assert after != first and "On track" in card_texts(after)
    assert_valid_card(after)


# ------------------------------------------------------------------ the rest
def test_labels_are_worked_out_once_and_each_caller_gets_its_own() -> None:
    vocabulary = Vocabulary(BodyIndex([OPCCN]))
    labels = vocabulary.labels()
    assert labels == {"OPCCN": "OPCCN"}
    labels["OPCCN"] = "changed"
    assert vocabulary.labels() == {"OPCCN": "OPCCN"}


def test_the_connector_encodes_as_compact_utf8_json() -> None:
    card = action_list_card(_view(ITEM, replace(ITEM, deadline_label="31 März 2022 – “soon”")))
    assert compact_json(card) == json.dumps(card, separators=(",", ":"), ensure_ascii=False)
