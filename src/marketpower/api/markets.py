"""Markets: opening the store, concentration of every market-year, one market's shares and trend, the snapshot a
merger is screened in, and the sources cited."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInputError, NotFoundError
from ..measures.coverage import COLUMNS as COVERAGE_COLUMNS
from ..measures.coverage import coverage_rows, note_text, with_coverage
from ..measures.markets import COLUMNS as CONCENTRATION_COLUMNS
from ..measures.markets import KEYS, Columns, columns_of, concentration_rows
from ..schema.market import OTHERS_ID, SOURCE_TIERS
from ..store_cache import CachedTables

if TYPE_CHECKING:  # pandas and DuckDB load with the store, not for `markets` on the bundled package's tables
    import pandas as pd

    from ..store import Store

#: Columns of :func:`markets`, in order.
MARKET_TABLE_COLUMNS = [
    *CONCENTRATION_COLUMNS,
    *(c for c in COVERAGE_COLUMNS if c not in KEYS),
    "headline_note",
    "leader_note",
    "flag",
    "headline_reasons",
    "leader_reason",
]


def open_store(package: Path | str | None = None, db: Path | str | None = None, read_only: bool = False) -> Store:
    """Open the store on ``package`` (default: bundled ``aistack``), in memory or in the DuckDB file ``db``."""
    from ..store import Store

    return Store.open(package=package, db=db, read_only=read_only)


def bundled_tables(package: Path | str | None = None, frames: bool = True) -> CachedTables | None:
    """The bundled package's tables read from the cache's Parquet files (:func:`marketpower.store_cache.cached_tables`),
    for answers that read whole tables (:func:`markets`, :func:`market_rows`) without importing or opening DuckDB
    (nor pandas, without ``frames``, for :func:`market_rows`); None when ``package`` names another package or the
    cache folder cannot be written (open the store instead)."""
    from ..datasets import AISTACK
    from ..store_cache import cached_tables

    if package is not None and Path(package).resolve() != AISTACK:
        return None
    return cached_tables(AISTACK, frames)


def market_rows(store: Store | CachedTables, year: int | None = None, layer: str | None = None) -> list[dict[str, Any]]:
    """Concentration of every market-year (:func:`marketpower.measures.markets.concentration_rows`) with its
    coverage (:func:`marketpower.measures.coverage.with_coverage`: share named, major firms missing, why no
    leader or headline) and its ``flag`` from ``markets`` (aggregate, partial list, in-house, installed base:
    not a real antitrust market; None for one), optionally for one year and/or one layer, as rows with
    :data:`MARKET_TABLE_COLUMNS`. Read from the bundled package's cached tables, pandas is not imported."""
    shares, entities, markets_table = (_columns(store, name) for name in ("shares", "entities", "markets"))
    names = dict(zip(entities["id"], entities["name"], strict=True))
    rows = with_coverage(concentration_rows(shares, markets_table, entities), coverage_rows(shares), names)
    flags = markets_table.get("flag", [None] * len(markets_table["id"]))
    flag_of = {str(i): f for i, f in zip(markets_table["id"], flags, strict=True) if isinstance(f, str) and f}
    for row in rows:
        row["flag"] = flag_of.get(str(row["market_id"]))
    if layer is not None:
        known = set(markets_table["layer"])
        if layer not in known:
            raise InvalidInputError(f"--layer {layer!r}: unknown layer (known: {', '.join(sorted(known))})")
        rows = [row for row in rows if row["layer"] == layer]
    if year is not None:
        rows = [row for row in rows if row["year"] == year]
    return rows


def markets(store: Store | CachedTables, year: int | None = None, layer: str | None = None) -> pd.DataFrame:
    """:func:`market_rows` as a DataFrame (leader columns as objects, None where withheld or unknown)."""
    import pandas as pd

    table = pd.DataFrame(market_rows(store, year, layer), columns=MARKET_TABLE_COLUMNS)
    for column in ("leader_id", "leader", "leader_share"):
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table


def coverage_note(reasons: list[dict[str, Any]] | dict[str, Any] | None) -> str:
    """A market-year's ``headline_reasons`` (or ``leader_reason``) of :func:`market_rows` as the English note the
    table carries (:func:`marketpower.measures.coverage.note_text`; "" for none)."""
    return note_text(reasons)


def _columns(store: Store | CachedTables, name: str) -> Columns:
    """A table's columns: straight from the cached Parquet tables (no pandas), else from the store's DataFrame."""
    return store.columns(name) if isinstance(store, CachedTables) else columns_of(store.table(name))


def highly_concentrated(latest: pd.DataFrame, markets_table: pd.DataFrame) -> dict[str, Any]:
    """The headline count of highly concentrated markets (US 2023 guidelines: HHI above 1,800 over the whole
    HHI range) among real antitrust markets, from ``latest``: the latest rows of each market and series of a
    :func:`markets` table, of which each market's latest year counts.

    Markets with a ``flag`` in ``markets_table`` (aggregate, partial list, in-house, installed base) are left
    out and listed with it in ``left_out``. A market counts in ``value`` when its series of that year that have
    no ``headline_note`` (coverage break, HHI range too wide) agree it is highly concentrated; with none, or a
    class that is a range, or series that disagree, it counts in ``of`` only and is listed in ``undetermined``
    with the reason."""
    import pandas as pd

    flags = {
        str(i): str(f)
        for i, f in zip(markets_table["id"], markets_table.get("flag", pd.Series(dtype=object)), strict=False)
        if isinstance(f, str) and f
    }
    real = latest[~latest["market_id"].isin(list(flags))]
    settled_classes = ("highly concentrated", "not highly concentrated")
    value, of, source_ids, undetermined = 0, 0, set(), []
    for market_id, rows in real.groupby("market_id", sort=True):
        of += 1
        rows = rows[rows["year"] == rows["year"].max()]
        notes = rows["headline_note"] if "headline_note" in rows else pd.Series("", index=rows.index)
        usable = rows[(notes == "") & rows["class_2023"].isin(settled_classes)]
        classes = set(usable["class_2023"])
        if len(classes) != 1:
            why = "; ".join(str(n) or f"class {c}" for n, c in zip(notes, rows["class_2023"], strict=True))
            undetermined.append({"market_id": str(market_id), "note": why if not classes else "series disagree"})
        elif classes == {"highly concentrated"}:
            value += 1
            source_ids |= {s for ids in usable["source_ids"] for s in ids}
    return {
        "value": value,
        "of": of,
        "source_ids": sorted(source_ids),
        "left_out": [{"market_id": m, "flag": f} for m, f in sorted(flags.items()) if m in set(latest["market_id"])],
        "undetermined": undetermined,
    }


def market_shares(store: Store, market_id: str) -> pd.DataFrame:
    """Every share row of one market with its entity name and its source (publisher, title, URL, date)."""
    _check_market(store, market_id)
    return store.frame(
        """
        SELECT s.*, coalesce(e.name, 'Others') AS entity, src.publisher, src.title AS source_title,
               src.url AS source_url, src.published AS source_published, src.date_basis AS source_date_basis,
               src.tier AS source_tier
        FROM shares s
        LEFT JOIN entities e ON e.id = s.entity_id
        JOIN sources src ON src.id = s.source_id
        WHERE s.market_id = ?
        ORDER BY s.year, s.period NULLS FIRST, s.series NULLS FIRST, s.share DESC NULLS LAST
        """,
        [market_id],
    )


def trend(store: Store, market_id: str) -> pd.DataFrame:
    """Concentration of one market year by year, with the HHI change from the previous year of the same series."""
    _check_market(store, market_id)
    return trend_of(markets(store), market_id)


def trend_of(table: pd.DataFrame, market_id: str) -> pd.DataFrame:
    """The rows of one market in a :func:`markets` table, with ``hhi_low_change``/``hhi_high_change`` from the
    previous row of the same series and period, left empty when either row has a ``headline_note`` (a coverage
    break or an HHI range too wide), which ``change_note`` then gives."""
    import pandas as pd

    rows = table[table["market_id"] == market_id].copy()
    by_series = rows.groupby(["series", "period"], sort=False)
    rows["hhi_low_change"] = by_series["hhi_low"].diff()
    rows["hhi_high_change"] = by_series["hhi_high"].diff()
    if "headline_note" in rows:
        before = by_series["headline_note"].shift()
        before_year = by_series["year"].shift()
        notes = [
            "; ".join(
                ([f"{y}: {now}"] if now else [])
                + ([f"{int(prev_year)}: {prev}"] if isinstance(prev, str) and prev else [])
            )
            for y, now, prev, prev_year in zip(rows["year"], rows["headline_note"], before, before_year, strict=True)
        ]
        rows["change_note"] = [n if pd.notna(p) else "" for n, p in zip(notes, before_year, strict=True)]
        withheld = rows["change_note"] != ""
        rows.loc[withheld, ["hhi_low_change", "hhi_high_change"]] = float("nan")
    return rows.reset_index(drop=True)


def market_snapshot(
    shares: pd.DataFrame,
    market_id: str,
    merging: Sequence[str] = (),
    year: int | None = None,
    period: str | None = None,
    series: str | None = None,
) -> pd.DataFrame:
    """The share rows of one snapshot (year, period, series) of a market in a ``shares`` table, ``period`` and
    ``series`` empty strings for the full year and the unnamed series. Among the snapshots matching the given
    year/period/series in which every firm of ``merging`` has a point share: the latest year, which must hold a
    single series once the series with the best source tier are kept (``source_tier`` column, as
    :func:`market_shares` gives it: primary before secondary before other); in it the full year when
    published, else the latest period."""
    rows = shares[shares["market_id"] == market_id]
    if rows.empty:
        known = ", ".join(sorted(set(shares["market_id"])))
        raise InvalidInputError(f"market {market_id!r} has no shares" + (f" (markets: {known})" if known else ""))
    rows = rows.assign(period=rows["period"].fillna(""), series=rows["series"].fillna(""))
    if year is not None:
        rows = rows[rows["year"] == year]
    if period is not None:
        rows = rows[rows["period"] == period]
    if series is not None:
        rows = rows[rows["series"] == series]
    if rows.empty:
        raise InvalidInputError(
            f"year={year}, period={period!r}, series={series!r}: market {market_id!r} has no shares for that "
            "snapshot (see `marketpower trend` or the market page for its years and series)"
        )
    groups = [
        (int(str(y)), str(p), str(s), g)
        for (y, p, s), g in rows.groupby(["year", "period", "series"])
        if set(merging) <= set(g.loc[g["share"].notna(), "entity_id"])
    ]
    if not groups:
        present = ", ".join(sorted(set(rows.loc[rows["share"].notna(), "entity_id"]) - {OTHERS_ID}))
        raise InvalidInputError(
            f"merging firms: no year/period/series of {market_id!r} gives a point share to each of "
            f"{', '.join(merging)} (firms with a point share: {present or 'none'}); check the year, period and "
            "series, or the entity ids"
        )
    latest = max(y for y, _, _, _ in groups)
    groups = [g for g in groups if g[0] == latest]
    if len({s for _, _, s, _ in groups}) > 1 and "source_tier" in rows:
        best = min(_tier_rank(g) for g in groups)
        groups = [g for g in groups if _tier_rank(g) == best]
    if len({s for _, _, s, _ in groups}) > 1:  # the series with the latest snapshot of that year (a full year last)
        newest = max(p or "~" for _, p, _, _ in groups)
        groups = [g for g in groups if (g[1] or "~") == newest]
    if len({s for _, _, s, _ in groups}) > 1:
        options = ", ".join(sorted({s or "main" for _, _, s, _ in groups}))
        raise InvalidInputError(
            f"{market_id} {latest} has several series ({options}); pick one with --series (series= on the web)"
        )
    full_year = [g for g in groups if g[1] == ""]
    snapshot: pd.DataFrame = (full_year[0] if full_year else sorted(groups, key=lambda g: g[1])[-1])[3]
    return snapshot


def _tier_rank(group: tuple[int, str, str, pd.DataFrame]) -> int:
    """Rank of the best source tier of a snapshot's rows (0 = primary; unrated sources rank last)."""
    tiers = set(group[3]["source_tier"].dropna())
    return min((SOURCE_TIERS.index(t) for t in tiers if t in SOURCE_TIERS), default=len(SOURCE_TIERS))


def screen_snapshot(
    shares: pd.DataFrame,
    market_id: str,
    merging: Sequence[str],
    year: int | None = None,
    period: str | None = None,
    series: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The snapshot of a market a merger of ``merging`` is screened in (:func:`market_snapshot`), checked so
    that every named firm has a point share (fraction 0-1), and what it is: ``market_id``, ``year``, ``period``
    and ``series`` (None for the full year / unnamed series), ``source_ids``."""
    if OTHERS_ID in merging:
        raise InvalidInputError(
            f"merging firms: {OTHERS_ID!r} is the unattributed rest of market {market_id!r}, not a firm; "
            "pick two entity ids"
        )
    rows = market_snapshot(shares, market_id, merging, year, period, series)
    year_, period_, series_ = int(rows["year"].iloc[0]), str(rows["period"].iloc[0]), str(rows["series"].iloc[0])
    ranged = rows[(rows["entity_id"] != OTHERS_ID) & rows["share"].isna()]
    if len(ranged):
        firms = ", ".join(f"{r.entity_id} ({r.share_low}-{r.share_high})" for r in ranged.itertuples())
        raise InvalidInputError(
            f"{market_id} {year_} {period_}".rstrip() + f": only a share range is published for {firms}, so the "
            "merger cannot be screened on point shares; pick another year or series, or screen a bound you choose with "
            "`marketpower screen --shares FILE`"
        )
    meta = {
        "market_id": market_id,
        "year": year_,
        "period": period_ or None,
        "series": series_ or None,
        "source_ids": sorted(set(rows["source_id"])),
    }
    return rows, meta


def sources(store: Store, unused_only: bool = False, tier: str | None = None) -> pd.DataFrame:
    """Every source with the number of rows citing it in each table (``table: n`` for ``source_id``,
    ``table.column: n`` for the other columns that cite a source, such as ``hardware.price_source_id``); with ``tier``,
    only the sources of that tier (``other``: what rests on aggregators, mirrors and blogs alone, each row
    citing one source)."""
    import pandas as pd

    if tier is not None and tier not in SOURCE_TIERS:
        raise InvalidInputError(f"--tier {tier!r}: use one of {', '.join(SOURCE_TIERS)}")
    frame = store.table("sources")
    counts = []
    for name, column in _source_columns(store):
        cited = store.frame(
            f'SELECT "{column}" AS id, count(*) AS n FROM "{name}" WHERE "{column}" IS NOT NULL GROUP BY 1'
        )
        counts.append(cited.assign(table=name if column == "source_id" else f"{name}.{column}"))
    cites = pd.concat(counts) if counts else pd.DataFrame(columns=["id", "n", "table"])
    cited_by = {
        source_id: ", ".join(f"{t}: {n}" for t, n in zip(group["table"], group["n"], strict=True))
        for source_id, group in cites.groupby("id")
    }
    summary = pd.DataFrame({"id": list(cited_by), "cited_by": list(cited_by.values())})
    frame = frame.merge(summary, on="id", how="left")
    frame["cited_by"] = frame["cited_by"].fillna("")
    if unused_only:
        frame = frame[frame["cited_by"] == ""]
    if tier is not None:
        frame = frame[frame["tier"] == tier] if "tier" in frame else frame.iloc[0:0]
    return frame.reset_index(drop=True)


def _source_columns(store: Store) -> list[tuple[str, str]]:
    """Every (table, column) of the schema that cites a source (a foreign key to ``sources.id``)."""
    from ..schema import TABLES

    return [
        (name, f.name)
        for name, t in TABLES.items()
        for f in t.fields
        if f.references == "sources.id" and store.has_table(name)
    ]


def _check_market(store: Store, market_id: str) -> None:
    known = set(store.table("markets")["id"])
    if market_id not in known:
        raise NotFoundError(f"unknown market {market_id!r} (see `marketpower markets` for the ids)")
