"""Each body's timing of update prompts and reminders (the defaults when none is stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.schedule import DEFAULT_RULES, BodyRules
from storage.models import Body, BodyRule


def _rules(row: BodyRule | None) -> BodyRules:
    if row is None:
        return DEFAULT_RULES
    return BodyRules(row.prompt_lead_days, row.follow_up_days, row.reminder_lead_days)


def rules_for(session: Session, body_key: str) -> BodyRules:
    """The body's rules (the defaults when it has none of its own).

    Raises:
        KeyError: when no body has that key.
    """
    body_id = session.scalar(select(Body.id).where(Body.key == body_key))
    if body_id is None:
        raise KeyError(body_key)
    return _rules(session.get(BodyRule, body_id))


def all_rules(session: Session) -> dict[str, BodyRules]:
    """The rules of every body that has its own (others use the defaults)."""
    rows = session.execute(select(Body.key, BodyRule).join(BodyRule, BodyRule.body_id == Body.id))
    return {key: _rules(row) for key, row in rows.all()}


def save_rules(
    session: Session, body_key: str, rules: BodyRules, person_id: int | None, now: datetime
) -> None:
    """Store a body's rules (already validated by ``bot.plan.forms``).

    Raises:
        KeyError: when no body has that key.
    """
    body_id = session.scalar(select(Body.id).where(Body.key == body_key))
    if body_id is None:
        raise KeyError(body_key)
    row = session.get(BodyRule, body_id)
    if row is None:
        row = BodyRule(body_id=body_id)
        session.add(row)
    row.prompt_lead_days = rules.prompt_lead_days
    row.follow_up_days = rules.follow_up_days
    row.reminder_lead_days = rules.reminder_lead_days
    row.updated_by_person_id = person_id
    row.updated_at = now
    session.flush()
