"""Diary insights: worked examples, then properties over random diaries (hypothesis)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calfcare.engine.doctor_prompts import doctor_prompts
from calfcare.engine.episodes import EpisodeFacts, SessionFacts, episode_flags
from calfcare.engine.insights import (
    TIMES_OF_DAY,
    Trend,
    compute_insights,
    earliest_needed,
    first_week,
    trend,
)
from calfcare.kb.diary_schema import CountCriterion, DiaryRules, LongestCriterion
from calfcare.kb.loader import load_kb
from calfcare.kb.schema import TriageLevel

RULES: DiaryRules = load_kb().diary_rules
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
ACTIVITIES = ("running", "sleeping", "cycling", "other")


def ep(i: int, at: datetime, **kw: object) -> EpisodeFacts:
    values: dict[str, object] = {"duration_s": 60, "severity": 5, "activity": "running"}
    values.update(kw)
    return EpisodeFacts(id=f"e{i:03d}", occurred_at=at, **values)  # type: ignore[arg-type]


# --- the rules as shipped -----------------------------------------------------------------------


def test_shipped_thresholds() -> None:
    prompts = {p.id: p for p in RULES.prompts}
    regular = prompts["regular_cramps"].criterion
    assert isinstance(regular, CountCriterion)
    assert (regular.kind, regular.at_least, regular.within_days) == ("episodes", 4, 30)
    assert prompts["regular_cramps"].basis == "estimate"
    sleep = prompts["cramps_disturb_sleep"].criterion
    assert isinstance(sleep, CountCriterion)
    assert (sleep.kind, sleep.at_least) == ("woke_from_sleep", 2)
    long = prompts["cramp_longer_than_10_minutes"]
    assert isinstance(long.criterion, LongestCriterion)
    assert long.criterion.longer_than_s == 600
    assert long.level == TriageLevel.consultation_24
    assert "nhs_leg_cramps" in long.references
    heat = RULES.factors.heat
    assert (heat.hot_c, heat.humid_pct, heat.humid_min_c, heat.basis) == (25, 70, 20, "estimate")
    assert RULES.factors.without_fuel.references == ["jeukendrup2014"]
    assert RULES.factors.without_fuel.session_longer_than_min == 60
    assert RULES.factors.longer_or_harder.loads == ["longer", "harder"]
    assert "schwellnus2011" in RULES.factors.longer_or_harder.references


# --- worked examples ----------------------------------------------------------------------------


def test_empty_diary() -> None:
    got = compute_insights([], [], rules=RULES, now=NOW)
    assert got.total == 0
    assert len(got.weeks) == 12
    assert sum(b.count for b in got.weeks) == 0
    assert len(got.months) == 12
    assert got.months[-1].start == date(2026, 11, 1)
    assert got.months[0].start == date(2025, 12, 1)
    assert got.weeks[-1].start == date(2026, 11, 23)  # Monday of this week
    assert [c.key for c in got.time_of_day] == ["night", "morning", "afternoon", "evening"]
    assert got.activities == ()
    assert all(s.fraction == 0.0 and s.total == 0 for s in got.shares)
    assert got.median_duration_s is None
    assert got.median_severity is None
    assert got.prompts == ()
    assert got.trend == Trend(days=28, recent=0, before=0)


def test_counts_by_week_month_time_of_day_and_activity() -> None:
    episodes = [
        ep(1, datetime(2026, 11, 25, 3, 0, tzinfo=UTC), activity="sleeping"),  # night, wk 11
        ep(2, datetime(2026, 11, 23, 0, 30, tzinfo=UTC)),  # night, wk 11
        ep(3, datetime(2026, 11, 22, 23, 59, tzinfo=UTC)),  # evening, wk 10
        ep(4, datetime(2026, 10, 1, 14, 0, tzinfo=UTC), activity="cycling"),  # afternoon
        ep(5, datetime(2025, 12, 1, 0, 0, tzinfo=UTC), activity="cycling"),  # first month
        ep(6, datetime(2025, 11, 30, 23, 0, tzinfo=UTC)),  # too old
    ]
    got = compute_insights(episodes, [], rules=RULES, now=NOW)
    assert got.total == 5
    assert [b.count for b in got.weeks][-2:] == [1, 2]
    assert got.weeks[0].start == date(2026, 9, 7)
    assert sum(b.count for b in got.weeks) == 4  # 1 October is inside the 12 weeks
    assert got.months[0].count == 1
    assert got.months[10].count == 1
    assert got.months[11].count == 3
    assert {c.key: c.count for c in got.time_of_day} == {
        "night": 3,
        "morning": 0,
        "afternoon": 1,
        "evening": 1,
    }
    assert [(c.key, c.count) for c in got.activities] == [
        ("cycling", 2),
        ("running", 2),
        ("sleeping", 1),
    ]


def test_trend_compares_the_last_4_weeks_with_the_4_before() -> None:
    day = timedelta(days=1)
    episodes = [
        ep(1, NOW + timedelta(minutes=30)),  # a little in the future counts as now
        ep(2, NOW - 27 * day),
        ep(3, NOW - 28 * day),  # the first day of the 4 weeks before
        ep(4, NOW - 30 * day),
        ep(5, NOW - 55 * day),
        ep(6, NOW - 56 * day),  # older than both windows
        ep(7, NOW - 300 * day),
    ]
    assert trend(episodes, NOW) == Trend(days=28, recent=2, before=3)
    got = compute_insights(episodes, [], rules=RULES, now=NOW)
    assert got.trend == Trend(days=28, recent=2, before=3)
    assert trend(episodes, NOW, days=7) == Trend(days=7, recent=1, before=0)
    assert earliest_needed(NOW, timedelta(0), RULES) <= NOW - 56 * day


def test_local_time_zone_moves_episodes_between_days_and_parts_of_the_day() -> None:
    sunday_late = ep(1, datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    utc = compute_insights([sunday_late], [], rules=RULES, now=NOW)
    tokyo = compute_insights([sunday_late], [], rules=RULES, now=NOW, utc_offset=timedelta(hours=9))
    assert [c.count for c in utc.time_of_day] == [0, 0, 0, 1]  # evening in UTC
    assert [c.count for c in tokyo.time_of_day] == [0, 1, 0, 0]  # 08:30 Monday in Tokyo
    assert utc.weeks[-1].count == 0
    assert utc.weeks[-2].count == 1
    assert tokyo.weeks[-1].count == 1
    new_york = compute_insights(
        [ep(1, datetime(2026, 11, 1, 2, 0, tzinfo=UTC))],
        [],
        rules=RULES,
        now=NOW,
        utc_offset=timedelta(hours=-5),
    )
    assert new_york.months[-2].count == 1  # still 31 October in New York
    with pytest.raises(ValueError, match="utc_offset"):
        compute_insights([], [], rules=RULES, now=NOW, utc_offset=timedelta(hours=20))
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_insights([], [], rules=RULES, now=NOW.replace(tzinfo=None))


def test_shares_and_medians() -> None:
    session = SessionFacts(started_at=NOW - timedelta(hours=5), duration_min=90)
    short = SessionFacts(started_at=NOW - timedelta(days=2, hours=1), duration_min=60)
    episodes = [
        # hot, harder, in the long session with no carbohydrate recorded
        ep(
            1,
            NOW - timedelta(hours=4),
            temperature_c=25.0,
            session_load="harder",
            duration_s=30,
            severity=2,
        ),
        # humid and 20 °C: heat; 30 minutes after the long session ended: without fuel
        ep(
            2,
            NOW - timedelta(hours=3, minutes=30) + timedelta(minutes=29),
            temperature_c=20.0,
            humidity_pct=70.0,
            carbohydrate_g=0.0,
            duration_s=100,
            severity=4,
        ),
        # humid but 19.9 °C: no heat; had carbohydrate: fuelled
        ep(
            3,
            NOW - timedelta(hours=4),
            temperature_c=19.9,
            humidity_pct=95.0,
            carbohydrate_g=30.0,
            session_load="usual",
            duration_s=200,
            severity=6,
        ),
        # in a 60-minute session (not longer than 60): not counted as without fuel
        ep(
            4,
            short.started_at + timedelta(minutes=30),
            session_load="longer",
            duration_s=400,
            severity=8,
        ),
    ]
    got = compute_insights(episodes, [session, short], rules=RULES, now=NOW)
    shares = {s.id: s for s in got.shares}
    assert (
        shares["longer_or_harder"].count,
        shares["heat"].count,
        shares["without_fuel"].count,
    ) == (2, 2, 2)
    assert shares["heat"].fraction == 0.5
    assert shares["without_fuel"].references == ("jeukendrup2014",)
    assert got.median_duration_s == 150.0
    assert got.median_severity == 5.0
    assert episode_flags(episodes[0], [session], RULES) == (
        "longer_or_harder",
        "heat",
        "without_fuel",
    )
    late = ep(9, NOW - timedelta(hours=3, minutes=30) + timedelta(minutes=31))
    assert "without_fuel" not in episode_flags(late, [session], RULES)


def test_doctor_prompts_with_their_criteria() -> None:
    # three episodes in 30 days: not yet regular; one woke the person; one lasted 10 min exactly
    episodes = [
        ep(1, NOW - timedelta(days=1), woke_from_sleep=True),
        ep(2, NOW - timedelta(days=10), duration_s=600),
        ep(3, NOW - timedelta(days=29, hours=23)),
        ep(4, NOW - timedelta(days=31), woke_from_sleep=True, duration_s=3600),
    ]
    assert doctor_prompts(episodes, RULES, NOW) == ()

    more = [*episodes, ep(5, NOW - timedelta(hours=1), woke_from_sleep=True, duration_s=601)]
    prompts = {p.id: p for p in doctor_prompts(more, RULES, NOW)}
    assert set(prompts) == {
        "regular_cramps",
        "cramps_disturb_sleep",
        "cramp_longer_than_10_minutes",
    }
    regular = prompts["regular_cramps"]
    assert regular.criterion == "4 or more episodes in the last 30 days"
    assert regular.observed == "4 episodes in the last 30 days"
    assert regular.episode_ids == ("e001", "e002", "e003", "e005")
    assert regular.level == TriageLevel.consultation
    assert regular.references == ("nhs_leg_cramps", "nice_cks_leg_cramps")
    assert regular.basis == "estimate"
    assert prompts["cramps_disturb_sleep"].observed == "woken 2 times in the last 30 days"
    long = prompts["cramp_longer_than_10_minutes"]
    assert long.criterion == "an episode longer than 10 minutes in the last 30 days"
    assert long.observed == "the longest lasted 601 seconds"
    assert long.level == TriageLevel.consultation_24
    assert long.episode_ids == ("e005",)


def test_an_episode_logged_just_ahead_counts_as_now() -> None:
    ahead = ep(1, NOW + timedelta(minutes=50), woke_from_sleep=True)
    got = compute_insights([ahead], [], rules=RULES, now=NOW)
    assert got.total == 1
    assert got.weeks[-1].count == 1
    assert got.months[-1].count == 1


def test_earliest_needed_covers_the_months_and_the_prompt_windows() -> None:
    assert earliest_needed(NOW, timedelta(0), RULES) == datetime(2025, 12, 1, tzinfo=UTC)
    assert earliest_needed(NOW, timedelta(hours=2), RULES) == datetime(
        2025, 11, 30, 22, 0, tzinfo=UTC
    )


# --- properties ---------------------------------------------------------------------------------

offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: timedelta(minutes=15 * q))
moments = st.integers(min_value=-500 * 24 * 60, max_value=60).map(
    lambda m: NOW + timedelta(minutes=m)
)
maybe_temp = st.none() | st.floats(min_value=-30, max_value=55, allow_nan=False)
maybe_humidity = st.none() | st.floats(min_value=0, max_value=100, allow_nan=False)
maybe_carbs = st.none() | st.sampled_from([0.0, 15.0, 60.0])


@st.composite
def diaries(draw: st.DrawFn) -> tuple[list[EpisodeFacts], list[SessionFacts]]:
    n = draw(st.integers(min_value=0, max_value=40))
    episodes = [
        EpisodeFacts(
            id=f"e{i:03d}",
            occurred_at=draw(moments),
            duration_s=draw(st.integers(min_value=1, max_value=86_400)),
            severity=draw(st.integers(min_value=0, max_value=10)),
            activity=draw(st.sampled_from(ACTIVITIES)),
            session_load=draw(st.sampled_from([None, "less", "usual", "longer", "harder"])),
            woke_from_sleep=draw(st.booleans()),
            temperature_c=draw(maybe_temp),
            humidity_pct=draw(maybe_humidity),
            carbohydrate_g=draw(maybe_carbs),
        )
        for i in range(n)
    ]
    sessions = [
        SessionFacts(
            started_at=draw(moments), duration_min=draw(st.integers(min_value=1, max_value=1440))
        )
        for _ in range(draw(st.integers(min_value=0, max_value=10)))
    ]
    return episodes, sessions


@settings(max_examples=150, deadline=None)
@given(diary=diaries(), offset=offsets)
def test_counts_add_up_and_shares_are_fractions(
    diary: tuple[list[EpisodeFacts], list[SessionFacts]], offset: timedelta
) -> None:
    episodes, sessions = diary
    got = compute_insights(episodes, sessions, rules=RULES, now=NOW, utc_offset=offset)
    zone = timezone(offset)
    local_days = [min(e.occurred_at, NOW).astimezone(zone).date() for e in episodes]
    in_period = [d for d in local_days if d >= got.months[0].start]
    assert got.total == len(in_period)
    assert sum(b.count for b in got.months) == got.total
    assert sum(c.count for c in got.time_of_day) == got.total
    assert sum(c.count for c in got.activities) == got.total
    week0 = first_week(NOW, offset)
    assert week0.weekday() == 0
    assert sum(b.count for b in got.weeks) == sum(d >= week0 for d in local_days)
    assert len(got.time_of_day) == len(TIMES_OF_DAY)
    for share in got.shares:
        assert 0.0 <= share.fraction <= 1.0
        assert 0 <= share.count <= share.total == got.total
    if got.total:
        assert got.median_severity is not None
        assert 0 <= got.median_severity <= 10
        assert got.median_duration_s is not None
        assert 1 <= got.median_duration_s <= 86_400


@settings(max_examples=100, deadline=None)
@given(diary=diaries(), offset=offsets, seed=st.integers(min_value=0, max_value=2**32))
def test_order_of_episodes_does_not_matter(
    diary: tuple[list[EpisodeFacts], list[SessionFacts]], offset: timedelta, seed: int
) -> None:
    episodes, sessions = diary
    shuffled_e, shuffled_s = list(episodes), list(sessions)
    rng = random.Random(seed)
    rng.shuffle(shuffled_e)
    rng.shuffle(shuffled_s)
    assert compute_insights(
        episodes, sessions, rules=RULES, now=NOW, utc_offset=offset
    ) == compute_insights(shuffled_e, shuffled_s, rules=RULES, now=NOW, utc_offset=offset)


def _met(prompt_id: str, episodes: list[EpisodeFacts]) -> bool:
    """Each criterion, computed again here straight from its definition."""
    prompt = next(p for p in RULES.prompts if p.id == prompt_id)
    c = prompt.criterion
    recent = [e for e in episodes if NOW - e.occurred_at <= timedelta(days=c.within_days)]
    if isinstance(c, LongestCriterion):
        return any(e.duration_s > c.longer_than_s for e in recent)
    if c.kind == "woke_from_sleep":
        recent = [e for e in recent if e.woke_from_sleep]
    return len(recent) >= c.at_least


@settings(max_examples=200, deadline=None)
@given(diary=diaries())
def test_a_prompt_appears_exactly_when_its_criterion_is_met(
    diary: tuple[list[EpisodeFacts], list[SessionFacts]],
) -> None:
    episodes, _ = diary
    shown = {p.id for p in compute_insights(episodes, [], rules=RULES, now=NOW).prompts}
    for prompt in RULES.prompts:
        assert (prompt.id in shown) == _met(prompt.id, episodes), prompt.id


recent_episodes = st.lists(
    st.builds(
        EpisodeFacts,
        id=st.uuids().map(lambda u: u.hex),
        occurred_at=st.integers(min_value=-40 * 24 * 60, max_value=0).map(
            lambda m: NOW + timedelta(minutes=m)
        ),
        duration_s=st.sampled_from([30, 599, 600, 601, 3600]),
        severity=st.integers(min_value=0, max_value=10),
        activity=st.sampled_from(ACTIVITIES),
        woke_from_sleep=st.booleans(),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(episodes=recent_episodes)
def test_prompts_near_their_thresholds(episodes: list[EpisodeFacts]) -> None:
    """Dense around the edges: 3-5 episodes, 1-2 nights, 599-601 s, 29-31 days."""
    shown = {p.id for p in doctor_prompts(episodes, RULES, NOW)}
    for prompt in RULES.prompts:
        assert (prompt.id in shown) == _met(prompt.id, episodes), prompt.id


@settings(max_examples=100, deadline=None)
@given(episodes=recent_episodes, extra=recent_episodes)
def test_more_episodes_never_remove_a_prompt(
    episodes: list[EpisodeFacts], extra: list[EpisodeFacts]
) -> None:
    before = {p.id for p in doctor_prompts(episodes, RULES, NOW)}
    after = {p.id for p in doctor_prompts([*episodes, *extra], RULES, NOW)}
    assert before <= after
