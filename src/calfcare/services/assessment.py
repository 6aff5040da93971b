"""The assessment use cases behind the Python API, the command line and the web.

`Assessor` is built once per knowledge base; its methods take a case-format v1 request (a
plain dict) and return plain dicts in the shapes of the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calfcare.engine.inference import Posterior, posterior
from calfcare.engine.interview import next_step
from calfcare.engine.model import Model, compile_model
from calfcare.engine.triage import triage
from calfcare.engine.types import Case, Contribution, NextStep, RankedCondition, TriageDecision
from calfcare.kb.loader import KnowledgeBase
from calfcare.kb.schema import Question, TriageLevel
from calfcare.services.requests import parse_request

MIN_LISTED = 3
LISTED_PROBABILITY = 0.01
WHY_ITEMS = 3
CHOICE_LABELS = {"present": "Yes", "absent": "No", "unknown": "I don't know"}
#: Groups of findings that are risk factors rather than symptoms; the "why" names them.
RISK_FACTOR_GROUPS = frozenset({"clot_risk", "background", "context"})


@dataclass(frozen=True)
class Evaluation:
    """Everything the engine concluded about one request."""

    case: Case
    posterior: Posterior
    decision: TriageDecision
    step: NextStep


class Assessor:
    """Answers diagnose and triage requests for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.model: Model = compile_model(self.kb)

    # --- core -------------------------------------------------------------------------
    def evaluate(self, request: Any) -> Evaluation:
        case = parse_request(request, self.kb)
        post = posterior(self.model, case)
        decision = triage(post)
        floor = max(
            (h.min_level for h in decision.rule_hits),
            key=lambda lv: lv.rank,
            default=TriageLevel.self_care,
        )
        suspects = frozenset(
            s
            for h in decision.rule_hits
            for s in h.suspect
            if h.min_level.rank >= TriageLevel.emergency.rank
        )
        concerns = frozenset(s for h in decision.rule_hits for s in h.suspect)
        # Only unsure answers that would make the care urgent are asked again.
        watch = frozenset(
            w.finding
            for w in decision.watch_for
            if w.level.rank >= TriageLevel.consultation_24.rank
        )
        step = next_step(post, decision.level, floor, suspects, concerns, watch)
        return Evaluation(case=case, posterior=post, decision=decision, step=step)

    # --- contract: diagnose -----------------------------------------------------------
    def diagnose(self, request: Any) -> dict[str, Any]:
        return self.diagnose_json(self.evaluate(request))

    def interview_step(self, request: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The diagnose and the triage answers from one evaluation (for interview shells)."""
        ev = self.evaluate(request)
        return self.diagnose_json(ev), self.triage_json(ev)

    def diagnose_json(self, ev: Evaluation) -> dict[str, Any]:
        question = None
        if not ev.step.should_stop and ev.step.question is not None:
            question = self.question_json(ev.step.question, ev.step.items, ev.step.kind)
        return {
            "question": question,
            "conditions": self.conditions_json(ev.posterior.ordered()),
            "should_stop": question is None,
            "extras": {"questions_asked": ev.step.asked, "reason": ev.step.reason},
        }

    def conditions_json(self, ordered: list[tuple[str, float]]) -> list[dict[str, Any]]:
        listed = [
            (c, p) for i, (c, p) in enumerate(ordered) if i < MIN_LISTED or p >= LISTED_PROBABILITY
        ]
        return [
            {
                "id": c,
                "name": self.kb.guides[c].medical_name,
                "common_name": self.kb.guides[c].common_name,
                "probability": round(p, 4),
            }
            for c, p in listed
        ]

    def question_json(
        self, question: Question, items: tuple[str, ...], kind: str = "question"
    ) -> dict[str, Any]:
        """A question in the contract's shape.

        A re-check words each item more plainly and offers the companion check of an item
        that has one; a companion question carries its instructions and its own answer labels.
        """
        findings = self.kb.findings
        qtype = "single" if len(items) == 1 else question.type
        labels = dict(CHOICE_LABELS)
        out: dict[str, Any] = {"id": question.id, "type": qtype, "kind": kind}
        if question.companion is not None:
            check = self.kb.companion_checks[question.companion]
            labels = check.answers.model_dump(exclude={"reviewed_by", "reviewed_on"})
            out["companion"] = self.companion_json(question.companion)
        text = question.text
        if qtype == "single" and question.companion is None:
            text = self._wording(items[0], kind)
        out["text"] = text
        out["help"] = question.help
        out["items"] = []
        for f in items:
            item: dict[str, Any] = {
                "id": f,
                "name": findings[f].name,
                "question": self._wording(f, kind),
                "choices": [{"id": c, "label": label} for c, label in labels.items()],
            }
            companion = findings[f].companion_check
            if kind == "recheck" and companion is not None:
                item["companion"] = self.companion_json(companion)
            out["items"].append(item)
        return out

    def _wording(self, finding: str, kind: str) -> str:
        f = self.kb.findings[finding]
        return (f.recheck if kind == "recheck" else None) or f.question

    def companion_json(self, check_id: str) -> dict[str, Any]:
        check = self.kb.companion_checks[check_id]
        return {
            "id": check.id,
            "title": check.title,
            "intro": check.intro,
            "steps": list(check.steps),
            "figure": check.figure,
            "figure_alt": check.figure_alt,
            "evidence": check.evidence.value,
            "references": list(check.references),
            "answers": check.answers.model_dump(exclude={"reviewed_by", "reviewed_on"}),
        }

    # --- contract: triage -------------------------------------------------------------
    def triage(self, request: Any) -> dict[str, Any]:
        ev = self.evaluate(request)
        return self.triage_json(ev)

    def triage_json(self, ev: Evaluation) -> dict[str, Any]:
        d = ev.decision
        level = self.kb.levels[d.level.value]
        reasons = [
            {
                "rule": h.rule_id,
                "min_level": h.min_level.value,
                "message": h.message,
                "findings": list(h.findings),
            }
            for h in d.rule_hits
        ]
        if d.probabilistic_level == d.level and all(
            h.min_level.rank < d.level.rank for h in d.rule_hits
        ):
            reasons.insert(0, self._probability_reason(ev))
        at_level = [r["message"] for r in reasons if r["min_level"] == d.level.value]
        description = f"{at_level[0]} {level.description}" if at_level else level.description
        return {
            "triage_level": d.level.value,
            "serious": self._serious(d),
            "label": level.label,
            "description": description,
            "extras": self._triage_extras(d, reasons),
        }

    def _serious(self, d: TriageDecision) -> list[dict[str, Any]]:
        """The findings behind the alarm rules that fired, each once, flagged if any rule
        that used it calls for an emergency."""
        serious: dict[str, dict[str, Any]] = {}
        for hit in d.rule_hits:
            emergency = hit.min_level.rank >= TriageLevel.emergency.rank
            for f in hit.findings:
                entry = serious.setdefault(
                    f,
                    {
                        "id": f,
                        "name": self.kb.findings[f].name,
                        "common_name": self.kb.findings[f].name,
                        "is_emergency": emergency,
                    },
                )
                entry["is_emergency"] = entry["is_emergency"] or emergency
        return list(serious.values())

    def _triage_extras(self, d: TriageDecision, reasons: list[dict[str, Any]]) -> dict[str, Any]:
        extras: dict[str, Any] = {
            "reasons": reasons,
            "probabilistic_level": d.probabilistic_level.value,
            "family": self.kb.levels[d.level.value].family,
            "watch_for": [
                {
                    "id": w.finding,
                    "name": self.kb.findings[w.finding].name,
                    "level": w.level.value,
                    "label": self.kb.levels[w.level.value].label,
                    "message": w.message,
                }
                for w in d.watch_for
            ],
        }
        if d.wells is not None:
            extras["wells"] = {
                "points": d.wells.points,
                "likely": d.wells.likely,
                "items": list(d.wells.items),
                "alternative_as_likely": d.wells.alternative_as_likely,
            }
        return extras

    def _probability_reason(self, ev: Evaluation) -> dict[str, Any]:
        """Why the probabilities alone set the level: the likeliest cause that needs it."""
        level = ev.decision.level
        ranked = ev.posterior.ranked()
        lead = next(
            (r for r in ranked if self.kb.guides[r.id].usual_care.rank >= level.rank), ranked[0]
        )
        name = _in_sentence(self.kb.guides[lead.id].common_name)
        if level == TriageLevel.self_care:
            message = f"Your answers fit {name}, which you can usually look after yourself."
        else:
            message = (
                f"Your answers fit {name} ({likelihood_words(lead.probability)}), "
                "which needs this level of care."
            )
        return {
            "rule": "probabilities",
            "min_level": level.value,
            "message": message,
            "findings": [],
        }

    # --- the full result people read --------------------------------------------------
    def assess(self, request: Any) -> dict[str, Any]:
        """Level of care, the top conditions with their why, and what to do now."""
        ev = self.evaluate(request)
        ranked = ev.posterior.ranked()
        top = ranked[:MIN_LISTED]
        result = self.triage_json(ev)
        result["conditions"] = [self.condition_with_why(r) for r in top]
        lead = self.kb.guides[top[0].id]
        result["do_now"] = [s.model_dump(mode="json") for s in lead.do_now]
        result["seek_help"] = [
            {**s.model_dump(mode="json"), "label": self.kb.levels[s.level.value].label}
            for s in lead.seek_help
        ]
        result["for_you"] = self.personal_advice(ev.case)
        result["kb_version"] = self.kb.content_hash
        return result

    def personal_advice(self, case: Case) -> list[dict[str, Any]]:
        """Advice the person's own answers call for (a medicine review, for example)."""
        out = []
        for advice in self.kb.personal_advice:
            when = advice.when
            if all(case.present(f) for f in when.all) and (
                not when.any or any(case.present(f) for f in when.any)
            ):
                out.append(
                    {
                        "id": advice.id,
                        "title": advice.title,
                        **advice.statement.model_dump(mode="json"),
                    }
                )
        return out

    def condition_with_why(self, r: RankedCondition) -> dict[str, Any]:
        guide = self.kb.guides[r.id]
        return {
            "id": r.id,
            "common_name": guide.common_name,
            "name": guide.medical_name,
            "probability": round(r.probability, 4),
            "likelihood_words": likelihood_words(r.probability),
            "summary": guide.summary,
            "why": self.why(r),
            "for": [self.describe(c) for c in r.contributions if c.factor > 1][:WHY_ITEMS],
            "against": [self.describe(c) for c in r.contributions if c.factor < 1][:WHY_ITEMS],
        }

    def describe(self, c: Contribution) -> str:
        name = self.kb.findings[c.finding].name
        return name if c.choice == "present" else f"no: {name.lower()}"

    def why(self, r: RankedCondition) -> str:
        """Plain sentences: what raised and what lowered this condition most, and the risk
        factors in the answers (a journey, a medicine) that raised it, however small."""
        risk = [
            self.kb.findings[c.finding].name.lower()
            for c in r.contributions
            if c.factor > 1
            and c.choice == "present"
            and self.kb.findings[c.finding].group in RISK_FACTOR_GROUPS
        ]
        up = [
            self.kb.findings[c.finding].name.lower()
            for c in r.contributions
            if c.factor > 1
            and c.choice == "present"
            and self.kb.findings[c.finding].name.lower() not in risk
        ][:WHY_ITEMS]
        down_present = [
            self.kb.findings[c.finding].name.lower()
            for c in r.contributions
            if c.factor < 1 and c.choice == "present"
        ][:WHY_ITEMS]
        down_absent = [
            self.kb.findings[c.finding].name.lower()
            for c in r.contributions
            if c.factor < 1 and c.choice == "absent"
        ][:WHY_ITEMS]
        parts = []
        if up:
            parts.append("Points towards it: " + "; ".join(up) + ".")
        if down_present or down_absent:
            against = down_present + [f"you said no to '{x}'" for x in down_absent]
            parts.append("Points away from it: " + "; ".join(against[:WHY_ITEMS]) + ".")
        if risk:
            parts.append("Risk factors you mentioned: " + "; ".join(risk) + ".")
        if not parts:
            parts.append("Based mainly on how common it is at your age.")
        return " ".join(parts)


def _in_sentence(name: str) -> str:
    """'Calf strain' -> 'calf strain', but 'DVT ...' stays as it is."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def likelihood_words(p: float) -> str:
    """Words for a probability, so that a number is never the only way it is said."""
    if p >= 0.7:
        return "very likely"
    if p >= 0.4:
        return "likely"
    if p >= 0.15:
        return "possible"
    if p >= 0.05:
        return "less likely"
    return "unlikely"
