"""Every bundled source is cited by a data row (issue 16: "sources with a figure that no row uses must be used or
removed"). A row cites a source through `source_id`, `terms_source_id` or any other `*_source_id` column; a
mention in a free-text note does not count. The package has no list of general references, so no source is
exempt, except the few below whose figure is stored in a row of a table that has no column for a second source:
each is named in a note of that table, and the list can only shrink (an entry that gains a citing column, or
whose note mention goes, fails the test until it is taken off)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[2] / "src" / "marketpower" / "datasets" / "aistack" / "data"

#: Sources that support a figure stored in a row but can be named only in its note, with the table holding that
#: note and why no column can cite them. Fixing one needs a source column in that table's schema.
NOTE_ONLY: dict[str, tuple[str, str]] = {
    # hardware rows cite one chip source, one system-power source and one price source; these back other figures
    "hw-glennklockwood-h100": ("hardware", "H100 dense FP8 (the chip figures come from Epoch)"),
    "hw-morphllm-h200": ("hardware", "H200 HBM and FP8"),
    "hw-nvidia-dps-device-specs": ("hardware", "cross-check of the GB200 per-GPU system power"),
    "hw-awesomeagents-gb200-nvl72": ("hardware", "range of the GB200 price (the central price has its own source)"),
    "hw-introl-gb300-nvl72": ("hardware", "low end of the GB300 system power"),
    "hw-timewell-rubin-ces2026": ("hardware", "Rubin HBM4 and NVFP4 figures"),
    "hw-techstories-vera-rubin": ("hardware", "cross-check of the Vera Rubin rack power"),
    # the exchange rate of a converted figure has no source column
    "fin2-fed-g5a-2024-02-01": ("financials", "Federal Reserve G.5A annual rates used for fx_rate_to_usd"),
    "fin26-kbs-krw-2022-12-29": ("valuations", "won per dollar used to convert Samsung and SK hynix caps"),
    "fin26-kbs-krw-2025-year-end": ("valuations", "won per dollar used to convert Samsung and SK hynix caps"),
    # the Microsoft-OpenAI stakes cite their terms (revenue share, exclusivity) in terms_source_id; the end of the
    # observer seat on 10 July 2024 (observer_seat = false) needs a second terms source the table cannot hold
    "deals-thewrap-microsoft-observer-2024": ("stakes", "observer_seat false since 10 July 2024"),
}


def _tables() -> dict[str, pd.DataFrame]:
    return {
        path.stem: pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted(DATA.glob("*.csv"))
        if path.stem != "sources"
    }


def _cited(tables: dict[str, pd.DataFrame]) -> set[str]:
    """Source ids named in any `source_id` or `*_source_id` column of any data table."""
    return {
        value
        for frame in tables.values()
        for column in frame.columns
        if column == "source_id" or column.endswith("_source_id")
        for value in frame[column]
        if value
    }


def test_every_source_is_cited_by_a_data_row() -> None:
    sources = pd.read_csv(DATA / "sources.csv", dtype=str, keep_default_na=False)
    uncited = set(sources["id"]) - _cited(_tables())
    unexpected = sorted(uncited - set(NOTE_ONLY))
    assert not unexpected, f"sources no data row cites (use them in a row or remove them): {unexpected}"
    assert set(NOTE_ONLY) <= set(sources["id"]), sorted(set(NOTE_ONLY) - set(sources["id"]))


def test_note_only_sources_are_still_note_only_and_named_in_their_table() -> None:
    tables = _tables()
    cited = _cited(tables)
    now_cited = sorted(set(NOTE_ONLY) & cited)
    assert not now_cited, f"cited by a column now: take them off NOTE_ONLY: {now_cited}"
    for source_id, (table, _why) in NOTE_ONLY.items():
        notes = tables[table]["note"]
        assert notes.str.contains(source_id, regex=False).any(), f"{source_id} is not named in a {table} note"


def test_the_sources_the_issue_named_are_used() -> None:
    """The "4-5 million GPUs" page and the $500B Stargate headline each back a deal row."""
    deals = pd.read_csv(DATA / "deals.csv", dtype=str, keep_default_na=False).set_index("id")
    assert deals.loc["openai-nvidia-systems-2025", "source_id"] == "deals-tweaktown-openai-nvidia-gpus-2025"
    assert "4-5 million GPUs" in deals.loc["openai-nvidia-systems-2025", "note"]
    assert deals.loc["stargate-pledge-2025", "source_id"] == "deals-livemint-stargate-2025"
    assert float(deals.loc["stargate-pledge-2025", "amount_usd_high"]) == pytest.approx(500e9, rel=1e-12)
