"""Handlers on the in-memory store: no database, no Teams; a turn in, a reply (card) out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot import dispatch, routes
from bot.clock import FixedClock
from bot.plan.types import (
    ActionRecord,
    BodyInfo,
    BodyRef,
    PersonRecord,
    PlanRecord,
    StoreUnavailable,
    UpdateRecord,
)
from bot.services import Services
from bot.turns import DialogDone, Place, Reply, Request, Sender
from bot.understand import understand
from cards import verbs
from tests.cardcheck import assert_valid_card
from tests.fakes.store import FakePeopleStore, FakePlanStore, FakeScheduleStore, fake_services
from tests.harness import card_texts

NOW = datetime(2022, 6, 1, 11, 0, tzinfo=UTC)
OPCCN = BodyInfo("OPCCN", "Office of the Police and Crime Commissioner", "OPCCN", "organisation")
DASVG = BodyInfo("DASVG", "Domestic Abuse and Sexual Violence Group", "DASVG", "group")


def _action(
    number: str, owner: BodyInfo, deadline: date | None, status: str | None = None
) -> ActionRecord:
    latest = UpdateRecord(status, "progress", datetime(2022, 1, 10, tzinfo=UTC)) if status else None
    theme = int(number.split(".")[0])
    return ActionRecord(
        id=int(number.replace(".", "")),
        plan_key="plan",
        number=number,
        text=f"Action {number} about fraud" if number == "1.2" else f"Action {number}",
        success_measure="",
        owner_text=owner.name,
        owners=(BodyRef(owner.key, owner.name, owner.abbreviation),),
        due_text=str(deadline or "ongoing"),
        deadline=deadline,
        ongoing=deadline is None,
        due_readable=True,
        theme_number=theme,
        theme_title=f"Theme {theme}",
        section_title="Fraud" if number == "1.2" else "Other",
        latest=latest,
    )


RECORDS = [
    _action("1.1", OPCCN, date(2022, 3, 31)),  # 62 days overdue on 1 June
    _action("1.2", OPCCN, date(2021, 12, 31)),  # 152 days overdue
    _action("1.3", OPCCN, date(2021, 12, 31), "Complete"),  # complete: never overdue
    _action("2.1", DASVG, date(2022, 6, 20)),  # due this month
    _action("2.2", DASVG, None, "Ongoing"),
]
PLAN = PlanRecord("plan", "Safer Norfolk Plan 2021-24", True, None, None)
MEMBER = PersonRecord(1, "aad-member", "Maria", None, (("OPCCN", "member"),))
NOBODY = PersonRecord(2, "aad-nobody", "Sam", None)


@pytest.fixture
def plan() -> FakePlanStore:
    return FakePlanStore(PLAN, list(RECORDS), bodies=(OPCCN, DASVG))


@pytest.fixture
def services(plan: FakePlanStore) -> Services:
    people = FakePeopleStore({1: MEMBER, 2: NOBODY})
    return fake_services(plan, FixedClock(NOW), people, FakeScheduleStore({"meeting": ("DASVG",)}))


def ask(services: Services, text: str, aad: str = "aad-member", where: str = "chat") -> Reply:
    kind = "personal" if where == "chat" else "groupChat"
    sender = Sender(aad, "Maria" if aad == "aad-member" else "Sam")
    return dispatch.handle_text(services, Request(sender, Place(where, kind), NOW, text=text))


def press(services: Services, verb: str, data: dict, aad: str = "aad-member") -> Reply:
    request = Request(Sender(aad, "Maria"), Place("chat"), NOW, verb=verb, data=data)
    return dispatch.handle_card_action(services, request)


def only_card(reply: Reply) -> dict:
    (message,) = reply.messages
    assert message.card is not None
    assert_valid_card(message.card)
    return message.card


def test_overdue_for_me_lists_my_bodies_actions_most_overdue_first(services: Services) -> None:
    text = card_texts(only_card(ask(services, "what's overdue for me?")))
    assert "Overdue: you (OPCCN)" in text
    assert text.index("1.2") < text.index("1.1")  # 152 days before 62 days
    assert "1.3" not in text and "2.1" not in text  # complete; not mine
    assert "152 days overdue" in text


def test_overdue_without_bodies_asks_which_bodies_first(services: Services) -> None:
    text = card_texts(only_card(ask(services, "what's overdue for me?", aad="aad-nobody")))
    assert "Tell me which bodies you work for first" in text


def test_due_next_month_and_actions_about_a_topic_use_their_own_selectors(
    services: Services,
) -> None:
    due = card_texts(only_card(ask(services, "what's due this month for DASVG?")))
    assert "2.1" in due and "2.2" not in due
    fraud = card_texts(only_card(ask(services, "actions about fraud")))
    assert "1.2" in fraud and "1.1" not in fraud


def test_a_list_narrowed_by_status_says_so_and_pages_with_it(services: Services) -> None:
    complete = card_texts(only_card(ask(services, "which actions are complete?")))
    assert "Actions: the whole plan · complete" in complete
    assert "1.3" in complete and "1.1" not in complete and "2.2" not in complete
    waiting = only_card(ask(services, "which OPCCN actions have no update"))
    assert "Actions: OPCCN · no update yet" in card_texts(waiting)
    assert "1.1" in card_texts(waiting) and "1.3" not in card_texts(waiting)
    # The paging button carries the status: the next page is narrowed the same way.
    query = {"i": "actions", "st": "Ongoing"}
    ongoing = card_texts(only_card(press(services, verbs.LIST_PAGE, {"q": query, "page": 1})))
    assert "2.2" in ongoing and "1.3" not in ongoing
    tampered = {"q": {"i": "actions", "st": "Secret"}, "page": 1}
    reply = press(services, verbs.LIST_PAGE, tampered)
    assert reply.error is not None and "bad status" in reply.error
    # "Are we on track?" is still the status card, not a list.
    assert "Status" in card_texts(only_card(ask(services, "are we on track?")))


def test_paging_button_with_tampered_data_gets_a_clear_error(services: Services) -> None:
    reply = press(services, verbs.LIST_PAGE, {"q": {"i": "drop table"}, "page": 1})
    assert reply.error is not None and "could not be read" in reply.error


def test_typed_update_is_saved_once_and_refused_to_others(
    services: Services, plan: FakePlanStore
) -> None:
    saved = card_texts(only_card(ask(services, "update 1.1 on track: terms agreed")))
    assert "Update saved: 1.1 is now On track" in saved
    assert [u.text for u in plan.history(11)] == ["terms agreed"]
    refused = ask(services, "update 1.1 on track: not mine", aad="aad-nobody")
    assert "Only members or chairs of OPCCN" in (refused.notice or "")
    assert len(plan.history(11)) == 1


def test_a_status_given_for_an_action_is_an_update(services: Services, plan: FakePlanStore) -> None:
    saved = card_texts(only_card(ask(services, "1.1 is on track: terms agreed")))
    assert "Update saved: 1.1 is now On track" in saved
    # Without a text: the update form, the status chosen, nothing saved yet.
    reply = ask(services, "mark 1.2 as done")
    assert reply.messages[0].text == "Add a few words on progress to mark 1.2 Complete:"
    (form,) = [m.card for m in reply.messages if m.card is not None]
    assert_valid_card(form)
    assert "Complete" in str(form) and plan.history(12) == []
    # A status the bot does not know: the form, to choose one; nothing saved.
    unknown = ask(services, "mark 1.1 as banana")
    assert unknown.messages[0].text == "Add the status and a few words, or fill in the form:"
    # A question about the status is not an update.
    assert "Update saved" not in card_texts(only_card(ask(services, "1.1 complete?")))
    assert [u.text for u in plan.history(11)] == ["terms agreed"]
    finished = card_texts(only_card(ask(services, "set 1.2 to finished: handed over")))
    assert "Update saved: 1.2 is now Complete" in finished


def test_an_update_the_store_cannot_save_says_so(services: Services, plan: FakePlanStore) -> None:
    plan.failing = True
    reply = ask(services, "update 1.1 at risk: slipping")
    assert "could not be saved just now; nothing was recorded" in (reply.notice or "")
    assert plan.history(11) == []


def test_bare_status_in_a_linked_chat_is_the_linked_bodies(services: Services) -> None:
    text = card_texts(only_card(ask(services, "status", where="meeting")))
    assert "Status: DASVG" in text
    whole = card_texts(only_card(ask(services, "status", where="elsewhere")))
    assert "Status: the whole plan" in whole


def test_every_intent_the_grammar_gives_and_every_verb_has_one_route(
    services: Services,
) -> None:
    intents = [route.match for route in routes.INTENTS]
    verbs_routed = [route.match for route in routes.VERBS]
    assert len(intents) == len(set(intents)) and len(verbs_routed) == len(set(verbs_routed))
    assert set(verbs_routed) == verbs.ALL_VERBS - {verbs.RUN_COMMAND, verbs.SHARE_ANSWER}
    vocabulary = services.vocabulary()
    for text in ("overdue", "due next month", "my actions", "actions", "status", "help"):
        name = understand(text, vocabulary, date(2022, 6, 1)).name
        assert routes.intent_handler(name) is not routes.intent_handler("unknown"), text
    assert routes.intent_handler("no such intent") is routes.intent_handler("unknown")
    assert routes.verb_handler("no.such.verb") is None
    assert routes.dialog_for(verbs.DIALOG_UPDATE) is not None


def _saved_from(origin: dict) -> dict:
    return {
        "dialog": verbs.DIALOG_UPDATE,
        "actionId": 11,
        "status": "At risk",
        "text": "Slipping",
        "updateKey": "k" * 32,
        "origin": origin,
    }


def test_a_dialog_update_redraws_the_card_it_started_from_in_a_shared_chat(
    services: Services,
) -> None:
    origin = {"verb": verbs.SHOW_ACTION, "actionId": 11}
    shared = Request(Sender("aad-member", "Maria"), Place("chat", "groupChat"), NOW)
    done = dispatch.submit_dialog(services, replace(shared, data=_saved_from(origin)))
    assert isinstance(done, DialogDone) and "Update saved" in done.message
    assert done.refresh is not None and "At risk" in card_texts(done.refresh)
    personal = Request(Sender("aad-member", "Maria"), Place("chat"), NOW)
    again = dispatch.submit_dialog(services, replace(personal, data=_saved_from(origin)))
    assert isinstance(again, DialogDone) and again.refresh is None  # nobody else sees it
    assert "already saved" in again.message


SAVE = verbs.SAVE_UPDATE


def test_an_inline_update_redraws_only_cards_that_show_status(services: Services) -> None:
    shared = Request(Sender("aad-member", "Maria"), Place("chat", "groupChat"), NOW)
    data = {**_saved_from({"verb": verbs.SHOW_ACTION, "actionId": 11}), "dialog": None}
    reply = dispatch.handle_card_action(
        services, replace(shared, verb=verbs.SAVE_UPDATE, data=data)
    )
    assert reply.refresh is not None and "At risk" in card_texts(reply.refresh)
    data = {**data, "updateKey": "m" * 32, "origin": {"verb": verbs.SAVE_BODIES}}
    reply = dispatch.handle_card_action(
        services, replace(shared, verb=verbs.SAVE_UPDATE, data=data)
    )
    assert reply.card is not None and reply.refresh is None


def test_a_database_failure_is_answered_plainly_and_changes_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("the database failed (OperationalError)")

    monkeypatch.setattr(services.plan, "actions_for", down)
    reply = ask(services, "what's overdue for me?")
    assert reply.messages == [] and reply.error == dispatch.DATABASE_TROUBLE
    monkeypatch.setattr(services.people, "identify", down)
    reply = press(services, verbs.LIST_PAGE, {"q": {"i": "overdue"}, "page": 1})
    assert reply.error == dispatch.DATABASE_TROUBLE
