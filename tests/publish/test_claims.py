"""The claims check: verdict rules by hand, the seed newsletter's claims against the bundled data, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketpower.claims import Found, check_claims, load_claims, parse_claim, verdict
from marketpower.errors import InvalidInputError
from marketpower.store import Store

SEED_CLAIMS = Path(__file__).resolve().parents[2] / "examples" / "seed-claims.yaml"


def claim(**fields: object):
    base = {"id": "c", "metric": "market_cap", "entity": "x", "date": "2025-01-01", "unit": "USD", "quote": "q"}
    parsed, problems = parse_claim({**base, **fields}, "test")
    assert not problems, problems
    return parsed


def found(value: float, low: float | None = None, high: float | None = None, cap: float | None = None) -> Found:
    return Found(
        low if low is not None else value,
        value,
        high if high is not None else value,
        ["row"],
        scale_reference=value,
        cap=cap,
    )


def test_qualifiers_by_hand() -> None:
    assert verdict(claim(value=90e9, qualifier="about"), found(93.1e9))[0] == "supported"  # 3.4% off, within 10%
    assert verdict(claim(value=90e9, qualifier="about"), found(80e9))[0] == "contradicted"  # 11.1% off
    assert verdict(claim(value=90e9, qualifier="exactly"), found(90.5e9))[0] == "supported"  # 0.56% < 1%
    assert verdict(claim(value=90e9, qualifier="exactly"), found(91e9))[0] == "contradicted"  # 1.1%
    ratio = {"metric": "valuation_ratio", "since": "2022-11-30", "unit": "ratio", "qualifier": "nearly", "value": 3}
    assert verdict(claim(**ratio), found(2.885))[0] == "supported"  # 2.7 <= 2.885 <= 3.03
    assert verdict(claim(**ratio), found(3.2))[0] == "contradicted"
    assert verdict(claim(**ratio), found(2.6))[0] == "contradicted"
    bills = {"metric": "bill_count", "year": 2025, "unit": "bills", "qualifier": "at_least", "value": 1000}
    assert verdict(claim(**bills), found(1065, low=260))[0] == "supported"
    assert verdict(claim(**bills), found(781, low=260))[0] == "contradicted"
    up_to = {"metric": "deal_amount", "counterparty": "y", "qualifier": "up_to", "value": 100e9}
    assert verdict(claim(**up_to), found(100e9, cap=100e9))[0] == "supported"
    assert verdict(claim(**up_to), found(50e9, cap=50e9))[0] == "contradicted"
    rng = {
        "metric": "accelerators_for_power",
        "power_gw": 10,
        "unit": "GPUs",
        "qualifier": "range",
        "value_low": 4e6,
        "value_high": 5e6,
    }
    assert verdict(claim(**rng), found(3e6, low=2e6, high=4.2e6))[0] == "supported"  # intervals overlap
    assert verdict(claim(**rng), found(3e6, low=2e6, high=3.5e6))[0] == "contradicted"


def test_implausible_unit_and_no_data() -> None:
    # 552 × 10^18 against 687.5 × 10^9: a factor of about 8 × 10^8, far beyond 1,000
    decided, reason = verdict(claim(value=552e18), found(687.5e9))
    assert decided == "implausible unit" and "8.03e+08 times" in reason
    assert verdict(claim(value=90e9, unit="GW"), found(90e9))[0] == "implausible unit"  # a market cap in GW
    missing = Found(None, None, None, ["nothing near that date"], scale_reference=93e9)
    assert verdict(claim(value=90e9, qualifier="about"), missing) == ("no data", "nothing near that date")


def test_seed_claims_against_the_bundled_data(aistack: Store) -> None:
    results = {r.claim.id: r for r in check_claims(aistack, load_claims(SEED_CLAIMS))}
    assert results["samsung-market-cap"].verdict == "implausible unit"
    assert results["oracle-tripled"].found.central == pytest.approx(657.81 / 228.0)  # 2025-08-31 vs 2022-11-30
    assert results["oracle-tripled"].verdict == "supported"
    assert results["nvidia-openai-amount"].found.cap == pytest.approx(100e9)
    assert results["nvidia-openai-capacity"].found.central == pytest.approx(10)
    assert results["state-ai-bills-2025"].found.high >= 1000
    for result in results.values():
        assert result.verdict in ("supported", "contradicted", "implausible unit", "no data")
        assert result.verdict == "no data" or result.sources, result.claim.id
        for src in result.sources:
            assert src["url"].startswith("http") and src["published"]


def test_check_cli_json(cli) -> None:
    out = cli("check", str(SEED_CLAIMS), "--json")
    assert out.code == 0, out.err
    rows = {r["id"]: r for r in json.loads(out.out)["results"]}
    assert rows["samsung-market-cap"]["verdict"] == "implausible unit"
    assert rows["samsung-market-cap"]["claim"]["quote"].endswith("552 milliards de milliards de dollars")
    text = cli("check", str(SEED_CLAIMS))
    assert "implausible unit samsung-market-cap" in " ".join(text.out.split())


def test_bad_claims_file_lists_every_problem(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "claims:\n"
        "  - id: a\n    metric: market_share\n    value: 0.5\n    unit: furlongs\n    quote: q\n"
        "  - id: b\n    metric: nope\n    value: lots\n    unit: USD\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError) as error:
        load_claims(bad)
    message = str(error.value)
    for expected in (
        "'furlongs' is not one of",
        "field 'entity': metric market_share needs it",
        "'nope' is not one of",
        "'lots' is not a number",
        "field 'quote'",
    ):
        assert expected in message
    result = cli("check", str(bad))
    assert result.code == 2 and "problem(s)" in result.err and "Traceback" not in result.err
    (tmp_path / "broken.yaml").write_text("claims: [\n", encoding="utf-8")
    assert "not valid YAML" in cli("check", str(tmp_path / "broken.yaml")).err
