"""Regenerate the bundled AI-bill counts (``state_bill_counts.csv``, ``bill_topic_counts.csv``) from the DU-CAID
tracker export through marketpower's own classifier.

    .venv/bin/python scripts/state_bill_counts.py /work/shared/data/state-ai-bills/du-caid-tracker-2026-08 \
        [--out src/marketpower/datasets/aistack/data] [--source-id pol3-du-caid-tracker-2026-08]

Reads the export with :func:`marketpower.ingest.openstates.read_bills` (year = year the session began, status
from the NCSL status or the latest action), keeps the bills :func:`marketpower.politics.bills.classify_bills`
accepts, counts them per state and year (:func:`~marketpower.politics.bills.summarize_bills`) and per year and
topic (:func:`~marketpower.politics.bills.topics_by_year`), and writes every count with the classifier's version
and its precision and recall on the hand-labelled sample (``marketpower/datasets/ai_bill_labels/labels.csv``).
Congress (``US.json``) is left out: the counts are of state and territorial legislatures. Run it again after
changing the classifier: the version column changes with it.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import pandas as pd

from marketpower.ingest.openstates import read_bills
from marketpower.politics.bills import (
    classifier_version,
    classify_bills,
    precision_on_labels,
    summarize_bills,
    topics_by_year,
)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "marketpower" / "datasets" / "aistack" / "data"


def labelled_precision() -> tuple[float, float]:
    """(precision, recall) of the classifier on the shipped hand-labelled sample."""
    with resources.files("marketpower.datasets").joinpath("ai_bill_labels/labels.csv").open(encoding="utf-8") as f:
        labels = pd.read_csv(f)
    result = precision_on_labels(classify_bills(labels)["is_ai"], labels["label"])
    return result.precision, result.recall


def counts(export: Path, source_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per state-year and per year-topic counts of the AI bills of ``export``, each row carrying the classifier's
    version (and, per state-year, its precision and recall), rounded to 3 decimals."""
    bills, _ = read_bills(export)
    bills = bills[(bills["state"] != "US") & bills["year"].notna()].copy()
    bills["year"] = bills["year"].astype(int)
    version = classifier_version()
    precision, recall = labelled_precision()
    per_state = summarize_bills(bills).assign(
        classifier_version=version, precision=round(precision, 3), recall=round(recall, 3), source_id=source_id
    )
    per_state = per_state.sort_values(["state", "year"]).reset_index(drop=True)
    topics = topics_by_year(bills).assign(classifier_version=version, source_id=source_id)
    return per_state, topics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path, help="folder of the tracker export (holds bills_by_state/*.json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the two CSV files into")
    parser.add_argument("--source-id", default="pol3-du-caid-tracker-2026-08", help="id of the export in sources.csv")
    args = parser.parse_args()
    per_state, topics = counts(args.export, args.source_id)
    per_state.to_csv(args.out / "state_bill_counts.csv", index=False, lineterminator="\n")
    topics.to_csv(args.out / "bill_topic_counts.csv", index=False, lineterminator="\n")
    print(
        f"{len(per_state)} state-years ({int(per_state['introduced'].sum())} AI bills, "
        f"{int(per_state['enacted'].sum())} enacted) and {len(topics)} year-topics written to {args.out}; "
        f"classifier {per_state['classifier_version'].iloc[0]}, precision {per_state['precision'].iloc[0]}"
    )


if __name__ == "__main__":
    main()
