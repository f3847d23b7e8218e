"""The one safe YAML/JSON reader (cases, claims, descriptors): bounded size, no alias expansion, bounded nesting,
UTF-8 with located errors, huge integers refused, repeated keys refused; and the case and claims readers built on
it name the file and the key of every bad value."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from marketpower.claims import load_claims
from marketpower.errors import InvalidInputError
from marketpower.ingest import safeload
from marketpower.ingest.safeload import DocumentError, load_document
from marketpower.simulate.case import read_case

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""

CASE = {
    "demand": "logit",
    "prices": [10, 12, 9],
    "shares": [0.3, 0.25, 0.2],
    "margins": [0.4, None, None],
    "owner_pre": ["A", "B", "C"],
    "owner_post": ["A", "A", "C"],
}


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(call: Callable[[], Any], path: Path, *fragments: str, line: int | None = None) -> str:
    """The message of the project error ``call`` raises; it names ``path`` (and ``line``) and every fragment."""
    with pytest.raises(InvalidInputError) as caught:
        call()
    message = str(caught.value)
    assert str(path) in message, message
    if line is not None:
        assert f"line {line}" in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- The loader ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_billion_laughs_is_refused_at_the_first_alias(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path, f"bomb{suffix}", BILLION_LAUGHS)
    refused(lambda: load_document(path), path, "alias *a", line=2)


def test_billion_laughs_case_and_claims_files_are_refused(tmp_path: Path) -> None:
    case = write(tmp_path, "case.yaml", BILLION_LAUGHS)
    refused(lambda: read_case(case), case, "alias")
    claims = write(tmp_path, "claims.yaml", BILLION_LAUGHS.replace("i: &i", "claims: &i"))
    refused(lambda: load_claims(claims), claims, "alias")


def test_billion_laughs_scenario_file_is_refused(tmp_path: Path) -> None:
    from marketpower.scenario import read_scenario_file

    scenario = write(tmp_path, "scenario.yaml", BILLION_LAUGHS)
    refused(lambda: read_scenario_file(scenario), scenario, "alias *a", line=2)


def test_anchor_without_alias_and_merge_key(tmp_path: Path) -> None:
    assert load_document(write(tmp_path, "ok.yaml", "a: &x 1\nb: 2\n")) == {"a": 1, "b": 2}
    merge = write(tmp_path, "merge.yaml", "a:\n  <<: {b: 1}\n  c: 2\n")
    refused(lambda: load_document(merge), merge, "merge keys", line=2)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("flow.yaml", "[" * 10_000 + "]" * 10_000),
        ("block.yaml", "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n"),
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("mid.json", "[" * 40 + "]" * 40),
    ],
)
def test_deep_nesting_is_refused(tmp_path: Path, name: str, text: str) -> None:
    """Past 32 levels (libyaml's scanner stops a flow thousands deep first, with its own message)."""
    path = write(tmp_path, name, text)
    message = refused(lambda: load_document(path), path)
    assert f"nested deeper than {safeload.MAX_DEPTH} levels" in message or "maximum nesting depth" in message


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    depth = safeload.MAX_DEPTH
    value = load_document(write(tmp_path, "ok.json", "[" * depth + "]" * depth))
    for _ in range(depth - 1):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == []


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_latin1_bytes_name_the_line_and_byte_offset(tmp_path: Path, suffix: str) -> None:
    text = 'name: "x"\nlabel: "Bêta"\n' if suffix == ".yaml" else '{"name": "x",\n "label": "Bêta"}\n'
    path = write(tmp_path, f"latin{suffix}", text.encode("latin-1"))
    offset = text.encode("latin-1").index(b"\xea")
    refused(lambda: load_document(path), path, "not UTF-8", "byte 0xea", f"byte offset {offset}", line=2)


def test_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    assert load_document(write(tmp_path, "bom.yaml", b"\xef\xbb\xbfa: 1\n")) == {"a": 1}
    assert load_document(write(tmp_path, "bom.json", b'\xef\xbb\xbf{"a": 1}')) == {"a": 1}


@pytest.mark.parametrize(("name", "text", "line"), [
    ("big.yaml", "a: 1\nb: 1" + "0" * 400 + "\n", 2),
    ("big.yaml", "a: 1\nb: 1" + "0" * 5000 + "\n", 2),
    ("big.json", '{"a": 1,\n "b": 1' + "0" * 400 + "}", 2),
    ("big.json", '{"a": 1,\n "b": -1' + "0" * 5000 + "}", 2),
])
def test_integers_no_float_can_hold_are_refused(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = write(tmp_path, name, text)
    refused(lambda: load_document(path), path, "too large", line=line)


@pytest.mark.parametrize(("name", "text", "line"), [
    ("dup.yaml", "prices: [1, 2]\nshares: [0.5, 0.4]\nprices: [3, 4]\n", 3),
    ("dup.json", '{"prices": [1, 2],\n "shares": [0.5, 0.4],\n "prices": [3, 4]}', 3),
])
def test_repeated_keys_are_refused(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = write(tmp_path, name, text)
    refused(lambda: load_document(path), path, "'prices' appears twice", line=line)


@pytest.mark.parametrize(("text", "fragment", "line"), [
    ("a: !!python/object/apply:os.system ['true']\n", "could not determine a constructor", 1),
    ("a: 1\n---\nb: 2\n", "expected a single document", 2),
    ("a: [1, 2\nb: 3\n", "not valid YAML", None),
    ("a: 2025-02-30\n", "cannot be read", 1),
    ("a: 1\nb: \x00\n", "U+0000", 2),
    ("a: {[1]: 2}\n", "unhashable", 1),
])
def test_other_bad_yaml_gets_a_located_error(tmp_path: Path, text: str, fragment: str, line: int | None) -> None:
    path = write(tmp_path, "bad.yaml", text)
    refused(lambda: load_document(path), path, fragment, line=line)


def test_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safeload, "MAX_BYTES", 1000)
    path = write(tmp_path, "big.yaml", "a: [" + "1, " * 400 + "1]\n")
    refused(lambda: load_document(path), path, "at most")
    missing = tmp_path / "missing.yaml"
    refused(lambda: load_document(missing, "case file"), missing, "no such file (expected a case file)")
    refused(lambda: load_document(tmp_path, "case file"), tmp_path, "no such file (expected a case file)")


# --- Case files -----------------------------------------------------------------------------------------------------


def case_file(tmp_path: Path, suffix: str, **changes: Any) -> Path:
    case = {**CASE, **changes}
    text = json.dumps(case) if suffix == ".json" else "\n".join(f"{k}: {json.dumps(v)}" for k, v in case.items())
    return write(tmp_path, f"case{suffix}", text)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_good_case_file_is_read(tmp_path: Path, suffix: str) -> None:
    assert read_case(case_file(tmp_path, suffix)) == CASE


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"seed": "abc"}, ("seed", "'abc'", "non-negative integer")),
        ({"seed": -1}, ("seed", "non-negative integer")),
        ({"seed": True}, ("seed", "non-negative integer")),
        ({"seed": 1.5}, ("seed", "non-negative integer")),
        ({"ranges": "abc"}, ("ranges", "mapping")),
        ({"ranges": [1, 2]}, ("ranges", "mapping")),
        ({"ranges": {"market_elasticity": [-2, -1], "bogus": [0, 1]}, "draws": 5}, ("ranges.bogus",)),
        ({"ranges": {"parameters.beta": [0, 1]}, "draws": 5}, ("parameters.beta", "alpha")),
        ({"market_elasticity": "10**400"}, ("market_elasticity", "10**400", "finite number")),
        ({"parameters": {"alpha": -0.5, "alfa": 1}}, ("parameters.alfa", "unknown", "alpha", "meanval")),
        ({"parameters": {"gamma": 2}}, ("parameters.gamma", "logit", "alpha")),
        ({"parameters": "alpha"}, ("parameters", "mapping")),
        ({"nests": ["x", "y", "x"], "parameters": {"alpha": -1, "rho": 0.5, "sigma": 1}, "demand": "nested_logit"},
         ("parameters.sigma", "rho")),
        ({"prices": [10, 12, 1e308 * 10]}, ("prices",)),
        ({"diversions": [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, "x"]]}, ("diversions",)),
    ],
)
def test_bad_case_values_name_the_file_and_key(
    tmp_path: Path, suffix: str, changes: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    path = case_file(tmp_path, suffix, **changes)
    refused(lambda: read_case(path), path, *fragments)


def test_huge_integer_in_a_case_given_as_a_dict_is_a_clear_error() -> None:
    from marketpower.simulate.case import parse_case

    for key, value in [("prices", [10**400, 12, 9]), ("market_elasticity", -(10**400)), ("insize", 10**400),
                       ("mc_delta", 10**400), ("diversions", [[0, 10**400, 0], [0, 0, 0], [0, 0, 0]])]:
        with pytest.raises(InvalidInputError, match=key):
            parse_case({**CASE, key: value})


def test_every_parameter_the_models_read_is_known() -> None:
    """The example cases that give parameters still parse (the table of known parameters covers them)."""
    from marketpower.simulate.case import parse_case

    parse_case({**CASE, "parameters": {"alpha": -0.5, "meanval": [1.0, 1.0, 1.0]}})
    parse_case({**CASE, "demand": "ces", "parameters": {"gamma": 2.0}})
    parse_case({**CASE, "demand": "linear", "parameters": {"slopes": [[-1, 0, 0], [0, -1, 0], [0, 0, -1]]}})
    parse_case({**CASE, "supply": "cournot", "demand": "linear", "parameters": {"elasticity": -1.5}})
    parse_case({**CASE, "supply": "auction", "parameters": {"alpha": -0.5}})


def test_cli_reports_a_bad_case_file_without_a_traceback(tmp_path: Path, cli: Callable[..., Any]) -> None:
    bomb = write(tmp_path, "bomb.yaml", BILLION_LAUGHS)
    result = cli("simulate", str(bomb))
    assert result.code != 0
    assert "alias" in result.err and str(bomb) in result.err.replace("\n", "")
    seed = case_file(tmp_path, ".yaml", seed="abc")
    result = cli("simulate", str(seed))
    assert result.code != 0 and "seed" in result.err and "Traceback" not in result.err + result.out


# --- Claims files ---------------------------------------------------------------------------------------------------

CLAIM = {"id": "c1", "metric": "hhi", "market": "hbm", "year": 2024, "value": 3000, "unit": "HHI", "quote": "q"}


def claims_file(tmp_path: Path, **changes: Any) -> Path:
    return write(tmp_path, "claims.yaml", json.dumps({"claims": [{**CLAIM, **changes}]}))


def test_good_claims_file_is_read(tmp_path: Path) -> None:
    assert load_claims(claims_file(tmp_path)).claims[0].value_low == pytest.approx(3000.0, abs=0)


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"metric": ["hhi"]}, ("claim 'c1'", "metric")),
        ({"unit": {"a": 1}}, ("claim 'c1'", "unit")),
        ({"qualifier": ["about"]}, ("claim 'c1'", "qualifier")),
        ({"year": "abc"}, ("claim 'c1'", "year")),
        ({"year": 2024.5}, ("claim 'c1'", "year")),
        ({"date_window_days": "x"}, ("claim 'c1'", "date_window_days")),
        ({"entity": ["a"]}, ("claim 'c1'", "entity")),
        ({"note": 5}, ("claim 'c1'", "note")),
        ({"id": ["x"]}, ("id",)),
        ({"value": 10**300 * 10**9}, ("value",)),
    ],
)
def test_bad_claim_values_name_the_file_claim_and_field(
    tmp_path: Path, changes: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    path = claims_file(tmp_path, **changes)
    refused(lambda: load_claims(path), path, *fragments)


def test_claims_with_mixed_key_types_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "claims.yaml", "claims:\n  - {id: c1, 2: x, null: y, metric: hhi}\n")
    refused(lambda: load_claims(path), path, "unknown field")


def test_document_error_is_a_project_error() -> None:
    from marketpower.errors import MarketpowerError, Problem

    assert issubclass(DocumentError, MarketpowerError)
    assert str(DocumentError(Problem("f.yaml", 3, None, "m"))) == "f.yaml, line 3: m"


def test_pure_python_yaml_behaves_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where PyYAML lacks libyaml the loader runs on pure-Python PyYAML, with the same refusals (a private copy
    of the module is loaded with ``yaml.CSafeLoader`` hidden)."""
    import importlib.util

    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    spec = importlib.util.spec_from_file_location("marketpower.ingest._safeload_pure", safeload.__file__)
    assert spec is not None and spec.loader is not None
    pure = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, pure)
    spec.loader.exec_module(pure)
    assert pure._BaseLoader is yaml.SafeLoader
    cases = [
        ("bomb.yaml", BILLION_LAUGHS, "alias *a"),
        ("deep.yaml", "[" * 10_000 + "]" * 10_000, f"nested deeper than {safeload.MAX_DEPTH} levels"),
        ("dup.yaml", "a: 1\na: 2\n", "'a' appears twice"),
        ("big.yaml", "a: 1" + "0" * 400 + "\n", "too large"),
        ("nul.yaml", "a: \x00\n", "U+0000"),
    ]
    for name, text, fragment in cases:
        path = write(tmp_path, name, text)
        with pytest.raises(InvalidInputError, match=re.escape(fragment)):
            pure.load_document(path)
    assert pure.load_document(write(tmp_path, "ok.yaml", "a: [1, 2.5, x]\n")) == {"a": [1, 2.5, "x"]}


def test_bad_byte_after_a_byte_order_mark_is_located_in_the_file(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbfa: 1\nb: \xe9t\xe9\n"
    path = write(tmp_path, "bom.yaml", raw)
    offset = raw.index(b"\xe9")
    assert offset == 11
    refused(lambda: load_document(path), path, f"byte offset {offset}", "(column 4)", line=2)
