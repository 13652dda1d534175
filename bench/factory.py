"""Valid annotation rows on the real corpus, for the benchmarks and the reliability tests.

Every row is one an annotator could have made: the quote is `text[start:end]`
of a text in `texts/`, the codes and perspectives come from the default
codebook, and ids are UUIDs derived from (`batch`, row number), so two
batches never share an id and the same batch is the same file every time.
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from annotations import codebook, config
from annotations.anchor import context
from annotations.csvsafe import write_csv
from annotations.document import read_corpus
from annotations.export import COLUMNS


@dataclass(frozen=True)
class CorpusText:
    document_id: str
    sha256: str
    text: str


def corpus_texts(folder: Path | None = None) -> list[CorpusText]:
    """The texts the store loads with `annotations init`, read from the folder."""
    sources = read_corpus(folder or config.texts_dir(), config.max_text_bytes())
    return [CorpusText(s.meta.document_id, s.sha256, s.text) for s in sources]


def annotation_id(batch: int, n: int) -> str:
    return str(uuid.UUID(int=(batch + 1) << 64 | n))


def annotation_rows(rows: int, *, seminar: str, batch: int = 0,
                    texts: list[CorpusText] | None = None) -> Iterator[tuple[object, ...]]:
    """`rows` annotation tuples in the order of `export.COLUMNS`."""
    texts = texts or corpus_texts()
    perspectives, codes = codebook.load_default()
    p_names = [""] + [p.name for p in perspectives]
    c_names = [c.name for c in codes]
    rng = random.Random(batch)
    for n in range(rows):
        t = texts[n % len(texts)]
        length = rng.randint(1, 120)
        start = rng.randrange(0, len(t.text) - length)
        end = start + length
        prefix, suffix = context(t.text, start, end)
        minute, second, ms = n // 60_000 % 60, n // 1000 % 60, n % 1000
        stamp = f"2026-11-{1 + batch % 28:02d}T10:{minute:02d}:{second:02d}.{ms:03d}Z"
        yield (
            annotation_id(batch, n), seminar, t.document_id, "", t.sha256, start, end,
            t.text[start:end], prefix, suffix, rng.choice(p_names),
            "; ".join(rng.sample(c_names, rng.randint(0, 3))),
            f"note {n} of batch {batch}" if n % 3 else "", f"student-{n % 25:02d}",
            stamp, stamp,
        )


def annotations_csv(rows: int, *, seminar: str, batch: int = 0,
                    texts: list[CorpusText] | None = None) -> str:
    """An annotations CSV as `annotations export` writes it (text cells neutralised)."""
    out = io.StringIO(newline="")
    write_csv(out, COLUMNS, annotation_rows(rows, seminar=seminar, batch=batch, texts=texts))
    return out.getvalue()
