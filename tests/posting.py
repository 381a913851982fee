"""Posting a progress update straight into the database, as the bot's update dialog would."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import Action, Plan, ProgressUpdate


def post_update(
    factory: sessionmaker[Session],
    number: str,
    status: str,
    text: str,
    at: datetime,
    author: str = "Jane Doe",
    revised: date | None = None,
) -> None:
    """Append an update to an action of the current plan, posted at the instant ``at``."""
    with transaction(factory) as session:
        action_id = session.scalar(
            select(Action.id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(Plan.is_current.is_(True), Action.number == number)
        )
        assert action_id is not None, number
        session.add(
            ProgressUpdate(
                action_id=action_id,
                author_name=author,
                status=status,
                text=text,
                created_at=at,
                revised_date=revised,
                idempotency_key=f"test:{uuid.uuid4()}",
                source="teams",
            )
        )
