"""The bot's own, SDK-neutral view of a turn: who, where, when, what; and what to answer.

``bot.teams`` turns Teams activities into these and the answers back into activities; the
console (``python -m bot ask``) goes through the same Teams code with a test adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.clock import london_today


@dataclass(frozen=True)
class Sender:
    """The person who sent the activity."""

    aad_object_id: str | None
    name: str = ""
    user_id: str = ""
    email: str | None = None
    # The tenant whose directory holds the account ("": not said); with the object id, who
    # the person is. In a shared channel it can differ from the conversation's (host) tenant.
    tenant_id: str = ""
    # A B2B guest of the conversation's tenant (Teams' userRole "guest").
    is_guest: bool = False


def thread_root(conversation_id: str) -> str:
    """A channel's conversation id without the thread part (``;messageid=...``).

    Teams gives each thread of a channel its own conversation id; the part before
    ``;messageid=`` is the channel itself, where a new post starts a new thread.
    """
    return conversation_id.split(";messageid=", 1)[0]


@dataclass(frozen=True)
class Place:
    """The conversation: personal chat, team channel, group chat or meeting chat."""

    conversation_id: str
    conversation_type: str = "personal"
    tenant_id: str = ""
    team_id: str | None = None
    is_meeting: bool = False

    @property
    def kind(self) -> str:
        """personal, channel, groupChat or meeting (for help texts)."""
        return "meeting" if self.is_meeting else self.conversation_type

    @property
    def channel_conversation_id(self) -> str:
        """The conversation id of the channel itself (without a thread), or of this chat."""
        if self.conversation_type == "channel":
            return thread_root(self.conversation_id)
        return self.conversation_id

    @property
    def is_shared(self) -> bool:
        """True in channels, group chats and meetings, where others see the answer."""
        return self.conversation_type != "personal"


@dataclass(frozen=True)
class Request:
    """One incoming turn.

    Attributes:
        text: what was typed (mention removed), for messages.
        verb: the card action's verb, for card submits and Action.Execute.
        data: the card action's data (and inputs), for card submits and dialogs.
        now: the instant of the turn (from the injected clock).
        as_of: a fixed "today" (the console's ``--as-of``), else None.
        person_id: the sender's row in the person table, once known.
        memberships: the sender's active (body key, role) pairs, once known: what they may do.
        claimed: bodies the sender asked to join, not yet approved: they scope "me" questions
            and grant nothing.
        is_admin: the sender is a configured admin.
        is_invoke: the turn is an ``Action.Execute`` invoke, whose answer card only the person
            who clicked sees (an ``Action.Submit`` answer is posted for everyone to see).
        can_answer_privately: the edge can answer in a shared conversation so that only the
            sender sees it (a Teams targeted message, or else a 1:1 chat).
        asked_privately: the message itself was private (a Teams targeted message to the bot,
            e.g. a slash command), so the answer is private too.
        answered_privately: this answer goes to the sender only (set by ``bot.dispatch`` for
            personal questions in shared conversations, see ``bot.privacy``).
    """

    sender: Sender
    place: Place
    now: datetime
    text: str = ""
    verb: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    as_of: date | None = None
    person_id: int | None = None
    memberships: tuple[tuple[str, str], ...] = ()
    claimed: tuple[str, ...] = ()
    is_admin: bool = False
    activity_id: str | None = None
    reply_to_id: str | None = None
    is_invoke: bool = False
    can_answer_privately: bool = False
    asked_privately: bool = False
    answered_privately: bool = False

    @property
    def seen_only_by_sender(self) -> bool:
        """True when nobody else sees the answer: a 1:1 chat, an invoke or a private answer."""
        return not self.place.is_shared or self.is_invoke or self.answered_privately

    @property
    def today(self) -> date:
        """The London date of the turn, or the fixed "as of" date."""
        return self.as_of or london_today(self.now)


@dataclass(frozen=True)
class Message:
    """One message to post: text, a card, or both."""

    text: str | None = None
    card: dict[str, Any] | None = None


@dataclass
class Reply:
    """What a handler answers.

    Attributes:
        messages: the answer to a typed message (or an ``Action.Submit``).
        card: for ``Action.Execute``, the card that replaces the one clicked (posted as a new
            message when the click came from an ``Action.Submit`` instead).
        notice: for ``Action.Execute`` without a card, a short text answer.
        error: for ``Action.Execute``, an error the client shows (the click failed).
        posts: messages posted to the conversation whatever the kind of turn (e.g. a notice
            that someone posted an update).
        refresh: a fresh version of the card the button was on, to replace that message for
            everyone in a shared conversation (so a channel never shows a stale status).
        redraw: the card action (verb and data) that drew the card the button was on; the
            dispatcher runs it again and puts its card in ``refresh``.
        private: in a shared conversation, ``messages`` go only to the sender (a refusal, or a
            personal answer); ``posts`` are still for everyone.
        share_text: with ``private``, the question whose answer the sender may share with the
            chat ("Share with the chat" runs it again for everyone to see); None: not shareable.
    """

    messages: list[Message] = field(default_factory=list)
    card: dict[str, Any] | None = None
    notice: str | None = None
    error: str | None = None
    posts: list[Message] = field(default_factory=list)
    refresh: dict[str, Any] | None = None
    redraw: dict[str, Any] | None = None
    private: bool = False
    share_text: str | None = None

    @classmethod
    def refusal(cls, text: str) -> Reply:
        """A "you may not" answer: one line that only the sender sees in a shared conversation."""
        return cls(messages=[Message(text=text)], notice=text, private=True)

    @classmethod
    def with_card(cls, card: dict[str, Any]) -> Reply:
        """A reply that is one card (posted, or replacing the card clicked)."""
        return cls(messages=[Message(card=card)], card=card)

    @classmethod
    def with_text(cls, text: str) -> Reply:
        """A reply that is one line of text."""
        return cls(messages=[Message(text=text)], notice=text)


@dataclass(frozen=True)
class DialogView:
    """A Teams dialog (task module) to show: a title and a card."""

    title: str
    card: dict[str, Any]
    width: str = "medium"
    height: str = "medium"


@dataclass(frozen=True)
class DialogDone:
    """The dialog closes; ``message`` is shown to the person, ``post`` goes to the chat.

    ``refresh`` replaces the card the dialog was opened from; ``redraw`` is the card action
    that drew it, for the dispatcher to run again (see :class:`Reply`).
    """

    message: str
    post: list[Message] = field(default_factory=list)
    refresh: dict[str, Any] | None = None
    redraw: dict[str, Any] | None = None


@dataclass(frozen=True)
class SearchResult:
    """One compose-box search result: a preview line, and the card inserted when chosen."""

    title: str
    subtitle: str
    text: str
    card: dict[str, Any]


@dataclass(frozen=True)
class SearchResults:
    """A compose-box (message extension) search answer: results, or a message instead."""

    results: tuple[SearchResult, ...] = ()
    message: str | None = None


@dataclass(frozen=True)
class MeetingPresence:
    """People in a Teams meeting, from its start or a participant-join event.

    Attributes:
        meeting_key: the meeting's own id (Teams ``channelData.meeting.id``).
        aad_object_ids: the AAD object ids of the people present (as the event names them).
        now: the instant of the event (injected clock).
    """

    meeting_key: str
    aad_object_ids: Sequence[str]
    now: datetime


@dataclass(frozen=True)
class NudgeToSend:
    """One private note to one person (already recorded as sent for this meeting)."""

    aad_object_id: str
    person_id: int
    message: Message
