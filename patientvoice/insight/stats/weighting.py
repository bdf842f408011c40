"""Who is speaking and who is missing: representativeness, raking weights, weighted rates.

Respondents come as one array of category labels per dimension (age band, sex, ethnicity group,
deprivation quintile...), one entry per respondent; the population as counts per category per
dimension. Labels are matched by their text, so quintile 3 and the CSV cell "3" are one group.
Give unknown values an explicit label such as "Not stated": a label the population does not
have is reported, left out of that dimension's shares, and its respondents keep the weight the
other dimensions give them. Population groups nobody in the sample belongs to cannot be weighted
up from nothing; they are reported, and the other groups' targets are rescaled without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from patientvoice.insight.stats.rates import (
    FFT_ANSWERS,
    GOOD,
    POOR,
    VERY_GOOD,
    VERY_POOR,
    Interval,
    Suppressed,
    suppress_table,
    wilson_interval,
)

UNDER_REPRESENTED_BELOW = 0.8  # respondent share / population share

Respondents = Mapping[str, ArrayLike]
# Population labels may be ints or text; Any because Mapping keys are invariant for mypy.
Population = Mapping[str, Mapping[Any, float]]


@dataclass(frozen=True)
class GroupRepresentation:
    dimension: str
    category: str
    respondents: int
    respondent_share: float  # among respondents in groups the population has
    population_share: float
    ratio: float  # respondent_share / population_share; 1 is a fair share
    under_represented: bool
    # Whether the count and share may be shown: False for a count of 1 to 4 and for the cells
    # withheld beside it so that it cannot be worked out from the dimension's total.
    disclosed: bool = True


@dataclass(frozen=True)
class Category:
    dimension: str
    category: str


@dataclass(frozen=True)
class Representation:
    groups: tuple[GroupRepresentation, ...]
    not_in_population: tuple[Category, ...]  # respondent labels the population lacks


@dataclass(frozen=True)
class RakingResult:
    weights: NDArray[np.float64]  # mean 1 when no base weights are given
    converged: bool
    iterations: int
    max_error: float  # largest gap between a weighted share and its target, at the end
    not_in_population: tuple[Category, ...]
    without_respondents: tuple[Category, ...]  # population groups nobody in the sample is in
    effective_sample_size: float


@dataclass(frozen=True)
class WeightedRate:
    proportion: float
    effective_sample_size: float
    interval: Interval  # Wilson at the effective sample size (Kish's approximation)


@dataclass(frozen=True)
class WeightedFftRates:
    positive: WeightedRate | None
    negative: WeightedRate | None


@dataclass(frozen=True)
class _Dimension:
    name: str
    codes: NDArray[np.intp]  # per respondent, an index into labels
    labels: list[str]
    counts: NDArray[np.int64]  # respondents per label
    matched: NDArray[np.bool_]  # per label: does the population have it?
    population_share: dict[str, float]  # per population group, among all of them
    target: NDArray[np.float64]  # per label, rescaled over groups with respondents; 0 if absent
    without_respondents: list[str]


def representation(
    respondents: Respondents,
    population: Population,
    *,
    threshold: float = UNDER_REPRESENTED_BELOW,
) -> Representation:
    """Each group's share of respondents against its share of the population."""
    groups = []
    dims = _dimensions(respondents, population)
    for dim in dims:
        matched_total = dim.counts[dim.matched].sum()
        # One table per dimension: its shares give away its total.
        published = suppress_table(
            {dim.labels[code]: int(dim.counts[code]) for code in np.flatnonzero(dim.matched)}
        )
        for code in np.flatnonzero(dim.matched):
            share = float(dim.counts[code] / matched_total)
            ratio = share / dim.population_share[dim.labels[code]]
            groups.append(
                GroupRepresentation(
                    dim.name,
                    dim.labels[code],
                    int(dim.counts[code]),
                    share,
                    dim.population_share[dim.labels[code]],
                    ratio,
                    ratio < threshold,
                    not isinstance(published[dim.labels[code]], Suppressed),
                )
            )
        for label in dim.without_respondents:
            share = dim.population_share[label]
            groups.append(GroupRepresentation(dim.name, label, 0, 0.0, share, 0.0, True))
    return Representation(tuple(groups), _not_in_population(dims))


def _not_in_population(dims: list[_Dimension]) -> tuple[Category, ...]:
    return tuple(
        Category(dim.name, dim.labels[code])
        for dim in dims
        for code in np.flatnonzero(~dim.matched)
    )


def rake(
    respondents: Respondents,
    population: Population,
    *,
    base_weights: ArrayLike | None = None,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
) -> RakingResult:
    """Iterative proportional fitting: adjust weights one dimension at a time until every
    weighted margin is within `tolerance` of the population share. Margins that cannot all be
    met (a group empty in the sample along one dimension, say) end with converged=False."""
    dims = _dimensions(respondents, population)
    n = len(dims[0].codes) if dims else 0
    weights = np.ones(n) if base_weights is None else np.array(base_weights, dtype=np.float64)
    if weights.shape != (n,) or (weights < 0).any():
        raise ValueError("base weights must be one non-negative number per respondent")
    iterations, error = 0, _max_error(dims, weights)
    while error > tolerance and iterations < max_iterations:
        for dim in dims:
            weights *= _adjustment(dim, weights)[dim.codes]
        iterations += 1
        error = _max_error(dims, weights)
    return RakingResult(
        weights=weights,
        converged=error <= tolerance,
        iterations=iterations,
        max_error=error,
        not_in_population=_not_in_population(dims),
        without_respondents=tuple(
            Category(dim.name, label) for dim in dims for label in dim.without_respondents
        ),
        effective_sample_size=kish_effective_sample_size(weights),
    )


def _adjustment(dim: _Dimension, weights: NDArray[np.float64]) -> NDArray[np.float64]:
    totals = np.bincount(dim.codes, weights=weights, minlength=len(dim.labels))
    wanted = dim.target * totals[dim.matched].sum()
    factor = np.ones(len(dim.labels))
    adjustable = dim.matched & (totals > 0)
    factor[adjustable] = wanted[adjustable] / totals[adjustable]
    return factor


def _max_error(dims: list[_Dimension], weights: NDArray[np.float64]) -> float:
    error = 0.0
    for dim in dims:
        totals = np.bincount(dim.codes, weights=weights, minlength=len(dim.labels))[dim.matched]
        if totals.sum() > 0:
            error = max(error, float(np.abs(totals / totals.sum() - dim.target[dim.matched]).max()))
    return error


def kish_effective_sample_size(weights: ArrayLike) -> float:
    """(Σw)² / Σw²: how many unweighted respondents the weighted sample is worth."""
    w = np.asarray(weights, dtype=np.float64)
    squares = float(np.dot(w, w))
    return float(w.sum()) ** 2 / squares if squares > 0 else 0.0


def weighted_proportion(successes: ArrayLike, weights: ArrayLike) -> WeightedRate | None:
    """Weighted share of True in `successes`, or None when the weights sum to zero."""
    hits = np.asarray(successes, dtype=bool)
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    if total <= 0:
        return None
    proportion = float(w[hits].sum()) / total
    ess = kish_effective_sample_size(w)
    return WeightedRate(proportion, ess, wilson_interval(proportion * ess, ess))


def weighted_fft_rates(answers: ArrayLike, weights: ArrayLike) -> WeightedFftRates:
    """Weighted % positive and % negative. As unweighted, "Don't know" (6) is a response;
    anything outside 1..6 means the FFT question was not answered and is left out."""
    codes = np.asarray(answers)
    w = np.asarray(weights, dtype=np.float64)
    answered = np.isin(codes, FFT_ANSWERS)
    codes, w = codes[answered], w[answered]
    return WeightedFftRates(
        positive=weighted_proportion(np.isin(codes, (VERY_GOOD, GOOD)), w),
        negative=weighted_proportion(np.isin(codes, (POOR, VERY_POOR)), w),
    )


def _dimensions(respondents: Respondents, population: Population) -> list[_Dimension]:
    missing = set(population) - set(respondents)
    if missing:
        raise ValueError(f"no respondent data for population dimensions: {sorted(missing)}")
    dims = [_dimension(name, respondents[name], population[name]) for name in population]
    if len({len(dim.codes) for dim in dims}) > 1:
        raise ValueError("every dimension needs one label per respondent")
    return dims


def _dimension(name: str, values: ArrayLike, population: Mapping[Any, float]) -> _Dimension:
    labels_array = np.asarray(values)
    if labels_array.dtype == object:
        labels_array = labels_array.astype(str)  # sorting Python objects is ~5× slower
    uniques, codes = np.unique(labels_array, return_inverse=True)
    labels = [str(u) for u in uniques.tolist()]
    seen = set(labels)
    shares = _population_shares(population)
    matched = np.array([label in shares for label in labels], dtype=bool)
    target = np.array([shares.get(label, 0.0) for label in labels])
    if matched.any():
        target /= target.sum()  # without the groups nobody in the sample belongs to
    codes = codes.reshape(-1)  # numpy 2 keeps the input's shape here
    return _Dimension(
        name=name,
        codes=codes,
        labels=labels,
        counts=np.bincount(codes, minlength=len(labels)),
        matched=matched,
        population_share=shares,
        target=target,
        without_respondents=[label for label in shares if label not in seen],
    )


def _population_shares(population: Mapping[Any, float]) -> dict[str, float]:
    if any(count < 0 for count in population.values()):
        raise ValueError("population counts cannot be negative")
    # A group with no people in the population is treated as absent from it.
    counts = {str(label): float(count) for label, count in population.items() if count > 0}
    total = sum(counts.values())
    return {label: count / total for label, count in counts.items()}
