"""The outcome of one simulated merger: a dict for JSON, DataFrames and a printable table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..measures.concentration import hhi
from .demand import diversions_from
from .groups import FloatArray


def firm_hhi(shares: FloatArray, firms: list[str]) -> float:
    """HHI (0–10,000) of firm shares of the inside market: shares are rescaled to sum to 1 (pyblp's convention)."""
    inside = shares / shares.sum()
    totals = np.bincount(np.unique(np.asarray(firms), return_inverse=True)[1].ravel(), weights=inside)
    return hhi(np.clip(totals, 0.0, 1.0))


def jsonable(value: Any) -> Any:
    """Plain Python types (floats, ints, bools, lists, dicts with str keys) for JSON output."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _by_label(labels: list[str], values: FloatArray) -> dict[str, float]:
    return {label: float(v) for label, v in zip(labels, values, strict=True)}


def price_changes(
    labels: list[str], firms_post: list[str], pre: FloatArray, post: FloatArray, weights: FloatArray
) -> dict[str, Any]:
    """% changes 100 (p_post/p_pre − 1): per product, per post-merger firm and for the market (simple mean and
    weighted by pre-merger ``weights``)."""
    pct = 100.0 * (post / pre - 1.0)
    names, ids = np.unique(np.asarray(firms_post), return_inverse=True)
    ids = ids.ravel()
    by_firm = np.bincount(ids, weights=pct * weights) / np.bincount(ids, weights=weights)
    lookup = dict(zip(names.tolist(), by_firm.tolist(), strict=True))
    return {
        "products": _by_label(labels, pct),
        "firms": {str(f): float(lookup[f]) for f in dict.fromkeys(firms_post)},
        "market_mean": float(pct.mean()),
        "market_share_weighted": float(np.average(pct, weights=weights)),
    }


@dataclass
class SimulationResult:
    """Pre- and post-merger outcomes. Prices in the case's money units, shares as fractions, HHI on 0–10,000,
    ``cv`` the compensating variation (consumer harm, positive = loss) and ``producer_surplus_delta`` in money
    units (per consumer unless ``insize`` was given)."""

    model: dict[str, str]
    labels: list[str]
    firms_pre: list[str]
    firms_post: list[str]
    prices_pre: FloatArray
    prices_post: FloatArray
    shares_pre: FloatArray
    shares_post: FloatArray
    quantities_pre: FloatArray
    quantities_post: FloatArray
    costs: FloatArray
    costs_post: FloatArray
    hhi_pre: float
    hhi_post: float
    cv: float
    producer_surplus_delta: float
    upp: dict[str, dict[str, float]]
    cmcr: dict[str, float]
    jacobian: FloatArray | None
    parameters: dict[str, Any]
    diagnostics: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def elasticities(self) -> FloatArray | None:
        """ε[j, k] = J[j, k] p_k / q_j at pre-merger prices (None for Cournot and auctions)."""
        if self.jacobian is None:
            return None
        return np.asarray(self.jacobian * self.prices_pre[None, :] / self.quantities_pre[:, None])

    @property
    def diversions(self) -> FloatArray | None:
        """D[j, k] = −J[k, j]/J[j, j] at pre-merger prices (None for Cournot and auctions)."""
        return None if self.jacobian is None else diversions_from(self.jacobian)

    @property
    def hhi_delta(self) -> float:
        return self.hhi_post - self.hhi_pre

    def price_change_pct(self) -> dict[str, Any]:
        return price_changes(self.labels, self.firms_post, self.prices_pre, self.prices_post, self.shares_pre)

    def _matrix(self, values: FloatArray | None) -> dict[str, dict[str, float]] | None:
        if values is None:
            return None
        return {a: _by_label(self.labels, row) for a, row in zip(self.labels, values, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """Exactly what ``marketpower simulate CASE --json`` prints."""
        out: dict[str, Any] = {
            "model": self.model,
            "labels": self.labels,
            "owner_pre": self.firms_pre,
            "owner_post": self.firms_post,
            "prices_pre": _by_label(self.labels, self.prices_pre),
            "prices_post": _by_label(self.labels, self.prices_post),
            "price_change_pct": self.price_change_pct(),
            "shares_pre": _by_label(self.labels, self.shares_pre),
            "shares_post": _by_label(self.labels, self.shares_post),
            "quantities_pre": _by_label(self.labels, self.quantities_pre),
            "quantities_post": _by_label(self.labels, self.quantities_post),
            "costs": _by_label(self.labels, self.costs),
            "costs_post": _by_label(self.labels, self.costs_post),
            "hhi_pre": self.hhi_pre,
            "hhi_post": self.hhi_post,
            "hhi_delta": self.hhi_delta,
            "cv": self.cv,
            "producer_surplus_delta": self.producer_surplus_delta,
            "upp": self.upp,
            "cmcr": self.cmcr,
            "elasticities": self._matrix(self.elasticities),
            "diversions": self._matrix(self.diversions),
            "parameters": self.parameters,
            "diagnostics": self.diagnostics,
        }
        out.update(self.extra)
        return dict(jsonable(out))

    def products(self) -> pd.DataFrame:
        """One row per product: owners, prices, % change, shares, quantities, costs, margins."""
        return pd.DataFrame(
            {
                "owner_pre": self.firms_pre,
                "owner_post": self.firms_post,
                "price_pre": self.prices_pre,
                "price_post": self.prices_post,
                "price_change_pct": 100.0 * (self.prices_post / self.prices_pre - 1.0),
                "share_pre": self.shares_pre,
                "share_post": self.shares_post,
                "quantity_pre": self.quantities_pre,
                "quantity_post": self.quantities_post,
                "cost": self.costs,
                "margin_pre": (self.prices_pre - self.costs) / self.prices_pre,
                "margin_post": (self.prices_post - self.costs_post) / self.prices_post,
            },
            index=pd.Index(self.labels, name="product"),
        )

    def summary(self) -> pd.Series:
        """Market-level figures: HHI pre/post/Δ, CV, producer-surplus change, mean % price changes."""
        changes = self.price_change_pct()
        return pd.Series(
            {
                "hhi_pre": self.hhi_pre,
                "hhi_post": self.hhi_post,
                "hhi_delta": self.hhi_delta,
                "cv": self.cv,
                "producer_surplus_delta": self.producer_surplus_delta,
                "price_change_pct_mean": changes["market_mean"],
                "price_change_pct_share_weighted": changes["market_share_weighted"],
            }
        )

    def __str__(self) -> str:
        title = f"{self.model.get('demand', '')} demand, {self.model.get('supply', '')} supply"
        table = self.products().to_string(float_format=lambda v: f"{v:.4g}")
        return f"{title}\n{table}\n\n{self.summary().to_string(float_format=lambda v: f'{v:.6g}')}"
