"""Friends and Family Test rates, Wilson intervals and small-number suppression.

Two decisions live here; both follow NHS England's own FFT publication code
(github.com/nhsengland/fft_pipeline):

- "Don't know" counts as a response. NHS England's percentage positive is
  (Very good + Good) / Total responses, and its Total responses is the sum of all six answers,
  "Don't know" included (`src/fft/processors.py`; the six Likert columns in `src/fft/config.py`).
  Dropping "Don't know" would make a service look better than the published figure.
- Counts of 1 to 4 are suppressed; 0 is not. NHS England suppresses "0 < responses < 5"
  (`src/fft/suppression.py`, `apply_first_level_suppression`): a zero identifies nobody, and
  hiding zeros would blank out most small services' "Very poor" column for no privacy gain.
  We are stricter than that pipeline in one way, as ARCHITECTURE.md asks: every published count
  under 5 is suppressed, not only the total, and so is any rate built on one.

Secondary suppression: a withheld count shown beside its table's total (or beside percentages
of it, from which the total can be worked out) can be recovered by subtraction, so
`suppress_table` withholds more cells of the same table until none can be. Which cells form a
table depends on the page, so callers say.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

# Two-sided 95% normal quantile, to the precision NHS and PHE tools quote.
Z_95 = 1.959964

# Published counts below this are suppressed (see the module docstring for why 0 is not).
SUPPRESSION_THRESHOLD = 5

K = TypeVar("K", bound=Hashable)

# The FFT answer codes, in the order NHS England collects them.
VERY_GOOD, GOOD, NEITHER, POOR, VERY_POOR, DONT_KNOW = 1, 2, 3, 4, 5, 6
FFT_ANSWERS = (VERY_GOOD, GOOD, NEITHER, POOR, VERY_POOR, DONT_KNOW)


@dataclass(frozen=True)
class Suppressed:
    """Stands where a number would disclose a small count. Renders as "*", as NHS England does."""

    def __str__(self) -> str:
        return "*"


SUPPRESSED = Suppressed()


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Rate:
    """A proportion with its Wilson 95% interval; `proportion` is 0–1, not a percentage."""

    numerator: int
    denominator: int
    proportion: float
    interval: Interval


@dataclass(frozen=True)
class FftCounts:
    very_good: int = 0
    good: int = 0
    neither: int = 0
    poor: int = 0
    very_poor: int = 0
    dont_know: int = 0

    def __post_init__(self) -> None:
        if any(count < 0 for count in self.as_tuple()):
            raise ValueError("FFT counts cannot be negative")

    @classmethod
    def from_answers(cls, counts: Mapping[int, int]) -> FftCounts:
        """Build from {answer code 1..6: count}; codes not given count as 0."""
        unknown = set(counts) - set(FFT_ANSWERS)
        if unknown:
            raise ValueError(f"not FFT answer codes: {sorted(unknown)}")
        return cls(*(counts.get(answer, 0) for answer in FFT_ANSWERS))

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        return (self.very_good, self.good, self.neither, self.poor, self.very_poor, self.dont_know)

    @property
    def total(self) -> int:
        # "Don't know" included: this is NHS England's Total responses.
        return sum(self.as_tuple())

    @property
    def positive(self) -> int:
        return self.very_good + self.good

    @property
    def negative(self) -> int:
        return self.poor + self.very_poor


@dataclass(frozen=True)
class FftRates:
    total: int
    positive: Rate | None  # None when there are no responses
    negative: Rate | None


@dataclass(frozen=True)
class PublishableFftRates:
    total: int | Suppressed
    positive: Rate | Suppressed | None
    negative: Rate | Suppressed | None


def wilson_interval(successes: float, trials: float, z: float = Z_95) -> Interval:
    """Wilson score interval; unlike the normal approximation it stays inside [0, 1] and is
    sensible at 0 and n, which small services hit all the time. Trials may be fractional (an
    effective sample size for weighted data)."""
    if trials <= 0:
        raise ValueError("a proportion needs at least one trial")
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and trials")
    p = successes / trials
    z2_n = z * z / trials
    centre = (p + z2_n / 2) / (1 + z2_n)
    half_width = z / (1 + z2_n) * math.sqrt(p * (1 - p) / trials + z2_n / (4 * trials))
    # At 0 and n the exact bound is 0 or 1; pin it so rounding cannot show "-0.0%" or "100.0%".
    low = 0.0 if successes == 0 else centre - half_width
    high = 1.0 if successes == trials else centre + half_width
    return Interval(low, high)


def rate(numerator: int, denominator: int) -> Rate | None:
    """The rate with its interval, or None when there is nothing to divide by."""
    if denominator == 0:
        return None
    return Rate(
        numerator, denominator, numerator / denominator, wilson_interval(numerator, denominator)
    )


def fft_rates(counts: FftCounts) -> FftRates:
    """% positive = (1+2) / all responses and % negative = (4+5) / all responses."""
    return FftRates(
        total=counts.total,
        positive=rate(counts.positive, counts.total),
        negative=rate(counts.negative, counts.total),
    )


def is_suppressed(count: int) -> bool:
    return 0 < count < SUPPRESSION_THRESHOLD


def publishable_count(count: int) -> int | Suppressed:
    return SUPPRESSED if is_suppressed(count) else count


def publishable_rate(numerator: int, denominator: int) -> Rate | Suppressed | None:
    """A rate is as disclosive as its parts: suppressed when either count is."""
    if is_suppressed(numerator) or is_suppressed(denominator):
        return SUPPRESSED
    return rate(numerator, denominator)


def publishable_fft_rates(counts: FftCounts) -> PublishableFftRates:
    return PublishableFftRates(
        total=publishable_count(counts.total),
        positive=publishable_rate(counts.positive, counts.total),
        negative=publishable_rate(counts.negative, counts.total),
    )


def suppress_table(cells: Mapping[K, int]) -> dict[K, int | Suppressed]:
    """The cells of one table that may be published beside its total.

    Every count of 1 to 4 is withheld (primary suppression). If any is, more cells are withheld,
    smallest first (ties in the table's order), until at least two are and together they come
    to 5 or more (secondary suppression): subtracting the cells shown from the total then gives
    only a sum that identifies nobody, never one withheld cell. Zeros are never withheld and
    never chosen (hiding one hides nothing). If every non-zero cell is withheld and they still
    come to fewer than 5, the total is itself under 5 and the caller withholds it too.
    """
    withheld = {key for key, count in cells.items() if is_suppressed(count)}
    if withheld:
        candidates = sorted(
            (key for key, count in cells.items() if count > 0 and key not in withheld),
            key=lambda key: cells[key],
        )
        for key in candidates:
            if len(withheld) >= 2 and sum(cells[k] for k in withheld) >= SUPPRESSION_THRESHOLD:
                break
            withheld.add(key)
    return {key: SUPPRESSED if key in withheld else count for key, count in cells.items()}
