"""Names: NFKC storage form, invisible characters refused, look-alikes share a key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import AnnotationsError
from annotations.names import (
    EmptyName,
    InvisibleCharacter,
    NameTooLong,
    clean_name,
    name_key,
    skeleton,
)


def test_clean_name_normalises_compatibility_forms_and_spaces() -> None:
    assert clean_name("  ｓｔｕｙ１ ") == "stuy1"
    assert clean_name("Ada   \u00a0Lovelace") == "Ada Lovelace"
    assert clean_name("ﬁne") == "fine"
    assert clean_name("stuy1\n") == "stuy1"  # a pasted trailing newline is trimmed


@pytest.mark.parametrize("bad", [
    "stuy1\u200b",      # zero-width space
    "stu\u200dy1",      # zero-width joiner
    "\u202estuy1",      # right-to-left override
    "stuy1\x00",        # NUL
    "stuy1\x1b[31m",    # escape
    "stu\u00ady1",      # soft hyphen
    "stu\u2028y1",      # line separator
    "stu\ny1",          # newline inside
    "a\u3164b",         # hangul filler draws nothing
    "a\ufe0fb",         # variation selector
    "\ue000x",          # private use
])
def test_clean_name_rejects_invisible_and_control_characters(bad: str) -> None:
    with pytest.raises(InvisibleCharacter) as e:
        clean_name(bad, what="username")
    message = str(e.value)
    assert message.startswith("username contains an invisible or control character (U+")
    assert "type the name again without it" in message
    assert isinstance(e.value, AnnotationsError)


def test_clean_name_rejects_empty_and_too_long() -> None:
    with pytest.raises(EmptyName, match="display name is empty"):
        clean_name("   ", what="display name")
    with pytest.raises(NameTooLong, match="has 81 characters: use at most 80"):
        clean_name("a" * 81, max_length=80)
    assert clean_name("a" * 80, max_length=80) == "a" * 80


def test_lookalikes_share_a_key() -> None:
    base = name_key("stuy1")
    assert name_key("stu\u04431") == base          # Cyrillic у
    assert name_key("STUY1") == base                 # case
    assert name_key("ｓｔｕｙ１") == base             # fullwidth
    assert name_key("stuy1\u200b") == base           # invisible dropped in the key
    assert name_key("stuyl") == base                 # 1 and l are confusable (UTS #39)
    assert name_key("\u0430da") == name_key("ada")   # Cyrillic а
    assert name_key("stuy2") != base
    assert name_key("ada") != name_key("adam")


def test_skeleton_follows_unicode_data() -> None:
    # UTS #39 examples: paypal with Cyrillic р and а; "rn" looks like "m".
    assert skeleton("\u0440\u0430ypal") == skeleton("paypal")
    assert skeleton("rn") == skeleton("m")


@given(st.text(max_size=30))
def test_key_of_a_clean_name_is_stable(raw: str) -> None:
    try:
        clean = clean_name(raw)
    except AnnotationsError:
        return
    assert clean == clean_name(clean)
    assert name_key(clean) == name_key(clean_name(clean))
