"""Tables (SQLAlchemy 2 typed ORM). Quantities are stored in SI units; times are UTC.

Every row that belongs to a person references `users.id` with ON DELETE CASCADE, so that
deleting an account removes everything it owns in one statement, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(32)  # uuid4 hex


class Base(DeclarativeBase):
    pass


def _owner() -> Mapped[str]:
    return mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # person | clinician
    units: Mapped[str] = mapped_column(String(16), nullable=False, default="metric")
    #: IANA time zone (e.g. "Europe/London") in which diary times are typed and shown.
    time_zone: Mapped[str] = mapped_column(
        String(64), nullable=False, default="UTC", server_default="UTC"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Session(Base):
    """A signed-in browser. Only a hash of the cookie value is stored."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = _owner()
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RateCounter(Base):
    """Attempts counted per key (a hashed email, client or account) in a fixed window.

    Kept in the database so that every server process agrees, and changed only by one atomic
    statement (`storage.atomic.count_attempt`), so that parallel requests cannot slip past.
    """

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)


class ResetToken(Base):
    __tablename__ = "reset_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = _owner()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class LinkCode(Base):
    """A one-time code a person gives to their clinician to link the two accounts."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(
        ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class ClinicianLink(Base):
    __tablename__ = "clinician_links"

    person_id: Mapped[str] = mapped_column(
        ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    clinician_id: Mapped[str] = mapped_column(
        ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Episode(Base):
    """One cramp or calf-pain episode in a person's diary."""

    __tablename__ = "episodes"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = _owner()
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    leg: Mapped[str] = mapped_column(String(8), nullable=False)  # left | right | both
    muscle: Mapped[str] = mapped_column(String(40), nullable=False, default="calf")
    duration_s: Mapped[int] = mapped_column(Integer, nullable=False)
    severity: Mapped[int] = mapped_column(Integer, nullable=False)  # 0-10
    activity: Mapped[str] = mapped_column(String(40), nullable=False)
    session_load: Mapped[str | None] = mapped_column(String(16))  # less | usual | longer | harder
    woke_from_sleep: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    humidity_pct: Mapped[float | None] = mapped_column(Float)
    fluid_l: Mapped[float | None] = mapped_column(Float)
    carbohydrate_g: Mapped[float | None] = mapped_column(Float)
    helped: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    # Newest first, then by id: a diary page, and a clinician's list (migration 0002).
    __table_args__ = (Index("ix_episodes_user_occurred_id", "user_id", "occurred_at", "id"),)


class TrainingSession(Base):
    __tablename__ = "training_sessions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = _owner()
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    activity: Mapped[str] = mapped_column(String(40), nullable=False)
    duration_min: Mapped[int] = mapped_column(Integer, nullable=False)
    intensity: Mapped[int] = mapped_column(Integer, nullable=False)  # RPE 1-10
    distance_km: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    __table_args__ = (Index("ix_training_user_started", "user_id", "started_at"),)


class SavedAssessment(Base):
    __tablename__ = "saved_assessments"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = _owner()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    triage_level: Mapped[str] = mapped_column(String(24), nullable=False)
    top_condition: Mapped[str] = mapped_column(String(64), nullable=False)
    kb_version: Mapped[str] = mapped_column(String(32), nullable=False)
    request: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)

    __table_args__ = (UniqueConstraint("user_id", "id"),)


class RehabPlan(Base):
    """A person's rehabilitation programme: which one, which variant, and where they are."""

    __tablename__ = "rehab_plans"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = _owner()
    programme: Mapped[str] = mapped_column(String(64), nullable=False)
    variant: Mapped[str] = mapped_column(String(64), nullable=False)
    side: Mapped[str] = mapped_column(String(8), nullable=False)  # left | right
    injury_day: Mapped[date] = mapped_column(Date, nullable=False)
    #: The person's calendar day on which the plan started (in their own time zone).
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    phase: Mapped[str] = mapped_column(String(64), nullable=False)
    phase_started: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # active|completed|stopped
    assigned_by: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    #: The knowledge base (`KnowledgeBase.content_hash`) the plan's programme, variant and
    #: phase ids were last written against: at the start, at each phase change and when its
    #: ids are moved to renamed ones. "unknown" for plans older than this column.
    kb_version: Mapped[str] = mapped_column(String(32), nullable=False, server_default="unknown")

    __table_args__ = (
        Index("ix_rehab_plans_user_status", "user_id", "status"),
        # At most one active plan per person, enforced by the database itself.
        Index(
            "uq_rehab_plans_one_active",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )


def _plan() -> Mapped[str]:
    return mapped_column(
        ID, ForeignKey("rehab_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )


class RehabAdjustment(Base):
    """A clinician's dose for one exercise of one phase, replacing the programme's."""

    __tablename__ = "rehab_adjustments"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    plan_id: Mapped[str] = _plan()
    phase: Mapped[str] = mapped_column(String(64), nullable=False)
    exercise: Mapped[str] = mapped_column(String(64), nullable=False)
    sets: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int | None] = mapped_column(Integer)
    load: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    note: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    removed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    by_user: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (UniqueConstraint("plan_id", "phase", "exercise"),)


class RehabSession(Base):
    """One logged exercise session of a plan."""

    __tablename__ = "rehab_sessions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    plan_id: Mapped[str] = _plan()
    day: Mapped[date] = mapped_column(Date, nullable=False)
    phase: Mapped[str] = mapped_column(String(64), nullable=False)
    pain_during: Mapped[int] = mapped_column(Integer, nullable=False)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    exercises: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (Index("ix_rehab_sessions_plan_day", "plan_id", "day"),)


class RehabMorning(Base):
    """Pain on getting up: the next-morning check of the pain-monitoring model."""

    __tablename__ = "rehab_mornings"

    plan_id: Mapped[str] = mapped_column(
        ID, ForeignKey("rehab_plans.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    pain: Mapped[int] = mapped_column(Integer, nullable=False)


class RehabTest(Base):
    """A measured test: heel raises, hops, knee-to-wall, walking, running, training."""

    __tablename__ = "rehab_tests"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    plan_id: Mapped[str] = _plan()
    day: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    injured: Mapped[float | None] = mapped_column(Float)
    other: Mapped[float | None] = mapped_column(Float)
    pain: Mapped[int | None] = mapped_column(Integer)
    limp: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RehabPhaseChange(Base):
    """The plan's history: every move between phases, with who made it and why."""

    __tablename__ = "rehab_phase_changes"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    plan_id: Mapped[str] = _plan()
    day: Mapped[date] = mapped_column(Date, nullable=False)
    from_phase: Mapped[str | None] = mapped_column(String(64))
    to_phase: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    by_user: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SweatTest(Base):
    """One sweat test: what was measured, its conditions and the sweat rate worked out."""

    __tablename__ = "sweat_tests"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = _owner()
    measured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    body_mass_before_kg: Mapped[float] = mapped_column(Float, nullable=False)
    body_mass_after_kg: Mapped[float] = mapped_column(Float, nullable=False)
    fluid_drunk_l: Mapped[float] = mapped_column(Float, nullable=False)
    urine_l: Mapped[float] = mapped_column(Float, nullable=False)
    duration_min: Mapped[float] = mapped_column(Float, nullable=False)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    humidity_pct: Mapped[float | None] = mapped_column(Float)
    intensity: Mapped[int | None] = mapped_column(Integer)  # effort 1-10
    sport: Mapped[str | None] = mapped_column(String(40))
    sweat_rate_l_per_h: Mapped[float] = mapped_column(Float, nullable=False)
    body_mass_change_pct: Mapped[float] = mapped_column(Float, nullable=False)
    kb_version: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = (Index("ix_sweat_tests_user_measured", "user_id", "measured_at"),)


class PreventionPlan(Base):
    """A saved session plan: the request, the plan as shown, and the knowledge base behind it."""

    __tablename__ = "prevention_plans"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = _owner()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    request: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    kb_version: Mapped[str] = mapped_column(String(32), nullable=False)


class ActivityFile(Base):
    """What a sports watch or app recorded for one training session, imported from a file.

    The training session itself is the diary's row (`training_sessions`); this keeps what only
    a file gives (exact duration, elevation gain, heart rate, temperature) and the SHA-256 of the
    file's bytes, so that the same file imported twice is found, even in a parallel request.
    """

    __tablename__ = "activity_files"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = _owner()
    training_id: Mapped[str] = mapped_column(
        ID, ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    format: Mapped[str] = mapped_column(String(8), nullable=False)  # gpx | tcx | fit
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    duration_s: Mapped[int] = mapped_column(Integer, nullable=False)
    distance_m: Mapped[float | None] = mapped_column(Float)
    elevation_gain_m: Mapped[float | None] = mapped_column(Float)
    heart_rate_avg: Mapped[float | None] = mapped_column(Float)
    heart_rate_max: Mapped[float | None] = mapped_column(Float)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        UniqueConstraint("user_id", "content_hash", name="uq_activity_files_user_hash"),
        Index("ix_activity_files_user_started", "user_id", "started_at"),
    )
