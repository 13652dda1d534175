"""Console commands `claims` and `framing`: thin adapters over the framing library.

Each command reads the current version of every document in the store (the
built-in corpus, `texts add` and instructors' uploads), calls one library
function, prints rows.
Domain errors become a message on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import startup
from ..cliutil import output_to
from ..corpus import current_texts
from ..csvsafe import write_csv
from ..document import SourceText
from ..errors import AnnotationsError
from ..suggestion import source_text
from .rows import (
    ALIGNED_COLUMNS,
    CLAIM_COLUMNS,
    FRAMING_COLUMNS,
    aligned_claims_rows,
    claims_rows,
    framing_rows,
)


class Format(StrEnum):
    csv = "csv"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", help="csv (with a header) or json.")]
DocumentOpt = Annotated[
    str | None, typer.Option("--document", help="Only this document id, e.g. steel-and-sacrifice.")
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", help="Write to this file instead of stdout.")
]


def _sources(document: str | None) -> list[SourceText]:
    """The analysis input: every current document in the store, or only `document`."""
    return [source_text(v) for v in current_texts(startup.open_store(), document)]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(f"{s}-{e}" for s, e in value)  # evidence offsets "start-end;..."
    return value


def _write(
    rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: Format, out: Path | None
) -> None:
    with output_to(out) as fh:
        if fmt is Format.json:
            json.dump(rows, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            return
        write_csv(fh, columns, ([_cell(row[c]) for c in columns] for row in rows))


def _run(make_rows: Any, columns: tuple[str, ...], fmt: Format, out: Path | None) -> None:
    try:
        _write(make_rows(), columns, fmt, out)
    except AnnotationsError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    except BrokenPipeError:
        raise  # the reader left (`| head`): the entry point ends quietly
    except OSError as exc:
        typer.echo(f"Error: cannot write {out or 'stdout'}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


def claims(
    fmt: FormatOpt = Format.csv,
    document: DocumentOpt = None,
    output: OutputOpt = None,
    aligned: Annotated[
        bool, typer.Option("--aligned", help="Group claims by what they count, across texts.")
    ] = False,
) -> None:
    """Print every quantitative claim: value, what it counts, period, who it is credited to.

    Example: annotations claims --format csv --document stalinism-inner-truth
    """
    from .analysis import extract_corpus_claims  # spaCy loads only when a command needs it

    if aligned:
        _run(lambda: aligned_claims_rows(extract_corpus_claims(_sources(document))),
             ALIGNED_COLUMNS, fmt, output)  # fmt: skip
    else:
        _run(lambda: claims_rows(extract_corpus_claims(_sources(document))),
             CLAIM_COLUMNS, fmt, output)  # fmt: skip


def framing(
    fmt: FormatOpt = Format.csv,
    document: DocumentOpt = None,
    output: OutputOpt = None,
) -> None:
    """Print framing metrics per document and paragraph, with evidence offsets.

    Example: annotations framing --format json --document allied-powers-ussr --output f.json
    """
    from .analysis import analyse_corpus

    _run(lambda: framing_rows(analyse_corpus(_sources(document))), FRAMING_COLUMNS, fmt, output)


def register(app: typer.Typer) -> None:
    """Add the `claims` and `framing` commands to the main console app."""
    app.command("claims")(claims)
    app.command("framing")(framing)
