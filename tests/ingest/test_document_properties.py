"""Property tests of the YAML/JSON readers (merger cases and claims files, through the one safe loader): random
corruption of the real examples (``examples/cases/*``, ``examples/seed-claims.yaml``) gives either a case or
claims file that validates, or a project error (``MarketpowerError``) naming the file, never another exception.

Corruptions: byte flips, truncation, inserted YAML/JSON syntax (quotes, colons, brackets, anchors and aliases,
tags, document markers), NULs, tabs and bytes that are not UTF-8; and, on the parsed document, one value replaced
by any value (huge integers, NaN, infinities, dates, nested lists and mappings) or one key removed, written back
as YAML or JSON. Hypothesis runs derandomized (the same examples on every machine).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketpower.claims import load_claims
from marketpower.errors import MarketpowerError
from marketpower.ingest.safeload import load_document
from marketpower.simulate.case import read_case

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASES = sorted((EXAMPLES / "cases").glob("*.*"))
CLAIMS = EXAMPLES / "seed-claims.yaml"
PROPERTY = settings(deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TOKENS = [b'"', b"'", b":", b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"#", b"&a ", b"*a", b"<<: ", b"---\n",
          b"...\n", b"!!python/object:os.system ", b"!!binary ", b"\x00", b"\t", b"\n", b"\r", b"\xff", b"\xe9",
          b"\xef\xbb\xbf", b"10**400", b"1" * 400, b"-.inf", b".nan", b"2025-02-30", b"~", b"null", b"true",
          b"   "]  # fmt: skip


def readers() -> list[tuple[Path, Callable[[Path], Any]]]:
    return [(path, read_case) for path in CASES] + [(CLAIMS, load_claims)]


@contextmanager
def written(name: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        yield path


def read_or_refuse(read: Callable[[Path], Any], path: Path) -> None:
    """``read(path)`` returns, or raises a project error naming the file; anything else fails the test."""
    try:
        read(path)
    except MarketpowerError as error:
        assert str(path) in str(error), str(error)


@st.composite
def byte_corruption(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "insert", "delete"]))
        if kind == "flip" and data:
            data = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1 :]
        elif kind == "truncate":
            data = data[:position]
        elif kind == "insert":
            data = data[:position] + draw(st.sampled_from(TOKENS)) + data[position:]
        else:
            data = data[:position] + data[position + draw(st.integers(1, 20)) :]
    return data


@settings(PROPERTY, max_examples=120)
@given(st.data())
def test_corrupted_bytes(data: st.DataObject) -> None:
    source, read = data.draw(st.sampled_from(readers()))
    with written(source.name, data.draw(byte_corruption(source.read_bytes()))) as path:
        read_or_refuse(read, path)


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**300, max_value=10**320)
    | st.floats() | st.sampled_from([math.inf, -math.inf, math.nan, 0, -1, 1, 1e308, 1e-320])
    | st.text(max_size=10) | st.dates() | st.sampled_from(["", "A", "P1", "logit", "abc", "10**400", "USD"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(),
                                                                       children, max_size=3),
    max_leaves=10,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


def _dump(document: Any, suffix: str) -> bytes:
    if suffix == ".json":
        return json.dumps(document, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)).encode()
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


@settings(PROPERTY, max_examples=200)
@given(st.data())
def test_mutated_values(data: st.DataObject) -> None:
    source, read = data.draw(st.sampled_from(readers()))
    document = load_document(source)
    path = data.draw(st.sampled_from(_paths(document)))
    replacement = data.draw(VALUES)
    if not path:
        document = replacement
    else:
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement
    try:
        encoded = _dump(document, source.suffix)
    except (ValueError, TypeError):  # JSON cannot write every key (e.g. a date); nothing to read then
        return
    with written(source.name, encoded) as target:
        read_or_refuse(read, target)


@pytest.mark.parametrize(("source", "read"), readers(), ids=lambda v: getattr(v, "name", ""))
def test_every_example_reads(source: Path, read: Callable[[Path], Any]) -> None:
    read(source)
