"""SEC companyfacts ingest on small files written in the companyfacts format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from marketpower.errors import DataPackageError
from marketpower.ingest.datapackage import read_package
from marketpower.ingest.sec_facts import fiscal_year_label, read_sec_facts


def _fact(start: str, end: str, val: float, filed: str, form: str = "10-K") -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "val": val,
        "accn": "0000000000-00-000000",
        "fy": int(filed[:4]),
        "fp": "FY",
        "form": form,
        "filed": filed,
    }


def _chipco() -> dict[str, Any]:
    """A January fiscal year like Nvidia's: FY2023 ends 2023-01-29, FY2024 ends 2024-01-28."""
    revenue = [
        _fact("2022-01-31", "2023-01-29", 26_974e6, "2023-02-24"),
        _fact("2022-01-31", "2023-01-29", 26_900e6, "2024-02-21"),  # restated in the next 10-K: the later wins
        _fact("2023-01-30", "2024-01-28", 60_922e6, "2024-02-21"),
        _fact("2023-01-30", "2023-04-30", 7_192e6, "2023-05-26", "10-Q"),  # first quarter of FY2024
        _fact("2023-07-31", "2023-10-29", 18_120e6, "2023-11-21", "10-Q"),  # third quarter of FY2024
        _fact("2023-01-30", "2023-10-29", 32_681e6, "2023-11-21", "10-Q"),  # nine months: dropped
    ]
    capex = [_fact("2023-01-30", "2024-01-28", 1_069e6, "2024-02-21")]
    return {
        "cik": 1045810,
        "entityName": "CHIPCO CORP",
        "facts": {
            "dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": []}}},
            "us-gaap": {
                # the first-choice revenue concept is absent: the fallback `Revenues` is used
                "Revenues": {"label": "Revenues", "units": {"USD": revenue}},
                "PaymentsToAcquirePropertyPlantAndEquipment": {"units": {"USD": capex}},
                # no OperatingIncomeLoss at all: an explicit gap
            },
        },
    }


def _foundry() -> dict[str, Any]:
    """An IFRS filer reporting in TWD."""
    revenue = [_fact("2023-01-01", "2023-12-31", 2_161_736e6, "2024-04-18", "20-F")]
    return {
        "cik": "0001046179",
        "entityName": "Foundry Ltd",
        "facts": {"ifrs-full": {"Revenue": {"units": {"TWD": revenue}}}},
    }


def _write(folder: Path, name: str, document: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(document), encoding="utf-8")


def test_fiscal_year_labels() -> None:
    from datetime import date

    assert fiscal_year_label(date(2024, 1, 28)) == "FY2024"
    assert fiscal_year_label(date(2023, 1, 1)) == "FY2022"  # 52/53-week year ending just after New Year
    assert fiscal_year_label(date(2025, 6, 30)) == "FY2025"


def test_us_gaap_file_with_fallback_concept_and_missing_concept(tmp_path: Path) -> None:
    _write(tmp_path, "CIK0001045810.json", _chipco())
    facts = read_sec_facts(tmp_path, entity_ids={"1045810": "nvidia"})
    rows = facts.financials.set_index(["period", "metric"])
    assert set(facts.financials["entity_id"]) == {"nvidia"}
    assert rows.at[("FY2023", "revenue"), "amount_usd"] == pytest.approx(26_900e6)  # later filing wins
    assert rows.at[("FY2024", "revenue"), "amount_usd"] == pytest.approx(60_922e6)
    assert rows.at[("2024Q1", "revenue"), "amount_usd"] == pytest.approx(7_192e6)
    assert rows.at[("2024Q3", "revenue"), "period_end"].isoformat() == "2023-10-29"
    assert rows.at[("FY2024", "capex"), "amount_usd"] == pytest.approx(1_069e6)
    assert "us-gaap:Revenues" in rows.at[("FY2024", "revenue"), "note"]
    assert len(facts.financials) == 5  # the nine-month figure is not a period of its own
    assert not (facts.financials["metric"] == "operating_income").any()  # never a silent zero
    gap = [g for g in facts.gaps if g["metric"] == "operating_income"]
    assert gap and "us-gaap:OperatingIncomeLoss" in gap[0]["reason"]
    assert facts.sources.at[0, "id"] == "sec-cik0001045810"
    assert facts.sources.at[0, "published"].isoformat() == "2024-02-21"


def test_non_usd_needs_a_rate(tmp_path: Path) -> None:
    _write(tmp_path, "CIK0001046179.json", _foundry())
    without = read_sec_facts(tmp_path)
    assert without.financials.empty
    assert any("TWD" in g["reason"] and "--fx" in g["reason"] for g in without.gaps)
    converted = read_sec_facts(tmp_path, fx_rates={"TWD": 0.032})
    row = converted.financials.iloc[0]
    assert row["entity_id"] == "foundry-ltd" and row["period"] == "FY2023" and row["currency"] == "TWD"
    assert row["fx_rate_to_usd"] == pytest.approx(0.032)
    assert row["amount_usd"] == pytest.approx(2_161_736e6 * 0.032)


def test_bad_files_are_all_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.json", {"cik": 1, "entityName": "X"})  # no facts
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        read_sec_facts(tmp_path)
    assert len(caught.value.problems) == 2
    assert "not a companyfacts file" in str(caught.value)
    with pytest.raises(DataPackageError, match="no companyfacts"):
        read_sec_facts(tmp_path / "empty")


def test_cli_writes_a_valid_package(tmp_path: Path, cli: Any) -> None:
    _write(tmp_path / "in", "CIK0001045810.json", _chipco())
    out = tmp_path / "pkg"
    result = cli("ingest", "sec-facts", str(tmp_path / "in"), "--out", str(out), "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["rows"] == 5 and summary["gaps"][0]["metric"] == "operating_income"
    package = read_package(out)
    assert len(package.tables["financials"]) == 5
    bad = cli("ingest", "sec-facts", str(tmp_path / "in"), "--fx", "TWD=abc")
    assert bad.code != 0 and "rate must be a number" in bad.err


@pytest.mark.parametrize(
    ("value", "shown"), [("abc", '"abc"'), (True, "true"), (float("nan"), "NaN"), (float("inf"), "Infinity"),
                         (None, "null"), (10**400, "1000000")],
)  # fmt: skip
def test_a_bad_value_is_located_and_nothing_is_loaded(tmp_path: Path, value: Any, shown: str) -> None:
    document = _chipco()
    document["facts"]["us-gaap"]["Revenues"]["units"]["USD"][2]["val"] = value  # the FY2024 revenue
    _write(tmp_path, "CIK0001045810.json", document)
    with pytest.raises(DataPackageError) as caught:
        read_sec_facts(tmp_path)
    [problem] = caught.value.problems
    assert Path(problem.file).name == "CIK0001045810.json"
    assert problem.field == "facts.us-gaap.Revenues.units.USD[2].val"
    assert problem.message.startswith(shown) and problem.message.endswith("is not a finite number")


def test_bad_dates_and_shapes_are_located(tmp_path: Path) -> None:
    document = _chipco()
    revenue = document["facts"]["us-gaap"]["Revenues"]["units"]["USD"]
    revenue[0]["start"] = "2022-02-30"
    revenue[1]["filed"] = 20240221
    revenue[3]["end"] = "2023-01-01"  # before its start
    revenue.append("not a fact")
    document["facts"]["us-gaap"]["PaymentsToAcquirePropertyPlantAndEquipment"]["units"] = ["USD"]
    _write(tmp_path, "CIK0001045810.json", document)
    with pytest.raises(DataPackageError) as caught:
        read_sec_facts(tmp_path)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("facts.us-gaap.Revenues.units.USD[0].start", '"2022-02-30" is not a YYYY-MM-DD date'),
        ("facts.us-gaap.Revenues.units.USD[1].filed", "20240221 is not a YYYY-MM-DD date"),
        ("facts.us-gaap.Revenues.units.USD[3].end", "ends (2023-01-01) before it starts (2023-01-30)"),
        ("facts.us-gaap.Revenues.units.USD[6]", 'expected a fact object, found "not a fact"'),
        ("facts.us-gaap.PaymentsToAcquirePropertyPlantAndEquipment.units", "expected an object of units"),
    ]


def test_skip_bad_facts_leaves_them_out_and_lists_them(tmp_path: Path) -> None:
    document = _chipco()
    document["facts"]["us-gaap"]["Revenues"]["units"]["USD"][2]["val"] = True
    _write(tmp_path, "CIK0001045810.json", document)
    facts = read_sec_facts(tmp_path, skip_bad_facts=True)
    rows = facts.financials.set_index(["period", "metric"])
    assert ("FY2024", "revenue") not in rows.index  # never 1.0 USD
    assert rows.at[("FY2023", "revenue"), "amount_usd"] == pytest.approx(26_900e6)
    # FY2023 revenue and FY2024 capex; the two FY2024 revenue quarters lie in no fiscal year left: gaps
    assert len(facts.financials) == 2
    assert sum(g["reason"].startswith("quarter 2023-") for g in facts.gaps) == 2
    skipped = [g for g in facts.gaps if g["reason"].startswith("skipped")]
    assert skipped == [
        {
            "entity_id": "chipco-corp",
            "metric": "revenue",
            "reason": "skipped facts.us-gaap.Revenues.units.USD[2].val: true is not a finite number",
        }
    ]


def test_bad_header_values_and_rates_are_clean_errors(tmp_path: Path) -> None:
    from marketpower.errors import InvalidInputError

    for cik in ("abc", True, -1, 10**12):
        _write(tmp_path, "x.json", {**_chipco(), "cik": cik})
        with pytest.raises(DataPackageError, match="not a companyfacts file"):
            read_sec_facts(tmp_path)
    _write(tmp_path, "x.json", [1, 2])
    with pytest.raises(DataPackageError, match=r"the JSON is \[1, 2\]"):
        read_sec_facts(tmp_path)
    _write(tmp_path, "x.json", _chipco())
    for rate in (float("nan"), float("inf"), 0.0, -1.0):
        with pytest.raises(InvalidInputError, match="positive number of USD per TWD"):
            read_sec_facts(tmp_path, fx_rates={"TWD": rate})
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(DataPackageError, match="nested too deeply"):
        read_sec_facts(tmp_path)


def test_cli_refuses_a_bad_fact_and_skips_it_on_request(tmp_path: Path, cli: Any) -> None:
    document = _chipco()
    document["facts"]["us-gaap"]["Revenues"]["units"]["USD"][2]["val"] = "abc"
    _write(tmp_path / "in", "CIK0001045810.json", document)
    refused = cli("ingest", "sec-facts", str(tmp_path / "in"), "--out", str(tmp_path / "pkg"))
    assert refused.code != 0 and "USD[2].val" in refused.err and "Traceback" not in refused.err
    assert not (tmp_path / "pkg").exists()
    skipped = cli("ingest", "sec-facts", str(tmp_path / "in"), "--skip-bad-facts", "--json")
    assert skipped.code == 0, skipped.err
    assert json.loads(skipped.out)["rows"] == 2
    bad_rate = cli("ingest", "sec-facts", str(tmp_path / "in"), "--fx", "TWD=nan")
    assert bad_rate.code != 0 and "positive number" in bad_rate.err
