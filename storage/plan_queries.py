"""Reading the plan: narrow functions that return plain records (``bot.plan.types``).

On a session made by the stores (``storage.stores``) the whole-plan reads go through the plan
cache the session carries; on any other session they read the database each time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from bot.clock import london_day_end
from bot.plan.filters import narrowed
from bot.plan.rules import number_key
from bot.plan.types import (
    ActionRecord,
    BodyRef,
    OutcomeRecord,
    PlanNotFound,
    PlanRecord,
    ThemeRecord,
    UpdateRecord,
)
from storage.models import Action, ActionOwner, Body, Plan, ProgressUpdate, Section, Theme

__all__ = ["PlanNotFound"]
# Sessions made by the stores carry their plan cache here (``storage.stores``): the queries the
# jobs and reports run on those sessions share it. Other sessions read the database each time.
PLAN_CACHE = "plan_cache"


class PlanCache(Protocol):
    """What these queries ask of ``storage.plan_cache.PlanCache``."""

    def get(self, session: Session, plan_key: str | None) -> tuple[str, list[ActionRecord]]:
        """(key, every action of the plan as records, in number order)."""
        ...

    def plan(self, session: Session, plan_key: str | None) -> PlanRecord:
        """The plan's themes, outcomes and sections."""
        ...


def cache_of(session: Session) -> PlanCache | None:
    """The plan cache of the store that made ``session``, if any."""
    cache: PlanCache | None = session.info.get(PLAN_CACHE)
    return cache


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
    """A plan with its themes, outcomes, section titles and action counts.

    Raises:
        PlanNotFound: when there is no such plan (or no current plan).
    """
    cache = cache_of(session)
    if cache is not None:
        return cache.plan(session, plan_key)
    return read_plan_record(session, plan_key or current_plan_key(session))


def read_plan_record(session: Session, plan_key: str) -> PlanRecord:
    """The plan's themes, outcomes and sections, read from the database."""
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


_UPDATE_COLUMNS = (
    ProgressUpdate.id,
    ProgressUpdate.status,
    ProgressUpdate.text,
    ProgressUpdate.created_at,
    ProgressUpdate.author_name,
    ProgressUpdate.revised_date,
    ProgressUpdate.evidence_url,
    ProgressUpdate.source,
)


def update_record(row: Any) -> UpdateRecord:
    """A stored update (an ORM row, or a row of ``_UPDATE_COLUMNS``) as a plain record."""
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


def _latest_updates(
    session: Session, chosen: Select[int], before: datetime | None = None
) -> dict[int, UpdateRecord]:
    """The newest update of each chosen action (ids only grow, so the newest is the max id).

    With ``before``, only updates posted before that instant count.
    """
    newest = select(func.max(ProgressUpdate.id)).where(ProgressUpdate.action_id.in_(chosen))
    if before is not None:
        newest = newest.where(ProgressUpdate.created_at < before)
    newest = newest.group_by(ProgressUpdate.action_id)
    rows = session.execute(
        select(ProgressUpdate.action_id, *_UPDATE_COLUMNS).where(ProgressUpdate.id.in_(newest))
    ).all()
    return {row.action_id: update_record(row) for row in rows}


def _owners(session: Session, chosen: Select[int]) -> dict[int, list[BodyRef]]:
    rows = session.execute(
        select(ActionOwner.action_id, Body.key, Body.name, Body.abbreviation)
        .join(Body, Body.id == ActionOwner.body_id)
        .where(ActionOwner.action_id.in_(chosen))
        .order_by(Body.key)
    ).all()
    owners: dict[int, list[BodyRef]] = {}
    for action_id, key, name, abbreviation in rows:
        owners.setdefault(action_id, []).append(BodyRef(key, name, abbreviation))
    return owners


_ACTION_COLUMNS = (
    Action.id,
    Action.number,
    Action.text,
    Action.success_measure,
    Action.owner_text,
    Action.due_text,
    Action.deadline,
    Action.ongoing,
    Action.due_readable,
    Theme.number,
    Theme.title,
    Section.title,
)


def read_actions(
    session: Session, plan_key: str, where: list[Any], as_of: date | None = None
) -> list[ActionRecord]:
    """Actions matching ``where`` as records: three queries, whatever the number of actions."""
    base = (
        select(*_ACTION_COLUMNS)
        .join(Section, Section.id == Action.section_id)
        .join(Theme, Theme.id == Section.theme_id)
        .where(*where)
    )
    rows = session.execute(base).all()
    chosen = (
        select(Action.id)
        .join(Section, Section.id == Action.section_id)
        .join(Theme, Theme.id == Section.theme_id)
        .where(*where)
    )
    owners = _owners(session, chosen) if rows else {}
    before = london_day_end(as_of) if as_of is not None else None
    latest = _latest_updates(session, chosen, before) if rows else {}
    records = [
        ActionRecord(
            id=r[0],
            plan_key=plan_key,
            number=r[1],
            text=r[2],
            success_measure=r[3],
            owner_text=r[4],
            owners=tuple(owners.get(r[0], ())),
            due_text=r[5],
            deadline=r[6],
            ongoing=r[7],
            due_readable=r[8],
            theme_number=r[9],
            theme_title=r[10],
            section_title=r[11],
            latest=latest.get(r[0]),
        )
        for r in rows
    ]
    return sorted(records, key=lambda r: number_key(r.number))


_LATEST_UPDATE = select(func.max(ProgressUpdate.id)).scalar_subquery()
_UPDATE_COUNT = select(func.count(ProgressUpdate.id)).scalar_subquery()
_VERSION_COLUMNS = (
    Plan.id,
    Plan.key,
    Plan.revision,
    Plan.is_current,
    _LATEST_UPDATE,
    _UPDATE_COUNT,
)
_PLAN_BY_KEY = select(*_VERSION_COLUMNS).where(Plan.key == bindparam("key"))
_CURRENT_PLAN = select(*_VERSION_COLUMNS).where(Plan.is_current.is_(True))


class Version(NamedTuple):
    """What changes when a plan does: imports bump ``revision``; updates are only ever added."""

    revision: int
    is_current: bool
    newest_update: int  # the highest progress update id (0: none yet)
    updates: int  # how many progress updates there are


def plan_version(session: Session, plan_key: str | None) -> tuple[int, str, Version]:
    """(id, key, version) of a plan (None: the current one); the version changes with any edit.

    Raises:
        PlanNotFound: when there is no such plan.
    """
    if plan_key is None:
        found = session.execute(_CURRENT_PLAN.limit(1)).first()
    else:
        found = session.execute(_PLAN_BY_KEY, {"key": plan_key}).first()
    if found is None:
        raise PlanNotFound(
            "no current plan is loaded" if plan_key is None else f"no plan {plan_key!r}"
        )
    return found[0], found[1], Version(found[2] or 0, bool(found[3]), found[4] or 0, found[5])


def with_new_updates(
    session: Session, records: list[ActionRecord], old: Version, new: Version
) -> list[ActionRecord] | None:
    """``records`` with the updates added since version ``old``; None when that cannot be told.

    Updates are append-only, so the new ones are those with a higher id than the newest seen,
    unless one committed out of id order (two posted at once): then the count does not add up
    and the caller reads the plan afresh.
    """
    rows = session.execute(
        select(ProgressUpdate.action_id, *_UPDATE_COLUMNS)
        .where(ProgressUpdate.id > old.newest_update)
        .order_by(ProgressUpdate.id)
    ).all()
    if old.updates + len(rows) != new.updates:
        return None
    latest = {row.action_id: update_record(row) for row in rows}  # in id order: newest wins
    return [replace(r, latest=latest[r.id]) if r.id in latest else r for r in records]


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

    From the session's plan cache when it has one (see the module's docstring).

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
    body_keys = tuple(body_keys) if body_keys is not None else None
    numbers = tuple(numbers) if numbers is not None else None
    words = tuple(words) if words else None
    cache = cache_of(session)
    if cache is not None:
        plan_key, found = cache.get(session, plan_key)
        kept = kept_actions(found, body_keys, numbers, theme, section, words, as_of)
        if kept is not None:
            return kept
        # Some latest update is later than that day: read the updates posted by then instead.
    plan_id, key, _ = plan_version(session, plan_key)
    found = read_actions(session, key, [Action.plan_id == plan_id], as_of)
    return narrowed(found, body_keys, numbers, theme, section, words)


def kept_actions(
    records: list[ActionRecord],
    body_keys: Iterable[str] | None = None,
    numbers: Iterable[str] | None = None,
    theme: int | None = None,
    section: str | None = None,
    words: Iterable[str] | None = None,
    as_of: date | None = None,
) -> list[ActionRecord] | None:
    """:func:`actions` from a plan's kept records, or None when they cannot answer.

    They cannot answer an "as of" question when some chosen action's latest update was posted
    after that day (then the updates posted by then are read).
    """
    body_keys = tuple(body_keys) if body_keys is not None else None
    numbers = tuple(numbers) if numbers is not None else None
    words = tuple(words) if words else None
    found = narrowed(records, body_keys, numbers, theme, section, words)
    if as_of is not None and _posted_after(found, london_day_end(as_of)):
        return None
    return found


def _posted_after(records: list[ActionRecord], cut: datetime) -> bool:
    """True when some record's latest update was posted at or after ``cut``.

    When none was, each record's latest update is also its newest one posted before ``cut``
    (the newest is the one with the highest id, see :func:`_latest_updates`), so the cached
    records answer an "as of" question exactly; in the present (a status card for today) that
    is always so.
    """
    return any(r.latest is not None and r.latest.created_at >= cut for r in records)


def action_by_number(
    session: Session, number: str, plan_key: str | None = None
) -> ActionRecord | None:
    """One action by its number, or None."""
    found = actions(session, plan_key, numbers=[number])
    return found[0] if found else None


def action_by_id(session: Session, action_id: int) -> ActionRecord | None:
    """One action by its database id (card data carries ids), or None."""
    plan_key = session.scalar(
        select(Plan.key).join(Action, Action.plan_id == Plan.id).where(Action.id == action_id)
    )
    if plan_key is None:
        return None
    found = read_actions(session, plan_key, [Action.id == action_id])
    return found[0] if found else None


def section_titles(session: Session, plan_key: str | None = None) -> list[tuple[int, str]]:
    """(theme number, section title) pairs of a plan, in plan order."""
    plan = plan_record(session, plan_key)
    return [(t.number, title) for t in plan.themes for title in t.sections]


def history(session: Session, action_id: int) -> list[UpdateRecord]:
    """Every update of an action, newest first, then those of the actions it carries over.

    An action carried over from a previous plan keeps its earlier updates on the old row; they
    follow here, each saying which plan and number it was posted under.
    """
    found: list[UpdateRecord] = []
    seen: set[int] = set()
    current: int | None = action_id
    while current is not None and current not in seen:
        seen.add(current)
        rows = session.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.action_id == current)
            .order_by(ProgressUpdate.id.desc())
        ).all()
        label = ""
        if current != action_id:
            number, title = session.execute(
                select(Action.number, Plan.title)
                .join(Plan, Plan.id == Action.plan_id)
                .where(Action.id == current)
            ).one()
            label = f"(as {number} in the {title}) "
        found.extend(replace(update_record(r), text=label + r.text) for r in rows)
        current = session.scalar(select(Action.carried_from_id).where(Action.id == current))
    return found


# Up to this many action ids go to the database as an IN list; more are filtered here instead.
_IN_LIST_LIMIT = 500
_DETAIL_BATCH = 500


def updates_since(
    session: Session,
    action_ids: Iterable[int],
    since: datetime,
    until: datetime | None = None,
    *,
    limit: int | None = None,
) -> list[tuple[int, UpdateRecord]]:
    """Updates of these actions posted at or after ``since`` (and before ``until``), newest first.

    With ``limit``, only the newest ``limit`` of them (:func:`posted_between` also counts).

    Returns:
        (action id, update) pairs.
    """
    return posted_between(session, action_ids, since, until, limit=limit)[1]


def posted_between(
    session: Session,
    action_ids: Iterable[int],
    since: datetime,
    until: datetime | None = None,
    *,
    limit: int | None = None,
) -> tuple[int, list[tuple[int, UpdateRecord]]]:
    """How many updates of these actions were posted in ``[since, until)``, and the newest.

    A whole large plan's ids would make a long IN list (slow to send and to plan, and bounded
    by the driver); then the updates of the period are scanned by date (two small columns) and
    filtered here, and only the ``limit`` shown are read in full.

    Returns:
        (the count, the newest ``limit`` (all when None) as (action id, update) pairs).
    """
    ids = set(action_ids)
    if not ids:
        return 0, []
    period = [ProgressUpdate.created_at >= since]
    if until is not None:
        period.append(ProgressUpdate.created_at < until)
    if len(ids) <= _IN_LIST_LIMIT:
        period.append(ProgressUpdate.action_id.in_(ids))
    newest_first = (ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
    found = [
        (update_id, action_id)
        for update_id, action_id in session.execute(
            select(ProgressUpdate.id, ProgressUpdate.action_id)
            .where(*period)
            .order_by(*newest_first)
        )
        if action_id in ids
    ]
    chosen = found if limit is None else found[:limit]
    details: dict[int, UpdateRecord] = {}
    for start in range(0, len(chosen), _DETAIL_BATCH):
        batch = [update_id for update_id, _ in chosen[start : start + _DETAIL_BATCH]]
        rows = session.execute(select(*_UPDATE_COLUMNS).where(ProgressUpdate.id.in_(batch)))
        details.update((row.id, update_record(row)) for row in rows)
    return len(found), [(action_id, details[update_id]) for update_id, action_id in chosen]
