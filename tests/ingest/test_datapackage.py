"""Validation of data packages: every bad input named by file, line and field; nothing stored on failure."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from marketpower.errors import DataPackageError
from marketpower.ingest.datapackage import read_package, validate_package, write_descriptor, write_package
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


# --- Descriptor shapes: each gets a located problem, never a traceback --------------------------------------------


def _descriptor(package: Path) -> dict:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def _write_descriptor(package: Path, descriptor: object) -> None:
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["resources"].__setitem__(0, 5), "resources[0]"),
        (lambda d: d["resources"].__setitem__(0, ["sources"]), "resources[0]"),
        (lambda d: d["resources"][0].__setitem__("name", ["sources"]), "resources[0].name"),
        (lambda d: d["resources"][0].__setitem__("name", {"a": 1}), "resources[0].name"),
        (lambda d: d["resources"][0].__setitem__("path", 5), "resources[0].path"),
        (lambda d: d["resources"][0].__setitem__("path", ["data/sources.csv"]), "resources[0].path"),
        (lambda d: d["resources"][0].__setitem__("path", "data/\x00sources.csv"), "resources[0].path"),
        (lambda d: d["resources"][0].__setitem__("path", ""), "resources[0].path"),
        (lambda d: d.__setitem__("resources", {"name": "sources"}), "resources"),
    ],
)
def test_descriptor_shapes_give_located_problems(package: Path, mutate: Callable[[dict], None], field: str) -> None:
    descriptor = _descriptor(package)
    mutate(descriptor)
    _write_descriptor(package, descriptor)
    only(validate_package(package), file=str(package / "datapackage.json"), field=field)
    with pytest.raises(DataPackageError):
        read_package(package)


@pytest.mark.parametrize("text", ["[1, 2]", '"a string"', "null", "[" * 100_000 + "]" * 100_000,
                                  '{"resources": ' + "[" * 5_000 + "]" * 5_000 + "}"])
def test_descriptor_that_is_not_an_object_or_nested_too_deep(package: Path, text: str) -> None:
    (package / "datapackage.json").write_text(text, encoding="utf-8")
    problems = validate_package(package)
    only(problems, file=str(package / "datapackage.json"))


# --- Symlinks: a file outside the package folder is never read, and its content never echoed ---------------------


def test_symlink_out_of_the_package_is_refused_without_echoing_content(package: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-first-line,other\nsecond,line\n", encoding="utf-8")
    target = package / "data/markets.csv"
    target.unlink()
    target.symlink_to(secret)
    problems = validate_package(package)
    only(problems, file=str(target), line=None)
    assert any("symbolic link" in p.message and "outside the package folder" in p.message for p in problems)
    assert not any("TOPSECRET" in str(p) or "second" in str(p) for p in problems)


def test_symlinked_data_folder_out_of_the_package_is_refused(package: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.move(package / "data", outside)
    (package / "data").symlink_to(outside, target_is_directory=True)
    problems = validate_package(package)
    assert any("outside the package folder" in p.message for p in problems)


def test_symlinked_descriptor_out_of_the_package_is_refused(package: Path, tmp_path: Path) -> None:
    outside = tmp_path / "descriptor.json"
    shutil.move(package / "datapackage.json", outside)
    (package / "datapackage.json").symlink_to(outside)
    problems = validate_package(package)
    only(problems, file=str(package / "datapackage.json"))
    assert "outside the package folder" in problems[0].message


def test_symlink_inside_the_package_is_read(package: Path) -> None:
    (package / "data/markets.csv").rename(package / "markets-real.csv")
    (package / "data/markets.csv").symlink_to(package / "markets-real.csv")
    assert len(read_package(package).tables["markets"]) == 2


# --- CSV dialect: quoted headers and cells (R's write.csv), booleans, numbers -------------------------------------


def test_quoted_header_and_cells_are_read_like_plain_ones(package: Path, mini_package: Path) -> None:
    """R's ``write.csv(..., row.names = FALSE, na = "")`` quotes every header and string cell."""
    for name in ("entities", "markets", "shares", "sources"):
        path = package / f"data/{name}.csv"
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC if name != "shares" else csv.QUOTE_ALL).writerows(rows)
    assert validate_package(package) == []
    quoted, plain = read_package(package).tables, read_package(mini_package).tables
    for name, frame in plain.items():
        pd.testing.assert_frame_equal(quoted[name], frame)


def test_quoted_cell_with_comma_and_line_break_is_one_cell_and_lines_stay_exact(package: Path) -> None:
    edit(package / "data/markets.csv", lambda s: s.replace("Hand-made test market with an others remainder",
                                                           '"Hand-made, with an\nothers remainder"'))
    markets = read_package(package).tables["markets"].set_index("id")
    assert markets.loc["gadgets", "description"] == "Hand-made, with an\nothers remainder"
    edit(package / "data/markets.csv", lambda s: s + "gizmos,Gizmos,hardware,world,bogus,USD,x\n")
    only(validate_package(package), file=str(package / "data/markets.csv"), line=5, field="measure")


def test_unclosed_quote_is_a_located_problem(package: Path) -> None:
    edit(package / "data/entities.csv", lambda s: s.replace("Beta SA", '"Beta SA'))
    problems = validate_package(package)
    only(problems, file=str(package / "data/entities.csv"), line=3)
    assert any("quote" in p.message for p in problems)


@pytest.mark.parametrize(("true", "false"), [("true", "false"), ("True", "False"), ("TRUE", "FALSE"), ("1", "0")])
def test_boolean_spellings_are_validated_and_loaded_alike(tmp_path: Path, true: str, false: str) -> None:
    from marketpower.store import AISTACK

    target = tmp_path / "aistack"
    shutil.copytree(AISTACK, target)
    path = target / "data/committee_money.csv"
    expected = read_package(AISTACK).tables["committee_money"]["is_pledge"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    column = lines[0].split(",").index("is_pledge")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    for row in rows[1:]:
        row[column] = true if row[column] == "true" else false
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    assert validate_package(target) == []
    loaded = read_package(target).tables["committee_money"]["is_pledge"]
    assert loaded.tolist() == expected.tolist()
    assert expected.any() and not expected.all()


@pytest.mark.parametrize("cell", ["yes", "t", "TRUE ", "2", "-1", "tRuE"])
def test_other_boolean_spellings_are_refused_with_the_accepted_ones_named(tmp_path: Path, cell: str) -> None:
    from marketpower.store import AISTACK

    target = tmp_path / "aistack"
    shutil.copytree(AISTACK, target)
    edit(target / "data/committee_money.csv", lambda s: s.replace(",true,press_report,", f",{cell},press_report,", 1))
    problems = validate_package(target)
    if cell == "TRUE ":  # surrounding spaces are trimmed from every cell
        assert problems == []
        return
    only(problems, file=str(target / "data/committee_money.csv"), line=2, field="is_pledge")
    assert "true/True/TRUE/1" in problems[0].message and "false/False/FALSE/0" in problems[0].message


@pytest.mark.parametrize("cell", ["0.6_7", "0,67", "1 000", "NaN", "inf", "-Infinity", "1e999", "0x10", "½", "٠.٥",
                                  "+", ".", "1e", "--1"])
def test_number_that_validation_used_to_pass_and_loading_failed_on(package: Path, cell: str) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,alpha,2023,,,0.4", f'widgets,alpha,2023,,,"{cell}"'))
    problems = validate_package(package)
    only(problems, file=str(package / "data/shares.csv"), line=2, field="share")
    with pytest.raises(DataPackageError):
        read_package(package)


@pytest.mark.parametrize(
    ("cell", "value"), [(".4", 0.4), ("4e-1", 0.4), ("+0.40", 0.4), ("4.E-1", 0.4), (" 0.4 ", 0.4)]
)
def test_number_spellings_that_are_read(package: Path, cell: str, value: float) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,alpha,2023,,,0.4", f"widgets,alpha,2023,,,{cell}"))
    shares = read_package(package).tables["shares"]
    assert shares.loc[0, "share"] == pytest.approx(value, abs=1e-15)


@pytest.mark.parametrize("cell", ["20_23", "2023.0", "99999999999999999999", "1" * 5000, "2,023"])
def test_integer_outside_the_grammar_or_64_bits_is_refused(package: Path, cell: str) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,alpha,2023,", f'widgets,alpha,"{cell}",', 1))
    only(validate_package(package), file=str(package / "data/shares.csv"), line=2, field="year")


@pytest.mark.parametrize("cell", ["2025-1-15", "20250115", "2025-02-30", "2025-W03", "0000-01-01", "2025-01-15T00:00"])
def test_date_outside_yyyy_mm_dd_is_refused(package: Path, cell: str) -> None:
    edit(package / "data/sources.csv", lambda s: s.replace("2025-01-15", cell, 1))
    only(validate_package(package), file=str(package / "data/sources.csv"), line=2, field="published")


def test_byte_order_mark_is_skipped(package: Path, mini_package: Path) -> None:
    path = package / "data/entities.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    pd.testing.assert_frame_equal(read_package(package).tables["entities"],
                                  read_package(mini_package).tables["entities"])


def test_r_style_na_and_row_names_get_a_hint(package: Path) -> None:
    edit(package / "data/shares.csv", lambda s: s.replace("widgets,alpha,2023,,,0.4,", "widgets,alpha,2023,,,NA,", 1))
    problems = validate_package(package)
    only(problems, line=2, field="share")
    assert any('na = ""' in p.message for p in problems)
    edit(package / "data/markets.csv", lambda s: '"",' + s.replace("\n", "\n1,", 1).replace("\ngadgets", "\n2,gadgets"))
    problems = validate_package(package)
    assert any("row.names = FALSE" in p.message for p in problems if p.file.endswith("markets.csv"))


# --- Control characters: refused in every string field, by one rule of the schema ---------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
                                  "\ufffe", "\uffff", "\t", "\n", "\r"])
def test_control_character_in_a_name_is_refused(package: Path, char: str) -> None:
    edit(package / "data/entities.csv", lambda s: s.replace("Alpha Corp", f'"Alpha{char}Corp"'))
    problems = validate_package(package)
    only(problems, file=str(package / "data/entities.csv"), line=2, field="name")
    assert any(f"U+{ord(char):04X}" in p.message for p in problems)


@pytest.mark.parametrize("char", ["\t", "\n", "\r\n"])
def test_tab_and_line_break_are_allowed_in_free_text(package: Path, char: str) -> None:
    edit(package / "data/markets.csv", lambda s: s.replace("Hand-made test market with an others remainder",
                                                           f'"Hand-made{char}market with an others remainder"'))
    description = read_package(package).tables["markets"].set_index("id").loc["gadgets", "description"]
    assert description == f"Hand-made{char}market with an others remainder"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x7f", "\x9b"])
def test_control_character_in_free_text_is_refused(package: Path, char: str) -> None:
    edit(package / "data/markets.csv", lambda s: s.replace("Hand-made test market with", f"Hand-made{char}"))
    only(validate_package(package), file=str(package / "data/markets.csv"), line=3, field="description")


def test_string_rule_is_in_the_schema_for_every_string_field() -> None:
    from marketpower.schema import TABLES
    from marketpower.schema.core import CellError

    for table in TABLES.values():
        for f in table.fields:
            if f.type == "string":
                with pytest.raises(CellError, match="U\\+0000"):
                    f.parse("a\x00b")
                with pytest.raises(CellError, match="U\\+001B"):
                    f.parse("a\x1bb")


def test_typed_values_match_an_independent_reader_frictionless() -> None:
    """Every cell of the bundled package, as we read it, equals what the Frictionless library reads from the
    Table Schema we publish in ``datapackage.json`` (numbers compared as floats, to 1e-12 relative)."""
    from frictionless import Resource, Schema

    from marketpower.schema import TABLES
    from marketpower.store import AISTACK

    ours = read_package(AISTACK).tables
    for name, frame in ours.items():
        descriptor = TABLES[name].frictionless()
        descriptor.pop("foreignKeys", None)
        resource = Resource(path=f"data/{name}.csv", basepath=str(AISTACK), schema=Schema.from_descriptor(descriptor))
        rows = [row.to_dict() for row in resource.read_rows()]
        assert len(rows) == len(frame), name
        for row, (_, record) in zip(rows, frame.iterrows(), strict=True):
            for f in TABLES[name].fields:
                theirs, mine = row.get(f.name), record[f.name]
                if theirs is None:
                    assert pd.isna(mine), (name, f.name, mine)
                elif f.type == "number":
                    assert float(mine) == pytest.approx(float(theirs), rel=1e-12), (name, f.name)
                else:
                    assert mine == theirs, (name, f.name, mine, theirs)


def test_write_descriptor_refuses_an_unreadable_descriptor_instead_of_a_traceback(package: Path) -> None:
    (package / "datapackage.json").write_text('{"name": "x", "resources": [', encoding="utf-8")
    with pytest.raises(DataPackageError) as caught:
        write_descriptor(package)
    assert caught.value.problems[0].file == str(package / "datapackage.json")
    assert caught.value.problems[0].line == 1
    (package / "datapackage.json").unlink()
    write_descriptor(package)
    assert validate_package(package) == []
