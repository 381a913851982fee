"""``GET /api/reports/{token}``: download the plan report through a signed link.

The link was given to a chair or admin by the bot (``bot.handlers.report``). It is refused
with 403 and a plain sentence when its signature is wrong, it has expired, it was used
before, or the person is no longer a chair or admin. Otherwise the file is made on the fly.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.background import in_worker
from bot.clock import london_today
from bot.plan.permissions import may_export
from bot.reports import links
from bot.reports.export import ReportFile, export_report
from bot.services import Services
from storage.db import transaction
from storage.people import person_by_id
from storage.plan_queries import PlanNotFound
from storage.report_links import claim_report_link, report_link_used

log = logging.getLogger(__name__)

USED = "This download link has already been used. Ask the bot for “report” again for a new one."
NOT_ALLOWED = (
    "This report is only for chairs and admins, and you are no longer recorded as one. "
    "Ask an admin if that is wrong."
)


class Refused(Exception):
    """The download is refused; the message is for the person."""


def check_link(services: Services, token: str) -> None:
    """Check a link as a download would, using nothing up (for HEAD requests).

    Link checkers and mail scanners send HEAD: it says whether the link works, and never
    consumes it.

    Raises:
        Refused: with the reason, for any link that must not be served.
    """
    with services.db() as session:
        claims = _allowed_claims(services, session, token)
        if report_link_used(session, claims.nonce):
            raise Refused(USED)


def _allowed_claims(services: Services, session: Session, token: str) -> links.LinkClaims:
    """The link's claims, when its signature and expiry hold and its person may export."""
    try:
        claims = links.read(token, services.settings.link_secret, services.clock.now())
    except links.BadLink as exc:
        raise Refused(str(exc)) from exc
    if not may_export(person_by_id(session, claims.person_id), services.settings.bot_admins):
        raise Refused(NOT_ALLOWED)
    return claims


def make_file(services: Services, token: str) -> ReportFile:
    """Check the link and make the file (blocking: runs on a worker thread).

    Raises:
        Refused: with the reason, for any link that must not be served.
    """
    with transaction(services.db) as session:
        claims = _allowed_claims(services, session, token)
        try:
            made = export_report(
                session,
                claims.fmt,
                claims.as_of,
                claims.plan_key,
                services.settings.reporting_interval_days,
                texts_kept_from=services.settings.retention.texts_kept_from(
                    london_today(services.clock.now())
                ),
            )
        except PlanNotFound as exc:
            raise Refused(f"That plan is no longer in the bot ({exc}).") from exc
        # Claimed last, in the same transaction: a failure above leaves the link usable.
        if not claim_report_link(session, claims.nonce, claims.person_id, services.clock.now()):
            raise Refused(USED)
    return made


class ReportDownloads:
    """The download handler, bound to the running bot's services and worker threads."""

    def __init__(self, services: Services, executor: Executor | None = None) -> None:
        self.services = services
        self.executor = executor

    async def get(self, request: web.Request) -> web.StreamResponse:
        """Serve the file (HEAD: check the link only), or 403/404/503 with a plain message."""
        settings = self.services.settings
        if not (settings.link_secret and settings.public_base_url):
            return web.Response(status=404, text="Report links are not configured on this bot.")
        token = request.match_info["token"]
        try:
            if request.method == "HEAD":
                await in_worker(self.executor, check_link, self.services, token)
                return web.Response(status=200, headers={"Cache-Control": "no-store"})
            made = await in_worker(self.executor, make_file, self.services, token)
        except Refused as exc:
            log.info("report download refused: %s", exc)
            return web.Response(status=403, text=str(exc))
        except SQLAlchemyError:
            log.exception("report download failed: database error")
            return web.Response(
                status=503,
                text="The plan database cannot be used just now; the link still works. "
                "Try again in a minute.",
                headers={"Retry-After": "60"},
            )
        return web.Response(
            body=made.data,
            headers={
                "Content-Type": made.content_type,
                "Content-Disposition": f'attachment; filename="{made.filename}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )


def add_routes(app: web.Application, services: Services, executor: Executor | None) -> None:
    """Register ``GET /api/reports/{token}``."""
    app.router.add_get("/api/reports/{token}", ReportDownloads(services, executor).get)
