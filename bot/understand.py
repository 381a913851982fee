"""What a person typed, turned into an :class:`Intent`: what they want, and the things they name.

No cloud language service. A question is read as an intent (overdue, due, status, a single fact,
a topic search...) plus entities: bodies (name, abbreviation, alias, full name, near spelling),
themes, sections, outcomes, action numbers, people of the terms of reference, abbreviations of
the glossary, periods and the previous plan. Words that are neither an entity nor an intent word
never filter anything: they become the topic of a ranked search (when the plan uses them) or a
"did you mean" (when they look like a name the bot does not know). Everything here is pure and
table-tested in ``tests/test_understand.py`` and the labelled corpus ``tests/corpus``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.plan.body_names import BodyIndex, normalise
from bot.plan.search import stem
from bot.plan.statuses import (
    AT_RISK,
    COMPLETE,
    NO_UPDATE,
    NOT_STARTED,
    OFF_TRACK,
    ON_TRACK,
    ONGOING,
    STATUS_WORDS,
)
from bot.plan.vocabulary import Vocabulary
from bot.timephrases import TimePhrase, Window, read_time
from bot.wordlists import FILLER as _FILLER
from bot.wordlists import INTENT_WORDS as _INTENT_WORDS

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
# "mark 1.18 as done", "set 1.18 to on track", "1.18 is complete: ToR agreed" (a status word
# must follow; a question, "1.18 complete?", is not an update).
_STATUS_CHANGE_RE = re.compile(
    rf"^(?:please\s+)?(?:(?:mark|set|move|change|put)\s+(?:action\s+)?(?P<set>{_NUMBER})\s+"
    rf"(?:as|to)\s+|(?:action\s+)?(?P<said>{_NUMBER})\s+(?:is\s+(?:now\s+)?|now\s+|has\s+been\s+)?)"
    r"(?P<rest>.*[^?\s])\s*$",
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
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_SMALL = r"(?P<n>\d{1,2}|" + "|".join(_NUMBER_WORDS) + ")"
_THEME_RE = re.compile(
    rf"\b(?:theme|delivery plan|priority|thème)\s+(?:number\s+|no\s+)?{_SMALL}\b"
)
_OUTCOME_RE = re.compile(rf"\boutcome\s+(?:number\s+|no\s+)?{_SMALL}\b")
_ME_RE = re.compile(
    r"\b(?:me|my|mine|myself|i|im|ive)\b|\bfor us\b|\bour (?:actions?|tasks?|work|bodies|team|"
    r"organisation|organization|group)\b|\bassigned to us\b|\b(?:do|are|have) we (?:own|got)\b"
    r"|\bwe own\b|\bare we (?:late|behind|overdue)\b"
)
_IDIOMS_RE = re.compile(
    r"\b(?:show|tell|give|send|let|help|remind)\s+(?:me|us)\b|\b(?:can|could|may|should) i\b"
    r"|\bi (?:want|need|would like|wonder)\b|\bi'?d like\b"
)
_EVERYONE_RE = re.compile(
    r"\b(?:all|everything|everyone|every body|whole plan|overall|any body|across the plan)\b"
)
_PREVIOUS_PLAN_RE = re.compile(
    r"\b(?:previous|old|older|earlier|last|former)\s+plans?\b|\b2018(?:\s*[-/]\s*(?:20)?21)?\b"
)
_SMALL_TALK_RE = re.compile(
    r"^(?:thanks?|thank you|thankyou|ta|cheers|great|brilliant|cool|nice|ok|okay|lol|bye|goodbye"
    r"|good (?:morning|afternoon|evening|night)|how are you|hows it going|who are you"
    r"|what(?:s| is) your name|are you (?:a )?(?:bot|human|real)|tell me a joke|joke"
    r"|whats the weather|what is the weather|weather|you(?:re| are) (?:great|useless|rubbish)"
    r"|i love you|sorry)\b"
)
_HELLO_RE = re.compile(
    r"^(?:help|hi|hello|hey|start(?! meeting nudges?\b)|menu|commands|\?|what can you do)\b"
)

# Single facts: who owns / success measure / deadline of an action; chairs, remits and
# abbreviations of bodies and terms.
_FACT_OWNER = re.compile(
    r"\bwho(?:s| is)? (?:owns?|leads?|leading|responsible|in charge|accountable)\b|\bowner"
    r"|\bwho(?:s| is)? (?:the )?(?:lead|owner)\b|\blead (?:for|on|of)\b"
    r"|\bwhose\b|\bwho has\b|\bwho is doing\b|\bwho does\b"
)
_FACT_MEASURE = re.compile(
    r"\bsuccess\b|\bmeasured\b|\bmeasure\b|\bhow (?:will|do|would) we know\b|\bkpi"
)
_FACT_DEADLINE = re.compile(
    r"\bwhen (?:is|was|will|does)\b|\bdeadline\b|\bdue date\b|\bdue by when\b"
)
_FACT_CHAIR = re.compile(r"\bchair(?:s|ed|ing|man|person|woman)?\b|\bco-? ?chairs?\b|\bwho runs\b")
_FACT_STANDS = re.compile(
    r"\bwhat (?:does|do|did) (?P<a>[a-z0-9&]+(?: [a-z0-9&]+)?) (?:stand|stands) for\b"
    r"|\b(?P<b>[a-z0-9&]+) stands? for\b"
    r"|\bwhat is (?P<c>[a-z0-9&]+) short for\b|\bmeaning of (?P<d>[a-z0-9&]+)\b"
    r"|\bwhat (?:does|do) (?P<e>[a-z0-9&]+) mean\b|\bdefine (?P<f>[a-z0-9&]+)\b"
    r"|\babbreviation (?P<g>[a-z0-9&]+)\b|\bexpand (?P<h>[a-z0-9&]+)\b"
)
_FACT_REMIT = re.compile(
    r"\bresponsible for\b|\bwhat (?:does|do) (?:the )?.+ do\b|\bremit\b|\brole of\b|\bs role\b"
    r"|\bwhat(?:s| is) (?:the )?[a-z0-9 ]+$|\bwhat are (?:the )?[a-z0-9 ]+$"
    r"|\bwho (?:is|are) (?:the )?"
    r"|\btell me about\b|\bwhat(?:s| is) (?:the )?.+ for\b|\bpurpose of\b"
    r"|\binfo(?:rmation)? (?:on|about)\b"
)
_WHAT_IS = re.compile(
    r"^(?:what|whats|who|whos)(?: is| are)? (?:the |a |an )?(?P<what>[a-z0-9 &]+)$"
)


_STOPWORDS = _FILLER

# Keyword rules, checked in order; the first that matches names the intent.
_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("link", re.compile(r"^link\b|\blink (?:this )?(?:channel|chat)\b")),
    ("unlink", re.compile(r"^unlink\b")),
    ("links", re.compile(r"^(?:links|linked channels)\b")),
    (
        "requests",
        re.compile(r"^(?:membership )?requests\b|\b(?:pending|membership|join) requests\b"),
    ),
    (
        "my_bodies",
        re.compile(
            r"\bmy (?:bodies|organisations?|organizations?|groups|teams)\b|\bwho do i work for\b"
            r"|\bi (?:work|am) (?:for|in|with|at)\b|\bchoose (?:my )?bodies\b|\bwho am i\b"
        ),
    ),
    (
        "report",
        re.compile(
            r"^(?:report|export)\b|\b(?:scrutiny|panel) report\b"
            r"|^(?:download|export) (?:the |a |our )?(?:delivery )?(?:plan|report|spreadsheet)\b"
            r"|\bthe plan (?:as|in) (?:a |an )?(?:spreadsheet|excel|word|csv)\b"
        ),
    ),
    ("audit", re.compile(r"^audit\b")),
    # Issue 16: plan lifecycle and scrutiny requests.
    ("extend_plan", re.compile(r"^extend (?:the )?(?:current )?plan\b")),
    (
        "scrutiny",
        re.compile(
            r"\bscrutiny (?:requests?|recommendations?|items?|asks?)\b|\brecommendations?\b"
            r"|\bwants? from\b|\bask(?:ed|s|ing)? (?:of|from|for)\b|\bowes?\b|\bowed\b"
            r"|\bforward work programme\b|\bitems? for future meetings?\b|\brequests?\b"
        ),
    ),
    (
        "failed_deliveries",
        re.compile(r"\bfailed (?:deliver(?:y|ies)|messages|sends)\b|\bdelivery failures\b"),
    ),
    (
        "meeting_nudges",
        re.compile(r"\b(?:meeting |overdue )?nudges?\b|\bmeeting notes? about overdue\b"),
    ),
    ("reminders", re.compile(r"\breminders?\b|\bremind me\b")),
    ("rules", re.compile(r"^rules\b|\bprompt rules\b")),
    # A status word before a meeting word: "status for the DASVG meeting" is the status card.
    ("status", re.compile(r"\b(?:status|summary|dashboard|overview|rag)\b")),
    ("meetings", re.compile(r"\bmeet(?:s|ing|ings)?\b|\bcalendar\b|\bagenda\b")),
    (
        "status",
        re.compile(
            r"\bhow are we doing\b"
            r"|\bhow (?:is|are) (?:the )?.*(?:going|getting on|doing)\b|\bon track\b"
            r"|\b(?:latest|recent|new) updates\b|\bwhats? changed\b|\bwhat has changed\b"
        ),
    ),
    (
        "overdue",
        re.compile(
            r"\boverdue\b|\blate\b|\bbehind\b|\bpast (?:due|deadline|its deadline)\b|\bmissed\b"
            r"|\bslipp|\bslipped\b|\boutstanding\b"
            r"|\bnot (?:been )?(?:done|delivered|met) (?:on time|yet)\b"
            r"|\bover due\b"
        ),
    ),
    (
        "due",
        re.compile(r"\bdue\b|\bdeadlines?\b|\bcoming up\b|\bupcoming\b|\bexpected\b"),
    ),
    (
        "my_actions",
        re.compile(
            r"\bmy (?:actions|tasks|work)\b|\bwhat do (?:i|we) own\b|\bassigned to (?:me|us)\b"
            r"|\bour actions\b|\bwhat (?:am i|are we) (?:responsible|accountable) for\b"
        ),
    ),
    (
        "priorities",
        re.compile(
            r"\bpriorit|\bthemes?\b|\boutcomes\b|^(?:the )?plans?$"
            r"|\b(?:the|our|whole|delivery|current|previous|old|older|earlier|last|former)\s+plans?\b"
        ),
    ),
    (
        "actions",
        re.compile(r"\bactions?\b|\bshow\b|\blist\b|\babout\b|\bfind\b|\bsearch\b|\bon\b"),
    ),
    ("update", re.compile(r"^(?:post )?(?:an? )?update\b")),
)


@dataclass(frozen=True)
class Intent:
    """What the person asked for.

    Attributes:
        name: one of help, smalltalk, priorities, outcome, fact, search, actions, action,
            overdue, due, my_actions, status, meetings, update, history, my_bodies, requests,
            link, unlink, links, report, audit, reminders, meeting_nudges, rules,
            failed_deliveries, unknown.
        bodies: keys of the bodies named.
        me: the person asked about themselves ("for me", "my").
        everyone: the person asked about the whole plan ("all").
        words: the topic: words to rank actions by (never a filter of their own).
        outcome: the outcome asked about ("what is outcome 7?").
        fact: for name "fact": owner, measure, deadline, chair, stands_for, remit, person.
        term: the abbreviation or name asked about (fact stands_for / person).
        maybe: body keys the person may have meant by ``unknown_name`` ("did you mean").
        unknown_name: words that look like a name the bot does not know.
        status: for "update", the status posted; for a list, the status its actions are in
            ("which actions are complete?"; ``NO_UPDATE`` for "never updated").
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
    outcome: int | None = None
    fact: str | None = None
    term: str | None = None
    maybe: tuple[str, ...] = ()
    unknown_name: str = ""
    near: tuple[str, ...] = ()


def clean(text: str) -> str:
    """Lower-case, straight apostrophes removed, punctuation at the ends dropped."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = " ".join(text.split()).strip()
    text = re.sub(r"^[\s,.!;:]+|[\s,.!?;:]+$", "", text)
    return text.lower().replace("'", "")


def _update_intent(raw: str) -> Intent | None:
    """Read "update 1.18 on track: text" (the text keeps the person's own capitalisation).

    Also "mark 1.18 as done", "1.18 is complete: text": a status given for an action.
    """
    typed = " ".join(raw.replace("’", "'").split())
    found = _UPDATE_RE.match(typed)
    if not found:
        return _status_change(typed)
    number, rest = found["number"].lower(), found["rest"]
    status_found = _STATUS_RE.match(rest)
    if status_found:
        status = STATUS_WORDS[" ".join(status_found["status"].lower().split())]
        return Intent("update", number=number, status=status, text=status_found["text"].strip())
    return Intent("update", number=number, text=re.sub(r"^\s*[:\-–,]\s*", "", rest).strip())


def _status_change(typed: str) -> Intent | None:
    """An update given as a status: "mark 1.18 as done", "1.18 is complete: text"."""
    found = _STATUS_CHANGE_RE.match(typed)
    status_found = _STATUS_RE.match(found["rest"]) if found else None
    if found is not None and found["set"] and status_found is None:
        # "mark 1.18 as banana": an update meant, its status not one of ours: the form.
        return Intent("update", number=found["set"].lower())
    if found is None or status_found is None:
        return None
    number = (found["set"] or found["said"]).lower()
    status = STATUS_WORDS[" ".join(status_found["status"].lower().split())]
    return Intent("update", number=number, status=status, text=status_found["text"].strip())


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
    content = [
        w for w in norm.split() if w not in _FILLER and w not in _INTENT_WORDS and len(w) > 2
    ]
    if content and sections and len(content) <= 6:
        wanted = " ".join(content)
        found = process.extractOne(
            wanted, list(by_norm), scorer=fuzz.token_set_ratio, score_cutoff=90
        )
        if found and _covers(wanted, found[0]):
            title = by_norm[found[0]]
            rest = " ".join(w for w in norm.split() if w not in found[0].split())
            return title, rest
    return None, norm


def _covers(wanted: str, title: str) -> bool:
    """At least half of the title's words are in the text ("domestic abuse" covers the title)."""
    title_words = [w for w in title.split() if w not in ("and", "of", "the")]
    have = set(wanted.split())
    return sum(1 for w in title_words if w in have) * 2 >= len(title_words)


_BODY_WORDS = (
    "council",
    "board",
    "group",
    "team",
    "service",
    "trust",
    "panel",
    "partnership",
    "network",
    "forum",
    "committee",
    "unit",
    "office",
)
_PART_OF_NAME = re.compile(r"^\s*(?:[a-z]+\s+)?(?:" + "|".join(_BODY_WORDS) + r")\b")


def _bodies_in(text: str, index: BodyIndex) -> tuple[tuple[str, ...], str]:
    """Bodies named exactly; a name that is only part of a longer one ("police board") is not."""
    norm = normalise(text)
    matches = [m for m in index.scan(text) if not _PART_OF_NAME.match(norm[m.end :])]
    keys = tuple(dict.fromkeys(m.body.key for m in matches))
    rest = norm
    for match in sorted(matches, key=lambda m: m.start, reverse=True):
        rest = rest[: match.start] + " " + rest[match.end :]
    return keys, rest


def _near_bodies(
    words: list[str], index: BodyIndex
) -> tuple[tuple[str, ...], list[str], tuple[str, ...]]:
    """Bodies written with a near spelling ("davsg", "probaton", "norfolk constabullary").

    Returns the keys found, the words left over, and the words that were read as names.
    """
    keys: list[str] = []
    left = list(words)
    near: list[str] = []
    # Phrases first (longest), so that "norfolk constabullary" is one name.
    for size in (4, 3, 2):
        i = 0
        while i + size <= len(left):
            phrase = " ".join(left[i : i + size])
            body = index.fuzzy(phrase, cutoff=88) if len(phrase) >= 8 else None
            if body is not None:
                keys.append(body.key)
                near.append(phrase)
                del left[i : i + size]
            else:
                i += 1
    names = index.single_words()
    for word in list(left):
        if len(word) < 4 or word in _FILLER or word in _INTENT_WORDS or word in _BODY_WORDS:
            continue
        if word in names:
            continue  # an exact name left out on purpose (part of a longer, unknown name)
        limit = 1 if len(word) <= 7 else 2
        found = process.extractOne(word, list(names), scorer=OSA.distance, score_cutoff=limit)
        if found is not None:
            body = names[found[0]]
            keys.append(body.key)
            near.append(word)
            left.remove(word)
    return tuple(dict.fromkeys(keys)), left, tuple(near)


def _suggest(text: str) -> tuple[str, ...]:
    found = process.extract(text, COMMANDS, scorer=fuzz.WRatio, limit=3, score_cutoff=55)
    picked = [name for name, _, _ in found]
    return tuple(picked) if picked else ("help", "overdue", "priorities")


def _keyword_intent(text: str) -> str | None:
    for name, pattern in _KEYWORDS:
        if pattern.search(text):
            return name
    return None


def _number(text: str) -> int:
    return _NUMBER_WORDS.get(text) or int(text)


def understand(raw: str, vocabulary: Vocabulary, today: date) -> Intent:
    """Turn one message (the bot's @mention already removed) into an intent.

    Args:
        raw: what the person typed.
        vocabulary: bodies, sections, plans and documents the bot can name.
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
    if _HELLO_RE.search(lowered) and len(lowered.split()) <= 4:
        return Intent("help")
    if _SMALL_TALK_RE.search(lowered) and not _NUMBER_RE.search(lowered):
        return Intent("smalltalk", text=lowered)
    numbers = tuple(dict.fromkeys(_NUMBER_RE.findall(lowered)))
    keyword = _keyword_intent(lowered)
    if keyword == "audit":
        return Intent("audit", number=numbers[0] if numbers else None, numbers=numbers)
    if numbers and keyword not in ("link", "unlink", "meetings"):
        return _about_numbers(lowered, numbers)
    by_status = _narrows_by_status(lowered, keyword)
    fact = None if by_status else _fact_about_names(lowered, keyword, vocabulary)
    if fact is not None:
        return fact
    return _intent_with_arguments(lowered, keyword, vocabulary, today, by_status=by_status)


_PLAN_YEARS_RE = re.compile(r"\b20\d\d\s*[-/–]\s*(?:20)?\d\d\b")


def _plan_named(text: str, vocabulary: Vocabulary) -> str | None:
    """An earlier plan named by its years ("2021-24 plan"), else "previous plan", else None."""
    for first, last, key in vocabulary.plans:
        if re.search(rf"\b{first}\s*[-/–]\s*(?:20)?{last}\b", text):
            return key
    return vocabulary.previous_plan_key if _PREVIOUS_PLAN_RE.search(text) else None


def _about_numbers(lowered: str, numbers: tuple[str, ...]) -> Intent:
    """Questions naming action numbers: one fact about an action, or the actions themselves."""
    if len(numbers) == 1:
        for fact, pattern in (
            ("measure", _FACT_MEASURE),
            ("owner", _FACT_OWNER),
            ("deadline", _FACT_DEADLINE),
        ):
            if pattern.search(lowered):
                return Intent("fact", fact=fact, number=numbers[0], numbers=numbers)
        return Intent("action", number=numbers[0], numbers=numbers)
    return Intent("actions", numbers=numbers)


def _fact_about_names(lowered: str, keyword: str | None, vocabulary: Vocabulary) -> Intent | None:
    """Outcome N, who chairs X, what X stands for, what X is responsible for, who is Y."""
    outcome = _OUTCOME_RE.search(lowered)
    if outcome and keyword not in ("overdue", "due", "status"):
        return Intent("outcome", outcome=_number(outcome["n"]))
    stands = _FACT_STANDS.search(lowered)
    if stands:
        term = next(v for v in stands.groups() if v)
        bodies, _ = _bodies_in(term, vocabulary.bodies)
        return Intent("fact", fact="stands_for", term=term, bodies=bodies)
    if keyword in ("overdue", "due", "status", "meetings", "my_bodies", "link", "unlink", "rules"):
        return None
    bodies, rest = _bodies_in(lowered, vocabulary.bodies)
    if bodies and _FACT_CHAIR.search(lowered):
        return Intent("fact", fact="chair", bodies=bodies)
    for person in vocabulary.knowledge.people:
        if normalise(person.name) in normalise(lowered) and person.name:
            return Intent("fact", fact="person", term=person.name, bodies=(person.body_key,))
    what = _WHAT_IS.match(lowered)
    if what and not bodies:
        term = vocabulary.knowledge.term(what["what"])
        if term is not None:
            return Intent("fact", fact="stands_for", term=what["what"])
    doing = re.search(r"\b(?:doing|working|up to|actions?|owns?)\b", lowered)
    if bodies and _FACT_REMIT.search(lowered) and keyword != "my_actions" and not doing:
        leftover = [w for w in rest.split() if w not in _FILLER and w not in _INTENT_WORDS]
        if not leftover or leftover in (["responsible"], ["role"], ["remit"], ["purpose"]):
            return Intent("fact", fact="remit", bodies=bodies)
    return None


# A list narrowed by the actions' status: "which actions are complete?", "what's at risk?".
_STATUS_FILTERS: tuple[tuple[str, str], ...] = (
    (NOT_STARTED, r"not (?:yet )?started|not begun"),
    (ON_TRACK, r"on track"),
    (AT_RISK, r"at risk"),
    (OFF_TRACK, r"off track"),
    (ONGOING, r"ongoing"),
    (
        NO_UPDATE,
        r"(?:with )?no updates?(?: yet)?|without (?:an? |any )?updates?|never (?:been )?updated"
        r"|not (?:been )?updated|(?:hasnt|havent) (?:been )?updated"
        r"|(?:hasnt|havent|not) (?:given|posted|sent) (?:an? |any )?updates?",
    ),
    # Not "not done", "not complete", "incomplete" (open actions, not finished ones).
    # Nor "due to be completed", "expected to complete" (open actions with a deadline).
    (
        COMPLETE,
        r"(?<!not )(?<!not been )(?<!not yet )(?<!to )(?<!to be )(?<!being )"
        r"(?:complete|completed|done|finished)(?! (?:about|on|to|with|regarding)\b)",
    ),
)
_STATUS_FILTER_RE = re.compile(
    "|".join(rf"(?P<s{i}>\b(?:{words})\b)" for i, (_, words) in enumerate(_STATUS_FILTERS))
)
# Asking for a list ("which", "what's", "show", "how many", "actions") rather than how things
# stand overall ("are we on track?", which is the status card).
_LIST_CUE_RE = re.compile(r"^(?:which|whats?|who|list|show|how many|any)\b|\bactions?\b")


def status_asked(text: str) -> tuple[str | None, str]:
    """The status a list question narrows to, and the text without those words.

    Args:
        text: the lower-cased question.

    Returns:
        (a status of ``bot.plan.statuses``, or ``NO_UPDATE``, or None; the rest of the text).
    """
    found = _STATUS_FILTER_RE.search(text)
    if found is None or found.lastgroup is None:
        return None, text
    status = _STATUS_FILTERS[int(found.lastgroup[1:])][0]
    return status, text[: found.start()] + " " + text[found.end() :]


def _narrows_by_status(lowered: str, keyword: str | None) -> bool:
    """The question asks for a list of actions in some status ("what is complete for X?")."""
    return (
        keyword in _FILTERABLE
        and _LIST_CUE_RE.search(lowered) is not None
        and status_asked(lowered)[0] is not None
    )


def _intent_with_arguments(
    lowered: str, keyword: str | None, vocabulary: Vocabulary, today: date, *, by_status: bool
) -> Intent:
    time = read_time(lowered, today)
    named = _plan_named(lowered, vocabulary)
    if named and time.span and _PLAN_YEARS_RE.search(lowered[time.span[0] : time.span[1]]):
        time = TimePhrase()  # "the 2021-24 plan" names a plan, not a period of deadlines
    text = lowered
    if time.span:
        text = text[: time.span[0]] + " " + text[time.span[1] :]
    theme_found = _THEME_RE.search(text)
    theme = _number(theme_found["n"]) if theme_found else None
    if theme_found:
        text = text[: theme_found.start()] + " " + text[theme_found.end() :]
    plan = named
    if plan:
        text = _PLAN_YEARS_RE.sub(" ", _PREVIOUS_PLAN_RE.sub(" ", text))
    status: str | None = None
    if by_status:  # a list narrowed by status (see _narrows_by_status)
        status, text = status_asked(text)
        if keyword in ("status", None):
            keyword = "actions"  # "what's on track?": the actions, not the status card
    bodies, rest = _bodies_in(text, vocabulary.bodies)
    section, rest = _sections_in(rest, vocabulary.sections)
    me = bool(_ME_RE.search(_IDIOMS_RE.sub(" ", text)))
    everyone = bool(_EVERYONE_RE.search(text))
    content = [w for w in rest.split() if w not in _STOPWORDS and w not in _FILLER and len(w) > 1]
    near: tuple[str, ...] = ()
    if content:
        found, content, near = _near_bodies(content, vocabulary.bodies)
        bodies = tuple(dict.fromkeys(bodies + found))
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
        near=near,
        status=status,
    )
    return _settle(intent, lowered, content, vocabulary)


def _topic_and_unknown(
    content: list[str], vocabulary: Vocabulary
) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """Split the words left over into a topic the plan knows and a name it does not."""
    topic = [w for w in content if w not in _INTENT_WORDS]
    known = [w for w in topic if _plan_knows(w, vocabulary)]
    if known and not _looks_like_name(" ".join(topic)):
        return tuple(topic), "", ()
    if not topic:
        return (), "", ()
    unknown = " ".join(topic)
    if len(topic) == 1 and _near_command(topic[0]):
        return (), "", ()  # a command mistyped ("overdeu"): "did you mean" offers it
    if not (_looks_like_name(unknown) or (len(topic) == 1 and len(topic[0]) <= 6)):
        return tuple(topic), "", ()  # a topic the plan never mentions: searched, said so
    return (), unknown, vocabulary.bodies.suggest(unknown)


_LAST_MET_RE = re.compile(r"\blast (?:met|meet|meeting)\b|\bprevious meeting\b|\bdid\b.*\bmeet\b")
_NEXT_MEETING_RE = re.compile(
    r"\bnext\b(?! (?:\d+|week|month|year|quarter))|\bwhen (?:is|does|will)\b"
)


def _meeting_direction(intent: Intent, lowered: str) -> Intent:
    """Issue 16: "when did X last meet?" looks back, "when is the next X meeting?" ahead."""
    if intent.window is not None:
        return intent
    if _LAST_MET_RE.search(lowered):
        return replace(intent, name="last_meeting")
    if _NEXT_MEETING_RE.search(lowered):
        return replace(intent, name="next_meeting")
    return intent


def _near_command(word: str) -> bool:
    return process.extractOne(word, COMMANDS, scorer=fuzz.ratio, score_cutoff=75) is not None


def _plan_knows(word: str, vocabulary: Vocabulary) -> bool:
    if not vocabulary.plan_words:
        return False  # no plan loaded: nothing to search
    if vocabulary.knowledge.term(word) is not None:
        return True
    return stem(word) in vocabulary.plan_words or word in vocabulary.plan_words


_LIST_NAMES = ("overdue", "due", "my_actions", "status")
# The questions whose list a status narrows (None: no keyword, e.g. "what's done?").
_FILTERABLE = (None, "actions", "status", "overdue", "due", "my_actions")


def _settle(intent: Intent, lowered: str, content: list[str], vocabulary: Vocabulary) -> Intent:
    """Fill in what the keyword alone left open, or fall back to "did you mean"."""
    if intent.name == "meetings":
        return _meeting_direction(intent, lowered)
    if intent.name in ("extend_plan", "scrutiny"):
        return replace(intent, text=lowered)
    if intent.name in ("reminders", "meeting_nudges"):
        off = re.search(r"\b(?:off|stop|no|disable|none)\b", lowered)
        on = re.search(r"\b(?:on|start|yes|enable|opt in)\b", lowered)
        return replace(intent, on=False if off else True if on else None)
    if intent.name in (
        "my_bodies",
        "link",
        "unlink",
        "links",
        "report",
        "rules",
        "meetings",
        "failed_deliveries",
        "update",
    ):
        return intent
    topic, unknown, maybe = _topic_and_unknown(content, vocabulary)
    if unknown and not intent.bodies:
        intent = replace(intent, unknown_name=unknown, maybe=maybe)
    overview = re.search(r"\bpriorities\b|\boutcomes\b|\bthemes\b", lowered)
    narrowed = intent.theme is not None or intent.section or re.search(r"\bactions?\b", lowered)
    if intent.name == "priorities" and narrowed and not overview:
        intent = replace(intent, name="actions")
    if intent.name == "priorities":
        return intent
    if intent.name == "unknown":
        if intent.unknown_name and _looks_like_name(intent.unknown_name):
            return replace(intent, name="actions")
        if intent.bodies or intent.section or intent.theme:
            name = "search" if topic else "actions"
            return replace(intent, name=name, words=topic)
        if topic:
            return replace(intent, name="search", words=topic)
        if intent.window is not None:
            return replace(intent, name="due")
        return replace(intent, text=lowered, suggestions=_suggest(lowered))
    if intent.name == "actions":
        if intent.me and not intent.bodies and not intent.section and not topic:
            return replace(intent, name="my_actions")
        if topic:
            return replace(intent, name="search", words=topic)
        return intent
    if intent.name in _LIST_NAMES:
        return replace(intent, words=topic)
    return intent


def _looks_like_name(text: str) -> bool:
    """A short run of words ending in a body-like word ("norwich city council")."""
    words = text.split()
    return 1 < len(words) <= 4 and words[-1] in _BODY_WORDS
