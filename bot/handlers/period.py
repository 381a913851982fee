"""The plan's period in answers: said once when it has ended; admins extend it from chat.

"extend plan to 31 March 2025: the Sub Panel recommended it" (admins only) moves the current
plan's end, with the reason kept in the audit log.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.handlers.common import actor_of
from bot.plan.period import PlanChangeRefused, PlanPeriod, ended_notice, long_date
from bot.plan.types import PlanNotFound
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.base import with_notice

# Questions that are about the plan's dates themselves, or have nothing to do with the plan.
_NO_NOTICE = frozenset({"extend_plan", "help", "link", "unlink", "links", "reminders", "rules"})
_REASON_RE = re.compile(r"(?::|\bbecause\b|\s[-–]\s)\s*(?P<reason>.+)$", re.DOTALL | re.IGNORECASE)


def current_period(services: Services) -> PlanPeriod | None:
    """The current plan's title and period (from the plan cache), or None."""
    try:
        plan = services.plan.plan()
    except PlanNotFound:
        return None
    return PlanPeriod(plan.title, plan.starts, plan.ends)


def with_period_notice(services: Services, request: Request, intent: Intent, reply: Reply) -> Reply:
    """Start the answer with "the plan ended on ..." when today is past the current plan.

    Not for questions about an earlier plan (which has ended by definition), nor when "as of"
    puts the question inside the period.
    """
    if intent.name in _NO_NOTICE or intent.plan is not None or not reply.messages:
        return reply
    period = current_period(services)
    day = intent.as_of or request.today
    notice = ended_notice(period, day, admin=request.is_admin) if period else None
    if notice is None:
        return reply
    # Said inside the answer's first message (under a card's heading, or before its text), so
    # the answer stays one message.
    first, *rest = reply.messages
    if first.card is not None:
        card = services.cards.derive(with_notice, first.card, notice)
        shown = replace(first, card=card)
        return replace(
            reply, messages=[shown, *rest], card=card if reply.card is first.card else reply.card
        )
    text = f"{notice}\n\n{first.text}" if first.text else notice
    return replace(reply, messages=[replace(first, text=text), *rest])


USAGE = (
    "Say “extend plan to 31 March 2025: <reason>”. The reason is kept in the audit log. "
    "To revise deadlines too, use `python -m bot extend-plan --until 2025-03-31 --reason ... "
    "--deadlines deadlines.csv` on the server."
)


def extend_plan_intent(services: Services, request: Request, intent: Intent) -> Reply:
    """Admins: move the current plan's end date, with a reason (audited)."""
    if not request.is_admin:
        return Reply.with_text("Only an administrator can extend the plan's period.")
    until = intent.window.end if intent.window else None
    # The reason in the person's own words (the intent's text is lower-cased).
    reason_found = _REASON_RE.search(request.text.split(str(until.year), 1)[-1]) if until else None
    if until is None or reason_found is None:
        return Reply.with_text(USAGE)
    try:
        done = services.plan.extend_plan(
            until, reason_found["reason"], actor_of(request), request.now
        )
    except (PlanChangeRefused, PlanNotFound) as exc:
        return Reply.with_text(f"{exc} Nothing was changed.")
    old = f" (was {long_date(done.old_end)})" if done.old_end else ""
    return Reply.with_text(f"The {done.plan_title} now runs to {long_date(done.new_end)}{old}.")
