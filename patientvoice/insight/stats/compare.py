"""Has a proportion changed between two periods? Two-proportion z-test, or Fisher's exact test
when the counts are too small for the normal approximation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

ALPHA = 0.05

# Cochran's rule of thumb: the z-test is trustworthy when every expected cell count is at least 5.
MIN_EXPECTED_FOR_Z = 5


class Method(StrEnum):
    AUTO = "auto"
    Z_TEST = "z_test"
    FISHER = "fisher"


@dataclass(frozen=True)
class ProportionChange:
    before: float
    after: float
    difference: float  # after − before, so a rise is positive
    p_value: float
    significant: bool
    method: Method  # the test actually used, never AUTO
    z: float | None  # None for Fisher's exact test


def compare_proportions(
    successes_before: int,
    trials_before: int,
    successes_after: int,
    trials_after: int,
    *,
    method: Method = Method.AUTO,
    alpha: float = ALPHA,
) -> ProportionChange:
    """Two-sided test of p_after = p_before. AUTO uses the pooled z-test unless an expected cell
    count is under 5, where the normal approximation misleads, and then Fisher's exact test."""
    for successes, trials in ((successes_before, trials_before), (successes_after, trials_after)):
        if trials <= 0 or not 0 <= successes <= trials:
            raise ValueError("each period needs trials > 0 and 0 <= successes <= trials")
    if method is Method.AUTO:
        method = _choose_method(successes_before, trials_before, successes_after, trials_after)
    before, after = successes_before / trials_before, successes_after / trials_after
    if method is Method.FISHER:
        table = [
            [successes_before, trials_before - successes_before],
            [successes_after, trials_after - successes_after],
        ]
        z, p_value = None, float(stats.fisher_exact(table).pvalue)
    else:
        z = _pooled_z(successes_before, trials_before, successes_after, trials_after)
        p_value = float(2 * stats.norm.sf(abs(z)))
    return ProportionChange(before, after, after - before, p_value, p_value < alpha, method, z)


def compare_theme_share(
    theme_comments_before: int,
    comments_before: int,
    theme_comments_after: int,
    comments_after: int,
    *,
    method: Method = Method.AUTO,
    alpha: float = ALPHA,
) -> ProportionChange:
    """Has the share of comments carrying a theme changed?

    A comment can carry several themes, so shares across themes do not sum to 1 and a
    chi-square over all themes would be wrong. For one theme each comment either carries it or
    not, which is exactly a two-proportion comparison. When testing many themes at once, pass
    the p-values through `benjamini_hochberg` before calling anything "significant".
    """
    return compare_proportions(
        theme_comments_before,
        comments_before,
        theme_comments_after,
        comments_after,
        method=method,
        alpha=alpha,
    )


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """False-discovery-rate adjusted p-values (Benjamini–Hochberg), in the input order.

    Fifty themes tested at 0.05 give two or three "significant" changes by chance alone every
    period; the emerging-concerns list must not be made of those.
    """
    if not p_values:
        return []
    return [float(q) for q in stats.false_discovery_control(np.asarray(p_values), method="bh")]


def _choose_method(x1: int, n1: int, x2: int, n2: int) -> Method:
    successes, trials = x1 + x2, n1 + n2
    smallest_expected = min(
        n * share for n in (n1, n2) for share in (successes, trials - successes)
    )
    return Method.Z_TEST if smallest_expected / trials >= MIN_EXPECTED_FOR_Z else Method.FISHER


def _pooled_z(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if standard_error == 0:
        # Both periods all-successes or all-failures: identical, so no evidence of change.
        return 0.0
    return (x2 / n2 - x1 / n1) / standard_error
