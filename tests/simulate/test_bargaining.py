"""Nash bargaining with logit demand (R `antitrust` ``bargaining.logit``), against closed forms and Bertrand."""

from __future__ import annotations

import math

import pytest

from marketpower.errors import InvalidInputError
from marketpower.simulate.engine import simulate_case

CASE = {
    "supply": "bargaining",
    "prices": [10.0, 12.0, 9.0],
    "shares": [0.3, 0.25, 0.2],
    "margins": [0.3, None, None],
    "owner_pre": ["a", "b", "c"],
    "owner_post": ["a", "a", "c"],
}


def test_alpha_closed_form_at_even_bargaining_power() -> None:
    """Single-product seller, λ = 0.5 (b = 1): m p = log(1 − s)/((1 − s) α (s/(1 − s) − log(1 − s))), so
    α = log(0.7)/(0.3 · 10 · 0.7 · (0.3/0.7 − log 0.7)); the same expression is R's 50/50 starting value in
    ``calcSlopes`` for ``BargainingLogit`` (luciu5/antitrust R/ParamsMethods.R)."""
    expected = math.log(0.7) / (0.3 * 10 * 0.7 * (0.3 / 0.7 - math.log(0.7)))
    out = simulate_case({**CASE, "parameters": {"bargpower": 0.5}}).to_dict()
    assert out["parameters"]["alpha"] == pytest.approx(expected, rel=1e-12)
    assert out["parameters"]["bargpower"] == pytest.approx(0.5, abs=0)


def test_zero_buyer_power_is_bertrand() -> None:
    """λ = 0: the seller sets the price, so costs and post-merger prices are Bertrand logit's."""
    barg = simulate_case({**CASE, "parameters": {"bargpower": 0.0}}).to_dict()
    bert = simulate_case({k: v for k, v in CASE.items() if k != "supply"}).to_dict()
    assert barg["parameters"]["alpha"] == pytest.approx(bert["parameters"]["alpha"], rel=1e-12)
    assert list(barg["prices_post"].values()) == pytest.approx(list(bert["prices_post"].values()), rel=1e-9)


def test_bargaining_power_recovered_from_two_margins_and_reported_with_ranges() -> None:
    """Margins generated at λ = 0.5 give back λ = 0.5 (exact, two margins); with one margin and
    ranges: {parameters.bargpower: [0.3, 0.7]} the result carries percentile bands."""
    fit = simulate_case({**CASE, "parameters": {"bargpower": 0.5}}).to_dict()
    predicted = fit["diagnostics"]["calibration"]["fit"]["margins_predicted"]
    back = simulate_case({**CASE, "margins": [predicted["P1"], predicted["P2"], None]}).to_dict()
    assert back["parameters"]["bargpower"] == pytest.approx(0.5, abs=1e-7)
    assert back["parameters"]["alpha"] == pytest.approx(fit["parameters"]["alpha"], rel=1e-7)
    bands = simulate_case({**CASE, "parameters": {"bargpower": 0.5}, "draws": 8,
                           "ranges": {"parameters.bargpower": [0.3, 0.7]}}).to_dict()["uncertainty"]
    assert bands["succeeded"] == 8


def test_more_buyer_power_smaller_single_product_margin() -> None:
    """At fixed α the single-product margin log(1 − s)/((1 − s) α (b s/(1 − s) − log(1 − s))) falls in b: a
    higher bargaining power needs a smaller |α| (less elastic demand) to fit the same observed margin."""
    alphas = [simulate_case({**CASE, "parameters": {"bargpower": lam}}).to_dict()["parameters"]["alpha"]
              for lam in (0.0, 0.3, 0.6)]
    assert alphas[0] < alphas[1] < alphas[2] < 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [({}, "calibrating the bargaining power needs two or more known margins"),
     ({"parameters": {"bargpower": 1.0}}, r"parameters.bargpower = 1.0: the buyers' bargaining power"),
     ({"demand": "ces", "parameters": {"bargpower": 0.5}}, "unknown parameter|bargaining supply takes logit")],
)
def test_bad_bargaining_inputs_are_named(extra: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        simulate_case({**CASE, **extra})
