"""Geometry for the SVG charts: plain numbers the templates draw, so charts need no JavaScript
and print as they look on screen."""

from __future__ import annotations

from dataclasses import dataclass

from patientvoice.insight.stats import Improvement, Meaning, XmrChart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 40, 16, 40


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    value: float
    # "improvement", "concern", "neither" or "" (common cause): drawn as a different shape and
    # written in the data table, never shown by colour alone.
    signal: str


@dataclass(frozen=True)
class XmrDrawing:
    points: list[ChartPoint]
    mean_y: float | None
    upper_y: float | None
    lower_y: float | None
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _signal(chart: XmrChart, index: int, improvement: Improvement) -> str:
    meanings = {s.meaning(improvement) for s in chart.signals_at(index)}
    for meaning in (Meaning.CONCERN, Meaning.IMPROVEMENT, Meaning.NEITHER):
        if meaning in meanings:
            return meaning.value
    return ""


def draw_xmr(
    chart: XmrChart,
    labels: list[str],
    improvement: Improvement,
    *,
    floor: float = 0.0,
    ceiling: float = 100.0,
) -> XmrDrawing:
    observed = [v for v in chart.values if v is not None]
    limits = chart.limits
    span = [*observed, *((limits.lower, limits.upper) if limits else ())]
    low = max(floor, min(span, default=floor) - 5)
    high = min(ceiling, max(span, default=ceiling) + 5)
    if high - low < 1:
        low, high = low - 1, high + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        clipped = min(max(value, low), high)
        return TOP + plot_h * (1 - (clipped - low) / (high - low))

    step = plot_w / max(len(chart.values) - 1, 1)
    points = [
        ChartPoint(LEFT + i * step, y(v), labels[i], v, _signal(chart, i, improvement))
        for i, v in enumerate(chart.values)
        if v is not None
    ]
    ticks = [(y(low + (high - low) * k / 4), f"{low + (high - low) * k / 4:.0f}") for k in range(5)]
    return XmrDrawing(
        points=points,
        mean_y=y(limits.mean) if limits else None,
        upper_y=y(limits.upper) if limits else None,
        lower_y=y(limits.lower) if limits else None,
        y_ticks=ticks,
    )
