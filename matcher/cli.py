"""The command line: parse, call one library function, render. No matching logic lives here."""

from __future__ import annotations

import shutil
from enum import Enum, IntEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import MatcherError
from .matcher import match_files
from .render import render


class ExitCode(IntEnum):
    """What the ``matcher`` process exits with."""

    OK = 0
    BAD_INPUT = 1  # a file the user gave cannot be used; the message names it
    USAGE = 2  # wrong options or arguments (typer/click's own code)


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


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
        "  matcher match resume.txt jobs/ --format json | jq '.matches[0]'"
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
    resume: Annotated[
        str,
        typer.Argument(metavar="RESUME", help="Resume file (.txt .md .pdf .docx), or - for stdin."),
    ],
    listings: Annotated[
        Optional[list[Path]],  # noqa: UP045 - typer reads this annotation at runtime on 3.9+
        typer.Argument(
            metavar="LISTINGS",
            help="Listings files or folders. Default: the bundled sample listings.",
        ),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", "-n", min=1, metavar="N", help="How many listings to show.")
    ] = 10,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table for people, json for programs.")
    ] = Format.table,
    location: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--location",
            "-l",
            metavar="TEXT",
            help="Keep listings whose location contains this text.",
        ),
    ] = None,
) -> None:
    """Rank listings against RESUME, with the skills that matched and the ones missing."""
    try:
        report = match_files(resume, listings or [], top_k=top, location=location)
    except MatcherError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    width = shutil.get_terminal_size((100, 24)).columns
    typer.echo(render(report, fmt.value, width=width), nl=False)


def main() -> None:
    """Run the ``matcher`` command."""
    app(prog_name="matcher")
