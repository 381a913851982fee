"""Meetings a chair has confirmed, for tests of prompts, reminders and look-backs.

The shipped data has no recurring series (the documents give none): these are what a DASVG and
an NCCSP chair would add from the meeting card.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.plan.forms import MeetingDraft
from storage.db import transaction
from storage.meetings import save_meeting

DASVG_MONTHLY = MeetingDraft(
    body_key="DASVG",
    title="Domestic Abuse and Sexual Violence Group",
    starts_local=datetime(2021, 4, 14, 10, 0),
    duration_minutes=90,
    rrule="FREQ=MONTHLY;BYDAY=2WE",
    until=date(2024, 3, 31),
)
NCCSP_QUARTERLY = MeetingDraft(
    body_key="NCCSP",
    title="NCCSP partnership meeting",
    starts_local=datetime(2021, 4, 15, 10, 0),
    duration_minutes=90,
    rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=3TH",
    until=date(2024, 3, 31),
)


def add_confirmed_series(factory: sessionmaker[Session]) -> None:
    """Add the DASVG's monthly and the NCCSP's quarterly series, as their chairs would."""
    with transaction(factory) as session:
        for draft in (DASVG_MONTHLY, NCCSP_QUARTERLY):
            save_meeting(session, draft, source="chair")
