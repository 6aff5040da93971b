"""The stateless progression decision, for another system's own logs (`POST
/api/v1/rehab/progression`): nothing is read from or written to the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from calfcare.engine.rehab import (
    MorningCheck,
    PlanFacts,
    SessionLog,
    TestResult,
    active_phases,
    decide,
)
from calfcare.errors import RequestError
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.rehab_schema import Programme, Variant
from calfcare.services.rehab.report import DecisionReport, decision_report


@dataclass(frozen=True)
class QuerySession:
    """One session as sent: its warning signs in the order given, so an error can name one."""

    day: date
    pain_during: int
    pain_after: int | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgressionQuery:
    """A programme, its variant and phase, the day the phase began, the day to judge, and
    the logs. Ids are checked against the knowledge base by `judge`."""

    programme: str
    variant: str
    phase: str
    phase_started: date
    as_of: date
    sessions: tuple[QuerySession, ...] = ()
    mornings: tuple[MorningCheck, ...] = ()
    tests: tuple[TestResult, ...] = ()


def _programme(kb: KnowledgeBase, query: ProgressionQuery) -> tuple[Programme, Variant]:
    prog = kb.programmes.get(query.programme)
    if prog is None:
        raise RequestError(
            "programme", "unknown programme; use one of: " + ", ".join(sorted(kb.programmes))
        )
    var = next((v for v in prog.variants if v.id == query.variant), None)
    if var is None:
        raise RequestError(
            "variant",
            f"not a variant of '{prog.id}'; use one of: " + ", ".join(v.id for v in prog.variants),
        )
    return prog, var


def _check_flags(kb: KnowledgeBase, query: ProgressionQuery) -> None:
    for i, s in enumerate(query.sessions):
        for j, flag in enumerate(s.flags):
            if flag not in kb.pain_model.flags:
                raise RequestError(
                    f"sessions[{i}].flags[{j}]",
                    "unknown warning sign; use one of: " + ", ".join(sorted(kb.pain_model.flags)),
                )


def judge(kb: KnowledgeBase, query: ProgressionQuery) -> DecisionReport:
    """The decision for the query's day; RequestError names the first value that is wrong."""
    prog, var = _programme(kb, query)
    ids = [ph.id for ph in active_phases(prog, var)]
    if query.phase not in ids:
        raise RequestError(
            "phase", f"not a phase of '{prog.id}' for '{var.id}'; use one of: " + ", ".join(ids)
        )
    _check_flags(kb, query)
    facts = PlanFacts(
        phase_index=ids.index(query.phase),
        phase_started=query.phase_started,
        as_of=query.as_of,
        mornings=query.mornings,
        tests=query.tests,
        sessions=tuple(
            SessionLog(
                day=s.day,
                pain_during=s.pain_during,
                pain_after=s.pain_after,
                flags=frozenset(s.flags),
            )
            for s in query.sessions
        ),
    )
    return decision_report(kb, decide(prog, var, kb.pain_model, facts))
