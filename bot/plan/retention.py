"""The retention rule: how long the bot keeps what it holds about people, as plain data.

The periods are set by the partnership (``RETENTION_*_DAYS``, defaults below and in
DATA-PROTECTION.md); ``bot.jobs.retention`` applies them. Update texts are redacted, not
deleted: the plan's history (status, dates, which body) stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Six years: a council's usual rule for partnership records (the year plus six), and as long
# as a domestic homicide review may look back at what partners did.
DEFAULT_UPDATE_TEXT_DAYS = 6 * 365
DEFAULT_AUDIT_DAYS = 6 * 365
# A chat or channel the bot was removed from: kept a year, then forgotten.
DEFAULT_CONVERSATION_DAYS = 365
# Scheduled-message records: a year is enough to answer "why did I not get a reminder?".
DEFAULT_DELIVERY_DAYS = 365
# Delivery rows are what makes a scheduled message exactly-once: never forget one the
# planner may still look back at (7 days, plus its grace).
MINIMUM_DELIVERY_DAYS = 30
REDACTED_TEXT = "(Text removed under the partnership's retention rule.)"
ERASED_TEXT_AUTHOR = "a former member"
RETENTION_ACTOR = "retention rule"


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind of record is kept."""

    update_text_days: int = DEFAULT_UPDATE_TEXT_DAYS
    audit_days: int = DEFAULT_AUDIT_DAYS
    conversation_days: int = DEFAULT_CONVERSATION_DAYS
    delivery_days: int = DEFAULT_DELIVERY_DAYS

    def problems(self) -> list[str]:
        """What is wrong with these periods (empty: they will do)."""
        found = [
            f"{name} must be at least 1 day"
            for name, days in (
                ("RETENTION_UPDATE_TEXT_DAYS", self.update_text_days),
                ("RETENTION_AUDIT_DAYS", self.audit_days),
                ("RETENTION_CONVERSATION_DAYS", self.conversation_days),
            )
            if days < 1
        ]
        if self.delivery_days < MINIMUM_DELIVERY_DAYS:
            found.append(f"RETENTION_DELIVERY_DAYS must be at least {MINIMUM_DELIVERY_DAYS}")
        return found

    def cutoffs(self, now: datetime) -> Cutoffs:
        """Before which instants each kind of record goes, for a run at ``now``."""
        return Cutoffs(
            update_text=now - timedelta(days=self.update_text_days),
            audit=now - timedelta(days=self.audit_days),
            conversation=now - timedelta(days=self.conversation_days),
            delivery=now - timedelta(days=self.delivery_days),
        )

    def texts_kept_from(self, today: date) -> date:
        """The first day whose update texts are still held on ``today`` (for report exports)."""
        return today - timedelta(days=self.update_text_days)


@dataclass(frozen=True)
class Cutoffs:
    """Records older than these instants are redacted or deleted."""

    update_text: datetime
    audit: datetime
    conversation: datetime
    delivery: datetime


def as_body_member(body_labels: Sequence[str], *, former: bool = False) -> str:
    """Who wrote a redacted update, as the plan's history shows it: "a member of OPCCN"."""
    who = "a former member" if former else "a member"
    labels = [label for label in dict.fromkeys(body_labels) if label]
    if not labels:
        return f"{who} of the partnership"
    return f"{who} of {' / '.join(labels[:3])}"
