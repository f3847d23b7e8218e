"""CUSIP candidates for firms from the user's own 13F data sets: the CUSIPs whose NAMEOFISSUER, as filers typed
it in INFOTABLE, names the firm, with what each was filed as and how much it was held. A suggestion for the user
to review and pass to ``--cusips``; κ itself never matches names (it maps CUSIPs only).

Matching compares :func:`name_key` of the firm's name with :func:`name_key` of each NAMEOFISSUER: upper case;
full stops and apostrophes dropped (``N.V.`` is ``NV``), every other run of characters that is not A-Z or 0-9 one
space; a leading ``THE`` and every trailing word of :data:`FORM_WORDS` (legal form: ``INC``, ``CORP``, ``LTD``,
``PLC``, ``N V``, ``HOLDINGS``, ``GROUP``, ...) or :data:`SECURITY_WORDS` (what security: ``CL A``, ``COM``,
``ORD SHS``, ``SPONSORED ADR``, ``N Y REGISTRY SHS``, ``NEW``, ...) removed. Two names match when their keys are
equal: ``BROADCOM INC``, ``Broadcom Ltd.`` and ``BROADCOM INC COM`` all give ``BROADCOM``; ``BROADCOM CABLE LLC``
gives ``BROADCOM CABLE`` and does not match, because a word other than form or class names another business and
taking it would be a guess. Abbreviations filers use for other words (``TECHNOLOGIES``/``TECH``, ``SYSTEMS``/
``SYS``) are not expanded, so such a spelling finds no candidate and the firm is listed as without one.

Rows are those κ reads (:mod:`marketpower.engines.holdings`: the same readers and checks, shares only, the
amendment rule, a filing in two data sets counted once), plus NAMEOFISSUER, TITLEOFCLASS and VALUE. A CUSIP is a
candidate of a firm when any of its share rows has a matching name; its figures are over all its share rows:
filings, quarters, first and last quarter, VALUE summed as filed (the SEC's readme of each data set gives the
unit), and every issuer name and title of class filed with it. The name keys, the join and the aggregation run on
the engine; only the candidates come back to the driver.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataPackageError
from ..ingest.sec13f import COVERPAGE_REQUIRED, INFOTABLE_REQUIRED
from ..schema.finance import CUSIP_PATTERN, cusip_check_digit
from .holdings import (
    _COVER_CHECKS,
    _INFO_CHECKS,
    DataSet13F,
    _bad_amount,
    _checked,
    _cover_rows,
    _files_by_dataset,
    _info_rows,
    _kept_filings,
    _number,
    _text,
)
from .session import Engine, _ibis

#: Legal-form words removed from the end of a name (spaced forms as the SEC's files write them: ``N V``).
FORM_WORDS = (
    "INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "COMPANY", "LTD", "LIMITED", "PLC", "P L C", "LLC", "L L C",
    "LP", "L P", "NV", "N V", "SA", "S A", "AG", "SE", "SPA", "HOLDINGS", "HOLDING", "HLDGS", "HLDG", "GROUP", "GRP",
)  # fmt: skip
#: Words naming the security rather than the issuer, removed from the end of a name; ``CL X`` / ``CLASS X`` for
#: any one letter X.
SECURITY_WORDS = (
    "CL [A-Z]", "CLASS [A-Z]", "COM", "COMMON", "STOCK", "STK", "CAP STK", "SHS", "SHARES", "ORD", "ORDINARY", "ADR",
    "ADS", "SPONSORED", "SPON", "NEW", "N Y REGISTRY", "NY REGISTRY", "REGISTRY",
)  # fmt: skip
_TRAILING = "(?: (?:" + "|".join((*FORM_WORDS, *SECURITY_WORDS)) + "))+ $"
_EXTRA_COLUMNS = ("NAMEOFISSUER", "TITLEOFCLASS", "VALUE")
_VALUE_CHECK = {"bad_value": ("VALUE", "value empty, negative or not a number")}
#: The columns of :func:`cusip_candidates`.
CANDIDATE_COLUMNS = [
    "firm", "name", "cusip", "check_digit_ok", "candidates", "issuer_names", "titles", "filings", "quarters",
    "first_quarter", "last_quarter", "value", "other_firms",
]  # fmt: skip


def name_key(name: Any) -> Any:
    """The comparison key of a name column (an Ibis string expression), as the module docstring defines it; the
    same expression on both engines (their regular expressions agree on the classes and groups used here)."""
    text = name.upper().re_replace(r"[.']", "").re_replace(r"[^A-Z0-9]+", " ")
    padded = (" " + text + " ").re_replace(r" +", " ").re_replace(r"^ THE ", " ")
    return padded.re_replace(_TRAILING, " ").strip()


def name_keys(engine: Engine, names: Sequence[str]) -> list[str]:
    """:func:`name_key` of each of ``names``, computed by ``engine`` (for checking spellings by hand)."""
    table = engine.frame(pd.DataFrame({"n": list(range(len(names))), "name": list(names)}))
    keys = engine.execute(table.select(table.n, key=name_key(table.name)).order_by("n"))
    return [str(k) for k in keys["key"]]


def _issuer_rows(table: Any) -> Any:
    """The INFOTABLE rows κ reads (:func:`marketpower.engines.holdings._info_rows`, its columns and checks) with
    the issuer name, title of class and VALUE as filed, and ``bad_value``."""
    value = _number(table.VALUE)
    return _info_rows(
        table, issuer=_text(table.NAMEOFISSUER), title=_text(table.TITLEOFCLASS), value=value,
        bad_value=_bad_amount(value),
    )  # fmt: skip


def check_digit_ok(cusip: str) -> bool:
    """Whether ``cusip`` is 9 characters A-Z/0-9 whose ninth is the check digit of the first eight."""
    return bool(re.fullmatch(CUSIP_PATTERN, cusip)) and cusip[8] == str(cusip_check_digit(cusip[:8]))


def cusip_candidates(engine: Engine, datasets: Sequence[DataSet13F], firms: pd.DataFrame) -> pd.DataFrame:
    """Candidate CUSIPs of ``firms`` (columns firm, name) in ``datasets``: one row per (firm, CUSIP) with the
    columns of :data:`CANDIDATE_COLUMNS`, sorted by firm then value (largest first). ``candidates``: how many
    CUSIPs the firm has (more than one: classes, a predecessor company, or a typo; review them); ``other_firms``:
    other firms whose name also matches the CUSIP's issuer names. Every row of every data set is checked first,
    as for κ (:class:`~marketpower.errors.DataPackageError` naming file, line and column)."""
    ibis = _ibis()
    with tempfile.TemporaryDirectory(prefix="marketpower-13f-") as scratch:
        info, problems = _checked(
            engine, [d.infotable for d in datasets], (*INFOTABLE_REQUIRED, *_EXTRA_COLUMNS), "13F INFOTABLE",
            _issuer_rows, {**_INFO_CHECKS, **_VALUE_CHECK}, _files_by_dataset(datasets, "infotable"), Path(scratch),
        )  # fmt: skip
        cover, more = _checked(
            engine, [d.coverpage for d in datasets], COVERPAGE_REQUIRED, "13F COVERPAGE", _cover_rows,
            _COVER_CHECKS, _files_by_dataset(datasets, "coverpage"), Path(scratch),
        )  # fmt: skip
    if problems or more:
        raise DataPackageError([*problems, *more])
    kept = _kept_filings(engine, cover, _files_by_dataset(datasets, "coverpage"))
    shares = info.filter(info.is_share).select("dataset", "accession", "cusip", "issuer", "title", "value")
    rows = shares.join(kept.select("dataset", "accession", "quarter"), ["dataset", "accession"])
    wanted = engine.frame(firms[["firm", "name"]].astype(str).reset_index(drop=True))
    wanted = wanted.select("firm", key=name_key(wanted.name)).filter(ibis._.key != "")
    spellings = rows.select("cusip", "issuer").distinct()  # the regular expressions run once per spelling
    named = spellings.select("cusip", key=name_key(spellings.issuer)).distinct()
    matched = named.join(wanted, "key").select("cusip", "firm").distinct()
    figures = (
        rows.join(matched, "cusip")
        .group_by(["firm", "cusip"])
        .aggregate(
            issuer_names=ibis._.issuer.collect(distinct=True), titles=ibis._.title.collect(distinct=True),
            filings=ibis._.accession.nunique(), quarters=ibis._.quarter.nunique(),
            first_quarter=ibis._.quarter.min(), last_quarter=ibis._.quarter.max(), value=ibis._.value.sum(),
        )
    )  # fmt: skip
    frame = engine.execute(figures)
    return _arranged(frame, firms)


def _arranged(frame: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """The engine's rows in the order and columns of :data:`CANDIDATE_COLUMNS` (lists sorted, figures typed)."""
    if frame.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    out = frame.merge(firms[["firm", "name"]], on="firm", how="left")
    out["issuer_names"] = [sorted(str(v) for v in names if v is not None) for names in out["issuer_names"]]
    out["titles"] = [sorted(str(v) for v in titles if v is not None) for titles in out["titles"]]
    out["check_digit_ok"] = [check_digit_ok(str(c)) for c in out["cusip"]]
    out["candidates"] = out.groupby("firm")["cusip"].transform("size").astype("int64")
    by_cusip = out.groupby("cusip")["firm"].agg(lambda f: sorted(set(f)))
    out["other_firms"] = [[f for f in by_cusip[c] if f != firm] for c, firm in zip(out["cusip"], out["firm"],
                                                                                     strict=True)]  # fmt: skip
    out = out.astype({"filings": "int64", "quarters": "int64", "value": "float64"})
    out = out.sort_values(["firm", "value", "cusip"], ascending=[True, False, True], kind="stable")
    return out[CANDIDATE_COLUMNS].reset_index(drop=True)
