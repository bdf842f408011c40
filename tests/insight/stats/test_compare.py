"""Change between two periods, against hand-worked tests."""

import pytest

from patientvoice.insight.stats import (
    Method,
    benjamini_hochberg,
    compare_proportions,
    compare_theme_share,
)


def test_a_rise_from_40_to_60_percent_of_100_is_significant() -> None:
    # pooled p = 100 / 200 = 0.5; se = √(0.5 × 0.5 × (1/100 + 1/100)) = √0.005 = 0.0707107
    # z = (0.6 − 0.4) / 0.0707107 = 2.828427; two-sided p = 2 × (1 − Φ(2.828427)) = 0.004678
    change = compare_proportions(40, 100, 60, 100)
    assert change.method is Method.Z_TEST
    assert change.difference == pytest.approx(0.20)
    assert change.z == pytest.approx(2.828427, abs=1e-6)
    assert change.p_value == pytest.approx(0.004678, abs=1e-6)
    assert change.significant


def test_a_rise_from_45_to_55_percent_of_100_is_not_significant() -> None:
    # Same se, z = 0.1 / 0.0707107 = 1.414214; p = 2 × (1 − Φ(1.414214)) = 0.157299
    change = compare_proportions(45, 100, 55, 100)
    assert change.z == pytest.approx(1.414214, abs=1e-6)
    assert change.p_value == pytest.approx(0.157299, abs=1e-6)
    assert not change.significant


def test_a_fall_has_a_negative_difference_and_z() -> None:
    change = compare_proportions(60, 100, 40, 100)
    assert change.difference == pytest.approx(-0.20)
    assert change.z == pytest.approx(-2.828427, abs=1e-6)
    assert change.significant


def test_small_counts_use_fishers_exact_test() -> None:
    # 1 of 5 then 4 of 5: expected cells are 5 × 5 / 10 = 2.5 < 5, so Fisher.
    # Margins 5, 5 / 5, 5: P(k successes before) = C(5, k) × C(5, 5 − k) / C(10, 5) = C(5, k)² / 252
    # → 1, 25, 100, 100, 25, 1 (/252). Observed k = 1 has 25/252; as or less likely: k = 0, 1, 4, 5
    # → p = (1 + 25 + 25 + 1) / 252 = 52/252 = 0.206349
    change = compare_proportions(1, 5, 4, 5)
    assert change.method is Method.FISHER
    assert change.z is None
    assert change.p_value == pytest.approx(52 / 252)
    assert not change.significant


def test_fisher_can_be_asked_for_with_large_counts() -> None:
    change = compare_proportions(40, 100, 60, 100, method=Method.FISHER)
    assert change.method is Method.FISHER
    assert change.significant


def test_the_z_test_is_used_when_the_smallest_expected_cell_is_exactly_five() -> None:
    # 2 of 20 then 8 of 20: successes 10 of 40, smallest expected = 20 × 10 / 40 = 5.
    assert compare_proportions(2, 20, 8, 20).method is Method.Z_TEST
    # 2 of 19 then 7 of 19: 9 of 38, smallest expected = 19 × 9 / 38 = 4.5 → Fisher.
    assert compare_proportions(2, 19, 7, 19).method is Method.FISHER


def test_two_periods_of_all_positive_answers_show_no_change() -> None:
    change = compare_proportions(50, 50, 80, 80, method=Method.Z_TEST)
    assert (change.difference, change.z, change.p_value, change.significant) == (
        0.0,
        0.0,
        1.0,
        False,
    )


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(ValueError):
        compare_proportions(0, 0, 3, 10)
    with pytest.raises(ValueError):
        compare_proportions(11, 10, 3, 10)


def test_a_themes_share_of_comments_doubling_from_10_to_20_percent_is_significant() -> None:
    # 30 of 300 comments then 60 of 300: pooled 90 / 600 = 0.15
    # se = √(0.15 × 0.85 × 2/300) = √0.00085 = 0.0291548; z = 0.1 / 0.0291548 = 3.429972
    # p = 2 × (1 − Φ(3.429972)) = 0.000604
    change = compare_theme_share(30, 300, 60, 300)
    assert change.z == pytest.approx(3.429972, abs=1e-6)
    assert change.p_value == pytest.approx(0.000604, abs=1e-6)
    assert change.significant


def test_benjamini_hochberg_adjusts_in_the_input_order() -> None:
    # m = 4, sorted 0.01, 0.03, 0.04, 0.5 → × m / rank: 0.04, 0.06, 0.0533, 0.5
    # then each is the minimum of itself and those ranked above it: 0.04, 0.0533, 0.0533, 0.5
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert adjusted == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert benjamini_hochberg([]) == []
