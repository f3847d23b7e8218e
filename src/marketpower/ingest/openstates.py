"""Ingest state bills: Open States bulk CSV exports (bills, actions, subjects, abstracts) and the DU-CAID
tracker's JSON export (``bills_by_state/*.json``, Open States ids).

Open States session CSVs are named ``<ST>_<session>_bills.csv``, ``..._bill_actions.csv``,
``..._bill_abstracts.csv`` (optional) and may carry subjects in the bills file (``subject`` column, a list) or in
``..._bill_subjects.csv``. Every bill gets the year its session began (see :func:`session_start_year`), its
status (:func:`marketpower.politics.bills.bill_status`) and the AI classification with reasons. The result is
written to the store's ``bills`` and ``bill_actions`` tables in one transaction (a re-run replaces them).
"""

from __future__ import annotations

import ast
import csv
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ..errors import DataPackageError, InvalidInputError, Problem
from ..politics.bills import bill_status, classify_bills
from .textcsv import decode_text, read_csv_text

#: Numbered legislatures: state -> (session number, the year that session began, years per session).
NUMBERED_SESSIONS: dict[str, tuple[int, int, int]] = {
    "US": (116, 2019, 2),
    "AK": (34, 2025, 2),
    "AZ": (57, 2025, 2),
    "DC": (26, 2025, 2),
    "DE": (153, 2025, 2),
    "IL": (104, 2025, 2),
    "MA": (194, 2025, 2),
    "ME": (132, 2025, 2),
    "ND": (69, 2025, 2),
    "NE": (109, 2025, 2),
    "NJ": (221, 2024, 2),
    "NV": (83, 2025, 2),
    "OH": (136, 2025, 2),
    "TN": (114, 2025, 2),
    "TX": (89, 2025, 2),
}

BILL_COLUMNS = [
    "bill_id",
    "state",
    "session",
    "year",
    "identifier",
    "title",
    "abstract",
    "subjects",
    "first_action_date",
    "latest_action_date",
    "latest_action",
    "ncsl_status",
    "status",
    "is_ai",
    "ai_reasons",
    "source",
]
ACTION_COLUMNS = ["bill_id", "date", "description", "classification"]
#: At most this many located problems are listed per column of a file.
MAX_LISTED = 50


#: Years a session or an action may fall in; a year outside is not read as one.
PLAUSIBLE_YEARS = (1900, 2100)


def _plausible(year: int | None) -> int | None:
    return year if year is not None and PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1] else None


def session_start_year(state: str, session: str) -> int | None:
    """The year a session began (see :func:`_session_start_year`), or None when that is not a plausible year."""
    return _plausible(_session_start_year(state, session))


def _session_start_year(state: str, session: str) -> int | None:
    """The year a legislative session began: ``2025-2026`` -> 2025, ``20232024`` -> 2023, and for numbered
    legislatures by :data:`NUMBERED_SESSIONS` (``IL 104th`` -> 2025, ``AZ 57th-2nd-regular`` -> 2026,
    ``TX 89R`` -> 2025)."""
    text = str(session).strip()
    year = re.match(r"^((?:19|20)\d\d)", text)
    if year:
        return int(year.group(1))
    number = re.match(r"^(\d{1,6})(?!\d)", text)
    if number and state in NUMBERED_SESSIONS:
        ref_number, ref_year, span = NUMBERED_SESSIONS[state]
        n = int(number.group(1))
        if state == "TX" and n >= 100:  # special sessions: 891, 892 -> 89th legislature
            n //= 10
        start = ref_year + span * (n - ref_number)
        if re.search(r"2nd-regular", text):
            start += 1
        return start
    anywhere = re.search(r"(?:19|20)\d\d", text)
    return int(anywhere.group(0)) if anywhere else None


def _year_of(date_text: object) -> int | None:
    match = re.match(r"^(\d{4})", str(date_text or ""))
    return _plausible(int(match.group(1))) if match else None


def _subjects(value: object) -> str:
    """Subjects as one ``;``-joined string, from a Python/JSON list literal, a ``{a,b}`` array or ``;`` text."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
            parsed = None
        if isinstance(parsed, list | tuple):
            return "; ".join(str(v) for v in parsed)
    if text.startswith("{") and text.endswith("}"):
        return "; ".join(part.strip().strip('"') for part in next(csv.reader([text[1:-1]]), []) if part.strip())
    return text


STATE_CODE = re.compile(r"[A-Z]{2}")
ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?")


def _date_problem(text: str) -> str | None:
    """Why ``text`` is not an Open States date (``YYYY-MM-DD``, optionally followed by a time); None if it is
    one or is empty."""
    if not text:
        return None
    match = ISO_DATE.fullmatch(text)
    if match is None:
        return f"{text[:40]!r} is not a YYYY-MM-DD date"
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return f"{text[:40]!r} is not a real date"
    return None


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    """The file as UTF-8 text (see :func:`marketpower.ingest.textcsv.decode_text`), or None (problems appended)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.append(Problem(str(path), None, None, f"cannot read the file: {error.strerror}"))
        return None
    return decode_text(raw, str(path), problems)


# ----------------------------------------------------------------------------------------------- readers

#: Tracker bill fields: required text fields, then optional ones (text or null).
TRACKER_REQUIRED = ("state", "session", "identifier")
TRACKER_OPTIONAL = ("bill_id", "title", "latest_action_date", "latest_action_description", "ncsl_status")


def _tracker_bill(bill: object, index: int, path: Path, problems: list[Problem]) -> dict[str, object] | None:
    """One tracker record, type-checked: every problem is located by the record's JSON path ``[i].field``."""
    where = f"[{index}]"
    if not isinstance(bill, dict):
        problems.append(Problem(str(path), None, where, f"bill #{index + 1} is not a JSON object"))
        return None
    before = len(problems)
    for key in TRACKER_REQUIRED:
        value = bill.get(key)
        if key == "session" and isinstance(value, int) and not isinstance(value, bool):
            value = bill[key] = str(value)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                Problem(str(path), None, f"{where}.{key}", f"bill #{index + 1}: {key} must be text, found "
                        f"{json.dumps(value)[:40]}")
            )  # fmt: skip
    for key in TRACKER_OPTIONAL:
        value = bill.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(
                Problem(str(path), None, f"{where}.{key}", f"bill #{index + 1}: {key} must be text or null, found "
                        f"{json.dumps(value)[:40]}")
            )  # fmt: skip
    if len(problems) > before:
        return None
    state = bill["state"].strip().upper()
    if not STATE_CODE.fullmatch(state):
        problems.append(
            Problem(str(path), None, f"{where}.state", f"bill #{index + 1}: {bill['state'][:40]!r} is not a "
                    "two-letter state code")
        )  # fmt: skip
    why = _date_problem((bill.get("latest_action_date") or "").strip())
    if why:
        problems.append(Problem(str(path), None, f"{where}.latest_action_date", f"bill #{index + 1}: {why}"))
    if len(problems) > before:
        return None
    return {
        "bill_id": bill.get("bill_id") or f"{state}:{bill['session']}:{bill['identifier']}",
        "state": state,
        "session": bill["session"].strip(),
        "identifier": bill["identifier"].strip(),
        "title": bill.get("title") or "",
        "abstract": None,
        "subjects": "",
        "first_action_date": None,
        "latest_action_date": bill.get("latest_action_date") or None,
        "latest_action": bill.get("latest_action_description") or None,
        "ncsl_status": bill.get("ncsl_status") or None,
        "action_classes": [],
        "source": f"tracker:{path.name}",
    }


def read_tracker_json(folder: Path) -> pd.DataFrame:
    """Bills of the DU-CAID tracker export (one JSON list per state), every field type-checked."""
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    for path in sorted(p for p in folder.glob("*.json") if p.is_file()):
        text = _read_text(path, problems)
        if text is None:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            problems.append(Problem(str(path), error.lineno, None, f"not valid JSON: {error.msg}"))
            continue
        except RecursionError:
            problems.append(Problem(str(path), None, None, "JSON nested too deeply to be a list of bills"))
            continue
        if not isinstance(data, list):
            problems.append(Problem(str(path), None, None, "expected a JSON list of bills"))
            continue
        for i, bill in enumerate(data):
            row = _tracker_bill(bill, i, path, problems)
            if row is not None:
                rows.append(row)
    if problems:
        raise DataPackageError(problems)
    return pd.DataFrame(rows)


def _state_of(path: Path, jurisdiction: object) -> str:
    match = re.search(r"/(?:state|district|territory):([a-z]{2})", str(jurisdiction or ""))
    if match:
        return match.group(1).upper()
    return path.name.split("_")[0].upper()


#: Columns each Open States session CSV must have (the bills file also needs session_identifier or session).
CSV_REQUIRED = {
    "_bills.csv": ("id", "identifier", "title"),
    "_bill_actions.csv": ("bill_id", "date", "description", "classification"),
    "_bill_subjects.csv": ("bill_id", "subject"),
    "_bill_abstracts.csv": ("bill_id", "abstract"),
}


def _read_csv(path: Path, suffix: str, problems: list[Problem]) -> pd.DataFrame | None:
    """One Open States CSV as stripped text cells indexed by file line, after the checks of
    :func:`marketpower.ingest.textcsv.read_csv_text` and the session column of a bills file (problems appended)."""
    frame = read_csv_text(path, CSV_REQUIRED[suffix], problems, need_rows=False)
    if frame is not None and suffix == "_bills.csv" and "session_identifier" not in frame and "session" not in frame:
        problems.append(
            Problem(str(path), 1, "session_identifier", "missing column 'session_identifier' (or 'session')")
        )
        return None
    return frame


def _empty_cells(frame: pd.DataFrame, path: Path, columns: tuple[str, ...], problems: list[Problem]) -> None:
    for column in columns:
        for line in frame.index[(frame[column] == "").to_numpy()][:MAX_LISTED]:
            problems.append(Problem(str(path), int(line), column, f"empty {column}"))


def read_openstates_csv(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bills and actions from Open States session CSV exports found (recursively) in ``folder``; every file is
    checked (UTF-8, well-formed, required columns, non-empty ids, two-letter states, action dates)."""
    bills_frames: list[pd.DataFrame] = []
    actions_frames: list[pd.DataFrame] = []
    subject_frames: list[pd.DataFrame] = []
    abstract_frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for path in sorted(p for p in folder.rglob("*_bills.csv") if p.is_file()):
        frame = _read_csv(path, "_bills.csv", problems)
        if frame is None:
            continue
        _empty_cells(frame, path, ("id", "identifier"), problems)
        session_col = "session_identifier" if "session_identifier" in frame else "session"
        states = [_state_of(path, j) for j in frame.get("jurisdiction", [""] * len(frame))]
        frame["state"] = pd.Series(states, index=frame.index, dtype="str")  # text even with no rows
        for line in frame.index[(~frame["state"].str.fullmatch(STATE_CODE.pattern)).to_numpy()][:MAX_LISTED]:
            problems.append(
                Problem(str(path), int(line), "jurisdiction", f"no two-letter state in the jurisdiction or the "
                        f"file name (found {str(frame.at[line, 'state'])[:40]!r})")
            )  # fmt: skip
        frame["session"] = frame[session_col]
        frame["subjects"] = [_subjects(s) for s in frame.get("subject", [""] * len(frame))]
        frame["source"] = f"openstates:{path.name}"
        bills_frames.append(frame.rename(columns={"id": "bill_id"}))
        for suffix, bucket in (
            ("_bill_actions.csv", actions_frames),
            ("_bill_subjects.csv", subject_frames),
            ("_bill_abstracts.csv", abstract_frames),
        ):
            sibling = path.with_name(path.name.replace("_bills.csv", suffix))
            if sibling.is_file():
                part = _read_csv(sibling, suffix, problems)
                if part is None:
                    continue
                if suffix == "_bill_actions.csv":
                    for line, value in part["date"].items():
                        why = _date_problem(value)
                        if why:
                            problems.append(Problem(str(sibling), int(str(line)), "date", why))
                bucket.append(part)
    if problems:
        raise DataPackageError(problems[: MAX_LISTED * 4])
    if not bills_frames:
        return pd.DataFrame(), pd.DataFrame(columns=ACTION_COLUMNS)
    bills = pd.concat(bills_frames, ignore_index=True)
    actions = pd.concat(actions_frames, ignore_index=True) if actions_frames else pd.DataFrame(columns=ACTION_COLUMNS)
    actions = actions.reindex(columns=ACTION_COLUMNS, fill_value="")
    if subject_frames:
        extra: pd.Series = pd.concat(subject_frames).groupby("bill_id")["subject"].agg(lambda s: "; ".join(s))
        bills["subjects"] = [
            "; ".join(x for x in (own, extra.get(bid, "")) if x)
            for bid, own in zip(bills["bill_id"], bills["subjects"], strict=True)
        ]
    bills["abstract"] = None
    if abstract_frames:
        abstracts: pd.Series = pd.concat(abstract_frames).groupby("bill_id")["abstract"].agg(lambda s: " ".join(s))
        bills["abstract"] = bills["bill_id"].map(abstracts)
    ordered = actions.sort_values(["bill_id", "date"])
    grouped = ordered.groupby("bill_id")
    bills["first_action_date"] = bills["bill_id"].map(grouped["date"].first())
    bills["latest_action_date"] = bills["bill_id"].map(grouped["date"].last())
    bills["latest_action"] = bills["bill_id"].map(grouped["description"].last())
    classes = grouped["classification"].agg(lambda s: [c for v in s for c in _subjects(v).split("; ") if c])
    bills["action_classes"] = [classes.get(b, []) for b in bills["bill_id"]]
    bills["ncsl_status"] = None
    return bills, actions


def read_bills(directory: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every bill (classified, with year and status) and action found in ``directory``."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidInputError(f"DIR {folder}: not a folder; give the folder of Open States CSVs or tracker JSON")
    os_bills, actions = read_openstates_csv(folder)
    tracker_dirs = sorted({p.parent for p in folder.rglob("bills_by_state/*.json")})
    frames = [f for f in [os_bills, *(read_tracker_json(d) for d in tracker_dirs)] if not f.empty]
    if not frames:
        raise InvalidInputError(
            f"DIR {folder}: no bills found (expected Open States *_bills.csv files or bills_by_state/*.json)"
        )
    bills = pd.concat(frames, ignore_index=True).drop_duplicates("bill_id", keep="first")
    bills["year"] = [
        session_start_year(s, sess) or _year_of(first) or _year_of(latest)
        for s, sess, first, latest in zip(
            bills["state"], bills["session"], bills["first_action_date"], bills["latest_action_date"], strict=True
        )
    ]
    bills["status"] = [
        bill_status(a, n, c)
        for a, n, c in zip(bills["latest_action"], bills["ncsl_status"], bills["action_classes"], strict=True)
    ]
    bills = classify_bills(bills)
    bills["year"] = bills["year"].astype("Int64")
    return bills[BILL_COLUMNS], actions[ACTION_COLUMNS]


def ingest_bills(con: duckdb.DuckDBPyConnection, directory: Path | str) -> dict[str, int]:
    """Read, classify and store bills and actions (replacing earlier ones) in one transaction."""
    bills, actions = read_bills(directory)
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_bills", bills)
        con.register("_actions", actions)
        con.execute("CREATE OR REPLACE TABLE bills AS SELECT * FROM _bills")
        con.execute("CREATE OR REPLACE TABLE bill_actions AS SELECT * FROM _actions")
        con.unregister("_bills")
        con.unregister("_actions")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"bills": len(bills), "ai_bills": int(bills["is_ai"].sum()), "actions": len(actions)}
