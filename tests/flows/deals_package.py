"""Helpers for the deal-web tests: a copy of the bundled package restricted to the tables the deals domain
needs (so other domains' work in progress cannot break these tests), and tiny hand-made packages."""

from __future__ import annotations

import shutil
from pathlib import Path

from marketpower.ingest.datapackage import write_descriptor

BUNDLED = Path(__file__).resolve().parents[2] / "src" / "marketpower" / "datasets" / "aistack"
DEALS_TABLES = ("sources", "entities", "markets", "shares", "entity_layers", "stakes", "deals", "facilities")


def copy_deals_package(target: Path) -> Path:
    """The bundled package's deals-domain tables (and the required core tables) copied to ``target``."""
    (target / "data").mkdir(parents=True, exist_ok=True)
    for name in DEALS_TABLES:
        source = BUNDLED / "data" / f"{name}.csv"
        if source.is_file():
            shutil.copy(source, target / "data" / f"{name}.csv")
    write_descriptor(target, "aistack deals subset")
    return target


MINI_SOURCES = "id,publisher,title,url,published,accessed\ns1,Pub,Title,https://example.org/a,2025-01-01,\n"
MINI_ENTITIES = "id,name,kind,country,ticker,parent_id\na,A,company,US,,\nb,B,company,US,,\nc,C,company,US,,\n"
MINI_MARKETS = "id,name,layer,geography,measure,unit,description\n"
MINI_SHARES = "market_id,entity_id,year,period,series,share,share_low,share_high,value,basis,source_id,note\n"
DEAL_HEADER = (
    "id,announced,kind,payer_id,payee_id,amount_usd,amount_usd_low,amount_usd_high,capacity_gw,"
    "accelerators,duration_years,status,supersedes,description,source_id,note\n"
)
STAKE_HEADER = (
    "owner_id,target_id,as_of,instrument,equity_fraction,equity_fraction_low,equity_fraction_high,"
    "voting_fraction,source_id,note\n"
)


def mini_package(target: Path, deals: str = "", stakes: str = "") -> Path:
    """A three-firm package (a, b, c) with the given deals and stakes rows (CSV text without header)."""
    data = target / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "sources.csv").write_text(MINI_SOURCES)
    (data / "entities.csv").write_text(MINI_ENTITIES)
    (data / "markets.csv").write_text(MINI_MARKETS)
    (data / "shares.csv").write_text(MINI_SHARES)
    (data / "deals.csv").write_text(DEAL_HEADER + deals)
    (data / "stakes.csv").write_text(STAKE_HEADER + stakes)
    write_descriptor(target, "mini deals")
    return target
