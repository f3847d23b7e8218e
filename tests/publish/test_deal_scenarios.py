"""Every deal of the bundled package has a block-or-allow answer (the /scenarios/deal page's model): no deal makes
the analysis fail, and each answer is about that deal. The dashboard crawl (test_links.py) follows only a sample of
these pages; this test runs them all through the application layer, without rendering HTML."""

from __future__ import annotations

from marketpower.api import Context
from marketpower.api import scenarios as api_scenarios
from marketpower.store import Store


def test_every_deal_has_a_block_or_allow_answer(aistack: Store) -> None:
    ctx = Context(aistack)
    deal_ids = [str(d) for d in aistack.table("deals")["id"]]
    assert len(deal_ids) >= 250
    failed = []
    for deal_id in deal_ids:
        try:
            answer = api_scenarios.deal_scenario_page(ctx, deal_id)
        except Exception as error:  # the list of every failing deal is the message
            failed.append(f"{deal_id}: {type(error).__name__}: {error}")
            continue
        if answer["deal_id"] != deal_id or not answer["verdict"]:
            failed.append(f"{deal_id}: no verdict")
    assert not failed, failed[:20]
