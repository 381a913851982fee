"""Link unfurling: the bot's own links pasted into a conversation become live cards.

Three kinds of link, all on the bot's public address (``PUBLIC_BASE_URL``):

- an action: ``/tab/plan?action=1.18`` (the plan page, at that action) -> the action's card;
- a status scope: ``/tab/plan`` or ``/tab/plan?theme=2`` -> the status card of that scope;
- a report download: ``/api/reports/<token>`` -> the report offer card ("Show my download
  links"). The token is only read (signature and expiry), never claimed: the single-use link
  still works for the person it was made for, and nobody else gets a download from the card.

Pure parsing (:func:`read_link`) and one handler per kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from bot.handlers.compose import result_for
from bot.handlers.status import status_intent
from bot.plan.labels import day_label
from bot.reports import links
from bot.services import Services
from bot.turns import Request, SearchResult, SearchResults
from bot.understand import Intent
from cards.report import report_offer_card

_NUMBER = re.compile(r"^\d{1,2}\.\d{1,3}$")
_TOKEN = re.compile(r"^/api/reports/([A-Za-z0-9_\-.]{1,2000})$")


@dataclass(frozen=True)
class LinkTarget:
    """What a link points at: ``kind`` is "action", "status" or "report"."""

    kind: str
    value: str = ""


def read_link(url: str, base_url: str) -> LinkTarget | None:
    """The bot's own link in ``url``, or None (another site, or a page with no card)."""
    base = urlsplit(base_url)
    found = urlsplit(url.strip())
    if not base.netloc or found.scheme != "https" or found.netloc.lower() != base.netloc.lower():
        return None
    path = found.path.rstrip("/")
    query = {k: v[0] for k, v in parse_qs(found.query).items() if v}
    token = _TOKEN.match(path)
    if token:
        return LinkTarget("report", token.group(1))
    if path != "/tab/plan":
        return None
    number = query.get("action", "")
    if _NUMBER.match(number):
        return LinkTarget("action", number)
    theme = query.get("theme", "")
    return LinkTarget("status", theme if theme.isdigit() else "")


def unfurl(services: Services, request: Request) -> SearchResults:
    """``composeExtension/queryLink``: the card for the link in ``request.data["url"]``."""
    url = request.data.get("url")
    target = read_link(url if isinstance(url, str) else "", services.settings.public_base_url)
    if target is None:
        return SearchResults(message="That link is not one of mine.")
    if target.kind == "action":
        action = services.plan.action(target.value)
        if action is None:
            return SearchResults(message=f"There is no action {target.value} in the current plan.")
        return SearchResults((result_for(services, action, request.today),))
    if target.kind == "status":
        theme = int(target.value) if target.value else None
        intent = Intent("status", theme=theme, everyone=theme is None)
        card = status_intent(services, request, intent).card
        if card is None:
            return SearchResults(message="There is no status to show for that link.")
        label = f"theme {theme}" if theme else "the whole plan"
        return SearchResults((SearchResult(f"Status: {label}", "", "", card),))
    return _report(services, target.value, request)


def _report(services: Services, token: str, request: Request) -> SearchResults:
    """A report link: the offer card, from the token's claims (read, not claimed)."""
    secret = services.settings.link_secret
    if not secret:
        return SearchResults(message="Report links are not set up on this bot.")
    try:
        claims = links.read(token, secret, request.now)
    except links.BadLink:
        return SearchResults(message="That report link has expired or is not valid.")
    as_of = day_label(claims.as_of)
    card = report_offer_card(as_of, {"asof": claims.as_of.isoformat(), "k": claims.plan_key})
    return SearchResults((SearchResult("Plan report", f"As of {as_of}", "", card),))
