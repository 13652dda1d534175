"""A revision's drawing built from the previous one plus the changed annotations equals the
drawing read afresh, and is built that way only when this process knows what changed."""

from __future__ import annotations

from typing import Any

import pytest

from annotations import blind, guests, highlights, live
from annotations.annotation import (
    Filters,
    add_reply,
    create_annotation,
    delete_annotation,
    list_annotations,
    undo_delete,
    update_annotation,
)
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.permissions import Actor
from annotations.seminar import get_seminar, revision

DOC = "stalinism-inner-truth"


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "CHANGES", live.Changes())
    highlights.forget()


def _draw(store: Store, rule: blind.Visibility = blind.EVERYTHING) -> highlights.Drawing:
    """The drawing, with its side panel's part worked out as the live route does."""
    sid = get_seminar(store, "demo").id
    d = highlights.drawing(store, "demo", sid, DOC, rule, "perspective")
    d.panel(25, "")
    return d


def _afresh(store: Store, rule: blind.Visibility = blind.EVERYTHING) -> highlights.Drawing:
    highlights.forget()
    return _draw(store, rule)


def _shown(d: highlights.Drawing) -> dict[str, Any]:
    return {"ids": [a.id for a in d.views], "records": d.records.highlights,
            "digest": d.records.digest, "items": d.items, "names": d.names}


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[Filters]:
    asked: list[Filters] = []
    real = highlights.list_annotations

    def spy(store: Store, filters: Filters, **kw: Any) -> Any:
        asked.append(filters)
        return real(store, filters, **kw)

    monkeypatch.setattr(highlights, "list_annotations", spy)
    return asked


def test_each_kind_of_change_drawn_from_the_last_equals_a_fresh_drawing(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    text = get_text(store, DOC).text
    made = [create_annotation(store, seminar="demo", document_id=DOC, start=i, end=i + 7,
                              quote=text[i:i + 7], annotator="Hana", perspective="textbook")
            for i in range(0, 200, 10)]
    _draw(store)
    asked = _counting_reads(monkeypatch)
    gus = guests.join(store, get_seminar(store, "demo"), "Gus").guest.id
    steps = [
        lambda: create_annotation(store, seminar="demo", document_id=DOC, start=3, end=12,
                                  quote=text[3:12], annotator=gus, codes=["hedging"]),
        lambda: update_annotation(store, made[4].id, seminar="demo", actor="Hana",
                                  note="a note", perspective=""),
        lambda: add_reply(store, made[5].id, seminar="demo", author="Ben", text="why?"),
        lambda: delete_annotation(store, made[5].id, seminar="demo", actor="Hana"),
        lambda: undo_delete(store, delete_annotation(store, made[6].id, seminar="demo",
                                                     actor="Hana"), actor="Hana"),
        lambda: delete_annotation(store, made[7].id, seminar="demo", actor="Hana"),
    ]
    for step in steps:
        step()
        asked.clear()
        stepped = _draw(store)
        assert asked and all(f.ids for f in asked), "only the changed annotations are read"
        assert stepped.revision == revision(store, get_seminar(store, "demo").id)
        assert _shown(stepped) == _shown(_afresh(store))
        _draw(store)  # the next step starts from a drawing of this revision


def test_a_change_this_process_did_not_see_reads_everything(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write from another process (here: one the change log forgot) or one that names
    no annotation (a blind round starting) is drawn from a full read."""
    text = get_text(store, DOC).text
    create_annotation(store, seminar="demo", document_id=DOC, start=0, end=7,
                      quote=text[:7], annotator="Hana")
    _draw(store)
    asked = _counting_reads(monkeypatch)
    create_annotation(store, seminar="demo", document_id=DOC, start=20, end=27,
                      quote=text[20:27], annotator="Ben")
    monkeypatch.setattr(live, "CHANGES", live.Changes())
    assert _shown(_draw(store)) == _shown(_afresh(store))
    assert asked and not any(f.ids for f in asked)
    asked.clear()
    blind.set_blind(store, "demo", Actor.console(), True)
    ben = blind.Visibility(False, "Ben")
    stepped = _draw(store, ben)
    assert not any(f.ids for f in asked)
    assert [a.annotator for a in stepped.views] == ["Ben"]
    assert _shown(stepped) == _shown(_afresh(store, ben))


def test_the_change_log_knows_a_span_only_when_it_knows_every_revision() -> None:
    changes = live.Changes()
    changes.record(1, 5, frozenset({"a"}))
    changes.record(1, 6, frozenset({"b"}))
    changes.record(1, 8, frozenset({"c"}))
    assert changes.between(1, 4, 6) == {"a", "b"}
    assert changes.between(1, 6, 6) == frozenset()
    assert changes.between(1, 6, 8) is None  # revision 7 unknown
    changes.record(1, 7, None)
    assert changes.between(1, 6, 8) is None
    assert changes.between(2, 0, 1) is None


def test_a_drawing_stepped_in_text_order_lists_as_the_store_does(store: Store) -> None:
    text = get_text(store, DOC).text
    create_annotation(store, seminar="demo", document_id=DOC, start=50, end=60,
                      quote=text[50:60], annotator="Hana")
    _draw(store)
    for s, e in ((50, 55), (10, 60), (50, 60), (70, 71)):
        create_annotation(store, seminar="demo", document_id=DOC, start=s, end=e,
                          quote=text[s:e], annotator="Ben")
        _draw(store)
    assert [a.id for a in _draw(store).views] == [
        a.id for a in list_annotations(store, Filters(seminar="demo", document=DOC))]
