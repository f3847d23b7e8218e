"""Issue 21 coverage: the bundled rows of a committee network add up to the totals published for it, committee
figures fit inside their network's, quarterly lobbying reaches the year, and every race has a state."""

from __future__ import annotations

import pandas as pd
import pytest

from marketpower.datasets import AISTACK
from marketpower.politics.races import race_spending, reconcile_lobbying, reconcile_periods

DATA = AISTACK / "data"
LTF_NETWORK = {"leading-the-future", "think-big-pac", "american-mission-pac"}


def _bundled(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", dtype={"district": str})


def _on_bores(by: set[str], side: str, until: str | None = None) -> float:
    rows = _bundled("independent_expenditures")
    rows = rows[rows["committee_id"].isin(by) & (rows["candidate"] == "Alex Bores") & (rows["support_oppose"] == side)]
    if until is not None:
        rows = rows[pd.to_datetime(rows["period_end"]) <= pd.Timestamp(until)]
    return float(rows["amount_usd"].sum())


def test_network_rows_on_bores_add_up_to_the_published_totals() -> None:
    # Transformer, 10 March 2026: $1.95m of LTF-network attack ads, $602,208 by Public First for Bores
    assert _on_bores(LTF_NETWORK, "oppose", "2026-03-10") == pytest.approx(1_950_000, abs=0.01)
    assert _on_bores({"public-first-action"}, "support", "2026-03-10") == pytest.approx(602_208, abs=0.01)
    # CNBC (relayed 24 June 2026): "roughly $8 million" against Bores, "about $11 million" for him
    assert _on_bores(LTF_NETWORK, "oppose") == pytest.approx(8_000_000, abs=0.01)
    assert _on_bores({"public-first-action"}, "support") == pytest.approx(11_000_000, abs=0.01)
    # nobody in either network is recorded on the other side of Bores
    assert _on_bores(LTF_NETWORK, "support") == pytest.approx(0, abs=0.01)
    assert _on_bores({"public-first-action"}, "oppose") == pytest.approx(0, abs=0.01)


def test_texas_race_is_listed_without_an_unknown_result() -> None:
    spending = race_spending(_bundled("independent_expenditures"), _bundled("races"), _bundled("committees"), "TX")
    gober = spending.iloc[0]
    expected = ("Chris Gober", "10", "american-mission-pac")
    assert (gober["candidate"], gober["district"], gober["committee_id"]) == expected
    assert gober["support_usd"] == pytest.approx(243_000, abs=0.01) and gober["qualifiers"] == "more_than"
    assert pd.isna(gober["result"])  # the stored pages do not give the primary's result: none is invented


def test_committee_figures_fit_inside_their_network_figures() -> None:
    money = _bundled("committee_money")
    ltf = money[(money["committee_id"] == "leading-the-future") & ~money["is_pledge"]]

    def one(scope: str, kind: str, end: str, donor_given: bool = False) -> float:
        rows = ltf[(ltf["scope"] == scope) & (ltf["kind"] == kind) & (ltf["period_end"] == end)]
        rows = rows[rows["donor_id"].notna() == donor_given]
        return float(rows["amount_usd"].sum())

    # cash entering 2026: the super PAC alone $39M (NBC) within the network's filed $49.6M
    assert one("committee", "cash_on_hand", "2025-12-31") <= one("network", "cash_on_hand", "2025-12-31")
    # H2 2025: the three named donors' $37.5M to the super PAC within the network's $50.8M of receipts
    assert one("committee", "receipts", "2025-12-31", donor_given=True) == pytest.approx(37_500_000, abs=0.01)
    assert one("committee", "receipts", "2025-12-31", donor_given=True) <= one("network", "receipts", "2025-12-31")
    # the Q1 2026 $25M covers no other row and is covered by none: summing it with H2 counts no dollar twice
    assert reconcile_periods(money, "leading-the-future").empty
    q1 = ltf[(ltf["kind"] == "receipts") & (ltf["period_start"] == "2026-01-01")]
    assert len(q1) == 1 and (pd.to_datetime(ltf.loc[ltf["kind"] == "receipts", "period_end"]) < "2026-01-01").sum() == 4


def test_meta_2021_lobbying_quarters_reach_the_year() -> None:
    out = reconcile_lobbying(_bundled("lobbying")).set_index(["entity_id", "jurisdiction", "year"])
    meta = out.loc[("meta", "US", 2021)]
    # Fox Business Q1-Q3 (4.8 + 4.8 + 5.09) + Politico Q4 (5.4, "more than") against Politico's "more than $20M"
    assert meta["quarters_usd"] == pytest.approx(4_800_000 + 4_800_000 + 5_090_000 + 5_400_000, abs=0.01)
    assert bool(meta["complete"]) and bool(meta["consistent"])
    assert abs(meta["difference_usd"]) <= 0.01 * meta["annual_usd"]
    # Anthropic 2025: Q2 $910k + Q4 $1.1M of $3.13M, OpenAI 2025: Q2 $620k of $2.99M; Meta 2020: Q1 + Q4 (Fox
    # Business) of $19.68M (Washington Times); Amazon 2021: Q4 $4.92M of $19.3M: partial and consistent
    for key in (("anthropic", "US", 2025), ("openai", "US", 2025), ("meta", "US", 2020), ("amazon", "US", 2021)):
        row = out.loc[key]
        assert bool(row["consistent"]) and not bool(row["complete"]), key
    # a full-year figure for every year 2020-2025 but 2023 for Meta, one number per year (the check raises if not)
    lobbying = _bundled("lobbying")
    federal = lobbying[(lobbying["jurisdiction"] == "US") & lobbying["period"].isna()]
    meta_years = federal[federal["entity_id"] == "meta"]
    assert sorted(meta_years["year"]) == [2020, 2021, 2022, 2024, 2025]


def test_every_race_has_a_state_and_fec_ids_are_only_those_on_record() -> None:
    for name in ("independent_expenditures", "races"):
        states = _bundled(name)["state"]
        assert states.notna().all() and states.str.fullmatch(r"[A-Z]{2}").all(), name
    committees = _bundled("committees").set_index("id")
    # ids as filed (FEC committee master 2020) or as reported (AnthroPAC); the 2026 super PACs have none on record
    assert set(committees["fec_id"].dropna()) == {"C00502906", "C00428623", "C00227546", "C00360354", "C00946111"}
    for super_pac in ("leading-the-future", "think-big-pac", "american-mission-pac", "public-first-pac"):
        assert pd.isna(committees.loc[super_pac, "fec_id"])
