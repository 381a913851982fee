"""Posting progress updates: the Teams dialog, the inline form, and "update 1.18 on track: ...".

Every path validates with :mod:`dialogs.update_progress`, checks who may update, and stores
the update once per idempotency key (a double click or a Teams retry stores one update).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.handlers.common import actor_of
from bot.plan import rules
from bot.plan.idempotency import form_update_key, typed_update_key
from bot.plan.labels import deadline_label, flag_for
from bot.plan.permissions import may_update
from bot.plan.types import ActionRecord, NewUpdate, StoreUnavailable
from bot.services import Services
from bot.turns import DialogDone, DialogView, Message, Reply, Request
from bot.understand import Intent
from cards import verbs
from cards.actions import action_detail_card
from cards.update_form import KEY, REOPEN, STATUS, TEXT
from cards.views import ActionDetailView
from dialogs import update_progress
from dialogs.update_progress import FieldErrors, PersonalDataFound, SaveUpdate

log = logging.getLogger(__name__)
# The cards an update can start from, drawn again afterwards for everyone in a shared chat.
REFRESHABLE = (verbs.LIST_PAGE, verbs.SHOW_ACTION, verbs.REFRESH_STATUS)
SAVE_FAILED = (
    "Your update could not be saved just now; nothing was recorded. "
    "Your text is still in the form: please try again."
)


def _action(services: Services, action_id: Any) -> ActionRecord | None:
    if not isinstance(action_id, int) or isinstance(action_id, bool):
        return None
    if not 0 < action_id < 2**31:  # database ids; a bigger number names no action
        return None
    return services.plan.action_by_id(action_id)


def refusal(action: ActionRecord) -> str:
    """Who may update an action, for someone who may not."""
    owners = action.owner_labels or "its owners"
    return (
        f"Only members or chairs of {owners} (the owners of action {action.number}), or an admin, "
        "can post updates to it. Nothing was saved. If you work for one of them, say “my bodies”."
    )


def allowed(request: Request, action: ActionRecord) -> bool:
    """Members and chairs of an owning body, and admins."""
    owners = (o.key for o in action.owners)
    return may_update(request.memberships, owners, is_admin=request.is_admin)


def save(
    services: Services, request: Request, command: SaveUpdate, *, key: str | None = None
) -> tuple[ActionRecord, bool]:
    """Store the update (once per key) and return the action as it now stands.

    The update, its audit entry and its notices commit together or not at all. ``key`` is
    the idempotency key to store; by default the form's key bound to the sender and action.

    Raises:
        StoreUnavailable: when the database fails; nothing is stored.
    """
    new = NewUpdate(
        action_id=command.action_id,
        status=command.status,
        text=command.text,
        revised_date=command.revised_date,
        evidence_url=command.evidence_url,
        author_person_id=request.person_id,
        author_name=request.sender.name or "Someone",
        key=key or form_update_key(request.person_id, command.action_id, command.key),
        personal_data_confirmed=command.personal_data,
    )
    notify_from = request.place.conversation_id if services.settings.update_notices else None
    recorded = services.plan.record_update(
        new, actor_of(request), services.clock.now(), notify_from=notify_from
    )
    if recorded.notices:
        services.wake_jobs()
    return recorded.action, recorded.created


def detail_card(
    services: Services, request: Request, action: ActionRecord, message: str = ""
) -> dict[str, Any]:
    """The action's detail card, as it stands now."""
    count = len(services.plan.history(action.id))
    view = ActionDetailView(
        action=action,
        status=rules.current_status(action),
        deadline_label=deadline_label(action),
        flag=flag_for(action, request.today, services.settings.reporting_interval_days),
        history_count=count,
        message=message,
    )
    return action_detail_card(view)


def saved_message(action: ActionRecord, created: bool) -> str:
    """The confirmation (a repeat of the same submission says so)."""
    if not created:
        return f"That update to {action.number} was already saved; nothing new was recorded."
    return f"Update saved: {action.number} is now {rules.current_status(action)}."


def origin_to_redraw(request: Request, origin: Any) -> dict[str, Any] | None:
    """The card the update started from (its verb and data), to draw again for everyone.

    Only in a shared conversation, and only for cards that show status; the dispatcher runs
    the origin's route again (``bot.dispatch``), so handlers need not know the route table.
    """
    if not request.place.is_shared or not isinstance(origin, dict):
        return None
    return origin if origin.get("verb") in REFRESHABLE else None


# --- the Teams dialog (task module) ------------------------------------------------------


class UpdateDialog:
    """``task/fetch`` opens the form; ``task/submit`` validates, saves and closes."""

    def open(self, services: Services, request: Request) -> DialogView | DialogDone:
        """The form, prefilled from the latest update."""
        action = _action(services, request.data.get("actionId"))
        if action is None:
            return DialogDone("That action no longer exists.")
        if not allowed(request, action):
            return DialogDone(refusal(action))
        card = update_progress.form(action, inline=False, origin=request.data.get("origin"))
        return DialogView(title=f"Update action {action.number}", card=card)

    def submit(self, services: Services, request: Request) -> DialogView | DialogDone:
        """The form again with field errors, or the update saved and the dialog closed."""
        outcome = submit_form(services, request, inline=False)
        if outcome.form is not None:
            return DialogView(title=f"Update action {outcome.number}", card=outcome.form)
        if outcome.saved is None:
            return DialogDone(outcome.message)
        message = saved_message(outcome.saved, outcome.created)
        return DialogDone(message, redraw=origin_to_redraw(request, outcome.origin))


@dataclass(frozen=True)
class Submitted:
    """What a submitted form came to: a message, the form again, or a saved update."""

    number: str = ""
    message: str = ""
    form: dict[str, Any] | None = None
    saved: ActionRecord | None = None
    created: bool = False
    origin: Any = None


def submit_form(services: Services, request: Request, *, inline: bool) -> Submitted:
    """Check who is submitting and what, then save once; shared by the dialog and inline form."""
    action = _action(services, request.data.get("actionId"))
    if action is None:
        return Submitted(message="That action no longer exists; nothing was saved.")
    if not allowed(request, action):
        return Submitted(number=action.number, message=refusal(action))
    origin = request.data.get("origin")
    result = update_progress.submit(action, request.data)
    if isinstance(result, FieldErrors):
        form = update_progress.form(
            action,
            inline=inline,
            values=result.values,
            errors=result.errors,
            message=result.message,
            origin=origin,
            key=_key(request),
        )
        return Submitted(number=action.number, form=form)
    if isinstance(result, PersonalDataFound):
        ask = update_progress.ask_about_personal_data(action, result, inline=inline, origin=origin)
        return Submitted(number=action.number, form=ask)
    try:
        after, created = save(services, request, result)
    except StoreUnavailable:
        log.exception("saving an update failed", extra={"activity_id": request.activity_id})
        form = update_progress.form(
            action,
            inline=inline,
            values=_values(request),
            message=SAVE_FAILED,
            origin=origin,
            key=result.key,
        )
        return Submitted(number=action.number, form=form)
    return Submitted(number=action.number, saved=after, created=created, origin=origin)


def _key(request: Request) -> str | None:
    return update_progress.key_of(request.data)


def _values(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.data.items() if isinstance(v, str)}


# --- the inline form (Action.Execute) ----------------------------------------------------


def open_inline(services: Services, request: Request) -> Reply:
    """Answer "Quick update" with the form, replacing the card (works where dialogs do not)."""
    action = _action(services, request.data.get("actionId"))
    if action is None:
        return Reply.with_text("That action no longer exists.")
    if not allowed(request, action):
        return Reply.refusal(refusal(action))
    return Reply.with_card(
        update_progress.form(action, inline=True, origin=request.data.get("origin"))
    )


def save_inline(services: Services, request: Request) -> Reply:
    """Answer "Save update" on the inline form."""
    outcome = submit_form(services, request, inline=True)
    if outcome.form is not None:
        return Reply.with_card(outcome.form)
    if outcome.saved is None:
        return Reply.with_text(outcome.message)
    message = saved_message(outcome.saved, outcome.created)
    reply = Reply.with_card(detail_card(services, request, outcome.saved, message))
    reply.redraw = origin_to_redraw(request, outcome.origin)
    return reply


def cancel_inline(services: Services, request: Request) -> Reply:
    """Answer "Cancel" with the action's card; nothing is saved."""
    action = _action(services, request.data.get("actionId"))
    if action is None:
        return Reply.with_text("That action no longer exists.")
    return Reply.with_card(detail_card(services, request, action, "Cancelled; nothing was saved."))


# --- typing it: "update 1.18 on track: ..." ---------------------------------------------


def update_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Save a typed update, or offer the form when something is missing."""
    if intent.number is None:
        return Reply.with_text(
            "Which action? For example: “update 1.18 on track: Terms of reference agreed”, "
            "or press Post update on any action card."
        )
    action = services.plan.action(intent.number)
    if action is None:
        return Reply.with_text(f"There is no action {intent.number} in the current plan.")
    if not allowed(request, action):
        return Reply.refusal(refusal(action))
    if intent.status is None or not intent.text:
        values = update_progress.prefill(action)
        values.update({k: v for k, v in ((STATUS, intent.status), (TEXT, intent.text)) if v})
        hint = (
            f"Add a few words on progress to mark {action.number} {intent.status}:"
            if intent.status and not intent.text
            else "Add the status and a few words, or fill in the form:"
        )
        form = update_progress.form(action, inline=True, values=values)
        return Reply(messages=[Message(text=hint), Message(card=form)], card=form)
    data = {STATUS: intent.status, TEXT: intent.text, KEY: update_progress.new_key()}
    command = update_progress.submit(action, data)
    if isinstance(command, FieldErrors):
        if REOPEN in command.errors:
            # Changing a Complete action is never silent: the form asks, with the text kept.
            form = update_progress.form(
                action,
                inline=True,
                values=command.values,
                errors=command.errors,
                key=str(data[KEY]),
            )
            asked = Message(text=f"Nothing was saved yet: {command.errors[REOPEN]}")
            return Reply(messages=[asked, Message(card=form)], card=form)
        problems = " ".join(command.errors.values()) or command.message
        return Reply.with_text(f"Nothing was saved: {problems}")
    if isinstance(command, PersonalDataFound):
        ask = update_progress.ask_about_personal_data(action, command, inline=True, origin=None)
        asked = Message(text="Nothing was saved yet: please check your update first.")
        return Reply(messages=[asked, Message(card=ask)], card=ask)
    key = None
    if request.activity_id:  # a redelivered message stores nothing new
        place = request.place
        key = typed_update_key(place.tenant_id, place.conversation_id, request.activity_id)
    try:
        after, created = save(services, request, command, key=key or f"text:{command.key}")
    except StoreUnavailable:
        log.exception("saving a typed update failed", extra={"activity_id": request.activity_id})
        return Reply.with_text(
            "Your update could not be saved just now; nothing was recorded. Please try again."
        )
    return Reply.with_card(detail_card(services, request, after, saved_message(after, created)))
