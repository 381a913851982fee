"""The progress-update dialog: validate what was submitted, without touching the database.

``submit`` returns a :class:`SaveUpdate` command (everything valid), :class:`FieldErrors`
(a message per invalid field and the values to show again), or :class:`PersonalDataFound` when
the text looks like it holds personal data (a name, an address, a phone number...): the person
is asked to save anyway or edit first (``bot.plan.personal_data``), and a save made anyway
records which kinds they confirmed.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

from bot.plan.personal_data import Finding, find_personal_data, kinds_of, summary
from bot.plan.status_notes import reopens
from bot.plan.statuses import NOT_STARTED, STATUSES
from bot.plan.types import ActionRecord
from cards.update_form import (
    EVIDENCE,
    KEY,
    MAX_TEXT,
    PERSONAL_DATA,
    REOPEN,
    REVISED,
    STATUS,
    TEXT,
    personal_data_card,
    update_form_card,
)
from cards.views import PersonalDataView, UpdateFormView

KEY_PATTERN = re.compile(r"^[A-Za-z0-9:_-]{8,100}$")
MAX_URL = 2048


@dataclass(frozen=True)
class SaveUpdate:
    """A valid submission: store this update (once per ``key``)."""

    action_id: int
    status: str
    text: str
    revised_date: date | None
    evidence_url: str | None
    key: str
    # The kinds of personal data the person was shown and chose to save anyway (audited).
    personal_data: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonalDataFound:
    """A valid submission whose text looks like it holds personal data: ask before saving."""

    findings: list[Finding]
    values: dict[str, str]
    key: str

    @property
    def token(self) -> str:
        """What "Save anyway" sends back: it confirms exactly this text, no other."""
        return confirmation_token(self.values[TEXT])


@dataclass(frozen=True)
class FieldErrors:
    """An invalid submission: what is wrong with each field, and what was typed."""

    errors: dict[str, str]
    values: dict[str, str]
    message: str = ""


def new_key() -> str:
    """A fresh idempotency key for one opening of the form."""
    return uuid.uuid4().hex


def key_of(data: dict[str, Any]) -> str | None:
    """The submitted idempotency key, if well-formed (cards sent before it was renamed: "key")."""
    key = data.get(KEY, data.get("key"))
    return key if isinstance(key, str) and KEY_PATTERN.match(key) else None


def prefill(action: ActionRecord) -> dict[str, str]:
    """The form's starting values: the latest update's, if any."""
    latest = action.latest
    if latest is None:
        return {STATUS: NOT_STARTED}
    return {
        STATUS: latest.status,
        TEXT: latest.text,
        REVISED: latest.revised_date.isoformat() if latest.revised_date else "",
        EVIDENCE: latest.evidence_url or "",
    }


def form(
    action: ActionRecord,
    *,
    inline: bool,
    key: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    origin: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The form card (prefilled from the latest update unless ``values`` are given)."""
    view = UpdateFormView(
        action=action,
        values=values if values is not None else prefill(action),
        key=key or new_key(),
        inline=inline,
        errors=errors or {},
        message=message,
        origin=origin,
    )
    return update_form_card(view)


def confirmation_token(text: str) -> str:
    """A short fingerprint of the text the person confirmed (an edit needs a new check)."""
    return "confirm:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def ask_about_personal_data(
    action: ActionRecord, found: PersonalDataFound, *, inline: bool, origin: dict[str, Any] | None
) -> dict[str, Any]:
    """The card that shows what was found, with "Save anyway" and "Edit"."""
    view = PersonalDataView(
        action=action,
        found=summary(found.findings),
        values=found.values,
        key=found.key,
        token=found.token,
        inline=inline,
        origin=origin,
    )
    return personal_data_card(view)


def _edit_message(text: str) -> str:
    findings = find_personal_data(text)
    if not findings:
        return "Change the text as you need, then save."
    return (
        f"This looks like personal data: {summary(findings)}. Describe the work without "
        "naming or identifying anyone, then save."
    )


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _check_date(value: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[REVISED] = f"“{value[:40]}” is not a date; use the date picker or YYYY-MM-DD."
        return None


def _check_url(value: str, errors: dict[str, str]) -> str | None:
    if not value:
        return None
    parsed = urlparse(value)
    if len(value) > MAX_URL or parsed.scheme != "https" or not parsed.netloc or " " in value:
        errors[EVIDENCE] = "The evidence link must be a web address starting with https://."
        return None
    return value


def submit(
    action: ActionRecord, data: dict[str, Any]
) -> SaveUpdate | FieldErrors | PersonalDataFound:
    """Validate a submitted form for ``action``; ask first when it holds personal data.

    ``data[PERSONAL_DATA]`` is "edit" (the person chose to rephrase: the form comes back) or
    the confirmation token of the text they chose to save anyway.
    """
    values = {name: _text(data, name) for name in (STATUS, TEXT, REVISED, EVIDENCE, REOPEN)}
    errors: dict[str, str] = {}
    if values[STATUS] not in STATUSES:
        errors[STATUS] = "Choose a status: " + ", ".join(STATUSES) + "."
    elif reopens(action, values[STATUS]) and values[REOPEN] != "true":
        errors[REOPEN] = (
            f"{action.number} is marked Complete. To reopen it as {values[STATUS]}, tick "
            "“Reopen” and save again; to keep it complete, choose Complete."
        )
    if not values[TEXT]:
        errors[TEXT] = "Say what has happened: progress text is required."
    elif len(values[TEXT]) > MAX_TEXT:
        errors[TEXT] = (
            f"The progress text is {len(values[TEXT])} characters; the limit is {MAX_TEXT}."
        )
    revised = _check_date(values[REVISED], errors)
    evidence = _check_url(values[EVIDENCE], errors)
    key = key_of(data)
    if errors:
        return FieldErrors(errors=errors, values=values)
    if key is None:
        return FieldErrors(
            errors={}, values=values, message="This form was out of date; check it and save again."
        )
    choice = data.get(PERSONAL_DATA)
    if choice == "edit":
        return FieldErrors(errors={TEXT: _edit_message(values[TEXT])}, values=values)
    findings = find_personal_data(values[TEXT])
    if findings and choice != confirmation_token(values[TEXT]):
        return PersonalDataFound(findings=findings, values=values, key=key)
    return SaveUpdate(
        action_id=action.id,
        status=values[STATUS],
        text=values[TEXT],
        revised_date=revised,
        evidence_url=evidence,
        key=key,
        personal_data=tuple(kinds_of(findings)),
    )
