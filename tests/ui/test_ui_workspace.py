"""AppTest flows for every page, driven through the widget keys in annotations.ui.state.

AppTest cannot drive the custom highlighter, so a selection is injected as the
pending selection the component's callback would have stored.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from annotations import guests
from annotations.annotation import Filters, create_annotation, list_annotations
from annotations.corpus import get_text, replace_text
from annotations.db.engine import Store
from annotations.highlights import highlight_spoken
from annotations.roles import Actor
from annotations.ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DOC = "allied-powers-ussr"


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def _joined(name: str = "Ana", code: str = "DEMO") -> AppTest:
    at = _app()
    at.text_input(key=state.JOIN_NAME).input(name)
    at.text_input(key=state.JOIN_CODE).input(code)
    at.button(key=state.JOIN_SUBMIT).click().run()
    assert not at.exception
    return at


def _me(at: AppTest, store: Store) -> str:
    """The server-made id of the guest this AppTest joined as (what annotations store)."""
    return guests.validate(store, at.session_state[state.GUEST_TOKEN]).id


@pytest.fixture
def store(app_env: str) -> Store:
    at = _app()  # boots the store: corpus and demo seminar
    assert not at.exception
    s = Store.open(app_env)
    yield s
    s.dispose()


def _text(store: Store) -> str:
    return get_text(store, DOC).text


def _errors(at: AppTest) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", e.value) for e in at.error)  # escapes removed


def _select(at: AppTest, store: Store, phrase: str, quote: str | None = None) -> None:
    start = _text(store).index(phrase)
    at.session_state[state.PENDING] = {"start": start, "end": start + len(phrase),
                                       "quote": phrase if quote is None else quote}
    at.run()


# ---------------------------------------------------------------- home


def test_home_page_smoke_lists_the_corpus(store: Store) -> None:
    at = _app()
    assert not at.exception
    shown = (" ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
             ).replace("\\", "")  # user text is escaped Markdown
    for title in ("The Allied Powers", "Steel and Sacrifice", "Stalinism"):
        assert title in shown
    assert "popular history" in shown and "magazine-style web article" in shown
    assert "Use code **DEMO** to try the demo seminar." in shown
    assert at.text_input(key=state.SIGNIN_USERNAME) is not None
    assert at.text_input(key=state.SIGNUP_USERNAME) is not None
    assert state.SSO_LOGIN not in {b.key for b in at.button}  # no [auth] secrets


def test_join_demo_opens_the_workspace(store: Store) -> None:
    at = _joined("Ana", "demo")
    assert _me(at, store).startswith(guests.PREFIX)
    assert "Signed in as **Ana**" in [m.value for m in at.sidebar.markdown]
    assert any("guest" in c.value for c in at.sidebar.caption)
    views = at.sidebar.segmented_control(key=state.VIEW).options
    assert views == [state.VIEW_WORKSPACE, state.VIEW_COMPARE]  # no desk for guests
    assert at.selectbox(key=state.DOCUMENT).value == DOC


def test_wrong_join_code_and_empty_name_are_explained(store: Store) -> None:
    at = _app()
    at.text_input(key=state.JOIN_NAME).input("Ana")
    at.text_input(key=state.JOIN_CODE).input("NOPE")
    at.button(key=state.JOIN_SUBMIT).click().run()
    assert "no seminar has the join code 'NOPE'" in _errors(at)
    at.text_input(key=state.JOIN_NAME).input("   ")
    at.text_input(key=state.JOIN_CODE).input("DEMO")
    at.button(key=state.JOIN_SUBMIT).click().run()
    assert "display name is empty" in _errors(at)
    assert state.GUEST_TOKEN not in at.session_state


# ---------------------------------------------------------------- workspace


def test_workspace_smoke_every_document(store: Store) -> None:
    at = _joined()
    for doc in at.selectbox(key=state.DOCUMENT).options:
        at.selectbox(key=state.DOCUMENT).set_value(doc).run()
        assert not at.exception


def test_save_annotation_with_codes_and_note(store: Store) -> None:
    at = _joined()
    _select(at, store, "totalitarian rule")
    assert not at.exception
    at.selectbox(key=state.COMPOSE_PERSPECTIVE).set_value("textbook")
    at.multiselect(key=state.COMPOSE_CODES).select("loaded language").select("hedging")
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "Words chosen for their emotional or moral charge" in captions  # definition
    assert "Bolshevik policies of brutal counter" in captions  # example
    at.text_area(key=state.COMPOSE_NOTE).input("a strong word for a textbook")
    at.button(key=state.COMPOSE_SAVE).click().run()
    assert not at.exception
    [a] = list_annotations(store, Filters(seminar="demo", document=DOC))
    assert (a.quote, a.perspective, a.codes, a.annotator) == (
        "totalitarian rule", "textbook", ["loaded language", "hedging"], _me(at, store))
    # Nothing carries over to the next passage (issue 11, item 2): it starts afresh.
    assert state.PENDING not in at.session_state
    _select(at, store, "aggressive economic planning")
    assert at.selectbox(key=state.COMPOSE_PERSPECTIVE).value == "textbook"
    assert at.multiselect(key=state.COMPOSE_CODES).value == []


def test_structured_fields_of_a_picked_code_are_saved(store: Store) -> None:
    from annotations.ui.forms import field_key

    at = _joined()
    _select(at, store, "totalitarian rule")
    at.multiselect(key=state.COMPOSE_CODES).select("factual error").run()
    at.text_input(key=field_key("new", "factual error", "correction")).input("a dictatorship")
    at.text_input(key=field_key("new", "factual error", "source")).input("Figes")
    at.button(key=state.COMPOSE_SAVE).click().run()
    assert not at.exception
    [a] = list_annotations(store, Filters(seminar="demo", document=DOC))
    assert a.fields == {"factual error": {"correction": "a dictatorship", "source": "Figes"}}
    assert "*factual error — correction:* a dictatorship" in [m.value for m in at.markdown]


def test_new_annotation_starts_with_the_documents_perspective(store: Store) -> None:
    at = _joined()
    _select(at, store, "totalitarian rule")
    assert at.selectbox(key=state.COMPOSE_PERSPECTIVE).value == "textbook"
    at.button(key=state.COMPOSE_CANCEL).click().run()
    at.session_state[state.STICKY_PERSPECTIVE] = "popular history"
    at.session_state[state.STICKY_CODES] = ["hedging"]
    _select(at, store, "aggressive economic planning")
    # Quick code's tags apply only while it is on, and are then shown above the text.
    assert at.selectbox(key=state.COMPOSE_PERSPECTIVE).value == "textbook"
    assert at.multiselect(key=state.COMPOSE_CODES).value == []
    assert not [w for w in at.warning if "Quick code is on" in w.value]
    at.button(key=state.COMPOSE_CANCEL).click().run()
    at.toggle(key=state.QUICK).set_value(True).run()
    [shown] = [w.value for w in at.warning if "Quick code is on" in w.value]
    assert "**popular history** with **hedging**" in shown


def test_repeated_save_of_one_selection_saves_once(store: Store) -> None:
    at = _joined()
    _select(at, store, "aggressive economic planning")
    pending = dict(at.session_state[state.PENDING])
    at.button(key=state.COMPOSE_SAVE).click().run()
    at.session_state[state.PENDING] = pending  # a replayed click for the same selection
    at.run()
    at.button(key=state.COMPOSE_SAVE).click().run()
    assert not at.exception
    assert len(list_annotations(store, Filters(seminar="demo", document=DOC))) == 1


def test_quote_mismatch_is_an_error_not_a_save(store: Store) -> None:
    at = _joined()
    _select(at, store, "totalitarian rule", quote="totalitarian RULE")
    at.button(key=state.COMPOSE_SAVE).click().run()
    assert not at.exception
    assert "quote does not match the text" in _errors(at)
    assert list_annotations(store, Filters(seminar="demo")) == []


def test_filters_narrow_the_panel(store: Store) -> None:
    text = _text(store)
    at = _joined("Ana")
    ben = guests.join(store, at.session_state[state.SEMINAR], "Ben").guest.id
    for who, phrase, code in ((_me(at, store), "totalitarian rule", "loaded language"),
                              (ben, "cult of personality", "hedging")):
        s = text.index(phrase)
        create_annotation(store, seminar="demo", document_id=DOC, start=s,
                          end=s + len(phrase), quote=phrase, annotator=who, codes=[code],
                          perspective="textbook", note=f"{who} wrote this")
    at.run()
    assert "2 annotations, in text order" in [c.value for c in at.caption]
    at.radio(key=state.FILTER_WHO).set_value(state.WHO_MINE).run()
    assert "1 of 2 annotations, in text order" in [c.value for c in at.caption]
    at.radio(key=state.FILTER_WHO).set_value(state.WHO_ONE).run()
    at.selectbox(key=state.FILTER_ANNOTATOR).set_value(ben).run()
    shown = " ".join(m.value for m in at.markdown)
    assert "cult of personality" in shown and "totalitarian rule" not in shown
    at.radio(key=state.FILTER_WHO).set_value(state.WHO_EVERYONE).run()
    at.selectbox(key=state.FILTER_CODE).set_value("loaded language").run()
    assert "totalitarian rule" in " ".join(m.value for m in at.markdown)
    at.selectbox(key=state.FILTER_CODE).set_value(state.ANY)
    at.text_input(key=state.FILTER_SEARCH).input(f"{ben} wrote").run()
    shown = " ".join(m.value for m in at.markdown)
    assert "cult of personality" in shown and "totalitarian rule" not in shown
    at.selectbox(key=state.FILTER_PERSPECTIVE).set_value("popular history").run()
    assert "No annotations match these filters." in [c.value for c in at.caption]
    assert not at.exception


def test_edit_delete_and_reply(store: Store) -> None:
    text = _text(store)
    s = text.index("cult of personality")
    at = _joined("Ana")
    ana = _me(at, store)
    mine = create_annotation(store, seminar="demo", document_id=DOC, start=s, end=s + 19,
                             quote=text[s : s + 19], annotator=ana, note="first")
    theirs = create_annotation(store, seminar="demo", document_id=DOC, start=s, end=s + 4,
                               quote=text[s : s + 4], annotator="Ben", note="Ben's")
    at.run()
    at.button(key=state.entry_key("ann_open", mine.id)).click().run()
    at.button(key=state.entry_key("ann_edit", mine.id)).click().run()
    at.text_area(key=state.entry_key("edit_note", mine.id)).input("second thoughts")
    at.multiselect(key=state.entry_key("edit_codes", mine.id)).select("boosting")
    at.button(key=state.entry_key("edit_save", mine.id)).click().run()
    assert not at.exception
    notes = {a.id: a for a in list_annotations(store, Filters(seminar="demo"))}
    assert notes[mine.id].note == "second thoughts"
    assert notes[mine.id].codes == ["boosting"]
    # Someone else's annotation: no edit or delete, but a reply.
    at.button(key=state.entry_key("ann_open", theirs.id)).click().run()
    keys = {b.key for b in at.button}
    assert state.entry_key("ann_edit", theirs.id) not in keys
    assert state.entry_key("ann_delete", theirs.id) not in keys
    at.text_area(key=state.entry_key("reply_text", theirs.id)).input("Why this word?")
    at.button(key=state.entry_key("reply_send", theirs.id)).click().run()
    at.button(key=state.entry_key("reply_send", theirs.id)).click().run()  # empty now
    assert "reply is empty" in _errors(at)
    [reply] = next(a for a in list_annotations(store, Filters(seminar="demo"))
                   if a.id == theirs.id).replies
    assert (reply.author, reply.text) == (ana, "Why this word?")
    assert any("Why this word?" in m.value for m in at.markdown)  # threaded under it
    at.button(key=state.entry_key("ann_open", mine.id)).click().run()
    at.button(key=state.entry_key("ann_delete", mine.id)).click().run()
    assert "Delete this annotation?" in " ".join(w.value for w in at.warning)  # asked first
    assert len(list_annotations(store, Filters(seminar="demo"))) == 2
    at.button(key=state.entry_key("ann_delete_yes", mine.id)).click().run()
    assert not at.exception
    assert [a.id for a in list_annotations(store, Filters(seminar="demo"))] == [theirs.id]
    at.button(key=state.UNDO_BUTTON).click().run()  # the delete can be taken back
    assert not at.exception
    assert {a.id for a in list_annotations(store, Filters(seminar="demo"))} == {
        mine.id, theirs.id}


def test_deleting_keeps_a_classmates_reply_and_her_draft(store: Store) -> None:
    text = _text(store)
    s = text.index("cult of personality")
    at = _joined("Ana")
    mine = create_annotation(store, seminar="demo", document_id=DOC, start=s, end=s + 19,
                             quote=text[s : s + 19], annotator=_me(at, store), note="first")
    ben = _joined("Ben")
    ben.button(key=state.entry_key("ann_open", mine.id)).click().run()
    ben.text_area(key=state.entry_key("reply_text", mine.id)).input("Why this?")
    ben.button(key=state.entry_key("reply_send", mine.id)).click().run()
    ben.text_area(key=state.entry_key("reply_text", mine.id)).input("And also")  # half-typed
    at.run()
    at.button(key=state.entry_key("ann_open", mine.id)).click().run()
    at.button(key=state.entry_key("ann_delete", mine.id)).click().run()
    at.button(key=state.entry_key("ann_delete_yes", mine.id)).click().run()
    assert not at.exception
    [kept] = list_annotations(store, Filters(seminar="demo"))
    assert kept.deleted and [r.text for r in kept.replies] == ["Why this?"]
    ben.run()
    shown = " ".join(m.value for m in ben.markdown)
    assert "Deleted by its author" in shown and "Why this?" in shown
    assert "first" not in " ".join(m.value for m in [*ben.markdown, *ben.caption])
    assert ben.text_area(key=state.entry_key("reply_text", mine.id)).value == "And also"


def test_quick_code_hotkeys_and_leave(store: Store) -> None:
    at = _joined()
    at.toggle(key=state.QUICK).set_value(True).run()
    assert not at.exception
    at.session_state[state.STICKY_CODES] = ["hedging"]
    at.run()
    assert at.multiselect(key=state.STICKY_CODES).value == ["hedging"]
    at.button(key=state.LEAVE).click().run()
    assert not at.exception
    assert state.GUEST_TOKEN not in at.session_state
    assert at.text_input(key=state.JOIN_NAME) is not None


def test_an_orphan_stays_visible_to_its_author_with_the_old_text(store: Store) -> None:
    text = _text(store)
    s = text.index("cult of personality")
    mine = create_annotation(store, seminar="demo", document_id=DOC, start=s, end=s + 19,
                             quote=text[s : s + 19], annotator="Ana", note="mine")
    replace_text(store, DOC, text.replace("cult of personality", "").encode(), name="v2.txt",
                 actor=Actor.console(), seminar="demo")
    at = _joined("Ana")
    at.button(key=state.entry_key("ann_open", mine.id)).click().run()
    assert not at.exception
    shown = " ".join(c.value for c in at.caption)
    assert "Orphan: these words are not in the current version" in shown
    assert "cult of personality" in shown


def test_highlights_carry_words_for_screen_readers(store: Store) -> None:
    text = _text(store)
    for who, perspective, codes in (("ana", "textbook", ["hedging", "omission"]),
                                    ("bo", "", [])):
        s = text.index("totalitarian")
        create_annotation(store, seminar="demo", document_id=DOC, start=s, end=s + 12,
                          quote=text[s:s + 12], annotator=who, perspective=perspective,
                          codes=codes)
    views = list_annotations(store, Filters(seminar="demo", document=DOC))
    spoken = {v.annotator: highlight_spoken(v, {"ana": "Ana Lima"}) for v in views}
    assert spoken == {"ana": "by Ana Lima (ana), perspective textbook, codes hedging, omission",
                      "bo": "by bo, no perspective, no codes"}
