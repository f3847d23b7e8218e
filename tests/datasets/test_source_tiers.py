"""Source tiers: every bundled source carries the tier its rule gives, an unknown tier is refused naming the
row, and `marketpower sources --tier` lists what rests on a tier."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from marketpower import api
from marketpower.datasets import AISTACK
from marketpower.datasets.tiers import tier_of
from marketpower.errors import DataPackageError, InvalidInputError
from marketpower.ingest.datapackage import read_package
from marketpower.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
from deals_package import mini_package


def test_every_bundled_source_has_the_tier_of_its_rule() -> None:
    sources = pd.read_csv(AISTACK / "data" / "sources.csv", dtype=str, keep_default_na=False)
    expected = [
        tier_of(i, u, p) for i, u, p in zip(sources["id"], sources["url"], sources["publisher"], strict=True)
    ]
    wrong = sources.loc[sources["tier"] != pd.Series(expected, index=sources.index), "id"].tolist()
    assert not wrong, f"run scripts/fill_source_tiers.py; rows without their rule's tier: {wrong}"
    assert set(sources["tier"]) == {"primary", "secondary", "other"}


def test_the_rule_on_known_publishers() -> None:
    assert tier_of("x", "https://www.sec.gov/Archives/edgar/data/1/x.htm") == "primary"
    assert tier_of("x", "https://www.eia.gov/todayinenergy/") == "primary"
    assert tier_of("x", "https://www.axios.com/2025/01/01/story") == "secondary"
    assert tier_of("x", "https://www.trendforce.com/presscenter/news/1") == "secondary"
    assert tier_of("x", "https://stockanalysis.com/stocks/nvda/") == "other"
    assert tier_of("pol3-du-caid-tracker-2026-08", "https://du-caid.github.io/tracker") == "secondary"


def test_wire_copies_are_primary_and_licensed_agency_copies_secondary() -> None:
    # a company release copied verbatim from its wire is the release; a wire's own site is primary by domain
    assert tier_of("x", "https://www.stocktitan.net/news/META/x.html", "Business Wire (via StockTitan)") == "primary"
    assert tier_of("x", "https://www.zawya.com/en/press-release/x", "Zawya (PR Newswire release by G42)") == "primary"
    assert tier_of("x", "https://www.globenewswire.com/news-release/x") == "primary"
    # an agency story carried by a newspaper under licence is the agency's; re-posted by a blog it is not
    assert tier_of("x", "https://nationalpost.com/pmn/business-pmn/x", "National Post (Reuters)") == "secondary"
    assert tier_of("x", "https://sg.news.yahoo.com/x.html", "Yahoo News (Reuters)") == "secondary"
    assert tier_of("x", "https://news.anyfans.com/x", "AnyFans (Reuters report)") == "other"
    assert tier_of("x", "https://www.stocktitan.net/news/x.html", "Stock Titan") == "other"


def test_an_unknown_tier_is_named(tmp_path: Path) -> None:
    folder = mini_package(tmp_path)
    (folder / "data" / "sources.csv").write_text(
        "id,publisher,title,url,published,accessed,tier\n"
        "s1,Pub,Title,https://example.org/a,2025-01-01,,primary\n"
        "s2,Pub,Title,https://example.org/b,2025-01-01,,gold\n"
    )
    with pytest.raises(DataPackageError) as caught:
        read_package(folder)
    located = {(Path(p.file).name, p.line, p.field) for p in caught.value.problems}
    assert ("sources.csv", 3, "tier") in located


def test_sources_by_tier(tmp_path: Path) -> None:
    folder = mini_package(tmp_path, "d1,2025-01-02,equity_investment,a,b,100,,,,,,announced,,,s2,\n")
    (folder / "data" / "sources.csv").write_text(
        "id,publisher,title,url,published,accessed,tier\n"
        "s1,Pub,Title,https://example.org/a,2025-01-01,,primary\n"
        "s2,Blog,Title,https://example.org/b,2025-01-01,,other\n"
    )
    store = Store.open(package=folder)
    other = api.sources(store, tier="other")
    assert other["id"].tolist() == ["s2"] and other["cited_by"].tolist() == ["deals: 1"]
    assert api.sources(store, tier="primary")["id"].tolist() == ["s1"]
    with pytest.raises(InvalidInputError, match="use one of primary, secondary, other"):
        api.sources(store, tier="gold")


def shares(tiers: dict[str, str]) -> pd.DataFrame:
    """Two series of one market-year, each firm's share published by a source of the series' tier."""
    rows = []
    for series, tier in tiers.items():
        for firm, share in (("x", 0.6), ("y", 0.4)):
            rows.append({"market_id": "m", "entity_id": firm, "year": 2025, "period": None, "series": series,
                         "share": share, "source_id": f"s-{series}", "source_tier": tier})
    return pd.DataFrame(rows)


def test_the_headline_snapshot_takes_the_best_tier() -> None:
    picked = api.market_snapshot(shares({"blog": "other", "analyst": "secondary"}), "m")
    assert set(picked["series"]) == {"analyst"}
    picked = api.market_snapshot(shares({"filing": "primary", "analyst": "secondary"}), "m")
    assert set(picked["series"]) == {"filing"}
    with pytest.raises(InvalidInputError, match="several series"):
        api.market_snapshot(shares({"one": "secondary", "two": "secondary"}), "m")


#: Headline deals (largest by amount, or with a public party) re-sourced in December 2026 from aggregator copies
#: to the agency or newspaper story they copied, with the outlet each now cites.
RE_SOURCED = {
    "softbank-openai-2025": "verdict.co.uk",
    "nvidia-usgov-china-revshare-2025": "business-standard.com",  # Reuters
    "amd-usgov-china-revshare-2025": "business-standard.com",  # Reuters
    "nvidia-groq-2025": "livemint.com",  # The Wall Street Journal
    "mubadala-crusoe-2025": "zawya.com",  # Financial Times report
    "openai-azure-2025": "telegraphindia.com",
    "anthropic-azure-2025": "ndtvprofit.com",  # Bloomberg
}


def test_re_sourced_headline_deals_cite_an_established_outlet() -> None:
    deals = pd.read_csv(AISTACK / "data" / "deals.csv", dtype=str, keep_default_na=False).set_index("id")
    sources = pd.read_csv(AISTACK / "data" / "sources.csv", dtype=str, keep_default_na=False).set_index("id")
    for deal_id, domain in RE_SOURCED.items():
        source = sources.loc[deals.loc[deal_id, "source_id"]]
        assert domain in source["url"], deal_id
        assert source["tier"] == "secondary" == tier_of(source.name, source["url"], source["publisher"]), deal_id


def test_sources_of_the_december_2026_pass_are_all_cited() -> None:
    """Every `dw26-` source is cited by a deal (source or terms source); a replaced source is not left behind."""
    data = AISTACK / "data"
    sources = pd.read_csv(data / "sources.csv", dtype=str, keep_default_na=False)
    deals = pd.read_csv(data / "deals.csv", dtype=str, keep_default_na=False)
    cited = set(deals["source_id"]) | set(deals["terms_source_id"])
    added = set(sources.loc[sources["id"].str.startswith("dw26-"), "id"])
    assert added and added <= cited, sorted(added - cited)
    replaced = {"deals-econotimes-softbank-openai-2025", "deals-lowyat-nvidia-amd-china-15pct-2025",
                "deals-newsghana-nvidia-groq-2025"}
    assert not replaced & set(sources["id"])
