"""Where marketpower keeps files it can rebuild (the command index): ``$MARKETPOWER_CACHE_DIR`` when set, else
``$XDG_CACHE_HOME/marketpower``, else ``~/.cache/marketpower``. Nothing kept there is trusted without checking the
key it was stored under; deleting the folder is always safe."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the cache folder (tests point it at a temporary folder).
CACHE_ENV = "MARKETPOWER_CACHE_DIR"


def cache_dir() -> Path:
    """The cache folder (not created here)."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "marketpower"
