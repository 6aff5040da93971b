"""The web interview's state, carried in the page itself so that no server memory is needed.

The state (age, sex and the answers given, step by step) travels as a hidden form field,
base64url-encoded JSON. It is the person's own data and is checked again on every request by
the same validation as the API, so a tampered state only ever yields a clear error.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from calfcare.errors import RequestError
from calfcare.services.text import json_problem, load_json

MAX_STATE_BYTES = 32 * 1024
#: State nests at most four deep: {"t": [[{...}]]}.
MAX_STATE_DEPTH = 4
UNREADABLE = "the interview could not be read; please start again"


@dataclass
class InterviewState:
    age: int
    sex: str
    steps: list[list[dict[str, str]]] = field(default_factory=list)
    acknowledged: str = ""  # the emergency level the person has already been shown
    #: Answers to the parts of the current question already seen (`web/question_parts.py`):
    #: not yet evidence, they join the step when the question's last part is answered.
    pending: list[dict[str, str]] = field(default_factory=list)

    def evidence(self) -> list[dict[str, str]]:
        return [e for step in self.steps for e in step]

    def request(self) -> dict[str, Any]:
        return {"age": self.age, "sex": self.sex, "evidence": self.evidence()}

    def encode(self) -> str:
        data: dict[str, Any] = {
            "a": self.age,
            "s": self.sex,
            "t": self.steps,
            "k": self.acknowledged,
        }
        if self.pending:  # written only mid-question, so every other page's state is unchanged
            data["p"] = self.pending
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> InterviewState:
        """The state a page carried; RequestError on `state` for anything else.

        Only the shapes `encode` writes are read back: an int age, text sex and
        acknowledged level, and steps as lists of objects of text. Whether the answers make
        a valid request is the assessment's to check, as for the API.
        """
        if not token or len(token) > MAX_STATE_BYTES:
            raise RequestError("state", UNREADABLE)
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = load_json(raw, max_depth=MAX_STATE_DEPTH)
        except ValueError:  # bad base64 (binascii.Error), a non-ASCII token, or JsonError
            raise RequestError("state", UNREADABLE) from None
        if not _well_formed(data):
            raise RequestError("state", UNREADABLE)
        return cls(
            age=data["a"],
            sex=data["s"],
            steps=data["t"],
            acknowledged=data["k"],
            pending=data.get("p", []),
        )


def _well_formed(data: object) -> bool:
    """Whether decoded state has the shape `encode` writes, with only storable text."""
    if not isinstance(data, dict) or set(data) - {"p"} != {"a", "s", "t", "k"}:
        return False
    age, sex, seen = data["a"], data["s"], data["k"]
    steps = [*data["t"], data.get("p", [])] if isinstance(data["t"], list) else data["t"]
    if (
        isinstance(age, bool)
        or not isinstance(age, int)
        or not isinstance(sex, str)
        or not isinstance(seen, str)
        or not isinstance(steps, list)
    ):
        return False
    answers_ok = all(
        isinstance(step, list)
        and all(
            isinstance(answer, dict) and all(isinstance(v, str) for v in answer.values())
            for answer in step
        )
        for step in steps
    )
    return answers_ok and json_problem(data, max_depth=MAX_STATE_DEPTH) is None


def answers_from_form(
    form: dict[str, list[str]], items: list[str], qtype: str
) -> list[dict[str, str]]:
    """Evidence for one answered question from the submitted form fields."""
    if not items:
        raise RequestError("items", "the question could not be read; please start again")
    if qtype == "single":
        fid = items[0]
        choice = (form.get("choice") or [""])[0]
        if choice not in ("present", "absent", "unknown"):
            raise RequestError("choice", "Choose Yes, No or I don't know")
        return [{"id": fid, "choice_id": choice}]
    ticked = set(form.get("present", []))
    unknown = ticked - set(items)
    if unknown:
        raise RequestError("present", "an answer did not belong to this question")
    # A tick always wins: "I don't know" covers only the items left unticked, so a danger
    # sign ticked together with "I don't know" is still a yes.
    rest = "unknown" if (form.get("dont_know") or [""])[0] == "1" else "absent"
    return [{"id": f, "choice_id": "present" if f in ticked else rest} for f in items]
