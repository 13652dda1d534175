"""The tool's LTI addresses, which an LMS administrator types into the platform."""

from __future__ import annotations

from dataclasses import dataclass

LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
JWKS_PATH = "/lti/jwks"
DEEP_LINK_PATH = "/lti/deep-link"  # the chooser posts here; the platform never calls it


@dataclass(frozen=True)
class ToolUrls:
    login: str  # OpenID Connect login initiation URL
    launch: str  # redirect URI, target link URI, and the deep linking URL
    jwks: str  # the tool's public keys
    deep_linking: str  # where the platform sends LtiDeepLinkingRequest (the launch URL)


def tool_urls(base: str) -> ToolUrls:
    """The addresses under the app's public base URL (ANNOTATIONS_PUBLIC_URL)."""
    base = base.rstrip("/")
    return ToolUrls(base + LOGIN_PATH, base + LAUNCH_PATH, base + JWKS_PATH, base + LAUNCH_PATH)
