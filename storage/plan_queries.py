"""Reading the plan: narrow functions that return plain records (``bot.plan.types``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.clock import london_day_end
from bot.plan.rules import number_key
from bot.plan.types import (
    ActionRecord,
    BodyRef,
    OutcomeRecord,
    PlanRecord,
    ThemeRecord,
    UpdateRecord,
)
from storage.models import Action, ActionOwner, Body, Plan, ProgressUpdate, Section, Theme


class PlanNotFound(LookupError):
    """No plan with that key (or no current plan)."""


def current_plan_key(session: Session) -> str:
    """The key of the plan marked current.

    Raises:
        PlanNotFound: when no plan is current.
    """
    key = session.scalar(select(Plan.key).where(Plan.is_current.is_(True)).limit(1))
    if key is None:
        raise PlanNotFound("no current plan is loaded")
    return key


def _plan(session: Session, plan_key: str | None) -> Plan:
    if plan_key is None:
        plan_key = current_plan_key(session)
    plan = session.scalar(
        select(Plan)
        .where(Plan.key == plan_key)
        .options(selectinload(Plan.themes).selectinload(Theme.outcomes))
        .options(selectinload(Plan.themes).selectinload(Theme.sections))
    )
    if plan is None:
        raise PlanNotFound(f"no plan {plan_key!r}")
    return plan


def plans(session: Session) -> list[PlanRecord]:
    """Every plan, current first, each with its themes."""
    keys = session.scalars(select(Plan.key).order_by(Plan.is_current.desc(), Plan.starts.desc()))
    return [plan_record(session, key) for key in keys.all()]


def plan_record(session: Session, plan_key: str | None = None) -> PlanRecord:
    """A plan with its themes, outcomes, section titles and action counts."""
    plan = _plan(session, plan_key)
    counts = dict(
        session.execute(
            select(Section.theme_id, func.count(Action.id))
            .join(Action, Action.section_id == Section.id)
            .where(Action.plan_id == plan.id)
            .group_by(Section.theme_id)
        ).all()
    )
    themes = tuple(
        ThemeRecord(
            number=t.number,
            title=t.title,
            outcomes=tuple(OutcomeRecord(o.number, o.text) for o in t.outcomes),
            sections=tuple(s.title for s in t.sections),
            action_count=counts.get(t.id, 0),
            sponsor_text=t.sponsor_text,
            lead_officer=t.lead_officer,
            why=t.why,
            achieved=t.achieved,
            objectives=t.objectives,
            targets=t.targets,
        )
        for t in plan.themes
    )
    return PlanRecord(
        key=plan.key,
        title=plan.title,
        is_current=plan.is_current,
        starts=plan.starts,
        ends=plan.ends,
        themes=themes,
        description=plan.description,
    )


def _latest_updates(
    session: Session, action_ids: Sequence[int], before: datetime | None = None
) -> dict[int, UpdateRecord]:
    if not action_ids:
        return {}
    newest = select(func.max(ProgressUpdate.id)).where(ProgressUpdate.action_id.in_(action_ids))
    if before is not None:
        newest = newest.where(ProgressUpdate.created_at < before)
    newest = newest.group_by(ProgressUpdate.action_id)
    rows = session.scalars(select(ProgressUpdate).where(ProgressUpdate.id.in_(newest))).all()
    return {row.action_id: update_record(row) for row in rows}


def update_record(row: ProgressUpdate) -> UpdateRecord:
    """A stored update as a plain record."""
    return UpdateRecord(
        id=row.id,
        status=row.status,
        text=row.text,
        created_at=row.created_at,
        author_name=row.author_name,
        revised_date=row.revised_date,
        evidence_url=row.evidence_url,
        source=row.source,
    )


def _records(
    session: Session, query: Select[Action], plan: Plan, as_of: date | None = None
) -> list[ActionRecord]:
    actions = session.scalars(
        query.options(selectinload(Action.owners), selectinload(Action.section))
    ).all()
    before = london_day_end(as_of) if as_of is not None else None
    latest = _latest_updates(session, [a.id for a in actions], before)
    themes = {t.id: t for t in plan.themes}
    records = [
        ActionRecord(
            id=a.id,
            plan_key=plan.key,
            number=a.number,
            text=a.text,
            success_measure=a.success_measure,
            owner_text=a.owner_text,
            owners=tuple(BodyRef(b.key, b.name, b.abbreviation) for b in a.owners),
            due_text=a.due_text,
            deadline=a.deadline,
            ongoing=a.ongoing,
            due_readable=a.due_readable,
            theme_number=themes[a.section.theme_id].number,
            theme_title=themes[a.section.theme_id].title,
            section_title=a.section.title,
            latest=latest.get(a.id),
        )
        for a in actions
    ]
    return sorted(records, key=lambda r: number_key(r.number))


def actions(
    session: Session,
    plan_key: str | None = None,
    *,
    body_keys: Iterable[str] | None = None,
    numbers: Iterable[str] | None = None,
    theme: int | None = None,
    section: str | None = None,
    words: Iterable[str] | None = None,
    as_of: date | None = None,
) -> list[ActionRecord]:
    """Actions of a plan (default: the current one), filtered, in action-number order.

    Args:
        session: an open session.
        plan_key: which plan; None for the current plan.
        body_keys: only actions owned by any of these bodies.
        numbers: only these action numbers.
        theme: only this theme number.
        section: only the section with this exact title.
        words: only actions whose text, success measure, section or owner mentions every word.
        as_of: the plan as it stood at the end of this London day: each action's latest update
            is the newest posted on or before that day (later updates are left out). None: the
            newest update whenever it was posted.
    """
    plan = _plan(session, plan_key)
    query = select(Action).where(Action.plan_id == plan.id)
    if body_keys is not None:
        owned = (
            select(ActionOwner.action_id)
            .join(Body, Body.id == ActionOwner.body_id)
            .where(Body.key.in_(list(body_keys)))
        )
        query = query.where(Action.id.in_(owned))
    if numbers is not None:
        query = query.where(Action.number.in_(list(numbers)))
    if theme is not None or section is not None:
        query = query.join(Section, Section.id == Action.section_id)
        if section is not None:
            query = query.where(Section.title == section)
        if theme is not None:
            query = query.join(Theme, Theme.id == Section.theme_id).where(Theme.number == theme)
    for word in words or ():
        pattern = f"%{word.lower()}%"
        query = query.where(
            or_(
                func.lower(Action.text).like(pattern),
                func.lower(Action.success_measure).like(pattern),
                func.lower(Action.owner_text).like(pattern),
                Action.section_id.in_(
                    select(Section.id).where(func.lower(Section.title).like(pattern))
                ),
            )
        )
    return _records(session, query, plan, as_of)


def action_by_number(
    session: Session, number: str, plan_key: str | None = None
) -> ActionRecord | None:
    """One action by its number, or None."""
    found = actions(session, plan_key, numbers=[number])
    return found[0] if found else None


def action_by_id(session: Session, action_id: int) -> ActionRecord | None:
    """One action by its database id (card data carries ids), or None."""
    row = session.get(Action, action_id)
    if row is None:
        return None
    plan = session.get(Plan, row.plan_id)
    assert plan is not None
    found = actions(session, plan.key, numbers=[row.number])
    return found[0] if found else None


def section_titles(session: Session, plan_key: str | None = None) -> list[tuple[int, str]]:
    """(theme number, section title) pairs of a plan, in plan order."""
    plan = _plan(session, plan_key)
    return [(t.number, s.title) for t in plan.themes for s in t.sections]


def history(session: Session, action_id: int) -> list[UpdateRecord]:
    """Every update of an action, newest first."""
    rows = session.scalars(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action_id)
        .order_by(ProgressUpdate.id.desc())
    ).all()
    return [update_record(r) for r in rows]


def updates_since(
    session: Session,
    action_ids: Iterable[int],
    since: datetime,
    until: datetime | None = None,
) -> list[tuple[int, UpdateRecord]]:
    """Updates of these actions posted at or after ``since`` (and before ``until``), newest first.

    Returns:
        (action id, update) pairs.
    """
    ids = list(action_ids)
    if not ids:
        return []
    query = select(ProgressUpdate).where(
        ProgressUpdate.action_id.in_(ids), ProgressUpdate.created_at >= since
    )
    if until is not None:
        query = query.where(ProgressUpdate.created_at < until)
    rows = session.scalars(
        query.order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
    ).all()
    return [(row.action_id, update_record(row)) for row in rows]
