"""The winners page's opening note names ChatGPT (not "chatgpt") and reads as a sentence in both languages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from marketpower.publish.web import create_app
from marketpower.store import Store

NOTE = re.compile(r'<p class="note" id="winners-since">(.*?)</p>')


@pytest.fixture(scope="module")
def client(aistack: Store) -> TestClient:
    return TestClient(create_app(aistack, warm=False), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("en", "Market value gained since ChatGPT&#39;s release on November 30, 2022."),
        ("fr", "Valeur boursière gagnée depuis la sortie de ChatGPT, le 30 novembre 2022."),
    ],
)
def test_winners_note_names_chatgpt_and_its_release_date(client: TestClient, lang: str, note: str) -> None:
    # ChatGPT was released on 30 November 2022 (OpenAI, "Introducing ChatGPT", https://openai.com/index/chatgpt/).
    page = client.get("/winners", params={"lang": lang}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert NOTE.findall(page.text) == [note]
