"""A user-supplied ``parameters.alpha`` is checked once (``calibrate.user_alpha``, also read by vertical
bargaining): bargaining, logit Cournot and the second-score auction refuse a non-negative or non-numeric α, NaN
included."""

from __future__ import annotations

import math

import pytest

from marketpower.errors import InvalidInputError
from marketpower.simulate.engine import simulate_case

BASE = {
    "prices": [10.0, 12.0, 9.0],
    "shares": [0.3, 0.25, 0.2],
    "margins": [0.3, None, None],
    "owner_pre": ["a", "b", "c"],
    "owner_post": ["a", "a", "c"],
}
GAMES = [
    ("bargaining", {"bargpower": 0.5}),
    ("cournot", {}),
    ("auction", {}),
]


@pytest.mark.parametrize(("supply", "extra"), GAMES)
@pytest.mark.parametrize("alpha", [0.5, 0, math.nan, True, "x"])
def test_non_negative_alpha_is_refused(supply: str, extra: dict[str, object], alpha: object) -> None:
    case = {**BASE, "supply": supply, "parameters": {**extra, "alpha": alpha}}
    with pytest.raises(InvalidInputError, match=r"parameters\.alpha = .*: expected a negative number"):
        simulate_case(case)


@pytest.mark.parametrize(("supply", "extra"), GAMES)
def test_negative_alpha_is_used_as_given(supply: str, extra: dict[str, object]) -> None:
    out = simulate_case({**BASE, "supply": supply, "parameters": {**extra, "alpha": -0.4}}).to_dict()
    assert out["parameters"]["alpha"] == pytest.approx(-0.4, abs=0)
