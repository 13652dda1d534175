"""Console commands `token create|list|revoke`: personal API tokens for the open API.

Loaded by `annotations.cli._register_plugins`. The console acts for an
account (`Actor.console`), but a token never reaches more than that account:
`api_tokens.create_token` asks the permission map with the owner's rights.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import api_tokens, startup
from .cliutil import output_to, table
from .csvsafe import write_csv
from .errors import InvalidInput
from .permissions import Actor
from .timeutil import format_time

token_app = typer.Typer(help="Personal API tokens for the open API (read-only, per seminar).",
                        no_args_is_help=True)
TOKEN_COLUMNS = ("id", "owner", "label", "hint", "scope", "seminars", "state", "created_at",
                 "expires_at", "last_used_at")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="The account the token acts for.")],
    seminar: Annotated[list[str], typer.Option(
        "--seminar", "-s", help="A seminar it may read (repeat for several).")],
    label: Annotated[str, typer.Option(help="What the token is for, e.g. 'R scripts'.")],
    expires_days: Annotated[int | None, typer.Option(
        "--expires-days", help="Expire after this many days (default: never).")] = None,
) -> None:
    """Create a read-only API token; it is printed once, only its digest is stored.

    The account must be a member of every seminar named.

    Example: annotations token create ana --seminar history-101 --label "R scripts"
    """
    made = api_tokens.create_token(startup.open_store(), Actor.console(), username, label,
                                   seminar, expires_in_days=expires_days)
    typer.echo(made.token)
    typer.echo(f"token {made.info.id} for {made.info.owner} ({', '.join(made.info.seminars)}): "
               "copy it now, it is not shown again", err=True)


@token_app.command("list")
def token_list(
    username: Annotated[str, typer.Argument(help="Whose tokens.")],
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
) -> None:
    """List an account's tokens (never the tokens themselves), newest first.

    Example: annotations token list ana --format csv
    """
    if fmt not in ("table", "csv"):
        raise InvalidInput(f"unknown format {fmt!r}: use table or csv")
    rows = [(t.id, t.owner, t.label, t.hint, t.scope, " ".join(t.seminars), t.state(),
             format_time(t.created_at), format_time(t.expires_at) if t.expires_at else "",
             format_time(t.last_used_at) if t.last_used_at else "")
            for t in api_tokens.list_tokens(startup.open_store(), Actor.console(), username)]
    if fmt == "csv":
        with output_to(None) as out:
            write_csv(out, TOKEN_COLUMNS, rows)
    else:
        typer.echo(table(TOKEN_COLUMNS, rows))


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The id `token list` shows.")],
) -> None:
    """Revoke a token at once: the next request with it is refused (401).

    Example: annotations token revoke 3
    """
    info = api_tokens.revoke_token(startup.open_store(), Actor.console(), token_id)
    typer.echo(f"token {info.id} of {info.owner} ({info.label}) revoked")


def register(app: typer.Typer) -> None:
    """Add the `token` command group to the main `annotations` app."""
    app.add_typer(token_app, name="token")
