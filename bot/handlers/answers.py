"""Single facts get single answers, and small talk a short word.

An action's owner, success measure or deadline; an outcome; a body's chairs or remit; what an
abbreviation stands for; who someone is.

Each answer comes from the plan as written or from the partnership's documents (terms of
reference, glossary), and says so.
"""

from __future__ import annotations

from bot.handlers.understood import body_label
from bot.plan.knowledge import Knowledge
from bot.plan.labels import deadline_label
from bot.plan.types import ActionRecord, BodyInfo, PlanNotFound, PlanRecord
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.answers import AnswerView, answer_card


# --- what the answers read (through the stores) -------------------------------------------
def _action_by_number(services: Services, number: str) -> ActionRecord | None:
    return services.plan.action(number)


def _plan(services: Services, plan_key: str | None) -> PlanRecord:
    return services.plan.plan(plan_key)


def _owned_by(services: Services, body_key: str) -> list[ActionRecord]:
    return services.plan.actions_for((body_key,))


def _chairs_in_bot(services: Services, body_key: str) -> list[str]:
    return services.people.chairs_of(body_key)


_SMALL_TALK = {
    "thank": "You're welcome.",
    "cheers": "You're welcome.",
    "ta": "You're welcome.",
    "bye": "Goodbye. Ask me about the plan any time.",
    "how are you": "Very well, thank you.",
    "who are you": "I'm the Safer Partnership bot: I hold the Safer Norfolk Plan 2021-24.",
    "bot": "I'm a bot: the Safer Partnership bot, holding the Safer Norfolk Plan 2021-24.",
    "good ": "Hello.",
    "joke": "I only know about the Safer Norfolk Plan, and it is no joke.",
    "weather": "I can't tell you the weather: I only know about the Safer Norfolk Plan.",
    "sorry": "No problem.",
}
_NEXT = "Ask me about the plan, for example “what's overdue for me?”, or say “help”."


def small_talk(services: Services, request: Request, intent: Intent) -> Reply:
    """Thanks, greetings, jokes: a short friendly word and what the bot can do."""
    said = next((reply for key, reply in _SMALL_TALK.items() if key in intent.text), "OK.")
    return Reply.with_text(f"{said} {_NEXT}")


def _action_fact(services: Services, intent: Intent) -> Reply:
    action = _action_by_number(services, intent.number or "")
    if action is None:
        return Reply.with_text(
            f"There is no action {intent.number} in the current plan. "
            "Actions are numbered like 1.18."
        )
    follow = (("Show the action", f"action {action.number}"),)
    if intent.fact == "owner":
        view = AnswerView(
            f"Who owns action {action.number}",
            (_first_line(action),),
            (("Owner", action.owner_text.replace("\n", ", ")),),
            "the delivery plan",
            follow,
        )
    elif intent.fact == "measure":
        view = AnswerView(
            f"Success measure of action {action.number}",
            (_first_line(action),),
            (("Success measure", action.success_measure),),
            "the delivery plan",
            follow,
        )
    else:
        view = AnswerView(
            f"When action {action.number} is due",
            (_first_line(action),),
            (("Date in the plan", action.due_text), ("Deadline", deadline_label(action))),
            "the delivery plan",
            follow,
        )
    return Reply.with_card(answer_card(view))


def _first_line(action: ActionRecord) -> str:
    text = " ".join(action.text.split())
    return text if len(text) <= 200 else text[:199].rsplit(" ", 1)[0] + "…"


def _outcome(services: Services, intent: Intent) -> Reply:
    try:
        plan = _plan(services, intent.plan)
    except PlanNotFound:
        return Reply.with_text("No plan is loaded yet.")
    for theme in plan.themes:
        for outcome in theme.outcomes:
            if outcome.number == intent.outcome:
                view = AnswerView(
                    f"Outcome {outcome.number}",
                    (outcome.text,),
                    (("Theme", f"{theme.number}. {theme.title}"),),
                    plan.title,
                    (
                        (f"Theme {theme.number} actions", f"actions theme {theme.number}"),
                        ("All priorities", "priorities"),
                    ),
                )
                return Reply.with_card(answer_card(view))
    numbers = [o.number for t in plan.themes for o in t.outcomes]
    span = f"{min(numbers)}-{max(numbers)}" if numbers else "none"
    return Reply.with_text(
        f"The {plan.title} has no outcome {intent.outcome} (its outcomes are {span})."
    )


def _bodies(services: Services, intent: Intent) -> list[BodyInfo]:
    index = services.vocabulary().bodies
    return [index.by_key[k] for k in intent.bodies if k in index.by_key]


def _chairs(services: Services, intent: Intent, knowledge: Knowledge) -> Reply:
    bodies = _bodies(services, intent)
    if not bodies:
        return Reply.with_text("Which body? For example “who chairs the DASVG?”.")
    body = bodies[0]
    facts = knowledge.facts(body.key)
    pairs = tuple(("Chair", chair) for chair in facts.chairs)
    in_bot = _chairs_in_bot(services, body.key)
    if in_bot:
        pairs += (("Chairs in this bot", ", ".join(in_bot)),)
    lines = () if pairs else (f"The partnership's documents name no chair of the {body.name}.",)
    view = AnswerView(
        f"Who chairs the {body_label(body)}",
        lines,
        pairs,
        "terms of reference and reports in the Scrutiny Sub Panel pack, February 2022"
        if facts.chairs
        else "",
        ((f"{body.abbreviation or body.name} actions", f"actions {body.name}"),),
    )
    return Reply.with_card(answer_card(view))


def _remit(services: Services, intent: Intent, knowledge: Knowledge) -> Reply:
    bodies = _bodies(services, intent)
    if not bodies:
        return Reply.with_text("Which body? For example “what is MASH responsible for?”.")
    body = bodies[0]
    facts = knowledge.facts(body.key)
    owned = _owned_by(services, body.key)
    index = services.vocabulary().bodies
    parent = index.by_key.get(body.reports_to or "")
    pairs: list[tuple[str, str]] = [("Kind", body.kind)]
    if parent is not None:
        pairs.append(("Reports to", body_label(parent)))
    if facts.chairs:
        pairs.append(("Chair", "; ".join(facts.chairs)))
    if owned:
        pairs.append(("Actions it owns", ", ".join(a.number for a in owned)))
    else:
        pairs.append(("Actions it owns", "none in the current plan"))
    view = AnswerView(
        body_label(body),
        (facts.remit or facts.note or "The documents say nothing more about it.",),
        tuple(pairs),
        "the partnership's documents",
        ((f"{body.abbreviation or body.name} actions", f"actions {body.name}"),) if owned else (),
    )
    return Reply.with_card(answer_card(view))


def _stands_for(services: Services, intent: Intent, knowledge: Knowledge) -> Reply:
    term = intent.term or ""
    bodies = _bodies(services, intent)
    if bodies:
        body = bodies[0]
        return Reply.with_card(
            answer_card(
                AnswerView(
                    f"{term.upper()} stands for {body.name}",
                    (knowledge.facts(body.key).remit,),
                    source="the partnership's documents",
                    follow_ups=(
                        (
                            f"What is {term.upper()} responsible for?",
                            f"what is {body.name} responsible for",
                        ),
                    ),
                )
            )
        )
    entry = knowledge.term(term)
    if entry is None:
        return Reply.with_text(
            f"I don't know what “{term.upper()}” stands for: the plan's documents don't expand it."
        )
    return Reply.with_card(
        answer_card(
            AnswerView(
                f"{entry.term}: {entry.meaning}",
                source=entry.source,
                follow_ups=((f"Actions about {entry.term}", entry.term),),
            )
        )
    )


def _person(services: Services, intent: Intent, knowledge: Knowledge) -> Reply:
    roles = [p.role for p in knowledge.people if p.name == intent.term]
    return Reply.with_card(
        answer_card(
            AnswerView(
                intent.term or "",
                tuple(roles),
                source="terms of reference and reports in the Scrutiny Sub Panel pack",
            )
        )
    )


def fact(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer one fact: an action's owner, measure or deadline, a body's chairs or remit...

    Also what an abbreviation stands for, and a person's role in the terms of reference.
    """
    knowledge = services.vocabulary().knowledge
    if intent.fact in ("owner", "measure", "deadline"):
        return _action_fact(services, intent)
    if intent.fact == "chair":
        return _chairs(services, intent, knowledge)
    if intent.fact == "remit":
        return _remit(services, intent, knowledge)
    if intent.fact == "stands_for":
        return _stands_for(services, intent, knowledge)
    return _person(services, intent, knowledge)


def outcome(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "what is outcome 7?" with that outcome and its theme."""
    return _outcome(services, intent)
