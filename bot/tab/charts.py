"""Chart geometry for the dashboard's SVG charts, worked out on the server.

The charts are plain SVG drawn by the templates from these numbers: no script, no external
library, nothing fetched. Each chart also says what it shows in words (``summary``), and the
page shows the same figures as a table, so the chart is never the only way to read them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.plan.statuses import NO_UPDATE, STATUSES

BAR_WIDTH = 560.0
BAR_HEIGHT = 22.0
BAR_GAP = 14.0
LINE_WIDTH = 560.0
LINE_HEIGHT = 180.0
LINE_PAD = 36.0


def status_class(status: str) -> str:
    """The CSS class that colours a status (themes set the colours)."""
    known = (*STATUSES, NO_UPDATE)
    return "st-" + (status.lower().replace(" ", "-") if status in known else "other")


@dataclass(frozen=True)
class Segment:
    """One status's part of a bar."""

    status: str
    count: int
    x: float
    width: float
    css: str


@dataclass(frozen=True)
class Bar:
    """One theme's bar: its label, total and segments."""

    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class BarChart:
    """Stacked bars, one per theme, widths proportional to the actions in each."""

    bars: tuple[Bar, ...]
    height: float
    width: float
    summary: str


def _words(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {status.lower()}" for status, n in counts.items() if n)


def status_bars(rows: Sequence[tuple[str, Mapping[str, int]]]) -> BarChart:
    """Bars for (label, counts by status) rows."""
    largest = max((sum(c.values()) for _, c in rows), default=0) or 1
    bars = []
    for i, (label, counts) in enumerate(rows):
        x, segments = 0.0, []
        for status, count in counts.items():
            if count:
                width = BAR_WIDTH * count / largest
                segments.append(Segment(status, count, x, width, status_class(status)))
                x += width
        y = i * (BAR_HEIGHT * 2 + BAR_GAP) + BAR_HEIGHT
        bars.append(Bar(label, sum(counts.values()), y, tuple(segments)))
    height = len(rows) * (BAR_HEIGHT * 2 + BAR_GAP)
    summary = "; ".join(
        f"{label}: {sum(c.values())} actions ({_words(c) or 'none'})" for label, c in rows
    )
    return BarChart(tuple(bars), height, BAR_WIDTH, summary)


@dataclass(frozen=True)
class Point:
    """One day of the overdue line."""

    day: date
    label: str
    count: int
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    """The overdue count over time."""

    points: tuple[Point, ...]
    path: str
    top: int
    width: float
    height: float
    pad: float
    summary: str


def overdue_line(series: Sequence[tuple[date, int]], label: Callable[[date], str]) -> LineChart:
    """A line through (day, overdue count) points; ``label`` writes a day for people."""
    top = max((n for _, n in series), default=0)
    scale = top or 1
    inner_w, inner_h = LINE_WIDTH - 2 * LINE_PAD, LINE_HEIGHT - 2 * LINE_PAD
    step = inner_w / max(1, len(series) - 1)
    points = tuple(
        Point(
            day,
            label(day),
            n,
            LINE_PAD + i * step,
            LINE_PAD + inner_h - inner_h * n / scale,
        )
        for i, (day, n) in enumerate(series)
    )
    path = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)
    if points:
        first, last = points[0], points[-1]
        peak = max(points, key=lambda p: p.count)
        summary = (
            f"{first.count} overdue on {first.label}, {last.count} on {last.label}; "
            f"the most, {peak.count}, on {peak.label}."
        )
    else:
        summary = "No figures."
    return LineChart(points, path, top, LINE_WIDTH, LINE_HEIGHT, LINE_PAD, summary)
