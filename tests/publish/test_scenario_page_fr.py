"""The scenario pages in French: the block-a-deal heading and the "what changes" verbs are French, English kept."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from marketpower.publish.web import create_app
from marketpower.store import Store

HEADING = re.compile(r"<h1>(.*?)</h1>")
CHANGE = re.compile(r"<li><code>operations\[0\]\.[a-z_]+</code>: (\w+)")


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)


def _page(client: TestClient, path: str, lang: str, **params: str) -> str:
    page = client.get(path, params={**params, "lang": lang}, headers={"accept": "text/html"})
    assert page.status_code == 200, (path, lang)
    return page.text


@pytest.mark.parametrize(("lang", "verb", "heading"), [("fr", "bloqué", "Bloquer"), ("en", "blocked", "Block")])
def test_block_one_deal_page_speaks_the_pages_language(client: TestClient, lang: str, verb: str, heading: str) -> None:
    text = _page(client, "/scenarios/deal", lang, id="msft-openai-2019")
    assert HEADING.findall(text) == [f"{heading} msft-openai-2019"]
    assert f"<title>{heading} msft-openai-2019 · marketpower</title>" in text
    assert CHANGE.findall(text) == [verb]


@pytest.mark.parametrize(
    ("scenario", "verb"),
    [("cap-clouds-in-labs", "plafonné"), ("divest-nvidia-coreweave", "cédé"), ("merge-amazon-anthropic", "fusionné")],
)
def test_shipped_scenarios_say_what_changes_in_french(client: TestClient, scenario: str, verb: str) -> None:
    assert CHANGE.findall(_page(client, f"/scenarios/{scenario}", "fr"))[:1] == [verb]
