"""Bad input raises InvalidInputError naming the field and the product; failed solves raise ConvergenceError."""

from __future__ import annotations

import numpy as np
import pytest

from marketpower.errors import ConvergenceError, InvalidInputError
from marketpower.simulate import Logit, Ownership, markups, simulate_case, solve_prices

BASE = {
    "labels": ["A", "B", "C"],
    "prices": [10.0, 12.0, 9.0],
    "shares": [0.3, 0.25, 0.2],
    "margins": [0.4, None, None],
    "owner_pre": ["a", "b", "c"],
    "owner_post": ["a", "a", "c"],
}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"shares": [0.5, 0.4, 0.3]}, ["shares", "sum", "above 1"]),
        ({"prices": [10.0, -1.0, 9.0]}, ["prices[B]", "positive"]),
        ({"quantities": [1.0, -2.0, 3.0], "shares": None}, ["quantities[B]", "positive"]),
        ({"margins": [0.4, 1.2, None]}, ["margins[B]", "between 0 and 1"]),
        ({"margins": [0.0, None, None]}, ["margins[A]"]),
        ({"prices": [10.0, 12.0]}, ["prices", "mismatched lengths"]),
        ({"owner_post": ["a", "a"]}, ["owner_post", "3 entries"]),
        ({"owner_post": [[1, 0.6, 0], [0, 0.6, 0], [0, 0, 1]]}, ["owner_post", "'B'", "sum to 1.2"]),
        ({"owner_post": [[1, 1.5, 0], [0, 1, 0], [0, 0, 1]]}, ["owner_post[A][B]", "[0, 1]"]),
        ({"demand": "nested_logit", "nests": ["x", None, "y"]}, ["nests[B]", "missing nest"]),
        ({"demand": "nested_logit", "nests": ["x", "y"]}, ["nests", "mismatched"]),
        ({"parameters": {"alpha": 0.5}}, ["alpha", "upward-sloping"]),
        ({"demand": "ces", "parameters": {"gamma": 0.5}}, ["gamma", "exceed 1"]),
        (
            {
                "demand": "linear",
                "margins": [0.4, 0.3, 0.3],
                "parameters": {"slopes": [[1, 0, 0], [0, -1, 0], [0, 0, -1]]},
            },
            ["slopes[0]", "negative"],
        ),
        ({"market_elasticity": 1.0}, ["market_elasticity", "negative"]),
        ({"diversions": [[-1, 0.7, 0.6], [0.1, -1, 0.1], [0.1, 0.1, -1]]}, ["diversions[A]", "sum above 1"]),
        ({"margins": [None, None, None]}, ["margins", "at least one"]),
        ({"colour": "red"}, ["colour", "unknown key"]),
        ({"demand": "probit"}, ["demand", "expected one of"]),
        ({"labels": ["A", "A", "C"]}, ["labels", "'A'", "twice"]),
        ({"mc_delta": [0.0, -1.5, 0.0]}, ["mc_delta[B]"]),
        ({"known_elasticity": -2.0}, ["known_elasticity_index"]),
    ],
)
def test_bad_input_names_field_and_product(change: dict, words: list[str]) -> None:
    case = {k: v for k, v in (BASE | change).items() if v is not None}
    with pytest.raises(InvalidInputError) as err:
        simulate_case(case)
    for word in words:
        assert word in str(err.value)


def test_impossible_calibration_is_reported_with_closest_fit() -> None:
    """Shares summing to 1, one margin and the market elasticity: α and the outside share are exactly identified.
    With m_A = 0.9 the logit market elasticity α s_0 p̄ can only lie between 0 and −p̄/(m_A p_A) ≈ −1.16
    (s_0 → 1), so −5 is impossible: reported as such, with the closest fit in the message."""
    case = BASE | {"shares": [0.5, 0.3, 0.2], "margins": [0.9, None, None], "market_elasticity": -5.0}
    with pytest.raises(InvalidInputError) as err:
        simulate_case(case)
    assert "impossible calibration" in str(err.value) and "closest fit" in str(err.value)


def test_cournot_rejects_several_prices_and_low_capacity() -> None:
    base = {
        "supply": "cournot",
        "demand": "linear",
        "prices": 10.0,
        "quantities": [5.0, 5.0],
        "margins": [0.2, None],
        "owner_pre": ["a", "b"],
        "owner_post": ["a", "a"],
    }
    with pytest.raises(InvalidInputError, match=r"prices\[P2\]"):
        simulate_case(base | {"prices": [10.0, 11.0]})
    with pytest.raises(InvalidInputError, match=r"capacities\[P1\]"):
        simulate_case(base | {"capacities": [4.0, None]})


def test_non_converged_solve_raises_with_diagnostics() -> None:
    p = np.array([10.0, 12.0, 9.0])
    demand = Logit(np.float64(-0.3), np.log([0.3, 0.25, 0.2]) - np.log(0.25), p)
    pre, post = Ownership.from_firms(["a", "b", "c"]), Ownership.from_firms(["a", "a", "c"])
    costs = p - markups(demand, p, pre)
    with pytest.raises(ConvergenceError) as err:
        solve_prices(demand, costs, post, p, max_iter=2)
    assert err.value.diagnostics["converged"] is False
    assert err.value.diagnostics["iterations"] == 2
    assert err.value.diagnostics["max_foc_residual"] > 1e-6
    assert "zeta" in str(err.value.diagnostics["method"])
