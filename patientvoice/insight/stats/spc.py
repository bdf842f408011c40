"""XmR charts and the NHS England "Making Data Count" (MDC) special-cause rules.

Limits are mean ± 2.66 × MR̄ and sigma is MR̄ / 1.128, as MDC teaches. Where MDC's prose leaves
a detail open, we follow NHSRplotthedots (github.com/nhs-r-community/NHSRplotthedots, files
`R/ptd_spc_standard.R` and `R/ptd_calculate_point_type.R`), the NHS-R implementation of MDC, so
that our charts agree with the ones boards already see:

- A point exactly on a process limit is not beyond it (`outside_limits` uses > and <).
- A point exactly on the mean is on neither side: it breaks a shift and does not count in one
  (`relative_to_mean = sign(y - mean)`, and a run needs every sign equal and non-zero).
- A trend is N points each strictly higher (or lower) than the one before; two equal
  consecutive values break it (`sign(diff(y))` must be all 1 or all −1). N points are N − 1 steps.
- "Two of three": within three consecutive points, at least two lie strictly beyond the 2-sigma
  line but not beyond the process limit on one side ("close to the limits"), and all three are
  on that side of the mean. A point beyond the limit does not count here; it is already a
  signal by itself. (NHSRplotthedots draws that line at 2/3 × 2.66 × MR̄ = 1.7733 MR̄; 2 × MR̄ /
  1.128 = 1.7730 MR̄ here, a difference no real series will notice.)
- The variation icon describes the latest point; the assurance icon compares the target with
  the process limits (outside them: the target is consistently passed or failed).

Missing months (None or NaN) are our own decision, as NHSRplotthedots expects no gaps. They keep
their position, so signal indices are positions in the series you passed. They are left out of
the mean, and a moving range needs both neighbours, so no range is taken across a gap. Every
rule is about *consecutive* months, so a gap breaks a shift, a trend and a two-of-three window:
we do not claim a run we did not observe.

A measure with natural bounds (a percentage: `bounds=PERCENT`) has its process limits clamped to
them, our own decision: a limit of 104% or -8% describes nothing a month could show, and staff
reading "limits -8% to 104%" rightly distrust the chart. Clamping changes no signal, since no
value lies beyond a bound; the mean and the sigma lines are left as computed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

LIMIT_FACTOR = 2.66  # 3 / d2, with d2 = 1.128 for moving ranges of two points
D2 = 1.128
MDC_RUN_LENGTH = 7
PERCENT = (0.0, 100.0)


class Rule(StrEnum):
    BEYOND_LIMIT = "beyond_limit"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Improvement(StrEnum):
    """Which way is better for this measure (e.g. INCREASE for % positive)."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class Meaning(StrEnum):
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"


class VariationIcon(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEITHER_HIGH = "neither_high"  # special cause on a measure with no better direction
    NEITHER_LOW = "neither_low"
    NOT_ENOUGH_DATA = "not_enough_data"


class AssuranceIcon(StrEnum):
    CONSISTENTLY_PASS = "consistently_pass"  # noqa: S105 (an icon, not a password)
    CONSISTENTLY_FAIL = "consistently_fail"
    HIT_OR_MISS = "hit_or_miss"


def meaning(direction: Direction, improvement: Improvement) -> Meaning:
    if improvement is Improvement.NEUTRAL:
        return Meaning.NEITHER
    better = Direction.HIGHER if improvement is Improvement.INCREASE else Direction.LOWER
    return Meaning.IMPROVEMENT if direction is better else Meaning.CONCERN


@dataclass(frozen=True)
class Signal:
    rule: Rule
    indices: tuple[int, ...]  # positions in the series passed in, missing months included
    direction: Direction

    def meaning(self, improvement: Improvement) -> Meaning:
        return meaning(self.direction, improvement)


@dataclass(frozen=True)
class Limits:
    mean: float
    mr_bar: float
    bounds: tuple[float, float] | None = None  # what the measure can take, e.g. 0 to 100%

    @property
    def sigma(self) -> float:
        return self.mr_bar / D2

    @property
    def upper(self) -> float:
        upper = self.mean + LIMIT_FACTOR * self.mr_bar
        return upper if self.bounds is None else min(upper, self.bounds[1])

    @property
    def lower(self) -> float:
        lower = self.mean - LIMIT_FACTOR * self.mr_bar
        return lower if self.bounds is None else max(lower, self.bounds[0])

    def sigma_line(self, multiple: float) -> float:
        """mean + multiple × sigma; pass −1 or −2 for the lines below the mean."""
        return self.mean + multiple * self.sigma


@dataclass(frozen=True)
class XmrChart:
    values: tuple[float | None, ...]
    moving_ranges: tuple[float | None, ...]  # moving_ranges[i] = |x[i] − x[i−1]|
    limits: Limits | None  # None with fewer than two consecutive observed points
    signals: tuple[Signal, ...]
    baseline: int | None

    def signals_at(self, index: int) -> tuple[Signal, ...]:
        return tuple(signal for signal in self.signals if index in signal.indices)

    def variation_icon(self, improvement: Improvement) -> VariationIcon:
        """MDC's variation icon describes the most recent observed point."""
        observed = [i for i, value in enumerate(self.values) if value is not None]
        if self.limits is None or not observed:
            return VariationIcon.NOT_ENOUGH_DATA
        latest = observed[-1]
        directions = {signal.direction for signal in self.signals_at(latest)}
        if not directions:
            return VariationIcon.COMMON_CAUSE
        if len(directions) == 1:
            direction = directions.pop()
        else:
            # e.g. a falling trend ending above the mean: say which side of the mean the point
            # is on, as NHSRplotthedots does.
            above = _side(self.values[latest], self.limits.mean) > 0
            direction = Direction.HIGHER if above else Direction.LOWER
        return _ICONS[meaning(direction, improvement), direction]

    def assurance_icon(
        self, target: float | None, improvement: Improvement
    ) -> AssuranceIcon | None:
        """Will the process meet the target? Only answerable with a target, limits and a better
        direction; a target on a limit is inside it, so hit or miss."""
        if target is None or self.limits is None or improvement is Improvement.NEUTRAL:
            return None
        if self.limits.lower <= target <= self.limits.upper:
            return AssuranceIcon.HIT_OR_MISS
        target_above_process = target > self.limits.upper
        if target_above_process == (improvement is Improvement.INCREASE):
            return AssuranceIcon.CONSISTENTLY_FAIL
        return AssuranceIcon.CONSISTENTLY_PASS


_ICONS = {
    (Meaning.IMPROVEMENT, Direction.HIGHER): VariationIcon.IMPROVEMENT_HIGH,
    (Meaning.IMPROVEMENT, Direction.LOWER): VariationIcon.IMPROVEMENT_LOW,
    (Meaning.CONCERN, Direction.HIGHER): VariationIcon.CONCERN_HIGH,
    (Meaning.CONCERN, Direction.LOWER): VariationIcon.CONCERN_LOW,
    (Meaning.NEITHER, Direction.HIGHER): VariationIcon.NEITHER_HIGH,
    (Meaning.NEITHER, Direction.LOWER): VariationIcon.NEITHER_LOW,
}


def xmr_chart(
    values: Sequence[float | None],
    *,
    baseline: int | None = None,
    shift_length: int = MDC_RUN_LENGTH,
    trend_length: int = MDC_RUN_LENGTH,
    bounds: tuple[float, float] | None = None,
) -> XmrChart:
    """An XmR chart with its special-cause signals.

    `baseline=12` fixes the mean and limits from the first 12 positions and judges every point,
    later ones included, against them (MDC: fix limits once a stable baseline exists, so that a
    change does not drag the limits along with it). `bounds` clamps the process limits to what
    the measure can take (`PERCENT` for a percentage); a value outside them is refused.
    """
    if baseline is not None and baseline < 2:
        raise ValueError("a baseline needs at least two points")
    if shift_length < 2 or trend_length < 2:
        raise ValueError("a run needs at least two points")
    clean = tuple(None if v is None or math.isnan(v) else float(v) for v in values)
    if bounds is not None and any(v is not None and not bounds[0] <= v <= bounds[1] for v in clean):
        raise ValueError(f"a value lies outside {bounds[0]:g} to {bounds[1]:g}")
    moving_ranges = _moving_ranges(clean)
    limits = _limits(clean, moving_ranges, baseline, bounds)
    signals: tuple[Signal, ...] = ()
    if limits is not None:
        signals = (
            *_beyond_limits(clean, limits),
            *_shifts(clean, limits.mean, shift_length),
            *_trends(clean, trend_length),
            *_two_of_three(clean, limits),
        )
    return XmrChart(clean, moving_ranges, limits, signals, baseline)


def _moving_ranges(values: tuple[float | None, ...]) -> tuple[float | None, ...]:
    ranges: list[float | None] = [None]
    for previous, current in pairwise(values):
        ranges.append(None if previous is None or current is None else abs(current - previous))
    return tuple(ranges)


def _limits(
    values: tuple[float | None, ...],
    moving_ranges: tuple[float | None, ...],
    baseline: int | None,
    bounds: tuple[float, float] | None,
) -> Limits | None:
    end = len(values) if baseline is None else baseline
    observed = [v for v in values[:end] if v is not None]
    ranges = [r for r in moving_ranges[1:end] if r is not None]
    if not ranges:
        return None
    return Limits(sum(observed) / len(observed), sum(ranges) / len(ranges), bounds)


def _side(value: float | None, mean: float) -> int:
    if value is None or value == mean:
        return 0
    return 1 if value > mean else -1


def _direction(sign: int) -> Direction:
    return Direction.HIGHER if sign > 0 else Direction.LOWER


def _runs(labels: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of one non-zero label, as (first index, last index, label)."""
    runs, start = [], 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            if labels[start] != 0:
                runs.append((start, i - 1, labels[start]))
            start = i
    return runs


def _beyond_limits(values: tuple[float | None, ...], limits: Limits) -> list[Signal]:
    return [
        Signal(Rule.BEYOND_LIMIT, (i,), _direction(1 if value > limits.upper else -1))
        for i, value in enumerate(values)
        if value is not None and (value > limits.upper or value < limits.lower)
    ]


def _shifts(values: tuple[float | None, ...], mean: float, length: int) -> list[Signal]:
    sides = [_side(value, mean) for value in values]
    return [
        Signal(Rule.SHIFT, tuple(range(first, last + 1)), _direction(side))
        for first, last, side in _runs(sides)
        if last - first + 1 >= length
    ]


def _trends(values: tuple[float | None, ...], length: int) -> list[Signal]:
    # steps[k] compares point k + 1 with point k; a tie or a gap is 0 and ends the trend.
    steps = [
        0 if a is None or b is None or a == b else (1 if b > a else -1) for a, b in pairwise(values)
    ]
    return [
        Signal(Rule.TREND, tuple(range(first, last + 2)), _direction(step))
        for first, last, step in _runs(steps)
        if last - first + 2 >= length
    ]


def _two_of_three(values: tuple[float | None, ...], limits: Limits) -> list[Signal]:
    upper_2s, lower_2s = limits.sigma_line(2), limits.sigma_line(-2)

    def close(value: float | None, side: int) -> bool:
        if value is None:
            return False
        if side > 0:
            return upper_2s < value <= limits.upper
        return limits.lower <= value < lower_2s

    signals: list[Signal] = []
    previous_start = -3  # start of the last window that fired
    for start in range(len(values) - 2):
        window = values[start : start + 3]
        side = _side(window[0], limits.mean)
        if side == 0 or any(_side(value, limits.mean) != side for value in window):
            continue
        flagged = [start + k for k, value in enumerate(window) if close(value, side)]
        if len(flagged) < 2:
            continue
        if start - previous_start <= 2:
            # Overlapping windows share points, so they are on the same side: one episode.
            merged = sorted({*signals[-1].indices, *flagged})
            signals[-1] = Signal(Rule.TWO_OF_THREE, tuple(merged), _direction(side))
        else:
            signals.append(Signal(Rule.TWO_OF_THREE, tuple(flagged), _direction(side)))
        previous_start = start
    return signals
