"""The progress-update form: in a Teams dialog (task module) or inline (Action.Execute)."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards.core import (
    CardElement,
    Choice,
    ChoiceSetInput,
    DateInput,
    SubmitAction,
    TextInput,
    ToggleInput,
)

from bot.plan.statuses import STATUSES
from cards import verbs
from cards.base import card, escape, execute, heading, shorten, subtle, text
from cards.views import PersonalDataView, UpdateFormView

STATUS = "status"
TEXT = "text"
REVISED = "revisedDate"
EVIDENCE = "evidenceUrl"
# The idempotency key's field in the Save button's data. Not "key": Microsoft 365 Agents
# Playground's card renderer silently drops clicks on actions whose data has a "key" field.
KEY = "updateKey"
# Ticked to change a Complete action's status (reopening is never silent).
REOPEN = "reopen"
MAX_TEXT = 2000
# "edit" (rephrase first) or the confirmation token of a text saved anyway.
PERSONAL_DATA = "personalData"


def _error(view: UpdateFormView, field: str) -> list[CardElement]:
    message = view.errors.get(field)
    return (
        [text(escape(message), color="Attention", size="Small", spacing="None")] if message else []
    )


def _inputs(view: UpdateFormView) -> list[CardElement]:
    values = view.values
    return [
        ChoiceSetInput(
            id=STATUS,
            label="Status",
            is_required=True,
            error_message="Choose a status.",
            style="compact",
            value=values.get(STATUS) or None,
            choices=[Choice(title=s, value=s) for s in STATUSES],
        ),
        *_error(view, STATUS),
        TextInput(
            id=TEXT,
            label="Progress",
            is_multiline=True,
            is_required=True,
            max_length=MAX_TEXT,
            error_message=f"Say what has happened (up to {MAX_TEXT} characters).",
            placeholder="What has been done since the last update, and what is next",
            value=values.get(TEXT) or None,
        ),
        *_error(view, TEXT),
        DateInput(
            id=REVISED,
            label="Revised target date (optional)",
            value=values.get(REVISED) or None,
        ),
        *_error(view, REVISED),
        TextInput(
            id=EVIDENCE,
            label="Evidence link (optional)",
            placeholder="https://...",
            style="Url",
            max_length=2048,
            value=values.get(EVIDENCE) or None,
        ),
        *_error(view, EVIDENCE),
        *_reopen(view),
    ]


def _reopen(view: UpdateFormView) -> list[CardElement]:
    """The "reopen" box, on the form of a Complete action only."""
    latest = view.action.latest
    if latest is None or latest.status != "Complete":
        return []
    return [
        ToggleInput(
            id=REOPEN,
            title=f"Reopen: {view.action.number} is marked Complete; tick to change its status",
            value_on="true",
            value_off="false",
            value="true" if view.values.get(REOPEN) == "true" else "false",
        ),
        *_error(view, REOPEN),
    ]


def update_form_card(view: UpdateFormView) -> dict[str, Any]:
    """The form, prefilled; with a message on each invalid field when it comes back."""
    action = view.action
    body: list[CardElement] = [
        heading(f"Update action {escape(action.number)}"),
        subtle(escape(shorten(action.text, 300))),
    ]
    if view.message:
        body.append(text(escape(view.message), color="Attention", weight="Bolder"))
    body.extend(_inputs(view))
    data = {"actionId": action.id, KEY: view.key}
    if view.origin:
        data["origin"] = view.origin
    actions: list[Any]
    if view.inline:
        actions = [
            execute("Save update", verbs.SAVE_UPDATE, data, style="positive"),
            execute("Cancel", verbs.CANCEL_UPDATE, {"actionId": action.id}),
        ]
    else:
        actions = [
            SubmitAction(
                title="Save update", style="positive", data={"dialog": verbs.DIALOG_UPDATE, **data}
            )
        ]
    return card(body, actions)


def _save_data(view: PersonalDataView, choice: str) -> dict[str, Any]:
    data: dict[str, Any] = {"actionId": view.action.id, KEY: view.key, PERSONAL_DATA: choice}
    data.update({k: v for k, v in view.values.items() if v})
    if view.origin:
        data["origin"] = view.origin
    return data


def personal_data_card(view: PersonalDataView) -> dict[str, Any]:
    """Ask before saving an update that looks like it holds personal data.

    Both buttons carry what was submitted: "Edit" brings the form back with it, "Save anyway"
    saves it (and the audit log records that the person confirmed).
    """
    body: list[CardElement] = [
        heading(f"Check before saving: action {escape(view.action.number)}"),
        text(
            f"This update may contain personal data: {escape(view.found)}.",
            color="Attention",
            weight="Bolder",
        ),
        text(
            "Every partner who can see this action can read its updates. Describe the work "
            "without naming or identifying anyone (a victim, a family, an address, a crime "
            "number). If the detail is really needed, save anyway: the audit log records "
            "that you confirmed it.",
            size="Small",
        ),
        subtle(escape(shorten(view.values.get(TEXT, ""), 500))),
    ]
    edit, anyway = _save_data(view, "edit"), _save_data(view, view.token)
    actions: list[Any]
    if view.inline:
        actions = [
            execute("Edit", verbs.SAVE_UPDATE, edit, style="positive"),
            execute("Save anyway", verbs.SAVE_UPDATE, anyway),
        ]
    else:
        dialog = {"dialog": verbs.DIALOG_UPDATE}
        actions = [
            SubmitAction(title="Edit", style="positive", data={**dialog, **edit}),
            SubmitAction(title="Save anyway", data={**dialog, **anyway}),
        ]
    return card(body, actions)
