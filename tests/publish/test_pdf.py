"""The report's PDF, checked on its pixels: every chart box of the printed report holds a drawn chart (the
static image, never an empty box), no table or chart crosses the page's right margin, the navigation and the
"This page as JSON" link are not printed. The PDF is the one ``build_report(pdf=...)`` writes; its layout (where
WeasyPrint placed each box) is read from the same rendering, its pages rasterised with poppler's pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from marketpower.store import Store

#: Raster resolution of the checks (dots per inch); CSS pixels are 1/96 inch.
DPI = 48
SCALE = DPI / 96


@dataclass(frozen=True)
class Box:
    page: int
    tag: str
    classes: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Printed:
    pdf: Path
    pages: list[Any]  # raster images (PIL), one per page
    boxes: list[Box]
    content_right: float  # the right edge of the page's content area, CSS px
    page_width: float
    texts: list[str]  # text of each page (pdftotext)


def _boxes(document: Any) -> list[Box]:
    out = []
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            tag = getattr(box, "element_tag", None)
            if tag not in ("img", "table", "nav") or box.element is None:
                continue
            out.append(
                Box(
                    number,
                    tag,
                    box.element.get("class") or "",
                    box.border_box_x(),
                    box.border_box_y(),
                    box.border_width(),
                    box.border_height(),
                )
            )
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, aistack: Store) -> Printed:
    try:  # without pango WeasyPrint's import raises OSError, which importorskip would let through
        import weasyprint
    except (ImportError, OSError) as error:
        pytest.skip(f"the pdf extra (WeasyPrint + pango) is not usable here: {type(error).__name__}: {error}")
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed: scripts/ensure-test-deps.sh installs it")
    from PIL import Image

    from marketpower.publish.report import build_report

    tmp = tmp_path_factory.mktemp("pdf")
    rendered: list[Any] = []
    original = weasyprint.Document.write_pdf

    def keep(self: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.append(self)
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(weasyprint.Document, "write_pdf", keep)
        written = build_report(aistack, tmp / "report", lang="fr", pdf=tmp / "report.pdf")
    assert written.missing_images == []
    (document,) = rendered
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(written.pdf), str(tmp / "page")], check=True)
    images = [Image.open(p).convert("L") for p in sorted(tmp.glob("page-*.png"))]
    texts = subprocess.run(["pdftotext", "-layout", str(written.pdf), "-"], check=True, capture_output=True, text=True)
    first = document.pages[0]._page_box
    return Printed(
        written.pdf,
        images,
        _boxes(document),
        first.margin_left + first.width + first.padding_left + first.padding_right,
        document.pages[0].width,
        texts.stdout.split("\f"),
    )


def test_the_pdf_has_every_page_of_the_layout(printed: Printed) -> None:
    info = subprocess.run(["pdfinfo", str(printed.pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages == len(printed.pages) >= 20


def test_every_chart_box_holds_a_drawn_chart(printed: Printed) -> None:
    charts = [b for b in printed.boxes if b.tag == "img" and "chart-image" in b.classes]
    assert len(charts) >= 10  # the report's concentration charts by layer, value by layer, politics, tornadoes
    for box in charts:
        image = printed.pages[box.page]
        left, top = int(box.x * SCALE), int(box.y * SCALE)
        crop = image.crop((left, top, left + max(1, int(box.width * SCALE)), top + max(1, int(box.height * SCALE))))
        pixels = list(crop.tobytes())
        inked = sum(p < 235 for p in pixels) / len(pixels)
        mean = sum(pixels) / len(pixels)
        spread = (sum((p - mean) ** 2 for p in pixels) / len(pixels)) ** 0.5
        assert box.height > 40 and inked > 0.01 and spread > 10, (box, inked, spread)


def test_no_table_or_chart_crosses_the_right_margin(printed: Printed) -> None:
    tables = [b for b in printed.boxes if b.tag == "table"]
    assert len(tables) >= 10
    for box in tables + [b for b in printed.boxes if b.tag == "img"]:
        assert box.x + box.width <= printed.content_right + 0.5, box
    # and on the pixels: the right margin of every page is blank paper
    for number, image in enumerate(printed.pages):
        strip = image.crop((int(printed.content_right * SCALE) + 2, 0, image.width, image.height))
        assert min(strip.tobytes()) > 240, f"page {number + 1}: something is printed in the right margin"


def test_navigation_and_the_json_link_are_not_printed(printed: Printed) -> None:
    navigation = [b for b in printed.boxes if b.tag == "nav"]
    assert navigation and all("toc" in b.classes for b in navigation)  # the report's contents list only
    for text in printed.texts:
        assert "Cette page en JSON" not in text and "This page as JSON" not in text
    # the tables' last column (the source marks) is printed whole, not cut to its first letter
    assert any("Source" in text for text in printed.texts)
