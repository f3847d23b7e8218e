"""`marketpower cusips suggest`: CUSIP candidates from the NAMEOFISSUER of a synthetic 13F history, the CSV it
writes, and κ from that CSV (docs/scale.md, docs/measures.md section 4).

The history (three quarterly data sets; every CUSIP made up, its ninth character the check digit from
``cusip_check_digit``, except TYPO's):
- 2024Q4: Alpha holds 100 BROADCOM LTD (OLD_AVGO) and 200 NVDA; Beta holds 50 ``Broadcom Ltd.`` (OLD_AVGO),
  100 NVDA and 30 SUPER MICRO COMPUTER INC; Alpha also holds 10 BROADCOM CABLE LLC (DECOY), which must not match:
  ``CABLE`` is not a legal-form or class word, so it names another business;
- 2025Q1: Alpha holds 120 BROADCOM INC (NEW_AVGO), 150 NVDA, 5 under a mistyped CUSIP (TYPO: wrong check digit),
  a call option (left out, as in κ) and a convertible note (PRN, left out); Beta holds 60 BROADCOM INC COM
  (NEW_AVGO), 50 NVDA and 20 SUPER MICRO COMPUTER INC;
- 2025Q2: Alpha holds 100 BROADCOM INC (NEW_AVGO).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from engine_data import cover, info, tsv

from marketpower import api
from marketpower.engines.cusip_candidates import check_digit_ok, cusip_candidates, name_keys
from marketpower.engines.holdings import find_datasets
from marketpower.errors import DataPackageError, InvalidInputError
from marketpower.ingest.sec13f import COVERPAGE_COLUMNS, INFOTABLE_COLUMNS, read_cusip_map
from marketpower.schema.finance import cusip_check_digit

pytest.importorskip("ibis")


def _cusip(first_eight: str) -> str:
    return first_eight + str(cusip_check_digit(first_eight))


OLD_AVGO, NEW_AVGO, SMCI, DECOY, NOTE = (_cusip(c) for c in ("1111AA10", "2222BB10", "3333CC10", "4444DD10",
                                                                "5555EE10"))  # fmt: skip
TYPO = NEW_AVGO[:8] + str((int(NEW_AVGO[8]) + 1) % 10)
NVDA = "67066G104"  # the bundled map's Nvidia CUSIP, so the written map keeps it


def _row(acc: str, cusip: str, shares: str, issuer: str, title: str, value: str, **kw: str) -> dict[str, str]:
    return {**info(acc, cusip, shares, **kw), "NAMEOFISSUER": issuer, "TITLEOFCLASS": title, "VALUE": value}


def write_history(root: Path) -> Path:
    """The module docstring's three data sets under ``root``; returns ``root``."""
    quarters: dict[str, tuple[str, list[dict[str, str]]]] = {
        "2024q4": ("31-DEC-2024", [
            _row("A1", OLD_AVGO, "100", "BROADCOM LTD", "ORD SHS", "1000"),
            _row("A1", NVDA, "200", "NVIDIA CORPORATION", "COM", "5000"),
            _row("A1", DECOY, "10", "BROADCOM CABLE LLC", "COM", "7"),
            _row("B1", OLD_AVGO, "50", "Broadcom Ltd.", "ORD SHS", "500"),
            _row("B1", NVDA, "100", "NVIDIA CORP", "COM", "2500"),
            _row("B1", SMCI, "30", "SUPER MICRO COMPUTER INC", "COM", "90"),
        ]),
        "2025q1": ("31-MAR-2025", [
            _row("A2", NEW_AVGO, "120", "BROADCOM INC", "COM", "1500"),
            _row("A2", NVDA, "150", "NVIDIA CORPORATION", "COM", "4000"),
            _row("A2", TYPO, "5", "BROADCOM INC", "COM", "50"),
            _row("A2", NEW_AVGO, "999", "BROADCOM INC", "CALL", "9999", putcall="Call"),
            _row("A2", NOTE, "1000", "BROADCOM INC", "NOTE 1.5% 2030", "1100", kind="PRN"),
            _row("B2", NEW_AVGO, "60", "BROADCOM INC COM", "COM", "700"),
            _row("B2", NVDA, "50", "NVIDIA CORP", "COM", "1300"),
            _row("B2", SMCI, "20", "SUPER MICRO COMPUTER INC", "COM", "70"),
        ]),
        "2025q2": ("30-JUN-2025", [_row("A3", NEW_AVGO, "100", "BROADCOM INC", "COM", "1300")]),
    }  # fmt: skip
    for folder, (period, rows) in quarters.items():
        tsv(root / folder / "INFOTABLE.tsv", INFOTABLE_COLUMNS, rows)
        filings = sorted({r["ACCESSION_NUMBER"] for r in rows})
        managers = {"A": "Alpha Capital", "B": "Beta Advisors"}
        tsv(root / folder / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [cover(a, managers[a[0]], period) for a in filings])
    return root


FIRMS = pd.DataFrame({"firm": ["broadcom", "supermicro", "dell"],
                      "name": ["Broadcom", "Super Micro Computer", "Dell Technologies"]})  # fmt: skip


def _by_cusip(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(r["cusip"]): r for r in table.to_dict("records")}


def test_issuer_spellings_normalise_to_the_firm_names(duck: Any) -> None:
    spellings = ["BROADCOM INC", "Broadcom Ltd.", "SUPER MICRO COMPUTER INC", "DELL TECHNOLOGIES INC",
                 "DELL TECHNOLOGIES INC CL C", "ARM HOLDINGS PLC", "ASML HOLDING N V",
                 "ASML HOLDING N.V. N Y REGISTRY SHS", "MARVELL TECHNOLOGY INC", "MARVELL TECHNOLOGY GROUP LTD",
                 "COREWEAVE INC", "COREWEAVE INC CL A", "BROADCOM CABLE LLC", "The Carlyle Group Inc."]  # fmt: skip
    expected = ["BROADCOM", "BROADCOM", "SUPER MICRO COMPUTER", "DELL TECHNOLOGIES", "DELL TECHNOLOGIES", "ARM",
                "ASML", "ASML", "MARVELL TECHNOLOGY", "MARVELL TECHNOLOGY", "COREWEAVE", "COREWEAVE",
                "BROADCOM CABLE", "CARLYLE"]  # fmt: skip
    assert name_keys(duck, spellings) == expected
    # the bundled entities' names give the same keys
    firm_names = ["Broadcom", "Super Micro Computer", "Dell Technologies", "Arm Holdings", "ASML",
                  "Marvell Technology", "CoreWeave"]  # fmt: skip
    assert name_keys(duck, firm_names) == ["BROADCOM", "SUPER MICRO COMPUTER", "DELL TECHNOLOGIES", "ARM", "ASML",
                                           "MARVELL TECHNOLOGY", "COREWEAVE"]  # fmt: skip


def test_candidates_counts_quarters_and_values(tmp_path: Path, duck: Any) -> None:
    table = cusip_candidates(duck, find_datasets(write_history(tmp_path / "13f")), FIRMS)
    assert list(table["firm"]) == ["broadcom"] * 3 + ["supermicro"]  # dell: no issuer of that name; no DECOY
    rows = _by_cusip(table)
    assert set(rows) == {NEW_AVGO, OLD_AVGO, TYPO, SMCI}
    new, old, typo, smci = rows[NEW_AVGO], rows[OLD_AVGO], rows[TYPO], rows[SMCI]
    assert new["issuer_names"] == ["BROADCOM INC", "BROADCOM INC COM"] and new["titles"] == ["COM"]
    assert (new["filings"], new["quarters"], new["first_quarter"], new["last_quarter"]) == (3, 2, "2025Q1", "2025Q2")
    assert new["value"] == pytest.approx(1500 + 700 + 1300, abs=0)  # the call option's 9,999 left out
    assert old["issuer_names"] == ["BROADCOM LTD", "Broadcom Ltd."] and old["titles"] == ["ORD SHS"]
    assert (old["filings"], old["quarters"], old["first_quarter"], old["last_quarter"]) == (2, 1, "2024Q4", "2024Q4")
    assert old["value"] == pytest.approx(1000 + 500, abs=0)
    assert (typo["filings"], typo["value"], typo["check_digit_ok"]) == (1, pytest.approx(50, abs=0), False)
    assert new["check_digit_ok"] and old["check_digit_ok"] and smci["check_digit_ok"]
    assert {r["candidates"] for r in (new, old, typo)} == {3} and smci["candidates"] == 1
    assert (smci["filings"], smci["quarters"], smci["first_quarter"], smci["last_quarter"]) == (2, 2, "2024Q4",
                                                                                                "2025Q1")  # fmt: skip
    assert smci["value"] == pytest.approx(90 + 70, abs=0)
    assert list(table["value"][:3]) == sorted(table["value"][:3], reverse=True)  # largest first within a firm
    assert NOTE not in rows  # a principal amount (PRN) is no share row
    assert not check_digit_ok(TYPO) and check_digit_ok(NVDA)


def test_written_map_round_trips_and_gives_kappa(tmp_path: Path) -> None:
    folder, written = write_history(tmp_path / "13f"), tmp_path / "mine" / "cusips.csv"
    answer = api.cusip_candidates(folder, ["broadcom", "supermicro"], write=written)
    assert answer.firms == ["broadcom", "supermicro"] and answer.without_candidate == []
    assert not answer.candidates["bundled"].any()
    mapping = read_cusip_map(written)  # the project's reader accepts it (check digits, one firm per CUSIP)
    mine = mapping[mapping["firm"].isin(["broadcom", "supermicro"])].sort_values("cusip")
    assert list(zip(mine["cusip"], mine["firm"], strict=True)) == sorted(
        [(OLD_AVGO, "broadcom"), (NEW_AVGO, "broadcom"), (SMCI, "supermicro")]
    )  # TYPO left out: its check digit is wrong
    assert (NVDA, "nvidia") in set(zip(mapping["cusip"], mapping["firm"], strict=True))  # the bundled rows kept
    with pytest.raises(InvalidInputError, match="exists"):
        api.cusip_candidates(folder, ["broadcom"], write=written)
    assert read_cusip_map(written).equals(mapping)  # untouched without force

    outstanding = tmp_path / "outstanding.csv"
    outstanding.write_text("firm,shares_outstanding\nbroadcom,1000\nnvidia,1000\nsupermicro,100\n", encoding="utf-8")
    series = api.kappa_series(folder, written, outstanding, ["broadcom", "nvidia"]).kappa
    kappa = {(r.quarter, r.firm, r.other_firm): r.kappa for r in series.itertuples()}
    # κ_fg = Σ_i β_fi β_gi / Σ_i β_fi² (docs/measures.md section 4, γ = β). 2024Q4, the predecessor's CUSIP:
    # β_broadcom = (0.10, 0.05), β_nvidia = (0.20, 0.10) for Alpha, Beta.
    assert kappa["2024Q4", "broadcom", "nvidia"] == pytest.approx(0.025 / 0.0125, rel=1e-12)  # = 2
    assert kappa["2024Q4", "nvidia", "broadcom"] == pytest.approx(0.025 / 0.05, rel=1e-12)  # = 0.5
    # 2025Q1, the new CUSIP (the mistyped one maps nothing): β_broadcom = (0.12, 0.06), β_nvidia = (0.15, 0.05).
    assert kappa["2025Q1", "broadcom", "nvidia"] == pytest.approx(0.021 / 0.018, rel=1e-12)
    assert kappa["2025Q1", "nvidia", "broadcom"] == pytest.approx(0.021 / 0.025, rel=1e-12)  # = 0.84
    assert {q for q, _, _ in kappa} == {"2024Q4", "2025Q1"}  # 2025Q2: Broadcom alone


def test_cli_json_and_default_firms(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from marketpower.cli import app

    folder = write_history(tmp_path / "13f")
    result = CliRunner().invoke(app, ["cusips", "suggest", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert {"broadcom", "supermicro", "dell", "arm", "asml", "marvell", "coreweave"} <= set(answer["firms"])
    assert "nvidia" not in answer["firms"]  # bundled: not searched by default
    assert sorted((r["firm"], r["cusip"]) for r in answer["candidates"]) == sorted(
        [("broadcom", NEW_AVGO), ("broadcom", OLD_AVGO), ("broadcom", TYPO), ("supermicro", SMCI)]
    )
    assert "dell" in answer["without_candidate"]
    table = CliRunner().invoke(app, ["cusips", "suggest", str(folder), "--firms", "broadcom"])
    assert table.exit_code == 0 and "several: review" in table.output and "WRONG" in table.output


def test_parquet_data_sets_give_the_same_candidates(tmp_path: Path, duck: Any) -> None:
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    text = write_history(tmp_path / "tsv")
    for file in text.rglob("*.tsv"):
        as_text = pv.ConvertOptions(column_types={c: "string" for c in (*INFOTABLE_COLUMNS, *COVERPAGE_COLUMNS)})
        table = pv.read_csv(file, parse_options=pv.ParseOptions(delimiter="\t"), convert_options=as_text)
        target = tmp_path / "parquet" / file.parent.name / f"{file.stem}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target)
    from_text = cusip_candidates(duck, find_datasets(text), FIRMS)
    from_parquet = cusip_candidates(duck, find_datasets(tmp_path / "parquet"), FIRMS)
    pd.testing.assert_frame_equal(from_parquet, from_text, check_exact=False, rtol=1e-12)


def test_a_cusip_two_firms_match_names_both(tmp_path: Path, duck: Any) -> None:
    firms = pd.DataFrame({"firm": ["broadcom", "broadcom-too"], "name": ["Broadcom", "Broadcom Inc."]})
    table = cusip_candidates(duck, find_datasets(write_history(tmp_path / "13f")), firms)
    rows = {(r["firm"], r["cusip"]): r for r in table.to_dict("records")}
    assert rows["broadcom", NEW_AVGO]["other_firms"] == ["broadcom-too"]
    assert rows["broadcom-too", NEW_AVGO]["other_firms"] == ["broadcom"]


def test_a_firm_without_candidate_is_listed(tmp_path: Path) -> None:
    answer = api.cusip_candidates(write_history(tmp_path / "13f"), ["dell", "coreweave"])
    assert answer.candidates.empty and answer.without_candidate == ["dell", "coreweave"]
    assert list(answer.candidates.columns)[:5] == ["firm", "name", "cusip", "bundled", "check_digit_ok"]


def test_bad_input_is_a_typed_error(tmp_path: Path) -> None:
    folder = write_history(tmp_path / "13f")
    with pytest.raises(InvalidInputError, match=r"no-such-firm: not an entity id of .*entities\.csv"):
        api.cusip_candidates(folder, ["broadcom", "no-such-firm"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataPackageError, match="no 13F data set here") as caught:
        api.cusip_candidates(empty)
    assert caught.value.problems[0].file == str(empty)
    lacking = tmp_path / "lacking"
    tsv(lacking / "INFOTABLE.tsv", tuple(c for c in INFOTABLE_COLUMNS if c != "NAMEOFISSUER"), [info("A1", SMCI, "1")])
    tsv(lacking / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [cover("A1", "Alpha Capital", "31-DEC-2024")])
    with pytest.raises(DataPackageError, match="NAMEOFISSUER") as missing:
        api.cusip_candidates(lacking, ["supermicro"])
    assert missing.value.problems[0].file == str(lacking / "INFOTABLE.tsv")
    bad = tmp_path / "bad-value"
    tsv(bad / "INFOTABLE.tsv", INFOTABLE_COLUMNS, [_row("A1", SMCI, "1", "SUPER MICRO COMPUTER INC", "COM", "12,5x")])
    tsv(bad / "COVERPAGE.tsv", COVERPAGE_COLUMNS, [cover("A1", "Alpha Capital", "31-DEC-2024")])
    with pytest.raises(DataPackageError) as value:
        api.cusip_candidates(bad, ["supermicro"])
    first = value.value.problems[0]
    assert (first.file, first.line, first.field) == (str(bad / "INFOTABLE.tsv"), 2, "VALUE")


def test_spark_gives_the_same_candidates(tmp_path: Path, duck: Any, spark: Any) -> None:
    datasets = find_datasets(write_history(tmp_path / "13f"))
    on_duckdb, on_spark = cusip_candidates(duck, datasets, FIRMS), cusip_candidates(spark, datasets, FIRMS)
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_exact=False, rtol=1e-12)
