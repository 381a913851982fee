"""Who may do what: pure checks over memberships (person -> [(body key, role)])."""

from __future__ import annotations

from collections.abc import Iterable


def may_update(
    memberships: Iterable[tuple[str, str]], owner_keys: Iterable[str], *, is_admin: bool
) -> bool:
    """Members and chairs of a body that owns the action, and admins, may post updates."""
    if is_admin:
        return True
    owners = set(owner_keys)
    return any(key in owners and role in ("member", "chair", "admin") for key, role in memberships)


def chairs_body(memberships: Iterable[tuple[str, str]], body_key: str) -> bool:
    """True when the person chairs (or administers) the body."""
    return any(key == body_key and role in ("chair", "admin") for key, role in memberships)


def is_chair_anywhere(memberships: Iterable[tuple[str, str]]) -> bool:
    """True when the person chairs at least one body."""
    return any(role in ("chair", "admin") for _, role in memberships)
