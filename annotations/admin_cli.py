"""Console commands for running seminars: agreement, codebooks, backups, the desk, audit, users.

Loaded by `annotations.cli._register_plugins`. Each command opens the store,
calls one library function and prints; domain errors propagate to `main()`,
which prints "Error: ..." on stderr and exits 1. Console commands act as the
trusted operator (`Actor.console`): whoever runs them already holds the database.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from . import accounts, agreement, audit, backup, codebook_io, desk, permissions, roles, startup
from . import seminar as seminars
from .cliutil import output_to, read_text_file
from .csvsafe import write_csv
from .db.engine import Store
from .errors import InvalidInput

SeminarOpt = Annotated[str, typer.Option("--seminar", "-s", help="The seminar's slug.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to FILE (default: stdout).")]


def _fmt(help_text: str) -> object:
    return typer.Option("--format", help=help_text)


def _check(fmt: str, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        raise InvalidInput(f"unknown format {fmt!r}: use {' or '.join(allowed)}")
    return fmt


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def agreement_cmd(
    seminar: SeminarOpt,
    fmt: Annotated[str, _fmt("csv or table.")] = "table",
    pairs: Annotated[bool, typer.Option("--pairs", help="Pairwise agreement and Cohen's "
                                        "kappa instead of alpha.")] = False,
    passages: Annotated[bool, typer.Option("--disagreements", help="List passages where "
                                           "annotators differ, and who coded what.")] = False,
    output: OutputOpt = None,
) -> None:
    """Krippendorff's alpha (nominal) per document and code, on word-token units.

    Columns: seminar, document_id, code, alpha, annotators, units. Alpha is
    empty where it is undefined (one annotator, or one value only). Rows with
    document_id "(all)" pool a code over documents; code "(all)" pools a
    document over codes.

    Example: annotations agreement --seminar history-101 --format csv -o alpha.csv
    """
    _check(fmt, ("csv", "table"))
    store = startup.open_store()
    head: tuple[str, ...]
    body: list[tuple[object, ...]]
    if passages:
        head = ("seminar", "document_id", "start", "end", "annotator", "codes", "passage")
        body = [(seminar, p.document_id, p.start, p.end, who, "; ".join(codes), p.text)
                for p in agreement.disagreements(store, seminar)
                for who, codes in p.coded.items()]
    elif pairs:
        head = ("seminar", "document_id", "code", "annotator_a", "annotator_b", "units",
                "agreement", "kappa")
        body = [(r.seminar, r.document_id, r.code, r.annotator_a, r.annotator_b, r.units,
                 _number(r.agreement), _number(r.kappa))
                for r in agreement.pairwise(store, seminar)]
    else:
        head = agreement.AGREEMENT_COLUMNS
        body = [(r.seminar, r.document_id, r.code, _number(r.alpha), r.annotators, r.units)
                for r in agreement.agreement_rows(store, seminar)]
    _table(head, body, fmt, output)


def _table(head: tuple[str, ...], body: Sequence[tuple[object, ...]], fmt: str,
           output: Path | None) -> None:
    with output_to(output) as out:
        if fmt == "csv":
            write_csv(out, head, body)
        else:
            out.write("\t".join(head) + "\n")
            for row in body:
                out.write("\t".join(str(c).replace("\n", " ") for c in row) + "\n")


codebook_app = typer.Typer(help="A seminar's codebook as a CSV or JSON file.",
                           no_args_is_help=True)
user_app = typer.Typer(help="Local accounts and seminar roles.", no_args_is_help=True)
admin_app = typer.Typer(help="Site roles: site admins and instructors who may create seminars.",
                        no_args_is_help=True)


@codebook_app.command("export")
def codebook_export(
    seminar: SeminarOpt,
    fmt: Annotated[str, _fmt("csv or json.")] = "csv",
    output: OutputOpt = None,
) -> None:
    """Write a seminar's perspectives and codes (with fields and parents) to a file.

    Example: annotations codebook export --seminar history-101 --format json -o codes.json
    """
    text = codebook_io.export_text(startup.open_store(), seminar, _check(fmt, ("csv", "json")))
    with output_to(output) as out:
        out.write(text)


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="A codebook CSV or JSON file.")],
    seminar: SeminarOpt,
    fmt: Annotated[str, _fmt("csv or json (default: by extension).")] = "",
) -> None:
    """Add or update codes and perspectives from a file, all or nothing.

    Codes are matched by name; codes missing from the file are kept. A bad row
    aborts the import and every bad row is listed.

    Example: annotations codebook import last-year.csv --seminar history-101
    """
    kind = fmt or ("json" if file.suffix.lower() == ".json" else "csv")
    summary = codebook_io.import_text(startup.open_store(), seminar, read_text_file(file),
                                      _check(kind, ("csv", "json")))
    typer.echo(f"codebook imported: {len(summary.added)} added, {len(summary.updated)} "
               f"updated, {len(summary.unchanged)} unchanged")


def backup_cmd(seminar: SeminarOpt, output: Annotated[Path, typer.Option(
        "--output", "-o", help="The backup file to write (JSON).")]) -> None:
    """Save one seminar (codebook, members, annotations, replies, links, audit) to one file.

    The file holds members' password hashes: keep it as private as the database.

    Example: annotations backup --seminar history-101 -o history-101.backup.json
    """
    with output.open("w", encoding="utf-8", newline="") as out:
        counts = backup.write_backup(startup.open_store(), seminar, out)
    typer.echo(f"backup of {seminar} written to {output}: " +
               ", ".join(f"{v} {k}" for k, v in counts.items()))


def restore_cmd(file: Annotated[Path, typer.Argument(help="A file written by `backup`.")]
                ) -> None:
    """Recreate a seminar from a backup in a store that has the same texts.

    Example: annotations init && annotations restore history-101.backup.json
    """
    report = backup.restore_seminar(Store.open(), backup.read_backup(read_text_file(file)))
    typer.echo(f"seminar {report.seminar} restored: {report.annotations} annotations, "
               f"{report.replies} replies, {report.links} links, {report.members} members "
               f"({len(report.users_created)} accounts created)")


def desk_cmd(
    seminar: SeminarOpt,
    fmt: Annotated[str, _fmt("csv or table.")] = "table",
    document: Annotated[str, typer.Option(help="Instead: the heat strip of this document, "
                                          "paragraph by paragraph.")] = "",
    output: OutputOpt = None,
) -> None:
    """Per student: annotations, replies, words, documents, codes, last activity (grading).

    Example: annotations desk --seminar history-101 --format csv -o grades.csv
    """
    store = startup.open_store()
    _check(fmt, ("csv", "table"))
    if document:
        body: list[tuple[object, ...]] = [
            (p.index, p.start, p.end, p.count, p.paratext, p.text)
            for p in desk.heat_strip(store, seminar, document)]
        _table(("paragraph", "start", "end", "annotations", "paratext", "text"), body, fmt,
               output)
    elif fmt == "csv":
        with output_to(output) as out:
            desk.export_students_csv(store, out, seminar)
    else:
        rows = desk.students(store, seminar)
        _table(desk.DESK_COLUMNS, [tuple(getattr(r, c) or "" for c in desk.DESK_COLUMNS)
                                   for r in rows], fmt, output)


def audit_cmd(seminar: SeminarOpt, fmt: Annotated[str, _fmt("csv or table.")] = "table",
              output: OutputOpt = None) -> None:
    """The seminar's audit log: who changed what, when.

    Example: annotations audit --seminar history-101 --format csv -o audit.csv
    """
    store = startup.open_store()
    if _check(fmt, ("csv", "table")) == "csv":
        with output_to(output) as out:
            audit.export_csv(store, out, seminar)
        return
    body = [(e.id, e.at.isoformat(timespec="seconds"), e.actor, e.action, e.target, e.detail)
            for e in audit.list_entries(store, seminar)]
    _table(("id", "at", "actor", "action", "target", "detail"), body, fmt, output)


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Login name: lowercase letters, digits, . _ -")],
    display_name: Annotated[str, typer.Option("--display-name", help="Name shown to others.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password "
                                                 "from the first line of stdin.")] = False,
) -> None:
    """Create a local account (asks for the password unless --password-stdin).

    Example: annotations user create ada --display-name "Ada L." --password-stdin < pw.txt
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise InvalidInput("the two passwords differ: run the command again")
    user = accounts.create_user(startup.open_store(), username, display_name, password)
    typer.echo(f"user {user.username} created")


@user_app.command("grant")
def user_grant(
    username: Annotated[str, typer.Argument(help="An existing account.")],
    seminar: SeminarOpt,
    role: Annotated[str, typer.Option(help="instructor or student.")] = roles.INSTRUCTOR,
) -> None:
    """Give a user a role in a seminar (e.g. the first instructor of a new seminar).

    Example: annotations user grant ada --seminar history-101 --role instructor
    """
    store = startup.open_store()
    with store.transaction() as session:
        user = accounts.find_user(session, username)
        sid = seminars.seminar_id(session, seminar)
        roles.add_member(session, roles.Actor.console(), sid, user.id, role)
    typer.echo(f"{user.username} is {role} in {seminar}")


@user_app.command("unlock")
def user_unlock(username: Annotated[str, typer.Argument(help="The held account.")]) -> None:
    """Lift a sign-in hold on an account (failed attempts are forgotten).

    Example: annotations user unlock ada
    """
    cleared = accounts.lift_hold(Store.open(), roles.Actor.console(), username)
    typer.echo(f"sign-in hold on {accounts.normalise_username(username)} lifted "
               f"({cleared} failed attempt(s) forgotten)")


@admin_app.command("grant")
def admin_grant(
    username: Annotated[str, typer.Argument(help="An existing account.")],
    role: Annotated[str, typer.Argument(help="admin (everything, like the console) or "
                                        "instructor (may create seminars).")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Take the site role away.")] = False,
) -> None:
    """Make an account a site admin or an instructor who may create seminars.

    Example: annotations admin grant olga instructor
    """
    if role not in permissions.SITE_ROLES:
        raise InvalidInput(f"site role {role[:40]!r} is unknown: use "
                           f"{' or '.join(permissions.SITE_ROLES)}")
    user = accounts.grant_site_role(Store.open(), roles.Actor.console(), username,
                                    "" if revoke else role)
    typer.echo(f"{user.username} is {'no longer ' if revoke else ''}site {role}")


def register(app: typer.Typer) -> None:
    """Add these commands to the main `annotations` app."""
    app.command("agreement")(agreement_cmd)
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
    app.command("desk")(desk_cmd)
    app.command("audit")(audit_cmd)
    app.add_typer(codebook_app, name="codebook")
    app.add_typer(user_app, name="user")
    app.add_typer(admin_app, name="admin")
