"""EPUB to blocks: the spine's chapters in reading order, each read as HTML (see web.py).

ebooklib reads the package; the archive has passed the ZIP limits before it
does (`archive.check_zip`). A book with DRM (an encryption.xml that encrypts
more than fonts) is refused: its chapters cannot be read.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import ebooklib
import ebooklib.epub
from lxml.etree import LxmlError

from ..errors import TextRejected
from .compose import Blocks
from .web import parse, read_tree

FONT_OBFUSCATION = {b"http://www.idpf.org/2008/embedding", b"http://ns.adobe.com/pdf/enc#RC"}
_ALGORITHM = re.compile(rb"""Algorithm\s*=\s*["']([^"']+)["']""")


def _drm(archive: zipfile.ZipFile) -> bool:
    try:
        info = archive.read("META-INF/encryption.xml")
    except KeyError:
        return False
    return any(a not in FONT_OBFUSCATION and not a.endswith(b"#sha1")
               for a in _ALGORITHM.findall(info))


def read_epub(data: bytes, name: str) -> tuple[Blocks, tuple[str, ...]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if _drm(archive):
            raise TextRejected(f"{name} is protected by DRM: its text cannot be read; upload "
                               "a copy without DRM, or the text as a .txt file")
    try:
        book: Any = ebooklib.epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
        chapters = []
        for idref, *_ in book.spine:
            item = book.get_item_with_id(idref)
            if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT:
                chapters.append((item.get_name(), item.get_content()))
    except (ebooklib.epub.EpubException, KeyError, ValueError, AttributeError, LxmlError,
            zipfile.BadZipFile) as exc:
        raise TextRejected(f"{name} is not a readable EPUB ({type(exc).__name__}): export it "
                           "again from its editor, or upload the text") from None
    out = Blocks()
    for chapter, content in chapters:
        if content.strip():
            read_tree(parse(content, f"{name}:{chapter}"), out)
    return out, ()
