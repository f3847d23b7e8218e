"""The static report's table files: each table of its top pages written as CSV and Parquet under tables/ holds the
JSON twin's rows (CSV cells as the dashboard writes them, formula-like text neutralised by the one CSV writer),
every file is linked from its page and listed in the manifest, and the item pages write none. The report's JSON
twins are the dashboard's, byte for byte (one serialisation)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from marketpower.publish import tables
from marketpower.publish.report import REPORT_MANIFEST, TABLE_FILE_PAGES, TABLES_FOLDER, build_report
from marketpower.publish.web import create_app
from marketpower.store import Store


@pytest.fixture(scope="module")
def report(mini_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    build_report(Store.open(package=mini_package), out)
    return out


def _csv_text(value: Any) -> str:
    """A JSON value as the CSV writes it, by the rule stated in marketpower.publish.tables and marketpower.files:
    empty for null, JSON text for lists, objects and booleans, and a ' before text starting with = + - @."""
    if value is None:
        return ""
    if isinstance(value, list | dict | bool):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return str(value)


def _same(got: Any, want: Any) -> None:
    if isinstance(want, list | dict):
        assert json.loads(got) == want
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-12)
    else:
        assert got == want


def _twins(report: Path) -> dict[str, tuple[str, Any]]:
    """Page name -> (file stem, JSON twin) of the pages whose tables are written."""
    stems = {"overview": "index"}
    return {
        page: (stems.get(page, page), json.loads((report / f"{stems.get(page, page)}.json").read_text()))
        for page in TABLE_FILE_PAGES
    }


def test_every_table_file_holds_the_twins_rows(report: Path) -> None:
    checked = 0
    for page, (stem, twin) in _twins(report).items():
        for name, rows in tables.page_tables(twin, page).items():
            base = report / TABLES_FOLDER / f"{stem}.{name}"
            columns = tables.columns_of(rows)
            with base.with_name(base.name + ".csv").open(newline="", encoding="utf-8") as handle:
                read = list(csv.reader(handle))
            assert read[0] == columns
            assert read[1:] == [[_csv_text(row.get(c)) for c in columns] for row in rows], f"{stem}.{name}.csv"
            got = pq.read_table(base.with_name(base.name + ".parquet")).to_pylist()
            assert len(got) == len(rows), f"{stem}.{name}.parquet"
            for have, want in zip(got, rows, strict=True):
                assert list(have) == columns
                for column in columns:
                    if want.get(column) is None:
                        assert have[column] is None
                    else:
                        _same(have[column], want[column])
            checked += 1
    assert checked >= 10  # the mini package's top pages hold at least this many tables


def test_each_page_links_its_files_and_the_manifest_lists_them(report: Path) -> None:
    listed = set(json.loads((report / REPORT_MANIFEST).read_text())["files"])
    written = {p.relative_to(report).as_posix() for p in (report / TABLES_FOLDER).iterdir()}
    assert written and written <= listed
    linked: set[str] = set()
    for page, (stem, twin) in _twins(report).items():
        html = (report / f"{stem}.html").read_text(encoding="utf-8")
        links = re.findall(r'href="(tables/[^"]+)" download', html)
        assert len(links) == 2 * len(tables.page_tables(twin, page)), stem  # a CSV and a Parquet file per table
        linked |= set(links)
    assert linked == written  # every file is linked from its page, and every link resolves
    # item pages (one market, entity, deal) write no files and show no file list
    assert not [f for f in written if f.startswith(("tables/market-", "tables/entity-", "tables/deal-"))]
    market_page = next(report.glob("market-*.html")).read_text(encoding="utf-8")
    assert 'class="table-files"' not in market_page and "tables.js" in market_page


def test_formula_cells_are_neutralised_in_csv_only(tmp_path: Path) -> None:
    rows = [
        {"firm": "=HYPERLINK(\"http://x\")", "share": 0.25, "n": 3, "ids": ["a", "b"]},
        {"firm": "Acme", "share": -0.5, "n": None, "ids": []},
    ]
    written = tables.write_files({"firms": rows}, "page", tmp_path, "page")
    assert [(w["name"], w["rows"], w["csv"]) for w in written] == [("firms", 2, "page.firms.csv")]
    text = (tmp_path / "page.firms.csv").read_text(encoding="utf-8")
    assert text.splitlines() == [
        "firm,share,n,ids",
        "\"'=HYPERLINK(\"\"http://x\"\")\",0.25,3,\"[\"\"a\"\", \"\"b\"\"]\"",
        "Acme,-0.5,,[]",  # a negative number stays a number; an integer column with an empty cell stays integer
    ]
    back = pq.read_table(tmp_path / "page.firms.parquet").to_pylist()
    assert back[0]["firm"] == rows[0]["firm"]  # Parquet keeps the text as it is (no spreadsheet formulas there)
    assert back[1]["share"] == pytest.approx(-0.5, rel=1e-15) and back[1]["n"] is None


def test_report_twins_are_the_dashboards_bytes(report: Path, mini_package: Path) -> None:
    client = TestClient(create_app(Store.open(package=mini_package), warm=False))
    pairs = {"/index.json": "index.json", "/markets.json": "markets.json", "/deals.json": "deals.json"}
    market = json.loads((report / "markets.json").read_text())[0]["market_id"]
    pairs[f"/markets/{market}.json"] = f"market-{market}.json"
    for url, name in pairs.items():
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert (report / name).read_bytes() == answer.content, name
