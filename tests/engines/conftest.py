"""Shared fixtures of the engine tests: one SparkSession for the whole run (local[1], 2 shuffle partitions) and
the engines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One local SparkSession for every Spark test (starting one costs ~20 s): local[1], 2 shuffle partitions."""
    from marketpower.engines.session import java_available

    pytest.importorskip("pyspark", reason="PySpark not installed (the 'spark' extra; `make test` installs it)")
    if not java_available():
        pytest.skip("no Java runtime: scripts/ensure-test-deps.sh installs openjdk-17-jre-headless where it can")
    from marketpower.engines.session import start_spark

    # Tiny inputs: planning and code generation cost more than the work, so whole-stage codegen and adaptive
    # execution are off (about 2x faster here; results are the same).
    session = start_spark("local[1]", {
        "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2", "spark.sql.adaptive.enabled": "false",
        "spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    })  # fmt: skip
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark(spark_session: Any) -> Any:
    from marketpower.engines.session import spark_engine

    return spark_engine(spark_session)


@pytest.fixture
def duck() -> Iterator[Any]:
    from marketpower.engines.session import connect

    engine = connect("duckdb")
    yield engine
    engine.close()
