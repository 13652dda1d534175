"""Numbers as historians write them: "2.5 million", "3–4 million", "40M", "a dozen".

Pure functions over strings, no spaCy: the claims ledger and the tests both
rely on one parser, so that "12-15 million" means the same everywhere. Values
go through `Decimal` so that "33.2 million" is 33200000.0, not 33200000.000000004.
Words and scales come from `data/numbers.toml`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache

from .datafiles import load


@dataclass(frozen=True)
class Quantity:
    """A number or range found in a text, with its code-point span."""

    start: int
    end: int
    text: str
    low: float
    high: float
    is_range: bool
    percent: bool
    in_words: bool  # written with number words ("six million"), not only digits
    grouped: bool  # digits with thousands separators ("1,500")
    scaled: bool  # carries a scale word or suffix ("million", "M")
    per: float | None = None  # the round base of a rate: 1,000 in "30 per 1,000"
    currency: str = ""  # the sign before a sum of money: "£" in "£7 million"


@dataclass(frozen=True)
class YearSpan:
    """A year, year range or decade in a text: "1929", "1930-37", "the 1930s"."""

    start: int
    end: int
    first: int
    last: int


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, int]  # units and tens
    scales: dict[str, int]
    nouns: dict[str, int]
    suffixes: dict[str, int]
    year_first: int
    year_last: int
    pattern: re.Pattern[str]


def _alt(items: list[str]) -> str:
    return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))


@cache
def _lexicon() -> _Lexicon:
    raw = load("numbers.toml")
    units: dict[str, int] = raw["units"]
    tens: dict[str, int] = raw["tens"]
    scales: dict[str, int] = raw["scales"]
    nouns: dict[str, int] = raw["nouns"]
    suffixes: dict[str, int] = raw["suffixes"]
    word = rf"(?:(?:{_alt(list(tens))})(?:-(?:{_alt(list(units))}))?|{_alt(list(units))})"
    mult = _alt(list(scales) + list(nouns))
    words = (
        rf"\b(?:(?:{word}|an?)(?:[ -](?:{mult})(?: and {word}| {word}(?= (?:{mult})\b))?)+"
        rf"|{word})\b"
    )
    digits = r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    scaled_digits = rf"{digits}(?:[ -]?(?:{_alt(list(scales))})\b|(?-i:{_alt(list(suffixes))})\b)?"
    percent = rf"(?:\s?(?:{_alt(raw['percent']['signs'])}))"
    atom = rf"(?:(?:{scaled_digits}|{words}){percent}?)"
    dash = rf"\s?(?:{_alt(raw['ranges']['dashes'])})\s?"
    to = rf"\s(?:{_alt(raw['ranges']['words'])})\s"
    between = rf"\b(?:{_alt(raw['ranges']['between'])})\s"
    full = (
        rf"(?P<between>{between}(?P<a1>{atom})(?P<s1>\sand\s|{to}|{dash})(?P<b1>{atom}))"
        rf"|(?P<a2>{atom})(?:(?P<s2>{to}|{dash})(?P<b2>{atom}))?"
    )
    return _Lexicon(
        words={**units, **tens},
        scales=scales,
        nouns=nouns,
        suffixes=suffixes,
        year_first=int(raw["years"]["first"]),
        year_last=int(raw["years"]["last"]),
        pattern=re.compile(rf"(?:{full})(?![\w%])", re.IGNORECASE),
    )


def _words_value(text: str, lex: _Lexicon) -> Decimal:
    total = Decimal(0)
    current = Decimal(0)
    for part in re.split(r"[\s-]+", text.lower()):
        if part in ("a", "an"):
            current = current or Decimal(1)
        elif part == "and":
            continue
        elif part in lex.words:
            current += lex.words[part]
        elif part in lex.nouns or (part in lex.scales and lex.scales[part] < 1000):
            current = (current or Decimal(1)) * (lex.nouns.get(part) or lex.scales[part])
        elif part in lex.scales:
            total += (current or Decimal(1)) * lex.scales[part]
            current = Decimal(0)
        else:
            raise ValueError(f"not a number word: {part!r} in {text!r}")
    return total + current


def _split_number(text: str, lex: _Lexicon) -> tuple[Decimal, int | None, bool]:
    """(value before scale, scale or None, percent) for one side of a range."""
    body = text.strip()
    percent = False
    pct = re.search(r"\s?(%|per ?cent)$", body, re.IGNORECASE)
    if pct:
        percent, body = True, body[: pct.start()].rstrip()
    match = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)[ -]?([A-Za-z]*)", body)
    if match is None:
        words = re.split(r"[\s-]+", body.lower())
        # "two thousand" is 2 x a scale (a range may share it: "two to three thousand");
        # "six million nine hundred thousand" is a sum, read whole.
        if len(words) > 1 and lex.scales.get(words[-1], 0) >= 1000 and not any(
                lex.scales.get(w, 0) >= 1000 for w in words[:-1]):
            head = body[: body.lower().rindex(words[-1])].rstrip(" -")
            return _words_value(head, lex), lex.scales[words[-1]], percent
        return _words_value(body, lex), None, percent
    try:
        value = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    tail = match.group(2)
    if not tail:
        return value, None, percent
    scale = lex.suffixes.get(tail) or lex.scales.get(tail.lower())
    if scale is None:
        raise ValueError(f"unknown scale {tail!r} in {text!r}")
    return value, scale, percent


def parse_number(text: str) -> float:
    """The value of one number as written: "1,500", "2.5 million", "two thousand", "40M"."""
    lex = _lexicon()
    value, scale, _ = _split_number(text, lex)
    return float(value * (scale or 1))


def parse_range(low_text: str, high_text: str) -> tuple[float, float]:
    """Both ends of a range, sharing a scale written once: "3–4 million" is 3e6..4e6.

    A backwards pair ("1928 to 24.6") is two numbers, not a range: ValueError.
    """
    lex = _lexicon()
    low, low_scale, _ = _split_number(low_text, lex)
    high, high_scale, _ = _split_number(high_text, lex)
    if low_scale is None and high_scale is None and len(high_text.strip()) == 2 and low >= 1000:
        high = low - low % 100 + high  # "1930-37": an abbreviated year range
    if low_scale is None and high_scale is not None:
        if low > high and re.fullmatch(r"\d{4}", low_text.strip()):
            # "in 1928 to 24.6 million": a year, then a number
            raise ValueError(f"{low_text!r} to {high_text!r} is not a range")
        low_scale = high_scale if low <= high else None
    a, b = low * (low_scale or 1), high * (high_scale or 1)
    if a > b:
        raise ValueError(f"{low_text!r} to {high_text!r} is not a range: it runs backwards")
    return float(a), float(b)


def _to_quantity(m: re.Match[str], text: str) -> Quantity | None:
    lex = _lexicon()
    a = m.group("a1") or m.group("a2")
    b = m.group("b1") or m.group("b2")
    start, end = m.start(), m.end()
    try:
        if b is None:
            low = high = parse_number(a)
        else:
            low, high = parse_range(a, b)
    except ValueError:
        return None
    raw = text[start:end]
    first_word = re.match(r"\w+", a)
    if first_word and first_word.group().lower() in ("a", "an") and b is None:
        after = a[first_word.end() :].strip().lower()
        if not after:
            return None
    return Quantity(
        start=start,
        end=end,
        text=raw,
        low=low,
        high=high,
        is_range=b is not None,
        percent=bool(re.search(r"%|per ?cent", raw, re.IGNORECASE)),
        in_words=not a.lstrip()[:1].isdigit(),
        grouped=bool(re.search(r"\d,\d{3}", raw)),
        scaled=bool(
            re.search(rf"(?i:{_alt(list(lex.scales) + list(lex.nouns))})|\d(?:M|bn|k)\b", raw)
        ),
    )


def _bounded(text: str, start: int) -> bool:
    """A bound right before a bare fraction makes it a share: "more than half", "nearly half"."""
    before = text[max(0, start - 20) : start].lower()
    words = [w for ws in load("claims.toml")["bounds"].values() for w in ws]
    return any(re.search(rf"(?<!\w){re.escape(w)}\s+$", before) for w in words)


# "of a"/"of an"/"of one" after a fraction: a part of one unit ("a quarter of an acre"), or
# of one per cent ("half of one per cent").
ONE_UNIT = re.compile(r"(?: of)? (?:a|an|one) (?:(?P<pct>per ?cent|percent)\b)?", re.IGNORECASE)
# What joins two fractions into a range: "one-third and one-half" after "between", "to", a dash.
RANGE_LINK = re.compile(r"\s*(?:and|to|or|[-–—])\s*", re.IGNORECASE)


@cache
def _word_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Fractions ("three-quarters of a million"), proportions ("one victim in ten") and
    plural scales ("tens of thousands"), which the digit-and-word grammar does not read."""
    raw = load("numbers.toml")
    lex = _lexicon()
    small = _alt(list(lex.words))
    fracs = _alt([f + "s" for f in raw["fractions"]] + list(raw["fractions"]))
    big = _alt([k for k, v in lex.scales.items() if v >= 1000])
    fraction = re.compile(
        rf"\b(?:(?P<n>{small}|a|an)[ -])?(?P<f>{fracs})(?:(?: of an?| an?)?[ -](?P<s>{big}))?\b",
        re.IGNORECASE,
    )
    proportion = re.compile(rf"\b(?P<n>one|{small})(?: [a-z]+)? in (?P<d>{small})\b", re.IGNORECASE)
    plural = _alt(list(raw["plural_scales"]))
    scales = _alt([k + "s" for k, v in lex.scales.items() if v >= 100])  # "hundreds" too
    tens = re.compile(rf"\b(?:(?P<p>{plural}) of )?(?P<s>{scales})\b", re.IGNORECASE)
    return fraction, proportion, tens


def _word_quantities(text: str) -> list[Quantity]:
    raw = load("numbers.toml")
    lex = _lexicon()
    fraction, proportion, tens = _word_patterns()
    out: list[Quantity] = []
    for m in fraction.finditer(text):
        n = (m.group("n") or "a").lower()
        count = 1 if n in ("a", "an") else lex.words[n]
        f = raw["fractions"][m.group("f").lower().removesuffix("s")]
        of_one = ONE_UNIT.match(text, m.end())
        end = m.end()
        if m.group("s"):
            value, pct = count * f * lex.scales[m.group("s").lower()], False
        elif of_one is not None and of_one.group("pct"):
            value, pct, end = count * f, True, of_one.end()  # "half of one per cent": 0.5%
        elif of_one is not None:
            value, pct = count * f, False  # "a quarter of an acre": 0.25 of the unit after
            unit_word = re.match(r"[a-z]*", text[of_one.end() :].lower())
            years = raw["years_in"].get(unit_word.group() if unit_word else "")
            value = value * years if years else value  # "a quarter of a century": 25 years
        elif m.group("n") or _bounded(text, m.start()):
            value, pct = round(count * f * 100, 2), True  # "one-third", "more than half"
        else:
            continue  # "half of them": no number to compare
        out.append(Quantity(m.start(), end, text[m.start() : end], value, value, False, pct, True,
                            False, bool(m.group("s"))))
    for m in proportion.finditer(text):
        d = lex.words[m.group("d").lower()]
        value = round(lex.words[m.group("n").lower()] / d * 100, 2) if d else 0.0
        out.append(Quantity(m.start(), m.end(), m.group(), value, value, False, True, True, False,
                            False))
    for m in tens.finditer(text):  # "tens of thousands"; "millions" alone is 1 to 10 million
        scale = lex.scales[m.group("s").lower().removesuffix("s")]
        low = raw["plural_scales"][m.group("p").lower()] * scale if m.group("p") else scale
        out.append(Quantity(m.start(), m.end(), m.group(), float(low), float(low * 10), True,
                            False, True,
                            False, True))
    out.sort(key=lambda q: q.start)
    kept: list[Quantity] = []
    for q in out:
        if not kept or q.start >= kept[-1].end:
            kept.append(q)
    return _word_ranges(kept, text)


def _word_ranges(found: list[Quantity], text: str) -> list[Quantity]:
    """ "between one-third and one-half", "a quarter to a third": one range of two fractions."""
    out: list[Quantity] = []
    for q in found:
        prev = out[-1] if out else None
        if prev is None or prev.is_range or prev.percent != q.percent:
            out.append(q)
            continue
        link = RANGE_LINK.fullmatch(text, prev.end, q.start)
        between = re.search(r"\bbetween\s+$", text[max(0, prev.start - 12) : prev.start], re.I)
        if link is None or (link.group().strip().lower() == "and" and not between):
            out.append(q)  # "one-third and one-half of them": two figures
            continue
        low, high = sorted((prev.low, q.low))
        out[-1] = replace(prev, end=q.end, text=text[prev.start : q.end], low=low, high=high,
                          is_range=True)
    return out


def find_quantities(text: str) -> list[Quantity]:
    """Every number or range in `text`, years and section numbers included.

    A range whose ends do not both parse is read as its first number alone.
    Telling claims from years, page numbers and markers is the caller's job.
    """
    words = _word_quantities(text)
    found = [q for q in _plain_quantities(text)
             if not any(w.start < q.end and q.start < w.end for w in words)]
    return _per_base(_money(sorted(found + words, key=lambda q: q.start), text), text)


def _money(found: list[Quantity], text: str) -> list[Quantity]:
    """A currency sign right before a number makes it a sum of money: "£7 million"."""
    signs = load("numbers.toml")["currency"]
    out: list[Quantity] = []
    for q in found:
        sign = next((s for s in signs if text.endswith(s, 0, q.start)), "")
        if sign and not q.percent:
            start = q.start - len(sign)
            q = replace(q, start=start, text=text[start : q.end], currency=sign)
        out.append(q)
    return out


def _per_base(found: list[Quantity], text: str) -> list[Quantity]:
    """Join "30 per 1,000" and "15 per thousand" into one figure with its base."""
    out: list[Quantity] = []
    i = 0
    while i < len(found):
        q = found[i]
        nxt = found[i + 1] if i + 1 < len(found) else None
        based = None if q.percent else _base_after(q, nxt, text)
        if based is None:
            out.append(q)
            i += 1
            continue
        base, end, used_next = based
        out.append(replace(q, end=end, text=text[q.start : end], per=base))
        i += 2 if used_next else 1
    return out


@cache
def _per_base_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, float]]:
    """What links a figure to its base ("per", "in every") and the bases named in words."""
    raw = load("numbers.toml")["per_base"]
    link = re.compile(rf"\s+(?:{_alt(raw['words'])})\s+", re.IGNORECASE)
    named = re.compile(rf"(?:{_alt(list(raw['bases']))})\b", re.IGNORECASE)
    return link, named, {k: float(v) for k, v in raw["bases"].items()}


def _base_after(q: Quantity, nxt: Quantity | None, text: str) -> tuple[float, int, bool] | None:
    """(base, end, whether the next figure is the base) for a rate "per 1,000" after `q`."""
    link, named, bases = _per_base_patterns()
    m = link.match(text, q.end)
    if m is None:
        return None
    if nxt is not None and nxt.start == m.end():
        if not nxt.is_range and nxt.high >= 100 and math.log10(nxt.high).is_integer():
            return nxt.high, nxt.end, True
        return None
    word = named.match(text, m.end())
    return (bases[word.group().lower()], word.end(), False) if word else None


def _plain_quantities(text: str) -> list[Quantity]:
    found: list[Quantity] = []
    lex = _lexicon()
    pos = 0
    while (m := lex.pattern.search(text, pos)) is not None:
        q = _to_quantity(m, text)
        if q is None and (m.group("b1") or m.group("b2")):
            first = "a1" if m.group("a1") else "a2"
            sub = lex.pattern.match(text, m.start(first), m.end(first))
            q = _to_quantity(sub, text) if sub else None
        if q is not None:
            found.append(q)
            pos = q.end
        else:
            pos = m.start() + 1
    return found


def as_year(q: Quantity) -> tuple[int, int] | None:
    """The years a quantity names, if it reads as a year or year range ("1930-37")."""
    lex = _lexicon()
    if q.percent or q.scaled or q.grouped or q.in_words or q.currency or "." in q.text:
        return None
    first, last = int(q.low), int(q.high)
    if lex.year_first <= first <= last <= lex.year_last:
        return first, last
    return None


def find_years(text: str) -> list[YearSpan]:
    """Years, year ranges and decades ("the 1930s") in `text`, in order."""
    years = [YearSpan(q.start, q.end, *span) for q in find_quantities(text) if (span := as_year(q))]
    lex = _lexicon()
    for m in re.finditer(r"(?<![\w.,])(\d{3}0)s\b", text):
        decade = int(m.group(1))
        if lex.year_first <= decade <= lex.year_last:
            years.append(YearSpan(m.start(), m.end(), decade, decade + 9))
    years.sort(key=lambda y: y.start)
    merged: list[YearSpan] = []
    for y in years:  # "in 1937 and 1938" is one period
        prev = merged[-1] if merged else None
        if prev and text[prev.end : y.start] == " and " and prev.last < y.first:
            merged[-1] = YearSpan(prev.start, y.end, prev.first, y.last)
        else:
            merged.append(y)
    return merged
