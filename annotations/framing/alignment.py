"""Aligning claims across texts: the same quantity, place and years side by side.

A seminar compares what different sources say about one quantity, so a group
holds only figures that count the same kind of thing (executions are not
deaths), of the same kind (a count, a share, a rate), about the same place
when the text names one, over overlapping years. A group whose sources
disagree by more than a factor the seminar sets is flagged for a closer look.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .models import Claim

DEFAULT_FACTOR = 2.0


@dataclass(frozen=True)
class ClaimGroup:
    measure: str  # what is counted ("executions", "soldier")
    kind: str  # count, share or rate
    place: str  # the place the figures' sentences name, or ""
    theme: str
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


def _by_period(claims: list[Claim]) -> list[list[Claim]]:
    """Figures over compatible years together; an undated figure joins the only dated
    cluster, or stays apart when the dated ones fall into several."""
    clusters: list[list[Claim]] = []
    for c in sorted((c for c in claims if _years(c)), key=lambda c: _years(c) or (0, 0)):
        y = _years(c) or (0, 0)
        home = next(
            (k for k in clusters if all(_compatible(y, _years(m) or (0, 0)) for m in k)), None
        )
        if home is None:
            clusters.append([c])
        else:
            home.append(c)
    undated = [c for c in claims if not _years(c)]
    if len(clusters) == 1:
        clusters[0].extend(undated)
    elif undated:
        clusters.append(undated)
    return clusters


def _values(c: Claim) -> list[float]:
    return [v for v in (c.value_low, c.value_high) if v is not None]


def align(claims: list[Claim], factor: float = DEFAULT_FACTOR) -> list[ClaimGroup]:
    """Groups of comparable claims, largest first; a claim with no measure stays out."""
    if factor < 1:
        raise ValueError(f"a disagreement factor must be at least 1, not {factor}")
    keyed: dict[tuple[str, str, str, str], list[Claim]] = defaultdict(list)
    for c in claims:
        measure = c.category or c.counted
        if measure:
            keyed[(measure, c.kind, c.theme, c.place.lower())].append(c)
    groups: list[ClaimGroup] = []
    for (measure, kind, theme, _), items in keyed.items():
        for members in _by_period(items):
            values = [v for c in members for v in _values(c)]
            low, high = min(values), max(values)
            spread = high / low if low > 0 else float("inf")
            years = [y for c in members if (y := _years(c))]
            period = (min(y[0] for y in years), max(y[1] for y in years)) if years else (None, None)
            documents = len({c.document_id for c in members})
            groups.append(
                ClaimGroup(
                    measure=measure,
                    kind=kind,
                    place=members[0].place,
                    theme=theme,
                    period=period,
                    claims=tuple(sorted(members, key=lambda c: (c.document_id, c.start))),
                    low=low,
                    high=high,
                    spread=round(spread, 2),
                    disagree=documents > 1 and spread > factor,
                )
            )
    groups.sort(key=lambda g: (-g.documents, g.measure, g.theme, g.place, str(g.period)))
    return groups
