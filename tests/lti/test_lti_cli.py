"""`annotations lti register|list|remove|config` (issue 13): thin adapters over annotations.lti."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from annotations.cli import app
from annotations.db.engine import Store
from annotations.errors import AnnotationsError
from annotations.lti import registration

runner = CliRunner()
CANVAS = ["--issuer", "https://canvas.instructure.com", "--client-id", "10000000000001",
          "--deployment-id", "1:abc", "--auth-url",
          "https://sso.canvaslms.com/api/lti/authorize_redirect", "--token-url",
          "https://sso.canvaslms.com/login/oauth2/token", "--jwks-url",
          "https://sso.canvaslms.com/api/lti/security/jwks"]


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def refusal(*args: str) -> str:
    """The message of the error the command stops with (`annotations` prints it, exit 1)."""
    result = runner.invoke(app, list(args))
    assert isinstance(result.exception, AnnotationsError), result.output
    return str(result.exception)


def test_register_list_and_remove(env_store: str) -> None:
    run("init")
    assert "platform 1: https://canvas.instructure.com (client 10000000000001), deployments 1:abc" \
        in run("lti", "register", *CANVAS)
    run("lti", "register", *CANVAS[:4], "--deployment-id", "2:def", *CANVAS[6:])  # adds one
    listed = run("lti", "list").splitlines()
    assert listed[0].split() == ["id", "issuer", "client_id", "deployment_ids", "auth_url",
                                 "token_url", "jwks_url"]
    assert listed[1].split()[:5] == ["1", "https://canvas.instructure.com", "10000000000001",
                                     "1:abc", "2:def"]
    store = Store.open(env_store, migrate=False)
    assert [p.deployment_ids for p in registration.platforms(store)] == [("1:abc", "2:def")]
    assert "removed" in run("lti", "remove", "1")
    assert registration.platforms(store) == []
    store.dispose()
    assert "no platform 1" in refusal("lti", "remove", "1")


def test_register_refuses_what_is_not_a_url(env_store: str) -> None:
    run("init")
    bad = [*CANVAS[:-1], "canvas jwks"]
    assert "JWKS URL 'canvas jwks' is not an http(s) URL" in refusal("lti", "register", *bad)


def test_config_prints_the_urls_under_the_public_address(
        env_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATIONS_PUBLIC_URL", raising=False)
    assert "set ANNOTATIONS_PUBLIC_URL" in refusal("lti", "config")
    monkeypatch.setenv("ANNOTATIONS_PUBLIC_URL", "https://annotate.example.edu/")
    out = run("lti", "config")
    for line in ("OpenID Connect login initiation URL: https://annotate.example.edu/lti/login",
                 "Redirect URI / target link URI (launch): https://annotate.example.edu/lti/launch",
                 "Deep linking URL: https://annotate.example.edu/lti/launch",
                 "Public JWK set URL: https://annotate.example.edu/lti/jwks"):
        assert line in out
