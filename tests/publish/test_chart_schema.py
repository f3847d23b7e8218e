"""Every chart the pages build is valid Vega-Lite, checked once here instead of on every build (the specs are
plain dictionaries, publish/charts.py): against the Vega-Lite JSON schema Altair ships (the only copy available
offline; v6, whose spec format the v5 charts also follow) and by compiling each with Vega-Lite 5 (vl-convert,
the major version of the vendored library), in English and in French."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from marketpower.api import Context
from marketpower.publish import charts, pages
from marketpower.store import Store

jsonschema = pytest.importorskip("jsonschema")
altair = pytest.importorskip("altair")
vl_convert = pytest.importorskip("vl_convert")


def _specs(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every chart spec (a dict with a ``$schema``) inside page data, with where it was found."""
    if isinstance(node, dict):
        if "$schema" in node:
            yield where, node
            return
        for key, value in node.items():
            yield from _specs(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _specs(value, f"{where}[{i}]")


@pytest.fixture(scope="module")
def every_chart(aistack: Store) -> list[tuple[str, dict[str, Any]]]:
    ctx = Context(aistack)
    found = [
        *_specs(pages.overview_page(ctx), "overview"),
        *_specs(pages.report_page(ctx), "report"),
        *_specs(pages.winners_page(ctx), "winners"),
        *_specs(pages.politics_page(ctx), "politics"),
        *_specs(pages.network_page(ctx), "network"),
    ]
    for market_id in ctx.table("markets")["id"]:
        found += _specs(pages.market_page(ctx, market_id), f"market:{market_id}")
    for layer in pages.layer_ids(ctx):
        found += _specs(pages.layer_page(ctx, layer), f"layer:{layer}")
    return found


@pytest.fixture(scope="module")
def validator() -> Any:
    schema_file = Path(altair.__file__).parent / "vegalite/v6/schema/vega-lite-schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def test_every_chart_kind_is_found(every_chart: list[tuple[str, dict[str, Any]]]) -> None:
    kinds = {where.split(".")[0].split(":")[0] for where, _ in every_chart}
    assert {"overview", "report", "winners", "politics", "network", "market", "layer"} <= kinds
    assert len(every_chart) >= 40


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_vega_lite_specs_follow_the_schema_and_compile(
    lang: str, every_chart: list[tuple[str, dict[str, Any]]], validator: Any
) -> None:
    checked = 0
    for where, spec in every_chart:
        shown = charts.localize(spec, lang)
        if "vega-lite" not in shown["$schema"]:
            continue
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(shown)]
        assert not errors, (where, errors[:3])
        vega = vl_convert.vegalite_to_vega(shown, vl_version=charts.VEGA_LITE_VERSION)
        assert vega["marks"], where
        checked += 1
    assert checked >= 40


def test_the_deal_web_compiles_in_vega(every_chart: list[tuple[str, dict[str, Any]]]) -> None:
    web = [spec for where, spec in every_chart if "vega/v5" in spec["$schema"]]
    assert web
    for spec in web:
        svg = charts.to_svg(charts.localize(spec, "fr"), "fr")
        assert svg.startswith("<svg") and svg.count("<path") > 10
