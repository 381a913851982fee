"""The status vocabulary of progress updates, and of the roles people hold in bodies.

Every other module (rules, cards, dialogs, the loader, the models' check constraint, the
grammar) takes these words from here.
"""

from __future__ import annotations

NOT_STARTED = "Not started"
ON_TRACK = "On track"
AT_RISK = "At risk"
OFF_TRACK = "Off track"
COMPLETE = "Complete"
ONGOING = "Ongoing"

# In the order people choose from and cards count them.
STATUSES: tuple[str, ...] = (NOT_STARTED, ON_TRACK, AT_RISK, OFF_TRACK, COMPLETE, ONGOING)
# What an action without any update counts as (never stored).
NO_UPDATE = "No update yet"

# Status words are always written out; colour only repeats them (Adaptive Card colours).
STATUS_COLOURS: dict[str, str] = {
    COMPLETE: "Good",
    ON_TRACK: "Good",
    ONGOING: "Accent",
    AT_RISK: "Warning",
    OFF_TRACK: "Attention",
    NOT_STARTED: "Default",
}

# What people type for each status ("done" is Complete).
STATUS_WORDS: dict[str, str] = {
    "not started": NOT_STARTED,
    "on track": ON_TRACK,
    "at risk": AT_RISK,
    "off track": OFF_TRACK,
    "complete": COMPLETE,
    "completed": COMPLETE,
    "done": COMPLETE,
    "finished": COMPLETE,
    "ongoing": ONGOING,
}

# Roles in a body: members and chairs of an owning body may post updates; chairs and admins
# manage a body's channels, meetings and rules.
MEMBER = "member"
CHAIR = "chair"
ADMIN = "admin"
ROLES: tuple[str, ...] = (MEMBER, CHAIR, ADMIN)


def status_check_sql(column: str = "status") -> str:
    """The SQL check that a column holds one of :data:`STATUSES` (for the models)."""
    words = ", ".join(f"'{s}'" for s in STATUSES)
    return f"{column} IN ({words})"
