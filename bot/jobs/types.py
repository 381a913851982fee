"""What the jobs and the sender agree on: a send's result and the sender protocol (SDK-neutral)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.turns import Message
from storage.conversations import ReferenceRecord

# The connector refused the message but may accept it later: wait and try again.
RETRYABLE_STATUSES = frozenset({412, 429, 502, 503, 504})
# The bot is no longer in the conversation (app removed, chat deleted): never retried.
GONE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True)
class SendResult:
    """The connector's answer to one send.

    Attributes:
        status: the HTTP status; None when there was no answer.
        activity_id: the id of the posted activity, on success.
        retry_after: seconds from the Retry-After header, when the connector sent one.
        error: a short description of a failure.
        in_doubt: no answer came after the request may have reached the connector (a timeout,
            a dropped connection): it may have arrived, so it is never sent again.
    """

    status: int | None
    activity_id: str | None = None
    retry_after: float | None = None
    error: str = ""
    in_doubt: bool = False

    @property
    def ok(self) -> bool:
        """The connector accepted the message."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """The conversation is no longer reachable (403/404)."""
        return self.status in GONE_STATUSES

    @property
    def retryable(self) -> bool:
        """Refused for now (throttled or unavailable): safe to send again."""
        return self.status in RETRYABLE_STATUSES


class Sender(Protocol):
    """Posts one message to one stored conversation, once (retries are the caller's)."""

    async def send(self, reference: ReferenceRecord, message: Message) -> SendResult:
        """Send ``message`` to the conversation; never raises for an HTTP failure."""
        ...


@dataclass
class JobSummary:
    """What one run of the jobs did (the JSON answer of ``POST /api/jobs/run``)."""

    planned: int = 0
    sent: int = 0
    failed: int = 0
    gone: int = 0
    skipped: int = 0
    no_chat: int = 0
    unknown: int = 0
    retries: int = 0
    # What the retention rule redacted or deleted in this run (empty: not applied).
    retention: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        """Add one delivery that ended with ``status``."""
        if status in ("sent", "failed", "gone", "skipped", "no_chat", "unknown"):
            setattr(self, status, getattr(self, status) + 1)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready counts."""
        return {
            "planned": self.planned,
            "sent": self.sent,
            "failed": self.failed,
            "gone": self.gone,
            "skipped": self.skipped,
            "no_chat": self.no_chat,
            "unknown": self.unknown,
            "retries": self.retries,
            "retention": dict(self.retention),
        }
