"""The politics page's note on classified state bills says what its two figures are (version, precision)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from marketpower.publish.formatting import percent
from marketpower.publish.web import create_app
from marketpower.store import Store

NOTE = re.compile(r'<p class="note" id="bill-states-classified">(.*?)<a', re.S)


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("lang", "version", "precision"),
    [("en", "classifier version", "precision on the labelled sample"),
     ("fr", "version du classifieur", "précision sur l'échantillon annoté")],
)  # fmt: skip
def test_classifier_note_names_its_figures(client: TestClient, lang: str, version: str, precision: str) -> None:
    states = client.get("/politics.json").json()["states"]
    assert states["basis"] == "classified"
    page = client.get("/politics", params={"lang": lang}, headers={"accept": "text/html"})
    (note,) = NOTE.findall(page.text)
    shown = f"{version} {states['classifier_version']}, {precision} {percent(states['precision'], lang, 0)}"
    assert shown in html.unescape(note)
