"""Codebooks: a seminar's critique codes and perspectives, and the default one it starts with."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .db.models import Code, Perspective
from .errors import InvalidInput

DEFAULT_CODEBOOK = Path(__file__).resolve().parent / "data" / "default_codebook.toml"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class CodeSpec:
    name: str
    colour: str = "#999999"
    definition: str = ""
    example: str = ""
    decision_rules: str = ""
    parent: str = ""


@dataclass(frozen=True)
class PerspectiveSpec:
    name: str
    colour: str = "#999999"
    description: str = ""


def check_label(name: str, what: str) -> str:
    """Code and perspective names: one line, no ';' (the CSV joins codes with '; ')."""
    clean = name.strip()
    if not clean:
        raise InvalidInput(f"{what} name is empty: give it a name")
    if ";" in clean or "\n" in clean or "\r" in clean or "\x00" in clean:
        raise InvalidInput(f"{what} name {clean!r} contains ';', a line break or NUL: remove it")
    if len(clean) > 120:
        raise InvalidInput(f"{what} name is {len(clean)} characters, over 120: shorten it")
    return clean


def check_colour(colour: str) -> str:
    if not _COLOUR.match(colour):
        raise InvalidInput(f"colour {colour!r} is not of the form #rrggbb")
    return colour.lower()


def load_default() -> tuple[list[PerspectiveSpec], list[CodeSpec]]:
    raw = tomllib.loads(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    return (
        [PerspectiveSpec(**p) for p in raw["perspectives"]],
        [CodeSpec(**c) for c in raw["codes"]],
    )


def add_code(session: Session, seminar_id: int, spec: CodeSpec) -> Code:
    name = check_label(spec.name, "code")
    position = session.scalar(
        select(func.count()).select_from(Code).where(Code.seminar_id == seminar_id)
    )
    code = Code(
        seminar_id=seminar_id,
        name=name,
        colour=check_colour(spec.colour),
        definition=spec.definition,
        example=spec.example,
        decision_rules=spec.decision_rules,
        parent=spec.parent,
        position=position or 0,
    )
    session.add(code)
    return code


def add_perspective(session: Session, seminar_id: int, spec: PerspectiveSpec) -> Perspective:
    name = check_label(spec.name, "perspective")
    position = session.scalar(
        select(func.count()).select_from(Perspective).where(Perspective.seminar_id == seminar_id)
    )
    p = Perspective(
        seminar_id=seminar_id,
        name=name,
        colour=check_colour(spec.colour),
        description=spec.description,
        position=position or 0,
    )
    session.add(p)
    return p


def code_names(session: Session, seminar_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Code.name).where(Code.seminar_id == seminar_id).order_by(Code.position)
        )
    )


def perspective_names(session: Session, seminar_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Perspective.name)
            .where(Perspective.seminar_id == seminar_id)
            .order_by(Perspective.position)
        )
    )


def codes(session: Session, seminar_id: int) -> list[Code]:
    return list(
        session.scalars(select(Code).where(Code.seminar_id == seminar_id).order_by(Code.position))
    )


def perspectives(session: Session, seminar_id: int) -> list[Perspective]:
    return list(
        session.scalars(
            select(Perspective)
            .where(Perspective.seminar_id == seminar_id)
            .order_by(Perspective.position)
        )
    )


def split_codes(value: str) -> list[str]:
    """The CSV form `a; b` back into names (empty string: no codes)."""
    return [c.strip() for c in value.split(";") if c.strip()]


def join_codes(names: list[str]) -> str:
    return "; ".join(names)
