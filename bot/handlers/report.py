"""The plan report in Teams: "report" gives chairs and admins personal download links.

Links are never posted in a shared chat: there the answer is a card whose button shows the
links to the person who presses it only (the ``Action.Execute`` answer). See
``bot.reports.links`` for the links themselves and ``bot.web.reports`` for the download.
"""

from __future__ import annotations

from datetime import date

from bot.clock import LONDON, as_of_problem
from bot.handlers.common import person_of
from bot.plan.labels import day_label
from bot.plan.permissions import WHO_MAY_EXPORT, may_export
from bot.plan.types import PlanNotFound
from bot.reports import links
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.report import report_links_card, report_offer_card
from cards.views import ReportLinksView

NOT_CONFIGURED = (
    "Report download links are not configured on this bot (PUBLIC_BASE_URL and LINK_SECRET). "
    "An administrator can export the report on the server: "
    "python -m bot report --format xlsx --as-of YYYY-MM-DD --output FILE"
)
PERSONAL_ONLY = (
    "Download links are personal, so I only give them in a personal chat or to the person who "
    "presses “Show my download links”. Ask me “report” in a personal chat."
)
BUTTONS = (("xlsx", "Download Excel (XLSX)"), ("docx", "Download Word (DOCX)"), ("csv", "CSV"))


def _allowed(services: Services, request: Request) -> bool:
    return request.is_admin or may_export(person_of(request), services.settings.bot_admins)


def _links(services: Services, request: Request, plan_key: str | None, as_of: date) -> Reply:
    settings = services.settings
    if request.person_id is None:
        return Reply.with_text("I could not tell who you are, so I cannot make links for you.")
    try:
        plan = services.plan.plan(plan_key)
    except PlanNotFound as exc:
        return Reply.with_text(f"I have no such plan to export ({exc}).")
    now = services.clock.now()
    made = []
    for fmt, title in BUTTONS:
        claims = links.new_claims(request.person_id, fmt, plan.key, as_of, now)
        made.append(
            (
                title,
                links.url_for(settings.public_base_url, links.sign(claims, settings.link_secret)),
            )
        )
    expires = (now + links.LINK_LIFETIME).astimezone(LONDON).strftime("%H:%M")
    view = ReportLinksView(plan.title, day_label(as_of), tuple(made), expires)
    return Reply.with_card(report_links_card(view))


def _checked(services: Services, request: Request) -> Reply | None:
    """A refusal, or None when the person may have links here."""
    if not _allowed(services, request):
        return Reply.refusal(WHO_MAY_EXPORT)
    if not (services.settings.public_base_url and services.settings.link_secret):
        return Reply.with_text(NOT_CONFIGURED)
    return None


def report_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Route table entry for "report": links only the sender sees, else an offer card."""
    refused = _checked(services, request)
    if refused is not None:
        return refused
    as_of = intent.as_of or request.today
    if not request.seen_only_by_sender:
        data = {"asof": as_of.isoformat(), **({"k": intent.plan} if intent.plan else {})}
        return Reply.with_card(report_offer_card(day_label(as_of), data))
    return _links(services, request, intent.plan, as_of)


def report_links_button(services: Services, request: Request) -> Reply:
    """The offer card's "Show my download links" (Action.Execute: only the presser sees it)."""
    if not request.seen_only_by_sender:
        return Reply.refusal(PERSONAL_ONLY)
    refused = _checked(services, request)
    if refused is not None:
        return refused
    try:
        as_of = date.fromisoformat(str(request.data.get("asof")))
    except ValueError:
        return Reply(error="That button's data could not be read. Ask “report” again.")
    if (problem := as_of_problem(as_of)) is not None:
        return Reply.with_text(problem)
    plan_key = request.data.get("k")
    return _links(services, request, plan_key if isinstance(plan_key, str) else None, as_of)
