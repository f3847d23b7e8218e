"""Validation of data packages: every bad input named by file, line and field; nothing stored on failure."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from marketpower.errors import DataPackageError
from marketpower.ingest.datapackage import read_package, validate_package, write_package
from marketpower.store import Store


@pytest.fixture()
def package(tmp_path: Path, mini_package: Path) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(mini_package, target)
    return target


def edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def only(problems: list, **expected: object) -> None:
    assert problems, "expected a problem"
    matching = [p for p in problems if all(getattr(p, k) == v for k, v in expected.items())]
    assert matching, f"no problem matching {expected} in {[str(p) for p in problems]}"


def test_valid_package_reads(mini_package: Path) -> None:
    package = read_package(mini_package)
    assert set(package.tables) >= {"sources", "entities", "markets", "shares"}
    assert len(package.tables["shares"]) == 10


def test_share_above_one(package: Path) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,alpha,2023,,,0.4", "widgets,alpha,2023,,,1.4"))
    only(validate_package(package), file=str(package / "data/shares.csv"), line=2, field="share")


def test_share_sum_above_one(package: Path) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,delta,2023,,,0.1", "widgets,delta,2023,,,0.11"))
    problems = validate_package(package)
    only(problems, field="share")
    assert any("sum to 1.0100" in p.message for p in problems)


def test_share_sum_within_rounding_tolerance(package: Path) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,delta,2023,,,0.1", "widgets,delta,2023,,,0.104"))
    assert validate_package(package) == []


def test_missing_source(package: Path) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("0.3,,,,reported,src-a,", "0.3,,,,reported,,", 1))
    only(validate_package(package), line=3, field="source_id")


def test_unknown_source_entity_and_market(package: Path) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,gamma,2024,,,0.2,,,,reported,src-a",
                                                          "widgets,omega,2024,,,0.2,,,,reported,src-z"))
    edit(package / "data/shares.csv", lambda s: s.replace("gadgets,beta,2024", "gizmos,beta,2024"))
    problems = validate_package(package)
    only(problems, line=8, field="entity_id")
    only(problems, line=8, field="source_id")
    only(problems, line=10, field="market_id")


def test_duplicate_ids(package: Path) -> None:
    edit(package / "data/entities.csv", lambda s: s + "alpha,Alpha again,company,US,,\n")
    only(validate_package(package), file=str(package / "data/entities.csv"), line=7, field="id")


def test_missing_required_column(package: Path) -> None:
    path = package / "data/markets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [",".join(cell for i, cell in enumerate(line.split(",")) if i != 2) for line in lines]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    only(validate_package(package), file=str(path), line=1, field="layer")


def test_merge_conflict_markers(package: Path) -> None:
    edit(package / "data/sources.csv",
         lambda s: s.replace("src-b,", "<<<<<<< Updated upstream\nsrc-b,", 1) + "=======\n>>>>>>> Stashed changes\n")
    problems = validate_package(package)
    only(problems, line=3)
    assert any("merge-conflict" in p.message for p in problems)
    assert len([p for p in problems if "merge-conflict" in p.message]) == 3


def test_non_utf8_file(package: Path) -> None:
    path = package / "data/entities.csv"
    path.write_bytes(path.read_bytes().replace(b"Beta SA", "Bêta SA".encode("latin-1")))
    problems = validate_package(package)
    only(problems, file=str(path), line=3)
    assert "not UTF-8" in problems[0].message


def test_all_problems_of_a_file_reported_at_once(package: Path) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("0.4,", "abc,", 1).replace("0.3,", "-0.3,", 1))
    edit(package / "data/shares.csv", lambda s: s.replace(",2024,,,0.5,", ",20x4,,,0.5,"))
    problems = validate_package(package)
    assert {(p.line, p.field) for p in problems} >= {(2, "share"), (3, "share"), (6, "year")}


def test_bad_package_leaves_existing_store_untouched(package: Path, tmp_path: Path, mini_package: Path) -> None:
    db = tmp_path / "store.duckdb"
    Store.open(package=mini_package, db=db).close()
    edit(package / "data/shares.csv", lambda s: s.replace("0.4,", "1.4,", 1))
    with pytest.raises(DataPackageError):
        Store.open(package=package, db=db)
    store = Store.open(db=db)
    assert len(store.table("shares")) == 10
    store.close()


def test_write_package_refuses_invalid_tables_and_writes_nothing(tmp_path: Path, mini_package: Path) -> None:
    tables = read_package(mini_package).tables
    broken = dict(tables)
    broken["shares"] = tables["shares"].assign(share=2.0)
    target = tmp_path / "out"
    with pytest.raises(DataPackageError):
        write_package(target, "bad", "Bad", broken)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
    written = write_package(target, "copy", "Copy", tables)
    assert len(written.tables["shares"]) == 10
