"""The cheaper paths of a turn give exactly what the plain ones gave.

Cards drawn once for a view and handed out again (``cards.memo``), the vocabulary's labels
worked out once, and the connector's JSON encoder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot import dispatch
from bot.clock import FixedClock
from bot.plan.body_names import BodyIndex
from bot.plan.types import ActionRecord, BodyInfo, BodyRef, PlanRecord
from bot.plan.vocabulary import Vocabulary
from bot.services import Services
from bot.teams.connector import compact_json
from bot.turns import Place, Request, Sender
from cards.actions import action_list_card
from cards.memo import CardMemo, view_key
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


def test_each_card_handed_out_is_a_copy_of_its_own() -> None:
    memo = CardMemo()
    first = memo.draw(action_list_card, _view(ITEM))
    first["body"][0]["text"] = "changed by someone holding the card"
    first["actions"].clear()
    again = memo.draw(action_list_card, _view(ITEM))
    assert again == action_list_card(_view(ITEM))
    again["body"].clear()
    assert memo.draw(action_list_card, _view(ITEM)) == action_list_card(_view(ITEM))


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
