"""The command line: parse, make one ``matcher.api`` call, render. No matching logic lives here.

This module builds the app: the ranking commands (match, gaps, match-many, candidates) and the
``index`` group; ``matcher.commands.options`` holds what they share (options, the one error
boundary, the terminal facts read in one place) and ``matcher.commands.skills`` the ``skills``
group.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from . import __version__, api
from .commands.options import (
    Command,
    DaskOpt,
    ExitCode,
    FilterOpts,
    ForceOpt,
    Format,
    FormatOpt,
    IndexOpt,
    InfoFormat,
    Kind,
    ListingsArg,
    ListingsOpt,
    LocationOpt,
    OutputOpt,
    QuietOpt,
    ResumeArg,
    TextFormat,
    TextFormatOpt,
    TrustOpt,
    VocabularyOpt,
    check_index,
    emit,
    engine_of,
    fail_at_end,
    filter_options,
    needs_index,
    output_format,
    read_terminal,
    say,
    warn,
)
from .commands.skills import skills_app
from .errors import MatcherError
from .render import render, render_candidates, render_gaps, render_index_info, render_many
from .render.data import plural
from .render.progress import ProgressBar
from .render.sanitise import clean_line

__all__ = ["ExitCode", "app", "main"]


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
    cls=Command,
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
@filter_options
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
    filters: FilterOpts = None,
) -> None:
    """Rank listings against RESUME, with the skills that matched and the ones missing."""
    check_index(index, listings, vocabulary)
    chosen = output_format(fmt, output)
    with ProgressBar(quiet=index is not None, hint="matcher match RESUME", least=500) as bar:
        report = api.match_files(
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
    warn(report.warnings)
    terminal = read_terminal()
    links = output is None and terminal.links
    emit(render(report, chosen.value, width=terminal.width, links=links), output, force)


@app.command(
    cls=Command,
    epilog=(
        "Examples:\n\n\b\n"
        "  matcher gaps resume.pdf                 # over the 10 best bundled listings\n"
        "  matcher gaps resume.md jobs.csv --top 50 --format json"
    ),
)
@filter_options
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
    filters: FilterOpts = None,
) -> None:
    """Which missing skills would raise RESUME's scores most over its best N listings."""
    check_index(index, listings, vocabulary)
    chosen = output_format(fmt, output)
    with ProgressBar(quiet=index is not None, hint="matcher gaps RESUME", least=500) as bar:
        report = api.gap_files(
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
    warn(report.warnings)
    emit(render_gaps(report, chosen.value, width=read_terminal().width), output, force)


@app.command("match-many", cls=Command)
@filter_options
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
    filters: FilterOpts = None,
    dask: DaskOpt = None,
) -> None:
    """Rank the listings for many resumes in one batch; JSON Lines, one line per resume.

    A resume that cannot be read gets a line {"resume": ..., "error": ...}; the others are
    ranked, and the exit code is 1 at the end. With --dask (and --index), the batch runs on a
    Dask cluster and lines are written as resumes finish, in the order given.
    """
    check_index(index, listings, vocabulary)
    if dask is not None and index is None:
        raise needs_index()
    engine = engine_of(dask)
    failed: list[MatcherError] = []

    def say(results: Any) -> None:
        for name, result in results:
            typer.echo(render_many([(name, result)]), nl=False)
            sys.stdout.flush()
            if isinstance(result, MatcherError):
                failed.append(result)

    def ranked(bar: ProgressBar) -> Any:
        return api.match_many_files(
            resumes, listings or [], index=index, top_k=top, vocabulary=vocabulary,
            trust=trust, filters=filters, progress=bar, **engine,
        )  # fmt: skip

    if engine:  # lines as the cluster finishes blocks, with a bar of resumes
        # least=1: the bar waits for the count the api gives once connected, so that starting
        # a cluster is not shown as "Analysing listings".
        with ProgressBar(False, unit="resumes", least=1) as bar:
            say(ranked(bar))
    else:  # the bar is of the listings' analysis, gone before the lines
        hint = "matcher match-many RESUMES..."
        with ProgressBar(quiet=index is not None, hint=hint, least=500) as bar:
            results = list(ranked(bar))
        say(results)
    fail_at_end(failed)


@app.command(cls=Command)
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
    check_index(index, listings, vocabulary)
    if dask is not None and index is None:
        raise needs_index()
    found, ranked, failed = api.candidate_files(
        listing, resumes, listings or [], index=index, top_k=top, vocabulary=vocabulary,
        trust=trust, **engine_of(dask),
    )  # fmt: skip
    width = read_terminal().width
    typer.echo(render_candidates(found, ranked, fmt.value, width, failed), nl=False)
    fail_at_end(failed)


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


@index_app.command("build", cls=Command)
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
    engine = engine_of(dask)
    if shards is not None and not engine:
        raise typer.BadParameter(
            "needs --dask: one machine builds one segment", param_hint="--shards"
        )
    # On Dask, the bar waits for the build's count of steps (least=1), as for match-many.
    with ProgressBar(quiet, unit="steps", least=1) if engine else ProgressBar(quiet) as bar:
        listing_set = api.index_files(
            listings, out, vocabulary=vocabulary, progress=bar, replace_newer=replace_newer,
            partitions=shards, **engine,
        )  # fmt: skip
    if not quiet:
        say(_indexed(listing_set, out))


def _indexed(listing_set: Any, out: Path) -> str:
    """Say what a build indexed, and how many duplicate texts it merged."""
    said = f"Indexed {plural(len(listing_set), 'listing')} into {out}"
    dropped = listing_set.duplicates_dropped
    return said + (f"; {plural(dropped, 'duplicate')} merged" if dropped else "")


@index_app.command("add", cls=Command)
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
    with ProgressBar(quiet) as bar:
        result = api.add_files(folder, listings, progress=bar, rebuild=rebuild)
    if not quiet:
        were = "was a duplicate" if result.dropped == 1 else "were duplicates"
        say(f"Added {plural(result.added, 'listing')} to {folder}; {result.dropped:,} {were}")
        if result.unfitted > OPTIMIZE_ADVICE or result.segments >= OPTIMIZE_SEGMENTS:
            say(
                f"{result.unfitted:.0%} of its listings are weighed with statistics fitted "
                f"without them, in {plural(result.segments, 'segment')}; "
                f"run: matcher index optimize {folder}"
            )


# Past this share of listings added since the statistics were fitted, or this many segments,
# ``index add`` advises ``optimize`` (what it changes: benchmarks/README.md, "Issue 12, adds").
OPTIMIZE_ADVICE = 0.05
OPTIMIZE_SEGMENTS = 10


@index_app.command("optimize", cls=Command)
def index_optimize(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A saved index.")],
    quiet: QuietOpt = False,
) -> None:
    """Merge the segments of the index in DIR into one, refitting its statistics."""
    with ProgressBar(quiet) as bar:
        result = api.optimize_index(folder, progress=bar)
    if quiet:
        return
    if result.merged:
        done = "merged and refitted"
    elif result.segments > 1:  # shards fitted together: nothing to refit
        done = f"{result.segments} shards fitted on all their listings already; nothing to do"
    else:
        done = "already one segment; nothing to do"
    say(f"{folder}: {done}: {plural(result.total, 'listing')}")


@index_app.command("verify", cls=Command)
def index_verify(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A saved index.")],
) -> None:
    """Check every byte of the index in DIR: checksums, postings, listings, terms."""
    info = api.verify_index(folder)
    say(
        f"{folder}: OK ({info.listings:,} listings, {info.terms:,} terms, "
        f"{len(info.files)} files checked)",
        err=False,
    )


@index_app.command("info", cls=Command)
def index_info_command(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A saved index.")],
    fmt: Annotated[
        InfoFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
    ] = InfoFormat.table,
) -> None:
    """Show what the index in DIR holds: counts, settings, vocabulary, format and size."""
    typer.echo(render_index_info(api.index_info(folder), fmt.value), nl=False)


app.add_typer(skills_app, name="skills")


def main() -> None:
    """Run the ``matcher`` command."""
    if "" in sys.argv[1:]:
        # typer turns "" into Path("."), so `matcher match cv.pdf ""` would read the whole
        # current folder as listings: an empty argument is always a mistake (an unset variable).
        at = sys.argv.index("", 1)
        after = f" after '{clean_line(sys.argv[at - 1])}'" if at > 1 else ""
        typer.echo(f"Error: argument {at} is empty{after}; give a value", err=True)
        raise SystemExit(2)
    app_for(sys.argv[1:2])(prog_name="matcher")


def app_for(first: list[str]) -> typer.Typer:
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
