"""Rules ("rules DASVG"), reminders ("reminders on|off") and "failed deliveries" (admins)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta

from bot.clock import LONDON
from bot.handlers.common import actor_of
from bot.handlers.links import body_label, may_manage, who_can
from bot.plan.forms import read_rules_form
from bot.plan.schedule import BodyRules
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.schedule import problems_card, rules_card
from cards.views import ProblemListView, ProblemRow, RulesView
from storage import audit
from storage.conversations import personal_reference
from storage.db import transaction
from storage.delivery_problems import problems
from storage.people import person_by_id
from storage.reminders import is_subscribed, subscribe, unsubscribe
from storage.rules import rules_for, save_rules

PROBLEM_DAYS = 30
KINDS = {"prompt": "update prompt", "follow_up": "follow-up", "reminder": "reminder"}
STATUS_WORDS = {
    "failed": "Failed",
    "unknown": "Unknown",
    "gone": "App removed",
    "no_chat": "No 1:1 chat",
    "skipped": "Skipped",
}


def _view(services: Services, request: Request, body_key: str, **extra: object) -> RulesView:
    with services.db() as session:
        rules = rules_for(session, body_key)
        person = person_by_id(session, request.person_id) if request.person_id else None
    return RulesView(
        body_key=body_key,
        body_label=body_label(services, body_key),
        lead_days=rules.prompt_lead_days,
        follow_up_days=rules.follow_up_days,
        reminder_days=rules.reminder_lead_days,
        can_edit=may_manage(request, person, body_key),
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
        with services.db() as session:
            return Reply(error=who_can(session, services, key))
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
        with services.db() as session:
            return Reply(error=who_can(session, services, key) + " Nothing was saved.")
    if rules is None:
        message = "Please correct the fields marked below. Nothing was saved."
        return Reply.with_card(rules_card(replace(view, message=message)))
    with transaction(services.db) as session:
        before = rules_for(session, key)
        save_rules(session, key, rules, request.person_id, request.now)
        audit.record(
            session,
            actor_of(request),
            "rules.saved",
            "body",
            key,
            now=request.now,
            before=asdict(before),
            after=asdict(rules),
        )
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
    with transaction(services.db) as session:
        person = person_by_id(session, request.person_id)
        if person is None:
            return "I could not tell who you are, so nothing was changed."
        if not on:
            unsubscribe(session, person.id)
            return "Reminders are off. Say “reminders on” to have them again."
        subscribe(session, person.id, request.now)
        chat = personal_reference(session, person.aad_object_id) if person.aad_object_id else None
    bodies = ", ".join(body_label(services, k) for k in person.body_keys)
    text = (
        f"Reminders are on: the day before each meeting of {bodies}, I'll message you 1:1 with "
        "the time, the place or link, and what is due from you."
        if bodies
        else "Reminders are on, but you have not said which bodies you work for: say “my bodies”."
    )
    if chat is None:
        text += (
            " I cannot message you 1:1 yet: open a chat with the Safer Partnership app in Teams "
            "and say hello, so that reminders can reach you."
        )
    return text


def reminders_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "reminders on", "reminders off", or say where they stand."""
    if intent.on is not None:
        return Reply.with_text(_set_reminders(services, request, intent.on))
    with services.db() as session:
        on = request.person_id is not None and is_subscribed(session, request.person_id)
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
    with services.db() as session:
        found = problems(session, request.now - timedelta(days=PROBLEM_DAYS))
    rows = tuple(
        ProblemRow(
            when=p.delivery.due_at.astimezone(LONDON).strftime("%d %b %Y %H:%M"),
            body_label=p.body_label,
            kind=KINDS.get(p.delivery.rule, p.delivery.rule),
            recipient=p.recipient_label,
            status=STATUS_WORDS.get(p.delivery.status, p.delivery.status),
            outcome=p.delivery.outcome or "-",
        )
        for p in found
    )
    return Reply.with_card(problems_card(ProblemListView(rows=rows, days=PROBLEM_DAYS)))
