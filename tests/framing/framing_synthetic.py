"""Small synthetic texts for the framing tests: a source with optional paratext, its
claims, and the one claim whose quote holds given words."""

from __future__ import annotations

from annotations.document import DocumentMeta, Paratext, SourceText, sha256_hex
from annotations.framing import Parser, extract_claims
from annotations.framing.models import Claim


def source(
    text: str, doc_id: str = "synthetic", paratext: tuple[Paratext, ...] = ()
) -> SourceText:
    meta = DocumentMeta(doc_id, doc_id, "test", author="The Author", paratext=paratext)
    return SourceText(meta, text, sha256_hex(text.encode()))


def claims_of(text: str, parser: Parser) -> list[Claim]:
    """The claims of `text` as one line-ended document."""
    return extract_claims(source(text + "\n"), parser)


def claim(claims: list[Claim], quote_part: str) -> Claim:
    found = [c for c in claims if quote_part in c.quote]
    assert len(found) == 1, (quote_part, [c.quote for c in claims])
    return found[0]
