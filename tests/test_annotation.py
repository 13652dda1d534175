"""The annotation write service: the quote invariant, ownership, idempotence, revisions."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete as delete_rows
from sqlalchemy import func, select

from annotations import corpus
from annotations.annotation import (
    DELETED_NOTE,
    UNDO_WINDOW,
    Filters,
    add_reply,
    create_annotation,
    delete_annotation,
    get_annotation,
    list_annotations,
    undo_delete,
    update_annotation,
)
from annotations.db.engine import Store
from annotations.db.models import Annotation, Reply
from annotations.errors import InvalidInput, NotFound, PermissionDenied
from annotations.export import export_annotations, export_replies
from annotations.importer import import_csv
from annotations.jsonld import export_jsonld
from annotations.link import create_link, list_links
from annotations.permissions import Actor
from annotations.seminar import create_seminar, get_seminar

# Astral (emoji), combining marks, NBSP, curly quotes, CRLF-free newlines.
TRICKY = (
    "Er sagte: \u201eDas Volk 🙂 hungert\u201c \u2014 und schwieg.\n"
    "Cafe\u0301 na\u0308ive \u2018quoted\u2019 1\u00a0000\u00a0Tonnen 👩\u200d🌾 Ende.\n"
    "Second “quoted” line with 𝔉𝔯𝔞𝔨𝔱𝔲𝔯 and 🇺🇦 flags.\n"
)
DOC = "tricky-text"


@pytest.fixture
def tricky(any_store: Store) -> Store:
    corpus.add_text(any_store, TRICKY.encode(),
                    actor=Actor.console(), name="tricky.txt", title="Tricky",
                    perspective="textbook", document_id=DOC)
    return any_store


def _span(needle: str, text: str = TRICKY) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def _count(store: Store, model: type = Annotation) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _create(store: Store, needle: str, annotator: str = "ada", **kw: object):  # type: ignore[no-untyped-def]
    start, end = _span(needle)
    return create_annotation(store, seminar="demo", document_id=DOC, start=start, end=end,
                             quote=needle, annotator=annotator, **kw)  # type: ignore[arg-type]


NEEDLES = ["🙂", "Das Volk 🙂 hungert", "\u201eDas", "Cafe\u0301", "e\u0301",
           "1\u00a0000\u00a0Tonnen", "👩\u200d🌾", "\u2018quoted\u2019", "𝔉𝔯𝔞𝔨𝔱𝔲𝔯", "🇺🇦",
           "schwieg.\nCafe"]


def test_unicode_quotes_round_trip_through_the_store(tricky: Store) -> None:
    for needle in NEEDLES:
        a = _create(tricky, needle, codes=["hedging"], perspective="textbook", note="n 🙂")
        start, end = _span(needle)
        assert (a.start, a.end, a.quote) == (start, end, needle)
        assert a.prefix == TRICKY[max(0, start - 32):start]
        assert a.suffix == TRICKY[end:end + 32]
        got = get_annotation(tricky, a.id, "demo")
        assert got.quote == needle == TRICKY[got.start:got.end]
        assert (got.prefix, got.suffix, got.note) == (a.prefix, a.suffix, "n 🙂")
    assert sorted(x.quote for x in list_annotations(tricky, Filters(document=DOC))) == sorted(
        NEEDLES)


def test_prefix_and_suffix_are_32_code_points(tricky: Store) -> None:
    a = _create(tricky, "naive" if "naive" in TRICKY else "\u2018quoted\u2019")
    assert len(a.prefix) == 32 and len(a.suffix) == 32
    assert a.prefix + a.quote + a.suffix in TRICKY


def test_context_is_clipped_at_text_start(tricky: Store) -> None:
    a = _create(tricky, "Er sagte")
    assert a.prefix == "" and len(a.suffix) == 32


MISMATCHES = [
    (0, 2, "Xx", "does not match"),
    (0, 2, "Er ", "does not match"),
    (-1, 2, "Er", "out of range"),
    (5, 5, "", "out of range"),
    (0, len(TRICKY) + 1, TRICKY, "out of range"),
]


def test_create_rejects_quote_mismatch_and_bad_offsets(tricky: Store) -> None:
    revision = get_seminar(tricky, "demo").revision
    for start, end, quote, match in MISMATCHES:
        with pytest.raises(InvalidInput, match=match):
            create_annotation(tricky, seminar="demo", document_id=DOC, start=start, end=end,
                              quote=quote, annotator="ada")
    assert _count(tricky) == 0
    assert get_seminar(tricky, "demo").revision == revision


def test_utf16_offsets_are_not_accepted_for_astral_characters(tricky: Store) -> None:
    # A browser counting UTF-16 units would send end = start + 2 for one emoji.
    start = TRICKY.index("🙂")
    with pytest.raises(InvalidInput):
        create_annotation(tricky, seminar="demo", document_id=DOC, start=start,
                          end=start + 2, quote="🙂", annotator="ada")


BAD_INPUT: list[tuple[dict[str, object], type[Exception], str]] = [
    ({"seminar": "nope"}, NotFound, "no seminar"),
    ({"document_id": "nope"}, NotFound, "no document"),
    ({"perspective": "gossip"}, InvalidInput, "perspective"),
    ({"codes": ["hedging", "made up"]}, InvalidInput, "made up"),
    ({"annotator": "  "}, InvalidInput, "empty"),
    ({"annotator": "two\nlines"}, InvalidInput, "invisible or control character"),
    ({"annotator": "x" * 201}, InvalidInput, "200"),
    ({"note": "x" * 20_001}, InvalidInput, "over"),
    ({"note": "nul \x00 byte"}, InvalidInput, "NUL"),
    ({"annotation_id": "not-a-uuid"}, InvalidInput, "not a UUID"),
]


def test_create_rejects_bad_input(tricky: Store) -> None:
    for kw, exc, match in BAD_INPUT:
        args: dict[str, object] = {"seminar": "demo", "document_id": DOC, "start": 0,
                                   "end": 2, "quote": "Er", "annotator": "ada"}
        args.update(kw)
        with pytest.raises(exc, match=match):
            create_annotation(tricky, **args)  # type: ignore[arg-type]
    assert _count(tricky) == 0


def test_same_annotation_id_twice_is_saved_once(tricky: Store) -> None:
    aid = str(uuid.uuid4())
    first = _create(tricky, "Das Volk", annotation_id=aid)
    revision = get_seminar(tricky, "demo").revision
    again = _create(tricky, "Das Volk", annotation_id=aid.upper())
    assert again.id == first.id == aid
    assert _count(tricky) == 1
    assert get_seminar(tricky, "demo").revision == revision
    # Another writer's use of the id gets a fresh id, exactly as a new id would (no oracle).
    other = _create(tricky, "Das Volk", annotator="bob", annotation_id=aid)
    assert other.id != aid and other.annotator == "bob" and _count(tricky) == 2


def test_only_the_annotator_edits_or_deletes_anyone_replies(tricky: Store) -> None:
    a = _create(tricky, "hungert", codes=["hedging"])
    with pytest.raises(PermissionDenied, match="ada"):
        update_annotation(tricky, a.id, seminar="demo", actor="bob", note="mine now")
    with pytest.raises(PermissionDenied):
        delete_annotation(tricky, a.id, seminar="demo", actor="bob")
    assert get_annotation(tricky, a.id, "demo").note == ""

    r = add_reply(tricky, a.id, seminar="demo", author="bob", text="Source?")
    assert (r.author, r.annotation_id) == ("bob", a.id)
    rid = str(uuid.uuid4())
    add_reply(tricky, a.id, seminar="demo", author="ada", text="p. 3", reply_id=rid)
    add_reply(tricky, a.id, seminar="demo", author="ada", text="p. 3", reply_id=rid)
    assert [x.author for x in get_annotation(tricky, a.id, "demo").replies] == ["bob", "ada"]

    updated = update_annotation(tricky, a.id, seminar="demo", actor="ada", note="edited",
                                codes=["boosting", "hedging", "boosting"],
                                perspective="textbook")
    assert (updated.note, updated.codes, updated.perspective) == (
        "edited", ["boosting", "hedging"], "textbook")
    assert updated.updated_at >= updated.created_at

    delete_annotation(tricky, a.id, seminar="demo", actor="ada")
    # Classmates' replies stay, under a placeholder (issue 11, item 3).
    assert _count(tricky) == 1 and _count(tricky, Reply) == 2
    gone = get_annotation(tricky, a.id, "demo")
    assert gone.deleted and (gone.note, gone.codes, gone.perspective) == ("", [], "")
    with pytest.raises(InvalidInput, match="deleted"):
        update_annotation(tricky, a.id, seminar="demo", actor="ada", note="back")


def test_delete_without_replies_goes_and_undo_brings_it_back(tricky: Store) -> None:
    a = _create(tricky, "hungert", codes=["hedging"], note="mine", perspective="textbook")
    b = create_annotation(tricky, seminar="demo", document_id="allied-powers-ussr", start=4,
                          end=12, quote="Allied P", annotator="bob")
    link = create_link(tricky, seminar="demo", kind="same claim", from_annotation_id=a.id,
                       to_annotation_id=b.id, annotator="ada")
    deleted = delete_annotation(tricky, a.id, seminar="demo", actor="ada")
    assert not deleted.tombstone and _count(tricky) == 1
    with pytest.raises(NotFound):
        get_annotation(tricky, a.id, "demo")
    with pytest.raises(PermissionDenied):
        undo_delete(tricky, deleted, actor="bob")
    back = undo_delete(tricky, deleted, actor="ada")
    assert (back.id, back.note, back.codes, back.perspective, back.created_at) == (
        a.id, "mine", ["hedging"], "textbook", a.created_at)
    assert [lk.id for lk in list_links(tricky, "demo")] == [link.id]
    with pytest.raises(InvalidInput, match="not deleted"):
        undo_delete(tricky, deleted, actor="ada")


def test_undo_of_a_tombstone_and_the_undo_window(tricky: Store) -> None:
    a = _create(tricky, "hungert", codes=["hedging"], note="mine")
    add_reply(tricky, a.id, seminar="demo", author="bob", text="Source?")
    deleted = delete_annotation(tricky, a.id, seminar="demo", actor="ada")
    assert deleted.tombstone
    late = deleted.deleted_at + UNDO_WINDOW + timedelta(seconds=1)
    with pytest.raises(InvalidInput, match="can no longer be undone"):
        undo_delete(tricky, deleted, actor="ada", at=late)
    back = undo_delete(tricky, deleted, actor="ada")
    assert not back.deleted and (back.note, back.codes) == ("mine", ["hedging"])
    assert [r.text for r in back.replies] == ["Source?"]


def test_a_tombstone_stays_in_exports_and_comes_back_from_them(tricky: Store) -> None:
    a = _create(tricky, "hungert", codes=["hedging"], note="mine")
    add_reply(tricky, a.id, seminar="demo", author="bob", text="Source?")
    delete_annotation(tricky, a.id, seminar="demo", actor="ada")
    out, replies = io.StringIO(), io.StringIO()
    export_annotations(tricky, out, Filters(seminar="demo"))
    export_replies(tricky, replies, Filters(seminar="demo"))
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["annotation_id"], row["note"], row["codes"], row["perspective"]) == (
        a.id, DELETED_NOTE, "", "")
    assert "Source?" in replies.getvalue()
    jsonld = io.StringIO()
    export_jsonld(tricky, jsonld, Filters(seminar="demo"))
    assert DELETED_NOTE in jsonld.getvalue() and "Source?" in jsonld.getvalue()
    with tricky.transaction() as session:
        session.execute(delete_rows(Reply))
        session.execute(delete_rows(Annotation))
    import_csv(tricky, out.getvalue(), replies.getvalue())
    again = get_annotation(tricky, a.id, "demo")
    assert again.deleted and again.note == "" and [r.text for r in again.replies] == ["Source?"]


def test_reply_checks(tricky: Store) -> None:
    a = _create(tricky, "hungert")
    with pytest.raises(InvalidInput, match="empty"):
        add_reply(tricky, a.id, seminar="demo", author="bob", text="   ")
    with pytest.raises(NotFound):
        add_reply(tricky, str(uuid.uuid4()), seminar="demo", author="bob", text="hi")
    create_seminar(tricky, "other", join_code="OTHER1")
    with pytest.raises(NotFound):
        add_reply(tricky, a.id, seminar="other", author="bob", text="hi")
    with pytest.raises(NotFound):
        update_annotation(tricky, a.id, seminar="other", actor="ada", note="x")


def test_every_write_bumps_the_seminar_revision(tricky: Store) -> None:
    seen = [get_seminar(tricky, "demo").revision]

    def bumped() -> bool:
        seen.append(get_seminar(tricky, "demo").revision)
        return seen[-1] > seen[-2]

    a = _create(tricky, "hungert")
    assert bumped()
    update_annotation(tricky, a.id, seminar="demo", actor="ada", note="n")
    assert bumped()
    add_reply(tricky, a.id, seminar="demo", author="bob", text="r")
    assert bumped()
    delete_annotation(tricky, a.id, seminar="demo", actor="ada")
    assert bumped()
    create_seminar(tricky, "other", join_code="OTHER1")
    assert get_seminar(tricky, "other").revision == 0


def test_filters(tricky: Store) -> None:
    a = _create(tricky, "hungert", codes=["hedging", "loaded language"], perspective="textbook")
    b = _create(tricky, "schwieg", annotator="bob", codes=["loaded language"],
                note="50% of_all")
    c = _create(tricky, "Ende", annotator="cy")

    def ids(**kw: str) -> set[str]:
        return {x.id for x in list_annotations(tricky, Filters(**kw))}

    assert ids() == {a.id, b.id, c.id}
    assert ids(annotator="bob") == {b.id}
    assert ids(code="loaded language") == {a.id, b.id}
    assert ids(code="hedging") == {a.id}
    assert ids(code="Hedging") == set()  # codes are case-sensitive on every backend
    assert ids(code="language") == set()  # whole codes only
    assert ids(perspective="textbook") == {a.id}
    assert ids(document=DOC, seminar="demo") == {a.id, b.id, c.id}
    assert ids(document="steel-and-sacrifice") == set()
    assert ids(search="HUNGERT") == {a.id}
    assert ids(search="50%") == {b.id}
    assert ids(search="%") == {b.id}
    assert ids(search="f_a") == {b.id} and ids(search="o_a") == set()


def test_list_is_in_text_order(tricky: Store) -> None:
    late = _create(tricky, "Ende")
    early = _create(tricky, "Er sagte")
    assert [x.id for x in list_annotations(tricky, Filters())] == [early.id, late.id]
