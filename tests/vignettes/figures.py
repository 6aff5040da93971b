"""The table of vignette figures that the README shows, computed with the project's scorer.

`tests/vignettes/test_vignettes.py` checks that the README's table is current;
`python -m tests.test_docs` rewrites it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from calfcare.services.assessment import Assessor
from calfcare.services.validation import validate_folder

HERE = Path(__file__).parent
SETS = (("dev", "dev"), ("extra", "own"), ("hard", "hard"), ("reports", "published cases"))
SEED = 1


def compute(assessor: Assessor) -> dict[str, dict[str, Any]]:
    return {name: validate_folder(HERE / name, assessor, unsure=0.3, seed=SEED) for name, _ in SETS}


def table(reports: dict[str, dict[str, Any]]) -> str:
    rows = [
        "| set | mode | top-1 | top-3 | exact triage | under-triage | emergencies missed "
        "| questions (median / max) | Brier | ECE |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, label in SETS:
        for mode, mode_label in (
            ("static", "static"),
            ("interview", "interview"),
            ("unsure", '30% "don\'t know"'),
        ):
            f = reports[name][mode]["figures"]
            median = f["questions_median"]
            median_text = f"{median:g}"
            questions = "–" if mode == "static" else f"{median_text} / {f['questions_max']}"
            rows.append(
                f"| {label} ({f['cases']}) | {mode_label} | {f['top1']:.3f} | "
                f"{f['top3']:.3f} | {f['triage_exact']:.3f} | {f['under_triage']} | "
                f"{f['emergencies_missed']} | {questions} | {f['brier']:.3f} | "
                f"{f['ece']:.3f} |"
            )
    return "\n".join(rows)
