"""The outcome of one simulated merger: a dict for JSON, DataFrames and a printable table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidInputError
from ..measures.concentration import delta_hhi, hhi
from .diagnostics import plausibility_flags
from .groups import FloatArray, IntpArray
from .limits import check_cells, check_dense

if TYPE_CHECKING:  # pandas loads when a DataFrame is asked for, not to simulate a case
    import pandas as pd

#: What ``to_dict`` / ``--matrices`` prints of the elasticity and diversion matrices.
MATRIX_CHOICES = ("merging", "all", "none")


def firm_shares(shares: FloatArray, firms: list[str]) -> FloatArray:
    """Each firm's share of the inside market: product shares rescaled to sum to 1 (pyblp's convention), added
    up by firm (firms in sorted order)."""
    inside = shares / shares.sum()
    totals = np.bincount(np.unique(np.asarray(firms), return_inverse=True)[1].ravel(), weights=inside)
    return np.clip(totals, 0.0, 1.0)


def firm_hhi(shares: FloatArray, firms: list[str]) -> float:
    """HHI (0–10,000) of firm shares of the inside market (:func:`firm_shares`)."""
    return hhi(firm_shares(shares, firms))


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
    """{label: value} with plain floats (already JSON types: ``to_dict`` does not walk these maps again)."""
    return dict(zip(labels, np.asarray(values, dtype=np.float64).tolist(), strict=True))


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
    #: J[rows, cols] at pre-merger prices (quantity units of the result) without the n × n matrix; else ``jacobian``.
    jacobian_block: Callable[[IntpArray, IntpArray], FloatArray] | None = None
    #: Indices of the merging products (their rows are printed by default); None: the products with UPP/CMCR.
    merging: IntpArray | None = None

    def __post_init__(self) -> None:
        if "flags" not in self.diagnostics:
            self.diagnostics["flags"] = plausibility_flags(
                self.labels,
                self.prices_pre,
                self.prices_post,
                self.costs,
                self.costs_post,
                self.shares_pre,
                self.shares_post,
                self.quantities_post,
                self.cmcr,
                self.model.get("market") == "input",
            )

    @property
    def has_matrices(self) -> bool:
        return self.jacobian is not None or self.jacobian_block is not None

    def _jac(self, rows: IntpArray, cols: IntpArray) -> FloatArray:
        if self.jacobian is not None:
            return np.asarray(self.jacobian[rows, cols])
        assert self.jacobian_block is not None
        return self.jacobian_block(rows, cols)

    def merging_indices(self) -> IntpArray:
        if self.merging is not None:
            return np.asarray(self.merging, dtype=np.intp)
        names = set(self.upp) | set(self.cmcr)
        return np.asarray([j for j, label in enumerate(self.labels) if label in names], dtype=np.intp)

    def elasticity_rows(self, rows: IntpArray) -> FloatArray:
        """ε[j, k] = J[j, k] p_k / q_j for j in ``rows``, every k, at pre-merger prices."""
        cols = np.arange(len(self.labels))
        jac = self._jac(rows[:, None], cols[None, :])
        return np.asarray(jac * self.prices_pre[None, :] / self.quantities_pre[rows, None])

    def diversion_rows(self, rows: IntpArray) -> FloatArray:
        """D[j, k] = −J[k, j]/J[j, j] for j in ``rows``, every k, at pre-merger prices (D[j, j] = −1)."""
        cols = np.arange(len(self.labels))
        column = self._jac(cols[None, :], rows[:, None])  # J[k, j] laid out as [j, k]
        own = self._jac(rows, rows)
        return np.asarray(-column / own[:, None])

    @property
    def elasticities(self) -> FloatArray | None:
        """Full ε[j, k] = J[j, k] p_k / q_j at pre-merger prices (None for Cournot and auctions); n × n, checked
        against the memory budget (use ``elasticity_rows`` for a few products)."""
        if not self.has_matrices:
            return None
        check_dense(len(self.labels), "elasticities", arrays=3)
        return self.elasticity_rows(np.arange(len(self.labels)))

    @property
    def diversions(self) -> FloatArray | None:
        """Full D[j, k] = −J[k, j]/J[j, j] at pre-merger prices (None for Cournot and auctions); n × n."""
        if not self.has_matrices:
            return None
        check_dense(len(self.labels), "diversions", arrays=3)
        return self.diversion_rows(np.arange(len(self.labels)))

    @property
    def flags(self) -> list[dict[str, Any]]:
        """Plausibility flags (see :func:`marketpower.simulate.diagnostics.plausibility_flags`); [] when none."""
        return list(self.diagnostics.get("flags", []))

    @property
    def hhi_delta(self) -> float:
        """HHI post − pre of the firms' inside shares, exactly rounded (not the difference of two rounded HHIs)."""
        pre = firm_shares(self.shares_pre, self.firms_pre)
        return delta_hhi(pre, firm_shares(self.shares_post, self.firms_post))

    def price_change_pct(self) -> dict[str, Any]:
        return price_changes(self.labels, self.firms_post, self.prices_pre, self.prices_post, self.shares_pre)

    def _matrices(self, matrices: str) -> tuple[Any, Any]:
        """(elasticities, diversions) as {row label: {column label: value}} for ``matrices`` = merging | all | none."""
        if matrices not in MATRIX_CHOICES:
            raise InvalidInputError(f"--matrices = {matrices!r}: expected one of {', '.join(MATRIX_CHOICES)}")
        if matrices == "none" or not self.has_matrices:
            return None, None
        n = len(self.labels)
        rows = np.arange(n) if matrices == "all" else self.merging_indices()
        check_cells(len(rows), n, f"{matrices} rows of the elasticity and diversion matrices")
        names = [self.labels[j] for j in rows]

        def table(values: FloatArray) -> dict[str, dict[str, float]]:
            return {a: _by_label(self.labels, row) for a, row in zip(names, values, strict=True)}

        return table(self.elasticity_rows(rows)), table(self.diversion_rows(rows))

    def to_dict(self, matrices: str = "merging") -> dict[str, Any]:
        """Exactly what ``marketpower simulate CASE --json [--matrices M]`` prints. ``matrices``: ``merging``
        (default: the merging products' rows of the elasticity and diversion matrices, every column), ``all``
        (n × n, within MAX_MATRIX_CELLS) or ``none``."""
        elasticity_table, diversion_table = self._matrices(matrices)
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
            "elasticities": elasticity_table,
            "diversions": diversion_table,
            "matrices": matrices if self.has_matrices else "none",
            "parameters": self.parameters,
            "diagnostics": self.diagnostics,
            "flags": self.flags,
        }
        out.update(self.extra)
        plain = {"model", "labels", "owner_pre", "owner_post", "elasticities", "diversions", "matrices"}
        plain |= {k for k, v in out.items() if k.startswith(("prices_", "shares_", "quantities_", "costs"))}
        return {k: (v if k in plain else jsonable(v)) for k, v in out.items()}

    def products(self) -> pd.DataFrame:
        """One row per product: owners, prices, % change, shares, quantities, costs, margins."""
        import pandas as pd

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

    def summary_figures(self) -> dict[str, Any]:
        """Market-level figures: HHI pre/post/Δ (0–10,000), CV and producer-surplus change (money), mean and
        share-weighted % price changes."""
        changes = self.price_change_pct()
        return {
            "hhi_pre": self.hhi_pre,
            "hhi_post": self.hhi_post,
            "hhi_delta": self.hhi_delta,
            "cv": self.cv,
            "producer_surplus_delta": self.producer_surplus_delta,
            "price_change_pct_mean": changes["market_mean"],
            "price_change_pct_share_weighted": changes["market_share_weighted"],
        }

    def summary(self) -> pd.Series:
        """:meth:`summary_figures` as a Series."""
        import pandas as pd

        return pd.Series(self.summary_figures())

    def __str__(self) -> str:
        title = f"{self.model.get('demand', '')} demand, {self.model.get('supply', '')} supply"
        table = self.products().to_string(float_format=lambda v: f"{v:.4g}")
        text = f"{title}\n{table}\n\n{self.summary().to_string(float_format=lambda v: f'{v:.6g}')}"
        flags = "".join(f"\nFLAG {flag['code']}: {flag['message']}" for flag in self.flags)
        return text + ("\n" + flags if flags else "")
