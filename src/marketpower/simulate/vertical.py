"""Nash-in-Nash bargaining in a vertical supply chain with logit retail demand (Sheu & Taragin 2021, "Simulating
mergers in a vertical supply chain with bargaining", RAND Journal of Economics 52(3); the structure of R
`antitrust` ``vertical.barg`` / ``calcMargins`` for ``VertBargBertLogit``, written here from the equations).

Each product j is one upstream firm U(j) selling an input to one downstream firm D(j) at the wholesale price w_j;
logit shares s(p) of retail prices p, α < 0 the price coefficient, a = −α. Margins in money per unit:
retail m^d_j = p_j − w_j − c^d_j, upstream m^u_j = w_j − c^u_j. Firm f earns Σ_k M_fk s_k with
M_fk = 1{D(k)=f} m^d_k + 1{U(k)=f} m^u_k (a vertically integrated firm earns both on its own chain and the upstream
margin on inputs sold to rivals).

* Retail prices (Bertrand, logit): for each j, with g = D(j): M_gj − Σ_k M_gk s_k = 1/a.
* Wholesale prices (Nash-in-Nash, retail prices held in disagreement): the pair (u, d) = (U(j), D(j)) maximises
  G_u^(1−λ) G_d^λ with the gains from trade G_f(j)/s_j = M_fj − Σ_{k≠j} M_fk s_k/(1 − s_j) (losing j diverts
  s_j s_k/(1 − s_j) to each k), whose first-order condition is (1 − λ) G_d(j) = λ G_u(j). λ ∈ (0, 1] is the
  downstream firm's bargaining weight: λ = 1 gives w = c^u; as λ → 0 upstream margins grow without bound.
* A vertically integrated pair (U(j) = D(j)) has no bargain: its transfer is at cost (m^u_j = 0) and the retail
  condition uses the whole chain margin; after a vertical merger this removes the double margin on the pair and
  makes the firm weigh its upstream margins on rivals' sales (raising rivals' costs).

The 2n conditions are linear in the margins with right-hand side 1/a, so margins = x(s, λ)/a. Calibration: given
λ, 1/a is the least-squares fit of x/a to the known margins (retail margins over p, upstream margins over w);
λ is fitted jointly when at least one retail and one upstream margin are known, else given
(``parameters.bargpower``; ``ranges: {parameters.bargpower: [lo, hi]}`` with ``draws`` gives percentile bands).
Costs c^u = w − m^u, c^d = p − w − m^d; post-merger retail prices solve p = c^u + c^d + m^d + m^u at s(p) under the
post-merger owners (MINPACK hybr), and w_post = c^u + m^u. The Moresi & Salop (2013) vGUPPIs of
:func:`.diagnostics.vertical_guppi` are computed on the same pre-merger prices, margins and logit diversions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .calibrate import MARGIN_FIT_WARNING, SHARE_SUM_TOLERANCE, margin_fit, user_alpha
from .case import Case
from .diagnostics import vertical_guppi
from .groups import FloatArray
from .limits import check_dense
from .logit import Logit
from .result import SimulationResult, firm_hhi

VERTICAL_KEYS = ("prices", "margins", "owner_pre", "owner_post", "mc_delta")


@dataclass
class Chain:
    """Who owns each product's two levels (firm labels in one namespace: equal labels mean one firm)."""

    down: list[str]
    up: list[str]

    def integrated(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return np.array([d == u for d, u in zip(self.down, self.up, strict=True)])


@dataclass
class Upstream:
    """The parsed ``vertical`` block: wholesale prices, upstream margins (fractions of w, NaN unknown), owners."""

    prices: FloatArray
    margins: FloatArray
    owner_pre: list[str]
    owner_post: list[str]
    mc_delta: FloatArray


def _labels_list(raw: Any, key: str, n: int) -> list[str]:
    if not isinstance(raw, list | tuple) or len(raw) != n or not all(isinstance(x, str | int) for x in raw):
        raise InvalidInputError(f"{key}: expected {n} firm labels, one per product (vertical bargaining)")
    return [str(x) for x in raw]


def parse_vertical(raw: Any, labels: list[str], owner_pre: Any, owner_post: Any) -> Upstream:
    """Validate the ``vertical`` block of a ``supply: vertical_bargaining`` case (errors name the field and product)."""
    if not isinstance(raw, Mapping):
        raise InvalidInputError("vertical: expected a mapping {prices, margins, owner_pre, owner_post}")
    for key in raw:
        if key not in VERTICAL_KEYS:
            raise InvalidInputError(f"vertical.{key}: unknown key (allowed: {', '.join(VERTICAL_KEYS)})")
    for key in ("prices", "owner_pre", "owner_post"):
        if key not in raw:
            raise InvalidInputError(f"vertical.{key}: required (the upstream level's {key})")
    n = len(labels)
    _labels_list(owner_pre, "owner_pre", n)
    _labels_list(owner_post, "owner_post", n)
    from .case import _numbers  # the case reader's number checks, named 'vertical.KEY[product]'

    def numbers(key: str, allow_null: bool = False) -> FloatArray:
        try:
            return _numbers(raw, key, labels, allow_null)
        except InvalidInputError as err:
            raise InvalidInputError(f"vertical.{err}") from None

    prices = numbers("prices")
    for j in np.flatnonzero(prices <= 0):
        raise InvalidInputError(f"vertical.prices[{labels[j]}] = {prices[j]}: wholesale prices must be positive")
    margins = numbers("margins", True) if raw.get("margins") is not None else np.full(n, np.nan)
    for j in np.flatnonzero(np.isfinite(margins) & ((margins <= 0) | (margins >= 1))):
        raise InvalidInputError(f"vertical.margins[{labels[j]}] = {margins[j]}: margins are fractions in (0, 1)")
    delta = np.zeros(n)
    value = raw.get("mc_delta")
    if isinstance(value, list | tuple):
        delta = numbers("mc_delta")
    elif value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise InvalidInputError(f"vertical.mc_delta = {value!r}: expected a number or one number per product")
        delta = np.full(n, float(value))
    for j in np.flatnonzero(delta <= -1):
        raise InvalidInputError(f"vertical.mc_delta[{labels[j]}] = {delta[j]}: must exceed -1")
    up_pre = _labels_list(raw["owner_pre"], "vertical.owner_pre", n)
    up_post = _labels_list(raw["owner_post"], "vertical.owner_post", n)
    chain = Chain([str(x) for x in owner_pre], up_pre)
    for j in np.flatnonzero(chain.integrated() & np.isfinite(margins)):
        raise InvalidInputError(
            f"vertical.margins[{labels[j]}]: {labels[j]} is vertically integrated before the merger (upstream and "
            "downstream owner are the same firm), so its internal transfer carries no upstream margin; give null"
        )
    return Upstream(prices, margins, up_pre, up_post, delta)


def unit_margins(shares: FloatArray, chain: Chain, bargpower: float) -> tuple[FloatArray, FloatArray]:
    """(x^d, x^u): retail and upstream margins at a = −α = 1 (module docstring); margins at α are x / (−α)."""
    n = len(shares)
    firms = sorted(set(chain.down) | set(chain.up))
    index = {f: i for i, f in enumerate(firms)}
    od = np.zeros((len(firms), n))
    ou = np.zeros((len(firms), n))
    od[[index[f] for f in chain.down], np.arange(n)] = 1.0
    ou[[index[f] for f in chain.up], np.arange(n)] = 1.0
    integrated = chain.integrated()
    a = np.zeros((2 * n, 2 * n))
    rhs = np.concatenate([np.ones(n), np.zeros(n)])
    eye = np.eye(n)
    for j in range(n):
        g = index[chain.down[j]]
        weights = eye[j] - shares  # ∂ of M_gj − Σ_k M_gk s_k
        a[j, :n] = od[g] * weights
        a[j, n:] = ou[g] * weights
        if integrated[j]:
            a[n + j, n + j] = 1.0
            continue
        c = -shares / (1.0 - shares[j])
        c[j] = 1.0
        d, u = index[chain.down[j]], index[chain.up[j]]
        a[n + j, :n] = ((1.0 - bargpower) * od[d] - bargpower * od[u]) * c
        a[n + j, n:] = ((1.0 - bargpower) * ou[d] - bargpower * ou[u]) * c
    try:
        x = np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError:
        raise InvalidInputError("owner_pre / vertical.owner_pre: the chain's margin conditions are singular for "
                                "these owners and this bargaining weight") from None
    return x[:n], x[n:]


def _bargpower(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise InvalidInputError(f"parameters.bargpower = {value!r}: the downstream firms' bargaining weight λ is a "
                                "number in (0, 1] (1: downstream holds all the power, wholesale price = cost)")
    return float(value)


def calibrate_vertical(case: Case, up: Upstream) -> tuple[float, float, str]:
    """(α, λ, method) from the known retail and upstream margins (module docstring)."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    data = case.data
    s, p, w = data.shares, data.prices, up.prices
    chain = Chain(case.firms_pre, up.owner_pre)
    known_d, known_u = data.known, np.flatnonzero(np.isfinite(up.margins))
    observed = np.concatenate([data.margins[known_d], up.margins[known_u]])
    given, alpha_given = data.parameters.get("bargpower"), user_alpha(data)
    if alpha_given is not None:
        if given is None:
            raise InvalidInputError("parameters.bargpower: give it with parameters.alpha")
        return alpha_given, _bargpower(given), "user-supplied parameters"
    if observed.size == 0:
        raise InvalidInputError("margins: vertical bargaining needs at least one known retail or upstream margin")

    def unit(lam: float) -> FloatArray:
        xd, xu = unit_margins(s, chain, lam)
        return np.concatenate([xd[known_d] / p[known_d], xu[known_u] / w[known_u]])

    def alpha_for(lam: float) -> float:
        x = unit(lam)
        return -float(x @ x / (x @ observed))

    if given is not None:
        lam = _bargpower(given)
        return alpha_for(lam), lam, "α from the margins (closed form) with the given bargaining weight"
    if known_d.size == 0 or known_u.size == 0:
        raise InvalidInputError(
            "margins / vertical.margins: calibrating the bargaining weight needs at least one known retail margin "
            "and one known upstream margin; otherwise give parameters.bargpower (and ranges: "
            "{parameters.bargpower: [lo, hi]} with draws when it is uncertain)"
        )

    def residuals(t: FloatArray) -> FloatArray:
        lam = 1.0 / (1.0 + np.exp(-t[1]))
        return np.asarray(unit(lam) * np.exp(-t[0]) - observed)

    start = np.array([np.log(-alpha_for(0.5)), 0.0])
    with np.errstate(all="ignore"):
        sol = optimize.least_squares(residuals, start, xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=4000)
    lam = float(1.0 / (1.0 + np.exp(-sol.x[1])))
    worst = float(np.abs(sol.fun).max())
    exact = observed.size == 2
    if exact and worst > 1e-6:
        raise InvalidInputError(
            "margins / vertical.margins: impossible calibration — no price coefficient and bargaining weight in "
            f"(0, 1] reproduce these margins; closest: bargpower {lam:.4g}, largest residual {worst:.3g}"
        )
    method = "exact solve for α and the bargaining weight" if exact else (
        f"least squares over {observed.size} retail and upstream margins for α and one bargaining weight"
    )
    return -float(np.exp(sol.x[0])), lam, method


def _merger_kinds(down_pre: list[str], down_post: list[str], up_pre: list[str], up_post: list[str]) -> list[str]:
    kinds = []
    if len(set(down_post)) < len(set(down_pre)):
        kinds.append("downstream")
    if len(set(up_post)) < len(set(up_pre)):
        kinds.append("upstream")
    pre, post = Chain(down_pre, up_pre).integrated(), Chain(down_post, up_post).integrated()
    if np.any(post & ~pre) or len(set(down_post) & set(up_post)) > len(set(down_pre) & set(up_pre)):
        kinds.append("vertical")
    return kinds


def simulate_vertical(case: Case) -> SimulationResult:
    """Calibrate, recover both levels' costs, solve post-merger retail and wholesale prices, compare with vGUPPI."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    data = case.data
    if case.demand != "logit":
        raise InvalidInputError(f"demand = {case.demand!r}: vertical bargaining takes logit demand")
    if data.inside_total >= 1 - SHARE_SUM_TOLERANCE:
        raise InvalidInputError("shares: vertical bargaining with logit needs an outside good (shares below 1 in all)")
    if np.any(np.isfinite(case.capacities)):
        raise InvalidInputError("capacities: not available with vertical bargaining")
    assert case.vertical is not None  # parse_case requires the block for this supply
    check_dense(2 * len(data.prices), "vertical bargaining (both levels' margin conditions)")
    up = case.vertical
    s, p, w = data.shares, data.prices, up.prices
    labels = data.labels
    alpha, lam, method = calibrate_vertical(case, up)
    a = -alpha
    pre, post = Chain(case.firms_pre, up.owner_pre), Chain(case.firms_post, up.owner_post)
    xd, xu = unit_margins(s, pre, lam)
    md, mu = xd / a, xu / a
    cost_up = w - mu
    cost_down = p - w - md
    cost_up_post = cost_up * (1.0 + up.mc_delta)
    cost_down_post = cost_down * (1.0 + case.mc_delta)
    demand = Logit(np.float64(alpha), np.log(s) - np.log1p(-s.sum()), p, True)

    def foc(prices: FloatArray) -> FloatArray:
        yd, yu = unit_margins(demand.quantities(prices), post, lam)
        return np.asarray(prices - cost_up_post - cost_down_post - (yd + yu) / a)

    with np.errstate(all="ignore"):
        sol = optimize.root(foc, p, method="hybr", options={"xtol": 1e-14, "maxfev": 5000})
    residual = float(np.max(np.abs(sol.fun))) if np.all(np.isfinite(sol.fun)) else float("inf")
    if residual > 1e-9 * float(np.max(p)):
        raise ConvergenceError(
            "vertical bargaining: no post-merger equilibrium found",
            {"method": "MINPACK hybr on retail prices", "max_residual": residual, "message": sol.message},
            "Check the margins, the bargaining weight and mc_delta: the calibrated chain may have no equilibrium.",
        )
    p_post = np.asarray(sol.x)
    s_post = demand.quantities(p_post)
    yd, yu = unit_margins(s_post, post, lam)
    mu_post, md_post = yu / a, yd / a
    w_post = cost_up_post + mu_post
    scale = data.insize or 1.0
    predicted = np.concatenate([md / p, mu / w])
    observed = np.concatenate([data.margins, up.margins])
    known = np.flatnonzero(np.isfinite(observed))
    error = np.abs(predicted[known] - observed[known])
    names = [f"{x} (retail)" for x in labels] + [f"{x} (upstream)" for x in labels]
    warnings = []
    if known.size and float(error.max()) > MARGIN_FIT_WARNING:
        i = int(known[int(np.argmax(error))])
        warnings.append(f"calibration: the fitted model misses the margin of {names[i]} by {float(error.max()):.2f} "
                        f"(observed {observed[i]:.4g}, predicted {predicted[i]:.4g})")
    for level, costs in (("upstream", cost_up), ("downstream", cost_down)):
        negative = [labels[j] for j in np.flatnonzero(costs <= 0)]
        if negative:
            warnings.append(f"non-positive recovered {level} marginal cost for {', '.join(negative)}")
    parameters = {"alpha": alpha, "bargpower": lam}
    diagnostics: dict[str, object] = {
        "post_merger_prices": {"converged": True, "method": "MINPACK hybr", "max_residual": residual},
        "calibration": {
            "method": method,
            "parameters": parameters,
            "fit": margin_fit(names, observed, predicted),
        },
    }
    if warnings:
        diagnostics["warnings"] = warnings

    def by_label(values: FloatArray) -> dict[str, float]:
        return {labels[j]: float(values[j]) for j in range(len(labels))}

    kinds = _merger_kinds(case.firms_pre, case.firms_post, up.owner_pre, up.owner_post)
    vertical: dict[str, Any] = {
        "bargpower": lam,
        "bargpower_source": "calibrated" if "bargpower" not in data.parameters else "given",
        "merger": kinds,
        "integrated_pre": [labels[j] for j in np.flatnonzero(pre.integrated())],
        "integrated_post": [labels[j] for j in np.flatnonzero(post.integrated())],
        "upstream": {
            "owner_pre": up.owner_pre,
            "owner_post": up.owner_post,
            "prices_pre": by_label(w),
            "prices_post": by_label(w_post),
            "price_change_pct": by_label(100.0 * (w_post / w - 1.0)),
            "margins_pre": by_label(mu / w),
            "margins_post": by_label(mu_post / w_post),
            "costs": by_label(cost_up),
        },
        "downstream": {
            "margins_pre": by_label(md / p),
            "margins_post": by_label(md_post / p_post),
            "costs": by_label(cost_down),
        },
        "vguppi": vguppi_comparison(case, up, md / p, mu / w, 100.0 * (p_post / p - 1.0), 100.0 * (w_post / w - 1.0)),
    }
    result = SimulationResult(
        model={"demand": "logit", "supply": "vertical_bargaining", "name": case.name},
        labels=labels,
        firms_pre=case.firms_pre,
        firms_post=case.firms_post,
        prices_pre=p,
        prices_post=p_post,
        shares_pre=s,
        shares_post=s_post,
        quantities_pre=s * scale,
        quantities_post=s_post * scale,
        costs=cost_down + w,
        costs_post=cost_down_post + w_post,
        hhi_pre=firm_hhi(s, case.firms_pre),
        hhi_post=firm_hhi(s_post, case.firms_post),
        cv=float(demand.consumer_surplus(p) - demand.consumer_surplus(p_post)) * scale,
        producer_surplus_delta=float((p_post - cost_up_post - cost_down_post) @ s_post
                                     - (p - cost_up - cost_down) @ s) * scale,
        upp={},
        cmcr={},
        jacobian=None,
        parameters=parameters,
        diagnostics=diagnostics,
    )
    result.extra["vertical"] = vertical
    return result


def vguppi_comparison(
    case: Case, up: Upstream, retail_margin: FloatArray, upstream_margin: FloatArray,
    retail_change_pct: FloatArray, wholesale_change_pct: FloatArray,
) -> dict[str, Any]:
    """Moresi–Salop vGUPPIs for each vertical merger's (merging retail product j, rival product r buying the
    merging supplier's input) pair, with logit diversions D(r→j) = s_j/(1 − s_r), D(j→r) = s_r/(1 − s_j) and the
    pre-merger margins, beside the bargaining model's % changes in w_r, p_r and p_j."""
    labels, s, p, w = case.data.labels, case.data.shares, case.data.prices, up.prices
    down_pre, down_post = case.firms_pre, case.firms_post
    rows = []
    for firm in sorted(set(down_post) & set(up.owner_post)):
        retail = [j for j in range(len(s)) if down_post[j] == firm]
        supplied = [r for r in range(len(s)) if up.owner_post[r] == firm and down_post[r] != firm]
        # only pairs the merger joins: the retail product and the rival's supplier were separate firms before
        for j in retail:
            for r in supplied:
                if down_pre[j] == up.owner_pre[r]:
                    continue
                v = vertical_guppi(
                    float(upstream_margin[r]), float(w[r]), float(retail_margin[j]), float(p[j]),
                    float(s[j] / (1.0 - s[r])), float(s[r] / (1.0 - s[j])),
                )
                rows.append({
                    "merging_product": labels[j],
                    "rival_product": labels[r],
                    "diversion_rival_to_merging": float(s[j] / (1.0 - s[r])),
                    "diversion_merging_to_rival": float(s[r] / (1.0 - s[j])),
                    **v,
                    "bargaining_wholesale_change_pct_rival": float(wholesale_change_pct[r]),
                    "bargaining_retail_change_pct_rival": float(retail_change_pct[r]),
                    "bargaining_retail_change_pct_merging": float(retail_change_pct[j]),
                })
    note = ("Moresi & Salop (2013) vGUPPI on the pre-merger margins and logit diversions; the bargaining columns are "
            "the simulated % changes") if rows else "no vertical pair joined by this merger: vGUPPI does not apply"
    return {"pairs": rows, "note": note}
