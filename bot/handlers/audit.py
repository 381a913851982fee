"""Reading the audit log in Teams (admins only): "audit 1.18", "audit"."""

from __future__ import annotations

from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.audit import audit_card
from cards.views import AuditView

PAGE = 10
ADMINS_ONLY = (
    "Only admins can read the audit log. Admins are listed in BOT_ADMINS, hold the admin role, "
    "or belong to ADMIN_BODY."
)


def _page(services: Services, request: Request, subject: str | None, page: int) -> Reply:
    if not request.is_admin:
        return Reply.with_text(ADMINS_ONLY)
    found = services.plan.audit_entries(subject, limit=PAGE + 1, offset=(page - 1) * PAGE)
    labels = {b.key: b.name for b in services.vocabulary().bodies.bodies}
    view = AuditView(
        subject=subject,
        entries=tuple(found[:PAGE]),
        page=page,
        more=len(found) > PAGE,
        labels=labels,
    )
    return Reply.with_card(audit_card(view))


def audit_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "audit 1.18" (one action's changes) or "audit" (every change), newest first."""
    return _page(services, request, intent.number, 1)


def audit_page(services: Services, request: Request) -> Reply:
    """The card's "Older" / "Newer" buttons."""
    subject = request.data.get("subject")
    page = request.data.get("page")
    if not isinstance(subject, str) or not isinstance(page, int) or not 0 < page < 10_000:
        return Reply(error="That button's data could not be read.")
    return _page(services, request, subject[:200] or None, page)
