"""No module imports upward: the layers of docs/architecture.md, checked on every module's imports (ast); and the
front ends reach the domain only through the application layer.

schema (with errors, files, cache, datasets) < store / ingest < measures / simulate / flows / politics / engines
< scenario < api < publish / cli / claims. A module may import its own layer and the layers below; besides, ingest never
imports the store (the store loads packages through ingest, not the other way round).
"""

from __future__ import annotations

import ast
from pathlib import Path

import marketpower

ROOT = Path(marketpower.__file__).parent
#: Names imported from the root package (``marketpower/__init__.py``: the version) sit below every layer.
ROOT_PACKAGE = "__init__"
LAYERS = {
    ROOT_PACKAGE: 0,
    "errors": 0,
    "files": 0,
    "cache": 0,
    "schema": 0,
    "datasets": 0,
    "store": 1,
    "store_cache": 1,
    "ingest": 1,
    "measures": 2,
    "simulate": 2,
    "flows": 2,
    "politics": 2,
    "engines": 2,
    "scenario": 3,
    "api": 4,
    "publish": 5,
    "cli": 5,
    "claims": 5,
}
#: Imports across a boundary of the order that are allowed, with the reason; each must still exist (so the list
#: shrinks as they are mended).
KNOWN = {
    # The Epoch chip-owner ingest writes each market-year's HHI range beside its shares: one HHI implementation.
    ("ingest.epoch_chips", "measures.concentration"),
    # The Open States ingest classifies bills as AI or not while loading them (the classifier is politics').
    ("ingest.openstates", "politics.bills"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every marketpower module ``path`` imports (absolute or relative, at any depth of the file), without the
    ``marketpower.`` prefix."""
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name.removeprefix("marketpower.") for a in node.names if a.name.startswith("marketpower.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.split(".")[0] == "marketpower":
                    base = node.module.split(".")[1:]
                else:
                    continue
            else:
                base = (package[: len(package) - node.level + 1] if node.level > 1 else package) + (
                    node.module.split(".") if node.module else []
                )
            if node.module:
                targets = [".".join(base)]
            elif base:
                targets = [".".join([*base, a.name]) for a in node.names]
            else:  # ``from .. import __version__``: names of the root package itself
                targets = [ROOT_PACKAGE]
            out |= {t for t in targets if t}
    return out


def _layer(module: str) -> int | None:
    return LAYERS.get(module.split(".")[0])


def _edges() -> list[tuple[str, str]]:
    return [
        (_module_name(path), target)
        for path in sorted(ROOT.rglob("*.py"))
        for target in sorted(_imports(path))
        if _module_name(path)
    ]


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    packages |= {p.stem for p in ROOT.glob("*.py") if p.stem != "__init__"}
    assert packages - set(LAYERS) == set()
    assert _imports(ROOT / "__init__.py") == set()  # the root package imports none of its modules


def test_relative_imports_are_resolved() -> None:
    """The resolver finds known imports of the code (a wrong resolution would hide upward imports)."""
    imports = _imports(ROOT / "publish" / "pages.py")
    assert {"api", "errors", "publish.charts"} <= {i.split(".")[0] if i == "api" else i for i in imports}
    assert "store" in _imports(ROOT / "api" / "markets.py")


def test_no_module_imports_upward() -> None:
    upward = []
    for source, target in _edges():
        low, high = _layer(source), _layer(target)
        assert low is not None and high is not None, (source, target)
        key = (source, ".".join(target.split(".")[:2]))
        if high > low and key not in KNOWN:
            upward.append(f"{source} imports {target}")
    assert upward == []


def test_front_ends_ask_the_application_layer() -> None:
    """The CLI, the publishing modules and the claims check reach the domain packages only through ``api`` (they
    may still read and write files through ``ingest``, and name schema constants)."""
    domain = {"measures", "simulate", "flows", "politics", "scenario"}
    direct = [
        f"{s} imports {t}"
        for s, t in _edges()
        if s.split(".")[0] in {"cli", "publish", "claims"} and t.split(".")[0] in domain
    ]
    assert direct == []


def test_ingest_never_imports_the_store() -> None:
    assert [(s, t) for s, t in _edges() if s.startswith("ingest") and t.split(".")[0] == "store"] == []


def test_known_exceptions_still_exist() -> None:
    edges = {(s, ".".join(t.split(".")[:2])) for s, t in _edges()}
    assert edges >= KNOWN
