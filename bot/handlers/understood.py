"""What list answers need from understanding: "did you mean", oversight, body labels.

"Did you mean" for unknown names, the plan that overseeing bodies oversee, and labels that name
bodies as people know them.

Pure helpers over the vocabulary and the intent; the list handlers call them.
"""

from __future__ import annotations

from bot.plan.types import BodyInfo
from bot.understand import Intent, Vocabulary
from cards.answers import BodyChoice, DidYouMeanView


def body_label(body: BodyInfo) -> str:
    """The abbreviation with the name, "DASVG (Domestic Abuse ...)", or the name alone."""
    if body.abbreviation and body.abbreviation != body.name:
        return f"{body.abbreviation} ({body.name})"
    return body.name


def short_label(body: BodyInfo) -> str:
    """The abbreviation, else the name: what a question names the body by."""
    return body.abbreviation or body.name


def _asked(intent: Intent) -> str:
    if intent.name == "due":
        return f"due {intent.window.label}" if intent.window is not None else "due"
    if intent.name in ("overdue", "status"):
        return intent.name
    return "actions"


def question_about(intent: Intent, body: BodyInfo | None) -> str:
    """The same question about one body ("overdue for DASVG"), or about the whole plan."""
    asked = _asked(intent)
    if body is None:
        return f"{asked} for everyone" if asked != "status" else "status of the whole plan"
    return f"{asked} for {short_label(body)}"


def did_you_mean(intent: Intent, vocabulary: Vocabulary) -> DidYouMeanView:
    """The bodies an unknown name may mean, each as a button asking the same question."""
    bodies = [vocabulary.bodies.by_key[k] for k in intent.maybe if k in vocabulary.bodies.by_key]
    return DidYouMeanView(
        unknown=intent.unknown_name,
        choices=tuple(BodyChoice(body_label(b), question_about(intent, b)) for b in bodies),
        scope_question=question_about(intent, None),
    )


def overseen_by(body_keys: tuple[str, ...], vocabulary: Vocabulary) -> tuple[str, ...]:
    """Those of ``body_keys`` that scrutinise or run the whole plan (partnership data)."""
    overseers = vocabulary.knowledge.overseers()
    return tuple(k for k in body_keys if k in overseers)


def oversight_label(keys: tuple[str, ...], vocabulary: Vocabulary) -> str:
    """The scope of an overseer's question: "the whole plan, which the ... oversees"."""
    names = [vocabulary.bodies.by_key[k].name if k in vocabulary.bodies.by_key else k for k in keys]
    return f"the whole plan, which the {' and the '.join(names)} oversee" + (
        "s" if len(names) == 1 else ""
    )
