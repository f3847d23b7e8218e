"""A report rebuilt over a previous one copies the chart images it would draw the same instead of drawing them again:
an image is reused only while its seal in the manifest holds (same bytes, renderer, charts.py and language), so a
changed file or another language is drawn anew, and the rebuilt report equals a fresh build."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from marketpower.publish import charts
from marketpower.publish.report import REPORT_MANIFEST, build_report
from marketpower.store import Store


@pytest.fixture(scope="module")
def mini_store(mini_package: Path) -> Store:
    return Store.open(package=mini_package)


@pytest.fixture()
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The languages of the images drawn by vl-convert, one entry per image."""
    calls: list[str] = []
    lock = threading.Lock()
    draw = charts.to_svg

    def counting(spec: dict[str, Any], lang: str, signals: dict[str, Any] | None = None) -> str:
        with lock:
            calls.append(lang)
        return draw(spec, lang, signals)

    monkeypatch.setattr(charts, "to_svg", counting)
    return calls


def _images(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "charts").glob("*.svg"))}


def test_rebuild_reuses_sealed_images_only(tmp_path: Path, mini_store: Store, drawn: list[str]) -> None:
    out = tmp_path / "site"
    build_report(mini_store, out)
    first, count = _images(out), len(drawn)
    assert count == len(first) >= 1  # one drawing per distinct chart of report.html
    seals = json.loads((out / REPORT_MANIFEST).read_text())["chart_seals"]
    assert sorted(seals) == [f"charts/{name}" for name in first]
    page = (out / "report.html").read_bytes()

    build_report(mini_store, out)  # over the previous report: nothing drawn, the same images and page
    assert len(drawn) == count
    assert _images(out) == first and (out / "report.html").read_bytes() == page

    tampered = next(iter(first))
    (out / "charts" / tampered).write_text("<svg/>", encoding="utf-8")
    build_report(mini_store, out)  # the seal no longer holds for that one file: drawn again, as before
    assert len(drawn) == count + 1 and _images(out) == first

    build_report(mini_store, out, lang="fr")  # another language: other number formats, every image drawn
    assert drawn[count + 1 :] == ["fr"] * count
    fresh = tmp_path / "fresh"
    build_report(mini_store, fresh, lang="fr")
    assert _images(out) == _images(fresh)
