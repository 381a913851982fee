"""One entry point per kind of turn, SDK-neutral: messages, card actions, dialogs.

Every function here is synchronous: the Teams edge runs them on a worker thread so that the
database never blocks the event loop. Errors become a clear sentence for the person; the
details go to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot import routes
from bot.clock import as_of_problem
from bot.handlers import meeting_nudges
from bot.handlers.help import welcome
from bot.handlers.period import with_period_notice
from bot.plan.permissions import is_admin
from bot.plan.types import StoreUnavailable
from bot.privacy import is_personal, is_shareable
from bot.services import Services
from bot.turns import (
    DialogDone,
    DialogView,
    MeetingPresence,
    Message,
    NudgeToSend,
    Reply,
    Request,
    SearchResults,
)
from bot.understand import Intent, understand
from cards import verbs

log = logging.getLogger(__name__)

DATABASE_TROUBLE = (
    "I couldn't reach the plan database just now, so nothing was changed. "
    "Please try again in a minute."
)
SOMETHING_WRONG = (
    "Sorry, something went wrong on my side and nothing was changed. Please try again."
)
OUT_OF_RANGE = (
    "A date or number in that is too far out for me to work with; nothing was changed. "
    "Please check it and try again."
)
MAX_TEXT = 2000


def _without_nul(value: Any) -> Any:
    """Text and card data with NUL characters removed (PostgreSQL text cannot hold them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def identify(services: Services, request: Request) -> Request:
    """Find (or create) the sender's person record; note their memberships and admin role.

    Also drops NUL characters from what was typed or submitted: no field may store them.
    """
    if "\x00" in request.text or "\\x00" in repr(request.data):  # repr escapes NUL
        request = replace(request, text=_without_nul(request.text), data=_without_nul(request.data))
    sender = request.sender
    if sender.aad_object_id is None and sender.email is None:
        return request  # nobody to go by: the plan can be read, nothing is personal
    person = services.people.identify(
        sender.aad_object_id, sender.name, sender.email, tenant_id=sender.tenant_id
    )
    if person is None:  # no valid AAD id, and no e-mail address free to go by
        return request
    settings = services.settings
    admin = request.is_admin or is_admin(
        person,
        aad_object_id=person.aad_object_id,
        bot_admins=settings.bot_admins,
        # A B2B guest is an admin only when named in BOT_ADMINS or given the admin role, never
        # through a domain rule's membership of ADMIN_BODY.
        admin_body="" if sender.is_guest else settings.admin_body,
    )
    return replace(
        request,
        person_id=person.id,
        memberships=person.memberships,
        claimed=person.claimed,
        is_admin=admin,
    )


def _guarded(action: str, request: Request, work: Callable[[], Reply]) -> Reply:
    try:
        return work()
    except OverflowError:  # a date or number beyond what can be worked with
        log.info("out of range input during %s", action, extra={"activity_id": request.activity_id})
        return Reply(messages=[], error=OUT_OF_RANGE, notice=OUT_OF_RANGE)
    except StoreUnavailable:
        log.exception(
            "database error during %s", action, extra={"activity_id": request.activity_id}
        )
        return Reply(messages=[], error=DATABASE_TROUBLE, notice=DATABASE_TROUBLE)
    except Exception:
        log.exception("error during %s", action, extra={"activity_id": request.activity_id})
        return Reply(messages=[], error=SOMETHING_WRONG, notice=SOMETHING_WRONG)


def handle_text(services: Services, request: Request) -> Reply:
    """A typed message: understand it and run the intent's handler."""

    def work() -> Reply:
        known = identify(services, request)
        if len(known.text) > MAX_TEXT:
            return Reply.with_text(
                f"That message is {len(known.text)} characters long; I read up to {MAX_TEXT}."
            )
        intent = services.understood.understand(known.text, services.vocabulary(), known.today)
        out_of_range = as_of_problem(intent.as_of) if intent.as_of else None
        if out_of_range:
            return Reply.with_text(out_of_range)
        log.debug("intent %s", intent.name, extra={"activity_id": request.activity_id})
        has_bodies = bool(known.memberships or known.claimed)
        if known.place.is_shared and known.can_answer_privately:
            private = known.asked_privately or is_personal(intent, has_bodies)
            known = replace(known, answered_privately=private)
        answer = routes.intent_handler(intent.name)(services, known, intent)
        return _privately(known, intent, with_period_notice(services, known, intent, answer))

    return _guarded("message", request, work)


def handle_card_action(services: Services, request: Request) -> Reply:
    """A card button (Action.Submit or Action.Execute), routed by its verb."""

    def work() -> Reply:
        known = identify(services, request)
        if known.verb in (verbs.RUN_COMMAND, verbs.SHARE_ANSWER):
            typed = known.data.get("text")
            if not isinstance(typed, str) or not typed.strip():
                return Reply(error="That button carries no command.")
            asked = replace(known, text=typed[:MAX_TEXT], verb=None)
            if known.verb == verbs.SHARE_ANSWER:
                return _shared(services, asked)
            return handle_text(services, asked)
        handler = routes.verb_handler(known.verb)
        if handler is None:
            return Reply(
                error="That button is not one I know (perhaps from an older card). "
                "Ask your question again for a fresh card."
            )
        return _redrawn(services, known, handler(services, known))

    return _guarded(f"card action {request.verb}", request, work)


def _privately(request: Request, intent: Intent, reply: Reply) -> Reply:
    """Mark a personal answer in a shared conversation as the sender's alone (and shareable)."""
    if request.answered_privately and not reply.error:
        reply.private = True
        has_card = any(m.card is not None for m in reply.messages)
        reply.share_text = request.text if is_shareable(intent) and has_card else None
    return reply


def _shared(services: Services, request: Request) -> Reply:
    """The "Share with the chat" button: the question answered again, posted for everyone."""
    if not request.place.is_shared:
        return Reply(error="Sharing works in a channel, group chat or meeting chat.")
    if not is_shareable(understand(request.text, services.vocabulary(), request.today)):
        return Reply(error="That answer can't be shared.")  # e.g. a changed or forged button
    answer = handle_text(services, replace(request, can_answer_privately=False, is_invoke=False))
    if answer.private or answer.error:  # a refusal, or links: never posted for everyone
        return Reply(error=answer.error or "That answer can't be shared.")
    who = request.sender.name or "Someone"
    posts = [Message(text=f"{who} shared: “{request.text}”"), *answer.messages]
    return Reply(posts=posts, notice="Shared with the chat.")


def _redrawn(services: Services, request: Request, reply: Reply) -> Reply:
    """The reply with the card its button was on drawn again, when the handler asked for it."""
    if reply.redraw is not None:
        reply.refresh = _redraw(services, request, reply.redraw)
    return reply


def _redraw(services: Services, request: Request, origin: dict[str, Any]) -> dict[str, Any] | None:
    """Run the card action that drew a card again (its verb and data); its card, or None."""
    verb = origin.get("verb")
    handler = routes.verb_handler(verb if isinstance(verb, str) else None)
    if handler is None:
        return None
    return handler(services, replace(request, verb=verb, data=dict(origin))).card


def handle_install(services: Services, request: Request) -> Reply:
    """The app was installed here: say hello and explain what to ask."""
    return welcome(request)


def _dialog(request: Request) -> str:
    dialog_id = request.data.get("dialog")
    return dialog_id if isinstance(dialog_id, str) else ""


def _in_dialog(
    services: Services, request: Request, step: str, unknown: str
) -> DialogView | DialogDone:
    dialog = routes.dialog_for(_dialog(request))
    if dialog is None:
        return DialogDone(unknown)
    try:
        known = identify(services, request)
        result = getattr(dialog, step)(services, known)
        if isinstance(result, DialogDone) and result.redraw is not None:
            result = replace(result, refresh=_redraw(services, known, result.redraw))
        return result
    except StoreUnavailable:
        log.exception("database error in a dialog (%s)", step)
        return DialogDone(DATABASE_TROUBLE)
    except OverflowError:
        log.info("out of range input in a dialog (%s)", step)
        return DialogDone(OUT_OF_RANGE)
    except Exception:  # the person gets a sentence, never an empty error answer
        log.exception("error in a dialog (%s)", step)
        return DialogDone(SOMETHING_WRONG)


def open_dialog(services: Services, request: Request) -> DialogView | DialogDone:
    """``task/fetch``: the dialog's first card."""
    return _in_dialog(
        services, request, "open", "That dialog is not one I know. Ask again for a fresh card."
    )


def submit_dialog(services: Services, request: Request) -> DialogView | DialogDone:
    """``task/submit``: validate; show the form again with errors, or save and close."""
    return _in_dialog(
        services, request, "submit", "That dialog is not one I know. Nothing was saved."
    )


def search(services: Services, request: Request) -> SearchResults:
    """``composeExtension/query`` or ``queryLink``: the search named in ``data["commandId"]``."""
    command = request.data.get("commandId")
    handler = routes.search_handler(command if isinstance(command, str) else "")
    if handler is None:
        return SearchResults(message="That search is not one I know.")
    try:
        return handler(services, identify(services, request))
    except StoreUnavailable:
        log.exception("database error in a compose-box search")
        return SearchResults(message=DATABASE_TROUBLE)
    except Exception:
        log.exception("error in a compose-box search")
        return SearchResults(message=SOMETHING_WRONG)


def meeting_joined(services: Services, presence: MeetingPresence) -> list[NudgeToSend]:
    """A meeting started or people joined it: the private overdue notes to send (each once).

    Never raises: a note that cannot be worked out is logged and not sent.
    """
    try:
        return meeting_nudges.joined(services, presence)
    except Exception:
        log.exception("could not work out meeting nudges")
        return []


def meeting_nudge_not_sent(services: Services, meeting_key: str, note: NudgeToSend) -> None:
    """The connector refused a note: forget it, so that a later join may send it."""
    try:
        meeting_nudges.not_sent(services, meeting_key, note)
    except Exception:
        log.exception("could not forget a meeting nudge that was not sent")
