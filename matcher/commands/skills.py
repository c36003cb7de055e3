"""``matcher skills``: show the skills in a file, and import, list and remove vocabularies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from .. import skill_files
from ..render import render_skills
from .options import (
    Command,
    Source,
    TextFormat,
    TextFormatOpt,
    VocabularyOpt,
    read_terminal,
    say,
    warn,
)


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


@skills_app.command("show", cls=Command)
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
    report = skill_files.skills_in_file(file, vocabulary=vocabulary)
    warn(report.warnings)
    typer.echo(render_skills(report, fmt.value, width=read_terminal().width), nl=False)


@skills_app.command("import", cls=Command)
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
    stored, meta, credit = skill_files.import_vocabulary(source.value, path, name)
    say(
        f"Imported {meta['skills']:,} skills ({meta['forms']:,} forms) from {path} as "
        f"'{stored.stem}' in {stored.parent}",
        err=False,
    )
    if meta.get("skipped_rows"):
        typer.echo(f"Skipped {meta['skipped_rows']} rows shorter than the header", err=True)
    typer.echo(credit)


@skills_app.command("list", cls=Command)
def skills_list() -> None:
    """List the skill vocabularies: the built-in one and those imported."""
    builtin, stored = skill_files.vocabularies()
    typer.echo(f"builtin: {builtin} skills (matcher's own)")
    for name, meta in stored.items():
        typer.echo(
            f"{name}: {meta.get('skills', '?')} skills from {meta.get('source', '?')}, "
            f"imported {meta.get('imported', '?')} from {meta.get('file', '?')}"
        )


@skills_app.command("remove", cls=Command)
def skills_remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="An imported vocabulary's name.")],
) -> None:
    """Delete an imported vocabulary."""
    skill_files.remove_vocabulary(name)
    typer.echo(f"Removed '{name}'.")
