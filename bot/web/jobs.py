"""``POST /api/jobs/run``: an external scheduler (cron, an Azure Functions timer) runs the jobs.

The request must carry ``Authorization: Bearer <JOBS_TOKEN>`` (compared in constant time);
otherwise 401. When ``JOBS_TOKEN`` is empty the endpoint does not exist (404), so a bot
without a token cannot be triggered from outside. The jobs run for the bot's own clock (no
``now`` is accepted from the request, so nothing can be sent early) and the answer is a JSON
summary: planned, sent, failed, gone, skipped, no_chat, unknown and retries.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.jobs.runner import JobRunner

log = logging.getLogger(__name__)
JOBS_PATH = "/api/jobs/run"


def authorised(header: str, token: str) -> bool:
    """Whether an ``Authorization`` header carries the bearer token (constant-time compare)."""
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def add_jobs_route(app: web.Application, runner: JobRunner, clock: Clock, token: str) -> None:
    """Serve ``POST /api/jobs/run`` for this runner."""

    async def run_jobs(request: web.Request) -> web.Response:
        if not token:
            return web.json_response({"error": "not found"}, status=404)
        if not authorised(request.headers.get("Authorization", ""), token):
            return web.json_response(
                {"error": "unauthorized"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="jobs"'},
            )
        try:
            summary = await runner.run(clock.now())
        except SQLAlchemyError:
            log.exception("the jobs could not run: database error")
            return web.json_response(
                {"error": "the database cannot be used right now; nothing was sent"},
                status=503,
                headers={"Retry-After": "60"},
            )
        return web.json_response({"status": "done", **summary.as_dict()})

    app.router.add_post(JOBS_PATH, run_jobs)
