"""Bulk pipelines on a chosen engine (DuckDB in-process by default, Spark for data beyond one machine):
common ownership per quarter from a folder of 13F data sets, and FEC receipts and spending from the FEC ingest's
Parquet files (:mod:`marketpower.engines`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..engines.session import DEFAULT_ENGINE, DEFAULT_SPARK_MASTER, Engine, connect, write_swapped
from ..errors import InvalidInputError
from ..ingest.sec13f import read_cusip_map, read_shares_outstanding
from .results import Result, Source, context_of

#: The table a kappa series is kept under in a store file, for the dashboard and report to show.
KAPPA_SERIES_TABLE = "kappa_series"


def open_engine(engine: str = DEFAULT_ENGINE, spark_master: str = DEFAULT_SPARK_MASTER) -> Engine:
    """:func:`marketpower.engines.session.connect` (kept here so front ends call only the application layer)."""
    return connect(engine, spark_master)


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    """Exact decimal sums as floats (each the double nearest the exact sum) for JSON and tables."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, Decimal)).any():
            out[column] = [None if v is None or pd.isna(v) else float(v) for v in out[column]]
    return out


def _outstanding(path: Path) -> pd.DataFrame:
    """``firm,shares_outstanding[,quarter]``: with a quarter column each quarter has its own count."""
    head = pd.read_csv(path, nrows=0).columns.str.strip().tolist()
    if "quarter" not in head:
        return read_shares_outstanding(path).rename("shares_outstanding").reset_index()
    frame = pd.read_csv(path, dtype=str)
    frame.columns = frame.columns.str.strip()
    parts = []
    for quarter, group in frame.groupby("quarter", sort=True):
        from ..ingest.sec13f import quarter_label

        label = quarter_label(str(quarter))
        amounts = pd.to_numeric(group["shares_outstanding"].str.replace(",", ""), errors="coerce")
        bad = group[~(amounts > 0)]
        if len(bad):
            raise InvalidInputError(f"{path}: shares_outstanding {bad['shares_outstanding'].iloc[0]!r} of firm "
                                    f"{bad['firm'].iloc[0]!r} in {label} is not a positive number")  # fmt: skip
        parts.append(pd.DataFrame({"firm": group["firm"].str.strip(), "quarter": label, "shares_outstanding": amounts}))
    return pd.concat(parts, ignore_index=True)


@dataclasses.dataclass(frozen=True)
class KappaSeries(Result):
    """Common ownership per quarter: κ_fg of every ordered pair of firms (``kappa``: quarter, firm, other_firm,
    kappa, investors), the holdings behind it per quarter and firm (``coverage``: investors, institutional
    fraction held), and with market shares each market's HHI, MHHI and ΔMHHI per quarter (``markets``)."""

    engine: str
    quarters: list[str]
    firms: list[str]
    kappa: pd.DataFrame
    coverage: pd.DataFrame
    markets: pd.DataFrame | None = None

    def title(self) -> str:
        return f"Common ownership per quarter ({self.engine})"


def kappa_series(
    folder: Path,
    cusips: Path | None,
    shares_outstanding: Path,
    firms: Sequence[str] | None = None,
    control: str = "ownership",
    market_shares: Path | None = None,
    engine: str = DEFAULT_ENGINE,
    spark_master: str = DEFAULT_SPARK_MASTER,
    out: Path | None = None,
    store: Source | None = None,
) -> KappaSeries:
    """κ per pair per quarter from every 13F data set under ``folder`` (:func:`marketpower.engines.holdings.
    holdings_by_quarter` on ``engine``, then :func:`~marketpower.engines.holdings.kappa_series` on the driver).
    ``out`` (``.csv`` or ``.parquet``) receives the κ table, written aside and swapped in; ``store`` keeps it as
    table :data:`KAPPA_SERIES_TABLE` for the dashboard and report. ``cusips`` None: the bundled map
    (:data:`marketpower.engines.holdings.BUNDLED_CUSIP_MAP`)."""
    from ..engines.holdings import BUNDLED_CUSIP_MAP, find_datasets, holdings_by_quarter, mhhi_series
    from ..engines.holdings import kappa_series as series_of

    if control not in ("ownership", "voting"):
        raise InvalidInputError(f"--control {control!r}: use `ownership` or `voting`")
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise InvalidInputError(f"--out {out}: give a .csv or .parquet file name")
    datasets = find_datasets(folder)
    mapping, outstanding = read_cusip_map(cusips or BUNDLED_CUSIP_MAP), _outstanding(shares_outstanding)
    wanted = list(firms) if firms else None
    session = connect(engine, spark_master)
    try:
        holdings = holdings_by_quarter(session, datasets, mapping, outstanding, wanted)
    finally:
        session.close()
    gamma = "voting_fraction" if control == "voting" else None
    table = series_of(holdings, wanted, gamma)
    coverage = (
        holdings.groupby(["quarter", "firm"], sort=True)
        .agg(investors=("investor", "nunique"), institutional_fraction=("fraction", "sum"))
        .reset_index()
    )
    markets = mhhi_series(holdings, pd.read_csv(market_shares), gamma) if market_shares is not None else None
    if out is not None:
        write_swapped(out, (lambda p: table.to_csv(p, index=False)) if out.suffix.lower() == ".csv"
                      else (lambda p: table.to_parquet(p, index=False)))  # fmt: skip
    if store is not None:  # one statement on its own cursor: the table is replaced whole or not at all
        cursor = context_of(store).store.connection.cursor()
        try:
            cursor.register("_kappa_series", table)
            cursor.execute(f"CREATE OR REPLACE TABLE {KAPPA_SERIES_TABLE} AS SELECT * FROM _kappa_series")
        finally:
            cursor.close()
    quarters = sorted(holdings["quarter"].unique().tolist())
    held = sorted(holdings["firm"].unique().tolist()) if wanted is None else wanted
    return KappaSeries(engine, quarters, held, table, coverage, markets)


@dataclasses.dataclass(frozen=True)
class CusipCandidates(Result):
    """CUSIPs the user's 13F data suggests for firms without a bundled one (:mod:`marketpower.engines.
    cusip_candidates`): ``candidates`` one row per (firm, CUSIP), ``bundled`` when the CUSIP is in the bundled
    map; ``without_candidate`` the firms searched whose
    name matched no issuer; ``written`` the ``cusip,firm`` file written, if any."""

    engine: str
    firms: list[str]
    candidates: pd.DataFrame
    without_candidate: list[str]
    written: str | None = None

    def title(self) -> str:
        return f"CUSIP candidates from 13F issuer names ({self.engine})"


#: The bundled package's entities: the firms a CUSIP can be suggested for (their id and name).
BUNDLED_ENTITIES = "entities.csv"


def _firms_to_search(firms: Sequence[str] | None, bundled: pd.DataFrame) -> pd.DataFrame:
    """``firm, name`` of the firms asked for (entity ids of the bundled package), or by default of every entity
    with a listed security (a ticker) that has no CUSIP in the bundled map."""
    from ..datasets import AISTACK
    from ..errors import DataPackageError, Problem
    from ..ingest.textcsv import read_csv_text

    path = AISTACK / "data" / BUNDLED_ENTITIES
    problems: list[Problem] = []
    entities = read_csv_text(path, ("id", "name", "ticker"), problems)
    if entities is None:
        raise DataPackageError(problems)
    table = entities.rename(columns={"id": "firm"})[["firm", "name", "ticker"]]
    if firms:
        unknown = [f for f in firms if f not in set(table["firm"])]
        if unknown:
            raise InvalidInputError(f"--firms: {', '.join(unknown)}: not an entity id of {path} (column id)")
        return table.set_index("firm").loc[list(dict.fromkeys(firms))].reset_index()[["firm", "name"]]
    listed = table[(table["ticker"] != "") & ~table["firm"].isin(set(bundled["firm"]))]
    return listed[["firm", "name"]].reset_index(drop=True)


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise InvalidInputError(f"--write {path}: the file exists; give --force to replace it")


def _write_cusip_map(path: Path, candidates: pd.DataFrame, bundled: pd.DataFrame, force: bool) -> None:
    """A ``cusip,firm,origin,note`` CSV for ``--cusips``: the bundled map's rows first (``--cusips`` replaces it),
    then each candidate whose check digit is valid, not already bundled and matched by one firm only."""
    from ..files import write_csv

    _refuse_existing(path, force)
    rows = [{"cusip": c, "firm": f, "origin": "bundled", "note": "the bundled aistack cusips table"}
            for c, f in zip(bundled["cusip"], bundled["firm"], strict=True)]  # fmt: skip
    taken = set(bundled["cusip"])
    for r in candidates.to_dict("records"):
        if not r["check_digit_ok"] or r["cusip"] in taken or r["other_firms"]:
            continue
        count = int(r["candidates"])
        several = f"; one of {count} candidates of {r['firm']}: review" if count > 1 else ""
        note = (f"13F NAMEOFISSUER {' | '.join(r['issuer_names'])}; TITLEOFCLASS {' | '.join(r['titles'])}; "
                f"{r['first_quarter']}-{r['last_quarter']}, {r['filings']} filings{several}")  # fmt: skip
        rows.append({"cusip": r["cusip"], "firm": r["firm"], "origin": "13F issuer name", "note": note})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(pd.DataFrame(rows, columns=["cusip", "firm", "origin", "note"]), path)


def cusip_candidates(
    folder: Path,
    firms: Sequence[str] | None = None,
    engine: str = DEFAULT_ENGINE,
    spark_master: str = DEFAULT_SPARK_MASTER,
    write: Path | None = None,
    force: bool = False,
) -> CusipCandidates:
    """Candidate CUSIPs of AI-stack firms from the NAMEOFISSUER of every 13F data set under ``folder``
    (:func:`marketpower.engines.cusip_candidates.cusip_candidates` on ``engine``). ``firms``: entity ids (default:
    the listed entities without a bundled CUSIP). ``write``: a ``cusip,firm`` CSV for ``--cusips`` (the bundled
    map plus the valid candidates), written whole or not at all, never over a file without ``force``."""
    from ..engines.cusip_candidates import cusip_candidates as candidates_of
    from ..engines.holdings import BUNDLED_CUSIP_MAP, find_datasets

    bundled = read_cusip_map(BUNDLED_CUSIP_MAP)
    wanted = _firms_to_search(firms, bundled)
    if write is not None:
        _refuse_existing(write, force)  # before the work, and again just before writing
    datasets = find_datasets(folder)
    session = connect(engine, spark_master)
    try:
        table = candidates_of(session, datasets, wanted)
    finally:
        session.close()
    table.insert(list(table.columns).index("check_digit_ok"), "bundled", table["cusip"].isin(set(bundled["cusip"])))
    if write is not None:
        _write_cusip_map(write, table, bundled, force)
    found = set(table["firm"])
    missing = [f for f in wanted["firm"] if f not in found]
    return CusipCandidates(engine, list(wanted["firm"]), table, missing, None if write is None else str(write))


def stored_kappa_series(source: Source) -> pd.DataFrame | None:
    """The κ series a ``kappa-series --db`` run kept in the store, or None when there is none."""
    store = context_of(source).store
    return store.frame(f"SELECT * FROM {KAPPA_SERIES_TABLE}") if store.has_table(KAPPA_SERIES_TABLE) else None


@dataclasses.dataclass(frozen=True)
class FecQuery(Result):
    """One FEC query run on an engine over Parquet: what was asked (``query``, ``committee_id``) and the rows."""

    engine: str
    query: str
    committee_id: str | None
    rows: pd.DataFrame

    def title(self) -> str:
        return f"FEC {self.query} ({self.engine})"


FEC_QUERIES = ("receipts-by-donor", "receipts-by-employer-month", "employers", "spending-by-race", "timeline")


def _parquet_of(kind: str, parquet: Sequence[str] | None, source: Source | None) -> list[str]:
    if parquet:
        return list(parquet)
    if source is None:
        raise InvalidInputError(f"give --parquet PATH (the FEC ingest's {kind} files) or --db STORE")
    from ..engines.fec import store_parquet
    from ..ingest.store_folder import use_store_folder

    store = context_of(source).store
    paths = store_parquet(store.connection, kind, use_store_folder(store.connection))
    if not paths:
        raise InvalidInputError(f"the store holds no FEC {kind} data: run `marketpower fec ingest` first")
    return paths


def fec_query(
    query: str,
    committees: Sequence[str] = (),
    parquet: Sequence[str] | None = None,
    source: Source | None = None,
    engine: str = DEFAULT_ENGINE,
    spark_master: str = DEFAULT_SPARK_MASTER,
) -> FecQuery:
    """An FEC query of :mod:`marketpower.engines.fec` (``query`` one of :data:`FEC_QUERIES`) over ``parquet``
    paths (any path the engine reads) or the store's ingested Parquet; ``committees``: the committee (or, for
    ``timeline``, committees) asked about."""
    from ..engines import fec as queries

    if query not in FEC_QUERIES:
        raise InvalidInputError(f"FEC query {query!r}: use one of {', '.join(FEC_QUERIES)}")
    needs_one = query != "timeline" and query != "spending-by-race"
    if needs_one and len(committees) != 1:
        raise InvalidInputError(f"{query}: name exactly one committee (its FEC id, e.g. C00000001)")
    if query == "timeline" and not committees:
        raise InvalidInputError("timeline: name at least one committee")
    kind = "ie" if query == "spending-by-race" else "indiv"
    paths = _parquet_of(kind, parquet, source)
    session = connect(engine, spark_master)
    try:
        table = session.parquet(paths, f"FEC {kind}")
        if kind == "ie":
            committee = committees[0] if committees else None
            rows = queries.spending_by_race(session, queries.current_ie(table), committee)
        else:
            current = queries.current_itemized(table)
            rows = {
                "receipts-by-donor": lambda: queries.receipts_by_donor(session, current, committees[0]),
                "receipts-by-employer-month": lambda: queries.receipts_by_employer_month(session, current,
                                                                                        committees[0]),
                "employers": lambda: queries.employer_candidates(session, current, committees[0]),
                "timeline": lambda: queries.committees_timeline(session, current, committees),
            }[query]()  # fmt: skip
    finally:
        session.close()
    return FecQuery(engine, query, ",".join(committees) or None, _floats(rows))


def engine_money_parts(source: Source, fec_id: str, engine: str, spark_master: str) -> tuple[Any, Any, Any]:
    """For ``politics money --engine``: the committee's FEC receipts by donor (entity-linked on the driver from the
    engine's distinct employers), its spending by race, and its monthly receipts; None where nothing was ingested."""
    from ..engines import fec as queries
    from ..ingest.store_folder import use_store_folder
    from ..politics.linking import link_names

    ctx = context_of(source)
    con = ctx.store.connection
    db = use_store_folder(con)
    indiv, ie = queries.store_parquet(con, "indiv", db), queries.store_parquet(con, "ie", db)
    if not indiv and not ie:
        return None, None, None
    session = connect(engine, spark_master)
    try:
        receipts = spending = monthly = None
        if indiv:
            current = queries.current_itemized(session.parquet(indiv, "FEC indiv"))
            receipts = _floats(queries.receipts_by_donor(session, current, fec_id))
            employers = queries.employer_candidates(session, current, fec_id)
            links = link_names(employers["employer"], ctx.table("entities")) if len(employers) else None
            linked = (links[links["decision"] == "linked"].set_index("name")["entity_id"]
                      if links is not None and not links.empty else pd.Series(dtype=object))  # fmt: skip
            receipts.insert(1, "entity_id", receipts["donor"].map(linked))
            monthly = _floats(queries.committees_timeline(session, current, [fec_id]))
        if ie:
            spending = _floats(queries.spending_by_race(session, queries.current_ie(session.parquet(ie, "FEC ie")),
                                                        fec_id))  # fmt: skip
    finally:
        session.close()
    return receipts, spending, monthly
