"""Commands loaded when they run: ``marketpower --help`` lists every command without importing any command
module (nor pandas, DuckDB, NetworkX, SciPy or the application layer behind them), and ``marketpower hhi``
imports only the module that registers ``hhi``.

Each module in :data:`COMMAND_MODULES` registers its commands as before, in its ``register(app)`` (and/or
``register(ingest_app)`` for ``marketpower ingest ...``): adding a command stays one line there. The listing of
``--help`` (name, help text, panel) and which module provides each top-level name come from an index built by
importing every command module once, then kept in the user cache (:func:`marketpower.cache.cache_dir`) under the
SHA-256 of the command modules' source: any edit to ``cli/*.py`` gives a new key, and a file whose recorded key
differs, or that does not parse, is rebuilt, never trusted. Without a writable cache the index is built in memory.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import Any

import typer
from typer._click.exceptions import UsageError  # click's, vendored by Typer, which does not re-export it
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command

from ..cache import cache_dir

#: The command modules of ``marketpower.cli``, in the order they register (the order ``--help`` lists).
COMMAND_MODULES = (
    "core",
    "publish",
    "ingest_markets",
    "finance",
    "flows",
    "compute",
    "simulate",
    "politics",
    "measures",
    "scenario",
)
#: The ``marketpower ingest ...`` group that several modules add to.
INGEST = "ingest"
INGEST_HELP = "Turn public data sets into the package schema or the store."
#: Bumped when the index format changes.
INDEX_FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One top-level command or group as ``--help`` lists it, and the modules that register it."""

    name: str
    modules: tuple[str, ...]
    help: str
    hidden: bool = False
    deprecated: bool = False
    panel: str | None = None


def _fresh_apps() -> tuple[typer.Typer, typer.Typer]:
    """An empty root (always a group, thanks to its callback) with an empty ``ingest`` group under it."""
    root = typer.Typer()
    root.callback()(lambda: None)
    ingest = typer.Typer(help=INGEST_HELP, no_args_is_help=True)
    root.add_typer(ingest, name=INGEST)
    return root, ingest


def build_group(modules: tuple[str, ...]) -> TyperGroup:
    """The click group of the commands that ``modules`` register (imports them)."""
    root, ingest = _fresh_apps()
    targets = {"app": root, "ingest_app": ingest}
    for name in modules:
        module = importlib.import_module(f"{__package__}.{name}")
        parameters = inspect.signature(module.register).parameters
        module.register(**{parameter: targets[parameter] for parameter in parameters})
    group = get_command(root)
    assert isinstance(group, TyperGroup)
    ingest_group = group.commands.get(INGEST)
    if isinstance(ingest_group, TyperGroup) and not ingest_group.commands:
        del group.commands[INGEST]
    return group


def build_index() -> list[Entry]:
    """Import every command module and record, in listing order, each top-level name and who registers it."""
    owners: dict[str, list[str]] = {}
    for module in COMMAND_MODULES:
        for name in build_group((module,)).commands:
            owners.setdefault(name, []).append(module)
    entries = []
    for name, command in build_group(COMMAND_MODULES).commands.items():
        panel = getattr(command, "rich_help_panel", None)
        entries.append(
            Entry(
                name=name,
                modules=tuple(owners[name]),
                help=command.short_help or command.help or "",
                hidden=command.hidden,
                deprecated=bool(command.deprecated),
                panel=panel if isinstance(panel, str) else None,
            )
        )
    return entries


def source_key() -> str:
    """SHA-256 over the name and bytes of every ``cli/*.py`` file, and the index format."""
    digest = hashlib.sha256(f"format {INDEX_FORMAT}\n".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_index(path: Path, key: str) -> list[Entry] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["key"] != key:
            return None
        return [Entry(**{**e, "modules": tuple(e["modules"])}) for e in data["commands"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_index(path: Path, key: str, entries: list[Entry]) -> None:
    """Write the index atomically (a temporary file in the same folder, then renamed); failure is harmless."""
    text = json.dumps({"key": key, "commands": [asdict(e) for e in entries]}, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cli-index-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


@cache
def command_index() -> dict[str, Entry]:
    """The index of top-level commands by name: from the cache when its key matches the source, else built."""
    key = source_key()
    path = cache_dir() / f"cli-index-{key[:16]}.json"
    entries = _read_index(path, key)
    if entries is None:
        entries = build_index()
        _write_index(path, key, entries)
    return {entry.name: entry for entry in entries}


def _listing_stub(entry: Entry) -> TyperCommand:
    """A command that only carries what the ``--help`` listing shows."""
    return TyperCommand(
        entry.name, help=entry.help, hidden=entry.hidden, deprecated=entry.deprecated, rich_help_panel=entry.panel
    )


class LazyGroup(TyperGroup):
    """A Typer group whose indexed commands load on first use; commands added directly (``app.command()``)
    behave as usual and list after the indexed ones."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        indexed = list(command_index())
        return [*indexed, *(name for name in self.commands if name not in command_index())]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is not None:
            return command
        entry = command_index().get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            return _listing_stub(entry)
        command = build_group(entry.modules).commands[cmd_name]
        self.commands[cmd_name] = command
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Typer's, with its "Did you mean ...?" drawn from every command, loaded or not."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args and self.suggest_commands else []
            if matches and "Did you mean" not in error.message:
                error.message = f"{error.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The help page lists commands from the index, without loading them."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
