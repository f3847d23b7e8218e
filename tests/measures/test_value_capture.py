"""Value capture on a small hand-built fixture; every expected number is worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from marketpower.errors import InvalidInputError
from marketpower.measures import value_capture as vc

LAYERS = pd.DataFrame(
    {
        "entity_id": ["a", "b", "c", "d", "p"],
        "layer": ["accelerators", "accelerators", "cloud", "memory", "models"],
    }
)


def _valuations() -> pd.DataFrame:
    rows = [
        ("a", "2022-11-30", "market_cap", 100.0, "s1"),
        ("a", "2025-06-30", "market_cap", 500.0, "s2"),
        ("b", "2022-12-10", "market_cap", 50.0, "s1"),
        ("b", "2025-06-30", "market_cap", 30.0, "s2"),
        ("c", "2022-11-25", "market_cap", 200.0, "s1"),
        ("c", "2025-06-20", "market_cap", 400.0, "s2"),
        ("d", "2023-03-01", "market_cap", 10.0, "s1"),  # 91 days after 2022-11-30: outside the 45-day window
        ("d", "2025-06-30", "market_cap", 20.0, "s2"),
        ("e", "2022-11-30", "market_cap", 10.0, "s1"),  # no layer: counted as unclassified
        ("e", "2025-06-30", "market_cap", 20.0, "s2"),
        ("p", "2023-01-23", "post_money", 29.0, "s3"),
        ("p", "2025-10-02", "secondary", 500.0, "s4"),
    ]
    frame = pd.DataFrame(rows, columns=["entity_id", "date", "kind", "amount_usd", "source_id"])
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame["note"] = None
    return frame


def test_valuation_on_picks_the_nearest_row_within_the_window() -> None:
    row = vc.valuation_on(_valuations(), "a", "2022-12-15")
    assert row is not None
    assert row["date"] == date(2022, 11, 30) and row["days_off"] == -15 and row["amount_usd"] == pytest.approx(100.0)
    assert row["source_id"] == "s1"
    assert vc.valuation_on(_valuations(), "d", "2022-11-30") is None
    assert vc.valuation_on(_valuations(), "d", "2022-11-30", tolerance_days=91)["days_off"] == 91  # type: ignore[index]


def test_valuation_change_gives_ratio_and_evidence() -> None:
    change = vc.valuation_change(_valuations(), "c", "2022-11-30")
    # 400 / 200 = 2.0, +200
    assert change["ratio"] == pytest.approx(2.0)
    assert change["change_usd"] == pytest.approx(200.0)
    assert change["start"]["date"] == date(2022, 11, 25) and change["end"]["date"] == date(2025, 6, 20)
    with pytest.raises(InvalidInputError, match="no market_cap valuation within 45 days"):
        vc.valuation_change(_valuations(), "d", "2022-11-30")


def test_market_value_change_by_firm_keeps_gaps_explicit() -> None:
    changes = vc.market_value_change(_valuations(), LAYERS, "2022-11-30").set_index("entity_id")
    assert list(changes.index) == ["a", "b", "c", "d", "e"]  # private p is not a market cap
    assert changes.at["a", "change_usd"] == pytest.approx(400.0) and changes.at["a", "ratio"] == pytest.approx(5.0)
    assert changes.at["b", "change_usd"] == pytest.approx(-20.0) and changes.at["b", "ratio"] == pytest.approx(0.6)
    assert changes.at["e", "layer"] == "unclassified"
    # d's first value is 91 days after the start: the gap says so (a firm listed later, e.g. CoreWeave in 2025)
    assert changes.at["d", "status"] == (
        "no market cap within 45 days of 2022-11-30; its first in the data is on 2023-03-01 "
        "(listed later, or no earlier value found)"
    )
    assert pd.isna(changes.at["d", "change_usd"]) and pd.isna(changes.at["d", "start_usd"])


def test_value_capture_by_layer_hand_computed() -> None:
    changes = vc.market_value_change(_valuations(), LAYERS, "2022-11-30")
    layers = vc.value_capture_by_layer(changes).set_index("layer")
    # net change = 400 - 20 + 200 + 10 = 590
    assert layers.at["accelerators", "change_usd"] == pytest.approx(380.0)
    assert layers.at["accelerators", "start_usd"] == pytest.approx(150.0)
    assert layers.at["accelerators", "growth"] == pytest.approx(530 / 150 - 1)
    assert layers.at["accelerators", "share_of_gain"] == pytest.approx(380 / 590)
    assert layers.at["cloud", "share_of_gain"] == pytest.approx(200 / 590)
    assert layers.at["unclassified", "share_of_gain"] == pytest.approx(10 / 590)
    assert layers["share_of_gain"].sum() == pytest.approx(1.0)
    # memory has only a gap: listed, with no amounts, never a zero
    assert layers.at["memory", "firms"] == 0 and layers.at["memory", "gaps"] == 1
    assert pd.isna(layers.at["memory", "change_usd"])
    assert list(layers.index[:2]) == ["accelerators", "cloud"]


def test_market_value_change_to_a_fixed_date() -> None:
    changes = vc.market_value_change(_valuations(), LAYERS, "2022-11-30", until="2025-07-10").set_index("entity_id")
    # c's 2025-06-20 value is 20 days before 2025-07-10, within the window
    assert changes.at["c", "end_usd"] == pytest.approx(400.0)
    with pytest.raises(InvalidInputError, match="not after"):
        vc.market_value_change(_valuations(), LAYERS, "2025-01-01", until="2024-01-01")


def test_undated_valuation_is_an_error_not_a_skip() -> None:
    frame = _valuations()
    frame.loc[0, "date"] = None
    with pytest.raises(InvalidInputError, match="without a date"):
        vc.market_value_change(frame, LAYERS, "2022-11-30")


def _financials() -> pd.DataFrame:
    rows = [
        # a: fiscal years ending in January count for the year before
        ("a", "FY2023", "2023-01-29", "revenue", 10.0),
        ("a", "FY2024", "2024-01-28", "revenue", 30.0),
        ("a", "FY2025", "2025-01-26", "revenue", 60.0),
        ("a", "FY2025", "2025-01-26", "datacenter_revenue", 50.0),
        ("b", "FY2022", "2022-12-31", "revenue", 20.0),
        ("b", "FY2024", "2024-12-31", "revenue", 25.0),
        ("c", "FY2022", "2022-12-31", "revenue", 100.0),
        ("c", "FY2024", "2024-12-31", "revenue", 150.0),
        ("c", "FY2024", "2024-12-31", "capex", 40.0),
        ("c", "2024Q4", "2024-12-31", "capex", 12.0),  # quarters are never mixed into annual sums
    ]
    frame = pd.DataFrame(rows, columns=["entity_id", "period", "period_end", "metric", "amount_usd"])
    frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.date
    return frame


def test_calendar_year_of_fiscal_years() -> None:
    assert vc.calendar_year("2024-01-28") == 2023  # Nvidia FY2024
    assert vc.calendar_year("2025-05-31") == 2024  # Oracle FY2025 (June 2024 - May 2025)
    assert vc.calendar_year("2025-08-28") == 2025  # Micron FY2025
    assert vc.calendar_year("2024-12-31") == 2024


def test_growth_by_layer_uses_a_balanced_panel() -> None:
    table = vc.growth_by_layer(_financials(), LAYERS, "revenue", 2022, 2024).set_index("layer")
    # accelerators: a 10 -> 60 and b 20 -> 25: 30 -> 85
    assert table.at["accelerators", "from_usd"] == pytest.approx(30.0)
    assert table.at["accelerators", "growth"] == pytest.approx(85 / 30 - 1)
    assert table.at["cloud", "growth"] == pytest.approx(0.5)
    one_year = vc.growth_by_layer(_financials(), LAYERS, "revenue", 2022, 2023).set_index("layer")
    assert one_year.at["accelerators", "growth"] == pytest.approx(2.0)  # only a: 10 -> 30
    assert one_year.at["accelerators", "missing"] == ["b"]
    with pytest.raises(InvalidInputError, match="no annual `ebitda` rows"):
        vc.growth_by_layer(_financials(), LAYERS, "ebitda", 2022, 2024)


def test_capex_vs_supplier_revenue_prefers_segment_revenue() -> None:
    table = vc.capex_vs_supplier_revenue(_financials(), LAYERS, [2024]).set_index("year")
    # buyers: c capex 40; suppliers: a data-center revenue 50 (not its total 60) + b revenue 25 = 75
    assert table.at[2024, "buyer_capex_usd"] == pytest.approx(40.0)
    assert table.at[2024, "supplier_revenue_usd"] == pytest.approx(75.0)
    assert table.at[2024, "ratio"] == pytest.approx(40 / 75)
    assert table.at[2024, "suppliers"] == ["a", "b"]


def test_capex_vs_supplier_revenue_compares_like_with_like() -> None:
    """b reports no revenue for 2023: the plain ratio jumps with the set of suppliers; the common one does not."""
    extra = pd.DataFrame(
        [("c", "FY2023", "2023-12-31", "capex", 30.0)],
        columns=["entity_id", "period", "period_end", "metric", "amount_usd"],
    )
    extra["period_end"] = pd.to_datetime(extra["period_end"]).dt.date
    table = vc.capex_vs_supplier_revenue(pd.concat([_financials(), extra]), LAYERS, [2023, 2024]).set_index("year")
    # 2023 (calendar): suppliers a (FY2025 ends Jan 2025 -> 2024; FY2024 ends Jan 2024 -> 2023: revenue 30) only.
    assert table.at[2023, "suppliers"] == ["a"] and table.at[2024, "suppliers"] == ["a", "b"]
    assert table.at[2023, "ratio"] == pytest.approx(30 / 30)
    assert table.at[2024, "ratio"] == pytest.approx(40 / 75)
    # Like with like: buyer c and supplier a in both years: 30 / 30 and 40 / 50 (a's data-center revenue).
    assert table.at[2023, "ratio_common"] == pytest.approx(1.0)
    assert table.at[2024, "ratio_common"] == pytest.approx(40 / 50)
    assert table.at[2024, "not_every_year"] == ["b"] and table.at[2023, "not_every_year"] == []


def test_growth_by_layer_says_what_each_layer_covers() -> None:
    table = vc.growth_by_layer(_financials(), LAYERS, "revenue", 2022, 2024).set_index("layer")
    # accelerators: b reports 2022 and 2024 (20 -> 25); a's fiscal years map to 2022, 2023, 2024: 10 -> 60.
    assert table.at["accelerators", "firm_ids"] == ["a", "b"]
    assert table.at["accelerators", "growth"] == pytest.approx((60 + 25) / (10 + 20) - 1)
    assert table.at["cloud", "covers"] == "c only"


def test_growth_by_layer_names_the_firms_left_out() -> None:
    rows = _financials()
    rows = rows[~((rows["entity_id"] == "b") & (rows["period"] == "FY2022"))]
    table = vc.growth_by_layer(rows, LAYERS, "revenue", 2022, 2024).set_index("layer")
    assert table.at["accelerators", "covers"] == "a only; without b (no figure for 2022 or 2024)"


def test_private_vs_public() -> None:
    table = vc.private_vs_public(_valuations(), LAYERS).set_index("name")
    assert table.at["p", "amount_usd"] == pytest.approx(500.0) and table.at["p", "kind"] == "secondary"
    assert table.at["accelerators", "amount_usd"] == pytest.approx(530.0)
    assert table.at["accelerators", "firms"] == 2
    # accelerators adds a (2025-06-30, 500) and b (2025-06-30, 30): one date, no note.
    assert table.at["accelerators", "covers"] == "a (2025-06-30), b (2025-06-30)"
    assert table.at["accelerators", "note"] == ""
    earlier = vc.private_vs_public(_valuations(), LAYERS, as_of="2024-01-01").set_index("name")
    # On 2024-01-01 memory holds d's 2023-03-01 value only; cloud c's 2022-11-25 one.
    assert earlier.at["memory", "covers"] == "d (2023-03-01)"
    assert earlier.at["p", "amount_usd"] == pytest.approx(29.0)


def test_private_vs_public_says_when_a_layer_adds_values_of_different_dates() -> None:
    rows = _valuations()
    rows = rows[~((rows["entity_id"] == "b") & (rows["date"].astype(str) == "2025-06-30"))]
    table = vc.private_vs_public(rows, LAYERS).set_index("name")
    # accelerators: a on 2025-06-30 plus b's latest, 2022-12-10: 933 days apart.
    assert table.at["accelerators", "amount_usd"] == pytest.approx(550.0)
    assert table.at["accelerators", "note"] == (
        "adds values dated 2022-12-10 to 2025-06-30 (933 days apart): not one day's value"
    )


def test_purchase_flows_follow_the_stack_and_keep_unknown_amounts_apart() -> None:
    """Hand-built deal web: a model maker buys from a cloud's subsidiary (layer through the parent), the cloud
    buys chips (one amount unknown, one 'up to'), an equity deal is not a purchase."""
    from marketpower.measures.value_capture import purchase_flows, purchase_flows_by_year

    edges = pd.DataFrame(
        {
            "deal_id": ["m-c", "c-a1", "c-a2", "c-a3", "eq"],
            "payer_id": ["lab", "cloudco", "cloudco", "cloudco", "cloudco"],
            "payee_id": ["cloud-sub", "chipco", "chipco", "chipco", "lab"],
            "kind": ["cloud_contract", "chip_purchase", "chip_purchase", "chip_purchase", "equity_investment"],
            "amount_usd": [300e9, 40e9, float("nan"), 10e9, 5e9],
            "amount_basis": ["point", "point", "unknown", "up_to", "point"],
            "announced": ["2025-09-10", "2025-05-01", "2025-10-01", "2026-01-05", "2025-01-01"],
            "status": ["announced"] * 5,
            "source_id": ["s"] * 5,
        }
    )
    layers = pd.DataFrame({"entity_id": ["lab", "cloudco", "chipco"], "layer": ["models", "cloud", "accelerators"]})
    entities = pd.DataFrame(
        {"id": ["lab", "cloudco", "cloud-sub", "chipco"], "parent_id": [None, None, "cloudco", None]}
    )
    flows = purchase_flows(edges, layers, entities)
    assert list(flows["deal_id"]) == ["c-a1", "c-a2", "m-c", "c-a3"]
    assert flows.loc[flows["deal_id"] == "m-c", "payee_layer"].item() == "cloud"
    by_year = purchase_flows_by_year(flows).set_index(["year", "step"])
    assert by_year.loc[(2025, "cloud -> accelerators"), "point_usd"] == pytest.approx(40e9)
    assert by_year.loc[(2025, "cloud -> accelerators"), "unknown"] == 1
    assert by_year.loc[(2025, "models -> cloud"), "point_usd"] == pytest.approx(300e9)
    assert by_year.loc[(2026, "cloud -> accelerators"), "up_to_usd"] == pytest.approx(10e9)
    assert by_year.loc[(2026, "cloud -> accelerators"), "point_usd"] == pytest.approx(0)
