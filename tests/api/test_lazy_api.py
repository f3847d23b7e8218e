"""``marketpower.api`` imports lazily: importing it loads none of its submodules' heavy libraries, and every name
it exports resolves to the object its submodule defines, by attribute, by ``from ... import`` and in ``dir``."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from marketpower import api

HEAVY = ("pandas", "duckdb", "networkx", "scipy", "marketpower.store")


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return what it prints."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_api_loads_no_heavy_library() -> None:
    loaded = _fresh(f"import sys, marketpower.api; print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    assert loaded == ""


@pytest.mark.parametrize("name", api.__all__)
def test_every_exported_name_resolves_to_its_submodules_object(name: str) -> None:
    module = importlib.import_module(api._MODULE_OF[name], api.__name__)
    expected = getattr(module, api._ALIASES.get(name, name))
    assert getattr(api, name) is expected
    assert name in dir(api)


def test_from_import_star_gives_every_name() -> None:
    names = _fresh("from marketpower.api import *; print(','.join(sorted(k for k in dir() if not k.startswith('_'))))")
    assert names.split(",") == sorted(api.__all__)


def test_a_name_shared_with_a_submodule_stays_the_function_after_the_submodule_is_imported() -> None:
    """``api.markets`` is the function even when ``marketpower.api.markets`` (the module) was imported first."""
    kinds = _fresh(
        "import marketpower.api.markets, marketpower.api.deals, marketpower.api.concentration\n"
        "from marketpower import api\n"
        "print(','.join(type(getattr(api, n)).__name__ for n in ('markets', 'deals', 'concentration')))"
    )
    assert kinds == "function,function,function"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_question"):
        _ = api.no_such_question
    assert not hasattr(api, "no_such_question")


def test_type_checking_imports_match_the_mapping() -> None:
    """The imports under ``TYPE_CHECKING`` (for type checkers) name the same objects as the lazy mapping."""
    tree = ast.parse(Path(api.__file__).read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    imported: dict[str, tuple[str, str]] = {}
    assigned: dict[str, str] = {}
    for node in block.body:
        if isinstance(node, ast.Assign):  # an alias: NAME = IMPORTED_NAME
            assert isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Name)
            assigned[node.targets[0].id] = node.value.id
            continue
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            assert alias.asname in (None, alias.name), "re-export as `name as name`, aliases by assignment"
            imported[alias.name] = ("." * node.level + (node.module or ""), alias.name)
    for name, source in assigned.items():
        imported[name] = imported.pop(source)
    lazy = {name: (module, api._ALIASES.get(name, name)) for name, module in api._MODULE_OF.items()}
    assert imported == lazy
