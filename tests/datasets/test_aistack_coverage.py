"""Breadth of the bundled deal web (issue 16): the floors reached, the pairs public trackers connect, the
UK CMA's April 2024 "interconnected web", the FTC 6(b) deals, revisions and the state as a party."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "src" / "marketpower" / "datasets" / "aistack" / "data"
#: The CMA's list of GAMMAN partnerships, as far as we could identify it (Update Paper, 11 April 2024,
#: https://www.gov.uk/government/publications/ai-foundation-models-update-paper): one row per pair, `present`
#: saying whether the bundled web holds a deal or stake between them (kept in step with the data by a test).
CMA_WEB = Path(__file__).resolve().parents[1] / "fixtures" / "cma_gamman_web_2024.csv"
PUBLIC_KINDS = {"government", "agency", "sovereign_fund", "public_pension"}


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: _csv(name) for name in ("deals", "stakes", "facilities", "entities", "sources")}


def _top(entities: pd.DataFrame) -> dict[str, str]:
    """Each entity's top controlling parent (itself when it has none), for matching pairs across units."""
    parent = dict(zip(entities["id"], entities["parent_id"], strict=True))

    def climb(node: str) -> str:
        seen = {node}
        while isinstance(parent.get(node), str) and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        return node

    return {e: climb(e) for e in entities["id"]}


def _pairs(tables: dict[str, pd.DataFrame]) -> set[frozenset[str]]:
    """Unordered pairs of top parents linked by a deal or a stake."""
    top = _top(tables["entities"])
    deals, stakes = tables["deals"], tables["stakes"]
    edges = list(zip(deals["payer_id"], deals["payee_id"], strict=True))
    edges += list(zip(stakes["owner_id"], stakes["target_id"], strict=True))
    return {frozenset((top[a], top[b])) for a, b in edges if top[a] != top[b]}


def test_floors_reached(tables: dict[str, pd.DataFrame]) -> None:
    # real counts at the time of writing: 292 deals, 71 stakes, 61+ facilities (issue floors: 250, 60, 80)
    assert len(tables["deals"]) >= 292
    assert len(tables["stakes"]) >= 71
    assert len(tables["facilities"]) >= 61
    announced = pd.to_datetime(tables["deals"]["announced"])
    assert announced.min() <= pd.Timestamp("2019-12-31") and announced.max() >= pd.Timestamp("2026-06-01")
    assert (announced.dt.year == 2025).sum() >= 143 and (announced.dt.year == 2026).sum() >= 57


@pytest.mark.parametrize(
    ("payer", "payee", "kind"),
    [
        ("meta", "nvidia", "chip_purchase"),
        ("microsoft", "nvidia", "chip_purchase"),
        ("nvidia", "tsmc", "chip_purchase"),
        ("nvidia", "sk-hynix", "chip_purchase"),
        ("nvidia", "micron", "chip_purchase"),
        ("microsoft", "coreweave", "cloud_contract"),
        ("meta", "oracle", "cloud_contract"),
        ("meta", "google-cloud", "cloud_contract"),
        ("openai", "google-cloud", "cloud_contract"),
        ("xai", "oracle", "cloud_contract"),
        ("salesforce", "anthropic", "equity_investment"),
        ("nvidia", "cohere", "equity_investment"),
    ],
)
def test_pairs_the_issue_found_absent_are_present(
    tables: dict[str, pd.DataFrame], payer: str, payee: str, kind: str
) -> None:
    deals = tables["deals"]
    rows = deals[(deals["payer_id"] == payer) & (deals["payee_id"] == payee) & (deals["kind"] == kind)]
    assert not rows.empty, f"no {kind} {payer} -> {payee}"
    assert rows["source_id"].isin(tables["sources"]["id"]).all()


def test_cma_web_coverage_matches_the_fixture(tables: dict[str, pd.DataFrame]) -> None:
    web = pd.read_csv(CMA_WEB)
    assert set(web["present"]) <= {"yes", "no"} and not web.duplicated(["gamman", "partner"]).any()
    linked = _pairs(tables)
    top = _top(tables["entities"])
    found = {
        (g, p)
        for g, p in zip(web["gamman"], web["partner"], strict=True)
        if p in top and frozenset((top[g], top[p])) in linked
    }
    claimed = {(g, p) for g, p, ok in zip(web["gamman"], web["partner"], web["present"], strict=True) if ok == "yes"}
    assert found == claimed, {"in data, marked no": found - claimed, "marked yes, not in data": claimed - found}
    # 31 of the 33 pairs we list are in the web (December 2026); these two have no dated public source yet
    assert len(web) == 33 and len(claimed) == 31
    missing = {(g, p) for g, p in zip(web["gamman"], web["partner"], strict=True)} - claimed
    assert missing == {("microsoft", "aleph-alpha"), ("nvidia", "adept")}


def test_cma_distribution_pairs_are_sourced_edges(tables: dict[str, pd.DataFrame]) -> None:
    """The CMA pairs covered by distribution deals (models offered on a cloud or device, no payment published)
    are stored with the distributor as payer and no amount, never a made-up figure."""
    deals = tables["deals"].set_index("id")
    expected = {
        "microsoft-huggingface-2025": ("microsoft", "hugging-face", "licensing"),
        "microsoft-meta-llama2-2023": ("microsoft", "meta", "licensing"),
        "aws-cohere-bedrock-2023": ("aws", "cohere", "licensing"),
        "aws-ai21-bedrock-2023": ("aws", "ai21-labs", "licensing"),
        "aws-mistral-bedrock-2024": ("aws", "mistral", "licensing"),
        "openai-apple-chatgpt-2024": ("openai", "apple", "revenue_share"),
    }
    for deal_id, (payer, payee, kind) in expected.items():
        row = deals.loc[deal_id]
        assert (row["payer_id"], row["payee_id"], row["kind"]) == (payer, payee, kind), deal_id
        assert row[["amount_usd", "amount_usd_low", "amount_usd_high"]].isna().all(), deal_id
        assert row["source_id"] in set(tables["sources"]["id"]), deal_id


def test_ftc_6b_partnerships_are_present(tables: dict[str, pd.DataFrame]) -> None:
    """The three partnerships the FTC staff report of January 2025 studied, with their investments and clouds."""
    deals = tables["deals"]

    def has(payer: str, payee: str, kind: str) -> bool:
        return bool(((deals["payer_id"] == payer) & (deals["payee_id"] == payee) & (deals["kind"] == kind)).any())

    assert has("microsoft", "openai", "equity_investment") and has("openai", "microsoft", "cloud_contract")
    assert has("amazon", "anthropic", "equity_investment") and has("anthropic", "aws", "cloud_contract")
    assert has("google", "anthropic", "equity_investment") and has("anthropic", "google-cloud", "cloud_contract")


def test_terminated_deals_keep_their_row_and_gain_a_revising_row(tables: dict[str, pd.DataFrame]) -> None:
    deals = tables["deals"].set_index("id")
    for revision, original in [
        ("coreweave-corescientific-2025-terminated", "coreweave-corescientific-2025"),
        ("openai-windsurf-2025-lapsed", "openai-windsurf-2025"),
        ("humain-nvidia-2025-11", "humain-nvidia-2025"),
    ]:
        assert deals.loc[revision, "supersedes"] == original
        assert original in deals.index
    assert deals.loc["coreweave-corescientific-2025-terminated", "status"] == "cancelled"
    assert deals.loc["openai-windsurf-2025-lapsed", "status"] == "cancelled"


def test_the_state_is_a_party(tables: dict[str, pd.DataFrame]) -> None:
    entities, deals, stakes = tables["entities"], tables["deals"], tables["stakes"]
    kind = dict(zip(entities["id"], entities["kind"], strict=True))
    public = {e for e, k in kind.items() if k in PUBLIC_KINDS}
    assert {"us-commerce", "us-dod", "us-gsa", "pif", "qia", "mgx", "nps-korea", "taiwan-ndf"} <= public
    chips = deals[(deals["payer_id"] == "us-commerce") & deals["kind"].isin(["grant", "loan"])]
    assert {"intel", "tsmc", "samsung", "micron", "globalfoundries", "texas-instruments"} <= set(chips["payee_id"])
    # CHIPS awards as published: TSMC up to $6.6B, Intel up to $7.86B, Samsung $4.745B
    award = chips[chips["kind"] == "grant"].set_index("payee_id")
    assert award.loc["tsmc", "amount_usd_high"] == pytest.approx(6.6e9)
    assert award.loc["intel", "amount_usd_high"] == pytest.approx(7.86e9)
    assert award.loc["samsung", "amount_usd"] == pytest.approx(4.745e9)
    # the CDAO frontier-AI agreements of 14 July 2025, $200M ceiling each (later DoD rows: JWCC cloud awards, the
    # 2026 cancellation of Anthropic's agreement and OpenAI's classified-network deal)
    dod = deals[(deals["payer_id"] == "us-dod") & (deals["announced"] == "2025-07-14")]
    assert set(dod["payee_id"]) == {"anthropic", "google", "openai", "xai"}
    assert dod["amount_usd_high"].tolist() == pytest.approx([200e6] * len(dod))
    cancelled = deals[deals["supersedes"] == "dod-anthropic-2025"]
    assert cancelled["status"].tolist() == ["cancelled"]
    # export-licence revenue shares paid to the US government: 15% on H20/MI308 (August 2025), 25% on H200
    # (December 2025); other revenue_share rows are between firms (OpenAI -> Microsoft)
    revshare = deals[(deals["kind"] == "revenue_share") & (deals["payee_id"] == "us-government")]
    assert set(revshare["payer_id"]) == {"nvidia", "amd"}
    august = revshare[revshare["announced"] == "2025-08-10"]
    assert august["revenue_share"].tolist() == pytest.approx([0.15] * len(august)) and len(august) == 2
    assert revshare.set_index("id").loc["nvidia-usgov-h200-revshare-2025", "revenue_share"] == pytest.approx(0.25)
    public_edges = deals["payer_id"].isin(public) | deals["payee_id"].isin(public)
    public_stakes = stakes["owner_id"].isin(public) | stakes["target_id"].isin(public)
    assert public_edges.sum() >= 52 and public_stakes.sum() >= 10


def test_the_stargate_headline_is_a_pledge_kept_apart_from_money(tables: dict[str, pd.DataFrame]) -> None:
    deals = tables["deals"].set_index("id")
    pledge = deals.loc["stargate-pledge-2025"]
    assert pd.isna(pledge["amount_usd"]) and pledge["amount_usd_high"] == pytest.approx(500e9)
    partners = deals.loc[[f"{p}-stargate-2025" for p in ("softbank", "openai", "oracle", "mgx")]]
    assert partners["amount_usd"].sum() == pytest.approx(52e9)  # $19B + $19B + $7B + $7B committed equity


def test_facilities_name_their_parties_and_power(tables: dict[str, pd.DataFrame]) -> None:
    fac = tables["facilities"]
    known = set(tables["entities"]["id"])
    parties = pd.concat([fac["owner_id"], fac["operator_id"], fac["main_tenant_id"]]).dropna()
    assert set(parties) <= known
    assert fac["power_mw"].notna().sum() >= 41
    assert set(fac["country"]) >= {"US", "AE", "NO", "GB", "IN", "SA", "AR", "PT", "FI", "FR"}
