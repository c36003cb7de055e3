"""What the CLI's commands share: exit codes, formats, options, the error boundary, terminal.

The options are ``Annotated`` aliases written once (the filter options as one group, see
``filter_options``); ``Command`` is every command's class: help that names arguments by
their metavar, ``--dask`` with an optional value, and the one error boundary (``MatcherError``
-> ``Error: ...`` and exit 1; Ctrl-C -> exit 130). What is known of the terminal is read by
``read_terminal`` alone.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, IntEnum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand

from ..errors import ClusterError, MatcherError
from ..filters import Filters
from ..output import write_output
from ..render.sanitise import clean_line


class ExitCode(IntEnum):
    """What the ``matcher`` process exits with."""

    OK = 0
    BAD_INPUT = 1  # a file the user gave cannot be used; the message names it
    USAGE = 2  # wrong options or arguments (typer/click's own code)
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report a process stopped by it


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"
    csv = "csv"


class TextFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class InfoFormat(str, Enum):
    table = "table"
    json = "json"


# What ``-o FILE`` implies when --format is not given.
SUFFIX_FORMATS = {".html": Format.html, ".htm": Format.html, ".json": Format.json,
                   ".csv": Format.csv, ".md": Format.markdown}  # fmt: skip


class Kind(str, Enum):
    tool = "tool"
    knowledge = "knowledge"
    practice = "practice"
    soft = "soft"


class Source(str, Enum):
    esco = "esco"
    onet = "onet"


# Arguments and options several commands share.
ResumeArg = Annotated[
    str,
    typer.Argument(metavar="RESUME", help="Resume file (.txt .md .pdf .docx), or - for stdin."),
]
ListingsArg = Annotated[
    Optional[list[Path]],  # noqa: UP045 - typer reads this annotation at runtime on 3.9+
    typer.Argument(
        metavar="LISTINGS",
        help="Listings files or folders. Default: the bundled sample listings.",
    ),
]
FormatOpt = Annotated[
    Optional[Format],  # noqa: UP045
    typer.Option(
        "--format",
        "-f",
        help="table for people, html for a page to keep, json for programs, csv for "
        "spreadsheets, markdown for notes. Default: table, or what -o's file name ends in.",
    ),
]
TextFormatOpt = Annotated[
    TextFormat,
    typer.Option(
        "--format", "-f", help="table for people, json for programs, csv for spreadsheets."
    ),
]
OutputOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report to FILE (atomically) instead of standard output.",
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Replace FILE even if it is not a report matcher wrote."),
]
LocationOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--location", "-l", metavar="TEXT", help="Keep listings whose location contains this text."
    ),
]
VocabularyOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--vocabulary",
        "-V",
        metavar="NAME",
        help="Skill vocabulary to use: builtin, an imported one (esco, onet) or a CSV file. "
        "Repeat to combine. Default: builtin plus every imported one.",
    ),
]


class Workplace(str, Enum):
    remote = "remote"
    hybrid = "hybrid"
    on_site = "on-site"


class Unknown(str, Enum):
    keep = "keep"
    drop = "drop"


RemoteOpt = Annotated[
    bool,
    typer.Option(
        "--remote",
        help="Keep remote listings only (from the posting's fields, or its text: remote, work "
        "from home, home working); hybrid is not remote. Same as --workplace remote.",
    ),
]
WorkplaceOpt = Annotated[
    Optional[Workplace],  # noqa: UP045
    typer.Option("--workplace", help="Keep listings with this workplace only."),
]
JobTypeOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--job-type",
        "-t",
        metavar="TYPE",
        help="Keep listings of this job type: full-time, part-time, contract, temporary, "
        "internship, volunteer, permanent, per-diem, other. Repeat for any of several.",
    ),
]
PostedSinceOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--posted-since",
        metavar="DATE|DAYS",
        help="Keep listings posted on DATE (2026-11-01) or later, or in the last DAYS days.",
    ),
]
SalaryMinOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--salary-min",
        metavar="AMOUNT",
        help="Keep listings whose pay range reaches AMOUNT a year: 50000, 60k, 'GBP 40000', "
        "'30/hour' (made yearly: 2,080 hours). With a currency, listings paid in another one "
        "count as not saying.",
    ),
]
IfUnknownOpt = Annotated[
    Unknown,
    typer.Option(
        "--if-unknown",
        help="What to do with listings that do not say what a filter asks (no remote field "
        "or words, no job type, no date, no salary): keep them or drop them. The output says "
        "how many there were.",
    ),
]


def filters_of(
    location: str | None,
    remote: bool,
    workplace: Workplace | None,
    job_type: list[str] | None,
    posted_since: str | None,
    salary_min: str | None,
    if_unknown: Unknown,
) -> Filters:
    """Return the filters the options ask for; text that cannot be read is a usage error."""
    if remote and workplace not in (None, Workplace.remote):
        raise typer.BadParameter("--remote and --workplace disagree", param_hint="--remote")
    try:
        return Filters.parse(
            location=location,
            workplace="remote" if remote else workplace.value if workplace else None,
            job_types=job_type or (),
            posted_since=posted_since,
            salary_min=salary_min,
            unknown=if_unknown.value,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


# The filter options match, gaps and match-many share, written once: a command declares
# ``location: LocationOpt`` and ``filters: FilterOpts`` and ``filter_options`` puts these in
# the place of ``filters`` (so each command's help keeps its order), then hands the command
# the ``Filters`` they make, ``location`` included.
FILTER_OPTIONS: dict[str, tuple[Any, Any]] = {
    "remote": (RemoteOpt, False),
    "workplace": (WorkplaceOpt, None),
    "job_type": (JobTypeOpt, None),
    "posted_since": (PostedSinceOpt, None),
    "salary_min": (SalaryMinOpt, None),
    "if_unknown": (IfUnknownOpt, Unknown.keep),
}
FilterOpts = Optional[Filters]  # noqa: UP045 - replaced by filter_options, never parsed


def filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """Return ``command`` taking the filter options in place of its ``filters`` parameter."""
    signature = inspect.signature(command, eval_str=True)
    params: list[inspect.Parameter] = []
    for param in signature.parameters.values():
        if param.name != "filters":
            params.append(param)
            continue
        params += [inspect.Parameter(name, param.kind, default=default, annotation=annotation)
                   for name, (annotation, default) in FILTER_OPTIONS.items()]  # fmt: skip

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        chosen = {name: kwargs.pop(name) for name in FILTER_OPTIONS}
        command(**kwargs, filters=filters_of(kwargs["location"], **chosen))

    run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    run.__annotations__ = {param.name: param.annotation for param in params}
    return run


ListingsOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Option(
        "--listings", metavar="PATH", help="Listings files or folders (default: bundled)."
    ),
]
IndexOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--index", "-i", metavar="DIR", help="A saved index (matcher index build) to rank."
    ),
]
TrustOpt = Annotated[
    bool,
    typer.Option(
        "--trust",
        help="Skip the saved index's full check (every checksum and posting): for a large "
        "index you trust. Its structure is still checked.",
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar (it is off when not a terminal).")
]


# ``--dask`` alone: a local cluster on this machine's cores; ``--dask ADDRESS``: the scheduler
# there. Optional values are greedy, so an address is checked to look like one (below).
LOCAL = "local"
DaskOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--dask",
        metavar="[ADDRESS]",
        help="Run on a Dask cluster: the scheduler at ADDRESS (tcp://host:8786), or without "
        "one a local cluster on this machine's cores. Needs the extra: pip install "
        "'matcher[dask]'.",
    ),
]


def is_address(text: str) -> bool:
    """Whether ``text`` is a scheduler address: ``tcp://host:8786`` or ``host:8786``."""
    return "://" in text or re.fullmatch(r"[\w.\-\[\]]+:\d+", text) is not None


def engine_of(address: str | None) -> dict[str, Any]:
    """Return the api's engine arguments for ``--dask ADDRESS`` (none without it), or raise
    ``ClusterError`` when the extra is missing or ADDRESS is not an address."""
    if address is None:
        return {}
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise ClusterError("--dask", "needs Dask: pip install 'matcher[dask]'")
    if address != LOCAL and not is_address(address):
        raise ClusterError("--dask", f"'{address}' is not a scheduler address such as "
                           "tcp://host:8786 (nor a file or folder that exists)")  # fmt: skip
    return {"engine": "dask", "address": None if address == LOCAL else address}


def check_index(index: Path | None, listings: list[Path] | None, vocabulary: Any) -> None:
    if index is not None and (listings or vocabulary):
        raise typer.BadParameter(
            "a saved index brings its own listings and vocabulary; give LISTINGS and "
            "--vocabulary only without --index",
            param_hint="--index",
        )


def warn(warnings: tuple[str, ...]) -> None:
    """Print each warning about the input as one line on stderr ("Warning: FILE: problem")."""
    for warning in warnings:
        typer.echo(f"Warning: {clean_line(warning)}", err=True)


def fail_at_end(failed: list[MatcherError]) -> None:
    """After a batch: one error line per file that failed, then exit 1 if any did."""
    for exc in failed:
        typer.echo(f"Error: {clean_line(str(exc))}", err=True)
    if failed:
        raise typer.Exit(ExitCode.BAD_INPUT)


# The width of a table sent where no terminal tells one (a pipe, a file, CI): wide enough
# for every column's content, so nothing is wrapped or shortened for want of room.
NO_TERMINAL_WIDTH = 250


def terminal_width() -> int:
    """Return the width to lay tables out at: $COLUMNS, else the terminal's (of whichever
    standard stream is one: ``matcher match ... | less`` still has a terminal), else wide."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            continue
    return NO_TERMINAL_WIDTH


def terminal_links() -> bool:
    """Whether tables may carry terminal hyperlinks: stdout is a terminal that is not dumb."""
    return sys.stdout.isatty() and os.environ.get("TERM", "") not in ("", "dumb")


def output_format(fmt: Format | None, output: Path | None) -> Format:
    """Return the format asked for, else the one -o's file name implies, else table."""
    if fmt is not None:
        return fmt
    if output is not None:
        return SUFFIX_FORMATS.get(output.suffix.lower(), Format.table)
    return Format.table


@dataclass(frozen=True)
class Terminal:
    """What the command knows of where it writes, read once (``read_terminal``) and passed to the
    renderers: none of them looks at the streams or the environment."""

    width: int  # columns to lay tables out at
    links: bool  # whether stdout takes terminal hyperlinks


def read_terminal() -> Terminal:
    return Terminal(width=terminal_width(), links=terminal_links())


def emit(text: str, output: Path | None, force: bool) -> None:
    """Print ``text`` on stdout, or write it to ``output`` (never over a file not ours)."""
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
        return
    write_output(output, text, force=force)
    say(f"Wrote {output}")


def say(line: str, *, err: bool = True) -> None:
    """Print one status line (stderr unless ``err=False``), cleaned as ``clean_line`` does: the
    file names in it are the user's, and a name may hold escape sequences a terminal runs."""
    typer.echo(clean_line(line), err=err)


class Command(TyperCommand):
    """A command whose help names each argument by its metavar alone: "RESUME", not typer's
    "RESUME <str>" or "{RESUME}" (internal type names mean nothing to a user)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.param_type_name != "argument" or not param.metavar:
                continue
            metavar = param.metavar
            more = "" if param.nargs == 1 or metavar.endswith("...") else "..."
            usage = f"{metavar}{more}" if param.required else f"[{metavar}]{more}"
            # Instance attributes over typer's methods (absent in older typers: harmless).
            param.display_type_rich = lambda ctx: None  # type: ignore[attr-defined]
            param._usage_display_name = lambda usage=usage: usage  # type: ignore[attr-defined]
            # typer before 0.29 writes the usage line from get_usage_pieces ("{RESUME}").

            def pieces(ctx: Any, usage: str = usage) -> list[str]:
                return [usage]

            param.get_usage_pieces = pieces  # type: ignore[method-assign]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # ``--dask`` takes an address or nothing; click has no option of an optional value,
        # so a bare one (last, before an option, or before a file or folder that exists) is
        # read as ``--dask=local``. Anything else after it is the address, checked as one:
        # a mistyped host must never quietly run the job on this machine.
        args = list(args)
        for at, arg in enumerate(args):
            following = args[at + 1] if at + 1 < len(args) else None
            if arg == "--dask" and (
                following is None
                or following.startswith("-")  # an option, or "-": standard input
                or (not is_address(following) and os.path.exists(following))
            ):
                args[at] = f"--dask={LOCAL}"
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        # The one error boundary: bad input is one line and exit 1; anything else is a bug,
        # and keeps its traceback.
        try:
            return super().invoke(ctx)
        except MatcherError as exc:
            typer.echo(f"Error: {clean_line(str(exc))}", err=True)
            raise typer.Exit(ExitCode.BAD_INPUT) from None
        except KeyboardInterrupt:
            typer.echo("Interrupted (Ctrl-C)", err=True)
            raise typer.Exit(ExitCode.INTERRUPTED) from None


def needs_index() -> typer.BadParameter:
    """A usage error (exit 2): --dask needs a saved index the workers can open."""
    return typer.BadParameter(
        "needs --index DIR: a saved index the workers can open (matcher index build ... --dask)",
        param_hint="--dask",
    )
