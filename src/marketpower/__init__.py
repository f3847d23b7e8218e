"""marketpower: measure, simulate and map market power, starting with the AI stack."""

from typing import Any


def __getattr__(name: str) -> Any:
    """``__version__``, read on first use (importlib.metadata costs ~0.06 s, which no command but --version needs)."""
    if name != "__version__":
        raise AttributeError(f"module 'marketpower' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        #: The one version string is ``[project] version`` in pyproject.toml, read from the installed package's
        #: metadata.
        found = version("marketpower")
    except PackageNotFoundError:  # running from a source tree that was never installed (`pip install -e .` fixes it)
        found = "0+unknown"
    globals()["__version__"] = found
    return found
