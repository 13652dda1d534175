"""Console commands `lti register|list|remove|config|roster`: learning platforms (LTI 1.3).

Loaded by `annotations.cli._register_plugins`; each command calls one
function of `annotations.lti` and prints.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import config, startup
from .cliutil import table
from .errors import InvalidInput
from .lti import nrps, registration
from .lti.urls import tool_urls
from .permissions import Actor

lti_app = typer.Typer(help="LTI 1.3: learning platforms (Canvas, Moodle) that launch the tool.",
                      no_args_is_help=True)
PLATFORM_COLUMNS = ("id", "issuer", "client_id", "deployment_ids", "auth_url", "token_url",
                    "jwks_url")


@lti_app.command("register")
def lti_register(
    issuer: Annotated[str, typer.Option(help="The platform's issuer (platform ID).")],
    client_id: Annotated[str, typer.Option("--client-id", help="The tool's client id there.")],
    deployment_id: Annotated[list[str], typer.Option(
        "--deployment-id", help="A deployment id (repeat for several).")],
    auth_url: Annotated[str, typer.Option("--auth-url",
                                          help="OIDC authentication request URL.")],
    token_url: Annotated[str, typer.Option("--token-url", help="OAuth2 access token URL.")],
    jwks_url: Annotated[str, typer.Option("--jwks-url", help="The platform's public keyset URL.")],
) -> None:
    """Register a platform (or add deployment ids and update the URLs of a registered one).

    Example: annotations lti register --issuer https://canvas.instructure.com
    --client-id 10000000000001 --deployment-id 1:abc
    --auth-url https://sso.canvaslms.com/api/lti/authorize_redirect
    --token-url https://sso.canvaslms.com/login/oauth2/token
    --jwks-url https://sso.canvaslms.com/api/lti/security/jwks
    """
    found = registration.register(startup.open_store(), issuer, client_id, deployment_id,
                                  auth_url, token_url, jwks_url)
    typer.echo(f"platform {found.id}: {found.issuer} (client {found.client_id}), deployments "
               f"{', '.join(found.deployment_ids)}")


@lti_app.command("list")
def lti_list() -> None:
    """List the registered platforms.

    Example: annotations lti list
    """
    rows = [(p.id, p.issuer, p.client_id, " ".join(p.deployment_ids), p.auth_url, p.token_url,
             p.jwks_url) for p in registration.platforms(startup.open_store())]
    typer.echo(table(PLATFORM_COLUMNS, rows))


@lti_app.command("remove")
def lti_remove(
    platform_id: Annotated[int, typer.Argument(help="The id `lti list` shows.")],
) -> None:
    """Forget a platform: its launches are refused from now on (accounts and work stay).

    Example: annotations lti remove 2
    """
    found = registration.remove(startup.open_store(), platform_id)
    typer.echo(f"platform {found.id} ({found.issuer}, client {found.client_id}) removed")


@lti_app.command("config")
def lti_config() -> None:
    """Print the URLs to enter on the platform (needs ANNOTATIONS_PUBLIC_URL).

    Example: ANNOTATIONS_PUBLIC_URL=https://annotate.example.edu annotations lti config
    """
    base = config.public_url()
    if not base:
        raise InvalidInput("set ANNOTATIONS_PUBLIC_URL to the app's public address first, "
                           "e.g. https://annotate.example.edu")
    urls = tool_urls(base)
    typer.echo(f"OpenID Connect login initiation URL: {urls.login}\n"
               f"Redirect URI / target link URI (launch): {urls.launch}\n"
               f"Deep linking URL: {urls.deep_linking}\n"
               f"Public JWK set URL: {urls.jwks}")


@lti_app.command("roster")
def lti_roster(
    seminar: Annotated[str, typer.Argument(help="The seminar linked from a course.")],
) -> None:
    """Bring the seminar's members up to date with the course roster on the platform (NRPS).

    Nobody is removed: members who left the course are listed.

    Example: annotations lti roster history-101
    """
    report = nrps.sync_members(startup.open_store(), seminar, actor=Actor.console())
    for label, names in (("added or changed", report.added), ("unchanged", report.unchanged),
                         ("skipped (no role or inactive)", report.skipped),
                         ("left the course (kept)", report.left)):
        typer.echo(f"{label}: {', '.join(names) if names else '-'}")


def register(app: typer.Typer) -> None:
    """Add the `lti` command group to the main `annotations` app."""
    app.add_typer(lti_app, name="lti")
