"""The bundled deal web: counts, referential integrity, sources, revisions, and the analyses on it."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from marketpower.flows.loops import loops_table
from marketpower.flows.network import money_edges
from marketpower.flows.ownership import effective_interest
from marketpower.ingest.datapackage import DataPackage, read_package

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
from deals_package import copy_deals_package

CORE_FIRMS = {
    "nvidia",
    "openai",
    "microsoft",
    "oracle",
    "amd",
    "broadcom",
    "coreweave",
    "softbank",
    "stargate",
    "amazon",
    "anthropic",
    "google",
    "meta",
    "xai",
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> DataPackage:
    return read_package(copy_deals_package(tmp_path_factory.mktemp("aistack-deals")))


def test_counts(package: DataPackage) -> None:
    stakes, deals, facilities = (package.tables[t] for t in ("stakes", "deals", "facilities"))
    # issue 16 floors: 60 stakes, 250 deals, 80 facilities (71 stakes, 292 deals, 94 facilities reached)
    assert len(stakes) >= 71 and len(deals) >= 292 and len(facilities) >= 80
    assert pd.to_datetime(deals["announced"]).min() >= pd.Timestamp("2019-01-01")


def test_every_row_is_sourced_with_a_deals_source(package: DataPackage) -> None:
    sources = set(package.tables["sources"]["id"])
    for name in ("stakes", "deals", "facilities"):
        used = set(package.tables[name]["source_id"])
        assert used <= sources
        # facilities added for issue 16 carry `fac-` sources (the facility helper's id prefix); `q-` sources are
        # the better-tier originals that replaced aggregator copies behind headline figures; `dw26-` sources came
        # with the December 2026 coverage pass (CMA pairs, re-sourced headline rows), `dw27-` with its second pass
        deal_prefixes = ("deals-", "q-", "dw26-", "dw27-")
        prefixes = (*deal_prefixes, "fac-") if name == "facilities" else deal_prefixes
        assert all(s.startswith(prefixes) for s in used), name


def test_parties_are_known_entities(package: DataPackage) -> None:
    entities = set(package.tables["entities"]["id"])
    deals, stakes = package.tables["deals"], package.tables["stakes"]
    assert set(deals["payer_id"]) | set(deals["payee_id"]) <= entities
    assert set(stakes["owner_id"]) | set(stakes["target_id"]) <= entities
    fac = package.tables["facilities"]
    assert set(pd.concat([fac["owner_id"], fac["operator_id"], fac["main_tenant_id"]]).dropna()) <= entities


def test_revisions_keep_their_original(package: DataPackage) -> None:
    deals = package.tables["deals"].set_index("id")
    revisions = deals[deals["supersedes"].notna()]
    assert len(revisions) >= 4
    assert set(revisions["supersedes"]) <= set(deals.index)
    assert revisions.loc["nvidia-openai-2026", "supersedes"] == "nvidia-openai-loi-2025"


def test_every_leg_among_the_core_firms_is_present(package: DataPackage) -> None:
    deals = package.tables["deals"]
    firms = set(deals["payer_id"]) | set(deals["payee_id"])
    assert CORE_FIRMS - {"google"} <= firms and {"google", "google-cloud"} & firms


def test_up_to_amounts_only_in_the_high_column(package: DataPackage) -> None:
    deals = package.tables["deals"]
    capped = deals[deals["note"].fillna("").str.contains("up to") & deals["amount_usd_high"].notna()]
    assert (capped["amount_usd"].isna() | (capped["amount_usd"] <= capped["amount_usd_high"])).all()
    loi = deals.set_index("id").loc["nvidia-openai-loi-2025"]
    assert pd.isna(loi["amount_usd"]) and loi["amount_usd_high"] == 100e9


def test_loops_on_the_bundled_data(package: DataPackage) -> None:
    table = loops_table(money_edges(package.tables["deals"]))
    assert len(table) >= 5
    top = table.iloc[0]
    # OpenAI -> Oracle ($300B cloud) -> Nvidia ($40B chips) -> OpenAI ($30B equity): round trip $30B
    assert set(top["firms"]) == {"openai", "oracle", "nvidia"} and top["round_trip_usd"] == pytest.approx(30e9)
    assert any(set(f) == {"openai", "amd"} for f in table["firms"])


def test_ownership_on_the_bundled_data(package: DataPackage) -> None:
    interest = effective_interest(package.tables["stakes"]).set_index(["owner_id", "target_id"])
    # SoftBank in Stargate: 40% directly + 11% of OpenAI's 40% = 0.444
    assert interest.loc[("softbank", "stargate"), "effective_fraction"] == pytest.approx(0.40 + 0.11 * 0.40)
    assert interest.loc[("microsoft", "openai"), "direct_fraction"] == pytest.approx(0.275)


def test_deal_amounts_headline_and_basis_by_hand() -> None:
    """One rule for a deal's headline amount, shared by the loop finder, the value-capture flows and the pages."""
    import pandas as pd

    from marketpower.schema.deals import deal_amounts

    deals = pd.DataFrame(
        {
            "amount_usd": [5.0, None, None, None, None],
            "amount_usd_low": [None, 1.0, None, 2.0, None],
            "amount_usd_high": [None, 3.0, 4.0, None, None],
        }
    )
    out = deal_amounts(deals)
    assert list(out["amount_basis"]) == ["point", "range", "up_to", "at_least", "unknown"]
    assert list(out["amount_usd"].iloc[:4]) == [5.0, 3.0, 4.0, 2.0]
    assert pd.isna(out["amount_usd"].iloc[4])


def test_june_2026_deals_and_their_revisions(package: DataPackage) -> None:
    """Deals found after 7 June 2026: compute rentals stored as ceilings (exit clauses), the SpaceX-Anysphere option
    and the Apple-Google licence confirmed at WWDC kept as revising rows of their earlier rows."""
    deals = package.tables["deals"].set_index("id")
    assert pd.to_datetime(deals["announced"]).max() >= pd.Timestamp("2026-06-22")
    for deal_id, ceiling in [("google-spacex-compute-2026", 30e9), ("reflection-spacex-compute-2026", 6.3e9)]:
        row = deals.loc[deal_id]
        assert pd.isna(row["amount_usd"])
        assert row["amount_usd_high"] == pytest.approx(ceiling, rel=1e-12)  # $ exact as published
    assert deals.loc["spacex-anysphere-2026", "supersedes"] == "spacex-anysphere-option-2026"
    assert deals.loc["spacex-anysphere-option-2026", "status"] == "letter_of_intent"
    assert deals.loc["apple-google-gemini-2026", "supersedes"] == "apple-google-gemini-2025"
    kilby = deals.loc["microsoft-chevron-kilby-2026"]
    assert kilby["kind"] == "power_purchase" and kilby["capacity_gw"] == pytest.approx(2.67, abs=1e-9)
