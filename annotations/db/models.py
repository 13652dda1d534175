"""SQLAlchemy 2 models: the database is the source of truth.

Times are stored as naive UTC datetimes (SQLite has no time zones); the
service layer attaches UTC when it reads them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Document(Base):
    """A source, identified by a readable slug that is the same in every installation."""

    __tablename__ = "documents"

    document_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    perspective: Mapped[str] = mapped_column(String(120))
    source_kind: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(Text, default="")
    publisher: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[str] = mapped_column(String(40), default="")
    licence: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # None: the built-in corpus, shared by every seminar (console and site admins change
    # it). Otherwise the seminar whose instructor uploaded it: only its members see it.
    seminar_id: Mapped[int | None] = mapped_column(
        ForeignKey("seminars.id", ondelete="CASCADE"), nullable=True, index=True)
    # The version new annotations attach to; older versions stay for old annotations.
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.id"
    )


class DocumentVersion(Base):
    """One verbatim text of a document: a changed byte makes a new version."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    # Paratext ranges as [{"kind": ..., "start": ..., "end": ...}], code points.
    paratext: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    document: Mapped[Document] = relationship(back_populates="versions")


class SourceFile(Base):
    """The file a version's text was extracted from (PDF, DOCX, HTML, EPUB), kept as uploaded.

    A version read from a plain-text file has none: its text is the file.
    """

    __tablename__ = "source_files"

    document_version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text)  # the file name as uploaded
    media_type: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))  # of `data`, the original bytes
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Seminar(Base):
    __tablename__ = "seminars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    # Students join with this code; it is not a secret once shared with the class.
    join_code: Mapped[str] = mapped_column(String(40), unique=True)
    # Bumped on every write in the seminar: the live view polls it cheaply.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Closed: only members write and read, checked in the library (see roles.py).
    # Open (the demo, CLI-made seminars): anyone under any name, as before accounts.
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Blind: until `revealed`, a student sees only their own work until they submit.
    blind: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    revealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Perspective(Base):
    """A perspective a seminar tags passages with (textbook, popular history, ...)."""

    __tablename__ = "perspectives"
    __table_args__ = (UniqueConstraint("seminar_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(16), default="#999999")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Code(Base):
    """A critique code of a seminar's codebook."""

    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("seminar_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(16), default="#999999")
    definition: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    decision_rules: Mapped[str] = mapped_column(Text, default="")
    parent: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Annotation(Base):
    __tablename__ = "annotations"
    __table_args__ = (
        Index("ix_annotations_seminar_version", "seminar_id", "document_version_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, text form
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"))
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    start: Mapped[int] = mapped_column("start_offset", Integer)  # code points, inclusive
    end: Mapped[int] = mapped_column("end_offset", Integer)  # code points, exclusive
    quote: Mapped[str] = mapped_column(Text)  # == text[start:end], checked on every write
    prefix: Mapped[str] = mapped_column(Text, default="")  # up to 32 code points before
    suffix: Mapped[str] = mapped_column(Text, default="")  # up to 32 code points after
    perspective: Mapped[str] = mapped_column(String(120), default="")
    # Codes joined in order by "; " (code names may not contain ";").
    codes: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    annotator: Mapped[str] = mapped_column(String(200))
    # "anchored"; "review" after a fuzzy re-anchor; "orphan" when the quote was not found.
    anchor_status: Mapped[str] = mapped_column(String(12), default="anchored")
    # Empty for a person's own annotation; for an accepted machine suggestion, what
    # suggested it (e.g. "framing:hedge"), while `annotator` is who accepted it.
    source: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Values of the codes' structured fields: {"factual error": {"correction": "...", ...}}.
    fields: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )
    # While a re-anchored placement awaits review: the version and offsets it came from,
    # so the review can show the old context and send it back there as an orphan.
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id"), nullable=True, default=None
    )
    previous_start: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    previous_end: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when its author deleted it while it had replies: the thread stays under a
    # "deleted by its author" placeholder (perspective, codes, note and fields emptied).
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    replies: Mapped[list[Reply]] = relationship(
        back_populates="annotation", order_by="Reply.created_at", cascade="all, delete-orphan"
    )


class Reply(Base):
    __tablename__ = "replies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    annotation: Mapped[Annotation] = relationship(back_populates="replies")



class SuggestionDecision(Base):
    """A student's answer to a machine suggestion, so it is not offered to them again."""

    __tablename__ = "suggestion_decisions"
    __table_args__ = (UniqueConstraint("seminar_id", "annotator", "suggestion_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"))
    annotator: Mapped[str] = mapped_column(String(200))
    # "<source>:<document_id>:<start>:<end>", e.g. "framing:hedges:steel-and-sacrifice:10:15"
    suggestion_key: Mapped[str] = mapped_column(String(300))
    decision: Mapped[str] = mapped_column(String(12))  # "accepted" or "rejected"
    annotation_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AnnotationLink(Base):
    """Two annotations, usually in different documents, that treat the same event or claim."""

    __tablename__ = "annotation_links"
    __table_args__ = (
        Index("ix_annotation_links_from", "from_annotation_id"),
        Index("ix_annotation_links_to", "to_annotation_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminars.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # "same claim", "contradicts", "omits"
    from_annotation_id: Mapped[str] = mapped_column(
        ForeignKey("annotations.id", ondelete="CASCADE")
    )
    to_annotation_id: Mapped[str] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    annotator: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class User(Base):
    """A local account. `username` is what annotations.annotator holds for the user's work."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)  # lowercase, never changes
    # names.name_key(username): look-alike usernames share it, so a new one is refused.
    name_key: Mapped[str] = mapped_column(String(400), index=True, server_default="")
    display_name: Mapped[str] = mapped_column(String(200))
    # "" (none), "instructor" (may create seminars) or "admin" (everything, like the console).
    site_role: Mapped[str] = mapped_column(String(20), server_default="")
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, as PasswordHasher writes it
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime)


class LoginFailure(Base):
    """One failed sign-in, kept for the rate-limit window (shared by every app process)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # As typed (lowercased), whether or not such a user exists: the limit must not leak that.
    username: Mapped[str] = mapped_column(String(200), index=True)
    # The client address the attempt came from ("" when unknown): the per-address limit.
    client: Mapped[str] = mapped_column(String(80), index=True, server_default="")
    failed_at: Mapped[datetime] = mapped_column(DateTime)


class KnownDevice(Base):
    """A browser that signed in to an account before: its hold does not apply there.

    Only the SHA-256 of the device token is stored (the browser keeps the token).
    """

    __tablename__ = "known_devices"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class UserSession(Base):
    """A signed-in session; only the SHA-256 of its token is stored."""

    __tablename__ = "user_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Guest(Base):
    """Someone in an open seminar without an account: a principal of its own.

    `id` ("guest:" and random hex, never a valid username) is what annotations
    store as their annotator; `display_name` is only a label. The browser holds
    the session token in a cookie; only its SHA-256 is stored.
    """

    __tablename__ = "guests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        ForeignKey("seminars.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(800))  # names.name_key(display_name)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Membership(Base):
    """A user's role in one seminar: "instructor" or "student"."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "seminar_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seminar_id: Mapped[int] = mapped_column(
        ForeignKey("seminars.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # When the member handed in their blind-round work; None until then.
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """One write: who did what to which target, when, in which seminar."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_seminar", "seminar_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Empty for writes outside any seminar (an account created at the console).
    seminar_id: Mapped[int | None] = mapped_column(
        ForeignKey("seminars.id", ondelete="CASCADE"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(200))  # a username, or "console"
    action: Mapped[str] = mapped_column(String(80))  # e.g. "code.rename"
    target: Mapped[str] = mapped_column(String(300), default="")  # id or name acted on
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime)


class CodeFields(Base):
    """The structured fields a code asks for in a note, e.g. agency -> ["hidden agent"]."""

    __tablename__ = "code_fields"

    code_id: Mapped[int] = mapped_column(
        ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True
    )
    names: Mapped[list[str]] = mapped_column(JSON, default=list)


class ApiToken(Base):
    """A personal API token: a member's key for the read-only open API (`api_tokens`).

    Only the SHA-256 of the token is stored; the member sees the token once. It
    reaches the seminars in `api_token_seminars`, and never more than its owner
    may read there at the time of each request.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))  # what the owner calls it ("R scripts")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))  # the token's first characters, for lists
    scope: Mapped[str] = mapped_column(String(20))  # "read": the only scope the API serves
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # None: never
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ApiTokenSeminar(Base):
    """One seminar an API token reaches."""

    __tablename__ = "api_token_seminars"

    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    seminar_id: Mapped[int] = mapped_column(
        ForeignKey("seminars.id", ondelete="CASCADE"), primary_key=True, index=True)


class GradingRule(Base):
    """How a seminar's participation becomes a grade: the instructor's rule (`grading_rules`).

    Modelled on the LMS annotation tools' auto-grading: "cumulative" counts
    annotations and replies together towards `annotations + replies`;
    "separate" scores each against its own target, half the grade each.
    """

    __tablename__ = "grading_rules"

    seminar_id: Mapped[int] = mapped_column(
        ForeignKey("seminars.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(12))  # "cumulative" or "separate"
    annotations: Mapped[int] = mapped_column(Integer)  # annotations a full grade needs
    replies: Mapped[int] = mapped_column(Integer)  # replies a full grade needs
    min_words: Mapped[int] = mapped_column(Integer)  # a note or reply counts from this length
    # Count only work on this document (an assignment's text); None: every document.
    document_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    points: Mapped[float] = mapped_column(Float)  # the grade's maximum (the LMS column's)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(200))


class LtiPlatform(Base):
    """A learning platform (an LMS) registered to launch the tool over LTI 1.3."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issuer: Mapped[str] = mapped_column(String(400))  # the id_token's `iss`
    client_id: Mapped[str] = mapped_column(String(400))  # what the platform calls the tool: `aud`
    deployment_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # installs it accepts
    auth_url: Mapped[str] = mapped_column(Text)  # OIDC authorisation endpoint
    token_url: Mapped[str] = mapped_column(Text)  # OAuth2 client-credentials endpoint
    jwks_url: Mapped[str] = mapped_column(Text)  # the platform's public keys
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LtiKey(Base):
    """The tool's signing key, made on first use and shared by every app process."""

    __tablename__ = "lti_keys"

    kid: Mapped[str] = mapped_column(String(80), primary_key=True)
    private_jwk: Mapped[dict[str, object]] = mapped_column(JSON)  # RSA private key as a JWK
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LtiLoginState(Base):
    """One OIDC login in flight: its state and nonce, used once, soon expired."""

    __tablename__ = "lti_login_states"

    state: Mapped[str] = mapped_column(String(80), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(80))
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class LtiAccount(Base):
    """The local account of a platform's user (`iss`, `sub`): made on first launch, never
    merged with another account."""

    __tablename__ = "lti_accounts"

    issuer: Mapped[str] = mapped_column(String(400), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True)


class LtiLink(Base):
    """A platform's resource link (an assignment or link in a course) opening a seminar.

    The service URLs come from the latest launch: where the course's roster (NRPS)
    and the link's gradebook column (AGS) live.
    """

    __tablename__ = "lti_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))  # the course
    resource_link_id: Mapped[str] = mapped_column(String(255))
    seminar_id: Mapped[int] = mapped_column(
        ForeignKey("seminars.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(String(80), default="")  # "" : the seminar's page
    memberships_url: Mapped[str] = mapped_column(Text, default="")  # NRPS; "" when not offered
    lineitem_url: Mapped[str] = mapped_column(Text, default="")  # AGS column; "" when none
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)  # what the platform grants
    updated_at: Mapped[datetime] = mapped_column(DateTime)
