"""Small helpers every handler uses: labels for dates and flags, who the sender is."""

from __future__ import annotations

from datetime import date

from bot.plan import rules
from bot.plan.status_notes import status_note
from bot.plan.types import ActionRecord
from bot.services import Services
from bot.turns import Request
from cards.views import ActionItem
from storage.audit import Actor
from storage.people import PersonRecord


def day_label(day: date) -> str:
    """A date as people in the partnership write it: 31 Oct 2022."""
    return f"{day.day} {day:%b %Y}"


def deadline_label(action: ActionRecord) -> str:
    """The deadline that counts, and where it comes from."""
    deadline = rules.effective_deadline(action)
    if deadline is None:
        if not action.due_readable:
            return f"{action.due_text or 'none'} (date not readable)"
        return "Ongoing" if action.ongoing else "No deadline"
    revised = action.latest is not None and action.latest.revised_date is not None
    label = day_label(deadline) + (" (revised)" if revised else "")
    return label + (", then ongoing" if action.ongoing else "")


def flag_for(action: ActionRecord, today: date, interval_days: int) -> str:
    """The flag of an action: "42 days overdue", "no update for 120 days", "no update yet" or ""."""
    if rules.is_overdue(action, today):
        days = rules.days_overdue(action, today)
        return f"{days} day{'s' if days != 1 else ''} overdue"
    if rules.needs_update_flag(action, today, interval_days):
        since = rules.days_since_update(action, today)
        return "no update yet" if since is None else f"no update for {since} days"
    return ""


def item_for(action: ActionRecord, today: date, interval_days: int, why: str = "") -> ActionItem:
    """One action as a list item, labelled for ``today`` (``why``: what a topic matched)."""
    return ActionItem(
        action=action,
        status=rules.current_status(action),
        deadline_label=deadline_label(action),
        flag=flag_for(action, today, interval_days),
        why=why,
        status_note=status_note(action, today),
    )


def actor_of(request: Request) -> Actor:
    """The sender as the audit log names them."""
    sender = request.sender
    label = sender.name or sender.email or sender.aad_object_id or "unknown"
    return Actor(request.person_id, label, request.place.conversation_id)


def person_of(request: Request) -> PersonRecord | None:
    """The sender as identified for this turn (no database access)."""
    if request.person_id is None:
        return None
    return PersonRecord(
        id=request.person_id,
        aad_object_id=request.sender.aad_object_id,
        name=request.sender.name,
        email=request.sender.email,
        memberships=request.memberships,
    )


def is_admin(services: Services, request: Request, person: PersonRecord) -> bool:
    """Configured in BOT_ADMINS (AAD id or e-mail), a member of ADMIN_BODY, or an admin role."""
    admins = services.settings.bot_admins
    ids = {(request.sender.aad_object_id or "").lower(), (person.email or "").lower()}
    ids.discard("")
    admin_body = services.settings.admin_body
    return (
        request.is_admin
        or bool(ids & set(admins))
        or any(role == "admin" or key == admin_body for key, role in person.memberships)
    )


def pages(total: int, size: int) -> int:
    """How many pages ``total`` items fill (at least one)."""
    return max(1, -(-total // size))
