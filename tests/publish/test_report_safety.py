"""Writing the report never deletes a file it did not write: a previous report is replaced in one step, any
other non-empty folder is refused (or, with --force, moved aside whole), and the PDF holds no absolute path."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from marketpower.errors import InvalidInputError
from marketpower.publish.report import REPORT_MANIFEST, build_report
from marketpower.store import Store


@pytest.fixture(scope="module")
def mini_store(mini_package: Path) -> Store:
    return Store.open(package=mini_package)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_user_files_in_the_folder_are_never_deleted(tmp_path: Path, mini_store: Store) -> None:
    out = tmp_path / "site"
    (out / "assets").mkdir(parents=True)
    (out / "assets" / "logo.svg").write_text("<svg/>")  # the user's file where the report puts its assets
    (out / "notes.md").write_text("mine")
    before = _tree(out)
    with pytest.raises(InvalidInputError) as caught:
        build_report(mini_store, out)
    message = str(caught.value)
    assert "not a report" in message and "--force" in message and "assets/logo.svg" in message
    assert _tree(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    written = build_report(mini_store, out, force=True)
    assert written.moved_aside is not None and _tree(written.moved_aside) == before  # moved whole, not deleted
    assert (out / "index.html").is_file() and not (out / "notes.md").exists()


def test_a_previous_report_is_replaced_whole_and_nothing_is_left_over(tmp_path: Path, mini_store: Store) -> None:
    out = tmp_path / "site"
    build_report(mini_store, out)
    files = json.loads((out / REPORT_MANIFEST).read_text())["files"]
    assert "index.html" in files and "assets/style.css" in files and set(files) | {REPORT_MANIFEST} == set(_tree(out))
    (out / "entity-gone.html").write_text("old page")  # a page only the previous report had ...
    manifest = json.loads((out / REPORT_MANIFEST).read_text())
    manifest["files"].append("entity-gone.html")  # ... listed in its manifest
    (out / REPORT_MANIFEST).write_text(json.dumps(manifest))
    build_report(mini_store, out, lang="fr")
    assert not (out / "entity-gone.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or old folder left beside it
    assert 'lang="fr"' in (out / "index.html").read_text()
    (out / "mine.txt").write_text("mine")  # a file no report wrote: the folder is no longer only a report
    with pytest.raises(InvalidInputError, match=r"mine\.txt"):
        build_report(mini_store, out)
    assert (out / "mine.txt").read_text() == "mine"


def test_a_killed_build_s_staging_is_removed_by_the_next_build(tmp_path: Path, mini_store: Store) -> None:
    """A build killed before its swap leaves its staging folder beside the report; the next build removes it when
    the process that made it is gone, and leaves a live build's staging and any other folder alone."""
    import os
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f".site.partial-{gone.stdout.strip()}-abc123"  # that process has exited
    live = tmp_path / f".site.partial-{os.getpid()}-def456"  # this process runs
    other = tmp_path / ".site.partial-notes"  # not a staging name: never touched
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "index.html").write_text("half a report")
    build_report(mini_store, tmp_path / "site")
    assert not dead.exists() and live.is_dir() and other.is_dir()
    assert (tmp_path / "site" / "index.html").is_file()


def test_out_and_pdf_of_the_wrong_kind_are_clear_errors(tmp_path: Path, cli: Callable[..., Any]) -> None:
    (tmp_path / "file.txt").write_text("x")
    result = cli("report", "--package", "tests/fixtures/mini", "--out", str(tmp_path / "file.txt"))
    message = " ".join(result.err.replace("│", " ").split())  # the text of Rich's error panel, unwrapped
    assert result.code == 2 and "is a file" in message and "Traceback" not in result.err
    result = cli("report", "--package", "tests/fixtures/mini", "--out", str(tmp_path / "r"), "--pdf", str(tmp_path))
    assert result.code != 0 and "--pdf" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "r").exists()


def test_cli_report_force(tmp_path: Path, cli: Callable[..., Any], mini_package: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    refused = cli("report", "--package", str(mini_package), "--out", str(out))
    assert refused.code != 0 and "--force" in refused.err and (out / "keep.txt").read_text() == "mine"
    forced = cli("report", "--package", str(mini_package), "--out", str(out), "--force")
    assert forced.code == 0 and "held before is now in" in forced.out
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("site.before-report-")]
    assert (aside / "keep.txt").read_text() == "mine"


def _pdf_text(pdf: Path) -> bytes:
    """The PDF's bytes with every Flate stream (object streams hold the link annotations) decompressed."""
    data = pdf.read_bytes()
    parts = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_pdf_links_are_relative_never_file_urls(tmp_path: Path, mini_store: Store) -> None:
    pytest.importorskip("weasyprint", reason="the pdf extra (WeasyPrint + pango) is not installed")
    pdf = tmp_path / "print" / "report.pdf"
    build_report(mini_store, tmp_path / "site", pdf=pdf)
    text = _pdf_text(pdf)
    links = set(re.findall(rb"/URI\s*\(([^)]*)\)", text))
    assert b"../site/market-widgets.html" in links and b"https://example.org/widgets-2024" in links
    assert b"file:" not in text and str(tmp_path).encode() not in text
