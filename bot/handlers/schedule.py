"""Rules ("rules DASVG"), reminders ("reminders on|off") and "failed deliveries" (admins)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.clock import LONDON
from bot.handlers.channels import allowed, body_label, who_can
from bot.handlers.common import actor_of, person_of
from bot.plan.forms import read_rules_form
from bot.plan.schedule import BodyRules
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.schedule import problems_card, rules_card
from cards.views import ProblemListView, ProblemRow, RulesView

PROBLEM_DAYS = 30
KINDS = {"prompt": "update prompt", "follow_up": "follow-up", "reminder": "reminder"}
DELIVERY_STATUS_WORDS = {
    "failed": "Failed",
    "unknown": "Unknown",
    "gone": "App removed",
    "no_chat": "No 1:1 chat",
    "skipped": "Skipped",
}


def _view(services: Services, request: Request, body_key: str, **extra: object) -> RulesView:
    rules = services.schedule.body_rules(body_key)
    return RulesView(
        body_key=body_key,
        body_label=body_label(services, body_key),
        lead_days=rules.prompt_lead_days,
        follow_up_days=rules.follow_up_days,
        reminder_days=rules.reminder_lead_days,
        can_edit=allowed(request, body_key),
        **extra,  # type: ignore[arg-type]
    )


def rules_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """A body's rules, with "Change" for its chairs and admins."""
    if not intent.bodies:
        return Reply.with_text("Which body? Say for example “rules DASVG”.")
    return Reply.with_card(rules_card(_view(services, request, intent.bodies[0])))


def _body(services: Services, request: Request) -> str | None:
    key = request.data.get("body")
    return key if isinstance(key, str) and key in services.vocabulary().bodies.by_key else None


def edit_rules(services: Services, request: Request) -> Reply:
    """The "Change" button: the rules as a form (chairs of the body and admins)."""
    key = _body(services, request)
    if key is None:
        return Reply(error="That button is from an older card. Ask “rules DASVG” again.")
    view = _view(services, request, key, editing=True)
    if not view.can_edit:
        return Reply(error=who_can(services, key))
    return Reply.with_card(rules_card(view))


def save_rules_form(services: Services, request: Request) -> Reply:
    """Save the rules when every number is valid; otherwise the form again with messages."""
    key = _body(services, request)
    if key is None:
        return Reply(error="That button is from an older card. Nothing was saved.")
    values = {n: str(request.data.get(n, ""))[:20] for n in ("lead", "followUp", "reminder")}
    rules, errors = read_rules_form(values)
    view = _view(services, request, key, editing=True, values=values, errors=errors)
    if not view.can_edit:
        return Reply(error=who_can(services, key) + " Nothing was saved.")
    if rules is None:
        message = "Please correct the fields marked below. Nothing was saved."
        return Reply.with_card(rules_card(replace(view, message=message)))
    services.schedule.save_body_rules(key, rules, actor_of(request), request.now)
    saved = _view(services, request, key, message=f"Saved. {_summary(rules)}")
    return Reply.with_card(rules_card(saved))


def _summary(rules: BodyRules) -> str:
    follow = f", follow-up {rules.follow_up_days} days later" if rules.follow_up_days else ""
    return (
        f"Prompt {rules.prompt_lead_days} days before each meeting{follow}; "
        f"reminders {rules.reminder_lead_days} day(s) before."
    )


def _set_reminders(services: Services, request: Request, on: bool) -> str:
    if request.person_id is None:
        return "I could not tell who you are, so nothing was changed."
    person = person_of(request)
    if person is None:
        return "I could not tell who you are, so nothing was changed."
    services.people.set_reminders(person.id, on, request.now)
    if not on:
        return "Reminders are off. Say “reminders on” to have them again."
    bodies = ", ".join(body_label(services, k) for k in person.body_keys)
    text = (
        f"Reminders are on: the day before each meeting of {bodies}, I'll message you 1:1 with "
        "the time, the place or link, and what is due from you."
        if bodies
        else "Reminders are on, but you have not said which bodies you work for: say “my bodies”."
    )
    if not services.people.has_personal_chat(person.aad_object_id):
        text += (
            " I cannot message you 1:1 yet: open a chat with the Safer Partnership app in Teams "
            "and say hello, so that reminders can reach you."
        )
    return text


def reminders_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "reminders on", "reminders off", or say where they stand."""
    if intent.on is not None:
        return Reply.with_text(_set_reminders(services, request, intent.on))
    on = request.person_id is not None and services.people.reminders_on(request.person_id)
    state = "on" if on else "off"
    other = "off" if on else "on"
    return Reply.with_text(
        f"Your meeting reminders are {state}. Say “reminders {other}” to change."
    )


def reminders_on(services: Services, request: Request) -> Reply:
    """The "Turn on reminders" button."""
    return Reply.with_text(_set_reminders(services, request, True))


def reminders_off(services: Services, request: Request) -> Reply:
    """The "Stop reminders" button on a reminder."""
    return Reply.with_text(_set_reminders(services, request, False))


def failed_deliveries(services: Services, request: Request, intent: Intent) -> Reply:
    """Scheduled messages that did not arrive in the last 30 days (admins only)."""
    if not request.is_admin:
        return Reply.with_text("Only admins can see failed deliveries.")
    found = services.schedule.failed_deliveries(request.now - timedelta(days=PROBLEM_DAYS))
    rows = tuple(
        ProblemRow(
            when=p.due_at.astimezone(LONDON).strftime("%d %b %Y %H:%M"),
            body_label=p.body_label,
            kind=KINDS.get(p.rule, p.rule),
            recipient=p.recipient_label,
            status=DELIVERY_STATUS_WORDS.get(p.status, p.status),
            outcome=p.outcome or "-",
        )
        for p in found
    )
    return Reply.with_card(problems_card(ProblemListView(rows=rows, days=PROBLEM_DAYS)))
