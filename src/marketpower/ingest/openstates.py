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
from pathlib import Path

import duckdb
import pandas as pd

from ..errors import DataPackageError, InvalidInputError, Problem
from ..politics.bills import bill_status, classify_bills

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


def session_start_year(state: str, session: str) -> int | None:
    """The year a legislative session began: ``2025-2026`` -> 2025, ``20232024`` -> 2023, and for numbered
    legislatures by :data:`NUMBERED_SESSIONS` (``IL 104th`` -> 2025, ``AZ 57th-2nd-regular`` -> 2026,
    ``TX 89R`` -> 2025)."""
    text = str(session).strip()
    year = re.match(r"^((?:19|20)\d\d)", text)
    if year:
        return int(year.group(1))
    number = re.match(r"^(\d+)", text)
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
    return int(match.group(1)) if match else None


def _subjects(value: object) -> str:
    """Subjects as one ``;``-joined string, from a Python/JSON list literal, a ``{a,b}`` array or ``;`` text."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value).strip()
    if text.startswith("["):
        try:
            return "; ".join(str(v) for v in ast.literal_eval(text))
        except (ValueError, SyntaxError):
            pass
    if text.startswith("{") and text.endswith("}"):
        return "; ".join(part.strip().strip('"') for part in next(csv.reader([text[1:-1]])) if part.strip())
    return text


# ----------------------------------------------------------------------------------------------- readers


def read_tracker_json(folder: Path) -> pd.DataFrame:
    """Bills of the DU-CAID tracker export (one JSON list per state)."""
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            problems.append(Problem(path.name, error.lineno, None, f"not valid JSON: {error.msg}"))
            continue
        if not isinstance(data, list):
            problems.append(Problem(path.name, None, None, "expected a JSON list of bills"))
            continue
        for i, bill in enumerate(data):
            missing = [k for k in ("state", "session", "identifier") if not bill.get(k)]
            if missing:
                problems.append(Problem(path.name, None, ",".join(missing), f"bill #{i + 1} lacks {missing}"))
                continue
            state = str(bill["state"])
            rows.append(
                {
                    "bill_id": bill.get("bill_id") or f"{state}:{bill['session']}:{bill['identifier']}",
                    "state": state,
                    "session": str(bill["session"]),
                    "identifier": bill["identifier"],
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
            )
    if problems:
        raise DataPackageError(problems)
    return pd.DataFrame(rows)


def _state_of(path: Path, jurisdiction: object) -> str:
    match = re.search(r"/(?:state|district|territory):([a-z]{2})", str(jurisdiction or ""))
    if match:
        return match.group(1).upper()
    return path.name.split("_")[0].upper()


def read_openstates_csv(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bills and actions from Open States session CSV exports found (recursively) in ``folder``."""
    bills_frames: list[pd.DataFrame] = []
    actions_frames: list[pd.DataFrame] = []
    subject_frames: list[pd.DataFrame] = []
    abstract_frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for path in sorted(folder.rglob("*_bills.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in ("id", "identifier", "title") if c not in frame]
        if missing:
            problems.append(Problem(path.name, 1, ",".join(missing), f"missing column(s) {missing}"))
            continue
        session_col = "session_identifier" if "session_identifier" in frame else "session"
        if session_col not in frame:
            problems.append(Problem(path.name, 1, "session_identifier", "missing the session column"))
            continue
        frame["state"] = [_state_of(path, j) for j in frame.get("jurisdiction", [""] * len(frame))]
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
                bucket.append(pd.read_csv(sibling, dtype=str, keep_default_na=False))
    if problems:
        raise DataPackageError(problems)
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
