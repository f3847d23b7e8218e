"""Property tests of the data-package reader: random corruption of real packages (the test package
``tests/fixtures/mini`` and the bundled ``aistack``) gives either a correct load or located problems, never
another exception type, and validation and loading always agree.

Corruptions: byte flips, truncation, inserted quotes, delimiters, line breaks, NULs, control characters and
bytes that are not UTF-8, a duplicated line, shuffled columns (which must load exactly as the original), quoting
every cell (R's ``write.csv``), and random mutations of ``datapackage.json`` (values replaced by any JSON value,
keys removed, the file's bytes corrupted). Hypothesis runs derandomized (the same examples on every machine).
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketpower.errors import DataPackageError, Problem
from marketpower.ingest.datapackage import DataPackage, read_package, validate_package
from marketpower.store import AISTACK

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
MINI_TABLES = sorted(p.name for p in (MINI / "data").glob("*.csv"))
AISTACK_TABLES = sorted(p.name for p in (AISTACK / "data").glob("*.csv"))
PROPERTY = settings(deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TOKENS = [b'"', b'""', b",", b",,", b"\n", b"\r", b"\r\n", b"\x00", b"\x01", b"\x1b", b"\x7f", b"\t", b"\xff",
          b"\xe9", b"\xc3", b"\xef\xbb\xbf", b"\xe2\x80\xa8", b" ", b"NA", b"1_0", b"TRUE", b"nan", b"<<<<<<< x\n",
          b"=", b"\\"]  # fmt: skip
ORIGINAL: dict[Path, DataPackage] = {}


def original(folder: Path) -> DataPackage:
    if folder not in ORIGINAL:
        ORIGINAL[folder] = read_package(folder)
    return ORIGINAL[folder]


@contextmanager
def copy_of(folder: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "pkg"
        shutil.copytree(folder, target)
        yield target


def agree(folder: Path) -> DataPackage | None:
    """Validate and load ``folder``: every problem is located in the package, and loading fails exactly when
    validation found problems (with the same problems). The package when it loads."""
    problems = validate_package(folder)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file.startswith(str(folder)), problem
        assert problem.message
    try:
        package = read_package(folder)
    except DataPackageError as error:
        assert problems, "read_package refused a package that validates"
        assert error.problems == problems
        return None
    assert problems == [], "read_package loaded a package with problems"
    return package


@st.composite
def byte_corruption(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one to three random edits."""
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate-line"]))
        if kind == "flip" and data:
            data = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1 :]
        elif kind == "truncate":
            data = data[:position]
        elif kind == "insert":
            data = data[:position] + draw(st.sampled_from(TOKENS)) + data[position:]
        elif kind == "delete":
            data = data[:position] + data[position + draw(st.integers(1, 20)) :]
        else:
            lines = data.split(b"\n")
            at = draw(st.integers(0, max(len(lines) - 1, 0)))
            data = b"\n".join([*lines[: at + 1], *lines[at:]])
    return data


@settings(PROPERTY, max_examples=60)
@given(st.data())
def test_corrupted_csv_of_the_test_package(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(MINI_TABLES))
    with copy_of(MINI) as folder:
        path = folder / "data" / name
        path.write_bytes(data.draw(byte_corruption(path.read_bytes())))
        agree(folder)


@settings(PROPERTY, max_examples=8)
@given(st.data())
def test_corrupted_csv_of_the_bundled_package(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(AISTACK_TABLES))
    with copy_of(AISTACK) as folder:
        path = folder / "data" / name
        path.write_bytes(data.draw(byte_corruption(path.read_bytes())))
        agree(folder)


def _rewrite(path: Path, order: list[int] | None, quoting: int) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    if order is not None:
        rows = [[row[i] for i in order] for row in rows]
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


@settings(PROPERTY, max_examples=3)
@given(seed=st.integers(0, 2**32 - 1), quote_all=st.booleans())
def test_shuffled_and_quoted_columns_load_exactly_as_the_original(seed: int, quote_all: bool) -> None:
    """Column order and quoting carry no meaning: every table of the bundled package loads to the same frame."""
    rng = random.Random(seed)
    with copy_of(AISTACK) as folder:
        for name in AISTACK_TABLES:
            path = folder / "data" / name
            width = len(path.read_text(encoding="utf-8").split("\n", 1)[0].split(","))
            order = rng.sample(range(width), width)
            _rewrite(path, order, csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        package = agree(folder)
        assert package is not None
        for name, frame in original(AISTACK).tables.items():
            pd.testing.assert_frame_equal(package.tables[name], frame)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["sources", "data/sources.csv", "../x.csv", "/etc/passwd", "data", "", "\x00"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) to a value inside a JSON document, the document itself first."""
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


@st.composite
def descriptor_mutation(draw: st.DrawFn, descriptor: Any) -> Any:
    """``descriptor`` with one value replaced by any JSON value, or one key or item removed."""
    paths = _paths(descriptor)
    path = draw(st.sampled_from(paths))
    replacement = draw(JSON_VALUES)
    if not path:
        return replacement
    parent = descriptor
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return descriptor


@settings(PROPERTY, max_examples=40)
@given(st.data())
def test_mutated_descriptor(data: st.DataObject) -> None:
    with copy_of(MINI) as folder:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        # Most paths lie inside the schema copies we do not read; aim at the resources list half of the time.
        if data.draw(st.booleans()):
            for resource in descriptor["resources"]:
                resource.pop("schema", None)
        mutated = data.draw(descriptor_mutation(descriptor))
        (folder / "datapackage.json").write_text(json.dumps(mutated), encoding="utf-8")
        package = agree(folder)
        if package is not None:  # a harmless mutation: the tables are those of the original
            for name, frame in package.tables.items():
                pd.testing.assert_frame_equal(frame, original(MINI).tables[name])


@settings(PROPERTY, max_examples=40)
@given(st.data())
def test_corrupted_descriptor_bytes(data: st.DataObject) -> None:
    with copy_of(MINI) as folder:
        path = folder / "datapackage.json"
        path.write_bytes(data.draw(byte_corruption(path.read_bytes())))
        agree(folder)
