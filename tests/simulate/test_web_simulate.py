"""The dashboard's /simulate page (FastAPI TestClient): the JSON twin is the engine's result, the case file it
offers reruns with the CLI to the same answer, errors are HTML naming the field, and the page is bounded."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from marketpower import api
from marketpower.api import simulation_form
from marketpower.errors import InvalidInputError
from marketpower.publish.simulate_labels import SIMULATE_MESSAGES
from marketpower.publish.web import create_app
from marketpower.simulate import simulate_case
from marketpower.store import Store

QUERY = "prices=10,12,9&shares=0.3,0.25,0.2&margins=0.4,,&owner_pre=a,b,c&owner_post=a,a,c"
CASE = {"prices": [10.0, 12.0, 9.0], "shares": [0.3, 0.25, 0.2], "margins": [0.4, None, None],
        "owner_pre": ["a", "b", "c"], "owner_post": ["a", "a", "c"]}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Store.open(), warm=False), raise_server_exceptions=False)


def test_json_twin_is_the_engine_result(client: TestClient) -> None:
    page = client.get("/simulate.json?" + QUERY).json()
    assert page["case"] == CASE
    expected = simulate_case(CASE).to_dict("merging")
    assert page["result"]["price_change_pct"]["products"] == pytest.approx(
        expected["price_change_pct"]["products"], rel=1e-12
    )
    assert page["result"]["cmcr"] == pytest.approx(expected["cmcr"], rel=1e-12)
    assert page["result"]["hhi_pre"] == pytest.approx(expected["hhi_pre"], rel=1e-12)


def test_html_shows_the_result_and_download_links(client: TestClient) -> None:
    html = client.get("/simulate?" + QUERY)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert 'id="simulate-products"' in html.text and 'id="download-case"' in html.text
    assert "10.856" in html.text  # P1's price change, % (10.8555)
    assert "0.3704" in html.text  # P1's CMCR
    blank = client.get("/simulate")
    assert blank.status_code == 200 and 'id="simulate-form"' in blank.text


def test_downloaded_case_reruns_with_the_cli_entry(client: TestClient, tmp_path: Path) -> None:
    download = client.get("/simulate/case.json?" + QUERY)
    assert download.headers["content-disposition"] == 'attachment; filename="case.json"'
    path = tmp_path / "case.json"
    path.write_bytes(download.content)
    rerun = api.simulate(path)  # what `marketpower simulate case.json` runs
    page = client.get("/simulate.json?" + QUERY).json()
    assert rerun.to_dict()["prices_post"] == pytest.approx(page["result"]["prices_post"], rel=1e-12)
    csv = client.get("/simulate/result.csv?" + QUERY)
    assert csv.text.splitlines()[0].startswith("product,owner_pre,owner_post,price_pre,price_post")
    assert len(csv.text.splitlines()) == 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("prices=10,x&shares=0.3,0.2&owner_pre=a,b&owner_post=a,a", "form field prices, entry 2"),
        (QUERY.replace("shares=0.3,0.25,0.2", "shares=0.3,0.25"), "shares: 2 values but 3 products"),
        (QUERY + "&demand=probit", "form field demand"),
        (QUERY + "&colour=red", "form field colour: unknown"),
        ("prices=" + ",".join(["1"] * 41), "at most 40 products"),
    ],
)
def test_errors_are_html_naming_the_field_and_json_in_the_twin(client: TestClient, query: str, message: str) -> None:
    html = client.get("/simulate?" + query)
    assert html.status_code == 400 and 'id="simulate-error"' in html.text
    assert message in html.text.replace("&#39;", "'")
    twin = client.get("/simulate.json?" + query)
    assert twin.status_code == 400 and message in twin.json()["error"]


def test_start_from_a_market_of_the_data_package(client: TestClient) -> None:
    """The foundry market's firm shares with an assumed margin: HHI before is Σ (s_i/Σ s)² × 10,000 of the
    shares the case carries, and merge=A,B gives B's product to A."""
    page = client.get("/simulate.json?market=foundry&margin=0.4&merge=tsmc,samsung").json()
    shares = page["case"]["shares"]
    total = sum(shares)
    assert page["result"]["hhi_pre"] == pytest.approx(sum((s / total) ** 2 for s in shares) * 1e4, rel=1e-9)
    assert page["case"]["owner_post"][1] == "tsmc" and page["case"]["owner_pre"][1] == "samsung"
    assert page["result"]["price_change_pct"]["products"]["samsung"] > 0


def test_time_limit_and_read_only(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(case: Any) -> Any:
        time.sleep(0.5)
        return simulate_case(case)

    monkeypatch.setattr(simulation_form, "simulate_case", slow)
    with pytest.raises(InvalidInputError, match=r"longer than this page's limit of 0\.05 s"):
        simulation_form.run_bounded(CASE, seconds=0.05)
    assert client.post("/simulate?" + QUERY).status_code == 405


def test_market_definition_and_efficiencies_on_the_page(client: TestClient) -> None:
    """hmt=P1 and efficiencies=on add the HMT and the cost cuts (the figures of docs/simulation.md)."""
    page = client.get("/simulate.json?" + QUERY + "&hmt=P1&efficiencies=on").json()
    assert page["case"]["hmt"] == {"product": "P1"} and page["case"]["efficiencies"] is True
    assert page["result"]["market_definition"]["smallest_market"]["0.05"] == ["P1", "P2"]
    assert page["result"]["efficiencies"]["cv_neutral_cut"] == pytest.approx(0.3318, abs=5e-5)
    html = client.get("/simulate?" + QUERY + "&hmt=P1&efficiencies=on").text
    assert 'id="simulate-hmt"' in html and "SSNIP 0.05: smallest market P1 + P2" in html
    assert 'id="simulate-efficiencies"' in html and "0.3318" in html


VERTICAL_QUERY = (
    "supply=vertical_bargaining&labels=U1-D1,U1-D2,U2-D1,U2-D2&prices=10,11,10.5,12&shares=0.2,0.15,0.15,0.1"
    "&margins=0.3,,,&owner_pre=D1,D2,D1,D2&owner_post=D1,D2,D1,D2&vertical_prices=5,5.5,5.2,6"
    "&vertical_margins=0.4,,,&vertical_owner_pre=U1,U1,U2,U2&vertical_owner_post=D1,D1,U2,U2"
)


def test_vertical_block_from_the_form_is_the_example_case(client: TestClient, repo_root: Path) -> None:
    """The vertical_* fields make the case's ``vertical`` block: the form's case is examples/cases/
    vertical_bargaining.json (but its name), and the page shows λ, the upstream table and the vGUPPI pairs."""
    example = json.loads((repo_root / "examples" / "cases" / "vertical_bargaining.json").read_text())
    page = client.get("/simulate.json?" + VERTICAL_QUERY).json()
    example.pop("name")
    assert page["case"] == {k: v for k, v in example.items() if k != "demand"}  # the same literals, the same floats
    expected = simulate_case(example).to_dict("merging")
    assert page["result"]["vertical"]["upstream"]["price_change_pct"] == pytest.approx(
        expected["vertical"]["upstream"]["price_change_pct"], rel=1e-12
    )
    html = client.get("/simulate?" + VERTICAL_QUERY).text
    assert 'id="simulate-upstream"' in html and 'id="simulate-vguppi"' in html
    assert "λ = 0.6 (calibrated)" in html and "22.494" in html and "0.1283" in html  # docs/simulation.md figures
    given = client.get("/simulate.json?" + VERTICAL_QUERY.replace("&vertical_margins=0.4,,,", "") + "&bargpower=0.6")
    assert given.json()["case"]["parameters"] == {"bargpower": 0.6}
    assert given.json()["result"]["vertical"]["bargpower_source"] == "given"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (VERTICAL_QUERY.replace("vertical_prices=5,5.5", "vertical_prices=5,x"), "form field vertical_prices, entry 2"),
        (VERTICAL_QUERY.replace("&vertical_owner_post=D1,D1,U2,U2", ""), "form field vertical_owner_post: required"),
        (VERTICAL_QUERY.replace("supply=vertical_bargaining", "supply=bertrand"),
         "form field vertical_prices: the upstream level is read only with supply vertical_bargaining"),
        (VERTICAL_QUERY.replace("vertical_prices=5,5.5,5.2,6", "vertical_prices=5,5.5,5.2"),
         "vertical.prices: 3 values but 4 products"),
        (VERTICAL_QUERY + "&bargpower=high", "form field bargpower: 'high' is not a number"),
        (VERTICAL_QUERY.replace("&vertical_margins=0.4,,,", "") + "&bargpower=1.5", "parameters.bargpower = 1.5"),
    ],
)
def test_vertical_errors_name_the_field(client: TestClient, query: str, message: str) -> None:
    html = client.get("/simulate?" + query)
    assert html.status_code == 400 and 'id="simulate-error"' in html.text
    assert message in html.text.replace("&#39;", "'")


def test_french_labels(client: TestClient) -> None:
    """?lang=fr: the page's labels in French (form fields keep their case key), the form keeps the language, and
    an error is introduced in French; every label the template asks for exists in both languages."""
    html = client.get("/simulate?lang=fr&" + QUERY).text
    for text in ("Simulation de fusion", "prix avant", "IHH avant", "prix (prices)", "Niveau amont", "Simuler",
                 '<input type="hidden" name="lang" value="fr">', "Calibrage : exact"):
        assert text in html.replace("&#39;", "'")
    for english in ("price before", "HHI before", "Merger simulation", "Cannot simulate"):
        assert english not in html
    assert "10.856" in html  # the same result
    error = client.get("/simulate?lang=fr&prices=10,x&shares=0.3,0.2&owner_pre=a,b&owner_post=a,a")
    assert error.status_code == 400 and "Simulation impossible :" in error.text
    template = (Path(simulation_form.__file__).parents[1] / "publish" / "templates" / "simulate.html").read_text()
    keys = set(re.findall(r't\("(simulate_[a-z_]+)"\)', template))
    keys |= {f"simulate_field_{name}" for name in (*simulation_form.VERTICAL_FIELDS, "bargpower", "prices")}
    keys |= {"simulate_source_calibrated", "simulate_source_given"}
    assert len(keys) > 50
    for key in keys:
        assert set(SIMULATE_MESSAGES[key]) == {"en", "fr"} and all(SIMULATE_MESSAGES[key].values()), key
