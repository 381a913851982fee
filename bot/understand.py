"""What a person typed, turned into an :class:`Intent` with its arguments.

No cloud language service: keywords for each command, body names from the partnership's own
list (abbreviations, aliases, near spellings), section titles of the plan, and time phrases.
Everything here is pure and table-tested in ``tests/test_understand.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.plan.body_names import BodyIndex, normalise
from bot.plan.statuses import STATUS_WORDS
from bot.plan.vocabulary import Vocabulary
from bot.timephrases import Window, read_time

__all__ = ["Intent", "Vocabulary", "understand"]

# The command menu, in the order help lists it; the first word is what "did you mean" offers.
COMMANDS: tuple[str, ...] = (
    "help",
    "priorities",
    "actions",
    "overdue",
    "my actions",
    "status",
    "meetings",
    "update",
    "history",
    "my bodies",
)


_NUMBER = r"\d{1,2}\.\d{1,2}[a-z]?"
_NUMBER_RE = re.compile(rf"(?<![\d.]){_NUMBER}(?![\d.])")
_UPDATE_RE = re.compile(
    rf"^(?:please\s+)?(?:post\s+(?:an?\s+)?)?update\s+(?:for\s+|on\s+)?(?:action\s+)?(?P<number>{_NUMBER})"
    r"(?P<rest>.*)$",
    re.DOTALL | re.IGNORECASE,
)
_STATUS_RE = re.compile(
    r"^\s*[:\-–,]?\s*(?:status\s*[:=]?\s*)?(?P<status>"
    + "|".join(sorted(STATUS_WORDS, key=len, reverse=True))
    + r")\b\s*[:\-–,.]?\s*(?P<text>.*)$",
    re.DOTALL | re.IGNORECASE,
)
_HISTORY_RE = re.compile(
    rf"\b(?:history|updates|timeline)\s+(?:of\s+|for\s+|on\s+)?(?:action\s+)?(?P<number>{_NUMBER})"
)
_THEME_RE = re.compile(r"\b(?:theme|delivery plan|priority)\s+(?P<n>[1-9])\b")
_ME_RE = re.compile(r"\b(?:me|my|mine|i|im|us|our|ours|we)\b")
_IDIOMS_RE = re.compile(r"\b(?:show|tell|give|send|let)\s+(?:me|us)\b")
_EVERYONE_RE = re.compile(r"\b(?:all|everything|everyone|every body|whole plan|overall|any body)\b")
_PREVIOUS_PLAN_RE = re.compile(
    r"\b(?:previous|old|older|earlier|last|former)\s+plan\b|\b2018(?:\s*[-/]\s*(?:20)?21)?\b"
)

_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "all",
        "an",
        "and",
        "any",
        "anything",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "get",
        "give",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "list",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "show",
        "tell",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "this",
        "those",
        "to",
        "us",
        "was",
        "we",
        "what",
        "whats",
        "when",
        "where",
        "which",
        "who",
        "whose",
        "will",
        "with",
        "would",
        "you",
        "action",
        "actions",
        "plan",
        "owned",
        "owner",
        "owners",
        "own",
        "item",
        "items",
        "task",
        "tasks",
    ]
)

# Keyword rules, checked in order; the first that matches names the intent.
_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("help", re.compile(r"^(?:help|hi|hello|hey|start|menu|commands|\?|what can you do)\b")),
    ("link", re.compile(r"^link\b|\blink (?:this )?(?:channel|chat)\b")),
    ("unlink", re.compile(r"^unlink\b")),
    ("links", re.compile(r"^(?:links|linked channels)\b")),
    (
        "my_bodies",
        re.compile(
            r"\bmy (?:bodies|organisations?|organizations?|groups|teams)\b|\bwho do i work for\b"
            r"|\bi (?:work|am) (?:for|in|with|at)\b|\bchoose (?:my )?bodies\b|\bwho am i\b"
        ),
    ),
    ("report", re.compile(r"^(?:report|export)\b|\b(?:scrutiny|panel) report\b")),
    ("audit", re.compile(r"^audit\b")),
    (
        "failed_deliveries",
        re.compile(r"\bfailed (?:deliver(?:y|ies)|messages|sends)\b|\bdelivery failures\b"),
    ),
    ("reminders", re.compile(r"\breminders?\b")),
    ("rules", re.compile(r"^rules\b|\bprompt rules\b")),
    ("meetings", re.compile(r"\bmeet(?:s|ing|ings)?\b|\bcalendar\b|\bagenda\b")),
    ("status", re.compile(r"\bstatus\b|\bsummary\b|\bdashboard\b|\bhow are we doing\b|\brag\b")),
    (
        "overdue",
        re.compile(r"\boverdue\b|\blate\b|\bbehind\b|\bpast (?:due|deadline)\b|\bmissed\b|\bslipp"),
    ),
    ("due", re.compile(r"\bdue\b|\bdeadlines?\b|\bcoming up\b|\bupcoming\b")),
    (
        "my_actions",
        re.compile(
            r"\bmy (?:actions|tasks|work)\b|\bwhat do (?:i|we) own\b|\bassigned to (?:me|us)\b"
        ),
    ),
    ("priorities", re.compile(r"\bpriorit|\bthemes?\b|\boutcomes?\b|\bplans?\b")),
    ("actions", re.compile(r"\bactions?\b|\bshow\b|\blist\b|\babout\b|\bfind\b|\bsearch\b")),
    ("update", re.compile(r"^(?:post )?(?:an? )?update\b")),
)


@dataclass(frozen=True)
class Intent:
    """What the person asked for.

    Attributes:
        name: one of help, priorities, actions, action, overdue, due, my_actions, status,
            meetings, update, history, my_bodies, link, unlink, links, report, audit,
            reminders, rules, failed_deliveries, unknown.
        bodies: keys of the bodies named.
        me: the person asked about themselves ("for me", "my").
        everyone: the person asked about the whole plan ("all").
    """

    name: str
    bodies: tuple[str, ...] = ()
    me: bool = False
    everyone: bool = False
    number: str | None = None
    numbers: tuple[str, ...] = ()
    theme: int | None = None
    section: str | None = None
    words: tuple[str, ...] = ()
    window: Window | None = None
    as_of: date | None = None
    plan: str | None = None
    status: str | None = None
    text: str = ""
    suggestions: tuple[str, ...] = field(default=())
    on: bool | None = None


def clean(text: str) -> str:
    """Lower-case, straight apostrophes removed, punctuation at the ends dropped."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = " ".join(text.split()).strip()
    text = re.sub(r"^[\s,.!;:]+|[\s,.!?;:]+$", "", text)
    return text.lower().replace("'", "")


def _update_intent(raw: str) -> Intent | None:
    """Read "update 1.18 on track: text" (the text keeps the person's own capitalisation)."""
    found = _UPDATE_RE.match(" ".join(raw.replace("’", "'").split()))
    if not found:
        return None
    number, rest = found["number"].lower(), found["rest"]
    status_found = _STATUS_RE.match(rest)
    if status_found:
        status = STATUS_WORDS[" ".join(status_found["status"].lower().split())]
        return Intent("update", number=number, status=status, text=status_found["text"].strip())
    return Intent("update", number=number, text=re.sub(r"^\s*[:\-–,]\s*", "", rest).strip())


@lru_cache(maxsize=8)
def _section_patterns(
    sections: tuple[str, ...],
) -> tuple[tuple[tuple[str, re.Pattern[str]], ...], dict[str, str]]:
    """Each title's pattern, longest title first, and titles by normalised text (per plan).

    Built once per set of section titles (the vocabulary changes rarely), not on every message.
    """
    patterns = []
    for title in sorted(sections, key=len, reverse=True):
        wanted = normalise(title)
        if wanted:
            patterns.append((title, re.compile(rf"(?<![a-z0-9]){re.escape(wanted)}(?![a-z0-9])")))
    return tuple(patterns), {normalise(t): t for t in sections}


def _sections_in(text: str, sections: tuple[str, ...]) -> tuple[str | None, str]:
    """A section title named in the text (exact words first, then close), and the rest."""
    norm = normalise(text)
    patterns, by_norm = _section_patterns(sections)
    for title, pattern in patterns:
        if pattern.search(norm):
            return title, pattern.sub(" ", norm)
    content = [w for w in norm.split() if w not in _STOPWORDS and len(w) > 2]
    if content and sections:
        found = process.extractOne(
            " ".join(content), list(by_norm), scorer=fuzz.token_set_ratio, score_cutoff=90
        )
        if found:
            return by_norm[found[0]], ""
    return None, norm


def _bodies_in(text: str, index: BodyIndex) -> tuple[tuple[str, ...], str]:
    matches = index.scan(text)
    keys = tuple(dict.fromkeys(m.body.key for m in matches))
    rest = normalise(text)
    for match in sorted(matches, key=lambda m: m.start, reverse=True):
        rest = rest[: match.start] + " " + rest[match.end :]
    if not keys:
        tail = re.search(r"\b(?:for|of|by|from)\s+(?:the\s+)?(?P<name>[a-z][a-z ]{3,60})$", rest)
        if tail:
            body = index.fuzzy(tail["name"], cutoff=85)
            if body is not None:
                return (body.key,), rest[: tail.start()]
    return keys, rest


def _suggest(text: str) -> tuple[str, ...]:
    found = process.extract(text, COMMANDS, scorer=fuzz.WRatio, limit=3, score_cutoff=55)
    picked = [name for name, _, _ in found]
    return tuple(picked) if picked else ("help", "overdue", "priorities")


def _keyword_intent(text: str) -> str | None:
    for name, pattern in _KEYWORDS:
        if pattern.search(text):
            return name
    return None


def understand(raw: str, vocabulary: Vocabulary, today: date) -> Intent:
    """Turn one message (the bot's @mention already removed) into an intent.

    Args:
        raw: what the person typed.
        vocabulary: bodies, sections and plans the bot can name.
        today: the London date, for phrases such as "next month".
    """
    lowered = clean(raw)
    if not lowered:
        return Intent("help")
    update = _update_intent(raw)
    if update is not None:
        return update
    history = _HISTORY_RE.search(lowered)
    if history:
        return Intent("history", number=history["number"])
    numbers = tuple(dict.fromkeys(_NUMBER_RE.findall(lowered)))
    keyword = _keyword_intent(lowered)
    if keyword == "audit":
        return Intent("audit", number=numbers[0] if numbers else None, numbers=numbers)
    if numbers and keyword not in ("link", "unlink", "meetings"):
        if len(numbers) == 1:
            return Intent("action", number=numbers[0], numbers=numbers)
        return Intent("actions", numbers=numbers)
    return _intent_with_arguments(lowered, keyword, vocabulary, today)


def _intent_with_arguments(
    lowered: str, keyword: str | None, vocabulary: Vocabulary, today: date
) -> Intent:
    time = read_time(lowered, today)
    text = lowered
    if time.span:
        text = text[: time.span[0]] + " " + text[time.span[1] :]
    theme_found = _THEME_RE.search(text)
    theme = int(theme_found["n"]) if theme_found else None
    if theme_found:
        text = text[: theme_found.start()] + " " + text[theme_found.end() :]
    plan = vocabulary.previous_plan_key if _PREVIOUS_PLAN_RE.search(text) else None
    section, rest = _sections_in(text, vocabulary.sections)
    bodies, rest = _bodies_in(rest, vocabulary.bodies)
    me = bool(_ME_RE.search(_IDIOMS_RE.sub(" ", rest)))
    everyone = bool(_EVERYONE_RE.search(text))
    words = tuple(w for w in rest.split() if w not in _STOPWORDS and len(w) > 2)
    intent = Intent(
        name=keyword or "unknown",
        bodies=bodies,
        me=me,
        everyone=everyone,
        theme=theme,
        section=section,
        window=time.window,
        as_of=time.as_of,
        plan=plan,
    )
    return _settle(intent, lowered, words)


_COMMAND_WORDS = frozenset(
    [
        "overdue",
        "late",
        "behind",
        "due",
        "deadline",
        "deadlines",
        "status",
        "summary",
        "meeting",
        "meetings",
        "priorities",
        "priority",
        "themes",
        "theme",
        "outcomes",
        "outcome",
        "show",
        "list",
        "find",
        "search",
        "about",
        "coming",
        "upcoming",
        "missed",
        "past",
        "dashboard",
        "calendar",
        "agenda",
        "update",
        "updates",
        "reminders",
        "reminder",
        "link",
        "unlink",
        "links",
        "report",
        "export",
        "audit",
        "rules",
        "failed",
        "deliveries",
        "help",
    ]
)


def _settle(intent: Intent, lowered: str, words: tuple[str, ...]) -> Intent:
    """Fill in what the keyword alone left open, or fall back to "did you mean"."""
    topic = tuple(w for w in words if w not in _COMMAND_WORDS)
    if intent.name == "reminders":
        off = re.search(r"\b(?:off|stop|no|disable|none)\b", lowered)
        on = re.search(r"\b(?:on|start|yes|enable|opt in)\b", lowered)
        return replace(intent, on=False if off else True if on else None)
    if intent.name == "unknown":
        if intent.bodies or intent.section or intent.theme:
            return replace(intent, name="actions", words=topic)
        if intent.window is not None:
            return replace(intent, name="due")
        return replace(intent, text=lowered, suggestions=_suggest(lowered))
    if intent.name == "actions" and intent.me and not intent.bodies and not intent.section:
        return replace(intent, name="my_actions", words=topic)
    if intent.name in ("actions", "due", "overdue", "my_actions", "status"):
        return replace(intent, words=topic if intent.name == "actions" else ())
    return intent
