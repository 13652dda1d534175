"""Console commands `grades rule|preview`: the participation rule and the grades it gives.

Loaded by `annotations.cli._register_plugins`. The console is trusted like an
instructor; `grades send` posts the preview's grades to the gradebook columns of
the learning platform (LTI) that link to the seminar.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import grading, startup
from .cliutil import output_to, table
from .errors import InvalidInput
from .grading import Rule
from .lti import ags
from .permissions import Actor

grades_app = typer.Typer(help="Participation grades: the instructor's rule and its preview.",
                         no_args_is_help=True)


@grades_app.command("rule")
def grades_rule(
    seminar: Annotated[str, typer.Argument(help="The seminar's slug.")],
    mode: Annotated[str | None, typer.Option(
        help="cumulative (annotations and replies count together) or separate.")] = None,
    annotations: Annotated[int | None, typer.Option(
        help="Annotations a full grade needs.")] = None,
    replies: Annotated[int | None, typer.Option(help="Replies a full grade needs.")] = None,
    min_words: Annotated[int | None, typer.Option(
        "--min-words", help="A note or reply counts from this many words (0: all).")] = None,
    document: Annotated[str | None, typer.Option(
        help="Count only work on this document id ('' for every document).")] = None,
    points: Annotated[float | None, typer.Option(help="The full grade.")] = None,
) -> None:
    """Show the seminar's grading rule, or change the parts given.

    Example: annotations grades rule history-101 --mode separate --annotations 4 --replies 2
    """
    store = startup.open_store()
    rule = grading.get_rule(store, seminar, Actor.console())
    given = {"mode": mode, "annotations": annotations, "replies": replies,
             "min_words": min_words, "document_id": document, "points": points}
    changes = {k: v for k, v in given.items() if v is not None}
    if changes:
        rule = grading.set_rule(store, seminar, Actor.console(), Rule(**{**vars(rule), **changes}))
    typer.echo(rule.describe())


@grades_app.command("preview")
def grades_preview(
    seminar: Annotated[str, typer.Argument(help="The seminar's slug.")],
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
) -> None:
    """Each student's grade under the seminar's rule; nothing is sent or saved.

    Example: annotations grades preview history-101 --format csv > grades.csv
    """
    if fmt not in ("table", "csv"):
        raise InvalidInput(f"unknown format {fmt!r}: use table or csv")
    rows = grading.grades(startup.open_store(), seminar, Actor.console())
    if fmt == "csv":
        with output_to(None) as out:
            grading.export_csv(out, rows)
        return
    typer.echo(table(("username", "annotations", "replies", "counted", "grade", "of"), [
        (g.username, g.annotations, g.replies, g.counted_annotations + g.counted_replies,
         g.grade, g.points) for g in rows]))


@grades_app.command("send")
def grades_send(
    seminar: Annotated[str, typer.Argument(help="The seminar's slug.")],
) -> None:
    """Send every student's grade under the rule to the linked LMS gradebook columns.

    Prints one line per student and column; exits 1 if any grade was not sent.

    Example: annotations grades send history-101
    """
    store = startup.open_store()
    rows = grading.grades(store, seminar, Actor.console())
    results = ags.post_scores(store, seminar, [(g.username, g.grade, g.points, g.comment)
                                               for g in rows], actor=Actor.console())
    typer.echo(table(("username", "sent", "message"), [
        (r.username, "yes" if r.sent else "no", r.message) for r in results]))
    if not all(r.sent for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `grades` command group to the main `annotations` app."""
    app.add_typer(grades_app, name="grades")
