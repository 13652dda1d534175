"""Console commands `claims`, `framing`, `voices` and `suggestions`: thin adapters over
the framing library.

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
from .alignment import DEFAULT_FACTOR
from .rows import (
    ALIGNED_COLUMNS,
    CLAIM_COLUMNS,
    FRAMING_COLUMNS,
    SUGGESTION_COLUMNS,
    VOICE_COLUMNS,
    aligned_claims_rows,
    claims_rows,
    csv_cell,
    framing_rows,
    suggestion_rows,
    voice_rows,
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


def _write(
    rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: Format, out: Path | None
) -> None:
    with output_to(out) as fh:
        if fmt is Format.json:
            json.dump(rows, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
            return
        write_csv(fh, columns, ([csv_cell(row[c]) for c in columns] for row in rows))


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
        bool, typer.Option("--aligned", help="Group comparable claims across texts.")
    ] = False,
    factor: Annotated[
        float,
        typer.Option(
            "--factor", min=1.0,
            help="Flag an aligned group whose highest figure is more than this times its lowest.",
        ),
    ] = DEFAULT_FACTOR,
) -> None:
    """Print every quantitative claim: value, what it counts, period, who it is credited to.

    JSON rows also say how each figure is bounded and where its attribution comes from;
    with --aligned, each group's place, kind, spread and disagreement flag.

    Example: annotations claims --format csv --document stalinism-inner-truth
    """
    from .analysis import extract_corpus_claims  # spaCy loads only when a command needs it

    extra = fmt is Format.json
    if aligned:
        _run(lambda: aligned_claims_rows(extract_corpus_claims(_sources(document)), factor,
                                         extra=extra),
             ALIGNED_COLUMNS, fmt, output)  # fmt: skip
    else:
        _run(lambda: claims_rows(extract_corpus_claims(_sources(document)), extra=extra),
             CLAIM_COLUMNS, fmt, output)  # fmt: skip


def voices(
    fmt: FormatOpt = Format.csv,
    document: DocumentOpt = None,
    output: OutputOpt = None,
) -> None:
    """Print who speaks where: the author's voice, quotations, block quotations, paratext
    and reader comments, each with its speaker where the text names one.

    Example: annotations voices --format csv --document stalinism-inner-truth
    """
    from .analysis import extract_corpus_voices

    _run(lambda: voice_rows(extract_corpus_voices(_sources(document))), VOICE_COLUMNS, fmt,
         output)  # fmt: skip


def suggestions(
    fmt: FormatOpt = Format.csv,
    document: DocumentOpt = None,
    output: OutputOpt = None,
) -> None:
    """Print every machine suggestion: framing evidence, unattributed figures, and
    consistency checks ("check this") within and across the texts.

    Example: annotations suggestions --format json --output suggestions.json
    """
    from ..suggestion import suggestions_for
    from .analysis import analyse, consistency_checks, extract_claims

    def rows() -> list[dict[str, Any]]:
        everything = _sources(None)
        chosen = _sources(document)
        offered = [
            s for src in chosen for s in suggestions_for(analyse(src), extract_claims(src))
        ]
        checks = [c for c in consistency_checks(everything)
                  if c.document_id in {s.meta.document_id for s in chosen}]  # fmt: skip
        return suggestion_rows(offered, checks)

    _run(rows, SUGGESTION_COLUMNS, fmt, output)


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
    """Add the `claims`, `framing`, `voices` and `suggestions` commands to the console app."""
    app.command("claims")(claims)
    app.command("framing")(framing)
    app.command("voices")(voices)
    app.command("suggestions")(suggestions)
