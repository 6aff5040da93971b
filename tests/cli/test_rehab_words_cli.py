"""`calfcare rehab` in plain words: how to tell the muscles, "not sure which muscle" with why,
counts that agree with their nouns (today, 1 day, 2 days), and the printed plan dated with
the person's own day, their side and their phase."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from calfcare.kb.loader import load_kb
from tests.cli.test_rehab_cli import add_user, as_json, at, env, rehab  # noqa: F401  (env)
from tests.rehab_words import agreement_errors

KB = load_kb()
STRAIN = KB.programmes["calf_strain"]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _start(env: dict[str, str], variant: str, day: str = "2026-11-20") -> str:  # noqa: F811
    out = rehab(
        env,
        "start",
        "--programme",
        "calf_strain",
        "--variant",
        variant,
        "--side",
        "right",
        "--injury-day",
        day,
    )
    return _flat(out.stdout)


def test_programmes_say_how_to_tell_and_what_not_sure_picks(env: dict[str, str]) -> None:  # noqa: F811
    out = _flat(rehab(env, "programmes").stdout)
    assert "Which muscle is it?" in out
    assert "How bad is it?" in out
    for m in STRAIN.muscles:
        assert f"{m.name}: {_flat(m.signs.text)}" in out
        assert f"How to tell: {_flat(m.how_to_tell.text)}" in out
    assert STRAIN.not_sure is not None
    assert f"Not sure which muscle? {_flat(STRAIN.not_sure.why.text)}" in out
    for grade in (1, 2, 3):
        assert f"grade{grade}_not_sure: " in out
        assert f"starts grade{grade}_soleus, the safer version" in out
    assert agreement_errors(out) == []
    doc = as_json(env, "programmes")
    assert isinstance(doc, list)
    strain = next(p for p in doc if p["id"] == "calf_strain")
    assert {m["site"] for m in strain["muscles"]} == {"gastrocnemius", "soleus"}
    assert [g["grade"] for g in strain["grades"]] == [1, 2, 3]


def test_a_missing_version_is_explained_before_the_error(env: dict[str, str]) -> None:  # noqa: F811
    add_user(env)
    at(env, "2026-11-21T08:00+00:00")
    out = rehab(
        env,
        "start",
        "--programme",
        "calf_strain",
        "--side",
        "left",
        "--injury-day",
        "2026-11-20",
        code=2,
    )
    err = _flat(out.stderr)
    assert "Which version of Calf strain rehabilitation is yours?" in err
    assert "How to tell:" in err
    assert "grade1_not_sure" in err
    assert "--variant" in err


def test_not_sure_starts_the_safe_version_and_says_why(env: dict[str, str]) -> None:  # noqa: F811
    add_user(env)
    at(env, "2026-11-21T08:00+00:00")
    out = _start(env, "grade2_not_sure")
    soleus = next(v for v in STRAIN.variants if v.id == "grade2_soleus")
    assert f"{soleus.label.lower()}, right calf" in out
    assert "You were not sure which muscle it is, so this is the safer version." in out
    assert STRAIN.not_sure is not None
    assert _flat(STRAIN.not_sure.why.text) in out
    status = as_json(env, "status")
    assert isinstance(status, dict)
    assert status["variant"]["id"] == "grade2_soleus"


def test_a_version_by_name_has_no_not_sure_note(env: dict[str, str]) -> None:  # noqa: F811
    add_user(env)
    at(env, "2026-11-21T08:00+00:00")
    assert "not sure" not in _start(env, "grade2_gastrocnemius")


@pytest.mark.parametrize(
    ("now", "ago", "in_phase"),
    [
        ("2026-11-20T09:00+00:00", "(today)", "(0 days)"),
        ("2026-11-21T09:00+00:00", "(1 day ago)", "(1 day)"),
        ("2026-11-22T09:00+00:00", "(2 days ago)", "(2 days)"),
    ],
)
def test_status_counts_days_in_good_english(
    env: dict[str, str],  # noqa: F811
    now: str,
    ago: str,
    in_phase: str,
) -> None:
    add_user(env)
    at(env, "2026-11-20T09:00+00:00")
    _start(env, "grade1_gastrocnemius")
    at(env, now)
    out = _flat(rehab(env, "status").stdout)
    assert f"injured on 20 Nov 2026 {ago}" in out
    assert f"since 20 Nov 2026 {in_phase}" in out
    assert agreement_errors(out) == []
    assert agreement_errors(_flat(rehab(env, "today").stdout)) == []


def test_the_printed_plan_has_the_persons_day_side_and_phase(
    env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    """At 23:30 in London it is already the next day in Paris: the handout says Paris's day."""
    add_user(env, time_zone="Europe/Paris")
    at(env, "2026-11-21T08:00+00:00")
    _start(env, "grade1_gastrocnemius")
    at(env, "2026-11-25T23:30+00:00")
    pdf = tmp_path / "mine.pdf"
    rehab(env, "handout", "--output", str(pdf))
    text = _flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages))
    assert "Printed on: 26 November 2026" in text
    assert "Injured side: right calf" in text
    assert "Your phase now: phase 1 of 6, Protect and calm, since 20 November 2026." in text
    assert agreement_errors(text) == []
