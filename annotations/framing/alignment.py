"""Aligning claims across texts: the same quantity, place, event and years side by side.

A seminar compares what different sources say about one quantity, so a group
holds only figures that count the same kind of thing (executions are not
deaths), of the same kind (a count, a share, a rate), about the same place,
the same event and overlapping years. Place and event come from each figure's
own parse (the place its sentence names, whose deed it counts, the nouns its
clause is about), never from a word list built for particular texts. A figure
joins a group when it contradicts none of its members on period, place or
event and shares one of them, or a named source, with a member; a figure that
names no place can only be about a place its own text names (Claim.scope), so it
never joins figures about a town or country its text never mentions; a figure that
several groups could take joins the only one it agrees with in value (NEAR),
else it stays apart, so figures about another country or event are never put
together. A group whose sources disagree by more than a factor the seminar sets
is flagged for a closer look.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .datafiles import load
from .models import Claim

DEFAULT_FACTOR = 2.0
# A figure that several groups could take joins the only one whose figures, with it,
# stay within this factor; fixed, so the seminar's --factor flags but never regroups.
NEAR = 2.0


@dataclass(frozen=True)
class ClaimGroup:
    measure: str  # what is counted ("executions", "soldier")
    kind: str  # count, share or rate
    place: str  # the place the figures' sentences name, or ""
    event: str  # what the figures' clauses say they are about ("camp, labour"), or ""
    theme: str  # the seminar's theme (ANNOTATIONS_THEMES_FILE) all its figures share, or ""
    period: tuple[int | None, int | None]  # the years the group's figures span
    claims: tuple[Claim, ...]
    low: float  # the smallest figure, either bound
    high: float  # the largest figure, either bound
    spread: float  # high / low (1.0 when they agree)
    disagree: bool  # more than one document and spread above the factor

    @property
    def documents(self) -> int:
        return len({c.document_id for c in self.claims})


def _years(c: Claim) -> tuple[int, int] | None:
    first = c.period_start if c.period_start is not None else c.period_end
    last = c.period_end if c.period_end is not None else c.period_start
    return (first, last) if first is not None and last is not None else None


def _compatible(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Periods that can describe the same quantity: they overlap over at least half of the
    shorter one, and one is not many times the other (a year's stock of prisoners is not
    the flow through 25 years of camps)."""
    overlap = min(a[1], b[1]) - max(a[0], b[0]) + 1
    la, lb = a[1] - a[0] + 1, b[1] - b[0] + 1
    return overlap * 2 >= min(la, lb) and max(la, lb) <= 3 * min(la, lb)


def _events(c: Claim) -> set[str]:
    return {w for w in c.event.split(", ") if w}


def _sources(c: Claim) -> set[str]:
    """The names of the source a figure is credited to, before any endnote text: 'A study
    led by Jacques Hussenet in 2007' -> {'jacques', 'hussenet'}."""
    lead = c.attributed_to.split(";")[0]
    return {w.casefold() for w in re.findall(r"\b[^\W\d_][\w’'-]+", lead) if w[0].isupper()}


def _elsewhere(a: Claim, b: Claim) -> bool:
    """A names a place that B names none of and B's text never names: B cannot be about
    it ('1,600 citizens of Lyon' and '17,000 executed' in a text that never names Lyon)."""
    return bool(a.place and not b.place and a.place.casefold() not in b.scope.split(", "))


def _conflict(a: Claim, b: Claim) -> bool:
    """Two figures that state different periods, places or events, or one of them a
    place the other's text never names: not one quantity."""
    ya, yb = _years(a), _years(b)
    ea, eb = _events(a), _events(b)
    return bool(
        (ya and yb and not _compatible(ya, yb))
        or (a.place and b.place and a.place.casefold() != b.place.casefold())
        or _elsewhere(a, b)
        or _elsewhere(b, a)
        or (ea and eb and not ea & eb)
    )


def _shared(a: Claim, b: Claim) -> bool:
    """Two figures that both state the same period, place or event, or credit the same
    source: evidence that they describe one quantity."""
    return bool(
        (_years(a) and _years(b))
        or (a.place and a.place.casefold() == b.place.casefold())
        or _events(a) & _events(b)
        # a source alone does not tie a figure about a place to one that names none: an
        # author's figures are about many things ("some 30M" in China, "50 million" pinned
        # on Stalin)
        or (_sources(a) & _sources(b) and bool(a.place) == bool(b.place))
    )


def _specified(c: Claim) -> int:
    """How many of period, place and event a figure states: the most specific go first."""
    return (_years(c) is not None) + bool(c.place) + bool(c.event)


def _cluster(claims: list[Claim]) -> tuple[list[list[Claim]], list[Claim]]:
    """Clusters of figures none of which conflict and each of which shares some evidence
    with another; a figure more than one cluster would take joins the only one it stays
    near (NEAR), else it is returned apart rather than guessed."""
    clusters: list[list[Claim]] = []
    ambiguous: list[Claim] = []
    order = sorted(claims, key=lambda c: (-_specified(c), _years(c) or (0, 0), c.claim_id))
    for c in order:
        homes = [
            k for k in clusters
            if not any(_conflict(c, m) for m in k) and any(_shared(c, m) for m in k)
        ]  # fmt: skip
        if not homes:
            clusters.append([c])
        elif len(homes) == 1:
            homes[0].append(c)
        elif len(near := [k for k in homes if _spread([c, *k]) <= NEAR]) == 1:
            near[0].append(c)
        else:
            ambiguous.append(c)
    return clusters, ambiguous


def _by_context(claims: list[Claim]) -> list[list[Claim]]:
    """Figures of one measure and kind split by period, place and event; a figure that
    fits several clusters is grouped only with others that are as open as it is."""
    out: list[list[Claim]] = []
    rest = claims
    while rest:
        clusters, rest = _cluster(rest)
        out.extend(clusters)
    return out


def _values(c: Claim) -> list[float]:
    return [v for v in (c.value_low, c.value_high) if v is not None]


def _spread(claims: list[Claim]) -> float:
    """Highest figure over lowest, either bound."""
    values = [v for c in claims for v in _values(c)]
    return max(values) / min(values) if min(values) > 0 else float("inf")


_PLURAL_SCALE = re.compile(r"(?i)\b(?:hundred|thousand|million|billion)s\b")
_DURATIONS = frozenset(load("claims.toml")["duration_nouns"])


def vague(c: Claim) -> bool:
    """A plural scale with no number ("millions", "tens of thousands"): a claim of the
    ledger, but not a figure to compare: it spans a factor of ten by itself. Likewise a
    length of time ("in eleven weeks", "after five weeks"): what it is the length of is
    the whole of its meaning, and the parse does not tell the advance from the stay."""
    if c.counted.lower().removesuffix("s") in _DURATIONS:
        return True
    return not any(ch.isdigit() for ch in c.quote) and bool(_PLURAL_SCALE.search(c.quote))


def align(claims: list[Claim], factor: float = DEFAULT_FACTOR) -> list[ClaimGroup]:
    """Groups of comparable claims, largest first; a claim with no measure, or a vague
    one, stays out."""
    if factor < 1:
        raise ValueError(f"a disagreement factor must be at least 1, not {factor}")
    keyed: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in claims:
        measure = c.category or c.counted
        if measure and not vague(c):
            keyed[(measure, c.kind)].append(c)
    groups: list[ClaimGroup] = []
    for (measure, kind), items in keyed.items():
        for members in _by_context(items):
            values = [v for c in members for v in _values(c)]
            low, high, spread = min(values), max(values), _spread(members)
            years = [y for c in members if (y := _years(c))]
            period = (min(y[0] for y in years), max(y[1] for y in years)) if years else (None, None)
            documents = len({c.document_id for c in members})
            groups.append(
                ClaimGroup(
                    measure=measure,
                    kind=kind,
                    place=next((c.place for c in members if c.place), ""),
                    event=", ".join(sorted(set().union(*(_events(c) for c in members)))),
                    theme=members[0].theme if len({c.theme for c in members}) == 1 else "",
                    period=period,
                    claims=tuple(sorted(members, key=lambda c: (c.document_id, c.start))),
                    low=low,
                    high=high,
                    spread=round(spread, 2),
                    disagree=documents > 1 and spread > factor,
                )
            )
    groups.sort(key=lambda g: (-g.documents, g.measure, g.place, g.event, str(g.period)))
    return groups
