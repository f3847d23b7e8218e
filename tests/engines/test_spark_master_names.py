"""A --spark-master that Spark would reject is refused before its JVM starts: one clear message, no stack trace
(the JVM's Java trace went to stderr before the error)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def test_unknown_master_refused_before_spark_starts(cli, tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime")
    folder = tmp_path / "fec2020"
    folder.mkdir()
    (folder / "cm20.txt").write_text("", encoding="utf-8")  # never read: the master is refused first
    args = ["fec", "ingest", str(folder), "--cycle", "2020", "--db", str(tmp_path / "s.duckdb"), "--engine", "spark"]
    bad = cli(*args, "--spark-master", "bogus")
    assert bad.code != 0
    assert "--spark-master 'bogus': use local[*], local[N], spark://HOST:PORT, yarn or k8s://HOST:PORT" in bad.err
    assert "Traceback" not in bad.err and "SparkException" not in bad.err
