"""FEC queries on DuckDB and Spark: hand-derived totals on a small itemised file (amendments, memo rows, paper
filings) and on independent expenditures, today's pandas functions reproduced, and the real 2020 PAC summary
sample giving the same rows on both engines (amounts exact) and the totals a plain Decimal sum of the raw file
gives."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from marketpower.engines import fec as queries
from marketpower.ingest.fec import FILE_KINDS, ingest_fec
from marketpower.politics.money import receipts_by_donor, spending_by_race

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fec-2020-sample"
C1, C2 = "C00000001", "C00000002"


def _itcont_line(cmte: str, name: str, employer: str, date: str, amount: str, tran: str, file_num: str, sub: str,
                 memo: str = "") -> str:  # fmt: skip
    fields = [cmte, "N", "Q1", "P2020", "1", "15", "IND", name, "SANTA CLARA", "CA", "95050", employer, "ENGINEER",
              date, amount, "", tran, file_num, memo, "", sub]  # fmt: skip
    return "|".join(fields)


#: C1: Doe's 500.00 is amended to 750.00 (same transaction id, later file); Roe's memo copy is left out; Smith's
#: two paper rows (no transaction id) both count. C2: one receipt.
ITCONT = [
    _itcont_line(C1, "DOE, JANE", "NVIDIA", "01152020", "500.00", "T1", "100", "1"),
    _itcont_line(C1, "DOE, JANE", "NVIDIA", "01152020", "750.00", "T1", "101", "2"),
    _itcont_line(C1, "ROE, RICHARD", "MICROSOFT", "02032020", "1000.50", "T2", "100", "3"),
    _itcont_line(C1, "ROE, RICHARD", "MICROSOFT", "02032020", "1000.50", "T3", "100", "4", memo="X"),
    _itcont_line(C1, "SMITH, ANN", "NVIDIA", "02282020", "250.25", "", "100", "5"),
    _itcont_line(C1, "SMITH, ANN", "NVIDIA", "02282020", "250.25", "", "100", "6"),
    _itcont_line(C2, "DOE, JANE", "NVIDIA", "03012020", "9999.99", "T9", "200", "7"),
]
IE_HEADER = ",".join(c.name for c in FILE_KINDS["ie"].columns)
IE = [
    IE_HEADER,
    'H0CA01001,"SMITH, A",C00000001,AI PAC,G,CA,01,H,DEM,1000.00,01-FEB-20,1000.00,S,TV,V,10,N,E1,1,02-FEB-20,2020,,',
    'H0CA01001,"SMITH, A",C00000001,AI PAC,G,CA,01,H,DEM,1200.00,01-FEB-20,1200.00,S,TV,V,11,A,E1,2,04-FEB-20,2020,10,',
    'H0CA01001,"SMITH, A",C00000001,AI PAC,G,CA,01,H,DEM,300.00,05-FEB-20,300.00,O,MAIL,V,12,N,E2,3,06-FEB-20,2020,,',
    'S0TX00001,"JONES, B",C00000001,AI PAC,G,TX,,S,REP,5000.00,07-FEB-20,5000.00,S,TV,V,13,N,E3,4,08-FEB-20,2020,,',
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """A store file with the synthetic itcont and IE files and the real 2020 cm and webk sample ingested."""
    root = tmp_path_factory.mktemp("fec")
    data = root / "fec2020"
    data.mkdir()
    (data / "itcont20.txt").write_text("\n".join(ITCONT) + "\n", encoding="utf-8")
    (data / "independent_expenditure_2020.csv").write_text("\n".join(IE) + "\n", encoding="utf-8")
    if SAMPLE.is_dir():
        for name in ("cm.txt", "webk20.txt"):
            shutil.copy(SAMPLE / name, data / name)
    db = root / "store.duckdb"
    con = duckdb.connect(str(db))
    ingest_fec(con, data, cycle=2020)
    return con, db


def _tables(engine: Any, store: tuple[duckdb.DuckDBPyConnection, Path], kind: str) -> Any:
    con, db = store
    return engine.parquet(queries.store_parquet(con, kind, db), f"fec {kind}")


def _results(engine: Any, store: tuple[duckdb.DuckDBPyConnection, Path]) -> dict[str, pd.DataFrame]:
    current = queries.current_itemized(_tables(engine, store, "indiv"))
    ie = queries.current_ie(_tables(engine, store, "ie"))
    return {
        "donor": queries.receipts_by_donor(engine, current, C1),
        "employer_month": queries.receipts_by_employer_month(engine, current, C1),
        "employers": queries.employer_candidates(engine, current, C1),
        "timeline": queries.committees_timeline(engine, current, [C1, C2]),
        "race": queries.spending_by_race(engine, ie, C1),
    }


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]


def test_hand_derived_totals_on_duckdb(duck: Any, store: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    got = _results(duck, store)
    assert _rows(got["donor"]) == [
        ("ROE, RICHARD", Decimal("1000.50"), 1), ("DOE, JANE", Decimal("750.00"), 1),
        ("SMITH, ANN", Decimal("500.50"), 2),
    ]  # fmt: skip
    assert _rows(got["employer_month"]) == [
        ("MICROSOFT", "2020-02", Decimal("1000.50"), 1), ("NVIDIA", "2020-01", Decimal("750.00"), 1),
        ("NVIDIA", "2020-02", Decimal("500.50"), 2),
    ]  # fmt: skip
    assert _rows(got["employers"]) == [("NVIDIA", Decimal("1250.50"), 3), ("MICROSOFT", Decimal("1000.50"), 1)]
    assert _rows(got["timeline"]) == [
        (C1, "2020-01", Decimal("750.00"), 1), (C1, "2020-02", Decimal("1501.00"), 3),
        (C2, "2020-03", Decimal("9999.99"), 1),
    ]  # fmt: skip
    assert _rows(got["race"]) == [
        ("TX", "S", None, "S0TX00001", "JONES, B", "S", Decimal("5000.00"), 1),
        ("CA", "H", "01", "H0CA01001", "SMITH, A", "S", Decimal("1200.00"), 1),
        ("CA", "H", "01", "H0CA01001", "SMITH, A", "O", Decimal("300.00"), 1),
    ]


def test_same_rows_as_the_pandas_functions(duck: Any, store: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    """Today's single-machine functions over the store's views give the engine's rows (amounts as floats)."""
    con, _ = store
    got = _results(duck, store)
    itemized = con.execute("SELECT * FROM fec_indiv_current WHERE cmte_id = ?", [C1]).df()
    before = receipts_by_donor(itemized).sort_values(["amount_usd", "donor"], ascending=[False, True])
    assert before["donor"].tolist() == got["donor"]["donor"].tolist()
    assert before["amount_usd"].tolist() == [float(v) for v in got["donor"]["amount_usd"]]
    assert before["transactions"].tolist() == got["donor"]["transactions"].tolist()
    ie = con.execute("SELECT * FROM fec_ie_current WHERE spe_id = ?", [C1]).df()
    spent = spending_by_race(ie)
    assert spent["amount_usd"].tolist() == [float(v) for v in got["race"]["amount_usd"]]


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="the real FEC sample ../shared/data/fec-2020-sample is not here")
def test_real_pac_summary_on_duckdb_matches_a_decimal_sum_of_the_raw_file(
    duck: Any, store: tuple[duckdb.DuckDBPyConnection, Path]
) -> None:
    table = queries.summaries_by_committee_type(duck, _tables(duck, store, "webk"))
    # Independent of every engine: the raw pipe-delimited file summed with Python's Decimal.
    # Independent of every engine: the raw pipe-delimited file summed with Python's Decimal (an empty amount is
    # missing; a group whose amounts are all missing has no total, as in SQL).
    receipts: dict[tuple[str | None, str | None], Decimal | None] = {}
    for line in (SAMPLE / "webk20.txt").read_text(encoding="latin-1").splitlines():
        fields = line.split("|")
        key = (fields[2] or None, fields[3] or None)
        amount = Decimal(fields[5]) if fields[5] else None  # TTL_RECEIPTS
        before = receipts.get(key)
        receipts[key] = amount if before is None else before + (amount or 0)
    got = {(None if pd.isna(r.cmte_tp) else r.cmte_tp, None if pd.isna(r.cmte_dsgn) else r.cmte_dsgn):
           (None if pd.isna(r.receipts_usd) else r.receipts_usd) for r in table.itertuples()}  # fmt: skip
    assert got == receipts
    lines = (SAMPLE / "webk20.txt").read_text("latin-1").splitlines()
    assert int(table["committees"].sum()) == len({line.split("|")[0] for line in lines})


def test_spark_gives_the_same_rows(spark: Any, duck: Any, store: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    """Row for row, amounts exact: every FEC query, plus the real 2020 PAC summary and committee summaries."""
    on_duck, on_spark = _results(duck, store), _results(spark, store)
    for name in on_duck:
        assert _rows(on_spark[name]) == _rows(on_duck[name]), name
    if SAMPLE.is_dir():
        webk_d, webk_s = _tables(duck, store, "webk"), _tables(spark, store, "webk")
        assert _rows(queries.summaries_by_committee_type(spark, webk_s)) == _rows(
            queries.summaries_by_committee_type(duck, webk_d)
        )
        ids = ["C00000422", "C00000059", "C00000547"]
        cm_d, cm_s = _tables(duck, store, "cm"), _tables(spark, store, "cm")
        summary_d = queries.committee_summaries(duck, webk_d, cm_d, ids)
        assert _rows(queries.committee_summaries(spark, webk_s, cm_s, ids)) == _rows(summary_d)
        assert summary_d.loc[summary_d["cmte_id"] == "C00000422", "receipts_usd"].tolist() == [Decimal("1518246.19")]
