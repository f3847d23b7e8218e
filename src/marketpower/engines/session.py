"""Where the relational work runs: an :class:`Engine` wraps one Ibis backend, DuckDB (embedded, the default) or
PySpark (local or a cluster), and reads the bulk inputs (Parquet, the SEC's TSV) with the checks both share.

The expressions of :mod:`marketpower.engines.fec`, :mod:`~marketpower.engines.holdings` and
:mod:`~marketpower.engines.shares` are written once in Ibis; an engine compiles them to DuckDB SQL or to Spark SQL
and returns the (small, aggregated) result to the driver as a pandas DataFrame. Bad input stops before any work:
a missing path, Parquet files whose schemas differ, a TSV without a required column (:class:`DataPackageError`
naming file and column), a Spark master that cannot be reached or Java missing (:class:`EngineError`).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataPackageError, EngineError, InvalidInputError, Problem

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"
DEFAULT_SPARK_MASTER = "local[*]"
#: Spark settings for a single machine and small results (a cluster's own defaults override none of these).
SPARK_DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
}
#: The column of Spark's TSV reader that holds a line with too few or too many fields (:meth:`Engine.files`).
MALFORMED_LINE = "_marketpower_malformed_line"
#: Seconds to wait for a ``spark://`` master to accept a connection before calling it unreachable.
MASTER_CONNECT_TIMEOUT_S = 5.0
_REMOTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")


def _ibis() -> Any:
    try:
        import ibis
    except ImportError:
        raise EngineError(
            "the engines need Ibis: install the 'spark' extra (pip install 'marketpower[spark]'), which brings "
            "ibis-framework with its DuckDB and PySpark backends"
        ) from None
    return ibis


@dataclass
class Engine:
    """One Ibis backend and what it needs to read inputs: ``name`` is ``duckdb`` or ``spark``; ``session`` the
    SparkSession (Spark only); ``master`` the Spark master it runs on."""

    name: str
    backend: Any
    session: Any = None
    master: str | None = None
    #: Whether :meth:`close` stops the SparkSession (not when it was already running: a notebook's, a test's).
    owns_session: bool = False
    _views: int = field(default=0, repr=False)

    def execute(self, expr: Any) -> pd.DataFrame:
        """Run ``expr`` and bring its rows to the driver (a job the engine refuses is an :class:`EngineError`)."""
        try:
            return self.backend.to_pandas(expr)  # type: ignore[no-any-return]
        except (DataPackageError, InvalidInputError):
            raise
        except Exception as error:  # the engine's own error types differ (duckdb.Error, Py4JJavaError, ...)
            raise EngineError(f"{self.name} could not run the query: {_first_line(error)}") from None

    def frame(self, frame: pd.DataFrame) -> Any:
        """A small driver-side table (CUSIP map, shares outstanding) as an Ibis table both engines join to."""
        return _ibis().memtable(frame)

    def _view_name(self) -> str:
        self._views += 1
        return f"mp_{uuid.uuid4().hex[:8]}_{self._views}"

    def parquet(self, paths: Sequence[str | Path], what: str) -> Any:
        """The Parquet files at ``paths`` (files, folders of ``*.parquet``, or any URL the engine reads) as one
        table. Local files are checked first: each must exist and all must have one schema."""
        files = parquet_files(paths, what)
        local = [f for f in files if not _REMOTE.match(f)]
        check_same_schema(local, what)
        if self.name == "duckdb":
            try:
                return self.backend.read_parquet(files, table_name=self._view_name())
            except Exception as error:
                problem = Problem(", ".join(files), None, None, f"{what}: {_first_line(error)}")
                raise DataPackageError([problem]) from None
        try:
            frame = self.session.read.parquet(*files)
        except Exception as error:
            raise DataPackageError(
                [Problem(", ".join(files), None, None, f"{what}: Spark cannot read it: {_first_line(error)}")]
            ) from None
        name = self._view_name()
        frame.createOrReplaceTempView(name)
        return self.backend.table(name)

    def files(self, files: Sequence[str], columns: Sequence[str], tsv: bool) -> Any:
        """Many files of one layout (Parquet, or tab-separated text with one header) as one table of their
        ``columns`` plus ``_file``, the file each row came from, and ``_row``, its row in a Parquet file (from 0;
        NULL for text, whose reader keeps no line numbers): one scan for the engine to plan, however many files
        (the caller checks columns and groups files by layout first). Text on Spark also has ``_fields`` and
        ``_width``: a line's number of fields and the header's where they differ, else NULL (Spark's reader would
        pad or cut such a line without a sign; DuckDB's refuses the file)."""
        if self.name == "duckdb":
            if tsv:
                table = self.backend.read_csv(
                    list(files), table_name=self._view_name(), delim="\t", header=True, all_varchar=True, quote="",
                    escape="", filename=True,
                )  # fmt: skip
                return table.select(*columns, _file=table.filename, _row=_ibis().null("int64"))
            table = self.backend.read_parquet(
                list(files), table_name=self._view_name(), filename=True, file_row_number=True
            )
            return table.select(*columns, _file=table.filename, _row=table.file_row_number.cast("int64"))
        from pyspark.sql.functions import col, input_file_name, lit, size, split, when

        if tsv:
            from pyspark.sql.types import StringType, StructField, StructType

            from ..ingest.sec13f import header

            # The header's names as an all-text schema: Spark then reads no row to plan (no job per file). With
            # every column parsed (no pruning), a line whose number of fields is not the header's is malformed:
            # its text goes to the corrupt-record column (Spark's CSV options columnPruning and
            # columnNameOfCorruptRecord), whose fields are counted; other lines leave it NULL.
            names = header(Path(files[0]), "\t")
            schema = StructType([StructField(name, StringType()) for name in [*names, MALFORMED_LINE]])
            reader = self.session.read.schema(schema).options(
                sep="\t", header=True, quote="", escape="", columnPruning=False,
                columnNameOfCorruptRecord=MALFORMED_LINE,
            )  # fmt: skip
            frame = reader.csv(list(files))
            malformed = col(MALFORMED_LINE).isNotNull()
            frame = frame.select(
                *columns, lit(None).cast("long").alias("_row"),
                when(malformed, size(split(col(MALFORMED_LINE), "\t", -1))).cast("long").alias("_fields"),
                when(malformed, lit(len(names))).cast("long").alias("_width"),
            )  # fmt: skip
        else:  # the row index within its file: a hidden column of Spark's Parquet reader
            frame = self.session.read.parquet(*files).select(*columns, col("_metadata.row_index").alias("_row"))
        frame = frame.withColumn("_file", input_file_name())
        name = self._view_name()
        frame.createOrReplaceTempView(name)
        return self.backend.table(name)

    def tsv(self, path: Path, columns: Sequence[str], what: str) -> Any:
        """The text columns ``columns`` of a tab-separated file with a header row (no quoting), all as strings;
        a missing column is a :class:`DataPackageError` naming the file (line 1) and the column."""
        from ..ingest.sec13f import missing_columns

        if not path.is_file():
            raise DataPackageError([Problem(str(path), None, None, f"{what}: no such file")])
        problems = missing_columns(path, columns, "\t")
        if problems:
            raise DataPackageError(problems)
        if self.name == "duckdb":
            table = self.backend.read_csv(
                str(path), table_name=self._view_name(), delim="\t", header=True, all_varchar=True, quote="",
                escape="",
            )  # fmt: skip
        else:
            from pyspark.sql.types import StringType, StructField, StructType

            from ..ingest.sec13f import header

            # The header's names as an all-text schema: Spark then reads no row to plan (no job per file).
            schema = StructType([StructField(name, StringType()) for name in header(path, "\t")])
            frame = (
                self.session.read.schema(schema).option("sep", "\t").option("header", True).option("quote", "")
                .option("escape", "").csv(str(path))
            )  # fmt: skip
            name = self._view_name()
            frame.createOrReplaceTempView(name)
            table = self.backend.table(name)
        return table.select(*columns)

    def plan(self, expr: Any) -> str:
        """The engine's physical plan of ``expr`` (Spark: its stages and exchanges; DuckDB: EXPLAIN)."""
        if self.name == "spark":
            frame = self.session.sql(str(self.backend.compile(expr)))
            return str(frame._jdf.queryExecution().executedPlan().toString())
        sql = str(self.backend.compile(expr))
        rows = self.backend.con.execute("EXPLAIN " + sql).fetchall()
        return "\n".join(str(r[-1]) for r in rows)

    def close(self) -> None:
        """Release the DuckDB connection or stop the SparkSession this engine started."""
        if self.name == "spark" and self.session is not None and self.owns_session:
            self.session.stop()
        elif self.name == "duckdb":
            self.backend.disconnect()


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:500]


def connect(engine: str = DEFAULT_ENGINE, spark_master: str = DEFAULT_SPARK_MASTER,
            spark_conf: dict[str, str] | None = None) -> Engine:  # fmt: skip
    """An :class:`Engine`: ``duckdb`` (in-process) or ``spark`` on ``spark_master`` (``local[*]``, ``local[n]``,
    ``spark://host:port``, ``yarn``, ``k8s://...``) with ``spark_conf`` added to :data:`SPARK_DEFAULTS`."""
    if engine not in ENGINES:
        raise InvalidInputError(f"--engine {engine!r}: use one of {', '.join(ENGINES)}")
    ibis = _ibis()
    if engine == "duckdb":
        return Engine("duckdb", ibis.duckdb.connect())
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(
            "--engine spark needs PySpark: install the 'spark' extra (pip install 'marketpower[spark]')"
        ) from None
    running = SparkSession.getActiveSession() is not None
    started = spark_engine(start_spark(spark_master, spark_conf), spark_master)
    started.owns_session = not running
    return started


def spark_engine(session: Any, master: str | None = None) -> Engine:
    """An :class:`Engine` over a SparkSession the caller already has (a notebook's, a test fixture's)."""
    ibis = _ibis()
    return Engine("spark", ibis.pyspark.connect(session), session, master or session.sparkContext.master)


def _check_master(master: str) -> None:
    """A master is ``yarn`` or starts with ``local``, ``spark://`` or ``k8s://`` (Spark's own rule, checked before
    its JVM prints a stack trace); a ``spark://host:port[,host:port]`` master must accept a TCP connection (else
    Spark retries for minutes)."""
    if master != "yarn" and not master.startswith(("local", "spark://", "k8s://")):
        raise InvalidInputError(
            f"--spark-master {master!r}: use local[*], local[N], spark://HOST:PORT, yarn or k8s://HOST:PORT"
        )
    if not master.startswith("spark://"):
        return
    failures = []
    for address in master[len("spark://") :].split(","):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise InvalidInputError(f"--spark-master {master!r}: write spark://HOST:PORT (e.g. spark://head:7077)")
        try:
            with socket.create_connection((host, int(port)), timeout=MASTER_CONNECT_TIMEOUT_S):
                return
        except OSError as error:
            failures.append(f"{address}: {error.strerror or error}")
    raise EngineError(
        f"Spark master {master} cannot be reached ({'; '.join(failures)}); check that the master is running and "
        "that this machine can reach it, or run on this machine with --spark-master 'local[*]'"
    )


def java_available() -> bool:
    """Whether a Java runtime is on PATH or under JAVA_HOME (PySpark starts its JVM from it)."""
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and (Path(home) / "bin" / "java").exists())


def start_spark(master: str = DEFAULT_SPARK_MASTER, conf: dict[str, str] | None = None) -> Any:
    """A SparkSession on ``master`` (:data:`SPARK_DEFAULTS` plus ``conf``); typed errors when PySpark or Java is
    missing or the master cannot be reached."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(
            "--engine spark needs PySpark: install the 'spark' extra (pip install 'marketpower[spark]')"
        ) from None
    if not java_available():
        raise EngineError("--engine spark needs Java 17 (PySpark starts a JVM): install a JRE, e.g. "
                          "apt-get install openjdk-17-jre-headless, or set JAVA_HOME")  # fmt: skip
    _check_master(master)
    if master.startswith("local"):  # Python tasks (the FEC ingest's) run in this interpreter, which has marketpower
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName("marketpower")
    for key, value in {**SPARK_DEFAULTS, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:
        raise EngineError(f"Spark could not start on master {master}: {_first_line(error)}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def parquet_files(paths: Sequence[str | Path], what: str) -> list[str]:
    """Every Parquet file at ``paths``: a file as is, a local folder's ``*.parquet`` (recursively, in name order),
    a URL (``s3://``, ``gs://``, ``abfss://``, ``dbfs:/``, ``hdfs://``) untouched for the engine to list. A local
    path that does not exist, or a folder without Parquet files, is a :class:`DataPackageError` naming it."""
    if not paths:
        raise InvalidInputError(f"{what}: no Parquet path given")
    files: list[str] = []
    problems = []
    for raw in paths:
        text = str(raw)
        if _REMOTE.match(text) or text.startswith("dbfs:/"):
            files.append(text)
            continue
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.parquet") if p.is_file())
            if not found:
                problems.append(Problem(text, None, None, f"{what}: the folder holds no .parquet file"))
            files += [str(p) for p in found]
        elif path.is_file():
            files.append(text)
        else:
            problems.append(Problem(text, None, None, f"{what}: no such file or folder"))
    if problems:
        raise DataPackageError(problems)
    return files


def _plain(kind: pa.DataType) -> pa.DataType:
    return kind.value_type if pa.types.is_dictionary(kind) else kind  # dictionary-encoded strings read as strings


def check_same_schema(files: Sequence[str], what: str) -> None:
    """All local Parquet ``files`` have the first one's columns and types (a dictionary-encoded column counts as
    its values' type); each difference is a :class:`DataPackageError` problem naming the file and the column."""
    if len(files) < 2:
        return
    try:
        reference = {f.name: _plain(f.type) for f in pq.read_schema(files[0])}
    except (OSError, pa.ArrowException) as error:
        raise DataPackageError([Problem(files[0], None, None, f"{what}: not a Parquet file ({error})")]) from None
    problems = []
    for file in files[1:]:
        try:
            schema = {f.name: _plain(f.type) for f in pq.read_schema(file)}
        except (OSError, pa.ArrowException) as error:
            problems.append(Problem(file, None, None, f"{what}: not a Parquet file ({error})"))
            continue
        for name, kind in schema.items():
            if name not in reference:
                problems.append(Problem(file, None, name, f"column not in {files[0]}"))
            elif reference[name] != kind:
                problems.append(Problem(file, None, name, f"type {kind} here, {reference[name]} in {files[0]}"))
        problems += [Problem(file, None, name, f"column missing (it is in {files[0]})")
                     for name in reference if name not in schema]  # fmt: skip
    if problems:
        raise DataPackageError(
            [*problems, Problem(what, None, None, "mixed schemas: every file of one input needs the same columns")]
        )


def write_swapped(path: Path, write: Callable[[Path], None]) -> Path:
    """Write an output through ``write(temporary path)`` next to ``path``, then move it over ``path`` in one
    rename: readers see the old file or the new one, never half of one; a failed write leaves ``path`` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path
