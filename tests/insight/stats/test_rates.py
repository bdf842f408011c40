"""FFT rates, Wilson intervals and suppression against hand-worked values."""

import pytest

from patientvoice.insight.stats import (
    SUPPRESSED,
    FftCounts,
    Interval,
    Suppressed,
    fft_rates,
    is_suppressed,
    publishable_count,
    publishable_fft_rates,
    publishable_rate,
    rate,
    wilson_interval,
)


def close_to(interval: Interval, low: float, high: float, abs: float = 5e-4) -> bool:
    return interval.low == pytest.approx(low, abs=abs) and interval.high == pytest.approx(
        high, abs=abs
    )


def test_wilson_for_8_of_10_is_0490_to_0943() -> None:
    # p = 0.8, z = 1.959964, z²/n = 3.841459/10 = 0.384146, 1 + z²/n = 1.384146
    # centre = (0.8 + 0.192073) / 1.384146 = 0.716740
    # half = 1.959964 / 1.384146 × √(0.8 × 0.2 / 10 + 0.384146 / 40)
    #      = 1.416010 × √(0.016 + 0.0096037) = 1.416010 × 0.160012 = 0.226579
    # → [0.490161, 0.943319]
    assert close_to(wilson_interval(8, 10), 0.490161, 0.943319, abs=1e-5)


def test_wilson_for_80_of_100_is_tighter_at_0711_to_0867() -> None:
    # z²/n = 0.0384146; centre = (0.8 + 0.0192073) / 1.0384146 = 0.788902
    # half = 1.959964 / 1.0384146 × √(0.0016 + 0.0000960) = 1.887457 × 0.0411830 = 0.077732
    # → [0.711170, 0.866634]
    assert close_to(wilson_interval(80, 100), 0.711170, 0.866634, abs=1e-5)


def test_wilson_at_zero_starts_at_exactly_zero() -> None:
    # At x = 0 the upper bound is (z²/n) / (1 + z²/n) = 0.384146 / 1.384146 = 0.277533
    interval = wilson_interval(0, 10)
    assert interval.low == 0.0
    assert interval.high == pytest.approx(0.277533, abs=1e-6)


def test_wilson_at_n_ends_at_exactly_one() -> None:
    # Mirror image of 0 of 10: lower bound 1 / 1.384146 = 0.722467
    interval = wilson_interval(10, 10)
    assert interval.low == pytest.approx(0.722467, abs=1e-6)
    assert interval.high == 1.0


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(1, 0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_dont_know_counts_in_the_denominator_as_nhs_england_publishes() -> None:
    # 50 very good + 30 good = 80 positive; 5 poor + 5 very poor = 10 negative;
    # all responses = 50 + 30 + 5 + 5 + 5 + 5 (don't know) = 100.
    # Leaving "don't know" out would give 80 / 95 = 84.2%, flattering the service.
    rates = fft_rates(FftCounts(very_good=50, good=30, neither=5, poor=5, very_poor=5, dont_know=5))
    assert rates.total == 100
    assert rates.positive is not None and rates.negative is not None
    assert rates.positive.proportion == pytest.approx(0.80)
    assert rates.negative.proportion == pytest.approx(0.10)
    assert close_to(rates.positive.interval, 0.711170, 0.866634, abs=1e-5)
    # 10 of 100: centre = (0.1 + 0.0192073) / 1.0384146 = 0.114797
    # half = 1.887457 × √(0.0009 + 0.0000960) = 1.887457 × 0.031560 = 0.059568
    assert close_to(rates.negative.interval, 0.055229, 0.174366, abs=1e-5)


def test_counts_can_be_given_by_answer_code() -> None:
    counts = FftCounts.from_answers({1: 4, 2: 3, 6: 1})
    assert counts == FftCounts(very_good=4, good=3, dont_know=1)
    assert (counts.total, counts.positive, counts.negative) == (8, 7, 0)


def test_unknown_answer_codes_and_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        FftCounts.from_answers({7: 1})
    with pytest.raises(ValueError):
        FftCounts(good=-1)


def test_a_service_with_no_responses_has_no_rates() -> None:
    rates = fft_rates(FftCounts())
    assert (rates.total, rates.positive, rates.negative) == (0, None, None)
    assert rate(0, 0) is None


def test_counts_of_one_to_four_are_suppressed_but_zero_and_five_are_not() -> None:
    assert [is_suppressed(n) for n in range(7)] == [False, True, True, True, True, False, False]
    assert publishable_count(0) == 0
    assert publishable_count(4) is SUPPRESSED
    assert publishable_count(5) == 5


def test_the_suppressed_marker_reads_as_an_asterisk() -> None:
    assert str(SUPPRESSED) == "*"
    assert Suppressed() == SUPPRESSED


def test_a_rate_with_a_suppressed_numerator_is_suppressed() -> None:
    assert publishable_rate(3, 40) is SUPPRESSED


def test_a_rate_with_a_suppressed_denominator_is_suppressed() -> None:
    assert publishable_rate(0, 4) is SUPPRESSED


def test_a_rate_with_a_zero_numerator_is_published() -> None:
    published = publishable_rate(0, 20)
    assert not isinstance(published, Suppressed) and published is not None
    assert published.proportion == 0.0


def test_publishable_fft_rates_suppress_each_small_part_separately() -> None:
    # total 24, positive 20, negative 3 → the total and % positive are shown, % negative is not.
    published = publishable_fft_rates(
        FftCounts(very_good=12, good=8, neither=1, poor=2, very_poor=1)
    )
    assert published.total == 24
    assert not isinstance(published.positive, Suppressed) and published.positive is not None
    assert published.positive.proportion == pytest.approx(20 / 24)
    assert published.negative is SUPPRESSED


def test_publishable_fft_rates_suppress_everything_for_a_total_under_five() -> None:
    published = publishable_fft_rates(FftCounts(very_good=4))
    assert (published.total, published.positive, published.negative) == (
        SUPPRESSED,
        SUPPRESSED,
        SUPPRESSED,
    )
