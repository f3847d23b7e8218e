"""One exception type per kind of failure; every message says what, where and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class MarketpowerError(Exception):
    """Base class of every error marketpower raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One located problem in an input: file, line (1-based, header is line 1), field, message."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class DataPackageError(MarketpowerError):
    """A data package (or one of its files) failed validation. Holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = f"{len(problems)} problem(s) in the data package"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in problems))


class InvalidInputError(MarketpowerError):
    """An argument or user-supplied value is invalid; the message names the field and the item."""


class NotFoundError(InvalidInputError):
    """An id (market, entity, deal, layer, ...) names nothing in the data; the message says where the ids are."""


class EngineError(MarketpowerError):
    """A query engine (DuckDB, Spark) cannot run the work: a Spark master that cannot be reached, Java or PySpark
    missing, a job the engine refused; the message names the engine, the address or path and how to fix it."""


class StorageError(MarketpowerError):
    """A file marketpower keeps for itself (the cache of the bundled package) cannot be written; the message
    names the folder."""


class ConvergenceError(MarketpowerError):
    """A numerical solve did not converge; carries its diagnostics (method, iterations, residual)."""

    #: The default remedy, for a solve that may have stopped short of a solution that exists.
    REMEDY = "This can sometimes be mitigated by a better starting point, a looser tolerance or more iterations."

    def __init__(self, message: str, diagnostics: dict[str, object], remedy: str | None = None):
        self.diagnostics = diagnostics
        super().__init__(f"{message} (diagnostics: {diagnostics}). {remedy or self.REMEDY}")
