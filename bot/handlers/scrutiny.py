"""Scrutiny requests and recommendations, and chairs' and admins' responses to them.

"open scrutiny requests", "what does the Scrutiny Sub Panel want from OPCCN?"; chairs and
admins record the response from the card (audited).

The card's buttons carry the question, so after a save the list is worked out afresh.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.handlers.common import actor_of
from bot.plan.scrutiny import (
    ANSWERED,
    OPEN,
    WITHDRAWN,
    RequestRefused,
    Response,
    ScrutinyItem,
    due_label,
    status_text,
)
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.scrutiny import scrutiny_list_card, scrutiny_response_card
from cards.views import ScrutinyListView, ScrutinyResponseView, ScrutinyRow

ASKING_KINDS = ("panel", "committee")
MAX_SHOWN = 25
OLD_CARD = "That button is from an older card. Ask “open scrutiny requests” again."


def split_bodies(services: Services, keys: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Who asks and who owes, from the bodies named.

    Panels and committees ask, others owe; with two named, the first asks and the rest owe
    ("what does the Sub Panel want from OPCCN?").
    """
    kinds = {b.key: b.kind for b in services.vocabulary().bodies.bodies}
    if len(keys) >= 2:
        return [keys[0]], list(keys[1:])
    asking = [k for k in keys if kinds.get(k) in ASKING_KINDS]
    return asking, [k for k in keys if k not in asking]


def may_respond(request: Request, item: ScrutinyItem) -> bool:
    """Admins, and chairs of the body that asked or the body that owes the answer."""
    chaired = {key for key, role in request.memberships if role in ("chair", "admin")}
    return request.is_admin or bool(chaired & {item.asked_by_key, item.owner_key})


def _row(item: ScrutinyItem, request: Request) -> ScrutinyRow:
    responded = ""
    if item.responded_on:
        responded = f"{item.responded_on.day} {item.responded_on:%b %Y}"
        responded += f" ({item.responded_by})" if item.responded_by else ""
    return ScrutinyRow(
        request_id=item.id,
        ref=item.ref,
        kind=item.kind,
        text=item.text,
        asked_by=item.asked_by_label,
        owner=item.owner_label,
        due=due_label(item),
        status=status_text(item, request.today),
        response=item.response,
        responded=responded,
        can_respond=may_respond(request, item),
    )


def _names(services: Services, keys: list[str]) -> str:
    labels = {b.key: b.ref.label for b in services.vocabulary().bodies.bodies}
    return ", ".join(labels.get(k, k) for k in keys)


def scrutiny_list(
    services: Services, request: Request, query: dict[str, Any], message: str = ""
) -> Reply:
    """The requests ``query`` describes (askers, owers, open only or all)."""
    asking = [k for k in query.get("ask", []) if isinstance(k, str)][:10]
    owing = [k for k in query.get("owe", []) if isinstance(k, str)][:10]
    open_only = not query.get("all")
    found = services.plan.scrutiny(
        owner_keys=owing or None, asked_by_keys=asking or None, open_only=open_only
    )
    title = "Open scrutiny requests" if open_only else "Scrutiny requests"
    if asking:
        title += f" from {_names(services, asking)}"
    if owing:
        title += f" to {_names(services, owing)}"
    awaited = sum(1 for i in found if i.is_open and i.due_day and i.due_day < request.today)
    summary = (
        f"{len(found)} {'open ' if open_only else ''}request"
        f"{'s' if len(found) != 1 else ''} or recommendation{'s' if len(found) != 1 else ''}"
        + (f"; {awaited} past the meeting they were due at" if awaited else "")
        + "."
        if found
        else "None on record."
    )
    if open_only:
        summary += " Ask “all scrutiny requests” to see answered ones too."
    shown = found[:MAX_SHOWN]
    if len(found) > MAX_SHOWN:
        summary += f" Showing the oldest {MAX_SHOWN}."
    view = ScrutinyListView(
        title=title,
        summary=summary,
        rows=tuple(_row(i, request) for i in shown),
        query=query,
        message=message,
    )
    return Reply.with_card(scrutiny_list_card(view))


def scrutiny_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "open scrutiny requests", "what does the Sub Panel want from OPCCN?"."""
    asking, owing = split_bodies(services, intent.bodies)
    everything = any(w in intent.text.split() for w in ("all", "answered", "closed", "every"))
    query = {"ask": asking, "owe": owing, "all": everything}
    return scrutiny_list(services, request, query)


def _item_and_query(
    services: Services, request: Request
) -> tuple[ScrutinyItem | None, dict[str, Any] | None]:
    request_id, query = request.data.get("requestId"), request.data.get("q")
    if not isinstance(request_id, int) or not isinstance(query, dict):
        return None, None
    return services.plan.scrutiny_item(request_id), query


def respond_form(services: Services, request: Request) -> Reply:
    """The "Record response" button: the form, for chairs and admins."""
    item, query = _item_and_query(services, request)
    if item is None or query is None:
        return Reply(error=OLD_CARD)
    if not may_respond(request, item):
        return Reply(error="Only the chairs of the bodies involved, or an admin, can record it.")
    view = ScrutinyResponseView(
        row=_row(item, request),
        query=query,
        values={"date": request.today.isoformat(), "status": ANSWERED},
    )
    return Reply.with_card(scrutiny_response_card(view))


def _read_form(request: Request) -> tuple[Response | None, dict[str, str], dict[str, str]]:
    text = request.data.get("response")
    day = request.data.get("respondedOn")
    status = request.data.get("status")
    values = {
        "response": text if isinstance(text, str) else "",
        "date": day if isinstance(day, str) else "",
        "status": status if isinstance(status, str) else "",
    }
    errors: dict[str, str] = {}
    if values["status"] not in (ANSWERED, WITHDRAWN, OPEN):
        errors["status"] = "Choose answered, withdrawn or still open."
    if values["status"] == ANSWERED and not values["response"].strip():
        errors["response"] = "Write the response (or choose “Still open”)."
    try:
        responded_on = date.fromisoformat(values["date"])
    except ValueError:
        errors["respondedOn"] = "Give the date of the response."
        responded_on = request.today
    if responded_on > request.today:
        errors["respondedOn"] = "The response date cannot be in the future."
    if errors:
        return None, values, errors
    name = request.sender.name or request.sender.email or ""
    return Response(values["response"], responded_on, name, values["status"]), values, errors


def save_response(services: Services, request: Request) -> Reply:
    """Save the form: the list again with a message, or the form with what to correct."""
    item, query = _item_and_query(services, request)
    if item is None or query is None:
        return Reply(error=OLD_CARD)
    if not may_respond(request, item):
        return Reply(error="Only the chairs of the bodies involved, or an admin, can record it.")
    response, values, errors = _read_form(request)
    if response is None:
        view = ScrutinyResponseView(_row(item, request), query, values, errors)
        return Reply.with_card(scrutiny_response_card(view))
    try:
        saved = services.plan.record_scrutiny_response(
            item.id, response, actor_of(request), request.now
        )
    except RequestRefused as exc:
        view = ScrutinyResponseView(_row(item, request), query, values, {"response": str(exc)})
        return Reply.with_card(scrutiny_response_card(view))
    message = f"Saved: {saved.ref} is now {saved.status}."
    return scrutiny_list(services, request, query, message)
