"""Which answers are personal: in a shared conversation they go only to the person who asked.

Pure rules over the understood question. "Overdue for me", "my actions", "my bodies" and report
links are about (or for) the sender alone; asked in a channel, group chat or meeting chat their
answer is sent so that only the sender sees it (see ``bot.teams.private``), with a "Share with
the chat" button on answers that only read the plan. Refusals are marked by their handlers
(``Reply.refusal``).
"""

from __future__ import annotations

from typing import Final

from bot.understand import Intent

# Always personal: the sender's own list, bodies, and single-use download links.
PERSONAL_INTENTS: Final = frozenset({"my_actions", "my_bodies", "report"})
# Answers the asker may post for everyone ("Share with the chat" answers the question again):
# questions that only read the plan. Never links, forms, refusals or anything that changes data.
SHAREABLE_INTENTS: Final = frozenset(
    {
        "overdue",
        "due",
        "my_actions",
        "actions",
        "search",
        "action",
        "history",
        "status",
        "priorities",
        "meetings",
        "next_meeting",
        "last_meeting",
        "fact",
        "outcome",
    }
)


def wants_me(intent: Intent) -> bool:
    """The person asked about themselves ("for me", "my actions")."""
    return intent.me or intent.name == "my_actions"


def implicitly_me(intent: Intent) -> bool:
    """A bare "what's overdue?" / "what's due?": about the sender's bodies, when they have any."""
    narrowed = intent.section or intent.theme or intent.words or intent.numbers
    return intent.name in ("overdue", "due") and not intent.everyone and not narrowed


def is_personal(intent: Intent, has_bodies: bool) -> bool:
    """True when the answer is about the sender (or for them alone), not about the plan.

    Args:
        intent: the understood question.
        has_bodies: the sender belongs to (or asked to join) at least one body, so a bare
            "what's overdue?" is about their bodies.
    """
    if intent.name in PERSONAL_INTENTS:
        return True
    if intent.bodies:  # about named bodies: the same answer for anyone who asks
        return False
    return wants_me(intent) or (implicitly_me(intent) and has_bodies)


def is_shareable(intent: Intent) -> bool:
    """The sender may post this private answer to the conversation for everyone."""
    return intent.name in SHAREABLE_INTENTS
