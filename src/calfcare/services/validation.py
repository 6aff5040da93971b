"""Score the assessment on a folder of vignettes, for a clinical safety reviewer.

The figures and their definitions are those of case-format v1 ("How a vignette is scored"):
static (all evidence at once) and interview (a simulated patient answers the questions),
and, as in the shared scorer, an interview in which the patient says "I don't know" instead
of "no" with probability `unsure`. Calibration is reported too: the Brier score of the
ranked probabilities and the expected calibration error of the top condition (10 bins).
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calfcare.errors import CalfcareError
from calfcare.kb.schema import TriageLevel
from calfcare.services.assessment import Assessor

MAX_QUESTIONS = 40
CALIBRATION_BINS = 10
RANK = {lv.value: lv.rank for lv in TriageLevel}
EMERGENCY = TriageLevel.emergency.rank


@dataclass(frozen=True)
class Outcome:
    ranked: list[str]
    level: str
    asked: int
    probabilities: dict[str, float]


def load_vignettes(folder: Path) -> list[dict[str, Any]]:
    paths = sorted(folder.glob("*.json"))
    if not paths:
        raise CalfcareError(f"no *.json vignettes in {folder}")
    cases = []
    for p in paths:
        try:
            cases.append(json.loads(p.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise CalfcareError(
                f"{p.name}: not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
    return cases


class Scorer:
    """Runs vignettes through the assessor as the shared scorer does."""

    def __init__(self, assessor: Assessor, unsure: float = 0.0, seed: int = 0) -> None:
        self.assessor = assessor
        self.who = {f.id: f.who for f in assessor.kb.findings.values()}
        self.unsure = unsure
        self.rng = random.Random(seed)

    def oracle(self, case: dict[str, Any], fid: str) -> str:
        choice = case["evidence"].get(fid)
        if choice is None:
            choice = "absent" if self.who.get(fid) == "patient" else "unknown"
        if choice == "absent" and self.unsure and self.rng.random() < self.unsure:
            return "unknown"
        return str(choice)

    def answer(self, case: dict[str, Any], question: dict[str, Any]) -> list[dict[str, str]]:
        out, chosen = [], False
        for item in question["items"]:
            choice = self.oracle(case, item["id"])
            if question["type"] == "group_single" and choice == "present":
                choice = "unknown" if chosen else "present"
                chosen = True
            out.append({"id": item["id"], "choice_id": choice})
        return out

    @staticmethod
    def request(case: dict[str, Any], evidence: list[dict[str, str]]) -> dict[str, Any]:
        return {"age": case["age"], "sex": case["sex"], "evidence": evidence}

    def static(self, case: dict[str, Any]) -> Outcome:
        initial = set(case.get("initial", []))
        ev = [
            {"id": k, "choice_id": v, **({"source": "initial"} if k in initial else {})}
            for k, v in case["evidence"].items()
        ]
        req = self.request(case, ev)
        conditions = self.assessor.diagnose(req)["conditions"]
        return Outcome(
            [c["id"] for c in conditions],
            self.assessor.triage(req)["triage_level"],
            0,
            {c["id"]: c["probability"] for c in conditions},
        )

    def interview(self, case: dict[str, Any]) -> Outcome:
        ev = [
            {"id": k, "choice_id": "present", "source": "initial"} for k in case.get("initial", [])
        ]
        asked = 0
        while True:
            out = self.assessor.diagnose(self.request(case, ev))
            if out["should_stop"] or not out["question"] or asked >= MAX_QUESTIONS:
                break
            ev += self.answer(case, out["question"])
            asked += 1
        conditions = out["conditions"]
        return Outcome(
            [c["id"] for c in conditions],
            self.assessor.triage(self.request(case, ev))["triage_level"],
            asked,
            {c["id"]: c["probability"] for c in conditions},
        )


@dataclass
class _Counts:
    """The cases `score` counts: right answers, and the triage errors a reviewer weighs most
    (sending an emergency home, sending self-care to the emergency department)."""

    top1: int = 0
    top3: int = 0
    exact: int = 0
    under: int = 0
    missed: int = 0
    emergencies: int = 0
    self_care: int = 0
    self_care_to_emergency: int = 0

    def add(self, exp: dict[str, Any], out: Outcome) -> bool:
        """Count one case (its `expected`, and what came out); True if it was under-triaged."""
        lowest_ok = min(RANK[t] for t in exp["triage"])
        self.top1 += out.ranked[:1] == [exp["condition"]]
        self.top3 += exp["condition"] in out.ranked[:3]
        self.exact += out.level == exp["triage"][0]
        is_under = RANK[out.level] < lowest_ok
        self.under += is_under
        if RANK[exp["triage"][0]] >= EMERGENCY:
            self.emergencies += 1
            self.missed += RANK[out.level] < EMERGENCY
        if exp["triage"][0] == "self_care":
            self.self_care += 1
            self.self_care_to_emergency += RANK[out.level] >= EMERGENCY
        return is_under


def score(
    cases: list[dict[str, Any]], run: Callable[[dict[str, Any]], Outcome]
) -> tuple[dict[str, Any], list[str]]:
    """The figures of one way of running the cases, and a line for each case it got wrong."""
    counts = _Counts()
    questions: list[int] = []
    misses: list[str] = []
    calibration: list[tuple[Outcome, str]] = []
    for case in cases:
        exp = case["expected"]
        out = run(case)
        calibration.append((out, exp["condition"]))
        questions.append(out.asked)
        is_under = counts.add(exp, out)
        if out.ranked[:1] != [exp["condition"]] or out.level != exp["triage"][0]:
            misses.append(
                f"{case['id']}: expected {exp['condition']} / {exp['triage'][0]}, "
                f"got {out.ranked[:3]} / {out.level}"
                f"{'  UNDER-TRIAGE' if is_under else ''}"
            )
    n = len(cases)
    figures = {
        "cases": n,
        "top1": round(counts.top1 / n, 3),
        "top3": round(counts.top3 / n, 3),
        "triage_exact": round(counts.exact / n, 3),
        "under_triage": counts.under,
        "emergencies_missed": counts.missed,
        "emergency_cases": counts.emergencies,
        "self_care_sent_to_emergency": counts.self_care_to_emergency,
        "self_care_cases": counts.self_care,
        "questions_median": statistics.median(questions),
        "questions_max": max(questions),
        **calibration_figures(calibration),
    }
    return figures, misses


def calibration_figures(results: list[tuple[Outcome, str]]) -> dict[str, float]:
    """Brier score (mean over cases of the summed squared error over conditions) and the
    expected calibration error of the top condition's probability (equal-width bins)."""
    brier = []
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(CALIBRATION_BINS)]
    for out, truth in results:
        probs = out.probabilities
        brier.append(
            sum((p - (c == truth)) ** 2 for c, p in probs.items())
            + (0.0 if truth in probs else 1.0)
        )
        top = out.ranked[0]
        confidence = probs[top]
        index = min(int(confidence * CALIBRATION_BINS), CALIBRATION_BINS - 1)
        bins[index].append((confidence, top == truth))
    n = len(results)
    ece = sum(abs(sum(c for c, _ in b) - sum(hit for _, hit in b)) for b in bins if b) / n
    return {"brier": round(statistics.fmean(brier), 3), "ece": round(ece, 3)}


def validate_folder(
    folder: Path, assessor: Assessor, unsure: float = 0.0, seed: int = 0
) -> dict[str, Any]:
    """Static and interview figures, with the misses of each, for every vignette in `folder`;
    with `unsure` > 0 also the interview in which some "no" answers become "I don't know"."""
    if not 0.0 <= unsure <= 1.0:
        raise CalfcareError("unsure must be a probability from 0 to 1")
    cases = load_vignettes(folder)
    plain = Scorer(assessor)
    modes = [("static", plain.static), ("interview", plain.interview)]
    if unsure:
        modes.append(("unsure", Scorer(assessor, unsure, seed).interview))
    report: dict[str, Any] = {}
    for name, run in modes:
        figures, misses = score(cases, run)
        report[name] = {"figures": figures, "misses": misses}
    return report
