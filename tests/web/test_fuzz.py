"""Every way into the site, fuzzed: bad input may be refused (4xx) but never fails (5xx).

Hypothesis drives every form of the site (each POST route outside /api/, found from the app's
routes, sent with the CSRF token of a page and, where the route needs one, by a signed-in
person or clinician), the interview state carried in the pages, every query parameter read as
a number, and every import format (JSON, CSV and zip). The inputs that once gave a 500 are
explicit examples. Everything runs on SQLite and on PostgreSQL, which refuses NUL in text.

A refused import must leave the diary as it was: nothing is half-saved.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import warnings
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI, routing
from fastapi.dependencies.utils import get_flat_params
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calfcare.services import diary
from calfcare.settings import load_settings
from calfcare.storage.migrate import upgrade
from calfcare.web.app import create_app
from calfcare.web.interview import InterviewState
from tests import activity_samples as samples
from tests.dbs import _drop, _postgres_or_skip
from tests.web.diary_helpers import (
    EPISODE,
    NOW,
    SESSION,
    add_episode,
    add_session,
    link,
    new_browser,
    sign_up,
    submit,
    user_id,
)
from tests.web.forms import csrf_token

TODAY = NOW.date()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the inputs -----------------------------------------------------------------------------

HUGE = "9" * 5000  # more digits than int() converts (4300)
#: Text that once gave a 500 somewhere, tried in every field.
SEEDS = (
    "²",
    "٤٠",
    "٣",
    HUGE,
    "-" + HUGE,
    "0" * 5000 + "1",
    "9223372036854775807",
    "-9223372036854775809",
    "-1",
    "0",
    "1e999",
    "-1e999",
    "nan",
    "inf",
    "1_0",
    "0x10",
    "\x00",
    "a\x00b",
    "\x01",
    "\x1b[0m",
    "",
    " ",
    "\t",
    "\u00a0",
    "true",
    "[]",
    "{}",
    "2026-11-20T07:30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-11-20",
    "99999-01-01",
    "left",
    "calf_strain",
    "x" * 6000,
)
#: Form values: text without lone surrogates (a form cannot carry them: they have no UTF-8).
form_text = st.one_of(
    st.sampled_from(SEEDS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.integers().map(str),
    st.floats().map(str),
)
#: Any JSON value, lone surrogates included (JSON escapes them as \ud800).
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(SEEDS),
)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4)
    ),
    max_leaves=12,
)

# --- the forms ------------------------------------------------------------------------------

STATE = InterviewState(
    age=40, sex="female", steps=[[{"id": "calf_pain", "choice_id": "present", "source": "initial"}]]
).encode()
EXERCISE_ROW = {
    "exercises[0].exercise": "ankle_pumps",
    "exercises[0].sets": "3",
    "exercises[0].amount": "30",
    "exercises[0].load_kg": "",
    "exercises[0].pain": "1",
}
PLAN = {
    "programme": "calf_strain",
    "variant": "grade2_soleus",
    "side": "left",
    "injury_day": (TODAY - timedelta(days=5)).isoformat(),
}
#: Every form: the fields it reads, each with a value that is valid on its own.
FORMS: dict[str, dict[str, str]] = {
    "/assess/about": {"age": "40", "sex": "female"},
    "/assess/start": {"state": InterviewState(age=40, sex="female").encode(), "start": "0"},
    "/assess/answer": {
        "state": STATE,
        "items": "felt_pop_or_kick",
        "qtype": "single",
        "choice": "absent",
        "present": "",
        "dont_know": "",
    },
    "/assess/back": {"state": STATE},
    "/assess/continue": {"state": STATE},
    "/assess/summary": {"state": STATE},
    "/account/sign-up": {
        "display_name": "Fuzzy",
        "email": "fuzzy@example.com",
        "password": "a long enough password",
        "role": "person",
        "units": "metric",
        "time_zone": "UTC",
        "result": STATE,
    },
    "/account/sign-in": {
        "email": "nobody@example.com",
        "password": "not the password",
        "next": "/diary",
        "result": STATE,
    },
    "/account/sign-out": {},
    "/account/units": {"units": "metric"},
    "/account/time-zone": {"time_zone": "UTC"},
    "/account/password": {
        "current_password": "not the password",
        "new_password": "another long password",
    },
    "/account/link-code": {},
    "/account/link": {"code": "ABCD-EFGH"},
    "/account/unlink": {"other_id": "0" * 32},
    "/account/delete": {"password": "not the password"},
    "/account/reset": {"token": "x" * 43, "new_password": "another long password"},
    "/account/save-result": {"state": STATE, "then": "sign-up"},
    "/diary/episodes/new": EPISODE,
    "/diary/episodes/{episode_id}/edit": EPISODE,
    "/diary/episodes/{episode_id}/delete": {},
    "/diary/sessions/new": SESSION,
    "/diary/sessions/{training_id}/edit": SESSION,
    "/diary/sessions/{training_id}/delete": {},
    "/diary/assessments": {"state": STATE},
    "/diary/assessments/{assessment_id}/delete": {},
    "/rehab/start": PLAN,
    "/rehab/apply": {"action": "hold"},
    "/rehab/phase": {"phase": "foundation"},
    "/rehab/stop": {},
    "/plan/sweat-test": {
        "body_mass_before_kg": "70",
        "body_mass_after_kg": "69",
        "fluid_drunk_l": "0.5",
        "urine_l": "0",
        "duration_min": "60",
        "temperature_c": "25",
        "humidity_percent": "50",
        "intensity": "6",
        "sport": "running",
    },
    "/plan/session": {
        "duration_min": "150",
        "intensity": "6",
        "temperature_c": "28",
        "humidity_percent": "60",
        "body_mass_kg": "70",
        "sweat_rate_l_per_h": "",
        "sweat_sodium": "salty",
        "sun": "full",
        "wind_m_per_s": "2",
        "acclimatised": "yes",
        "takes_diuretic": "no",
    },
    "/plan/sweat-tests/{test_id}/delete": {},
    "/rehab/mornings": {"day": TODAY.isoformat(), "pain": "1"},
    "/rehab/sessions": {
        "day": TODAY.isoformat(),
        "pain_during": "2",
        "pain_after": "1",
        "notes": "fine",
        "flags": "sharp_pain_or_pop",
        **EXERCISE_ROW,
    },
    "/rehab/tests": {
        "kind": "heel_raise",
        "day": TODAY.isoformat(),
        "injured": "20",
        "other": "25",
        "pain": "1",
        "limp": "",
    },
    "/clinician/persons/{person_id}/rehab/assign": {**PLAN, "phase": "", "notes": "x"},
    "/clinician/persons/{person_id}/rehab/phase": {"phase": "foundation"},
    "/clinician/persons/{person_id}/rehab/adjust": {
        "item": "protect:ankle_pumps",
        "sets": "3",
        "amount": "30",
        "load": "",
        "note": "gently",
        "removed": "",
    },
}
#: Forms sent signed out (the rest need an account).
SIGNED_OUT = {
    "/assess/about",
    "/assess/start",
    "/assess/answer",
    "/assess/back",
    "/assess/continue",
    "/assess/summary",
    "/account/sign-up",
    "/account/sign-in",
    "/account/sign-out",
    "/account/reset",
    "/account/save-result",
}
#: Forms of a clinician; "/rehab/stop" ends a plan, so a second person sends it.
CLINICIAN = ("/clinician/", "/account/link")
IMPORT = "/diary/import"
ACTIVITIES = "/diary/activities"
CDS = "/cds-services/calfcare-calf-assessment"


def post_routes(app: FastAPI) -> set[str]:
    """Every form route of the site: each POST route outside the JSON API."""
    return {
        rc.path
        for rc in routing.iter_route_contexts(app.routes)
        if rc.path and "POST" in (rc.methods or ()) and not rc.path.startswith("/api/")
    }


def numeric_query_params(app: FastAPI) -> list[tuple[str, str]]:
    """(path, name) of every query parameter of a page that is read as a number."""
    out = []
    for rc in routing.iter_route_contexts(app.routes):
        route = rc.original_route
        if not isinstance(route, routing.APIRoute) or "GET" not in (rc.methods or ()):
            continue
        for param in get_flat_params(route.dependant):
            if (
                param.field_info.annotation in (int, float)
                and type(param.field_info).__name__ == "Query"
            ):
                out.append((route.path, param.name))
    return sorted(out)


# --- the site -------------------------------------------------------------------------------


@dataclass
class Site:
    app: FastAPI
    anonymous: TestClient
    person: TestClient
    stopper: TestClient
    clinician: TestClient
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)

    def client_for(self, path: str) -> TestClient:
        if path in SIGNED_OUT:
            self.anonymous.cookies.delete("calfcare_session")  # a sign-in may have set one
            return self.anonymous
        if path.startswith(CLINICIAN):
            return self.clinician
        return self.stopper if path == "/rehab/stop" else self.person

    def token(self, client: TestClient) -> str:
        if id(client) not in self.tokens:
            self.tokens[id(client)] = csrf_token(client.get("/assess").text)
        return self.tokens[id(client)]

    def url(self, path: str, ids: Mapping[str, str] | None = None) -> str:
        given = {**self.ids, **(ids or {})}
        return re.sub(r"\{(\w+)\}", lambda m: quote(given[m.group(1)], safe=""), path)

    def post(
        self,
        path: str,
        data: Mapping[str, Any],
        *,
        ids: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        client = self.client_for(path)
        return client.post(
            self.url(path, ids),
            data={**data, "csrf_token": self.token(client)},
            files=files,
            follow_redirects=False,
        )

    def counts(self) -> tuple[int, int, int]:
        """How many records the person's diary holds, straight from the database."""
        with self.app.state.ctx.sessions() as db:
            owner = self.ids["person_id"]
            return (
                len(diary.list_episodes(db, owner_id=owner)),
                len(diary.list_training(db, owner_id=owner)),
                len(diary.list_assessments(db, owner_id=owner)),
            )


def _build(app: FastAPI) -> Site:
    anonymous, person, stopper, clinician = (new_browser(app) for _ in range(4))
    anonymous.get("/assess")
    person_email = sign_up(person, name="Pat Person")
    sign_up(stopper, name="Sam Stopper")
    sign_up(clinician, role="clinician", name="Dr Casey")
    link(app, person, clinician)
    for client in (person, stopper):
        r = submit(client, "/rehab/start", PLAN, page="/rehab")
        assert r.status_code == 303, r.text
    site = Site(app, anonymous, person, stopper, clinician)
    site.ids = {
        "person_id": user_id(app, person_email),
        "episode_id": add_episode(person),
        "training_id": add_session(person),
        "test_id": "0" * 32,
        "plan_id": "0" * 32,
    }
    r = submit(person, "/diary/assessments", {"state": STATE}, page="/diary")
    assert r.status_code == 303, r.text
    site.ids["assessment_id"] = r.headers["location"].split("/")[-1].split("?")[0]
    return site


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{data / 'calfcare.db'}" if request.param == "sqlite" else _postgres_or_skip()
    try:
        upgrade(url)
        app = create_app(load_settings(data_dir=data, environment="test", database_url=url))
        app.state.clock = lambda: NOW
        yield _build(app)
        app.state.ctx.engine.dispose()
    finally:
        if request.param != "sqlite":
            _drop(url)


def assert_no_server_error(r: httpx.Response) -> None:
    assert r.status_code < 500, f"{r.request.method} {r.request.url} -> {r.status_code}"


# --- forms ----------------------------------------------------------------------------------


def test_every_form_route_is_fuzzed(site: Site) -> None:
    assert post_routes(site.app) == {*FORMS, IMPORT, ACTIVITIES, CDS}


#: Ids in paths: the real one is used unless the case gives another.
path_ids = st.one_of(
    st.sampled_from(["\x00", "a\x00", "0" * 32, "x" * 300, "%00", ".."]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
)


def _ids_of(path: str) -> st.SearchStrategy[dict[str, str]]:
    """Ids for a path; a delete always gets another one, so the real records stay."""
    names = dict.fromkeys(re.findall(r"\{(\w+)\}", path), path_ids)
    if path.endswith("/delete"):
        return st.fixed_dictionaries(names)
    return st.fixed_dictionaries({}, optional=names)


def _form_case(path: str) -> st.SearchStrategy[tuple[str, dict[str, str], dict[str, str]]]:
    names = [*FORMS[path], "unexpected"]
    return st.tuples(
        st.just(path),
        st.fixed_dictionaries({}, optional=dict.fromkeys(names, form_text)),
        _ids_of(path),
    )


form_cases = st.sampled_from(sorted(FORMS)).flatmap(_form_case)


@FUZZ
@given(case=form_cases)
@example(case=("/assess/about", {"age": "²"}, {}))
@example(case=("/assess/about", {"age": "٤٠"}, {}))
@example(case=("/assess/about", {"age": HUGE}, {}))
@example(case=("/assess/start", {"start": "²"}, {}))
@example(case=("/assess/start", {"start": HUGE}, {}))
@example(case=("/account/sign-up", {"display_name": "Nul\x00l", "email": "a\x00@example.com"}, {}))
@example(case=("/account/sign-in", {"email": "a\x00@example.com"}, {}))
@example(case=("/account/reset", {"token": "\x00"}, {}))
@example(case=("/account/unlink", {"other_id": "\x00"}, {}))
@example(case=("/account/link", {"code": "ABCD\x00EFG"}, {}))
@example(case=("/account/time-zone", {"time_zone": "Europe/\x00London"}, {}))
@example(case=("/diary/episodes/new", {"severity": HUGE}, {}))
@example(case=("/diary/episodes/new", {"severity": "٣"}, {}))
@example(case=("/diary/episodes/new", {"duration": HUGE}, {}))
@example(case=("/diary/episodes/new", {"duration": "٤٠"}, {}))
@example(case=("/diary/episodes/new", {"duration": "1:" + HUGE}, {}))
@example(case=("/diary/episodes/new", {"humidity": HUGE, "temperature": HUGE}, {}))
@example(case=("/diary/episodes/new", {"notes": "a\x00b", "muscle": "\x00"}, {}))
@example(case=("/diary/episodes/{episode_id}/edit", {}, {"episode_id": "\x00"}))
@example(case=("/diary/episodes/{episode_id}/delete", {}, {"episode_id": "a\x00"}))
@example(case=("/diary/sessions/new", {"duration_min": HUGE, "intensity": "²"}, {}))
@example(case=("/diary/sessions/{training_id}/delete", {}, {"training_id": "\x00"}))
@example(case=("/diary/assessments/{assessment_id}/delete", {}, {"assessment_id": "\x00"}))
@example(case=("/rehab/start", {"injury_day": "\x00", "programme": "\x00"}, {}))
@example(case=("/rehab/mornings", {"pain": HUGE}, {}))
@example(case=("/rehab/mornings", {"pain": "²"}, {}))
@example(
    case=("/rehab/sessions", {"pain_during": HUGE, "exercises[0].sets": "٤٠", "notes": "\x00"}, {})
)
@example(case=("/rehab/tests", {"injured": HUGE, "other": "1e999", "pain": "²"}, {}))
@example(
    case=(
        "/clinician/persons/{person_id}/rehab/adjust",
        {"sets": HUGE, "amount": "²", "note": "\x00", "load": "\x01"},
        {},
    )
)
@example(
    case=("/clinician/persons/{person_id}/rehab/assign", {"notes": "\x00", "injury_day": HUGE}, {})
)
@example(
    case=("/clinician/persons/{person_id}/rehab/phase", {"phase": "\x00"}, {"person_id": "\x00"})
)
def test_no_form_fails(site: Site, case: tuple[str, dict[str, str], dict[str, str]]) -> None:
    path, changes, ids = case
    assert_no_server_error(site.post(path, {**FORMS[path], **changes}, ids=ids))


# --- the interview state --------------------------------------------------------------------

STATE_ROUTES = (
    "/assess/start",
    "/assess/answer",
    "/assess/back",
    "/assess/continue",
    "/assess/summary",
    "/diary/assessments",
    "/account/save-result",
    "/account/sign-in",
)


def encoded(data: object) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


evidence = st.fixed_dictionaries(
    {
        "id": st.one_of(st.sampled_from(["calf_pain", "felt_pop_or_kick"]), json_values),
        "choice_id": st.one_of(st.sampled_from(["present", "absent", "unknown"]), json_values),
    },
    optional={"source": json_values, "extra": json_values},
)
states = st.fixed_dictionaries(
    {
        "a": st.one_of(st.integers(0, 130), json_values),
        "s": st.one_of(st.sampled_from(["female", "male"]), json_values),
        "t": st.one_of(st.lists(st.lists(evidence, max_size=3), max_size=3), json_values),
        "k": st.one_of(st.sampled_from(["", "emergency"]), json_values),
    }
)
tokens = st.one_of(
    states.map(encoded),
    json_values.map(encoded),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
)
NESTED = "[" * 10_000 + "]" * 10_000


@FUZZ
@given(route=st.sampled_from(STATE_ROUTES), token=tokens)
@example(route="/assess/continue", token=base64.urlsafe_b64encode(NESTED.encode()).decode())
@example(route="/assess/answer", token=encoded({"a": 40, "s": "female", "t": [[NESTED]], "k": ""}))
@example(route="/assess/continue", token=encoded({"a": 40, "s": "female", "t": [], "k": []}))
@example(route="/assess/continue", token=encoded({"a": 40, "s": "female", "t": [], "k": {}}))
@example(
    route="/assess/summary",
    token=encoded(
        {"a": True, "s": "female", "t": [[{"id": "calf_pain", "choice_id": "present"}]], "k": ""}
    ),
)
@example(route="/assess/back", token=encoded({"a": "40", "s": "female", "t": [[1], 2], "k": ""}))
@example(route="/assess/summary", token=encoded({"a": 40, "s": "female", "t": [[1]], "k": ""}))
@example(route="/assess/continue", token=encoded({"a": 40, "s": "female", "t": "xyz", "k": ""}))
@example(route="/assess/answer", token=encoded({"a": 40, "s": "\ud800", "t": [], "k": "\x00"}))
@example(
    route="/diary/assessments",
    token=encoded(
        {
            "a": 40,
            "s": "female",
            "t": [[{"id": "calf_pain", "choice_id": "present", "source": "\ud800"}]],
            "k": "",
        }
    ),
)
@example(
    route="/diary/assessments",
    token=encoded(
        {
            "a": 40,
            "s": "female",
            "t": [[{"id": "calf_pain", "choice_id": "present", "\x00": "x"}]],
            "k": "",
        }
    ),
)
@example(
    route="/assess/start", token=encoded({"a": int(HUGE[:30]), "s": "female", "t": [], "k": ""})
)
@example(route="/assess/start", token="eyJhIjog" + "OTk5" * 2000)
@example(route="/assess/back", token="!!!!")
def test_no_interview_state_fails(site: Site, route: str, token: str) -> None:
    field = "result" if route.startswith("/account/sign-") else "state"
    data = {**FORMS[route], field: token}
    if route == "/assess/answer":
        data.update(items="calf_pain", qtype="single", choice="absent")
    assert_no_server_error(site.post(route, data))


# --- ids in the paths of pages --------------------------------------------------------------


def pages_with_ids(app: FastAPI) -> list[str]:
    """Every page (GET route outside the API) whose path holds an id."""
    return sorted(
        rc.path
        for rc in routing.iter_route_contexts(app.routes)
        if rc.path
        and "{" in rc.path
        and "GET" in (rc.methods or ())
        and not rc.path.startswith("/api/")
    )


@FUZZ
@given(
    which=st.integers(0, 100),
    ids=st.dictionaries(
        st.sampled_from(
            [
                "episode_id",
                "training_id",
                "assessment_id",
                "person_id",
                "exercise_id",
                "programme_id",
                "condition_id",
                "plan_id",
            ]
        ),
        path_ids,
    ),
)
@example(which=0, ids={"person_id": "\x00"})
@example(which=0, ids={"episode_id": "\x00", "training_id": "\x00"})
@example(which=1, ids={"episode_id": "\x00", "training_id": "\x00"})
@example(which=2, ids={"episode_id": "\x00", "training_id": "\x00"})
@example(which=3, ids={"episode_id": "\x00", "training_id": "\x00"})
@example(which=0, ids={"assessment_id": "\x00"})
@example(which=1, ids={"assessment_id": "\x00", "person_id": "\x00"})
def test_no_page_fails_on_its_id(site: Site, which: int, ids: dict[str, str]) -> None:
    pages = pages_with_ids(site.app)
    path = pages[which % len(pages)]
    client = site.clinician if path.startswith("/clinician") else site.person
    given = {
        "exercise_id": "ankle_pumps",
        "programme_id": "calf_strain",
        "condition_id": "calf_muscle_strain",
        **ids,
    }
    assert_no_server_error(client.get(site.url(path, given), follow_redirects=False))


# --- numbers in query strings ---------------------------------------------------------------


def test_the_numeric_query_parameters_are_known(site: Site) -> None:
    assert numeric_query_params(site.app) == [
        ("/clinician/persons/{person_id}", "page"),
        ("/diary", "page"),
    ]


NUMBERS = st.one_of(
    st.sampled_from(
        [
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551616",
            "-1",
            "0",
            HUGE,
            "²",
            "٤٠",
            "1e3",
            "",
            "\x00",
            "1_0",
        ]
    ),
    st.integers().map(str),
    form_text,
)


@FUZZ
@given(value=NUMBERS, which=st.integers(0, 10))
@example(value="9223372036854775807", which=0)
@example(value="9223372036854775807", which=1)
@example(value="-9223372036854775808", which=0)
@example(value="-9223372036854775808", which=1)
@example(value=HUGE, which=1)
def test_no_numeric_query_parameter_fails(site: Site, value: str, which: int) -> None:
    params = numeric_query_params(site.app)
    path, name = params[which % len(params)]
    client = site.clinician if path.startswith("/clinician") else site.person
    r = client.get(site.url(path), params={name: value}, follow_redirects=False)
    assert_no_server_error(r)


# --- imports --------------------------------------------------------------------------------


def _record(
    columns: tuple[str, ...], valid: Mapping[str, object]
) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries(
        {}, optional={c: st.one_of(st.just(valid.get(c)), json_values) for c in columns}
    )


VALID_EPISODE = {
    "occurred_at": "2026-11-20T07:30:00+00:00",
    "leg": "left",
    "muscle": "calf",
    "duration_s": 90,
    "severity": 6,
    "activity": "running",
    "woke_from_sleep": False,
}
VALID_SESSION = {
    "started_at": "2026-11-20T06:45:00+00:00",
    "activity": "running",
    "duration_min": 75,
    "intensity": 7,
}
VALID_RESULT = {
    "request": {"age": 40, "sex": "female", "evidence": []},
    "triage_level": "self_care",
    "top_condition": "calf_muscle_strain",
    "kb_version": "636bb5cc87a47d90",
}
documents = st.fixed_dictionaries(
    {"format": st.one_of(st.just(diary.FORMAT), json_values)},
    optional={
        "episodes": st.lists(_record(diary.EPISODE_COLUMNS, VALID_EPISODE), max_size=3),
        "training_sessions": st.lists(_record(diary.TRAINING_COLUMNS, VALID_SESSION), max_size=3),
        "saved_assessments": st.lists(_record(diary.ASSESSMENT_COLUMNS, VALID_RESULT), max_size=3),
        "extra": json_values,
    },
)
csv_cells = st.one_of(form_text, json_values.map(json.dumps))


def _csv(name: str) -> st.SearchStrategy[tuple[str, str]]:
    kind = diary.CSV_FILES[name]
    columns = {
        "episodes": diary.EPISODE_COLUMNS,
        "training_sessions": diary.TRAINING_COLUMNS,
        "saved_assessments": diary.ASSESSMENT_COLUMNS,
    }[kind]
    header = st.lists(
        st.one_of(st.sampled_from(columns), form_text), min_size=1, max_size=len(columns) + 1
    ).map(lambda h: list(dict.fromkeys(h)))
    full = st.just(list(columns))
    return st.one_of(header, full).flatmap(
        lambda cols: st.lists(
            st.lists(csv_cells, min_size=len(cols), max_size=len(cols) + 1), max_size=3
        ).map(
            lambda rows: (
                name,
                "\n".join(",".join(_quoted(c) for c in row) for row in [cols, *rows]) + "\n",
            )
        )
    )


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def _zip(files: list[tuple[str, str]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # a name given twice is worth trying
        for name, text in files:
            # zipfile cuts a name at NUL and needs one character at least
            zf.writestr(name.split("\x00")[0] or "member", text.encode("utf-8", "surrogatepass"))
    return buf.getvalue()


def _patched_zip(method: int | None = None, flags: int | None = None) -> bytes:
    """A one-file zip whose headers claim another compression method or encryption."""
    data = bytearray(_zip([("episodes.csv", ",".join(diary.EPISODE_COLUMNS) + "\n")]))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature)
        if flags is not None:
            struct.pack_into("<H", data, at + offset, flags)
        if method is not None:
            struct.pack_into("<H", data, at + offset + 2, method)
    return bytes(data)


def _bad_crc() -> bytes:
    data = bytearray(_zip([("episodes.csv", ",".join(diary.EPISODE_COLUMNS) + "\n")]))
    for signature, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        at = data.index(signature)
        struct.pack_into("<I", data, at + offset, 0xDEADBEEF)
    return bytes(data)


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


csv_files = st.sampled_from(sorted(diary.CSV_FILES)).flatmap(_csv)
uploads = st.one_of(
    documents.map(lambda d: ("diary.json", _encoded(json.dumps(d)))),
    json_values.map(lambda d: ("diary.json", _encoded(json.dumps(d)))),
    csv_files.map(lambda f: (f[0], _encoded(f[1]))),
    st.lists(st.one_of(csv_files, st.tuples(form_text, form_text)), max_size=3).map(
        lambda files: ("diary.zip", _zip(files))
    ),
    st.binary(max_size=200).map(lambda b: ("diary.zip", b"PK" + b)),
    st.binary(max_size=200).map(lambda b: ("diary.csv", b)),
)


def _document(**raw: str) -> tuple[str, bytes]:
    """An upload of a JSON document whose record lists are given as raw JSON text."""
    lists = ", ".join(f'"{kind}": {text}' for kind, text in raw.items())
    return "diary.json", ('{"format": "' + diary.FORMAT + '", ' + lists + "}").encode()


SURROGATE_RESULT = {
    "format": diary.FORMAT,
    "saved_assessments": [
        {**VALID_RESULT, "request": {"age": 40, "sex": "female", "evidence": [], "note": "\ud800"}}
    ],
}


@FUZZ
@given(upload=uploads)
@example(upload=("diary.json", _encoded(json.dumps(SURROGATE_RESULT))))
@example(
    upload=(
        "diary.json",
        _encoded(
            json.dumps({"format": diary.FORMAT, "episodes": [{**VALID_EPISODE, "notes": "\ud800"}]})
        ),
    )
)
@example(
    upload=(
        "diary.json",
        _encoded(
            json.dumps({"format": diary.FORMAT, "episodes": [{**VALID_EPISODE, "notes": "a\x00b"}]})
        ),
    )
)
@example(
    upload=(
        "diary.json",
        _encoded(
            json.dumps({"format": diary.FORMAT, "episodes": [{**VALID_EPISODE, "\ud800": 1}]})
        ),
    )
)
@example(upload=_document(episodes='[{"severity": ' + HUGE + "}]"))
@example(upload=_document(episodes=NESTED))
@example(upload=_document(saved_assessments='[{"request": ' + "[" * 500 + "]" * 500 + "}]"))
@example(upload=_document(saved_assessments='[{"request": {"a": ' + "[" * 40 + "]" * 40 + "}}]"))
@example(upload=_document(episodes='[{"temperature_c": NaN, "fluid_l": Infinity}]'))
@example(
    upload=(
        "diary.json",
        json.dumps(
            {
                "format": diary.FORMAT,
                "episodes": [{**VALID_EPISODE, "duration_s": 2**40, "severity": 2**63}],
            }
        ).encode(),
    )
)
@example(
    upload=(
        "diary.json",
        json.dumps(
            {
                "format": diary.FORMAT,
                "episodes": [{**VALID_EPISODE, "temperature_c": 1e308, "fluid_l": -0.0}],
            }
        ).encode(),
    )
)
@example(
    upload=(
        "episodes.csv",
        (",".join(diary.EPISODE_COLUMNS) + "\n" + ",".join([""] * 5 + [HUGE] * 10) + "\n").encode(),
    )
)
@example(
    upload=(
        "saved_assessments.csv",
        (",".join(diary.ASSESSMENT_COLUMNS) + '\n,,"' + "[" * 5000 + '",self_care,x,y\n').encode(),
    )
)
@example(
    upload=(
        "saved_assessments.csv",
        (
            ",".join(diary.ASSESSMENT_COLUMNS) + '\n,,"{""a"": ' + HUGE + '}",self_care,x,y\n'
        ).encode(),
    )
)
@example(
    upload=(
        "saved_assessments.csv",
        (
            ",".join(diary.ASSESSMENT_COLUMNS) + '\n,,"{""a"": ""\\ud800""}",self_care,x,y\n'
        ).encode(),
    )
)
@example(upload=("episodes.csv", b"occurred_at,leg\n\x00,left\n"))
@example(upload=("diary.zip", _patched_zip(flags=0x1)))  # encrypted
@example(upload=("diary.zip", _patched_zip(method=9)))  # deflate64
@example(upload=("diary.zip", _patched_zip(method=99)))  # AES
@example(upload=("diary.zip", _patched_zip(method=14)))  # LZMA, but not LZMA data
@example(upload=("diary.zip", _bad_crc()))
@example(upload=("diary.zip", _zip([("episodes.csv", "\ud800")])))
@example(upload=("diary.zip", _zip([("a\x00.csv", "x"), ("../../x.csv", "y"), ("dir/", "")])))
@example(upload=("diary.zip", _zip([])[:-5]))
@example(upload=("diary.zip", b"PK\x03\x04" + b"\x00" * 100))
def test_no_import_fails_or_half_saves(site: Site, upload: tuple[str, bytes]) -> None:
    name, content = upload
    before = site.counts()
    r = site.post(IMPORT, {}, files={"file": (name, content, "application/octet-stream")})
    assert_no_server_error(r)
    if r.status_code != 200:
        assert site.counts() == before, r.text


# --- activity files and CDS Hooks -----------------------------------------------------------

_GOOD_FIT = samples.fit()
activity_content = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            _GOOD_FIT[: len(_GOOD_FIT) // 2],
            _GOOD_FIT[:-1] + b"\x00",
            samples.gpx()[:700],
            samples.tcx()[:700],
            b"<gpx>" + b"<trk>" * 2000,
            b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY b 'c'>]><gpx>&b;</gpx>",
            samples.gpx(minutes=0),
        ]
    ),
)
activity_uploads = st.lists(
    st.tuples(
        st.sampled_from(["a.gpx", "b.tcx", "c.fit", "d.txt", "e", "\x00.fit"]), activity_content
    ),
    min_size=1,
    max_size=3,
)


def _activity_rows(site: Site) -> tuple[int, int]:
    from sqlalchemy import func, select

    from calfcare.storage.tables import ActivityFile

    with site.app.state.ctx.sessions() as db:
        files = db.scalar(select(func.count()).select_from(ActivityFile)) or 0
    return site.counts()[1], files


@FUZZ
@given(uploads=activity_uploads, intensity=st.sampled_from(["5", "0", "x", "", "\x00"]))
def test_no_activity_upload_fails_or_half_saves(
    site: Site, uploads: list[tuple[str, bytes]], intensity: str
) -> None:
    sessions, files = _activity_rows(site)
    r = site.post(
        ACTIVITIES,
        {"intensity": intensity},
        files=[("files", (n, c, "application/octet-stream")) for n, c in uploads],
    )
    assert_no_server_error(r)
    now_sessions, now_files = _activity_rows(site)
    assert now_sessions - sessions == now_files - files  # a session only with its whole file


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
cds_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"hook": st.just("patient-view"), "hookInstance": st.text(max_size=10)},
        optional={"context": json_values, "prefetch": json_values},
    ),
)


@FUZZ
@given(body=cds_bodies)
def test_no_cds_hooks_request_fails(site: Site, body: Any) -> None:
    assert_no_server_error(site.anonymous.post(CDS, json=body))
    assert_no_server_error(
        site.anonymous.post("/api/v1/fhir/QuestionnaireResponse/$assess", json=body)
    )
