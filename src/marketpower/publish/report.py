"""The static report: a folder of HTML pages that opens from disk (chart library copied beside it), each page
with its JSON twin, and optionally a PDF of the report's sections (WeasyPrint).

The charts of ``report.html`` (every page's with ``all_images``) are also drawn offline as static SVG images
(vl-convert) under ``charts/``, shown inside the chart's box: the PDF prints them (WeasyPrint runs no script) and
a browser without scripts shows them; with scripts the interactive chart replaces them. Images are drawn in
worker threads while the pages are written, one per distinct chart. A build that replaces a previous report
copies the images it would draw the same from that report instead of drawing them again: the manifest seals each
image (:func:`_seal`: its bytes with the renderer's version, ``charts.py`` and the language), and an image is
reused only when its seal still holds.

Every table of the overview, ``report.html`` and the list pages is also written as CSV and Parquet files under
``tables/`` (:func:`marketpower.publish.tables.write_files`: the dashboard's table model and CSV writer) and
linked from its page; in the browser each table of every page sorts (header click), filters (a text box) and
keeps its view in the address's fragment, a permalink (``static/tables.js``; without scripts, plain tables).

A report is built in a new hidden folder beside ``out`` and put in place in one step (so a reader, or a killed
build, sees the old report or the new one); its file :data:`REPORT_MANIFEST` lists every file it wrote. A
folder is replaced only if it is empty or a previous report holding nothing but the files its manifest lists;
anything else is refused unless ``force``, and then its contents are moved aside, never deleted."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..api import Context, jsonable
from ..errors import InvalidInputError
from ..files import swap_in_folder, write_whole
from ..store import Store
from . import charts, pages, tables
from .briefing import build_briefing, render_briefing
from .i18n import check_language, translator
from .render import LIST_PAGES, STATIC, render, static_link, twin_json

#: The briefing's page in each language's folder of a report (beside it, ``briefing.md``).
BRIEFING_PAGE = "briefing.html"
#: The file of a report folder listing every file the report wrote (paths relative to the folder).
REPORT_MANIFEST = "marketpower-report.json"
#: The folder of the tables' CSV and Parquet files, and the pages whose tables are written there (the item
#: pages' tables are parts of these: their rows are in the list pages' files and in each page's JSON twin).
TABLES_FOLDER = "tables"
TABLE_FILE_PAGES = ("overview", "report", *(p for p in LIST_PAGES if p != "search"))


@dataclass(frozen=True)
class ReportOutput:
    """Where a report was written: its index page, the PDF if any, where the folder's earlier contents went
    when ``force`` replaced a folder that was not a report (None otherwise), and any chart left without an image."""

    index: Path
    pdf: Path | None = None
    moved_aside: Path | None = None
    #: Charts whose static image could not be drawn (their pages keep the interactive chart and its table).
    missing_images: list[str] = field(default_factory=list)


def _remove_dead_stagings(out: Path) -> None:
    """Delete the staging folders that builds of ``out`` killed before their swap left beside it: named
    ``.<out>.partial-<pid>-*`` by :func:`build_report`, of a process that no longer runs. Another build's live
    staging, and anything else, stay."""
    for folder in out.parent.glob(f".{out.name}.partial-*-*"):
        pid = folder.name[len(f".{out.name}.partial-") :].split("-", 1)[0]
        if not (pid.isdigit() and folder.is_dir()) or _running(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (signal 0 probes without signalling)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _report_files(folder: Path) -> list[str]:
    """Every file under ``folder``, as POSIX paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _unlisted(out: Path) -> list[str]:
    """The files under ``out`` that no report manifest there lists (all of them when there is none)."""
    try:
        listed = set(json.loads((out / REPORT_MANIFEST).read_text(encoding="utf-8"))["files"]) | {REPORT_MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        listed = set()
    return [f for f in _report_files(out) if f not in listed]


def _previous_report(out: Path) -> list[str] | None:
    """The files of the previous report at ``out`` when its manifest lists every file there, else None."""
    if not (out / REPORT_MANIFEST).is_file() or _unlisted(out):
        return None
    return _report_files(out)


def _check_out(out: Path, force: bool) -> str:
    """How ``out`` may be written: ``new`` (absent or empty), ``report`` (a previous report) or ``forced``; a
    clear error for a file, or for a folder holding files no report wrote unless ``force``."""
    if out.exists() and not out.is_dir():
        raise InvalidInputError(f"--out {out}: this is a file, not a folder; give a folder for the report")
    if not out.exists() or not any(out.iterdir()):
        return "new"
    if _previous_report(out) is not None:
        return "report"
    if force:
        return "forced"
    foreign = _unlisted(out)[:5]
    raise InvalidInputError(
        f"--out {out}: the folder is not empty and is not a report written by marketpower (it holds "
        f"{', '.join(foreign) or 'folders'}{' ...' if len(foreign) == 5 else ''}). Nothing was written. Choose a "
        "new or empty folder, or pass --force to put the report there (what the folder holds is then moved to "
        "a folder beside it, never deleted)"
    )


def _remove_report(folder: Path) -> None:
    """Delete a replaced report folder: the files its manifest lists, then its emptied folders; anything else
    stays (it was checked to hold nothing else)."""
    listed = _previous_report(folder)
    if listed is None:
        return
    for name in listed:
        (folder / name).unlink(missing_ok=True)
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(sub.iterdir()):
            sub.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()


def build_report(
    store: Store,
    out: Path | str,
    lang: str = "en",
    pdf: Path | str | None = None,
    force: bool = False,
    also: tuple[str, ...] = (),
    all_images: bool = False,
) -> ReportOutput:
    """Write the report into the folder ``out`` and return where it went (see the module's docstring for how
    ``out`` is replaced and when it is refused; ``force`` moves a non-report folder's contents aside).

    ``pdf``: also print the report's sections to this PDF file (needs the ``pdf`` extra: WeasyPrint and pango);
    its links to the report's pages are relative to the PDF's folder.
    ``also``: other languages, each a whole report in the subfolder ``<lang>/``; every page then links to the
    same page in the other languages (the language switch).
    ``all_images``: draw the static image of every page's charts, not only those of ``report.html`` (the pages
    the PDF prints; other pages draw their charts in the browser from the vendored library).
    """
    check_language(lang)
    also = tuple(dict.fromkeys(check_language(other) for other in also if other != lang))
    out = Path(out)
    pdf_file = Path(pdf) if pdf is not None else None
    if pdf_file is not None and pdf_file.is_dir():
        raise InvalidInputError(f"--pdf {pdf_file}: this is a folder; give a file name such as report.pdf")
    write_pdf = _pdf_writer() if pdf_file is not None else None  # fail before writing anything
    how = _check_out(out, force)
    ctx = Context(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_stagings(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp's folder is private; a report is meant to be read (served, shared)
    try:
        languages = {lang: "", **{other: f"{other}/" for other in also}}
        sealed = _sealed_images(out) if how == "report" else {}
        missing_images, seals = [], {}
        for language, folder in languages.items():
            (staging / folder).mkdir(exist_ok=True)
            previous = {n[len(folder) :]: (out / n, seal) for n, seal in sealed.items() if n.startswith(folder)}
            images = ChartImages(staging / folder, language, previous=previous)
            up = "../" if folder else ""
            missing_images += _write_pages(ctx, staging / folder, language, languages, images, up, all_images)
            seals.update({folder + name: seal for name, seal in images.seals.items()})
        files = _report_files(staging)
        manifest = {"generator": "marketpower report", "lang": lang, "files": files, "chart_seals": seals}
        (staging / REPORT_MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if write_pdf is not None and pdf_file is not None:
            pdf_file.parent.mkdir(parents=True, exist_ok=True)
            write_whole(
                pdf_file, lambda partial: write_pdf(staging / static_link("report"), partial, staging, out, pdf_file)
            )
        old = swap_in_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # made by mkdtemp above: only this build's files
        raise
    moved_aside = None
    if old is not None and how == "forced":
        moved_aside = Path(tempfile.mkdtemp(prefix=f"{out.name}.before-report-", dir=out.parent))
        os.replace(old, moved_aside)
    elif old is not None:
        _remove_report(old)
    return ReportOutput(out / "index.html", pdf_file, moved_aside, missing_images)


class ChartImages:
    """Static SVG images of a report's charts, drawn in worker threads: calling it with a (localized) spec and
    its signal overrides returns the image's path relative to the report folder at once; :meth:`wait` returns
    when every image is written and lists the charts that could not be drawn (their page keeps the interactive
    chart and the table; the build says which)."""

    FOLDER = "charts"

    def __init__(
        self, out: Path, lang: str, workers: int | None = None, previous: dict[str, tuple[Path, str]] | None = None
    ) -> None:
        self.out, self.lang = out, lang
        self.pool = ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1))
        self.pending: dict[str, Future[None]] = {}
        #: Images of the report being replaced (name -> its file and seal) and the seals of this build's images.
        self.previous = previous or {}
        self.seals: dict[str, str] = {}
        (out / self.FOLDER).mkdir()

    def __call__(self, spec: dict[str, Any], signals: dict[str, Any] | None) -> str:
        key = hashlib.sha256(json.dumps([spec, signals], sort_keys=True).encode()).hexdigest()[:20]
        name = f"{self.FOLDER}/{key}.svg"
        if name not in self.pending:
            self.pending[name] = self.pool.submit(self._draw, spec, signals, self.out / name)
        return name

    def _draw(self, spec: dict[str, Any], signals: dict[str, Any] | None, target: Path) -> None:
        """Write the chart's image, the previous report's copy when its seal holds; if it cannot be drawn, an
        image saying so (the link still resolves, no seal: the next build tries again) and re-raise for
        :meth:`wait` to report."""
        name = target.relative_to(self.out).as_posix()
        file, seal = self.previous.get(name, (None, None))
        try:
            old = file.read_bytes() if file is not None else None
        except OSError:
            old = None
        if old is not None and _seal(old, self.lang) == seal:
            target.write_bytes(old)
            self.seals[name] = seal
            return
        try:
            svg = charts.to_svg(spec, self.lang, signals).encode("utf-8")
        except Exception:
            target.write_text(_NO_IMAGE.format(text=translator(self.lang)("chart_no_image")), encoding="utf-8")
            raise
        target.write_bytes(svg)
        self.seals[name] = _seal(svg, self.lang)

    def wait(self) -> list[str]:
        """Wait for every image; the charts that failed, as ``charts/<key>.svg: error``."""
        failed = []
        try:
            for name, future in self.pending.items():
                error = future.exception()
                if error is not None:
                    failed.append(f"{name}: {type(error).__name__}: {(str(error).splitlines() or [''])[0][:200]}")
        finally:
            self.pool.shutdown(cancel_futures=True)
        return failed


def _seal(image: bytes, lang: str) -> str:
    """SHA-256 of a chart image with what drew it: vl-convert's version, ``charts.py`` (the specs' code, the
    locales, :func:`charts.to_svg`) and the language. The image's file name is already the hash of its spec and
    signals, so an image whose seal holds is the one this build would draw."""
    from importlib.metadata import version

    renderer = f"vl-convert-python {version('vl-convert-python')}\n{lang}\n".encode()
    return hashlib.sha256(renderer + _charts_source() + b"\n" + image).hexdigest()


@functools.cache
def _charts_source() -> bytes:
    return Path(charts.__file__).read_bytes()


def _sealed_images(out: Path) -> dict[str, str]:
    """The chart images of the previous report at ``out`` with their seals (none from a report without them)."""
    try:
        seals = json.loads((out / REPORT_MANIFEST).read_text(encoding="utf-8")).get("chart_seals", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in seals.items()} if isinstance(seals, dict) else {}


#: The image of a chart that could not be drawn.
_NO_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="40"><text x="8" y="24" font-size="13" '
    'font-family="sans-serif">{text}</text></svg>'
)


def _write_pages(
    ctx: Context,
    out: Path,
    lang: str,
    languages: dict[str, str],
    images: ChartImages,
    up: str = "",
    all_images: bool = False,
) -> list[str]:
    """Every page of the report in ``lang`` and its JSON twin, the charts' static images (by ``images``, made
    for ``out``) and the assets, into the new folder ``out``; returns the charts whose image could not be drawn
    (see :class:`ChartImages`). ``languages`` maps each language of the report to its folder (relative to the
    report's), ``up`` leads from ``out`` back to the report's folder; ``all_images``: see :func:`build_report`."""
    shutil.copytree(STATIC, out / "assets")
    switch = {other: up + folder for other, folder in languages.items() if other != lang}
    try:
        _write_each_page(ctx, out, lang, images, switch, all_images)
    except BaseException:
        images.pool.shutdown(cancel_futures=True)
        raise
    return images.wait()


def _write_each_page(
    ctx: Context, out: Path, lang: str, images: ChartImages, switch: dict[str, str], all_images: bool
) -> None:
    """Every page of the report and its JSON twin; ``images`` draws the static image of each chart of
    ``report.html`` (of every page with ``all_images``), ``switch`` maps the report's other languages to the
    folder of their pages (relative to ``out``)."""

    (out / TABLES_FOLDER).mkdir()

    def write(page: str, key: str | None, template: str, data: Any) -> None:
        filename = static_link(page, key)
        twin = static_link(page, key, ".json")
        files = (
            tables.write_files(data, page, out / TABLES_FOLDER, static_link(page, key, ""))
            if page in TABLE_FILE_PAGES
            else []
        )
        html = render(
            template,
            data,
            lang=lang,
            link=static_link,
            asset=lambda p: f"assets/{p}",
            package_name=ctx.package_name,
            json_twin=twin,
            mode="static",
            here=(page, key),
            **({"chart_image": images} if all_images or page == "report" else {}),
            table_files=[
                {**f, "csv": f"{TABLES_FOLDER}/{f['csv']}", "parquet": f"{TABLES_FOLDER}/{f['parquet']}"} for f in files
            ],
            other_languages=[{"lang": other, "href": folder + filename} for other, folder in switch.items()],
        )
        writer.write(out / filename, html)
        writer.write(out / twin, twin_json(data))  # the dashboard's twin, byte for byte

    with _Writer() as writer:
        _write_page_list(ctx, write)
        # the newsletter briefing of the same data (page, Markdown, JSON twin), linked to the other languages'
        briefing = build_briefing(ctx, lang)
        others = [{"lang": other, "href": folder + BRIEFING_PAGE} for other, folder in switch.items()]
        writer.write(out / BRIEFING_PAGE, render_briefing(briefing, "html", others))
        writer.write(out / "briefing.md", render_briefing(briefing, "md"))
        writer.write(out / "briefing.json", twin_json(jsonable(briefing)))


def _write_page_list(ctx: Context, write: Callable[[str, str | None, str, Any], None]) -> None:
    """Every page of the report, in order, through ``write(page, key, template, model)``."""
    write("overview", None, "overview.html", pages.overview_page(ctx))
    report = pages.report_page(ctx)
    write("report", None, "report.html", report)
    for page in ("markets", "entities", "deals", "network", "compute", "winners", "politics", "sources"):
        builder = getattr(pages, f"{page}_page")
        write(page, None, f"{page}.html", builder(ctx))
    for market_id in ctx.table("markets")["id"]:
        write("market", market_id, "market.html", pages.market_page(ctx, market_id))
    for layer in pages.layer_ids(ctx):
        write("layer", layer, "layer.html", pages.layer_page(ctx, layer))
    for entity_id in ctx.table("entities")["id"]:
        write("entity", entity_id, "entity.html", pages.entity_page(ctx, entity_id))
    for deal_id in ctx.table("deals")["id"]:
        write("deal", deal_id, "deal.html", pages.deal_page(ctx, deal_id))


class _Writer:
    """Text files written by a worker thread while the next page is built (writing a file releases the GIL);
    leaving the ``with`` block waits for every file and raises the first error (after an error in the block,
    files not yet written are dropped: the build's folder is removed anyway)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-writer")
        self.pending: list[Future[int]] = []

    def write(self, path: Path, text: str) -> None:
        self.pending.append(self.pool.submit(path.write_text, text, encoding="utf-8"))

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=kind is not None)
        if kind is None:
            for future in self.pending:
                future.result()


def _pdf_writer() -> Any:
    """WeasyPrint's HTML-to-PDF, or a clear error naming what to install."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise InvalidInputError(
            f"--pdf needs WeasyPrint and the pango library ({type(error).__name__}: {error}). Install them with "
            "`pip install 'marketpower[pdf]'` and, on Debian/Ubuntu, `apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0` (scripts/ensure-browser.sh does both for the tests)"
        ) from None

    def write(html_file: Path, target: Path, built_in: Path, report_folder: Path, pdf_file: Path) -> None:
        """Print ``html_file`` (inside ``built_in``) to ``target``; links to other files of the report become
        relative to ``pdf_file``'s folder, as the report will lie at ``report_folder``."""
        document = HTML(filename=str(html_file)).render()
        for page in document.pages:
            page.links = [
                (kind, _relative_link(link, built_in, report_folder, pdf_file) if kind == "external" else link, *rest)
                for kind, link, *rest in page.links
            ]
        document.write_pdf(str(target))

    return write


def _relative_link(url: str, built_in: Path, report_folder: Path, pdf_file: Path) -> str:
    """A ``file://`` link into the folder a report was built in, as a link relative to the PDF's folder to the
    same file of the report at ``report_folder``; other links unchanged; a link to a file outside the report
    becomes its bare name (never an absolute path of the machine that built it)."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return url
    path = Path(unquote(parts.path))
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if not path.is_relative_to(built_in):
        return path.name + fragment
    target = report_folder.resolve() / path.relative_to(built_in)
    return Path(os.path.relpath(target, pdf_file.resolve().parent)).as_posix() + fragment
