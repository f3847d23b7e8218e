"""Vertical Nash-in-Nash bargaining with logit demand (Sheu & Taragin 2021; R `antitrust` ``vertical.barg``).

Checked against closed forms derived by hand from the model's first-order conditions (see
src/marketpower/simulate/vertical.py). No published numeric outputs of Sheu & Taragin's or R's vertical examples
were available to this project, so none are used here (docs/simulation.md says so).
"""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, special

from marketpower.errors import InvalidInputError
from marketpower.simulate.engine import simulate_case
from marketpower.simulate.vertical import Chain, unit_margins

EXAMPLE = Path(__file__).parents[2] / "examples" / "cases" / "vertical_bargaining.json"


def chain_case(owner_post_down: list[str], owner_post_up: list[str], **extra: object) -> dict[str, object]:
    """Two suppliers U1, U2 and two retailers D1, D2, each retailer carrying both inputs (four products)."""
    case: dict[str, object] = {
        "supply": "vertical_bargaining",
        "labels": ["U1-D1", "U1-D2", "U2-D1", "U2-D2"],
        "prices": [10.0, 11.0, 10.5, 12.0],
        "shares": [0.2, 0.15, 0.15, 0.1],
        "margins": [0.3, None, None, None],
        "owner_pre": ["D1", "D2", "D1", "D2"],
        "owner_post": owner_post_down,
        "vertical": {
            "prices": [5.0, 5.5, 5.2, 6.0],
            "margins": [0.4, None, None, None],
            "owner_pre": ["U1", "U1", "U2", "U2"],
            "owner_post": owner_post_up,
        },
    }
    case.update(extra)
    return case


def single_chain(owner_post: str = "D", up_post: str = "U") -> dict[str, object]:
    """One supplier, one retailer, one product: p = 10, s = 0.4, retail margin 0.3, upstream margin 0.4 of w = 5."""
    return {
        "supply": "vertical_bargaining", "labels": ["X"], "prices": [10.0], "shares": [0.4], "margins": [0.3],
        "owner_pre": ["D"], "owner_post": [owner_post],
        "vertical": {"prices": [5.0], "margins": [0.4], "owner_pre": ["U"], "owner_post": [up_post]},
    }


def test_single_chain_closed_form() -> None:
    """One pair: retail FOC m^d (1 − s) = 1/a, bargaining (1 − λ) m^d = λ m^u, so with m^d = 3, m^u = 2 and
    s = 0.4: a = 1/(3 · 0.6) and λ = 3/5."""
    out = simulate_case(single_chain())
    assert out.parameters["alpha"] == pytest.approx(-1 / 1.8, rel=1e-12)
    assert out.parameters["bargpower"] == pytest.approx(0.6, rel=1e-10)
    assert out.prices_post[0] == pytest.approx(10.0, rel=1e-12)  # no merger: the pre-merger equilibrium


def test_downstream_power_one_gives_wholesale_price_at_cost() -> None:
    """λ = 1: every upstream gain from trade is zero, so the upstream margins are 0 (w = c^u) for any owners,
    also after an upstream merger."""
    s = np.array([0.2, 0.15, 0.15, 0.1])
    for up in (["U1", "U1", "U2", "U2"], ["U", "U", "U", "U"]):
        _, xu = unit_margins(s, Chain(["D1", "D2", "D1", "D2"], up), 1.0)
        assert np.abs(xu).max() == pytest.approx(0.0, abs=1e-12)
    case = chain_case(["D1", "D2", "D1", "D2"], ["U", "U", "U", "U"], parameters={"bargpower": 1.0})
    case["vertical"]["margins"] = None  # type: ignore[index]
    out = simulate_case(case)
    vertical = out.extra["vertical"]
    for label in out.labels:
        assert vertical["upstream"]["prices_post"][label] == pytest.approx(vertical["upstream"]["costs"][label],
                                                                           abs=1e-10)


def test_weak_downstream_limit_is_not_spengler() -> None:
    """λ → 0 with one supplier and one retailer: under Nash-in-Nash with retail prices held in disagreement (the
    Sheu–Taragin / R structure) the upstream margin is ((1 − λ)/λ) m^d and grows without bound, unlike the
    sequential monopoly (Spengler) margin 1/(a (1 − s)²). The two coincide at λ = (1 − s)/(2 − s)."""
    s = np.array([0.4])
    chain = Chain(["D"], ["U"])
    for lam in (0.5, 0.1, 1e-4):
        xd, xu = unit_margins(s, chain, lam)
        assert xd[0] == pytest.approx(1 / 0.6, rel=1e-12)
        assert xu[0] == pytest.approx((1 - lam) / lam / 0.6, rel=1e-10)
    _, xu = unit_margins(s, chain, 0.6 / 1.6)
    assert xu[0] == pytest.approx(1 / 0.6**2, rel=1e-12)  # the textbook double-marginalisation upstream margin


def test_vertical_merger_of_single_chain_gives_integrated_monopoly_price() -> None:
    """After integration the chain prices as a logit monopolist with cost c = c^u + c^d = (5 − 2) + (10 − 5 − 3) = 5:
    a (p − c) = 1 + e^{δ − a p}, so p = c + (1 + W(e^{δ − a c − 1}))/a with δ − a·10 = log(0.4/0.6)."""
    out = simulate_case(single_chain("F", "F"))
    a = 1.8**-1
    vertical = out.extra["vertical"]
    c = vertical["upstream"]["costs"]["X"] + vertical["downstream"]["costs"]["X"]
    assert c == pytest.approx(5.0, rel=1e-12)
    delta = math.log(0.4 / 0.6) + a * 10.0
    expected = c + (1 + special.lambertw(math.exp(delta - a * c - 1)).real) / a
    assert out.prices_post[0] == pytest.approx(expected, rel=1e-10)
    assert out.prices_post[0] < 10.0  # elimination of double marginalisation
    assert vertical["merger"] == ["vertical"]
    assert vertical["upstream"]["prices_post"]["X"] == pytest.approx(3.0, rel=1e-12)  # transfer at cost


def test_upstream_merger_raises_wholesale_prices() -> None:
    """U1 + U2 merge (substitute suppliers to both retailers) with λ = 0.6 < 1: every wholesale price rises."""
    out = simulate_case(chain_case(["D1", "D2", "D1", "D2"], ["U", "U", "U", "U"]))
    vertical = out.extra["vertical"]
    assert vertical["merger"] == ["upstream"]
    for label in out.labels:
        assert vertical["upstream"]["price_change_pct"][label] > 0.5
        assert out.price_change_pct()["products"][label] > 0
    assert vertical["vguppi"]["pairs"] == []


def test_vertical_merger_raises_rivals_costs_and_lowers_own_price() -> None:
    """U1 + D1: the integrated pair's retail price falls (no double margin) and the input U1 sells to D2 rises."""
    out = simulate_case(chain_case(["D1", "D2", "D1", "D2"], ["D1", "D1", "U2", "U2"]))
    vertical = out.extra["vertical"]
    assert vertical["integrated_post"] == ["U1-D1"]
    assert out.price_change_pct()["products"]["U1-D1"] < 0
    assert vertical["upstream"]["price_change_pct"]["U1-D2"] > 0
    pair = next(r for r in vertical["vguppi"]["pairs"] if r["merging_product"] == "U1-D1")
    s_j, s_r, m_j, p_j = 0.2, 0.15, 0.3, 10.0
    w_r, mu_r = 5.5, vertical["upstream"]["margins_pre"]["U1-D2"]
    assert pair["vguppi_upstream"] == pytest.approx(s_j / (1 - s_r) * m_j * p_j / w_r, rel=1e-12)
    assert pair["vguppi_downstream"] == pytest.approx(s_r / (1 - s_j) * mu_r * w_r / p_j, rel=1e-12)


def test_downstream_merger_raises_retail_prices() -> None:
    out = simulate_case(chain_case(["D", "D", "D", "D"], ["U1", "U1", "U2", "U2"]))
    assert out.extra["vertical"]["merger"] == ["downstream"]
    for change in out.price_change_pct()["products"].values():
        assert change > 0


def _equilibrium(alpha: float, lam: float, delta: np.ndarray, cu: np.ndarray, cd: np.ndarray,
                 chain: Chain) -> np.ndarray:
    """Retail prices solving p = c^u + c^d + (x^d + x^u)(s(p))/a for logit shares with an outside good."""

    def shares(p: np.ndarray) -> np.ndarray:
        e = np.exp(delta + alpha * p)
        return e / (1 + e.sum())

    def f(p: np.ndarray) -> np.ndarray:
        xd, xu = unit_margins(shares(p), chain, lam)
        return p - cu - cd - (xd + xu) / -alpha

    sol = optimize.root(f, cu + cd + 2.0, method="hybr", options={"xtol": 1e-14})
    assert sol.success
    return np.asarray(sol.x)


def test_calibration_round_trip() -> None:
    """Simulate from α = −0.4, λ = 0.35 and known costs (one pair integrated before the merger), hand the implied
    prices, shares and margins of both levels to the case, and recover α, λ and the costs within 1e-8."""
    alpha, lam = -0.4, 0.35
    delta = np.array([1.0, 0.5, 0.8, 0.2])
    cu, cd = np.array([2.0, 2.5, 3.0, 2.2]), np.array([1.5, 1.0, 2.0, 1.2])
    down, up = ["D1", "D2", "D1", "D2"], ["U1", "U1", "U2", "D2"]  # D2 makes its own input for D (integrated)
    chain = Chain(down, up)
    p = _equilibrium(alpha, lam, delta, cu, cd, chain)
    e = np.exp(delta + alpha * p)
    s = e / (1 + e.sum())
    xd, xu = unit_margins(s, chain, lam)
    md, mu = xd / -alpha, xu / -alpha
    w = cu + mu
    w[3] = 4.0  # an integrated pair's transfer price: any value, recovered as its upstream cost
    upstream_margins = [float(v) for v in mu[:3] / w[:3]] + [None]
    case = {
        "supply": "vertical_bargaining", "labels": ["A", "B", "C", "D"], "prices": p.tolist(), "shares": s.tolist(),
        "margins": (md / p).tolist(), "owner_pre": down, "owner_post": ["D1", "D2", "D1", "D2"],
        "vertical": {"prices": w.tolist(), "margins": upstream_margins, "owner_pre": up,
                     "owner_post": ["U1", "U1", "U2", "D2"]},
    }
    out = simulate_case(case)
    assert out.parameters["alpha"] == pytest.approx(alpha, abs=1e-8)
    assert out.parameters["bargpower"] == pytest.approx(lam, abs=1e-8)
    costs_up = out.extra["vertical"]["upstream"]["costs"]
    costs_down = out.extra["vertical"]["downstream"]["costs"]
    for j, label in enumerate(out.labels[:3]):
        assert costs_up[label] == pytest.approx(cu[j], abs=1e-8)
        assert costs_down[label] == pytest.approx(cd[j], abs=1e-8)
    assert costs_up["D"] + costs_down["D"] == pytest.approx(cu[3] + cd[3], abs=1e-8)
    assert out.extra["vertical"]["integrated_pre"] == ["D"]


def test_ranges_over_the_bargaining_weight() -> None:
    case = chain_case(["D1", "D2", "D1", "D2"], ["U", "U", "U", "U"], parameters={"bargpower": 0.5},
                      draws=20, ranges={"parameters.bargpower": [0.3, 0.8]}, seed=1)
    case["vertical"]["margins"] = None  # type: ignore[index]
    bands = simulate_case(case).extra["uncertainty"]
    assert bands["succeeded"] == 20
    low, mid, high = bands["price_change_pct"]["U1-D1"]
    assert low < mid < high


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c["vertical"].update(colour=1), "vertical.colour: unknown key"),
        (lambda c: c.pop("vertical"), "vertical: give the upstream level"),
        (lambda c: c["vertical"].update(prices=[5, -1, 5, 5]), "vertical.prices[U1-D2]"),
        (lambda c: c["vertical"].update(margins=[1.4, None, None, None]), "vertical.margins[U1-D1]"),
        (lambda c: c.update(parameters={"bargpower": 0.0}), "parameters.bargpower = 0.0"),
        (lambda c: c["vertical"].update(owner_pre=["U1"]), "vertical.owner_pre: expected 4 firm labels"),
        (lambda c: c.update(margins=None), "one known retail margin and one known upstream margin"),
    ],
)
def test_bad_input_names_the_field(mutate: object, message: str) -> None:
    case = copy.deepcopy(chain_case(["D1", "D2", "D1", "D2"], ["D1", "D1", "U2", "U2"]))
    mutate(case)  # type: ignore[operator]
    with pytest.raises(InvalidInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        simulate_case(case)


def test_integrated_upstream_margin_refused() -> None:
    case = single_chain()
    case["owner_pre"] = ["U"]
    with pytest.raises(InvalidInputError, match="vertically integrated before the merger"):
        simulate_case(case)


def test_example_case_runs() -> None:
    out = simulate_case(json.loads(EXAMPLE.read_text()))
    assert out.extra["vertical"]["merger"] == ["vertical"]
    assert out.extra["vertical"]["vguppi"]["pairs"]


def test_docs_figures_and_cli() -> None:
    """docs/simulation.md's vertical example states what the code gives; the CLI prints both levels and vGUPPI."""
    from typer.testing import CliRunner

    from marketpower.cli import app

    text = (Path(__file__).parents[2] / "docs" / "simulation.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "vertical_out" in b)
    namespace: dict[str, object] = {"simulate_case": simulate_case}
    exec(compile(block, "docs/simulation.md vertical block", "exec"), namespace)
    out = namespace["vertical_out"]
    assert out.parameters == pytest.approx({"alpha": -0.5128, "bargpower": 0.6}, abs=5e-5)  # type: ignore[attr-defined]
    changes = out.price_change_pct()["products"]  # type: ignore[attr-defined]
    assert [changes["U1-D1"], changes["U1-D2"]] == pytest.approx([-11.13, 9.56], abs=5e-3)
    vertical = out.extra["vertical"]  # type: ignore[attr-defined]
    assert vertical["upstream"]["price_change_pct"]["U1-D2"] == pytest.approx(22.49, abs=5e-3)
    assert vertical["vguppi"]["pairs"][0]["vguppi_upstream"] == pytest.approx(0.1283, abs=5e-5)
    result = CliRunner().invoke(app, ["simulate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Upstream level" in result.output and "vGUPPI" in result.output and "λ = 0.6" in result.output
    result = CliRunner().invoke(app, ["simulate", str(EXAMPLE), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["vertical"]["bargpower"] == pytest.approx(0.6, rel=1e-10)


def r_example(owner_post_down: list[str], owner_post_up: list[str]) -> dict[str, object]:
    """The inputs of R `antitrust`'s documented ``vertical.barg`` example (luciu5/antitrust, R/VerticalFunctions.R,
    roxygen @examples: two suppliers, two retailers with two products each; margins in money, divided by prices)."""
    share = [0.1293482, 0.1422541, 0.4631014, 0.2152962]
    margin_down, price_down = [13.04232, 13.04233, 29.53958, 29.53958], [63.08158, 50.70465, 95.82960, 83.45267]
    margin_up, price_up = [23.31000, 14.78715, 23.31000, 14.78715], [58.10900, 53.31135, 58.10900, 53.31135]
    return {
        "supply": "vertical_bargaining", "prices": price_down, "shares": share,
        "margins": [m / p for m, p in zip(margin_down, price_down, strict=True)],
        "owner_pre": ["D1", "D1", "D2", "D2"], "owner_post": owner_post_down,
        "vertical": {"prices": price_up, "margins": [m / p for m, p in zip(margin_up, price_up, strict=True)],
                     "owner_pre": ["U1", "U2", "U1", "U2"], "owner_post": owner_post_up},
    }


def test_r_documented_example_inputs_fit_the_model() -> None:
    """R's example gives all eight margins (two levels × four products) for two parameters; this model reproduces all
    eight to 1e-6 (the inputs' printed rounding) with α = −1/9.5 and λ = 1/2, so R's example data satisfy these
    equations. R documents no simulated outputs for the example, so the price effects are not compared."""
    for down, up in ((["D1", "D1", "D2", "D2"], ["U1"] * 4), (["U1", "U1", "D2", "D2"], ["U1", "U2", "U1", "U2"])):
        out = simulate_case(r_example(down, up))
        assert out.parameters["alpha"] == pytest.approx(-1 / 9.5, abs=1e-7)
        assert out.parameters["bargpower"] == pytest.approx(0.5, abs=1e-7)
        assert out.diagnostics["calibration"]["fit"]["max_abs_margin_error"] < 1e-6  # type: ignore[index]
    assert out.extra["vertical"]["merger"] == ["vertical"]
    assert out.extra["vertical"]["upstream"]["price_change_pct"]["P3"] > 0  # U1's input to rival D2: RRC
    assert out.price_change_pct()["products"]["P1"] < 0  # U1's own chain: no double margin


def test_no_merger_no_change_and_upstream_cost_change() -> None:
    """Owners unchanged: prices stay put at both levels; a 10 % cut in every upstream cost (vertical.mc_delta) with
    no merger lowers every wholesale and retail price."""
    same = ["D1", "D2", "D1", "D2"], ["U1", "U1", "U2", "U2"]
    out = simulate_case(chain_case(*same))
    assert out.prices_post == pytest.approx(out.prices_pre, rel=1e-10)
    wholesale = out.extra["vertical"]["upstream"]
    assert list(wholesale["prices_post"].values()) == pytest.approx(list(wholesale["prices_pre"].values()), rel=1e-10)
    case = chain_case(*same)
    case["vertical"]["mc_delta"] = -0.1  # type: ignore[index]
    cut = simulate_case(case)
    assert all(v < 0 for v in cut.price_change_pct()["products"].values())
    assert all(v < 0 for v in cut.extra["vertical"]["upstream"]["price_change_pct"].values())


@pytest.mark.parametrize(
    ("value", "message"),
    [("cheap", "vertical.mc_delta = 'cheap'"), ([0, 0, -1.5, 0], r"vertical.mc_delta\[U2-D1\] = -1.5"),
     ([0, None, 0, 0], r"vertical.mc_delta\[U1-D2\]")],
)
def test_bad_upstream_cost_change(value: object, message: str) -> None:
    case = chain_case(["D1", "D2", "D1", "D2"], ["U1", "U1", "U2", "U2"])
    case["vertical"]["mc_delta"] = value  # type: ignore[index]
    with pytest.raises(InvalidInputError, match=message):
        simulate_case(case)
