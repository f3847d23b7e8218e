"""A fresh clone installs and tests on any x86-64 or arm64 Linux with Python 3.11 (issue 14, "fresh machine"):
the build backend is pinned and new enough for the ``license = "MIT"`` form, every declared dependency is locked
and used, and there is one version string."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import marketpower

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = {
    name.lower().replace("_", "-"): pin
    for name, pin in (line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line)
}

#: Distribution name -> the module it is imported as, where they differ.
MODULES = {"pyyaml": "yaml", "pytest": "pytest", "vl-convert-python": "vl_convert"}
#: Dependencies used as commands, by the type checker or as a pytest plugin (pytest-xdist: the Makefile's
#: ``pytest -n``, checked below), never imported.
TOOLS = {"ruff", "mypy", "pandas-stubs", "types-pyyaml", "pytest-xdist"}


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = PYPROJECT["project"]
    raw = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(r) for r in raw]


def _lock_name(requirement: Requirement) -> str:
    return requirement.name.lower().replace("_", "-")


def test_build_backend_is_new_enough_and_locked() -> None:
    # setuptools >= 77 reads the SPDX form `license = "MIT"`; 65.5 (the old lock) rejects it
    assert PYPROJECT["project"]["license"] == "MIT"
    for raw in PYPROJECT["build-system"]["requires"]:
        requirement = Requirement(raw)
        assert _lock_name(requirement) in LOCK, f"{requirement.name} (build backend) is not pinned in constraints.txt"
        assert requirement.specifier.contains(LOCK[_lock_name(requirement)]), (
            f"constraints.txt pins {requirement.name}=={LOCK[_lock_name(requirement)]}, outside {requirement}"
        )
    setuptools = next(Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools"))
    assert not setuptools.specifier.contains("76.1.0"), "the license = 'MIT' form needs setuptools >= 77"


def test_make_installs_the_build_backend_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    install = [
        line for line in makefile.splitlines()
        if "pip install" in line and "-e '.[" in line and "mp-lock" not in line
    ]
    assert install and all("--build-constraint constraints.txt" in line for line in install)
    assert "pip==$$(grep '^pip==' constraints.txt" in makefile  # pip itself from the lock (>= 25.3 knows the option)
    major, minor = (int(x) for x in LOCK["pip"].split(".")[:2])
    assert (major, minor) >= (25, 3)


@pytest.mark.parametrize("extra", [None, "dev", "bench", "pdf"])
def test_every_declared_dependency_is_pinned(extra: str | None) -> None:
    unpinned = [r.name for r in _requirements(extra) if _lock_name(r) not in LOCK and not r.specifier]
    if extra == "bench":  # pinned in place, kept out of the lock (pyblp is only for the benchmarks)
        unpinned = [r.name for r in _requirements(extra) if not str(r.specifier).startswith("==")]
    assert not unpinned, f"pin {', '.join(unpinned)} in constraints.txt"


def _imported_modules(folders: tuple[str, ...]) -> set[str]:
    pattern = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_][A-Za-z0-9_]*)|importorskip\(\"([A-Za-z_]\w*)", re.M)
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                found.add(match.group(1) or match.group(2))
    return found


@pytest.mark.parametrize("extra", [None, "dev", "bench", "pdf"])
def test_every_declared_dependency_is_used(extra: str | None) -> None:
    # what the package needs at run time is imported by the package itself; the extras anywhere
    imported = _imported_modules(("src",) if extra is None else ("src", "tests", "bench"))
    unused = [
        r.name
        for r in _requirements(extra)
        if r.name.lower() not in TOOLS and MODULES.get(r.name.lower(), r.name.lower().replace("-", "_")) not in imported
    ]
    where = "src/" if extra is None else "src/, tests/ or bench/"
    assert not unused, f"declared but never imported in {where}: {', '.join(unused)}"


def test_make_test_runs_the_suite_on_every_core_with_xdist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\t\$\(BIN\)/pytest -q -n \$\(TEST_WORKERS\) --dist loadfile$", makefile, re.M)


def test_one_version_string() -> None:
    assert marketpower.__version__ == PYPROJECT["project"]["version"]
    source = (ROOT / "src" / "marketpower" / "__init__.py").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["version"] not in source  # read from the metadata, not written twice


def test_changelog_has_an_unreleased_section_and_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    version = re.escape(PYPROJECT["project"]["version"])
    assert re.search(rf"^## \[{version}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)


def test_version_flag(cli) -> None:
    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"marketpower {marketpower.__version__}"


def test_browser_tests_skip_with_a_reason_where_chromium_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pytestconfig: pytest.Config
) -> None:
    # the suite's root conftest, as pytest loaded it (several folders have a conftest.py, so `import conftest`
    # may find another one)
    root = str(Path(__file__).parent / "conftest.py")
    conftest = next(p for p in pytestconfig.pluginmanager.get_plugins() if getattr(p, "__file__", None) == root)
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "missing")
    assert "not installed" in (conftest.chromium_problem() or "")
    broken = tmp_path / "chromium"  # e.g. a snap stub, or a binary missing its libraries
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setattr(conftest, "CHROMIUM", broken)
    assert "does not start (exit 127): error while loading shared libraries" in (conftest.chromium_problem() or "")
