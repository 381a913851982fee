"""Help, the welcome on install, and "did you mean" for text the bot cannot place."""

from __future__ import annotations

from bot.handlers.understood import did_you_mean
from bot.services import Services
from bot.turns import Reply, Request
from bot.understand import Intent
from cards.answers import did_you_mean_body_card
from cards.help import did_you_mean_card, help_card
from cards.views import HelpView


def help_reply(services: Services, request: Request, intent: Intent) -> Reply:
    """Answer "help" with what to ask here."""
    return Reply.with_card(help_card(HelpView(place=request.place.kind)))


def welcome(request: Request) -> Reply:
    """Sent when the app is installed in a chat, channel or meeting."""
    return Reply.with_card(
        help_card(
            HelpView(place=request.place.kind, greeting="Hello from the Safer Partnership bot")
        )
    )


def not_understood(services: Services, request: Request, intent: Intent) -> Reply:
    """Text the bot cannot place: a short "did you mean" with the closest commands."""
    if intent.unknown_name and intent.maybe:
        return Reply.with_card(did_you_mean_body_card(did_you_mean(intent, services.vocabulary())))
    shown = request.text.strip()[:80]
    view = HelpView(place=request.place.kind, not_understood=shown, suggestions=intent.suggestions)
    return Reply.with_card(did_you_mean_card(view))
