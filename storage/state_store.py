"""Key-value documents with eTags, for the bot framework's turn state (optimistic concurrency)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import BotState

ANY_ETAG = "*"


class ETagConflict(Exception):
    """The document changed since it was read (or was expected to exist and does not)."""


def read_documents(session: Session, keys: Iterable[str]) -> dict[str, tuple[dict[str, Any], str]]:
    """The stored documents for ``keys`` (missing keys are left out), with their eTags."""
    wanted = list(keys)
    if not wanted:
        return {}
    rows = session.scalars(select(BotState).where(BotState.key.in_(wanted))).all()
    return {row.key: (dict(row.document), row.etag) for row in rows}


def write_document(
    factory: sessionmaker[Session],
    key: str,
    document: dict[str, Any],
    expected_etag: str | None,
    now: datetime,
) -> str:
    """Store a document; with an eTag other than None/"*", only if it is still that version.

    Returns:
        The new eTag.

    Raises:
        ETagConflict: when the stored version is not ``expected_etag``.
    """
    new_etag = uuid.uuid4().hex
    with factory() as session, session.begin():
        if expected_etag not in (None, "", ANY_ETAG):
            changed = session.execute(
                update(BotState)
                .where(BotState.key == key, BotState.etag == expected_etag)
                .values(document=document, etag=new_etag, updated_at=now)
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise ETagConflict(f"state {key!r} was changed by another turn")
            return new_etag
        row = session.get(BotState, key)
        if row is not None:
            row.document, row.etag, row.updated_at = document, new_etag, now
            return new_etag
    try:
        with factory() as session, session.begin():
            session.add(BotState(key=key, document=document, etag=new_etag, updated_at=now))
    except IntegrityError:
        # Created by another writer in between: "*" means last writer wins.
        return write_document(factory, key, document, ANY_ETAG, now)
    return new_etag


def delete_documents(session: Session, keys: Iterable[str]) -> None:
    """Remove documents (missing keys are ignored)."""
    session.execute(delete(BotState).where(BotState.key.in_(list(keys))))
