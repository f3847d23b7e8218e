"""The dashboard: JSON twins equal the CLI's JSON, pages escape data, the app is read-only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from marketpower.publish.web import create_app
from marketpower.store import Store


def client_for(package: Path) -> TestClient:
    return TestClient(create_app(Store.open(package=package)))


def test_markets_json_equals_cli(cli, mini_package: Path) -> None:
    from_cli = json.loads(cli("markets", "--package", str(mini_package), "--json").out)
    assert client_for(mini_package).get("/markets.json").json() == from_cli


def test_pages_and_twins(mini_package: Path) -> None:
    client = client_for(mini_package)
    for path in ("/", "/markets", "/markets/widgets", "/sources"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    twin = client.get("/markets/widgets.json").json()
    assert {row["year"] for row in twin["trend"]} == {2023, 2024}
    assert client.get("/index.json").json()["markets"]


def test_errors_are_json_and_app_is_read_only(mini_package: Path) -> None:
    client = client_for(mini_package)
    missing = client.get("/markets/nope.json")
    assert missing.status_code == 404 and "unknown market" in missing.json()["error"]
    assert client.post("/markets.json").status_code == 405


def test_values_are_escaped(mini_package: Path, tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(mini_package, pkg)
    entities = pkg / "data/entities.csv"
    entities.write_text(entities.read_text().replace("Alpha Corp", "<script>alert(1)</script>"))
    html = client_for(pkg).get("/markets/widgets").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
