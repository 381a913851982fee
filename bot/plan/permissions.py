"""Who may do what: the one place for permission checks, pure over memberships.

A person's memberships are (body key, role) pairs; roles are those of ``bot.plan.statuses``.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.plan.statuses import ADMIN, CHAIR, ROLES
from bot.plan.types import PersonRecord

MANAGING_ROLES = (CHAIR, ADMIN)
WHO_MAY_EXPORT = (
    "Only chairs and admins can export the plan report: the chair of a body (for example the "
    "DASVG or the Scrutiny Sub Panel) or a bot admin. Ask one of them for a copy, or ask an "
    "admin to record you as a chair."
)


def is_admin(
    person: PersonRecord, *, aad_object_id: str | None, bot_admins: Iterable[str], admin_body: str
) -> bool:
    """Named in BOT_ADMINS (AAD id or e-mail), an admin role, or a member of ADMIN_BODY.

    ``ADMIN_BODY`` counts only when the membership came from the operator's list or an e-mail
    domain rule: a self-service membership, even approved, never makes anyone an admin.
    """
    ids = {(aad_object_id or "").lower(), (person.email or "").lower()} - {""}
    return (
        bool(ids & set(bot_admins))
        or any(role == ADMIN for _, role in person.memberships)
        or (bool(admin_body) and admin_body in person.vouched)
    )


def may_update(
    memberships: Iterable[tuple[str, str]], owner_keys: Iterable[str], *, is_admin: bool
) -> bool:
    """Members and chairs of a body that owns the action, and admins, may post updates."""
    if is_admin:
        return True
    owners = set(owner_keys)
    return any(key in owners and role in ROLES for key, role in memberships)


def may_manage(memberships: Iterable[tuple[str, str]], body_key: str, *, is_admin: bool) -> bool:
    """Chairs of the body and admins may link its channels, change its meetings and rules."""
    return is_admin or any(key == body_key and role in MANAGING_ROLES for key, role in memberships)


def manageable_bodies(
    memberships: Iterable[tuple[str, str]], every_body: Iterable[str], *, is_admin: bool
) -> list[str]:
    """Bodies whose meetings, channels and rules the person may change (all for admins)."""
    if is_admin:
        return list(every_body)
    return sorted(key for key, role in memberships if role in MANAGING_ROLES)


def may_export(person: PersonRecord | None, bot_admins: Iterable[str]) -> bool:
    """A chair or admin in any body, or a person named in ``BOT_ADMINS``, may export reports.

    The same test decides who gets download links and whether a link still works.
    """
    if person is None:
        return False
    if any(role in MANAGING_ROLES for _, role in person.memberships):
        return True
    ids = {(person.aad_object_id or "").lower(), (person.email or "").lower()} - {""}
    return bool(ids & {a.lower() for a in bot_admins})
