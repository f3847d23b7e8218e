"""The application layer (marketpower.api): each question's answer against hand-derived figures, and the common
shape of the answers (tables, DataFrames, JSON). The CLI and the dashboard give the same screen (one function)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from marketpower import api
from marketpower.errors import InvalidInputError, NotFoundError
from marketpower.publish import pages
from marketpower.publish.web import create_app
from marketpower.store import Store

TOL = 1e-9


@pytest.fixture(scope="module")
def mini(mini_package: Path) -> Store:
    return api.open_store(mini_package)


@pytest.fixture(scope="module")
def aistack() -> Store:
    return api.open_store()


def test_screen_in_a_fully_attributed_market(mini: Store) -> None:
    # widgets 2024: alpha 50%, beta 30%, gamma 20%. HHI = 2500 + 900 + 400 = 3800; ΔHHI = 2 · 50 · 30 = 3000.
    answer = api.merger_screen(mini, "widgets", ["alpha", "beta"])
    out = answer.to_dict()
    assert (out["market_id"], out["year"], out["period"], out["series"]) == ("widgets", 2024, None, None)
    assert out["merging"] == ["alpha", "beta"]
    assert out["pre_hhi_low"] == pytest.approx(3800, abs=TOL)
    assert out["delta_hhi"] == pytest.approx(3000, abs=TOL)
    assert out["post_hhi_low"] == pytest.approx(6800, abs=TOL)
    assert out["post_hhi_high"] == pytest.approx(6800, abs=TOL)
    assert out["merged_share"] == pytest.approx(0.8, abs=TOL)
    assert out["mhhi"] is None  # no stakes in the package
    assert answer.share_of("beta") == pytest.approx(0.3, abs=TOL)


def test_screen_with_an_unattributed_remainder(mini: Store) -> None:
    # gadgets 2024: alpha 30%, beta 20%, others 50%. HHI 1300 (others fragmented) to 1300 + 2500 = 3800 (one
    # firm); ΔHHI = 2 · 30 · 20 = 1200 whatever the remainder is.
    out = api.merger_screen(mini, "gadgets", ["alpha", "beta"]).to_dict()
    assert out["pre_hhi_low"] == pytest.approx(1300, abs=TOL)
    assert out["pre_hhi_high"] == pytest.approx(3800, abs=TOL)
    assert out["delta_hhi"] == pytest.approx(1200, abs=TOL)
    assert out["others_share"] == pytest.approx(0.5, abs=TOL)


def test_screen_of_a_users_shares_file(tmp_path: Path) -> None:
    path = tmp_path / "market.csv"
    path.write_text("firm,share\na,0.3\nb,0.3\nc,0.2\nd,0.2\n", encoding="utf-8")
    out = api.merger_screen(None, "mine", ["a", "b"], shares_file=path).to_dict()
    assert out["market_id"] == "mine" and out["file"] == str(path)
    assert out["delta_hhi"] == pytest.approx(1800, abs=TOL)  # 2 · 30 · 30
    assert out["post_hhi_low"] == pytest.approx(4400, abs=TOL)  # 60² + 20² + 20²


def test_screen_refuses_bad_requests(mini: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="named twice"):
        api.merger_screen(mini, "widgets", ["alpha", "alpha"])
    with pytest.raises(NotFoundError, match="unknown market"):
        api.merger_screen(mini, "nope", ["alpha", "beta"])
    path = tmp_path / "market.csv"
    path.write_text("firm,share\na,0.5\nb,0.5\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="zeta not among the firms"):
        api.merger_screen(None, "mine", ["a", "zeta"], shares_file=path)


def test_cli_and_dashboard_screen_the_same_way(aistack: Store, cli: object) -> None:
    """One merger screen: the CLI's --json and the dashboard's twin carry the same figures and verdicts."""
    run = cli  # the CLI fixture of tests/conftest.py
    printed = run("screen", "hbm", "--merge", "samsung,micron", "--json")  # type: ignore[operator]
    assert printed.code == 0, printed.err
    from_cli = json.loads(printed.out)
    client = TestClient(create_app(aistack))
    twin = client.get("/markets/hbm/screen.json", params={"a": "samsung", "b": "micron"}).json()
    for key in ("year", "merging", "delta_hhi", "pre_hhi_low", "post_hhi_high", "merged_share", "screens", "mhhi"):
        assert twin[key] == from_cli[key], key


def test_answers_print_as_tables_and_give_frames(mini: Store) -> None:
    answer = api.merger_screen(mini, "widgets", ["alpha", "beta"])
    frames = answer.frames()
    assert set(frames) == {"rows", "screens"}
    assert isinstance(frames["rows"], pd.DataFrame) and len(frames["rows"]) == 3
    console = Console(record=True, width=200)
    console.print(answer)
    text = console.export_text()
    assert "Merger of alpha, beta in widgets" in text
    assert "│ merging        │ alpha, beta" in text and "delta_hhi" in text and "3000.0" in text
    json.dumps(answer.to_dict(), allow_nan=False)  # JSON-ready


def test_context_is_reused_and_model_params_read_once(aistack: Store) -> None:
    ctx = api.Context(aistack)
    assert api.context_of(ctx) is ctx
    assert api.model_params(ctx) is api.model_params(ctx)
    user = api.model_params(ctx, pue=1.3)
    assert (user["pue"].value.low, user["pue"].value.high) == (pytest.approx(1.3), pytest.approx(1.3))


def test_accelerators_for_power_by_hand(aistack: Store) -> None:
    # 10 GW = 1e10 W. A100: system power 812.5 W at the central PUE 1.2 -> 1e10 / (1.2 · 812.5) = 10,256,410;
    # chip only (400 W TDP, no PUE) -> 25,000,000.
    answer = api.accelerators_for_power(aistack, 10_000.0)
    pue = answer.pue
    a100 = answer.rows.set_index("accelerator").loc["nvidia-a100"]
    assert a100["count_central"] == pytest.approx(1e10 / (pue["central"] * a100["system_power_w"]), rel=1e-12)
    assert a100["count_central"] == pytest.approx(10_256_410.256, rel=1e-9)
    assert a100["tdp_only_count"] == pytest.approx(25_000_000, rel=1e-12)


def test_compute_conversion_needs_one_quantity(aistack: Store) -> None:
    with pytest.raises(InvalidInputError, match="exactly one"):
        api.compute_conversion(aistack, "gb200")
    answer = api.compute_conversion(aistack, "gb200", accelerators=72.0)
    out = answer.to_dict()
    assert answer.output == "facility_power_mw"
    assert {"steps", "sensitivity"} <= set(out)


def test_what_if_assumptions_live_in_one_module() -> None:
    assert api.CHATGPT_RELEASE == "2022-11-30"
    assert (api.WORKED_EXAMPLE_GW, api.WORKED_EXAMPLE_TARGET) == (10.0, (4e6, 5e6))
    assert pages.CHATGPT_RELEASE is api.CHATGPT_RELEASE and pages.SEED_DEALS is api.SEED_DEALS


def test_winners_default_to_chatgpt_release(aistack: Store) -> None:
    answer = api.winners(aistack)
    assert answer.since == api.CHATGPT_RELEASE
    ok = answer.changes[answer.changes["status"] == "ok"]
    assert answer.layers["change_usd"].sum() == pytest.approx(ok["change_usd"].sum(), rel=1e-12)


def test_owners_and_loops_answers(aistack: Store) -> None:
    owners = api.owners(aistack, "openai").to_dict()
    assert owners["entity_id"] == "openai" and owners["owners"]
    with pytest.raises(InvalidInputError, match="not in the entities table"):
        api.owners(aistack, "nobody")
    loops = api.loops(aistack)
    assert len(loops.to_dict()) == len(loops.table)
    # a loop of n legs names n + 1 firms, the first again at the end
    assert all(len(r["legs"]) == r["length"] == len(r["firms"]) - 1 for r in loops.to_dict())
    assert all(r["firms"][0] == r["firms"][-1] for r in loops.to_dict())


def test_concentration_of_a_list_of_shares() -> None:
    out = api.concentration([0.3, 0.3, 0.2, 0.2])
    assert out["hhi"] == pytest.approx(2600, abs=TOL)  # 900 + 900 + 400 + 400


def test_modified_hhi_of_a_silent_stake(tmp_path: Path) -> None:
    # Shares 30/20/50; A's owner holds 25% of B without control. Only A's weight on B changes:
    # ΔMHHI = s_A · s_B · 0.25 · 10,000 = 0.3 · 0.2 · 0.25 · 10,000 = 150.
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {"shares": [0.3, 0.2, 0.5], "ownership": [[1, 0.25, 0], [0, 0.75, 0], [0, 0, 1]], "silent": [[0, 1]]}
        ),
        encoding="utf-8",
    )
    result = api.modified_hhi(case)
    assert result.hhi == pytest.approx(3800, abs=TOL)
    assert result.mhhi_delta == pytest.approx(150, abs=TOL)


def test_common_ownership_weights_by_hand(tmp_path: Path) -> None:
    # κ_NVDA,AMD = Σ_i β_iN β_iA / Σ_i β_iN² = (0.08·0.09 + 0.07·0.075) / (0.08² + 0.07² + 0.05²) = 0.01245 / 0.0138
    holdings = tmp_path / "holdings.csv"
    holdings.write_text(
        "investor,firm,fraction\nv,NVDA,0.08\nv,AMD,0.09\nb,NVDA,0.07\nb,AMD,0.075\nf,NVDA,0.05\n", encoding="utf-8"
    )
    answer = api.common_ownership(holdings, ["NVDA", "AMD"])
    assert answer.kappa.loc["NVDA", "AMD"] == pytest.approx(0.01245 / 0.0138, rel=1e-12)
    assert answer.to_dict()["firms"] == ["NVDA", "AMD"]


def test_pairwise_screen_of_a_market_needs_a_margin(aistack: Store) -> None:
    with pytest.raises(InvalidInputError, match="--margin"):
        api.screen_all("hbm", aistack)
    table = api.screen_all("hbm", aistack, margin=0.5).table
    firms = {f for pair in zip(table["firm_a"], table["firm_b"], strict=True) for f in pair}
    assert len(table) == len(firms) * (len(firms) - 1) // 2  # every pair once


def test_concentration_of_one_market(mini: Store) -> None:
    # widgets: 2023 HHI = 1600 + 900 + 400 + 100 = 3000; 2024 = 2500 + 900 + 400 = 3800, up 800.
    answer = api.market_concentration(mini, "widgets")
    assert answer.market["id"] == "widgets" and len(answer.shares) == 7
    trend = answer.trend.set_index("year")
    assert trend.loc[2023, "hhi_low"] == pytest.approx(3000, abs=TOL)
    assert trend.loc[2024, "hhi_low"] == pytest.approx(3800, abs=TOL)
    assert trend.loc[2024, "hhi_low_change"] == pytest.approx(800, abs=TOL)
    with pytest.raises(NotFoundError):
        api.market_concentration(mini, "nope")


def test_screen_all_uses_the_screen_snapshot_and_states_it(aistack: Store) -> None:
    """screen-all on HBM: same snapshot as `screen` (Q3 2025, Counterpoint revenue: the latest of 2025's series), and
    the guidelines' ΔHHI of Samsung + Micron equal to screen's (2 · 22 · 21 = 924); hhi_delta is on simulated
    post-merger shares."""
    table = api.screen_all("hbm", aistack, margin=0.5).table
    snapshots = set(zip(table["year"], table["period"], table["series"], strict=True))
    assert snapshots == {(2025, "Q3", "counterpoint-revenue")}
    pair = table[table["firm_a"].isin(["samsung", "micron"]) & table["firm_b"].isin(["samsung", "micron"])].iloc[0]
    screened = api.merger_screen(aistack, "hbm", ["samsung", "micron"]).screen
    assert pair["hhi_delta_static"] == pytest.approx(924, abs=1e-6)
    assert pair["hhi_delta_static"] == pytest.approx(screened.delta_hhi, abs=1e-9)
    assert pair["hhi_pre"] == pytest.approx(screened.pre_hhi_low, abs=1e-6)
