"""Cards already drawn, kept for views that come again (the same question, the same day).

Drawing a card is the largest part of a common answer: an 11 KB "what's overdue for me?"
card is about ninety validated card models and their serialisation, about 0.7 ms of CPU, while
everyone in the same bodies asking it on the same day gets the same view and so the same card.
Card functions are pure (view in, card out), so a card drawn once for a view is right for any
equal view. :class:`CardMemo` keeps a bounded number of them, as compact JSON, and hands out a
fresh copy each time, so that nobody holding a card can change another turn's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from pydantic_core import from_json, to_json

V = TypeVar("V")
Card = dict[str, Any]
CARDS_KEPT = 256  # about 10 KB each: a few MB at most


def view_key(view: Any) -> Hashable:
    """A hashable key equal for equal views: a dataclass's type and fields, dicts as tuples.

    Views are frozen dataclasses of plain values and other frozen dataclasses; the only
    unhashable parts they carry are dicts and lists (e.g. the question a list card pages
    through), which become tagged tuples here. Raises ``TypeError`` when something in the view
    is still unhashable.
    """
    if not is_dataclass(view) or isinstance(view, type):
        raise TypeError(f"not a view: {type(view).__name__}")
    key = (type(view), *(_frozen(getattr(view, f.name)) for f in fields(view)))
    hash(key)
    return key


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return (dict, tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return (list, tuple(_frozen(v) for v in value))
    return value


class CardMemo:
    """Cards drawn for recent views, the least recently used dropped first.

    One per running bot (``Services.cards``); safe to share between worker threads.

    Attributes:
        size: how many cards are kept.
        hits: cards handed out from the memo.
        misses: cards drawn afresh.
    """

    def __init__(self, size: int = CARDS_KEPT) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._cards: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def draw(self, render: Callable[[V], Card], view: V) -> Card:
        """``render(view)``, or a copy of the card it gave for an equal view before.

        Args:
            render: a pure card function (the same view always gives the same card).
            view: its view data.
        """
        try:
            key = (render, view_key(view))
        except TypeError:  # not a plain view: draw it every time
            return render(view)
        with self._lock:
            kept = self._cards.get(key)
            if kept is not None:
                self._cards.move_to_end(key)
                self.hits += 1
        if kept is not None:
            card: Card = from_json(kept)
            return card
        card = render(view)
        encoded = to_json(card)
        with self._lock:
            self.misses += 1
            self._cards[key] = encoded
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)
        return card

    def __len__(self) -> int:
        return len(self._cards)
