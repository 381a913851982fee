"""Single use of report download links: a link's nonce is recorded when it is used."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import insert_if_new
from storage.models import ReportLinkUse

KEEP_USED_FOR = timedelta(days=1)


def claim_report_link(session: Session, nonce: str, person_id: int, now: datetime) -> bool:
    """Record that the link ``nonce`` is being used; False when it was used before.

    Also forgets uses older than a day (those links expired long ago and are refused anyway).
    Two downloads racing with the same link: the primary key lets only one insert commit.
    """
    session.execute(delete(ReportLinkUse).where(ReportLinkUse.used_at < now - KEEP_USED_FOR))
    return insert_if_new(
        session, ReportLinkUse, {"nonce": nonce, "person_id": person_id, "used_at": now}, ["nonce"]
    )


def report_link_used(session: Session, nonce: str) -> bool:
    """Whether the link ``nonce`` has been used (a check that uses nothing up)."""
    return (
        session.scalar(select(ReportLinkUse.nonce).where(ReportLinkUse.nonce == nonce)) is not None
    )
