"""Scenarios against hand-derived numbers (docs/measures.md §3.1), the bundled data and bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from marketpower import api
from marketpower.api.scenarios import run_scenario, scenario_tables
from marketpower.datasets import AISTACK
from marketpower.errors import InvalidInputError
from marketpower.ingest.datapackage import read_package
from marketpower.scenario import analyse, parse_scenario
from marketpower.schema import TABLES

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "scenarios").glob("*.yaml"))
AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    return api.open_store()


@pytest.fixture(scope="module")
def bundled(store) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    return scenario_tables(store)


def _frame(name: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=TABLES[name].field_names)


def toy_tables(deals: list[dict[str, object]] | None = None) -> dict[str, pd.DataFrame]:
    """Firms a, b, c with 30 / 20 / 50% of market m, no stakes; hardware and parameters as bundled."""
    bundled = read_package(AISTACK).tables
    firms = ["a", "b", "c", "d", "e"]
    return {
        "entities": _frame("entities", [{"id": f, "name": f.upper(), "kind": "company"} for f in firms]),
        "entity_layers": _frame("entity_layers", [{"entity_id": f, "layer": "models"} for f in firms]),
        "markets": _frame(
            "markets",
            [{"id": "m", "name": "M", "layer": "models", "geography": "world", "measure": "revenue", "unit": "USD"}],
        ),
        "shares": _frame(
            "shares",
            [
                {"market_id": "m", "entity_id": f, "year": 2024, "share": s, "source_id": "src"}
                for f, s in (("a", 0.3), ("b", 0.2), ("c", 0.5))
            ],
        ),
        "sources": _frame(
            "sources",
            [{"id": "src", "publisher": "P", "title": "T", "url": "https://x.org", "published": "2024-01-01"}],
        ),
        "stakes": _frame("stakes", []),
        "deals": _frame("deals", deals or []),
        "facilities": _frame("facilities", []),
        "financials": _frame("financials", []),
        "hardware": bundled["hardware"],
        "parameters": bundled["parameters"],
    }


def run_toy(operations: list[dict[str, object]], tables: dict[str, pd.DataFrame] | None = None):  # type: ignore[no-untyped-def]
    tables = tables or toy_tables()
    spec = {"scenario": "toy", "title": "toy", "as_of": AS_OF, "operations": operations}
    scenario = parse_scenario(spec, tables, file="toy.yaml")
    return analyse(scenario, tables, {"m": tables["shares"]})


def _stake(**terms: object) -> dict[str, object]:
    return {"stake": {"owner": "a", "target": "b", "equity": 0.25, "source": "src", **terms}}


SILENT = {"voting": 0.0, "board_seats": 0, "observer_seat": False, "control_rights": "none"}


def test_silent_25_percent_stake_adds_150() -> None:
    """A's holders own 25% of B without control: ΔMHHI = 10,000 · 0.3 · 0.2 · 0.25 = 150 (HHI 3,800)."""
    market = run_toy([_stake(**SILENT)]).markets[0]
    assert market["baseline"]["mhhi"] == pytest.approx(3_800, abs=1e-9)
    assert market["baseline"]["mhhi_delta"] == pytest.approx(0.0, abs=1e-9)
    assert market["scenario"]["mhhi_delta"] == pytest.approx(150.0, abs=1e-9)
    assert market["scenario"]["mhhi_low"] == pytest.approx(market["scenario"]["mhhi_high"], abs=1e-9)  # all published


def test_board_seat_gives_proportional_control() -> None:
    """Votes in proportion (a board seat): w_BA = β / (β² + (1 − β)²) = 0.4, ΔMHHI = 600 · (0.25 + 0.4) = 390."""
    market = run_toy([_stake(voting=0.25, board_seats=1, exclusivity="exclusive")]).markets[0]
    assert market["scenario"]["mhhi_delta"] == pytest.approx(390.0, abs=1e-9)


def test_control_rights_give_total_control() -> None:
    """A's holders control B: w_AB = β, w_BA = 1/β, ΔMHHI = 600 · (0.25 + 4) = 2,550."""
    market = run_toy([_stake(voting=0.25, control_rights="control")]).markets[0]
    assert market["scenario"]["mhhi_delta"] == pytest.approx(2_550.0, abs=1e-9)
    assert market["scenario"]["linked_share"] == pytest.approx(0.5)


def test_unpublished_governance_terms_give_a_range() -> None:
    """No votes, board and observer terms unknown: silent (150) to proportional (390)."""
    market = run_toy([_stake(voting=0.0)]).markets[0]
    assert market["scenario"]["mhhi_delta"] == pytest.approx(150.0, abs=1e-9)
    assert market["scenario"]["mhhi_delta_low"] == pytest.approx(150.0, abs=1e-9)
    assert market["scenario"]["mhhi_delta_high"] == pytest.approx(390.0, abs=1e-9)


def test_full_merger_equals_the_merged_hhi() -> None:
    """Merging A and B: ΔHHI = 2 · 0.3 · 0.2 · 10,000 = 1,200; post HHI 5,000 (US 2023 presumption)."""
    market = run_toy([{"merge": {"firms": ["a", "b"]}}]).markets[0]
    assert market["scenario"]["mhhi"] == pytest.approx(5_000.0, abs=1e-9)
    us = next(s for s in market["scenario"]["screens"] if s["guideline"] == "us2023")
    assert us["outcome"] == "presumption"


def _deal(deal_id: str, payer: str, payee: str, amount: float, day: str) -> dict[str, object]:
    return {
        "id": deal_id,
        "announced": day,
        "kind": "cloud_contract",
        "payer_id": payer,
        "payee_id": payee,
        "amount_usd": amount,
        "status": "definitive",
        "source_id": "src",
    }


def test_blocking_a_deal_removes_exactly_its_loop() -> None:
    """Loops a -> b -> c -> a and d -> e -> d; blocking c -> a breaks the first and only the first."""
    deals = [
        _deal("ab", "a", "b", 5e9, "2025-01-01"),
        _deal("bc", "b", "c", 4e9, "2025-01-02"),
        _deal("ca", "c", "a", 3e9, "2025-01-03"),
        _deal("de", "d", "e", 2e9, "2025-01-04"),
        _deal("ed", "e", "d", 1e9, "2025-01-05"),
    ]
    web = run_toy([{"block": "ca"}], toy_tables(deals)).web
    assert (web["loops_baseline"], web["loops_scenario"]) == (2, 1)
    assert [sorted(lp["deals"]) for lp in web["loops_broken"]] == [["ab", "bc", "ca"]]
    assert web["loops_created"] == []
    assert web["round_trip_usd_baseline"] - web["round_trip_usd_scenario"] == pytest.approx(3e9)


@pytest.mark.parametrize(
    "operations",
    [
        [],
        [
            {
                "stake": {
                    "owner": "google",
                    "target": "anthropic",
                    "equity": 0.14,
                    "equity_high": 0.15,
                    "voting": 0.0,
                    "board_seats": 0,
                    "observer_seat": False,
                    "control_rights": "none",
                    "source": "deals-nyt-google-anthropic-2025",
                }
            }
        ],
    ],
    ids=["nothing", "restate-google-stake"],
)
def test_a_scenario_that_changes_nothing_gives_zero_deltas(store, bundled, operations) -> None:  # type: ignore[no-untyped-def]
    spec = {"scenario": "noop", "title": "no-op", "as_of": "2026-06-30", "operations": operations}
    result = run_scenario(store, spec, tables=bundled)
    for row in result.verdict:
        assert row["change"] == pytest.approx(0.0, abs=1e-9), row
    for market in result.markets:
        for value in market["change"].values():
            assert value == pytest.approx(0.0, abs=1e-9)
    assert result.web["loops_broken"] == [] and result.web["loops_created"] == []
    assert result.compute["hhi_change"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_shipped_scenario_runs(store, bundled, path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_scenario(store, path, tables=bundled)
    data = result.to_dict()
    assert data["scenario"]["id"] == path.stem
    assert result.verdict and all(row["sources"] for row in result.verdict), "every number has a source"


def test_shipped_block_breaks_the_nvidia_openai_loops(store, bundled) -> None:  # type: ignore[no-untyped-def]
    result = run_scenario(store, EXAMPLES[0].parent / "block-nvidia-openai.yaml", tables=bundled)
    assert result.web["loops_broken"]
    assert all({"nvidia", "openai"} <= set(lp["firms"]) for lp in result.web["loops_broken"])
    openai = next(p for p in result.compute["parties"] if p["owner"] == "openai")
    assert openai["gw_scenario"] < openai["gw_baseline"]


BAD = [
    ({"operations": [{"block": "no-such-deal"}]}, "operations[0].block", "unknown deal"),
    (
        {"operations": [{"stake": {"owner": "google", "target": "anthropic", "equity": 1.2}}]},
        "operations[0].stake.equity",
        "above 100%",
    ),
    (
        {"operations": [{"stake": {"owner": "meta", "target": "anthropic", "equity": 0.9}}]},
        "operations[0].stake",
        "add up to",
    ),
    (
        {"as_of": "2024-01-01", "operations": [{"block": "nvidia-openai-loi-2025"}]},
        "operations[0].block",
        "after the scenario date",
    ),
    (
        {"operations": [{"merge": {"firms": ["amazon", "anthropic"], "intoo": "amazon"}}]},
        "operations[0].merge.intoo",
        "unknown key",
    ),
    ({"operations": [], "colour": "red"}, "colour", "unknown key"),
    (
        {"operations": [{"stake": {"owner": "nobody", "target": "anthropic", "equity": 0.1}}]},
        "operations[0].stake.owner",
        "unknown entity",
    ),
]


@pytest.mark.parametrize(("change", "key", "problem"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_scenario_files_name_file_key_and_fix(store, bundled, tmp_path: Path, change, key, problem) -> None:  # type: ignore[no-untyped-def]
    import yaml

    before = {name: store.table(name) for name in ("stakes", "deals", "facilities")}
    spec = {"scenario": "bad", "title": "bad", "as_of": "2026-06-30", **change}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(InvalidInputError) as error:
        run_scenario(store, path, tables=bundled)
    message = str(error.value)
    assert message.startswith(f"{path}: {key}: ") and problem in message, message
    assert ";" in message  # the fix follows the problem
    for name, frame in before.items():
        pd.testing.assert_frame_equal(store.table(name), frame)


def test_fast_ownership_arrays_match_flows_ownership_matrices(bundled) -> None:  # type: ignore[no-untyped-def]
    """The scenario's array builder gives the same β and γ as flows.ownership.ownership_matrices."""
    import numpy as np

    from marketpower.flows.ownership import ownership_matrices
    from marketpower.scenario.analysis import ownership_arrays
    from marketpower.schema.deals import positions_as_of

    positions = positions_as_of(bundled["stakes"], "2026-06-30")
    for firms in (["openai", "microsoft", "google", "anthropic"], ["intel", "nvidia"], ["stargate", "oracle"]):
        beta, gamma = ownership_matrices(positions, firms)
        owners, b, g = ownership_arrays(positions, firms)
        assert owners == list(beta.index)
        np.testing.assert_allclose(b, beta.to_numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(g, gamma.to_numpy(), rtol=0, atol=1e-12)


def test_simulation_runs_where_a_margin_is_known_and_orders_the_cases() -> None:
    """Logit Bertrand from baseline to scenario ownership: a silent 25% stake raises prices less than votes in
    proportion, which raise them less than a full merger; each solve reports its diagnostics."""
    margin = {"kind": "margin", "entity": "a", "market": "m", "low": 0.3, "central": 0.4, "high": 0.5, "source": "user"}
    tables = toy_tables()
    results = {}
    for name, ops in (
        ("silent", [_stake(**SILENT)]),
        ("votes", [_stake(voting=0.25, board_seats=1)]),
        ("merger", [{"merge": {"firms": ["a", "b"]}}]),
    ):
        spec = {"scenario": name, "title": name, "as_of": AS_OF, "operations": ops, "assumptions": [margin]}
        sim = analyse(parse_scenario(spec, tables, file="toy.yaml"), tables, {"m": tables["shares"]}).markets[0][
            "simulation"
        ]
        assert sim["status"] == "simulated", sim
        assert sim["diagnostics"]["post_merger_prices"]["converged"]
        assert sim["price_change_pct_low"] <= sim["price_change_pct"] <= sim["price_change_pct_high"]
        results[name] = sim["price_change_pct"]
    assert 0 < results["silent"] < results["votes"] < results["merger"]


@pytest.mark.parametrize("name", ["block-nvidia-openai", "unwind-microsoft-openai"])
def test_loops_of_a_scenario_that_only_removes_deals_match_a_fresh_search(store, bundled, name: str) -> None:  # type: ignore[no-untyped-def]
    from marketpower.flows.loops import loops_table
    from marketpower.flows.network import money_edges
    from marketpower.scenario import apply, read_scenario_file

    path = EXAMPLES[0].parent / f"{name}.yaml"
    scenario = parse_scenario(read_scenario_file(path), bundled, file=str(path))
    fresh = loops_table(money_edges(apply(scenario, bundled).deals, until=scenario.as_of))
    web = run_scenario(store, path, tables=bundled).web
    assert web["loops_scenario"] == len(fresh)
    assert web["round_trip_usd_scenario"] == pytest.approx(float(fresh["round_trip_usd"].sum()), rel=1e-12)
