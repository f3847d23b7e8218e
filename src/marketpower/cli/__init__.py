"""The ``marketpower`` command: one Typer app; each domain registers its commands from its own module.

No user sees a traceback: the project's own errors print their message (exit 1 or 2), usage errors keep Typer's
message (exit 2), Ctrl-C prints "interrupted" (exit 130), and anything else is a bug, reported on one line
naming the command (exit 70, ``EX_SOFTWARE``); ``--debug`` or ``MARKETPOWER_DEBUG=1`` adds its traceback.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Annotated, Any, NoReturn

import typer
from rich.text import Text
from typer.main import get_command

from ..errors import MarketpowerError
from .common import err_console, report_error
from .lazy import LazyGroup

#: Exit status of an unexpected error (a bug), distinct from user errors (1, 2): sysexits.h EX_SOFTWARE.
EXIT_BUG = 70
#: Exit status after Ctrl-C: 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 130
PROGRAM = "marketpower"


def _is_framework_exception(error: BaseException) -> bool:
    """Typer's own exceptions (usage errors, --help, exits, aborts) keep Typer's handling."""
    return type(error).__module__.split(".")[0] in ("typer", "click")


def command_name(group: Any, words: Sequence[str]) -> str:
    """The command a list of arguments runs, e.g. ``marketpower fec ingest`` (options and values left out)."""
    names = [PROGRAM]
    command = group
    for word in words:
        if word.startswith("-"):
            continue
        sub = command.get_command(None, word) if hasattr(command, "get_command") else None
        if sub is None:
            break
        names.append(word)
        command = sub
    return " ".join(names)


def report_bug(error: BaseException, command: str, debug: bool) -> NoReturn:
    """One line on stderr naming the command and asking for a bug report (the traceback first with ``debug``);
    exit :data:`EXIT_BUG`."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    detail = " ".join(f"{type(error).__name__}: {error}".split())
    hint = "" if debug else "; add --debug to see the traceback"
    err_console.print(
        Text.assemble(
            ("error:", "bold red"),
            f" `{command}` failed unexpectedly ({detail}). This is a bug in marketpower: please report it with "
            f"the command you ran{hint}.",
        ),
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_BUG)


def report_interrupt() -> NoReturn:
    """Ctrl-C: say so and exit :data:`EXIT_INTERRUPTED`."""
    err_console.print(Text("interrupted", style="bold red"))
    raise typer.Exit(EXIT_INTERRUPTED)


class GuardedGroup(LazyGroup):
    """The root command group: every command runs inside :meth:`invoke`, so every error it raises is reported
    here, once, as the module docstring says. Its commands load when they run (:mod:`.lazy`)."""

    def invoke(self, ctx: Any) -> Any:
        words = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except MarketpowerError as error:
            report_error(error)
        except KeyboardInterrupt:
            report_interrupt()
        except Exception as error:
            if _is_framework_exception(error) or (isinstance(error, OSError) and error.errno == errno.EPIPE):
                raise
            report_bug(error, command_name(self, words), bool(ctx.params.get("debug")))


app = typer.Typer(
    name=PROGRAM,
    cls=GuardedGroup,
    help="Measure, simulate and map market power in the AI stack. Every command has --help.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        from .. import __version__

        typer.echo(f"{PROGRAM} {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="MARKETPOWER_DEBUG",
            help="Show the traceback of an unexpected error (a bug) to attach to its report. Also MARKETPOWER_DEBUG=1.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """Options before the command name apply to every command."""


# Each command module registers its commands in its own ``register(app)`` / ``register(ingest_app)``; a new
# module is one line in :data:`.lazy.COMMAND_MODULES`.


def main() -> None:
    """Entry point. Errors raised while a command runs are reported by :class:`GuardedGroup`; this catches the
    rest (before or after a command) the same way."""
    try:
        app()
    except typer.Exit as stop:
        sys.exit(stop.exit_code)
    except MarketpowerError as error:
        try:
            report_error(error)
        except typer.Exit as stop:
            sys.exit(stop.exit_code)
    except KeyboardInterrupt:
        err_console.print(Text("interrupted", style="bold red"))
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:
        try:
            report_bug(error, command_name(get_command(app), sys.argv[1:]), _debug_from_environment())
        except typer.Exit as stop:
            sys.exit(stop.exit_code)


def _debug_from_environment() -> bool:
    """``--debug`` among the arguments or MARKETPOWER_DEBUG set to a true value (outside a running command)."""
    return "--debug" in sys.argv[1:] or os.environ.get("MARKETPOWER_DEBUG", "").lower() in ("1", "true", "yes", "on")
