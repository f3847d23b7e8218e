"""`kappa-series`, `kappa --engine`, `fec query` and `politics money --engine` end to end on DuckDB: hand-derived
κ, the κ file written by swapping, and clean failures."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from engine_data import write_fixture_dataset
from test_fec_engines import C1, ITCONT


def test_kappa_series_by_hand_with_out_file_and_store(cli, tmp_path: Path) -> None:
    paths = write_fixture_dataset(tmp_path / "sets" / "2025q3")
    out, db = tmp_path / "kappa.csv", tmp_path / "store.duckdb"
    out.write_text("old contents\n", encoding="utf-8")
    result = cli("kappa-series", str(tmp_path / "sets"), "--cusips", str(paths["cusip_map"]), "--shares-outstanding",
                 str(paths["shares_outstanding"]), "--out", str(out), "--db", str(db), "--json")  # fmt: skip
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["quarters"] == ["2025Q2", "2025Q3"]
    rows = {(r["quarter"], r["firm"], r["other_firm"]): r["kappa"] for r in answer["kappa"]}
    assert rows == pytest.approx({("2025Q3", "AMD", "NVDA"): 3.0, ("2025Q3", "NVDA", "AMD"): 0.0375 / 0.1125})
    assert pd.read_csv(out)["kappa"].tolist() == pytest.approx([3.0, 1 / 3])
    assert not list(tmp_path.glob(".kappa.csv.*"))  # the temporary file was swapped in, none left behind
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM kappa_series").fetchone() == (2,)
    con.close()


def test_kappa_engine_matches_the_one_file_reader(cli, tmp_path: Path) -> None:
    paths = write_fixture_dataset(tmp_path / "q")
    common = ["kappa", "--holdings", str(tmp_path / "q"), "--firms", "NVDA,AMD", "--cusips", str(paths["cusip_map"]),
              "--shares-outstanding", str(paths["shares_outstanding"]), "--json"]  # fmt: skip
    plain, engine = cli(*common), cli(*common, "--engine", "duckdb")
    assert plain.code == 0 and engine.code == 0, plain.err + engine.err
    flat = [[v for row in json.loads(r.out)["kappa"] for v in row] for r in (engine, plain)]
    assert flat[0] == pytest.approx(flat[1], rel=1e-12)
    assert flat[0] == pytest.approx([1.0, 1 / 3, 3.0, 1.0], rel=1e-12)  # κ_NVDA,AMD = 0.0375 / 0.1125


def test_bad_engine_and_unreachable_master_fail_cleanly(cli, tmp_path: Path) -> None:
    paths = write_fixture_dataset(tmp_path / "q")
    args = ["kappa-series", str(tmp_path / "q"), "--cusips", str(paths["cusip_map"]), "--shares-outstanding",
            str(paths["shares_outstanding"])]  # fmt: skip
    bad = cli(*args, "--engine", "polars")
    assert bad.code != 0 and "--engine 'polars': use one of duckdb, spark" in bad.err
    pytest.importorskip("pyspark")
    dead = cli(*args, "--engine", "spark", "--spark-master", "spark://127.0.0.1:9")
    assert dead.code != 0 and "Spark master spark://127.0.0.1:9 cannot be reached" in dead.err
    assert "Traceback" not in dead.err


def test_fec_query_over_the_store_parquet(cli, tmp_path: Path) -> None:
    folder = tmp_path / "fec2020"
    folder.mkdir()
    (folder / "itcont20.txt").write_text("\n".join(ITCONT) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert cli("fec", "ingest", str(folder), "--cycle", "2020", "--db", str(db), "--json").code == 0
    result = cli("fec", "query", "receipts-by-donor", "--committee", C1, "--db", str(db), "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)["rows"]
    assert [(r["donor"], r["amount_usd"], r["transactions"]) for r in rows] == [
        ("ROE, RICHARD", 1000.5, 1), ("DOE, JANE", 750.0, 1), ("SMITH, ANN", 500.5, 2)
    ]  # fmt: skip
    missing = cli("fec", "query", "employers", "--committee", C1, "--parquet", str(tmp_path / "none"))
    assert missing.code != 0 and "none: FEC indiv: no such file or folder" in missing.err


def test_the_dashboard_shows_an_ingested_kappa_series(tmp_path: Path) -> None:
    """Without a κ series the overview has no common-ownership section; after `kappa-series --db` it lists the
    latest quarter's pairs, largest κ first."""
    from fastapi.testclient import TestClient

    from marketpower import api
    from marketpower.publish.web import create_app
    from marketpower.store import Store

    paths = write_fixture_dataset(tmp_path / "sets" / "2025q3")
    store = Store.open(db=tmp_path / "store.duckdb")
    assert "common-ownership" not in TestClient(create_app(store, warm=False)).get("/").text
    api.kappa_series(tmp_path / "sets", paths["cusip_map"], paths["shares_outstanding"], store=store)
    html = TestClient(create_app(store, warm=False)).get("/").text
    assert 'id="common-ownership"' in html
    assert html.index("<td>AMD</td><td>NVDA</td><td class=\"num\">3.000</td>") < html.index("<td>NVDA</td><td>AMD</td>")
