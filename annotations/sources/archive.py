"""ZIP containers (DOCX, EPUB): what is inside, and the limits that refuse a zip bomb.

Readers open members through `zipfile`, which never inflates more than a
member's declared size, so checking the declared sizes bounds the work.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import TextRejected

MAX_MEMBERS = 5000
MAX_UNPACKED = 200 * 1024 * 1024  # bytes, all members together
MAX_RATIO = 100  # unpacked / packed, for members over 1 MiB


def members(data: bytes, name: str) -> list[str]:
    """The member names, once the archive passed the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise TextRejected(f"{name} is binary, a damaged ZIP container (as DOCX and EPUB "
                           "files are): save it again and upload the new copy") from None
    if len(infos) > MAX_MEMBERS:
        raise TextRejected(f"{name} holds {len(infos)} files, more than {MAX_MEMBERS}: it is "
                           "not an ordinary document; save it again from its editor")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise TextRejected(f"{name} unpacks to {unpacked:,} bytes, over the limit of "
                           f"{MAX_UNPACKED:,}: remove images or split the document")
    for i in infos:
        ratio = i.file_size // max(i.compress_size, 1)
        if i.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise TextRejected(f"{name}: {i.filename} unpacks to {ratio} times its packed size "
                               "(a zip bomb?): it is refused; save the document again from "
                               "its editor")
    return [i.filename for i in infos]
