"""XmR charts and the Making Data Count rules, each at its threshold and just short of it.

Most series start from a four-month baseline whose limits are easy to work by hand:

    [11, 9, 11, 9]: mean 10; moving ranges 2, 2, 2 → MR̄ 2
    process limits 10 ± 2.66 × 2 = 4.68 and 15.32
    sigma = 2 / 1.128 = 1.773050; 2-sigma lines 6.453901 and 13.546099

`baseline=4` fixes those limits, so the points appended after it are judged against them.
"""

import math

import pytest

from patientvoice.insight.stats import (
    PERCENT,
    AssuranceIcon,
    Direction,
    Improvement,
    Meaning,
    Rule,
    VariationIcon,
    XmrChart,
    xmr_chart,
)

ENDING_LOW = [11.0, 9.0, 11.0, 9.0]  # the last baseline point is below the mean
ENDING_HIGH = [9.0, 11.0, 9.0, 11.0]  # the last baseline point is above the mean
UPPER_LIMIT = 10 + 2.66 * 2
LOWER_LIMIT = 10 - 2.66 * 2
UPPER_2_SIGMA = 10 + 2 * (2 / 1.128)

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER


def chart(*points: float | None, start: list[float] = ENDING_LOW, **options: int) -> XmrChart:
    return xmr_chart([*start, *points], baseline=4, **options)


def found(chart: XmrChart, rule: Rule) -> list[tuple[tuple[int, ...], Direction]]:
    return [(signal.indices, signal.direction) for signal in chart.signals if signal.rule is rule]


def test_a_small_series_has_the_hand_worked_mean_moving_ranges_and_limits() -> None:
    # [4, 6, 5, 7, 8]: mean 30 / 5 = 6; moving ranges 2, 1, 2, 1 → MR̄ 6 / 4 = 1.5
    # limits 6 ± 2.66 × 1.5 = 6 ± 3.99 → 2.01 and 9.99; sigma = 1.5 / 1.128 = 1.329787
    # 1-sigma 4.670213 and 7.329787; 2-sigma 3.340426 and 8.659574
    result = xmr_chart([4, 6, 5, 7, 8])
    assert result.moving_ranges == (None, 2.0, 1.0, 2.0, 1.0)
    assert result.limits is not None
    limits = result.limits
    assert (limits.mean, limits.mr_bar) == (6.0, 1.5)
    assert (limits.lower, limits.upper) == (pytest.approx(2.01), pytest.approx(9.99))
    assert limits.sigma == pytest.approx(1.329787, abs=1e-6)
    assert limits.sigma_line(1) == pytest.approx(7.329787, abs=1e-6)
    assert limits.sigma_line(-1) == pytest.approx(4.670213, abs=1e-6)
    assert limits.sigma_line(2) == pytest.approx(8.659574, abs=1e-6)
    assert limits.sigma_line(-2) == pytest.approx(3.340426, abs=1e-6)
    assert result.signals == ()
    assert result.variation_icon(Improvement.INCREASE) is VariationIcon.COMMON_CAUSE


def test_the_baseline_has_the_limits_worked_in_the_module_docstring() -> None:
    limits = chart().limits
    assert limits is not None
    assert (limits.mean, limits.mr_bar, limits.upper, limits.lower) == (
        10.0,
        2.0,
        pytest.approx(15.32),
        pytest.approx(4.68),
    )
    assert limits.sigma_line(2) == pytest.approx(13.546099, abs=1e-6)


# (a) A single point beyond a process limit


def test_a_point_above_the_upper_limit_is_a_signal_higher() -> None:
    assert found(chart(15.33), Rule.BEYOND_LIMIT) == [((4,), HIGHER)]


def test_a_point_below_the_lower_limit_is_a_signal_lower() -> None:
    assert found(chart(4.67), Rule.BEYOND_LIMIT) == [((4,), LOWER)]


def test_a_point_exactly_on_a_limit_is_not_beyond_it() -> None:
    assert found(chart(UPPER_LIMIT, LOWER_LIMIT), Rule.BEYOND_LIMIT) == []


# (b) A shift: N points in a row on one side of the mean


def test_seven_points_above_the_mean_are_a_shift() -> None:
    assert found(chart(*[10.5] * 7), Rule.SHIFT) == [((4, 5, 6, 7, 8, 9, 10), HIGHER)]


def test_seven_points_below_the_mean_are_a_shift_lower() -> None:
    assert found(chart(*[9.5] * 7, start=ENDING_HIGH), Rule.SHIFT) == [(tuple(range(4, 11)), LOWER)]


def test_six_points_above_the_mean_are_not_a_shift_by_default() -> None:
    assert found(chart(*[10.5] * 6), Rule.SHIFT) == []


def test_six_points_are_a_shift_when_the_run_length_is_six() -> None:
    assert found(chart(*[10.5] * 6, shift_length=6), Rule.SHIFT) == [(tuple(range(4, 10)), HIGHER)]


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    # 3 above, one exactly on the mean, 4 above: two short runs, not one of 8.
    assert found(chart(*[10.5] * 3, 10.0, *[10.5] * 4), Rule.SHIFT) == []


def test_a_point_on_the_mean_does_not_count_towards_a_shift() -> None:
    assert found(chart(*[10.5] * 6, 10.0), Rule.SHIFT) == []


def test_a_missing_month_breaks_a_shift() -> None:
    assert found(chart(*[10.5] * 3, None, *[10.5] * 4), Rule.SHIFT) == []


def test_a_whole_run_longer_than_seven_is_one_signal() -> None:
    assert found(chart(*[10.5] * 9), Rule.SHIFT) == [(tuple(range(4, 13)), HIGHER)]


# (c) A trend: N points each higher (or lower) than the last


def test_seven_rising_points_are_a_trend() -> None:
    # Index 3 (9) starts it: 9, 9.5, 10, 10.5, 11, 11.5, 12 is seven points, six rises.
    result = chart(9.5, 10, 10.5, 11, 11.5, 12)
    assert found(result, Rule.TREND) == [((3, 4, 5, 6, 7, 8, 9), HIGHER)]


def test_seven_falling_points_are_a_trend_lower() -> None:
    result = chart(10.5, 10, 9.5, 9, 8.5, 8, start=ENDING_HIGH)
    assert found(result, Rule.TREND) == [((3, 4, 5, 6, 7, 8, 9), LOWER)]


def test_six_rising_points_are_not_a_trend_by_default() -> None:
    assert found(chart(9.5, 10, 10.5, 11, 11.5), Rule.TREND) == []


def test_six_rising_points_are_a_trend_when_the_trend_length_is_six() -> None:
    result = chart(9.5, 10, 10.5, 11, 11.5, trend_length=6)
    assert found(result, Rule.TREND) == [((3, 4, 5, 6, 7, 8), HIGHER)]


def test_two_equal_points_in_a_row_break_a_trend() -> None:
    # Eight points that never fall, but 10 then 10 splits them into runs of 3 and 5.
    assert found(chart(9.5, 10, 10, 10.5, 11, 11.5, 12), Rule.TREND) == []


def test_a_missing_month_breaks_a_trend() -> None:
    assert found(chart(9.5, 10, None, 10.5, 11, 11.5, 12, 12.5), Rule.TREND) == []


# (d) Two of three points close to a limit (beyond 2 sigma), all three on that side of the mean


def test_two_of_three_points_beyond_two_sigma_are_a_signal() -> None:
    assert found(chart(14, 10.5, 14), Rule.TWO_OF_THREE) == [((4, 6), HIGHER)]


def test_two_of_three_points_below_minus_two_sigma_are_a_signal_lower() -> None:
    assert found(chart(6, 9.5, 6, start=ENDING_HIGH), Rule.TWO_OF_THREE) == [((4, 6), LOWER)]


def test_two_close_points_three_apart_are_not_two_of_three() -> None:
    assert found(chart(14, 10.5, 10.5, 14), Rule.TWO_OF_THREE) == []


def test_the_third_point_must_be_on_the_same_side_of_the_mean() -> None:
    # As NHSRplotthedots: 9.5 is below the mean, so the window does not count.
    assert found(chart(14, 9.5, 14), Rule.TWO_OF_THREE) == []


def test_a_point_exactly_on_the_two_sigma_line_is_not_close_to_the_limit() -> None:
    assert found(chart(14, 10.5, UPPER_2_SIGMA), Rule.TWO_OF_THREE) == []


def test_a_point_exactly_on_the_limit_counts_as_close_to_it() -> None:
    result = chart(UPPER_LIMIT, 10.5, 14)
    assert found(result, Rule.TWO_OF_THREE) == [((4, 6), HIGHER)]
    assert found(result, Rule.BEYOND_LIMIT) == []


def test_a_point_beyond_the_limit_is_its_own_signal_not_part_of_two_of_three() -> None:
    result = chart(16, 14, 10.5)
    assert found(result, Rule.BEYOND_LIMIT) == [((4,), HIGHER)]
    assert found(result, Rule.TWO_OF_THREE) == []


def test_overlapping_windows_are_one_two_of_three_signal() -> None:
    assert found(chart(14, 14, 14, 14), Rule.TWO_OF_THREE) == [((4, 5, 6, 7), HIGHER)]


def test_a_missing_month_in_the_window_breaks_two_of_three() -> None:
    assert found(chart(14, None, 14), Rule.TWO_OF_THREE) == []


# Edge cases


@pytest.mark.parametrize("values", [[], [5.0], [None, 5.0], [5.0, None, 7.0]])
def test_without_two_consecutive_points_there_are_no_limits_or_signals(
    values: list[float | None],
) -> None:
    result = xmr_chart(values)
    assert (result.limits, result.signals) == (None, ())
    assert result.variation_icon(Improvement.INCREASE) is VariationIcon.NOT_ENOUGH_DATA
    assert result.assurance_icon(0.9, Improvement.INCREASE) is None


def test_all_equal_values_have_zero_width_limits_and_no_signals() -> None:
    # MR̄ = 0, so both limits equal the mean; every point is on the mean (not beyond a limit,
    # not on either side) and equal neighbours are not a trend.
    result = xmr_chart([5.0] * 10)
    assert result.limits is not None
    assert (result.limits.mr_bar, result.limits.upper, result.limits.lower) == (0.0, 5.0, 5.0)
    assert result.signals == ()
    assert result.variation_icon(Improvement.INCREASE) is VariationIcon.COMMON_CAUSE


def test_any_change_after_a_flat_baseline_is_beyond_the_limits() -> None:
    result = xmr_chart([5.0, 5.0, 5.0, 5.0, 6.0], baseline=4)
    assert found(result, Rule.BEYOND_LIMIT) == [((4,), HIGHER)]


def test_missing_months_keep_their_place_but_stay_out_of_the_sums() -> None:
    # [10, None, 12, NaN, 11, 12]: NaN is missing too. Mean (10 + 12 + 11 + 12) / 4 = 11.25;
    # only 11 → 12 has both neighbours, so MR̄ = 1.
    result = xmr_chart([10, None, 12, math.nan, 11, 12])
    assert result.values == (10.0, None, 12.0, None, 11.0, 12.0)
    assert result.moving_ranges == (None, None, None, None, None, 1.0)
    assert result.limits is not None
    assert (result.limits.mean, result.limits.mr_bar) == (11.25, 1.0)


def test_a_signal_after_a_gap_reports_its_position_in_the_original_series() -> None:
    assert found(chart(None, None, 16), Rule.BEYOND_LIMIT) == [((6,), HIGHER)]


def test_a_fixed_baseline_keeps_a_step_change_from_widening_its_own_limits() -> None:
    # All six points: mean 80 / 6 = 13.33, MRs 2, 2, 2, 9, 0 → MR̄ 3, upper limit 21.31: no signal.
    # Baseline of four: upper limit 15.32, so both 20s are beyond it.
    values = [9.0, 11.0, 9.0, 11.0, 20.0, 20.0]
    assert found(xmr_chart(values), Rule.BEYOND_LIMIT) == []
    assert found(xmr_chart(values, baseline=4), Rule.BEYOND_LIMIT) == [
        ((4,), HIGHER),
        ((5,), HIGHER),
    ]


def test_a_baseline_longer_than_the_series_uses_every_point() -> None:
    assert xmr_chart([4, 6, 5, 7, 8], baseline=12).limits == xmr_chart([4, 6, 5, 7, 8]).limits


def test_a_baseline_or_run_shorter_than_two_points_is_refused() -> None:
    with pytest.raises(ValueError):
        xmr_chart([1, 2, 3], baseline=1)
    with pytest.raises(ValueError):
        xmr_chart([1, 2, 3], shift_length=1)


# What a signal means, and the icons


def test_a_signal_means_improvement_or_concern_depending_on_which_way_is_better() -> None:
    (signal,) = chart(16).signals
    assert signal.meaning(Improvement.INCREASE) is Meaning.IMPROVEMENT
    assert signal.meaning(Improvement.DECREASE) is Meaning.CONCERN
    assert signal.meaning(Improvement.NEUTRAL) is Meaning.NEITHER


@pytest.mark.parametrize(
    ("latest", "improvement", "icon"),
    [
        (16, Improvement.INCREASE, VariationIcon.IMPROVEMENT_HIGH),
        (16, Improvement.DECREASE, VariationIcon.CONCERN_HIGH),
        (16, Improvement.NEUTRAL, VariationIcon.NEITHER_HIGH),
        (4, Improvement.INCREASE, VariationIcon.CONCERN_LOW),
        (4, Improvement.DECREASE, VariationIcon.IMPROVEMENT_LOW),
        (4, Improvement.NEUTRAL, VariationIcon.NEITHER_LOW),
        (10.5, Improvement.INCREASE, VariationIcon.COMMON_CAUSE),
    ],
)
def test_the_variation_icon_describes_the_latest_point(
    latest: float, improvement: Improvement, icon: VariationIcon
) -> None:
    assert chart(latest).variation_icon(improvement) is icon


def test_an_earlier_signal_does_not_colour_the_latest_point() -> None:
    assert chart(16, 10.5).variation_icon(Improvement.INCREASE) is VariationIcon.COMMON_CAUSE


def test_a_missing_latest_month_leaves_the_icon_on_the_last_observed_point() -> None:
    assert chart(16, None).variation_icon(Improvement.INCREASE) is VariationIcon.IMPROVEMENT_HIGH


def test_a_falling_trend_above_the_mean_takes_its_icon_from_the_side_of_the_mean() -> None:
    # 13 → 10.2 falls seven times in a row (trend lower) while staying above 10 (shift higher).
    result = chart(13, 12.5, 12, 11.5, 11, 10.5, 10.2)
    assert found(result, Rule.TREND) == [(tuple(range(4, 11)), LOWER)]
    assert found(result, Rule.SHIFT) == [(tuple(range(4, 11)), HIGHER)]
    assert result.variation_icon(Improvement.INCREASE) is VariationIcon.IMPROVEMENT_HIGH


@pytest.mark.parametrize(
    ("target", "improvement", "icon"),
    [
        (4.0, Improvement.INCREASE, AssuranceIcon.CONSISTENTLY_PASS),
        (16.0, Improvement.INCREASE, AssuranceIcon.CONSISTENTLY_FAIL),
        (16.0, Improvement.DECREASE, AssuranceIcon.CONSISTENTLY_PASS),
        (4.0, Improvement.DECREASE, AssuranceIcon.CONSISTENTLY_FAIL),
        (10.0, Improvement.INCREASE, AssuranceIcon.HIT_OR_MISS),
        (UPPER_LIMIT, Improvement.INCREASE, AssuranceIcon.HIT_OR_MISS),
        (LOWER_LIMIT, Improvement.DECREASE, AssuranceIcon.HIT_OR_MISS),
        (10.0, Improvement.NEUTRAL, None),
        (None, Improvement.INCREASE, None),
    ],
)
def test_the_assurance_icon_compares_the_target_with_the_process_limits(
    target: float | None, improvement: Improvement, icon: AssuranceIcon | None
) -> None:
    # Limits 4.68 to 15.32: a target outside them is always (or never) met.
    assert chart().assurance_icon(target, improvement) is icon


# Percentages: limits stay within 0-100%.

# A service near the top: mean 96.5, MR̄ 7 → unclamped limits 77.88 and 115.12.
NEAR_THE_TOP = [100.0, 93.0, 100.0, 93.0]


def test_a_percentage_chart_never_has_a_limit_above_100_or_below_0() -> None:
    top = xmr_chart(NEAR_THE_TOP, bounds=PERCENT)
    bottom = xmr_chart([0.0, 7.0, 0.0, 7.0], bounds=PERCENT)

    assert top.limits is not None and bottom.limits is not None
    assert top.limits.upper == 100.0
    assert top.limits.lower == pytest.approx(96.5 - 2.66 * 7)
    assert bottom.limits.lower == 0.0
    assert bottom.limits.upper == pytest.approx(3.5 + 2.66 * 7)


def test_clamping_keeps_the_mean_and_changes_no_signal() -> None:
    series = [*NEAR_THE_TOP, 100.0, 100.0, 99.0, 98.0, 97.0, 60.0]
    bounded, unbounded = xmr_chart(series, bounds=PERCENT), xmr_chart(series)

    assert bounded.signals == unbounded.signals
    assert bounded.limits is not None and unbounded.limits is not None
    assert bounded.limits.mean == unbounded.limits.mean
    assert unbounded.limits.upper > 100


def test_a_value_outside_the_bounds_is_refused() -> None:
    with pytest.raises(ValueError, match="outside 0 to 100"):
        xmr_chart([50.0, 100.5], bounds=PERCENT)
