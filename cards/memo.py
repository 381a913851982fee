"""Cards already drawn, kept for views that come again (the same question, the same day).

Drawing a card is the largest part of a common answer: an 11 KB "what's overdue for me?"
card is about ninety validated card models and their serialisation, about 0.7 ms of CPU, while
everyone in the same bodies asking it on the same day gets the same view and so the same card.
Card functions are pure (view in, card out), so a card drawn once for a view is right for any
equal view. :class:`CardMemo` keeps a bounded number of them and hands out the kept card
itself (:class:`KeptCard`), not a copy: cards are never changed once drawn. Code that wants a
different card builds a new one (``{**card, "refresh": ...}``, as ``cards.base.with_notice``
and the edge's live cards do) or deep-copies it (``copy.deepcopy`` gives plain, changeable
dicts and lists). The kept card refuses changes at its top level; in a strict memo
(``CardMemo(strict=True)``, which the tests' services use) every object and list inside it
refuses them too, so a handler or edge code that changed a shared card fails its tests. (Not in
production: pydantic's JSON encoder takes a slow path for ``dict`` and ``list`` subclasses
nested in a card, about 15 times slower than for plain ones.) Each kept card carries its compact
JSON (:attr:`KeptCard.encoded`), so the edge sends it without encoding it again.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from typing import Any, NoReturn, TypeVar

from pydantic_core import to_json

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


def _read_only(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError("a kept card is shared between turns and cannot be changed: copy it")


class ReadOnlyDict(dict[str, Any]):
    """A ``dict`` that refuses changes; copies (``copy``, ``deepcopy``, pickle) are plain."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {key: copy.deepcopy(value, memo) for key, value in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class ReadOnlyList(list[Any]):
    """A ``list`` that refuses changes; copies (``copy``, ``deepcopy``, pickle) are plain."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(value, memo) for value in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


class KeptCard(ReadOnlyDict):
    """A card as the memo keeps and hands it out: read-only (see the module's docstring).

    Attributes:
        encoded: the card as compact UTF-8 JSON (``pydantic_core.to_json``), for the edge.
    """

    __slots__ = ("encoded",)

    def __init__(self, card: Card, *, strict: bool = False) -> None:
        items = card.items()
        super().__init__(((k, _read_only_copy(v)) for k, v in items) if strict else items)
        self.encoded = to_json(card)


def _read_only_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return ReadOnlyDict((k, _read_only_copy(v)) for k, v in value.items())
    if isinstance(value, list):
        return ReadOnlyList(_read_only_copy(v) for v in value)
    return value


class CardMemo:
    """Cards drawn for recent views, the least recently used dropped first.

    One per running bot (``Services.cards``); safe to share between worker threads.

    Attributes:
        size: how many cards are kept.
        hits: cards handed out from the memo.
        misses: cards drawn afresh.
        strict: whether kept cards are read-only all the way down (for tests).
    """

    def __init__(self, size: int = CARDS_KEPT, *, strict: bool = False) -> None:
        self.size = size
        self.strict = strict
        self.hits = 0
        self.misses = 0
        self._cards: OrderedDict[Hashable, KeptCard] = OrderedDict()
        self._lock = threading.Lock()

    def draw(self, render: Callable[[V], Card], view: V) -> Card:
        """``render(view)`` as a :class:`KeptCard`, the same one for every equal view.

        Args:
            render: a pure card function (the same view always gives the same card).
            view: its view data.
        """
        try:
            key = (render, view_key(view))
        except TypeError:  # not a plain view: draw it every time
            return render(view)
        kept = self._kept(key)
        return kept if kept is not None else self._keep(key, render(view))

    def derive(self, change: Callable[..., Card], card: Card, *args: Hashable) -> Card:
        """``change(card, *args)``, kept like a drawn card when ``card`` is a kept one.

        For pure changes of a finished card (``cards.base.with_notice``): a kept card's
        JSON names it (its hash is computed once), so the same change of the same card is
        made once. Any other card is changed afresh.

        Args:
            change: a pure function of a card and hashable arguments, giving a new card.
            card: the card to change.
            *args: the change's other arguments.
        """
        if not isinstance(card, KeptCard):
            return change(card, *args)
        key = (change, card.encoded, args)
        kept = self._kept(key)
        return kept if kept is not None else self._keep(key, change(card, *args))

    def _kept(self, key: Hashable) -> KeptCard | None:
        with self._lock:
            kept = self._cards.get(key)
            if kept is not None:
                self._cards.move_to_end(key)
                self.hits += 1
            return kept

    def _keep(self, key: Hashable, card: Card) -> KeptCard:
        kept = KeptCard(card, strict=self.strict)
        with self._lock:
            self.misses += 1
            self._cards[key] = kept
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)
        return kept

    def __len__(self) -> int:
        return len(self._cards)
