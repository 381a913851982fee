"""Short answers: one fact, an outcome, a body's chairs or remit, an abbreviation, "did you mean".

A question that asks for one thing gets that thing, not a list: a heading, a sentence or two,
the facts as written in the plan or the documents, and buttons for the natural next question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from microsoft_teams.cards.core import CardElement

from cards import verbs
from cards.base import buttons, card, escape, facts, heading, submit, subtle, text


@dataclass(frozen=True)
class AnswerView:
    """A short answer.

    Attributes:
        title: the heading ("Who owns action 2.3").
        lines: sentences, as plain text (escaped when drawn).
        pairs: (label, value) facts, as written in the plan or documents.
        source: where the answer comes from ("DASVG terms of reference").
        follow_ups: (button title, question it asks) pairs.
    """

    title: str
    lines: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    source: str = ""
    follow_ups: tuple[tuple[str, str], ...] = field(default=())


def answer_card(view: AnswerView) -> dict[str, Any]:
    """One answer: heading, sentences, facts, source and follow-up buttons."""
    body: list[CardElement] = [heading(escape(view.title))]
    body.extend(text(escape(line)) for line in view.lines if line)
    if view.pairs:
        body.append(facts([(escape(k), escape(v)) for k, v in view.pairs]))
    if view.source:
        body.append(subtle(f"Source: {escape(view.source)}", spacing="Medium"))
    if view.follow_ups:
        asks = (submit(title, verbs.RUN_COMMAND, {"text": ask}) for title, ask in view.follow_ups)
        body.append(buttons(*asks, spacing="Medium"))
    return card(body)


@dataclass(frozen=True)
class BodyChoice:
    """A body the person may have meant, and the question to ask about it."""

    label: str  # "DASVG (Domestic Abuse and Sexual Violence Group)"
    question: str  # "overdue for DASVG"


@dataclass(frozen=True)
class DidYouMeanView:
    """A name the bot does not know, and the bodies it may mean."""

    unknown: str
    choices: tuple[BodyChoice, ...] = ()
    scope_question: str = ""  # the same question about the whole plan, offered, never assumed


def did_you_mean_body_card(view: DidYouMeanView) -> dict[str, Any]:
    """Says "I don't know a body called X", with buttons for the bodies meant (never the plan)."""
    body: list[CardElement] = [
        text(f"I don't know a body called “{escape(view.unknown)}”.", weight="Bolder")
    ]
    actions: list[Any] = [
        submit(f"Did you mean {choice.label}?", verbs.RUN_COMMAND, {"text": choice.question})
        for choice in view.choices
    ]
    if view.choices:
        body.append(text("Did you mean one of these?"))
    else:
        body.append(text("Try its abbreviation or full name, or choose from the bodies list."))
        actions.append(submit("List the bodies", verbs.RUN_COMMAND, {"text": "my bodies"}))
    if view.scope_question:
        actions.append(
            submit("Ask about the whole plan", verbs.RUN_COMMAND, {"text": view.scope_question})
        )
    body.append(buttons(*actions))
    return card(body)
