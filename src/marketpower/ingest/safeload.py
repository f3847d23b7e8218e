"""One safe reader for the YAML and JSON files people write by hand: merger cases, claims files, data package
descriptors. Every file read through :func:`load_document` meets the same limits, and breaking one is a
:class:`DocumentError` naming the file, the line and what to change:

- at most :data:`MAX_BYTES` bytes, UTF-8 (a leading byte-order mark is skipped);
- one document; no YAML aliases (``*name``) or merge keys (``<<``), so a small file cannot expand into a huge
  one ("billion laughs"); anchors alone are harmless and accepted;
- lists and mappings nested at most :data:`MAX_DEPTH` deep;
- no key given twice in one mapping (YAML and JSON would silently keep the last);
- integers a float can hold (at most 308 digits), and YAML dates that exist;
- YAML's safe tags only (no Python objects).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import InvalidInputError, Problem

MAX_BYTES = 8 * 2**20
MAX_DEPTH = 32
#: Integers above this cannot be converted to a float (about 1.8e308).
MAX_INTEGER = 2**1024


class DocumentError(InvalidInputError):
    """A YAML or JSON file cannot be read safely; ``problem`` locates it (file, line, key)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


class _Refused(Exception):
    """A limit broken while reading: the message, and the 1-based line when known (else text whose second
    appearance is where the problem is)."""

    def __init__(self, message: str, line: int | None = None, repeated: str | None = None):
        self.message, self.line, self.repeated = message, line, repeated
        super().__init__(message)


@dataclass(frozen=True, eq=False)
class _Unreadable:
    """Stands in for a value that cannot be read (an integer no float can hold, a date that does not exist)
    until the walk over the whole document finds where it is (key path) and reports it."""

    message: str
    line: int | None = None
    needle: str | None = None


def _line(mark: Any) -> int | None:
    """1-based line of a PyYAML mark."""
    return int(mark.line) + 1 if mark is not None else None


#: PyYAML's safe loader, on libyaml (C) when PyYAML was built with it, else pure Python; both behave alike.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_events(text: str) -> None:
    """First pass over the parse events, before anything is built: no alias, nesting within :data:`MAX_DEPTH`."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(f"alias *{event.anchor} is not accepted (aliases can expand a small file into a huge "
                           "one): write the value out in full", _line(event.start_mark))
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(f"lists and mappings nested deeper than {MAX_DEPTH} levels", _line(event.start_mark))
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1


class _SafeLoader(_BaseLoader):  # type: ignore[misc]
    """PyYAML's safe loader, refusing merge keys and repeated keys; values it cannot read become
    :class:`_Unreadable`. Run after :func:`_check_events`."""

    def flatten_mapping(self, node: Any) -> None:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("merge keys (<<) are not accepted: write the keys out in full",
                               _line(key_node.start_mark))
        super().flatten_mapping(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            seen: dict[Any, int | None] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise _Refused(f"key {key!r} appears twice (lines {seen[key]} and {_line(key_node.start_mark)}):"
                                   " keep one", _line(key_node.start_mark))
                seen[key] = _line(key_node.start_mark)
        return mapping

    def construct_yaml_int(self, node: Any) -> Any:
        try:
            value = int(super().construct_yaml_int(node))
        except ValueError:
            value = MAX_INTEGER
        if abs(value) >= MAX_INTEGER:
            return _Unreadable(f"integer {node.value[:20]}... is too large (at most 308 digits)",
                               _line(node.start_mark))
        return value

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as err:  # e.g. a date that does not exist: 2025-02-30
            return _Unreadable(f"value {str(node.value)[:40]!r} cannot be read: {err}", _line(node.start_mark))


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader.construct_yaml_int)


def _json_int(text: str) -> Any:
    if len(text.lstrip("-")) > 308:
        return _Unreadable(f"integer {text[:20]}... is too large (at most 308 digits)", needle=text)
    return int(text)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"key {key!r} appears twice in one object: keep one", repeated=json.dumps(key))
        out[key] = value
    return out


def _line_of(text: str, needle: str, occurrence: int = 1) -> int | None:
    """Line of the ``occurrence``-th appearance of ``needle`` in ``text`` (None when it does not appear)."""
    at = -1
    for _ in range(occurrence):
        at = text.find(needle, at + 1)
        if at < 0:
            return None
    return text.count("\n", 0, at) + 1


def _parse(text: str, is_json: bool) -> Any:
    if is_json:
        try:
            return json.loads(text, parse_int=_json_int, object_pairs_hook=_json_object)
        except json.JSONDecodeError as err:
            raise _Refused(f"not valid JSON: {err.msg} (column {err.colno})", err.lineno) from None
        except _Refused as err:
            if err.repeated is not None:
                err.line = _line_of(text, err.repeated, 2)
            raise
        except RecursionError:
            raise _Refused(f"lists and objects nested deeper than {MAX_DEPTH} levels") from None
    loader: _SafeLoader | None = None
    try:
        _check_events(text)
        loader = _SafeLoader(text)
        return loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" (column {mark.column + 1})" if mark is not None else ""
        what = "; ".join(part for part in (err.context, err.problem) if part)
        raise _Refused(f"not valid YAML: {what}{where}", _line(mark)) from None
    except yaml.reader.ReaderError as err:
        raise _Refused(f"character U+{err.character:04X} is not allowed in YAML: remove it"
                       if isinstance(err.character, int) else f"not valid YAML: {err}",
                       text.count("\n", 0, err.position) + 1) from None
    except yaml.YAMLError as err:
        raise _Refused(f"not valid YAML: {str(err)[:200]}") from None
    except RecursionError:
        raise _Refused(f"lists and mappings nested deeper than {MAX_DEPTH} levels") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check(data: Any, text: str, shown: str) -> None:
    """Walk the document (without recursion): nesting within :data:`MAX_DEPTH`, and no unreadable value (reported
    with its key path, e.g. ``prices[2]``)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, _Unreadable):
            line = item.line if item.needle is None else _line_of(text, item.needle)
            raise DocumentError(Problem(shown, line, path or None, item.message))
        if isinstance(item, dict | list) and depth + 1 > MAX_DEPTH:
            raise DocumentError(Problem(shown, None, path or None, f"lists and mappings nested deeper than "
                                        f"{MAX_DEPTH} levels"))
        if isinstance(item, dict):
            for key, value in reversed(item.items()):
                if isinstance(key, _Unreadable):
                    stack.append((key, path, depth + 1))
                stack.append((value, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(item, list):
            stack.extend((value, f"{path}[{i}]", depth + 1) for i, value in reversed(list(enumerate(item))))


def utf8_text(raw: bytes, shown: str) -> str:
    """``raw`` decoded as UTF-8 (a leading byte-order mark skipped); else :class:`DocumentError` naming the first
    byte that is not UTF-8, its byte offset in the file, its line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        start = err.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)  # offsets count from after the mark
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise DocumentError(Problem(shown, line, None, f"not UTF-8: byte 0x{raw[start]:02x} at byte offset {start} "
                                    f"(column {column}) cannot be decoded; re-save the file as UTF-8")) from None


def load_document(path: Path | str, what: str = "file") -> Any:
    """The content of the YAML (``.yaml``/``.yml`` or anything else) or JSON (``.json``) file at ``path``, read
    within the limits above; raises :class:`DocumentError` naming the file, line and key. ``what`` names the
    file's role in messages (``"case file"``)."""
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise DocumentError(Problem(shown, None, None, f"no such file (expected a {what})"))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DocumentError(Problem(shown, None, None, f"{size:,} bytes: a {what} may hold at most "
                                    f"{MAX_BYTES // 2**20} MiB"))
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    text = utf8_text(raw, shown)
    try:
        data = _parse(text, path.suffix.lower() == ".json")
    except _Refused as err:
        raise DocumentError(Problem(shown, err.line, None, err.message)) from None
    _check(data, text, shown)
    return data


def finite_number(value: Any) -> float | None:
    """A YAML/JSON number as a finite float; None for booleans, strings, null, NaN, infinities and integers too
    large for a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
