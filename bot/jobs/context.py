"""What a run of the jobs works with: the database, a sender, limits, and how to wait."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.background import worker
from bot.jobs.policy import Limits, RateLimits
from bot.jobs.types import Sender
from bot.plan.retention import RetentionPolicy

Blocking = Callable[..., Awaitable[Any]]
DEFAULT_GRACE = timedelta(hours=12)
# A claim nobody finished within this time is called "unknown" (see storage.deliveries).
STALE_CLAIM_AFTER = timedelta(minutes=30)


def worker_name() -> str:
    """This process's name on the claims it makes: host, pid and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class JobContext:
    """Everything the jobs need; built once per process (``bot.app``, the CLI, tests).

    Attributes:
        db: the session factory.
        sender: posts one message to one conversation.
        blocking: runs a blocking function off the event loop (the runtime's executor).
        grace: how late a missed delivery may still be sent.
        attempts: how many times one message is tried before it is recorded as failed.
        concurrency: how many deliveries are under way at once (claimed and waiting for the
            limiters, on the wire, or waiting between tries); the limiters set the pace.
        limits: the rate limits (per conversation, per tenant): in this process by default;
            the running bot shares them with its other instances through the database.
        sleep: how to wait between tries (tests pass one that does not sleep).
        worker: the name this process writes on its claims.
        stale_after: when an unfinished claim is given up as "unknown".
        in_flight_wait: seconds a cancelled run waits for a send already on the wire.
        allowed_tenants: when not empty, only conversations of these tenants are posted to.
        retention: the retention rule each run applies (None: not applied, e.g. in tests
            about sending).
    """

    db: sessionmaker[Session]
    sender: Sender
    blocking: Blocking = field(default_factory=lambda: worker(None))
    grace: timedelta = DEFAULT_GRACE
    attempts: int = 5
    concurrency: int = 32
    limits: RateLimits = field(default_factory=Limits)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    worker: str = field(default_factory=worker_name)
    stale_after: timedelta = STALE_CLAIM_AFTER
    in_flight_wait: float = 60.0
    allowed_tenants: tuple[str, ...] = ()
    retention: RetentionPolicy | None = None
