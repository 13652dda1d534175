"""The `annotations` console script: a thin adapter over the library.

Each command opens the store, calls one library function and prints. The
store is made ready on first use (migrated, built-in texts and the demo
seminar added, see `startup`), so no set-up step comes first. Domain errors
become a message on stderr and exit status 1, never a traceback; output into a
closed pipe (`| head`) ends quietly with exit status 0.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import config, corpus, export, importer, roles, sources, startup
from . import seminar as seminars
from .annotation import Filters
from .cliutil import output_to, read_file_bytes, read_text_file, table
from .csvsafe import write_csv
from .db.engine import Store
from .errors import AnnotationsError


class _QuietPipeGroup(TyperGroup):
    """Every command runs inside here: a reader that stops early (`| head`) is not an error."""

    def invoke(self, ctx: Any) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a broken pipe shows here, not at interpreter exit
            return result
        except BrokenPipeError:
            # What is left in the buffer can go nowhere: point stdout at /dev/null so
            # the final flush at exit is silent, and end as `head`'s writers do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None


app = typer.Typer(
    cls=_QuietPipeGroup,
    help="Annotate historical sources together: store, corpus, exports and imports.\n\n"
    "The store is ANNOTATIONS_DATABASE_URL (default: SQLite file under data/).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
texts_app = typer.Typer(help="The corpus: list and add texts.", no_args_is_help=True)
seminar_app = typer.Typer(help="Seminars: create and list.", no_args_is_help=True)
app.add_typer(texts_app, name="texts")
links_app = typer.Typer(help="Links between annotations across texts.", no_args_is_help=True)
app.add_typer(seminar_app, name="seminar")
app.add_typer(links_app, name="links")


def _err(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)


def _open() -> Store:
    return startup.open_store()


Format = Annotated[str, typer.Option("--format", help="Output format.")]


@app.command()
def init() -> None:
    """Create or upgrade the store and re-sync the texts/ corpus (idempotent).

    Every command prepares a fresh store by itself; init also stores changed
    texts/ files as new versions of their documents.

    Example: annotations init
    """
    store = Store.open()
    result = corpus.load_corpus(store)
    startup.prepare(store)
    for w in result.warnings:
        typer.echo(f"Warning: {w}", err=True)
    typer.echo(
        f"store ready at {store.engine.url.render_as_string(hide_password=True)}: "
        f"{len(result.added)} added, {len(result.new_versions)} new version(s), "
        f"{len(result.unchanged)} unchanged"
    )


@texts_app.command("list")
def texts_list(fmt: Format = "table") -> None:
    """List the documents: document_id, title, perspective, sha256, characters.

    Example: annotations texts list --format csv
    """
    rows = corpus.list_texts(_open(), every_scope=True)
    if fmt == "csv":
        cols = ("document_id", "title", "perspective", "sha256", "characters")
        with output_to(None) as out:
            write_csv(out, cols, [[getattr(r, c) for c in cols] for r in rows])
    elif fmt == "table":
        typer.echo(table(("document_id", "perspective", "characters", "title"),
                         [(r.document_id, r.perspective, r.characters, r.title) for r in rows]))
    else:
        raise AnnotationsError(f"unknown format {fmt!r}: use table or csv")


@texts_app.command("add")
def texts_add(
    file: Annotated[
        Path, typer.Argument(help="A UTF-8 text, PDF (with a text layer), DOCX, HTML or EPUB "
                             "file.", exists=True, dir_okay=False, readable=True)
    ],
    title: Annotated[str, typer.Option(help="The document's title.")],
    perspective: Annotated[str, typer.Option(help="e.g. textbook, popular history.")],
    document_id: Annotated[str, typer.Option(help="Stable id (default: from the title).")] = "",
    source_kind: Annotated[str, typer.Option(help="What kind of source it is.")] = "",
    author: str = "",
    publisher: str = "",
    date: str = "",
    licence: str = "",
) -> None:
    """Add a text to the store (or a new version of an existing document).

    A PDF, DOCX, HTML or EPUB file becomes its extracted text, with page breaks,
    headings, notes and captions as paratext; the file is kept beside it
    (`annotations texts original`).

    Example: annotations texts add essay.txt --title "An essay" --perspective textbook
    """
    doc_id, outcome, warnings = corpus.add_text(
        _open(),
        file.read_bytes(),
        name=file.name,
        title=title,
        perspective=perspective,
        document_id=document_id,
        source_kind=source_kind,
        author=author,
        publisher=publisher,
        date=date,
        licence=licence,
        actor=roles.Actor.console(),
    )
    for w in warnings:
        typer.echo(f"Warning: {w}", err=True)
    typer.echo(f"{doc_id}: {outcome}")


@texts_app.command("preview")
def texts_preview(
    file: Annotated[
        Path, typer.Argument(help="A file `texts add` accepts.", exists=True, dir_okay=False,
                             readable=True)
    ],
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Show what `texts add` would store for FILE, without storing it.

    table: one row per paragraph (page, paratext kind, start, end, text);
    json: the exact text, its paratext ranges and the warnings.

    Example: annotations texts preview essay.pdf --format json
    """
    extraction = sources.extract(file.read_bytes(), file.name)
    for w in extraction.warnings:
        typer.echo(f"Warning: {w}", err=True)
    if fmt == "json":
        typer.echo(json.dumps({
            "format": extraction.format, "text": extraction.text,
            "paratext": [dataclasses.asdict(p) for p in extraction.paratext],
            "warnings": list(extraction.warnings)}, ensure_ascii=False, indent=2))
    elif fmt == "table":
        rows = [(p.page, p.kind, p.start, p.end, p.text[:70]) for p in
                sources.outline(extraction.text, extraction.paratext)]
        typer.echo(table(("page", "kind", "start", "end", "text"), rows))
    else:
        raise AnnotationsError(f"unknown format {fmt!r}: use table or json")


@texts_app.command("original")
def texts_original(
    document_id: Annotated[str, typer.Argument(help="The document's id (see texts list).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.",
                                         dir_okay=False)],
    sha256: Annotated[str, typer.Option(help="A version's sha256 (default: current).")] = "",
) -> None:
    """Write the file a document's text was extracted from, byte for byte.

    A text added as plain text gives the text itself (UTF-8).

    Example: annotations texts original my-seminar-essay -o essay.pdf
    """
    original = corpus.original_file(_open(), document_id, actor=roles.Actor.console(),
                                    sha256=sha256)
    try:
        output.write_bytes(original.data)
    except OSError as exc:
        raise AnnotationsError(f"cannot write {output} ({exc.strerror}): choose another "
                               "path") from None
    typer.echo(f"{output}: {original.name} ({original.media_type}, {len(original.data):,} "
               f"bytes, sha256 {original.sha256})")


@seminar_app.command("create")
def seminar_create(
    slug: Annotated[str, typer.Argument(help="Seminar id: lowercase, digits, hyphens.")],
    title: Annotated[str, typer.Option(help="A readable title.")] = "",
    join_code: Annotated[str, typer.Option(help="Code students join with (default: random).")] = "",
) -> None:
    """Create a seminar with the default perspectives and codebook.

    Example: annotations seminar create history-101 --title "History 101"
    """
    info = seminars.create_seminar(_open(), slug, title, join_code)
    typer.echo(f"seminar {info.slug} created; students join with code {info.join_code}")


@seminar_app.command("list")
def seminar_list() -> None:
    """List seminars with their join codes.

    Example: annotations seminar list
    """
    typer.echo(table(("seminar", "join_code", "title"),
                     [(s.slug, s.join_code, s.title) for s in seminars.list_seminars(_open())]))


@app.command("export")
def export_cmd(
    fmt: Format = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    replies: Annotated[Path | None, typer.Option(help="Also write replies CSV to FILE.")] = None,
    seminar: Annotated[str, typer.Option(help="Only this seminar.")] = "",
    document: Annotated[str, typer.Option(help="Only this document_id.")] = "",
    annotator: Annotated[str, typer.Option(help="Only this annotator.")] = "",
    code: Annotated[str, typer.Option(help="Only annotations with this code.")] = "",
    perspective: Annotated[str, typer.Option(help="Only this perspective.")] = "",
    raw: Annotated[
        bool, typer.Option("--raw", help="Do not neutralise formula-like cells.")
    ] = False,
) -> None:
    """Export annotations as CSV (default) or W3C Web Annotation JSON-LD.

    Example: annotations export --seminar history-101 -o notes.csv --replies replies.csv
    """
    store = _open()
    filters = Filters(
        seminar=seminar, document=document, annotator=annotator, code=code, perspective=perspective
    )
    if fmt == "csv":
        with output_to(output) as out:
            export.export_annotations(store, out, filters, raw=raw)
        if replies is not None:
            with replies.open("w", encoding="utf-8", newline="") as f:
                export.export_replies(store, f, filters, raw=raw)
    elif fmt == "jsonld":
        from . import jsonld

        with output_to(output) as out:
            jsonld.export_jsonld(store, out, filters)
    else:
        raise AnnotationsError(f"unknown format {fmt!r}: use csv or jsonld")


@app.command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="An annotations CSV or W3C JSON-LD file.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    replies: Annotated[
        Path | None,
        typer.Option(help="A replies CSV to import with it.", exists=True, dir_okay=False),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="csv or jsonld (default: by extension).")
    ] = "",
    raw: Annotated[bool, typer.Option("--raw", help="The file was exported with --raw.")] = False,
) -> None:
    """Import annotations (upsert by id), all or nothing.

    Any bad row aborts the import: nothing is written and every offending row
    is listed with its reason (exit status 1).

    Example: annotations import notes.csv --replies replies.csv
    """
    kind = fmt or ("jsonld" if file.suffix.lower() in (".json", ".jsonld") else "csv")
    store = _open()
    if kind == "csv":
        replies_text = read_text_file(replies) if replies else None
        report = importer.import_csv(store, read_file_bytes(file), replies_text, raw=raw,
                                     name=file.name)
    elif kind == "jsonld":
        from . import jsonld

        report = jsonld.import_jsonld(store, read_text_file(file))
    else:
        raise AnnotationsError(f"unknown format {kind!r}: use csv or jsonld")
    for label in report.added_labels:
        typer.echo(f"added {label} to the seminar's codebook", err=True)
    for aid in report.review:
        typer.echo(f"re-anchored by fuzzy match, please review: {aid}", err=True)
    typer.echo(
        f"imported: {report.inserted} new, {report.updated} updated, "
        f"{report.replies} replies; {len(report.moved)} re-anchored exactly, "
        f"{len(report.review)} need review"
    )


@links_app.command("export")
def links_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    seminar: Annotated[str, typer.Option(help="Only this seminar.")] = "",
    raw: Annotated[
        bool, typer.Option("--raw", help="Do not neutralise formula-like cells.")
    ] = False,
) -> None:
    """Export links as CSV: link_id, kind, from_annotation_id, to_annotation_id, note,
    annotator, created_at.

    Example: annotations links export --seminar history-101 -o links.csv
    """
    from . import link

    with output_to(output) as out:
        link.export_links(_open(), out, seminar, raw=raw)


@links_app.command("import")
def links_import(
    file: Annotated[Path, typer.Argument(help="A links CSV.", exists=True, dir_okay=False)],
    raw: Annotated[bool, typer.Option("--raw", help="The file was exported with --raw.")] = False,
) -> None:
    """Import links (upsert by link_id), all or nothing; import the annotations first.

    Example: annotations links import links.csv
    """
    from . import link

    n = link.import_links(_open(), read_text_file(file), raw=raw)
    typer.echo(f"imported {n} link(s)")


@app.command()
def reanchor(
    document_id: Annotated[str, typer.Argument(help="The document to re-anchor.")],
) -> None:
    """Move annotations on older versions of a document onto its current text.

    Example: annotations reanchor steel-and-sacrifice
    """
    report = corpus.reanchor_document(_open(), document_id, actor=roles.Actor.console())
    typer.echo(
        f"{report.moved} moved, {len(report.review)} need review, {len(report.orphans)} orphan(s)"
    )
    for aid in report.review:
        typer.echo(f"review: {aid}")
    for aid in report.orphans:
        typer.echo(f"orphan: {aid}")


@app.command()
def stats(
    seminar: Annotated[str, typer.Option(help="Only this seminar.")] = "",
    fmt: Format = "table",
) -> None:
    """Counts per seminar and document: annotations, replies, annotators, top codes.

    Example: annotations stats --seminar history-101 --format csv
    """
    from .stats import StatsRow, totals
    from .stats import stats as compute

    store = _open()
    rows = compute(store, seminar)
    if fmt == "csv":
        with output_to(None) as out:
            write_csv(out, [f.name for f in dataclasses.fields(StatsRow)],
                      [dataclasses.astuple(r) for r in rows])
        return
    t = totals(store)
    typer.echo(", ".join(f"{v} {k}" for k, v in t.items()))
    for r in rows:
        typer.echo(
            f"{r.seminar:20} {r.document_id:26} {r.annotations:>6} annotations "
            f"{r.replies:>5} replies {r.annotators:>4} annotators  {r.top_codes}"
        )


@app.command()
def settings() -> None:
    """List the environment variables the tool reads, with their values.

    Example: annotations settings
    """
    for s in config.SETTINGS:
        typer.echo(f"{s.name}={s.get()}\n    {s.help}")


def _register_plugins() -> None:
    """Commands that live beside their domain modules (framing, seminar admin)."""
    import importlib

    for name in ("annotations.framing.cli", "annotations.admin_cli", "annotations.token_cli",
                 "annotations.grading_cli", "annotations.lti_cli"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)


_register_plugins()


def main() -> None:
    # Standalone mode: typer itself reports usage errors (exit 2), --help and
    # Abort, and exits through SystemExit. Typer vendors its own click, so
    # `click.ClickException` would not catch its errors here.
    try:
        app(standalone_mode=True)
    except AnnotationsError as exc:
        _err(str(exc))
        sys.exit(1)


if __name__ == "__main__":
    main()
