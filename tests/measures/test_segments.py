"""Who wins, read right: a conglomerate's value split across layers by its reported segments, one window for every
firm, and layer totals that say what they cover. Expected numbers are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from marketpower import api
from marketpower.measures import value_capture as vc
from marketpower.schema.finance import check_segment_shares
from marketpower.store import Store

SEGMENT_COLUMNS = [
    "entity_id", "period", "period_end", "segment", "layer", "metric", "segment_amount", "firm_amount", "currency",
    "source_id",
]  # fmt: skip


@pytest.fixture(scope="module")
def aistack() -> Store:
    return Store.open()


def _segments() -> pd.DataFrame:
    rows = [
        # x: cloud is 25 of 100 revenue, ads 70 (outside the stack), 5 unreported; operating income 30 of 60
        ("x", "FY2024", "2024-12-31", "Cloud", "cloud", "revenue", 25.0, 100.0, "USD", "s9"),
        ("x", "FY2024", "2024-12-31", "Ads", None, "revenue", 70.0, 100.0, "USD", "s9"),
        ("x", "FY2024", "2024-12-31", "Cloud", "cloud", "operating_income", 30.0, 60.0, "USD", "s9"),
        ("x", "FY2023", "2023-12-31", "Cloud", "cloud", "revenue", 10.0, 100.0, "USD", "s8"),  # older: not used
        # y reports revenue only: asked for operating income, it falls back to revenue (and says so)
        ("y", "FY2024", "2024-12-31", "Chips", "memory", "revenue", 40.0, 160.0, "KRW", "s7"),
    ]
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def _parts(attribution: dict, entity_id: str) -> dict[str, dict]:
    return {p["layer"]: p for p in attribution[entity_id]}


def test_segment_attribution_hand_computed() -> None:
    by_revenue = vc.segment_attribution(_segments(), "revenue")
    x = _parts(by_revenue, "x")
    assert x["cloud"]["fraction"] == pytest.approx(0.25, abs=1e-12)  # 25 / 100, FY2024 (not FY2023's 10)
    assert x[vc.OUTSIDE_STACK]["fraction"] == pytest.approx(0.75, abs=1e-12)  # ads 70 + the 5 not reported
    assert x[vc.OUTSIDE_STACK]["segments"] == "Ads, rest of the firm"
    by_profit = vc.segment_attribution(_segments(), "operating_income")
    assert _parts(by_profit, "x")["cloud"]["fraction"] == pytest.approx(0.5, abs=1e-12)  # 30 / 60
    y = _parts(by_profit, "y")
    assert y["memory"]["fraction"] == pytest.approx(0.25, abs=1e-12) and y["memory"]["basis"] == "revenue"  # 40/160


def test_layer_totals_use_the_parts_and_say_what_they_cover() -> None:
    changes = pd.DataFrame(
        {
            "entity_id": ["x", "z"],
            "layer": ["cloud", "accelerators"],
            "start_usd": [400.0, 50.0],
            "end_usd": [800.0, 250.0],
            "change_usd": [400.0, 200.0],
            "status": ["ok", "ok"],
        }
    )
    attributed = vc.attribute_changes(changes, vc.segment_attribution(_segments(), "revenue"))
    layers = vc.value_capture_by_layer(attributed).set_index("layer")
    # x's cloud part: 25% of 400 -> 800 is 100 -> 200 (+100); z whole: +200; the stack gains 300
    assert layers.at["cloud", "start_usd"] == pytest.approx(100.0, abs=1e-9)
    assert layers.at["cloud", "change_usd"] == pytest.approx(100.0, abs=1e-9)
    assert layers.at["cloud", "share_of_gain"] == pytest.approx(1 / 3, abs=1e-12)
    assert layers.at["accelerators", "share_of_gain"] == pytest.approx(2 / 3, abs=1e-12)
    # the rest of x (75%: +300) is listed apart, with no share of the stack's gain
    assert layers.at[vc.OUTSIDE_STACK, "change_usd"] == pytest.approx(300.0, abs=1e-9)
    assert pd.isna(layers.at[vc.OUTSIDE_STACK, "share_of_gain"])
    assert layers.at["cloud", "covers"] == "x (Cloud: 25.0% of FY2024 revenue)"
    assert layers.at["accelerators", "covers"] == "z (whole firm)"


def test_common_end_date_is_one_date_for_every_firm() -> None:
    rows = [
        ("a", "2022-11-30", 1.0), ("a", "2025-06-30", 2.0), ("a", "2025-12-31", 3.0),
        ("b", "2022-12-10", 1.0), ("b", "2025-07-10", 2.0),
        ("c", "2022-11-25", 1.0), ("c", "2025-07-20", 2.0), ("c", "2025-12-20", 3.0),
        ("d", "2023-06-01", 1.0), ("d", "2025-12-31", 2.0),  # no value near the start: not counted
    ]  # fmt: skip
    valuations = pd.DataFrame(rows, columns=["entity_id", "date", "amount_usd"])
    valuations["kind"], valuations["source_id"] = "market_cap", "s"
    # near 2025-07-20 (within 45 days): a (06-30, 20 days), b (07-10), c (07-20): 3 firms; near 2025-12-31
    # only a and c: 2. Of the dates with 3 firms (06-30, 07-10, 07-20) the latest wins.
    assert vc.common_end_date(valuations, "2022-11-30") == date(2025, 7, 20)


def test_segment_larger_than_its_firm_is_refused() -> None:
    bad = _segments()
    bad.loc[0, "segment_amount"] = 120.0  # 120 of 100
    problems = check_segment_shares({"segments": bad})
    assert any(p.line == 2 and p.field == "segment_amount" and "not a share" in p.message for p in problems)
    assert any(p.field == "firm_amount" for p in problems)  # x FY2024 revenue: 120 + 70 > 100


def test_private_value_splits_conglomerates_and_labels_dates() -> None:
    valuations = pd.DataFrame(
        [
            ("x", "2025-06-30", "market_cap", 800.0, "s1"),
            ("z", "2025-03-01", "market_cap", 100.0, "s2"),
        ],
        columns=["entity_id", "date", "kind", "amount_usd", "source_id"],
    )
    layers = pd.DataFrame({"entity_id": ["x", "z"], "layer": ["cloud", "cloud"]})
    table = vc.private_vs_public(valuations, layers, None, vc.segment_attribution(_segments())).set_index("name")
    # cloud: 25% of x's 800 (200) + z's 100 = 300, dated 2025-03-01 and 2025-06-30 (121 days apart)
    assert table.at["cloud", "amount_usd"] == pytest.approx(300.0, abs=1e-9)
    assert table.at["cloud", "note"] == (
        "adds values dated 2025-03-01 to 2025-06-30 (121 days apart): not one day's value"
    )
    assert table.at[vc.OUTSIDE_STACK, "amount_usd"] == pytest.approx(600.0, abs=1e-9)


def test_bundled_winners_compare_one_window(aistack: Store) -> None:
    answer = api.winners(aistack)
    until = date.fromisoformat(str(answer.until))
    ok = answer.changes[answer.changes["status"] == "ok"]
    assert len(ok) >= 15
    # every firm compared ends within 45 days of one date (no AMD in 2024 against Alphabet in 2026)
    assert all(abs((pd.Timestamp(d).date() - until).days) <= 45 for d in ok["end_date"])
    assert all(abs((pd.Timestamp(d).date() - date(2022, 11, 30)).days) <= 45 for d in ok["start_date"])
    parts = answer.attributed.set_index(["entity_id", "layer"])
    # Amazon: AWS is 107.6 of 638.0 billion 2024 revenue (16.87%) of its market value, the rest outside the stack
    amazon = parts.loc[("amazon", "cloud")]
    assert amazon["fraction"] == pytest.approx(107.6 / 638.0, rel=1e-12)
    whole = ok.set_index("entity_id").loc["amazon"]
    assert amazon["end_usd"] == pytest.approx(whole["end_usd"] * 107.6 / 638.0, rel=1e-12)
    assert parts.loc[("amazon", vc.OUTSIDE_STACK), "fraction"] == pytest.approx(1 - 107.6 / 638.0, rel=1e-12)
    # Meta reports no cloud segment: none of it is cloud
    meta = answer.attributed[answer.attributed["entity_id"] == "meta"]
    assert set(meta["layer"]) == {vc.OUTSIDE_STACK} and meta["fraction"].sum() == pytest.approx(1.0, abs=1e-12)
    layers = answer.layers.set_index("layer")
    assert "amazon (AWS: 16.9% of FY2024 revenue)" in layers.at["cloud", "covers"]
    stack = layers.drop(index=vc.OUTSIDE_STACK)
    assert stack["share_of_gain"].sum() == pytest.approx(1.0, abs=1e-12)
    assert stack.at["cloud", "share_of_gain"] < 0.46  # the old reading booked whole conglomerates to cloud
    assert str(answer.until) in answer.window["note"] and "left out" in answer.window["note"]
