"""Cournot competition in a homogeneous product: plants (the case's products) owned by firms.

Inverse demand: linear P(Q) = a − b Q, or log-linear Q = A P^ε (constant elasticity ε < 0).
Plant j's marginal cost: constant c_j, or linear mc_j(q) = d_j q ("linear"); optional capacity k_j.
Firm f chooses its plants' outputs; at an interior optimum every producing plant has
mc_j(q_j) = MR_f = P(Q) + P'(Q) Q_f. Calibration from the market price, plant outputs and margins
m_j = (P − mc_j)/P and/or the market elasticity: the FOC gives m_j = S_f / |ε_D| (S_f the firm's share of Q,
ε_D the demand elasticity at the observed point), so one margin or the elasticity pins demand.
Equilibrium: Gauss–Seidel best responses (Cournot with linear demand is a potential game, so they converge);
each best response solves MR_f(Q_f) = MC_f(Q_f) by bisection, MC_f the firm's cost-minimising marginal cost.
CV: (P1 − P0)(Q0 + Q1)/2 for linear demand; ∫_{P0}^{P1} A P^ε dP for log-linear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, InvalidInputError
from .bertrand import Diagnostics
from .case import Case
from .groups import FloatArray, IntArray
from .result import SimulationResult, firm_hhi


@dataclass(frozen=True)
class HomogeneousDemand:
    """Market demand through (P0, Q0) with elasticity ε0 < 0 there; ``linear`` or constant elasticity."""

    price: float
    quantity: float
    elasticity: float
    linear: bool

    @property
    def slope(self) -> float:
        """b = −dP/dQ for linear demand."""
        return self.price / (-self.elasticity * self.quantity)

    def inverse(self, q: float) -> float:
        if self.linear:
            return float(max(self.price + self.slope * (self.quantity - q), 0.0))
        return float(self.price * (q / self.quantity) ** (1.0 / self.elasticity))

    def inverse_slope(self, q: float) -> float:
        if self.linear:
            return -self.slope
        return float(self.inverse(q) / (self.elasticity * q))

    def marginal_revenue(self, total: float, own: float) -> float:
        """A firm's marginal revenue P(Q) + P'(Q) q_f; for constant elasticity P(Q) (1 + (q_f/Q)/ε), which stays
        finite as Q → 0."""
        if self.linear:
            return self.inverse(total) - self.slope * own
        return float(self.inverse(total) * (1.0 + own / (total * self.elasticity)))

    def cv(self, p0: float, p1: float) -> float:
        if self.linear:
            q0 = self.quantity + (self.price - p0) / self.slope
            q1 = self.quantity + (self.price - p1) / self.slope
            return (p1 - p0) * (q0 + q1) / 2.0
        scale = self.quantity / self.price**self.elasticity
        if abs(self.elasticity + 1.0) < 1e-12:
            return float(scale * np.log(p1 / p0))
        return float(scale * (p1 ** (self.elasticity + 1.0) - p0 ** (self.elasticity + 1.0)) / (self.elasticity + 1.0))

    def parameters(self) -> dict[str, float]:
        if self.linear:
            return {
                "intercept": self.price + self.slope * self.quantity,
                "slope": self.slope,
                "elasticity_at_observed": self.elasticity,
            }
        return {"elasticity": self.elasticity, "scale": self.quantity / self.price**self.elasticity}


@dataclass(frozen=True)
class Plants:
    """Plant costs: ``cost`` constant (mc = c) or linear (mc = d q); capacities (inf = none)."""

    level: FloatArray
    linear: bool
    capacity: FloatArray

    def mc(self, q: FloatArray) -> FloatArray:
        return np.asarray(self.level * q if self.linear else self.level + 0.0 * q)

    def total_cost(self, q: FloatArray) -> FloatArray:
        return np.asarray(self.level * q**2 / 2.0 if self.linear else self.level * q)

    def allocate(self, idx: IntArray, total: float, weights: FloatArray) -> tuple[FloatArray, float]:
        """Cost-minimising outputs of plants ``idx`` producing ``total``, and the marginal cost reached."""
        caps = self.capacity[idx]
        out = np.zeros(len(idx))
        if total <= 0:
            return out, 0.0 if self.linear else float(self.level[idx].min())
        if self.linear:
            d = self.level[idx]

            def gap(lam: float) -> float:
                return float(np.minimum(lam / d, caps).sum() - total)

            hi = float(total * d.max())
            from scipy import optimize  # imported on use: keeps `marketpower` CLI start-up fast

            lam = optimize.brentq(gap, 0.0, hi, xtol=1e-15, rtol=1e-15) if gap(hi) > 0 else hi
            return np.minimum(lam / d, caps), lam
        costs = self.level[idx]
        remaining, marginal = total, float(costs.min())
        for c in np.unique(costs):
            tier = np.flatnonzero(np.isclose(costs, c, rtol=1e-12, atol=0))
            room = caps[tier]
            take = min(remaining, float(room.sum()))
            share = weights[tier] / weights[tier].sum()
            out[tier] = np.minimum(take * share, room)
            remaining -= float(out[tier].sum())
            marginal = float(c)
            if remaining <= 1e-15 * total:
                break
        return out, marginal


def _best_response(
    demand: HomogeneousDemand, plants: Plants, idx: IntArray, others: float, weights: FloatArray
) -> FloatArray:
    cap = float(plants.capacity[idx].sum())
    upper = min(
        cap, (demand.price / demand.slope + demand.quantity - others) if demand.linear else 1e3 * demand.quantity
    )

    def h(qf: float) -> float:
        return demand.marginal_revenue(others + qf, qf) - plants.allocate(idx, qf, weights)[1]

    if upper <= 0 or h(1e-300 if not demand.linear else 0.0) <= 0:
        return np.zeros(len(idx))
    if h(upper) >= 0:
        return plants.allocate(idx, upper, weights)[0]
    lo, hi = 0.0, upper
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if h(mid) > 0 else (lo, mid)
        if hi - lo <= 1e-15 * max(hi, 1e-300):
            break
    return plants.allocate(idx, 0.5 * (lo + hi), weights)[0]


def kkt_residual(demand: HomogeneousDemand, plants: Plants, q: FloatArray, firms: IntArray) -> float:
    """Largest violation of the plant-level optimality conditions (money units)."""
    total = float(q.sum())
    firm_q = np.bincount(firms, weights=q)[firms]
    mr = np.array([demand.marginal_revenue(total, float(x)) for x in firm_q])
    mc = plants.mc(q)
    interior = (q > 0) & (q < plants.capacity)
    gap = np.where(interior, np.abs(mr - mc), 0.0)
    gap = np.where(q <= 0, np.maximum(mr - mc, 0.0), gap)
    gap = np.where(q >= plants.capacity, np.maximum(mc - mr, 0.0), gap)
    return float(gap.max())


def solve_quantities(
    demand: HomogeneousDemand,
    plants: Plants,
    firms: IntArray,
    start: FloatArray,
    tol: float = 1e-13,
    max_iter: int = 10_000,
) -> tuple[FloatArray, Diagnostics]:
    """Cournot–Nash plant outputs by Gauss–Seidel best responses; raises ConvergenceError if not converged."""
    q = np.array(start, dtype=np.float64)
    groups = [np.flatnonzero(firms == f) for f in np.unique(firms)]
    change = np.inf
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (reported in the diagnostics)
        change = 0.0
        for idx in groups:
            others = float(q.sum() - q[idx].sum())
            new = _best_response(demand, plants, idx, others, np.maximum(start[idx], 1e-12))
            change = max(change, float(np.abs(new - q[idx]).max()))
            q[idx] = new
        if change <= tol * max(float(q.sum()), 1.0):
            break
    if q.sum() <= 0:
        if not demand.linear:
            raise InvalidInputError(_no_finite_optimum(demand.elasticity))
        raise InvalidInputError("Cournot: every plant shuts down (marginal costs at or above the demand intercept)")
    residual = kkt_residual(demand, plants, q, firms)
    converged = change <= tol * max(float(q.sum()), 1.0) and residual <= 1e-8 * demand.price
    diag = Diagnostics(bool(converged), iterations, residual, "Gauss-Seidel best responses (Cournot)", tol)
    if not converged:
        raise ConvergenceError("Cournot quantities did not converge", diag.to_dict())
    return q, diag


def _no_finite_optimum(elasticity: float) -> str:
    return (
        f"market_elasticity: no finite optimum — with constant-elasticity demand of elasticity {elasticity:.4g} "
        "(inelastic, ≥ −1) the firms gain by cutting output without limit (price → ∞), e.g. a merger to monopoly; "
        "use linear demand, or margins / a market elasticity implying demand more elastic than −1"
    )


def _profit(price: float, q: FloatArray, plants: Plants) -> float:
    return float(price * q.sum() - plants.total_cost(q).sum())


def simulate_cournot(case: Case) -> SimulationResult:
    data = case.data
    if case.demand not in ("linear", "loglinear"):
        raise InvalidInputError(f"demand = {case.demand!r}: Cournot supply takes 'linear' or 'loglinear' demand")
    if data.owner_pre.ids is None or case.owner_post.ids is None:
        raise InvalidInputError("owner_pre: Cournot takes one firm label per plant (no partial ownership)")
    price = float(data.prices[0])
    for j in np.flatnonzero(~np.isclose(data.prices, price, rtol=1e-12)):
        raise InvalidInputError(f"prices[{data.labels[j]}]: a homogeneous Cournot market has one price")
    q0 = data.quantities
    for j in np.flatnonzero(q0 > case.capacities * (1 + 1e-12)):
        raise InvalidInputError(f"capacities[{data.labels[j]}] = {case.capacities[j]}: below the observed quantity")
    total = float(q0.sum())
    firms_pre = np.asarray(data.owner_pre.ids, dtype=np.int64)
    firm_share = np.bincount(firms_pre, weights=q0)[firms_pre] / total
    at_cap = q0 >= case.capacities * (1 - 1e-12)
    usable = np.flatnonzero(np.isfinite(data.margins) & ~at_cap)
    # unknown x = 1/|ε_D|: margins m_j = S_f x, market elasticity ε = −1/x
    rows = [firm_share[usable]]
    targets = [data.margins[usable]]
    if data.market_elasticity is not None:
        rows.append(np.array([1.0]))
        targets.append(np.array([-1.0 / data.market_elasticity]))
    a_col, b_vec = np.concatenate(rows), np.concatenate(targets)
    if a_col.size == 0:
        raise InvalidInputError(
            "margins: Cournot needs a known margin of a plant below capacity or a market_elasticity"
        )
    inv_elast = float(a_col @ b_vec / (a_col @ a_col))
    if "elasticity" in data.parameters:
        inv_elast = -1.0 / float(data.parameters["elasticity"])  # type: ignore[arg-type]
    if inv_elast <= 0:
        raise InvalidInputError("margins: they imply upward-sloping demand")
    elasticity = -1.0 / inv_elast
    demand = HomogeneousDemand(price, total, elasticity, linear=case.demand == "linear")
    mc0 = np.where(np.isfinite(data.margins), price * (1.0 - data.margins), price * (1.0 - firm_share * inv_elast))
    linear_cost = case.cost == "linear"
    level = mc0 / q0 if linear_cost else mc0
    plants_pre = Plants(level, linear_cost, case.capacities)
    plants_post = Plants(level * (1.0 + case.mc_delta), linear_cost, case.capacities)
    firms_post = np.asarray(case.owner_post.ids, dtype=np.int64)
    if not demand.linear and elasticity >= -1.0 and len(np.unique(firms_post)) == 1:
        raise InvalidInputError(_no_finite_optimum(elasticity))
    q_post, diag = solve_quantities(demand, plants_post, firms_post, q0)
    p_post = demand.inverse(float(q_post.sum()))
    merging_firm = [f for f in np.unique(firms_post) if len(np.unique(firms_pre[firms_post == f])) > 1]
    cmcr = {}
    for f in merging_firm:
        idx = np.flatnonzero(firms_post == f)
        mean_mc = float(mc0[idx] @ q0[idx] / q0[idx].sum())
        needed = price * (1.0 - q0[idx].sum() / total * inv_elast)
        for j in idx:
            cmcr[data.labels[j]] = (mean_mc - needed) / mean_mc
    fit = {
        "max_abs_margin_error": float(np.abs(firm_share[usable] * inv_elast - data.margins[usable]).max())
        if usable.size
        else 0.0,
        "demand_elasticity": elasticity,
    }
    method = "exact" if a_col.size == 1 else f"closed-form least squares of {a_col.size} targets on 1/|elasticity|"
    return SimulationResult(
        model={"demand": case.demand, "supply": "cournot", "name": case.name},
        labels=data.labels,
        firms_pre=case.firms_pre,
        firms_post=case.firms_post,
        prices_pre=data.prices,
        prices_post=np.full(len(q0), p_post),
        shares_pre=q0 / total,
        shares_post=q_post / q_post.sum(),
        quantities_pre=q0,
        quantities_post=q_post,
        costs=mc0,
        costs_post=plants_post.mc(q_post),
        hhi_pre=firm_hhi(q0, case.firms_pre),
        hhi_post=firm_hhi(q_post, case.firms_post),
        cv=demand.cv(price, p_post),
        producer_surplus_delta=_profit(p_post, q_post, plants_post) - _profit(price, q0, plants_pre),
        upp={},
        cmcr=cmcr,
        jacobian=None,
        parameters=demand.parameters() | {"cost": case.cost, "mc_level": level.tolist()},
        diagnostics={
            "post_merger_quantities": diag.to_dict(),
            "calibration": {"method": method, "parameters": demand.parameters(), "fit": fit},
        },
    )
