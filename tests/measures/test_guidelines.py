"""Merger screens around every threshold (just below, at, just above), with hand-computed HHIs.

Thresholds as written: US 2023 §2.1 (HHI > 1,800 and ΔHHI > 100; share > 30% and ΔHHI > 100); US 2010 §5.3
(< 1,500 / 1,500-2,500 / > 2,500; ΔHHI < 100, > 100, 100-200, > 200); EU 2004 ¶18-21 and recital 32
(share not above 25%; HHI < 1,000; 1,000-2,000 with ΔHHI < 250; > 2,000 with ΔHHI < 150; share ≥ 50% ¶17).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketpower.errors import InvalidInputError
from marketpower.measures.concentration import delta_hhi, hhi, merge, merger_delta_hhi
from marketpower.measures.guidelines import (
    parse_guidelines,
    screen_eu2004,
    screen_merger,
    screen_us2010,
    screen_us2023,
)

# --- ΔHHI helpers (added to concentration.py) ---------------------------------------------------------------


def test_merge_puts_the_combined_share_at_the_first_merging_position() -> None:
    assert merge([0.3, 0.3, 0.2, 0.2], [0, 2]).tolist() == pytest.approx([0.5, 0.3, 0.2])


def test_two_firm_merger_delta_is_twice_the_product() -> None:
    # 2 · 0.3 · 0.2 · 10,000 = 1,200; HHI 2,600 → 3,800.
    assert merger_delta_hhi([0.3, 0.3, 0.2, 0.2], [0, 2]) == pytest.approx(1_200)
    assert delta_hhi([0.3, 0.3, 0.2, 0.2], merge([0.3, 0.3, 0.2, 0.2], [0, 2])) == pytest.approx(1_200)


def test_three_firm_merger_delta() -> None:
    # (0.6² − (0.01 + 0.04 + 0.09)) · 10,000 = 2,200 = 2 · (0.02 + 0.03 + 0.06) · 10,000.
    assert merger_delta_hhi([0.1, 0.2, 0.3, 0.4], [0, 1, 2]) == pytest.approx(2_200)


def test_delta_of_a_divestiture() -> None:
    # Firm 0 sells 10 points to firm 1: HHI 1,600 + 100 + 2,500 = 4,200 → 900 + 400 + 2,500 = 3,800.
    assert delta_hhi([0.4, 0.1, 0.5], [0.3, 0.2, 0.5]) == pytest.approx(-400)


def test_reassignment_must_keep_the_total() -> None:
    with pytest.raises(InvalidInputError, match="keeps the total"):
        delta_hhi([0.4, 0.1], [0.4, 0.2])


@pytest.mark.parametrize(
    ("merging", "message"),
    [([0], "at least two"), ([0, 0], "named twice"), ([0, 5], "position 5 is not a firm")],
)
def test_bad_merging_positions(merging: list[int], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        merger_delta_hhi([0.5, 0.3, 0.2], merging)


def test_shares_above_one_are_rejected_with_the_sum() -> None:
    with pytest.raises(InvalidInputError, match=r"sum to 1\.1000"):
        screen_merger([0.6, 0.5], [0, 1])


def test_a_share_outside_0_1_is_named() -> None:
    with pytest.raises(InvalidInputError, match=r"shares\[1\] = 30.0"):
        screen_merger([0.2, 30.0], [0, 1])


# --- US 2023 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "delta", "share", "outcome"),
    [
        (1_799.99, 150, 0.20, "no_presumption"),
        (1_800.00, 150, 0.20, "no_presumption"),  # "greater than 1,800"
        (1_800.01, 150, 0.20, "presumption"),
        (2_500, 99.99, 0.20, "no_presumption"),
        (2_500, 100.00, 0.20, "no_presumption"),  # "more than 100"
        (2_500, 100.01, 0.20, "presumption"),
        (1_000, 150, 0.2999, "no_presumption"),
        (1_000, 150, 0.30, "no_presumption"),  # "over thirty percent"
        (1_000, 150, 0.3001, "presumption"),
        (1_000, 100, 0.60, "no_presumption"),  # a large share alone is not enough
    ],
)
def test_us2023_thresholds(post: float, delta: float, share: float, outcome: str) -> None:
    result = screen_us2023(post, delta, share)
    assert result.outcome == outcome
    assert result.citation.section == "§2.1, Guideline 1"
    assert result.citation.url.startswith("https://www.justice.gov/")
    if outcome == "presumption":
        assert "presumed to substantially lessen competition" in result.consequence


def test_us2023_lists_the_thresholds_hit() -> None:
    assert screen_us2023(2_000, 150, 0.35).hit == ["post-merger HHI > 1,800", "ΔHHI > 100", "merged share > 30%"]
    assert screen_us2023(1_000, 50, 0.10).hit == []


# --- US 2010 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "delta", "outcome"),
    [
        (1_499.99, 500, "unlikely_adverse_effects"),  # unconcentrated: below 1,500
        (1_500.00, 500, "significant_concerns"),  # 1,500 is moderately concentrated
        (1_500.01, 500, "significant_concerns"),
        (2_000, 99.99, "unlikely_adverse_effects"),  # small change: below 100
        (2_000, 100.00, "unclassified"),  # §5.3 names < 100 and > 100 only
        (2_000, 100.01, "significant_concerns"),
        (2_499.99, 300, "significant_concerns"),
        (2_500.00, 300, "significant_concerns"),  # 2,500 is still moderately concentrated
        (2_500.01, 300, "presumption"),
        (3_000, 99.99, "unlikely_adverse_effects"),
        (3_000, 100.00, "significant_concerns"),  # "between 100 and 200"
        (3_000, 199.99, "significant_concerns"),
        (3_000, 200.00, "significant_concerns"),
        (3_000, 200.01, "presumption"),  # "more than 200"
    ],
)
def test_us2010_bands(post: float, delta: float, outcome: str) -> None:
    result = screen_us2010(post, delta)
    assert result.outcome == outcome
    assert result.citation.section == "§5.3"
    if outcome == "presumption":
        assert "presumed to be likely to enhance market power" in result.consequence


# --- EU 2004 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "delta", "share", "outcome"),
    [
        (5_000, 1_000, 0.2499, "safe_harbour"),
        (5_000, 1_000, 0.25, "safe_harbour"),  # "does not exceed 25%"
        (5_000, 1_000, 0.2501, "above_initial_indicators"),
        (999.99, 300, 0.40, "unlikely_concerns"),  # ¶19: below 1,000
        (1_000.00, 249.99, 0.40, "unlikely_concerns_unless_special_circumstances"),  # ¶20, 1,000-2,000
        (1_000.00, 250.00, 0.40, "above_initial_indicators"),
        (2_000.00, 249.99, 0.40, "unlikely_concerns_unless_special_circumstances"),  # 2,000 in the middle band
        (2_000.00, 250.01, 0.40, "above_initial_indicators"),
        (2_000.01, 149.99, 0.40, "unlikely_concerns_unless_special_circumstances"),  # ¶20, above 2,000
        (2_000.01, 150.00, 0.40, "above_initial_indicators"),
        (2_000.01, 150.01, 0.40, "above_initial_indicators"),
    ],
)
def test_eu2004_levels(post: float, delta: float, share: float, outcome: str) -> None:
    result = screen_eu2004(post, delta, share)
    assert result.outcome == outcome
    if outcome == "safe_harbour":
        assert result.citation.section == "recital 32"
        assert "32004R0139" in result.citation.url
    else:
        assert "52004XC0205" in result.citation.url


@pytest.mark.parametrize(("share", "dominance"), [(0.4999, False), (0.50, True), (0.5001, True)])
def test_eu2004_dominance_indicator(share: float, dominance: bool) -> None:
    result = screen_eu2004(6_000, 1_000, share)
    assert ("merged share ≥ 50% (¶17)" in result.hit) is dominance
    assert ("dominant position (¶17)" in result.consequence) is dominance


# --- whole mergers from shares ---------------------------------------------------------------------------------


def test_merger_exactly_at_the_2023_hhi_threshold() -> None:
    # Pre HHI = 100 + 100 + 3 · 400 + 2 · 100 = 1,600; merging the two 10% firms: ΔHHI = 200, post = 1,800.
    shares = [0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1]
    result = screen_merger(shares, [0, 1], names=list("ABCDEFG"))
    assert (result.pre_hhi_low, result.post_hhi_low, result.delta_hhi) == pytest.approx((1_600, 1_800, 200))
    assert result.merging == ("A", "B")
    outcomes = {s.guideline: s.outcome for s in result.screens}
    assert outcomes == {"us2023": "no_presumption", "us2010": "significant_concerns", "eu2004": "safe_harbour"}
    assert all(s.hhi_basis == "exact" for s in result.screens)


def test_merger_just_above_the_2023_thresholds() -> None:
    # Merging 10% and 20%: ΔHHI = 400, post = 1,600 + 400 = 2,000, merged share 30% (not above 30%).
    result = screen_merger([0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1], [0, 2])
    assert (result.post_hhi_low, result.delta_hhi, result.merged_share) == pytest.approx((2_000, 400, 0.3))
    outcomes = {s.guideline: s.outcome for s in result.screens}
    assert outcomes == {
        "us2023": "presumption",
        "us2010": "significant_concerns",
        "eu2004": "above_initial_indicators",
    }


def test_delta_of_exactly_100_from_decimal_shares_is_not_above_100() -> None:
    # 2 · 0.05 · 0.10 · 10,000 = 100 exactly by hand, 100.00000000000001 in binary floating point.
    result = screen_merger([0.05, 0.10, 0.45, 0.40], [0, 1])
    assert "ΔHHI > 100" not in result.screens[0].hit
    # Post HHI = 225 + 2,025 + 1,600 = 3,850 > 1,800, so only ΔHHI decides.
    assert result.post_hhi_low == pytest.approx(3_850)
    assert result.screens[0].outcome == "no_presumption"


def test_unknown_remainder_gives_one_result_per_bound_when_they_disagree() -> None:
    # Named 20% + 10%, 70% unattributed: ΔHHI = 400; post HHI from 900 (remainder atomistic) to 5,800 (one firm).
    result = screen_merger([0.2, 0.1], [0, 1])
    assert result.others_share == pytest.approx(0.7)
    assert (result.post_hhi_low, result.post_hhi_high) == pytest.approx((900, 5_800))
    us2023 = [(s.hhi_basis, s.outcome) for s in result.screens if s.guideline == "us2023"]
    assert us2023 == [("lower bound", "no_presumption"), ("upper bound", "presumption")]
    us2010 = [(s.hhi_basis, s.outcome) for s in result.screens if s.guideline == "us2010"]
    assert us2010 == [("lower bound", "unlikely_adverse_effects"), ("upper bound", "presumption")]


def test_unknown_remainder_with_agreeing_bounds_gives_one_result() -> None:
    # 30% + 30% named, 40% unknown: post HHI 3,600-5,200, ΔHHI 1,800: every bound is a presumption.
    result = screen_merger([0.3, 0.3], [0, 1], guidelines=("us2023",))
    assert [(s.hhi_basis, s.outcome) for s in result.screens] == [("both bounds", "presumption")]


def test_parse_guidelines() -> None:
    assert parse_guidelines(["US2023", "eu2004"]) == ("us2023", "eu2004")
    with pytest.raises(InvalidInputError, match="guideline 'uk2021' is unknown"):
        parse_guidelines(["uk2021"])


def test_screen_result_to_dict_has_hit_and_citation() -> None:
    out = screen_merger([0.5, 0.5], [0, 1]).to_dict()
    first = out["screens"][0]  # type: ignore[index]
    assert first["hit"] == ["post-merger HHI > 1,800", "ΔHHI > 100", "merged share > 30%"]
    assert first["citation"]["section"] == "§2.1, Guideline 1"


# --- properties ------------------------------------------------------------------------------------------------

weights = st.lists(st.floats(min_value=0.001, max_value=1.0), min_size=1, max_size=30)


@given(weights)
def test_hhi_lies_between_10000_over_n_and_10000(raw: list[float]) -> None:
    total = math.fsum(raw)
    shares = [w / total for w in raw]
    value = hhi(shares)
    assert 10_000 / len(shares) - 1e-6 <= value <= 10_000 + 1e-6


@given(st.floats(min_value=0, max_value=0.5), st.floats(min_value=0, max_value=0.5), weights)
def test_two_firm_merger_delta_property(s1: float, s2: float, rest: list[float]) -> None:
    room = 1 - s1 - s2
    others = [w / math.fsum(rest) * room for w in rest]
    shares = [s1, s2, *others]
    assert merger_delta_hhi(shares, [0, 1]) == pytest.approx(2 * s1 * s2 * 10_000, abs=1e-6)
    assert delta_hhi(shares, merge(shares, [0, 1])) == pytest.approx(2 * s1 * s2 * 10_000, abs=1e-6)


def test_eu2004_outside_the_safe_harbours_says_no_presumption_either_way() -> None:
    # HBM Q2 2025 (Counterpoint): SK hynix 62%, Micron 21%, Samsung 17%. Samsung + Micron: merged 38%,
    # ΔHHI = 2 · 21 · 17 = 714, post = 62² + 38² = 3,844 + 1,444 = 5,288.
    result = screen_merger([0.62, 0.21, 0.17], [2, 1], guidelines=("eu2004",))
    assert result.delta_hhi == pytest.approx(714, abs=1e-6)
    assert result.post_hhi_low == pytest.approx(5_288, abs=1e-6)
    eu = result.screens[0]
    assert eu.outcome == "above_initial_indicators"
    assert eu.hit == [] and eu.hit_label == "safe harbours and indicators met"
    assert "Outside the safe harbours" in eu.consequence
    assert "38% is above 25% (recital 32)" in eu.consequence
    assert "HHI of 5,288 with a ΔHHI of 714" in eu.consequence
    assert "above 2,000, where ΔHHI must be below 150" in eu.consequence
    assert "no presumption either way" in eu.consequence and "(¶21)" in eu.consequence
