"""LTI 1.3 and LTI Advantage: a learning platform (Canvas, Moodle) launches the tool.

The library side of `annotations.web.lti`'s routes and `annotations lti`'s
commands: `registration` (platforms), `keys` (the tool's key), `launch` (OIDC
login and the id_token), `admission` (accounts, roles, the seminar a link
opens), `deeplinking`, `nrps` (the course roster), `ags` (grades back to the
platform). Signing and verifying use joserfc; outbound calls use httpx with
timeouts (`services`).
"""

from __future__ import annotations

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEEP_LINKING_SETTINGS = DL + "deep_linking_settings"
CONTENT_ITEMS = DL + "content_items"
DL_DATA = DL + "data"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# The `custom` keys a link carries: set by deep linking (signed by the tool), sent back
# by the platform on every launch of that link.
CUSTOM_LINK = "annotations_link"
