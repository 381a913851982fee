"""Common questions understood once: the intents of recent short texts, per vocabulary.

Understanding a message is a pure function of its text, the vocabulary and the day
(``bot.understand.understand``), and most turns are a handful of common questions ("what's
overdue for me?"). :class:`UnderstoodTexts` keeps the intents of recent short texts for the
vocabulary in use; a new vocabulary (names or plan words changed, or re-read, every minute)
empties it at the next message.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from bot.plan.vocabulary import Vocabulary
from bot.understand import Intent, understand

TEXTS_KEPT = 512
# Common questions are short; longer texts (updates, notes) are understood each time, not kept.
LONGEST_KEPT = 80


class UnderstoodTexts:
    """Intents of recent texts for one vocabulary; one per running bot (``Services``).

    Attributes:
        size: how many texts are kept.
    """

    def __init__(self, size: int = TEXTS_KEPT) -> None:
        self.size = size
        self._vocabulary: Vocabulary | None = None
        self._intents: OrderedDict[tuple[str, date], Intent] = OrderedDict()
        self._lock = threading.Lock()

    def understand(self, text: str, vocabulary: Vocabulary, today: date) -> Intent:
        """``understand(text, vocabulary, today)``, from the kept intents when it can."""
        if len(text) > LONGEST_KEPT:
            return understand(text, vocabulary, today)
        key = (text, today)
        with self._lock:
            if self._vocabulary is not vocabulary:
                self._vocabulary = vocabulary
                self._intents.clear()
            intent = self._intents.get(key)
            if intent is not None:
                self._intents.move_to_end(key)
                return intent
        intent = understand(text, vocabulary, today)
        with self._lock:
            if self._vocabulary is vocabulary:
                self._intents[key] = intent
                while len(self._intents) > self.size:
                    self._intents.popitem(last=False)
        return intent

    def __len__(self) -> int:
        return len(self._intents)
