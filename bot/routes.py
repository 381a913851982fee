"""The route table: every intent, card verb and dialog id the bot understands, and its handler.

This file is the index of what the bot can do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.handlers import (
    audit,
    bodies,
    calendar,
    help,
    links,
    lists,
    meeting_form,
    meetings,
    period,
    plan,
    report,
    schedule,
    scrutiny,
    status,
    updates,
)
from bot.services import Services
from bot.turns import DialogDone, DialogView, Reply, Request
from bot.understand import Intent
from cards import verbs

IntentHandler = Callable[[Services, Request, Intent], Reply]
VerbHandler = Callable[[Services, Request], Reply]


class Dialog(Protocol):
    """A Teams dialog: ``open`` gives its card, ``submit`` validates and saves or re-asks."""

    def open(self, services: Services, request: Request) -> DialogView | DialogDone:
        """The dialog's card (or a message when it cannot open)."""
        ...

    def submit(self, services: Services, request: Request) -> DialogView | DialogDone:
        """The form again with errors, or done."""
        ...


INTENTS: dict[str, IntentHandler] = {
    "help": help.help_reply,
    "unknown": help.not_understood,
    "priorities": plan.priorities,
    "action": plan.action_detail,
    "history": plan.action_history,
    "overdue": lists.list_intent,
    "due": lists.list_intent,
    "my_actions": lists.list_intent,
    "actions": lists.list_intent,
    "my_bodies": bodies.my_bodies,
    "update": updates.update_intent,
    "audit": audit.audit_intent,
    "link": links.link_intent,
    "unlink": links.unlink_intent,
    "links": links.links_intent,
    "meetings": meetings.meetings_intent,
    "next_meeting": calendar.next_meeting_intent,
    "last_meeting": calendar.last_meeting_intent,
    "scrutiny": scrutiny.scrutiny_intent,
    "extend_plan": period.extend_plan_intent,
    "rules": schedule.rules_intent,
    "reminders": schedule.reminders_intent,
    "failed_deliveries": schedule.failed_deliveries,
    "status": status.status_intent,
    "report": report.report_intent,
}

VERBS: dict[str, VerbHandler] = {
    verbs.LIST_PAGE: lists.next_page,
    verbs.SHOW_ACTION: plan.action_detail_button,
    verbs.PRIORITIES_PAGE: plan.priorities_page,
    verbs.SHOW_HISTORY: plan.action_history_button,
    verbs.CHOOSE_BODIES: bodies.search_bodies,
    verbs.SAVE_BODIES: bodies.save_bodies,
    verbs.OPEN_UPDATE_INLINE: updates.open_inline,
    verbs.AUDIT_PAGE: audit.audit_page,
    verbs.SAVE_UPDATE: updates.save_inline,
    verbs.CANCEL_UPDATE: updates.cancel_inline,
    verbs.MEETINGS_PAGE: meetings.next_page,
    verbs.EDIT_MEETING: meeting_form.edit_meeting,
    verbs.SAVE_MEETING: meeting_form.save_meeting_form,
    verbs.EDIT_RULES: schedule.edit_rules,
    verbs.SAVE_RULES: schedule.save_rules_form,
    verbs.REMINDERS_ON: schedule.reminders_on,
    verbs.REMINDERS_OFF: schedule.reminders_off,
    verbs.REFRESH_STATUS: status.refresh_status,
    verbs.SHOW_ALL_OVERDUE: status.show_all_overdue,
    verbs.REPORT_LINKS: report.report_links_button,
    verbs.RESPOND_SCRUTINY: scrutiny.respond_form,
    verbs.SAVE_SCRUTINY_RESPONSE: scrutiny.save_response,
}

DIALOGS: dict[str, Dialog] = {
    verbs.DIALOG_UPDATE: updates.UpdateDialog(),
}
