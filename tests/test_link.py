"""Links across documents: rules, isolation, CSV export and all-or-nothing import."""

import io

import pytest

from annotations import corpus, link
from annotations.annotation import create_annotation
from annotations.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied
from annotations.seminar import create_seminar


def _annotate(store, doc, phrase, who="Ana", seminar="demo"):
    text = corpus.get_text(store, doc).text
    i = text.index(phrase)
    return create_annotation(store, seminar=seminar, document_id=doc, start=i,
                             end=i + len(phrase), quote=phrase, annotator=who)


@pytest.fixture
def pair(any_store):
    a = _annotate(any_store, "steel-and-sacrifice", "5 million kulaks")
    b = _annotate(any_store, "stalinism-inner-truth", "12-15 million")
    return any_store, a, b


def test_link_across_documents_and_export(pair):
    store, a, b = pair
    made = link.create_link(store, seminar="demo", kind="contradicts",
                            from_annotation_id=a.id, to_annotation_id=b.id,
                            annotator="Ana", note="=different counts")
    assert [x.id for x in link.list_links(store, "demo", a.id)] == [made.id]
    out = io.StringIO()
    assert link.export_links(store, out, "demo") == 1
    header, row = out.getvalue().split("\r\n")[:2]
    assert header == ",".join(link.LINK_COLUMNS)
    assert row.startswith(f"{made.id},contradicts,{a.id},{b.id},'=different counts,Ana,")


def test_link_rules(pair):
    store, a, b = pair
    same_doc = _annotate(store, "steel-and-sacrifice", "Magnitogorsk")
    with pytest.raises(InvalidInput, match="same document"):
        link.create_link(store, seminar="demo", kind="same claim", from_annotation_id=a.id,
                         to_annotation_id=same_doc.id, annotator="Ana")
    with pytest.raises(InvalidInput, match="kind"):
        link.create_link(store, seminar="demo", kind="agrees", from_annotation_id=a.id,
                         to_annotation_id=b.id, annotator="Ana")
    made = link.create_link(store, seminar="demo", kind="omits", from_annotation_id=a.id,
                            to_annotation_id=b.id, annotator="Ana")
    with pytest.raises(PermissionDenied):
        link.delete_link(store, made.id, seminar="demo", actor="Ben")
    link.delete_link(store, made.id, seminar="demo", actor="Ana")
    assert link.list_links(store, "demo") == []


def test_links_do_not_cross_seminars(pair):
    store, a, _ = pair
    create_seminar(store, "other", "Other", "OTHER1")
    c = _annotate(store, "allied-powers-ussr", "Molotov-Ribbentrop Pact", seminar="other")
    with pytest.raises(NotFound):
        link.create_link(store, seminar="other", kind="same claim", from_annotation_id=a.id,
                         to_annotation_id=c.id, annotator="Ana")


def test_links_round_trip_and_reject_bad_rows(pair):
    store, a, b = pair
    link.create_link(store, seminar="demo", kind="same claim", from_annotation_id=a.id,
                     to_annotation_id=b.id, annotator="Ana", note="a,b\n\"c\"")
    first = io.StringIO()
    link.export_links(store, first)
    assert link.import_links(store, first.getvalue()) == 1
    second = io.StringIO()
    link.export_links(store, second)
    assert second.getvalue() == first.getvalue()
    bad = first.getvalue().replace(a.id, "00000000-0000-0000-0000-000000000000")
    bad = bad.replace("same claim", "agrees")
    with pytest.raises(ImportRejected) as err:
        link.import_links(store, bad)
    assert [e.row for e in err.value.errors] == [2]
    assert len(link.list_links(store, "demo")) == 1
