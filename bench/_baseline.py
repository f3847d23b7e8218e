"""The previous code a benchmark compares against, checked out on demand: ``baseline_src(commit)`` makes a detached
``git worktree`` of ``commit`` in a temporary folder, yields its ``src`` folder and removes the worktree afterwards,
so a fresh clone runs every benchmark with no set-up. A folder given by the user (``--old-src``) is used as is."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def baseline_src(commit: str, given: str | None = None) -> Iterator[str]:
    """``given`` when set; otherwise ``src`` of a temporary detached worktree of ``commit`` (removed on exit)."""
    if given:
        if not (Path(given) / "marketpower").is_dir():
            raise SystemExit(f"--old-src {given}: no marketpower package there (give the src folder of a checkout)")
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix=f"mp-baseline-{commit[:8]}-"))
    shutil.rmtree(folder)  # git worktree add wants to create the folder itself
    made = subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(folder), commit],
        capture_output=True, text=True,
    )
    if made.returncode:
        raise SystemExit(
            f"cannot check out the baseline commit {commit} ({made.stderr.strip() or 'not a git clone'}); "
            "pass --old-src with the src folder of a checkout of it"
        )
    try:
        yield str(folder / "src")
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
