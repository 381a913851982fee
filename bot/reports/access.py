"""Who may export the plan report: chairs of any body and admins."""

from __future__ import annotations

from collections.abc import Iterable

from storage.people import PersonRecord

EXPORT_ROLES = ("chair", "admin")
WHO_MAY_EXPORT = (
    "Only chairs and admins can export the plan report: the chair of a body (for example the "
    "DASVG or the Scrutiny Sub Panel) or a bot admin. Ask one of them for a copy, or ask an "
    "admin to record you as a chair."
)


def may_export(person: PersonRecord | None, bot_admins: Iterable[str]) -> bool:
    """True for a chair or admin in any body, or a person named in ``BOT_ADMINS``.

    The same test decides who gets download links and whether a link still works.
    """
    if person is None:
        return False
    if any(role in EXPORT_ROLES for _, role in person.memberships):
        return True
    ids = {(person.aad_object_id or "").lower(), (person.email or "").lower()} - {""}
    return bool(ids & {a.lower() for a in bot_admins})
