"""Calibration: demand parameters that make observed prices, shares and margins a pre-merger Bertrand equilibrium.

Targets are the known Lerner margins m_j = (p_j − c_j)/p_j (predicted through the Bertrand FOCs under the
pre-merger ownership), the market elasticity and a known own-price elasticity when given. With exactly as many
targets as parameters the solution is exact (else the calibration is reported impossible, with the closest fit);
with more targets, parameters minimise the sum of squared residuals (margins in fraction points, elasticities
relative to the target) and the fit is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidInputError
from .aids import AIDS, gamma_from_diversions, proportional_diversions
from .bertrand import markups
from .ces import CES
from .demand import Demand, market_elasticity, own_elasticity
from .groups import FloatArray, IntArray, combine_ids, group_sum
from .linear import Linear, LogLinear
from .logit import Logit, NestedLogit
from .ownership import Ownership
from .rclogit import RandomCoefficientsLogit, solve_meanval

SHARE_SUM_TOLERANCE = 1e-6
#: A least-squares fit that misses an observed margin by more than this (fraction points) is reported as a warning.
MARGIN_FIT_WARNING = 0.05


@dataclass
class MarketData:
    """Validated inputs of one market. Margins are NaN where unknown; quantities in levels; shares fractions."""

    labels: list[str]
    prices: FloatArray
    shares: FloatArray
    quantities: FloatArray
    margins: FloatArray
    owner_pre: Ownership
    market_elasticity: float | None = None
    diversions: FloatArray | None = None
    nests: IntArray | None = None
    nest_labels: list[str] = field(default_factory=list)
    insize: float | None = None
    norm_index: int = 0
    known_elasticity: float | None = None
    known_elasticity_index: int | None = None
    parameters: dict[str, object] = field(default_factory=dict)
    #: Nested logit: one nesting parameter shared by every nest (R ``logit.nests(..., constraint = TRUE)``).
    common_nesting: bool = False
    #: Linear demand: a symmetric slope matrix fitted to margins and diversions (R ``linear(..., symmetry = TRUE)``).
    symmetry: bool = False
    #: The firms buy an input (logit family, α > 0); margins are markdowns (v − p)/p, v the buyer's marginal value.
    input_market: bool = False

    @property
    def margin_sign(self) -> float:
        """Observed margin = sign × (p − c)/p: +1 for sellers' margins, −1 for buyers' markdowns (c = v)."""
        return -1.0 if self.input_market else 1.0

    @property
    def known(self) -> FloatArray:
        return np.asarray(np.flatnonzero(np.isfinite(self.margins)))

    @property
    def inside_total(self) -> float:
        return float(self.shares.sum())


@dataclass
class Calibration:
    """A calibrated demand, how it was obtained and its fit; ``markups`` = p − c at the observed prices."""

    demand: Demand
    method: str
    parameters: dict[str, object]
    fit: dict[str, object]
    markups: FloatArray
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"method": self.method, "parameters": self.parameters, "fit": self.fit}


def _predicted_margins(demand: Demand, data: MarketData) -> FloatArray:
    return np.asarray(data.margin_sign * markups(demand, data.prices, data.owner_pre) / data.prices)


def calibration(
    demand: Demand,
    data: MarketData,
    method: str,
    parameters: dict[str, object],
    unit_markups: FloatArray | None = None,
    extra: dict[str, object] | None = None,
) -> Calibration:
    """Package a calibrated demand with its fit report (markups computed once, or passed in)."""
    margins = markups(demand, data.prices, data.owner_pre) if unit_markups is None else unit_markups
    predicted = data.margin_sign * margins / data.prices
    return Calibration(
        demand,
        method,
        parameters,
        _fit_report(demand, data, predicted) | (extra or {}),
        margins,
        _fit_warnings(data, predicted),
    )


def _fit_warnings(data: MarketData, predicted: FloatArray) -> list[str]:
    """One warning when the calibrated demand misses an observed margin by more than MARGIN_FIT_WARNING (e.g.
    margins of one firm's products that its FOCs cannot reproduce together, fitted by least squares)."""
    known = data.known
    if known.size == 0:
        return []
    error = np.abs(predicted[known] - data.margins[known])
    worst = int(np.argmax(error))
    if error[worst] <= MARGIN_FIT_WARNING:
        return []
    j = int(known[worst])
    return [
        f"calibration: the fitted demand misses the margin of {data.labels[j]} by {error[worst]:.2f} (observed "
        f"{data.margins[j]:.4g}, predicted {predicted[j]:.4g}; {int(np.sum(error > MARGIN_FIT_WARNING))} margin(s) "
        f"off by more than {MARGIN_FIT_WARNING}): the model cannot reproduce these margins together; check them, "
        "or use a demand with more parameters"
    ]


def margin_fit(labels: list[str], observed: FloatArray, predicted: FloatArray) -> dict[str, object]:
    """Observed (NaN: unknown) and predicted margins (fractions of price) by label, and the largest absolute miss
    (0 with none observed)."""
    known = np.flatnonzero(np.isfinite(observed))
    return {
        "margins_observed": {labels[j]: float(observed[j]) for j in known},
        "margins_predicted": {labels[j]: float(predicted[j]) for j in range(len(predicted))},
        "max_abs_margin_error": float(np.abs(predicted[known] - observed[known]).max()) if known.size else 0.0,
    }


def _fit_report(demand: Demand, data: MarketData, predicted: FloatArray) -> dict[str, object]:
    report = margin_fit(data.labels, data.margins, predicted)
    if data.market_elasticity is not None:
        report["market_elasticity_observed"] = data.market_elasticity
        report["market_elasticity_predicted"] = market_elasticity(demand, data.prices)
    if data.known_elasticity is not None and data.known_elasticity_index is not None:
        i = data.known_elasticity_index
        report["known_elasticity_observed"] = data.known_elasticity
        report["known_elasticity_predicted"] = own_elasticity(demand, data.prices, i)
    return report


def fit(
    data: MarketData,
    build: Callable[[FloatArray], Demand],
    start: FloatArray,
    names: list[str],
    use_market_elasticity: bool,
    use_known_elasticity: bool = False,
    jacobian: Callable[[FloatArray], FloatArray] | None = None,
) -> tuple[Demand, FloatArray, str]:
    """Least-squares calibration of the (transformed) parameters θ; returns (demand, θ, method). ``jacobian(θ)``,
    when given, is the analytic ∂residuals/∂θ (targets × parameters); else finite differences."""
    known = data.known
    n_targets = known.size + int(use_market_elasticity) + int(use_known_elasticity)
    if n_targets < len(start):
        raise InvalidInputError(
            f"margins: {known.size} known margin(s) but {len(start)} parameter(s) to calibrate ({', '.join(names)}); "
            "give more margins, a market_elasticity or known_elasticity, or supply 'parameters'"
        )

    def residuals(theta: FloatArray) -> FloatArray:
        try:
            demand = build(theta)
            out = [(_predicted_margins(demand, data)[known] - data.margins[known])]
            if use_market_elasticity:
                assert data.market_elasticity is not None
                out.append(np.array([market_elasticity(demand, data.prices) / data.market_elasticity - 1.0]))
            if use_known_elasticity:
                assert data.known_elasticity is not None and data.known_elasticity_index is not None
                i = data.known_elasticity_index
                own = own_elasticity(demand, data.prices, i)
                out.append(np.array([own / data.known_elasticity - 1.0]))
            r = np.concatenate(out)
        except (InvalidInputError, np.linalg.LinAlgError, FloatingPointError, ValueError):
            return np.full(n_targets, 1e3)
        return np.where(np.isfinite(r), r, 1e3)

    with np.errstate(all="ignore"):
        from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

        sol = optimize.least_squares(
            residuals, start, jac=jacobian or "2-point", method="trf", xtol=1e-13, ftol=1e-13, gtol=1e-13,
            max_nfev=2000,
        )
    exact = n_targets == len(start)
    worst = float(np.abs(sol.fun).max())
    if worst >= 1e3 * 0.999:
        raise InvalidInputError("margins: no parameter values give a valid demand system for these data")
    demand = build(sol.x)
    if exact and worst > 1e-6:
        report = _fit_report(demand, data, _predicted_margins(demand, data))
        raise InvalidInputError(
            "margins: impossible calibration — no parameters reproduce the data exactly; closest fit: "
            f"{dict(zip(names, np.round(sol.x, 6).tolist(), strict=True))} (transformed), predicted margins "
            f"{ {k: round(v, 4) for k, v in report['margins_predicted'].items()} }"  # type: ignore[attr-defined]
            f", largest residual {worst:.3g}"
        )
    method = (
        "exact solve of the calibration equations (as many targets as parameters)"
        if exact
        else f"least squares over {n_targets} targets for {len(start)} parameters"
    )
    return demand, np.asarray(sol.x), method


def _user_float(data: MarketData, name: str) -> float | None:
    value = data.parameters.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"parameters.{name} = {value!r}: expected a number")
    return float(value)


def user_alpha(data: MarketData) -> float | None:
    """The user-supplied price coefficient ``parameters.alpha`` (None when absent); refused unless a negative
    number (NaN too)."""
    value = data.parameters.get("alpha")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value < 0:
        raise InvalidInputError(f"parameters.alpha = {value!r}: expected a negative number")
    return float(value)


def _meanval_from(data: MarketData, name: str = "meanval") -> FloatArray | None:
    value = data.parameters.get(name)
    if value is None:
        return None
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != data.prices.shape or not np.all(np.isfinite(arr)):
        raise InvalidInputError(f"parameters.{name}: expected {len(data.labels)} finite numbers")
    return arr


def calibrate_logit(data: MarketData) -> Calibration:
    """α (< 0) and mean valuations δ_j = log(s_j/s_0) (or log(s_j/s_norm) without an outside good).

    With shares summing to 1 and a market elasticity, the outside share s_0 is calibrated too, using the logit
    market elasticity ε = α s_0 Σ_j s_j p_j / Σ_j s_j on the rescaled inside shares (1 − s_0) s_j.
    Without a market elasticity, margins are linear in 1/α, so α has a closed form.
    """
    alpha = _user_float(data, "alpha")
    s, p = data.shares, data.prices
    outside = data.inside_total < 1 - SHARE_SUM_TOLERANCE
    if alpha is not None:
        meanval = _meanval_from(data)
        if meanval is None:
            meanval = np.log(s) - (np.log1p(-s.sum()) if outside else np.log(s[data.norm_index]))
        demand: Demand = Logit(np.float64(alpha), meanval, p, outside, data.input_market)
        return calibration(demand, data, "user-supplied parameters", {"alpha": alpha})

    def build(alpha_value: float, outside_share: float | None, input_market: bool = data.input_market) -> Logit:
        if outside_share is None:
            base = np.log(s) - (np.log1p(-s.sum()) if outside else np.log(s[data.norm_index]))
            return Logit(np.float64(alpha_value), base, p, outside, input_market)
        inside = s / s.sum() * (1.0 - outside_share)
        return Logit(np.float64(alpha_value), np.log(inside) - np.log(outside_share), p, True)

    known = data.known
    if data.market_elasticity is None or outside:
        if data.market_elasticity is None:
            if known.size == 0:
                raise InvalidInputError(
                    "margins: the logit model needs at least one known margin (or parameters.alpha)"
                )
            # markups at α = −1 (the J of one α is the J of another times α/(−1)): p − c = unit/(−α), so an
            # observed margin (sign = +1) or markdown (sign = −1, α > 0) is k × 1/|α| with k = unit/p
            unit_markups = markups(build(-1.0, None, False), p, data.owner_pre)
            k = (unit_markups / p)[known]
            inv_alpha = float(k @ data.margins[known] / (k @ k))
            if inv_alpha <= 0:
                raise InvalidInputError("margins: no price coefficient of the right sign fits these margins")
            alpha_fit = -data.margin_sign / inv_alpha
            demand = build(alpha_fit, None)
            method = (
                "exact: α from the one known margin"
                if known.size == 1
                else f"closed-form least squares of {known.size} margins on 1/α"
            )
            return calibration(demand, data, method, {"alpha": alpha_fit}, data.margin_sign * unit_markups * inv_alpha)
        demand, theta, method = fit(
            data, lambda t: build(-float(np.exp(t[0])), None), np.array([0.0]), ["log(-alpha)"], True
        )
        return calibration(demand, data, method, {"alpha": -float(np.exp(theta[0]))})
    demand, theta, method = fit(
        data,
        lambda t: build(-float(np.exp(t[0])), float(1.0 / (1.0 + np.exp(-t[1])))),
        np.array([0.0, 0.0]),
        ["log(-alpha)", "logit(outside share)"],
        True,
    )
    s0 = float(1.0 / (1.0 + np.exp(-theta[1])))
    return calibration(demand, data, method, {"alpha": -float(np.exp(theta[0])), "outside_share": s0})


def _nest_rho(data: MarketData, values: FloatArray) -> FloatArray:
    assert data.nests is not None
    return np.asarray(values[data.nests])


def calibrate_nested_logit(data: MarketData) -> Calibration:
    """α and one ρ_h per nest; δ_j = log(s_j/s_0) − ρ_h log s_{j|h}. Needs an outside good (shares summing
    below 1) or a market elasticity (then s_0 is calibrated as for logit)."""
    if data.nests is None:
        raise InvalidInputError("nests: the nested logit needs a nest label for every product")
    nests = data.nests
    n_nests = int(nests.max()) + 1
    s, p = data.shares, data.prices
    outside = data.inside_total < 1 - SHARE_SUM_TOLERANCE
    if not outside and data.market_elasticity is None:
        raise InvalidInputError(
            "shares: they sum to 1, so the nested logit needs a market_elasticity to pin the outside good"
        )

    def build(alpha_value: float, rho_values: FloatArray, outside_share: float | None) -> NestedLogit:
        inside = s if outside_share is None else s / s.sum() * (1.0 - outside_share)
        s0 = 1.0 - inside.sum()
        rho = _nest_rho(data, rho_values)
        within = inside / group_sum(inside, nests)
        meanval = np.log(inside) - np.log(s0) - rho * np.log(within)
        return NestedLogit(np.float64(alpha_value), rho, nests, meanval, p, data.input_market)

    alpha = _user_float(data, "alpha")
    if alpha is not None:
        rho_param = data.parameters.get("rho")
        if isinstance(rho_param, dict):
            missing = [h for h in data.nest_labels if h not in rho_param]
            if missing:
                raise InvalidInputError(f"parameters.rho: no value for nest '{missing[0]}'")
            rho_values = np.array([float(rho_param[h]) for h in data.nest_labels])
        elif isinstance(rho_param, int | float) and not isinstance(rho_param, bool):
            rho_values = np.full(n_nests, float(rho_param))
        else:
            raise InvalidInputError("parameters.rho: give one number or a {nest: rho} mapping with parameters.alpha")
        if not outside:
            raise InvalidInputError("shares: with user-supplied nested-logit parameters the shares must sum below 1")
        demand: Demand = build(alpha, rho_values, None)
        return calibration(
            demand,
            data,
            "user-supplied parameters",
            {"alpha": alpha, "rho": dict(zip(data.nest_labels, rho_values.tolist(), strict=True))},
        )

    use_s0 = not outside
    sizes = np.bincount(nests, minlength=n_nests)
    free = np.flatnonzero(sizes > 1)  # ρ of a one-product nest does not enter demand: fixed at 0

    n_rho = min(free.size, 1) if data.common_nesting else free.size

    def rho_of(t: FloatArray) -> FloatArray:
        values = np.zeros(n_nests)
        values[free] = 0.999 / (1.0 + np.exp(-t[1 : 1 + n_rho]))
        return values

    last: list[object] = []  # the demand at the last θ: residuals and their Jacobian at one θ share it

    def from_theta(t: FloatArray) -> NestedLogit:
        key = np.asarray(t).tobytes()
        if not last or last[0] != key:
            s0 = float(1.0 / (1.0 + np.exp(-t[-1]))) if use_s0 else None
            last[:] = [key, build(-data.margin_sign * float(np.exp(t[0])), rho_of(t), s0)]
        return last[1]  # type: ignore[return-value]

    rho_names = ["rho (common)"] if data.common_nesting else [f"rho[{data.nest_labels[h]}]" for h in free]
    names = ["log(-alpha)"] + rho_names[:n_rho] + (["outside share"] if use_s0 else [])
    groups = [free] if data.common_nesting else [free[i : i + 1] for i in range(n_rho)]
    jacobian = None
    if not use_s0 and data.owner_pre.ids is not None:  # shares fixed by the data: ∂/∂θ in closed form

        def jacobian(t: FloatArray) -> FloatArray:
            return _nested_logit_jacobian(data, from_theta(t), rho_of(t), groups)

    demand, theta, method = fit(
        data, from_theta, np.zeros(len(names)), names, data.market_elasticity is not None, jacobian=jacobian
    )
    if data.common_nesting:
        method += "; one nesting parameter common to every nest with more than one product"
    rho_values = rho_of(theta)
    params: dict[str, object] = {
        "alpha": -data.margin_sign * float(np.exp(theta[0])),
        "rho": {h: float(rho_values[i]) for i, h in enumerate(data.nest_labels)},
    }
    if use_s0:
        params["outside_share"] = float(1.0 - demand.quantities(p).sum())
    return calibration(demand, data, method, params)


def _nested_logit_jacobian(
    data: MarketData, demand: NestedLogit, rho_nest: FloatArray, groups: list[IntArray]
) -> FloatArray:
    """∂residuals/∂θ of the nested-logit calibration at the observed prices, where shares s and within-nest shares
    w are the data's whatever θ: θ_0 = log(−α) (markups m ∝ 1/(−α), the market elasticity ∝ α) and one
    θ_i per group of nests with ρ_h = 0.999 σ(θ_i). With A = J[f, f]ᵀ and A m = −q firm by firm,
    ∂m/∂ρ_h = −A⁻¹ (∂A/∂ρ_h) m, where ∂J[j, k]/∂ρ_h = α 1{h(j)=h} [1{j=k} s_j − 1{h(k)=h} s_j w_k]/(1−ρ_h)², so
    ((∂A/∂ρ_h) m)_k = α 1{h(k)=h} (s_k m_k − w_k Σ_{j ∈ f(k) ∩ h} s_j m_j)/(1−ρ_h)²; and
    ∂ε/∂ρ_h = α Σ_{j∈h} s_j (p_j − Σ_{k∈h} w_k p_k) / ((1−ρ_h)² Σ_j s_j)."""
    from .bertrand import firm_block_solve

    assert data.nests is not None and data.owner_pre.ids is not None
    nests, p, s = data.nests, data.prices, data.shares
    ids = np.asarray(data.owner_pre.ids)
    alpha = float(np.asarray(demand.alpha))
    within = s / group_sum(s, nests)
    m = markups(demand, p, data.owner_pre)
    firm_nest = group_sum(s * m, combine_ids(ids, nests))
    d_rho = rho_nest * (1.0 - rho_nest / 0.999)  # ∂ρ/∂θ of ρ = 0.999 σ(θ)
    scale = alpha * d_rho / (1.0 - rho_nest) ** 2  # per nest
    in_group = [np.isin(nests, g) for g in groups]
    rhs = np.stack([np.where(mask, scale[nests] * (s * m - within * firm_nest), 0.0) for mask in in_group], axis=1)
    d_markups = -firm_block_solve(demand, p, ids, rhs) if groups else np.zeros((len(p), 0))
    known = data.known
    rows = [data.margin_sign * np.column_stack([-m / p, d_markups / p[:, None]])[known]]
    if data.market_elasticity is not None:
        eps = market_elasticity(demand, p)
        spread = s * (p - group_sum(within * p, nests))
        d_eps = [float(scale[nests][mask] @ spread[mask]) / float(s.sum()) for mask in in_group]
        rows.append(np.array([[eps, *d_eps]]) / data.market_elasticity)
    return np.vstack(rows)


def calibrate_rclogit(data: MarketData) -> Calibration:
    """User-supplied α, Σ, Π, product characteristics X2 and consumer draws; δ from the BLP contraction."""
    par = data.parameters
    alpha = _user_float(data, "alpha")
    if alpha is None or "x2" not in par or "nodes" not in par:
        raise InvalidInputError(
            "parameters: the random-coefficients logit needs alpha, sigma, x2 and nodes "
            "(and optionally pi, demographics, weights, price_column)"
        )
    x2 = np.asarray(par["x2"], dtype=np.float64)
    nodes = np.asarray(par["nodes"], dtype=np.float64)
    n, k = len(data.labels), x2.shape[-1] if x2.ndim == 2 else -1
    if x2.shape != (n, k):
        raise InvalidInputError(f"parameters.x2: expected one row of characteristics per product ({n} rows)")
    if nodes.ndim != 2 or nodes.shape[1] != k:
        raise InvalidInputError(f"parameters.nodes: expected one row per consumer draw with {k} columns")
    sigma = np.asarray(par.get("sigma", np.zeros((k, k))), dtype=np.float64)
    if sigma.ndim == 1:
        sigma = np.diag(sigma)
    demo = np.asarray(par.get("demographics", np.zeros((len(nodes), 0))), dtype=np.float64)
    pi = np.asarray(par.get("pi", np.zeros((k, demo.shape[1]))), dtype=np.float64)
    weights = np.asarray(par.get("weights", np.full(len(nodes), 1.0 / len(nodes))), dtype=np.float64)
    if sigma.shape != (k, k) or pi.shape != (k, demo.shape[1]) or weights.shape != (len(nodes),):
        raise InvalidInputError("parameters: sigma must be K×K, pi K×D, weights one per draw (K = columns of x2)")
    column = par.get("price_column")
    if column is not None and (not isinstance(column, int) or not 0 <= column < k):
        raise InvalidInputError(f"parameters.price_column = {column!r}: expected a column index of x2")
    if data.inside_total >= 1 - SHARE_SUM_TOLERANCE:
        raise InvalidInputError("shares: the random-coefficients logit needs shares summing below 1 (outside good)")
    base = RandomCoefficientsLogit(alpha, np.zeros(n), data.prices, x2, sigma, pi, nodes, demo, weights, column)
    meanval, info = solve_meanval(base, data.prices, data.shares)
    demand = RandomCoefficientsLogit(alpha, meanval, data.prices, x2, sigma, pi, nodes, demo, weights, column)
    return calibration(
        demand,
        data,
        "user-supplied parameters; mean valuations by BLP contraction",
        {"alpha": alpha, "sigma": sigma.tolist(), "pi": pi.tolist()},
        extra={"meanval_contraction": info},
    )


def calibrate_ces(data: MarketData) -> Calibration:
    """γ > 1 (and the outside revenue share when shares sum to 1 and a market elasticity is given)."""
    r, p = data.shares, data.prices
    budget = data.insize or 1.0
    gamma = _user_float(data, "gamma")
    if gamma is not None:
        demand: Demand = CES.from_shares(gamma, r, p, budget)
        return calibration(demand, data, "user-supplied parameters", {"gamma": gamma})
    outside = data.inside_total < 1 - SHARE_SUM_TOLERANCE
    if outside or data.market_elasticity is None:
        demand, theta, method = fit(
            data,
            lambda t: CES.from_shares(1.0 + float(np.exp(t[0])), r, p, budget),
            np.array([0.0]),
            ["log(gamma-1)"],
            data.market_elasticity is not None,
        )
        return calibration(demand, data, method, {"gamma": 1.0 + float(np.exp(theta[0]))})

    def build(t: FloatArray) -> CES:
        s0 = float(1.0 / (1.0 + np.exp(-t[1])))
        return CES.from_shares(1.0 + float(np.exp(t[0])), r / r.sum() * (1.0 - s0), p, budget)

    demand, theta, method = fit(data, build, np.array([0.0, 0.0]), ["log(gamma-1)", "outside share"], True)
    gamma_value, outside_share = 1.0 + float(np.exp(theta[0])), float(1.0 / (1.0 + np.exp(-theta[1])))
    return calibration(demand, data, method, {"gamma": gamma_value, "outside_share": outside_share})


def _diversions(data: MarketData) -> FloatArray:
    return data.diversions if data.diversions is not None else proportional_diversions(data.shares)


def calibrate_aids(data: MarketData, proportional: bool) -> Calibration:
    """(PC)AIDS. With the market elasticity ε given — PCAIDS: one scale b (from known_elasticity when given, the
    Epstein–Rubinfeld recipe b = (ε_ii + 1 − w_i (1 + ε)) / (1 − w_i), else from margins); AIDS: one Γ[j, j] per
    product with Γ[k, j] = −D[j, k] Γ[j, j].
    Without ε, as R `antitrust`'s ``aids`` does, ε is calibrated with a symmetric Γ from the margins (at least two
    targets): Γ[j, j] = Γ[r, r] D[r, j]/D[j, r] relative to the first product r with a margin (PCAIDS:
    Γ = b (diag(w) − w wᵀ), the same family under proportional diversions); parameters (Γ[r, r], ε)."""
    w = data.shares / data.shares.sum()
    p = data.prices
    budget = data.insize or 1.0
    diversion = data.diversions if data.diversions is not None else proportional_diversions(w)
    if data.market_elasticity is None:
        return _calibrate_aids_elasticity(data, w, diversion, proportional)
    eps = data.market_elasticity
    if proportional:

        def build(b: float) -> AIDS:
            return AIDS(b * (np.diag(w) - np.outer(w, w)), w, p, eps, budget)

        if data.known_elasticity is not None and data.known_elasticity_index is not None:
            i = data.known_elasticity_index
            b = (data.known_elasticity + 1.0 - w[i] * (1.0 + eps)) / (1.0 - w[i])
            demand: Demand = build(b)
            method = "exact: PCAIDS scale from the known own elasticity (Epstein-Rubinfeld)"
            return calibration(demand, data, method, {"b": b})
        demand, theta, method = fit(data, lambda t: build(float(t[0])), np.array([-1.0]), ["b"], False)
        return calibration(demand, data, method, {"b": float(theta[0])})

    def build_general(t: FloatArray) -> AIDS:
        return AIDS(gamma_from_diversions(t, diversion), w, p, eps, budget)

    margins = np.where(np.isfinite(data.margins), data.margins, np.nanmean(data.margins))
    start = w * (-1.0 / margins + 1.0 - (1.0 + eps) * w)
    demand, theta, method = fit(
        data, build_general, start, [f"Gamma[{x},{x}]" for x in data.labels], False, data.known_elasticity is not None
    )
    assert isinstance(demand, AIDS)
    return calibration(demand, data, method, {"gamma": demand.gamma.tolist()})


def _calibrate_aids_elasticity(
    data: MarketData, w: FloatArray, diversion: FloatArray, proportional: bool
) -> Calibration:
    """Symmetric-Γ (PC)AIDS with the market elasticity calibrated from margins (R `antitrust`'s ``aids``)."""
    known = data.known
    use_known = data.known_elasticity is not None
    if known.size + int(use_known) < 2:
        raise InvalidInputError(
            "market_elasticity: (PC)AIDS needs the market elasticity (a negative number), or at least two known "
            "margins (or one margin and known_elasticity) to calibrate it"
        )
    p, budget = data.prices, data.insize or 1.0
    if proportional:
        relative = w * (1.0 - w)
    else:
        r = int(known[0]) if known.size else int(data.known_elasticity_index or 0)
        back = diversion[:, r]
        for j in np.flatnonzero(back <= 0):
            if j != r:
                raise InvalidInputError(
                    f"diversions[{data.labels[j]}][{data.labels[r]}] = 0: calibrating the market elasticity needs "
                    "a symmetric Γ, which needs positive diversion from every product to the reference product"
                )
        relative = np.where(np.arange(len(w)) == r, 1.0, diversion[r] / np.where(back > 0, back, 1.0))
        relative = relative / relative[r] * w[r] * (1.0 - w[r])

    def build(t: FloatArray) -> AIDS:
        own = -np.exp(t[0]) * relative  # Γ[j, j] < 0
        return AIDS(gamma_from_diversions(own, diversion), w, p, -float(np.exp(t[1])), budget)

    m = data.margins[known] if known.size else np.array([0.5])
    start = np.array([np.log(max(float(np.mean(1.0 / m)) - 1.0, 0.1)), 0.0])
    demand, theta, method = fit(data, build, start, ["log(-scale)", "log(-market_elasticity)"], False, use_known)
    assert isinstance(demand, AIDS)
    eps = -float(np.exp(theta[1]))
    params: dict[str, object] = {"gamma": demand.gamma.tolist(), "market_elasticity": eps}
    if proportional:
        params["b"] = -float(np.exp(theta[0]))
    result = calibration(demand, data, method + "; market elasticity calibrated from margins", params)
    result.fit["market_elasticity_calibrated"] = eps
    return result


#: A symmetric linear fit that misses an observed margin or diversion by more than this is reported.
SYMMETRY_FIT_TOLERANCE = 1e-4


def _calibrate_symmetric_linear(data: MarketData, diversion: FloatArray) -> Calibration:
    """R ``linear(..., symmetry = TRUE)``: a symmetric slope matrix B (own slopes B[j, j] < 0, n(n+1)/2 free
    entries) fitted by least squares to the known margins (fraction points) and the diversions
    D[j, k] = −B[k, j]/B[j, j] (j ≠ k). A symmetric B rarely reproduces both exactly: every margin or diversion
    missed by more than SYMMETRY_FIT_TOLERANCE is named in a warning."""
    from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

    q, p = data.quantities, data.prices
    n = len(q)
    known = data.known
    if known.size == 0:
        raise InvalidInputError("margins: symmetric linear calibration needs at least one known margin")
    rows, cols = np.triu_indices(n, k=1)
    off = ~np.eye(n, dtype=bool)
    margins = np.where(np.isfinite(data.margins), data.margins, np.nanmean(data.margins))
    own0 = -q / (margins * p)
    start = np.concatenate([np.log(-own0), (-(diversion * own0[:, None]).T)[rows, cols]])

    def slopes(t: FloatArray) -> FloatArray:
        b = np.zeros((n, n))
        b[rows, cols] = t[n:]
        b = b + b.T
        np.fill_diagonal(b, -np.exp(t[:n]))
        return b

    def residuals(t: FloatArray) -> FloatArray:
        b = slopes(t)
        try:
            predicted = markups(Linear(b, q, p), p, data.owner_pre) / p
        except (InvalidInputError, np.linalg.LinAlgError):
            return np.full(known.size + n * (n - 1), 1e3)
        fitted = -b.T / np.diagonal(b)[:, None]
        return np.concatenate([predicted[known] - data.margins[known], (fitted - diversion)[off]])

    with np.errstate(all="ignore"):
        sol = optimize.least_squares(residuals, start, xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=5000)
    b = slopes(sol.x)
    demand = Linear(b, q, p)
    method = (
        f"least squares: symmetric slopes ({n * (n + 1) // 2} parameters) fitted to {known.size} margin(s) and "
        f"{n * (n - 1)} diversions"
    )
    result = calibration(demand, data, method, demand.parameters())
    fitted = -b.T / np.diagonal(b)[:, None]
    miss_d = np.abs(fitted - diversion) * off
    result.fit["diversions_predicted"] = {
        data.labels[j]: dict(zip(data.labels, fitted[j].tolist(), strict=True)) for j in range(n)
    }
    result.fit["max_abs_diversion_error"] = float(miss_d.max())
    miss_m = np.abs(result.markups[known] / p[known] - data.margins[known])
    missed = [f"the margin of {data.labels[j]}" for j in known[miss_m > SYMMETRY_FIT_TOLERANCE]]
    missed += [
        f"the diversion {data.labels[j]}->{data.labels[k]}"
        for j, k in zip(*np.nonzero(miss_d > SYMMETRY_FIT_TOLERANCE), strict=True)
    ]
    if missed:
        result.warnings.append(
            f"calibration (symmetry: true): the symmetric slope matrix misses {', '.join(missed[:8])}"
            f"{' ...' if len(missed) > 8 else ''} by more than {SYMMETRY_FIT_TOLERANCE} (largest margin error "
            f"{float(miss_m.max()):.3g}, largest diversion error {result.fit['max_abs_diversion_error']:.3g}); "
            "see diagnostics.calibration.fit"
        )
    return result


def calibrate_linear(data: MarketData, log: bool) -> Calibration:
    """One own slope (linear) or own elasticity (log-linear) per product, cross effects from diversions."""
    q, p = data.quantities, data.prices
    diversion = _diversions(data)
    kind = LogLinear if log else Linear
    key = "elasticities" if log else "slopes"
    if key in data.parameters:
        matrix = np.asarray(data.parameters[key], dtype=np.float64)
        if matrix.shape != (len(q), len(q)):
            raise InvalidInputError(f"parameters.{key}: expected a {len(q)}×{len(q)} matrix")
        demand: Demand = kind(matrix, q, p)
        return calibration(demand, data, "user-supplied parameters", {key: matrix.tolist()})
    if data.symmetry and not log:
        return _calibrate_symmetric_linear(data, diversion)
    margins = np.where(np.isfinite(data.margins), data.margins, np.nanmean(data.margins))
    start = np.log(1.0 / margins) if log else np.log(q / (margins * p))

    def build(t: FloatArray) -> Demand:
        return kind.from_diversions(-np.exp(t), diversion, q, p)

    demand, _, method = fit(
        data, build, start, [f"own[{x}]" for x in data.labels], False, data.known_elasticity is not None
    )
    return calibration(demand, data, method, demand.parameters())
