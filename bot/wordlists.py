"""Word lists for reading questions: words that carry no meaning, and intent words.

Kept apart from the rules that use them so both stay readable.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no meaning for selecting actions: they never filter, search or suggest.
FILLER = _words(
    """
    a about above across actually after again against all also am an and any anybody anyone
    anything are around as ask asking at be been before being behind below between both but by
    can cant could currently current did do does doing done dont down during each either else
    ever every few for from get gets getting give go goes going gone got had happen happened
    happening happens has have having he hello her here hers hey hi him his how i id if im in
    info information into involve involved involves involving is it its ive just keep kind
    know latest let lets like look looking lot made make many may me might mine more most much
    must my need needs new news next no nobody none nor not nothing now of off on once one
    only onto or other others our ours out over own please plz pls progress quick quickly
    rather re really regarding right said say see seems shall she should show so some
    something soon still stuff such sure tell than thank thanks that thats the their theirs
    them then there these they thing things think this those though through to today too under
    until up upon us very via want wanted was way we were what whats whatever when where
    whether which while who whom whose why will with within without would yet you your yours
    status update updates overview summary list lists view find search showing details detail
    question questions answer answers bot partner partners item items task tasks action
    actions plan plans work working outstanding open everything least best check checking
    concerning concerns concern related relating relates relation top deliver delivering
    delivered delivery oldest longest worst biggest first
    section sections area areas workstream workstreams mention mentions mentioning cover
    covers covering include includes involving
    """
)

# Words that say what kind of answer is wanted (overdue, status, chair...), not its topic.
INTENT_WORDS = _words(
    """
    overdue late later behind past missed slipped slipping slip due deadline deadlines coming
    upcoming soon schedule scheduled status summary rag dashboard meeting meetings meet meets
    calendar agenda priorities priority themes theme outcomes outcome history timeline audit
    reminders reminder rules report export link unlink links help owns owner owners owned
    chair chairs chaired measure measured success complete completed done finished track risk
    ongoing started count counts number numbers how many period month months week weeks year
    years quarter financial end close start beginning
    """
)
