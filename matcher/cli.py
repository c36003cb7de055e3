"""The command line: parse, call one library function, render. No matching logic lives here."""

from __future__ import annotations

import copy
import os
import re
import sys
from enum import Enum, IntEnum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from . import __version__
from .errors import ClusterError, MatcherError
from .filters import Filters
from .matcher import (
    add_files,
    candidate_files,
    gap_files,
    index_files,
    match_files,
    match_many_files,
    optimize_index,
    skills_in_file,
)
from .output import write_output
from .render import (
    render,
    render_candidates,
    render_gaps,
    render_index_info,
    render_many,
    render_skills,
)
from .render.data import plural
from .render.progress import ProgressBar
from .render.sanitise import clean_line


class ExitCode(IntEnum):
    """What the ``matcher`` process exits with."""

    OK = 0
    BAD_INPUT = 1  # a file the user gave cannot be used; the message names it
    USAGE = 2  # wrong options or arguments (typer/click's own code)


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
_SUFFIX_FORMATS = {".html": Format.html, ".htm": Format.html, ".json": Format.json,
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


def _filters(
    location: str | None,
    remote: bool,
    workplace: Workplace | None,
    job_types: list[str] | None,
    posted_since: str | None,
    salary_min: str | None,
    unknown: Unknown,
) -> Filters:
    """Return the filters the options ask for; text that cannot be read is a usage error."""
    if remote and workplace not in (None, Workplace.remote):
        raise typer.BadParameter("--remote and --workplace disagree", param_hint="--remote")
    try:
        return Filters.parse(
            location=location,
            workplace="remote" if remote else workplace.value if workplace else None,
            job_types=job_types or (),
            posted_since=posted_since,
            salary_min=salary_min,
            unknown=unknown.value,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


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
_LOCAL = "local"
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


def _is_address(text: str) -> bool:
    """Whether ``text`` is a scheduler address: ``tcp://host:8786`` or ``host:8786``."""
    return "://" in text or re.fullmatch(r"[\w.\-\[\]]+:\d+", text) is not None


def _cluster(address: str | None) -> Any:
    """Return the ``matcher.distributed`` module and a context yielding a client, or fail
    with one line when the extra is missing or ADDRESS is not an address."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise _fail(ClusterError("--dask", "needs Dask: pip install 'matcher[dask]'"))
    if address != _LOCAL and not _is_address(address or ""):
        raise _fail(ClusterError("--dask", f"'{address}' is not a scheduler address such as "
                                 "tcp://host:8786 (nor a file or folder that exists)"))  # fmt: skip
    from . import distributed

    return distributed, distributed.cluster(None if address == _LOCAL else address)


def _check_index(index: Path | None, listings: list[Path] | None, vocabulary: Any) -> None:
    if index is not None and (listings or vocabulary):
        raise typer.BadParameter(
            "a saved index brings its own listings and vocabulary; give LISTINGS and "
            "--vocabulary only without --index",
            param_hint="--index",
        )


def _fail(exc: MatcherError) -> typer.Exit:
    typer.echo(f"Error: {clean_line(str(exc))}", err=True)
    return typer.Exit(ExitCode.BAD_INPUT)


def _warn(warnings: tuple[str, ...]) -> None:
    """Print each warning about the input as one line on stderr ("Warning: FILE: problem")."""
    for warning in warnings:
        typer.echo(f"Warning: {clean_line(warning)}", err=True)


def _fail_at_end(failed: list[MatcherError]) -> None:
    """After a batch: one error line per file that failed, then exit 1 if any did."""
    for exc in failed:
        typer.echo(f"Error: {clean_line(str(exc))}", err=True)
    if failed:
        raise typer.Exit(ExitCode.BAD_INPUT)


# The width of a table sent where no terminal tells one (a pipe, a file, CI): wide enough
# for every column's content, so nothing is wrapped or shortened for want of room.
_NO_TERMINAL_WIDTH = 250


def _width() -> int:
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
    return _NO_TERMINAL_WIDTH


def _links() -> bool:
    """Whether tables may carry terminal hyperlinks: stdout is a terminal that is not dumb."""
    return sys.stdout.isatty() and os.environ.get("TERM", "") not in ("", "dumb")


def _format(fmt: Format | None, output: Path | None) -> Format:
    """Return the format asked for, else the one -o's file name implies, else table."""
    if fmt is not None:
        return fmt
    if output is not None:
        return _SUFFIX_FORMATS.get(output.suffix.lower(), Format.table)
    return Format.table


def _emit(text: str, output: Path | None, force: bool) -> None:
    """Print ``text`` on stdout, or write it to ``output`` (never over a file not ours)."""
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
        return
    try:
        write_output(output, text, force=force)
    except MatcherError as exc:
        raise _fail(exc) from None
    typer.echo(f"Wrote {output}", err=True)


class _Command(TyperCommand):
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
                or (not _is_address(following) and os.path.exists(following))
            ):
                args[at] = f"--dask={_LOCAL}"
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="matcher",
    help="Rank job listings against a resume and explain every score.",
    no_args_is_help=True,
    add_completion=False,
    # Resumes are personal data: never print local variables in a traceback.
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    # "\b" keeps click from re-flowing the example lines into one paragraph.
    epilog=(
        "Examples:\n\n\b\n"
        "  matcher match resume.pdf                    # rank the bundled listings\n"
        "  matcher match resume.docx jobs.csv --top 5  # rank your own listings\n"
        "  matcher match resume.txt jobs/ --format json | jq '.matches[0]'\n"
        "  matcher gaps resume.pdf                     # skills that would lift it most\n"
        "  matcher index build jobs.jsonl -o jobs.index && matcher match cv.pdf -i jobs.index"
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"matcher {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Rank job listings against a resume and explain every score."""


@app.command(
    cls=_Command,
    epilog=(
        "Examples:\n\n\b\n"
        "  matcher match resume.pdf\n"
        "  matcher match resume.md listings.jsonl more/ --top 5 --location seattle\n"
        "  cat resume.txt | matcher match - jobs.csv --format json\n"
        "  matcher match resume.docx --format markdown > matches.md\n\n"
        "Listings: .txt (saved pages: a location line, then a description line), .json, "
        ".jsonl, .csv or .tsv (columns: description or text; id, title, company, location, "
        "url optional), or folders of them. Resumes: .txt, .md, .pdf, .docx, or - for stdin."
    ),
)
def match(
    resume: ResumeArg,
    listings: ListingsArg = None,
    top: Annotated[
        int, typer.Option("--top", "-n", min=1, metavar="N", help="How many listings to show.")
    ] = 10,
    fmt: FormatOpt = None,
    location: LocationOpt = None,
    vocabulary: VocabularyOpt = None,
    index: IndexOpt = None,
    trust: TrustOpt = False,
    output: OutputOpt = None,
    force: ForceOpt = False,
    remote: RemoteOpt = False,
    workplace: WorkplaceOpt = None,
    job_type: JobTypeOpt = None,
    posted_since: PostedSinceOpt = None,
    salary_min: SalaryMinOpt = None,
    if_unknown: IfUnknownOpt = Unknown.keep,
) -> None:
    """Rank listings against RESUME, with the skills that matched and the ones missing."""
    _check_index(index, listings, vocabulary)
    filters = _filters(location, remote, workplace, job_type, posted_since, salary_min, if_unknown)
    chosen = _format(fmt, output)
    try:
        with ProgressBar(quiet=index is not None, hint="matcher match RESUME", least=500) as bar:
            report = match_files(
                resume,
                listings or [],
                top_k=top,
                filters=filters,
                vocabulary=vocabulary,
                index=index,
                trust=trust,
                gaps=chosen is Format.html,  # the page shows them as a chart
                progress=bar,
            )
    except MatcherError as exc:
        raise _fail(exc) from None
    _warn(report.warnings)
    links = output is None and _links()
    _emit(render(report, chosen.value, width=_width(), links=links), output, force)


@app.command(
    cls=_Command,
    epilog=(
        "Examples:\n\n\b\n"
        "  matcher gaps resume.pdf                 # over the 10 best bundled listings\n"
        "  matcher gaps resume.md jobs.csv --top 50 --format json"
    ),
)
def gaps(
    resume: ResumeArg,
    listings: ListingsArg = None,
    top: Annotated[
        int,
        typer.Option(
            "--top", "-n", min=1, metavar="N", help="How many of the best listings to look at."
        ),
    ] = 10,
    fmt: FormatOpt = None,
    location: LocationOpt = None,
    vocabulary: VocabularyOpt = None,
    index: IndexOpt = None,
    kinds: Annotated[
        Optional[list[Kind]],  # noqa: UP045
        typer.Option(
            "--kinds",
            "-k",
            metavar="KIND",
            help="Kinds of skill to advise on (tool, knowledge, practice, soft); repeat for "
            "several. "
            "Default: tool, knowledge and practice (soft skills are counted apart).",
        ),
    ] = None,
    trust: TrustOpt = False,
    output: OutputOpt = None,
    force: ForceOpt = False,
    remote: RemoteOpt = False,
    workplace: WorkplaceOpt = None,
    job_type: JobTypeOpt = None,
    posted_since: PostedSinceOpt = None,
    salary_min: SalaryMinOpt = None,
    if_unknown: IfUnknownOpt = Unknown.keep,
) -> None:
    """Which missing skills would raise RESUME's scores most over its best N listings."""
    _check_index(index, listings, vocabulary)
    filters = _filters(location, remote, workplace, job_type, posted_since, salary_min, if_unknown)
    chosen = _format(fmt, output)
    try:
        with ProgressBar(quiet=index is not None, hint="matcher gaps RESUME", least=500) as bar:
            report = gap_files(
                resume,
                listings or [],
                top=top,
                filters=filters,
                vocabulary=vocabulary,
                index=index,
                kinds={k.value for k in kinds} | {""} if kinds else None,
                trust=trust,
                progress=bar,
            )
    except MatcherError as exc:
        raise _fail(exc) from None
    _warn(report.warnings)
    _emit(render_gaps(report, chosen.value, width=_width()), output, force)


@app.command("match-many", cls=_Command)
def match_many(
    resumes: Annotated[
        list[str], typer.Argument(metavar="RESUMES...", help="Resume files (.txt .md .pdf .docx).")
    ],
    index: IndexOpt = None,
    listings: ListingsOpt = None,
    top: Annotated[
        int, typer.Option("--top", "-n", min=1, metavar="N", help="Listings per resume.")
    ] = 10,
    vocabulary: VocabularyOpt = None,
    trust: TrustOpt = False,
    location: LocationOpt = None,
    remote: RemoteOpt = False,
    workplace: WorkplaceOpt = None,
    job_type: JobTypeOpt = None,
    posted_since: PostedSinceOpt = None,
    salary_min: SalaryMinOpt = None,
    if_unknown: IfUnknownOpt = Unknown.keep,
    dask: DaskOpt = None,
) -> None:
    """Rank the listings for many resumes in one batch; JSON Lines, one line per resume.

    A resume that cannot be read gets a line {"resume": ..., "error": ...}; the others are
    ranked, and the exit code is 1 at the end. With --dask (and --index), the batch runs on a
    Dask cluster and lines are written as resumes finish, in the order given.
    """
    _check_index(index, listings, vocabulary)
    filters = _filters(location, remote, workplace, job_type, posted_since, salary_min, if_unknown)
    if dask is not None:
        if index is None:
            raise _needs_index()
        _match_many_dask(resumes, index, top, trust, filters, dask)
        return
    try:
        hint = "matcher match-many RESUMES..."
        with ProgressBar(quiet=index is not None, hint=hint, least=500) as bar:
            results = match_many_files(
                resumes, listings or [], index=index, top_k=top, vocabulary=vocabulary,
                trust=trust, filters=filters, progress=bar,
            )  # fmt: skip
    except MatcherError as exc:
        raise _fail(exc) from None
    typer.echo(render_many(results), nl=False)
    _fail_at_end([result for _, result in results if isinstance(result, MatcherError)])


def _needs_index() -> typer.BadParameter:
    """A usage error (exit 2): --dask needs a saved index the workers can open."""
    return typer.BadParameter(
        "needs --index DIR: a saved index the workers can open (matcher index build ... --dask)",
        param_hint="--dask",
    )


def _match_many_dask(
    resumes: list[str], index: Path, top: int, trust: bool, filters: Filters | None, address: str
) -> None:
    distributed, connected = _cluster(address)
    failed = []
    try:
        with connected as client, ProgressBar(False, unit="resumes") as bar:
            bar.expect(len(resumes))
            for name, result in distributed.match_many_files(
                resumes, index, client, top, filters=filters, trust=trust
            ):
                typer.echo(render_many([(name, result)]), nl=False)
                sys.stdout.flush()
                bar(1)
                if isinstance(result, MatcherError):
                    failed.append(result)
    except MatcherError as exc:
        raise _fail(exc) from None
    _fail_at_end(failed)


@app.command(cls=_Command)
def candidates(
    listing: Annotated[str, typer.Argument(metavar="LISTING_ID", help="The listing's id.")],
    resumes: Annotated[
        list[str], typer.Argument(metavar="RESUMES...", help="Resume files to rank for it.")
    ],
    index: IndexOpt = None,
    listings: ListingsOpt = None,
    top: Annotated[
        int, typer.Option("--top", "-n", min=1, metavar="N", help="How many resumes to show.")
    ] = 10,
    fmt: TextFormatOpt = TextFormat.table,
    vocabulary: VocabularyOpt = None,
    trust: TrustOpt = False,
    dask: DaskOpt = None,
) -> None:
    """Rank RESUMES for one listing, with the skills each shares with it and lacks.

    Resumes that cannot be read are left out, each with an error on stderr (and in the JSON
    "errors"); the exit code is then 1. With --dask (and --index), the resumes are analysed
    and scored on a Dask cluster.
    """
    _check_index(index, listings, vocabulary)
    try:
        if dask is not None:
            if index is None:
                raise _needs_index()
            distributed, connected = _cluster(dask)
            with connected as client:
                found, ranked, failed = distributed.candidate_files(
                    listing, resumes, index, client, top, trust=trust
                )
        else:
            found, ranked, failed = candidate_files(
                listing, resumes, listings or [], index=index, top_k=top, vocabulary=vocabulary,
                trust=trust,
            )  # fmt: skip
    except MatcherError as exc:
        raise _fail(exc) from None
    typer.echo(render_candidates(found, ranked, fmt.value, _width(), failed), nl=False)
    _fail_at_end(failed)


index_app = typer.Typer(
    no_args_is_help=True,
    help="Build a saved index of listings, add to it, check it and describe it.",
    epilog=(
        "Examples:\n\n\b\n"
        "  matcher index build jobs.jsonl more/ -o jobs.index\n"
        "  matcher match resume.pdf --index jobs.index\n"
        "  matcher index add jobs.index new-jobs.csv\n"
        "  matcher index optimize jobs.index\n"
        "  matcher index verify jobs.index\n"
        "  matcher index info jobs.index --format json"
    ),
)
app.add_typer(index_app, name="index")


@index_app.command("build", cls=_Command)
def index_build(
    listings: Annotated[
        list[Path], typer.Argument(metavar="LISTINGS...", help="Listings files or folders.")
    ],
    out: Annotated[
        Path, typer.Option("--output", "-o", metavar="DIR", help="Where to write the index.")
    ],
    vocabulary: VocabularyOpt = None,
    quiet: QuietOpt = False,
    replace_newer: Annotated[
        bool,
        typer.Option(
            "--replace-newer", help="Replace an index in DIR even if a newer matcher wrote it."
        ),
    ] = False,
    dask: DaskOpt = None,
    shards: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--shards", min=1, metavar="N",
                     help="With --dask: shards to cut the index into (default: one per worker "
                     "thread)."),
    ] = None,  # fmt: skip
) -> None:
    """Index LISTINGS and save the index to DIR (replacing a matcher index already there).

    DIR is replaced only when it holds a matcher index and nothing else. With --dask, the
    listings are analysed on a Dask cluster and saved as shards of one index, each holding
    exactly the rows a build on one machine gives.
    """
    if dask is not None:
        distributed, connected = _cluster(dask)
        try:
            with connected as client, ProgressBar(quiet, unit="steps") as bar:
                listing_set = distributed.index_files(
                    listings, out, client, partitions=shards, vocabulary=vocabulary,
                    progress=bar, replace_newer=replace_newer,
                )  # fmt: skip
        except MatcherError as exc:
            raise _fail(exc) from None
        if not quiet:
            typer.echo(_indexed(listing_set, out), err=True)
        return
    if shards is not None:
        raise typer.BadParameter(
            "needs --dask: one machine builds one segment", param_hint="--shards"
        )
    try:
        with ProgressBar(quiet) as bar:
            _, listing_set = index_files(
                listings, out, vocabulary=vocabulary, progress=bar,
                replace_newer=replace_newer,
            )  # fmt: skip
    except MatcherError as exc:
        raise _fail(exc) from None
    if not quiet:
        typer.echo(_indexed(listing_set, out), err=True)


def _indexed(listing_set: Any, out: Path) -> str:
    """Say what a build indexed, and how many duplicate texts it merged."""
    said = f"Indexed {plural(len(listing_set), 'listing')} into {out}"
    dropped = listing_set.duplicates_dropped
    return said + (f"; {plural(dropped, 'duplicate')} merged" if dropped else "")


@index_app.command("add", cls=_Command)
def index_add(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A saved index.")],
    listings: Annotated[
        list[Path], typer.Argument(metavar="LISTINGS...", help="Listings files or folders.")
    ],
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Rebuild from every listing (fresh statistics) instead of adding a segment.",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Add LISTINGS to the index in DIR as a new segment (listings already in it are skipped).

    The new listings are weighed with the index's statistics; run `matcher index optimize DIR`
    to refresh them once many listings have been added.
    """
    try:
        with ProgressBar(quiet) as bar:
            result = add_files(folder, listings, progress=bar, rebuild=rebuild)
    except MatcherError as exc:
        raise _fail(exc) from None
    if not quiet:
        were = "was a duplicate" if result.dropped == 1 else "were duplicates"
        typer.echo(
            f"Added {plural(result.added, 'listing')} to {folder}; {result.dropped:,} {were}",
            err=True,
        )
        if result.unfitted > OPTIMIZE_ADVICE or result.segments >= OPTIMIZE_SEGMENTS:
            typer.echo(
                f"{result.unfitted:.0%} of its listings are weighed with statistics fitted "
                f"without them, in {plural(result.segments, 'segment')}; "
                f"run: matcher index optimize {folder}",
                err=True,
            )


# Past this share of listings added since the statistics were fitted, or this many segments,
# ``index add`` advises ``optimize`` (what it changes: benchmarks/README.md, "Issue 12, adds").
OPTIMIZE_ADVICE = 0.05
OPTIMIZE_SEGMENTS = 10


@index_app.command("optimize", cls=_Command)
def index_optimize(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A saved index.")],
    quiet: QuietOpt = False,
) -> None:
    """Merge the segments of the index in DIR into one, refitting its statistics."""
    try:
        with ProgressBar(quiet) as bar:
            result = optimize_index(folder, progress=bar)
    except MatcherError as exc:
        raise _fail(exc) from None
    if quiet:
        return
    if result.merged:
        done = "merged and refitted"
    elif result.segments > 1:  # shards fitted together: nothing to refit
        done = f"{result.segments} shards fitted on all their listings already; nothing to do"
    else:
        done = "already one segment; nothing to do"
    typer.echo(f"{folder}: {done}: {plural(result.total, 'listing')}", err=True)


@index_app.command("verify", cls=_Command)
def index_verify(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A saved index.")],
) -> None:
    """Check every byte of the index in DIR: checksums, postings, listings, terms."""
    try:
        from .store import verify_index

        info = verify_index(folder)
    except MatcherError as exc:
        raise _fail(exc) from None
    typer.echo(
        f"{folder}: OK ({info.listings} listings, {info.terms} terms, "
        f"{len(info.files)} files checked)"
    )


@index_app.command("info", cls=_Command)
def index_info_command(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A saved index.")],
    fmt: Annotated[
        InfoFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
    ] = InfoFormat.table,
) -> None:
    """Show what the index in DIR holds: counts, settings, vocabulary, format and size."""
    try:
        from .store import index_info

        info = index_info(folder)
    except MatcherError as exc:
        raise _fail(exc) from None
    typer.echo(render_index_info(info, fmt.value), nl=False)


class _FileOrCommand(TyperGroup):
    """``matcher skills FILE`` runs ``show FILE``; ``matcher skills import ...`` runs import."""

    # The context is click's; typer may vendor its own click, so it is not named here.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


skills_app = typer.Typer(
    cls=_FileOrCommand,
    no_args_is_help=True,
    help="Show the skills in a resume or listings file, and manage skill vocabularies.",
    epilog=(
        "Examples:\n\n\b\n"
        "  matcher skills resume.pdf\n"
        "  matcher skills jobs.jsonl --format json\n"
        "  matcher skills import esco ESCO/skills_en.csv\n"
        '  matcher skills import onet "db_29_2_text/Technology Skills.csv"\n'
        "  matcher skills list"
    ),
)
app.add_typer(skills_app, name="skills")


@skills_app.command("show", cls=_Command)
def skills_show(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="A resume (.txt .md .pdf .docx, - for stdin) or listings file."
        ),
    ],
    fmt: TextFormatOpt = TextFormat.table,
    vocabulary: VocabularyOpt = None,
) -> None:
    """List the skills named in FILE, with the characters where each is written."""
    try:
        report = skills_in_file(file, vocabulary=vocabulary)
    except MatcherError as exc:
        raise _fail(exc) from None
    _warn(report.warnings)
    typer.echo(render_skills(report, fmt.value, width=_width()), nl=False)


@skills_app.command("import", cls=_Command)
def skills_import(
    source: Annotated[
        Source,
        typer.Argument(metavar="SOURCE", help="Which taxonomy the file is from: esco or onet."),
    ],
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="ESCO's skills_en.csv, or O*NET's 'Technology Skills.csv' (the text download).",
        ),
    ],
    name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--name", metavar="NAME", help="Store it under this name. Default: SOURCE."),
    ] = None,
) -> None:
    """Import a taxonomy as a skill vocabulary used by every later run."""
    from .taxonomy import ATTRIBUTIONS, import_taxonomy, stored_vocabularies

    try:
        stored = import_taxonomy(source.value, path, name)
    except MatcherError as exc:
        raise _fail(exc) from None
    meta = stored_vocabularies()[stored.stem]
    typer.echo(
        f"Imported {meta['skills']} skills ({meta['forms']} forms) from {path} as "
        f"'{stored.stem}' in {stored.parent}"
    )
    if meta.get("skipped_rows"):
        typer.echo(f"Skipped {meta['skipped_rows']} rows shorter than the header", err=True)
    typer.echo(ATTRIBUTIONS[source.value])


@skills_app.command("list", cls=_Command)
def skills_list() -> None:
    """List the skill vocabularies: the built-in one and those imported."""
    from .skills import builtin_vocabulary
    from .taxonomy import stored_vocabularies

    typer.echo(f"builtin: {len(builtin_vocabulary())} skills (matcher's own)")
    for name, meta in stored_vocabularies().items():
        typer.echo(
            f"{name}: {meta.get('skills', '?')} skills from {meta.get('source', '?')}, "
            f"imported {meta.get('imported', '?')} from {meta.get('file', '?')}"
        )


@skills_app.command("remove", cls=_Command)
def skills_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="An imported vocabulary's name.")],
) -> None:
    """Delete an imported vocabulary."""
    from .taxonomy import remove_vocabulary

    try:
        remove_vocabulary(name)
    except MatcherError as exc:
        raise _fail(exc) from None
    typer.echo(f"Removed '{name}'.")


def main() -> None:
    """Run the ``matcher`` command."""
    if "" in sys.argv[1:]:
        # typer turns "" into Path("."), so `matcher match cv.pdf ""` would read the whole
        # current folder as listings: an empty argument is always a mistake (an unset variable).
        at = sys.argv.index("", 1)
        after = f" after '{clean_line(sys.argv[at - 1])}'" if at > 1 else ""
        typer.echo(f"Error: argument {at} is empty{after}; give a value", err=True)
        raise SystemExit(2)
    _only(sys.argv[1:2])(prog_name="matcher")


def _only(first: list[str]) -> typer.Typer:
    """Return the app holding only the command (or group) that ``first`` names, if it names one.

    typer builds every command's parser before running one (~20 ms of a query's start-up,
    issue 12); parsing one command's line needs only its own. Anything else (no command,
    ``--help``, ``--version``, a misspelt name that click will suggest a fix for) gets the
    whole app, and so the same output as before.
    """
    from typer.main import get_command_name

    if not first:
        return app
    commands = [
        c
        for c in app.registered_commands
        if c.callback and (c.name or get_command_name(c.callback.__name__)) == first[0]
    ]
    groups = [g for g in app.registered_groups if g.name == first[0]]
    if len(commands) + len(groups) != 1:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = commands, groups
    return only
