"""State AI legislation: a curated AI-bill classifier that says why each bill matched, bill status from
actions, and per-state, per-year summaries. Pure functions over DataFrames; nothing here reads files.

The classifier accepts a bill when its title, abstract or subjects match one of the curated concepts below
(whole words, case-insensitive unless noted), and reports each match as ``field: concept ('matched text')``.
It deliberately ignores full text: keyword hits deep in a bill's text (a budget line, a definition copied into
an unrelated act) are the main source of false positives in keyword trackers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pandas as pd

from ..errors import InvalidInputError


@dataclass(frozen=True)
class Concept:
    """One curated AI concept: a name and the regular expression that finds it."""

    name: str
    pattern: re.Pattern[str]


def _concept(name: str, regex: str, flags: int = re.IGNORECASE) -> Concept:
    return Concept(name, re.compile(regex, flags))


CONCEPTS: tuple[Concept, ...] = (
    _concept("artificial intelligence", r"\bartificial[\s\-]+intelligence\b"),
    # "AI" only as a capitalised token (not "ai" inside Hawaiian words), incl. "AI-generated", "AI-ASSISTED".
    _concept("AI (abbreviation)", r"(?<![A-Za-z])A\.?I\.?(?![A-Za-z])", 0),
    _concept("machine learning", r"\bmachine[\s\-]+learning\b"),
    _concept("generative model", r"\bgenerative\b"),
    _concept("large language model", r"\blarge[\s\-]+language[\s\-]+models?\b|\bLLMs?\b"),
    _concept("frontier or foundation model", r"\b(frontier|foundation)[\s\-]+models?\b"),
    _concept("chatbot", r"\bchat[\s\-]?bots?\b|\bcompanion[\s\-]+chatbots?\b"),
    _concept("deepfake", r"\bdeep[\s\-]?fakes?\b"),
    _concept("synthetic media", r"\bsynthetic[\s\-]+(media|performers?|content|images?|voices?)\b"),
    _concept("digital replica", r"\bdigital[\s\-]+(replica|replicas|replication)\b"),
    _concept("computer-generated imagery", r"\b(computer|ai)[\s\-]+generated\b|\bartificially[\s\-]+generated\b"),
    _concept(
        "automated decision system",
        r"\bautomated[\s\-]+(employment[\s\-]+|lending[\s\-]+)?decision[\s\-]*(making)?[\s\-]*(systems?|tools?)\b",
    ),
    _concept("algorithmic system", r"\balgorithmic[\s\-]+(systems?|discrimination|decision|pricing|devices?)\b"),
    _concept("algorithm", r"\balgorithms?\b"),
    _concept("neural network", r"\bneural[\s\-]+networks?\b"),
)

#: Subjects that by themselves mark a bill as an AI bill (Open States / NCSL subject labels).
AI_SUBJECTS: tuple[str, ...] = ("artificial intelligence", "automated decision systems", "deepfakes")

TEXT_FIELDS = ("title", "abstract")


def classifier_version() -> str:
    """Version of the classifier: the first 12 hex digits of the SHA-256 of its concepts (names, patterns, flags)
    and AI subjects, so any change to what it accepts changes the version printed beside counts it produced."""
    spec = "\n".join(f"{c.name}\t{c.pattern.pattern}\t{c.pattern.flags}" for c in CONCEPTS)
    spec += "\n" + "\n".join(AI_SUBJECTS)
    return hashlib.sha256(spec.encode("utf-8")).hexdigest()[:12]


def classify_text(fields: dict[str, str | None], subjects: list[str] | None = None) -> list[str]:
    """Reasons a bill is an AI bill (empty list: it is not).

    ``fields`` maps a field name (title, abstract) to its text; ``subjects`` are subject labels.
    Each reason reads ``"<field>: <concept> ('<matched text>')"`` or ``"subject: <label>"``.
    """
    reasons: list[str] = []
    for field_name, text in fields.items():
        if not text:
            continue
        for concept in CONCEPTS:
            found = concept.pattern.search(text)
            if found:
                reasons.append(f"{field_name}: {concept.name} ('{found.group(0).strip()}')")
    for subject in subjects or []:
        if subject.strip().lower() in AI_SUBJECTS:
            reasons.append(f"subject: {subject.strip()}")
    return reasons


def classify_bills(bills: pd.DataFrame) -> pd.DataFrame:
    """Add ``is_ai`` (bool) and ``ai_reasons`` (``; ``-joined) to a bills frame.

    Uses the columns ``title`` (required), ``abstract`` and ``subjects`` (a list or a ``;``-joined string)
    when present.
    """
    if "title" not in bills:
        raise InvalidInputError("bills: a 'title' column is required to classify bills")
    reasons = []
    for data in bills.to_dict("records"):
        subjects = data.get("subjects")
        if isinstance(subjects, str):
            subject_list = [s for s in subjects.split(";") if s.strip()]
        elif isinstance(subjects, list | tuple):
            subject_list = [str(s) for s in subjects]
        else:
            subject_list = []
        texts = {f: (data.get(f) if isinstance(data.get(f), str) else None) for f in TEXT_FIELDS}
        reasons.append(classify_text(texts, subject_list))
    out = bills.copy()
    out["ai_reasons"] = ["; ".join(r) for r in reasons]
    out["is_ai"] = [bool(r) for r in reasons]
    return out


@dataclass(frozen=True)
class Precision:
    """Precision of a classifier on a labelled sample.

    ``precision = confirmed / (confirmed + rejected)`` among accepted bills labelled ``ai`` or ``not_ai``;
    ``strict_precision`` also counts accepted ``unclear`` bills as misses; ``recall`` is the share of
    ``ai``-labelled bills that are accepted.
    """

    accepted: int
    confirmed: int
    rejected: int
    unclear: int
    labelled_ai: int

    @property
    def precision(self) -> float:
        return self.confirmed / (self.confirmed + self.rejected) if self.confirmed + self.rejected else float("nan")

    @property
    def strict_precision(self) -> float:
        return self.confirmed / self.accepted if self.accepted else float("nan")

    @property
    def recall(self) -> float:
        return self.confirmed / self.labelled_ai if self.labelled_ai else float("nan")


def precision_on_labels(accepted: pd.Series, labels: pd.Series) -> Precision:
    """Compare accepted (bool per bill) with hand labels (``ai`` / ``not_ai`` / ``unclear``) on the same index."""
    unknown = set(labels.unique()) - {"ai", "not_ai", "unclear"}
    if unknown:
        raise InvalidInputError(f"labels: unknown label(s) {sorted(unknown)}; use ai, not_ai or unclear")
    acc = accepted.astype(bool)
    return Precision(
        accepted=int(acc.sum()),
        confirmed=int((acc & (labels == "ai")).sum()),
        rejected=int((acc & (labels == "not_ai")).sum()),
        unclear=int((acc & (labels == "unclear")).sum()),
        labelled_ai=int((labels == "ai").sum()),
    )


# ----------------------------------------------------------------------------------------------- status

_ENACTED = re.compile(
    r"approved by (the )?governor|signed by (the )?governor|governor signed|chaptered|became law|"
    r"became (an )?act|act no\.|public act|session law|became effective without (the )?governor|"
    r"enacted|signed into law|effective without signature",
    re.IGNORECASE,
)
_VETOED = re.compile(r"\bveto(ed)?\b", re.IGNORECASE)
_FAILED = re.compile(r"died|failed|tabled|indefinitely postponed|withdrawn|stricken|adjourned", re.IGNORECASE)
ENACTED_ACTION_CLASSES = ("became-law", "executive-signature")


def bill_status(
    latest_action: str | None, ncsl_status: str | None = None, action_classes: list[str] | None = None
) -> str:
    """``enacted``, ``adopted`` (resolutions), ``vetoed``, ``failed`` or ``pending``.

    Open States action classifications win (``became-law``, ``executive-signature`` -> enacted); then the
    NCSL status; then the wording of the latest action.
    """
    if action_classes and any(c in ENACTED_ACTION_CLASSES for c in action_classes):
        return "enacted"
    status = ncsl_status.strip().lower() if isinstance(ncsl_status, str) else ""
    if status.startswith("enacted"):
        return "enacted"
    if status.startswith("adopted"):
        return "adopted"
    if status.startswith("vetoed"):
        return "vetoed"
    if status.startswith("failed"):
        return "failed"
    text = latest_action if isinstance(latest_action, str) else ""
    if _VETOED.search(text) and not re.search(r"overrid", text, re.IGNORECASE):
        return "vetoed"
    if _ENACTED.search(text):
        return "enacted"
    if _FAILED.search(text):
        return "failed"
    return "pending"


# ----------------------------------------------------------------------------------------------- summaries


def summarize_bills(
    bills: pd.DataFrame, year: int | None = None, state: str | None = None, ai_only: bool = True
) -> pd.DataFrame:
    """AI bills per state and year: ``introduced``, ``enacted`` (incl. resolutions adopted), ``vetoed``,
    ``failed``, ``pending``.

    ``bills`` needs ``state``, ``year`` and ``status`` columns (and ``is_ai`` when ``ai_only``).
    A bill counts in the year it was introduced (``year``).
    """
    for column in ("state", "year", "status"):
        if column not in bills:
            raise InvalidInputError(f"bills: column '{column}' is required for a summary")
    frame = bills
    if ai_only:
        if "is_ai" not in frame:
            raise InvalidInputError("bills: classify them first (column 'is_ai' missing)")
        frame = frame[frame["is_ai"]]
    if year is not None:
        frame = frame[frame["year"] == year]
    if state is not None:
        code = state.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise InvalidInputError(f"--state {state!r}: give a two-letter state code such as CA")
        frame = frame[frame["state"] == code]
    columns = ["state", "year", "introduced", "enacted", "vetoed", "failed", "pending"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    status = frame["status"].replace({"adopted": "enacted"})
    counts = pd.crosstab([frame["state"], frame["year"]], status)
    for column in ("enacted", "vetoed", "failed", "pending"):
        if column not in counts:
            counts[column] = 0
    counts["introduced"] = counts[["enacted", "vetoed", "failed", "pending"]].sum(axis=1)
    out = counts.reset_index()[columns]
    out["year"] = out["year"].astype(int)
    return out.sort_values(["year", "state"]).reset_index(drop=True)


def topics_by_year(bills: pd.DataFrame) -> pd.DataFrame:
    """AI bills per introduction year and topic: ``year, topic, bills``.

    A topic is a concept of :data:`CONCEPTS` or an AI subject label that the classifier gave as a reason
    (column ``ai_reasons``, ``; ``-joined as written by :func:`classify_bills`). A bill counts once per topic,
    so the topics of one year may sum to more than its bills. Sorted by year, then most bills first.
    """
    for column in ("year", "is_ai", "ai_reasons"):
        if column not in bills:
            raise InvalidInputError(f"bills: column '{column}' is required (classify the bills first)")
    rows: set[tuple[int, str, int]] = set()
    for position, (year, is_ai, reasons) in enumerate(
        zip(bills["year"], bills["is_ai"], bills["ai_reasons"], strict=True)
    ):
        if not is_ai or pd.isna(year) or not isinstance(reasons, str):
            continue
        for reason in reasons.split("; "):
            field_name, _, rest = reason.partition(": ")
            topic = rest if field_name == "subject" else rest.split(" ('", 1)[0]
            if topic.strip():
                rows.add((int(year), topic.strip().lower(), position))
    frame = pd.DataFrame(sorted(rows), columns=["year", "topic", "bill"])
    if frame.empty:
        return pd.DataFrame(columns=["year", "topic", "bills"])
    out = frame.groupby(["year", "topic"]).size().rename("bills").reset_index()
    return out.sort_values(["year", "bills", "topic"], ascending=[True, False, True]).reset_index(drop=True)


def latest_bill_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The latest published count of each tracker, state (or ``ALL``) and year from a ``bill_counts`` table:
    the row with the latest ``as_of`` among those giving ``introduced`` or ``enacted`` (trackers kept apart,
    never summed). Sorted by year, state, then tracker."""
    for column in ("tracker", "state", "year", "as_of", "introduced", "enacted"):
        if column not in counts:
            raise InvalidInputError(f"bill_counts: column '{column}' is required")
    rows = counts[counts["introduced"].notna() | counts["enacted"].notna()]
    if rows.empty:
        return counts.iloc[0:0].reset_index(drop=True)
    rows = rows.assign(_as_of=pd.to_datetime(rows["as_of"]))
    latest = rows.sort_values("_as_of", kind="stable").groupby(["tracker", "state", "year"]).tail(1)
    return latest.drop(columns="_as_of").sort_values(["year", "state", "tracker"]).reset_index(drop=True)
