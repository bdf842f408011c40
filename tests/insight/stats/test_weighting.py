"""Representativeness, raking, weighted rates and effective sample size, by hand."""

import math

import numpy as np
import pytest

from patientvoice.insight.stats import (
    Category,
    kish_effective_sample_size,
    rake,
    representation,
    weighted_fft_rates,
    weighted_proportion,
)

# 100 respondents in a 2 × 2: 40 young women, 20 older women, 10 young men, 30 older men.
SEX = ["F"] * 60 + ["M"] * 40
AGE = ["young"] * 40 + ["older"] * 20 + ["young"] * 10 + ["older"] * 30
HALF_AND_HALF = {"sex": {"F": 500, "M": 500}, "age": {"young": 500, "older": 500}}

# Raking keeps each cell at n × a(sex) × b(age), so the odds ratio (40 × 30) / (20 × 10) = 6 is
# kept. Margins of 50 each force young women = older men = x and older women = young men = 50 − x;
# x² / (50 − x)² = 6 → x = 50√6 / (1 + √6) = 35.505103.
YOUNG_WOMEN = 50 * math.sqrt(6) / (1 + math.sqrt(6))
OLDER_WOMEN = 50 - YOUNG_WOMEN  # 14.494897
HAND_WORKED_WEIGHTS = {
    "young women": YOUNG_WOMEN / 40,  # 0.887628
    "older women": OLDER_WOMEN / 20,  # 0.724745
    "young men": OLDER_WOMEN / 10,  # 1.449490
    "older men": YOUNG_WOMEN / 30,  # 1.183503
}
FIRST_OF_EACH_CELL = [0, 40, 60, 70]


def test_raking_a_two_by_two_reaches_the_hand_worked_weights() -> None:
    result = rake({"sex": SEX, "age": AGE}, HALF_AND_HALF, tolerance=1e-12)
    assert result.converged
    assert result.max_error <= 1e-12
    assert result.weights[FIRST_OF_EACH_CELL] == pytest.approx(
        list(HAND_WORKED_WEIGHTS.values()), rel=1e-9
    )
    assert result.weights.sum() == pytest.approx(100)


def test_raking_the_two_by_two_gives_an_effective_sample_size_of_95_2() -> None:
    # Σw = 100; Σw² = 40 × 0.887628² + 20 × 0.724745² + 10 × 1.449490² + 30 × 1.183503²
    #              = 31.51531 + 10.50510 + 21.01021 + 42.02041 = 105.05103 → 10000 / 105.05103
    result = rake({"sex": SEX, "age": AGE}, HALF_AND_HALF, tolerance=1e-12)
    assert result.effective_sample_size == pytest.approx(95.1919, abs=1e-4)


def test_one_sweep_of_raking_matches_the_first_hand_step() -> None:
    # Sex first: F × 50/60, M × 50/40. Then age: young totals 40 × 5/6 + 10 × 5/4 = 45.8333,
    # so young × 50/45.8333 = 12/11; older totals 54.1667, so older × 12/13.
    result = rake({"sex": SEX, "age": AGE}, HALF_AND_HALF, max_iterations=1)
    expected = [5 / 6 * 12 / 11, 5 / 6 * 12 / 13, 5 / 4 * 12 / 11, 5 / 4 * 12 / 13]
    assert result.weights[FIRST_OF_EACH_CELL] == pytest.approx(expected)
    assert result.iterations == 1
    assert not result.converged


def test_a_sample_that_already_matches_needs_no_iterations() -> None:
    result = rake({"sex": ["F", "M"]}, {"sex": {"F": 10, "M": 10}})
    assert (result.converged, result.iterations) == (True, 0)
    assert list(result.weights) == [1.0, 1.0]


def test_base_weights_are_adjusted_rather_than_replaced() -> None:
    # F base weights 2 + 1 = 3, M 1 + 1 = 2, total 5; targets 2.5 each.
    result = rake(
        {"sex": ["F", "F", "M", "M"]}, {"sex": {"F": 1, "M": 1}}, base_weights=[2, 1, 1, 1]
    )
    assert list(result.weights) == pytest.approx([2 * 2.5 / 3, 2.5 / 3, 1.25, 1.25])


ETHNICITY = ["White"] * 6 + ["Asian"] * 2 + ["Not stated"] * 2
ETHNICITY_POPULATION = {"ethnicity": {"White": 80, "Asian": 15, "Black": 5}}


def test_groups_the_population_lacks_or_nobody_answered_are_reported_not_fatal() -> None:
    # "Not stated" keeps weight 1. White and Asian share the other 8 as 80 : 15 (Black has no
    # respondents to weight up): White 8 × 80/95 / 6 = 64/57, Asian 8 × 15/95 / 2 = 12/19.
    result = rake({"ethnicity": ETHNICITY}, ETHNICITY_POPULATION)
    assert result.converged
    assert result.weights[[0, 6, 8]] == pytest.approx([64 / 57, 12 / 19, 1.0])
    assert result.not_in_population == (Category("ethnicity", "Not stated"),)
    assert result.without_respondents == (Category("ethnicity", "Black"),)


def test_margins_that_cannot_be_met_together_end_unconverged() -> None:
    # Every woman is young and every man older, so 50 : 50 by sex and 20 : 80 by age conflict.
    result = rake(
        {"sex": ["F", "F", "M", "M"], "age": ["young", "young", "older", "older"]},
        {"sex": {"F": 50, "M": 50}, "age": {"young": 20, "older": 80}},
        max_iterations=20,
    )
    assert (result.converged, result.iterations) == (False, 20)
    assert result.max_error == pytest.approx(0.3)


def test_integer_quintiles_match_population_labels_read_from_a_csv() -> None:
    result = rake({"imd": np.array([1, 1, 1, 2])}, {"imd": {"1": 50, "2": 50}})
    assert result.not_in_population == ()
    assert result.weights == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0])


def test_mismatched_or_missing_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        rake({"sex": ["F", "M"], "age": ["young"]}, {"sex": {"F": 1}, "age": {"young": 1}})
    with pytest.raises(ValueError):
        rake({"sex": ["F", "M"]}, {"age": {"young": 1}})
    with pytest.raises(ValueError):
        rake({"sex": ["F", "M"]}, {"sex": {"F": -1, "M": 2}})
    with pytest.raises(ValueError):
        rake({"sex": ["F", "M"]}, {"sex": {"F": 1, "M": 1}}, base_weights=[1.0, -1.0])


def test_each_groups_share_is_compared_with_its_population_share() -> None:
    report = representation({"sex": SEX, "age": AGE}, HALF_AND_HALF)
    by_group = {(g.dimension, g.category): g for g in report.groups}
    women, men = by_group["sex", "F"], by_group["sex", "M"]
    assert (women.respondents, women.respondent_share, women.population_share) == (60, 0.6, 0.5)
    assert women.ratio == pytest.approx(1.2)
    # 0.4 / 0.5 = 0.8 exactly: "under-represented" means below 0.8, so men are not.
    assert men.ratio == 0.8
    assert not men.under_represented
    assert not women.under_represented


def test_the_under_representation_threshold_can_be_raised() -> None:
    report = representation({"sex": SEX}, {"sex": HALF_AND_HALF["sex"]}, threshold=0.85)
    assert [g.category for g in report.groups if g.under_represented] == ["M"]


def test_shares_leave_out_labels_the_population_lacks_and_flag_groups_nobody_is_in() -> None:
    # Of the 8 respondents with a population group: White 6/8 = 0.75 against 0.80 → 0.9375;
    # Asian 2/8 = 0.25 against 0.15 → 1.667; Black 0 against 0.05 → 0, under-represented.
    report = representation({"ethnicity": ETHNICITY}, ETHNICITY_POPULATION)
    ratios = {g.category: (g.ratio, g.under_represented) for g in report.groups}
    assert ratios == {
        "White": (pytest.approx(0.9375), False),
        "Asian": (pytest.approx(0.25 / 0.15), False),
        "Black": (0.0, True),
    }
    assert report.not_in_population == (Category("ethnicity", "Not stated"),)


def test_a_population_group_of_zero_people_is_treated_as_absent() -> None:
    report = representation({"sex": ["F", "M"]}, {"sex": {"F": 1, "M": 1, "X": 0}})
    assert {g.category for g in report.groups} == {"F", "M"}


def test_kish_effective_sample_size_of_a_small_weight_vector() -> None:
    # (1 + 1 + 2 + 4)² / (1 + 1 + 4 + 16) = 64 / 22 = 2.909091
    assert kish_effective_sample_size([1, 1, 2, 4]) == pytest.approx(64 / 22)
    assert kish_effective_sample_size([3, 3, 3]) == pytest.approx(3)
    assert kish_effective_sample_size([0, 0]) == 0.0


def test_weighted_fft_rates_count_dont_know_and_skip_unanswered() -> None:
    # Answers 1, 2, 4, 6, 3 with weights 1, 2, 1, 4, 2; the 0 (weight 5) did not answer.
    # Σw = 10; positive 1 + 2 = 3 → 0.3; negative 1 → 0.1; ESS = 10² / (1+4+1+16+4) = 3.846154
    # Wilson at p = 0.3, n = 3.846154: z²/n = 0.998779, centre = 0.799390 / 1.998779 = 0.399939
    # half = 0.980580 × √(0.21 / 3.846154 + 0.998779 / 15.384615) = 0.980580 × 0.345718 = 0.339005
    rates = weighted_fft_rates([1, 2, 4, 6, 3, 0], [1, 2, 1, 4, 2, 5])
    assert rates.positive is not None and rates.negative is not None
    assert rates.positive.proportion == pytest.approx(0.3)
    assert rates.negative.proportion == pytest.approx(0.1)
    assert rates.positive.effective_sample_size == pytest.approx(100 / 26)
    assert rates.positive.interval.low == pytest.approx(0.060934, abs=1e-5)
    assert rates.positive.interval.high == pytest.approx(0.738943, abs=1e-5)


def test_weighted_percent_positive_uses_the_raked_weights() -> None:
    # If only the young women were positive: 35.505103 of 100 weighted respondents.
    weights = rake({"sex": SEX, "age": AGE}, HALF_AND_HALF, tolerance=1e-12).weights
    positive = [True] * 40 + [False] * 60
    result = weighted_proportion(positive, weights)
    assert result is not None
    assert result.proportion == pytest.approx(YOUNG_WOMEN / 100)


def test_no_weight_means_no_weighted_rate() -> None:
    assert weighted_proportion([True], [0.0]) is None
    assert weighted_fft_rates([0, 7], [1, 1]).positive is None
