"""Every card action verb and dialog id, in one place.

A card action's data always carries ``verb`` (``Action.Submit``) or the action's own ``verb``
(``Action.Execute``); the route table in ``bot.routes`` maps each verb to one handler.
"""

from typing import Final

# Lists and details
LIST_PAGE: Final = "list.page"
SHOW_ACTION: Final = "action.show"
SHOW_HISTORY: Final = "action.history"
RUN_COMMAND: Final = "command.run"
SHARE_ANSWER: Final = "answer.share"
PRIORITIES_PAGE: Final = "priorities.page"

# Progress updates
OPEN_UPDATE_INLINE: Final = "update.inline"
SAVE_UPDATE: Final = "update.save"
CANCEL_UPDATE: Final = "update.cancel"

# Who I work for
CHOOSE_BODIES: Final = "bodies.choose"
SAVE_BODIES: Final = "bodies.save"

# Status card
REFRESH_STATUS: Final = "status.refresh"
SHOW_ALL_OVERDUE: Final = "status.overdue"

# Plan report (chairs and admins)
REPORT_LINKS: Final = "report.links"

# Meetings and rules (chairs and admins)
MEETINGS_PAGE: Final = "meetings.page"
EDIT_MEETING: Final = "meeting.edit"
SAVE_MEETING: Final = "meeting.save"
EDIT_RULES: Final = "rules.edit"
SAVE_RULES: Final = "rules.save"
REMINDERS_ON: Final = "reminders.on"
REMINDERS_OFF: Final = "reminders.off"

# Overdue notes in Teams meetings (each person's own choice)
MEETING_NUDGES_OFF: Final = "meeting_nudges.off"
MEETING_NUDGES_ON: Final = "meeting_nudges.on"

# Scrutiny requests (chairs and admins record responses)
RESPOND_SCRUTINY: Final = "scrutiny.respond"
SAVE_SCRUTINY_RESPONSE: Final = "scrutiny.save"

# Audit log (admins)
AUDIT_PAGE: Final = "audit.page"

# Membership requests (chairs and admins decide)
APPROVE_MEMBERSHIP: Final = "membership.approve"
REFUSE_MEMBERSHIP: Final = "membership.refuse"

# Compose-box (message extension) command ids, as in the manifest's composeExtensions
SEARCH_ACTIONS: Final = "searchActions"
# ...and the bot's own id for a pasted link to unfurl (``composeExtension/queryLink``)
UNFURL_LINK: Final = "link.unfurl"

# Dialog (task module) ids
DIALOG_UPDATE: Final = "update"

ALL_VERBS: Final = frozenset(
    {
        AUDIT_PAGE,
        APPROVE_MEMBERSHIP,
        REFUSE_MEMBERSHIP,
        LIST_PAGE,
        SHOW_ACTION,
        SHOW_HISTORY,
        RUN_COMMAND,
        SHARE_ANSWER,
        PRIORITIES_PAGE,
        OPEN_UPDATE_INLINE,
        SAVE_UPDATE,
        CANCEL_UPDATE,
        CHOOSE_BODIES,
        SAVE_BODIES,
        REFRESH_STATUS,
        MEETINGS_PAGE,
        SHOW_ALL_OVERDUE,
        REPORT_LINKS,
        EDIT_MEETING,
        SAVE_MEETING,
        EDIT_RULES,
        SAVE_RULES,
        REMINDERS_ON,
        REMINDERS_OFF,
        MEETING_NUDGES_OFF,
        MEETING_NUDGES_ON,
        RESPOND_SCRUTINY,
        SAVE_SCRUTINY_RESPONSE,
    }
)
