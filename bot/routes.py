"""The route table: every intent, card verb and dialog id the bot understands, and its handler.

This file is the index of what the bot can do. Each entry pairs its matcher (the intent name
``bot.understand`` gives, a card's verb from ``cards.verbs``, a dialog id, or a compose-box
command id) with the one
small handler that answers it; the selectors below are all the dispatcher asks of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bot.handlers import (
    answers,
    audit,
    bodies,
    calendar,
    channels,
    compose,
    help,
    lists,
    meeting_form,
    meeting_nudges,
    meetings,
    memberships,
    period,
    plan,
    report,
    schedule,
    scrutiny,
    status,
    unfurl,
    updates,
)
from bot.services import Services
from bot.turns import DialogDone, DialogView, Reply, Request, SearchResults
from bot.understand import Intent
from cards import verbs

IntentHandler = Callable[[Services, Request, Intent], Reply]
VerbHandler = Callable[[Services, Request], Reply]
SearchHandler = Callable[[Services, Request], SearchResults]


class Dialog(Protocol):
    """A Teams dialog: ``open`` gives its card, ``submit`` validates and saves or re-asks."""

    def open(self, services: Services, request: Request) -> DialogView | DialogDone:
        """The dialog's card (or a message when it cannot open)."""
        ...

    def submit(self, services: Services, request: Request) -> DialogView | DialogDone:
        """The form again with errors, or done."""
        ...


H = TypeVar("H")


@dataclass(frozen=True)
class Route(Generic[H]):
    """One entry: what it matches, and what answers it."""

    match: str
    handler: H


INTENTS: tuple[Route[IntentHandler], ...] = (
    Route("help", help.help_reply),
    Route("smalltalk", answers.small_talk),
    Route("fact", answers.fact),
    Route("outcome", answers.outcome),
    Route("search", lists.search),
    Route("unknown", help.not_understood),
    Route("priorities", plan.priorities),
    Route("action", plan.action_detail),
    Route("history", plan.action_history),
    Route("overdue", lists.overdue),
    Route("due", lists.due),
    Route("my_actions", lists.my_actions),
    Route("actions", lists.actions),
    Route("my_bodies", bodies.my_bodies),
    Route("requests", memberships.requests_intent),
    Route("update", updates.update_intent),
    Route("audit", audit.audit_intent),
    Route("link", channels.link_intent),
    Route("unlink", channels.unlink_intent),
    Route("links", channels.links_intent),
    Route("meetings", meetings.meetings_intent),
    Route("next_meeting", calendar.next_meeting_intent),
    Route("last_meeting", calendar.last_meeting_intent),
    Route("scrutiny", scrutiny.scrutiny_intent),
    Route("extend_plan", period.extend_plan_intent),
    Route("rules", schedule.rules_intent),
    Route("reminders", schedule.reminders_intent),
    Route("meeting_nudges", meeting_nudges.meeting_nudges_intent),
    Route("failed_deliveries", schedule.failed_deliveries),
    Route("status", status.status_intent),
    Route("report", report.report_intent),
)

VERBS: tuple[Route[VerbHandler], ...] = (
    Route(verbs.LIST_PAGE, lists.next_page),
    Route(verbs.SHOW_ACTION, plan.action_detail_button),
    Route(verbs.PRIORITIES_PAGE, plan.priorities_page),
    Route(verbs.SHOW_HISTORY, plan.action_history_button),
    Route(verbs.CHOOSE_BODIES, bodies.search_bodies),
    Route(verbs.SAVE_BODIES, bodies.save_bodies),
    Route(verbs.OPEN_UPDATE_INLINE, updates.open_inline),
    Route(verbs.AUDIT_PAGE, audit.audit_page),
    Route(verbs.APPROVE_MEMBERSHIP, memberships.approve),
    Route(verbs.REFUSE_MEMBERSHIP, memberships.refuse),
    Route(verbs.SAVE_UPDATE, updates.save_inline),
    Route(verbs.CANCEL_UPDATE, updates.cancel_inline),
    Route(verbs.MEETINGS_PAGE, meetings.next_page),
    Route(verbs.EDIT_MEETING, meeting_form.edit_meeting),
    Route(verbs.SAVE_MEETING, meeting_form.save_meeting_form),
    Route(verbs.EDIT_RULES, schedule.edit_rules),
    Route(verbs.SAVE_RULES, schedule.save_rules_form),
    Route(verbs.REMINDERS_ON, schedule.reminders_on),
    Route(verbs.REMINDERS_OFF, schedule.reminders_off),
    Route(verbs.MEETING_NUDGES_OFF, meeting_nudges.nudges_off),
    Route(verbs.MEETING_NUDGES_ON, meeting_nudges.nudges_on),
    Route(verbs.REFRESH_STATUS, status.refresh_status),
    Route(verbs.SHOW_ALL_OVERDUE, status.show_all_overdue),
    Route(verbs.REPORT_LINKS, report.report_links_button),
    Route(verbs.RESPOND_SCRUTINY, scrutiny.respond_form),
    Route(verbs.SAVE_SCRUTINY_RESPONSE, scrutiny.save_response),
)

DIALOGS: tuple[Route[Dialog], ...] = (Route(verbs.DIALOG_UPDATE, updates.UpdateDialog()),)

SEARCHES: tuple[Route[SearchHandler], ...] = (
    Route(verbs.SEARCH_ACTIONS, compose.search_actions),
    Route(verbs.UNFURL_LINK, unfurl.unfurl),
)

_BY_INTENT = {route.match: route.handler for route in INTENTS}
_BY_VERB = {route.match: route.handler for route in VERBS}
_BY_DIALOG = {route.match: route.handler for route in DIALOGS}
_BY_SEARCH = {route.match: route.handler for route in SEARCHES}


def intent_handler(name: str) -> IntentHandler:
    """The handler of an intent; "unknown" (did you mean) for a name with no route."""
    return _BY_INTENT.get(name, _BY_INTENT["unknown"])


def verb_handler(verb: str | None) -> VerbHandler | None:
    """The handler of a card verb, or None for a verb no route has (an older card)."""
    return _BY_VERB.get(verb or "")


def dialog_for(dialog_id: str) -> Dialog | None:
    """The dialog with this id, or None."""
    return _BY_DIALOG.get(dialog_id)


def search_handler(command_id: str) -> SearchHandler | None:
    """The handler of a compose-box search command, or None."""
    return _BY_SEARCH.get(command_id)
