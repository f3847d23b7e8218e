"""marketpower: measure, simulate and map market power, starting with the AI stack."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: The one version string is ``[project] version`` in pyproject.toml, read from the installed package's metadata.
    __version__ = version("marketpower")
except PackageNotFoundError:  # running from a source tree that was never installed (`pip install -e .` fixes it)
    __version__ = "0+unknown"
