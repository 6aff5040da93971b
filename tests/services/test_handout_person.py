"""A person's printed plan says who it is for, the day it was printed (their own today), the
injured side and the phase they are in; the general programme says it is general; every count
agrees with its noun ("at least 1 day", "2 sets × 1 rep"); the version is explained in plain
words."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from calfcare.engine.rehab import active_phases
from calfcare.errors import NotFoundError
from calfcare.kb.loader import load_kb
from calfcare.services import accounts, rehab
from calfcare.services.rehab import handout, pdf_text
from calfcare.services.rehab.handout import Personal, programme_pdf
from calfcare.services.rehab.pdf import FOOTER
from calfcare.services.rehab.pdf_text import to_latin1
from tests.rehab_words import agreement_errors

KB = load_kb()
STRAIN = KB.programmes["calf_strain"]
MILD = rehab.variant(STRAIN, "grade1_gastrocnemius")
PHASES = active_phases(STRAIN, MILD)
CASES = [(p.id, v.id) for p in KB.programmes.values() for v in p.variants]


def _body(pdf: bytes) -> str:
    footer = re.sub(r"\s+", " ", to_latin1(FOOTER)).strip()
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    return " ".join(re.sub(r" ?Page \d+ of \d+ ?$", "", p.replace(footer, "")) for p in pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", to_latin1(text)).strip()


def test_a_persons_handout_says_when_which_side_and_which_phase() -> None:
    second = PHASES[1]
    sam = Personal("Sam Lee", "right", date(2026, 3, 5), second.id, date(2026, 3, 1))
    body = _body(programme_pdf(KB, STRAIN.id, MILD.id, person=sam))
    assert "Prepared for: Sam Lee" in body
    assert "Printed on: 5 March 2026" in body
    assert "Injured side: right calf" in body
    now = f"Your phase now: phase 2 of {len(PHASES)}, {second.name}, since 1 March 2026."
    assert _flat(now) in body
    assert _flat(f"Phase 2 of {len(PHASES)}: {second.name} (your phase now)") in body
    assert body.count("(your phase now)") == 1
    assert "not a plan made for one person" not in body


def test_the_general_programme_says_it_is_general() -> None:
    body = _body(programme_pdf(KB, STRAIN.id, MILD.id))
    assert _flat(handout.GENERIC) in body
    for personal in ("Printed on", "Injured side", "Your phase now", "(your phase now)"):
        assert personal not in body


def test_a_phase_the_version_does_not_have_is_refused() -> None:
    nobody = Personal(None, "left", date(2026, 3, 5), "no_such_phase")
    with pytest.raises(NotFoundError, match="no_such_phase"):
        programme_pdf(KB, STRAIN.id, MILD.id, person=nobody)


def test_counts_of_one_and_two_agree_with_their_nouns() -> None:
    """The mild upper-calf version needs at least 1 day in its first phase and 2 in its third
    (the programme's own numbers are 2 and 4): the printed plan says so in good English, and
    doses of 1 and 2 read "1 set × 1 rep, once a day, 1 day a week"."""
    first, third = PHASES[0], PHASES[2]
    assert (MILD.min_days[first.id], MILD.min_days[third.id]) == (1, 2)
    item = rehab.dose_items(KB, first, MILD)[0]
    ones = rehab.DoseItem(item.exercise, 1, 1, 1, 1, "", "", True)
    twos = rehab.DoseItem(item.exercise, 2, 2, 2, 2, "", "", True)
    body = _body(programme_pdf(KB, STRAIN.id, MILD.id, adjustments={first.id: (ones, twos)}))
    assert "For your plan: at least 1 day." in body
    assert "For your plan: at least 2 days." in body
    unit = {"reps": "rep", "seconds": "second", "minutes": "minute"}[item.measure]
    assert f"1 set × 1 {unit}" in body
    assert f"2 sets × 2 {unit}s" in body
    assert _flat(pdf_text.dose_text(ones)).endswith("once a day, 1 day a week")
    assert _flat(pdf_text.dose_text(twos)).endswith("twice a day, 2 days a week")
    assert agreement_errors(body) == []


@pytest.mark.parametrize(("programme", "variant"), CASES)
def test_no_count_disagrees_with_its_noun_in_any_handout(programme: str, variant: str) -> None:
    prog = KB.programmes[programme]
    first = active_phases(prog, rehab.variant(prog, variant))[0]
    person = Personal("Ali", "left", date(2026, 1, 1), first.id, date(2026, 1, 1))
    assert agreement_errors(_body(programme_pdf(KB, programme, variant, person=person))) == []


def test_the_version_is_explained_in_plain_words() -> None:
    body = _body(programme_pdf(KB, STRAIN.id, "grade2_soleus"))
    muscle, grade = STRAIN.muscle("soleus"), STRAIN.grade_guide(2)
    assert muscle is not None
    assert grade is not None
    assert "What this version means" in body
    assert _flat(muscle.how_to_tell.text) in body
    assert _flat(muscle.signs.text) in body
    assert _flat(grade.signs.text) in body
    assert "How to tell:" in body


# --- a stored plan --------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_a_stored_plan_prints_with_the_day_given_its_side_and_phase(db: Session) -> None:
    owner = accounts.sign_up(
        db,
        email="pat@example.com",
        password="correct horse battery",
        display_name="Pat Day",
        role="person",
        units="metric",
        now=NOW,
    ).id
    values = {
        "programme": "calf_strain",
        "variant": "grade1_gastrocnemius",
        "side": "right",
        "injury_day": "2026-11-20",
    }
    rehab.start_plan(db, owner_id=owner, values=values, today=date(2026, 11, 25), kb=KB)
    got = handout.plan_handout(
        db, owner_id=owner, kb=KB, today=date(2026, 11, 26), person_name="Pat Day"
    )
    assert (got.programme, got.variant) == ("calf_strain", "grade1_gastrocnemius")
    body = _body(got.pdf)
    assert "Prepared for: Pat Day" in body
    assert "Printed on: 26 November 2026" in body
    assert "Injured side: right calf" in body
    assert (
        _flat(
            f"Your phase now: phase 1 of {len(PHASES)}, {PHASES[0].name}, since 20 November 2026."
        )
        in body
    )
    with pytest.raises(NotFoundError):
        handout.plan_handout(db, owner_id="nobody", kb=KB, today=date(2026, 11, 26))
