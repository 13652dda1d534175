"""Codebooks: a seminar's critique codes and perspectives, and the default one it starts with."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

# Modules, not names: seminar imports codebook, and audit/roles import seminar.
from . import audit, roles, seminar
from .db.engine import Store
from .db.models import Annotation, Code, CodeFields, Perspective
from .errors import InvalidInput, NotFound

DEFAULT_CODEBOOK = Path(__file__).resolve().parent / "data" / "default_codebook.toml"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_T = TypeVar("_T")


@dataclass(frozen=True)
class CodeSpec:
    name: str
    colour: str = "#999999"
    definition: str = ""
    example: str = ""
    decision_rules: str = ""
    parent: str = ""
    fields: tuple[str, ...] = ()  # structured fields asked for, e.g. ("correction", "source")


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
        [CodeSpec(**{**c, "fields": tuple(c.get("fields", ()))}) for c in raw["codes"]],
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
    if spec.fields:
        session.flush()
        _set_fields(session, code.id, check_fields(spec.fields))
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


# --- Editing a seminar's codebook -------------------------------------------------------
#
# Every edit runs in the caller's transaction, checks that the actor teaches the
# seminar, writes an audit entry and bumps the seminar's revision. Annotations
# store code names as text (`a; b`), so a rename or merge rewrites those strings
# in the same transaction: no annotation ever points at a code that is gone.
# Rewrites leave `updated_at` alone: it records the annotator's edits, not ours.


def check_fields(fields: list[str] | tuple[str, ...]) -> list[str]:
    """Structured field names a code asks for (e.g. ["correction", "source"]), deduplicated."""
    return list(dict.fromkeys(check_label(f, "field") for f in fields))


def fields_by_code(session: Session, seminar_id: int) -> dict[str, list[str]]:
    """Each code's structured field names, for the codes that ask for any."""
    rows = session.execute(
        select(Code.name, CodeFields.names)
        .join(CodeFields, CodeFields.code_id == Code.id)
        .where(Code.seminar_id == seminar_id)
    ).all()
    return {name: list(names) for name, names in rows if names}


def code_fields(session: Session, code_id: int) -> list[str]:
    row = session.get(CodeFields, code_id)
    return list(row.names) if row is not None else []


def _set_fields(session: Session, code_id: int, fields: list[str]) -> None:
    row = session.get(CodeFields, code_id)
    if row is None:
        session.add(CodeFields(code_id=code_id, names=fields))
    else:
        row.names = fields


def get_code(session: Session, seminar_id: int, name: str) -> Code:
    """The seminar's code `name`; a code of another seminar is never found through this one."""
    code = session.scalar(select(Code).where(Code.seminar_id == seminar_id, Code.name == name))
    if code is None:
        raise NotFound(f"no code {name!r} in this seminar's codebook")
    return code


def get_perspective(session: Session, seminar_id: int, name: str) -> Perspective:
    p = session.scalar(select(Perspective).where(
        Perspective.seminar_id == seminar_id, Perspective.name == name))
    if p is None:
        raise NotFound(f"no perspective {name!r} in this seminar")
    return p


def _check_parent(session: Session, seminar_id: int, code: str, parent: str) -> str:
    """A parent must be another code of the seminar, and not one of the code's descendants."""
    parent = parent.strip()
    if not parent:
        return ""
    parents = dict(session.execute(
        select(Code.name, Code.parent).where(Code.seminar_id == seminar_id)).all())
    if parent not in parents:
        raise InvalidInput(f"parent {parent!r} is not a code of this seminar: add it first")
    node: str | None = parent
    while node:
        if node == code:
            raise InvalidInput(f"code {code!r} cannot sit under {parent!r}: that makes a loop")
        node = parents.get(node)
    return parent


def _edit(session: Session, actor: roles.Actor, seminar_id: int, action: str, target: str,
          detail: dict[str, object]) -> None:
    audit.record(session, actor.name, action, seminar_id, target, detail)
    seminar.bump(session, seminar_id)


def _rewrite_codes(session: Session, seminar_id: int, mapping: dict[str, str | None]) -> int:
    """Rename (to a name) or drop (None) codes inside annotations.codes; returns rows changed."""
    changed = 0
    for old in mapping:
        padded = literal("; ") + Annotation.codes + literal("; ")
        rows = session.execute(select(Annotation.id, Annotation.codes).where(
            Annotation.seminar_id == seminar_id,
            padded.contains(f"; {old}; ", autoescape=True))).all()
        for aid, value in rows:
            names = [mapping[c] if c in mapping else c for c in split_codes(value)]
            new = join_codes(list(dict.fromkeys(n for n in names if n)))
            if new != value:
                session.execute(update(Annotation).where(Annotation.id == aid).values(codes=new))
                changed += 1
    return changed


def code_uses(store: Store, seminar_slug: str, name: str) -> int:
    """How many annotations of the seminar carry the code (what deleting it would change)."""
    with store.read() as session:
        return _uses(session, seminar.seminar_id(session, seminar_slug), name)


def _uses(session: Session, seminar_id: int, name: str) -> int:
    padded = literal("; ") + Annotation.codes + literal("; ")
    return int(session.scalar(select(func.count()).select_from(Annotation).where(
        Annotation.seminar_id == seminar_id,
        padded.contains(f"; {name}; ", autoescape=True))) or 0)


def create_code(session: Session, actor: roles.Actor, seminar_id: int, spec: CodeSpec,
                fields: list[str] | tuple[str, ...] = ()) -> Code:
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    name = check_label(spec.name, "code")
    if name in code_names(session, seminar_id):
        raise InvalidInput(f"code {name!r} already exists: edit it or choose another name")
    parent = _check_parent(session, seminar_id, name, spec.parent)
    code = add_code(session, seminar_id, CodeSpec(name, spec.colour, spec.definition,
                                                  spec.example, spec.decision_rules, parent))
    session.flush()
    _set_fields(session, code.id, check_fields(fields))
    _edit(session, actor, seminar_id, "code.add", name, {"parent": parent,
                                                         "fields": check_fields(fields)})
    return code


def update_code(session: Session, actor: roles.Actor, seminar_id: int, name: str, *,
                colour: str | None = None, definition: str | None = None,
                example: str | None = None, decision_rules: str | None = None,
                parent: str | None = None, fields: list[str] | None = None) -> Code:
    """Change what a code means or looks like; None leaves a property as it is."""
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    code = get_code(session, seminar_id, name)
    changes: dict[str, object] = {}
    new = {"colour": None if colour is None else check_colour(colour),
           "definition": definition, "example": example, "decision_rules": decision_rules,
           "parent": None if parent is None else _check_parent(session, seminar_id, name,
                                                                 parent)}
    for attr, value in new.items():
        if value is not None and getattr(code, attr) != value:
            setattr(code, attr, value)
            changes[attr] = value
    if fields is not None and check_fields(fields) != code_fields(session, code.id):
        _set_fields(session, code.id, check_fields(fields))
        changes["fields"] = check_fields(fields)
    if changes:
        _edit(session, actor, seminar_id, "code.update", name, changes)
    return code


def rename_code(session: Session, actor: roles.Actor, seminar_id: int, old: str,
                new: str) -> int:
    """Rename a code everywhere (annotations, children); returns annotations rewritten."""
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    code = get_code(session, seminar_id, old)
    new = check_label(new, "code")
    if new == old:
        return 0
    if new in code_names(session, seminar_id):
        raise InvalidInput(f"code {new!r} already exists: merge {old!r} into it instead")
    code.name = new
    session.execute(update(Code).where(Code.seminar_id == seminar_id, Code.parent == old)
                    .values(parent=new))
    session.flush()
    changed = _rewrite_codes(session, seminar_id, {old: new})
    _edit(session, actor, seminar_id, "code.rename", new,
          {"from": old, "to": new, "annotations": changed})
    return changed


def merge_codes(session: Session, actor: roles.Actor, seminar_id: int, sources: list[str],
                into: str) -> int:
    """Fold `sources` into `into`: annotations keep their order, without duplicates."""
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    target = get_code(session, seminar_id, into)
    sources = [s for s in dict.fromkeys(sources) if s != into]
    if not sources:
        raise InvalidInput("nothing to merge: name at least one code other than the target")
    gone = [get_code(session, seminar_id, s) for s in sources]
    _reparent_after_merge(codes(session, seminar_id), sources, target)
    for code in gone:
        session.delete(code)
    session.flush()
    changed = _rewrite_codes(session, seminar_id, dict.fromkeys(sources, into))
    _edit(session, actor, seminar_id, "code.merge", into,
          {"merged": sources, "annotations": changed})
    return changed


def _reparent_after_merge(all_codes: list[Code], sources: list[str], target: Code) -> None:
    """Children of merged codes move under the target; the target never ends in a loop."""
    parent = {c.name: c.parent for c in all_codes}
    for c in all_codes:
        if c.name in sources or c is target:
            continue
        if c.parent in sources:
            c.parent = target.name
    up = target.parent
    while up in sources:  # the target sat under a merged code: climb past it
        up = parent.get(up, "")
    seen = {target.name}
    node = up
    while node and node not in seen:  # a loop back to the target: put it at the top
        seen.add(node)
        node = target.name if parent.get(node) in sources else parent.get(node, "")
    target.parent = "" if node == target.name else up


def delete_code(session: Session, actor: roles.Actor, seminar_id: int, name: str, *,
                detach: bool = False) -> int:
    """Delete an unused code, or with `detach` also remove it from annotations that use it."""
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    code = get_code(session, seminar_id, name)
    used = _uses(session, seminar_id, name)
    if used and not detach:
        raise InvalidInput(
            f"code {name!r} is used by {used} annotation(s): merge it into another code, "
            "or delete it with detach to remove it from them")
    session.execute(update(Code).where(Code.seminar_id == seminar_id, Code.parent == name)
                    .values(parent=code.parent))
    session.delete(code)
    session.flush()
    changed = _rewrite_codes(session, seminar_id, {name: None}) if used else 0
    _edit(session, actor, seminar_id, "code.delete", name, {"annotations": changed})
    return changed


def create_perspective(session: Session, actor: roles.Actor, seminar_id: int,
                       spec: PerspectiveSpec) -> Perspective:
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    name = check_label(spec.name, "perspective")
    if name in perspective_names(session, seminar_id):
        raise InvalidInput(f"perspective {name!r} already exists: choose another name")
    p = add_perspective(session, seminar_id, PerspectiveSpec(name, spec.colour,
                                                             spec.description))
    session.flush()
    _edit(session, actor, seminar_id, "perspective.add", name, {})
    return p


def update_perspective(session: Session, actor: roles.Actor, seminar_id: int, name: str, *,
                       colour: str | None = None, description: str | None = None
                       ) -> Perspective:
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    p = get_perspective(session, seminar_id, name)
    changes: dict[str, object] = {}
    if colour is not None and check_colour(colour) != p.colour:
        p.colour = changes["colour"] = check_colour(colour)
    if description is not None and description != p.description:
        p.description = changes["description"] = description
    if changes:
        _edit(session, actor, seminar_id, "perspective.update", name, changes)
    return p


def _retag(session: Session, seminar_id: int, old: str, new: str) -> int:
    result = session.execute(update(Annotation).where(
        Annotation.seminar_id == seminar_id, Annotation.perspective == old)
        .values(perspective=new))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def rename_perspective(session: Session, actor: roles.Actor, seminar_id: int, old: str,
                       new: str) -> int:
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    p = get_perspective(session, seminar_id, old)
    new = check_label(new, "perspective")
    if new == old:
        return 0
    if new in perspective_names(session, seminar_id):
        raise InvalidInput(f"perspective {new!r} already exists: merge {old!r} into it instead")
    p.name = new
    session.flush()
    changed = _retag(session, seminar_id, old, new)
    _edit(session, actor, seminar_id, "perspective.rename", new,
          {"from": old, "to": new, "annotations": changed})
    return changed


def merge_perspectives(session: Session, actor: roles.Actor, seminar_id: int,
                       sources: list[str], into: str) -> int:
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    get_perspective(session, seminar_id, into)
    sources = [s for s in dict.fromkeys(sources) if s != into]
    if not sources:
        raise InvalidInput("nothing to merge: name at least one perspective other than the target")
    changed = 0
    for p in [get_perspective(session, seminar_id, s) for s in sources]:
        session.delete(p)
        changed += _retag(session, seminar_id, p.name, into)
    session.flush()
    _edit(session, actor, seminar_id, "perspective.merge", into,
          {"merged": sources, "annotations": changed})
    return changed


def delete_perspective(session: Session, actor: roles.Actor, seminar_id: int, name: str, *,
                       detach: bool = False) -> int:
    roles.require_instructor(session, actor, seminar_id, roles.Action.CODEBOOK_EDIT)
    p = get_perspective(session, seminar_id, name)
    used = int(session.scalar(select(func.count()).select_from(Annotation).where(
        Annotation.seminar_id == seminar_id, Annotation.perspective == name)) or 0)
    if used and not detach:
        raise InvalidInput(
            f"perspective {name!r} is used by {used} annotation(s): merge it into another, "
            "or delete it with detach to clear it from them")
    session.delete(p)
    changed = _retag(session, seminar_id, name, "") if used else 0
    _edit(session, actor, seminar_id, "perspective.delete", name, {"annotations": changed})
    return changed


def edit_as(store: Store, slug: str, user_id: int | None,
            change: Callable[[Session, roles.Actor, int], _T]) -> _T:
    """Run one codebook edit in its own transaction as a user (None: the console).

    For adapters that hold a store but no session (the instructor's desk):
    `change` is one of the edits above, e.g.
    `lambda s, actor, sid: rename_code(s, actor, sid, "old", "new")`.
    """
    with store.transaction() as session:
        sid = seminar.seminar_id(session, slug)
        actor = (roles.Actor.console() if user_id is None
                 else roles.Actor.of_user(session, user_id))
        return change(session, actor, sid)
