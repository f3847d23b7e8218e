"""The schema is the single source of truth: the docs' data dictionary and the bundled descriptor follow it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from marketpower.datasets import AISTACK
from marketpower.ingest.datapackage import write_descriptor
from marketpower.schema import TABLES, data_dictionary


def test_data_dictionary_in_docs_is_current(repo_root: Path) -> None:
    published = (repo_root / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    hint = "run: marketpower schema --markdown > docs/data-dictionary.md"
    assert published.strip() == data_dictionary().strip(), hint


def test_bundled_descriptor_is_generated_from_the_schema(tmp_path: Path) -> None:
    copy = tmp_path / "aistack"
    shutil.copytree(AISTACK, copy)
    write_descriptor(copy)
    regenerated = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    bundled = json.loads((AISTACK / "datapackage.json").read_text(encoding="utf-8"))
    assert bundled == regenerated, "run: marketpower schema --write-descriptor"


def test_every_bundled_csv_is_a_schema_table() -> None:
    names = {p.stem for p in (AISTACK / "data").glob("*.csv")}
    assert names <= set(TABLES)
